"""Agreement statistics against published worked examples and cases computed by hand."""

import math

import numpy as np
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
