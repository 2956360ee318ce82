"""Readers, kept for the names callers import from here: the readers themselves are one module
per input format in :mod:`analysis.io.formats` (decoding, text, html, documents, tables, jsonl,
scripts)."""

from __future__ import annotations

from .formats import *  # noqa: F401,F403 - the public names of every format module
from .formats import __all__ as __all__  # noqa: F401
