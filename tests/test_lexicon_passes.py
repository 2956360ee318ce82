"""Faster passes of coding, checked against the plain way on real text: the government work
reports (3 MB), under each shipped lexicon."""

from __future__ import annotations

import json

import pytest

from analysis.measures.lexicon import Lexicon, Measure, NearRule, load_lexicon, shipped_lexicons

from conftest import GOV_REPORTS

needs_reports = pytest.mark.skipif(not GOV_REPORTS.is_file(), reason="the government work reports (../shared) are not beside this clone")


def _reports() -> list[str]:
    with GOV_REPORTS.open(encoding="utf-8") as lines:
        return [json.loads(line)["content"] or "" for line in lines]


def _words_everywhere(rules, text: str) -> set[str]:
    """The plain way: the longest rule word at every position of the text (a lookahead pass)."""
    return set(rules.longest.findall(text))


@needs_reports
def test_rule_words_found_in_one_pass_are_those_found_at_every_position():
    reports = _reports()
    tried = 0
    for name in shipped_lexicons():
        lexicon = load_lexicon(name)
        if not (lexicon.has_rules and lexicon.rules.words):
            continue
        for text in reports:
            assert lexicon.rules.words_in(text) == _words_everywhere(lexicon.rules, text)
        tried += 1
    assert tried >= 2  # covid_measures and gov_work_reports carry near rules
    assert any(load_lexicon("covid_measures").rules.words_in(text) for text in reports)  # words were found, not none


def test_a_rule_word_starting_inside_another_rule_words_match_is_found():
    near = (NearRule(match=("外来人员",), any_of=("登记",)), NearRule(match=("人员流动",), any_of=("登记",)))
    lexicon = Lexicon(name="t", measures=(Measure(name="管控", gloss="", variants=("管控",), near=near),))
    text = "外来人员流动须登记。来人"
    assert lexicon.rules.words_in(text) == {"外来人员", "人员流动"} == _words_everywhere(lexicon.rules, text)


def _split_the_plain_way(text: str) -> list[str]:
    import re

    return [s.strip() for s in re.split(r"[。！？；!?;\n]+", text) if s.strip()]


@needs_reports
def test_sentences_found_in_one_pass_are_the_stripped_pieces_between_sentence_ends():
    from analysis.methods.diagnostics import split_sentences

    reports = _reports()
    for text in reports:
        assert split_sentences(text) == _split_the_plain_way(text)
    # texts joined by a line break: each text's sentences in turn (candidate_variants reads a chunk so)
    assert split_sentences("\n".join(reports)) == [s for text in reports for s in _split_the_plain_way(text)]
    assert len(split_sentences("\n".join(reports))) > 10_000
    every_space = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())  # what str.strip removes, \u3000 included
    odd = f"{every_space}甲 乙{every_space}。{every_space}；\u3000丙\u3000\n\n丁!?{every_space}"
    assert split_sentences(odd) == _split_the_plain_way(odd) == ["甲 乙", "丙", "丁"]


@needs_reports
def test_the_lexicons_pattern_over_the_sentences_holding_a_variant_finds_what_it_finds_over_all():
    """candidate_variants runs the lexicon's pattern only over the sentences the substring search
    found holding a variant: the sentences × measures table is the one of every sentence."""
    from analysis.methods.diagnostics import SubstringSearch, _sentence_measures, split_sentences

    sentences = split_sentences("\n".join(_reports()[::3]))  # a third of the reports
    for name in shipped_lexicons():
        lexicon = load_lexicon(name)
        column = {measure: j for j, measure in enumerate(lexicon.names)}
        holding = SubstringSearch(list(lexicon.variant_to_measure)).search(sentences)
        every = _sentence_measures(sentences, lexicon, column)
        some = _sentence_measures(sentences, lexicon, column, holding=holding)
        assert every.shape == some.shape and (every != some).nnz == 0
        assert every.nnz > 200  # the reports mention each lexicon's measures
        assert len(set(holding.indices)) < len(sentences) / 2  # and the pattern ran over fewer sentences
