"""Excel workbooks the toolkit writes (the report's ``tables.xlsx``, the coders' sample):
Chinese intact, every text cell stored as text (never a formula: the corpus is untrusted web
text), and byte-identical from run to run."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

__all__ = ["write_workbook", "workbook_bytes", "store_text_as_text", "write_stable_zip", "stable_zip_bytes"]

_XLSX_CELL_LIMIT = 32_767
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FIXED_ZIP_DATE = (2000, 1, 1, 0, 0, 0)
_FIXED_XML_DATE = "2000-01-01T00:00:00Z"


def _cell(value: object) -> object:
    if isinstance(value, str):
        value = _ILLEGAL_XLSX.sub("", value)
        if len(value) > _XLSX_CELL_LIMIT:
            value = value[: _XLSX_CELL_LIMIT - 1] + "…"
    return value


def _cut_cells(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every cell too long for Excel: where it is and how long it was (the CSV keeps it whole)."""
    rows = []
    for name, table in tables.items():
        for column in table.columns:
            lengths = table[column].map(lambda v: len(v) if isinstance(v, str) else 0)
            for position in [i for i, n in enumerate(lengths) if n > _XLSX_CELL_LIMIT]:
                rows.append((name, position + 2, str(column), int(lengths.iloc[position])))
    return pd.DataFrame(rows, columns=["sheet", "row", "column", "characters"])


def _display_width(value: object) -> int:
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write :func:`workbook_bytes` of ``tables`` to ``path``, whole (a temporary name, then renamed)."""
    from .safe import write_file_safely

    return write_file_safely(path, workbook_bytes(tables))


def workbook_bytes(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """Write the tables as one xlsx workbook, a sheet per table; byte-identical for the same tables.

    Text stays Unicode (Chinese intact) and is always stored as text, never as a formula: a cell
    starting with "=", "+", "-" or "@" reads as written. Characters Excel forbids are dropped, and
    cells longer than Excel's limit (32,767 characters) are cut with "…" and listed in a last
    sheet, ``cut_cells`` (sheet, row, column, full length). Headers are frozen, columns sized.
    """
    from openpyxl.utils import get_column_letter

    for name in tables:
        if len(name) > 31 or re.search(r"[\[\]:*?/\\]", name):
            raise ValueError(f"'{name}' is not a valid sheet name (≤ 31 characters, none of []:*?/\\)")
    cut = _cut_cells(tables)
    if not cut.empty:  # never a silent loss: say which cells were shortened
        tables = {**tables, "cut_cells": cut}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            frame = table.copy()
            frame.columns = [_cell(c) if isinstance(c, str) else c for c in frame.columns]  # a measure named with a control character
            for column in frame.columns:
                if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                    frame[column] = frame[column].map(_cell)
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            store_text_as_text(sheet)
            sheet.freeze_panes = "A2"
            for i, column in enumerate(frame.columns, start=1):
                sample = [column, *frame[column].head(200).tolist()]
                width = min(max(_display_width(v) for v in sample) + 2, 60)
                sheet.column_dimensions[get_column_letter(i)].width = width
    return stable_zip_bytes(buffer.getvalue())


def store_text_as_text(sheet: object) -> None:
    """Make every text cell of ``sheet`` a string cell, never a formula or an error value.

    openpyxl stores a str that starts with "=" as a formula (data type "f") and one that
    equals an error code such as "#N/A" as an error ("e"): a paragraph scraped from the web
    reading ``=HYPERLINK(...)`` would become a live formula in Excel. Setting the data type
    back to "s" after assignment makes openpyxl write the cell as an inline string, text
    unchanged, whatever it begins with (=, +, -, @).
    """
    for row in sheet.iter_rows():  # type: ignore[attr-defined]
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type != "s":
                cell.data_type = "s"


def write_stable_zip(data: bytes, path: Path) -> Path:
    """Write :func:`stable_zip_bytes` of ``data`` to ``path``, whole."""
    from .safe import write_file_safely

    return write_file_safely(path, stable_zip_bytes(data))


def stable_zip_bytes(data: bytes) -> bytes:
    """An xlsx (a zip) rewritten with fixed entry dates and document dates, so reruns are identical."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + _FIXED_XML_DATE.encode() + m.group(3),
                    content,
                )
            info = zipfile.ZipInfo(entry.filename, date_time=_FIXED_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, content)
    return out.getvalue()
