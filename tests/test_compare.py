"""Comparisons: two corpora, two periods, two groups of units, a corpus against a reference list;
keyness of terms and measures with values computed by hand."""

import math

import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.methods.compare import COMPARISON_COLUMNS, Side, compare_sides

FILLER = "会议研究部署" * 10


def _g2(a: float, b: float, size_a: float, size_b: float) -> float:
    """Dunning's log-likelihood, written out cell by cell."""
    n = size_a + size_b
    observed = [a, b, size_a - a, size_b - b]
    expected = [(a + b) * size_a / n, (a + b) * size_b / n, (n - a - b) * size_a / n, (n - a - b) * size_b / n]
    return 2 * sum(o * math.log(o / e) for o, e in zip(observed, expected) if o > 0)


def test_keyness_between_two_sides_by_hand():
    a = Side("A", pd.Series({"改革": 10, "开放": 5, "罕见": 1}), n_tokens=100, n_chars=400, measures=pd.Series({"扶贫": 8}))
    b = Side("B", pd.Series({"改革": 10, "开放": 50}), n_tokens=1000, n_chars=4000, measures=pd.Series({"扶贫": 8, "法治": 40}))
    table = compare_sides(a, b, measures=["扶贫", "法治", "国防"])
    assert list(table.columns) == COMPARISON_COLUMNS
    assert table["kind"].tolist() == ["measure", "measure", "term", "term"]  # 国防 (never mentioned) and 罕见 (once) not tested
    reform = table.set_index("item").loc["改革"]
    # 10 of 100 tokens against 10 of 1000: log ratio log2(0.1 / 0.01) = log2(10); %DIFF (0.1 − 0.01) / 0.01 = 900 %.
    assert reform["log_ratio"] == pytest.approx(math.log2(10))
    assert reform["pct_diff"] == pytest.approx(900.0)
    assert reform["g2"] == pytest.approx(_g2(10, 10, 100, 1000))
    # 2·[10 ln(10/1.818) + 10 ln(10/18.18) + 90 ln(90/98.18) + 990 ln(990/981.82)] = 2·(17.047 − 5.978 − 7.831 + 8.216)
    assert reform["g2"] == pytest.approx(22.908, abs=1e-3)
    assert reform["per_10k_chars_a"] == pytest.approx(250.0) and reform["per_10k_chars_b"] == pytest.approx(25.0)
    assert reform["per_10k_tokens_a"] == pytest.approx(1000.0) and reform["size_a"] == 100 and reform["size_b"] == 1000
    assert reform["more_on"] == "A"
    # Measures are tested against characters: 扶贫 8 in 400 against 8 in 4000.
    poverty = table.set_index("item").loc["扶贫"]
    assert poverty["g2"] == pytest.approx(_g2(8, 8, 400, 4000)) and poverty["size_a"] == 400
    assert poverty["per_10k_chars_a"] == pytest.approx(200.0) and poverty["per_10k_chars_b"] == pytest.approx(20.0)
    law = table.set_index("item").loc["法治"]  # 0 on side A: the log ratio takes 0.5 for the zero
    assert law["more_on"] == "B" and law["log_ratio"] == pytest.approx(math.log2((0.5 / 400) / (40 / 4000)))
    # Bonferroni within each kind: p below 0.05 / 2 for the two terms and the two measures tested.
    for kind, rows in table.groupby("kind"):
        assert (rows["significant"] == (rows["p_g2"] < 0.05 / len(rows))).all(), kind
    assert table.loc[table["kind"] == "term", "g2"].is_monotonic_decreasing


def test_a_reference_list_has_no_characters_so_no_measures(tmp_path):
    from analysis.methods.compare import read_reference

    path = tmp_path / "ref.csv"
    path.write_text("term,count\n改革,10\n开放,50\n", encoding="utf-8")
    reference = read_reference(path)
    assert reference.n_tokens == 60 and reference.n_chars is None and reference.label == "reference ref.csv"
    a = Side("A", pd.Series({"改革": 10, "开放": 5}), n_tokens=100, n_chars=400, measures=pd.Series({"扶贫": 8}))
    table = compare_sides(a, reference, measures=["扶贫"])
    assert set(table["kind"]) == {"term"} and table["per_10k_chars_b"].isna().all()
    bad = tmp_path / "bad.csv"
    bad.write_text("term,count\n改革,ten\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.csv:2: count must be a whole number"):
        read_reference(bad)
    with pytest.raises(ValueError, match="needs the columns term,count"):
        (tmp_path / "cols.csv").write_text("word,n\n改革,1\n", encoding="utf-8")
        read_reference(tmp_path / "cols.csv")


def _text(mentions: int, length: int, measure: str = "外防输入") -> str:
    body = "，".join([measure] * mentions)  # separated: a run of one variant counts as one mention
    return body + (FILLER * (length // len(FILLER) + 1))[: length - len(body)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """By hand: units 甲 and 乙 report in 2001 and 2009; 丙 in 2005.
    外防输入: 甲 2001 ×5 in 100 chars; 丙 2005 ×20 in 10,000; 乙 2009 ×3 in 200; 甲 2009 ×0 in 300; 乙 2001 ×0 in 400."""
    rows = [
        ("2001", "甲", _text(5, 100)),
        ("2001", "乙", _text(0, 400)),
        ("2005", "丙", _text(20, 10_000)),
        ("2009", "乙", _text(3, 200)),
        ("2009", "甲", _text(0, 300)),
    ]
    path = tmp_path_factory.mktemp("compare") / "reports.csv"
    pd.DataFrame(rows, columns=["date", "unit", "text"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def analysed(corpus):
    from analysis import analyse

    return analyse(corpus, figures=False)


def _measure(table: pd.DataFrame, name: str = "外防输入") -> pd.Series:
    return table[(table["kind"] == "measure") & (table["item"] == name)].iloc[0]


def test_two_periods_of_one_corpus(analysed):
    from analysis import compare

    row = _measure(compare(analysed, split_date="2005-01-01"))
    assert (row["side_a"], row["side_b"]) == ("2001", "2005–2009")
    assert (row["count_a"], row["count_b"]) == (5, 23)
    assert (row["size_a"], row["size_b"]) == (500, 10_500)
    assert row["per_10k_chars_a"] == pytest.approx(100.0) and row["per_10k_chars_b"] == pytest.approx(23 / 10_500 * 10_000)
    assert row["more_on"] == "2001"  # fewer mentions, but denser
    # --from/--to keep a window on both sides: 2005 against 2009.
    row = _measure(compare(analysed, split_date="2009-01-01", date_from="2005-01-01", date_to="2009-12-31"))
    assert (row["count_a"], row["count_b"], row["size_a"], row["size_b"]) == (20, 3, 10_000, 500)


def test_two_groups_of_units_and_two_corpora(analysed):
    from analysis import compare

    row = _measure(compare(analysed, groups=(["甲", "乙"], ["丙"])))
    assert (row["side_a"], row["side_b"]) == ("甲、乙", "丙")
    assert (row["count_a"], row["count_b"], row["size_a"], row["size_b"]) == (8, 20, 1_000, 10_000)
    row = _measure(compare(analysed, analysed))
    assert row["side_a"].startswith("A: ") and row["side_b"].startswith("B: ") and row["g2"] == pytest.approx(0.0)


def test_reference_frame_and_bad_requests(analysed):
    from analysis import compare

    table = compare(analysed, reference=pd.DataFrame({"term": ["会议", "研究"], "count": [5, 1000]}))
    assert set(table["kind"]) == {"term"} and (table["side_b"] == "reference").all()
    with pytest.raises(AnalysisError, match="exactly one of"):
        compare(analysed)
    with pytest.raises(AnalysisError, match=r"exactly one of.*given: split_date, groups"):
        compare(analysed, split_date="2005-01-01", groups=(["甲"], ["乙"]))
    with pytest.raises(AnalysisError, match="not a unit of this corpus: 丁"):
        compare(analysed, groups=(["甲"], ["丁"]))
    with pytest.raises(AnalysisError, match="both sides: 甲"):
        compare(analysed, groups=(["甲"], ["甲", "乙"]))
    with pytest.raises(AnalysisError, match="no document dated before 2000-01-01"):
        compare(analysed, split_date="2000-01-01")
    with pytest.raises(AnalysisError, match="must be a date written YYYY-MM-DD"):
        compare(analysed, split_date="2005/01/01")


def test_cli_compare_writes_the_table_and_figure(corpus, tmp_path, capsys):
    from analysis.outputs.cli import main

    out = tmp_path / "cmp"
    assert main(["compare", str(corpus), "--split-date", "2005-01-01", "--out", str(out)]) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == COMPARISON_COLUMNS
    assert _measure(table)["count_b"] == 23
    assert (out / "figures" / "comparison.png").stat().st_size > 1000
    printed = capsys.readouterr().out
    assert "A = 2001; B = 2005–2009" in printed and "wrote 4 files" in printed
    assert main(["compare", str(corpus)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: say what to compare") and err.count("\n") == 1
    assert main(["compare", str(corpus), str(corpus), "--split-date", "2005-01-01"]) == 2
    assert main(["compare", str(corpus), "--groups", "甲,乙", "丁", "--no-figures", "--out", str(out)]) == 2
    assert "not a unit of this corpus: 丁" in capsys.readouterr().err
