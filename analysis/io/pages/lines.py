"""A page as the pipeline reads it: its non-empty lines, each with its number, its text, the
text in simplified characters (for matching) and its chrome kind."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..chrome import chrome_kind
from ..formats import is_traditional, may_be_traditional, to_simplified

__all__ = ["PageLine", "page_lines", "is_paragraph"]


@dataclass(frozen=True)
class PageLine:
    n: int  # 1-based line number in the page
    text: str  # stripped, ideographic spaces as ASCII
    simple: str  # the text in simplified characters (== text for a simplified page)
    kind: str = ""  # chrome kind: "", "footer" or "widget"


def page_lines(
    text: str, chrome: re.Pattern[str], widgets: re.Pattern[str] | None, *, max_chrome_line: int
) -> tuple[list[PageLine], bool]:
    """The page's non-empty lines, and whether the page is in traditional characters."""
    raw = [(i + 1, line.strip().replace("\u3000", " ").strip()) for i, line in enumerate(text.splitlines())]
    traditional = may_be_traditional(text) and is_traditional(text)
    lines = [
        PageLine(n, s, to_simplified(s) if traditional else s, chrome_kind(s, chrome, widgets, max_chars=max_chrome_line))
        for n, s in raw
        if s
    ]
    return lines, traditional


def is_paragraph(text: str) -> bool:
    """A line of running text: long, or holding a full stop or semicolon."""
    return len(text) > 100 or bool(re.search(r"[。；;]", text))
