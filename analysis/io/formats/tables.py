"""Tables: .csv, .tsv and .xlsx rows as records, with their line numbers."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...errors import InputError
from .decoding import Decoded, decode, decode_lenient
from .jsonl import _read_jsonl
from .records import Record, RowProblem

__all__ = ['read_records']


def read_records(path: Path, data: bytes, fmt: str, *, encoding: str = "auto") -> tuple[Iterator[Record | RowProblem], str, list[str]]:
    """Rows of a table or JSON Lines file: (rows and row problems in file order, encoding, column names).

    CSV/TSV rows with a different number of fields from the header and JSON lines that are
    not a JSON object come back as :class:`RowProblem` with their line number.
    """
    if fmt == "xlsx":
        return _read_xlsx(path, data)
    decoded = decode_lenient(path, data, encoding=encoding)
    text, used = decoded.text, decoded.encoding
    if fmt == "jsonl":
        return _read_jsonl(text, _damage_reasons(decoded, "newline")), used, []
    delimiter = "\t" if fmt == "tsv" else ","
    _allow_any_field_size()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:  # pragma: no cover - decode() rejects empty files
        raise InputError(path, "the table has no header row", hint="put column names on the first line") from None
    except csv.Error as error:
        raise InputError(path, f"the header row is not valid {fmt.upper()}: {error}", line=1, hint="fix the first line") from None
    damaged = _damage_reasons(decoded, "csv")
    if any(line <= reader.line_num for line in damaged):
        raise InputError(path, f"the header row has {damaged[min(damaged)]}", line=min(damaged), hint="fix the first line")
    header = [h.strip().lstrip("\ufeff") for h in header]
    _refuse_duplicate_columns(path, header)
    return _csv_rows(path, reader, header, damaged), used, header


def _allow_any_field_size() -> None:
    """Let the csv module read a cell of any size that fits in memory.

    Python's csv stops at 131,072 characters a field by default and reports a longer text as
    a quoting error, which would cut a long quoted text into rows at its line breaks. The limit
    is raised to the largest the platform's C long allows (the whole file is in memory already,
    so no cell can be larger than what was read); it is process-wide, as the csv module has it.
    """
    limit = sys.maxsize
    while limit > csv.field_size_limit():
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # a C long of 32 bits (Windows)
            limit //= 2


def _refuse_duplicate_columns(path: Path, header: list[str]) -> None:
    """A table whose header names one column twice is refused naming it: only one of the two
    could be read, and which one would be a guess (``text,date,unit,text``)."""
    seen: dict[str, int] = {}
    repeated: dict[str, list[int]] = {}
    for number, name in enumerate(header, start=1):
        if not name:
            continue  # unnamed columns (a trailing comma) are never read
        if name in seen:
            repeated.setdefault(name, [seen[name]]).append(number)
        else:
            seen[name] = number
    if repeated:
        shown = "; ".join(f"'{_shown(name)}' (columns {', '.join(map(str, numbers))})" for name, numbers in list(repeated.items())[:5])
        more = f" and {len(repeated) - 5} more" if len(repeated) > 5 else ""
        raise InputError(path, f"the header names a column more than once: {shown}{more}", line=1, hint="rename or remove the repeated columns")


def _shown(name: str, limit: int = 40) -> str:
    """A column name as an error message shows it: control characters escaped, long names cut."""
    name = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _damage_reasons(decoded: Decoded, breaks: str) -> dict[int, str]:
    """Line → why a record on it cannot be trusted: the bytes on it that are not in the file's encoding."""
    name = {"utf-8-sig": "UTF-8", "big5hkscs": "Big5"}.get(decoded.encoding, decoded.encoding.upper().removesuffix("-LE").removesuffix("-BE"))
    return {
        line: f"{count} byte{'s' if count > 1 else ''} that {'are' if count > 1 else 'is'} not {name} (a damaged or cut line)"
        for line, count in decoded.replaced_lines(breaks).items()
    }


def _csv_rows(path: Path, reader: Any, header: list[str], damaged: Mapping[int, str] | None = None, *, offset: int = 0) -> Iterator[Record | RowProblem]:
    """Records of the rows ``reader`` gives; line numbers ``offset`` more than the reader's own
    (the lines before a block of a file, when the reader reads that block alone)."""
    damaged = damaged or {}
    start = offset + reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield RowProblem(line=offset + reader.line_num, reason=f"malformed row: {error} (fix the quoting on that line)")
            continue
        line = start
        start = offset + reader.line_num + 1
        if damaged:
            bad = next((damaged[n] for n in range(line, start) if n in damaged), None)
            if bad is not None:
                yield RowProblem(line=line, reason=f"{bad}: fix or remove that row")
                continue
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield RowProblem(
                line=line, reason=f"malformed row: {len(row)} fields where the header has {len(header)} (check delimiters and quotes)"
            )
            continue
        yield Record(line=line, fields=dict(zip(header, row)))


def _read_xlsx(path: Path, data: bytes) -> tuple[Iterator[Record | RowProblem], str, list[str]]:
    import zipfile

    from openpyxl import load_workbook

    if not data.strip():
        raise InputError(path, "the file is empty", hint="remove it or add rows")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise InputError(path, f"not a readable .xlsx workbook ({type(error).__name__})", hint="save it again as .xlsx, or export it as .csv") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = ["" if h is None else str(h).strip() for h in next(rows)]
    except StopIteration:
        raise InputError(path, "the first sheet is empty", hint="put column names on row 1 and one document per row") from None
    _refuse_duplicate_columns(path, header)

    def records() -> Iterator[Record | RowProblem]:
        for number, row in enumerate(rows, start=2):
            if row is None or all(cell is None or str(cell).strip() == "" for cell in row):
                continue
            yield Record(line=number, fields={h: v for h, v in zip(header, row) if h})
        book.close()

    return records(), "xlsx", header
