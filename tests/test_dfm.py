"""The document-feature matrix (analysis.text.dfm) against plain pandas / Counter sums on a small
constructed corpus, and the methods of an analysis computed on first use, once."""

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
