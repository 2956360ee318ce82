"""JSON Lines: one record per line, streamed when the file is clean UTF-8."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .decoding import _BOMS, decode_lenient
from .records import Record, RowProblem

__all__ = ['clean_utf8_digest', 'stream_jsonl', 'jsonl_block_records']


_STREAM_BLOCK = 1 << 20


def clean_utf8_digest(path: Path, *, encoding: str = "auto") -> str | None:
    """The SHA-256 of a file that is clean UTF-8 text (no byte order mark, no NUL in its first
    4096 bytes, not blank), read block by block; None for any other file, which is then read
    whole, to be detected, repaired or refused as :func:`decode_lenient` does."""
    if encoding not in ("auto", "utf-8"):
        return None
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    blank = True
    with path.open("rb") as stream:
        head = stream.read(4096)
        if head.startswith(_BOMS) or b"\x00" in head:
            return None
        block = head
        while block:
            digest.update(block)
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                return None
            blank = blank and block.isspace()
            block = stream.read(_STREAM_BLOCK)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return None if blank else digest.hexdigest()


def stream_jsonl(path: Path, *, bar: Any = None) -> Iterator[Record | RowProblem]:
    """The records of a clean UTF-8 JSON Lines file (see :func:`clean_utf8_digest`), read line by
    line: the file is never held whole. ``bar`` (a progress counter) is told the bytes read."""

    def lines(stream: Any) -> Iterator[str]:
        for line in stream:
            if bar is not None:
                bar.update(len(line))
            yield line.decode("utf-8").removesuffix("\n")  # as text.split("\n") gives the lines of a file read whole

    with path.open("rb") as stream:
        yield from _jsonl_records(lines(stream))


def _read_jsonl(text: str, damaged: Mapping[int, str] | None = None) -> Iterator[Record | RowProblem]:
    return _jsonl_records(text.split("\n"), damaged)


def _jsonl_records(lines: Iterable[str], damaged: Mapping[int, str] | None = None, *, start: int = 1) -> Iterator[Record | RowProblem]:
    """JSON Lines records, lines split at \\n only (as the format says: a U+2028 inside a text is
    part of its line) and numbered from ``start`` (1: a whole file; more for a block of one)."""
    damaged = damaged or {}
    for number, line in enumerate(lines, start=start):
        if number in damaged:
            yield RowProblem(line=number, reason=f"{damaged[number]}: fix or remove that line")
            continue
        if not line.strip():
            continue
        value, problem = _json_line(line)
        if problem:
            yield RowProblem(line=number, reason=problem)
            continue
        if not isinstance(value, dict):
            yield RowProblem(line=number, reason=f"a JSON {type(value).__name__}, not an object with named fields (one {{...}} per line)")
            continue
        yield Record(line=number, fields=value)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _json_line(line: str) -> tuple[Any, str]:
    """One JSON line parsed, or why it cannot be: invalid JSON, nesting too deep for the parser
    (RecursionError), a number too long to convert (Python's 4,300-digit limit), or a lone
    surrogate escape (``\\ud800``), which is no character and cannot be written out."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        message = error.msg.removesuffix(" at")  # json says "Invalid control character at"
        return None, f"not valid JSON: {message} at column {error.colno} (fix or remove that line)"
    except RecursionError:
        return None, "JSON nested too deeply to read (fix or remove that line)"
    except ValueError as error:  # int('9' * 5000): "Exceeds the limit (4300 digits) ..."
        return None, f"a number too long to read ({str(error).split(';')[0]}; fix or remove that line)"
    if _SURROGATE_ESCAPE.search(line) and _has_lone_surrogate(value):
        return None, "a lone surrogate escape such as \\ud800, which is not a character (fix or remove that line)"
    return value, ""


def _has_lone_surrogate(value: Any) -> bool:
    """True if a string in ``value`` (a parsed JSON value, its keys included) holds half of a surrogate pair."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def jsonl_block_records(text: str, first_line: int) -> Iterator[Record | RowProblem]:
    """The records of a block of a clean UTF-8 JSON Lines file (whole lines, decoded) whose first
    line is line ``first_line`` of the file: numbered as :func:`stream_jsonl` numbers them."""
    return _jsonl_records(text.split("\n"), start=first_line)
