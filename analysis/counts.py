"""Counts: term frequencies for the corpus and per unit, and TF-IDF terms that set units apart.

Every table is sorted by count (descending) then term, so reruns give identical files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["term_frequencies", "term_frequencies_by", "distinctive_terms"]


def _identity(tokens: Sequence[str]) -> Sequence[str]:
    return tokens


def term_frequencies(tokens: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Corpus-wide table ``term, count, doc_count``: occurrences and documents containing the term."""
    counts: Counter[str] = Counter()
    doc_counts: Counter[str] = Counter()
    for doc in tokens:
        counts.update(doc)
        doc_counts.update(set(doc))
    frame = pd.DataFrame(
        {"term": list(counts), "count": list(counts.values()), "doc_count": [doc_counts[t] for t in counts]}
    )
    if frame.empty:
        return pd.DataFrame({"term": pd.Series(dtype=str), "count": pd.Series(dtype=int), "doc_count": pd.Series(dtype=int)})
    return frame.sort_values(["count", "term"], ascending=[False, True], ignore_index=True)


def term_frequencies_by(tokens: Sequence[Sequence[str]], groups: Sequence[str]) -> pd.DataFrame:
    """Long table ``group, term, count`` (documents with an empty group are left out)."""
    rows = []
    per_group: dict[str, Counter[str]] = {}
    for doc, group in zip(tokens, groups, strict=True):
        if group:
            per_group.setdefault(group, Counter()).update(doc)
    for group, counter in per_group.items():
        rows.extend((group, term, n) for term, n in counter.items())
    frame = pd.DataFrame(rows, columns=["group", "term", "count"])
    return frame.sort_values(["group", "count", "term"], ascending=[True, False, True], ignore_index=True)


def distinctive_terms(
    tokens: Sequence[Sequence[str]], groups: Sequence[str], *, top_n: int = 10
) -> pd.DataFrame:
    """Terms that distinguish each group (unit) from the others, by TF-IDF.

    All of a group's documents are pooled into one, so the IDF is over groups: a term every
    unit uses scores low, a term one unit uses often scores high. Returns
    ``group, rank, term, tfidf, count``, ``top_n`` rows per group.
    """
    pooled: dict[str, list[str]] = {}
    for doc, group in zip(tokens, groups, strict=True):
        if group:
            pooled.setdefault(group, []).extend(doc)
    columns = ["group", "rank", "term", "tfidf", "count"]
    if not pooled:
        return pd.DataFrame(columns=columns)
    names = list(pooled)
    vectorizer = TfidfVectorizer(analyzer=_identity, lowercase=False, sublinear_tf=True)
    matrix = vectorizer.fit_transform([pooled[g] for g in names])
    vocabulary = vectorizer.get_feature_names_out()
    rows = []
    for i, group in enumerate(names):
        row = matrix.getrow(i)
        counts = Counter(pooled[group])
        scored = sorted(zip(row.data, vocabulary[row.indices]), key=lambda pair: (-round(pair[0], 12), pair[1]))
        for rank, (score, term) in enumerate(scored[:top_n], start=1):
            rows.append((group, rank, str(term), float(score), counts[term]))
    return pd.DataFrame(rows, columns=columns)
