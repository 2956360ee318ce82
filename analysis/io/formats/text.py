"""Text pages: HTML that crept into a .txt page removed, its line breaks kept."""

from __future__ import annotations

import html
import re

from .decoding import _LINE_BREAKS

__all__ = ['strip_markup']


#: Tags, comments and declarations in a text page; script, style and similar blocks with their contents.
_MARKUP_HINT = re.compile(r"<[A-Za-z!/]")


_MARKUP_BLOCK = re.compile(r"<(script|style|noscript|template|iframe|svg)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.S | re.I)


_MARKUP_TAG = re.compile(r"<!--.*?(?:-->|\Z)|<![^<>]*>|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>", re.S)


_MARKUP_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def strip_markup(text: str) -> str:
    """A text page without the HTML that crept into it: script, style and similar blocks with
    their contents, tags and comments removed, entities (&amp;, &nbsp;) decoded.

    What is removed leaves its line breaks behind, so every line keeps its number. Text
    without anything that looks like a tag ("<" then a letter, "/" or "!") is returned as is:
    "a < b" and 《通知》 are not markup.
    """
    if _MARKUP_HINT.search(text) is None:
        return text

    def keep_breaks(match: re.Match[str]) -> str:
        return "\n" * len(_LINE_BREAKS.findall(match.group(0)))

    text = _MARKUP_BLOCK.sub(keep_breaks, text)
    text = _MARKUP_TAG.sub(keep_breaks, text)
    return _MARKUP_ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
