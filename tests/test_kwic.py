"""Keyword in context: windows, offsets and the lexicon's matches, known by hand."""

import pandas as pd
import pytest

from analysis.methods.kwic import KWIC_COLUMNS, format_kwic, kwic, kwic_measure, kwic_terms
from analysis.measures.lexicon import Lexicon, Measure, find_mentions


def docs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "unit": ["鹤北", "绥阳"],
            "date_start": ["2020-04-18", "2020-04-20"],
            "text": ["一二三外防输入四五六", "加强宣传，防止扩散。\n再次宣传"],
        }
    )


LEXICON = Lexicon(
    name="t",
    measures=(
        Measure("外防输入", "imports", ("外防输入", "输入")),
        Measure("宣传引导", "publicity", ("宣传",)),
    ),
)


def test_window_left_and_right_of_each_mention():
    mentions = find_mentions(docs()["text"], docs()["doc_id"], LEXICON)
    table = kwic(docs(), mentions, window=3)
    assert list(table.columns) == KWIC_COLUMNS
    first = table.iloc[0]
    assert (first["doc_id"], first["unit"], first["measure"], first["variant"]) == ("a", "鹤北", "外防输入", "外防输入")
    assert (first["left"], first["match"], first["right"]) == ("一二三", "外防输入", "四五六")
    # Context is clipped at the document's edges and a line break becomes one space.
    last = table.iloc[-1]
    assert (last["left"], last["match"], last["right"]) == (" 再次", "宣传", "")


def test_every_variant_of_a_measure_and_nothing_else():
    table = kwic_measure(docs(), LEXICON, "宣传引导", window=2)
    assert table["match"].tolist() == ["宣传", "宣传"]
    assert table["doc_id"].tolist() == ["b", "b"]
    with pytest.raises(KeyError, match="not a measure"):
        kwic_measure(docs(), LEXICON, "消毒")


def test_term_search_takes_the_longest_term_at_each_position():
    table = kwic_terms(docs(), ["防止", "防止扩散"], window=1)
    assert table["match"].tolist() == ["防止扩散"]
    assert table.iloc[0][["left", "right"]].tolist() == ["，", "。"]
    assert kwic_terms(docs(), "不存在").empty


def test_offsets_point_at_the_match_in_the_text():
    table = kwic_terms(docs(), "宣传")
    texts = docs().set_index("doc_id")["text"]
    assert all(texts[d][s:e] == m for d, s, e, m in zip(table["doc_id"], table["start"], table["end"], table["match"]))


def test_plain_text_display_aligns_the_matches():
    table = kwic_terms(docs(), ["输入", "宣传"], window=4)
    lines = format_kwic(table).splitlines()
    assert len(lines) == 3
    # The match starts at the same display column on every line (CJK characters are two wide).
    columns = [sum(2 if ord(c) > 0x2E7F else 1 for c in line[: line.index("【")]) for line in lines]
    assert len(set(columns)) == 1
    assert format_kwic(table.iloc[0:0]) == "(no occurrences)"


def test_bulletin_kwic_has_one_line_per_mention(bulletin_analysis):
    a = bulletin_analysis
    table = kwic(a.documents.assign(text=a.texts()), a.mentions, window=10)
    assert len(table) == len(a.mentions) > 100
    assert (table["match"] == table["variant"]).all()
    border = table[table["measure"] == "边境管控"]
    assert "偷越国(边)境" in set(border["match"])


def test_each_mention_gets_its_own_documents_unit_and_date_whatever_the_order():
    mentions = pd.DataFrame({"doc_id": ["b", "a", "b"], "start": [2, 3, 0], "end": [4, 7, 2]})
    table = kwic(docs(), mentions, window=1)
    assert table["unit"].tolist() == ["绥阳", "鹤北", "绥阳"]
    assert table["date_start"].tolist() == ["2020-04-20", "2020-04-18", "2020-04-20"]
    assert table["match"].tolist() == ["宣传", "外防输入", "加强"]
    # Without unit and date columns the rows still come out, with those left empty.
    bare = kwic(docs()[["doc_id", "text"]], mentions, window=1)
    assert bare["unit"].tolist() == ["", "", ""] and bare["date_start"].isna().all()


@pytest.mark.slow
def test_kwic_written_in_parts_is_the_table_written_at_once(bulletin_analysis, tmp_path):
    """run writes kwic.csv part by part without keeping it: the same bytes as the whole table."""
    import dataclasses

    from analysis.methods.kwic import kwic_parts
    from analysis.outputs.tables import _csv, _csv_parts

    fresh = dataclasses.replace(bulletin_analysis, methods=None).methods  # nothing computed yet
    parts = dict(fresh.table_parts(progress=False, rows=7))  # generators, written in turn
    streamed = _csv_parts(parts["kwic.csv"], tmp_path / "streamed.csv")
    assert "kwic" not in fresh.computed() and "_concordances" not in fresh.__dict__  # written, not kept
    whole = _csv(fresh.kwic, tmp_path / "whole.csv")
    assert streamed.read_bytes() == whole.read_bytes()
    assert len(fresh.kwic) == len(bulletin_analysis.mentions) > 7 * 10  # many parts, not one
    assert streamed.read_text(encoding="utf-8").count("\n") == len(fresh.kwic) + 1
    # once kept, the table is handed over whole
    again = dict(fresh.table_parts(progress=False, rows=7))
    assert next(again["kwic.csv"]) is fresh.kwic
    # parts of any size join into kwic()'s table; no mention gives the header alone
    a = bulletin_analysis
    for rows in (1, 13, 10_000):
        joined = pd.concat(list(kwic_parts(a.documents, a.mentions, window=20, texts=a.store, rows=rows)), ignore_index=True)
        assert joined.equals(fresh.kwic)
    empty = list(kwic_parts(a.documents, a.mentions.iloc[:0], texts=a.store))
    assert len(empty) == 1 and list(empty[0].columns) == KWIC_COLUMNS and empty[0].empty



def test_mentions_find_their_document_by_id_whatever_the_frame_index():
    """Rows are looked up by doc_id (a repeated id: its last row, as before), not by the frame's
    index; a mention of a document not in the table is a KeyError naming it."""
    documents = pd.DataFrame(
        {"doc_id": ["a", "b", "a"], "unit": ["甲", "乙", "丙"], "text": ["旧的外防输入", "宣传", "新的外防输入文本"]},
        index=[7, 3, 5],
    )
    mentions = find_mentions(documents["text"].iloc[[1, 2]], documents["doc_id"].iloc[[1, 2]], LEXICON)
    table = kwic(documents, mentions, window=2)
    assert table[["doc_id", "unit", "left", "match", "right"]].values.tolist() == [
        ["b", "乙", "", "宣传", ""], ["a", "丙", "新的", "外防输入", "文本"],
    ]
    with pytest.raises(KeyError, match="c"):
        kwic(documents, mentions.assign(doc_id="c"))
