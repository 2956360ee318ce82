import numpy as np
import pandas as pd
import pytest

from analysis.methods.clusters import cluster_units, profile_distances
from analysis.errors import AnalysisError


def two_groups() -> pd.DataFrame:
    rows = {
        "甲": [3, 2, 1, 0, 0, 0],
        "乙": [1, 1, 2, 0, 0, 0],
        "丙": [2, 0, 1, 0, 0, 0],
        "丁": [0, 0, 0, 1, 4, 2],
        "戊": [0, 0, 0, 2, 1, 1],
        "己": [0, 0, 0, 1, 0, 3],
    }
    return pd.DataFrame(rows, index=list("ABCDEF")).T


def test_two_clearly_separated_groups_are_found():
    clustering = cluster_units(two_groups())
    assert clustering.k == 2
    labels = clustering.labels
    assert labels["甲"] == labels["乙"] == labels["丙"]
    assert labels["丁"] == labels["戊"] == labels["己"]
    assert labels["甲"] != labels["丁"]
    assert clustering.silhouettes[2] == max(clustering.silhouettes.values())


def test_defining_measures_are_the_ones_the_cluster_shares():
    clustering = cluster_units(two_groups())
    first = clustering.labels["甲"]
    defining = clustering.defining.loc[clustering.defining["cluster"] == first, "measure"].tolist()
    # A and C: in all of 甲乙丙 and nowhere else; B: in two of the three
    assert defining == ["A", "C", "B"]


def test_deterministic_and_independent_of_row_order():
    matrix = two_groups()
    a = cluster_units(matrix)
    b = cluster_units(matrix.iloc[::-1])
    partition = lambda c: sorted(sorted(g) for g in c.labels.groupby(c.labels).groups.values())  # noqa: E731
    assert partition(a) == partition(b)
    assert a.labels.equals(cluster_units(matrix).labels)


def test_given_k_is_used():
    assert cluster_units(two_groups(), k=3).labels.nunique() == 3


def test_jaccard_ignores_shared_absences():
    d = profile_distances(pd.DataFrame([[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]], index=["a", "b", "c"]))
    assert d.loc["a", "b"] == 0 and d.loc["a", "c"] == 1


def test_units_without_mentions_are_at_distance_one_from_others():
    d = profile_distances(pd.DataFrame([[0, 0], [0, 0], [1, 0]], index=["a", "b", "c"]))
    assert np.isfinite(d.to_numpy()).all()
    assert d.loc["a", "b"] == 0 and d.loc["a", "c"] == 1


def test_too_few_units():
    with pytest.raises(AnalysisError, match="at least 3 units"):
        cluster_units(two_groups().iloc[:2])


def test_bulletin_clusters(bulletin_analysis):
    clustering = bulletin_analysis.clustering
    assert clustering is not None
    assert sorted(clustering.labels.index) == sorted(bulletin_analysis.units)
    assert 2 <= clustering.k <= 8
    # 鹤北 and 东方红 are the two units that stress 三防 and border control: same cluster
    assert clustering.labels["鹤北"] == clustering.labels["东方红"]
    assert clustering.table()["cluster"].tolist()[0] == 1  # numbered in dendrogram order
