"""Which format a file is, by its suffix or the config."""

from __future__ import annotations

import csv
import html
from pathlib import Path


__all__ = ['PAGE_SUFFIXES', 'TABLE_SUFFIXES', 'SUPPORTED_SUFFIXES', 'FORMATS', 'file_format']


PAGE_SUFFIXES = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}


TABLE_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}


SUPPORTED_SUFFIXES = {**PAGE_SUFFIXES, **TABLE_SUFFIXES}


FORMATS = ("txt", "html", "pdf", "docx", "csv", "tsv", "xlsx", "jsonl")


def file_format(path: Path, *, fmt: str = "auto") -> str | None:
    """The format to read ``path`` as: ``fmt`` if given, else from the suffix; None if unsupported."""
    if fmt != "auto":
        return fmt
    return SUPPORTED_SUFFIXES.get(path.suffix.lower())
