"""The text store (analysis/io/store.py): texts written to Parquet parts read back by row and chunk."""

from __future__ import annotations

import gc
import pickle

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
    assert all(sum(map(len, c)) <= 40 or len(c) == 1 for c in chunks) and len(chunks) > 10


def test_an_empty_store_and_a_store_of_empty_texts(tmp_path):
    TextStore.write_part(tmp_path / "none", 0, [], [])
    empty = TextStore.open(tmp_path / "none")
    assert len(empty) == 0 and empty.texts() == [] and list(empty.chunks()) == []
    with pytest.raises(IndexError):
        empty.text(0)
    blanks = TextStore.from_texts(["", "", ""], folder=tmp_path / "blank")
    assert blanks.texts() == ["", "", ""] and list(blanks.chunks()) == [["", "", ""]]


def test_a_text_longer_than_a_chunk_is_a_chunk_of_its_own(tmp_path):
    store = TextStore.from_texts(["短", "长" * 500, "短"], folder=tmp_path)
    assert list(store.chunks(max_chars=100)) == [["短"], ["长" * 500], ["短"]]


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
