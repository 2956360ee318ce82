"""Significance over documents, not over characters or tokens.

G² and χ² treat every token (or character) as an independent trial. Words cluster in documents,
so their p-values are far too small: a term a few long documents repeat looks "significant" on
token counts alone. Lijffijt et al. (2016), "Significance testing of word frequencies in
corpora", *Digital Scholarship in the Humanities* 31(2), 374–397, show that tests over
documents keep their error rates where χ² and G² do not; they recommend the Wilcoxon rank-sum
(Mann–Whitney U) test on per-document relative frequencies, or the bootstrap.

* :func:`rank_sum_p`: Mann–Whitney U on each document's rate of each item (count / document
  size), two-sided, normal approximation with tie and continuity correction (the p of
  ``scipy.stats.mannwhitneyu(method="asymptotic")``, to the bit), all items at once from the
  non-zero rates only (a column's zero rates are one tie group, its lowest), never below
  the smallest p any rank test can give for the two sides' sizes, 2 / C(n_A + n_B, n_A): with
  many zero rates (tied ranks) and a small side the normal approximation would otherwise call a
  difference between two documents and eighty "significant". This is the test behind every
  ``significant`` the package prints.
* :func:`permutation_p`: a permutation test of the difference of pooled rates (the quantity
  G² tests), documents shuffled between the sides, seeded: reported beside it for measures.
* :func:`top_source`: how much of an item's count comes from one document or one unit, so a
  comparison driven by one of them can say so.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .evidence import N_PERMUTATIONS, RANDOM_STATE

__all__ = ["rank_sum_p", "permutation_p", "top_source", "DOCUMENT_TEST"]

#: How the document-level test is named in tables and sentences.
DOCUMENT_TEST = "Mann–Whitney U over documents (Lijffijt et al. 2016)"

def _rates(matrix, sizes: np.ndarray) -> sp.csr_matrix:
    """Each document's count per unit of size (documents with size 0 are dropped by the caller)."""
    matrix = sp.csr_matrix(matrix, dtype=float)
    return sp.diags(1.0 / np.asarray(sizes, dtype=float)) @ matrix


def rank_sum_p(matrix_a, sizes_a, matrix_b, sizes_b, *, with_direction: bool = False):
    """Two-sided p of the Mann–Whitney U test for each column: the per-document rates of side A
    (``matrix_a`` documents × items, counts; ``sizes_a`` each document's size) against side B.

    NaN for every column when a side has no document; 1.0 for a column where every rate is
    the same (nothing to rank). Documents of size 0 are left out. ``with_direction`` also gives,
    per column, whether A's documents tend to the higher rates (U_A above n_A·n_B / 2), so a
    difference can be called significant only in the direction the documents show.

    The same numbers as ``scipy.stats.mannwhitneyu(method="asymptotic")`` along the columns, to
    the bit (:func:`_rank_sums` says why), without densifying: most rates are 0, one tie.
    """
    from scipy.special import comb, ndtr

    sizes_a, sizes_b = np.asarray(sizes_a, dtype=float), np.asarray(sizes_b, dtype=float)
    keep_a, keep_b = sizes_a > 0, sizes_b > 0
    n_items = matrix_a.shape[1]
    if not keep_a.any() or not keep_b.any():
        nan = np.full(n_items, np.nan)
        return (nan, np.zeros(n_items, dtype=bool)) if with_direction else nan
    rates_a = _rates(sp.csr_matrix(matrix_a)[np.flatnonzero(keep_a)], sizes_a[keep_a])
    rates_b = _rates(sp.csr_matrix(matrix_b)[np.flatnonzero(keep_b)], sizes_b[keep_b])
    n1, n2 = rates_a.shape[0], rates_b.shape[0]
    n = n1 + n2
    r1, tie_term = _rank_sums(rates_a, rates_b)
    # scipy.stats.mannwhitneyu's asymptotic p (scipy/stats/_mannwhitneyu.py), step by step.
    u1 = r1 - n1 * (n1 + 1) / 2
    u = np.maximum(u1, n1 * n2 - u1)
    s = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    numerator = u - n1 * n2 / 2
    numerator -= 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        z = numerator / s
    p = np.clip(ndtr(-z) * 2, 0.0, 1.0)
    p = np.where(np.isnan(p), 1.0, p)
    higher = u1 > n1 * n2 / 2
    # The exact test's smallest two-sided p for these sizes: the approximation never goes below it.
    floor = min(1.0, 2.0 / float(comb(n, n1, exact=False)))
    p = np.clip(p, floor, 1.0)
    return (p, higher) if with_direction else p


def _rank_sums(rates_a: sp.csr_matrix, rates_b: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Per column: the sum of side A's average ranks among both sides' rates, and the tie term
    sum(t³ − t) over the groups of equal rates, from the non-zero rates only.

    Rates are never negative, so a column's zeros are its lowest values, one tie group of z
    documents holding ranks 1…z (each (z + 1) / 2); the non-zero rates are sorted within their
    column and ranked after them. Every rank is a multiple of ½ and every tie count an integer,
    so both sums are exact in float64 whatever order they are added in: the same numbers SciPy's
    dense ranking gives."""
    n1, n2 = rates_a.shape[0], rates_b.shape[0]
    n_items = rates_a.shape[1]
    both = sp.vstack([rates_a, rates_b], format="csc")
    both.eliminate_zeros()
    column = np.repeat(np.arange(n_items), np.diff(both.indptr))
    in_a = both.indices < n1
    order = np.lexsort((both.data, column))
    value, column, in_a = both.data[order], column[order], in_a[order]
    nonzero = np.bincount(column, minlength=n_items)
    zeros = (n1 + n2) - nonzero
    zeros_a = n1 - np.bincount(column, weights=in_a, minlength=n_items).astype(np.int64)
    # Groups of equal rates within a column: where the column or the value changes.
    new = np.ones(len(value), dtype=bool)
    new[1:] = (column[1:] != column[:-1]) | (value[1:] != value[:-1])
    group = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, len(value)))
    column_start = np.concatenate([[0], np.cumsum(nonzero)[:-1]])
    # 1-based position of each group's first entry among all of its column's rates (zeros first)
    first = zeros[column[starts]] + (starts - column_start[column[starts]]) + 1
    rank = first + (counts - 1) / 2
    r1 = zeros_a * (zeros + 1) / 2 + np.bincount(column[in_a], weights=rank[group[in_a]], minlength=n_items)
    ties = zeros.astype(float) ** 3 - zeros + np.bincount(column[starts], weights=counts.astype(float) ** 3 - counts, minlength=n_items)
    return r1, ties


def permutation_p(
    matrix, sizes, in_a, *, n_permutations: int = N_PERMUTATIONS, random_state: int = RANDOM_STATE
) -> np.ndarray:
    """Two-sided permutation p for each column: is side A's pooled rate (its documents' counts
    over their sizes) further from side B's than when the documents are shuffled between the
    sides? ``matrix`` is documents × items (both sides), ``in_a`` marks side A's documents.
    p = (1 + shuffles at least as far apart) / (1 + shuffles): never 0, the same for a seed.
    Meant for a few items (measures): it holds shuffles × items numbers.
    """
    matrix = sp.csr_matrix(matrix, dtype=float)
    sizes = np.asarray(sizes, dtype=float)
    in_a = np.asarray(in_a, dtype=bool)
    n_a = int(in_a.sum())
    if n_a == 0 or n_a == len(in_a) or matrix.shape[1] == 0:
        return np.full(matrix.shape[1], np.nan)
    rng = np.random.default_rng(random_state)
    total_counts = np.asarray(matrix.sum(axis=0)).ravel()
    total_size = sizes.sum()

    def difference(a_rows: np.ndarray) -> np.ndarray:
        counts_a = np.asarray((sp.csr_matrix(a_rows) @ matrix).todense())
        size_a = a_rows @ sizes
        size_b = total_size - size_a
        with np.errstate(divide="ignore", invalid="ignore"):
            return counts_a / size_a[:, None] - (total_counts - counts_a) / size_b[:, None]

    observed = np.abs(difference(in_a.astype(float)[None, :])[0])
    extreme = np.zeros(matrix.shape[1])
    base = in_a.astype(float)
    batch = max(1, min(n_permutations, 2_000_000 // len(in_a)))  # shuffles held at once
    for lo in range(0, n_permutations, batch):
        labels = np.stack([rng.permutation(base) for _ in range(min(batch, n_permutations - lo))])
        extreme += (np.abs(difference(labels)) >= observed * (1 - 1e-9)).sum(axis=0)
    return (1 + extreme) / (1 + n_permutations)


def top_source(matrix, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each column of ``matrix`` (documents × items, one side's counts): the source (a
    document id or a unit, ``sources`` one per row) holding most of the column's count, and its
    share of the count (NaN for a column with no count). Ties go to the first source in row
    order."""
    sources = np.asarray(sources, dtype=object)
    names, position = np.unique(sources, return_inverse=True)
    order = np.argsort(np.unique(position, return_index=True)[1])  # sources in first-seen order
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    first_seen = rank[position]
    pooled = sp.csr_matrix((np.ones(len(sources)), (first_seen, np.arange(len(sources)))), shape=(len(names), len(sources)))
    by_source = (pooled @ sp.csr_matrix(matrix, dtype=float)).tocsc()
    total = np.asarray(by_source.sum(axis=0)).ravel()
    best = np.asarray(by_source.argmax(axis=0)).ravel()
    largest = np.asarray(by_source.max(axis=0).todense()).ravel()
    labels = names[order][best]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, largest / total, np.nan)
    return np.where(total > 0, labels, ""), share
