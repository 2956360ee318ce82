"""Agreement: does the lexicon code what a human coder codes, and do coders agree?

* :func:`krippendorff_alpha`: Krippendorff's α for nominal, ordinal, interval and ratio data,
  any number of coders, missing values allowed, with :func:`alpha_interval` (a bootstrap over
  units). Implemented from the coincidence-matrix formulas of Krippendorff (2011), "Computing
  Krippendorff's Alpha-Reliability", University of Pennsylvania,
  https://repository.upenn.edu/asc_papers/43 (sections C–F: α = 1 − D_o / D_e with the metric
  δ² of each level); ``tests/test_agreement.py`` reproduces the paper's worked example (4 coders
  × 12 units with missing values) for every level: nominal 0.743, ordinal 0.815, interval 0.849,
  ratio 0.797. Rows are units, matched by position (or by an explicit ``unit`` column), never by
  index label.
* :func:`lexicon_scores`: precision, recall and F1 of the lexicon against a coder, and Cohen's
  κ, from scikit-learn (``precision_recall_fscore_support``, ``cohen_kappa_score``).

Randomness comes only from an explicit ``random_state``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["krippendorff_alpha", "alpha_interval", "cohen_kappa", "lexicon_scores", "LEVELS"]

#: The levels of measurement α is offered for (Krippendorff 2011's metrics δ²).
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _units_by_coders(data: object, unit: str | None) -> pd.DataFrame:
    """``data`` as a units × coders frame with a plain 0..n−1 index: rows matched by position,
    or, with ``unit``, by that column (rows with the same key merged; a coder giving one unit
    two different values is an error)."""
    frame = data.copy() if isinstance(data, pd.DataFrame) else pd.DataFrame(list(data) if not isinstance(data, np.ndarray) else data)
    if unit is not None:
        if unit not in frame.columns:
            raise KeyError(f"'{unit}' is not a column of the data (columns: {', '.join(map(str, frame.columns))})")
        keys = frame.pop(unit)
        groups = frame.groupby(keys.to_numpy(), sort=False)
        if (groups.nunique(dropna=True) > 1).to_numpy().any():
            raise ValueError(f"a coder gives one {unit} two different values: one value per coder and unit")
        frame = groups.first()
    return frame.reset_index(drop=True)


def _value_counts(data: object, unit: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Units × values: how many coders gave each unit each value (missing values left out), and
    the values in sorted order."""
    frame = _units_by_coders(data, unit)
    stacked = frame.stack(future_stack=True).dropna()
    if stacked.empty:
        return np.zeros((len(frame), 0)), np.zeros(0)
    table = pd.crosstab(stacked.index.get_level_values(0), stacked.to_numpy())
    return table.reindex(range(len(frame)), fill_value=0).to_numpy(dtype=float), table.columns.to_numpy()


def _delta(values: np.ndarray, n_c: np.ndarray, level: str) -> np.ndarray:
    """The metric δ²_ck (values × values; with resamples, resamples × values × values)."""
    if level == "nominal":
        d = 1.0 - np.eye(len(values))
        return np.broadcast_to(d, n_c.shape[:-1] + d.shape)
    if level == "ordinal":  # (Σ_{g=c..k} n_g − (n_c + n_k)/2)², values in rank order
        cum = np.cumsum(n_c, axis=-1)
        upper = cum[..., None, :]  # Σ_{g ≤ k}
        lower = (cum - n_c)[..., :, None]  # Σ_{g < c}
        span = upper - lower - (n_c[..., :, None] + n_c[..., None, :]) / 2
        return np.triu(span**2) + np.swapaxes(np.triu(span**2, 1), -1, -2)
    try:
        v = values.astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"{level} α needs numbers as values, not {values[:3].tolist()}") from None
    if level == "interval":
        d = (v[:, None] - v[None, :]) ** 2
    elif level == "ratio":
        if (v < 0).any():
            raise ValueError("ratio α needs values of 0 or more")
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.nan_to_num(((v[:, None] - v[None, :]) / (v[:, None] + v[None, :])) ** 2)
    else:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return np.broadcast_to(d, n_c.shape[:-1] + d.shape)


def _alpha_from_counts(counts: np.ndarray, values: np.ndarray, weights: np.ndarray, level: str = "nominal") -> np.ndarray:
    """α for each row of ``weights`` (resamples × units: how often each unit is drawn)."""
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m, weights = counts[pairable], m[pairable], weights[:, pairable]
    if not len(m):
        return np.full(len(weights), np.nan)
    # Unit u adds n_uc·(n_uk − [c = k]) / (m_u − 1) to the coincidence o_ck (Krippendorff 2011).
    per_unit = (counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(counts.shape[1])) / (m - 1)[:, None, None]
    observed = np.einsum("ru,uck->rck", weights, per_unit)  # resamples × values × values
    n_c = observed.sum(axis=2)
    n = n_c.sum(axis=1)
    delta = _delta(values, n_c, level)
    disagreement = (observed * delta).sum(axis=(1, 2))
    expected = (n_c[:, :, None] * n_c[:, None, :] * delta).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (n - 1) * disagreement / expected
    return np.where(expected > 0, alpha, np.nan)


def krippendorff_alpha(data: object, level: str = "nominal", *, unit: str | None = None) -> float:
    """Krippendorff's α: 1 = perfect agreement, 0 = no better than chance.

    Units coded by fewer than two coders are left out, as in Krippendorff (2011).
    α = 1 − (n − 1)·Σ o_ck δ²_ck / Σ n_c·n_k δ²_ck, from the coincidence matrix o.

    Parameters
    ----------
    data : DataFrame, array or list of rows
        Units × coders, missing values None or NaN. Rows are matched by position.
    level : str
        "nominal" (any values), "ordinal" (values in sorted order), "interval" or "ratio"
        (numbers).
    unit : str or None
        A column of the frame that identifies the unit: rows are matched by it, rows with the
        same key merged (e.g. two coders' sheets stacked).

    Returns
    -------
    float
        α; NaN when it is undefined: fewer than two pairable values, or every value the same
        (no variation to agree on).

    Examples
    --------
    >>> from analysis import krippendorff_alpha
    >>> round(krippendorff_alpha([[1, 1], [0, 0], [1, 0], [0, 0]]), 3)
    0.533
    >>> round(krippendorff_alpha([[1, 1, None], [2, 2, 2], [3, 3, 2], [1, 1, 1]], "interval"), 3)
    0.853
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    counts, values = _value_counts(data, unit)
    return float(_alpha_from_counts(counts, values, np.ones((1, len(counts))), level)[0])


def alpha_interval(
    data: object,
    level: str = "nominal",
    *,
    unit: str | None = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int = 0,
) -> tuple[float, float]:
    """A bootstrap interval for :func:`krippendorff_alpha`: the units coded by two or more
    coders are drawn with replacement ``n_boot`` times, α is computed on each draw, and the
    interval runs between the draws' percentiles (2.5 and 97.5 for ``confidence`` 0.95).
    Resamples where α is undefined (no variation) are left out.

    Parameters
    ----------
    data : DataFrame, array or list of rows
        Units × coders, as for :func:`krippendorff_alpha`.
    level : str
        "nominal", "ordinal", "interval" or "ratio".
    unit : str or None
        A column identifying the unit, as for :func:`krippendorff_alpha`.
    n_boot : int
        Resamples.
    confidence : float
        The interval's coverage.
    random_state : int
        Seed: the same data and seed give the same interval.

    Returns
    -------
    tuple of (float, float)
        The interval's ends; (NaN, NaN) when α is undefined on every resample.

    Examples
    --------
    >>> from analysis import alpha_interval
    >>> low, high = alpha_interval([[1, 1], [0, 0], [1, 0], [0, 0], [1, 1], [0, 0]], n_boot=200)
    >>> round(low, 2), round(high, 2)
    (-0.1, 1.0)
    """
    if isinstance(level, float):  # alpha_interval(data, level=0.95): the old name of confidence
        confidence, level = level, "nominal"
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    counts, values = _value_counts(data, unit)
    counts = counts[counts.sum(axis=1) >= 2]
    if len(counts) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(random_state)
    weights = rng.multinomial(len(counts), np.full(len(counts), 1 / len(counts)), size=n_boot).astype(float)
    alphas = _alpha_from_counts(counts, values, weights, level)
    alphas = alphas[~np.isnan(alphas)]
    if len(alphas) == 0:
        return float("nan"), float("nan")
    tail = (1 - confidence) / 2 * 100
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
