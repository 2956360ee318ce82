"""Cluster validation: separated groups are stable, random profiles are flagged unstable."""

import numpy as np
import pandas as pd
import pytest

from analysis.methods.clusters import cluster_units
from analysis.methods.validation import adjusted_rand, resample_mentions, validate_clustering


def separated() -> pd.DataFrame:
    units = [f"甲{i}" for i in range(4)] + [f"乙{i}" for i in range(4)]
    matrix = pd.DataFrame(0, index=units, columns=list("ABCDEF"))
    matrix.iloc[:4, :3] = 5
    matrix.iloc[4:, 3:] = 5
    return matrix


def random_profiles(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.poisson(0.6, size=(12, 10)), index=[f"u{i}" for i in range(12)], columns=list("ABCDEFGHIJ"))


def test_two_clearly_separated_groups_are_stable():
    matrix = separated()
    clustering = cluster_units(matrix)
    validation = validate_clustering(matrix, clustering, n_boot=50, random_state=1)
    assert clustering.k == 2
    assert validation.stability == pytest.approx(1.0)
    assert validation.verdict == "stable" and validation.stable
    assert validation.message().startswith("Clusters are stable")
    assert (validation.linkage_agreement["ari"] == 1.0).all()
    assert (validation.unit_stability == 1.0).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_profiles_are_flagged_unstable(seed):
    matrix = random_profiles(seed)
    validation = validate_clustering(matrix, cluster_units(matrix), n_boot=100, random_state=0)
    assert validation.stability < 0.5
    assert validation.verdict == "unstable" and not validation.stable
    message = validation.message()
    assert message.startswith("Warning:") and "NOT stable" in message


def test_same_random_state_same_result_and_table():
    matrix = random_profiles(3)
    clustering = cluster_units(matrix)
    first = validate_clustering(matrix, clustering, n_boot=30, random_state=7)
    again = validate_clustering(matrix, clustering, n_boot=30, random_state=7)
    other = validate_clustering(matrix, clustering, n_boot=30, random_state=8)
    assert np.array_equal(first.bootstrap_ari, again.bootstrap_ari)
    assert first.table().equals(again.table())
    assert not np.array_equal(first.bootstrap_ari, other.bootstrap_ari)


def test_table_has_every_check():
    matrix = separated()
    table = validate_clustering(matrix, cluster_units(matrix), n_boot=10).table()
    assert set(table["check"]) == {
        "silhouette", "bootstrap_ari_mean", "bootstrap_ari_p05", "bootstrap_ari_p95", "linkage_agreement_ari", "unit_stability",
    }
    assert table.loc[table["check"] == "silhouette", "note"].tolist().count("chosen") == 1
    assert set(table.loc[table["check"] == "unit_stability", "unit"]) == set(matrix.index)


def test_resampling_keeps_each_units_mention_count_and_vocabulary():
    matrix = random_profiles(4)
    sample = resample_mentions(matrix, np.random.default_rng(0))
    assert (sample.sum(axis=1) == matrix.sum(axis=1)).all()
    assert ((sample > 0) <= (matrix > 0)).all().all()  # a unit never gains a measure it did not mention


def test_bulletin_clusters_are_validated(bulletin_analysis):
    a = bulletin_analysis
    validation = validate_clustering(a.measures, a.clustering, n_boot=50, random_state=0)
    assert 0 <= validation.stability <= 1
    assert set(validation.unit_stability.index) == set(a.units)
    assert validation.verdict in {"stable", "partly stable", "tentative", "unstable"}


def _validation(n_units: int, aris: list[float]):
    from analysis.methods.validation import ClusterValidation

    units = [f"u{i}" for i in range(n_units)]
    return ClusterValidation(
        k=2, metric="jaccard", method="average",
        silhouettes=pd.DataFrame({"k": [2], "silhouette": [0.6], "chosen": [True]}),
        bootstrap_ari=np.asarray(aris, dtype=float),
        unit_stability=pd.Series(1.0, index=units), linkage_agreement=pd.DataFrame({"linkage": ["average"], "ari": [1.0]}),
        n_boot=len(aris), random_state=0,
    )


def test_few_units_or_a_low_lower_bound_are_tentative_never_stable():
    assert _validation(8, [1.0] * 20).verdict == "stable"
    few = _validation(4, [1.0] * 20)  # a perfect bootstrap on 4 units is still only tentative
    assert few.verdict == "tentative" and not few.stable and "only 4 units" in few.message()
    wide = _validation(8, [1.0] * 18 + [-0.2, 0.1])  # mean 0.94, 90% interval from below 0.5
    assert wide.stability > 0.75 and wide.lower_bound < 0.5
    assert wide.verdict == "tentative" and "lower end of the interval" in wide.message()
    assert _validation(4, [0.1] * 20).verdict == "unstable"  # unstable stays unstable


def test_adjusted_rand_is_scikit_learns_score_to_the_bit():
    """The bootstrap's ARI is scikit-learn's formula without its argument checks: the same float
    on random labelings of every size, single clusters, all-singletons, strings and one unit."""
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(3)
    cases = [(rng.integers(0, k, n), rng.integers(0, j, n)) for n in (2, 5, 17, 60) for k in (1, 2, 4) for j in (1, 3, 6)]
    cases += [(np.arange(9), np.zeros(9, int)), (np.arange(9), np.arange(9)[::-1]), (np.array([0]), np.array([3])),
              (np.array(["a", "b", "b", "c"]), np.array([2, 0, 0, 1]))]
    for a, b in cases:
        assert adjusted_rand(a, b) == adjusted_rand_score(a, b), (a, b)
    assert adjusted_rand(np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0])) == 1.0
