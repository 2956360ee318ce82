"""HTML pages: the visible text, or the article with its date (trafilatura)."""

from __future__ import annotations

import html
from typing import Any


__all__ = ['html_to_text', 'html_to_page']


#: Elements whose text is never content: code, styling, navigation, page furniture.
_HTML_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "template", "svg", "button", "select")


_HTML_BLOCKS = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "table", "ul", "ol", "dd", "dt", "blockquote", "pre", "title", "td", "th",
)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page, one block per line; scripts, styles and navigation dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(list(_HTML_DROP)):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": ["navigation", "banner", "contentinfo"]}):
        tag.decompose()
    text = _block_text(soup)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _block_text(soup: Any) -> str:
    """The text of a parsed page as ``soup.get_text()`` gives it, with a line break before and
    after every block element. Walked with a stack, in time linear in the page: inserting the
    breaks into the tree (bs4's insert_before/insert_after) costs time with the square of the
    depth, minutes for a page of 30,000 nested elements."""
    from bs4 import CData, NavigableString

    types = soup.interesting_string_types or (NavigableString, CData)
    types = (types,) if isinstance(types, type) else tuple(types)
    blocks = set(_HTML_BLOCKS)
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(soup, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            parts.append("\n")
        elif isinstance(node, NavigableString):
            if type(node) in types:
                parts.append(str(node))
        else:
            if node is not soup and node.name in blocks:
                parts.append("\n")
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    return "".join(parts)


def html_to_page(html: str) -> str:
    """The article of an HTML page as page text: its title, publication date and main text.

    trafilatura finds the main text (navigation, sidebars, comments and footers left out)
    and the publication date in the page's metadata; the date goes on its own line under the
    title unless the text already opens with a dated header line, so the page rules read it
    as any other page. A page trafilatura finds no article in falls back to
    :func:`html_to_text`. Nothing is fetched: the extraction runs on the given string.
    """
    import trafilatura

    found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_precision=True)
    text = (getattr(found, "text", None) or "").strip() if found is not None else ""
    if not text:
        return html_to_text(html)
    title = (found.title or "").strip()
    head = [title] if title and not text.startswith(title) else []
    published = (found.date or "").strip()
    if published and published not in "\n".join(text.splitlines()[:3]):
        head.append(published)
    return "\n".join([*head, text])
