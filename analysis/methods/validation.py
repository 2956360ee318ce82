"""Cluster validation: are the clusters of units real, or an accident of a few mentions?

Three checks on a :class:`~analysis.methods.clusters.Clustering`:

* silhouette for each k tried (how well separated the clusters are at each k);
* bootstrap stability: each unit's measure mentions are resampled with replacement (a
  multinomial draw with the unit's own mention count and proportions), the units are clustered
  again with the same k, distance and linkage, and the new partition is compared with the
  original by the adjusted Rand index (ARI: 1 = identical, 0 = no better than chance);
* agreement across linkage methods: the same k with average, complete and single linkage.

The verdict is plain language, for the notebook and the CLI: *unstable* when the mean bootstrap
ARI is below 0.5; *tentative* with fewer than 6 units or when the lower end of the bootstrap
interval (5th percentile) is below 0.5, since a few units or a wide interval cannot support
more; otherwise *stable* when the mean is at least 0.75, *partly stable* below. Randomness
comes only from an explicit ``random_state``, so reruns give identical tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .clusters import Clustering, profile_distances
from .evidence import WEAK_SILHOUETTE

__all__ = ["ClusterValidation", "validate_clustering", "resample_mentions", "STABLE_ARI", "PARTLY_STABLE_ARI", "MIN_UNITS"]

STABLE_ARI = 0.75
PARTLY_STABLE_ARI = 0.5
#: Fewer units than this give a tentative verdict at best.
MIN_UNITS = 6
LINKAGES = ("average", "complete", "single")


@dataclass(frozen=True)
class ClusterValidation:
    """The result of :func:`validate_clustering`."""

    k: int
    metric: str
    method: str
    silhouettes: pd.DataFrame  # k, silhouette, chosen
    bootstrap_ari: np.ndarray  # one ARI per resample
    unit_stability: pd.Series  # unit → mean share of other units it stays with (or apart from) as originally
    linkage_agreement: pd.DataFrame  # linkage, ari (against the chosen clustering)
    n_boot: int
    random_state: int

    @property
    def stability(self) -> float:
        """Mean bootstrap ARI."""
        return float(np.mean(self.bootstrap_ari)) if len(self.bootstrap_ari) else float("nan")

    @property
    def lower_bound(self) -> float:
        """The 5th percentile of the bootstrap ARIs: the lower end of the 90% interval."""
        return float(np.percentile(self.bootstrap_ari, 5)) if len(self.bootstrap_ari) else float("nan")

    @property
    def verdict(self) -> str:
        """``stable``, ``partly stable``, ``tentative`` or ``unstable`` (see the module docstring)."""
        if not self.stability >= PARTLY_STABLE_ARI:
            return "unstable"
        if len(self.unit_stability) < MIN_UNITS or not self.lower_bound >= PARTLY_STABLE_ARI:
            return "tentative"
        if self.stability >= STABLE_ARI:
            return "stable"
        return "partly stable"

    @property
    def stable(self) -> bool:
        return self.verdict == "stable"

    @property
    def reason(self) -> str:
        """Why the verdict is what it is, in a few words (for a sentence that names the groups)."""
        if self.verdict == "unstable":
            return f"mean bootstrap ARI {self.stability:.2f}, below {PARTLY_STABLE_ARI}: units change groups when a few mentions change"
        if len(self.unit_stability) < MIN_UNITS:
            return f"only {len(self.unit_stability)} units, fewer than {MIN_UNITS}"
        if not self.lower_bound >= PARTLY_STABLE_ARI:
            return f"the bootstrap ARI falls to {self.lower_bound:.2f} in 5% of resamples, below {PARTLY_STABLE_ARI}: a few changed mentions can regroup the units"
        if self.verdict == "partly stable":
            return f"mean bootstrap ARI {self.stability:.2f}, below {STABLE_ARI}: some units move between groups"
        return f"mean bootstrap ARI {self.stability:.2f}"

    def least_stable_units(self, n: int = 3) -> list[str]:
        """Units that most often change company across resamples (below 0.9 only)."""
        ranked = self.unit_stability.sort_values(kind="stable")
        return [str(u) for u, v in ranked.items() if v < 0.9][:n]

    def message(self) -> str:
        """One plain-language sentence or two saying whether to trust the clusters."""
        spread = np.percentile(self.bootstrap_ari, [5, 95]) if len(self.bootstrap_ari) else [np.nan, np.nan]
        evidence = (
            f"mean adjusted Rand index {self.stability:.2f} over {self.n_boot} resamples of the measure mentions, "
            f"90% of resamples between {spread[0]:.2f} and {spread[1]:.2f}; 1 = identical, 0 = chance"
        )
        silhouette = self.silhouettes.loc[self.silhouettes["chosen"], "silhouette"]
        weak = bool(len(silhouette)) and float(silhouette.iloc[0]) < WEAK_SILHOUETTE
        shaky = self.least_stable_units()
        tail = f" Least stable: {'、'.join(shaky)}." if shaky else ""
        if weak:
            tail += f" The silhouette ({float(silhouette.iloc[0]):.2f}) is also below {WEAK_SILHOUETTE:g}: little cluster structure."
        if self.verdict == "stable":
            return f"Clusters are stable ({evidence}).{tail}"
        if self.verdict == "tentative":
            why = (
                f"only {len(self.unit_stability)} units"
                if len(self.unit_stability) < MIN_UNITS
                else f"the lower end of the interval is below {PARTLY_STABLE_ARI}"
            )
            return (
                f"Warning: the {self.k} clusters are tentative ({evidence}): {why}, so a few changed mentions "
                f"can regroup the units. Read the clusters as tentative, not as a finding.{tail}"
            )
        if self.verdict == "partly stable":
            return (
                f"Warning: the {self.k} clusters are only partly stable ({evidence}): some units move between clusters "
                f"when a few mentions change. Read the clusters as tentative.{tail}"
            )
        return (
            f"Warning: the {self.k} clusters are NOT stable ({evidence}): units change clusters when a few mentions "
            f"change, so the grouping is not a finding.{tail}"
        )

    def table(self) -> pd.DataFrame:
        """Long table ``check, k, linkage, unit, value`` (written as ``cluster_validation.csv``)."""
        rows: list[tuple] = []
        for k, value, chosen in self.silhouettes.itertuples(index=False):
            rows.append(("silhouette", int(k), self.method, "", float(value), "chosen" if chosen else ""))
        spread = np.percentile(self.bootstrap_ari, [5, 95]) if len(self.bootstrap_ari) else [np.nan, np.nan]
        rows.append(("bootstrap_ari_mean", self.k, self.method, "", self.stability, self.verdict))
        rows.append(("bootstrap_ari_p05", self.k, self.method, "", float(spread[0]), ""))
        rows.append(("bootstrap_ari_p95", self.k, self.method, "", float(spread[1]), ""))
        for linkage, ari in self.linkage_agreement.itertuples(index=False):
            rows.append(("linkage_agreement_ari", self.k, linkage, "", float(ari), "chosen" if linkage == self.method else ""))
        for unit, value in self.unit_stability.items():
            rows.append(("unit_stability", self.k, self.method, str(unit), float(value), ""))
        frame = pd.DataFrame(rows, columns=["check", "k", "linkage", "unit", "value", "note"])
        frame["n_boot"] = self.n_boot
        frame["random_state"] = self.random_state
        return frame


def resample_mentions(matrix: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One bootstrap copy of a unit × measure count table: each row redrawn from its own mentions."""
    values = matrix.to_numpy().astype(int)
    out = np.zeros_like(values)
    for i, row in enumerate(values):
        total = int(row.sum())
        if total > 0:
            out[i] = rng.multinomial(total, row / total)
    return pd.DataFrame(out, index=matrix.index, columns=matrix.columns)


def _fit(distances: np.ndarray, k: int, method: str) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering  # imported on first use, as in clusters.py

    model = AgglomerativeClustering(n_clusters=k, metric="precomputed", linkage=method)
    return model.fit(distances).labels_


def adjusted_rand(labels_true: np.ndarray, labels_pred: np.ndarray) -> float:
    """scikit-learn's ``adjusted_rand_score``, the same formula on the same integers (its pair
    confusion matrix), without its checks of the arguments and of the kind of labels: they cost
    a thousand times the arithmetic, and the bootstrap scores hundreds of its own label arrays."""
    a = np.unique(np.asarray(labels_true), return_inverse=True)[1].ravel()
    b = np.unique(np.asarray(labels_pred), return_inverse=True)[1].ravel()
    n = len(a)
    contingency = np.zeros((a.max(initial=-1) + 1, b.max(initial=-1) + 1), dtype=np.int64)
    np.add.at(contingency, (a, b), 1)
    sum_squares = int((contingency**2).sum())
    n_c, n_k = contingency.sum(axis=1), contingency.sum(axis=0)
    fp = int((contingency @ n_k).sum()) - sum_squares
    fn = int((contingency.T @ n_c).sum()) - sum_squares
    tp = sum_squares - n
    tn = n * n - fp - fn - sum_squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _same_cluster(labels: np.ndarray) -> np.ndarray:
    return labels[:, None] == labels[None, :]


def validate_clustering(
    matrix: pd.DataFrame,
    clustering: Clustering,
    *,
    n_boot: int = 200,
    random_state: int = 0,
    linkages: tuple[str, ...] = LINKAGES,
) -> ClusterValidation:
    """Silhouette per k, bootstrap ARI stability and cross-linkage agreement of ``clustering``.

    ``matrix`` is the unit × measure count table ``clustering`` was computed from.
    """
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    from sklearn import config_context

    units = list(clustering.labels.index)
    matrix = matrix.loc[units]
    original = clustering.labels.to_numpy()
    k, metric, method = clustering.k, clustering.metric, clustering.method
    silhouettes = pd.DataFrame(
        {"k": list(clustering.silhouettes), "silhouette": list(clustering.silhouettes.values())}
    )
    silhouettes["chosen"] = silhouettes["k"] == k

    rng = np.random.default_rng(random_state)
    together = _same_cluster(original)
    off_diagonal = ~np.eye(len(units), dtype=bool)
    aris = []
    agreement = np.zeros(len(units))
    # Every fit and score below gets arguments made here, never a user's: scikit-learn's check of
    # them on each of the 400 calls is skipped (about 0.1 s of the 0.4 s on the bulletin), same results.
    with config_context(skip_parameter_validation=True):
        for _ in range(n_boot):
            sample = resample_mentions(matrix, rng)
            labels = _fit(profile_distances(sample, metric=metric).to_numpy(), k, method) if k > 1 else np.zeros(len(units), int)
            aris.append(adjusted_rand(original, labels))
            same = (_same_cluster(labels) == together) & off_diagonal
            agreement += same.sum(axis=1) / max(len(units) - 1, 1)
    unit_stability = pd.Series(agreement / n_boot, index=units, name="unit_stability")

    distances = clustering.distances.loc[units, units].to_numpy()
    agreement_rows = []
    for linkage in linkages:
        labels = _fit(distances, k, linkage) if k > 1 else np.zeros(len(units), int)
        agreement_rows.append((linkage, float(adjusted_rand(original, labels))))
    return ClusterValidation(
        k=k,
        metric=metric,
        method=method,
        silhouettes=silhouettes,
        bootstrap_ari=np.asarray(aris, dtype=float),
        unit_stability=unit_stability,
        linkage_agreement=pd.DataFrame(agreement_rows, columns=["linkage", "ari"]),
        n_boot=n_boot,
        random_state=random_state,
    )
