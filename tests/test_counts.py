from analysis.counts import distinctive_terms, term_frequencies, term_frequencies_by


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
