"""Agreement statistics against published worked examples and cases computed by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.methods.agreement import alpha_interval, cohen_kappa, krippendorff_alpha, lexicon_scores

_ = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: nominal data,
# 4 observers (rows) × 12 units (columns), missing values; the paper computes α = 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]


def test_alpha_reproduces_krippendorff_2011_nominal_example():
    units_by_coders = list(zip(*KRIPPENDORFF_2011))
    # Unit 12 has one value only and drops out. The paper's coincidence matrix has value totals
    # n_c = 9, 13, 10, 5, 3 (n = 40) and diagonal 7, 10, 8, 4, 3 (sum 32), so
    # α = 1 − (n − 1)·(n − Σ o_cc) / (n² − Σ n_c²) = 1 − 39·8 / (1600 − 384) = 0.743
    assert krippendorff_alpha(units_by_coders) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(units_by_coders) == pytest.approx(1 - 39 * 8 / 1216, abs=1e-12)


def test_alpha_for_two_coders_by_hand():
    # pairs (1,1) (1,0) (0,0) (0,0) (1,1): o_11 = 4, o_00 = 4, o_10 = o_01 = 1; n_1 = n_0 = 5, n = 10
    # α = 1 − (n − 1)·(o_10 + o_01) / (n² − n_1² − n_0²) = 1 − 9·2/50 = 0.64
    assert krippendorff_alpha([[1, 1], [1, 0], [0, 0], [0, 0], [1, 1]]) == pytest.approx(0.64)
    # the same with a unit only one coder coded (left out) and NaN as missing
    assert krippendorff_alpha([[1, 1], [1, 0], [0, 0], [0, 0], [1, 1], [1, np.nan]]) == pytest.approx(0.64)


def test_alpha_is_undefined_without_variation_and_one_with_perfect_agreement():
    assert math.isnan(krippendorff_alpha([[1, 1], [1, 1]]))
    assert math.isnan(krippendorff_alpha([[1, None], [0, None]]))
    assert krippendorff_alpha([[1, 1], [0, 0], [1, 1]]) == 1.0


def test_alpha_interval_is_reproducible_and_holds_alpha():
    data = list(zip(*KRIPPENDORFF_2011))
    low, high = alpha_interval(data, n_boot=500, random_state=1)
    assert (low, high) == alpha_interval(data, n_boot=500, random_state=1)
    assert low < 0.743 < high <= 1.0
    assert alpha_interval([[1, 1], [0, 0]], n_boot=50)[1] == 1.0
    assert all(math.isnan(v) for v in alpha_interval([[1, None]], n_boot=10))


def test_cohen_kappa_by_hand():
    # agreement 4/5; chance: A says 1 in 3/5, B in 2/5 → 0.6·0.4 + 0.4·0.6 = 0.48; κ = 0.32/0.52 = 8/13
    assert cohen_kappa([1, 1, 0, 0, 1], [1, 0, 0, 0, 1]) == pytest.approx(8 / 13)
    assert math.isnan(cohen_kappa([1, 1], [1, 1]))


def test_lexicon_scores_by_hand():
    # coder (truth) 1 1 0 0 1 0; lexicon 1 0 1 0 1 0: tp 2, fp 1, fn 1, tn 2
    scores = lexicon_scores([1, 1, 0, 0, 1, 0], [1, 0, 1, 0, 1, 0])
    assert (scores["tp"], scores["fp"], scores["fn"], scores["tn"]) == (2, 1, 1, 2)
    assert scores["precision"] == pytest.approx(2 / 3) and scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 / 3)
    assert scores["kappa"] == pytest.approx(1 / 3)  # agreement 4/6, chance 1/2


def test_lexicon_scores_say_nan_not_zero_when_there_is_nothing_to_divide():
    scores = lexicon_scores([0, 0, 0], [0, 0, 0])
    assert all(math.isnan(scores[k]) for k in ("precision", "recall", "f1", "kappa"))
    scores = lexicon_scores([1, 0], [0, 0])
    assert math.isnan(scores["precision"]) and scores["recall"] == 0.0


# Krippendorff (2011) computes every level on the same data (sections D–F): the values below
# are the paper's and match the independent `krippendorff` package (0.7434, 0.8154, 0.8491, 0.7974).
@pytest.mark.parametrize("level, expected", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_alpha_reproduces_krippendorff_2011_for_every_level(level, expected):
    units_by_coders = list(zip(*KRIPPENDORFF_2011))
    assert krippendorff_alpha(units_by_coders, level) == pytest.approx(expected, abs=5e-4)
    low, high = alpha_interval(units_by_coders, level, n_boot=300, random_state=2)
    assert low < expected < high


def test_interval_alpha_by_hand():
    # two coders, units (1,2) (3,3): pairable values 1,2,3,3 (n = 4); o_12 = o_21 = 1, o_33 = 2.
    # D_o ∝ (n − 1)·Σ o δ² = 3·2·1 = 6; Σ n_c n_k δ² = 2·(1·1·1 + 1·2·4 + 1·2·1) = 22 → α = 1 − 6/22
    assert krippendorff_alpha([[1, 2], [3, 3]], "interval") == pytest.approx(1 - 6 / 22)
    # ordinal on the same data: values in rank order 1 < 2 < 3 with n = 1, 1, 2;
    # δ²(1,2) = (1 + 1 − 1)² = 1, δ²(1,3) = (4 − 1.5)² = 6.25, δ²(2,3) = (3 − 1.5)² = 2.25
    assert krippendorff_alpha([[1, 2], [3, 3]], "ordinal") == pytest.approx(1 - 3 * 2 / (2 * (1 + 2 * 6.25 + 2 * 2.25)))


def test_alpha_matches_rows_by_position_not_by_index_label():
    units_by_coders = list(zip(*KRIPPENDORFF_2011))
    labelled = pd.DataFrame(units_by_coders, index=[f"doc{i}" for i in range(12)], columns=list("ABCD"))
    assert krippendorff_alpha(labelled) == pytest.approx(0.743, abs=5e-4)  # was NaN when aligned by label
    subset = labelled.iloc[2:]  # index 2..11: was 0.753, aligned by label against 0..9
    assert krippendorff_alpha(subset) == pytest.approx(krippendorff_alpha(units_by_coders[2:]))
    assert krippendorff_alpha(subset) == pytest.approx(0.771, abs=5e-4)
    low, high = alpha_interval(labelled, n_boot=100)
    assert low < 0.743 < high


def test_alpha_by_an_explicit_unit_key():
    # two coders' sheets stacked: each row holds one coder's value; the unit column joins them
    long = pd.DataFrame(
        {"unit": ["a", "b", "c", "d", "a", "b", "c", "d"], "x": [1, 1, 0, 0, None, None, None, None], "y": [None] * 4 + [1, 0, 0, 0]}
    )
    # pairs (1,1) (1,0) (0,0) (0,0): α = 1 − 7·2/(64 − 9 − 25) = 1 − 14/30
    assert krippendorff_alpha(long, unit="unit") == pytest.approx(1 - 14 / 30)
    clash = pd.DataFrame({"unit": ["a", "a", "b"], "x": [1, 0, 1], "y": [1, 1, 0]})
    with pytest.raises(ValueError, match="two different values"):
        krippendorff_alpha(clash, unit="unit")
    with pytest.raises(ValueError, match="level must be one of"):
        krippendorff_alpha([[1, 1]], "cardinal")
