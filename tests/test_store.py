"""The text store (analysis/io/store.py): texts written to Parquet parts read back by row and chunk."""

from __future__ import annotations

import gc
import os
import pickle
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis.io import store as store_module
from analysis.io.formats import to_simplified
from analysis.io.store import TextStore


def test_round_trip_keeps_the_traditional_original_beside_the_simplified_text(tmp_path):
    originals = ["國務院關於進一步優化營商環境的意見", "加强生态环境保护", ""]
    texts = [to_simplified(t) for t in originals]
    assert texts[0] != originals[0] and texts[1] == originals[1]
    TextStore.write_part(tmp_path, 0, ["a", "b", "c"], texts, originals)
    store = TextStore.open(tmp_path)
    assert len(store) == 3
    assert store.text(0) == "国务院关于进一步优化营商环境的意见"
    assert store.text(0, original=True) == originals[0]
    assert store.text(1, original=True) == store.text(1) == "加强生态环境保护"
    assert store.text(2) == "" and store.text(2, original=True) == ""
    assert store.text(-3) == store.text(0)
    assert store.texts() == texts and store.texts(original=True) == originals
    assert store.lengths().tolist() == [len(t) for t in texts] and store.lengths(original=True).tolist() == [len(t) for t in originals]
    assert store.texts([2, 0]) == ["", texts[0]]
    assert store.doc_ids() == ["a", "b", "c"]
    import pyarrow.parquet as pq

    # the original is stored only where it differs
    assert pq.read_table(tmp_path / "part-00000.parquet").column("original").to_pylist() == [originals[0], None, None]
    with pytest.raises(IndexError):
        store.text(3)


def test_many_parts_read_in_part_order_and_rows_cross_parts(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "ROW_GROUP_ROWS", 3)  # several row groups per part
    texts = [f"第{i}号文件" * (i % 5) for i in range(100)]
    for part in reversed(range(12)):  # written out of order, as workers finish; part 5 is empty
        rows = [] if part == 5 else list(range(part * 10, min(part * 10 + 10, 100))) if part < 5 else list(range((part - 1) * 10, min(part * 10, 100)))
        TextStore.write_part(tmp_path, part, [str(i) for i in rows], [texts[i] for i in rows])
    store = TextStore.open(tmp_path)
    assert len(store) == 100
    assert store.texts() == texts
    assert [store.text(i) for i in (99, 0, 57, 58, 3)] == [texts[i] for i in (99, 0, 57, 58, 3)]
    assert store.texts([99, 1, 50, 1]) == [texts[99], texts[1], texts[50], texts[1]]
    assert store.doc_ids() == [str(i) for i in range(100)]
    chunks = list(store.chunks(max_chars=40))
    assert [t for chunk in chunks for t in chunk] == texts
    assert all(sum(map(len, c[:-1])) < 40 for c in chunks) and len(chunks) > 10  # a chunk ends with the text that reaches 40
    assert all(sum(map(len, c)) >= 40 for c in chunks[:-1])
    assert store.lengths().tolist() == [len(t) for t in texts]


def test_an_empty_store_and_a_store_of_empty_texts(tmp_path):
    TextStore.write_part(tmp_path / "none", 0, [], [])
    empty = TextStore.open(tmp_path / "none")
    assert len(empty) == 0 and empty.texts() == [] and list(empty.chunks()) == []
    with pytest.raises(IndexError):
        empty.text(0)
    blanks = TextStore.from_texts(["", "", ""], folder=tmp_path / "blank")
    assert blanks.texts() == ["", "", ""] and list(blanks.chunks()) == [["", "", ""]]


def test_a_chunk_ends_with_the_text_that_reaches_max_chars_as_segmentation_cuts(tmp_path):
    from analysis.text.engine import chunk_bounds

    texts = ["甲" * n for n in (3, 50, 120, 0, 7, 99, 1, 100, 2)]
    store = TextStore.from_texts(texts, folder=tmp_path / "s")
    assert [len(c) for c in store.chunks(max_chars=100)] == [b - a for a, b in chunk_bounds(texts, 100)]


def test_a_text_longer_than_a_chunk_ends_it(tmp_path):
    store = TextStore.from_texts(["短", "长" * 500, "短"], folder=tmp_path)
    assert list(store.chunks(max_chars=100)) == [["短", "长" * 500], ["短"]]
    assert list(store.chunks(max_chars=1)) == [["短"], ["长" * 500], ["短"]]


def test_reading_one_text_reads_one_bounded_row_group(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "ROW_GROUP_CHARS", 50)
    texts = ["字" * 20 for _ in range(30)]
    TextStore.write_part(tmp_path, 0, [str(i) for i in range(30)], texts)
    import pyarrow.parquet as pq

    metadata = pq.ParquetFile(tmp_path / "part-00000.parquet").metadata
    assert metadata.num_row_groups == 15  # two texts of 20 characters per group of at most 50
    store = TextStore.open(tmp_path)
    reads = []
    real = store._group
    monkeypatch.setattr(store, "_group", lambda g, original, cache=True: reads.append(g) or real(g, original, cache))
    assert store.text(7) == texts[7] and store.text(6) == texts[6]
    assert reads == [3, 3] and store._cache[0] == (3, "text")  # the same group, served from the cache


def test_a_temporary_store_is_removed_when_no_longer_used_and_a_pickled_copy_does_not_own_it():
    store = TextStore.from_texts(["一", "二"])
    folder = store.folder
    assert folder.is_dir()
    copy = pickle.loads(pickle.dumps(store))
    assert copy.texts() == ["一", "二"]
    del copy
    gc.collect()
    assert folder.is_dir()  # the copy owned nothing
    del store
    gc.collect()
    assert not folder.exists()


def test_the_writer_writes_a_part_every_max_chars_and_owns_its_temporary_folder():
    writer = TextStore.writer(max_chars=10)
    texts = [f"文本{i}" * 3 for i in range(10)]
    for i, text in enumerate(texts):
        assert writer.add(str(i), text) == i
    store = writer.finish()
    assert len(store._parts) == 5 and store.texts() == texts  # 9 characters each: a part every two texts
    folder = store.folder
    del writer, store
    gc.collect()
    assert not folder.exists()


def test_mismatched_columns_are_refused(tmp_path):
    with pytest.raises(ValueError, match="must match"):
        TextStore.write_part(tmp_path, 0, ["a"], ["一", "二"])
    with pytest.raises(FileNotFoundError, match="no text store"):
        TextStore.open(tmp_path / "missing")


def test_a_run_holds_no_text_column_and_reads_each_text_back_from_disk(tmp_path):
    import json

    from analysis import analyse

    records = [
        {"id": "a", "unit": "城关", "date": "2024-03-01", "text": "城关镇加強森林防火巡查，落實責任。"},  # traditional
        {"id": "b", "unit": "河口", "date": "2024-03-02", "text": "河口镇开展防汛演练，\n排查隐患。"},
        {"id": "c", "unit": "青石", "date": "2024-03-03", "text": "青石镇组织应急培训。"},
    ]
    path = tmp_path / "reports.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    result = analyse(path, progress=False)
    assert "text" not in result.documents.columns
    assert result.documents["doc_id"].tolist() == ["a", "b", "c"]
    assert [d.text for d in result.corpus.documents] == ["", "", ""]  # the reader kept no text
    # The corpus's documents are the rows of the documents table, made when asked: what they said before
    assert type(result.corpus.documents).__name__ == "DocumentRows" and len(result.corpus) == 3
    assert [(d.doc_id, d.unit, d.date_start, d.line) for d in result.corpus.documents] == [
        ("a", "城关", date(2024, 3, 1), 1), ("b", "河口", date(2024, 3, 2), 2), ("c", "青石", date(2024, 3, 3), 3)
    ]
    assert result.corpus.units == ["城关", "河口", "青石"] and result.corpus.n_read == 3
    from analysis.outputs.tables import manifest

    assert manifest(result, [])["counts"] | {"distinct_terms": 0} == {
        "documents_read": 3, "documents_analysed": 3, "documents_skipped": 0, "units": 3, "mentions": len(result.mentions), "distinct_terms": 0,
    }
    for i, record in enumerate(records):
        assert result.text(i, original=True) == record["text"]
        assert result.documents.loc[i, "n_chars"] == len(record["text"])
    assert result.text(0) == "城关镇加强森林防火巡查，落实责任。"  # analysed: simplified
    assert result.text(1) == "河口镇开展防汛演练，排查隐患。"  # analysed: the stray line break joined
    assert result.texts() == [result.text(i) for i in range(3)]
    assert result.texts([2, 0], original=True) == [records[2]["text"], records[0]["text"]]
    assert result.documents_with_text()["text"].tolist() == [r["text"] for r in records]
    assert result.store.folder.is_dir()
    folder = result.store.folder
    del result
    gc.collect()
    assert not folder.exists()  # the run's temporary store went with it


def test_reading_to_the_store_settles_duplicates_ids_and_dates_as_reading_in_memory(tmp_path):
    from analysis.io.corpus import read_corpus

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "id,unit,date,text\n1,城关,2024-01-01,城关镇开展巡查。\n1,河口,2920-01-02,河口镇组织演练。\n2,城关,2024-01-03,城关镇开展巡查。\n3,青石,,\n",
        encoding="utf-8",
    )
    (folder / "b.jsonl").write_text(
        '{"id": "1", "unit": "青石", "text": "河口镇组织演练。"}\n{"id": "4", "unit": "青石", "text": "青石镇加強培訓。"}\nnot json\n',
        encoding="utf-8",
    )
    (folder / "c.txt").write_text("河口镇组织演练。\n", encoding="utf-8")
    in_memory = read_corpus(folder, progress=False)
    on_disk = read_corpus(folder, progress=False, store=tmp_path / "texts")
    assert on_disk.store is not None and len(on_disk.store) == len(on_disk.documents) == len(in_memory.documents) == 3
    assert on_disk.skipped == in_memory.skipped and on_disk.notes == in_memory.notes and on_disk.sources == in_memory.sources
    reasons = [s.reason for s in on_disk.skipped]
    assert sum(r.startswith("duplicate of") for r in reasons) == 3 and any("2920" in n for n in on_disk.notes)
    assert [d.doc_id for d in on_disk.documents] == [d.doc_id for d in in_memory.documents] == ["1", "1~2", "4"]
    assert on_disk.store.doc_ids() == ["1", "1~2", "4"]
    assert on_disk.texts() == in_memory.texts() and on_disk.texts(original=True) == in_memory.texts(original=True)
    assert on_disk.to_frame().equals(in_memory.to_frame())
    assert on_disk.to_frame(text=False).equals(in_memory.to_frame().drop(columns="text"))


def test_coding_and_counting_chunk_by_chunk_from_the_store_give_what_the_whole_list_gives(tmp_path, monkeypatch):
    from analysis.io.corpus import read_corpus
    from analysis.measures.coding import code_documents
    from analysis.measures.lexicon import load_lexicon
    from analysis.text import engine
    from analysis.text.tokens import make_segmenter

    rows = [
        ("t1", "严禁聚集的通告", "严禁聚集的通告。各村做好个人防护，不聚集。"),  # the title opens the text: not coded twice
        ("t2", "关于戴口罩的通知", "请大家外出戴口罩，勤洗手，保持社交距离。"),
        ("t3", "关于戴口罩的通知", "商场测温扫码，戴口罩。"),  # the same title in the same file: coded once
        ("t4", "", "今天天气很好。"),
    ]
    path = tmp_path / "notices.csv"
    path.write_text("id,title,text\n" + "".join(f"{i},{t},{x}\n" for i, t, x in rows), encoding="utf-8")
    corpus = read_corpus(path, progress=False, store=tmp_path / "texts")
    store = corpus.store
    documents = corpus.to_frame(text=False)
    lexicon = load_lexicon("covid_measures")
    whole = code_documents(documents, store.texts(), lexicon)
    assert whole["in_title"].sum() == 1 and len(whole) > 5

    class OneTextAtATime:  # the store, read in chunks of one text
        def chunks(self):
            return ([t] for t in store.texts())

    pd.testing.assert_frame_equal(code_documents(documents, OneTextAtATime(), lexicon), whole)
    pd.testing.assert_frame_equal(code_documents(documents, store, lexicon), whole)

    monkeypatch.setattr(engine, "_CHUNK_CHARS", 12)  # several chunks of the store
    segmenter = make_segmenter("rjieba")
    counts, bigrams = engine.count_corpus(store, segmenter)
    expected, expected_bigrams = engine.count_corpus(store.texts(), segmenter)
    assert counts.vocabulary == expected.vocabulary and (counts.matrix != expected.matrix).nnz == 0
    assert len(list(store.chunks(12))) == 3


def test_a_killed_runs_temporary_store_is_removed_by_the_next_run(tmp_path, monkeypatch):
    """weakref.finalize does not run when a run is killed; the next run removes the folders of
    this host's processes that are gone, and leaves live processes' and other hosts' alone."""
    import signal
    import subprocess
    import sys
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from analysis.io.store import TextStore; "
         "print(TextStore.temporary_folder(), flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    killed = Path(child.stdout.readline().strip())
    assert killed.is_dir() and killed.parent == tmp_path
    child.send_signal(signal.SIGKILL)
    child.wait()
    alive = tmp_path / f"policy-analysis-texts-{store_module._host()}-{os.getppid()}-abc"
    elsewhere = tmp_path / "policy-analysis-texts-another.host-1-abc"
    alive.mkdir()
    elsewhere.mkdir()
    mine = TextStore.temporary_folder()
    assert not killed.exists()
    assert alive.is_dir() and elsewhere.is_dir() and mine.is_dir()


def test_a_sample_spread_over_the_store_holds_the_sample_not_every_row_group(tmp_path):
    """texts(rows) reads each row group once and lets it go once its rows are taken: every 10th
    text of 40 long texts in 4 row groups holds one group at a time, never all four."""
    import tracemalloc

    texts = [chr(0x4E00 + i) * 100_000 for i in range(40)]  # 10 texts (1 M characters) a row group
    store = TextStore.from_texts(texts, folder=tmp_path)
    assert len(store._groups) == 4
    tracemalloc.start()
    sample = store[::10]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert sample == texts[::10]
    group = sum(len(t) for t in texts[:10]) * 2  # one group's texts as Python strings (2 bytes a character)
    assert group < peak < 2 * group  # two groups at once would be 2 x, the four together 4 x
    assert store.texts([35, 3, 35, 0]) == [texts[35], texts[3], texts[35], texts[0]]


def _reports(path, n: int) -> list[dict]:
    """``n`` dated unit reports as JSON Lines (a day of 2024 each, 12 units, unique texts)."""
    import json
    from datetime import date, timedelta

    units = ["城关", "河口", "青石", "白沙", "柳河", "东山", "西岭", "南湖", "北港", "新桥", "石门", "龙潭"]
    records = [
        {"id": f"r{i:05d}", "unit": units[i % 12], "date": (date(2024, 1, 1) + timedelta(days=i % 300)).isoformat(),
         "text": f"{units[i % 12]}镇第{i}次开展森林防火巡查。"}
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return records


def test_a_corpus_read_to_the_store_keeps_its_documents_as_table_rows_equal_to_those_read(tmp_path, monkeypatch):
    from dataclasses import replace

    from analysis.io.corpus import read_corpus
    from analysis.io.model import DocumentRows

    monkeypatch.setattr(DocumentRows, "_CHUNK", 256)  # rows are made into Documents 256 at a time
    path = tmp_path / "reports.jsonl"
    _reports(path, 1000)
    plain, stored = read_corpus(path), read_corpus(path, store=True)
    assert isinstance(plain.documents, list) and isinstance(stored.documents, DocumentRows)
    without_text = [replace(d, text="", normalized="") for d in plain.documents]
    assert stored.documents == without_text and list(stored.documents) == without_text
    assert [stored.documents[i] for i in (300, 5, 999, -1)] == [without_text[i] for i in (300, 5, 999, -1)]  # across chunks
    assert stored.documents[10:13] == without_text[10:13]
    with pytest.raises(IndexError):
        stored.documents[1000]
    assert stored.units == plain.units and len(stored.units) == 12
    pd.testing.assert_frame_equal(stored.to_frame(), plain.to_frame())  # the same table, texts included
    frame = stored.to_frame(text=False)
    assert frame["date_start"].map(type).eq(date).all()  # still datetime.date values (the public table is unchanged)
    assert len({id(d) for d in frame["date_start"]}) == 300  # one object per distinct day, not one per document
    assert {id(a) for a in frame["date_start"]} == {id(b) for b in frame["date_end"]}


@pytest.mark.slow  # 1.1-1.3 s: 800 documents read twice
def test_a_corpus_read_to_the_store_and_its_documents_table_hold_one_table_per_document(tmp_path):
    """What a run keeps of its documents' variables (the corpus, and its table: ``result.documents``)
    is one table: no Document object per row beside it, no date object per row (about 600 bytes a
    document here when it kept both, about 325 with one table; 75 of them this test's file path)."""
    import gc
    import tracemalloc

    import pyarrow as pa

    from analysis.io.corpus import read_corpus

    path = tmp_path / "reports.jsonl"
    n = 800
    _reports(path, n)
    read_corpus(path, store=True).to_frame(text=False)  # once before measuring: caches filled
    gc.collect()
    tracemalloc.start()
    try:
        corpus = read_corpus(path, store=True)
        table = corpus.to_frame(text=False)  # as analyse() takes it
        gc.collect()
        held, arrow = tracemalloc.get_traced_memory()[0], pa.total_allocated_bytes()
        store = corpus.store
        del corpus, table
        gc.collect()
        freed = held - tracemalloc.get_traced_memory()[0] + arrow - pa.total_allocated_bytes()
    finally:
        tracemalloc.stop()
    assert len(store) == n
    assert freed / n < 400, f"{freed / n:.0f} bytes a document"


def test_reading_to_the_store_holds_no_document_object_per_document_while_it_reads(tmp_path, monkeypatch):
    """Reading a corpus whose texts go to disk settles its documents into their table a piece at
    a time (``TableBuilder.PIECE`` documents): the Documents alive while it reads stay about a
    piece and a batch of texts, never one per document read so far, and the table is the one
    made of all of them at once."""
    from analysis.io import corpus as corpus_module
    from analysis.io import model
    from analysis.io.corpus import read_corpus
    from analysis.io.model import Document
    from analysis.io.store import TextWriter

    if hasattr(model, "TableBuilder"):
        monkeypatch.setattr(model.TableBuilder, "PIECE", 64)
    monkeypatch.setattr(corpus_module._Settling, "BATCH_CHARS", 1_000)  # about 50 of these texts
    alive: list[int] = []
    add = TextWriter.add

    def counting(self, *args, **kwargs):
        if self.rows % 700 == 699:
            alive.append(sum(type(o) is Document for o in gc.get_objects()))
        return add(self, *args, **kwargs)

    monkeypatch.setattr(TextWriter, "add", counting)
    path = tmp_path / "reports.jsonl"
    n = 1500
    _reports(path, n)
    corpus = read_corpus(path, store=True)
    assert len(alive) == 2 and max(alive) < 250, alive
    pd.testing.assert_frame_equal(corpus.documents.frame, read_corpus(path).to_frame(text=False))
