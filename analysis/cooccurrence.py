"""Co-occurrence: which measures are mentioned in the same report, and which terms go together.

Measures: for each pair, the number of documents mentioning both, Jaccard (both / either) and
pointwise mutual information (log2 of how much more often they meet than if independent), with
its normalised form NPMI in [-1, 1]. Term collocations: adjacent token pairs scored by the
log-likelihood G² of their 2 × 2 table (Dunning 1993) and PMI; a pair must recur to be tested.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy.stats import chi2 as chi2_distribution

from .keyness import keyness_2x2
from .measures import Lexicon

__all__ = ["COOCCURRENCE_COLUMNS", "COLLOCATION_COLUMNS", "measure_cooccurrence", "collocations"]

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
    present = {
        measure: set(group["doc_id"]) & set(doc_ids) for measure, group in mentions.groupby("measure", sort=False)
    }
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


def collocations(tokens: Sequence[Sequence[str]], *, min_count: int = 3, top_n: int | None = 100) -> pd.DataFrame:
    """Adjacent token pairs (within a document) that occur together more than chance.

    ``tokens`` are per-document token lists (e.g. ``Analysis.tokens``, stopwords and punctuation
    already removed, so a pair may straddle a dropped word). Pairs seen fewer than
    ``min_count`` times are not tested. Sorted by G², strongest first; ``top_n`` keeps the best.
    """
    pairs: Counter[tuple[str, str]] = Counter()
    firsts: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    for doc in tokens:
        for first, second in zip(doc, doc[1:]):
            pairs[(first, second)] += 1
            firsts[first] += 1
            seconds[second] += 1
    n_pairs = float(sum(pairs.values()))
    tested = sorted((pair, n) for pair, n in pairs.items() if n >= min_count)
    if not tested or n_pairs == 0:
        return pd.DataFrame(columns=COLLOCATION_COLUMNS)
    count = np.array([n for _, n in tested], dtype=float)
    count_first = np.array([firsts[p[0]] for p, _ in tested], dtype=float)
    count_second = np.array([seconds[p[1]] for p, _ in tested], dtype=float)
    # 2 × 2 table: (first, not first) × (second follows, something else follows).
    _, g2, _ = keyness_2x2(count, count_second - count, count_first, n_pairs - count_first)
    pmi = np.log2(count * n_pairs / (count_first * count_second))
    frame = pd.DataFrame(
        {
            "bigram": [f"{a} {b}" for (a, b), _ in tested],
            "first": [a for (a, _), _ in tested],
            "second": [b for (_, b), _ in tested],
            "count": count.astype(int),
            "count_first": count_first.astype(int),
            "count_second": count_second.astype(int),
            "pmi": pmi,
            "g2": g2,
            "p_g2": chi2_distribution.sf(g2, 1),
        }
    )
    # Only pairs that meet more often than chance are collocations.
    frame = frame[frame["pmi"] > 0]
    frame = frame.assign(_g=frame["g2"].round(9)).sort_values(["_g", "bigram"], ascending=[False, True]).drop(columns="_g")
    frame = frame.reset_index(drop=True)
    return frame.head(top_n) if top_n is not None else frame
