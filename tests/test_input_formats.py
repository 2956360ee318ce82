"""Inputs researchers have: HTML pages (main text and date by trafilatura), PDF and Word
attachments, and tables whose text column is found among common names."""

import json
from datetime import date
from pathlib import Path

import pytest

from analysis.errors import InputError
from analysis.io.corpus import read_corpus

DATA = Path(__file__).parent / "data"

HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>青石镇开展防汛工作_南山县人民政府</title>
<meta name="PubDate" content="2021-05-10 09:18"></head><body>
<div class="nav"><a href="/">首页</a> <a href="/news">乡镇动态</a> <a href="/gov">政务公开</a></div>
<div class="article"><h1>青石镇开展防汛工作</h1>
<p>5月8日,青石镇召开防汛工作会议,部署汛期值班值守、隐患排查和群众转移工作。会议要求各村高度重视,落实责任,确保安全度汛。</p>
<p>下午,镇领导带队到各村巡查河道和水库,检查防汛物资储备情况,对发现的问题现场交办、限时整改。</p></div>
<div class="footer">版权所有 南山县人民政府 ICP备12345号</div></body></html>"""


def test_html_main_text_and_publication_date_through_trafilatura(tmp_path):
    (tmp_path / "notice.html").write_text(HTML, encoding="utf-8")
    corpus = read_corpus(tmp_path / "notice.html")
    docs = corpus.documents
    assert [d.text[:6] for d in docs] == ["5月8日,青", "下午,镇领导"]
    assert {d.published for d in docs} == {date(2021, 5, 10)}  # from the page's metadata
    assert [(d.unit, d.date_start) for d in docs] == [("青石", date(2021, 5, 8))] * 2
    assert not any("政务公开" in d.text or "ICP" in d.text for d in docs)


def test_pdf_attachment(tmp_path):
    corpus = read_corpus(DATA / "notice.pdf")  # written once with fpdf2, see its creator field
    assert corpus.sources[0].format == "pdf"
    assert [(d.unit, d.date_start, d.published) for d in corpus.documents] == [
        ("青石", date(2021, 5, 8), date(2021, 5, 10)), ("青石", date(2021, 5, 8), date(2021, 5, 10))
    ]


def test_docx_attachment(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in ["柳河乡防汛工作简报", "发布时间:2021-06-02", "6月1日,柳河乡组织干部巡查河道,转移群众12人。", "白沙村:清理排水沟3处。"]:
        document.add_paragraph(line)
    document.save(tmp_path / "brief.docx")
    corpus = read_corpus(tmp_path / "brief.docx")
    assert corpus.sources[0].format == "docx"
    assert [(d.unit_name, d.date_start) for d in corpus.documents] == [("柳河乡", date(2021, 6, 1)), ("白沙村", None)]
    assert corpus.documents[0].title == "柳河乡防汛工作简报"


@pytest.mark.parametrize(
    "name, data, reason",
    [("broken.docx", b"PK\x03\x04 not a document", "not a readable .docx"), ("scan.pdf", b"%PDF-1.4\x00", "not a readable PDF")],
)
def test_unreadable_attachment_alone_is_a_one_line_error_and_in_a_folder_skipped(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InputError, match=reason):
        read_corpus(tmp_path / name)
    (tmp_path / "ok.txt").write_text("简报\n2021-05-10\n青石镇召开会议,部署防汛。\n", encoding="utf-8")
    corpus = read_corpus(tmp_path)
    assert len(corpus.documents) == 1 and reason in corpus.skipped[0].reason


@pytest.mark.parametrize("column", ["content", "body", "正文", "内容", "全文", "Text"])
def test_text_column_found_among_common_names_and_noted(tmp_path, column):
    (tmp_path / "t.csv").write_text(f"id,{column}\n1,青石镇召开会议。\n2,柳河乡组织巡查。\n", encoding="utf-8")
    corpus = read_corpus(tmp_path / "t.csv")
    assert [d.text for d in corpus.documents] == ["青石镇召开会议。", "柳河乡组织巡查。"]
    assert any(f"'{column}' column of t.csv" in note for note in corpus.notes)


def test_jsonl_text_column_found_like_the_work_reports(tmp_path):
    rows = [{"year": 2024, "content": "各位代表:现在,我代表国务院作政府工作报告。"}, {"year": 2023, "content": "过去一年。"}]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    corpus = read_corpus(tmp_path / "r.jsonl")
    assert len(corpus.documents) == 2 and any("'content' column" in n for n in corpus.notes)


def test_text_column_named_in_the_config_wins_and_says_nothing(tmp_path):
    from analysis.io.corpus import Columns

    (tmp_path / "t.csv").write_text("text,summary\n长文本。,摘要。\n", encoding="utf-8")
    corpus = read_corpus(tmp_path / "t.csv", columns=Columns(text="summary"))
    assert [d.text for d in corpus.documents] == ["摘要。"] and not any("column of" in n for n in corpus.notes)
