"""Chrome of single documents, by what it is: promotions of a WeChat account or an app (on a
line of any length), reposting blurbs of essay sites ("下面是小编收集整理的…"), related news
after a document's signature, and licence footers such as Wikisource's ("本作品是中华人民共和国的
法律…属于公有领域…Public domain"), which also ends texts read from tables.

The line-level chrome of every page (widgets, footers) is ``io/chrome.py`` with its data files.
"""

from __future__ import annotations

import re

__all__ = ["is_promotion", "drop_blurbs", "is_related_news", "licence_start", "strip_licence"]

_PROMOTION = re.compile(r"关注[^。]{0,24}(?:微信)?公众号|扫码关注|加群|广告发布|商务合作|下载[^。]{0,8}(?:APP|App|客户端)")
_BLURB = re.compile(r"(?:下面|以下)是小编[^。!！]*[。!！]*|(?:欢迎|敬请)(?:阅读|参考|借鉴)[^。!！]{0,10}[!！]+")
_NEWS_LEAD = re.compile(r"^(?:据[^,，。]{1,24}(?:消息|报道)[,，]|记者(?:从|日前从)[^,，。]{1,30}获悉|(?:19|20)\d{2}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2})")
#: A licence footer's first line: Wikisource's public-domain and licence notices, Creative Commons lines.
_LICENCE = re.compile(
    r"^\s*(?:本作品(?:是|在|依据|根据|采用|来自|属于|不适用)|本作品(?:的)?(?:作者|版权)|Public domain\s*$|"
    r"本(?:文|作品)(?:采用|依据)[^\n]{0,20}(?:知识共享|CC BY|许可协议)|注：中文维基文库社群)",
    re.MULTILINE,
)


_LICENCE_WORDS = re.compile(r"公有领域|Public domain|许可协议|知识共享|Creative Commons|CC BY")


def is_promotion(line: str) -> bool:
    """A promotion of an account, group or app, at any length (no full stop: not a sentence of text)."""
    return "。" not in line and _PROMOTION.search(line) is not None


def drop_blurbs(line: str) -> str:
    """The line without a reposting site's blurb ("下面是小编收集整理的…,欢迎阅读参考!!")."""
    return _BLURB.sub("", line).strip() if "小编" in line or "欢迎" in line or "敬请" in line else line


def is_related_news(line: str) -> bool:
    """A related-news item under a document: a news lead ("据…消息,") or a timestamped headline."""
    return _NEWS_LEAD.match(line) is not None


def licence_start(text: str) -> int | None:
    """Where a licence footer starts in ``text`` (its line's offset), or None. Only the text
    after its first quarter is searched, and the footer must state a licence or the public
    domain after its first line: a text that cites 本作品 in its body is not cut."""
    floor = len(text) // 4
    for match in _LICENCE.finditer(text):
        if match.start() >= floor and _LICENCE_WORDS.search(text, match.start()):
            return text.rfind("\n", 0, match.start()) + 1
    return None


def strip_licence(text: str) -> tuple[str, bool]:
    """The text without its licence footer (trailing blank lines taken out with it), and whether one was cut."""
    start = licence_start(text)
    if start is None:
        return text, False
    return text[:start].rstrip(), True
