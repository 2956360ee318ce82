"""Validation by hand coding: text units, the stratified sample, the workbook a coder fills in,
scores and disagreements, and the one-line errors for a workbook that does not fit.

The corpora here are constructed, so every right answer is known by hand.
"""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.errors import InputError
from analysis.measures.lexicon import Lexicon, Measure, find_mentions
from analysis.methods.handcoding import (
    ALL_MEASURES,
    DISAGREEMENT_COLUMNS,
    VALIDATION_COLUMNS,
    coding_disagreements,
    corpus_hash,
    draw_sample,
    score_coding,
    text_units,
)
from analysis.outputs.cli import main
from analysis.outputs.coding import CodingInputs, read_codings, score_workbooks, write_coding_sample
from analysis.outputs.report import render_report

LEXICON = Lexicon(name="t", measures=(Measure("甲", "masks", ("口罩",)), Measure("乙", "gloves", ("手套",))))


def inputs_of(texts, units=None, lexicon=LEXICON):
    ids = [f"d{i}" for i in range(1, len(texts) + 1)]
    documents = pd.DataFrame({"doc_id": ids, "unit": units or [""] * len(texts), "date_start": pd.NaT, "text": texts})
    return CodingInputs(documents, find_mentions(texts, ids, lexicon), lexicon, "constructed")


def test_text_units_are_sentences_with_the_lexicons_codes():
    inputs = inputs_of(["今天发放口罩和手套。明天不发！  ……", "口罩"])
    units = text_units(inputs.documents, inputs.mentions, LEXICON)
    assert units[["unit_id", "text", "start", "end", "甲", "乙"]].values.tolist() == [
        ["d1#s1", "今天发放口罩和手套。", 0, 10, 1, 1],
        ["d1#s2", "明天不发！", 10, 15, 0, 0],  # the trailing …… has no letter: not a unit
        ["d2#s1", "口罩", 0, 2, 1, 0],
    ]
    by_document = text_units(inputs.documents, inputs.mentions, LEXICON, by="document")
    assert by_document["unit_id"].tolist() == ["d1", "d2"] and by_document["乙"].tolist() == [1, 0]


def test_corpus_hash_changes_with_any_id_or_text():
    base = corpus_hash(["a", "b"], ["x", "y"])
    assert base == corpus_hash(["a", "b"], ["x", "y"])
    assert len({base, corpus_hash(["a", "c"], ["x", "y"]), corpus_hash(["a", "b"], ["x", "z"]), corpus_hash(["ab"], ["xy"])}) == 4


def test_sample_holds_the_rare_measure_and_every_unit_and_is_reproducible():
    # 40 sentences over 4 units; 手套 (乙) in one sentence only
    texts = ["。".join(["发放口罩" if j % 2 else "开会学习" for j in range(10)]) + "。" for _ in range(4)]
    texts[3] = texts[3].replace("开会学习", "发放手套", 1)
    inputs = inputs_of(texts, units=["甲镇", "乙镇", "丙镇", "丁镇"])
    units = text_units(inputs.documents, inputs.mentions, LEXICON)
    assert len(units) == 40 and units["乙"].sum() == 1
    sample = draw_sample(units, LEXICON, n=8, random_state=0)
    assert len(sample) == 8 and sample["unit_id"].is_unique
    assert sample["乙"].sum() == 1  # the rare measure is there
    assert set(sample["unit"]) == {"甲镇", "乙镇", "丙镇", "丁镇"}
    assert (sample["甲"] == 0).any()  # units the lexicon codes nothing in are sampled too
    assert sample.equals(draw_sample(units, LEXICON, n=8, random_state=0))
    assert not sample["unit_id"].equals(draw_sample(units, LEXICON, n=8, random_state=1)["unit_id"])
    assert len(draw_sample(units, LEXICON, n=100)) == 40


def codings_by_hand():
    """Five units; 甲 by the lexicon 1 1 0 0 1; coder A 1 0 0 0 1; coder B 1 1 0 1 and u5 not coded."""
    units = pd.DataFrame({
        "unit_id": ["u1", "u2", "u3", "u4", "u5"], "doc_id": ["d"] * 5, "unit": [""] * 5, "date": [""] * 5,
        "start": [0, 2, 4, 6, 8], "end": [2, 4, 6, 8, 10], "text": ["一"] * 5,
        "甲": [1, 1, 0, 0, 1], "乙": [0, 0, 0, 0, 0],
    })
    a = pd.DataFrame({"甲": [1, 0, 0, 0, 1], "乙": [0, 0, 0, 0, 0]}, index=units["unit_id"], dtype=float)
    b = pd.DataFrame({"甲": [1, 1, 0, 1, np.nan], "乙": [0, 0, 0, 0, np.nan]}, index=units["unit_id"], dtype=float)
    return units, {"A": a, "B": b}


def test_scores_by_hand():
    units, codings = codings_by_hand()
    scores = score_coding(codings, units, LEXICON, n_boot=200)
    assert list(scores.columns) == VALIDATION_COLUMNS
    row = scores.set_index(["measure", "comparison", "coder"])
    a = row.loc[("甲", "lexicon vs coder", "A")]  # tp u1 u5, fp u2, tn u3 u4
    assert (a.n_units, a.tp, a.fp, a.fn, a.tn) == (5, 2, 1, 0, 2)
    assert a.precision == pytest.approx(2 / 3) and a.recall == 1.0 and a.f1 == pytest.approx(0.8)
    b = row.loc[("甲", "lexicon vs coder", "B")]  # u5 not coded: tp u1 u2, fn u4, tn u3
    assert (b.n_units, b.tp, b.fp, b.fn, b.tn) == (4, 2, 0, 1, 1)
    assert b.precision == 1.0 and b.recall == pytest.approx(2 / 3)
    both = row.loc[("甲", "between coders", "A, B")]
    # u1–u4 coded by both: A 1 0 0 0, B 1 1 0 1. κ: agreement 1/2, chance 1/4·3/4 + 3/4·1/4 = 3/8 → 0.2
    # α: o_11 = 2, o_00 = 2, o_01 = o_10 = 2; n_1 = n_0 = 4; 1 − 7·4/(64 − 32) = 0.125
    assert both.n_units == 4 and both.kappa == pytest.approx(0.2) and both.alpha == pytest.approx(0.125)
    assert both.alpha_low <= both.alpha_high
    assert pd.isna(row.loc[("乙", "between coders", "A, B")].alpha)  # nobody coded 乙: no variation
    pooled = row.loc[(ALL_MEASURES, "lexicon vs coder", "A")]  # 甲's counts plus 5 agreeing 0s for 乙
    assert (pooled.n_units, pooled.tp, pooled.fp, pooled.fn, pooled.tn) == (10, 2, 1, 0, 7)
    assert scores["measure"].tolist()[-3:] == [ALL_MEASURES] * 3


def test_disagreements_are_kwic_lines():
    inputs = inputs_of(["今天发放口罩和手套。明天不发。"])
    units = text_units(inputs.documents, inputs.mentions, LEXICON)
    coder = pd.DataFrame({"甲": [0.0, 1.0], "乙": [1.0, 0.0]}, index=units["unit_id"])
    table = coding_disagreements({"A": coder}, units, inputs.documents, inputs.mentions, LEXICON)
    assert list(table.columns) == DISAGREEMENT_COLUMNS
    assert table[["unit_id", "measure", "codes", "coded_1_by", "left", "match", "right"]].values.tolist() == [
        ["d1#s1", "甲", "lexicon=1; A=0", "lexicon", "今天发放", "口罩", "和手套。明天不发。"],
        ["d1#s2", "甲", "lexicon=0; A=1", "A", "", "", ""],
    ]
    assert table["text"].tolist() == ["今天发放口罩和手套。", "明天不发。"]


def fill(path, target, codes, *, coder="", cells=None):
    """Fill the sample workbook: codes maps unit_id → {measure: value}; cells sets raw cells."""
    book = load_workbook(path)
    sheet = book["coding"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for measure, value in codes.get(row[0].value, {}).items():
            row[header.index(measure)].value = value
    for (r, c), value in (cells or {}).items():
        sheet.cell(row=r, column=c).value = value
    for row in book["about"].iter_rows(min_row=2):
        if row[0].value == "coder":
            row[1].value = coder
    book.save(target)
    return target


def test_the_workbook_hides_the_matches_and_scores_back(tmp_path):
    inputs = inputs_of(["=HYPERLINK(\"x\")发放口罩。", "发放手套。", "开会。"])
    sample = write_coding_sample(inputs, tmp_path / "s.xlsx", n=10)
    book = load_workbook(tmp_path / "s.xlsx")
    assert book.sheetnames == ["coding", "measures", "about"]
    sheet = book["coding"]
    assert [c.value for c in sheet[1]] == ["unit_id", "unit", "date", "text", "甲", "乙"]
    assert all(cell.value is None for row in sheet.iter_rows(min_row=2, min_col=5) for cell in row)  # nothing pre-coded
    texts = {row[0].value: row[3] for row in sheet.iter_rows(min_row=2)}
    assert texts["d1#s1"].value.startswith("=HYPERLINK") and texts["d1#s1"].data_type == "s"  # text, never a formula
    assert [c.value for c in book["measures"]["A"]] == ["measure", "甲", "乙"]
    about = {row[0].value: row[1].value for row in book["about"].iter_rows(min_row=2)}
    assert about["corpus_sha256"] == inputs.sha256 and about["text_unit"] == "sentence"
    assert sorted(sample["unit_id"]) == ["d1#s1", "d2#s1", "d3#s1"]
    write_coding_sample(inputs, tmp_path / "again.xlsx", n=10)
    assert (tmp_path / "again.xlsx").read_bytes() == (tmp_path / "s.xlsx").read_bytes()  # reproducible to the byte
    # coder A agrees with the lexicon except on d3 (codes 甲); coder B leaves d2 wholly blank
    a = fill(tmp_path / "s.xlsx", tmp_path / "a.xlsx", {"d1#s1": {"甲": 1}, "d2#s1": {"乙": "1"}, "d3#s1": {"甲": 1, "乙": 0}}, coder="A")
    b = fill(tmp_path / "s.xlsx", tmp_path / "b.xlsx", {"d1#s1": {"甲": 1, "乙": 0}, "d3#s1": {"乙": 0}}, coder="B")
    codings, by = read_codings([a, b], inputs)
    assert by == "sentence" and list(codings) == ["A", "B"]
    assert codings["B"].loc["d1#s1"].tolist() == [1.0, 0.0] and codings["B"].loc["d3#s1"].tolist() == [0.0, 0.0]
    assert codings["B"].loc["d2#s1"].isna().all()
    scores, disagreements, written = score_workbooks([a, b], inputs, tmp_path / "out")
    assert [p.name for p in written] == ["validation.csv", "validation_disagreements.csv", "validation_skipped.csv"]
    first = scores.set_index(["measure", "comparison", "coder"]).loc[("甲", "lexicon vs coder", "A")]
    assert (first.tp, first.fp, first.fn, first.tn) == (1, 0, 1, 1)
    assert disagreements[["unit_id", "measure", "codes"]].values.tolist() == [["d3#s1", "甲", "lexicon=0; A=1; B=0"]]
    assert pd.read_csv(written[0]).columns.tolist() == VALIDATION_COLUMNS


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({(1, 5): "丙"}, "sheet 'coding', row 1, column E: '丙' is not a measure of the lexicon 't'"),
        ({(3, 6): 2}, "sheet 'coding', row 3, column F (乙): '2' is not 0, 1 or blank"),
        ({(2, 5): "yes"}, "sheet 'coding', row 2, column E (甲): 'yes' is not 0, 1 or blank"),
        ({(2, 1): "d9#s1"}, "sheet 'coding', row 2, column A: 'd9#s1' is not a text unit of this corpus"),
        ({(1, 6): None}, "sheet 'coding', row 1: no column for measure '乙'"),
    ],
)
def test_a_workbook_that_does_not_fit_names_sheet_row_and_column(tmp_path, change, message):
    inputs = inputs_of(["发放口罩。", "发放手套。"])
    write_coding_sample(inputs, tmp_path / "s.xlsx", n=10)
    bad = fill(tmp_path / "s.xlsx", tmp_path / "bad.xlsx", {}, cells=change)
    with pytest.raises(InputError) as error:
        read_codings([bad], inputs)
    assert str(error.value).startswith(f"{bad}: {message}")


def test_a_sample_from_another_corpus_is_refused(tmp_path):
    write_coding_sample(inputs_of(["发放口罩。"]), tmp_path / "s.xlsx", n=5)
    with pytest.raises(InputError, match=r"sheet 'about', row 5, column B: corpus_sha256 \w+… is not this corpus's") as error:
        read_codings([tmp_path / "s.xlsx"], inputs_of(["发放手套。"]))
    assert "none of its 1 units' texts is a text unit of this corpus" in str(error.value) and "\n" not in str(error.value)


def test_a_sample_from_an_earlier_reading_is_remapped_by_its_text(tmp_path):
    """The reader changed after the sample was drawn: a header and a footer line in d1 shift its
    sentence ids, a space appears inside a sentence of d2, d3's only sentence is gone. The coder's
    codes are scored under the current ids, with the same scores; d3#s1 is reported, not dropped."""
    from analysis.outputs.coding import SKIPPED_COLUMNS

    before = inputs_of(["发放口罩。开会学习。发放手套。", "口罩不足。研究手套问题。", "开会。"])
    write_coding_sample(before, tmp_path / "s.xlsx", n=10)
    codes = {
        "d1#s1": {"甲": 1}, "d1#s2": {"甲": 0}, "d1#s3": {"乙": 1}, "d2#s1": {"甲": 1, "乙": 1}, "d2#s2": {"乙": 0}, "d3#s1": {"甲": 1},
    }
    coded = fill(tmp_path / "s.xlsx", tmp_path / "a.xlsx", codes, coder="A")
    without_d3 = fill(tmp_path / "s.xlsx", tmp_path / "a0.xlsx", {k: v for k, v in codes.items() if k != "d3#s1"}, coder="A")
    after = inputs_of(["第一号通告。发放口罩。开会学习。发放手套。本页由网站自动生成。", "口罩不足。研究 手套问题。", "散会。"])
    assert after.sha256 != before.sha256
    remapped = []
    codings, by = read_codings([coded], after, remapped=remapped)
    assert sorted(codings["A"].index) == ["d1#s2", "d1#s3", "d1#s4", "d2#s1", "d2#s2"]
    assert codings["A"].loc["d1#s4"].tolist() == [0.0, 1.0] and codings["A"].loc["d2#s2"].tolist() == [0.0, 0.0]
    [report] = remapped
    assert (report.units, report.found, report.new_ids) == (6, 5, 3)
    assert report.skipped.columns.tolist() == SKIPPED_COLUMNS
    assert report.skipped[["unit_id", "coded", "text"]].values.tolist() == [["d3#s1", "yes", "开会。"]]
    assert "text not found" in report.skipped["reason"].iloc[0]
    assert "5 of 6 units re-mapped by their text (3 under a new id), 1 not found" in report.line()
    # the same scores as the original corpus gives without the unit that is gone
    old, _, _ = score_workbooks([without_d3], before, tmp_path / "old", n_boot=50)
    new, _, written = score_workbooks([coded], after, tmp_path / "new", n_boot=50)
    assert [p.name for p in written] == ["validation.csv", "validation_disagreements.csv", "validation_skipped.csv"]
    counts = ["measure", "n_units", "tp", "fp", "fn", "tn", "precision", "recall", "f1"]
    pd.testing.assert_frame_equal(new[counts], old[counts])
    assert new["note"].str.contains("1 not found").all() and old["note"].isna().all()
    assert pd.read_csv(written[2])["unit_id"].tolist() == ["d3#s1"]


def test_remap_prefers_the_same_document_and_refuses_ambiguity():
    from analysis.outputs.coding import remap_units

    units = text_units(inputs_of(["开会。散会。开会。", "开会。", "学习。", "学习。"]).documents, inputs_of(["x"]).mentions, LEXICON)
    ids = ["d1#s3", "d1#s1", "d2#s5", "d9#s1", "d9#s2", "d1#s9"]
    found, skipped = remap_units(ids, ["开会。", "开会。", "开会。", "学习。", None, "散会。"], units)
    assert found == {0: "d1#s3", 1: "d1#s1", 2: "d2#s1", 5: "d1#s2"}  # same id; nearest in the document; the one in d2
    assert "found in 2 units of other documents" in skipped[3] and "no text" in skipped[4]


def test_validate_score_prints_the_remapping_note(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("发放口罩和手套。开会学习防疫知识。\n", encoding="utf-8")
    (corpus / "b.txt").write_text("佩戴口罩。居家隔离十四天。\n", encoding="utf-8")
    assert main(["validate", "sample", "--corpus", str(corpus), "--n", "10", "--out", str(tmp_path / "s.xlsx")]) == 0
    book = load_workbook(tmp_path / "s.xlsx")
    for row in book["coding"].iter_rows(min_row=2):
        row[4].value = int("口罩" in row[3].value)  # the first measure's column, by hand
    book.save(tmp_path / "a.xlsx")
    (corpus / "a.txt").write_text("根据上级通知。发放口罩和手套。开会学习防疫知识。\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "score", str(tmp_path / "a.xlsx"), "--corpus", str(corpus), "--out", str(tmp_path / "v")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("note: a.xlsx: the corpus changed since the sample was drawn") and "4 of 4 units re-mapped" in out[0]
    assert "(2 under a new id), 0 not found" in out[0]


def test_validate_commands_on_the_bulletin_print_one_line_errors(tmp_path, capsys):
    sample = tmp_path / "s.xlsx"
    assert main(["validate", "sample", "--n", "12", "--out", str(sample)]) == 0
    assert "12 sentences" in capsys.readouterr().out
    book = load_workbook(sample)
    assert book["coding"].max_row == 13
    measures = [c.value for c in book["coding"][1]][4:]
    filled = fill(sample, tmp_path / "a.xlsx", {}, cells={(2, 5): 1}, coder="A")
    assert main(["validate", "score", str(filled), "--out", str(tmp_path / "v")]) == 0
    out = capsys.readouterr().out
    assert "lexicon vs A: precision" in out and (tmp_path / "v" / "validation.csv").is_file()
    scores = pd.read_csv(tmp_path / "v" / "validation.csv")
    assert scores["measure"].tolist()[:-1] == measures
    # the sample's figures and, beside them, the corpus's (reweighted by stratum, with an interval)
    pooled = scores[(scores["measure"] == "(all measures)") & (scores["comparison"] == "lexicon vs coder")].iloc[0]
    assert {"precision_corpus", "recall_corpus", "recall_corpus_low", "recall_corpus_high"} <= set(scores.columns)
    assert pooled["recall_corpus_low"] <= pooled["recall_corpus"] <= pooled["recall_corpus_high"]
    assert "in the sample; reweighted to the corpus: precision" in out
    assert main(["validate", "score", str(sample), "--out", str(tmp_path / "v0")]) == 0  # not filled in yet
    assert "s coded no units: fill in sheet 'coding'" in capsys.readouterr().out
    bad = fill(sample, tmp_path / "bad.xlsx", {}, cells={(4, 6): "x"})
    assert main(["validate", "score", str(bad), "--out", str(tmp_path / "v")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {bad}: sheet 'coding', row 4, column F ({measures[1]}): 'x' is not 0, 1 or blank"]
    assert main(["validate", "score", str(tmp_path / "missing.xlsx")]) == 2
    assert "missing.xlsx: workbook not found" in capsys.readouterr().err
    (tmp_path / "not.xlsx").write_text("hello", encoding="utf-8")
    assert main(["validate", "score", str(tmp_path / "not.xlsx")]) == 2
    assert "not an .xlsx workbook" in capsys.readouterr().err


def test_the_report_has_a_reliability_section_only_with_scores(bulletin_analysis):
    units, codings = codings_by_hand()
    scores = score_coding(codings, units, LEXICON, n_boot=50)
    without = render_report(bulletin_analysis, {}, {}, embed_font=False)
    assert "How reliable is the coding" not in without
    html = render_report(bulletin_analysis, {}, {}, embed_font=False, validation=scores)
    assert "How reliable is the coding" in html and 'id="table-validation"' in html
    assert "Against A&#39;s hand coding of 10 unit × measure decisions, the lexicon&#39;s precision is 0.67" in html
    # pooled over 甲 and 乙 (u1–u4 by both): o_11 = 2, o_01 = o_10 = 2, o_00 = 2 + 8; n_1 = 4, n_0 = 12
    # α = 1 − 15·4/(256 − 16 − 144) = 0.375
    assert scores.iloc[-1]["alpha"] == pytest.approx(0.375)
    assert "Krippendorff&#39;s α 0.38" in html


@pytest.mark.slow
def test_validate_on_the_gov_work_reports_end_to_end(tmp_path):
    from pathlib import Path

    config = Path(__file__).resolve().parents[1] / "examples" / "gov-work-reports.toml"
    sample = tmp_path / "gov.xlsx"
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", "sample", "--config", str(config), "--out", str(sample)],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    filled = fill(sample, tmp_path / "a.xlsx", {}, cells={(2, 5): 1}, coder="A")
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", "score", str(filled), "--out", str(tmp_path / "v")],
        capture_output=True, text=True, timeout=600,
    )  # scored against the bulletin (no --config): the hash differs
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [run.stderr.strip()] and "sheet 'about', row 5, column B" in run.stderr
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", "score", str(filled), "--config", str(config), "--out", str(tmp_path / "v")],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert len(pd.read_csv(tmp_path / "v" / "validation.csv")) == 20  # 19 measures and the pooled row


def test_the_report_command_finds_validation_csv_in_its_folder(tmp_path, monkeypatch):
    out = tmp_path / "r"
    out.mkdir()
    units, codings = codings_by_hand()
    score_coding(codings, units, LEXICON, n_boot=50).to_csv(out / "validation.csv", index=False)
    # Figures and the explorer are beside the point here (other tests draw them): tables only.
    import analysis.outputs.explorer
    import analysis.outputs.report
    from analysis.outputs.cli import main

    real = analysis.outputs.report.write_outputs
    monkeypatch.setattr(analysis.outputs.report, "write_outputs", lambda result, folder, figures=None, **_: real(result, folder, figures=False))
    monkeypatch.setattr(analysis.outputs.explorer, "write_explorer", lambda result, folder, **_: (folder / "explore.html").write_text("") or folder / "explore.html")
    assert main(["report", "--out", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="reliability">' in html and "How reliable is the coding" in html
    assert "validation" in load_workbook(out / "tables.xlsx").sheetnames
