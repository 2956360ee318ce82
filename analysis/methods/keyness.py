"""Keyness: terms a group (a unit, a cluster) uses more or less than the rest of the corpus.

For each group and term, the 2 × 2 table (this term / other terms × this group / the rest)
gives Pearson's chi-squared and the log-likelihood G² (Dunning 1993), both with one degree of
freedom and p-values from ``scipy.stats.chi2``. Significance says a difference is unlikely to be
chance; the effect size says how big it is: the log ratio (Hardie 2014) is log2 of the ratio
of the term's relative frequencies, so +1 means twice as frequent in the group as in the rest.

Both tests count tokens as independent trials, which words clustered in documents are not:
``significant`` comes from the Mann–Whitney U test on each document's rate of the term, the
group's documents against the rest's (``p_docs``; Lijffijt et al. 2016, see
:mod:`analysis.methods.significance`), Bonferroni-corrected; G²'s verdict stays as
``significant_g2``. A group of one document cannot differ significantly from the rest by this
test, however often it repeats a word: one document is one observation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..text.counts import TermCounts, as_counts, group_codes
from .evidence import ALPHA
from .significance import rank_sum_p
from ..text.tokens import TokenIds, token_ids

__all__ = ["KEYNESS_COLUMNS", "TokenIds", "keyness", "keyness_2x2", "token_ids"]

_ENTRIES = 1_000_000  # stored counts of the columns taken at once for the document tests (about 8 MB)
_TESTED = 200_000  # stored counts ranked at once by the document test (about 14 MB of working arrays)

KEYNESS_COLUMNS = [
    "group",
    "term",
    "count_group",
    "count_rest",
    "total_group",
    "total_rest",
    "per_10k_group",
    "per_10k_rest",
    "chi2",
    "p_chi2",
    "g2",
    "p_g2",
    "log_ratio",
    "direction",
    "significant",
    "n_docs_group",
    "n_docs_rest",
    "p_docs",
    "significant_g2",
]


def chi2_p(statistic):
    """Upper-tail p of χ² (or G²) with one degree of freedom. SciPy's stats module is imported on
    first use: it takes half a second, which a run that stops at a bad input should not pay."""
    from scipy.stats import chi2

    return chi2.sf(statistic, 1)


def keyness_2x2(a: np.ndarray, b: np.ndarray, total_a: float, total_b: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chi-squared, G² and log ratio for counts ``a`` (target) and ``b`` (reference), vectorised.

    ``total_a`` and ``total_b`` are the corpus sizes in tokens (numbers or arrays like ``a``). No continuity correction. The log
    ratio adds 0.5 to a zero count so a term absent from one side still gets a finite size.
    """
    a, b, total_a, total_b = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (a, b, total_a, total_b)))
    observed = np.stack([a, b, total_a - a, total_b - b])  # 4 × terms
    n = total_a + total_b
    row = np.stack([a + b, a + b, n - a - b, n - a - b])
    col = np.stack([total_a, total_b, total_a, total_b])
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = row * col / n
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.nansum(np.where(expected > 0, (observed - expected) ** 2 / expected, 0.0), axis=0)
        g2 = 2 * np.nansum(np.where(observed > 0, observed * np.log(observed / expected), 0.0), axis=0)
        ratio_a = np.where(a > 0, a, 0.5) / total_a
        ratio_b = np.where(b > 0, b, 0.5) / total_b
        log_ratio = np.log2(ratio_a / ratio_b)
    return chi2, np.maximum(g2, 0.0), log_ratio


def keyness(
    tokens: "Sequence[Sequence[str]] | TokenIds | TermCounts",
    groups: Sequence[str] | Mapping[int, str],
    *,
    min_count: int = 2,
    alpha: float = ALPHA,
    top_n: int | None = None,
) -> pd.DataFrame:
    """Every group against the rest: over- and under-used terms, strongest (by G²) first.

    ``tokens`` are the documents' tokens (or :func:`token_ids` of them, or their
    :class:`~analysis.text.counts.TermCounts`, as ``Analysis.counts``), ``groups`` each document's group (empty: left out of
    both sides). Terms seen fewer than ``min_count`` times in all grouped documents are not
    tested. ``significant`` is G²'s p-value below ``alpha`` divided by the number of terms tested
    for the group (Bonferroni), so a long vocabulary does not manufacture keywords. With
    ``top_n``, at most that many over-used and that many under-used terms are kept per group.
    Columns: see :data:`KEYNESS_COLUMNS`; ``direction`` is ``over`` or ``under``.
    """
    groups = list(groups.values()) if isinstance(groups, Mapping) else list(groups)
    counted = as_counts(tokens)
    if len(groups) != counted.n_documents:
        raise ValueError(f"{counted.n_documents} documents but {len(groups)} groups: give one group per document")
    labels = [str(g) if g else "" for g in groups]
    names = sorted(set(filter(None, labels)))
    if len(names) < 2:
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    # Each group's counts (the sum of its documents' rows), groups in sorted order.
    first_seen, first_codes = group_codes(labels)  # each document's group, numbered in order of first appearance
    _, pooled = counted.pooled_codes(first_seen, first_codes)
    position = {name: i for i, name in enumerate(first_seen)}
    by_group = pooled[[position[name] for name in names]]
    words = counted.vocabulary
    total = np.asarray(by_group.sum(axis=0)).ravel()
    columns = np.flatnonzero((total >= min_count) & (total > 0)).tolist()
    vocabulary = [words[j] for j in columns]
    if not vocabulary:
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    all_counts = total[columns].astype(float)
    # Each document's group as a number (-1: no group), not an array of the labels: the rows of
    # a group and of the rest are found from it when tested, never kept for every group at once.
    in_sorted = np.asarray([names.index(name) for name in first_seen] + [-1], dtype=np.int32)  # the last for -1
    code = in_sorted[first_codes]  # each document's group's position in names
    grouped = code >= 0
    n_docs = np.bincount(code[grouped], minlength=len(names))
    doc_sizes = counted.document_totals().astype(float)  # kept by a DFM: summed once for every grouping
    corpus_size = float(total.sum())
    frames, kept = [], []
    for i, group in enumerate(names):
        counts = by_group.getrow(i).toarray().ravel()
        a = counts[columns].astype(float)
        b = all_counts - a
        size_a = float(counts.sum())
        size_b = corpus_size - size_a
        if size_a == 0 or size_b == 0:
            continue
        chi2, g2, log_ratio = keyness_2x2(a, b, size_a, size_b)
        expected_a = all_counts * size_a / corpus_size
        over = a >= expected_a
        # Over-used first, then by G² (strongest first, ignoring floating-point noise), then by
        # term (the vocabulary is sorted, so its position); then at most top_n of each direction.
        order = np.lexsort((np.arange(len(vocabulary)), -np.round(g2, 9), ~over))
        if top_n is not None:
            order = np.concatenate([order[over[order]][:top_n], order[~over[order]][:top_n]])
        # p-values only for the rows kept (the survival function is the slow part).
        p_g2 = chi2_p(g2[order])
        n_in = int(n_docs[i])
        kept.append((i, order))
        frames.append(
            pd.DataFrame(
                {
                    "group": group,
                    "term": [vocabulary[j] for j in order],
                    "count_group": a[order].astype(int),
                    "count_rest": b[order].astype(int),
                    "total_group": int(size_a),
                    "total_rest": int(size_b),
                    "per_10k_group": a[order] / size_a * 10_000,
                    "per_10k_rest": b[order] / size_b * 10_000,
                    "chi2": chi2[order],
                    "p_chi2": chi2_p(chi2[order]),
                    "g2": g2[order],
                    "p_g2": p_g2,
                    "log_ratio": log_ratio[order],
                    "direction": np.where(over[order], "over", "under"),
                    "significant": False,  # by the documents' rates, below
                    "n_docs_group": n_in,
                    "n_docs_rest": int(grouped.sum()) - n_in,
                    "p_docs": np.nan,
                    "significant_g2": p_g2 < alpha / len(vocabulary),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    # Each document's counts of the terms some groups keep, taken from the counts' rows (a chunk
    # of rows at a time) for as many groups at once as hold about _ENTRIES counts: only those
    # columns are copied (with top_n, a few per group), never the whole matrix.
    matrix_column = np.asarray(columns, dtype=np.int64)
    document_counts = counted.document_counts()
    for batch in _batches([matrix_column[order] for _, order in kept], document_counts):
        needed = np.unique(np.concatenate([matrix_column[kept[i][1]] for i in batch]))
        by_doc = counted.columns(needed)
        for i in batch:
            (g, order), frame = kept[i], frames[i]
            rows_in, rows_out = np.flatnonzero(code == g), np.flatnonzero(grouped & (code != g))
            at = np.searchsorted(needed, matrix_column[order])
            # A few columns at a time: the rank test holds ~70 bytes a stored count, and each
            # column's p is its own (the same numbers as all at once).
            p_docs, higher = np.empty(len(at)), np.empty(len(at), dtype=bool)
            for a, b in _column_blocks(document_counts[matrix_column[order]]):
                kept_columns = by_doc[:, at[a:b]]
                p_docs[a:b], higher[a:b] = rank_sum_p(
                    kept_columns[rows_in], doc_sizes[rows_in], kept_columns[rows_out], doc_sizes[rows_out], with_direction=True
                )
                del kept_columns
            frame["significant"] = (p_docs < alpha / len(vocabulary)) & (higher == (frame["direction"].to_numpy() == "over"))
            frame["p_docs"] = p_docs
        del by_doc
    if not frames:
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    return pd.concat(frames, ignore_index=True)[KEYNESS_COLUMNS]


def _column_blocks(entries: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive runs of columns holding at most :data:`_TESTED` stored
    counts together (``entries``: each column's), a run holding one column at least."""
    blocks, start, held = [], 0, 0
    for j, n in enumerate(entries.tolist()):
        if j > start and held + n > _TESTED:
            blocks.append((start, j))
            start, held = j, 0
        held += n
    return [*blocks, (start, len(entries))] if len(entries) else []


def _batches(columns: list[np.ndarray], document_counts: np.ndarray) -> list[list[int]]:
    """The groups (their positions in ``columns``, each group's matrix columns) in consecutive
    runs whose columns together hold at most :data:`_ENTRIES` stored counts (a column holds
    one per document using the term), a run holding one group at least."""
    batches: list[list[int]] = []
    taken = np.zeros(len(document_counts), dtype=bool)
    entries = 0
    for i, own in enumerate(columns):
        new = np.unique(own[~taken[own]])
        more = int(document_counts[new].sum())
        if batches and entries + more <= _ENTRIES:
            batches[-1].append(i)
            entries += more
        else:
            batches.append([i])
            taken[:] = False
            new = np.unique(own)
            entries = int(document_counts[new].sum())
        taken[new] = True
    return batches
