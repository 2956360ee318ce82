"""The page pipeline: what a page is (layout.py), then its reader — one official document,
work report or disclosure page (document.py, with the parts of official.py), or a bulletin of
dated unit reports (reports.py) — with names and dates by their grammar (units.py, dates.py)
and chrome by what it is (chrome.py and ``io/chrome.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..model import Document, PageLayout
from .document import read_document
from .layout import decide_layout
from .lines import page_lines
from .reports import find_unit, split_bulletin

__all__ = ["PageReading", "read_page", "parse_page", "find_unit"]


@dataclass(frozen=True)
class PageReading:
    """What a page gave: its documents, the lines removed, the unit heading lines used, its layout."""

    documents: list[Document]
    removed: list[tuple[int, str]]
    headings: list[tuple[int, str]]
    layout: str


def _bulletin_layout(documents: list[Document]) -> str:
    """"article" when the page's paragraphs report on one unit at most, else "bulletin"."""
    return "article" if len({d.unit for d in documents if d.unit}) <= 1 else "bulletin"


def read_page(
    text: str,
    *,
    source: str = "",
    layout: PageLayout = PageLayout(),
    chrome: re.Pattern[str] | None = None,
    widgets: re.Pattern[str] | None | bool = False,
) -> PageReading:
    """Read one page: decide its layout (or take ``layout.page_layout``), then read it with that layout's reader."""
    chrome = chrome or layout.chrome_regex()
    if widgets is False:
        widgets = layout.widget_regex()
    lines, _ = page_lines(text, chrome, widgets, max_chrome_line=layout.max_chrome_line)
    kind = layout.page_layout or decide_layout(lines)
    if kind in ("official", "report", "disclosure"):
        documents, removed = read_document(lines, layout=kind, source=source, prefixes=dict(layout.issuer_prefixes))
        return PageReading(documents, sorted(removed), [], kind)
    documents, removed, headings = split_bulletin(lines, source=source, layout=layout)
    kind = kind if layout.page_layout else _bulletin_layout(documents)
    return PageReading([replace(d, layout=kind) for d in documents], removed, headings, kind)


def parse_page(
    text: str, *, source: str = "", layout: PageLayout = PageLayout()
) -> tuple[list[Document], list[tuple[int, str]]]:
    """Read one page into documents; return them and the chrome lines removed.

    A bulletin's paragraphs become one document each (a line holding only a unit's name is a
    heading for the paragraphs after it; an article whose title, lede or source field names
    one unit lends it to every paragraph that names none); an official document, work report
    or disclosure page is one document with its issuer, number, type and dates.
    """
    reading = read_page(text, source=source, layout=layout)
    return reading.documents, reading.removed
