"""What a page is, decided before it is split: a work report (a session line, or a title
ending in 工作报告 over 各位代表), a disclosure page (a metadata table of three or more rows:
索引号, 发文机关, 成文日期 …), a single official document (the parts of a 公文: a title ending
in a 文种 with a number, addressees or a signature; a 文号 line; a signature block of issuing
bodies over a date), or else a bulletin of dated unit reports (or an article about one unit,
told apart after reading by how many units it has)."""

from __future__ import annotations

import re

from .lines import PageLine, is_paragraph
from .chrome import is_promotion
from .official import find_addressees, find_doc_number, find_signature, find_title, is_metadata_row, read_metadata, title_type
from .dates import session_line

_ON_BEHALF = re.compile(r"我代表(?:[\u4e00-\u9fff]{0,12}人民政府|国务院)[,，]?向(?:大会|会议)")
#: 文种 that open a document on their own; a title ending in one (with no dated paragraphs) is a document.
_DOCUMENT_TYPES = ("倡议书", "通告", "公告", "命令", "令", "通知", "意见", "实施意见", "办法", "决定", "规定", "条例", "细则", "实施细则", "规则", "方案", "预案", "批复", "公开信", "告知书", "决议")
#: Labels any news page has (来源:, 日期:): not what makes a disclosure table.
_WEAK_LABELS = {"来源", "信息来源", "日期", "时间", "归档时间"}
_DAY_OPENING = re.compile(r"^\s*(?:\d{1,2}\s*月\s*)?\d{1,2}\s*日")

__all__ = ["first_paragraph", "decide_layout"]


def first_paragraph(lines: list[PageLine]) -> int:
    """Index of the first line of running text (not chrome, a promotion or a metadata row), or len(lines)."""
    return next(
        (i for i, line in enumerate(lines) if not line.kind and is_paragraph(line.simple) and not is_promotion(line.simple) and not is_metadata_row(line.simple)),
        len(lines),
    )


def _is_report(lines: list[PageLine]) -> bool:
    head = lines[:30]
    if any(session_line(line.simple) for line in head):
        return True
    titled = any(title_type(line.simple) in ("工作报告", "报告") and "政府工作报告" in line.simple for line in head)
    spoken = any(_ON_BEHALF.search(line.simple) for line in head[:10])
    return spoken or (titled and any(line.simple.startswith("各位代表") for line in head))


def _dated_paragraphs(lines: list[PageLine]) -> int:
    """Paragraphs that open with a day ("4月18日,…"): the mark of a bulletin of reports."""
    return sum(1 for line in lines if is_paragraph(line.simple) and _DAY_OPENING.match(line.simple))


def decide_layout(lines: list[PageLine]) -> str:
    """"report", "disclosure", "official", or "bulletin" (the reader of unit reports decides
    between "bulletin" and "article")."""
    if _dated_paragraphs(lines) >= 2:
        return "bulletin"
    if _is_report(lines):
        return "report"
    end = first_paragraph(lines)
    meta = read_metadata(lines, end)
    if len(set(meta.fields) - _WEAK_LABELS) >= 3:
        return "disclosure"
    signature = find_signature(lines, 0, frozenset(meta.lines))
    if signature is not None and (signature.issuers or signature.signatory):
        return "official"
    title = find_title(lines, end, meta.lines)
    title_text = "".join(line.simple for line in lines[title[0] : title[1] + 1]) if title else ""
    if find_doc_number(lines, title_text, meta):
        return "official"
    if title is not None and (find_addressees(lines, title[1] + 1) or signature is not None or title_type(title_text) in _DOCUMENT_TYPES):
        return "official"
    return "bulletin"
