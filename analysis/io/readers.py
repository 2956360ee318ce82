"""Readers: turn one input file into text or records, whatever its format and encoding.

Everything a user may hand in is read here, checked once at the boundary (scikit-learn's
rule): pages (``.txt``, ``.html``/``.htm``) and documents (``.pdf``, ``.docx``, as policy
documents often come as attachments) become text; tables (``.csv``, ``.tsv``,
``.xlsx``) and JSON Lines (``.jsonl``) become :class:`Record` rows with their line numbers.
A problem with a whole file raises :class:`~analysis.errors.InputError` naming the file; a
problem with one row is returned as a :class:`RowProblem`, so the caller can skip that row,
report it, and keep the rest.
"""

from __future__ import annotations


import bisect
import codecs
import hashlib
import contextvars
import csv
import html
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError

__all__ = [
    "PAGE_SUFFIXES",
    "TABLE_SUFFIXES",
    "SUPPORTED_SUFFIXES",
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
    "is_traditional",
    "to_simplified",
]

PAGE_SUFFIXES = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}
TABLE_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}
SUPPORTED_SUFFIXES = {**PAGE_SUFFIXES, **TABLE_SUFFIXES}
FORMATS = ("txt", "html", "pdf", "docx", "csv", "tsv", "xlsx", "jsonl")

#: Column names that hold a record's text, tried in this order when the config names none.
TEXT_COLUMNS = ("text", "content", "body", "正文", "内容", "全文")

#: Encodings tried on text that is not UTF-8; charset-normalizer picks among them.
_CHINESE_ENCODINGS = ["gb18030", "big5", "big5hkscs"]

#: Elements whose text is never content: code, styling, navigation, page furniture.
_HTML_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "template", "svg", "button", "select")
_HTML_BLOCKS = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "table", "ul", "ol", "dd", "dt", "blockquote", "pre", "title", "td", "th",
)


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


def file_format(path: Path, *, fmt: str = "auto") -> str | None:
    """The format to read ``path`` as: ``fmt`` if given, else from the suffix; None if unsupported."""
    if fmt != "auto":
        return fmt
    return SUPPORTED_SUFFIXES.get(path.suffix.lower())


def decode(path: Path, data: bytes, *, encoding: str = "auto") -> tuple[str, str]:
    """Decode a text file; return the text and the encoding it was read with.

    UTF-8 (with or without BOM) and UTF-16 with BOM are read as such; then GB18030/GBK and Big5, chosen by
    charset-normalizer. ``encoding`` forces one. Empty, binary and undecodable files raise
    :class:`InputError` naming the file (and the first bad line).
    """
    if not data or data.isspace():  # as `not data.strip()`, without copying the whole file
        raise InputError(path, "the file is empty", hint="remove it or add text")
    if encoding != "auto":
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as error:
            line = data[: getattr(error, "start", 0)].count(b"\n") + 1
            raise _Undecodable(path, f"cannot be read as {encoding}", line=line, hint="fix [corpus] encoding in the config, or set it to \"auto\"") from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _drop_boms(data[3:].decode("utf-8")), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise _undecodable(path, data, error.start + 3) from None
    if data.startswith(_UTF32_BOMS):  # before UTF-16: the UTF-32 LE mark begins with UTF-16 LE's
        try:
            return _drop_boms(data.decode("utf-32")), "utf-32"
        except UnicodeDecodeError as error:
            raise _undecodable(path, data, error.start) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM, as some Windows tools save
        try:
            return _drop_boms(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError as error:
            raise _undecodable(path, data, error.start) from None
    if b"\x00" in data[:4096]:
        wide = _bomless_wide(data)
        if wide is not None:
            return wide
        raise InputError(path, "this is a binary file, not text", hint="give text pages (.txt, .html) or tables (.csv, .tsv, .xlsx, .jsonl)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error.start
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CHINESE_ENCODINGS).best()
    if best is None or best.encoding not in {"gb18030", "big5", "big5hkscs"}:
        raise _undecodable(path, data, utf8_error)
    name = "gb18030" if best.encoding == "gb18030" else best.encoding
    try:
        return data.decode(name), name
    except UnicodeDecodeError:  # pragma: no cover - charset-normalizer only returns clean decodes
        raise _undecodable(path, data, utf8_error) from None


_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-32 LE's starts as UTF-16 LE's


def _drop_boms(text: str) -> str:
    """The text without the byte order marks left at its start: a file saved twice with a BOM
    (a "double BOM") keeps one after decoding, which would make its first column ``\ufefftext``."""
    return text.lstrip("\ufeff") if text.startswith("\ufeff") else text


def _bomless_wide(data: bytes) -> tuple[str, str] | None:
    """UTF-32 or UTF-16 text saved without a byte order mark, recognised by where its NUL bytes
    fall: UTF-32 pads every character with two or three (always in the same places of every 4
    bytes), UTF-16 pads every ASCII character (digits, commas, line breaks) with one, always on
    the same side. None when the NULs fall anywhere (a binary file) or the decoded text is noise."""
    head = data[:4096]
    candidates = []
    if len(data) % 4 == 0 and head:
        quarter = len(head) // 4
        if head[3::4].count(0) == quarter and head[2::4].count(0) >= 0.9 * quarter:
            candidates.append("utf-32-le")
        if head[0::4].count(0) == quarter and head[1::4].count(0) >= 0.9 * quarter:
            candidates.append("utf-32-be")
    if len(data) % 2 == 0 and head:
        high, low = head[1::2].count(0), head[0::2].count(0)  # Chinese characters such as 一 (U+4E00) have NULs on the other side
        for name, at, other in (("utf-16-le", high, low), ("utf-16-be", low, high)):
            if at >= 4 * other and at >= 0.02 * len(head) / 2:
                candidates.append(name)
    for name in candidates:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and _readable(Decoded(text, name)):
            return _drop_boms(text), name
    return None


class _Undecodable(InputError):
    """Bytes that no encoding fits (as opposed to an empty or binary file)."""


def _undecodable(path: Path, data: bytes, position: int) -> InputError:
    line = data[:position].count(b"\n") + 1
    return _Undecodable(
        path, "bytes that are not UTF-8, GB18030/GBK or Big5", line=line, hint="save the file as UTF-8, or set [corpus] encoding"
    )


#: A file is read with its damaged bytes replaced when at most this share of its bytes is
#: invalid in one encoding (and refused otherwise): see :func:`damage_limit`.
DAMAGE_SHARE = 0.01
#: ... with at least this many bytes allowed (one damaged or cut character of up to 4 bytes)
#: in a file of at least ``_DAMAGE_MIN_FILE`` bytes.
_DAMAGE_MIN_BYTES = 4
_DAMAGE_MIN_FILE = 100


def damage_limit(size: int) -> int:
    """How many invalid bytes a file of ``size`` bytes may hold and still be read (with replacement).

    1 % of its bytes, and never fewer than 4 (one damaged character) in a file of 100 bytes or
    more; a file under 100 bytes must be clean.
    """
    limit = int(size * DAMAGE_SHARE)
    return max(limit, _DAMAGE_MIN_BYTES) if size >= _DAMAGE_MIN_FILE else limit


@dataclass(frozen=True)
class Decoded:
    """A decoded text file: its text, the encoding it was read with, and the bytes replaced.

    ``replaced`` holds, for every run of invalid bytes, the offset of the U+FFFD put in its
    place in ``text`` and how many bytes it replaced (empty for a clean file).
    """

    text: str
    encoding: str
    replaced: tuple[tuple[int, int], ...] = ()

    @property
    def n_replaced(self) -> int:
        return sum(n for _, n in self.replaced)

    def replaced_lines(self, breaks: str = "splitlines") -> dict[int, int]:
        """Bytes replaced per 1-based line: line → count, lines as ``str.splitlines`` counts them
        (``breaks="splitlines"``, as pages are split), as the csv module does (``breaks="csv"``:
        \\n, \\r and \\r\\n only) or at \\n only (``breaks="newline"``, as JSON Lines are split)."""
        if not self.replaced:
            return {}
        pattern = {"csv": _CSV_BREAKS, "newline": _NEWLINE}.get(breaks, _LINE_BREAKS)
        ends = [m.end() for m in pattern.finditer(self.text)]
        lines: dict[int, int] = {}
        for offset, count in self.replaced:
            line = bisect.bisect_right(ends, offset) + 1
            lines[line] = lines.get(line, 0) + count
        return lines


_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CSV_BREAKS = re.compile("\r\n|[\n\r]")
_NEWLINE = re.compile("\n")

_ERRORS = "policy-analysis-count"
_DAMAGE: contextvars.ContextVar[tuple[list[int], str]] = contextvars.ContextVar("damage")


def _count_damage(error: UnicodeError) -> tuple[str, int]:
    """A codecs error handler: note how many bytes are invalid, put the marker in their place."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    counts, marker = _DAMAGE.get()
    counts.append(error.end - error.start)
    return marker, error.end


codecs.register_error(_ERRORS, _count_damage)


def _decode_replacing(data: bytes, encoding: str) -> Decoded:
    """``data`` decoded with every run of invalid bytes replaced by U+FFFD, counted and located."""
    loose = data.decode(encoding, errors="replace")
    # A marker character the text does not hold, so the replacements can be found by offset.
    marker = next(chr(c) for c in range(0x10FFFD, 0xF0000, -1) if chr(c) not in loose)
    counts: list[int] = []
    token = _DAMAGE.set((counts, marker))
    try:
        marked = data.decode(encoding, errors=_ERRORS)
    finally:
        _DAMAGE.reset(token)
    offsets = [m.start() for m in re.finditer(re.escape(marker), marked)]
    text = marked.replace(marker, "\ufffd") if counts else marked
    return Decoded(text, encoding, tuple(zip(offsets, counts)))


def _looks_like_utf8(decoded: Decoded) -> bool:
    """More well-formed non-ASCII UTF-8 characters than damaged bytes: UTF-8 with a few bad bytes,
    not a GB18030 or Big5 file (whose Chinese is almost never well-formed UTF-8)."""
    non_ascii = len(decoded.text) - len(decoded.text.encode("ascii", "ignore")) - len(decoded.replaced)
    return non_ascii > decoded.n_replaced


def decode_lenient(path: Path, data: bytes, *, encoding: str = "auto") -> Decoded:
    """Decode a text file as :func:`decode` does, but read a file with a few damaged bytes.

    A clean file gives the same text and encoding as :func:`decode`. A file that no encoding
    reads cleanly, but that is overwhelmingly valid in one (at most :func:`damage_limit` invalid
    bytes: 1 %, at least 4 in a file of 100 bytes or more), is decoded in that encoding with
    each run of invalid bytes replaced by U+FFFD; :attr:`Decoded.replaced` says where and how
    many. A UTF-16 reading must also look like text (:func:`_readable`). UTF-8 comes first
    when the file is plausibly UTF-8 (more well-formed non-ASCII characters than bad bytes),
    then a clean GB18030/GBK or Big5 reading as :func:`decode` finds it, then whichever of
    UTF-8, GB18030 and Big5 has the fewest invalid bytes. A
    forced ``encoding`` or a byte order mark allows that encoding only. A few NUL bytes (up to
    the limit) count as damaged bytes; more make a binary file. Empty and binary files, and a
    file no encoding fits, raise :class:`InputError` as :func:`decode` does.
    """
    limit = damage_limit(len(data))
    plain = encoding == "auto" and not data.startswith(_BOMS)
    if plain and limit and b"\x00" in data and data.count(b"\x00") <= limit:
        # A few NUL bytes in a text file are damage, not a sign of a binary file: as 0xFF, a
        # byte no candidate encoding allows, they are replaced and counted like any other.
        data = data.replace(b"\x00", b"\xff")
    if plain and limit and b"\x00" not in data[:4096]:
        try:
            return Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            utf8 = _decode_replacing(data, "utf-8")
            if utf8.n_replaced <= limit and _looks_like_utf8(utf8):
                return utf8
    try:
        text, used = decode(path, data, encoding=encoding)
        return Decoded(text, used)
    except _Undecodable as error:
        strict = error
    if not limit:
        raise strict
    if encoding != "auto":
        candidates = [encoding]
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith(_UTF32_BOMS):
        candidates = ["utf-32"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030", "big5hkscs"]
    best: Decoded | None = None
    for name in candidates:
        try:
            decoded = _decode_replacing(data, name)
        except LookupError:
            raise strict from None
        if name in ("utf-16", "utf-32") and not _readable(decoded):
            continue
        if decoded.n_replaced <= limit and (best is None or decoded.n_replaced < best.n_replaced):
            best = decoded
    if best is None:
        raise strict
    if plain and best.encoding in ("gb18030", "big5hkscs"):
        # GB18030 reads almost any bytes: let charset-normalizer judge the bytes left once the
        # damaged ones are taken out, as it judges a clean file (refusing noise), and choose
        # between the Chinese encodings.
        chosen = _detect_without_damage(data, best.encoding)
        if chosen is None:
            raise strict
        if chosen != best.encoding:
            other = _decode_replacing(data, chosen)
            if other.n_replaced <= limit:
                best = other
    return best


def _readable(decoded: Decoded) -> bool:
    """Text, not noise: charset-normalizer's mess ratio, replacements and control characters
    aside, under its own default threshold (0.2).

    For UTF-16, which reads almost any pair of bytes: a file that lost one byte mid-way has few
    invalid bytes, but every character after it is misaligned garbage."""
    from charset_normalizer.md import mess_ratio

    return mess_ratio(_UNREADABLE.sub("", decoded.text), 0.2) < 0.2


_UNREADABLE = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _detect_without_damage(data: bytes, encoding: str) -> str | None:
    from charset_normalizer import from_bytes

    cleaned = data.decode(encoding, errors="ignore").encode(encoding, errors="ignore")
    found = from_bytes(cleaned, cp_isolation=_CHINESE_ENCODINGS).best()
    if found is None or found.encoding not in {"gb18030", "big5", "big5hkscs"}:
        return None
    return found.encoding


#: Tags, comments and declarations in a text page; script, style and similar blocks with their contents.
_MARKUP_HINT = re.compile(r"<[A-Za-z!/]")
_MARKUP_BLOCK = re.compile(r"<(script|style|noscript|template|iframe|svg)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.S | re.I)
_MARKUP_TAG = re.compile(r"<!--.*?(?:-->|\Z)|<![^<>]*>|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>", re.S)
_MARKUP_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def strip_markup(text: str) -> str:
    """A text page without the HTML that crept into it: script, style and similar blocks with
    their contents, tags and comments removed, entities (&amp;, &nbsp;) decoded.

    What is removed leaves its line breaks behind, so every line keeps its number. Text
    without anything that looks like a tag ("<" then a letter, "/" or "!") is returned as is:
    "a < b" and 《通知》 are not markup.
    """
    if _MARKUP_HINT.search(text) is None:
        return text

    def keep_breaks(match: re.Match[str]) -> str:
        return "\n" * len(_LINE_BREAKS.findall(match.group(0)))

    text = _MARKUP_BLOCK.sub(keep_breaks, text)
    text = _MARKUP_TAG.sub(keep_breaks, text)
    return _MARKUP_ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page, one block per line; scripts, styles and navigation dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(list(_HTML_DROP)):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": ["navigation", "banner", "contentinfo"]}):
        tag.decompose()
    text = _block_text(soup)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _block_text(soup: Any) -> str:
    """The text of a parsed page as ``soup.get_text()`` gives it, with a line break before and
    after every block element. Walked with a stack, in time linear in the page: inserting the
    breaks into the tree (bs4's insert_before/insert_after) costs time with the square of the
    depth, minutes for a page of 30,000 nested elements."""
    from bs4 import CData, NavigableString

    types = soup.interesting_string_types or (NavigableString, CData)
    types = (types,) if isinstance(types, type) else tuple(types)
    blocks = set(_HTML_BLOCKS)
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(soup, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            parts.append("\n")
        elif isinstance(node, NavigableString):
            if type(node) in types:
                parts.append(str(node))
        else:
            if node is not soup and node.name in blocks:
                parts.append("\n")
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    return "".join(parts)


def html_to_page(html: str) -> str:
    """The article of an HTML page as page text: its title, publication date and main text.

    trafilatura finds the main text (navigation, sidebars, comments and footers left out)
    and the publication date in the page's metadata; the date goes on its own line under the
    title unless the text already opens with a dated header line, so the page rules read it
    as any other page. A page trafilatura finds no article in falls back to
    :func:`html_to_text`. Nothing is fetched: the extraction runs on the given string.
    """
    import trafilatura

    found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_precision=True)
    text = (getattr(found, "text", None) or "").strip() if found is not None else ""
    if not text:
        return html_to_text(html)
    title = (found.title or "").strip()
    head = [title] if title and not text.startswith(title) else []
    published = (found.date or "").strip()
    if published and published not in "\n".join(text.splitlines()[:3]):
        head.append(published)
    return "\n".join([*head, text])


def document_text(path: Path, data: bytes, fmt: str) -> str:
    """The text of a PDF (pypdf) or Word ``.docx`` file (python-docx), one paragraph a line.

    A file that cannot be opened, or holds no text (a scanned PDF), raises
    :class:`InputError` naming the file.
    """
    if not data.strip():
        raise InputError(path, "the file is empty", hint="remove it or add text")
    if fmt == "pdf":
        import logging

        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        log = logging.getLogger("pypdf")
        level = log.level
        log.setLevel(logging.CRITICAL)  # pypdf logs repairs to stderr; the error below says it once
        try:
            reader = PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages]
        except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
            raise InputError(path, f"not a readable PDF ({type(error).__name__})", hint="save it again as PDF, or export it as .txt") from None
        finally:
            log.setLevel(level)
        text = "\n".join(pages)
        hint = "a scanned PDF holds images, not text: run OCR on it first, or give a .txt"
    else:
        import zipfile

        from docx import Document as WordDocument

        try:
            document = WordDocument(io.BytesIO(data))
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise InputError(path, f"not a readable .docx document ({type(error).__name__})", hint="save it again as .docx (not .doc), or export it as .txt") from None
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            lines.extend(" ".join(dict.fromkeys(cell.text.strip() for cell in row.cells)) for row in table.rows)
        text = "\n".join(lines)
        hint = "add text, or export it as .txt"
    if not text.strip():
        raise InputError(path, "no text in the document", hint=hint)
    return text


def find_text_column(names: list[str]) -> str | None:
    """The first of :data:`TEXT_COLUMNS` among ``names`` (case aside for Latin names), or None."""
    lowered = {str(n).strip().lower(): n for n in names}
    return next((lowered[c] for c in TEXT_COLUMNS if c in lowered), None)


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


def _csv_rows(path: Path, reader: Any, header: list[str], damaged: Mapping[int, str] | None = None) -> Iterator[Record | RowProblem]:
    damaged = damaged or {}
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield RowProblem(line=reader.line_num, reason=f"malformed row: {error} (fix the quoting on that line)")
            continue
        line = start
        start = reader.line_num + 1
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


def _jsonl_records(lines: Iterable[str], damaged: Mapping[int, str] | None = None) -> Iterator[Record | RowProblem]:
    """JSON Lines records, lines split at \\n only (as the format says: a U+2028 inside a text is
    part of its line) and numbered from 1."""
    damaged = damaged or {}
    for number, line in enumerate(lines, start=1):
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


@lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _convertible() -> re.Pattern[str] | None:
    """Characters of the CJK block that t2s changes on their own; None if that cannot be known."""
    block = "".join(chr(c) for c in range(0x4E00, 0xA000))
    converted = to_simplified(block)
    if len(converted) != len(block):
        return None
    changed = "".join(a for a, b in zip(block, converted) if a != b)
    return re.compile(f"[{re.escape(changed)}]") if changed else None


def may_be_traditional(text: str) -> bool:
    """False when no character of ``text`` is changed by t2s on its own: conversion can be skipped.

    A cheap test run before the real conversion, which dominates reading time on large
    simplified corpora. (Characters converted only inside phrases, such as 乾 in 乾燥, cannot
    reach the 2 % share :func:`is_traditional` asks for.)
    """
    pattern = _convertible()
    return pattern is None or pattern.search(text) is not None


def to_simplified(text: str) -> str:
    """Traditional → simplified characters (OpenCC ``t2s``), for matching and segmentation only."""
    return _converter().convert(text)


def is_traditional(text: str, simplified: str | None = None, *, threshold: float = 0.02) -> bool:
    """True if at least ``threshold`` of the Chinese characters change under t2s conversion.

    Simplified text has a few characters OpenCC maps anyway (rare variants); a share of 2 %
    separates the 1954 report (~20 %) from simplified reports (< 0.1 %).
    """
    simplified = to_simplified(text) if simplified is None else simplified
    original = _code_points(text)
    cjk = int(np.count_nonzero((original >= 0x4E00) & (original <= 0x9FFF)))
    if not cjk:
        return False
    converted = _code_points(simplified)
    common = min(len(original), len(converted))  # compared position by position, as zip() would
    changed = int(np.count_nonzero(original[:common] != converted[:common]))
    return changed / cjk >= threshold


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as an array, one per character (lone surrogates included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
