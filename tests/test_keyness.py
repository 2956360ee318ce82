"""Keyness: a group's own terms come out on top; statistics agree with scipy's 2 × 2 tests."""

import numpy as np
import pytest
from scipy.stats import chi2_contingency

from analysis.methods.keyness import KEYNESS_COLUMNS, keyness, keyness_2x2


def corpus():
    tokens = [
        ["边境", "边境", "边境", "防控", "工作", "边境"],
        ["防控", "工作", "口罩", "工作"],
        ["防控", "工作", "口罩", "消毒", "工作"],
        ["防控", "工作", "消毒", "口罩"],
    ]
    groups = ["鹤北", "绥棱", "林口", "林口"]
    return tokens, groups


def test_a_term_only_one_unit_uses_is_its_top_keyword():
    tokens, groups = corpus()
    table = keyness(tokens, groups, min_count=1)
    assert list(table.columns) == KEYNESS_COLUMNS
    over = table[(table["group"] == "鹤北") & (table["direction"] == "over")]
    assert over.iloc[0]["term"] == "边境"
    assert over.iloc[0]["count_group"] == 4 and over.iloc[0]["count_rest"] == 0
    assert over.iloc[0]["log_ratio"] > 3
    # ... and it is under-used by everyone else.
    under = table[(table["term"] == "边境") & (table["group"] != "鹤北")]
    assert set(under["direction"]) == {"under"}
    assert (under["log_ratio"] < 0).all()


def test_statistics_match_scipy_contingency_tests():
    a, b, size_a, size_b = 30.0, 10.0, 1000.0, 2000.0
    chi2, g2, log_ratio = keyness_2x2(np.array([a]), np.array([b]), size_a, size_b)
    table = [[a, b], [size_a - a, size_b - b]]
    assert chi2[0] == pytest.approx(chi2_contingency(table, correction=False)[0])
    assert g2[0] == pytest.approx(chi2_contingency(table, correction=False, lambda_="log-likelihood")[0])
    assert log_ratio[0] == pytest.approx(np.log2((a / size_a) / (b / size_b)))


def test_p_values_and_bonferroni_significance():
    tokens = [["甲"] * 40 + ["乙"] * 60, ["乙"] * 100]
    table = keyness(tokens, ["A", "B"], min_count=1)
    row = table[(table["group"] == "A") & (table["term"] == "甲")].iloc[0]
    assert row["p_g2"] < 1e-10 and row["p_chi2"] < 1e-10 and bool(row["significant_g2"])
    # one document a side: G² counts 100 tokens as trials, the test over documents sees one observation each
    assert not bool(row["significant"]) and row["p_docs"] > 0.05 and (row["n_docs_group"], row["n_docs_rest"]) == (1, 1)
    # A term used in the same proportion on both sides is not key.
    even = keyness([["甲", "乙"] * 10, ["甲", "乙"] * 30], ["A", "B"], min_count=1)
    assert even["g2"].abs().max() == pytest.approx(0, abs=1e-9)
    assert not even["significant"].any()


def test_ungrouped_documents_are_left_out_and_one_group_gives_nothing():
    tokens, groups = corpus()
    with_summary = keyness(tokens + [["边境"] * 50], groups + [""], min_count=1)
    assert with_summary.equals(keyness(tokens, groups, min_count=1))
    assert keyness(tokens, ["A"] * 4).empty


def test_top_n_keeps_that_many_each_way():
    tokens, groups = corpus()
    table = keyness(tokens, groups, min_count=1, top_n=1)
    assert (table.groupby(["group", "direction"]).size() == 1).all()


def test_bulletin_border_units_over_use_border_terms(bulletin_analysis):
    a = bulletin_analysis
    table = keyness(a.tokens, a.documents["unit"].tolist())
    top = table[(table["group"] == "鹤北") & (table["direction"] == "over")].iloc[0]
    assert top["term"] == "边境" and bool(top["significant_g2"])
    # 鹤北 reports in one paragraph: one document against nine, which no test over documents can call significant
    assert top["n_docs_group"] == 1 and not bool(top["significant"])


def test_counts_and_order_worked_out_by_hand():
    tokens, groups = corpus()
    table = keyness(tokens, groups, min_count=1)
    # 鹤北 has 6 tokens (边境 × 4), the rest 13 tokens (边境 × 0).
    row = table[(table["group"] == "鹤北") & (table["term"] == "边境")].iloc[0]
    assert (row["count_group"], row["count_rest"], row["total_group"], row["total_rest"]) == (4, 0, 6, 13)
    assert row["direction"] == "over"
    # Each group lists over-used terms then under-used ones, by G² (largest first), then by term.
    for _, rows in table.groupby("group", sort=False):
        keys = list(zip(rows["direction"], -rows["g2"].round(9), rows["term"]))
        assert keys == sorted(keys)
    assert sorted(set(table["group"])) == list(dict.fromkeys(table["group"]))


def test_token_ids_number_tokens_once_and_give_the_same_keyness():
    from analysis.methods.keyness import token_ids

    tokens, groups = corpus()
    encoded = token_ids(tokens)
    assert encoded.lengths.tolist() == [6, 4, 5, 4]
    assert [encoded.words[i] for i in encoded.ids[:6]] == tokens[0]
    assert encoded.words[: 3] == ["边境", "防控", "工作"]  # ids in order of first appearance
    assert token_ids(encoded) is encoded
    assert keyness(encoded, groups, min_count=1).equals(keyness(tokens, groups, min_count=1))
    with pytest.raises(ValueError, match="one group per document"):
        keyness(encoded, groups[:3])


def test_significance_is_over_documents_not_tokens():
    # Group A: 12 documents, one of them repeating 甲 40 times, the others never; group B: 12
    # documents using 甲 once each. G² sees 40 against 12 tokens in equal-sized groups; over
    # documents A is mostly silent and B steady: the rank-sum test finds B, not A, ahead.
    filler = ["乙"] * 99
    a_docs = [["甲"] * 40 + ["乙"] * 59] + [filler + ["丙"]] * 11
    b_docs = [["甲"] + filler] * 12
    table = keyness(a_docs + b_docs, ["A"] * 12 + ["B"] * 12, min_count=1)
    row = table[(table["group"] == "A") & (table["term"] == "甲")].iloc[0]
    assert row["direction"] == "over" and bool(row["significant_g2"])
    assert not bool(row["significant"])
    # many documents each using a term more than the rest's: significant over documents too
    table = keyness([["甲"] * 5 + filler] * 12 + [filler + ["丙"]] * 12, ["A"] * 12 + ["B"] * 12, min_count=1)
    row = table[(table["group"] == "A") & (table["term"] == "甲")].iloc[0]
    assert bool(row["significant"]) and row["p_docs"] < 1e-4


@pytest.mark.slow
def test_kept_terms_give_the_same_document_tests(bulletin_analysis):
    """keyness takes each document's counts of the kept terms only: the top terms' rows equal
    those of the full table (the rank test itself is SciPy's to the bit: test_significance_sparse)."""
    dfm, units = bulletin_analysis.dfm, bulletin_analysis.dfm.labels("unit")
    full = keyness(dfm, units)
    top = keyness(dfm, units, top_n=3)
    assert len(top) < len(full) / 4
    first = full.groupby(["group", "direction"], sort=False).head(3).reset_index(drop=True)
    assert top.equals(first)
    assert top["p_docs"].notna().all()


def test_groups_tested_a_few_at_a_time_give_the_table_of_all_at_once(bulletin_analysis, monkeypatch):
    """The document tests take the kept terms' columns for as many groups at once as fit a
    budget of stored counts: one group a pass, or all in one, the table is the same."""
    from analysis.methods import keyness as module

    dfm, units = bulletin_analysis.dfm, bulletin_analysis.dfm.labels("unit")
    together = keyness(dfm, units, top_n=5)
    kept = [np.flatnonzero(dfm.document_frequency())[i::3] for i in range(3)]
    assert module._batches(kept, dfm.document_frequency()) == [[0, 1, 2]]
    monkeypatch.setattr(module, "_ENTRIES", 1)
    assert module._batches(kept, dfm.document_frequency()) == [[0], [1], [2]]
    alone = keyness(dfm, units, top_n=5)
    assert alone.equals(together) and together["p_docs"].notna().all() and together["group"].nunique() >= 2


def test_keyness_keeps_no_string_a_document_once_it_is_done():
    """The grouped sums are kept by the groups' numbers, not a tuple of every document's label:
    at 300,000 documents those strings were ~70 MB held after keyness (labels read from the
    documents' Arrow column are a new string each)."""
    import gc
    import tracemalloc

    import pandas as pd
    import scipy.sparse as sp

    from analysis.text.dfm import DFM

    n = 6_000
    rng = np.random.default_rng(0)
    matrix = sp.csr_matrix(rng.integers(0, 3, (n, 100)) * (rng.random((n, 100)) < 0.1))
    units = pd.array([f"第{i % 12}单位" for i in range(n)], dtype="str")  # the documents table's string type
    dfm = DFM([f"词{j:03d}" for j in range(100)], matrix, pd.DataFrame({"unit": units}))
    dfm.document_totals(), dfm.totals()  # kept by the DFM whatever groups it
    keyness(*corpus(), min_count=1)  # SciPy's modules it imports on first use
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        table = keyness(dfm, dfm.labels("unit"), top_n=30)
        del table
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(dfm.pooled(dfm.labels("unit"))[0]) == 12
    assert held / n < 16, f"{held / n:.0f} bytes a document kept after keyness"


def test_columns_ranked_a_few_at_a_time_give_the_table_of_all_at_once(monkeypatch):
    """The rank test over documents takes a group's kept columns a block at a time (it holds
    ~70 bytes a stored count: 36 MB a group at 500 MB); every column's p is its own, so one
    column a block gives the same table to the bit."""
    import pandas as pd
    import scipy.sparse as sp

    from analysis.methods import keyness as module
    from analysis.text.dfm import DFM

    rng = np.random.default_rng(1)
    n = 3_000
    matrix = sp.csr_matrix(rng.integers(0, 4, (n, 80)) * (rng.random((n, 80)) < rng.random(80) * 0.3))
    dfm = DFM([f"词{j:02d}" for j in range(80)], matrix, pd.DataFrame({"unit": [f"第{i % 7}单位" for i in range(n)]}))
    assert module._column_blocks(np.array([3, 1, 2])) == [(0, 3)]
    together = keyness(dfm, dfm.labels("unit"), top_n=10)
    monkeypatch.setattr(module, "_TESTED", 1)
    assert module._column_blocks(np.array([3, 1, 2])) == [(0, 1), (1, 2), (2, 3)]
    alone = keyness(dfm, dfm.labels("unit"), top_n=10)
    assert alone.equals(together) and len(together) == 7 * 20 and together["significant"].any()
    assert together["p_docs"].nunique() > 50
