"""Compare two sides (two corpora, two periods, two groups of units, or a corpus and a reference
frequency list): which terms and which measures one side uses more than the other.

Each item gets the 2 × 2 keyness test of :func:`analysis.methods.keyness.keyness_2x2`: the
log-likelihood G² (Dunning 1993) with its p-value, the log ratio (Hardie 2014: log2 of the
ratio of relative frequencies, +1 = twice as frequent on side A) and %DIFF (Gabrielatos &
Marchi 2012: the difference of relative frequencies as a percentage of side B's) as effect
sizes, and ``significant`` after a Bonferroni correction over the items of its kind. Terms are
tested against the sides' sizes in tokens, measures against their sizes in characters (a
mention per character of text, the rate ``trends.csv`` uses). Beside them: each side's raw
count and its rate per 10,000 characters (and per 10,000 tokens), so a long side does not pass
for an emphatic one.

G² counts every token as an independent trial, so its p-values are far too small for words
that cluster in documents. ``significant`` therefore comes from a test over documents
(:mod:`analysis.methods.significance`): the Mann–Whitney U test on each document's rate
(``p_docs``; Lijffijt et al. 2016), Bonferroni-corrected; G²'s own verdict stays as
``significant_g2``, and measures also get a seeded permutation test of the pooled rates
(``p_perm``). A reference frequency list has no documents: against it ``significant`` is G²'s,
and ``test`` says so. ``top_document``/``top_unit`` and their shares say how much of an item's
count on the side that uses it more comes from one document or one unit; ``driven_by`` names it
when that is more than half.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import scipy.sparse as sp

from .evidence import ALPHA, DOMINANT_SHARE
from .keyness import chi2_p, keyness_2x2
from .significance import DOCUMENT_TEST, permutation_p, rank_sum_p, top_source

__all__ = ["Side", "SideDocuments", "COMPARISON_COLUMNS", "compare_sides", "read_reference", "G2_TEST"]

G2_TEST = "G² over tokens (a reference list has no documents)"

COMPARISON_COLUMNS = [
    "kind",
    "item",
    "side_a",
    "side_b",
    "count_a",
    "count_b",
    "per_10k_chars_a",
    "per_10k_chars_b",
    "per_10k_tokens_a",
    "per_10k_tokens_b",
    "size_a",
    "size_b",
    "g2",
    "p_g2",
    "log_ratio",
    "pct_diff",
    "more_on",
    "significant",
    # added by the document-level test (issue 24): the columns above are unchanged
    "n_docs_a",
    "n_docs_b",
    "docs_a",
    "docs_b",
    "p_docs",
    "p_perm",
    "significant_g2",
    "test",
    "top_document",
    "top_document_share",
    "top_unit",
    "top_unit_share",
    "driven_by",
]


@dataclass(frozen=True)
class SideDocuments:
    """One side's documents, for the tests over documents: each document's term counts (a
    sparse documents × ``vocabulary`` matrix), measure counts (documents × measure frame), size
    in characters and tokens, id and unit."""

    doc_ids: np.ndarray
    units: np.ndarray
    terms: sp.csr_matrix
    vocabulary: np.ndarray
    measures: pd.DataFrame
    n_chars: np.ndarray
    n_tokens: np.ndarray

    def term_matrix(self, items: Sequence[str]) -> sp.csr_matrix:
        """Documents × ``items`` counts (zero for a term this side never uses)."""
        position = {t: j for j, t in enumerate(self.vocabulary)}
        cols = np.array([position.get(t, -1) for t in items], dtype=np.int64)
        known = np.flatnonzero(cols >= 0)
        pick = sp.csr_matrix((np.ones(len(known)), (cols[known], known)), shape=(len(self.vocabulary), len(items)))
        return (sp.csr_matrix(self.terms, dtype=float) @ pick).tocsr()

    def measure_matrix(self, items: Sequence[str]) -> sp.csr_matrix:
        return sp.csr_matrix(self.measures.reindex(columns=list(items), fill_value=0).to_numpy(dtype=float))


@dataclass(frozen=True)
class Side:
    """One side of a comparison: term counts, measure counts and its size.

    ``n_chars`` is None for a reference frequency list (no text, so no rate per character and
    no measures)."""

    label: str
    terms: pd.Series  # term → count
    n_tokens: int
    n_chars: int | None = None
    measures: pd.Series = field(default_factory=lambda: pd.Series(dtype=np.int64))  # measure → count
    n_documents: int = 0
    documents: SideDocuments | None = None  # per document, for the tests over documents (None: a reference list)


def _document_columns(kind: str, items: list[str], a: np.ndarray, b: np.ndarray, side_a: Side, side_b: Side, g2_p: np.ndarray, alpha: float) -> dict:
    """The columns of the tests over documents (see the module docstring)."""
    n = len(items)
    docs_a, docs_b = side_a.documents, side_b.documents
    threshold = alpha / max(n, 1)
    if docs_a is None or docs_b is None:
        return {
            "n_docs_a": side_a.n_documents, "n_docs_b": side_b.n_documents,
            "docs_a": pd.array([pd.NA] * n, dtype="Int64"), "docs_b": pd.array([pd.NA] * n, dtype="Int64"),
            "p_docs": np.full(n, np.nan), "p_perm": np.full(n, np.nan), "significant": g2_p < threshold, "test": G2_TEST,
            "top_document": "", "top_document_share": np.full(n, np.nan), "top_unit": "", "top_unit_share": np.full(n, np.nan),
            "driven_by": "",
        }
    by_chars = kind == "measure"
    matrix_a = docs_a.measure_matrix(items) if by_chars else docs_a.term_matrix(items)
    matrix_b = docs_b.measure_matrix(items) if by_chars else docs_b.term_matrix(items)
    sizes_a = docs_a.n_chars if by_chars else docs_a.n_tokens
    sizes_b = docs_b.n_chars if by_chars else docs_b.n_tokens
    p_docs, a_higher = rank_sum_p(matrix_a, sizes_a, matrix_b, sizes_b, with_direction=True)
    p_perm = np.full(n, np.nan)
    if by_chars and n:
        both = sp.vstack([matrix_a, matrix_b]).tocsr()
        in_a = np.r_[np.ones(matrix_a.shape[0], bool), np.zeros(matrix_b.shape[0], bool)]
        p_perm = permutation_p(both, np.r_[sizes_a, sizes_b], in_a)
    more_a = a / max(float(sizes_a.sum()), 1.0) >= b / max(float(sizes_b.sum()), 1.0)
    agrees = a_higher == more_a  # the documents lean the way the pooled rates do
    out: dict = {}
    for name, sources_of in (("document", "doc_ids"), ("unit", "units")):
        label_a, share_a = top_source(matrix_a, getattr(docs_a, sources_of))
        label_b, share_b = top_source(matrix_b, getattr(docs_b, sources_of))
        out[f"top_{name}"] = np.where(more_a, label_a, label_b)
        out[f"top_{name}_share"] = np.where(more_a, share_a, share_b)
    has_units = np.array([bool(u) for u in out["top_unit"]])
    driven = []
    for i in range(n):
        if has_units[i] and out["top_unit_share"][i] > DOMINANT_SHARE:
            driven.append(f"unit {out['top_unit'][i]} ({out['top_unit_share'][i]:.0%})")
        elif out["top_document_share"][i] > DOMINANT_SHARE:
            driven.append(f"document {out['top_document'][i]} ({out['top_document_share'][i]:.0%})")
        else:
            driven.append("")
    out["top_unit"] = np.where(has_units, out["top_unit"], "")
    out["top_unit_share"] = np.where(has_units, out["top_unit_share"], np.nan)
    return {
        "n_docs_a": len(docs_a.doc_ids), "n_docs_b": len(docs_b.doc_ids),
        "docs_a": np.asarray((matrix_a > 0).sum(axis=0)).ravel().astype(np.int64),
        "docs_b": np.asarray((matrix_b > 0).sum(axis=0)).ravel().astype(np.int64),
        "p_docs": p_docs, "p_perm": p_perm, "significant": (p_docs < threshold) & agrees, "test": DOCUMENT_TEST,
        **out, "driven_by": driven,
    }


def _rows(kind: str, items: list[str], a: np.ndarray, b: np.ndarray, side_a: Side, side_b: Side, by_chars: bool, alpha: float) -> pd.DataFrame:
    size_a = float(side_a.n_chars if by_chars else side_a.n_tokens)
    size_b = float(side_b.n_chars if by_chars else side_b.n_tokens)
    _, g2, log_ratio = keyness_2x2(a, b, size_a, size_b)
    p = chi2_p(g2)
    norm_a = a / size_a
    norm_b = np.where(b > 0, b, 0.5) / size_b  # the log ratio's correction for a zero on side B
    pct_diff = (norm_a - norm_b) * 100 / norm_b

    def per(counts: np.ndarray, size: int | None) -> np.ndarray:
        return counts / size * 10_000 if size else np.full(len(counts), np.nan)

    frame = pd.DataFrame(
        {
            "kind": kind,
            "item": pd.Series(items, dtype=object),
            "side_a": side_a.label,
            "side_b": side_b.label,
            "count_a": a.astype(np.int64),
            "count_b": b.astype(np.int64),
            "per_10k_chars_a": per(a, side_a.n_chars),
            "per_10k_chars_b": per(b, side_b.n_chars),
            "per_10k_tokens_a": per(a, side_a.n_tokens),
            "per_10k_tokens_b": per(b, side_b.n_tokens),
            "size_a": int(size_a),
            "size_b": int(size_b),
            "g2": g2,
            "p_g2": p,
            "log_ratio": log_ratio,
            "pct_diff": pct_diff,
            "more_on": np.where(a / size_a >= b / size_b, side_a.label, side_b.label),
            "significant_g2": p < alpha / max(len(items), 1),
            **_document_columns(kind, items, a, b, side_a, side_b, p, alpha),
        },
        columns=COMPARISON_COLUMNS,
    )
    order = np.lexsort((np.arange(len(frame)), -np.round(frame["g2"].to_numpy(), 9)))
    return frame.iloc[order].reset_index(drop=True)


def compare_sides(
    side_a: Side, side_b: Side, *, measures: Sequence[str] = (), min_count: int = 2, alpha: float = ALPHA
) -> pd.DataFrame:
    """Keyness of every measure (those of ``measures`` mentioned on either side; none when a
    side has no characters, e.g. a reference list) and of every term seen at least
    ``min_count`` times on the two sides together: see :data:`COMPARISON_COLUMNS`. Measures
    first, then terms, each strongest (G²) first."""
    if not side_a.n_tokens or not side_b.n_tokens:
        empty = side_a.label if not side_a.n_tokens else side_b.label
        raise ValueError(f"side '{empty}' has no tokens: nothing to compare")
    frames = []
    if measures and side_a.n_chars and side_b.n_chars:
        names = list(measures)
        a = side_a.measures.reindex(names, fill_value=0).to_numpy(dtype=float)
        b = side_b.measures.reindex(names, fill_value=0).to_numpy(dtype=float)
        used = (a + b) > 0
        frames.append(_rows("measure", [n for n, u in zip(names, used) if u], a[used], b[used], side_a, side_b, True, alpha))
    both = pd.concat([side_a.terms.rename("a"), side_b.terms.rename("b")], axis=1).fillna(0)
    both = both[(both["a"] + both["b"]) >= min_count].sort_index()
    frames.append(
        _rows("term", both.index.tolist(), both["a"].to_numpy(dtype=float), both["b"].to_numpy(dtype=float), side_a, side_b, False, alpha)
    )
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COMPARISON_COLUMNS)


def read_reference(path, *, label: str | None = None) -> Side:
    """A reference frequency list, a CSV with columns ``term,count`` (UTF-8), as a side.

    Raises ValueError naming the problem (missing column, a count that is not a whole number)."""
    from pathlib import Path

    path = Path(path)
    table = pd.read_csv(path, encoding="utf-8-sig", dtype={"term": str})
    missing = {"term", "count"} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: needs the columns term,count (missing: {', '.join(sorted(missing))}; found: {', '.join(map(str, table.columns))})")
    counts = pd.to_numeric(table["count"], errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts != counts.round())
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise ValueError(f"{path}:{line}: count must be a whole number of 0 or more, not {table['count'].iloc[line - 2]!r}")
    terms = counts.astype(np.int64).groupby(table["term"].fillna("").astype(str)).sum()
    terms = terms[terms.index != ""]
    return Side(label=label or f"reference {path.name}", terms=terms, n_tokens=int(terms.sum()), n_chars=None)
