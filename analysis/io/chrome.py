"""Chrome: the lines of a web page that are not the article, recognised by what they are.

Two kinds, each a data file of regular expressions in ``resources/``: footer lines
(``page_chrome.txt``: copyright, ICP numbers, related links, "Powered by") start the footer,
and everything after the first one is dropped; widget lines (``page_widgets.txt``: font-size
and share bars, counters, credits, file names, lines of digits) are dropped where they stand.
Only short lines are tested, so a paragraph that happens to hold one of the words stays.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

__all__ = ["read_patterns", "chrome_kind", "is_image_line", "MAX_CHROME_LINE"]

MAX_CHROME_LINE = 80

_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|bmp|webp|tiff?|svg)\s*$|^(?:QQ|微信)?(?:图片|截图)\d{6,}\s*$|^(?:IMG|DSC|DSCN)[_-]?\d{3,}", re.I)


@lru_cache(maxsize=4)
def read_patterns(resource: str) -> tuple[str, ...]:
    """The patterns of a shipped chrome file, comments and blank lines left out."""
    text = resources.files("analysis").joinpath(f"resources/{resource}").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def _is_sentence(line: str) -> bool:
    """A line with a full stop and a comma is text with clauses, never chrome."""
    return "。" in line and ("," in line or "，" in line)


def chrome_kind(line: str, footer: re.Pattern[str], widgets: re.Pattern[str] | None, *, max_chars: int = MAX_CHROME_LINE) -> str:
    """"footer", "widget" or "" (not chrome) for one stripped line of a page."""
    if len(line) >= max_chars:
        return ""
    if footer.search(line):
        return "footer"
    if widgets is not None and not _is_sentence(line) and widgets.search(line):
        return "widget"
    return ""


def is_image_line(line: str) -> bool:
    """An image's file name or placeholder ("1.png", "QQ图片20200617170657"): the next short line is its caption."""
    return _IMAGE.search(line) is not None
