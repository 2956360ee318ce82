"""Corpus: turn pages, tables and JSON Lines into dated documents per reporting unit.

A bulletin page (see ``data/raw/``) carries web chrome (breadcrumbs, footers), a title, a
metadata line with the publication date and publisher, then one paragraph per unit and day:
"4月18日-19日,林区公安局鹤北分局局长……". :func:`read_corpus` strips the chrome, reads the
metadata and returns one :class:`Document` per paragraph, with the unit and dates it reports
on. Paragraphs without a unit or a date (an opening summary) are kept as corpus-level
documents with empty fields; removed chrome lines are listed, never silently dropped.

Tables (``.csv``, ``.tsv``, ``.xlsx``) and JSON Lines give one document per row, with the
text, date, unit and title taken from the columns named in :class:`Columns`. Whatever cannot
be analysed (an empty or binary file, a malformed row, a duplicate) is listed in
``Corpus.skipped`` with its reason, so documents read = analysed + skipped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any

import pandas as pd

from .chrome import MAX_CHROME_LINE, chrome_kind, is_image_line, read_patterns
from .dates import (
    Calendar,
    DateSpan,
    clause_date_ends,
    find_clause_date,
    find_document_date,
    find_publication_date,
    leading_date_length,
    parse_date_value,
    parse_leading_date,
    relative_day,
)
from .units import UnitMatch, read_unit, unit_key, unit_vocabulary
from ..errors import InputError
from ..progress import counter
from .readers import (
    FORMATS,
    SUPPORTED_SUFFIXES,
    TEXT_COLUMNS,
    Record,
    clean_utf8_digest,
    decode_lenient,
    document_text,
    file_format,
    find_text_column,
    html_to_page,
    is_traditional,
    may_be_traditional,
    read_records,
    stream_jsonl,
    strip_markup,
    to_simplified,
)

__all__ = [
    "Document",
    "Source",
    "Skipped",
    "Corpus",
    "PageLayout",
    "Columns",
    "read_corpus",
    "parse_page",
    "find_unit",
    "DEFAULT_CORPUS",
    "COMMON_UNIT_SUFFIXES",
]

#: The shipped default corpus: a real bulletin page, unchanged.
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "data" / "raw" / "000_2d3668a156c8860b.txt"

#: A few unit suffixes common on local bulletins, for a layout narrower than the default (which
#: takes every suffix of ``resources/page_units.toml``); a config sets its own with ``[corpus] unit_suffixes``.
COMMON_UNIT_SUFFIXES = ("分局", "派出所", "林业局", "林场", "大队", "街道", "镇", "县")


@dataclass(frozen=True, slots=True)  # slots: a corpus holds one per document, a dict each would cost about 300 bytes
class Document:
    """One analysed text with the variables that travel with it (unit, dates, source)."""

    doc_id: str
    text: str
    unit: str = ""  # short unit name, e.g. 鹤北
    date_start: date | None = None
    date_end: date | None = None
    date_note: str = ""  # time of day or qualifier, e.g. 晚, 截至
    kind: str = "report"  # "report" (unit or date known) or "summary" (corpus-level text)
    unit_name: str = ""  # unit with its suffix, e.g. 鹤北分局
    source: str = ""
    line: int | None = None  # 1-based line in the source file
    title: str = ""
    published: date | None = None
    publisher: str = ""
    #: The text as matched and segmented, when it differs from ``text``: simplified characters
    #: (OpenCC t2s) for a traditional original, stray line breaks inside sentences joined,
    #: zero-width characters dropped. "" means the text itself. Outputs keep ``text``.
    normalized: str = ""
    script: str = ""  # "traditional" when the original was normalised to simplified

    @property
    def analysis_text(self) -> str:
        return self.normalized or self.text


@dataclass(frozen=True)
class Source:
    """An input file, with what became of its lines."""

    path: str
    sha256: str
    encoding: str
    n_documents: int
    removed_lines: tuple[tuple[int, str], ...] = ()  # (line number, text) of chrome taken out
    format: str = "txt"
    n_skipped: int = 0
    headings: tuple[tuple[int, str], ...] = ()  # (line number, text) of unit-name heading lines
    #: (line number, bytes) of damaged bytes read as U+FFFD: the file was overwhelmingly valid in ``encoding``.
    replaced_bytes: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Skipped:
    """Input that was read but not analysed, and why."""

    source: str
    reason: str
    line: int | None = None


@dataclass
class Corpus:
    """Documents plus the account of every input: sources read and items skipped."""

    documents: list[Document]
    sources: list[Source] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a reader should know: undated documents, …

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def n_read(self) -> int:
        """Documents read: analysed + skipped."""
        return len(self.documents) + len(self.skipped)

    def analysis_texts(self) -> list[str]:
        """The texts to match and segment (simplified where the original is traditional)."""
        return [d.analysis_text for d in self.documents]

    @property
    def units(self) -> list[str]:
        """Units in order of first appearance."""
        return list(dict.fromkeys(d.unit for d in self.documents if d.unit))

    def to_frame(self) -> pd.DataFrame:
        """One row per document; the first columns are ``doc_id, unit, date_start, date_end, text``."""
        columns = [
            "doc_id", "unit", "date_start", "date_end", "text", "date_note", "kind",
            "unit_name", "source", "line", "title", "published", "publisher",
        ]
        # Fields read directly, all of a document's at once: dataclasses.asdict deep-copies every
        # value and is slow at scale, one getattr per field not much better.
        fields = attrgetter(*columns)
        frame = pd.DataFrame([fields(d) for d in self.documents], columns=columns)
        frame["n_chars"] = frame["text"].str.len()
        frame["script"] = [d.script for d in self.documents]
        frame["line"] = frame["line"].astype("Int64")
        return frame


@dataclass(frozen=True)
class PageLayout:
    """How bulletin pages name their units and where their chrome is; all configurable.

    The defaults recognise units by the shipped vocabulary (``resources/page_units.toml``)
    and chrome by the shipped pattern files; ``unit_suffixes`` narrows the units to names
    ending in one of the given suffixes (parents are still read with the full vocabulary).
    """

    unit_suffixes: tuple[str, ...] | None = None  # None: every suffix of the shipped vocabulary
    max_unit_chars: int = 6
    #: Footer patterns (a line that starts the footer); () for the shipped page_chrome.txt.
    chrome_patterns: tuple[str, ...] = ()
    #: Widget patterns (a line dropped where it stands); None for the shipped page_widgets.txt.
    widget_patterns: tuple[str, ...] | None = None
    max_chrome_line: int = MAX_CHROME_LINE
    #: Words that look like a unit name before a suffix but are not one, on top of the shipped ones.
    generic_prefixes: tuple[str, ...] = ()
    #: Year for dates without one on pages without a publication date (None: leave them undated).
    default_year: int | None = None

    def chrome_regex(self) -> re.Pattern[str]:
        patterns = self.chrome_patterns or read_patterns("page_chrome.txt")
        return re.compile("|".join(f"(?:{p})" for p in patterns))

    def widget_regex(self) -> re.Pattern[str] | None:
        patterns = read_patterns("page_widgets.txt") if self.widget_patterns is None else self.widget_patterns
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None


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


def parse_page(
    text: str, *, source: str = "", layout: PageLayout = PageLayout()
) -> tuple[list[Document], list[tuple[int, str]]]:
    """Split one bulletin page into documents; return them and the chrome lines removed.

    A line holding only a unit's name is a heading: the paragraphs after it report on that
    unit unless they name another. An article whose title (or lede, or source field) names
    one unit lends it to every paragraph that names none.
    """
    documents, removed, _ = _split_page(text, source=source, layout=layout)
    return documents, removed


def _split_page(
    text: str,
    *,
    source: str,
    layout: PageLayout,
    chrome: re.Pattern[str] | None = None,
    widgets: re.Pattern[str] | None | bool = False,
) -> tuple[list[Document], list[tuple[int, str]], list[tuple[int, str]]]:
    """:func:`parse_page`, also returning the unit heading lines it used.

    The header: the metadata line is the first line above the first paragraph holding a full
    date ("2020-04-26  省林业公安局", "发布时间:2021-02-25 来源:…"), not a "today is" widget;
    the title is the nearest line above it that is not chrome or a label ("来源:…"). Without
    one, the title is the last short line above the first paragraph, and the page is undated.
    Lines above the title are header chrome. ``chrome`` and ``widgets`` are the layout's
    patterns, built once by a caller splitting many pages.
    """
    chrome = chrome or layout.chrome_regex()
    if widgets is False:
        widgets = layout.widget_regex()
    lines = [(i + 1, raw.strip().replace("\u3000", " ").strip()) for i, raw in enumerate(text.splitlines())]
    lines = [(n, s) for n, s in lines if s]
    traditional = may_be_traditional(text) and is_traditional(text)
    simple = {n: (to_simplified(s) if traditional else s) for n, s in lines}
    kinds = {n: chrome_kind(s, chrome, widgets, max_chars=layout.max_chrome_line) for n, s in lines}

    # The header: metadata line, title, and everything above the title.
    first_paragraph = next((i for i, (n, s) in enumerate(lines) if not kinds[n] and _is_paragraph(s)), len(lines))
    title_at: int | None = None
    meta_at: int | None = None
    published: date | None = None
    publisher = ""
    for i, (n, s) in enumerate(lines[:first_paragraph]):
        if kinds[n] == "footer" and not find_publication_date(s):
            continue
        found = _publication_line(s)
        if found:
            meta_at, (published, publisher) = i, found
            publisher = re.sub(r"^(?:来源|发布机构|发布单位|作者|时间|发布时间|日期)\s*[:：]\s*", "", publisher).strip()
            break

    def title_like(i: int) -> bool:
        n, s = lines[i]
        return not kinds[n] and not _LABEL.match(s) and len(s) <= 60 and "。" not in s and _heading_unit(simple[n], layout) is None

    above = meta_at if meta_at is not None else first_paragraph
    title_at = next((i for i in range(above - 1, -1, -1) if title_like(i)), None)
    if meta_at is None and title_at is not None and title_at != first_paragraph - 1:
        # without a metadata line, only a line right above the text (chrome aside) is a title
        between = lines[title_at + 1 : first_paragraph]
        if any(not kinds[n] and _heading_unit(simple[n], layout) is None for n, _ in between):
            title_at = None
    if title_at is None and meta_at is not None:  # a disclosure table: the title under the metadata
        title_at = next((i for i in range(meta_at + 1, first_paragraph) if title_like(i)), None)
    title = lines[title_at][1] if title_at is not None else ""
    header_end = max(i for i in (title_at, meta_at, -1) if i is not None) + 1
    header = lines[:header_end]
    removed: list[tuple[int, str]] = [(n, s) for i, (n, s) in enumerate(header) if i not in (title_at, meta_at)]
    source_unit = next((u for n, _ in lines[:first_paragraph] if (u := _source_unit(simple[n], layout))), None)

    # The body: chrome dropped, the footer cut at its first line.
    body: list[tuple[int, str]] = []
    images: set[int] = set()
    previous_image = False
    for n, s in lines[header_end:]:
        kind = kinds[n]
        if kind == "footer" and body:  # the footer starts once the text has begun
            removed.extend((m, t) for m, t in lines if m >= n)
            break
        if kind:
            removed.append((n, s))
            previous_image = previous_image or is_image_line(s)
            continue
        if previous_image:
            images.add(n)  # a caption: the text under an image
        previous_image = False
        body.append((n, s))

    stem = Path(source).stem if source else "doc"
    anchor = published or (date(layout.default_year, 12, 31) if layout.default_year else None)
    documents: list[Document] = []
    headings: list[tuple[int, str]] = []
    own_units: list[UnitMatch | None] = []
    heading: tuple[UnitMatch, tuple[str, str]] | None = None
    previous: DateSpan | None = None
    first_text: int | None = None

    def named(match: UnitMatch, n: int, original: str) -> tuple[str, str]:
        """(key, name as written): the key in simplified characters, the name from the original line."""
        name = original[match.start : match.end] if len(original) == len(simple[n]) else match.unit_name
        return unit_key(match), name

    index = 0
    for n, paragraph in body:
        s = simple[n]
        found_heading = _heading_unit(s, layout)
        if found_heading and not _is_paragraph(s):
            written = _TAG.sub("", paragraph).strip().rstrip(":：").strip()
            plain = _TAG.sub("", s).strip().rstrip(":：").strip()
            name = written[found_heading.start : found_heading.end] if len(written) == len(plain) else found_heading.unit_name
            heading = (found_heading, (unit_key(found_heading), name))
            headings.append((n, paragraph))
            continue
        index += 1
        span: DateSpan | None = parse_leading_date(s, published=anchor)
        caption = n in images or s.startswith(("图为", "图:", "图：", "(图", "（图"))
        own: UnitMatch | None = None
        if not caption:
            own = _prefix_unit(s, layout)
            if own is not None:
                heading = (own, named(own, n, paragraph))
            else:
                rest = len(span.matched) if span else 0
                own = _read_unit(s, _skip_opening(s, rest), layout) or _clause_unit(s, layout)
        if span is None:
            span = find_clause_date(s, published=anchor)
        if span is None and previous is not None and (relative := relative_day(s)):
            day = previous.start + timedelta(days=relative[0])
            span = DateSpan(start=day, end=day, note=relative[1], matched="")
        if span is not None:
            previous = span
        if first_text is None and not caption:
            first_text = len(documents)
        unit: tuple[str, str] | None = None
        if own is not None:
            unit = named(own, n, paragraph)
        elif heading is not None:
            unit = heading[1]
        own_units.append(own if own is not None else (heading[0] if heading else None))
        documents.append(
            Document(
                doc_id=f"{stem}-{index:03d}",
                text=paragraph,
                unit=unit[0] if unit else "",
                unit_name=unit[1] if unit else "",
                date_start=span.start if span else None,
                date_end=span.end if span else None,
                date_note=span.note if span else "",
                kind="report" if (unit or span) else "summary",
                source=source,
                line=n,
                title=title,
                published=published,
                publisher=publisher,
            )
        )

    # The article's unit: from its title, its lede, or its source field, when no paragraph names another.
    article: UnitMatch | None = None
    if title_at is not None:
        t = simple[lines[title_at][0]]
        tagged = (_heading_unit(tag, layout) for tag in _TAGS.findall(t))  # 【石门镇】…, not 【镇街动态】
        article = _prefix_unit(t, layout) or _read_unit(t, len(_TAG.match(t).group(0)), layout) or next(filter(None, tagged), None)
    if article is None and first_text is not None:
        article = _lede_unit(simple[documents[first_text].line], layout)
    if article is None:
        article = source_unit
    keys = {unit_key(u) for u in own_units if u is not None}
    if article is not None and keys <= {unit_key(article)}:
        key = unit_key(article)
        documents = [d if d.unit else replace(d, unit=key, unit_name=article.unit_name, kind="report") for d in documents]
    removed.sort()
    return documents, removed, headings


@dataclass(frozen=True)
class Columns:
    """Which columns of a table or JSON Lines file hold the text and its variables.

    Only the text must exist. A variable left as None is read from a column with its own
    name ("date", "unit", "title", "id") when the file has one; the text, when not named,
    from the first of ``text, content, body, 正文, 内容, 全文`` the file has.
    """

    text: str | None = None
    date: str | None = None
    unit: str | None = None
    title: str | None = None
    id: str | None = None


#: Years a document's date may fall in (both included); others are typos and left blank.
DATE_RANGE = (1900, 2100)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _list_inputs(paths: Sequence[Path], fmt: str) -> tuple[list[Path], list[Skipped]]:
    """Every file to read (folders recursively, in name order) and the files skipped as unsupported."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if not path.exists():
            raise InputError(path, "no such file or folder", hint="check the path, or omit --corpus for the shipped bulletin")
        if not path.is_file() and not path.is_dir():
            raise InputError(path, f"{_special_kind(path)}, not a file or folder", hint="give a file, or a folder of pages or tables")
        if path.is_file():
            if file_format(path, fmt=fmt) is None:
                raise InputError(
                    path,
                    f"unsupported file type '{path.suffix or '(none)'}'",
                    hint="give .txt, .html, .pdf, .docx, .csv, .tsv, .xlsx or .jsonl, or set [corpus] format in the config",
                )
            files.append(path)
            continue
        found, unlisted = _walk(path)
        for file in found:
            if fmt == "auto" and file.suffix.lower() not in SUPPORTED_SUFFIXES:
                skipped.append(Skipped(source=str(file), reason=f"unsupported file type '{file.suffix or '(none)'}' (convert it to .txt, .html, .pdf, .docx, .csv, .tsv, .xlsx or .jsonl)"))
            else:
                files.append(file)
        skipped.extend(unlisted)
        if not found and not unlisted:
            raise InputError(path, "the folder is empty", hint="point to a file, or a folder of .txt/.html pages or tables")
    return files, skipped


def _walk(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """Every regular file under ``folder`` (in path order), and every entry that is not read with
    the reason: a subfolder that cannot be listed, a broken link, a pipe or device, a link back to
    a folder already walked. Linked subfolders are followed once (a loop is named, not walked)."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[tuple[int, int]] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            info = current.stat()
            key = (info.st_dev, info.st_ino)
            if key in seen:
                skipped.append(Skipped(source=str(current), reason="a link to a folder already read (a loop or a second path to it): not read twice"))
                continue
            seen.add(key)
            entries = sorted(current.iterdir())
        except OSError as error:
            skipped.append(Skipped(source=str(current), reason=f"this folder cannot be listed: {error.strerror or error} (check its permissions); its files are not read"))
            continue
        for entry in entries:
            try:
                if entry.is_dir():
                    pending.append(entry)
                elif entry.is_file():
                    files.append(entry)
                elif entry.is_symlink() and not entry.exists():
                    skipped.append(Skipped(source=str(entry), reason="a broken link: its target does not exist"))
                else:
                    skipped.append(Skipped(source=str(entry), reason=f"{_special_kind(entry)}, not a file: not read"))
            except OSError as error:
                skipped.append(Skipped(source=str(entry), reason=f"cannot be read: {error.strerror or error} (check its permissions)"))
    return sorted(files), skipped


def _special_kind(path: Path) -> str:
    """What a path that is neither a file nor a folder is, in words."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return "a broken link" if path.is_symlink() else "unreadable"
    import stat

    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


_STRAY_BREAK = re.compile(r"(?<=[^\s。！？；：!?;:」』”）)\]])[ \t\u3000]*\n(?=[^\s])")
_INVISIBLE_CHARS = "\u200b\u200c\u200d\ufeff"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")


def _normalise(doc: Document, script: str) -> Document:
    """Fill ``normalized`` (and ``script``): simplified characters, joined stray line breaks.

    Line breaks that do not follow sentence-ending punctuation are joined, so a phrase split by
    flattened link markup ("所作的\n政府工作报告\n。") is matched and segmented whole.
    """
    text = doc.text
    if any(ch in text for ch in _INVISIBLE_CHARS):  # `in` is much faster than a regex scan
        text = _INVISIBLE.sub("", text)
    if "\n" in text:
        text = _STRAY_BREAK.sub("", text)
    kind = ""
    if script == "t2s" or (script == "auto" and may_be_traditional(text)):
        simplified = to_simplified(text)
        if simplified != text and (script == "t2s" or is_traditional(text, simplified)):
            text, kind = simplified, "traditional"
    normalized = text if text != doc.text else ""
    if normalized == doc.normalized and kind == doc.script:
        return doc  # nothing changed: most documents, and replace() costs more than the rest
    return replace(doc, normalized=normalized, script=kind)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _record_documents(
    path: Path,
    rows: Any,
    header: list[str],
    *,
    columns: Columns,
    calendar: Calendar | None,
    date_from_text: bool,
) -> tuple[list[Document], list[Skipped], str]:
    """One document per row; rows without text, or that cannot be read, are skipped with the reason.

    Also returns the text column used (found among the common names when ``columns.text`` is None).
    """
    if columns.text is None:
        rows = iter(rows)
        first = next(rows, None)
        names = header or (list(first.fields) if isinstance(first, Record) else [])
        found = find_text_column(names)
        if found is None and (header or isinstance(first, Record)):
            raise InputError(
                path,
                f"no text column among {', '.join(TEXT_COLUMNS)}; it has: {_some_names(names)}",
                line=1,
                hint="name the text column under [columns] text in the config",
            )
        columns = replace(columns, text=found or TEXT_COLUMNS[0])
        rows = rows if first is None else _chain_rows(first, rows)
    if header:  # tables: every column named in the config must exist
        for role, name in asdict(columns).items():
            if name and name not in header:
                raise InputError(
                    path,
                    f"no column '{name}' (the {role} column); it has: {_some_names(header)}",
                    line=1,
                    hint="name the right columns under [columns] in the config",
                )
    # Columns not named in the config are taken from their conventional names when present.
    columns = Columns(
        text=columns.text,
        date=columns.date or "date",
        unit=columns.unit or "unit",
        title=columns.title or "title",
        id=columns.id or "id",
    )
    stem = path.stem
    documents: list[Document] = []
    skipped: list[Skipped] = []
    # One object per distinct unit, title and date, shared by the rows that repeat it (a row's
    # parsed JSON gives each its own copy): a large corpus repeats a few units thousands of times.
    shared: dict = {}
    for row in rows:
        if not isinstance(row, Record):
            skipped.append(Skipped(source=str(path), line=row.line, reason=row.reason))
            continue
        fields = row.fields
        if columns.text not in fields:
            keys = _some_names(list(fields)) if fields else "none"
            skipped.append(Skipped(source=str(path), line=row.line, reason=f"no '{columns.text}' field (it has: {keys}); set [columns] text"))
            continue
        text = fields[columns.text]
        odd = _not_text(fields, columns)
        if odd:
            skipped.append(Skipped(source=str(path), line=row.line, reason=odd))
            continue
        if not isinstance(text, str):
            text = _cell(text)
        if not text.strip():
            skipped.append(Skipped(source=str(path), line=row.line, reason=f"the '{columns.text}' field is empty"))
            continue
        title = _cell(fields.get(columns.title)) if columns.title else ""
        unit = _cell(fields.get(columns.unit)) if columns.unit else ""
        span: DateSpan | None = None
        note = ""
        if columns.date:
            raw = fields.get(columns.date)
            try:
                span = parse_date_value(raw)
            except ValueError:
                note = f"unreadable date {_cell(raw)!r}"
        if span is None and date_from_text:
            found = find_document_date(text, title=title, calendar=calendar)
            if found:
                span = found[0]
        doc_id = _cell(fields.get(columns.id)) if columns.id else ""
        unit, title = shared.setdefault(unit, unit), shared.setdefault(title, title)
        start, end = (shared.setdefault(span.start, span.start), shared.setdefault(span.end, span.end)) if span else (None, None)
        documents.append(
            Document(
                doc_id=doc_id or f"{stem}-{row.line:03d}",
                text=text,
                unit=unit,
                unit_name=unit,
                date_start=start,
                date_end=end,
                date_note=span.note if span else note,
                kind="report" if (unit or span) else "summary",
                source=str(path),
                line=row.line,
                title=title,
            )
        )
    return documents, skipped, columns.text


def _some_names(names: Sequence[Any], limit: int = 12) -> str:
    """Column names for a one-line message: the first ``limit``, each cut to 40 characters, and how many more."""
    if not names:
        return "no named columns"
    shown = [_short(str(n)) for n in names[:limit]]
    more = f" … ({len(names)} columns in all)" if len(names) > limit else ""
    return ", ".join(shown) + more


def _short(name: str, limit: int = 40) -> str:
    name = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _not_text(fields: dict, columns: Columns) -> str:
    """Why a record's text, unit or title cannot be read as text ("" if they can): a JSON object,
    list or true/false where a text belongs, which would otherwise be analysed as its Python repr."""
    for role in ("text", "unit", "title"):
        name = getattr(columns, role)
        value = fields.get(name) if name else None
        if isinstance(value, (dict, list, bool)):
            kind = {dict: "an object", list: "a list", bool: "true/false"}[type(value)]
            return f"the '{name}' field is {kind}, not text (the {role} must be a string)"
    return ""


def _chain_rows(first: Any, rest: Any) -> Any:
    yield first
    yield from rest


def read_corpus(
    path: str | Path | Sequence[str | Path] | None = None,
    *,
    layout: PageLayout = PageLayout(),
    columns: Columns = Columns(),
    fmt: str = "auto",
    encoding: str = "auto",
    script: str = "auto",
    calendar: Calendar | None = None,
    date_from_text: bool = True,
    drop_duplicates: bool = True,
    progress: bool | None = None,
    date_range: tuple[int, int] = DATE_RANGE,
) -> Corpus:
    """Read pages, tables and JSON Lines (a file, a folder, or several) into a :class:`Corpus`.

    ``path`` defaults to the shipped bulletin; folders are read recursively in name order.
    Pages (``.txt``, ``.html``) are split with ``layout``; tables and JSON Lines give one
    document per row with the fields named in ``columns``; rows without a date are dated
    from their title or opening text (and ``calendar``) when ``date_from_text``. Traditional
    characters are normalised for analysis (``script``: "auto", "t2s" or "none"); the
    original text is kept. Files and rows that cannot be read, and repeated texts
    (``drop_duplicates``), are skipped with their reason; if nothing is left to analyse,
    :class:`InputError` names the first problem. Dates outside ``date_range`` (years, both
    included) are typos such as 2920: they are left blank and reported in ``Corpus.notes``.
    """
    if fmt not in ("auto", *FORMATS):
        raise InputError(str(path), f"unknown format '{fmt}'", hint=f"use one of: auto, {', '.join(FORMATS)}")
    if path is None:
        paths = [DEFAULT_CORPUS]
    elif isinstance(path, (str, Path)):
        paths = [Path(path)]
    else:
        paths = [Path(p) for p in path]
    files, skipped = _list_inputs(paths, fmt)
    bar = counter("reading", total=sum(_size(f) for f in files), enabled=progress, unit="B")
    corpus = Corpus(documents=[], skipped=skipped)
    chrome: re.Pattern[str] | None = None  # built for the first page, used for all
    widgets = layout.widget_regex()
    text_columns: dict[str, list[str]] = {}  # text column found → files, when the config names none
    for file in files:
        kind = file_format(file, fmt=fmt) or "txt"
        digest = None
        try:
            # Clean UTF-8 JSON Lines are read line by line, never whole: they can be large.
            digest = clean_utf8_digest(file, encoding=encoding) if kind == "jsonl" else None
            data = b"" if digest else file.read_bytes()
        except OSError as error:
            corpus.skipped.append(Skipped(source=str(file), reason=f"cannot be read: {error.strerror or error} (check its permissions)"))
            continue
        sha256 = digest or _sha256(data)
        headings: list[tuple[int, str]] = []
        removed: list[tuple[int, str]] = []
        replaced: tuple[tuple[int, int], ...] = ()
        try:
            if kind in ("txt", "html", "pdf", "docx"):
                if kind in ("pdf", "docx"):
                    text, used = document_text(file, data, kind), kind
                else:
                    decoded = decode_lenient(file, data, encoding=encoding)
                    text, used = decoded.text, decoded.encoding
                    replaced = tuple(sorted(decoded.replaced_lines().items()))
                    text = html_to_page(text) if kind == "html" else strip_markup(text)
                chrome = chrome or layout.chrome_regex()
                documents, removed, headings = _split_page(
                    text, source=str(file), layout=layout, chrome=chrome, widgets=widgets
                )
                problems = [] if documents else [Skipped(source=str(file), reason="no text left after removing page chrome")]
            else:
                if digest:
                    rows, used, header = stream_jsonl(file, bar=bar), "utf-8", []
                else:
                    rows, used, header = read_records(file, data, kind, encoding=encoding)
                documents, problems, text_column = _record_documents(
                    file, rows, header, columns=columns, calendar=calendar, date_from_text=date_from_text
                )
                if columns.text is None:
                    text_columns.setdefault(text_column, []).append(file.name)
                if not documents and not problems:
                    problems = [Skipped(source=str(file), reason="no rows with text")]
        except InputError as error:
            corpus.skipped.append(Skipped(source=str(file), line=error.line, reason=error.problem))
            corpus.sources.append(Source(path=str(file), sha256=sha256, encoding="", n_documents=0, format=kind, n_skipped=1))
            continue
        documents = [_normalise(d, script) for d in documents]
        corpus.documents.extend(documents)
        corpus.skipped.extend(problems)
        corpus.sources.append(
            Source(
                path=str(file),
                sha256=sha256,
                encoding=used,
                n_documents=len(documents),
                removed_lines=tuple(removed),
                format=kind,
                n_skipped=len(problems),
                headings=tuple(headings),
                replaced_bytes=replaced,
            )
        )
        if not digest:
            bar.update(len(data))
    bar.close()
    _blank_implausible_dates(corpus, date_range)
    if drop_duplicates:
        _drop_duplicates(corpus)
    _check_ids(corpus)
    if not corpus.documents:
        first = corpus.skipped[0] if corpus.skipped else None
        if first is None:
            raise InputError(paths[0], "no documents found", hint="check the path and [corpus] format")
        where = f" (and {len(corpus.skipped) - 1} more skipped)" if len(corpus.skipped) > 1 else ""
        raise InputError(first.source, first.reason + where, line=first.line)
    for column, names in text_columns.items():
        shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        corpus.notes.append(f"text read from the '{column}' column of {shown} (set [columns] text to choose another)")
    _note_dates(corpus)
    return corpus


def _blank_implausible_dates(corpus: Corpus, years: tuple[int, int]) -> None:
    """Blank every date outside ``years`` (a typo such as 2920-04-26, which would also overflow
    the timelines' arithmetic), note it on the document and report it once in ``corpus.notes``."""
    low, high = years

    def plausible(day: date | None) -> bool:
        return day is None or low <= day.year <= high

    blanked: list[tuple[Document, date]] = []
    for i, doc in enumerate(corpus.documents):
        if plausible(doc.date_start) and plausible(doc.date_end) and plausible(doc.published):
            continue
        wrong = next(d for d in (doc.date_start, doc.date_end, doc.published) if not plausible(d))
        blanked.append((doc, wrong))
        dates = {} if plausible(doc.date_start) and plausible(doc.date_end) else {"date_start": None, "date_end": None}
        corpus.documents[i] = replace(
            doc,
            **dates,
            published=doc.published if plausible(doc.published) else None,
            date_note=f"date {wrong.isoformat()} outside {low}–{high}, left blank",
            kind=doc.kind if (doc.unit or plausible(doc.date_start)) else "summary",
        )
    if blanked:
        first, wrong = blanked[0]
        where = f"{first.source}:{first.line}" if first.line else first.source
        corpus.notes.append(
            f"{len(blanked)} document(s) have a date outside {low}–{high} (a typo?), left blank: first {where}: {wrong.isoformat()} "
            "(set [dates] range in the config to allow other years)"
        )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _drop_duplicates(corpus: Corpus) -> None:
    """Skip every document whose text (spaces aside) repeats an earlier one, naming the first."""
    seen: dict[bytes, Document] = {}  # by a digest of the text: a copy of every text would double the corpus in memory
    kept: list[Document] = []
    for doc in corpus.documents:
        key = hashlib.blake2b("".join(doc.text.split()).encode("utf-8", "surrogatepass"), digest_size=16).digest()  # spaces aside
        first = seen.get(key)
        if first is None:
            seen[key] = doc
            kept.append(doc)
        else:
            where = f"{first.source}:{first.line}" if first.line else first.source
            corpus.skipped.append(Skipped(source=doc.source, line=doc.line, reason=f"duplicate of {first.doc_id} ({where})"))
    corpus.documents = kept


def _check_ids(corpus: Corpus) -> None:
    """Make doc_ids unique: a repeated id (two files with one stem, an id column with repeats) gets a suffix."""
    counts: dict[str, int] = {}
    fixed: list[Document] = []
    for doc in corpus.documents:
        n = counts.get(doc.doc_id, 0)
        counts[doc.doc_id] = n + 1
        fixed.append(doc if n == 0 else replace(doc, doc_id=f"{doc.doc_id}~{n + 1}"))
    corpus.documents = fixed


def _note_dates(corpus: Corpus) -> None:
    undated = [d for d in corpus.documents if d.date_start is None]
    unreadable = [d for d in corpus.documents if d.date_note.startswith("unreadable date")]
    if unreadable:
        first = unreadable[0]
        corpus.notes.append(
            f"{len(unreadable)} document(s) have a date that could not be read and are left undated, "
            f"first {first.source}:{first.line}: {first.date_note}"
        )
    dated = sum(d.date_start is not None for d in corpus.documents)
    if dated and undated:
        names = ", ".join(d.doc_id for d in undated[:3]) + (" …" if len(undated) > 3 else "")
        corpus.notes.append(f"{len(undated)} of {len(corpus.documents)} documents have no date and stay out of timelines: {names}")
