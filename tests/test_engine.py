"""The engine: streaming counts, parallel workers, the token cache, and the pipeline on top."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from analysis.outputs.cli import main
from analysis.config import Settings, load_settings
from analysis.io.corpus import read_corpus
from analysis.text.engine import TermCounts, TokenCache, count_terms
from analysis.errors import ConfigError
from analysis.pipeline import analyse
from analysis.text.tokens import make_segmenter

from conftest import GOV_REPORTS

TABLES = ["terms", "terms_by_unit", "distinctive", "mentions", "measures", "presence", "by_period"]


def as_counters(counts: TermCounts) -> list[Counter]:
    rows = []
    for i in range(counts.matrix.shape[0]):
        row = counts.matrix.getrow(i)
        rows.append(Counter({counts.vocabulary[j]: int(n) for j, n in zip(row.indices, row.data)}))
    return rows


@pytest.fixture(scope="module")
def texts() -> list[str]:
    assert GOV_REPORTS.exists(), f"{GOV_REPORTS} is missing"
    with GOV_REPORTS.open(encoding="utf-8") as lines:
        reports = [json.loads(line)["content"] or "" for line in lines]
    # Paragraphs of a few reports, with a duplicate and an empty text: real, varied, quick.
    paragraphs = [p for text in reports[:6] for p in text.splitlines() if p.strip()]
    return paragraphs + [paragraphs[0], ""]


@pytest.fixture(scope="module", params=["native", "rjieba"])
def segmenter(request):
    """Both fast engines: every route must count alike whichever cuts."""
    return make_segmenter(request.param)


def test_counts_equal_counting_every_token_list(texts, segmenter):
    counts, report = count_terms(texts, segmenter, workers=2, cache_dir=None, chunk_chars=5_000)
    expected = [Counter(segmenter.cut(text)) for text in texts]
    assert as_counters(counts) == expected
    assert report.cut == len(texts) and report.cached == 0
    assert counts.matrix.shape[0] == len(texts) and counts.matrix[len(texts) - 1].nnz == 0


def test_workers_and_chunks_do_not_change_the_counts(texts, segmenter):
    one, _ = count_terms(texts, segmenter, workers=1, cache_dir=None)
    many, _ = count_terms(texts, segmenter, workers=2, cache_dir=None, chunk_chars=2_000)
    a, b = one.select(lambda t: True), many.select(lambda t: True)
    assert a.vocabulary == b.vocabulary
    assert (a.matrix != b.matrix).nnz == 0


def test_the_jieba_engine_runs_in_processes_with_the_same_counts(texts, segmenter):
    reference = make_segmenter("jieba")
    sample = texts[:40]
    slow, _ = count_terms(sample, reference, workers=2, cache_dir=None, chunk_chars=2_000)
    fast, _ = count_terms(sample, segmenter, workers=2, cache_dir=None)
    chinese = lambda t: any("\u4e00" <= ch <= "\u9fff" for ch in t)  # noqa: E731
    a, b = slow.select(chinese), fast.select(chinese)
    assert a.vocabulary == b.vocabulary and (a.matrix != b.matrix).nnz == 0


def test_the_cache_is_reused_and_keyed_by_the_dictionary(tmp_path, texts, segmenter):
    first, report = count_terms(texts, segmenter, cache_dir=tmp_path)
    assert report.cached == 0
    again, report = count_terms(texts, segmenter, cache_dir=tmp_path)
    assert report.cut == 0 and report.cached == len(texts)
    assert as_counters(again) == as_counters(first)
    # A new document is the only one cut; the others come from the cache.
    _, report = count_terms([*texts, "新增一段关于疫情防控的文字。"], segmenter, cache_dir=tmp_path)
    assert (report.cut, report.cached) == (1, len(texts))
    # Another dictionary is another cache: nothing reused, and the word now counts whole.
    other = make_segmenter(segmenter.engine, words=["新质生产力"])
    assert other.fingerprint != segmenter.fingerprint
    counts, report = count_terms(texts, other, cache_dir=tmp_path)
    assert report.cached == 0
    assert "新质生产力" in counts.vocabulary


def test_texts_whose_hash_ends_in_zero_bytes_are_found_again(tmp_path, segmenter):
    from analysis.text.engine import _digest

    texts = [f"第{i}次会议强调疫情防控。" for i in range(3000)]
    zero_ended = [t for t in texts if _digest(t).endswith(b"\0")]
    assert zero_ended, "no text with such a hash in the sample"
    count_terms(texts, segmenter, cache_dir=tmp_path)
    _, report = count_terms(texts, segmenter, cache_dir=tmp_path)
    assert (report.cut, report.cached) == (0, len(texts))


def test_a_damaged_cache_file_is_only_a_miss(tmp_path, texts, segmenter):
    count_terms(texts[:20], segmenter, cache_dir=tmp_path)
    shards = list(TokenCache(tmp_path, segmenter.fingerprint).folder.glob("*.npz"))
    assert len(shards) == 1
    shards[0].write_bytes(b"not a zip file")
    counts, report = count_terms(texts[:20], segmenter, cache_dir=tmp_path)
    assert report.cut == 20
    assert as_counters(counts) == [Counter(segmenter.cut(t)) for t in texts[:20]]


def test_term_counts_from_tokens_are_sorted_and_complete():
    counts = TermCounts.from_tokens([["乙", "甲", "乙"], [], ["丙"]])
    assert counts.vocabulary == sorted(["乙", "甲", "丙"])
    assert counts.totals().tolist() == [1, 2, 1]  # 丙 乙 甲
    assert counts.document_counts().tolist() == [1, 1, 1]
    names, pooled = counts.pooled(["b", "", "a"])
    assert names == ["b", "a"] and pooled.toarray().tolist() == [[0, 2, 1], [1, 0, 0]]


def test_both_segmenters_and_the_cache_give_the_same_analysis(tmp_path, bulletin_analysis):
    reference = analyse(Settings(segmenter="jieba", cache=False))
    cached = analyse(Settings(cache_dir=tmp_path))
    rerun = analyse(Settings(cache_dir=tmp_path))
    assert rerun.report.cached == len(rerun.documents) and cached.report.cut == len(cached.documents)
    for other in (reference, cached, rerun):
        for name in TABLES:
            left, right = getattr(bulletin_analysis, name), getattr(other, name)
            if name == "distinctive":  # floats summed in another order may differ in the last bit
                assert left.drop(columns="tfidf").equals(right.drop(columns="tfidf"))
                assert np.allclose(left["tfidf"], right["tfidf"], rtol=1e-12, atol=0)
            else:
                assert left.equals(right), name


def test_tokens_are_still_available_in_text_order(bulletin_analysis):
    tokens = bulletin_analysis.tokens
    assert len(tokens) == len(bulletin_analysis.documents)
    assert "外防输入" in tokens[5]
    assert sum(map(len, tokens)) == bulletin_analysis.counts.n_tokens


def test_config_and_cli_options(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text('[tokens]\nsegmenter = "jieba"\ncache = false\n[engine]\nname = "dask"\nworkers = 1\n', encoding="utf-8")
    settings = load_settings(config)
    assert (settings.segmenter, settings.cache, settings.engine, settings.workers) == ("jieba", False, "dask", 1)
    config.write_text('[tokens]\nsegmenter = "thulac"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="'tokens.segmenter' must be 'native', 'rjieba' or 'jieba'"):
        load_settings(config)
    assert main(["run", "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:1"]) == 2


def test_reruns_reuse_results_then_tokens(tmp_path, capsys):
    out = tmp_path / "o"
    args = ["run", "--out", str(out), "--no-figures", "--cache-dir", str(tmp_path / "cache")]
    assert main(args) == 0
    assert "segmented 10 of 10 documents" in capsys.readouterr().out
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    # Unchanged inputs, settings and code: the whole analysis comes from the results cache.
    assert main(args) == 0
    assert "results for all 10 documents reused from the cache" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    # Another setting: the analysis runs again, but no document is segmented again.
    assert main([*args, "--k", "3"]) == 0
    printed = capsys.readouterr().out
    assert "segmented 0 of 10 documents (local engine" in printed and "10 reused from the token cache" in printed
    # --no-cache: everything again, nothing read from the cache.
    assert main([*args, "--no-cache"]) == 0
    assert "segmented 10 of 10 documents" in capsys.readouterr().out
    tables = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix == ".csv"}
    assert tables == {name: data for name, data in first.items() if name.endswith(".csv")}


def test_a_text_holding_the_separator_is_still_counted_alone(segmenter):
    """Texts are cut joined by NUL; one that contains NUL itself must not shift the rows."""
    texts = ["疫情防控工作\x00外防输入", "严格落实三防措施", "外防输入内防反弹"]
    counts, _ = count_terms(texts, segmenter, workers=1, cache_dir=None)
    assert as_counters(counts) == [Counter(segmenter.cut(text)) for text in texts]


def test_workers_started_early_give_the_same_counts_and_stop_when_unused(texts, segmenter):
    from analysis.text.engine import Workers

    alone, _ = count_terms(texts, segmenter, workers=1, cache_dir=None)
    with Workers(segmenter.engine, 2) as workers:
        pooled, report = count_terms(texts, segmenter, cache_dir=None, chunk_chars=3_000, pool=workers)
    assert report.workers == 2
    a, b = alone.select(lambda t: True), pooled.select(lambda t: True)
    assert a.vocabulary == b.vocabulary and (a.matrix != b.matrix).nnz == 0
    unused = Workers(segmenter.engine, 2)
    processes = list(unused._pool._processes.values())
    assert len(processes) == 2  # started before any work was given
    with unused:
        pass
    assert all(_process_ends(process.pid) for process in processes)


def _process_ends(pid: int, seconds: float = 30) -> bool:
    """True once no process has this id (the pool reaps its workers itself, so Process.join
    here would race with it)."""
    import os
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_select_keeps_sorted_terms_and_their_counts():
    import scipy.sparse as sp

    counts = TermCounts(["消毒", "口罩", "的", "边境"], sp.csr_matrix(np.array([[1, 2, 5, 0], [0, 0, 1, 3]])))
    chosen = counts.select(lambda term: len(term) > 1)
    assert chosen.vocabulary == ["口罩", "消毒", "边境"]
    assert chosen.matrix.toarray().tolist() == [[2, 1, 0], [0, 0, 3]]
    assert chosen.matrix.has_sorted_indices


class _DyingSegmenter:
    """Stands in for a segmenter whose worker process is killed (e.g. out of memory)."""

    engine = "rjieba"
    counts_natively = False

    def cut(self, text: str) -> list[str]:
        import os

        os._exit(1)


def test_a_worker_that_dies_gives_a_clear_error_not_a_hang():
    from analysis.text.engine import Workers
    from analysis.errors import AnalysisError

    with Workers("rjieba", 2) as workers:
        with pytest.raises(AnalysisError, match="worker process stopped unexpectedly.*--workers 1"):
            workers.count(_DyingSegmenter(), [["疫情防控"], ["外防输入"]])


def test_old_token_folders_are_pruned_but_used_ones_kept(tmp_path, segmenter):
    import os

    texts = ["疫情防控工作", "外防输入内防反弹"]
    folders = []
    for n in range(4):  # four segmenter setups (as four corpora with their own unit names would give)
        other = make_segmenter("rjieba", words=[f"单位{'甲乙丙丁'[n]}"])
        count_terms(texts, other, cache_dir=tmp_path)
        folder = TokenCache(tmp_path, other.fingerprint).folder
        os.utime(folder, ns=(n * 10**9, n * 10**9))  # oldest first
        folders.append((other, folder))
    first, first_folder = folders[0]
    count_terms(texts, first, cache_dir=tmp_path)  # reusing the oldest marks it as used
    deleted = TokenCache(tmp_path, first.fingerprint).prune(keep=2)
    assert sorted(deleted) == sorted([folders[1][1], folders[2][1]])
    assert first_folder.is_dir() and folders[3][1].is_dir()
    _, report = count_terms(texts, first, cache_dir=tmp_path)
    assert report.cached == 2


def test_the_report_says_a_single_chunk_was_cut_here(segmenter):
    _, report = count_terms(["疫情防控工作", "外防输入"], segmenter, workers=2, cache_dir=None)
    assert report.workers == 1 and "(local engine, 1 worker);" in str(report)


def _really_ascending(matrix) -> bool:
    """Each row's columns strictly increasing, checked on the arrays (not scipy's flag)."""
    return all(np.all(np.diff(matrix.indices[a:b]) > 0) for a, b in zip(matrix.indptr[:-1], matrix.indptr[1:]))


def test_every_route_gives_sorted_terms_and_ascending_columns(tmp_path, texts, segmenter):
    """Chunks come back with sorted terms; merging renumbers them without re-sorting, so the
    flag scipy trusts (has_sorted_indices) must be true of the arrays themselves."""
    half = len(texts) // 2
    count_terms(texts[:half], segmenter, workers=1, cache_dir=tmp_path, chunk_chars=3_000)  # half cached
    routes = [
        count_terms(texts, segmenter, workers=1, cache_dir=None, chunk_chars=3_000)[0],
        count_terms(texts, segmenter, workers=2, cache_dir=None, chunk_chars=3_000)[0],
        count_terms(texts, segmenter, workers=2, cache_dir=tmp_path, chunk_chars=3_000)[0],  # cached + new rows
    ]
    for counts in routes:
        assert counts.vocabulary == sorted(set(counts.vocabulary))
        assert counts.matrix.has_sorted_indices and _really_ascending(counts.matrix)
        chosen = counts.select(lambda term: len(term) > 1)
        assert chosen.matrix.has_sorted_indices and _really_ascending(chosen.matrix)
    assert all(as_counters(r) == as_counters(routes[0]) for r in routes[1:])


def test_select_sorts_terms_given_in_any_order():
    import scipy.sparse as sp

    unsorted = sp.csr_matrix(np.array([[1, 2, 5, 0], [0, 4, 1, 3]]))
    for words in (["消毒", "口罩", "疫情", "边境"], ["边境", "疫情", "消毒", "口罩"]):
        chosen = TermCounts(words, unsorted.copy()).select(lambda term: term != "疫情")
        assert chosen.vocabulary == sorted(w for w in words if w != "疫情")
        assert _really_ascending(chosen.matrix)
        expected = [{w: int(n) for w, n in zip(words, row) if n and w != "疫情"} for row in unsorted.toarray()]
        assert [dict(c) for c in as_counters(chosen)] == expected


def test_pooled_counts_are_kept_for_the_same_groups_only():
    counts = TermCounts.from_tokens([["乙", "甲"], ["丙"], ["甲"]])
    first = counts.pooled(["a", "b", "a"])
    assert counts.pooled(["a", "b", "a"]) is first
    names, pooled = counts.pooled(["a", "a", "b"])
    assert names == ["a", "b"] and pooled.toarray().tolist() == [[1, 1, 1], [0, 0, 1]]
    import pickle

    assert "_last_pooled" not in pickle.loads(pickle.dumps(counts)).__dict__


def test_results_from_the_cache_have_the_same_documents_table(tmp_path):
    first = analyse(Settings(cache_dir=tmp_path))
    again = analyse(Settings(cache_dir=tmp_path))
    assert again.report.results_reused
    assert again.documents.equals(first.documents) and list(again.documents.columns) == list(first.documents.columns)


def test_merging_parts_with_unsorted_terms_still_gives_ascending_columns():
    """Shards written before chunks came back sorted (same cache folder) must still merge right."""
    import scipy.sparse as sp

    from analysis.text.engine import _merge

    old = sp.csr_matrix(np.array([[1, 2, 0], [0, 3, 4]]))  # terms 乙 甲 丙: not sorted
    new = sp.csr_matrix(np.array([[5, 0], [0, 6]]))
    new.has_sorted_indices = True
    merged = _merge([(["乙", "甲", "丙"], old), (["丁", "甲"], new)])
    assert merged.vocabulary == ["丁", "丙", "乙", "甲"]
    assert merged.matrix.toarray().tolist() == [[0, 0, 1, 2], [0, 4, 0, 3], [5, 0, 0, 0], [0, 0, 0, 6]]
    assert merged.matrix.has_sorted_indices and _really_ascending(merged.matrix)


_BACKGROUND_STORE = """
import sys, threading, time
from pathlib import Path
from analysis import pipeline
from analysis.config import Settings
pipeline.BACKGROUND_STORE_CHARS = 0  # the bulletin counts as large
if sys.argv[2] == "thread":  # another thread running: the results must be stored here
    threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
settings = Settings(cache_dir=Path(sys.argv[1]), figures=False)
first = pipeline.analyse(settings)
print(sorted(k for k in first.timings if k.startswith("store")))
results = Path(sys.argv[1]) / "results"
for _ in range(200):  # the background process writes within a moment
    if list(results.glob("*.pickle")):
        break
    time.sleep(0.05)
again = pipeline.analyse(settings)
print(again.report.results_reused, all(getattr(first, t).equals(getattr(again, t)) for t in ("documents", "terms", "measures")))
"""


@pytest.mark.parametrize("threads, where", [("none", "store results (background process)"), ("thread", "store results")])
def test_results_are_stored_by_a_background_process_only_when_it_is_safe(tmp_path, threads, where):
    """A fresh single-threaded interpreter forks a child to write the results cache; with
    another thread running, the results are written in the process itself. Either way the
    rerun finds them and gives the same tables."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", _BACKGROUND_STORE, str(tmp_path), threads], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [str([where]), "True True"]


def _dictionary_loaded_here() -> tuple[int, bool]:
    import os
    import time

    from analysis.text.tokens import _jieba_dictionary

    time.sleep(0.2)  # long enough for every worker to take some of these
    return os.getpid(), _jieba_dictionary.cache_info().currsize > 0


def test_one_worker_reads_jiebas_dictionary_and_resolves_for_all(texts):
    from analysis.text.engine import Workers
    from analysis.text.tokens import resolved_calls

    from analysis.text.tokens import _jieba_dictionary

    words = ["疫情防控", "外防输入", "鹤北", "三防"]
    _jieba_dictionary.cache_clear()  # forked workers would inherit it from earlier tests
    with Workers("rjieba", 2) as pool:
        segmenter = pool.resolve(make_segmenter("rjieba", words=words))()
        loaded = dict(pool.result(f) for f in [pool.submit(_dictionary_loaded_here) for _ in range(6)])
        counts, _ = count_terms(texts, segmenter, pool=pool, cache_dir=None, chunk_chars=20_000)
    here = make_segmenter("rjieba", words=words)
    assert segmenter.calls == resolved_calls("rjieba", here.entries, here.words, here.hmm, only_if_loaded=False)
    assert sum(loaded.values()) == 1  # exactly one worker process read the dictionary
    alone, _ = count_terms(texts, here, workers=1, cache_dir=None)
    assert counts.vocabulary == alone.vocabulary and (counts.matrix != alone.matrix).nnz == 0


def test_selecting_while_merging_equals_selecting_after(tmp_path, texts, segmenter):
    """count_terms(keep=...) on every route (all new and unique: selected while merging; with
    repeated texts or part cached: selected after) gives exactly count_terms(...).select(keep);
    the token cache keeps the raw counts, a shard per chunk."""
    keep = lambda term: len(term) > 1 and term != "发展"  # noqa: E731
    unique = list(dict.fromkeys(texts))  # each text once
    assert len(unique) < len(texts)
    cache = tmp_path / "cache"
    for corpus, options in [
        (unique, dict(workers=2, cache_dir=None)),  # merged and selected in one pass
        (unique, dict(workers=2, cache_dir=cache)),  # the same, and cached chunk by chunk
        (texts, dict(workers=2, cache_dir=cache)),  # two new texts, one repeated
        (texts, dict(workers=1, cache_dir=cache)),  # all from the cache
    ]:
        chosen, report = count_terms(corpus, segmenter, chunk_chars=4_000, keep=keep, **options)
        expected = count_terms(corpus, segmenter, chunk_chars=4_000, workers=1, cache_dir=None)[0].select(keep)
        assert chosen.vocabulary == expected.vocabulary and "发展" not in chosen.vocabulary
        assert (chosen.matrix != expected.matrix).nnz == 0 and _really_ascending(chosen.matrix)
    assert report.cached == len(texts) and report.cut == 0
    assert len(list((cache / "tokens").glob("*/*.npz"))) > 2  # one per chunk cut


def test_no_texts_give_empty_counts_on_every_route(tmp_path, segmenter):
    for cache_dir in (None, tmp_path):
        for keep in (None, lambda term: True):
            counts, report = count_terms([], segmenter, cache_dir=cache_dir, keep=keep)
            assert counts.vocabulary == [] and counts.matrix.shape[0] == 0 and report.cut == 0
