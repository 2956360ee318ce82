"""Input formats and encodings: pages, HTML, tables, JSON Lines; UTF-8 ± BOM, GB18030/GBK, Big5."""

import json
from datetime import date

import pytest

from analysis.io.corpus import Columns, read_corpus
from analysis.errors import InputError
from analysis.io.readers import decode, html_to_text, is_traditional, to_simplified

PAGE = "疫情防控工作简报\n2020-04-26 县公安局\n4月20日,城关分局开展巡查,要求佩戴口罩。\n4月21日,河口分局组织消毒。\n"
TRADITIONAL = "4月20日,城關分局開展巡查,要求佩戴口罩,做好消毒通風工作。"


@pytest.mark.parametrize(
    "encoding, bom, expected",
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("gb18030", b"", "gb18030"),
        ("gbk", b"", "gb18030"),
        ("utf-16", b"", "utf-16"),  # Python writes the BOM itself
    ],
)
def test_page_encodings_are_detected_and_recorded(tmp_path, encoding, bom, expected):
    path = tmp_path / "page.txt"
    path.write_bytes(bom + PAGE.encode(encoding))
    corpus = read_corpus(path)
    assert corpus.sources[0].encoding == expected
    assert [d.unit for d in corpus.documents] == ["城关", "河口"]
    assert corpus.documents[0].text == "4月20日,城关分局开展巡查,要求佩戴口罩。"


def test_big5_is_detected_and_traditional_text_is_normalised_for_analysis_only(tmp_path):
    page = "疫情防控工作簡報\n2020-04-26 縣公安局\n" + TRADITIONAL + "\n4月21日,河口分局組織會議,強調人員聚集的風險。\n"
    path = tmp_path / "big5.txt"
    path.write_bytes(page.encode("big5"))
    corpus = read_corpus(path)
    assert corpus.sources[0].encoding.startswith("big5")
    first = corpus.documents[0]
    assert first.text == TRADITIONAL  # outputs keep the original characters
    assert first.script == "traditional"
    assert "城关分局开展巡查" in first.analysis_text and "通风" in first.analysis_text
    assert corpus.to_frame().loc[0, "text"] == TRADITIONAL


def test_script_none_keeps_traditional_text_for_analysis(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("簡報\n2020-04-26\n" + TRADITIONAL + "\n", encoding="utf-8")
    assert read_corpus(path, script="none").documents[0].analysis_text == TRADITIONAL
    assert read_corpus(path, script="auto").documents[0].script == "traditional"


def test_simplified_text_is_not_flagged_traditional():
    text = "各位代表：现在，我代表国务院，向大会报告政府工作，显著提高了人民生活水平。"
    assert not is_traditional(text)
    assert is_traditional("我們第一屆全國人民代表大會第一次會議")
    assert to_simplified("全國人民代表大會") == "全国人民代表大会"


def test_undecodable_bytes_name_the_line(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("第一行\n第二行\n".encode() + b"\xff\xfe\xfa\xfb\x80\x81 broken\n")
    with pytest.raises(InputError, match=r"mixed\.txt:3: bytes that are not UTF-8, GB18030/GBK or Big5"):
        decode(path, path.read_bytes())


def test_forced_encoding(tmp_path):
    path = tmp_path / "p.txt"
    path.write_bytes(PAGE.encode("gb18030"))
    assert read_corpus(path, encoding="gb18030").sources[0].encoding == "gb18030"
    with pytest.raises(InputError, match="cannot be read as utf-8"):
        read_corpus(path, encoding="utf-8")


HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>疫情防控工作简报_县政府网</title>
<script>var tracker = "不应出现的脚本文字";</script><style>.x{color:red}</style></head>
<body>
<nav><a href="/">首页</a> <a href="/news">新闻中心</a> 导航栏文字</nav>
<div class="crumb">当前位置：首页 &gt; 工作动态</div>
<div class="article"><h1>疫情防控工作简报</h1>
<div class="meta">时间:2020-01-29 10:39 来源：县公安局</div>
<p>1月28日，城关分局开展巡查，劝导群众<b>佩戴口罩</b>。</p>
<p>1月29日，河口分局组织消毒。</p></div>
<footer>版权所有 县政府 备案号：京ICP备12345号</footer>
</body></html>"""


def test_html_text_drops_scripts_navigation_and_footer():
    text = html_to_text(HTML)
    assert "不应出现的脚本文字" not in text and "color:red" not in text
    assert "导航栏文字" not in text and "备案号" not in text
    assert "1月28日，城关分局开展巡查，劝导群众佩戴口罩。" in text.splitlines()


def test_html_page_becomes_dated_documents(tmp_path):
    path = tmp_path / "notice.html"
    path.write_text(HTML, encoding="utf-8")
    corpus = read_corpus(path)
    assert corpus.sources[0].format == "html"
    assert [(d.unit, d.date_start) for d in corpus.documents] == [("城关", date(2020, 1, 28)), ("河口", date(2020, 1, 29))]
    assert corpus.documents[0].title == "疫情防控工作简报"
    assert corpus.documents[0].published == date(2020, 1, 29)  # from the page's metadata (trafilatura)
    assert not any("当前位置" in d.text or "导航栏" in d.text for d in corpus.documents)


def test_html_in_gbk_with_htm_suffix(tmp_path):
    path = tmp_path / "notice.htm"
    path.write_bytes(HTML.replace('charset="utf-8"', 'charset="gbk"').encode("gbk"))
    corpus = read_corpus(path)
    assert corpus.sources[0].encoding == "gb18030" and len(corpus.documents) == 2


CSV = "id,date,bureau,title,body\n1,2020-04-20,城关,通报一,城关派出所开展巡查。\n2,2020年4月21日,河口,通报二,\"河口镇组织消毒, 要求通风。\"\n3,,河口,通报三,没有日期的文字。\n"
COLUMNS = Columns(text="body", date="date", unit="bureau", title="title", id="id")


def test_csv_with_mapped_columns(tmp_path):
    path = tmp_path / "notices.csv"
    path.write_text(CSV, encoding="utf-8")
    corpus = read_corpus(path, columns=COLUMNS)
    frame = corpus.to_frame()
    assert list(frame["doc_id"]) == ["1", "2", "3"]
    assert list(frame["unit"]) == ["城关", "河口", "河口"]
    assert list(frame["date_start"]) == [date(2020, 4, 20), date(2020, 4, 21), None]
    assert frame.loc[1, "text"] == "河口镇组织消毒, 要求通风。"
    assert list(frame["line"]) == [2, 3, 4] and frame.loc[0, "title"] == "通报一"
    assert any("no date" in note for note in corpus.notes)  # the undated row is reported


def test_tsv_and_gbk_table(tmp_path):
    path = tmp_path / "notices.tsv"
    path.write_bytes(CSV.replace(",", "\t").replace('"河口镇组织消毒\t 要求通风。"', "河口镇组织消毒,要求通风。").encode("gbk"))
    corpus = read_corpus(path, columns=COLUMNS)
    assert corpus.sources[0].encoding == "gb18030" and corpus.sources[0].format == "tsv"
    assert len(corpus.documents) == 3 and corpus.documents[1].text == "河口镇组织消毒,要求通风。"


def test_xlsx_table(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "date", "bureau", "title", "body"])
    sheet.append([1, date(2020, 4, 20), "城关", "通报一", "城关派出所开展巡查。"])
    sheet.append([2, 2021, "河口", "通报二", "河口镇组织消毒。"])
    sheet.append([None, None, None, None, None])  # a blank row is not a document
    sheet.append([3, "2020-05", "河口", "通报三", "五月的工作。"])
    path = tmp_path / "notices.xlsx"
    book.save(path)
    corpus = read_corpus(path, columns=COLUMNS)
    frame = corpus.to_frame()
    assert list(frame["doc_id"]) == ["1", "2", "3"]
    assert list(frame["date_start"]) == [date(2020, 4, 20), date(2021, 1, 1), date(2020, 5, 1)]
    assert list(frame["date_end"]) == [date(2020, 4, 20), date(2021, 12, 31), date(2020, 5, 31)]
    assert list(frame["line"]) == [2, 3, 5]
    assert corpus.sources[0].encoding == "xlsx"


def test_jsonl_records_dated_by_year_title_or_text(tmp_path):
    rows = [
        {"title": "2024年政府工作报告", "content": "各位代表：\n现在，我代表国务院报告工作。", "year": "2024"},
        {"title": "关于政府工作报告的决议", "content": "（2023年3月13日第十四届全国人民代表大会第一次会议通过）\n会议同意报告。", "year": None},
        {"title": "2019年政府工作报告", "content": "报告正文。", "year": None},
        {"title": "某次会议的决议", "content": "会议批准这个报告。", "year": None},
    ]
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    # by default a blank date cell stays blank, with a note
    plain = read_corpus(path, columns=Columns(text="content", date="year", title="title"))
    assert [d.date_start for d in plain.documents] == [date(2024, 1, 1), None, None, None]
    assert [d.date_note for d in plain.documents][1:] == ["blank date cell"] * 3
    assert any("3 document(s) have a blank date cell" in note and "from_text = true" in note for note in plain.notes)
    # asked to, rows with a blank date cell are dated from their title or text
    corpus = read_corpus(path, columns=Columns(text="content", date="year", title="title"), date_from_text=True)
    spans = [(d.date_start, d.date_end, d.date_note) for d in corpus.documents]
    assert spans[0] == (date(2024, 1, 1), date(2024, 12, 31), "year")
    assert spans[1] == (date(2023, 3, 13), date(2023, 3, 13), "from text")
    assert spans[2] == (date(2019, 1, 1), date(2019, 12, 31), "year from title")
    assert spans[3] == (None, None, "")
    assert any("1 of 4 documents have no date" in note and "reports-004" in note for note in corpus.notes)
    # stray line breaks are joined for analysis only
    assert corpus.documents[0].text.startswith("各位代表：\n现在")


def test_folder_of_mixed_kinds(tmp_path):
    (tmp_path / "pages" / "deep").mkdir(parents=True)
    (tmp_path / "pages" / "deep" / "a.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "pages" / "b.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "table.csv").write_text(CSV.replace("body", "text"), encoding="utf-8")
    corpus = read_corpus(tmp_path, columns=Columns(date="date", unit="bureau"))
    assert sorted(s.format for s in corpus.sources) == ["csv", "html", "txt"]
    assert len(corpus.documents) == 2 + 2 + 3
    assert corpus.skipped == []


def _traditional_share_by_characters(text: str, simplified: str) -> float:
    """The share is_traditional() compares with its threshold, counted character by character."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    changed = sum(1 for a, b in zip(text, simplified) if a != b)
    return changed / cjk if cjk else 0.0


@pytest.mark.parametrize(
    "text, simplified",
    [
        (TRADITIONAL, None),
        ("我們第一屆全國人民代表大會第一次會議", None),
        ("各位代表：现在，我代表国务院，向大会报告政府工作。", None),
        ("abc 123", None),
        ("", None),
        ("會議𠀋abc會議", "会议𠀋abc会议"),  # a character outside the BMP keeps positions aligned
        ("會議會議會議", "会议"),  # a shorter conversion: only the common length is compared
        ("会议", "會議會議"),
        ("\ud800會議", "\ud800会议"),  # a lone surrogate (from a JSON escape) is one character
    ],
)
def test_is_traditional_counts_changed_characters_position_by_position(text, simplified):
    converted = to_simplified(text) if simplified is None else simplified
    share = _traditional_share_by_characters(text, converted)
    for threshold in (0.0001, 0.02, share, 0.5, 1.0):
        expected = share >= threshold and any("\u4e00" <= ch <= "\u9fff" for ch in text)
        assert is_traditional(text, converted, threshold=threshold) == expected


def test_json_lines_are_read_line_by_line_and_split_at_newlines_only(tmp_path):
    import hashlib
    import json

    from analysis.io.readers import clean_utf8_digest

    records = [{"id": "a", "text": "第一段\u2028仍是第一条记录"}, {"id": "b", "text": "第二条\r记录"}]
    path = tmp_path / "records.jsonl"
    path.write_bytes(("\r\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n").encode("utf-8"))
    assert clean_utf8_digest(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    corpus = read_corpus(path)
    assert [d.doc_id for d in corpus.documents] == ["a", "b"]
    assert [d.line for d in corpus.documents] == [1, 2]
    assert corpus.documents[0].text == records[0]["text"]
    assert corpus.sources[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # A file that is not clean UTF-8 is read whole, to be repaired or refused as before.
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_bytes(path.read_bytes().replace("第二".encode(), b"\xff\xfe"))
    assert clean_utf8_digest(damaged) is None
    assert clean_utf8_digest(path, encoding="gb18030") is None


def test_a_json_line_cut_in_half_is_named_in_plain_words(tmp_path):
    path = tmp_path / "cut.jsonl"
    whole = "".join(f'{{"text": "4月2{i}日,河口分局组织消毒。"}}\n' for i in range(6))
    path.write_text('{"text": "半截\n' + whole, encoding="utf-8")
    corpus = read_corpus(path)
    (skipped,) = corpus.skipped
    assert skipped.line == 1
    assert skipped.reason == "not valid JSON: Unterminated string starting at column 10 (fix or remove that line)"
    # The same words when the file is not clean UTF-8 and is read whole (the damaged line skipped too).
    path.write_bytes(path.read_bytes().replace("河口".encode(), b"\xff", 1))
    whole_read = read_corpus(path)
    assert [s.line for s in whole_read.skipped] == [1, 2]
    assert whole_read.skipped[0].reason == skipped.reason
