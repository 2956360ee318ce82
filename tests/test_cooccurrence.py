"""Co-occurrence of measures and term collocations, on cases worked out by hand."""

import math

import pandas as pd
import pytest

from analysis.methods.cooccurrence import COOCCURRENCE_COLUMNS, collocations, measure_cooccurrence
from analysis.measures.lexicon import Lexicon, Measure


LEXICON = Lexicon(name="t", measures=tuple(Measure(m, m, (m,)) for m in ["甲", "乙", "丙", "丁"]))


def mentions(rows):
    return pd.DataFrame(
        [(doc, m, m, 0, 1) for doc, measures in rows.items() for m in measures],
        columns=["doc_id", "measure", "variant", "start", "end"],
    )


def test_two_measures_always_mentioned_together_have_the_highest_association():
    found = mentions({"d1": "甲乙丙", "d2": "甲乙", "d3": "甲乙丁", "d4": "丙", "d5": "丁丙"})
    table = measure_cooccurrence(found, ["d1", "d2", "d3", "d4", "d5", "d6"], LEXICON)
    assert list(table.columns) == COOCCURRENCE_COLUMNS
    top = table.iloc[0]
    assert (top["measure_a"], top["measure_b"]) == ("甲", "乙")
    assert top["docs_both"] == 3 and top["jaccard"] == 1.0
    assert top["pmi"] == pytest.approx(math.log2(6 / 3))  # P(both) / (P(甲) P(乙)) = (3/6) / (3/6)²
    assert top["pmi"] == table["pmi"].max() and top["npmi"] == table["npmi"].max()
    assert top["docs_total"] == 6  # documents without any mention count too


def test_pairs_never_together_have_zero_jaccard_and_no_pmi():
    found = mentions({"d1": "甲", "d2": "乙"})
    table = measure_cooccurrence(found, ["d1", "d2"], LEXICON)
    assert len(table) == 1  # only measures mentioned at least once are paired
    row = table.iloc[0]
    assert row["docs_both"] == 0 and row["jaccard"] == 0 and math.isnan(row["pmi"])


def test_collocation_of_a_fixed_pair_beats_chance_pairs():
    tokens = [["疫情", "防控", "工作", "部署"], ["疫情", "防控", "要求", "落实"], ["落实", "工作", "疫情", "防控"]]
    table = collocations(tokens, min_count=2)
    assert table.iloc[0]["bigram"] == "疫情 防控"
    assert table.iloc[0]["count"] == 3
    assert table.iloc[0]["pmi"] > 0 and table.iloc[0]["p_g2"] < 0.05
    assert set(table["bigram"]) == {"疫情 防控"}  # every other pair occurs once


def test_collocations_on_the_bulletin(bulletin_analysis):
    table = collocations(bulletin_analysis.tokens, min_count=2)
    assert len(table) > 5
    assert table["g2"].is_monotonic_decreasing
    assert (table["count"] >= 2).all() and (table["pmi"] > 0).all()


def test_collocation_counts_pairs_within_documents_only():
    # 甲 乙 twice in the first document and once in the second; 乙 甲 never spans two documents.
    tokens = [["甲", "乙", "甲", "乙"], [], ["甲", "乙"], ["丙"]]
    table = collocations(tokens, min_count=1, top_n=None).set_index("bigram")
    assert set(table.index) == {"甲 乙", "乙 甲"}
    assert table.loc["甲 乙", ["count", "count_first", "count_second"]].tolist() == [3, 3, 3]
    assert table.loc["乙 甲", ["count", "count_first", "count_second"]].tolist() == [1, 1, 1]
    # 4 pairs in all: PMI of 甲 乙 is log2(3 × 4 / (3 × 3)).
    assert table.loc["甲 乙", "pmi"] == pytest.approx(math.log2(4 / 3))
    assert table.loc["乙 甲", "pmi"] == pytest.approx(math.log2(4))


def test_collocation_top_n_is_the_head_of_the_full_ranking():
    tokens = [["疫情", "防控", "工作", "部署", "疫情", "防控"], ["工作", "部署", "落实", "责任"], ["落实", "责任", "工作", "部署"]]
    full = collocations(tokens, min_count=2, top_n=None)
    assert len(full) == 3
    for n in range(4):
        assert collocations(tokens, min_count=2, top_n=n).equals(full.head(n))


def test_collocations_tested_a_block_of_pairs_at_a_time_equal_all_at_once(bulletin_analysis, monkeypatch):
    """Collocations' G² is computed a block of pairs at a time (its working arrays, a dozen
    numbers a pair, grew with the corpus): blocks of 7 pairs give the table of one block."""
    from analysis.methods import cooccurrence

    whole = collocations(bulletin_analysis.bigrams, min_count=2)
    monkeypatch.setattr(cooccurrence, "_PAIRS", 7)
    assert len(whole) > 20 and collocations(bulletin_analysis.bigrams, min_count=2).equals(whole)
