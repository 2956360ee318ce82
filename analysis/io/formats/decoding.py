"""Bytes to text: the encoding detected (UTF-8 ± BOM, UTF-16/32, GB18030/GBK, Big5), damaged bytes replaced and counted when a file is overwhelmingly valid."""

from __future__ import annotations

import bisect
import codecs
import contextvars
import csv
import html
import re
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputError

__all__ = ['decode', 'DAMAGE_SHARE', 'damage_limit', 'Decoded', 'decode_lenient']


#: Encodings tried on text that is not UTF-8; charset-normalizer picks among them.
_CHINESE_ENCODINGS = ["gb18030", "big5", "big5hkscs"]


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
