"""Significance over documents, not over characters or tokens.

G² and χ² treat every token (or character) as an independent trial. Words cluster in documents,
so their p-values are far too small: a term a few long documents repeat looks "significant" on
token counts alone. Lijffijt et al. (2016), "Significance testing of word frequencies in
corpora", *Digital Scholarship in the Humanities* 31(2), 374–397, show that tests over
documents keep their error rates where χ² and G² do not; they recommend the Wilcoxon rank-sum
(Mann–Whitney U) test on per-document relative frequencies, or the bootstrap.

* :func:`rank_sum_p`: Mann–Whitney U on each document's rate of each item (count / document
  size), two-sided, normal approximation with tie and continuity correction, vectorised over the
  items (``scipy.stats.mannwhitneyu`` along an axis, a block of columns at a time), never below
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

_CELLS = 500_000  # dense cells converted at a time (4 MB of float64; SciPy's rank test holds about six copies of its input)


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
    """
    from scipy.stats import mannwhitneyu

    sizes_a, sizes_b = np.asarray(sizes_a, dtype=float), np.asarray(sizes_b, dtype=float)
    keep_a, keep_b = sizes_a > 0, sizes_b > 0
    n_items = matrix_a.shape[1]
    if not keep_a.any() or not keep_b.any():
        nan = np.full(n_items, np.nan)
        return (nan, np.zeros(n_items, dtype=bool)) if with_direction else nan
    rates_a = _rates(sp.csr_matrix(matrix_a)[np.flatnonzero(keep_a)], sizes_a[keep_a])
    rates_b = _rates(sp.csr_matrix(matrix_b)[np.flatnonzero(keep_b)], sizes_b[keep_b])
    n = rates_a.shape[0] + rates_b.shape[0]
    block = max(1, _CELLS // max(n, 1))
    p = np.ones(n_items)
    higher = np.zeros(n_items, dtype=bool)
    half = rates_a.shape[0] * rates_b.shape[0] / 2
    rates_a, rates_b = rates_a.tocsc(), rates_b.tocsc()
    for lo in range(0, n_items, block):
        hi = min(lo + block, n_items)
        a = rates_a[:, lo:hi].toarray()
        b = rates_b[:, lo:hi].toarray()
        with np.errstate(divide="ignore", invalid="ignore"):
            result = mannwhitneyu(a, b, alternative="two-sided", method="asymptotic", axis=0)
        p[lo:hi] = np.where(np.isnan(result.pvalue), 1.0, result.pvalue)
        higher[lo:hi] = result.statistic > half
    # The exact test's smallest two-sided p for these sizes: the approximation never goes below it.
    from scipy.special import comb

    floor = min(1.0, 2.0 / float(comb(n, rates_a.shape[0], exact=False)))
    p = np.clip(p, floor, 1.0)
    return (p, higher) if with_direction else p


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
