"""Counts: term frequencies for the corpus and per unit, and TF-IDF terms that set units apart.

Every function takes either token lists (one per document) or a :class:`TermCounts` (the
sparse document × term counts of an analysis); both give the same table.
Every table is sorted by count (descending) then term, so reruns give identical files.
"""

from __future__ import annotations

import shutil
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .tokens import TokenIds, token_ids

__all__ = ["TermCounts", "CountChunks", "Bigrams", "column_totals", "column_counts", "row_totals", "group_sums", "CountsBuilder", "PartCounts", "merge_sorted_counts", "count_token_ids", "as_counts", "term_frequencies", "term_frequencies_by", "distinctive_terms"]


def alphabetical_ranks(words: Sequence[str]) -> np.ndarray:
    """Each word's place in sorted order: sorting by it sorts by the word, without comparing strings."""
    ranks = np.empty(len(words), dtype=np.int64)
    ranks[sorted(range(len(words)), key=words.__getitem__)] = np.arange(len(words))
    return ranks


_BLOCK = 1_000_000


def column_totals(matrix: sp.csr_matrix) -> np.ndarray:
    """Each column's sum as int64, a million stored entries at a time (SciPy's ``sum`` with an
    int64 dtype would first copy the whole int32 matrix to int64). Each block's counts are made
    int64 first: ``np.add.at`` adding int32 to int64 takes a slow path (about 20 times slower)."""
    totals = np.zeros(matrix.shape[1], dtype=np.int64)
    for lo in range(0, matrix.nnz, _BLOCK):
        np.add.at(totals, matrix.indices[lo : lo + _BLOCK], matrix.data[lo : lo + _BLOCK].astype(np.int64))
    return totals


def column_counts(matrix: sp.csr_matrix) -> np.ndarray:
    """How many rows hold each column (its stored entries), a block at a time (``np.bincount``
    of all the int32 indices would first copy them to int64)."""
    counts = np.zeros(matrix.shape[1], dtype=np.int64)
    for lo in range(0, matrix.nnz, _BLOCK):
        counts += np.bincount(matrix.indices[lo : lo + _BLOCK], minlength=matrix.shape[1])
    return counts


def row_blocks(indptr: np.ndarray) -> list[tuple[int, int]]:
    """Runs of rows ``(first, end)`` of a CSR matrix holding about a million stored entries
    each: what the blockwise sums work through, so no copy of the whole matrix is made."""
    n_rows = len(indptr) - 1
    starts = np.unique(np.searchsorted(indptr, np.arange(0, max(int(indptr[-1]), 1), _BLOCK), side="right") - 1)
    starts = [int(x) for x in starts if 0 <= x < n_rows] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    return list(zip(starts, starts[1:] + [n_rows]))


def row_totals(matrix: sp.csr_matrix) -> np.ndarray:
    """Each row's sum as int64, a block of rows at a time (an int64 copy of a block, not of the matrix)."""
    totals = np.zeros(matrix.shape[0], dtype=np.int64)
    for a, b in row_blocks(matrix.indptr):
        bounds = matrix.indptr[a : b + 1]
        rows = np.flatnonzero(np.diff(bounds))  # rows with entries (reduceat needs non-empty runs)
        if len(rows):
            totals[a + rows] = np.add.reduceat(matrix.data[bounds[0] : bounds[-1]].astype(np.int64), bounds[rows] - bounds[0])
    return totals


def group_sums(matrix: sp.csr_matrix, group_of_row: Sequence[int], rows: Sequence[int], n_groups: int) -> sp.csr_matrix:
    """Group × column sums of the ``rows`` of ``matrix`` (``group_of_row`` for each), as int64.

    Multiplied in the matrix's own integer type, so it is not copied to a wider one first (a
    term would need over two billion occurrences in one group to overflow int32)."""
    indicator = sp.csr_matrix(
        (np.ones(len(rows), dtype=matrix.dtype), (np.asarray(group_of_row), np.asarray(rows))), shape=(n_groups, matrix.shape[0])
    )
    return (indicator @ matrix).tocsr().astype(np.int64)


class CountChunks:
    """Document × term counts as consecutive runs of rows: one CSR matrix in memory, or one
    ``.npz`` file (:func:`scipy.sparse.save_npz`) per chunk of rows in a folder, read back one
    chunk at a time, so a large corpus's counts are never all held.

    The sums (per column, per row, per group) and the selections (columns, rows) go through
    the chunks; :attr:`matrix` assembles the whole matrix, once, for callers that want it.
    On disk, the folder is owned (removed when these counts are no longer used, or at exit)
    when it is given with ``own=True``.
    """

    def __init__(self, shape: tuple[int, int], *, matrix: sp.csr_matrix | None = None, files: Sequence[Path] = (),
                 starts: Sequence[int] = (), nnz: int = 0, folder: Path | None = None, own: bool = False) -> None:
        self.shape = (int(shape[0]), int(shape[1]))
        self._matrix = matrix
        self.files = list(files)
        self.starts = np.asarray(starts, dtype=np.int64)  # each file's first row
        self.nnz = int(matrix.nnz) if matrix is not None else int(nnz)
        self.folder = folder
        if own and folder is not None:
            weakref.finalize(self, shutil.rmtree, str(folder), True)

    @classmethod
    def in_memory(cls, matrix: sp.spmatrix) -> "CountChunks":
        matrix = matrix if sp.isspmatrix_csr(matrix) else sp.csr_matrix(matrix)
        return cls(matrix.shape, matrix=matrix)

    @property
    def on_disk(self) -> bool:
        return self._matrix is None

    @property
    def dtype(self) -> np.dtype:
        return self._matrix.dtype if self._matrix is not None else np.dtype(np.int32)

    def __len__(self) -> int:
        return self.shape[0]

    def __iter__(self) -> Iterator[tuple[int, sp.csr_matrix]]:
        """``(first row, rows)`` of each chunk, in order (the whole matrix when in memory)."""
        if self._matrix is not None:
            yield 0, self._matrix
            return
        for start, path in zip(self.starts.tolist(), self.files):
            yield start, sp.load_npz(path)

    @property
    def matrix(self) -> sp.csr_matrix:
        """The whole matrix (assembled from the chunks on first use and kept)."""
        if self._matrix is None:
            chunks = [chunk for _, chunk in self]
            self._matrix = sp.vstack(chunks, format="csr") if chunks else sp.csr_matrix(self.shape, dtype=np.int32)
        return self._matrix

    @property
    def weighted(self) -> bool:
        """Whether the counts are weights (floats, e.g. TF-IDF), not integers."""
        return not np.issubdtype(self.dtype, np.integer)

    def column_totals(self) -> np.ndarray:
        """Each column's sum: int64, exact, a chunk at a time; a weighted matrix's, as floats."""
        if self.weighted:
            return np.asarray(self._matrix.sum(axis=0)).ravel()
        totals = np.zeros(self.shape[1], dtype=np.int64)
        for _, chunk in self:
            totals += column_totals(chunk)
        return totals

    def column_counts(self) -> np.ndarray:
        counts = np.zeros(self.shape[1], dtype=np.int64)
        for _, chunk in self:
            counts += column_counts(chunk)
        return counts

    def row_totals(self) -> np.ndarray:
        """Each row's sum: int64, exact, a chunk at a time; a weighted matrix's, as floats."""
        if self.weighted:
            return np.asarray(self._matrix.sum(axis=1)).ravel()
        totals = np.zeros(self.shape[0], dtype=np.int64)
        for start, chunk in self:
            totals[start : start + chunk.shape[0]] = row_totals(chunk)
        return totals

    def group_sums(self, group_of_row: Sequence[int], rows: Sequence[int], n_groups: int) -> sp.csr_matrix:
        """:func:`group_sums` of these counts, a chunk at a time (integers: the same sums)."""
        if self._matrix is not None:
            return group_sums(self._matrix, group_of_row, rows, n_groups)
        group_of_row, rows = np.asarray(group_of_row, dtype=np.int64), np.asarray(rows, dtype=np.int64)
        total = sp.csr_matrix((n_groups, self.shape[1]), dtype=np.int64)
        pending: list[sp.coo_matrix] = []  # chunks' sums, added to the total together (one copy of it, not one a chunk)
        for start, chunk in self:
            a, b = np.searchsorted(rows, [start, start + chunk.shape[0]])  # rows are ascending
            if b > a:
                pending.append(group_sums(chunk, group_of_row[a:b], rows[a:b] - start, n_groups).tocoo())
            if sum(part.nnz for part in pending) > max(total.nnz, _BLOCK):
                total, pending = _add(total, pending), []
        return _add(total, pending)

    def columns(self, columns: Sequence[int]) -> sp.csr_matrix:
        """Every row's counts of ``columns`` only (in that order), selected chunk by chunk."""
        columns = np.asarray(columns, dtype=np.int64)
        if self._matrix is not None:
            return self._matrix[:, columns].tocsr() if len(columns) else sp.csr_matrix((self.shape[0], 0), dtype=self.dtype)
        if not len(columns):
            return sp.csr_matrix((self.shape[0], 0), dtype=self.dtype)
        return sp.vstack([chunk[:, columns] for _, chunk in self], format="csr")

    def rows(self, rows: Sequence[int]) -> sp.csr_matrix:
        """The counts of ``rows`` (ascending positions) only, selected chunk by chunk."""
        rows = np.asarray(rows, dtype=np.int64)
        if self._matrix is not None:
            return self._matrix[rows]
        parts = []
        for start, chunk in self:
            a, b = np.searchsorted(rows, [start, start + chunk.shape[0]])
            if b > a:
                parts.append(chunk[rows[a:b] - start])
        return sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, self.shape[1]), dtype=self.dtype)


def _add(total: sp.csr_matrix, parts: list[sp.coo_matrix]) -> sp.csr_matrix:
    """``total`` plus every matrix of ``parts`` (same shape), as a CSR matrix with sorted indices."""
    if not parts:
        return total
    coo = total.tocoo()
    rows = np.concatenate([coo.row] + [p.row for p in parts])
    cols = np.concatenate([coo.col] + [p.col for p in parts])
    data = np.concatenate([coo.data] + [p.data.astype(np.int64, copy=False) for p in parts])
    summed = sp.coo_matrix((data, (rows, cols)), shape=total.shape).tocsr()  # duplicates summed
    summed.sum_duplicates()
    return summed


class TermCounts:
    """Document × term counts: ``matrix[i, j]`` is how often ``vocabulary[j]`` occurs in document i.

    Terms are in sorted order, so every engine and every run gives the same columns. The counts
    are :class:`CountChunks` (``chunks``): in memory, or on disk a chunk of rows at a time for a
    run's corpus; sums and selections go through them, and ``matrix`` is the whole matrix,
    assembled when asked.
    """

    def __init__(self, vocabulary: list[str], matrix: "sp.spmatrix | CountChunks") -> None:
        self.vocabulary = vocabulary
        self.chunks = matrix if isinstance(matrix, CountChunks) else CountChunks.in_memory(matrix)

    @property
    def matrix(self) -> sp.csr_matrix:
        """The whole document × term matrix (assembled from disk on first use: a large corpus's
        methods read :attr:`chunks` instead)."""
        return self.chunks.matrix

    @classmethod
    def from_token_ids(cls, tokens: TokenIds) -> "TermCounts":
        """Counts of :class:`~analysis.text.tokens.TokenIds` (as a run counts each chunk)."""
        builder = CountsBuilder(pairs=False)
        builder.add(tokens)
        return builder.result()[0]

    @classmethod
    def from_tokens(cls, tokens: Sequence[Sequence[str]]) -> "TermCounts":
        """Counts of token lists (one per document)."""
        return cls.from_token_ids(token_ids(tokens))

    @property
    def n_documents(self) -> int:
        return self.chunks.shape[0]

    @property
    def n_tokens(self) -> int:
        return int(self.totals().sum())

    def totals(self) -> np.ndarray:
        """Occurrences of each term in the whole corpus."""
        return self.chunks.column_totals()

    def document_counts(self) -> np.ndarray:
        """Number of documents containing each term."""
        return self.chunks.column_counts()

    def document_totals(self) -> np.ndarray:
        """Kept tokens in each document (row sums)."""
        return self.chunks.row_totals()

    def columns(self, columns: Sequence[int]) -> sp.csr_matrix:
        """Every document's counts of the terms at ``columns`` (in that order), as a CSR matrix."""
        return self.chunks.columns(columns)

    def pooled(self, groups: Sequence[str]) -> tuple[list[str], sp.csr_matrix]:
        """Group × term counts, groups in order of first appearance; empty groups left out."""
        return self.pooled_codes(*group_codes(groups))

    def pooled_codes(self, names: list[str], codes: np.ndarray) -> tuple[list[str], sp.csr_matrix]:
        """:meth:`pooled` of groups already numbered (``names``, ``codes``: what :func:`group_codes`
        gives), for a caller that needs the codes too."""
        return self._sum_groups(names, codes)

    def _sum_groups(self, names: list[str], codes: np.ndarray) -> tuple[list[str], sp.csr_matrix]:
        """:meth:`pooled` of the groups :func:`group_codes` gave."""
        rows = np.flatnonzero(codes >= 0)
        pooled = self.chunks.group_sums(codes[rows], rows, len(names))
        pooled.eliminate_zeros()
        pooled.sort_indices()
        return names, pooled


def group_codes(groups: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The groups' names in order of first appearance and each document's group as its
    position among them (int32; -1 for an empty group): 4 bytes a document, where the labels
    are a string each."""
    names = list(dict.fromkeys(g for g in groups if g))
    index = {name: i for i, name in enumerate(names)}
    return names, np.fromiter((index[g] if g else -1 for g in groups), dtype=np.int32, count=len(groups))

@dataclass(frozen=True)
class Bigrams:
    """Adjacent kept tokens within a document: each distinct pair (``first``, ``second``, as
    columns of ``vocabulary``) and how often it occurs. Collocations are computed from these."""

    vocabulary: list[str]
    first: np.ndarray
    second: np.ndarray
    count: np.ndarray

    @classmethod
    def from_tokens(cls, tokens: "Sequence[Sequence[str]] | TokenIds") -> "Bigrams":
        return count_token_ids([token_ids(tokens)])[1]


_PAIR_SHIFT = np.int64(32)
_COMPACT_PAIRS = 1_000_000  # pairs kept aside before they are merged into the sorted counts
_DROPPED_KEPT = 1 << 18  # tokens not counted (numbers, punctuation, stopwords…) remembered by CountsBuilder.add_cut at most


@dataclass
class PartCounts:
    """The counts of a run of documents, numbered by their own words: what a Dask worker sends
    back instead of every token (a document's distinct terms, not its tokens, and each distinct
    pair of neighbours once).

    ``words[i]`` is local id i; the rows are ``row_sizes`` entries each of ``indices``
    (local ids) and ``data`` (counts); ``pair_codes`` are sorted distinct ``first << 32 | second``
    (local ids) with their ``pair_counts``.
    """

    words: list[str]
    data: np.ndarray
    indices: np.ndarray
    row_sizes: np.ndarray
    pair_codes: np.ndarray
    pair_counts: np.ndarray

    @classmethod
    def from_token_ids(cls, tokens: TokenIds, *, pairs: bool = True) -> "PartCounts":
        """Count ``tokens`` (one chunk or partition of documents, in order)."""
        ids = tokens.ids.astype(np.int32, copy=False)
        n_docs = len(tokens.lengths)
        rows = np.repeat(np.arange(n_docs, dtype=np.int32), tokens.lengths)
        chunk = sp.coo_matrix((np.ones(len(ids), dtype=np.int32), (rows, ids)), shape=(n_docs, max(len(tokens.words), 1))).tocsr()
        del rows
        chunk.sum_duplicates()
        codes = counts = np.zeros(0, dtype=np.int64)
        if pairs and len(ids) > 1:  # pairs of neighbours within one document
            follows = np.ones(len(ids), dtype=bool)
            follows[np.cumsum(tokens.lengths[tokens.lengths > 0]) - 1] = False
            codes = (ids[:-1][follows[:-1]].astype(np.int64) << _PAIR_SHIFT) | ids[1:][follows[:-1]].astype(np.int64)
            codes, counts = np.unique(codes, return_counts=True)
            counts = counts.astype(np.int64)
        return cls(list(tokens.words), chunk.data.astype(np.int32, copy=False), chunk.indices.astype(np.int32, copy=False),
                   np.diff(chunk.indptr).astype(np.int64), codes, counts)


def merge_sorted_counts(codes: np.ndarray, counts: np.ndarray, more_codes: np.ndarray, more_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs of distinct codes with their counts as one: codes in both are summed
    (in ``counts``, in place), the others inserted where they sort. One copy of the larger
    run, where concatenating and sorting both again would take several."""
    at = np.searchsorted(codes, more_codes)
    found = at < len(codes)
    found[found] = codes[at[found]] == more_codes[found]
    np.add.at(counts, at[found], more_counts[found])
    new = ~found
    if not new.any():
        return codes, counts
    return np.insert(codes, at[new], more_codes[new]), np.insert(counts, at[new], more_counts[new])


class _Growing:
    """A one-dimensional array appended to in place; :meth:`take` hands it over, trimmed.

    It grows by an eighth at a time: a resize is a realloc (a large block is moved by the
    kernel, not copied), but NumPy zero-fills the new part, so the memory held is the capacity,
    not the size; doubling could hold up to twice the matrix until :meth:`take`."""

    GROWTH = 1.125

    def __init__(self, dtype) -> None:
        self.array = np.zeros(1 << 16, dtype=dtype)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        end = self.size + len(values)
        if end > len(self.array):
            self.array.resize(max(end, int(self.GROWTH * len(self.array))), refcheck=False)  # realloc: no views are handed out before take()
        self.array[self.size : end] = values
        self.size = end

    def take(self) -> np.ndarray:
        array, size = self.array, self.size
        self.array, self.size = np.zeros(0, dtype=array.dtype), 0
        array.resize(size, refcheck=False)
        return array


class _Numbers(dict):
    """Token → its id in ``vocabulary`` (word → id, in order of first appearance), or -1 for a
    token ``keep`` does not count; a token not seen yet is judged when first looked up, so
    looking up every token of a chunk in order numbers the counted ones by first appearance."""

    def __init__(self, vocabulary: dict[str, int], keep: Callable[[str], bool]) -> None:
        super().__init__(vocabulary)
        self.vocabulary = vocabulary
        self.keep = keep

    def __missing__(self, token: str) -> int:
        number = self.vocabulary.setdefault(token, len(self.vocabulary)) if self.keep(token) else -1
        self[token] = number
        return number


class CountsBuilder:
    """Term counts and bigram counts built chunk by chunk (documents in order), so a corpus's
    tokens never need to be held: each chunk's token ids (:meth:`add`), or its counts made
    elsewhere (:meth:`add_counts`, a Dask worker's), are renumbered, appended and let go.

    With ``folder``, each chunk's rows are written there (one ``.npz`` file a chunk) instead of
    held, and the result's counts are read back from it chunk by chunk (:class:`CountChunks`,
    which owns the folder when ``own``): what a run does, so its memory does not grow with the
    corpus's matrix. The result is the same as counting every document's tokens at once.
    """

    def __init__(self, *, pairs: bool = True, folder: Path | None = None, own: bool = False) -> None:
        self.pairs = pairs  # count bigrams too
        self.vocabulary: dict[str, int] = {}  # word → id, in order of first appearance
        self.folder = folder
        self.own = own
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            # removed if the builder is dropped before its result is made (an error while counting)
            self._cleanup = weakref.finalize(self, shutil.rmtree, str(folder), True) if own else None
        self.files: list[Path] = []
        self.rows = 0
        self.nnz = 0
        # In memory: the matrix's entries, appended chunk by chunk to arrays that grow in place:
        # one large allocation each (resized by the C library, not copied) instead of thousands
        # of pieces to concatenate at the end, which also left the heap fragmented.
        self.data = _Growing(np.int32)
        self.indices = _Growing(np.int32)
        self.row_sizes = _Growing(np.int64)
        # Pairs: sorted distinct codes and their counts, and the chunks' own not yet merged in.
        self.pair_codes = np.zeros(0, dtype=np.int64)
        self.pair_counts = np.zeros(0, dtype=np.int64)
        self.waiting: list[tuple[np.ndarray, np.ndarray | None]] = []
        self.pending = 0
        self._numbers: _Numbers | None = None  # every token seen by add_cut: its id, or -1

    def add(self, part: TokenIds) -> None:
        """Count one chunk of documents (their :class:`TokenIds`, in document order)."""
        self.add_counts(PartCounts.from_token_ids(part, pairs=self.pairs))

    def add_counts(self, part: PartCounts) -> None:
        """Append one chunk's counts (:class:`PartCounts`, documents in order), renumbered by this builder's words."""
        lookup = self.vocabulary.setdefault
        remap = np.fromiter((lookup(w, len(self.vocabulary)) for w in part.words), dtype=np.int32, count=len(part.words))
        indices = remap[part.indices] if len(remap) else part.indices
        codes = part.pair_codes
        if self.pairs and len(codes):
            wide = remap.astype(np.int64)
            codes = (wide[codes >> _PAIR_SHIFT] << _PAIR_SHIFT) | wide[codes & np.int64(0xFFFFFFFF)]  # renumbered: sorted when merged
        self._append(part.data, indices, part.row_sizes, codes, part.pair_counts)

    def add_cut(self, tokens: Sequence[Sequence[str]], keep: Callable[[str], bool]) -> None:
        """Count one chunk of documents' tokens as cut (one list per document, in order),
        counting only the tokens ``keep`` accepts: what :meth:`add` of the chunk's
        :class:`TokenIds` gives (``_cut_chunk``'s), in fewer steps. Each token is looked up once in
        one dictionary of every token seen so far (its id, or -1 when not counted), so a
        distinct token is judged by ``keep`` once per builder, and the chunk is numbered by this
        builder's words directly, with no numbering of its own to translate."""
        numbers = self._numbers
        if numbers is None or numbers.keep is not keep or len(numbers) > len(self.vocabulary) + _DROPPED_KEPT:
            numbers = self._numbers = _Numbers(self.vocabulary, keep)  # the tokens not counted forgotten: judged again if met
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        ids = np.fromiter(map(numbers.__getitem__, chain.from_iterable(tokens)), dtype=np.int32, count=int(lengths.sum()))
        taken = ids >= 0
        before = np.zeros(len(ids) + 1, dtype=np.int64)  # counted tokens before each position
        np.cumsum(taken, out=before[1:])
        ends = np.cumsum(lengths)
        sizes = before[ends] - before[ends - lengths]  # counted tokens of each document
        ids = ids[taken]
        rows = np.repeat(np.arange(len(tokens), dtype=np.int32), sizes)
        chunk = sp.coo_matrix((np.ones(len(ids), dtype=np.int32), (rows, ids)), shape=(len(tokens), max(len(self.vocabulary), 1))).tocsr()
        del rows
        chunk.sum_duplicates()
        codes = np.zeros(0, dtype=np.int64)
        if self.pairs and len(ids) > 1:  # pairs of neighbours within one document, each once: counted when merged
            follows = np.ones(len(ids), dtype=bool)
            follows[np.cumsum(sizes[sizes > 0]) - 1] = False
            codes = (ids[:-1][follows[:-1]].astype(np.int64) << _PAIR_SHIFT) | ids[1:][follows[:-1]].astype(np.int64)
        self._append(chunk.data, chunk.indices.astype(np.int32, copy=False), np.diff(chunk.indptr).astype(np.int64), codes, None)

    def _append(self, data: np.ndarray, indices: np.ndarray, row_sizes: np.ndarray, pair_codes: np.ndarray, pair_counts: np.ndarray | None) -> None:
        """Append one chunk's rows and pair counts, numbered by this builder's words (``pair_counts``
        None: each code is one pair, repeats included)."""
        if self.folder is not None:  # this chunk's rows to disk, numbered by first appearance (sorted in result())
            indptr = np.zeros(len(row_sizes) + 1, dtype=np.int64)
            np.cumsum(row_sizes, out=indptr[1:])
            path = self.folder / f"counts-{len(self.files):05d}.npz"
            sp.save_npz(path, sp.csr_matrix((data, indices, indptr), shape=(len(row_sizes), len(self.vocabulary))), compressed=False)
            self.files.append(path)
        else:
            self.data.extend(data)
            self.indices.extend(indices)
            self.row_sizes.extend(row_sizes)
        self.rows += len(row_sizes)
        self.nnz += len(data)
        if self.pairs and len(pair_codes):
            self.waiting.append((pair_codes, pair_counts))
            self.pending += len(pair_codes)
            if self.pending > _COMPACT_PAIRS:
                self._compact()

    def _compact(self) -> None:
        """Merge the chunks' pair counts waiting into the sorted counts."""
        if not self.waiting:
            return
        if all(n is None for _, n in self.waiting):  # single pairs (add_cut's): counted by one sort
            codes, counts = np.unique(np.concatenate([c for c, _ in self.waiting]), return_counts=True)
            counts = counts.astype(np.int64)
        else:
            codes, inverse = np.unique(np.concatenate([c for c, _ in self.waiting]), return_inverse=True)
            weights = np.concatenate([np.ones(len(c), dtype=np.int64) if n is None else n for c, n in self.waiting])
            counts = np.bincount(inverse, weights=weights, minlength=len(codes)).astype(np.int64)
            del inverse, weights
        self.waiting, self.pending = [], 0
        self.pair_codes, self.pair_counts = merge_sorted_counts(self.pair_codes, self.pair_counts, codes, counts)

    def result(self) -> tuple["TermCounts", Bigrams]:
        """The document × term counts (terms in sorted order) and the bigrams, numbered alike."""
        words = list(self.vocabulary)
        ranks = alphabetical_ranks(words)
        vocabulary = [""] * len(words)
        for word, rank in zip(words, ranks.tolist()):
            vocabulary[rank] = word
        new_id = ranks.astype(np.int32)
        if self.folder is not None:
            matrix = self._renumber_files(new_id, len(vocabulary))
        else:
            sizes = self.row_sizes.take()
            indptr = np.zeros(len(sizes) + 1, dtype=np.int64)
            np.cumsum(sizes, out=indptr[1:])
            del sizes
            indices = self.indices.take()
            for lo in range(0, len(indices), _BLOCK):  # columns renumbered alphabetically, in place
                indices[lo : lo + _BLOCK] = new_id[indices[lo : lo + _BLOCK]]
            matrix = sp.csr_matrix((self.data.take(), indices, indptr), shape=(len(indptr) - 1, len(vocabulary)))
            matrix.has_sorted_indices = False
            matrix.sort_indices()  # columns renumbered alphabetically: sort each row again
        self._compact()
        codes, counts = self.pair_codes, self.pair_counts
        first = new_id[codes >> _PAIR_SHIFT]  # int32 columns: half the memory of int64
        second = new_id[codes & np.int64(0xFFFFFFFF)]
        return TermCounts(vocabulary, matrix), Bigrams(vocabulary, first, second, counts)

    def _renumber_files(self, new_id: np.ndarray, n_terms: int) -> CountChunks:
        """Each chunk file rewritten with the sorted vocabulary's column numbers (rows sorted
        again), one file at a time: the counts on disk, as :class:`CountChunks`."""
        starts = []
        start = 0
        for path in self.files:
            chunk = sp.load_npz(path)
            chunk = sp.csr_matrix((chunk.data, new_id[chunk.indices], chunk.indptr), shape=(chunk.shape[0], n_terms))
            chunk.has_sorted_indices = False
            chunk.sort_indices()
            sp.save_npz(path, chunk, compressed=False)
            starts.append(start)
            start += chunk.shape[0]
        if self._cleanup is not None:
            self._cleanup.detach()  # the counts own the folder from here on
        return CountChunks((self.rows, n_terms), files=self.files, starts=starts, nnz=self.nnz, folder=self.folder, own=self.own)


def count_token_ids(parts: Iterable[TokenIds], *, folder: Path | None = None, own: bool = False) -> tuple["TermCounts", Bigrams]:
    """Term counts and bigrams of chunks of documents' token ids, counted chunk by chunk (with
    ``folder``, the counts kept there: see :class:`CountsBuilder`)."""
    builder = CountsBuilder(folder=folder, own=own)
    for part in parts:
        builder.add(part)
    return builder.result()


Tokens = TermCounts | Sequence[Sequence[str]]


def as_counts(tokens: "Tokens | TokenIds") -> TermCounts:
    """Counts of documents' tokens (token lists or :class:`TokenIds`); as is if they already are counts."""
    return tokens if isinstance(tokens, TermCounts) else TermCounts.from_token_ids(token_ids(tokens))


def term_frequencies(tokens: Tokens) -> pd.DataFrame:
    """Corpus-wide table ``term, count, doc_count``: occurrences and documents containing the term."""
    counts = as_counts(tokens)
    totals = counts.totals()
    present = np.flatnonzero(totals > 0)
    if not len(present):
        return pd.DataFrame({"term": pd.Series(dtype=str), "count": pd.Series(dtype=int), "doc_count": pd.Series(dtype=int)})
    order = present[np.lexsort((alphabetical_ranks(counts.vocabulary)[present], -totals[present]))]  # count desc, term
    return pd.DataFrame(
        {
            "term": pd.Series(np.asarray(counts.vocabulary, dtype=object)[order], dtype=object),
            "count": totals[order],
            "doc_count": counts.document_counts()[order],
        }
    )


def term_frequencies_by(tokens: Tokens, groups: Sequence[str]) -> pd.DataFrame:
    """Long table ``group, term, count`` (documents with an empty group are left out)."""
    counts = as_counts(tokens)
    if len(groups) != counts.n_documents:
        raise ValueError(f"{len(groups)} groups for {counts.n_documents} documents")
    names, pooled = counts.pooled(list(groups))
    coo = pooled.tocoo()
    order = np.lexsort((alphabetical_ranks(counts.vocabulary)[coo.col], -coo.data, alphabetical_ranks(names)[coo.row]))
    rows, columns = coo.row[order], coo.col[order]  # group, then count desc, then term
    vocabulary = np.asarray(counts.vocabulary, dtype=object)
    return pd.DataFrame(
        {
            "group": pd.Series(np.asarray(names, dtype=object)[rows] if names else [], dtype=object),
            "term": pd.Series(vocabulary[columns] if len(vocabulary) else [], dtype=object),
            "count": coo.data[order].astype(np.int64),
        },
        columns=["group", "term", "count"],
    )


def distinctive_terms(tokens: Tokens, groups: Sequence[str], *, top_n: int = 10) -> pd.DataFrame:
    """Terms that distinguish each group (unit) from the others, by TF-IDF.

    All of a group's documents are pooled into one, so the IDF is over groups: a term every
    unit uses scores low, a term one unit uses often scores high. Returns
    ``group, rank, term, tfidf, count``, ``top_n`` rows per group.
    """
    counts = as_counts(tokens)
    if len(groups) != counts.n_documents:
        raise ValueError(f"{len(groups)} groups for {counts.n_documents} documents")
    columns = ["group", "rank", "term", "tfidf", "count"]
    names, pooled = counts.pooled(list(groups))
    if not names:
        return pd.DataFrame(columns=columns)
    # Terms in sorted order, as sklearn's TfidfVectorizer orders them: the same floats.
    from sklearn.feature_extraction.text import TfidfTransformer  # imported when needed: scikit-learn is slow to import

    matrix = TfidfTransformer(sublinear_tf=True).fit_transform(pooled)
    vocabulary = np.asarray(counts.vocabulary, dtype=object)
    rows = []
    for i, group in enumerate(names):
        row = matrix.getrow(i)
        own = slice(pooled.indptr[i], pooled.indptr[i + 1])
        terms_used, uses = pooled.indices[own], pooled.data[own]  # ascending terms (pooled sorts them)
        scores = row.data
        if len(scores) > top_n:  # only scores near the top_n-th can rank: round() moves a score < 1e-12
            floor = np.partition(scores, len(scores) - top_n)[len(scores) - top_n] - 1e-11
            near = np.flatnonzero(scores >= floor)
        else:
            near = np.arange(len(scores))
        candidates = zip(scores[near].tolist(), vocabulary[row.indices[near]], row.indices[near])
        scored = sorted(candidates, key=lambda item: (-round(item[0], 12), item[1]))
        for rank, (score, term, j) in enumerate(scored[:top_n], start=1):
            rows.append((group, rank, str(term), float(score), int(uses[np.searchsorted(terms_used, j)])))
    return pd.DataFrame(rows, columns=columns)
