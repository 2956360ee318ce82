"""Agreement: does the lexicon code what a human coder codes, and do coders agree?

* :func:`krippendorff_alpha`: Krippendorff's α for nominal data, any number of coders, missing
  values allowed, with :func:`alpha_interval` (a bootstrap over units). Implemented here from
  the coincidence-matrix formulas in Krippendorff (2011), "Computing Krippendorff's
  Alpha-Reliability", University of Pennsylvania, https://repository.upenn.edu/asc_papers/43
  (section C, nominal data); ``tests/test_agreement.py`` reproduces the paper's worked example
  (4 coders × 12 units with missing values, α = 0.743) and a two-coder case computed by hand.
* :func:`lexicon_scores`: precision, recall and F1 of the lexicon against a coder, and Cohen's
  κ, from scikit-learn (``precision_recall_fscore_support``, ``cohen_kappa_score``).

Randomness comes only from an explicit ``random_state``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["krippendorff_alpha", "alpha_interval", "cohen_kappa", "lexicon_scores"]


def _value_counts(data: object) -> np.ndarray:
    """Units × categories: how many coders gave each unit each value (missing values left out).

    ``data`` is units × coders (rows are units), missing values None or NaN.
    """
    frame = pd.DataFrame(data)
    stacked = frame.stack(future_stack=True).dropna()
    if stacked.empty:
        return np.zeros((len(frame), 0))
    table = pd.crosstab(stacked.index.get_level_values(0), stacked.to_numpy())
    return table.reindex(range(len(frame)), fill_value=0).to_numpy(dtype=float)


def _alpha_from_counts(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """α for each row of ``weights`` (resamples × units: how often each unit is drawn)."""
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m, weights = counts[pairable], m[pairable], weights[:, pairable]
    # Unit u adds n_uc·(n_uk − [c = k]) / (m_u − 1) to the coincidence o_ck; so the value totals
    # n_c are the pairable values themselves, and the agreements (the diagonal) sum to:
    agree = (counts * (counts - 1)).sum(axis=1) / (m - 1) if len(m) else np.zeros(0)
    n_c = weights @ counts
    n = n_c.sum(axis=1)
    observed = n - weights @ agree  # Σ_{c≠k} o_ck
    expected = n**2 - (n_c**2).sum(axis=1)  # Σ_{c≠k} n_c·n_k
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (n - 1) * observed / expected
    return np.where(expected > 0, alpha, np.nan)


def krippendorff_alpha(data: object) -> float:
    """Krippendorff's α for nominal data: 1 = perfect agreement, 0 = no better than chance.

    ``data`` is units × coders (a DataFrame, an array or a list of rows), missing values None
    or NaN. Units coded by fewer than two coders are left out, as in Krippendorff (2011).
    α = 1 − (n − 1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k, from the coincidence matrix o. NaN when it
    is undefined: fewer than two pairable values, or every value the same (no variation to
    agree on).
    """
    counts = _value_counts(data)
    return float(_alpha_from_counts(counts, np.ones((1, len(counts))))[0])


def alpha_interval(
    data: object, *, n_boot: int = 1000, level: float = 0.95, random_state: int = 0
) -> tuple[float, float]:
    """A bootstrap interval for :func:`krippendorff_alpha`: the units coded by two or more
    coders are drawn with replacement ``n_boot`` times, α is computed on each draw, and the
    interval runs between the draws' percentiles (2.5 and 97.5 for ``level`` 0.95). Resamples
    where α is undefined (no variation) are left out; (NaN, NaN) when every one is.
    """
    counts = _value_counts(data)
    counts = counts[counts.sum(axis=1) >= 2]
    if len(counts) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(random_state)
    weights = rng.multinomial(len(counts), np.full(len(counts), 1 / len(counts)), size=n_boot).astype(float)
    alphas = _alpha_from_counts(counts, weights)
    alphas = alphas[~np.isnan(alphas)]
    if len(alphas) == 0:
        return float("nan"), float("nan")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(alphas, [tail, 100 - tail])
    return float(low), float(high)


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's κ between two codings of the same units (scikit-learn); NaN when undefined
    (both coded every unit alike with one value, so chance agreement is 1)."""
    from sklearn.metrics import cohen_kappa_score

    a, b = list(a), list(b)
    if not a or len(set(a) | set(b)) < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(cohen_kappa_score(a, b))


def lexicon_scores(coder: Sequence[int], lexicon: Sequence[int]) -> dict[str, float | int]:
    """The lexicon (predicted) against a coder (the truth), on 0/1 codes of the same units:
    ``tp, fp, fn, tn``, ``precision`` (of the lexicon's 1s, the share the coder also coded 1),
    ``recall`` (of the coder's 1s, the share the lexicon found), ``f1`` and Cohen's ``kappa``.
    A ratio with nothing to divide is NaN, never a made-up 0 (precision when the lexicon coded
    no 1s, recall when the coder did not, F1 when neither did)."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    truth, predicted = np.asarray(coder, dtype=int), np.asarray(lexicon, dtype=int)
    tn, fp, fn, tp = confusion_matrix(truth, predicted, labels=[0, 1]).ravel().tolist() if len(truth) else (0, 0, 0, 0)
    if len(truth):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            precision, recall, f1, _ = precision_recall_fscore_support(
                truth, predicted, labels=[1], average="binary", pos_label=1, zero_division=np.nan
            )
    else:
        precision = recall = f1 = float("nan")
    return {
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": float(precision), "recall": float(recall), "f1": float(f1),
        "kappa": cohen_kappa(truth.tolist(), predicted.tolist()),
    }
