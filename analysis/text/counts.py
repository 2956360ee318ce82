"""Counts: term frequencies for the corpus and per unit, and TF-IDF terms that set units apart.

Every function takes either token lists (one per document) or a :class:`TermCounts` (the
sparse document × term counts of an analysis); both give the same table.
Every table is sorted by count (descending) then term, so reruns give identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .tokens import TokenIds, token_ids

__all__ = ["TermCounts", "term_frequencies", "term_frequencies_by", "distinctive_terms"]


def alphabetical_ranks(words: Sequence[str]) -> np.ndarray:
    """Each word's place in sorted order: sorting by it sorts by the word, without comparing strings."""
    ranks = np.empty(len(words), dtype=np.int64)
    ranks[sorted(range(len(words)), key=words.__getitem__)] = np.arange(len(words))
    return ranks


@dataclass(frozen=True)
class TermCounts:
    """Document × term counts: ``matrix[i, j]`` is how often ``vocabulary[j]`` occurs in document i.

    Terms are in sorted order, so every engine and every run gives the same columns.
    """

    vocabulary: list[str]
    matrix: sp.csr_matrix

    @classmethod
    def from_token_ids(cls, tokens: TokenIds) -> "TermCounts":
        """Counts of :class:`~analysis.text.tokens.TokenIds` (duplicates summed by SciPy)."""
        ranks = alphabetical_ranks(tokens.words)
        vocabulary = [""] * len(tokens.words)
        for word, rank in zip(tokens.words, ranks.tolist()):
            vocabulary[rank] = word
        rows = np.repeat(np.arange(len(tokens.lengths), dtype=np.int32), tokens.lengths)
        shape = (len(tokens.lengths), len(vocabulary))
        ones = np.ones(len(tokens.ids), dtype=np.int32)
        columns = ranks.astype(np.int32)[tokens.ids] if len(tokens.ids) else tokens.ids
        matrix = sp.coo_matrix((ones, (rows, columns)), shape=shape).tocsr()
        matrix.sum_duplicates()
        return cls(vocabulary, matrix)

    @classmethod
    def from_tokens(cls, tokens: Sequence[Sequence[str]]) -> "TermCounts":
        """Counts of token lists (one per document)."""
        return cls.from_token_ids(token_ids(tokens))

    @property
    def n_tokens(self) -> int:
        return int(self.matrix.sum())

    def totals(self) -> np.ndarray:
        """Occurrences of each term in the whole corpus."""
        return np.asarray(self.matrix.sum(axis=0, dtype=np.int64)).ravel()

    def document_counts(self) -> np.ndarray:
        """Number of documents containing each term."""
        return np.bincount(self.matrix.indices, minlength=len(self.vocabulary)).astype(np.int64)

    def pooled(self, groups: Sequence[str]) -> tuple[list[str], sp.csr_matrix]:
        """Group × term counts, groups in order of first appearance; empty groups left out."""
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
