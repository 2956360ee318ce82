"""Counts: term frequencies for the corpus and per unit, and TF-IDF terms that set units apart.

Every function takes either token lists (one per document) or a :class:`~analysis.engine.TermCounts`
(the sparse document × term counts the pipeline streams tokens into); both give the same table.
Every table is sorted by count (descending) then term, so reruns give identical files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfTransformer

from .engine import TermCounts, alphabetical_ranks

__all__ = ["term_frequencies", "term_frequencies_by", "distinctive_terms"]

Tokens = TermCounts | Sequence[Sequence[str]]


def _as_counts(tokens: Tokens) -> TermCounts:
    return tokens if isinstance(tokens, TermCounts) else TermCounts.from_tokens(tokens)


def term_frequencies(tokens: Tokens) -> pd.DataFrame:
    """Corpus-wide table ``term, count, doc_count``: occurrences and documents containing the term."""
    counts = _as_counts(tokens)
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
    counts = _as_counts(tokens)
    if len(groups) != counts.matrix.shape[0]:
        raise ValueError(f"{len(groups)} groups for {counts.matrix.shape[0]} documents")
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
    counts = _as_counts(tokens)
    if len(groups) != counts.matrix.shape[0]:
        raise ValueError(f"{len(groups)} groups for {counts.matrix.shape[0]} documents")
    columns = ["group", "rank", "term", "tfidf", "count"]
    names, pooled = counts.pooled(list(groups))
    if not names:
        return pd.DataFrame(columns=columns)
    # Terms in sorted order, as sklearn's TfidfVectorizer orders them: the same floats.
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
