"""Dispersion: is a term (or a measure) spread over the corpus, or piled up in a few documents?

Two classic measures, the parts being the documents:

* **Gries's DP** ("deviation of proportions"; Gries 2008, "Dispersions and adjusted frequencies
  in corpora", *International Journal of Corpus Linguistics* 13(4): 403–437): with ``s_i`` each
  document's share of the corpus and ``v_i`` its share of the item's occurrences,
  ``DP = ½ Σ |v_i − s_i|``: 0 when the item is spread exactly as the text is, approaching 1
  when it sits in one small document. ``dp_norm`` divides by ``1 − min s_i``, the largest value
  DP can take in this corpus (Lijffijt & Gries 2012), so corpora with different splits compare.
* **Juilland's D**: with ``r_i`` the item's relative frequency in document i (occurrences over
  the document's size, so unequal documents are comparable) and ``V`` the coefficient of
  variation of the ``r_i`` (population standard deviation over the mean) over the ``n``
  documents, ``D = 1 − V / √(n − 1)``: 1 for perfectly even, 0 for everything in one document.

Sizes are tokens for terms and characters for measures (as the rates per 10,000 characters).
Documents of size 0 are not parts. Fewer than two parts: no dispersion (empty).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..text.counts import CountChunks, row_blocks

__all__ = ["DISPERSION_COLUMNS", "dispersion", "dispersion_table"]

DISPERSION_COLUMNS = ["kind", "item", "count", "doc_count", "juilland_d", "dp", "dp_norm"]


def dispersion(matrix: "sp.spmatrix | np.ndarray | CountChunks", sizes: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Juilland's D, DP and normalised DP of every column of a document × item count ``matrix``
    (or :class:`~analysis.text.counts.CountChunks`, read a chunk of rows at a time), given each
    document's size (tokens or characters). NaN where an item never occurs or there are fewer
    than two parts of positive size."""
    chunks = matrix if isinstance(matrix, CountChunks) else CountChunks.in_memory(sp.csr_matrix(matrix))
    sizes = np.asarray(sizes, dtype=float)
    if chunks.shape[0] != len(sizes):
        raise ValueError(f"{chunks.shape[0]} documents but {len(sizes)} sizes")
    parts = sizes > 0  # documents of size 0 are not parts of the corpus
    n_items = chunks.shape[1]
    nan = np.full(n_items, np.nan)
    n = int(parts.sum())
    if n < 2:
        return nan, nan.copy(), nan.copy()
    # Sums over the stored entries, a block of documents at a time: no float copy of the whole
    # matrix (it can be large). np.add.at adds in storage order, as one np.bincount over all
    # entries would, so the sums are the same to the last bit however the blocks fall. Empty
    # documents stay in place, with share 0 and no entries.
    share = np.zeros(len(sizes))
    share[parts] = sizes[parts] / sizes[parts].sum()
    totals = np.zeros(n_items)
    for _, _, col, data in _blocks(chunks, parts):
        np.add.at(totals, col, data.astype(float))
    present = totals > 0
    deviation, rate_sum, rate_squares = np.zeros(n_items), np.zeros(n_items), np.zeros(n_items)
    for rows, per_row, col, data in _blocks(chunks, parts):
        data = data.astype(float)
        share_of_entry = np.repeat(share[rows], per_row)  # each entry's document share
        # DP: Σ|v_i − s_i| over every part = Σ over parts holding the item of (|v_i − s_i| − s_i), plus Σ s_i = 1.
        v = totals[col]
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(data, v, out=v)
        np.subtract(v, share_of_entry, out=v)
        np.abs(v, out=v)
        np.subtract(v, share_of_entry, out=v)
        np.add.at(deviation, col, v)
        # Juilland's D on relative frequencies: mean and population variance from sums over the non-zero parts.
        rates = np.divide(data, np.repeat(sizes[rows], per_row), out=data)
        np.add.at(rate_sum, col, rates)
        np.square(rates, out=rates)
        np.add.at(rate_squares, col, rates)
    deviation += 1.0
    dp = np.where(present, 0.5 * deviation, np.nan)
    dp_norm = dp / (1.0 - share[parts].min())
    mean = rate_sum / n
    variance = np.maximum(rate_squares / n - mean**2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = 1.0 - (np.sqrt(variance) / mean) / np.sqrt(n - 1)
    d = np.where(present, d, np.nan)
    return tuple(np.round(x, 12) for x in (d, dp, dp_norm))  # 1 − 1 is 0, not 1e-16


def _blocks(chunks: CountChunks, parts: np.ndarray):
    """The stored entries a block of rows at a time, in storage order: ``(rows, entries per
    row, columns, counts)``, ``rows`` the documents' positions; counts in a document of size 0
    (not a part) are left out."""
    for start, chunk in chunks:
        rows = np.arange(start, start + chunk.shape[0])
        if np.diff(chunk.indptr)[~parts[rows]].any():  # a copy of the chunk without those rows
            keep = np.flatnonzero(parts[rows])
            chunk, rows = chunk[keep], rows[keep]
        for a, b in row_blocks(chunk.indptr):
            lo, hi = chunk.indptr[a], chunk.indptr[b]
            yield rows[a:b], np.diff(chunk.indptr[a : b + 1]), chunk.indices[lo:hi], chunk.data[lo:hi]


def dispersion_table(
    kind: str, items: Sequence[str], matrix: "sp.spmatrix | np.ndarray | CountChunks", sizes: Sequence[float], *, columns: Sequence[int] | None = None
) -> pd.DataFrame:
    """One row per item (in the order given): ``kind`` (term or measure), ``count``,
    ``doc_count``, ``juilland_d``, ``dp``, ``dp_norm`` (see :data:`DISPERSION_COLUMNS`).

    ``columns``: the matrix column of each item, when the items are some of its columns (each
    column's figures depend on that column only, so no copy of the chosen columns is made)."""
    chunks = matrix if isinstance(matrix, CountChunks) else CountChunks.in_memory(sp.csr_matrix(matrix))
    d, dp, dp_norm = dispersion(chunks, sizes)
    count = chunks.column_totals().astype(np.int64, copy=False)
    doc_count = chunks.column_counts()  # blockwise: np.bincount would first copy every int32 index to int64
    if columns is not None:
        at = np.asarray(columns, dtype=np.int64)
        d, dp, dp_norm, count, doc_count = d[at], dp[at], dp_norm[at], count[at], doc_count[at]
    return pd.DataFrame(
        {
            "kind": kind,
            "item": pd.Series(list(items), dtype=object),
            "count": count,
            "doc_count": doc_count,
            "juilland_d": d,
            "dp": dp,
            "dp_norm": dp_norm,
        },
        columns=DISPERSION_COLUMNS,
    )
