"""The engines: in this process (default) and on a Dask cluster give the same tokens and tables."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.text.counts import TermCounts
from analysis.text.engine import cut_corpus, merge_token_ids
from analysis.text.tokens import make_segmenter, token_ids

from conftest import GOV_REPORTS


@pytest.fixture(scope="module")
def scheduler():
    from distributed import LocalCluster

    # Light on a shared 2-core machine: one in-process worker with two threads.
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_merging_chunks_numbers_tokens_as_one_pass_would():
    lists = [["外防输入", "消毒"], ["消毒", "三防"], [], ["三防", "不聚集", "外防输入"]]
    whole = token_ids(lists)
    merged = merge_token_ids([token_ids(lists[:2]), token_ids(lists[2:3]), token_ids(lists[3:])])
    assert merged.words == whole.words
    assert np.array_equal(merged.ids, whole.ids) and np.array_equal(merged.lengths, whole.lengths)
    assert merge_token_ids([]).words == []


def test_term_counts_from_token_ids_are_sorted_and_complete():
    counts = TermCounts.from_tokens([["消毒", "三防", "消毒"], [], ["三防"]])
    assert counts.vocabulary == sorted(counts.vocabulary) == ["三防", "消毒"]
    assert counts.matrix.toarray().tolist() == [[1, 2], [0, 0], [1, 0]]
    assert counts.totals().tolist() == [2, 2] and counts.document_counts().tolist() == [2, 1]


@pytest.mark.slow
def test_dask_tokens_equal_local_tokens_on_the_gov_reports(scheduler):
    assert GOV_REPORTS.exists(), f"{GOV_REPORTS} is missing: this test needs ../shared/corpora/gov-work-reports"
    with GOV_REPORTS.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["content"] or "" for line in lines]
    segmenter = make_segmenter()
    local = cut_corpus(texts, segmenter)
    remote = cut_corpus(texts, segmenter, engine="dask", scheduler=scheduler)
    assert len(texts) == 72 and len(local.ids) > 300_000
    assert remote.words == local.words
    assert np.array_equal(remote.ids, local.ids) and np.array_equal(remote.lengths, local.lengths)


@pytest.mark.slow
def test_dask_analysis_is_identical_to_local(scheduler, bulletin_analysis):
    import analysis

    remote = analysis.analyse(engine="dask", scheduler=scheduler)
    assert remote.settings.engine == "dask"
    for name in ["terms", "terms_by_unit", "distinctive", "mentions", "measures", "by_period"]:
        assert getattr(remote, name).equals(getattr(bulletin_analysis, name)), name
    assert remote.clustering.labels.equals(bulletin_analysis.clustering.labels)


def test_an_unknown_engine_is_a_config_error():
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown engine"):
        cut_corpus(["外防输入"], make_segmenter(), engine="spark")


def test_the_client_keeps_no_copy_of_the_chunks_it_sent(scheduler):
    # distributed logs each connection's last 1000 messages; a chunk is one message (under 1 MB),
    # so a client with that log held about 2 MB per chunk sent until the run ended (5 GB at 1 GB).
    from distributed import default_client

    from analysis.text.engine import cut_chunks

    texts = ["严格落实外防输入措施。"] * 50
    chunks = cut_chunks(texts, make_segmenter(), engine="dask", scheduler=scheduler)
    first = next(chunks)
    log = default_client().scheduler_comm.recent_message_log
    assert log.maxlen == 0 and not any(isinstance(m, list) for m in log)
    rest = list(chunks)
    assert sum(len(c.lengths) for c in [first, *rest]) == 50
