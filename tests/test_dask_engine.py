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


# --- Distributed reading: each worker reads its own partitions of the files ---------------------


def _paragraphs() -> list[str]:
    assert GOV_REPORTS.exists(), f"{GOV_REPORTS} is missing: this test needs ../shared/corpora/gov-work-reports"
    with GOV_REPORTS.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["content"] or "" for line in lines]
    return [p.strip() for t in texts[:6] for p in t.splitlines() if len(p.strip()) >= 30][:160]


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory):
    """A folder of real texts in every shape a partition must read alone: a JSON Lines file with
    a broken row, an implausible date, a row repeated two blocks later and one repeating a CSV
    row; a CSV file whose quoted texts hold line breaks (so rows run across the block size);
    a folder of bulletin pages, one page a copy of another."""
    from analysis.io.corpus import DEFAULT_CORPUS

    paragraphs = _paragraphs()
    folder = tmp_path_factory.mktemp("mixed")
    rows = []
    for i, text in enumerate(paragraphs[:80]):
        title = ["关于不聚集的通知", "专项检查安排", "个人防护提示"][i % 3]  # one unit each, rows in every block: coded once
        rows.append(json.dumps({"id": f"j{i}", "date": f"2021-{i % 12 + 1:02d}-{i % 27 + 1:02d}", "unit": ["东城", "西城", "南岗"][i % 3], "title": title, "text": text}, ensure_ascii=False))
    rows[7] = rows[7].replace('"date": "2021', '"date": "2921')  # a typo: blanked and noted
    rows.insert(20, '{"id": "broken", "text": "没有结束')  # not valid JSON: skipped with its line
    rows.insert(60, rows[3].replace('"j3"', '"j3-again"'))  # the same text blocks later: a duplicate
    rows.append(json.dumps({"id": "from-csv", "unit": "东城", "text": paragraphs[100]}, ensure_ascii=False))  # repeats a CSV row
    (folder / "a.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    import csv

    with (folder / "b.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "date", "unit", "text"])
        for i, text in enumerate(paragraphs[80:140]):
            broken = "\n".join(text[k : k + 40] for k in range(0, len(text), 40))  # quoted line breaks
            writer.writerow([f"c{i}", f"2022-{i % 12 + 1:02d}-01", ["西城", "南岗", "香坊"][i % 3], broken if i % 2 else text])
        writer.writerow(["c-bad", "2022-01-01", "东城"])  # a row with a field missing
        writer.writerow(["c-dup", "2022-02-01", "东城", paragraphs[81]])  # repeats row c1, apart from its line breaks
    pages = folder / "pages"
    pages.mkdir()
    page = DEFAULT_CORPUS.read_text(encoding="utf-8")
    (pages / "p1.txt").write_text(page, encoding="utf-8")
    (pages / "p2.txt").write_text(page, encoding="utf-8")  # the whole page again: its documents are duplicates
    (pages / "p3.txt").write_text(page.replace("4月", "5月"), encoding="utf-8")
    return folder


def test_partitions_read_alone_give_read_corpus_s_documents(mixed_corpus):
    """Without a cluster: the files cut into many small partitions, each read alone, joined and
    finished on their metadata, give read_corpus's documents, skipped items, sources and notes."""
    from dataclasses import replace as changed

    from analysis.io import partitions as parts
    from analysis.io.corpus import Reading, list_inputs, read_corpus
    from analysis.io.model import Columns, PageLayout

    whole = read_corpus(mixed_corpus)
    reading = Reading(PageLayout(), Columns(), "auto", "auto", "auto", None, None)
    files, skipped = list_inputs([mixed_corpus], "auto")
    scans = [parts.scan_table(f, reading, 2000) for f in files]
    assert [s is not None for s in scans] == [True, True, False, False, False]  # the two tables are cut, pages are read whole
    csv_scan = scans[1]
    assert len(scans[0].blocks) > 5 and len(csv_scan.blocks) > 5
    data = (mixed_corpus / "b.csv").read_bytes()
    # a cut at the first line break after the block size would fall inside a quoted text; blocks end where rows end
    naive = [data.index(b"\n", b.start + 2000) + 1 for b in csv_scan.blocks[:-1]]
    assert any(n not in {b.end for b in csv_scan.blocks} for n in naive)
    assert all(b.end == nxt.start for b, nxt in zip(csv_scan.blocks, csv_scan.blocks[1:])) and csv_scan.blocks[-1].end == len(data)
    partitions = parts.plan_partitions(files, scans, 2000)
    readings = [parts.read_partition(p, reading) for p in partitions]
    assert all(d.text == "" for got in readings for piece in got for d in piece.documents)  # no texts come back
    joined = parts.assemble([mixed_corpus], skipped, partitions, readings, reading)
    corpus = joined.corpus
    assert [changed(d, text="", normalized="") for d in whole.documents] == corpus.documents
    assert [len(d.text) for d in whole.documents] == joined.n_chars.tolist()
    again = [d for p in partitions for piece in parts.read_partition(p, reading, texts=True) for d in piece.documents]
    by_partition = [[d for piece in parts.read_partition(p, reading, texts=True) for d in piece.documents] for p in partitions]
    assert [by_partition[i][k].text for i, k in zip(joined.partition, joined.position)] == [d.text for d in whole.documents]
    assert len(again) > len(whole.documents)  # the duplicates are read, then left out by position
    assert corpus.skipped == whole.skipped and corpus.sources == whole.sources and corpus.notes == whole.notes
    reasons = " | ".join(f"{s.source.rsplit('/', 1)[-1]}:{s.line} {s.reason}" for s in whole.skipped)
    assert "a.jsonl:21 not valid JSON" in reasons and "a.jsonl:61 duplicate of j3" in reasons
    assert "b.csv:214 duplicate of c1" in reasons and "b.csv:68 duplicate of from-csv" in reasons
    assert "b.csv:213 malformed row" in reasons and "p2.txt:7 duplicate of p1-001" in reasons
    assert any("outside 1900–2100" in n for n in whole.notes)


@pytest.mark.slow
def test_dask_reads_its_own_partitions_and_every_table_is_the_local_one(scheduler, mixed_corpus, monkeypatch):
    import analysis
    from analysis.io import partitions

    local = analysis.analyse(mixed_corpus)
    monkeypatch.setattr(partitions, "BLOCK_BYTES", 2000)  # many partitions: blocks of both tables, pages three by three
    planned = []
    plan = partitions.plan_partitions
    monkeypatch.setattr(partitions, "plan_partitions", lambda *a: planned.append(plan(*a)) or planned[-1])
    remote = analysis.analyse(mixed_corpus, engine="dask", scheduler=scheduler)
    # The lexicon report's cuts of the variants were made on a worker: the client cuts nothing
    # (a process-based cluster's client never loads rjieba's dictionary, about 110 MB).
    monkeypatch.setattr(remote.segmenter, "_cut_function", lambda *a: pytest.fail(f"the client cut {a}"))
    assert len(planned[0]) > 12
    for name in ["documents", "terms", "terms_by_unit", "distinctive", "mentions", "measures", "presence", "by_period"]:
        assert getattr(remote, name).equals(getattr(local, name)), name
    assert remote.counts.vocabulary == local.counts.vocabulary and (remote.counts.matrix != local.counts.matrix).nnz == 0
    assert remote.corpus.documents == local.corpus.documents
    assert remote.corpus.skipped == local.corpus.skipped and remote.corpus.sources == local.corpus.sources
    assert remote.notes == local.notes
    titled = local.mentions[local.mentions["in_title"]]
    assert sorted(titled["doc_id"]) == ["j0", "j1", "j2"] and len(local.mentions) > 50  # each title once, in its first row
    assert remote.rule_effects is not None and remote.rule_effects.equals(local.rule_effects)  # summed over the partitions
    assert local.rule_effects["matches"].sum() > 0
    for name in ["kwic", "keyness", "collocations", "lexicon_report"]:
        assert getattr(remote.methods, name).equals(getattr(local.methods, name)), name
    assert (remote.methods.lexicon_report["status"] == "split by segmenter").any()


def test_a_file_a_worker_cannot_see_is_one_clear_error(tmp_path):
    """The workers read the corpus themselves: a file listed here but missing where a partition
    is read names the file and says the corpus must be in a folder every machine sees."""
    from analysis.errors import ConfigError
    from analysis.io.corpus import Reading
    from analysis.io.model import Columns, PageLayout
    from analysis.io.partitions import Piece, read_partition

    reading = Reading(PageLayout(), Columns(), "auto", "auto", "auto", None, None)
    with pytest.raises(ConfigError, match=r"gone\.jsonl: not found where a Dask worker reads it .*every machine sees"):
        read_partition([Piece(tmp_path / "gone.jsonl")], reading)


def test_an_input_error_crosses_from_a_worker_whole():
    """Dask pickles a worker's exception to raise it in the client: an InputError keeps its
    message, file, line and problem (it used to fail to unpickle, as a TypeError)."""
    import pickle

    from analysis.errors import InputError

    error = InputError("corpus/a.csv", "malformed row", line=7, hint="fix the quoting")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is InputError and str(again) == str(error) == "corpus/a.csv:7: malformed row (fix the quoting)"
    assert (again.path, again.line, again.problem) == (error.path, error.line, error.problem)
