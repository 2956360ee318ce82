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
from datetime import date
from importlib import resources
from operator import attrgetter
from pathlib import Path
from typing import Any

import pandas as pd

from .dates import Calendar, DateSpan, find_document_date, find_publication_date, parse_date_value, parse_leading_date
from ..errors import InputError
from .readers import FORMATS, PAGE_SUFFIXES, SUPPORTED_SUFFIXES, Record, decode, file_format, html_to_text, is_traditional, may_be_traditional, read_records, to_simplified
from .readers import decode_lenient, strip_markup

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

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"

#: Unit suffixes seen across local bulletins; the default layout uses only 分局 (the shipped
#: bulletin), a config sets its own with ``[corpus] unit_suffixes``.
COMMON_UNIT_SUFFIXES = ("分局", "派出所", "林业局", "林场", "大队", "街道", "镇", "县")

_CJK_RUN_AT_END = re.compile(f"[{_CJK}]+$")


@dataclass(frozen=True)
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
    """How bulletin pages name their units and where their chrome is; all configurable."""

    unit_suffixes: tuple[str, ...] = ("分局",)
    #: Text before a unit name that belongs to its parent body ("林区公安局" in 林区公安局鹤北分局).
    parent_markers: tuple[str, ...] = ("公安局", "林业局", "局", "厅", "省", "市", "、", "和", "与")
    max_unit_chars: int = 6
    #: How far into a paragraph (after its date) a unit name is looked for.
    unit_window: int = 40
    chrome_patterns: tuple[str, ...] = ()
    max_chrome_line: int = 80
    #: Words that look like a unit name before a suffix but are not one (全县, 本镇, 各街道).
    generic_prefixes: tuple[str, ...] = ("全", "本", "我", "各", "该", "此", "每", "外", "两", "多", "辖区")
    #: Year for dates without one on pages without a publication date (None: leave them undated).
    default_year: int | None = None

    def chrome_regex(self) -> re.Pattern[str]:
        patterns = self.chrome_patterns or tuple(_default_chrome_patterns())
        return re.compile("|".join(f"(?:{p})" for p in patterns))


def _default_chrome_patterns() -> list[str]:
    text = resources.files("analysis").joinpath("resources/page_chrome.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def find_unit(text: str, layout: PageLayout = PageLayout()) -> tuple[str, str] | None:
    """Find the unit a paragraph reports on near its start: (short name, name with suffix).

    "林区公安局鹤北分局局长……" gives ("鹤北", "鹤北分局"). The first unit suffix within
    ``layout.unit_window`` characters wins; the name is the run of Chinese characters before it,
    cut after the last parent marker ("…公安局") and kept to ``max_unit_chars``.
    """
    window = text[: layout.unit_window]
    best: tuple[int, str] | None = None
    for suffix in layout.unit_suffixes:
        position = window.find(suffix, 1)  # from 1: a suffix with no name before it is not a unit
        if position > 0 and (best is None or position < best[0]):
            best = (position, suffix)
    if best is None:
        return None
    position, suffix = best
    prefix = window[:position]
    run = _CJK_RUN_AT_END.search(prefix)
    if not run:
        return None
    name = run.group(0)
    for marker in layout.parent_markers:
        if marker in name:  # the `in` test first: most names hold no marker, and it is much cheaper
            name = name[name.rfind(marker) + len(marker):]
    name = name[-layout.max_unit_chars:]
    if not name or name.startswith(layout.generic_prefixes):
        return None
    return name, name + suffix


def _heading_unit(line: str, layout: PageLayout) -> tuple[str, str] | None:
    """A line holding only a unit's name ("池河镇", "城关派出所:") names the unit of what follows."""
    stripped = line.strip().rstrip(":：")
    if len(stripped) > layout.max_unit_chars + 4 or not re.fullmatch(f"[{_CJK}]+", stripped):
        return None
    found = find_unit(stripped, layout)
    if found and found[1] == stripped[-len(found[1]):] and stripped.endswith(found[1]):
        return found
    return None


def _is_metadata(line: str, published: date) -> bool:
    """A line with a full date is page metadata unless it opens a sentence ("2020年3月5日,城关…")."""
    span = parse_leading_date(line, published=published)
    if span is None:
        return True
    rest = line[len(span.matched):].strip()
    return not re.search(r"[,，。;；、!！?？]", rest) and len(rest) <= 30


def parse_page(
    text: str, *, source: str = "", layout: PageLayout = PageLayout()
) -> tuple[list[Document], list[tuple[int, str]]]:
    """Split one bulletin page into documents; return them and the chrome lines removed.

    A line holding only a unit's name is a heading: the paragraphs after it report on that
    unit unless they name another.
    """
    documents, removed, _ = _split_page(text, source=source, layout=layout)
    return documents, removed


def _split_page(
    text: str, *, source: str, layout: PageLayout, chrome: re.Pattern[str] | None = None
) -> tuple[list[Document], list[tuple[int, str]], list[tuple[int, str]]]:
    """:func:`parse_page`, also returning the unit heading lines it used.

    The metadata line is the first short line near the top holding a full date
    ("2020-04-26  省林业公安局"); the line before it is the title. Without one, the first
    short line without sentence punctuation is taken as the title and the page is undated.
    ``chrome`` is ``layout.chrome_regex()``, built once by a caller splitting many pages.
    """
    chrome = chrome or layout.chrome_regex()
    lines = [(i + 1, raw.strip().replace("\u3000", " ").strip()) for i, raw in enumerate(text.splitlines())]
    lines = [(n, s) for n, s in lines if s]
    removed: list[tuple[int, str]] = []
    headings: list[tuple[int, str]] = []

    def is_chrome(s: str) -> bool:
        return len(s) < layout.max_chrome_line and chrome.search(s) is not None

    content: list[tuple[int, str]] = []
    for n, s in lines:
        if is_chrome(s):
            removed.append((n, s))
        else:
            content.append((n, s))

    title, published, publisher = "", None, ""
    body_start = 0
    for i, (n, s) in enumerate(content[:8]):
        if len(s) > 60:
            break
        found = find_publication_date(s)
        if found and _is_metadata(s, found[0]):
            published, publisher = found
            publisher = re.sub(r"^(?:来源|发布机构|发布单位|作者|时间|发布时间|日期)\s*[:：]\s*", "", publisher).strip()
            if i > 0:
                title = content[i - 1][1]
            removed.extend(content[: max(i - 1, 0)])
            body_start = i + 1
            break
    else:
        first = content[0][1] if content else ""
        if first and len(first) <= 40 and not re.search(r"[。;；]", first):
            title = first
            body_start = 1

    # The footer: once the body has begun, the first chrome line ends it.
    body = content[body_start:]
    if body:
        first_footer = next((n for n, _ in removed if n > body[0][0]), None)
        if first_footer is not None:
            removed.extend((n, s) for n, s in body if n > first_footer)
            body = [(n, s) for n, s in body if n < first_footer]

    stem = Path(source).stem if source else "doc"
    anchor = published or (date(layout.default_year, 12, 31) if layout.default_year else None)
    documents: list[Document] = []
    heading: tuple[str, str] | None = None
    index = 0
    for n, paragraph in body:
        found_heading = _heading_unit(paragraph, layout)
        if found_heading:
            heading = found_heading
            headings.append((n, paragraph))
            continue
        index += 1
        span: DateSpan | None = parse_leading_date(paragraph, published=anchor)
        rest = paragraph[len(span.matched):].lstrip(" ,，、:：") if span else paragraph
        unit = find_unit(rest, layout) or heading
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
    removed.sort()
    return documents, removed, headings




@dataclass(frozen=True)
class Columns:
    """Which columns of a table or JSON Lines file hold the text and its variables.

    Only ``text`` must exist. A variable left as None is read from a column with its own
    name ("date", "unit", "title", "id") when the file has one.
    """

    text: str = "text"
    date: str | None = None
    unit: str | None = None
    title: str | None = None
    id: str | None = None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _list_inputs(paths: Sequence[Path], fmt: str) -> tuple[list[Path], list[Skipped]]:
    """Every file to read (folders recursively, in name order) and the files skipped as unsupported."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if not path.exists():
            raise InputError(path, "no such file or folder", hint="check the path, or omit --corpus for the shipped bulletin")
        if path.is_file():
            if file_format(path, fmt=fmt) is None:
                raise InputError(
                    path,
                    f"unsupported file type '{path.suffix or '(none)'}'",
                    hint="give .txt, .html, .csv, .tsv, .xlsx or .jsonl, or set [corpus] format in the config",
                )
            files.append(path)
            continue
        found = sorted(p for p in path.rglob("*") if p.is_file())
        for file in found:
            if fmt == "auto" and file.suffix.lower() not in SUPPORTED_SUFFIXES:
                skipped.append(Skipped(source=str(file), reason=f"unsupported file type '{file.suffix or '(none)'}' (convert it to .txt, .html, .csv, .tsv, .xlsx or .jsonl)"))
            else:
                files.append(file)
        if not found:
            raise InputError(path, "the folder is empty", hint="point to a file, or a folder of .txt/.html pages or tables")
    return files, skipped


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
) -> tuple[list[Document], list[Skipped]]:
    """One document per row; rows without text, or that cannot be read, are skipped with the reason."""
    if header:  # tables: every column named in the config must exist
        for role, name in asdict(columns).items():
            if name and name not in header:
                raise InputError(
                    path,
                    f"no column '{name}' (the {role} column); it has: {', '.join(header) or 'no named columns'}",
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
    for row in rows:
        if not isinstance(row, Record):
            skipped.append(Skipped(source=str(path), line=row.line, reason=row.reason))
            continue
        fields = row.fields
        if columns.text not in fields:
            keys = ", ".join(map(str, fields)) or "none"
            skipped.append(Skipped(source=str(path), line=row.line, reason=f"no '{columns.text}' field (it has: {keys}); set [columns] text"))
            continue
        text = fields[columns.text]
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
        documents.append(
            Document(
                doc_id=doc_id or f"{stem}-{row.line:03d}",
                text=text,
                unit=unit,
                unit_name=unit,
                date_start=span.start if span else None,
                date_end=span.end if span else None,
                date_note=span.note if span else note,
                kind="report" if (unit or span) else "summary",
                source=str(path),
                line=row.line,
                title=title,
            )
        )
    return documents, skipped


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
) -> Corpus:
    """Read pages, tables and JSON Lines (a file, a folder, or several) into a :class:`Corpus`.

    ``path`` defaults to the shipped bulletin; folders are read recursively in name order.
    Pages (``.txt``, ``.html``) are split with ``layout``; tables and JSON Lines give one
    document per row with the fields named in ``columns``; rows without a date are dated
    from their title or opening text (and ``calendar``) when ``date_from_text``. Traditional
    characters are normalised for analysis (``script``: "auto", "t2s" or "none"); the
    original text is kept. Files and rows that cannot be read, and repeated texts
    (``drop_duplicates``), are skipped with their reason; if nothing is left to analyse,
    :class:`InputError` names the first problem.
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
    corpus = Corpus(documents=[], skipped=skipped)
    chrome: re.Pattern[str] | None = None  # built for the first page, used for all
    for file in files:
        kind = file_format(file, fmt=fmt) or "txt"
        try:
            data = file.read_bytes()
        except OSError as error:
            corpus.skipped.append(Skipped(source=str(file), reason=f"cannot be read: {error.strerror or error} (check its permissions)"))
            continue
        headings: list[tuple[int, str]] = []
        removed: list[tuple[int, str]] = []
        replaced: tuple[tuple[int, int], ...] = ()
        try:
            if kind in ("txt", "html"):
                decoded = decode_lenient(file, data, encoding=encoding)
                text, used = decoded.text, decoded.encoding
                replaced = tuple(sorted(decoded.replaced_lines().items()))
                if kind == "html":
                    text = html_to_text(text)
                else:
                    text = strip_markup(text)
                chrome = chrome or layout.chrome_regex()
                documents, removed, headings = _split_page(text, source=str(file), layout=layout, chrome=chrome)
                problems = [] if documents else [Skipped(source=str(file), reason="no text left after removing page chrome")]
            else:
                rows, used, header = read_records(file, data, kind, encoding=encoding)
                documents, problems = _record_documents(
                    file, rows, header, columns=columns, calendar=calendar, date_from_text=date_from_text
                )
                if not documents and not problems:
                    problems = [Skipped(source=str(file), reason="no rows with text")]
        except InputError as error:
            corpus.skipped.append(Skipped(source=str(file), line=error.line, reason=error.problem))
            corpus.sources.append(Source(path=str(file), sha256=_sha256(data), encoding="", n_documents=0, format=kind, n_skipped=1))
            continue
        documents = [_normalise(d, script) for d in documents]
        corpus.documents.extend(documents)
        corpus.skipped.extend(problems)
        corpus.sources.append(
            Source(
                path=str(file),
                sha256=_sha256(data),
                encoding=used,
                n_documents=len(documents),
                removed_lines=tuple(removed),
                format=kind,
                n_skipped=len(problems),
                headings=tuple(headings),
                replaced_bytes=replaced,
            )
        )
    if drop_duplicates:
        _drop_duplicates(corpus)
    _check_ids(corpus)
    if not corpus.documents:
        first = corpus.skipped[0] if corpus.skipped else None
        if first is None:
            raise InputError(paths[0], "no documents found", hint="check the path and [corpus] format")
        where = f" (and {len(corpus.skipped) - 1} more skipped)" if len(corpus.skipped) > 1 else ""
        raise InputError(first.source, first.reason + where, line=first.line)
    _note_dates(corpus)
    return corpus


def _drop_duplicates(corpus: Corpus) -> None:
    """Skip every document whose text (spaces aside) repeats an earlier one, naming the first."""
    seen: dict[str, Document] = {}
    kept: list[Document] = []
    for doc in corpus.documents:
        key = "".join(doc.text.split())  # str.split() and regex \s agree on what whitespace is
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
