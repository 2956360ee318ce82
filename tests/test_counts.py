from analysis.text.counts import distinctive_terms, term_frequencies, term_frequencies_by


def test_term_frequencies_counts_and_document_counts():
    table = term_frequencies([["口罩", "口罩", "消毒"], ["口罩"], []])
    assert table.values.tolist() == [["口罩", 3, 2], ["消毒", 1, 1]]


def test_ties_sorted_by_term_for_stable_output():
    table = term_frequencies([["乙", "甲"]])
    assert table["term"].tolist() == sorted(["乙", "甲"])


def test_term_frequencies_by_group_skips_documents_without_group():
    table = term_frequencies_by([["口罩"], ["口罩", "消毒"], ["边境"]], ["甲", "甲", ""])
    assert table.values.tolist() == [["甲", "口罩", 2], ["甲", "消毒", 1]]


def test_a_term_only_one_unit_uses_is_its_top_distinctive_term():
    tokens = [["疫情", "防控", "边境", "边境"], ["疫情", "防控", "口罩"], ["疫情", "防控", "消毒"]]
    table = distinctive_terms(tokens, ["甲", "乙", "丙"], top_n=2)
    top = table[table["rank"] == 1].set_index("group")["term"].to_dict()
    assert top == {"甲": "边境", "乙": "口罩", "丙": "消毒"}


def test_bulletin_terms(bulletin_analysis):
    terms = bulletin_analysis.terms.set_index("term")
    assert terms.loc["疫情防控", "count"] >= 20
    assert "外防输入" in terms.index and "大海林" in terms.index
    for junk in ["，", "的", "4", "分局", "工作"]:
        assert junk not in terms.index


def test_tables_from_counts_in_first_seen_order_are_sorted_like_pandas_would():
    """Sorting uses term ranks, not strings: check it against pandas on unsorted, tied counts."""
    import numpy as np
    import scipy.sparse as sp

    from analysis.text.counts import TermCounts

    vocabulary = ["防控", "口罩", "边境", "消毒", "乙", "甲"]  # not sorted
    matrix = sp.csr_matrix(np.array([[2, 1, 0, 1, 1, 1], [0, 1, 3, 1, 0, 0], [1, 0, 0, 0, 2, 0]]))
    counts = TermCounts(vocabulary, matrix)
    groups = ["丙", "甲", "丙"]
    expected = (
        term_frequencies(counts).sort_values(["count", "term"], ascending=[False, True]).reset_index(drop=True)
    )
    assert term_frequencies(counts).equals(expected)
    assert term_frequencies(counts)["term"].tolist() == ["乙", "边境", "防控", "口罩", "消毒", "甲"]
    by = term_frequencies_by(counts, groups)
    assert by.equals(by.sort_values(["group", "count", "term"], ascending=[True, False, True]).reset_index(drop=True))
    assert by.values.tolist()[:3] == [["丙", "乙", 3], ["丙", "防控", 3], ["丙", "口罩", 1]]


def test_block_sums_equal_scipy_sums_and_a_chunked_count_equals_counting_at_once(monkeypatch):
    import numpy as np
    import scipy.sparse as sp

    import analysis.text.counts as module
    from analysis.text.tokens import token_ids

    rng = np.random.default_rng(3)
    matrix = sp.random(400, 30, density=0.15, format="csr", random_state=3, data_rvs=lambda n: rng.integers(1, 9, n)).astype(np.int32)
    monkeypatch.setattr(module, "_BLOCK", 11)  # many blocks
    assert np.array_equal(module.row_totals(matrix), np.asarray(matrix.sum(axis=1)).ravel())
    assert np.array_equal(module.column_totals(matrix), np.asarray(matrix.sum(axis=0)).ravel())
    assert np.array_equal(module.column_counts(matrix), np.bincount(matrix.indices, minlength=30))
    docs = [["外防输入", "消毒", "三防"], [], ["消毒", "外防输入", "消毒", "三防"], ["巡逻"], ["三防", "巡逻"]]
    once = module.TermCounts.from_tokens(docs)
    counts, bigrams = module.count_token_ids([token_ids(docs[:2]), token_ids(docs[2:3]), token_ids(docs[3:])])
    assert counts.vocabulary == once.vocabulary and (counts.matrix != once.matrix).nnz == 0
    pairs = {(counts.vocabulary[a], counts.vocabulary[b]): n for a, b, n in zip(bigrams.first, bigrams.second, bigrams.count)}
    assert pairs == {("外防输入", "消毒"): 2, ("消毒", "三防"): 2, ("消毒", "外防输入"): 1, ("三防", "巡逻"): 1}


def test_counting_many_chunks_past_the_first_allocation_equals_one_scipy_count():
    import numpy as np
    import scipy.sparse as sp

    from analysis.text.counts import count_token_ids
    from analysis.text.tokens import token_ids

    rng = np.random.default_rng(9)
    words = [f"词{i}" for i in range(3000)]
    docs = [[words[j] for j in rng.integers(0, 3000, rng.integers(0, 120))] for _ in range(4000)]  # ~240k tokens
    counts, _ = count_token_ids([token_ids(docs[a : a + 97]) for a in range(0, len(docs), 97)])
    column = {w: j for j, w in enumerate(counts.vocabulary)}
    rows = [i for i, doc in enumerate(docs) for _ in doc]
    cols = [column[w] for doc in docs for w in doc]
    expected = sp.coo_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=counts.matrix.shape).tocsr()
    assert counts.matrix.nnz > 1 << 16  # past the arrays' first size: they grew
    assert counts.vocabulary == sorted(counts.vocabulary) and (counts.matrix != expected).nnz == 0


def test_merging_sorted_pair_counts_sums_codes_in_both_and_inserts_the_others_in_order():
    import numpy as np

    from analysis.text.counts import merge_sorted_counts

    rng = np.random.default_rng(5)
    for _ in range(50):
        a = np.unique(rng.integers(0, 300, rng.integers(0, 120))).astype(np.int64)
        b = np.unique(rng.integers(0, 300, rng.integers(0, 120))).astype(np.int64)
        na, nb = rng.integers(1, 9, len(a)).astype(np.int64), rng.integers(1, 9, len(b)).astype(np.int64)
        expected: dict[int, int] = {}
        for code, n in [*zip(a.tolist(), na.tolist()), *zip(b.tolist(), nb.tolist())]:
            expected[code] = expected.get(code, 0) + n
        codes, counts = merge_sorted_counts(a, na.copy(), b, nb)
        assert codes.tolist() == sorted(expected) and counts.tolist() == [expected[c] for c in sorted(expected)]


def test_partition_counts_renumbered_by_the_builder_equal_counting_the_tokens_at_once(monkeypatch):
    """What a Dask worker sends (its partition's counts, numbered by its own words) gives, once
    appended, the matrix and bigrams of counting every token here; on real text (the government
    work reports), with pairs merged many times."""
    import json

    import numpy as np

    import analysis.text.counts as module
    from analysis.text.engine import _cut_chunk, merge_token_ids
    from analysis.text.tokens import make_segmenter

    from conftest import GOV_REPORTS

    texts = [json.loads(line)["content"] or "" for line in GOV_REPORTS.read_text(encoding="utf-8").splitlines()[:12]]
    paragraphs = [p for t in texts for p in t.splitlines() if p.strip()][:600]
    segmenter = make_segmenter()
    flt = {"stopwords": frozenset(), "keep": frozenset(), "min_chars": 2}
    parts = [_cut_chunk(segmenter, paragraphs[a : a + 70], flt) for a in range(0, len(paragraphs), 70)]
    once_counts, once_bigrams = module.count_token_ids([merge_token_ids(parts)])
    monkeypatch.setattr(module, "_COMPACT_PAIRS", 500)  # merge the waiting pairs after almost every part
    builder = module.CountsBuilder()
    for part in parts:
        builder.add_counts(module.PartCounts.from_token_ids(part))
    counts, bigrams = builder.result()
    assert len(parts) > 5 and once_bigrams.count.sum() > 10_000
    assert counts.vocabulary == once_counts.vocabulary and (counts.matrix != once_counts.matrix).nnz == 0
    assert counts.matrix.has_sorted_indices and counts.matrix.dtype == once_counts.matrix.dtype
    for field in ("first", "second", "count"):
        assert np.array_equal(getattr(bigrams, field), getattr(once_bigrams, field))


def test_growing_arrays_hold_little_more_than_their_entries():
    """NumPy zero-fills what a resize adds, so the capacity is memory held: it stays within an
    eighth of the entries (doubling held up to twice the document x term matrix while counting)."""
    import numpy as np

    from analysis.text.counts import _Growing

    grown = _Growing(np.int32)
    for size in range(1, 400):
        grown.extend(np.arange(size * 37, dtype=np.int32))
        assert len(grown.array) <= max(1 << 16, int(1.125 * grown.size) + 1)
    taken = grown.take()
    assert len(taken) == sum(n * 37 for n in range(1, 400)) and taken[-1] == 399 * 37 - 1


def test_counting_the_cut_tokens_directly_equals_numbering_each_chunk_first(monkeypatch):
    """``count_corpus`` here (``CountsBuilder.add_cut``: each token looked up once, judged once
    per run) gives the matrix, chunk files and bigrams of numbering each chunk's kept tokens
    first (``_cut_chunk``, what a Dask worker sends): on the government work reports with the
    lexicon's terms kept and the stopwords dropped, in several chunks, with the tokens not
    counted forgotten and judged again along the way."""
    import json

    import numpy as np

    import analysis.text.counts as module
    from analysis.measures.lexicon import load_lexicon
    from analysis.text import engine
    from analysis.text.tokens import DEFAULT_STOPWORDS, make_segmenter, read_word_list

    from conftest import GOV_REPORTS

    texts = [json.loads(line)["content"] or "" for line in GOV_REPORTS.read_text(encoding="utf-8").splitlines()[:12]]
    paragraphs = [p for t in texts for p in t.splitlines()][:700] + ["", "  ", "２０２０年"]  # empty, blank, no word counted
    lexicon = load_lexicon("gov_work_reports")
    segmenter = make_segmenter("rjieba", words=lexicon.terms())
    flt = {"stopwords": frozenset(read_word_list(DEFAULT_STOPWORDS)), "keep": lexicon.terms(), "min_chars": 2}
    monkeypatch.setattr(engine, "_CHUNK_CHARS", 4_000)
    monkeypatch.setattr(module, "_DROPPED_KEPT", 50)  # the tokens not counted forgotten after almost every chunk
    monkeypatch.setattr(module, "_COMPACT_PAIRS", 2_000)
    for on_disk in (True, False):
        counts, bigrams = engine.count_corpus(paragraphs, segmenter, on_disk=on_disk, **flt)
        expected, expected_bigrams = module.count_token_ids(
            engine.cut_chunks(paragraphs, segmenter, **flt), folder=engine.counts_folder() if on_disk else None, own=True
        )
        assert counts.vocabulary == expected.vocabulary and len(counts.vocabulary) > 3_000
        assert counts.chunks.on_disk is on_disk and len(counts.chunks.files) == len(expected.chunks.files)
        for (start, chunk), (start_expected, chunk_expected) in zip(counts.chunks, expected.chunks):
            assert start == start_expected and chunk.dtype == chunk_expected.dtype and chunk.has_sorted_indices
            for field in ("data", "indices", "indptr"):
                assert np.array_equal(getattr(chunk, field), getattr(chunk_expected, field))
        for field in ("first", "second", "count"):
            assert np.array_equal(getattr(bigrams, field), getattr(expected_bigrams, field))
        assert counts.matrix.shape == (len(paragraphs), len(counts.vocabulary)) and bigrams.count.sum() > 10_000
        assert "的" not in counts.vocabulary and "２０２０" not in counts.vocabulary
        assert counts.matrix[-1].nnz == 0 and counts.matrix[-3].nnz == 0


def test_the_stores_lengths_are_read_for_a_bar_only(monkeypatch):
    """Counting a store reads every text's length only to size a progress bar: not when no bar
    is shown, and when one is, its total is the number of chunks counted."""
    import analysis.text.engine as engine
    from analysis.io.store import TextStore

    class Characters:  # a segmenter cutting every character: only the chunks matter here
        cut = staticmethod(list)

    texts = ["国务院关于加强疫情防控工作的通知。", "各地区各部门要落实防控措施。", "做好个人防护，减少聚集。"] * 4
    store = TextStore.from_texts(texts)
    monkeypatch.setattr(engine, "_CHUNK_CHARS", 40)
    calls, totals = [], []
    real_lengths, real_bar = TextStore.lengths, engine.progress_bar
    monkeypatch.setattr(TextStore, "lengths", lambda self, *a, **k: calls.append(1) or real_lengths(self, *a, **k))
    monkeypatch.setattr(engine, "progress_bar", lambda items, stage, **k: totals.append(k["total"]) or real_bar(items, stage, **k))
    counts, _ = engine.count_corpus(store, Characters(), min_chars=1, progress=False)
    assert calls == [] and totals == [None] and counts.n_documents == len(texts) and "疫" in counts.vocabulary
    engine.count_corpus(store, Characters(), min_chars=1, progress=True)
    assert calls == [1] and totals[1] == len(list(store.chunks(40))) > 1
