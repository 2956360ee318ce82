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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .keyness import chi2_p, keyness_2x2

__all__ = ["Side", "COMPARISON_COLUMNS", "compare_sides", "read_reference"]

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
]


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
            "significant": p < alpha / max(len(items), 1),
        },
        columns=COMPARISON_COLUMNS,
    )
    order = np.lexsort((np.arange(len(frame)), -np.round(frame["g2"].to_numpy(), 9)))
    return frame.iloc[order].reset_index(drop=True)


def compare_sides(
    side_a: Side, side_b: Side, *, measures: Sequence[str] = (), min_count: int = 2, alpha: float = 0.05
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


#: The largest count (and total) a reference list may hold: far above any real corpus, far below
#: where 64-bit counts wrap to negative sizes.
_MAX_COUNT = 10**15


def read_reference(path, *, label: str | None = None) -> Side:
    """A reference frequency list, a CSV with columns ``term,count`` (UTF-8), as a side.

    Raises ValueError naming the problem (missing column, a count that is not a whole number)."""
    from pathlib import Path

    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path}: is a folder, not a reference list (give a CSV file with columns term,count)")
    try:
        table = pd.read_csv(path, encoding="utf-8-sig", dtype={"term": str})
    except UnicodeDecodeError:
        raise ValueError(f"{path}: the reference list is not UTF-8 (save it as UTF-8; a GBK list too)") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ValueError(f"{path}: not a readable CSV ({str(error).splitlines()[0][:120]})") from None
    missing = {"term", "count"} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: needs the columns term,count (missing: {', '.join(sorted(missing))}; found: {', '.join(map(str, table.columns))})")
    counts = pd.to_numeric(table["count"], errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts != counts.round()) | (counts > _MAX_COUNT)
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise ValueError(f"{path}:{line}: count must be a whole number from 0 to 10^15, not {str(table['count'].iloc[line - 2])[:40]!r}")
    if counts.sum() > _MAX_COUNT:
        raise ValueError(f"{path}: the counts add up to more than 10^15 tokens (check the count column)")
    terms = counts.astype(np.int64).groupby(table["term"].fillna("").astype(str)).sum()
    terms = terms[terms.index != ""]
    return Side(label=label or f"reference {path.name}", terms=terms, n_tokens=int(terms.sum()), n_chars=None)
