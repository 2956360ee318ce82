"""Clusters: group units by which measures they stress.

A unit's profile is short and sparse (a dozen measures, most unmentioned), so units are
compared on presence with the Jaccard distance, which ignores shared absences, and joined by
average-linkage hierarchical clustering (scikit-learn). The number of clusters is the one with
the best silhouette unless given. Everything is deterministic: no random state is involved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import AnalysisError

__all__ = ["Clustering", "cluster_units", "profile_distances"]


@dataclass(frozen=True)
class Clustering:
    """The result of :func:`cluster_units`."""

    labels: pd.Series  # unit → cluster number (1 = first cluster in dendrogram order)
    k: int
    silhouettes: dict[int, float]  # k tried → mean silhouette
    distances: pd.DataFrame  # unit × unit distance
    linkage: np.ndarray  # SciPy-style linkage matrix of the same tree, for the dendrogram
    order: list[str]  # units in dendrogram leaf order
    defining: pd.DataFrame  # cluster, rank, measure, share_in, share_out
    metric: str
    method: str

    def table(self) -> pd.DataFrame:
        """``unit, cluster, defining_measures`` in dendrogram order."""
        leading = self.defining.groupby("cluster")["measure"].apply(lambda s: "、".join(s))
        frame = pd.DataFrame({"unit": self.order, "cluster": [int(self.labels[u]) for u in self.order]})
        frame["defining_measures"] = [leading.get(c, "") for c in frame["cluster"]]
        frame["cluster_size"] = frame["cluster"].map(frame["cluster"].value_counts())
        return frame


def profile_distances(matrix: pd.DataFrame, *, metric: str = "jaccard") -> pd.DataFrame:
    """Pairwise distances between the rows (units) of a unit × measure table.

    ``jaccard`` compares presence (mentioned or not); ``cosine`` compares counts. Two units
    with no mention at all are at distance 0 from each other and 1 from everyone else.
    """
    from scipy.spatial.distance import pdist, squareform

    values = matrix.to_numpy()
    if metric == "jaccard":
        data = values > 0
    elif metric == "cosine":
        data = values.astype(float)
    else:
        raise AnalysisError(f"unknown distance '{metric}' (use 'jaccard' or 'cosine')")
    empty = ~data.any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = squareform(pdist(data, metric=metric))
    dist = np.nan_to_num(dist, nan=1.0)
    dist[np.ix_(empty, empty)] = 0.0
    np.fill_diagonal(dist, 0.0)
    return pd.DataFrame(dist, index=matrix.index, columns=matrix.index)


def _linkage_matrix(model: "AgglomerativeClustering", n: int) -> np.ndarray:
    """SciPy linkage matrix from a fitted full tree (as in scikit-learn's dendrogram example)."""
    counts = np.zeros(model.children_.shape[0])
    for i, merge in enumerate(model.children_):
        counts[i] = sum(1 if child < n else counts[child - n] for child in merge)
    return np.column_stack([model.children_, model.distances_, counts]).astype(float)


def _leaf_order(linkage: np.ndarray, n: int) -> list[int]:
    from scipy.cluster.hierarchy import leaves_list

    return [int(i) for i in leaves_list(linkage)] if n > 1 else [0]


def _defining_measures(matrix: pd.DataFrame, labels: pd.Series, *, top: int = 3) -> pd.DataFrame:
    """Per cluster, the measures frequent inside it and rare outside it (the rule of
    :mod:`analysis.methods.evidence`: in at least ``MIN_SHARE_IN`` of its units, at most
    ``MAX_SHARE_OUT`` of the others, ``MIN_LIFT`` times as common inside), most set apart first.
    A measure most other units share never sets a cluster apart."""
    from .evidence import MAX_SHARE_OUT, MIN_LIFT, MIN_SHARE_IN

    present = (matrix > 0).astype(float)
    rows = []
    for cluster in sorted(labels.unique()):
        inside = present.loc[labels.index[labels == cluster]]
        outside = present.loc[labels.index[labels != cluster]]
        share_in = inside.mean()
        share_out = outside.mean() if len(outside) else pd.Series(0.0, index=present.columns)
        lift = share_in - share_out
        ranked = sorted(
            (
                m
                for m in present.columns
                if share_in[m] >= MIN_SHARE_IN and share_out[m] <= MAX_SHARE_OUT + 1e-9 and share_in[m] >= MIN_LIFT * share_out[m] and lift[m] > 0
            ),
            key=lambda m: (-round(lift[m], 9), -round(share_in[m], 9), list(present.columns).index(m)),
        )
        for rank, measure in enumerate(ranked[:top], start=1):
            rows.append((int(cluster), rank, measure, float(share_in[measure]), float(share_out[measure])))
    return pd.DataFrame(rows, columns=["cluster", "rank", "measure", "share_in", "share_out"])


def cluster_units(
    matrix: pd.DataFrame,
    *,
    k: int | None = None,
    metric: str = "jaccard",
    method: str = "average",
    max_k: int = 8,
) -> Clustering:
    """Cluster the rows of a unit × measure table; choose k by silhouette unless given.

    Needs at least three units. k is tried from 2 to ``min(max_k, n_units - 1)``; the best mean
    silhouette wins, the smaller k on a tie. Clusters are numbered in dendrogram order.
    """
    n = len(matrix)
    if n < 3:
        raise AnalysisError(f"clustering needs at least 3 units, this corpus has {n}")
    if k is not None and not 1 <= k <= n:
        raise AnalysisError(f"k={k} is outside 1..{n} (the number of units)")
    # scikit-learn is imported here, not with the module: a run that stops at a bad input never pays for it.
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    distances = profile_distances(matrix, metric=metric)
    dist = distances.to_numpy()

    def fit(n_clusters: int | None) -> AgglomerativeClustering:
        model = AgglomerativeClustering(
            n_clusters=n_clusters,
            distance_threshold=None if n_clusters else 0,
            metric="precomputed",
            linkage=method,
            compute_full_tree=True,
            compute_distances=True,
        )
        return model.fit(dist)

    silhouettes: dict[int, float] = {}
    for candidate in range(2, min(max_k, n - 1) + 1):
        labels = fit(candidate).labels_
        if len(set(labels)) > 1:
            silhouettes[candidate] = float(silhouette_score(dist, labels, metric="precomputed"))
    if k is None:
        k = max(silhouettes, key=lambda c: (round(silhouettes[c], 9), -c)) if silhouettes else 1
    raw = fit(k).labels_
    tree = fit(None)
    linkage = _linkage_matrix(tree, n)
    order = [matrix.index[i] for i in _leaf_order(linkage, n)]
    # Number clusters 1..k in the order they first appear along the dendrogram.
    position = {unit: i for i, unit in enumerate(matrix.index)}
    renumber: dict[int, int] = {}
    for unit in order:
        renumber.setdefault(int(raw[position[unit]]), len(renumber) + 1)
    labels = pd.Series([renumber[int(c)] for c in raw], index=matrix.index, name="cluster")
    return Clustering(
        labels=labels,
        k=k,
        silhouettes=silhouettes,
        distances=distances,
        linkage=linkage,
        order=order,
        defining=_defining_measures(matrix, labels),
        metric=metric,
        method=method,
    )
