"""Dispersion (Juilland's D, Gries's DP) against values computed by hand."""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis.methods.dispersion import DISPERSION_COLUMNS, dispersion, dispersion_table
from analysis.text.counts import TermCounts

# Three documents of 2, 3 and 5 tokens (10 in all): shares s = 0.2, 0.3, 0.5.
TOKENS = [["甲", "乙"], ["甲", "丙", "丙"], ["乙", "乙", "乙", "丙", "丙"]]


def test_dp_and_juilland_d_by_hand():
    counts = TermCounts.from_tokens(TOKENS)  # vocabulary sorted: 丙, 乙, 甲
    assert counts.vocabulary == ["丙", "乙", "甲"]
    sizes = [2, 3, 5]
    d, dp, dp_norm = dispersion(counts.matrix, sizes)
    # 乙: f = (1, 0, 3), 4 in all; v = (.25, 0, .75); Σ|v − s| = .05 + .3 + .25 = .6 → DP = .3 (Gries 2008).
    assert dp[1] == pytest.approx(0.3)
    assert dp_norm[1] == pytest.approx(0.3 / (1 - 0.2))  # Lijffijt & Gries 2012: DP / (1 − min s)
    # Juilland's D: rates r = (1/2, 0, 3/5); mean .36667; population sd .26247; V = .71582; D = 1 − V/√2 = .49384.
    r = np.array([0.5, 0.0, 0.6])
    expected = 1 - (r.std() / r.mean()) / math.sqrt(2)
    assert expected == pytest.approx(0.493839, abs=1e-6)
    assert d[1] == pytest.approx(expected)
    # 甲: f = (1, 1, 0): v = (.5, .5, 0); Σ|v − s| = .3 + .2 + .5 = 1.0 → DP = .5; r = (.5, 1/3, 0).
    assert dp[2] == pytest.approx(0.5)
    r = np.array([0.5, 1 / 3, 0.0])
    assert d[2] == pytest.approx(1 - (r.std() / r.mean()) / math.sqrt(2))
    # 丙: f = (0, 2, 2): v = (0, .5, .5); Σ|v − s| = .2 + .2 + 0 = .4 → DP = .2.
    assert dp[0] == pytest.approx(0.2)


def test_even_spread_and_one_document():
    # An item spread exactly as the text is: DP 0, D 1. An item in one document: DP = 1 − its share, D = 0.
    matrix = np.array([[1, 0], [2, 0], [3, 6]])
    d, dp, dp_norm = dispersion(matrix, [10, 20, 30])
    assert dp[0] == pytest.approx(0.0) and d[0] == pytest.approx(1.0)
    assert dp[1] == pytest.approx(1 - 30 / 60) and d[1] == pytest.approx(0.0)
    assert dp_norm[1] == pytest.approx(0.5 / (1 - 10 / 60))


def test_no_parts_and_empty_documents():
    d, dp, _ = dispersion(np.array([[3]]), [10])
    assert np.isnan(d[0]) and np.isnan(dp[0])  # one part: nothing to spread over
    # A document of size 0 is not a part: the same as leaving it out.
    with_empty = dispersion(np.array([[1, 0], [0, 0], [1, 2]]), [4, 0, 4])
    without = dispersion(np.array([[1, 0], [1, 2]]), [4, 4])
    for a, b in zip(with_empty, without):
        np.testing.assert_allclose(a, b)


def test_table_and_the_run(bulletin_analysis):
    table = dispersion_table("term", ["丙", "乙", "甲"], TermCounts.from_tokens(TOKENS).matrix, [2, 3, 5])
    assert list(table.columns) == DISPERSION_COLUMNS
    assert table["count"].tolist() == [4, 4, 2] and table["doc_count"].tolist() == [2, 2, 2]
    run = bulletin_analysis.methods.dispersion
    measures = run[run["kind"] == "measure"]
    assert measures["item"].tolist() == bulletin_analysis.lexicon.names
    counts = bulletin_analysis.mentions["measure"].value_counts()
    assert measures.set_index("item")["count"].to_dict() == {m: int(counts.get(m, 0)) for m in bulletin_analysis.lexicon.names}
    terms = run[run["kind"] == "term"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        terms[["item", "count", "doc_count"]].rename(columns={"item": "term"}), bulletin_analysis.terms.reset_index(drop=True)
    )
    assert terms["dp"].between(0, 1).all() and terms["juilland_d"].between(0, 1).all()


def test_dispersion_is_the_same_to_the_last_bit_however_the_documents_are_blocked(monkeypatch):
    import analysis.methods.dispersion as module
    import analysis.text.counts as counts_module

    rng = np.random.default_rng(7)
    matrix = sp.random(300, 40, density=0.2, format="csr", random_state=7, data_rvs=lambda n: rng.integers(1, 9, n)).astype(np.int32)
    sizes = np.asarray(matrix.sum(axis=1)).ravel() + rng.integers(0, 5, 300)
    whole = module.dispersion(matrix, sizes)
    monkeypatch.setattr(counts_module, "_BLOCK", 7)  # many blocks, split anywhere
    assert len(counts_module.row_blocks(matrix.indptr)) > 10
    blocked = module.dispersion(matrix, sizes)
    for a, b in zip(whole, blocked):
        assert np.array_equal(a, b, equal_nan=True)


def test_empty_documents_of_size_zero_are_not_parts_and_change_nothing():
    import analysis.methods.dispersion as module

    rng = np.random.default_rng(11)
    matrix = sp.random(60, 12, density=0.3, format="csr", random_state=11, data_rvs=lambda n: rng.integers(1, 9, n)).astype(np.int32)
    sizes = np.asarray(matrix.sum(axis=1)).ravel() + rng.integers(1, 5, 60)
    padded = sp.vstack([sp.csr_matrix((3, 12), dtype=np.int32), matrix[:30], sp.csr_matrix((2, 12), dtype=np.int32), matrix[30:]]).tocsr()
    padded_sizes = np.concatenate([[0, 0, 0], sizes[:30], [0, 0], sizes[30:]])
    for a, b in zip(module.dispersion(matrix, sizes), module.dispersion(padded, padded_sizes)):
        assert np.array_equal(a, b, equal_nan=True)  # to the last bit: same parts, same order of sums
    counted = padded.tolil()
    counted[0, 0] = 5  # counts in a document of size 0: that document is left out, as an empty one is
    for a, b in zip(module.dispersion(matrix, sizes), module.dispersion(counted.tocsr(), padded_sizes)):
        assert np.array_equal(a, b, equal_nan=True)
