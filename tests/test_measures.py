import pytest

from analysis.errors import ConfigError
from analysis.measures.lexicon import Lexicon, Measure, find_mentions, load_lexicon, measure_matrix, measures_by_period

import pandas as pd


def small_lexicon() -> Lexicon:
    return Lexicon(
        name="t",
        measures=(
            Measure("外防输入", "imports", ("外防输入", "境外疫情输入", "疫情输入")),
            Measure("不聚集", "no gatherings", ("不聚集", "不聚会", "不聚餐")),
            Measure("防止扩散", "spread", ("扩散",)),
        ),
    )


def test_longest_variant_wins_and_text_counts_once():
    mentions = find_mentions(["防范境外疫情输入"], ["d"], small_lexicon())
    assert mentions[["measure", "variant"]].values.tolist() == [["外防输入", "境外疫情输入"]]


def test_every_variant_counts_for_its_measure():
    text = "做到不聚集、不聚会、不聚餐，防止扩散"
    mentions = find_mentions([text], ["d"], small_lexicon())
    assert mentions["measure"].value_counts().to_dict() == {"不聚集": 3, "防止扩散": 1}
    assert [text[s:e] for s, e in zip(mentions["start"], mentions["end"])] == ["不聚集", "不聚会", "不聚餐", "扩散"]


def test_matching_does_not_depend_on_segmentation():
    # jieba cuts 不聚集 into 不/聚集 without the policy dictionary; matching runs on the text.
    assert len(find_mentions(["不聚集"], ["d"], small_lexicon())) == 1


def test_matrix_keeps_units_without_mentions_and_lexicon_order():
    lexicon = small_lexicon()
    mentions = find_mentions(["不聚会", "没有措施"], ["a", "b"], lexicon)
    groups = pd.Series(["甲", "乙"], index=["a", "b"], name="unit")
    matrix = measure_matrix(mentions, groups, lexicon)
    assert list(matrix.columns) == ["外防输入", "不聚集", "防止扩散"]
    assert matrix.loc["甲", "不聚集"] == 1 and matrix.loc["乙"].sum() == 0
    assert measure_matrix(mentions, groups, lexicon, presence=True).to_numpy().max() == 1


def test_shipped_lexicon_covers_the_bulletin_measures():
    lexicon = load_lexicon()
    assert len(lexicon.measures) >= 12
    for name in ["三防", "不聚集", "外防输入", "内防反弹", "防止扩散", "个人防护", "消毒通风", "测温扫码", "两点一线", "宣传引导", "督导检查", "边境管控", "打击执法"]:
        assert name in lexicon.names
    assert all(m.gloss for m in lexicon.measures)


def test_measures_found_where_the_bulletin_states_them(bulletin_analysis):
    m = bulletin_analysis.measures
    assert m.loc["大海林", "不聚集"] >= 3  # 不聚集、不聚会、不聚餐、…聚集性
    assert m.loc["绥棱", "测温扫码"] == 2  # 测温、扫码
    assert m.loc["鹤北", "三防"] == 1 and m.loc["东方红", "三防"] == 1
    assert m.loc["绥阳", "宣传引导"] >= 3 and m.loc["绥阳", "边境管控"] >= 3
    assert m.loc["亚布力", "个人防护"] >= 5  # 口罩、一次性手套、防护用品、防护装备 …
    assert m.loc["东方红", "督导检查"] >= 4  # 督导组, 不发通知、不打招呼、直奔基层、直插现场
    assert m["三防"].sum() == 2  # no other unit mentions 三防
    # the summary paragraph's 外方输入 (sic) is found too, though it belongs to no unit
    summary = bulletin_analysis.documents.loc[0, "doc_id"]
    assert "外方输入" in set(bulletin_analysis.mentions.loc[bulletin_analysis.mentions["doc_id"] == summary, "variant"])


def test_by_period_fills_gaps(bulletin_analysis):
    table = bulletin_analysis.by_period
    assert list(table.index) == [f"2020-04-{d}" for d in range(18, 24)]
    assert table.loc["2020-04-19"].sum() == 0
    assert table.loc["2020-04-18", "三防"] == 1


def write(tmp_path, text):
    path = tmp_path / "lex.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_lexicon_syntax_error_names_the_file_and_line(tmp_path):
    path = write(tmp_path, '[[measure]]\nname = 三防\nvariants = ["三防"]\n')
    with pytest.raises(ConfigError, match=r"lex\.toml: lexicon is not valid TOML.*line 2"):
        load_lexicon(path)


def test_lexicon_unknown_key(tmp_path):
    path = write(tmp_path, '[[measure]]\nname = "三防"\nvariant = ["三防"]\n')
    with pytest.raises(ConfigError, match="unknown key 'variant'"):
        load_lexicon(path)


def test_lexicon_variant_in_two_measures(tmp_path):
    path = write(tmp_path, '[[measure]]\nname = "甲"\nvariants = ["口罩"]\n[[measure]]\nname = "乙"\nvariants = ["口罩"]\n')
    with pytest.raises(ConfigError, match="'口罩' already belongs to '甲'"):
        load_lexicon(path)


def test_lexicon_missing(tmp_path):
    with pytest.raises(ConfigError, match="lexicon not found"):
        load_lexicon(tmp_path / "none.toml")


def test_dates_period_choice():
    from analysis.measures.lexicon import choose_period

    assert choose_period(pd.Series(pd.to_datetime(["2020-04-18", "2020-04-23"]))) == "day"
    assert choose_period(pd.Series(pd.to_datetime(["2020-01-01", "2020-12-01"]))) == "month"
    assert choose_period(pd.Series(pd.to_datetime(["1954-01-01", "2025-01-01"]))) == "year"


def test_by_period_by_year():
    lexicon = small_lexicon()
    mentions = find_mentions(["不聚集", "扩散", "不聚会"], ["a", "b", "c"], lexicon)
    dates = pd.Series(pd.to_datetime(["1990-03-01", "1993-03-01", "1993-05-01"]), index=["a", "b", "c"])
    table = measures_by_period(mentions, dates, lexicon, period="year")
    assert list(table.index) == ["1990", "1991", "1992", "1993"]
    assert table.loc["1993", "不聚集"] == 1 and table.loc["1990", "不聚集"] == 1


def test_the_pattern_finds_the_longest_variant_at_each_position():
    """Variants sharing a first character, one a prefix of another, one of a single character."""
    from analysis.measures.lexicon import Lexicon, Measure, find_mentions

    lexicon = Lexicon(
        name="t",
        description="",
        measures=(
            Measure(name="防控", gloss="", variants=("防", "防控", "防控工作")),
            Measure(name="外防", gloss="", variants=("外防输入", "外来人员", "偷越国(边)境")),
        ),
        path="",
    )
    text = "防控工作外防输入，防控和防。外来人员，偷越国(边)境"
    found = find_mentions([text], ["d"], lexicon)
    # 防 inside 外防输入 counts for 防控 too: each measure matches on its own (stretches of
    # different measures may overlap)
    assert found["variant"].tolist() == ["防控工作", "外防输入", "防", "防控", "防", "外来人员", "偷越国(边)境"]
    assert found["measure"].tolist() == ["防控", "外防", "防控", "防控", "防控", "外防", "外防"]
    assert [text[a:b] for a, b in zip(found["start"], found["end"])] == found["variant"].tolist()


def test_mentions_are_put_in_document_order_by_the_documents_rows_whatever_the_ids():
    """code_documents orders its mentions by their document's row: found through Arrow for unique
    string ids, through a dict (the last row with an id) otherwise; both give the same order."""
    from analysis.measures.coding import _positions, code_documents

    ids = pd.Series(["d3", "d1", "d2"])
    assert _positions(pd.Series(["d2", "d3", "d2", "d1"]), ids).tolist() == [2, 0, 2, 1]
    repeated = pd.Series(["d1", "d2", "d1"])  # a dict keeps the last row of an id
    assert _positions(pd.Series(["d1", "d2"]), repeated).tolist() == [2, 1]
    assert _positions(pd.Series([7, 5]), pd.Series([5, 7], dtype=object)).tolist() == [1, 0]
    documents = pd.DataFrame({"doc_id": ["b", "a"], "title": ["", ""], "source": ["x", "x"]})
    mentions = code_documents(documents, ["做好个人防护，严禁聚集。", "做好个人防护。"], load_lexicon(), titles=False)
    assert mentions["doc_id"].tolist()[0] == "b" and mentions["doc_id"].tolist()[-1] == "a"
    assert mentions.groupby("doc_id", sort=False).size().to_dict() == {"b": 2, "a": 1}
