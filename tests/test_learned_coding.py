"""Overlapping measures, titles coded as passages, and coding learned from hand-coded examples.

Every case is constructed, so the right codes are known by hand.
"""

import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.measures.coding import CODED_MENTION_COLUMNS, code_documents, own_titles
from analysis.measures.lexicon import Lexicon, Measure, NearRule, find_mentions, load_lexicon
from analysis.measures.model import (
    FEW_POSITIVES,
    MODEL_VARIANT,
    combine_mentions,
    load_model,
    model_mentions,
    save_model,
    sentence_spans,
    train_coding_model,
    uncertain_units,
)
from analysis.methods.handcoding import text_units
from analysis.methods.kwic import kwic

REFORM = Lexicon(
    name="t",
    measures=(
        Measure("改革开放", "", ("改革开放",)),
        Measure("体制改革", "", ("体制改革", "深化改革")),
        Measure("边境管控", "", ("边防", "检查站", "边防检查站")),
    ),
)


def test_a_stretch_counts_for_every_measure_it_matches_and_once_for_each():
    found = find_mentions(["深化改革开放，设立边防检查站。"], ["d"], REFORM)
    assert found[["measure", "variant", "start", "end"]].values.tolist() == [
        ["体制改革", "深化改革", 0, 4],
        ["改革开放", "改革开放", 2, 6],  # inside 深化改革开放: counts for 改革开放 as well
        ["边境管控", "边防检查站", 9, 14],  # one stretch, one mention (the longest variant)
    ]


def test_overlap_changes_counts_only_where_measures_share_text():
    texts = ["坚持改革开放。", "深化改革。", "深化改革开放。"]
    counts = find_mentions(texts, ["a", "b", "c"], REFORM).groupby("measure").size().to_dict()
    # before: 深化改革开放 was 体制改革 only (改革开放 1); now it counts for both (改革开放 2)
    assert counts == {"改革开放": 2, "体制改革": 2}


def test_shipped_lexicons_keep_wrong_senses_out():
    covid = load_lexicon("covid_measures")

    def coded(text):
        return sorted(set(find_mentions([text], ["d"], covid)["measure"]))

    assert coded("县三防指挥部部署防汛工作。") == []  # the flood 三防
    assert coded("切实做好“三防”工作。") == ["三防"]
    assert coded("在各住宅小区设置管控卡口。") == ["小区管控"]  # a compound's checkpoint is not the border
    assert coded("在省、市、县界公路路口设立卫生检疫站点。") == ["边境管控"]
    assert coded("设立外来人员接待室。") == []
    assert coded("全国部分地区出现反弹势头。") == []  # a rebound elsewhere
    assert coded("严防疫情出现反弹。") == ["内防反弹"]
    assert coded("镇执法中心组建应急队伍。") == []  # an office's name
    assert coded("违者依法追究刑事责任。") == ["打击执法"]
    assert coded("每户限一人外出采购生活物资。") == ["两点一线"]  # buying supplies is not 物资保障
    assert coded("做好口罩等防疫物资储备。") == ["个人防护", "物资保障"]
    gov = load_lexicon("gov_work_reports")
    assert "阶级斗争" not in set(find_mentions(["抵御帝国主义的侵略。"], ["d"], gov)["measure"])
    assert set(find_mentions(["稳就业。"], ["d"], gov)["measure"]) == {"就业"}


def test_every_shipped_measure_says_what_it_covers_and_what_not():
    for name in ("covid_measures", "emergency_management", "gov_work_reports"):
        for measure in load_lexicon(name).measures:
            assert measure.covers and measure.does_not_cover, (name, measure.name)


def documents(titles, texts, units, sources):
    ids = [f"d{i}" for i in range(1, len(texts) + 1)]
    return pd.DataFrame({"doc_id": ids, "unit": units, "text": texts, "title": titles, "source": sources})


def test_a_documents_own_title_is_coded_as_its_own_passage():
    lexicon = Lexicon(name="t", measures=(Measure("督导检查", "", ("督导检查",)), Measure("口罩", "", ("口罩",))))
    docs = documents(
        ["关于开展督导检查的通知", "关于开展督导检查的通知", "各单位督导检查情况", "各单位督导检查情况", "督导检查"],
        ["请佩戴口罩。", "第二条。", "甲镇发放口罩。", "乙镇发放口罩。", "督导检查工作顺利。"],
        ["县", "县", "甲镇", "乙镇", "丙"],
        ["a.txt", "a.txt", "b.txt", "b.txt", "c.txt"],
    )
    assert own_titles(docs, docs["text"].tolist()).to_dict() == {"d1": "关于开展督导检查的通知"}
    mentions = code_documents(docs, docs["text"].tolist(), lexicon)
    assert list(mentions.columns) == CODED_MENTION_COLUMNS
    rows = mentions[["doc_id", "measure", "start", "in_title"]].values.tolist()
    # d1's title once (not again for d2, the same notice); b.txt's headline covers two units: not
    # coded; d5's title opens its text: counted there only
    assert rows == [
        ["d1", "督导检查", 4, True], ["d1", "口罩", 3, False], ["d3", "口罩", 4, False], ["d4", "口罩", 4, False],
        ["d5", "督导检查", 0, False],
    ]
    assert set(mentions["method"]) == {"lexicon"}
    lines = kwic(docs, mentions, window=4)
    assert lines.loc[0, ["match", "left", "in_title"]].tolist() == ["督导检查", "关于开展", True]
    assert not code_documents(docs, docs["text"].tolist(), lexicon, titles=False)["in_title"].any()
    # a title's mention belongs to no sentence of the text
    units = text_units(docs, mentions, lexicon)
    assert units.loc[units["unit_id"] == "d1#s1", "督导检查"].item() == 0


TRAIN = (
    ["禁止聚餐聚会。", "严禁举办宴席。", "不得聚集打牌。", "取消庙会活动。", "禁止聚众聚餐。", "不得举办聚会。"]
    + ["请佩戴口罩。", "按时消毒通风。", "加强宣传引导。", "开展督导检查。", "做好值班工作。", "及时上报信息。"]
)
CODES = pd.DataFrame({"不聚集": [1] * 6 + [0] * 6, "三防": [0] * 12})


def test_training_reports_cross_validated_scores_and_warns_on_few_positives():
    model = train_coding_model(TRAIN, CODES, lexicon_codes=CODES.assign(不聚集=[1, 0, 0, 0, 1, 0] + [0] * 6),
                               coder="A", corpus_sha256="abc", lexicon="t", folds=3)
    scores = model.scores.set_index("measure")
    assert scores.loc["不聚集", "positives"] == 6 and scores.loc["不聚集", "folds"] == 3
    # the lexicon found 2 of the 6, none wrongly: precision 1, recall 1/3
    assert scores.loc["不聚集", ["lexicon_precision", "lexicon_recall"]].tolist() == [1.0, pytest.approx(1 / 3)]
    assert 0 <= scores.loc["不聚集", "model_f1"] <= 1
    assert scores.loc["三防", "note"].startswith("not trained: no positive example")
    assert 6 < FEW_POSITIVES and any(w.startswith("不聚集: 6 positive examples") for w in model.warnings)
    assert model.coder == "A" and model.corpus_sha256 == "abc"
    assert model.predict(["禁止聚餐聚会。"]).loc[0, "不聚集"] == 1  # a training sentence is learned
    assert model.predict(["今天天气晴。"]).loc[0, "三防"] == 0


def test_model_mentions_are_sentences_and_either_adds_only_what_the_lexicon_missed(tmp_path):
    model = train_coding_model(TRAIN, CODES, folds=3)
    path = save_model(model, tmp_path / "m.pkl")
    model = load_model(path)
    text = "严禁聚餐聚会。请佩戴口罩。"
    assert sentence_spans(text) == [(0, 7), (7, 13)]
    learned = model_mentions([text], ["d"], model)
    assert learned[["measure", "variant", "start", "end"]].values.tolist() == [["不聚集", MODEL_VARIANT, 0, 7]]
    lexicon_found = pd.DataFrame([["d", "不聚集", "聚餐", 2, 4]], columns=learned.columns)
    assert combine_mentions(lexicon_found, learned, "either")["method"].tolist() == ["lexicon"]  # the sentence is covered
    assert combine_mentions(lexicon_found.iloc[:0], learned, "either")["method"].tolist() == ["model"]
    assert combine_mentions(lexicon_found, learned, "model")["method"].tolist() == ["model"]
    with pytest.raises(ConfigError, match="method must be"):
        combine_mentions(lexicon_found, learned, "both")


def test_uncertain_units_rank_by_closeness_to_the_threshold():
    model = train_coding_model(TRAIN, CODES, folds=3)
    units = pd.DataFrame({"text": ["禁止聚餐聚会。", "今天开会学习。", "聚会"]})
    ranked = uncertain_units(units, model, n=3)
    assert len(ranked) == 3 and ranked["uncertainty"].is_monotonic_decreasing
    assert set(ranked["least_sure_of"]) == {"不聚集"}  # 三防 has no classifier


def test_a_file_that_is_not_a_model_is_one_clear_error(tmp_path):
    bad = tmp_path / "model.pkl"
    bad.write_bytes(b"not a pickle")
    with pytest.raises(ConfigError, match="not a coding model"):
        load_model(bad)
    with pytest.raises(ConfigError, match="model not found"):
        load_model(tmp_path / "missing.pkl")
    docs = documents([""], ["口罩"], [""], ["a"])
    with pytest.raises(ConfigError, match="needs a model"):
        code_documents(docs, ["口罩"], REFORM, method="either")
    other = train_coding_model(TRAIN, CODES, folds=3, lexicon="covid")
    with pytest.raises(ConfigError, match="codes the measures of the lexicon 'covid', not those of 't'"):
        code_documents(docs, ["口罩"], REFORM, method="model", model=other)


def test_train_from_a_filled_workbook_and_draw_the_uncertain_units(tmp_path, capsys):
    """The whole round on a constructed corpus: sample, a coder's workbook, validate train, the
    model's scores and warnings, and a second sample of the units it is least sure of."""
    from openpyxl import load_workbook

    from analysis.methods.handcoding import corpus_hash
    from analysis.outputs.cli import format_model_scores
    from analysis.outputs.coding import CodingInputs, train_from_workbooks, write_coding_sample

    lexicon = Lexicon(name="t", measures=(Measure("不聚集", "", ("不聚集",)), Measure("口罩", "", ("口罩",))))
    bans = ["禁止聚餐。", "严禁聚会。", "不得聚集。", "取消庙会。", "暂停集市。", "不聚集。"]
    other = ["发放口罩。", "开会学习。", "清扫街道。", "上报信息。", "值班值守。", "佩戴口罩。"]
    texts = ["".join(pair) for pair in zip(bans, other)]
    ids = [f"d{i}" for i in range(1, 7)]
    docs = pd.DataFrame({"doc_id": ids, "unit": [""] * 6, "date_start": pd.NaT, "text": texts})
    inputs = CodingInputs(docs, find_mentions(texts, ids, lexicon), lexicon, "constructed")
    write_coding_sample(inputs, tmp_path / "s.xlsx", n=12)
    book = load_workbook(tmp_path / "s.xlsx")
    sheet = book["coding"]
    for row in sheet.iter_rows(min_row=2):
        text = row[3].value
        row[4].value = int(text in bans)  # 不聚集: every ban, by hand
        row[5].value = int("口罩" in text)
    book["about"]["B3"] = "A"
    book.save(tmp_path / "a.xlsx")
    model, written = train_from_workbooks([tmp_path / "a.xlsx"], inputs, tmp_path / "m.pkl", folds=3)
    scores = pd.read_csv(written[1]).set_index("measure")
    assert model.coder == "A" and model.corpus_sha256 == corpus_hash(ids, texts) and model.n_units == 12
    # the lexicon finds 1 of the 6 bans (不聚集), the 口罩 sentences all
    assert scores.loc["不聚集", ["positives", "lexicon_precision", "lexicon_recall"]].tolist() == [6, 1.0, pytest.approx(1 / 6)]
    assert scores.loc["口罩", ["lexicon_precision", "lexicon_recall"]].tolist() == [1.0, 1.0]
    assert "few positives (6)" in scores.loc["不聚集", "note"]
    table = format_model_scores(model.scores)
    assert table.splitlines()[0].startswith("measure") and "(few positives)" in table
    # a second round: every unit was trained on, so a sample from this corpus has nothing left
    again = write_coding_sample(inputs, tmp_path / "r2.xlsx", n=4, model=written[0])
    assert again.empty
    more = ["严禁宴请。发放手套。"]
    other_inputs = CodingInputs(docs.iloc[:1].assign(text=more, doc_id=["e1"]), find_mentions(more, ["e1"], lexicon), lexicon, "x")
    drawn = write_coding_sample(other_inputs, tmp_path / "r3.xlsx", n=4, model=written[0])
    assert drawn["unit_id"].tolist()[0] in {"e1#s1", "e1#s2"} and len(drawn) == 2
    about = {r[0].value: r[1].value for r in load_workbook(tmp_path / "r3.xlsx")["about"].iter_rows(min_row=2)}
    assert about["drawn_as"].startswith("the 4 units the model (coder A) is least sure of")


def test_one_pass_matching_equals_one_pass_per_measure():
    """The fast matcher (one pass of the whole lexicon, other measures tried inside its matches)
    gives what each measure's own pattern finds, on texts built to test the corners: a variant of
    one measure inside, across the end of, or at the start of another's; touching repeats."""
    from analysis.measures.lexicon import _variant_matches, _variant_matches_slow

    lexicon = Lexicon(
        name="t",
        measures=(
            Measure("甲", "", ("改革开放", "开放", "放管服")),
            Measure("乙", "", ("深化改革", "改革", "革新")),
            Measure("丙", "", ("化改", "深化", "边防", "检查站", "防检")),
        ),
    )
    texts = [
        "深化改革开放", "改革开放改革开放", "边防边防检查站检查站", "深化改革放管服", "边防检查站防检查", "深化深化改革革新", "", "无关的文字",
        "开放开放。改革。深化改革开放放管服革新改革",
    ]
    for text in texts:
        assert _variant_matches(text, lexicon) == _variant_matches_slow(text, lexicon), text
    assert [m[0] for m in _variant_matches("深化改革开放", lexicon)] == ["乙", "丙", "甲"]  # 化改 overlaps 深化: 丙 once
