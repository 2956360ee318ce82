"""Input formats: each module turns one kind of file into text or records, whatever its encoding.

Everything a user may hand in is read here, checked once at the boundary (scikit-learn's
rule): pages (``.txt``: text.py, ``.html``/``.htm``: html.py) and documents (``.pdf``,
``.docx``: documents.py) become text; tables (``.csv``, ``.tsv``, ``.xlsx``: tables.py) and
JSON Lines (``.jsonl``: jsonl.py) become :class:`Record` rows with their line numbers
(records.py). Bytes are decoded, and damage accounted for, in one place (decoding.py);
traditional characters are detected and converted in scripts.py. A problem with a whole file
raises :class:`~analysis.errors.InputError` naming the file; a problem with one row is
returned as a :class:`RowProblem`, so the caller can skip that row, report it, and keep the rest.
"""

from __future__ import annotations

from .decoding import DAMAGE_SHARE, Decoded, damage_limit, decode, decode_lenient
from .documents import document_text
from .html import html_to_page, html_to_text
from .jsonl import clean_utf8_digest, stream_jsonl
from .kinds import FORMATS, PAGE_SUFFIXES, SUPPORTED_SUFFIXES, TABLE_SUFFIXES, file_format
from .records import TEXT_COLUMNS, Record, RowProblem, find_text_column
from .scripts import is_traditional, may_be_traditional, to_simplified
from .tables import read_records
from .text import strip_markup

__all__ = [
    "PAGE_SUFFIXES",
    "TABLE_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "FORMATS",
    "Record",
    "RowProblem",
    "file_format",
    "decode",
    "decode_lenient",
    "Decoded",
    "DAMAGE_SHARE",
    "damage_limit",
    "html_to_text",
    "strip_markup",
    "html_to_page",
    "document_text",
    "find_text_column",
    "TEXT_COLUMNS",
    "read_records",
    "clean_utf8_digest",
    "stream_jsonl",
    "may_be_traditional",
    "is_traditional",
    "to_simplified",
]
