"""Co-occurrence: which measures are mentioned in the same report, and which terms go together.

Measures: for each pair, the number of documents mentioning both, Jaccard (both / either) and
pointwise mutual information (log2 of how much more often they meet than if independent), with
its normalised form NPMI in [-1, 1]. Term collocations: adjacent token pairs scored by the
log-likelihood G² of their 2 × 2 table (Dunning 1993) and PMI; a pair must recur to be tested.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from ..text.counts import Bigrams
from .keyness import TokenIds, chi2_p, keyness_2x2
from ..measures.lexicon import Lexicon

__all__ = ["COOCCURRENCE_COLUMNS", "COLLOCATION_COLUMNS", "measure_cooccurrence", "collocations"]

_PAIRS = 100_000  # pairs tested at a time by collocations (about 10 MB of working arrays)

COOCCURRENCE_COLUMNS = [
    "measure_a",
    "measure_b",
    "docs_a",
    "docs_b",
    "docs_both",
    "docs_total",
    "jaccard",
    "pmi",
    "npmi",
]
COLLOCATION_COLUMNS = ["bigram", "first", "second", "count", "count_first", "count_second", "pmi", "g2", "p_g2"]


def measure_cooccurrence(mentions: pd.DataFrame, doc_ids: Sequence[str], lexicon: Lexicon) -> pd.DataFrame:
    """Every pair of measures mentioned at least once: how often they share a document.

    ``doc_ids`` are all the documents (those without a mention count in ``docs_total``).
    ``pmi``/``npmi`` are empty for a pair never mentioned together. Sorted by ``docs_both``,
    then ``jaccard`` (highest first), then lexicon order.
    """
    doc_ids = list(dict.fromkeys(doc_ids))
    n_docs = len(doc_ids)
    known = set(doc_ids)
    present = {measure: set(group["doc_id"]) & known for measure, group in mentions.groupby("measure", sort=False)}
    order = [m for m in lexicon.names if present.get(m)]
    rows = []
    for a, b in combinations(order, 2):
        docs_a, docs_b = len(present[a]), len(present[b])
        both = len(present[a] & present[b])
        either = len(present[a] | present[b])
        if both:
            p_ab = both / n_docs
            pmi = float(np.log2(p_ab / ((docs_a / n_docs) * (docs_b / n_docs))))
            npmi = 1.0 if p_ab == 1 else pmi / -float(np.log2(p_ab))
        else:
            pmi = npmi = float("nan")
        rows.append((a, b, docs_a, docs_b, both, n_docs, both / either, pmi, npmi))
    frame = pd.DataFrame(rows, columns=COOCCURRENCE_COLUMNS)
    rank = {m: i for i, m in enumerate(lexicon.names)}
    frame["_a"], frame["_b"] = frame["measure_a"].map(rank), frame["measure_b"].map(rank)
    frame = frame.sort_values(["docs_both", "jaccard", "_a", "_b"], ascending=[False, False, True, True], ignore_index=True)
    return frame.drop(columns=["_a", "_b"])


def collocations(tokens: "Sequence[Sequence[str]] | TokenIds | Bigrams", *, min_count: int = 3, top_n: int | None = 100) -> pd.DataFrame:
    """Adjacent token pairs (within a document) that occur together more than chance.

    ``tokens`` are per-document token lists (e.g. ``Analysis.tokens``, stopwords and punctuation
    already removed, so a pair may straddle a dropped word), :func:`~analysis.text.tokens.token_ids`
    of them, or their :class:`~analysis.text.counts.Bigrams` (``Analysis.bigrams``: counted as
    the corpus was cut). Pairs seen fewer than ``min_count`` times are not tested. Sorted by G²,
    strongest first; ``top_n`` keeps the best.
    """
    bigrams = tokens if isinstance(tokens, Bigrams) else Bigrams.from_tokens(tokens)
    words, n_ids = bigrams.vocabulary, len(bigrams.vocabulary)
    pair_counts = bigrams.count
    n_pairs = float(pair_counts.sum())
    # How often each term is the first (second) of a pair: sums of whole counts, exact in floats.
    firsts = np.bincount(bigrams.first, weights=pair_counts, minlength=n_ids).astype(np.int64)
    seconds = np.bincount(bigrams.second, weights=pair_counts, minlength=n_ids).astype(np.int64)
    recurring = pair_counts >= min_count
    if not recurring.any() or n_pairs == 0:
        return pd.DataFrame(columns=COLLOCATION_COLUMNS)
    first_of, second_of = bigrams.first[recurring], bigrams.second[recurring]
    count = pair_counts[recurring].astype(float)
    count_first = firsts[first_of].astype(float)
    count_second = seconds[second_of].astype(float)
    # 2 × 2 table: (first, not first) × (second follows, something else follows), a block of
    # pairs at a time (each pair's numbers are its own: the test holds a dozen arrays a pair).
    g2 = np.empty(len(count))
    for a in range(0, len(count), _PAIRS):
        b = a + _PAIRS
        g2[a:b] = keyness_2x2(count[a:b], count_second[a:b] - count[a:b], count_first[a:b], n_pairs - count_first[a:b])[1]
    pmi = np.log2(count * n_pairs / (count_first * count_second))
    # Only pairs that meet more often than chance are collocations. With top_n, only pairs whose
    # G² reaches the top_n-th largest can be listed: only those are spelled out and sorted.
    kept = pmi > 0
    rounded = np.round(g2, 9)
    if top_n is not None and 0 < top_n < kept.sum() and not np.isnan(rounded[kept]).any():
        threshold = np.partition(rounded[kept], kept.sum() - top_n)[kept.sum() - top_n]
        kept &= rounded >= threshold
    rows = sorted(np.flatnonzero(kept).tolist(), key=lambda i: (words[first_of[i]], words[second_of[i]]))
    frame = pd.DataFrame(
        {
            "bigram": [f"{words[first_of[i]]} {words[second_of[i]]}" for i in rows],
            "first": [words[first_of[i]] for i in rows],
            "second": [words[second_of[i]] for i in rows],
            "count": count[rows].astype(int),
            "count_first": count_first[rows].astype(int),
            "count_second": count_second[rows].astype(int),
            "pmi": pmi[rows],
            "g2": g2[rows],
        }
    )
    frame = frame.assign(_g=frame["g2"].round(9)).sort_values(["_g", "bigram"], ascending=[False, True]).drop(columns="_g")
    frame = frame.reset_index(drop=True)
    frame = frame.head(top_n) if top_n is not None else frame
    return frame.assign(p_g2=chi2_p(frame["g2"].to_numpy()))  # only for the pairs kept
