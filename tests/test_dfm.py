"""The document-feature matrix (analysis.text.dfm) against plain pandas / Counter sums on a small
constructed corpus, and the methods of an analysis computed on first use, once."""

import os
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from analysis.text.counts import TermCounts, distinctive_terms, term_frequencies
from analysis.text.dfm import DFM

TOKENS = [
    ["口罩", "口罩", "消毒", "边境"],
    ["口罩", "核酸"],
    [],
    ["边境", "边境", "核酸", "消毒", "甲"],
    ["乙", "口罩"],
]
DOCVARS = pd.DataFrame(
    {
        "doc_id": ["d1", "d2", "d3", "d4", "d5"],
        "unit": ["鹤北", "绥阳", "鹤北", "", "绥阳"],
        "issuer": ["局", "局", "委", "委", None],
        "date_start": ["2022-01-01", None, "2022-01-03", "2022-01-04", "2022-01-05"],
    }
)


@pytest.fixture
def dfm():
    return DFM.from_tokens(TOKENS, DOCVARS)


def frame():
    """The same corpus as a long pandas table: one row per token."""
    rows = [(i, t) for i, doc in enumerate(TOKENS) for t in doc]
    long = pd.DataFrame(rows, columns=["row", "term"])
    return long.join(DOCVARS, on="row")


def test_vocabulary_is_sorted_and_counts_are_the_tokens(dfm):
    assert dfm.vocabulary == sorted({t for doc in TOKENS for t in doc})
    for i, doc in enumerate(TOKENS):
        row = dict(zip(dfm.vocabulary, dfm.matrix[i].toarray().ravel().tolist()))
        assert {t: n for t, n in row.items() if n} == dict(Counter(doc))
    assert dfm.shape == (5, len(dfm.vocabulary)) and len(dfm) == 5
    assert dfm.n_tokens == sum(map(len, TOKENS))


def test_docvars_travel_with_their_rows_and_text_is_not_a_docvar():
    with_text = DOCVARS.assign(text=["a", "b", "c", "d", "e"])
    dfm = DFM.from_tokens(TOKENS, with_text)
    assert list(dfm.docvars.columns) == list(DOCVARS.columns)
    with pytest.raises(ValueError, match="4 rows of document variables for 5 rows"):
        DFM.from_tokens(TOKENS, DOCVARS.head(4))


def test_totals_equal_counter_sums(dfm):
    long = frame()
    totals = Counter(long["term"])
    doc_freq = long.groupby("term")["row"].nunique()
    assert dict(zip(dfm.vocabulary, dfm.feature_totals().tolist())) == dict(totals)
    assert dict(zip(dfm.vocabulary, dfm.document_frequency().tolist())) == doc_freq.to_dict()
    assert dfm.document_totals().tolist() == [len(doc) for doc in TOKENS]
    # kept once computed, and read-only so a caller cannot change what the next one reads
    assert dfm.feature_totals() is dfm.feature_totals()
    with pytest.raises(ValueError):
        dfm.feature_totals()[0] = 99


def test_group_sums_by_a_variable_equal_pandas_groupby(dfm):
    long = frame()
    for by in ("unit", "issuer"):
        grouped = dfm.group(by)
        expected = long[long[by].fillna("") != ""].groupby([by, "term"]).size()
        got = {
            (name, term): int(n)
            for name, row in zip(grouped.docvars[by], grouped.matrix.toarray())
            for term, n in zip(grouped.vocabulary, row)
            if n
        }
        assert got == {k: int(v) for k, v in expected.items()}
        # groups in order of first appearance; documents without a label are left out
        labels = DOCVARS[by].fillna("")
        assert grouped.docvars[by].tolist() == list(dict.fromkeys(x for x in labels if x))
        assert grouped.docvars["n_documents"].tolist() == [int((labels == g).sum()) for g in grouped.docvars[by]]
    assert dfm.group("unit", sort=True).docvars["unit"].tolist() == sorted(["鹤北", "绥阳"])
    by_mapping = dfm.group({"d1": "a", "d4": "a", "d5": "b"})
    assert by_mapping.docvars["group"].tolist() == ["a", "b"]
    assert by_mapping.document_totals().tolist() == [len(TOKENS[0]) + len(TOKENS[3]), len(TOKENS[4])]
    with pytest.raises(KeyError, match="'region' is not a document variable"):
        dfm.group("region")


def test_subset_and_select(dfm):
    units = dfm.subset(unit="绥阳")
    assert units.docvars["doc_id"].tolist() == ["d2", "d5"]
    assert units.document_totals().tolist() == [2, 2]
    mask = DOCVARS["date_start"].notna().to_numpy()
    dated = dfm.subset(mask)
    assert dated.docvars["doc_id"].tolist() == ["d1", "d3", "d4", "d5"]
    assert dfm.subset([4, 0]).docvars["doc_id"].tolist() == ["d1", "d5"]  # rows stay in order
    assert dfm.subset(mask, issuer="委").docvars["doc_id"].tolist() == ["d3", "d4"]
    chosen = dfm.select(["边境", "口罩", "不在"])
    assert chosen.vocabulary == ["口罩", "边境"]
    assert chosen.feature_totals().tolist() == [4, 3]
    assert chosen.docvars.equals(dfm.docvars)
    trimmed = dfm.trim(min_count=2, min_docs=2)
    long = frame()
    keep = long.groupby("term").agg(n=("row", "size"), docs=("row", "nunique"))
    assert trimmed.vocabulary == sorted(keep[(keep["n"] >= 2) & (keep["docs"] >= 2)].index)


def test_weights(dfm):
    prop = dfm.weight("prop").matrix.toarray()
    counts = dfm.matrix.toarray()
    sizes = counts.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(prop, np.divide(counts, sizes, out=np.zeros_like(prop), where=sizes > 0))
    assert set(np.unique(dfm.weight("boolean").matrix.toarray())) == {0, 1}
    from sklearn.feature_extraction.text import TfidfTransformer

    expected = TfidfTransformer(sublinear_tf=True).fit_transform(counts).toarray()
    np.testing.assert_allclose(dfm.tfidf().matrix.toarray(), expected)
    with pytest.raises(ValueError, match="weighting scheme"):
        dfm.weight("log")


def test_frequency_tables_are_the_counts_tables_sorted_by_count_then_term(dfm):
    table = dfm.frequencies()
    long = frame()
    expected = (
        long.groupby("term").agg(count=("row", "size"), doc_count=("row", "nunique")).reset_index()
        .sort_values(["count", "term"], ascending=[False, True]).reset_index(drop=True)
    )
    assert table.values.tolist() == expected.values.tolist()
    assert table.equals(term_frequencies(TOKENS))
    assert dfm.frequencies() is table  # kept
    by_unit = dfm.frequencies("unit")
    grouped = long[long["unit"] != ""].groupby(["unit", "term"]).size().rename("count").reset_index()
    grouped = grouped.sort_values(["unit", "count", "term"], ascending=[True, False, True])
    assert by_unit.values.tolist() == grouped.values.tolist()
    # the counts functions take a DFM as they take any counts
    assert distinctive_terms(dfm, dfm.labels("unit")).equals(distinctive_terms(TOKENS, DOCVARS["unit"].tolist()))


def test_a_dfm_satisfies_what_themes_take(dfm):
    assert isinstance(dfm, TermCounts) and hasattr(dfm, "vocabulary") and hasattr(dfm.matrix, "tocsr")


# -- the methods of an analysis: computed on first use, once -----------------------------------

def test_methods_are_computed_only_when_asked_and_only_once(monkeypatch):
    import analysis
    import analysis.methods.results as results

    calls = Counter()
    for name in ("keyness", "kwic", "mention_trends", "validate_clustering", "lexicon_report", "dispersion_table"):
        original = getattr(results, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(results, name, counted)
    result = analysis.analyse(progress=False)
    assert result.methods.computed() == [] and not calls  # analyse computes no method
    first = result.methods.keyness
    assert calls["keyness"] == 2 and result.methods.computed() == ["keyness"]  # by unit, by cluster
    assert result.methods.keyness is first and calls["keyness"] == 2
    # the front door goes through the same code and keeps what it computed
    assert analysis.keyness(result, "unit").equals(first[first["grouping"] == "unit"].drop(columns="grouping").reset_index(drop=True))
    assert calls["keyness"] == 2
    analysis.keyness(result, "unit", top_n=5)
    analysis.keyness(result, "unit", top_n=5)
    assert calls["keyness"] == 3
    assert analysis.kwic(result) is result.methods.kwic and calls["kwic"] == 1
    wide = analysis.kwic(result, window=5)
    assert analysis.kwic(result, window=5) is wide and calls["kwic"] == 2
    assert (wide["left"].str.len() <= 5).all()
    assert calls["mention_trends"] == 0 and calls["validate_clustering"] == 0
    result.methods.rates, result.methods.trend_rates, result.methods.trends
    assert calls["mention_trends"] == 1  # trends computed once, the rates reshaped from them
    assert result.notes[-1] == result.methods.validation.message()  # the cluster verdict asks for the validation
    assert calls["validate_clustering"] == 1
    result.methods.tables(progress=False)
    assert result.methods.computed() == list(results.METHODS)
    assert calls["validate_clustering"] == 1 and calls["mention_trends"] == 1 and calls["lexicon_report"] == 1
    assert calls["dispersion_table"] == 2  # measures, then terms: once each
    assert result.counts is result.dfm  # the old name is an alias


def test_methods_read_texts_only_through_their_accessor_and_sizes_through_lengths(bulletin_analysis):
    """Where the texts live is the caller's business: the methods that quote texts read them
    through ``texts``; those that divide by their sizes use ``lengths`` and never read them."""
    import dataclasses

    import analysis.methods.results as results

    a = bulletin_analysis
    reads = Counter()
    texts = a.corpus.analysis_texts()

    def read():
        reads["texts"] += 1
        return texts

    base = a.methods
    methods = results.MethodResults(
        dfm=base.dfm, documents=base.documents, mentions=a.mentions, measures=a.measures, clustering=a.clustering,
        lexicon=a.lexicon, texts=read, lengths=lambda: np.array([len(t) for t in texts]), bigrams=a.bigrams,
        segmenter=a.segmenter, reference_unit=a.settings.reference_unit,
    )
    assert "text" not in methods.documents.columns
    assert methods.trends.equals(base.trends) and methods.dispersion.equals(base.dispersion)
    assert reads["texts"] == 0
    assert methods.kwic.equals(base.kwic) and reads["texts"] == 1
    assert methods.lexicon_report.equals(base.lexicon_report) and reads["texts"] == 2
    rebuilt = dataclasses.replace(a, methods=methods)
    assert rebuilt.methods.kwic is methods.kwic


def test_counts_kept_on_disk_chunk_by_chunk_equal_the_matrix_in_memory(bulletin_analysis, tmp_path, monkeypatch):
    """The bulletin's texts cut in several chunks and counted twice: into memory, and (as a run
    counts) into one file a chunk. Every sum, group sum and selection read chunk by chunk
    equals the in-memory matrix's, and the files go with the counts that own them."""
    import gc

    from analysis.methods.dispersion import dispersion
    from analysis.text import counts as counts_module, engine
    from analysis.text.counts import count_token_ids

    monkeypatch.setattr(counts_module, "_BLOCK", 40)  # blocks of 40 entries: group sums added to the total many times
    result = bulletin_analysis
    texts = list(result.texts())
    chunks = [part for a, b in engine.chunk_bounds(texts, 400) for part in engine.cut_chunks(texts[a:b], result.segmenter, **result.token_filter)]
    assert len(chunks) >= 3
    memory, bigrams = count_token_ids(chunks)
    folder = tmp_path / "counts"
    disk, disk_bigrams = count_token_ids(chunks, folder=folder, own=True)
    assert disk.chunks.on_disk and not memory.chunks.on_disk
    assert len(list(folder.glob("*.npz"))) == len(chunks)
    assert disk.vocabulary == memory.vocabulary == result.dfm.vocabulary
    assert np.array_equal(disk_bigrams.count, bigrams.count) and np.array_equal(disk_bigrams.first, bigrams.first)
    for name in ("totals", "document_counts", "document_totals"):
        assert np.array_equal(getattr(disk, name)(), getattr(memory, name)()), name
    units = result.documents["unit"].fillna("").tolist()
    (names, pooled), (names_memory, pooled_memory) = disk.pooled(units), memory.pooled(units)
    assert names == names_memory and len(names) >= 2
    assert (pooled != pooled_memory).nnz == 0 and pooled.dtype == pooled_memory.dtype == np.int64
    columns = np.arange(0, len(disk.vocabulary), 7)[::-1]
    assert (disk.columns(columns) != memory.matrix[:, columns]).nnz == 0
    rows = np.arange(1, disk.n_documents, 2)
    assert (disk.chunks.rows(rows) != memory.matrix[rows]).nnz == 0
    sizes = memory.document_totals()
    for on_disk, in_memory in zip(dispersion(disk.chunks, sizes), dispersion(memory.matrix, sizes)):
        assert np.array_equal(on_disk, in_memory, equal_nan=True)
    for table in (term_frequencies, lambda counts: distinctive_terms(counts, units)):
        assert table(disk).equals(table(memory))
    assert disk.chunks._matrix is None  # nothing above held the whole matrix
    assembled = disk.matrix  # on demand, for the public API
    assert all(np.array_equal(getattr(assembled, a), getattr(memory.matrix, a)) for a in ("data", "indices", "indptr"))
    del disk, assembled, pooled, names
    gc.collect()
    assert not folder.exists()


def test_a_run_keeps_its_counts_on_disk_and_its_group_sums_are_its_rows_summed(bulletin_analysis):
    """The run's DFM reads its counts from files, one a chunk of documents; each unit's summed
    row is the sum of that unit's rows, selected chunk by chunk."""
    from analysis.io import store

    dfm = bulletin_analysis.dfm
    assert dfm.chunks.on_disk and dfm.chunks.folder.is_dir() and len(dfm.chunks.files) >= 1
    # a temporary folder named as the text store's: a killed run's is swept by the next run
    assert dfm.chunks.folder.name.startswith(f"policy-analysis-texts-{store._host()}-{os.getpid()}-")
    grouped = dfm.group("unit")
    units = dfm.docvars["unit"].fillna("").astype(str).to_numpy()
    assert len(grouped) >= 2
    for i, unit in enumerate(grouped.docvars["unit"]):
        rows = np.flatnonzero(units == unit)
        assert np.array_equal(grouped.matrix[i].toarray().ravel(), np.asarray(dfm.chunks.rows(rows).sum(axis=0)).ravel()), unit


def test_sums_of_merged_groups_are_made_from_the_finer_groups_sums(bulletin_analysis, monkeypatch):
    """Once the units' sums are made, a grouping that merges units (the clusters, a grouping
    that leaves units out) is summed from them with no pass over the counts, and equals summing
    the documents' rows; a grouping that also groups the documents without a unit, or a
    weighted matrix, is summed from the rows."""
    from analysis.text import dfm as module

    result = bulletin_analysis
    methods = result.methods
    dfm = DFM(result.dfm.vocabulary, result.dfm.chunks, result.dfm.docvars)  # its own cache of sums
    units, clusters = methods.groups("unit"), methods.groups("cluster")
    first_unit = next(u for u in units if u)
    some = ["A" if u == first_unit else "B" if u else "" for u in units]  # one unit, the others together
    unitless = [u or "none" for u in units]  # groups the documents without a unit too: not a merge of units
    dfm.pooled(units)
    passes = []
    real = module.TermCounts._sum_groups  # a pass over the counts' rows
    monkeypatch.setattr(module.TermCounts, "_sum_groups", lambda self, *a: passes.append(1) or real(self, *a))
    for groups in (clusters, some, unitless):
        names, sums = dfm.pooled(groups)
        expected_names, expected = real(dfm, *module.group_codes(groups))
        assert names == expected_names and sums.dtype == expected.dtype == np.int64 and sums.has_sorted_indices
        for field in ("data", "indices", "indptr"):
            assert np.array_equal(getattr(sums, field), getattr(expected, field))
    assert passes == [1] and len(set(clusters) - {""}) >= 2 and "" in units  # only the last grouping read the rows
    weighted = dfm.weight("prop")
    weighted.pooled(units)
    weighted.pooled(clusters)
    assert passes == [1, 1, 1]
    small = DFM.from_tokens([["口罩", "消毒"], ["口罩"], ["边境"], ["消毒"]], pd.DataFrame({"doc_id": list("abcd")}))
    small.pooled(["甲", "甲", "乙", ""])
    names, sums = small.pooled(["x", "y", "y", ""])  # splits 甲: summed from the rows
    assert passes == [1, 1, 1, 1, 1] and names == ["x", "y"] and sums.toarray().tolist() == [[1, 1, 0], [1, 0, 1]]
