"""Engine: segment and count a corpus fast, on both cores, from cache, or on a Dask cluster.

Tokens are never all held at once: documents are cut in chunks and each chunk becomes a
sparse document × term count matrix straight away (:class:`TermCounts`), which is all the
term tables and TF-IDF need. Chunks run here, on worker processes (:class:`Workers`, which
can start before the corpus is read), or as tasks on a Dask cluster; every route goes
through the same :func:`count_chunk`, which returns each chunk's terms in sorted order, and
merging keeps that order (:class:`_Stack`), so the result does not depend on the route.

Raw (unfiltered) counts are cached per document, keyed by the text's hash, under a folder
named by the segmenter's fingerprint (engine, version, dictionary, words, HMM), a shard per
chunk as the chunks come back: a rerun cuts only the documents it has not seen, and a
changed dictionary starts a new folder.
"""

from __future__ import annotations

import hashlib
import operator
import os
import shutil
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import chain, count, islice
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from . import __version__
from .errors import AnalysisError, ConfigError
from .tokens import Segmenter, resolved_calls, warm_up

__all__ = [
    "TermCounts",
    "TokenCache",
    "CountReport",
    "count_chunk",
    "chunk_bounds",
    "count_terms",
    "default_cache_dir",
    "default_workers",
    "Workers",
    "ENGINES",
    "PARALLEL_MIN_BYTES",
    "TOKEN_FOLDERS_KEPT",
]

#: Where segmentation and counting run.
ENGINES = ("local", "dask")
_CACHE_FORMAT = 1
_SHARDS = count()  # numbers the shards one process writes
_CHUNK_CHARS = 300_000  # about 1 MB of Chinese text per task
SEPARATOR = "\x00"  # between texts cut in one call (see count_chunk)
#: Token-cache folders kept (the most recently used); older ones are deleted.
TOKEN_FOLDERS_KEPT = 16
#: Corpus files smaller than this are cut in this process: worker processes would not pay off.
PARALLEL_MIN_BYTES = 3 * _CHUNK_CHARS


@dataclass
class TermCounts:
    """Document × term counts: ``matrix[i, j]`` is how often ``vocabulary[j]`` occurs in document i."""

    vocabulary: list[str]
    matrix: sp.csr_matrix

    def __getstate__(self) -> dict:
        return {"vocabulary": self.vocabulary, "matrix": self.matrix}  # not the kept pooled counts

    @property
    def n_tokens(self) -> int:
        return int(self.matrix.sum())

    @classmethod
    def from_tokens(cls, tokens: Sequence[Sequence[str]]) -> "TermCounts":
        """Counts of token lists (one per document), terms in sorted order."""
        vocabulary, matrix = _count_lists(tokens)
        return cls(vocabulary, matrix).select(lambda term: True)

    def select(self, keep: Callable[[str], bool]) -> "TermCounts":
        """Only the terms ``keep`` accepts, in sorted order (so every engine gives the same table).

        The same pass as merging chunk counts (:meth:`_Stack.result`), over one part: counts
        whose terms are already sorted, each row's columns ascending (what :func:`count_terms`
        gives), keep their column order and nothing is re-sorted.
        """
        stack = _Stack()
        stack.add(self.vocabulary, self.matrix)  # no repeated entries: every route counts each (document, term) once
        return stack.result(keep)

    def totals(self) -> np.ndarray:
        """Occurrences of each term in the whole corpus."""
        matrix = self.matrix.tocsr()  # weights summed as floats: exact for counts below 2**53
        return np.bincount(matrix.indices, weights=matrix.data, minlength=len(self.vocabulary)).astype(np.int64)

    def document_counts(self) -> np.ndarray:
        """Number of documents containing each term."""
        return np.bincount(self.matrix.indices, minlength=len(self.vocabulary)).astype(np.int64)

    def pooled(self, groups: Sequence[str]) -> tuple[list[str], sp.csr_matrix]:
        """Group × term counts, groups in order of first appearance; empty groups left out.

        The last result is kept (the term tables and TF-IDF pool by the same groups): do not
        modify it."""
        key = tuple(groups)
        last = self.__dict__.get("_last_pooled")
        if last is not None and last[0] == key and last[1] is self.matrix:
            return last[2]
        result = self._pool(key)
        self.__dict__["_last_pooled"] = (key, self.matrix, result)
        return result

    def _pool(self, groups: Sequence[str]) -> tuple[list[str], sp.csr_matrix]:
        names = list(dict.fromkeys(g for g in groups if g))
        index = {name: i for i, name in enumerate(names)}
        rows = [i for i, g in enumerate(groups) if g]
        indicator = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.int64), ([index[groups[i]] for i in rows], rows)),
            shape=(len(names), len(groups)),
        )
        pooled = (indicator @ self.matrix.astype(np.int64)).tocsr()
        pooled.eliminate_zeros()
        pooled.sort_indices()
        return names, pooled


def _is_sorted(words: Sequence[str]) -> bool:
    """Whether ``words`` are strictly increasing (sorted, no repeats)."""
    return all(map(operator.lt, words, islice(words, 1, None)))


def _sorted_order(words: Sequence[str]) -> list[int]:
    """Positions of ``words`` in sorted order of the words."""
    return sorted(range(len(words)), key=words.__getitem__)


def alphabetical_ranks(words: Sequence[str]) -> np.ndarray:
    """Each word's place in sorted order: sorting by it sorts by the word, without comparing strings."""
    ranks = np.empty(len(words), dtype=np.int64)
    ranks[_sorted_order(words)] = np.arange(len(words))
    return ranks


def _in_sorted_order(words: list[str], ids: np.ndarray) -> tuple[list[str], np.ndarray]:
    """``words`` sorted, and ``ids`` (indices into ``words``) renumbered to match."""
    order = _sorted_order(words)
    ranks = np.empty(len(words), dtype=np.int64)
    ranks[order] = np.arange(len(words))
    return [words[i] for i in order], ranks[ids]


def _count_lists(lists: Sequence[Sequence[str]]) -> tuple[list[str], sp.csr_matrix]:
    """Vocabulary (sorted) and document × term counts of token lists (each row's columns ascending).

    Each token costs one dict lookup; the counting itself is a numpy sort (outside the GIL).
    """
    vocabulary: defaultdict[str, int] = defaultdict()
    vocabulary.default_factory = vocabulary.__len__  # a new term gets the next id
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    ids = np.fromiter(map(vocabulary.__getitem__, chain.from_iterable(lists)), dtype=np.int64, count=int(lengths.sum()))
    words, ids = _in_sorted_order(list(vocabulary), ids)
    return words, _count_ids(ids, lengths, len(words))


def _count_ids(ids: np.ndarray, lengths: np.ndarray, width: int) -> sp.csr_matrix:
    """Document × term counts of term ids laid end to end, ``lengths[i]`` of them for document i
    (each row's columns ascending)."""
    base = max(width, 1)
    pairs, counts = np.unique(np.repeat(np.arange(len(lengths), dtype=np.int64), lengths) * base + ids, return_counts=True)
    rows, columns = np.divmod(pairs, base)
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(lengths)), out=indptr[1:])
    matrix = sp.csr_matrix((counts.astype(np.int32), columns.astype(np.int32), indptr), shape=(len(lengths), width))
    matrix.has_sorted_indices = True  # np.unique sorted the (row, column) pairs
    return matrix


def count_chunk(segmenter: Segmenter, texts: Sequence[str]) -> tuple[list[str], sp.csr_matrix]:
    """Cut ``texts`` and count their raw tokens: the one task every engine runs.

    The texts are cut in one call, joined by NUL, and the NUL tokens tell where each text
    ends: no per-document token lists are built. NUL is outside every jieba word block, so it
    comes out as a token of its own and leaves the cuts on either side unchanged (the tests
    compare with cutting each text alone). One call instead of thousands also keeps the
    segmenter's per-call overhead out of the way. The chunk's terms come back sorted, and each
    row's columns ascending, so that merging chunks needs no sorting (:class:`_Stack`).
    The native segmenter cuts and counts the texts itself (:meth:`Segmenter.count_matrix`).
    """
    if segmenter.counts_natively:  # cut, counted and sorted in C: no string per token
        return segmenter.count_matrix(texts)
    if len(texts) < 2 or any(SEPARATOR in text for text in texts):
        return _count_lists([segmenter.cut(text) for text in texts])
    tokens = segmenter.cut(SEPARATOR.join(texts))
    vocabulary: defaultdict[str, int] = defaultdict()
    vocabulary.default_factory = vocabulary.__len__
    vocabulary[SEPARATOR]  # id 0: the separator
    ids = np.fromiter(map(vocabulary.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    ends = np.flatnonzero(ids == 0)
    if len(ends) != len(texts) - 1:  # pragma: no cover - the segmenter merged a separator into a token
        return _count_lists([segmenter.cut(text) for text in texts])
    lengths = np.diff(ends, prepend=-1, append=len(ids)) - 1
    words, ids = _in_sorted_order(list(vocabulary)[1:], ids[ids > 0] - 1)
    return words, _count_ids(ids, lengths, len(words))


class _Stack:
    """Partial counts stacked (rows in order) over one vocabulary, each part remapped as it is
    added, so merging keeps pace with the workers.

    Terms are numbered as first seen, then put in sorted order at the end by one renumbering.
    Parts whose terms are sorted, with ascending columns in each row (what :func:`count_chunk`
    gives), stay ascending under it: then nothing needs re-sorting.
    """

    def __init__(self) -> None:
        self.vocabulary: defaultdict[str, int] = defaultdict()
        self.vocabulary.default_factory = self.vocabulary.__len__
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
        self.in_order = True  # every part's terms sorted and columns ascending

    def add(self, words: list[str], matrix: sp.csr_matrix) -> None:
        remap = np.fromiter(map(self.vocabulary.__getitem__, words), dtype=np.int64, count=len(words))
        matrix = matrix.tocsr()
        self.in_order = self.in_order and matrix.has_sorted_indices and _is_sorted(words)
        indices = remap[matrix.indices] if len(words) else matrix.indices
        self.parts.append((matrix.data, indices, matrix.indptr, matrix.shape[0]))

    def result(self, keep: Callable[[str], bool] | None = None) -> TermCounts:
        """The stacked counts, terms in sorted order, each row's columns ascending; with
        ``keep``, only the terms it accepts (as :meth:`TermCounts.select`, in the same pass)."""
        first_seen = list(self.vocabulary)
        order = _sorted_order(first_seen)
        if keep is not None:
            order = [i for i in order if keep(first_seen[i])]
        words = [first_seen[i] for i in order]
        column = np.full(len(first_seen), -1, dtype=np.int32)  # each term's column, -1 if not kept
        column[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int32)
        if not self.parts:
            return TermCounts(words, sp.csr_matrix((0, len(words)), dtype=np.int32))
        filtering = len(order) < len(first_seen)
        datas, columns, pointers, entries = [], [], [np.zeros(1, dtype=np.int64)], 0
        for data, indices, indptr, _ in self.parts:  # part by part: arrays small enough to stay in cache
            cols = column[indices]
            ends = indptr[1:].astype(np.int64) - indptr[0]
            if filtering:  # drop the entries of terms not kept
                kept = cols >= 0
                before = np.zeros(len(kept) + 1, dtype=np.int64)  # entries kept before each position
                np.cumsum(kept, out=before[1:])
                data, cols, ends = data[kept], cols[kept], before[ends]
            datas.append(data)
            columns.append(cols)
            pointers.append(ends + entries)
            entries += len(data)
        data, indices, indptr = np.concatenate(datas), np.concatenate(columns), np.concatenate(pointers)
        rows = sum(n for _, _, _, n in self.parts)
        matrix = sp.csr_matrix((data, indices, indptr), shape=(rows, len(words)))
        if self.in_order:
            matrix.has_sorted_indices = True  # an increasing renumbering keeps each row ascending
        else:
            matrix.sort_indices()
        return TermCounts(words, matrix)


def _merge(parts: Iterable[tuple[list[str], sp.csr_matrix]]) -> TermCounts:
    """Stack partial counts (rows in order) over one vocabulary (first-seen order)."""
    stack = _Stack()
    for words, matrix in parts:
        stack.add(words, matrix)
    return stack.result()


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def default_cache_dir() -> Path:
    """The user's cache folder for this tool (``~/.cache/policy-analysis`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("policy-analysis", appauthor=False))


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class TokenCache:
    """Raw term counts per document, keyed by text hash, in ``root/tokens/<fingerprint>/``.

    Each run that cut new documents adds one ``.npz`` shard (keys, vocabulary, counts) written
    atomically; nothing is pickled, so a cache file can never run code. A shard that cannot
    be read is ignored (the documents are cut again). Only the :data:`TOKEN_FOLDERS_KEPT` most
    recently used folders are kept (one per segmenter setup: a new corpus with new unit names
    starts a new one); older ones are deleted when a new shard is written.
    """

    def __init__(self, root: Path, fingerprint: str) -> None:
        self.root = Path(root) / "tokens"
        self.folder = self.root / f"v{_CACHE_FORMAT}-{__version__}-{fingerprint}"

    def has_shards(self) -> bool:
        """Whether anything is cached for this segmenter."""
        return self.folder.is_dir() and any(self.folder.glob("*.npz"))

    def load(self, keys: Sequence[bytes]) -> tuple[dict[bytes, int], TermCounts | None]:
        """Rows found for ``keys``: ``{key: row}`` into the returned counts (None if nothing found)."""
        wanted = set(keys)
        found: dict[bytes, int] = {}
        parts: list[tuple[list[str], sp.csr_matrix]] = []
        offset = 0
        shards = sorted(self.folder.glob("*.npz"), reverse=True) if self.folder.is_dir() else []
        if shards:
            try:
                os.utime(self.folder)  # used now: pruning keeps the most recently used folders
            except OSError:
                pass
        for shard in shards:
            if len(found) == len(wanted):
                break
            try:
                with np.load(shard, allow_pickle=False) as data:
                    shard_keys = [row.tobytes() for row in data["keys"]]
                    rows = [i for i, k in enumerate(shard_keys) if k in wanted and k not in found]
                    if not rows:
                        continue
                    matrix = sp.csr_matrix((data["data"], data["indices"], data["indptr"]), shape=tuple(data["shape"]))
                    vocabulary = _split_words(str(data["words"]), data["offsets"])
            except Exception:  # noqa: BLE001 - a damaged shard is only a cache miss
                continue
            parts.append((vocabulary, matrix[rows]))
            for n, i in enumerate(rows):
                found[shard_keys[i]] = offset + n
            offset += len(rows)
        return found, (_merge(parts) if parts else None)

    def store(self, keys: Sequence[bytes], counts: TermCounts, *, prune: bool = True) -> None:
        """Add a shard for ``keys`` (rows of ``counts``), then :meth:`prune` unless told not to;
        errors writing it are ignored."""
        if not keys:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            matrix = counts.matrix.tocsr()
            offsets = np.cumsum([0, *map(len, counts.vocabulary)], dtype=np.int64)
            name = f"{time.time_ns():020d}-{os.getpid()}-{next(_SHARDS):06d}"
            temporary = self.folder / f".{name}.tmp.npz"
            np.savez(
                temporary,
                keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), -1),  # not "S16": it drops trailing NULs
                words=np.array("".join(counts.vocabulary)),
                offsets=offsets,
                data=matrix.data,
                indices=matrix.indices,
                indptr=matrix.indptr,
                shape=np.array(matrix.shape),
            )
            os.replace(temporary, self.folder / f"{name}.npz")
            os.utime(self.folder)
            if prune:
                self.prune()
        except OSError:
            return

    def prune(self, keep: int | None = None) -> list[Path]:
        """Delete all but the ``keep`` most recently used token folders; return those deleted."""
        keep = TOKEN_FOLDERS_KEPT if keep is None else keep
        try:
            folders = sorted((p for p in self.root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        except OSError:
            return []
        deleted = [folder for folder in folders[keep:] if folder != self.folder]
        for folder in deleted:
            shutil.rmtree(folder, ignore_errors=True)
        return deleted


def _split_words(joined: str, offsets: np.ndarray) -> list[str]:
    bounds = offsets.tolist()
    return [joined[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


@dataclass
class CountReport:
    """How a count went: documents cut, documents reused from the cache, engine used."""

    documents: int = 0
    cut: int = 0
    cached: int = 0
    engine: str = "local"
    workers: int = 1
    results_reused: bool = False  # the whole analysis came from the results cache

    def __str__(self) -> str:
        if self.results_reused:
            return f"results for all {self.documents} documents reused from the cache (inputs, settings and code unchanged)"
        return (
            f"segmented {self.cut} of {self.documents} documents ({self.engine} engine, "
            f"{self.workers} worker{'' if self.workers == 1 else 's'}); "
            f"{self.cached} reused from the token cache"
        )


def chunk_bounds(texts: Sequence[str], size: int = _CHUNK_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive runs of texts holding about ``size`` characters each."""
    bounds = []
    start = chars = 0
    for i, text in enumerate(texts):
        chars += len(text)
        if chars >= size:
            bounds.append((start, i + 1))
            start, chars = i + 1, 0
    if start < len(texts):
        bounds.append((start, len(texts)))
    return bounds


class _NoProgress:
    """What :func:`_progress` gives when no bar is shown (a disabled tqdm bar would still start
    tqdm's monitor thread)."""

    def update(self, n: int = 1) -> None:
        pass

    def __enter__(self) -> "_NoProgress":
        return self

    def __exit__(self, *exception) -> None:
        pass


def _progress(total: int, enabled: bool | None):
    if enabled is None:  # on a terminal or in a notebook; never in tests or pipes
        enabled = sys.stderr.isatty() or "ipykernel" in sys.modules
    if not enabled:
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=total, unit="char", unit_scale=True, desc="segmenting", delay=1.0, file=sys.stderr)


def _count_dask(segmenter: Segmenter, chunks: list[list[str]], scheduler: str | None, workers: int, bar):
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ConfigError(
            "the Dask engine needs dask and distributed (pip install 'policy-analysis[dask]'), or use engine = \"local\""
        ) from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
    except OSError as error:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {error} (check the address, or drop --scheduler)") from None
    try:
        run = uuid.uuid4().hex  # task names unique to this run, even on a long-lived shared cluster
        futures = [
            client.submit(count_chunk, segmenter, chunk, key=f"count-chunk-{run}-{i}", pure=False)
            for i, chunk in enumerate(chunks)
        ]
        order = {future.key: i for i, future in enumerate(futures)}
        results: list = [None] * len(futures)
        for future in as_completed(futures):
            i = order[future.key]
            results[i] = future.result()
            bar.update(sum(map(len, chunks[i])))
            future.release()
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def count_terms(
    texts: Sequence[str],
    segmenter: Segmenter,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    cache_dir: Path | None = None,
    progress: bool | None = None,
    chunk_chars: int = _CHUNK_CHARS,
    pool: "Workers | None" = None,
    keep: Callable[[str], bool] | None = None,
    queued: Callable[[], None] | None = None,
) -> tuple[TermCounts, CountReport]:
    """Raw token counts for every text (rows in order), cutting only texts not in the cache.

    ``engine`` is ``"local"`` (``workers`` processes, default: every core; or ``pool``, workers
    started earlier) or ``"dask"`` (the cluster at ``scheduler``, or a local one). ``cache_dir=None`` turns the
    token cache off. Results are the same whatever the engine, workers or cache. With ``keep``,
    only the terms it accepts are returned (``count_terms(...).select(keep)``, done while
    merging); the token cache always holds the raw counts, written chunk by chunk as they come.
    ``queued`` is called once the first chunks are handed to the workers (or cutting begins
    here): a caller running this in a thread can wait for it before competing for the GIL.
    """
    queued = queued or (lambda: None)
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine '{engine}' (known: {', '.join(ENGINES)})")
    workers = pool.processes if pool is not None and engine == "local" else workers or default_workers()
    report = CountReport(documents=len(texts), engine=engine, workers=workers)
    cache = TokenCache(cache_dir, segmenter.fingerprint) if cache_dir is not None else None
    if cache is not None and cache.has_shards():  # some texts may be cached: look them up
        keys: list[bytes] | None = [_digest(text) for text in texts]
        found, cached = cache.load(keys)
        todo: dict[bytes, str] = {}
        for key, text in zip(keys, texts):
            if key not in found and key not in todo:
                todo[key] = text
        new_texts, new_keys = list(todo.values()), list(todo)
    else:  # nothing cached for this segmenter: cut every text at once, hashing them (for the cache) as they come back
        keys, found, cached, todo = None, {}, None, {}
        new_texts, new_keys = list(texts), None
    bounds = chunk_bounds(new_texts, chunk_chars)
    chunks = [new_texts[a:b] for a, b in bounds]
    if engine == "local" and pool is None and len(chunks) <= 1:
        report.workers = 1  # cut here: one chunk is not worth starting workers for
    direct = cached is None and (keys is None or len(todo) == len(keys))  # every text cut here once: rows in order
    with _progress(sum(map(len, new_texts)), progress) as bar:
        parts = _Stack()
        if engine == "dask":
            queued()
            results = _count_dask(segmenter, chunks, scheduler, workers, bar) if chunks else []
        elif chunks:
            results = _count_local(segmenter, chunks, workers, bar, pool, queued)
        else:
            queued()
            results = []
        for (words, matrix), (a, b) in zip(results, bounds):  # merged and cached as they come in, while the workers go on
            parts.add(words, matrix)
            if cache is not None:
                chunk_keys = new_keys[a:b] if new_keys is not None else [_digest(text) for text in new_texts[a:b]]
                cache.store(chunk_keys, TermCounts(words, matrix), prune=False)
    if cache is not None and chunks:
        cache.prune()
    fresh = parts.result(keep if direct else None) if chunks else None
    report.cached = sum(1 for k in keys if k in found) if keys is not None else 0
    report.cut = len(texts) - report.cached
    if direct and fresh is not None:
        return fresh, report
    keys = keys if keys is not None else []  # not hashed: there were no texts

    # Rows in document order: cached rows first, then the new ones, then picked per document.
    pieces = [(p.vocabulary, p.matrix) for p in (cached, fresh) if p is not None]
    merged = _merge(pieces) if pieces else TermCounts([], sp.csr_matrix((0, 0), dtype=np.int32))
    offset = cached.matrix.shape[0] if cached is not None else 0  # a shard may hold a repeated text twice
    fresh_rows = {key: offset + i for i, key in enumerate(todo)}
    order = np.fromiter((found[k] if k in found else fresh_rows[k] for k in keys), dtype=np.int64, count=len(keys))
    matrix = merged.matrix[order] if len(keys) else sp.csr_matrix((0, len(merged.vocabulary)), dtype=np.int32)
    counts = TermCounts(merged.vocabulary, matrix.tocsr())
    return (counts.select(keep) if keep is not None else counts), report


def _count_local(segmenter: Segmenter, chunks: list[list[str]], workers: int, bar, pool: "Workers | None", queued: Callable[[], None]):
    """Counts of the chunks, in order: here when there is one chunk or one worker, else on
    worker processes (``queued()`` once the first are queued)."""
    if pool is None and (workers <= 1 or len(chunks) <= 1):
        queued()
        for chunk in chunks:
            yield count_chunk(segmenter, chunk)
            bar.update(sum(map(len, chunk)))
    elif pool is not None:
        yield from pool.iter_count(segmenter, chunks, bar, queued)
    else:
        with Workers(segmenter.engine, workers) as own:
            yield from own.iter_count(segmenter, chunks, bar, queued)


#: How long :meth:`Workers.resolve` asks for the worker that read jieba's dictionary.
_RESOLVE_SECONDS = 10.0
_WORKER_DIED = "a segmentation worker process stopped unexpectedly (out of memory?): rerun with --workers 1, or free memory"


def _warm_worker(engine: str, first, questions, answers) -> None:
    """A worker process's start: :func:`~analysis.tokens.warm_up`, reading jieba's dictionary
    only in the first worker to take the lock ``first`` (never released). That worker then
    answers :meth:`Workers.resolve`'s questions in a thread of its own: whatever it is doing,
    no other worker can take them."""
    reads = first.acquire(block=False)
    warm_up(engine, dictionary=reads)
    if reads:
        threading.Thread(target=_answer_questions, args=(questions, answers), name="resolve", daemon=True).start()


def _answer_questions(questions, answers) -> None:
    """Resolve each segmenter asked about (see :func:`~analysis.tokens.resolved_calls`)."""
    while True:
        try:
            args = questions.recv()
        except EOFError:  # the analysis is over
            return
        try:
            calls = resolved_calls(*args)
        except Exception:  # noqa: BLE001 - no answer: the workers read the dictionary themselves
            calls = None
        answers.send(calls)


class Workers:
    """Worker processes that cut and count chunks of documents for :func:`count_terms`.

    Start them before reading the corpus: each makes a fresh segmenter instance
    (:func:`~analysis.tokens.warm_up`) while this process reads, and the first one also reads
    jieba's dictionary, to resolve the words the analysis adds (:meth:`resolve`) for all of
    them; so the cutting starts at once.
    Processes, not threads: jieba-rs cuts outside the GIL, but making and counting the tokens
    holds it, so two threads were barely faster than one. On Linux the workers are forked
    (they start in milliseconds); elsewhere they start fresh. Use as a context manager; workers
    never given work are left to exit on their own, without waiting for them.
    """

    def __init__(self, engine: str, processes: int | None = None) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        self.engine = engine
        self.processes = processes or default_workers()
        first = context.Lock()  # the first worker to take it (and only that one) reads jieba's dictionary
        questions, self._ask = context.Pipe(duplex=False)  # to that worker ...
        self._answers, answers = context.Pipe(duplex=False)  # ... and back
        self._pool = ProcessPoolExecutor(
            self.processes, mp_context=context, initializer=_warm_worker, initargs=(engine, first, questions, answers)
        )
        self._pool.submit(int)  # starts every process now (a pool would wait for the first task)
        self._used = False

    def resolve(self, segmenter: Segmenter) -> Callable[[], Segmenter]:
        """Ask the worker that read jieba's dictionary to resolve ``segmenter``'s additions
        (:attr:`~analysis.tokens.Segmenter.calls`), so that no other process has to read it
        (about 0.2 s of a core each); return a function that waits for the answer and gives
        the segmenter. If no answer comes (the worker is gone), each worker reads the
        dictionary when it builds the segmenter, as without this step."""
        if segmenter.engine != "rjieba" or segmenter.calls is not None:
            return lambda: segmenter
        self._ask.send((segmenter.engine, segmenter.entries, segmenter.words, segmenter.hmm))

        def answer() -> Segmenter:
            if segmenter.calls is None and self._answers.poll(_RESOLVE_SECONDS):
                segmenter.calls = self._answers.recv()
            return segmenter

        return answer

    def result(self, future: Future):
        """``future.result()``, a worker that died reported as :class:`AnalysisError`."""
        try:
            return future.result()
        except BrokenProcessPool:
            raise AnalysisError(_WORKER_DIED) from None

    def submit(self, function: Callable, *args) -> Future:
        """Run ``function(*args)`` on a worker (it must be importable, its arguments picklable)."""
        self._used = True
        return self._pool.submit(function, *args)

    def count(self, segmenter: Segmenter, chunks: Sequence[Sequence[str]], bar=None) -> list[tuple[list[str], sp.csr_matrix]]:
        """:func:`count_chunk` of every chunk, in order."""
        return list(self.iter_count(segmenter, chunks, bar))

    def iter_count(
        self, segmenter: Segmenter, chunks: Sequence[Sequence[str]], bar=None, queued: Callable[[], None] | None = None
    ) -> Iterator[tuple[list[str], sp.csr_matrix]]:
        """:func:`count_chunk` of every chunk, in order, as each is ready; a bounded number in
        flight, so memory stays flat however large the corpus. ``queued`` is called once the
        first chunks are queued (all of them, or as many as may be in flight)."""
        self._used = True
        in_flight = 4 * self.processes
        pending: list[tuple[Future, int]] = []
        try:
            for n, chunk in enumerate(chunks, start=1):
                pending.append((self._pool.submit(count_chunk, segmenter, chunk), sum(map(len, chunk))))
                if queued is not None and n == min(in_flight, len(chunks)):
                    queued()
                if len(pending) >= in_flight:
                    future, size = pending.pop(0)
                    yield future.result()
                    if bar is not None:
                        bar.update(size)
            for future, size in pending:
                yield future.result()
                if bar is not None:
                    bar.update(size)
        except BrokenProcessPool:
            raise AnalysisError(_WORKER_DIED) from None

    def close(self) -> None:
        """Let the workers exit; wait for them only if they did work."""
        self._ask.close()
        self._answers.close()
        self._pool.shutdown(wait=self._used, cancel_futures=True)

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exception) -> None:
        self.close()
