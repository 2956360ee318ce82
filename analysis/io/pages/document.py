"""One official document per page: its parts read (official.py), its text kept whole without
the page's chrome and metadata rows, and one :class:`Document` with the issuer as its unit,
its own date (issued) as its date, and the page's posting date as ``published`` (the issued
date where the page shows none)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..model import Document
from .chrome import drop_blurbs, is_promotion, is_related_news
from .dates import OWN_DATE_LABELS, POSTING_LABELS, effective_date, parse_full_date, session_line
from .layout import first_paragraph
from .lines import PageLine, is_paragraph
from .official import (
    Metadata,
    Signature,
    find_addressees,
    find_doc_number,
    find_signature,
    find_title,
    read_metadata,
    report_issuer,
    title_issuer,
    title_type,
)
from .units import clean_issuer, is_body, issuer_from_number, issuer_unit, place_of

__all__ = ["read_document", "find_page_date"]

_POSTED = re.compile(r"发布|时间|日期|更新|来源|上网|公开|上载|发文")
_NOT_POSTED = re.compile(r"归档|生效|实施|成文|生成|印发|签发|截止|截至|星期|今天是")
_POSTED_ANYWHERE = re.compile(r"上网日期|发布日期|发布时间|更新时间")


def find_page_date(lines: list[PageLine], meta: Metadata, end: int, title_at: int | None) -> tuple[date | None, int | None]:
    """The page's posting date and its line: the latest posting date of the metadata table;
    else a date line of the header (the first under the title; above it, a labelled one
    first: a bare date above a title is often another item's); else a labelled short line anywhere."""
    posted = [day for label in POSTING_LABELS if (day := parse_full_date(meta.fields.get(label, "")))]
    if posted:
        return max(posted), None
    candidates = []
    for i, line in enumerate(lines[:end]):
        if line.kind == "footer" or line.n in meta.lines or len(line.simple) > 80 or _NOT_POSTED.search(line.simple):
            continue
        if session_line(line.simple) or (day := parse_full_date(line.simple)) is None:
            continue
        candidates.append((i, line, day))
    below = [c for c in candidates if title_at is not None and c[0] > title_at]
    labelled = [c for c in candidates if _POSTED.search(c[1].simple)]
    pick = (below or labelled or candidates or [None])[0]
    if pick is not None:
        return pick[2], pick[1].n
    for line in lines[end:]:
        if len(line.simple) <= 80 and _POSTED_ANYWHERE.search(line.simple) and (day := parse_full_date(line.simple)):
            return day, line.n
    return None, None


def _choose_issuer(candidates: list[str]) -> tuple[str, str]:
    """(issuer, unit): the first candidate, completed by the first that names a unit when it names none."""
    candidates = [c for c in candidates if c]
    if not candidates:
        return "", ""
    issuer = candidates[0]
    unit = issuer_unit(issuer)
    if not unit:
        unit = next((u for c in candidates[1:] if (u := issuer_unit(c))), "")
    return issuer, unit


def _standalone_body(lines: list[PageLine], start: int, end: int, skip: set[int]) -> str:
    """A body's name on a line of its own in the document's head (国务院, 重庆市人民政府)."""
    for line in lines[start:end]:
        text = clean_issuer(line.simple)
        if not line.kind and line.n not in skip and is_body(text) and len(text) <= 30:
            return text
    return ""


def _title_place(title: str) -> str:
    """The place a title opens with, after an issue number or year ("2022年第75期 嘉峪关市…倡议书" → 嘉峪关市)."""
    text = re.sub(r"^(?:(?:19|20)\d{2}年)?(?:第\d+期)?\s*", "", title)
    return place_of(text)


def _plain_title(lines: list[PageLine], end: int, skip: set[int]) -> tuple[int, int] | None:
    """A disclosure page's title without a 文种: the short line right above its first paragraph."""
    i = end - 1
    if i < 0 or lines[i].kind or lines[i].n in skip:
        return None
    text = lines[i].simple
    if len(text) > 60 or re.search(r"[。:：]", text) or parse_full_date(text) or re.search(r"\d+\s*号$", text):
        return None
    return i, i


_SELF_NAMED = re.compile(r"(?:本|此)(?P<type>倡议书|通告|公告|命令|令|通知|意见|办法|决定|规定|细则|预案|方案)(?:自|[,，。;；]|所称|由|规定|发布|未)")


def _self_named_type(text: str) -> str:
    """The 文种 a document calls itself ("本令自…起施行", "本通告自发布之日起施行"), or ""."""
    match = _SELF_NAMED.search(text)
    return match["type"] if match else ""


@dataclass(frozen=True)
class _Parts:
    title: str
    title_lines: tuple[int, int] | None
    doc_number: str
    signature: Signature | None
    meta: Metadata
    start: int  # index of the document's first line


def _issuer(lines: list[PageLine], parts: _Parts, layout: str, end: int, prefixes: Mapping[str, str]) -> tuple[str, str, date | None]:
    """Issuer, unit and (for a work report) the session date, from the parts in order of trust."""
    signed = "；".join(parts.signature.issuers) if parts.signature else ""
    meta_issuer = parts.meta.first("发文机关", "制定机关", "发布机构", "发文机构", "发布单位")
    head = _standalone_body(lines, parts.start, end, parts.meta.lines)
    by_number = issuer_from_number(parts.doc_number, prefixes)
    if layout == "report":
        spoken, day, _ = report_issuer(lines)
        issuer, unit = _choose_issuer([spoken, title_issuer(parts.title), meta_issuer])
        return issuer, unit, day
    issuer, unit = _choose_issuer([signed, title_issuer(parts.title), head, meta_issuer, by_number])
    if not unit and (place := _title_place(parts.title)):
        unit = place  # a document titled with a place, its signature cut or unnamed: that place's
    return issuer, unit, None


def _document_lines(lines: list[PageLine], parts: _Parts, skip: set[int]) -> tuple[list[PageLine], list[PageLine]]:
    """The document's lines (below its title) and the page's other lines: the header above the
    document, chrome, metadata rows, promotions, and after the signature the page footer and related news."""
    kept: list[PageLine] = []
    removed: list[PageLine] = list(lines[: parts.start])
    signed = parts.signature.last if parts.signature else None
    cut = False
    body = parts.title_lines[1] + 1 if parts.title_lines else parts.start  # the title is a field, not text
    for line in lines[body:]:
        after = signed is not None and line.n > signed
        if not cut and after and (line.kind == "footer" or is_related_news(line.simple)):
            cut = True
        if cut or line.kind or line.n in skip or is_promotion(line.simple):
            removed.append(line)
        else:
            kept.append(line)
    return kept, removed


def read_document(
    lines: list[PageLine], *, layout: str, source: str, prefixes: Mapping[str, str] | None = None
) -> tuple[list[Document], list[tuple[int, str]]]:
    """Read a page as one official document, work report or disclosure page: the document and the lines removed."""
    end = first_paragraph(lines)
    meta = read_metadata(lines, end)
    title_at = find_title(lines, end, meta.lines) or (_plain_title(lines, end, meta.lines) if layout == "disclosure" else None)
    published, date_line = find_page_date(lines, meta, end, title_at[0] if title_at else None)
    skip = set(meta.lines) | ({date_line} if date_line else set())
    start = title_at[0] if title_at else next((i for i, l in enumerate(lines) if not l.kind and l.n not in skip), len(lines))
    title = "".join(l.simple for l in lines[title_at[0] : title_at[1] + 1]) if title_at else ""
    title_written = "".join(l.text for l in lines[title_at[0] : title_at[1] + 1]) if title_at else ""
    signature = find_signature(lines, start, frozenset(skip))
    parts = _Parts(title, title_at, find_doc_number(lines, title, meta), signature, meta, start)
    issuer, unit, session_day = _issuer(lines, parts, layout, end, prefixes or {})
    kept, removed = _document_lines(lines, parts, skip)
    text = "\n".join(t for l in kept if (t := drop_blurbs(l.text)))
    issued = (signature.day if signature else None) or session_day or parse_full_date(meta.first(*OWN_DATE_LABELS))
    stated = effective_date("\n".join(l.simple for l in kept)) or (None, "")
    effective = stated[0] or parse_full_date(meta.first("生效日期", "实施日期")) or (issued if "之日" in stated[1] else None)
    addressees = find_addressees(lines, start)
    doc_type = title_type(title) or _self_named_type(text) or ("令" if "令" in parts.doc_number else "") or ("工作报告" if layout == "report" else "")
    document = Document(
        doc_id=f"{Path(source).stem if source else 'doc'}-001",
        text=text,
        unit=unit,
        unit_name=issuer.split("；")[0] if issuer else "",
        date_start=issued,
        date_end=issued,
        kind="report" if unit or issued else "summary",
        source=source,
        line=kept[0].n if kept else None,
        title=title_written,
        published=published or issued,
        layout=layout,
        issuer=issuer,
        doc_number=parts.doc_number,
        doc_type=doc_type,
        issued=issued,
        effective=effective,
        addressees=addressees[1] if addressees else "",
    )
    return ([document] if text else []), [(l.n, l.text) for l in removed]
