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
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from .dates import Calendar, DateSpan, find_document_date, parse_date_value
from .pages.units import issuer_unit
from .model import Columns, Corpus, Document, DocumentRows, PageLayout, Skipped, Source, TableBuilder
from .pages import find_unit, parse_page, read_page
from .pages.chrome import strip_licence
from .store import TextStore, TextWriter
from ..errors import InputError
from ..progress import counter
from .formats import (
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


#: Formats read as one document per row: every row is a whole document (for duplicates across files).
TABLE_FORMATS = ("csv", "tsv", "xlsx", "jsonl")

#: Years a document's date may fall in (both included); others are typos and left blank.
DATE_RANGE = (1900, 2100)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def list_inputs(paths: Sequence[Path], fmt: str) -> tuple[list[Path], list[Skipped]]:
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


#: Column names found when the config names none, in order: the unit (or its issuer) and the date.
UNIT_COLUMNS = ("unit", "地区", "省份")
ISSUER_COLUMNS = ("issuer", "发文机关", "发布机构", "机构", "部门", "单位")
DATE_COLUMNS = ("date", "issued", "成文日期", "发布日期", "日期", "published")
PUBLISHED_COLUMNS = ("published", "发布日期")


def _find_column(names: list[str], candidates: Sequence[str], taken: Sequence[str | None] = ()) -> str | None:
    """The first of ``candidates`` among ``names`` (case aside), not already taken by another role."""
    lowered = {str(n).strip().lower(): n for n in names if n not in taken}
    return next((lowered[c] for c in candidates if c in lowered), None)


@dataclass(frozen=True)
class _TableColumns:
    """The columns a table is read with: those the config names, else those found by their common names."""

    text: str
    date: str | None
    unit: str | None
    issuer: str | None
    published: str | None
    title: str | None
    id: str | None
    found: tuple[tuple[str, str], ...] = ()  # (role, column) found by name, for the run's notes


def _table_columns(path: Path, names: list[str], columns: Columns, *, strict: bool, named: bool) -> _TableColumns:
    """Resolve every role to a column of ``names``; a column the config names must exist (``strict``:
    ``names`` is a table's header); a text column must be found when the file names its fields (``named``)."""
    text = columns.text or find_text_column(names)
    if text is None:
        if named:
            raise InputError(
                path,
                f"no text column among {', '.join(TEXT_COLUMNS)}; it has: {_some_names(names)}",
                line=1,
                hint="name the text column under [columns] text in the config",
            )
        text = TEXT_COLUMNS[0]
    if strict:
        for role, name in asdict(columns).items():
            if name and name not in names:
                raise InputError(
                    path,
                    f"no column '{name}' (the {role} column); it has: {_some_names(names)}",
                    line=1,
                    hint="name the right columns under [columns] in the config",
                )
    found: list[tuple[str, str]] = []

    def pick(role: str, named: str | None, candidates: Sequence[str], taken: Sequence[str | None]) -> str | None:
        if named:
            return named
        column = _find_column(names, candidates, taken)
        if column is not None:
            found.append((role, str(column)))
        return column

    unit = pick("unit", columns.unit, UNIT_COLUMNS, (text,))
    issuer = None if columns.unit else pick("issuer", None, ISSUER_COLUMNS, (text, unit))
    date = pick("date", columns.date, DATE_COLUMNS, (text, unit, issuer))
    published = pick("published", None, PUBLISHED_COLUMNS, (text, unit, issuer, date))
    title = columns.title or _find_column(names, ("title", "标题"), (text,))
    doc_id = columns.id or _find_column(names, ("id",), (text,))
    return _TableColumns(text, date, unit, issuer, published, title, doc_id, tuple(found))


def _row_date(fields: dict, column: str | None) -> tuple[DateSpan | None, str]:
    """The date of a row's date cell: (span, note); a blank cell gives (None, "blank date cell")."""
    if not column:
        return None, ""
    raw = fields.get(column)
    try:
        span = parse_date_value(raw)
    except ValueError:
        return None, f"unreadable date {_cell(raw)!r}"
    return span, "" if span is not None or column not in fields else "blank date cell"


def _issuer_unit(issuer: str) -> str:
    """The unit of an issuer named in a table: its place or central body (in simplified characters), else the issuer."""
    plain = to_simplified(issuer) if issuer and may_be_traditional(issuer) else issuer
    return issuer_unit(plain) or issuer


def _row_document(path: Path, row: Record, cols: _TableColumns, *, calendar: Calendar | None, date_from_text: bool | None, shared: dict) -> Document | Skipped:
    """One row as a document, or the reason it is skipped."""
    fields = row.fields
    if cols.text not in fields:
        keys = _some_names(list(fields)) if fields else "none"
        return Skipped(source=str(path), line=row.line, reason=f"no '{cols.text}' field (it has: {keys}); set [columns] text")
    odd = _not_text(fields, cols)
    if odd:
        return Skipped(source=str(path), line=row.line, reason=odd)
    text = fields[cols.text] if isinstance(fields[cols.text], str) else _cell(fields[cols.text])
    if not text.strip():
        return Skipped(source=str(path), line=row.line, reason=f"the '{cols.text}' field is empty")
    text, _ = strip_licence(text)
    title = _cell(fields.get(cols.title)) if cols.title else ""
    issuer = _cell(fields.get(cols.issuer)) if cols.issuer else ""
    unit = _cell(fields.get(cols.unit)) if cols.unit else _issuer_unit(issuer)
    span, note = _row_date(fields, cols.date)
    if span is None and not note.startswith("unreadable") and (date_from_text or (date_from_text is None and not cols.date)):
        found = find_document_date(text, title=title, calendar=calendar)
        span, note = (found[0], "") if found else (None, "" if date_from_text else note)
    published = _row_date(fields, cols.published)[0] if cols.published else None
    doc_id = _cell(fields.get(cols.id)) if cols.id else ""
    unit, title = shared.setdefault(unit, unit), shared.setdefault(title, title)
    start, end = (shared.setdefault(span.start, span.start), shared.setdefault(span.end, span.end)) if span else (None, None)
    return Document(
        doc_id=doc_id or f"{path.stem}-{row.line:03d}",
        text=text,
        unit=unit,
        unit_name=issuer or unit,
        date_start=start,
        date_end=end,
        date_note=span.note if span else note,
        kind="report" if (unit or span) else "summary",
        source=str(path),
        line=row.line,
        title=title,
        published=published.start if published is not None and published.start == published.end else None,
        issuer=issuer,
        doc_number=_cell(fields.get("doc_number", "")) or _cell(fields.get("文号", "")),
        issued=start if cols.date and span is not None and span.start == span.end and not note else None,
    )


def _record_documents(
    path: Path,
    rows: Any,
    header: list[str],
    *,
    columns: Columns,
    calendar: Calendar | None,
    date_from_text: bool | None,
) -> tuple[Iterator[Document], list[Skipped], _TableColumns]:
    """One document per row, made as the rows are read (a large file is never held whole); rows
    without text, or that cannot be read, are added to the returned list of skipped as they come.

    Also returns the columns used (found among the common names where the config names none).
    """
    rows = iter(rows)
    first = next(rows, None)
    cols = _file_columns(path, header, first, columns)
    skipped: list[Skipped] = []
    documents = _rows_documents(path, rows if first is None else _chain_rows(first, rows), cols, skipped, calendar=calendar, date_from_text=date_from_text)
    return documents, skipped, cols


def _file_columns(path: Path, header: list[str], first: Any, columns: Columns) -> _TableColumns:
    """The columns a table (by its ``header``) or JSON Lines file (by its ``first`` row) is read with."""
    names = header or (list(first.fields) if isinstance(first, Record) else [])
    return _table_columns(path, names, columns, strict=bool(header), named=bool(header) or isinstance(first, Record))


def _rows_documents(
    path: Path, rows: Any, cols: _TableColumns, skipped: list[Skipped], *, calendar: Calendar | None, date_from_text: bool | None
) -> Iterator[Document]:
    """Rows (records and row problems, in file order) read with ``cols``, one document each,
    made as they are taken; rows that cannot be read are added to ``skipped`` meanwhile."""
    # One object per distinct unit, title and date, shared by the rows that repeat it (a row's
    # parsed JSON gives each its own copy): a large corpus repeats a few units thousands of times.
    shared: dict = {}
    for row in rows:
        if not isinstance(row, Record):
            skipped.append(Skipped(source=str(path), line=row.line, reason=row.reason))
            continue
        made = _row_document(path, row, cols, calendar=calendar, date_from_text=date_from_text, shared=shared)
        if isinstance(made, Document):
            yield made
        else:
            skipped.append(made)


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


def _not_text(fields: dict, columns: Any) -> str:
    """Why a record's text, unit or title cannot be read as text ("" if they can): a JSON object,
    list or true/false where a text belongs, which would otherwise be analysed as its Python repr."""
    for role in ("text", "unit", "issuer", "title"):
        name = getattr(columns, role, None)
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
    date_from_text: bool | None = None,
    drop_duplicates: bool = True,
    progress: bool | None = None,
    date_range: tuple[int, int] = DATE_RANGE,
    store: bool | str | Path | TextWriter | None = None,
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

    ``store`` writes the texts to disk as they are read instead of keeping them: True for a
    temporary folder the corpus's store owns, a folder, or a :class:`~analysis.io.store.TextWriter`.
    The corpus's documents then carry no text (``text`` and ``normalized`` are empty), are kept
    as the rows of their table (:class:`~analysis.io.model.DocumentRows`: a sequence of Documents
    made when asked, not one object each) and ``Corpus.store`` reads the texts back by row
    (:class:`~analysis.io.store.TextStore`), so a large corpus is never held in memory whole.
    """
    check_format(fmt, path)
    paths = input_paths(path)
    files, skipped = list_inputs(paths, fmt)
    bar = counter("reading", total=sum(_size(f) for f in files), enabled=progress, unit="B")
    corpus = Corpus(documents=[], skipped=skipped)
    reading = Reading(layout, columns, fmt, encoding, script, calendar, date_from_text)
    if store is None or store is False:
        writer = None
    elif isinstance(store, TextWriter):
        writer = store
    else:
        writer = TextStore.writer(None if store is True else store)
    # With a writer the documents carry no text: kept as the rows of their table, not as objects,
    # made a piece at a time while reading.
    settling = _Settling(corpus, date_range, drop_duplicates, writer, rows=writer is not None)
    for file in files:
        _read_file(file, reading, corpus, bar, settling)
    bar.close()
    settling.finish()
    if writer is not None:
        corpus.store = writer.finish()
        corpus.documents = settling.rows(corpus.store.lengths(original=True))
    finish_corpus(corpus, paths, reading.found_columns)
    return corpus


def input_paths(path: str | Path | Sequence[str | Path] | None) -> list[Path]:
    """The paths a ``path`` argument names: the shipped bulletin when None."""
    if path is None:
        return [DEFAULT_CORPUS]
    if isinstance(path, (str, Path)):
        return [Path(path)]
    return [Path(p) for p in path]


def check_format(fmt: str, path: Any) -> None:
    """An unknown ``fmt`` is an error naming the corpus."""
    if fmt not in ("auto", *FORMATS):
        raise InputError(str(path), f"unknown format '{fmt}'", hint=f"use one of: auto, {', '.join(FORMATS)}")


def finish_corpus(corpus: Corpus, paths: Sequence[Path], found_columns: dict[tuple[str, str], list[str]]) -> None:
    """The last step of reading, once every file's documents are settled: a corpus with nothing
    to analyse is an error naming the first problem; otherwise the notes on columns and dates."""
    if not corpus.documents:
        first = corpus.skipped[0] if corpus.skipped else None
        if first is None:
            raise InputError(paths[0], "no documents found", hint="check the path and [corpus] format")
        where = f" (and {len(corpus.skipped) - 1} more skipped)" if len(corpus.skipped) > 1 else ""
        raise InputError(first.source, first.reason + where, line=first.line)
    _note_columns(corpus, found_columns)
    _note_dates(corpus)


@dataclass
class Reading:
    """The options of one reading (a read_corpus call, or every partition of one on a cluster),
    and the columns it found by name (for its notes)."""

    layout: PageLayout
    columns: Columns
    fmt: str
    encoding: str
    script: str
    calendar: Calendar | None
    date_from_text: bool | None
    found_columns: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (role, column) → files

    def __post_init__(self) -> None:
        self.chrome = self.layout.chrome_regex()
        self.widgets = self.layout.widget_regex()

    def __getstate__(self) -> dict:  # sent to Dask workers: the patterns are compiled again there
        return {k: v for k, v in self.__dict__.items() if k not in ("chrome", "widgets")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__post_init__()


@dataclass
class _FileReading:
    """What one file gave: documents, skipped items, and its account for ``Corpus.sources``."""

    documents: Iterable[Document]
    problems: list[Skipped]
    encoding: str
    removed: list[tuple[int, str]] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    replaced: tuple[tuple[int, int], ...] = ()


def _read_page_file(file: Path, data: bytes, kind: str, reading: Reading) -> _FileReading:
    """A page or document file read by its layout."""
    replaced: tuple[tuple[int, int], ...] = ()
    if kind in ("pdf", "docx"):
        text, used = document_text(file, data, kind), kind
    else:
        decoded = decode_lenient(file, data, encoding=reading.encoding)
        text, used = decoded.text, decoded.encoding
        replaced = tuple(sorted(decoded.replaced_lines().items()))
        text = html_to_page(text) if kind == "html" else strip_markup(text)
    page = read_page(text, source=str(file), layout=reading.layout, chrome=reading.chrome, widgets=reading.widgets)
    problems = [] if page.documents else [Skipped(source=str(file), reason="no text left after removing page chrome")]
    return _FileReading(page.documents, problems, used, page.removed, page.headings, replaced)


def _read_table_file(file: Path, data: bytes, digest: str | None, kind: str, reading: Reading, bar: Any) -> _FileReading:
    """A table or JSON Lines file, one document per row; the columns found by name are remembered."""
    if digest:
        rows, used, header = stream_jsonl(file, bar=bar), "utf-8", []
    else:
        rows, used, header = read_records(file, data, kind, encoding=reading.encoding)
    documents, problems, cols = _record_documents(file, rows, header, columns=reading.columns, calendar=reading.calendar, date_from_text=reading.date_from_text)
    found = ([("text", cols.text)] if reading.columns.text is None else []) + list(cols.found)
    for role, column in found:
        reading.found_columns.setdefault((role, column), []).append(file.name)
    return _FileReading(documents, problems, used)  # documents made as they are taken; problems filled meanwhile


def _read_file(file: Path, reading: Reading, corpus: Corpus, bar: Any, settling: _Settling) -> None:
    """Read one file into ``corpus``: its documents (through ``settling``), what was skipped, and its :class:`Source`."""
    kind = file_format(file, fmt=reading.fmt) or "txt"
    try:
        # Clean UTF-8 JSON Lines are read line by line, never whole: they can be large.
        digest = clean_utf8_digest(file, encoding=reading.encoding) if kind == "jsonl" else None
        data = b"" if digest else file.read_bytes()
    except OSError as error:
        corpus.skipped.append(Skipped(source=str(file), reason=f"cannot be read: {error.strerror or error} (check its permissions)"))
        return
    sha256 = digest or _sha256(data)
    try:
        if kind in ("txt", "html", "pdf", "docx"):
            got = _read_page_file(file, data, kind, reading)
        else:
            got = _read_table_file(file, data, digest, kind, reading, bar)
    except InputError as error:
        corpus.skipped.append(Skipped(source=str(file), line=error.line, reason=error.problem))
        corpus.sources.append(Source(path=str(file), sha256=sha256, encoding="", n_documents=0, format=kind, n_skipped=1))
        return
    table = kind in TABLE_FORMATS
    n_documents = settling.add(str(file), (_normalise(d, reading.script) for d in got.documents), table=table)
    if table and not n_documents and not got.problems:
        got.problems.append(Skipped(source=str(file), reason="no rows with text"))
    corpus.skipped.extend(got.problems)
    corpus.sources.append(
        Source(
            path=str(file),
            sha256=sha256,
            encoding=got.encoding,
            n_documents=n_documents,
            removed_lines=tuple(got.removed),
            format=kind,
            n_skipped=len(got.problems),
            headings=tuple(got.headings),
            replaced_bytes=got.replaced,
        )
    )
    if not digest:
        bar.update(len(data))


def _note_columns(corpus: Corpus, found: dict[tuple[str, str], list[str]]) -> None:
    """Say which columns were found by their names, where the config named none."""
    for (role, column), names in found.items():
        shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        hint = {"issuer": " (set [columns] unit to choose another)", "published": ""}.get(role, f" (set [columns] {role} to choose another)")
        corpus.notes.append(f"{role} read from the '{column}' column of {shown}{hint}")


class _Settling:
    """Documents settled as the files give them, in order: implausible dates blanked, repeated
    texts skipped, doc_ids made unique, and (with a ``writer``) the texts written to the store
    and dropped. Each step depends only on the documents before, so the result is the same as
    applying each to the whole corpus at the end, but no more than a batch of texts is held."""

    BATCH_CHARS = 500_000  # characters of text handed to the store at a time

    def __init__(self, corpus: Corpus, years: tuple[int, int], drop_duplicates: bool, writer: TextWriter | None, *, rows: bool = False):
        self.corpus, self.years, self.drop, self.writer = corpus, years, drop_duplicates, writer
        self.blanked = 0
        self.first_blanked: tuple[Document, date] | None = None
        # By a digest of the text (a copy of every text would double the corpus in memory), the
        # first document kept with it, by its position among those given (an int, not its
        # doc_id, source and line: read back from the documents kept when a duplicate names it).
        self.whole: dict[bytes, int] = {}
        self.pages: dict[tuple[bytes, ...], list[tuple[str, str, int | None]]] = {}  # pages' signatures
        self.duplicates: list[Skipped] = []  # listed after every other skipped item, in file order
        self.ids: dict[str, int] = {}
        self.renamed: dict[int, str] = {}  # kept document (its row) → its doc_id as read, where a suffix was added
        self.given = 0  # documents given so far
        self.positions = array("q")  # of the documents kept, in order: which of those given
        self.batch: list[Document] = []  # a table's documents settled but not yet kept
        self.n_kept = 0
        # rows: the documents kept go into their table a piece at a time (TableBuilder), not into a list
        self.table = TableBuilder() if rows else None

    def add(self, source: str, documents: Iterable[Document], *, table: bool, digests: Iterable[bytes] | None = None) -> int:
        """Settle one file's documents (``table``: one per row, else a page's); returns how many it gave.

        Within a file every document counts. Across files only whole documents do: a table's row,
        a page read as one document, or a page of several documents that repeats another page
        whole. A signature date or a stock sentence that two pages share is not a duplicate.
        ``digests`` (one per document, :func:`text_digest`) stand in for texts the documents do
        not carry (read on a cluster, whose workers send only these).
        """
        keys = iter(digests) if digests is not None else None
        base = self.given
        own: dict[bytes, tuple[str, str, int | None]] = {}
        own_skips: list[Skipped] = []
        later_skips: list[Skipped] = []
        n = 0
        if table:
            # A row repeating one of this file: a duplicate of the first in this file, kept or
            # itself a duplicate of another file's (``own`` holds those, by digest).
            size = 0
            for doc in documents:
                n += 1
                given = next(keys) if keys is not None else None
                doc = self._plausible(doc)
                if self.drop:
                    key = given if given is not None else text_digest(doc)
                    if key in own:
                        own_skips.append(self._skip(doc, own[key]))
                        continue
                    first = self.whole.get(key)
                    if first is not None:
                        if first >= base:
                            own_skips.append(self._skip(doc, self._first(first)))
                        else:
                            later_skips.append(self._skip(doc, self._first(first)))
                            own[key] = _where(doc)
                        continue
                    self.whole[key] = base + n - 1
                self.batch.append(doc)
                self.positions.append(base + n - 1)
                size += len(doc.text) + len(doc.normalized)
                if size >= self.BATCH_CHARS:
                    self._keep(self.batch)
                    self.batch, size = [], 0
            self._keep(self.batch)
            self.batch = []
        else:
            docs = [self._plausible(doc) for doc in documents]
            n = len(docs)
            if not self.drop:
                self.positions.extend(range(base, base + n))
                self._keep(docs)
            else:
                given = list(keys) if keys is not None else [text_digest(doc) for doc in docs]
                unique: list[tuple[bytes, Document]] = []
                where: dict[int, int] = {}  # id of a unique document → its position among those given
                for k, (key, doc) in enumerate(zip(given, docs, strict=True)):
                    if key in own:
                        own_skips.append(self._skip(doc, own[key]))
                    else:
                        own[key] = _where(doc)
                        unique.append((key, doc))
                        where[id(doc)] = base + k
                kept: list[Document] = []
                if len(unique) == 1:
                    key, doc = unique[0]
                    if key in self.whole:
                        later_skips.append(self._skip(doc, self._first(self.whole[key])))
                    else:
                        self.whole[key] = where[id(doc)]
                        kept.append(doc)
                elif unique:
                    signature = tuple(key for key, _ in unique)
                    if signature in self.pages:
                        later_skips.extend(self._skip(doc, first) for (_, doc), first in zip(unique, self.pages[signature]))
                    else:
                        self.pages[signature] = [own[key] for key, _ in unique]
                        kept = [doc for _, doc in unique]
                self.positions.extend(where[id(doc)] for doc in kept)
                self._keep(kept)
        self.duplicates.extend(own_skips + later_skips)
        self.given += n
        return n

    def finish(self) -> None:
        """List the duplicates (after every other skipped item) and note the blanked dates."""
        self.corpus.skipped.extend(self.duplicates)
        if self.first_blanked is not None:
            (low, high), (first, wrong) = self.years, self.first_blanked
            where = f"{first.source}:{first.line}" if first.line else first.source
            self.corpus.notes.append(
                f"{self.blanked} document(s) have a date outside {low}–{high} (a typo?), left blank: first {where}: {wrong.isoformat()} "
                "(set [dates] range in the config to allow other years)"
            )

    def rows(self, n_chars: Any) -> DocumentRows:
        """The documents kept, as the rows of their table (with ``rows``), with their texts' lengths."""
        assert self.table is not None, "settled without rows=True"
        return DocumentRows(self.table.finish(n_chars))

    def _first(self, given: int) -> tuple[str, str, int | None]:
        """(doc_id as read, source, line) of a document kept, by its position among those given."""
        row = bisect_left(self.positions, given)
        if row >= self.n_kept:  # in the batch being settled
            return _where(self.batch[row - self.n_kept])
        if self.table is not None:
            doc_id, source, line = (self.table.field(row, name) for name in ("doc_id", "source", "line"))
        else:
            doc = self.corpus.documents[row]
            doc_id, source, line = doc.doc_id, doc.source, doc.line
        return self.renamed.get(row, doc_id), source, line

    def _skip(self, doc: Document, first: tuple[str, str, int | None]) -> Skipped:
        doc_id, source, line = first
        where = f"{source}:{line}" if line else source
        return Skipped(source=doc.source, line=doc.line, reason=f"duplicate of {doc_id} ({where})")

    def _keep(self, docs: list[Document]) -> None:
        """Give repeated doc_ids (two files with one stem, an id column with repeats) a suffix;
        with a writer, write the texts and keep the documents without them."""
        fixed = []
        for doc in docs:
            n = self.ids.get(doc.doc_id, 0)
            self.ids[doc.doc_id] = n + 1
            if n:
                self.renamed[self.n_kept + len(fixed)] = doc.doc_id
                doc = replace(doc, doc_id=f"{doc.doc_id}~{n + 1}")
            if self.writer is not None:
                self.writer.add(doc.doc_id, doc.analysis_text, doc.text)
                doc = replace(doc, text="", normalized="")
            fixed.append(doc)
        if self.table is not None:
            self.table.add(fixed)
        else:
            self.corpus.documents.extend(fixed)
        self.n_kept += len(fixed)

    def _plausible(self, doc: Document) -> Document:
        """Blank every date outside the years (a typo such as 2920-04-26, which would also
        overflow the timelines' arithmetic) and note it on the document."""
        low, high = self.years

        def plausible(day: date | None) -> bool:
            return day is None or low <= day.year <= high

        if all(plausible(d) for d in (doc.date_start, doc.date_end, doc.published, doc.issued, doc.effective)):
            return doc
        wrong = next(d for d in (doc.date_start, doc.date_end, doc.published, doc.issued, doc.effective) if not plausible(d))
        self.blanked += 1
        if self.first_blanked is None:
            self.first_blanked = (doc, wrong)
        dates = {} if plausible(doc.date_start) and plausible(doc.date_end) else {"date_start": None, "date_end": None}
        return replace(
            doc,
            **dates,
            published=doc.published if plausible(doc.published) else None,
            issued=doc.issued if plausible(doc.issued) else None,
            effective=doc.effective if plausible(doc.effective) else None,
            date_note=f"date {wrong.isoformat()} outside {low}–{high}, left blank",
            kind=doc.kind if (doc.unit or plausible(doc.date_start)) else "summary",
        )


def _where(doc: Document) -> tuple[str, str, int | None]:
    return doc.doc_id, doc.source, doc.line


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def text_digest(doc: Document) -> bytes:
    """What duplicates are found by: a digest of the document's text, spaces aside."""
    return hashlib.blake2b("".join(doc.text.split()).encode("utf-8", "surrogatepass"), digest_size=16).digest()  # spaces aside


def _note_dates(corpus: Corpus) -> None:
    documents = corpus.documents
    if isinstance(documents, DocumentRows):  # read from the table's columns, making no Document per row
        frame = documents.frame
        undated = frame["date_start"].isna().to_numpy(dtype=bool)
        unreadable = frame["date_note"].str.startswith("unreadable date", na=False).to_numpy(dtype=bool)
        blank = (frame["date_note"] == "blank date cell").to_numpy(dtype=bool)
    else:
        undated = np.array([d.date_start is None for d in documents], dtype=bool)
        unreadable = np.array([d.date_note.startswith("unreadable date") for d in documents], dtype=bool)
        blank = np.array([d.date_note == "blank date cell" for d in documents], dtype=bool)
    if unreadable.any():
        first = documents[int(np.flatnonzero(unreadable)[0])]
        corpus.notes.append(
            f"{int(unreadable.sum())} document(s) have a date that could not be read and are left undated, "
            f"first {first.source}:{first.line}: {first.date_note}"
        )
    if blank.any():
        first = documents[int(np.flatnonzero(blank)[0])]
        corpus.notes.append(
            f"{int(blank.sum())} document(s) have a blank date cell and stay undated, first {first.source}:{first.line} "
            "(set [dates] from_text = true to date them from their title or text)"
        )
    n_undated = int(undated.sum())
    if n_undated and n_undated < len(documents):
        names = ", ".join(documents[int(i)].doc_id for i in np.flatnonzero(undated)[:3]) + (" …" if n_undated > 3 else "")
        corpus.notes.append(f"{n_undated} of {len(documents)} documents have no date and stay out of timelines: {names}")
