"""Rows of tables and JSON Lines: a record with its line number, or the problem that stopped it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


__all__ = ['Record', 'RowProblem', 'TEXT_COLUMNS', 'find_text_column']


#: Column names that hold a record's text, tried in this order when the config names none.
TEXT_COLUMNS = ("text", "content", "body", "正文", "内容", "全文")


@dataclass(frozen=True)
class Record:
    """One row of a table or one JSON line: its fields and where it came from."""

    line: int  # 1-based line (row) in the source file
    fields: dict[str, Any]


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot be read (malformed CSV row, broken JSON line); the rest goes on."""

    line: int
    reason: str


def find_text_column(names: list[str]) -> str | None:
    """The first of :data:`TEXT_COLUMNS` among ``names`` (case aside for Latin names), or None."""
    lowered = {str(n).strip().lower(): n for n in names}
    return next((lowered[c] for c in TEXT_COLUMNS if c in lowered), None)
