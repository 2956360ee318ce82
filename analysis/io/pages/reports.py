"""Bulletin pages: a page of dated unit reports, read into one document per unit paragraph.

A bulletin page (see ``data/raw/``) carries web chrome (breadcrumbs, footers), a title, a
metadata line with the publication date and publisher, then one paragraph per unit and day:
"4月18日-19日,林区公安局鹤北分局局长……". :func:`split_bulletin` strips the chrome, reads the
metadata and returns one :class:`Document` per paragraph, with the unit and dates it reports
on. Paragraphs without a unit or a date (an opening summary) are kept as corpus-level
documents with empty fields. An article about one unit is read the same way: its title, lede
or source field lends the unit to every paragraph that names none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from ..chrome import is_image_line
from ..dates import (
    DateSpan,
    clause_date_ends,
    find_clause_date,
    find_publication_date,
    leading_date_length,
    parse_leading_date,
    relative_day,
)
from ..model import Document, PageLayout
from ..units import UnitMatch, read_unit, unit_key, unit_vocabulary
from .lines import PageLine

__all__ = ["find_unit", "split_bulletin"]


def _read_unit(text: str, start: int, layout: PageLayout) -> UnitMatch | None:
    return read_unit(
        text, start=start, unit_suffixes=layout.unit_suffixes, max_chars=layout.max_unit_chars, generic_prefixes=layout.generic_prefixes
    )


_SKIP = " \t,，、:：;；.。!！?？"


def _skip_opening(text: str, start: int = 0) -> int:
    """Pass over punctuation and the time words a paragraph opens with ("近日,", "连日来,")."""
    words = unit_vocabulary().time_words
    position = start
    while True:
        while position < len(text) and text[position] in _SKIP:
            position += 1
        word = next((w for w in words if text.startswith(w, position)), None)
        if word is None:
            return position
        position += len(word)


def _opening_unit(text: str, layout: PageLayout) -> UnitMatch | None:
    """The unit a text opens with, after any time words ("近日,涧头集镇在全镇…")."""
    return _read_unit(text, _skip_opening(text), layout)


def find_unit(text: str, layout: PageLayout = PageLayout()) -> tuple[str, str] | None:
    """The unit a paragraph (after its date) opens with: (short name, name with suffix).

    "林区公安局鹤北分局局长……" gives ("鹤北", "鹤北分局"): the name is read as a chain from
    its parents down, and the short name drops the parents and the suffix.
    """
    found = _opening_unit(text, layout)
    return (unit_key(found), found.unit_name) if found else None


#: What may stand before a unit's name at the start of a line: bullets, list numbers ("一、",
#: "（二）", "3."), and column tags ("【镇街动态】").
_TAG = re.compile(
    r"^\s*(?:[•·▪■□◆●]\s*)*(?:(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}\s*[、.．])\s*)?(?:【[^】]{1,12}】\s*)*"
)
_TAGS = re.compile(r"【([^】]{1,12})】")


def _heading_unit(line: str, layout: PageLayout) -> UnitMatch | None:
    """A line holding only a unit's name ("利津县", "城关派出所:") names the unit of what follows."""
    stripped = _TAG.sub("", line).strip().rstrip(":：").strip()
    if not stripped or len(stripped) > layout.max_unit_chars + 12:
        return None
    found = _read_unit(stripped, 0, layout)
    return found if found and found.end == len(stripped) else None


def _prefix_unit(line: str, layout: PageLayout) -> UnitMatch | None:
    """A unit written as a prefix with a colon ("池河镇:召开…", "安陆市洑水镇:闻“汛”而动")."""
    offset = len(_TAG.match(line).group(0))
    found = _read_unit(line, offset, layout)
    return found if found and line[found.end : found.end + 1] in (":", "：") else None


def _lead(text: str) -> int:
    """Where a paragraph's own words begin, after the quotations it may open with."""
    position = 0
    while position < len(text) and text[position] in "“「『\"":
        close = {"“": "”", "「": "」", "『": "』", '"': '"'}[text[position]]
        end = text.find(close, position + 1)
        if end < 0:
            return 0
        position = end + 1
    return position


def _first_sentence(text: str) -> tuple[int, int]:
    """Start and end of the first sentence after any opening quotations."""
    start = _lead(text)
    match = re.search(r"[。!！?？]", text[start:])
    return start, start + match.start() if match else len(text)


def _clause_unit(text: str, layout: PageLayout) -> UnitMatch | None:
    """The unit that opens the first sentence's clause after a date ("“…”1月27日晚,天宁分局…")
    or after a modifier ending in 的 ("位于…交界的大埔县丰溪林场…")."""
    start, end = _first_sentence(text)
    for date_end in clause_date_ends(text[start:end]):
        found = _read_unit(text, _skip_opening(text, start + date_end), layout)
        if found:
            return found
    clause = re.match(r"[^,，。;；“”]{2,24}?的", text[start:end])
    if clause:
        return _read_unit(text, start + clause.end(), layout)
    return None


def _lede_unit(text: str, layout: PageLayout) -> UnitMatch | None:
    """The unit a news lede introduces after its opening: the first clause of the first
    sentence that opens with a unit, or the unit after a date or a modifier. A paragraph that
    opens with its unit ("1月28日,城关分局…") is a bulletin's report, not a lede: None."""
    if _read_unit(text, _skip_opening(text, leading_date_length(text)), layout):
        return None
    found = _clause_unit(text, layout)
    if found:
        return found
    start, end = _first_sentence(text)
    for match in re.finditer(r"[,，;；]", text[start:end]):
        found = _read_unit(text, _skip_opening(text, start + match.end()), layout)
        if found:
            return found
    return None


_MEDIA = re.compile(r"融媒|传媒|媒体|网|报|电视|广播|新闻|杂志|日报")
_SOURCE = re.compile(r"(?:信息)?来源\s*[:：]\s*")
_LABEL = re.compile(r"^\s*(?:信息|文章|稿件)?(?:来源|作者|发布|时间|日期|编辑|发布机构|发布单位|供稿)\S{0,4}\s*[:：]")


def _source_unit(line: str, layout: PageLayout) -> UnitMatch | None:
    """The unit a header's source field names ("来源:甜水镇人民政府"), unless it is a media outlet."""
    match = _SOURCE.search(line)
    if not match:
        return None
    found = _read_unit(line, match.end(), layout)
    if found is None or _MEDIA.search(line[match.end() : found.end]) or line[found.end : found.end + 1].strip():
        return None
    return found


def _is_metadata(line: str, published: date) -> bool:
    """A line with a full date is page metadata unless it opens a sentence ("2020年3月5日,城关…")."""
    span = parse_leading_date(line, published=published)
    if span is None:
        return True
    rest = line[len(span.matched):].strip()
    return not re.search(r"[,，。;；、!！?？]", rest) and len(rest) <= 30


_WIDGET_DATE = re.compile(r"星期[一二三四五六日天]|今天是|今日|农历|天气")
_FORUM_DATE = re.compile(r"[Gg][Mm][Tt]\s*[+-]|Processed in")
_DATE_LABEL = re.compile(r"(?:发布|更新|时间|日期|来源)\s*[:：]")


def _publication_line(line: str) -> tuple[date, str] | None:
    """The publication date and the rest of a header line, or None (no date, a "today is" widget)."""
    if len(line) > 80 or _FORUM_DATE.search(line) or (_WIDGET_DATE.search(line) and not _DATE_LABEL.search(line)):
        return None  # "today is" widgets and forum timestamps; "发布时间:2020年1月26日 星期日" is a date
    found = find_publication_date(line)
    return found if found and _is_metadata(line, found[0]) else None


def _is_paragraph(line: str) -> bool:
    return len(line) > 100 or bool(re.search(r"[。；;]", line))


@dataclass(frozen=True)
class _Header:
    """A bulletin's header: where its title and metadata line are, and what they say."""

    title_at: int | None
    meta_at: int | None
    published: date | None
    publisher: str
    first_paragraph: int

    @property
    def end(self) -> int:
        """Index of the first line under the header."""
        return max(i for i in (self.title_at, self.meta_at, -1) if i is not None) + 1


def _metadata_line(lines: list[PageLine], first_paragraph: int) -> tuple[int | None, date | None, str]:
    """The metadata line above the first paragraph: (index, publication date, publisher)."""
    for i, line in enumerate(lines[:first_paragraph]):
        if line.kind == "footer" and not find_publication_date(line.text):
            continue
        found = _publication_line(line.text)
        if found:
            return i, found[0], _publisher(found[1])
    return None, None, ""


#: Fields of a metadata line that name who published the page (来源:木门镇, 来自:区广播电视台).
_PUBLISHER_FIELD = re.compile(r"(?:信息来源|来源|来自|发布机构|发布单位|供稿单位|供稿|稿源)\s*[:：]\s*([^\s|\[\]:：]+)")
#: Anything else a metadata line holds: a label with a colon, a time, a counter or a widget.
_NOT_PUBLISHER = re.compile(r"[:：|\[\]\d]|点击|浏览|阅读|字号|字体|打印|分享|关闭|次数")


def _publisher(rest: str) -> str:
    """Who published the page, from a metadata line without its date: a publisher-like field's
    value, or the rest when it is one bare name ("省林业公安局"); never a time, a counter or a
    widget ("15:35", "点击量:10243 [ 字体: ] 打印")."""
    field = _PUBLISHER_FIELD.search(rest)
    if field and re.search(r"[^\W\d_]", field.group(1)):
        return field.group(1)
    bare = rest.strip()
    return bare if bare and len(bare.split()) == 1 and len(bare) <= 30 and not _NOT_PUBLISHER.search(bare) else ""


def _title_line(lines: list[PageLine], layout: PageLayout, meta_at: int | None, first_paragraph: int) -> int | None:
    """The title: the nearest title-like line above the metadata line (or, without one, right
    above the text, chrome aside); on a disclosure table, the first one under the metadata."""

    def title_like(i: int) -> bool:
        line = lines[i]
        return not line.kind and not _LABEL.match(line.text) and len(line.text) <= 60 and "。" not in line.text and _heading_unit(line.simple, layout) is None

    above = meta_at if meta_at is not None else first_paragraph
    title_at = next((i for i in range(above - 1, -1, -1) if title_like(i)), None)
    if meta_at is None and title_at is not None and title_at != first_paragraph - 1:
        between = lines[title_at + 1 : first_paragraph]
        if any(not line.kind and _heading_unit(line.simple, layout) is None for line in between):
            title_at = None
    if title_at is None and meta_at is not None:
        title_at = next((i for i in range(meta_at + 1, first_paragraph) if title_like(i)), None)
    return title_at


def _read_header(lines: list[PageLine], layout: PageLayout) -> _Header:
    """The metadata line is the first line above the first paragraph holding a full date
    ("2020-04-26  省林业公安局", "发布时间:2021-02-25 来源:…"), not a "today is" widget."""
    first_paragraph = next((i for i, line in enumerate(lines) if not line.kind and _is_paragraph(line.text)), len(lines))
    meta_at, published, publisher = _metadata_line(lines, first_paragraph)
    return _Header(_title_line(lines, layout, meta_at, first_paragraph), meta_at, published, publisher, first_paragraph)


def _read_body(lines: list[PageLine], start: int) -> tuple[list[PageLine], list[tuple[int, str]], set[int]]:
    """The body's lines, the chrome removed (the footer cut at its first line once the text has
    begun), and the line numbers of image captions (the text under an image)."""
    body: list[PageLine] = []
    removed: list[tuple[int, str]] = []
    images: set[int] = set()
    previous_image = False
    for line in lines[start:]:
        if line.kind == "footer" and body:
            removed.extend((other.n, other.text) for other in lines if other.n >= line.n)
            break
        if line.kind:
            removed.append((line.n, line.text))
            previous_image = previous_image or is_image_line(line.text)
            continue
        if previous_image:
            images.add(line.n)
        previous_image = False
        body.append(line)
    return body, removed, images


def _named(match: UnitMatch, line: PageLine) -> tuple[str, str]:
    """(key, name as written): the key in simplified characters, the name from the original line."""
    name = line.text[match.start : match.end] if len(line.text) == len(line.simple) else match.unit_name
    return unit_key(match), name


def _heading(line: PageLine, layout: PageLayout) -> tuple[UnitMatch, tuple[str, str]] | None:
    """A line holding only a unit's name, as (match, (key, name as written)), or None."""
    found = _heading_unit(line.simple, layout)
    if not found or _is_paragraph(line.simple):
        return None
    written = _TAG.sub("", line.text).strip().rstrip(":：").strip()
    plain = _TAG.sub("", line.simple).strip().rstrip(":：").strip()
    name = written[found.start : found.end] if len(written) == len(plain) else found.unit_name
    return found, (unit_key(found), name)


@dataclass
class _Reading:
    """What the paragraphs read so far have set: the heading unit and the previous date."""

    heading: tuple[UnitMatch, tuple[str, str]] | None = None
    previous: DateSpan | None = None


def _paragraph_unit(line: PageLine, span: DateSpan | None, layout: PageLayout, state: _Reading) -> UnitMatch | None:
    """The unit a paragraph names: an "X:" prefix (which also heads what follows), or its opening, or the clause after a date."""
    s = line.simple
    own = _prefix_unit(s, layout)
    if own is not None:
        state.heading = (own, _named(own, line))
        return own
    rest = len(span.matched) if span else 0
    return _read_unit(s, _skip_opening(s, rest), layout) or _clause_unit(s, layout)


def _paragraph_date(s: str, anchor: date | None, state: _Reading) -> DateSpan | None:
    """The day a paragraph reports on: its opening date, a clause's date, or a day relative to the previous paragraph's."""
    span = parse_leading_date(s, published=anchor) or find_clause_date(s, published=anchor)
    if span is None and state.previous is not None and (relative := relative_day(s)):
        day = state.previous.start + timedelta(days=relative[0])
        span = DateSpan(start=day, end=day, note=relative[1], matched="")
    if span is not None:
        state.previous = span
    return span


def _report(line: PageLine, index: int, unit: tuple[str, str] | None, span: DateSpan | None, common: dict) -> Document:
    return Document(
        doc_id=f"{common['stem']}-{index:03d}",
        text=line.text,
        unit=unit[0] if unit else "",
        unit_name=unit[1] if unit else "",
        date_start=span.start if span else None,
        date_end=span.end if span else None,
        date_note=span.note if span else "",
        kind="report" if (unit or span) else "summary",
        source=common["source"],
        line=line.n,
        title=common["title"],
        published=common["published"],
        publisher=common["publisher"],
    )


def _read_paragraphs(body: list[PageLine], images: set[int], layout: PageLayout, common: dict) -> tuple[list[Document], list[tuple[int, str]], list[UnitMatch | None], int | None]:
    """One document per paragraph: (documents, heading lines, each document's own unit, index of the first non-caption one)."""
    published = common["published"]
    anchor = published or (date(layout.default_year, 12, 31) if layout.default_year else None)
    documents: list[Document] = []
    headings: list[tuple[int, str]] = []
    own_units: list[UnitMatch | None] = []
    state = _Reading()
    first_text: int | None = None
    for line in body:
        heading = _heading(line, layout)
        if heading:
            state.heading = heading
            headings.append((line.n, line.text))
            continue
        leading = parse_leading_date(line.simple, published=anchor)
        caption = line.n in images or line.simple.startswith(("图为", "图:", "图：", "(图", "（图"))
        own = None if caption else _paragraph_unit(line, leading, layout, state)
        span = _paragraph_date(line.simple, anchor, state)
        if first_text is None and not caption:
            first_text = len(documents)
        unit = _named(own, line) if own is not None else (state.heading[1] if state.heading else None)
        own_units.append(own if own is not None else (state.heading[0] if state.heading else None))
        documents.append(_report(line, len(documents) + 1, unit, span, common))
    return documents, headings, own_units, first_text


def _article_unit(lines: list[PageLine], header: _Header, documents: list[Document], first_text: int | None, layout: PageLayout) -> UnitMatch | None:
    """The unit an article is about: from its title, its lede, or its source field."""
    article: UnitMatch | None = None
    if header.title_at is not None:
        t = lines[header.title_at].simple
        tagged = (_heading_unit(tag, layout) for tag in _TAGS.findall(t))  # 【石门镇】…, not 【镇街动态】
        article = _prefix_unit(t, layout) or _read_unit(t, len(_TAG.match(t).group(0)), layout) or next(filter(None, tagged), None)
    if article is None and first_text is not None:
        lede = next(line for line in lines if line.n == documents[first_text].line)
        article = _lede_unit(lede.simple, layout)
    if article is None:
        article = next((u for line in lines[: header.first_paragraph] if (u := _source_unit(line.simple, layout))), None)
    return article


def split_bulletin(
    lines: list[PageLine], *, source: str, layout: PageLayout
) -> tuple[list[Document], list[tuple[int, str]], list[tuple[int, str]]]:
    """Split a bulletin page into one document per paragraph; also return the chrome lines
    removed and the unit heading lines used.

    The header (metadata line, title, everything above the title) is read first; lines above
    the title are header chrome. A line holding only a unit's name is a heading: the
    paragraphs after it report on that unit unless they name another. An article whose title
    (or lede, or source field) names one unit lends it to every paragraph that names none.
    """
    header = _read_header(lines, layout)
    removed = [(line.n, line.text) for i, line in enumerate(lines[: header.end]) if i not in (header.title_at, header.meta_at)]
    body, chrome, images = _read_body(lines, header.end)
    removed.extend(chrome)
    common = {
        "stem": Path(source).stem if source else "doc",
        "source": source,
        "title": lines[header.title_at].text if header.title_at is not None else "",
        "published": header.published,
        "publisher": header.publisher,
    }
    documents, headings, own_units, first_text = _read_paragraphs(body, images, layout, common)
    article = _article_unit(lines, header, documents, first_text, layout)
    keys = {unit_key(u) for u in own_units if u is not None}
    if article is not None and keys <= {unit_key(article)}:
        key = unit_key(article)
        documents = [d if d.unit else replace(d, unit=key, unit_name=article.unit_name, kind="report") for d in documents]
    removed.sort()
    return documents, removed, headings
