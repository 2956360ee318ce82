"""The data model of reading: a :class:`Document` with the variables that travel with it, the
account of every input (:class:`Source`, :class:`Skipped`), the :class:`Corpus`, and the reading
options of pages (:class:`PageLayout`) and tables (:class:`Columns`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .chrome import MAX_CHROME_LINE, read_patterns

if TYPE_CHECKING:
    from .store import TextStore

__all__ = ["Document", "DocumentRows", "TableBuilder", "Source", "Skipped", "Corpus", "PageLayout", "Columns", "LAYOUTS"]

#: The page layouts a page is read as (``layout`` in documents.csv; ``[page] layout`` forces one).
LAYOUTS = ("bulletin", "article", "official", "report", "disclosure")


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
    #: How the page was read (one of LAYOUTS); "" for rows of tables and JSON Lines.
    layout: str = ""
    #: The parts of an official document (公文): issuing body as written, 文号, 文种, its own
    #: date (signature / 成文日期 / session date), the date it takes effect, its addressees.
    issuer: str = ""
    doc_number: str = ""
    doc_type: str = ""
    issued: date | None = None
    effective: date | None = None
    addressees: str = ""

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


_OFFICIAL_COLUMNS = ("layout", "issuer", "doc_number", "doc_type", "issued", "effective", "addressees")
#: The documents table's columns, in order (``text``: the text as read; ``n_chars``: its length).
_FRAME_COLUMNS = (
    "doc_id", "unit", "date_start", "date_end", "text", "date_note", "kind", "unit_name", "source", "line", "title",
    "published", "publisher", "n_chars", "script", *_OFFICIAL_COLUMNS,
)
_DATE_FIELDS = ("date_start", "date_end", "published", "issued", "effective")
#: The table of a corpus without documents (its columns as the table of one with documents names them).
_EMPTY_FRAME = pd.DataFrame([], columns=list(_FRAME_COLUMNS), dtype=object).astype({"line": "Int64", "n_chars": "int64", "script": "float64"})
#: Document's fields in order, with their defaults.
_DOCUMENT_FIELDS = tuple((f.name, "" if f.name in ("doc_id", "text") else f.default) for f in dataclass_fields(Document))


class DocumentRows(Sequence[Document]):
    """A corpus's documents as the rows of its documents table (:meth:`Corpus.to_frame` with
    ``text=False``): each :class:`Document` is made when asked, equal to the one read, without
    its text. A list would hold one object per document beside the table (about 300 bytes each:
    90 MB for 300,000 documents); a corpus whose texts are on disk keeps its documents this way."""

    _CHUNK = 4096  # rows made into Documents at a time (the last chunk is kept for the next access)

    def __init__(self, frame: pd.DataFrame):
        self._frame = frame.copy(deep=False)  # the caller's later changes to its frame do not reach here
        self._cached: tuple[int, list[Document]] | None = None

    @property
    def frame(self) -> pd.DataFrame:
        """The documents table the rows are read from (treat it as read-only)."""
        return self._frame

    def __len__(self) -> int:
        return len(self._frame)

    def __repr__(self) -> str:
        return f"DocumentRows({len(self)} documents)"

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return [self[i] for i in range(*key.indices(len(self)))]
        n, i = len(self), int(key)
        if not -n <= i < n:
            raise IndexError(f"document {key} of {n}")
        i += n if i < 0 else 0
        start = i - i % self._CHUNK
        if self._cached is None or self._cached[0] != start:
            self._cached = (start, self._documents(start, min(start + self._CHUNK, n)))
        return self._cached[1][i - start]

    def __iter__(self) -> Iterator[Document]:
        for start in range(0, len(self), self._CHUNK):
            yield from self._documents(start, min(start + self._CHUNK, len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (DocumentRows, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # as the list it stands for

    def _documents(self, start: int, stop: int) -> list[Document]:
        rows = self._frame.iloc[start:stop]
        columns = []
        for name, default in _DOCUMENT_FIELDS:
            if name in ("text", "normalized") or name not in rows.columns:
                columns.append([default] * len(rows))  # the texts are on disk, not in the table
                continue
            column = rows[name].tolist()
            if rows[name].dtype != object:  # str and Int64 columns give NaN / NA where the Document had None
                column = [_none_if_missing(v) for v in column]
            columns.append(column)
        return [Document(*row) for row in zip(*columns)]


@dataclass
class Corpus:
    """Documents plus the account of every input: sources read and items skipped.

    When the texts were written to disk as they were read (``read_corpus(..., store=True)``),
    ``store`` holds them, row by row as ``documents``, and the documents carry no text: they are
    then kept as the rows of the documents table (:class:`DocumentRows`, a sequence of
    :class:`Document` made when asked) rather than as a list of objects."""

    documents: list[Document] | DocumentRows
    sources: list[Source] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a reader should know: undated documents, …
    store: TextStore | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def n_read(self) -> int:
        """Documents read: analysed + skipped."""
        return len(self.documents) + len(self.skipped)

    def analysis_texts(self) -> list[str]:
        """The texts to match and segment (simplified where the original is traditional)."""
        if self.store is not None:
            return self.store.texts()
        return [d.analysis_text for d in self.documents]

    def texts(self, original: bool = False) -> list[str]:
        """Every document's text as read (``original``) or as analysed, in order."""
        if self.store is not None:
            return self.store.texts(original=original)
        return [d.text if original else d.analysis_text for d in self.documents]

    @property
    def units(self) -> list[str]:
        """Units in order of first appearance."""
        units = self.documents.frame["unit"] if isinstance(self.documents, DocumentRows) else (d.unit for d in self.documents)
        return list(dict.fromkeys(u for u in units if isinstance(u, str) and u))

    def to_frame(self, text: bool = True) -> pd.DataFrame:
        """One row per document; the first columns are ``doc_id, unit, date_start, date_end, text``
        (``text``: the text as read; ``text=False`` leaves that column out: the documents' variables only).
        Dates are ``datetime.date`` (one object per distinct day) or None."""
        if isinstance(self.documents, DocumentRows):  # the table itself (a copy that shares its data)
            frame = self.documents.frame.copy(deep=False)
            if text:
                frame.insert(_FRAME_COLUMNS.index("text"), "text", self.store.texts(original=True) if self.store is not None else [d.text for d in self.documents])
            return frame
        documents = self.documents
        if not len(documents):
            return _EMPTY_FRAME.drop(columns=[] if text else ["text"])
        # The table reading builds a piece at a time (TableBuilder), here in one piece: a column
        # at a time from one field of every document, each column typed over all of them.
        if self.store is not None:
            texts = self.store.texts(original=True) if text else None
            n_chars: Any = self.store.lengths(original=True)
        else:
            texts = [d.text for d in documents]
            n_chars = pd.Series(texts).str.len()
        builder = TableBuilder(piece=len(documents))
        builder.add(documents)
        frame = builder.finish(n_chars)
        if text:
            frame.insert(_FRAME_COLUMNS.index("text"), "text", texts)
        return frame


def _none_if_missing(value: Any) -> Any:
    """None for a missing value as pandas gives it back (NA, NaN), the value otherwise: what the
    :class:`Document`'s field held."""
    return None if value is pd.NA or (isinstance(value, float) and value != value) else value


def _frame_column(name: str, values: list, index: pd.Index, same: dict[date, date]) -> Any:
    """One variable of the documents table (not ``text`` or ``n_chars``) from ``values``, that
    field of every document, with the column's type (dates: ``datetime.date`` objects, one per
    distinct day through ``same``; ``line``: Int64; the official document's parts: object; the
    rest as pandas infers)."""
    if name in _DATE_FIELDS:
        return pd.Series([same.setdefault(v, v) if isinstance(v, date) else v for v in values], index=index, dtype=object)
    if name == "line":
        return pd.Series(values, index=index).astype("Int64")
    if name in _OFFICIAL_COLUMNS:
        return pd.Series(values, index=index, dtype=object)
    return values


class TableBuilder:
    """The documents table (:meth:`Corpus.to_frame` with ``text=False``) built from documents
    given a batch at a time, as they are read: every ``PIECE`` documents become a piece of the
    table and are let go, so reading never holds a :class:`Document` per document beside the
    table. The table is the one ``to_frame`` gives for all the documents at once: the same
    columns, values and types (a column whose pieces pandas typed differently is typed again over
    the whole column, as ``to_frame`` would). A column equal to an earlier one of the same type
    (all "" or all None, ``date_end`` = ``date_start``, ``unit_name`` = ``unit`` …) shares that
    column's data, which pandas copies only if one of them is written to: a JSON Lines corpus's
    table has 12 object columns of 8 bytes a row, 3 of them distinct."""

    PIECE = 4096

    def __init__(self, *, piece: int | None = None) -> None:
        self.piece = max(1, piece or self.PIECE)  # documents a piece (to_frame: all of them, one piece)
        self._pending: list[Document] = []
        self._pieces: list[dict[str, Any]] = []
        self._same: dict[date, date] = {}  # one date object per distinct day, across the pieces

    def __len__(self) -> int:
        return len(self._pieces) * self.piece + len(self._pending)

    def add(self, documents: Iterable[Document]) -> None:
        self._pending.extend(documents)
        while len(self._pending) >= self.piece:
            batch, self._pending = self._pending[: self.piece], self._pending[self.piece :]
            self._piece(batch)

    def _piece(self, batch: list[Document]) -> None:
        """The batch's columns; a column equal to an earlier one of the same kind is that column."""
        index = pd.RangeIndex(len(batch))
        piece: dict[str, pd.Series] = {}
        fields: dict[str, list] = {}
        for name in _VARIABLES:
            values = [getattr(d, name) for d in batch]
            twin = next((other for other, seen in fields.items() if _KINDS[other] == _KINDS[name] and seen == values), None)
            fields[name] = values
            piece[name] = piece[twin] if twin else pd.Series(_frame_column(name, values, index, self._same), index=index)
        self._pieces.append(piece)

    def field(self, row: int, name: str) -> Any:
        """One field of a document given so far (by its row), as its :class:`Document` had it."""
        piece, i = divmod(row, self.piece)
        if piece == len(self._pieces):
            return getattr(self._pending[i], name)
        value = _none_if_missing(self._pieces[piece][name].iloc[i])
        return int(value) if isinstance(value, np.integer) else value

    def finish(self, n_chars: Any) -> pd.DataFrame:
        """The table of every document given, with ``n_chars`` (their texts' lengths); the pieces
        are let go a column at a time as the table is put together."""
        if self._pending:
            self._piece(self._pending)
            self._pending = []
        pieces, self._pieces = self._pieces, []
        n = sum(len(piece["doc_id"]) for piece in pieces)
        if not n:
            return _EMPTY_FRAME.drop(columns=["text"])
        # A column that is an earlier one in every piece is that column in the table too.
        twins = {}
        for k, name in enumerate(_VARIABLES):
            twin = next((t for t in _VARIABLES[:k] if all(p[name] is p[t] for p in pieces)), None)
            if twin is not None:
                twins[name] = twin
        frame = pd.DataFrame(index=pd.RangeIndex(n))
        for name in _FRAME_COLUMNS:
            if name == "n_chars":
                frame[name] = n_chars
            elif name in twins:
                frame[name] = frame[twins[name]]  # shared data, copied on write
            elif name != "text":
                frame[name] = _joined([piece[name] for piece in pieces], frame.index)
            for piece in pieces:  # let each piece's column go as soon as the table has it
                piece.pop(name, None)
        return frame


#: The columns of the documents table read from the documents' fields.
_VARIABLES = tuple(name for name in _FRAME_COLUMNS if name not in ("text", "n_chars"))
#: What type each column gets: object (dates, official parts), Int64 (line), or as pandas infers.
_KINDS = {name: "object" if name in _DATE_FIELDS or name in _OFFICIAL_COLUMNS else "Int64" if name == "line" else "inferred" for name in _VARIABLES}


def _joined(parts: list[pd.Series], index: pd.Index) -> pd.Series:
    """The pieces of one column as one column, typed as the whole column would be."""
    if len({part.dtype for part in parts}) > 1:  # pandas typed the pieces differently: type the whole column again
        values = [_none_if_missing(v) for part in parts for v in part.tolist()]
        return pd.Series(values, index=index)
    whole = pd.concat(parts, ignore_index=True)
    if isinstance(whole.dtype, pd.StringDtype) and whole.dtype.storage == "pyarrow":
        whole = pd.Series(whole.array.__arrow_array__().combine_chunks(), index=index, dtype=whole.dtype)  # one chunk, as to_frame makes it
    return whole


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
    #: The layout every page is read as (one of LAYOUTS), or None to decide page by page.
    page_layout: str | None = None
    #: 文号 issuer codes → issuers, on top of the shipped resources/doc_number_prefixes.toml.
    issuer_prefixes: tuple[tuple[str, str], ...] = ()

    def chrome_regex(self) -> re.Pattern[str]:
        patterns = self.chrome_patterns or read_patterns("page_chrome.txt")
        return re.compile("|".join(f"(?:{p})" for p in patterns))

    def widget_regex(self) -> re.Pattern[str] | None:
        patterns = read_patterns("page_widgets.txt") if self.widget_patterns is None else self.widget_patterns
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None



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


