"""The document-level rank test (``significance.rank_sum_p``) ranks only the non-zero rates;
its p-values and directions must be SciPy's dense ``mannwhitneyu`` to the bit, on real text."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import comb
from scipy.stats import mannwhitneyu

from analysis.methods.significance import _rates, rank_sum_p

from conftest import GOV_REPORTS


def _scipy_rank_sum_p(matrix_a, sizes_a, matrix_b, sizes_b):
    """The former implementation: SciPy's test on the densified rates, NaN read as 1, floored."""
    rates_a = _rates(matrix_a, sizes_a).toarray()
    rates_b = _rates(matrix_b, sizes_b).toarray()
    with np.errstate(divide="ignore", invalid="ignore"):
        result = mannwhitneyu(rates_a, rates_b, alternative="two-sided", method="asymptotic", axis=0)
    n_a, n = len(rates_a), len(rates_a) + len(rates_b)
    p = np.clip(np.where(np.isnan(result.pvalue), 1.0, result.pvalue), min(1.0, 2.0 / float(comb(n, n_a, exact=False))), 1.0)
    return p, result.statistic > n_a * len(rates_b) / 2


@pytest.mark.skipif(not GOV_REPORTS.is_file(), reason="the government work reports (../shared) are not beside this clone")
def test_the_sparse_rank_test_is_scipys_on_the_work_reports_paragraphs():
    with GOV_REPORTS.open(encoding="utf-8") as lines:
        reports = [json.loads(line)["content"] or "" for line in lines][:8]
    paragraphs = [[p for p in report.splitlines() if len(p.strip()) >= 20] for report in reports]
    texts = [p for report in paragraphs for p in report]
    side = np.concatenate([np.full(len(report), i < 3) for i, report in enumerate(paragraphs)])
    # Each paragraph's character pairs as its terms (no segmenter to build: the test stays fast).
    vocabulary: dict[str, int] = {}
    pairs = [[vocabulary.setdefault(text[i : i + 2], len(vocabulary)) for i in range(len(text) - 1)] for text in texts]
    rows = np.repeat(np.arange(len(texts)), [len(p) for p in pairs])
    columns = np.fromiter((j for p in pairs for j in p), dtype=np.int64, count=len(rows))
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(texts), len(vocabulary)))
    # the first 1,500 terms in 2 documents or more (SciPy's dense test, the reference, is the slow part)
    matrix = matrix[:, np.flatnonzero(np.asarray((matrix > 0).sum(axis=0)).ravel() >= 2)[:1500]]
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    sizes[0] = 0  # a document of size 0 is left out on both ways
    a, b = np.flatnonzero(side), np.flatnonzero(~side)
    assert len(a) > 50 and len(b) > 100 and matrix.shape[1] > 1000
    p, higher = rank_sum_p(matrix[a], sizes[a], matrix[b], sizes[b], with_direction=True)
    keep_a, keep_b = a[sizes[a] > 0], b[sizes[b] > 0]
    expected_p, expected_higher = _scipy_rank_sum_p(matrix[keep_a], sizes[keep_a], matrix[keep_b], sizes[keep_b])
    assert np.array_equal(p, expected_p)  # bit for bit
    assert np.array_equal(higher, expected_higher)
    assert (p < 0.01).sum() > 10 and (p == 1.0).sum() < len(p)  # something differs, something does not


def test_the_sparse_rank_test_is_scipys_with_ties_among_non_zero_rates():
    rng = np.random.default_rng(7)
    for trial in range(20):
        n_a, n_b, n_items = rng.integers(1, 40), rng.integers(1, 120), rng.integers(1, 30)
        a = sp.random(n_a, n_items, density=rng.uniform(0.05, 0.95), random_state=trial, data_rvs=lambda k: rng.integers(1, 4, k))
        b = sp.random(n_b, n_items, density=rng.uniform(0.05, 0.95), random_state=99 + trial, data_rvs=lambda k: rng.integers(1, 4, k))
        sizes_a, sizes_b = rng.choice([5, 10, 20], n_a), rng.choice([5, 10, 20], n_b)  # equal sizes: tied non-zero rates
        p, higher = rank_sum_p(a, sizes_a, b, sizes_b, with_direction=True)
        expected_p, expected_higher = _scipy_rank_sum_p(sp.csr_matrix(a), sizes_a, sp.csr_matrix(b), sizes_b)
        assert np.array_equal(p, expected_p) and np.array_equal(higher, expected_higher)
    assert np.isnan(rank_sum_p(a, np.zeros(n_a), b, sizes_b)).all()  # a side with no document
