"""Partitions: a corpus cut into pieces that are each read alone (on a Dask worker), with the
code :func:`~analysis.io.corpus.read_corpus` reads whole files with.

A large clean UTF-8 JSON Lines or CSV/TSV file is cut into byte blocks of about
:data:`BLOCK_BYTES` that start and end at a row boundary: JSON Lines at a line break, CSV where
the csv module ends a row (so a quoted text with line breaks is never cut; the file is scanned
with the csv module once to find them). Each block knows the line number it starts at, and the
columns its file is read with, so its rows become the documents, ids and skipped rows the whole
file would give. Every other file (pages, documents, workbooks, small or non-UTF-8 tables) is a
piece of its own, read whole by :func:`~analysis.io.corpus.read_corpus`'s own per-file step;
small files are grouped into partitions of about :data:`BLOCK_BYTES`.

What a partition read gives (:class:`PieceReading`) holds no text unless asked: the documents'
metadata, a digest of each text (for dropping duplicates across partitions) and its length.
The steps that look across files (duplicates, unique ids, implausible dates, notes) then run
once, on those records (:func:`assemble`, then :func:`~analysis.io.corpus.finish_corpus`).
"""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, InputError
from .corpus import (
    DATE_RANGE,
    TABLE_FORMATS,
    Reading,
    _file_columns,
    _normalise,
    _read_file,
    _rows_documents,
    _Settling,
    _size,
    _TableColumns,
    finish_corpus,
    text_digest,
)
from .formats import Record, clean_utf8_digest, file_format
from .formats.jsonl import _json_line, jsonl_block_records
from .formats.records import RowProblem
from .formats.tables import _allow_any_field_size, _csv_rows, _refuse_duplicate_columns
from .model import Corpus, Document, Skipped, Source

__all__ = ["BLOCK_BYTES", "Block", "TableScan", "Piece", "PieceReading", "worth_scanning", "scan_table", "plan_partitions", "read_partition", "assemble", "SPLIT_FORMATS"]

#: About how many bytes of input one partition holds (a block of a large table, or small files together).
BLOCK_BYTES = 16 * 2**20

#: Formats a large file of which is cut into blocks (when it is clean UTF-8).
SPLIT_FORMATS = ("jsonl", "csv", "tsv")


@dataclass(frozen=True)
class Block:
    """Bytes ``start:end`` of a file, whole rows; its first line is line ``first_line`` of the file."""

    start: int
    end: int
    first_line: int


@dataclass(frozen=True)
class TableScan:
    """A large clean UTF-8 table cut into blocks, with what each block needs to be read alone."""

    path: Path
    kind: str
    sha256: str
    blocks: tuple[Block, ...]
    cols: _TableColumns
    header: tuple[str, ...] = ()  # CSV/TSV: the column names


@dataclass(frozen=True)
class Piece:
    """A file read whole (``scan`` None) or one block of a scanned table."""

    path: Path
    scan: TableScan | None = None
    block: int = 0  # which of the scan's blocks


@dataclass
class PieceReading:
    """What a piece gave: documents (texts removed unless kept), skipped rows, each text's digest
    and length; a file read whole also gives its :class:`Source` and the columns found by name."""

    path: str
    documents: list[Document]
    skipped: list[Skipped]
    digests: list[bytes]
    n_chars: list[int]
    sources: list[Source] = field(default_factory=list)
    found: list[tuple[str, str]] = field(default_factory=list)


def worth_scanning(path: Path, reading: Reading, blocksize: int = BLOCK_BYTES) -> bool:
    """Whether ``path`` may be cut into blocks: a JSON Lines or CSV/TSV file over ``blocksize`` bytes."""
    return file_format(path, fmt=reading.fmt) in SPLIT_FORMATS and _size(path) > blocksize


def scan_table(path: Path, reading: Reading, blocksize: int = BLOCK_BYTES) -> TableScan | None:
    """The blocks of a table worth cutting (over ``blocksize`` bytes, clean UTF-8, its columns
    found); None for a file to read whole, which then meets read_corpus's own checks and messages."""
    if not worth_scanning(path, reading, blocksize):
        return None
    kind = file_format(path, fmt=reading.fmt)
    try:
        sha256 = clean_utf8_digest(path, encoding=reading.encoding)
        if sha256 is None:
            return None
        if kind == "jsonl":
            return _scan_jsonl(path, sha256, reading, blocksize)
        return _scan_csv(path, kind, sha256, reading, blocksize)
    except (OSError, InputError, UnicodeDecodeError):
        return None  # read whole: the file's problem is then reported as read_corpus reports it


def _scan_jsonl(path: Path, sha256: str, reading: Reading, blocksize: int) -> TableScan | None:
    blocks: list[Block] = []
    first: Record | RowProblem | None = None
    start, first_line, position, number = 0, 1, 0, 0
    with path.open("rb") as stream:
        for line in stream:
            number += 1
            position += len(line)
            if first is None and line.strip():
                value, problem = _json_line(line.decode("utf-8").removesuffix("\n"))
                if problem or not isinstance(value, dict):
                    first = RowProblem(line=number, reason="")
                else:
                    first = Record(line=number, fields=value)
            if position - start >= blocksize and line.endswith(b"\n"):
                blocks.append(Block(start, position, first_line))
                start, first_line = position, number + 1
    if position > start:
        blocks.append(Block(start, position, first_line))
    cols = _file_columns(path, [], first, reading.columns)
    return TableScan(path, "jsonl", sha256, tuple(blocks), cols)


def _scan_csv(path: Path, kind: str, sha256: str, reading: Reading, blocksize: int) -> TableScan | None:
    """Blocks that end where the csv module ends a row: the file is parsed once, as it will be
    read (lines split at \\n, \\r and \\r\\n), counting the bytes each row takes."""
    _allow_any_field_size()
    consumed = 0
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")

        def lines() -> Iterator[str]:
            nonlocal consumed
            for line in text:
                consumed += len(line.encode("utf-8"))
                yield line

        reader = csv.reader(lines(), delimiter="\t" if kind == "tsv" else ",")
        try:
            header = [h.strip().lstrip("\ufeff") for h in next(reader)]
        except (StopIteration, csv.Error):
            return None
        if not header:
            return None
        _refuse_duplicate_columns(path, header)
        cols = _file_columns(path, header, None, reading.columns)
        blocks: list[Block] = []
        start, first_line = 0, 1
        while True:
            try:
                next(reader)
            except StopIteration:
                break
            except csv.Error:
                continue  # never cut after a malformed row: the row after it is numbered from it
            if consumed - start >= blocksize:
                blocks.append(Block(start, consumed, first_line))
                start, first_line = consumed, reader.line_num + 1
    if consumed > start:
        blocks.append(Block(start, consumed, first_line))
    return TableScan(path, kind, sha256, tuple(blocks), cols, tuple(header))


def plan_partitions(files: Sequence[Path], scans: Sequence[TableScan | None], blocksize: int = BLOCK_BYTES) -> list[tuple[Piece, ...]]:
    """Partitions of the files (in order): each block of a scanned table alone, other files
    together up to about ``blocksize`` bytes (a folder of pages: files as partitions)."""
    partitions: list[tuple[Piece, ...]] = []
    pending: list[Piece] = []
    size = 0
    for path, scan in zip(files, scans):
        if scan is None:
            pending.append(Piece(path))
            size += _size(path)
            if size >= blocksize:
                partitions.append(tuple(pending))
                pending, size = [], 0
            continue
        if pending:
            partitions.append(tuple(pending))
            pending, size = [], 0
        partitions.extend((Piece(path, scan, i),) for i in range(len(scan.blocks)))
    if pending:
        partitions.append(tuple(pending))
    return partitions


def read_partition(partition: Sequence[Piece], reading: Reading, *, texts: bool = False) -> list[PieceReading]:
    """Read one partition's pieces: documents as read_corpus makes them (normalised), with their
    texts only when ``texts``; always each text's digest and length."""
    return [_read_piece(piece, reading, texts) for piece in partition]


def _read_piece(piece: Piece, reading: Reading, texts: bool) -> PieceReading:
    if not piece.path.exists():  # listed where the run started, missing where this partition is read
        raise ConfigError(  # (an InputError does not survive the trip back from a worker: it cannot be pickled)
            f"{piece.path}: not found where a Dask worker reads it (the workers read the corpus themselves: "
            "put it in a folder every machine sees at the same path)"
        )
    if piece.scan is None:
        corpus = Corpus(documents=[])
        own = replace(reading, found_columns={})
        given = _Given()
        _read_file(piece.path, own, corpus, _NoBar(), given)
        documents, skipped, sources = given.documents, corpus.skipped, corpus.sources
        found = [key for key in own.found_columns]
    else:
        documents, skipped = _read_block(piece.scan, piece.scan.blocks[piece.block], reading)
        sources, found = [], []
    digests = [text_digest(d) for d in documents]
    n_chars = [len(d.text) for d in documents]
    if not texts:
        documents = [replace(d, text="", normalized="") for d in documents]
    return PieceReading(str(piece.path), documents, skipped, digests, n_chars, sources, found)


class _Given:
    """Stands in for read_corpus's settling step on a worker: keeps a file's documents as given
    (the settling, which looks across files, runs where the partitions are joined)."""

    def __init__(self) -> None:
        self.documents: list[Document] = []

    def add(self, source: str, documents: Any, *, table: bool) -> int:
        before = len(self.documents)
        self.documents.extend(documents)
        return len(self.documents) - before


def _read_block(scan: TableScan, block: Block, reading: Reading) -> tuple[list[Document], list[Skipped]]:
    with scan.path.open("rb") as stream:
        stream.seek(block.start)
        text = stream.read(block.end - block.start).decode("utf-8")
    if scan.kind == "jsonl":
        rows = jsonl_block_records(text, block.first_line)
    else:
        _allow_any_field_size()
        reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if scan.kind == "tsv" else ",")
        if block.start == 0:
            next(reader)  # the header, read by the scan
        rows = _csv_rows(scan.path, reader, list(scan.header), offset=block.first_line - 1)
    skipped: list[Skipped] = []
    documents = _rows_documents(scan.path, rows, scan.cols, skipped, calendar=reading.calendar, date_from_text=reading.date_from_text)
    return [_normalise(d, reading.script) for d in documents], skipped


class _NoBar:
    def update(self, n: int) -> None:
        pass


@dataclass
class Assembled:
    """The partitions' readings joined in file order and settled as read_corpus settles them:
    the corpus (documents without text), and for each document kept its partition, its
    position there and its length."""

    corpus: Corpus
    partition: np.ndarray  # int32, one per document kept (arrays: a Python int a document would cost 36 bytes)
    position: np.ndarray  # int64
    n_chars: np.ndarray  # int64


def assemble(
    paths: Sequence[Path],
    skipped: list[Skipped],
    partitions: Sequence[Sequence[Piece]],
    readings: Iterable[Sequence[PieceReading]],
    reading: Reading,
    *,
    drop_duplicates: bool = True,
    date_range: tuple[int, int] = DATE_RANGE,
) -> Assembled:
    """Join the partitions' readings (in order) into the corpus read_corpus would give, less the
    texts: each file's documents settled in turn (dates, duplicates by the texts' digests, ids),
    what was skipped, one :class:`Source` per file, and the notes."""
    corpus = Corpus(documents=[], skipped=list(skipped))
    settling = _Settling(corpus, date_range, drop_duplicates, None, rows=True)  # the documents as rows of their table, not one object each
    found: dict[tuple[str, str], list[str]] = {}
    partition_of, position_in, lengths = array("i"), array("q"), array("q")  # every document given: where it is, its length
    table: dict = {}  # the blocks so far of the table being joined
    for index, (partition, got) in enumerate(zip(partitions, readings)):
        start = 0
        for piece, part in zip(partition, got):
            partition_of.extend([index] * len(part.documents))
            position_in.extend(range(start, start + len(part.documents)))
            start += len(part.documents)
            lengths.extend(part.n_chars)
            if piece.scan is None:
                kind = part.sources[0].format if part.sources else ""
                settling.add(part.path, part.documents, table=kind in TABLE_FORMATS, digests=part.digests)
                corpus.skipped.extend(part.skipped)
                corpus.sources.extend(part.sources)
                for key in part.found:
                    found.setdefault(key, []).append(piece.path.name)
                continue
            if piece.block == 0:
                table = {"documents": [], "digests": [], "skipped": []}
                cols = piece.scan.cols
                for key in ([("text", cols.text)] if reading.columns.text is None else []) + list(cols.found):
                    found.setdefault(key, []).append(piece.path.name)
            table["documents"].extend(part.documents)
            table["digests"].extend(part.digests)
            table["skipped"].extend(part.skipped)
            if piece.block == len(piece.scan.blocks) - 1:
                n = settling.add(part.path, table["documents"], table=True, digests=table["digests"])
                problems = table["skipped"] or ([] if n else [Skipped(source=part.path, reason="no rows with text")])
                corpus.skipped.extend(problems)
                corpus.sources.append(
                    Source(path=part.path, sha256=piece.scan.sha256, encoding="utf-8", n_documents=n, format=piece.scan.kind, n_skipped=len(problems))
                )
                table = {}
    settling.finish()
    kept = np.frombuffer(settling.positions, dtype=np.int64) if len(settling.positions) else np.zeros(0, dtype=np.int64)
    given = (np.frombuffer(a, dtype=t) if len(a) else np.zeros(0, dtype=t) for a, t in ((partition_of, np.int32), (position_in, np.int64), (lengths, np.int64)))
    joined = Assembled(corpus, *(column[kept] for column in given))
    corpus.documents = settling.rows(joined.n_chars)
    finish_corpus(corpus, paths, found)
    return joined
