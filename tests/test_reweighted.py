"""Precision and recall of a stratified coding sample, reweighted to the corpus: cases by hand."""

import numpy as np
import pandas as pd
import pytest

from analysis.methods.handcoding import reweighted_scores, score_coding
from analysis.measures.lexicon import Lexicon, Measure


def test_reweighting_by_hand():
    # Sample: 10 lexicon hits (8 right), 10 non-hits (2 the coder codes 1). Corpus: 100 hits, 900 non-hits.
    # Weighted: tp = 8·10 = 80, fp = 2·10 = 20, fn = 2·90 = 180 → precision 0.8, recall 80/260.
    truth = np.array([1] * 8 + [0] * 2 + [1] * 2 + [0] * 8)
    predicted = np.array([1] * 10 + [0] * 10)
    strata = np.array(["m|1"] * 10 + ["m|0"] * 10)
    scores = reweighted_scores(truth, predicted, strata, {"m|1": 100, "m|0": 900}, n_boot=400, random_state=3)
    assert scores["precision_corpus"] == pytest.approx(0.8)
    assert scores["recall_corpus"] == pytest.approx(80 / 260)
    # the sample's own recall is 8/10: the over-drawn hits flatter it
    assert scores["recall_corpus_low"] < 80 / 260 < scores["recall_corpus_high"]
    assert scores["precision_corpus_low"] < 0.8 < scores["precision_corpus_high"]
    assert scores == reweighted_scores(truth, predicted, strata, {"m|1": 100, "m|0": 900}, n_boot=400, random_state=3)


def test_score_coding_reports_corpus_figures_beside_the_sample():
    lexicon = Lexicon(name="t", measures=(Measure("防控", "control", ("防控",)),))
    corpus = pd.DataFrame({"unit_id": [f"u{i}" for i in range(40)], "防控": [1] * 4 + [0] * 36})
    sample = corpus.iloc[[0, 1, 2, 3, 4, 5, 6, 7]].reset_index(drop=True)  # all 4 hits, 4 of 36 non-hits
    coder = pd.DataFrame({"防控": [1, 1, 1, 0, 1, 0, 0, 0]}, index=pd.Index(sample["unit_id"], name="unit_id"), dtype=float)
    table = score_coding({"A": coder}, sample, lexicon, n_boot=200, corpus_units=corpus)
    row = table[(table["measure"] == "防控") & (table["comparison"] == "lexicon vs coder")].iloc[0]
    assert row["recall"] == pytest.approx(3 / 4)  # sample: tp 3, fn 1
    # corpus: tp 3·1, fp 1·1, fn 1·(36/4) = 9 → recall 3/12
    assert row["precision_corpus"] == pytest.approx(3 / 4)
    assert row["recall_corpus"] == pytest.approx(3 / 12)
