"""Texts on disk: a folder of Parquet files that a run writes once and reads back by row.

A run's texts are the largest thing it holds (about 0.7× the corpus size as Python strings), and
most stages need them only once, in order (segmentation, coding), or a few at a time (KWIC, the
explorer). :class:`TextStore` keeps them in ``part-00000.parquet``, ``part-00001.parquet``, … —
rows in document order across parts, columns ``doc_id``, ``text`` (the analysed text, which
mention offsets refer to) and ``original`` (the text as read, null when it is the same) — so a
run holds one chunk at a time. Parts can be written independently (one per file, batch or
worker, given only the folder) with :meth:`TextStore.write_part`; :meth:`TextStore.open` reads
the folder's parts in part order.

Row groups are bounded (:data:`ROW_GROUP_CHARS` characters, :data:`ROW_GROUP_ROWS` rows), so
reading one text reads one row group; the last one read is cached.
"""

from __future__ import annotations

import bisect
import os
import re
import socket
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = ["TextStore", "TextWriter", "ROW_GROUP_CHARS", "ROW_GROUP_ROWS"]

#: A row group holds at most this many characters of text (original and analysed together) …
ROW_GROUP_CHARS = 1_000_000
#: … and at most this many rows: reading one text reads at most one such group.
ROW_GROUP_ROWS = 1_000

_TEMPORARY_PREFIX = "policy-analysis-texts-"


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()) or "host"


def _remove_abandoned_folders(parent: str | Path | None = None) -> list[Path]:
    """Remove the temporary stores of this host's runs whose process is gone (killed runs);
    return them. Another host's folders (a shared temporary folder) are left alone."""
    removed = []
    mine = f"{_TEMPORARY_PREFIX}{_host()}-"
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{mine}*"):
        pid = folder.name[len(mine) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        except OSError:  # alive, another user's process
            pass
    return removed


SCHEMA = pa.schema([("doc_id", pa.string()), ("text", pa.string()), ("original", pa.string())])
_PART = re.compile(r"part-(\d+)\.parquet")


def part_name(part: int) -> str:
    """The file name of part number ``part``: ``part-00000.parquet``."""
    return f"part-{part:05d}.parquet"


class TextStore:
    """The texts of a corpus in a folder of Parquet parts, read back by row or chunk by chunk.

    ``len(store)`` rows; ``store.text(i)`` the analysed text of row ``i`` (``original=True``: the
    text as read); ``store.texts()`` all of them (or the given rows) as a list;
    ``store.chunks()`` lists of consecutive texts of bounded size, in order.
    """

    def __init__(self, folder: str | Path, parts: Sequence[Path], groups: Sequence[tuple[int, int, int]]):
        self.folder = Path(folder)
        self._parts = list(parts)
        self._groups = list(groups)  # (first row, part index, row group index), in row order
        self._starts = [start for start, _, _ in self._groups]
        self._length = 0
        if self._groups:
            last_start, last_part, last_group = self._groups[-1]
            self._length = last_start + pq.ParquetFile(self._parts[last_part]).metadata.row_group(last_group).num_rows
        self._cache: tuple[tuple[int, str], list[str | None]] | None = None
        self._owner: weakref.finalize | None = None

    # ---- writing -------------------------------------------------------------------------

    @staticmethod
    def write_part(
        folder: str | Path,
        part: int,
        doc_ids: Sequence[str],
        texts: Sequence[str],
        originals: Sequence[str | None] | None = None,
    ) -> Path:
        """Write one part (``part-{part:05d}.parquet`` in ``folder``, created if needed) and return
        its path. ``texts`` are the analysed texts; ``originals`` the texts as read, None (or
        equal to the text) where they are the same. Usable on any process given the folder."""
        if len(doc_ids) != len(texts) or (originals is not None and len(originals) != len(texts)):
            raise ValueError(f"part {part}: {len(doc_ids)} doc_ids, {len(texts)} texts and {'no' if originals is None else len(originals)} originals must match")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / part_name(part)
        tmp = path.with_suffix(".parquet.tmp")
        originals = [None] * len(texts) if originals is None else [o if o is not None and o != t else None for o, t in zip(originals, texts)]
        with pq.ParquetWriter(tmp, SCHEMA, compression="zstd", use_dictionary=False) as writer:  # texts are unique: no dictionary
            for start, stop in _row_groups(texts, originals):
                writer.write_table(
                    pa.table(
                        [pa.array(doc_ids[start:stop], pa.string()), pa.array(texts[start:stop], pa.string()), pa.array(originals[start:stop], pa.string())],
                        schema=SCHEMA,
                    ),
                    row_group_size=stop - start,
                )
            if not texts:
                writer.write_table(SCHEMA.empty_table())
        tmp.replace(path)  # a part is there whole or not at all
        return path

    @classmethod
    def writer(cls, folder: str | Path | None = None, *, max_chars: int = 1_000_000) -> TextWriter:
        """A :class:`TextWriter` that adds texts one at a time and writes a part every
        ``max_chars`` characters; ``folder=None`` writes to a temporary folder that the store
        it finishes with owns (removed when the store is no longer used)."""
        return TextWriter(folder, max_chars=max_chars)

    @classmethod
    def temporary_folder(cls) -> Path:
        """A new empty folder for a store that :meth:`own` will remove.

        Its name carries the host and process (``policy-analysis-texts-HOST-PID-…``): a run that
        was killed cannot remove its folder, so the next one removes the folders of this host's
        processes that no longer run."""
        _remove_abandoned_folders()
        return Path(tempfile.mkdtemp(prefix=f"{_TEMPORARY_PREFIX}{_host()}-{os.getpid()}-"))

    def own(self) -> TextStore:
        """Make this store own its folder: the folder is removed when the store is no longer
        used (garbage-collected, or at exit). Returns the store."""
        if self._owner is None:
            self._owner = weakref.finalize(self, shutil.rmtree, str(self.folder), True)
        return self

    # ---- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, folder: str | Path) -> TextStore:
        """The store in ``folder``: its parts in part order (rows numbered across them)."""
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder}: no text store here (a folder of part-NNNNN.parquet files)")
        numbered = sorted((int(m.group(1)), p) for p in folder.iterdir() if (m := _PART.fullmatch(p.name)))
        parts = [p for _, p in numbered]
        groups: list[tuple[int, int, int]] = []
        start = 0
        for index, path in enumerate(parts):
            metadata = pq.ParquetFile(path).metadata
            for group in range(metadata.num_row_groups):
                rows = metadata.row_group(group).num_rows
                if rows:
                    groups.append((start, index, group))
                    start += rows
        return cls(folder, parts, groups)

    @classmethod
    def from_texts(cls, texts: Sequence[str], *, doc_ids: Sequence[str] | None = None, originals: Sequence[str | None] | None = None, folder: str | Path | None = None) -> TextStore:
        """A store of ``texts`` (one part), in ``folder`` or in a temporary folder it owns."""
        owned = folder is None
        folder = cls.temporary_folder() if folder is None else Path(folder)
        ids = list(doc_ids) if doc_ids is not None else [str(i) for i in range(len(texts))]
        cls.write_part(folder, 0, ids, list(texts), None if originals is None else list(originals))
        store = cls.open(folder)
        return store.own() if owned else store

    def __len__(self) -> int:
        return self._length

    def __repr__(self) -> str:
        return f"TextStore({str(self.folder)!r}, {len(self)} texts in {len(self._parts)} part(s))"

    def __getitem__(self, key: int | slice) -> str | list[str]:
        """``store[i]`` is :meth:`text`; ``store[a:b:step]`` the texts of those rows, as a list."""
        if isinstance(key, slice):
            return self.texts(range(*key.indices(len(self))))
        return self.text(key)

    def __iter__(self) -> Iterator[str]:
        """The analysed texts in order, one row group read at a time."""
        for g in range(len(self._groups)):
            yield from self._group(g, False, cache=False)

    def __getstate__(self) -> dict:
        # A copy sent to another process reads the same folder; it neither owns it nor its cache.
        return {"folder": self.folder, "parts": self._parts, "groups": self._groups}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["folder"], state["parts"], state["groups"])

    # ---- reading -------------------------------------------------------------------------

    def text(self, i: int, original: bool = False) -> str:
        """The analysed text of row ``i`` (negative counts from the end); ``original=True``: the text as read."""
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"row {i} of a store of {n} texts")
        if i < 0:
            i += n
        g = bisect.bisect_right(self._starts, i) - 1
        return self._group(g, original)[i - self._starts[g]]

    def texts(self, rows: Iterable[int] | None = None, original: bool = False) -> list[str]:
        """The texts of ``rows`` (all rows, in order, when None), as a list."""
        if rows is None:
            return [t for g in range(len(self._groups)) for t in self._group(g, original)]
        rows = [int(i) + (len(self) if int(i) < 0 else 0) for i in rows]
        for i in rows:
            if not 0 <= i < len(self):
                raise IndexError(f"row {i} of a store of {len(self)} texts")
        # Each row group read once, whatever the order of the rows, and let go once its rows are
        # taken: a sample spread over the corpus (every n-th row) holds the sample, not the corpus.
        wanted: dict[int, list[int]] = {}
        for k, i in enumerate(rows):
            wanted.setdefault(bisect.bisect_right(self._starts, i) - 1, []).append(k)
        out: list[str] = [""] * len(rows)
        for g, positions in wanted.items():
            group, start = self._group(g, original, cache=False), self._starts[g]
            for k in positions:
                out[k] = group[rows[k] - start]
            del group  # before the next group is read
        return out

    def lengths(self, original: bool = False) -> np.ndarray:
        """Every row's text length in characters (``original``: of the text as read), counted by
        Arrow without making Python strings."""
        out = np.zeros(len(self), dtype=np.int64)
        for g, (start, part, group) in enumerate(self._groups):
            table = pq.ParquetFile(self._parts[part]).read_row_group(group, columns=["text", "original"] if original else ["text"])
            lengths = pc.utf8_length(table.column("text"))
            if original:
                lengths = pc.if_else(pc.is_null(table.column("original")), lengths, pc.utf8_length(table.column("original")))
            out[start : start + len(table)] = lengths.to_numpy()
        return out

    def doc_ids(self) -> list[str]:
        """Every row's doc_id, in order."""
        return [d for part in self._parts for d in pq.read_table(part, columns=["doc_id"]).column(0).to_pylist()]

    def chunks(self, max_chars: int = 300_000, original: bool = False) -> Iterator[list[str]]:
        """Consecutive texts in order, in lists of about ``max_chars`` characters (a list ends
        with the text that reaches ``max_chars``, as :func:`~analysis.text.engine.chunk_bounds`
        cuts): what segmentation and coding iterate without holding every text."""
        chunk: list[str] = []
        size = 0
        for g in range(len(self._groups)):
            for text in self._group(g, original, cache=False):
                chunk.append(text)
                size += len(text)
                if size >= max_chars:
                    yield chunk
                    chunk, size = [], 0
        if chunk:
            yield chunk

    def _group(self, g: int, original: bool, cache: bool = True) -> list[str]:
        key = (g, "original" if original else "text")
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        _, part, group = self._groups[g]
        columns = ["text", "original"] if original else ["text"]
        table = pq.ParquetFile(self._parts[part]).read_row_group(group, columns=columns)
        texts = table.column("text").to_pylist()
        if original:
            texts = [t if o is None else o for t, o in zip(texts, table.column("original").to_pylist())]
        if cache:
            self._cache = (key, texts)
        return texts


class TextWriter:
    """Adds texts to a store one at a time, writing a part every ``max_chars`` characters, so a
    reader never holds more than one part's texts. :meth:`finish` returns the opened store."""

    def __init__(self, folder: str | Path | None = None, *, max_chars: int = 1_000_000, first_part: int = 0):
        self._owned = folder is None
        self.folder = TextStore.temporary_folder() if folder is None else Path(folder)
        if self._owned:  # removed if the writer is dropped before it finishes
            self._cleanup: weakref.finalize | None = weakref.finalize(self, shutil.rmtree, str(self.folder), True)
        else:
            self._cleanup = None
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_chars = max_chars
        self.part = first_part
        self.rows = 0
        self._ids: list[str] = []
        self._texts: list[str] = []
        self._originals: list[str | None] = []
        self._size = 0

    def add(self, doc_id: str, text: str, original: str | None = None) -> int:
        """Add one text (``original`` the text as read, when it differs); returns its row."""
        self._ids.append(doc_id)
        self._texts.append(text)
        self._originals.append(None if original == text else original)
        self._size += len(text) + (len(original) if original is not None and original != text else 0)
        self.rows += 1
        if self._size >= self.max_chars:
            self.flush()
        return self.rows - 1

    def flush(self) -> None:
        """Write the texts added since the last part as a new part."""
        if not self._texts:
            return
        TextStore.write_part(self.folder, self.part, self._ids, self._texts, self._originals)
        self.part += 1
        self._ids, self._texts, self._originals, self._size = [], [], [], 0

    def finish(self) -> TextStore:
        """Write what is left and open the store (which owns a temporary folder)."""
        self.flush()
        store = TextStore.open(self.folder)
        if self._owned and self._cleanup is not None:
            self._cleanup.detach()  # the store owns the folder from here on
            store.own()
        return store


def _row_groups(texts: Sequence[str], originals: Sequence[str | None]) -> Iterator[tuple[int, int]]:
    """(start, stop) of consecutive rows whose texts stay within the row-group bounds."""
    start, size = 0, 0
    for i, (text, original) in enumerate(zip(texts, originals)):
        n = len(text) + (len(original) if original is not None else 0)
        if i > start and (size + n > ROW_GROUP_CHARS or i - start >= ROW_GROUP_ROWS):
            yield start, i
            start, size = i, 0
        size += n
    if start < len(texts):
        yield start, len(texts)
