"""The Dask engine: segmentation and counting on a cluster give what the local engine gives."""

from __future__ import annotations

import json

import pytest

from analysis.config import Settings
from analysis.text.engine import count_terms
from analysis.pipeline import analyse
from analysis.text.tokens import make_segmenter

from conftest import GOV_REPORTS

from distributed import LocalCluster


@pytest.fixture(scope="module")
def scheduler():
    # Light on a shared 2-core machine: one in-process worker with two threads.
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("engine", ["native", "rjieba"])
def test_dask_counts_equal_local_counts_on_the_gov_reports(scheduler, engine):
    assert GOV_REPORTS.exists(), f"{GOV_REPORTS} is missing"
    with GOV_REPORTS.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["content"] or "" for line in lines]
    segmenter = make_segmenter(engine)
    local, _ = count_terms(texts, segmenter, cache_dir=None)
    remote, report = count_terms(texts, segmenter, engine="dask", scheduler=scheduler, cache_dir=None, chunk_chars=100_000)
    assert report.engine == "dask" and report.cut == len(texts)
    a, b = local.select(lambda t: True), remote.select(lambda t: True)
    assert a.vocabulary == b.vocabulary
    assert (a.matrix != b.matrix).nnz == 0 and a.matrix.shape == b.matrix.shape


def test_dask_analysis_is_identical_to_local(scheduler, bulletin_analysis):
    remote = analyse(Settings(engine="dask", scheduler=scheduler, cache=False))
    assert remote.report.engine == "dask"
    for name in ["terms", "terms_by_unit", "distinctive", "mentions", "measures", "by_period"]:
        assert getattr(remote, name).equals(getattr(bulletin_analysis, name)), name
    assert remote.clustering.labels.equals(bulletin_analysis.clustering.labels)
