"""Lexicon diagnostics: unmatched entries, segmenter splits, candidate variants."""

import pandas as pd

from analysis.methods.diagnostics import (
    LEXICON_REPORT_COLUMNS,
    candidate_variants,
    lexicon_report,
    sentences_containing,
    split_sentences,
    variant_report,
)
from analysis.measures.lexicon import Lexicon, Measure, find_mentions
from analysis.text.tokens import make_tokenizer


LEXICON = Lexicon(
    name="t",
    measures=(
        Measure("个人防护", "protection", ("口罩", "防护用品", "护目镜")),
        Measure("边境管控", "border", ("边境", "偷越国(边)境")),
    ),
)
TEXTS = [
    "民警佩戴口罩和防护服上岗。发放防护服和口罩。",
    "严防偷越国(边)境，加强边境巡逻。边境巡逻不停。",
    "防护服送到一线。",
]


def tokens_of(texts, tokenizer):
    return [[t for t in tokenizer.lcut(text) if t.strip() and t not in "，。()"] for text in texts]


def test_never_matched_split_and_ok_variants():
    tokenizer = make_tokenizer(words=LEXICON.terms())
    mentions = find_mentions(TEXTS, ["a", "b", "c"], LEXICON)
    report = variant_report(LEXICON, mentions, tokens_of(TEXTS, tokenizer), tokenizer=tokenizer).set_index("entry")
    assert report.loc["护目镜", "status"] == "never matched"
    assert report.loc["防护用品", "status"] == "never matched"
    assert report.loc["口罩", "status"] == "ok" and report.loc["口罩", "mentions"] == 2
    # A variant with brackets cannot be a jieba word: it matches the text but never counts as a term.
    split = report.loc["偷越国(边)境"]
    assert split["status"] == "split by segmenter" and split["mentions"] == 1 and split["token_count"] == 0
    assert split["missed_by_terms"] == 1 and "/" in split["segmented_as"]


def test_a_variant_swallowed_by_a_longer_token_is_reported():
    # The tokens say 边境巡逻 twice and 边境 never: term counts miss both mentions.
    mentions = find_mentions(TEXTS, ["a", "b", "c"], LEXICON)
    tokens = [["口罩", "口罩"], ["偷越国", "边境巡逻", "边境巡逻"], []]
    report = variant_report(LEXICON, mentions, tokens).set_index("entry")
    assert report.loc["边境", "mentions"] == 2 and report.loc["边境", "token_count"] == 0
    assert report.loc["边境", "status"] == "missed by term counts" and report.loc["边境", "missed_by_terms"] == 2


def test_a_term_sharing_characters_and_sentences_is_the_top_candidate():
    vocabulary = ["防护服", "民警", "巡逻", "边境巡逻", "一线", "口罩"]
    counts = {"防护服": 3, "民警": 1, "巡逻": 2, "边境巡逻": 2, "一线": 1, "口罩": 2}
    table = candidate_variants(LEXICON, TEXTS, vocabulary, counts=counts)
    protection = table[table["measure"] == "个人防护"]
    top = protection.iloc[0]
    assert top["entry"] == "防护服" and top["rank"] == 1
    assert top["shared_chars"] == "防护" and top["sentences_together"] == 2 and top["sentences_with_entry"] == 3
    assert "防护用品" in top["evidence"]
    # Existing variants, terms containing a variant (already matched) and rare terms are never candidates.
    assert not set(table["entry"]) & {"口罩", "边境巡逻", "民警", "一线"}
    border = table[table["measure"] == "边境管控"]
    assert border["entry"].tolist() == ["巡逻"]


def test_report_lists_every_variant_then_candidates_in_lexicon_order():
    tokenizer = make_tokenizer(words=LEXICON.terms())
    documents = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": TEXTS})
    mentions = find_mentions(TEXTS, documents["doc_id"], LEXICON)
    tokens = tokens_of(TEXTS, tokenizer)
    terms = pd.Series([t for doc in tokens for t in doc]).value_counts().rename_axis("term").reset_index(name="count")
    report = lexicon_report(LEXICON, documents, mentions, tokens, terms, tokenizer=tokenizer)
    assert list(report.columns) == LEXICON_REPORT_COLUMNS
    assert report["measure"].tolist() == sorted(report["measure"], key=LEXICON.names.index)
    assert (report["kind"] == "variant").sum() == 5


def test_sentences_split_on_chinese_and_western_stops():
    assert split_sentences("一。二！三？四；五\n\n六") == ["一", "二", "三", "四", "五", "六"]


def test_bulletin_report_finds_the_bracketed_variant_and_unmatched_entries(bulletin_analysis):
    report = bulletin_analysis.methods.lexicon_report
    variants = report[report["kind"] == "variant"].set_index("entry")
    assert len(variants) == sum(len(m.variants) for m in bulletin_analysis.lexicon.measures)
    assert variants.loc["偷越国(边)境", "status"] == "split by segmenter"
    assert (variants["status"] == "never matched").sum() >= 1
    # every mention is a listed variant's, or one a near rule added (its matched word need not be a variant)
    added = report[(report["kind"] == "rule") & (report["status"] == "added matches")]["mentions"].sum()
    assert variants["mentions"].sum() + added == len(bulletin_analysis.mentions)
    candidates = report[report["kind"] == "candidate"]
    assert len(candidates) and (candidates.groupby("measure")["rank"].max() <= 5).all()


def test_sentences_containing_finds_every_substring_occurrence_once_per_sentence():
    sentences = ["防护服和防护服", "边境巡逻", "巡逻", "服和"]
    terms = ["防护服", "巡逻", "边境巡逻", "护服和防护", "服和", "逻巡", "和", "无此词", "巡逻"]
    found = sentences_containing(terms, sentences).toarray()
    assert found.shape == (9, 4)
    assert found[0].tolist() == [1, 0, 0, 0]  # twice in one sentence counts once
    assert found[1].tolist() == [0, 1, 1, 0]
    assert found[2].tolist() == [0, 1, 0, 0]
    assert found[3].tolist() == [1, 0, 0, 0]
    assert found[4].tolist() == [1, 0, 0, 1]
    assert found[5].tolist() == [0, 0, 0, 0]  # 逻 then 巡 across two sentences is no match
    assert found[6].tolist() == [1, 0, 0, 1]
    assert found[7].tolist() == [0, 0, 0, 0]
    assert found[8].tolist() == found[1].tolist()  # a repeated term gets the same row


def test_sentences_containing_checks_terms_longer_than_one_key():
    # With many distinct characters a key holds few of them; long terms are checked piece by piece.
    alphabet = [chr(0x4E00 + i) for i in range(5000)]  # 5000 characters: 13 bits each, 4 per key
    filler = "".join(alphabet)
    long_term = "".join(alphabet[100:111])  # 11 characters
    near_miss = "".join(alphabet[100:110]) + alphabet[0]  # same first 10, different last
    sentences = [filler, long_term, "".join(alphabet[100:106]), near_miss]
    # The filler as a term too: 5000 distinct characters among the terms make the keys short.
    found = sentences_containing([long_term, near_miss, "".join(alphabet[100:106]), filler], sentences).toarray()
    assert found[3].tolist() == [1, 0, 0, 0]
    assert found[0].tolist() == [1, 1, 0, 0]
    assert found[1].tolist() == [0, 0, 0, 1]
    assert found[2].tolist() == [1, 1, 1, 1]


def test_candidates_are_the_same_whatever_the_vocabulary_order():
    vocabulary = ["防护服", "巡逻", "边境巡逻", "一线", "防护"]
    counts = dict.fromkeys(vocabulary, 3)
    forward = candidate_variants(LEXICON, TEXTS, vocabulary, counts=counts, min_score=0.0, top_n=10)
    backward = candidate_variants(LEXICON, TEXTS, vocabulary[::-1], counts=counts, min_score=0.0, top_n=10)
    assert forward.equals(backward)
    # With no threshold every term is listed for every measure, even those sharing nothing with it.
    assert sorted(forward.loc[forward["measure"] == "边境管控", "entry"]) == ["一线", "巡逻", "防护", "防护服"]
    row = forward[(forward["measure"] == "边境管控") & (forward["entry"] == "巡逻")].iloc[0]
    assert row["sentences_with_entry"] == 2 and row["sentences_together"] == 2 and row["score"] == 0.5


def test_a_segmenter_given_the_variants_cut_elsewhere_reports_them_without_loading_its_dictionary(bulletin_analysis):
    """The Dask client's case: a copy of the run's segmenter (a worker's) cuts the variants and
    the client's segmenter, never built, gives the same variant rows (rjieba's dictionary is
    about 110 MB there)."""
    import pickle

    built = bulletin_analysis.segmenter
    client = pickle.loads(pickle.dumps(built))  # as a worker or the client gets it: not built yet
    lexicon, mentions, dfm = bulletin_analysis.lexicon, bulletin_analysis.mentions, bulletin_analysis.dfm
    variants = [v for measure in lexicon.measures for v in measure.variants]
    client.remember(variants, built.lcuts(variants, HMM=False), HMM=False)
    report = variant_report(lexicon, mentions, dfm, tokenizer=client)
    assert client._cut_function is None
    assert report.equals(variant_report(lexicon, mentions, dfm, tokenizer=built))
    assert (report["status"] == "split by segmenter").any() and report["segmented_as"].str.contains("/").any()
    assert client._known and (variants[0], True) not in client._known  # only the cuts given, with their HMM setting


def test_every_term_scored_at_once_as_one_term_at_a_time():
    """``_similarities`` (every term against every measure's variants in one sparse product)
    gives each term the float and the closest variant ``_char_similarity`` gives it one term at
    a time, on the work reports' vocabulary under every shipped lexicon (ties between variants
    included: the first in lexicon order); the candidate pool leaves out the terms that hold a
    variant or a measure's name, as a substring test of each does."""
    import json

    import numpy as np

    from analysis.measures.lexicon import load_lexicon, shipped_lexicons
    from analysis.methods.diagnostics import _char_similarity, _similarities

    from conftest import GOV_REPORTS

    with GOV_REPORTS.open(encoding="utf-8") as lines:
        texts = [json.loads(next(lines))["content"] or ""]
    opening = texts[0][:1500]
    vocabulary = sorted({opening[i : i + n] for n in (2, 3) for i in range(len(opening) - n + 1)})  # real strings, no segmenter
    ties = 0
    for name in shipped_lexicons():
        lexicon = load_lexicon(name)
        terms = [*vocabulary, *lexicon.measures[0].variants]  # a variant shares every character with itself
        for measure, (similarity, closest) in zip(lexicon.measures, _similarities(terms, lexicon)):
            chars = [(v, set(v)) for v in measure.variants]
            for i, term in enumerate(terms):
                best, variant = _char_similarity(term, chars)
                assert similarity[i] == best and (best == 0 or measure.variants[closest[i]] == variant), (measure.name, term)
                ties += best > 0 and sum(len(set(term) & c) >= 2 and len(set(term) & c) / len(set(term) | c) == best for _, c in chars) > 1
        held = [m for m in lexicon.measures if any(v in t for v in m.variants for t in vocabulary)]
        one = Lexicon(name="one", measures=tuple(held[:1]) or lexicon.measures[:1])  # every candidate listed: one measure's rows suffice
        table = candidate_variants(one, texts, vocabulary, min_score=0.0, top_n=len(vocabulary))
        known = set(one.variant_to_measure) | set(one.names)
        assert set(table["entry"]) == {t for t in vocabulary if not any(k in t for k in known)}
        assert len(table) < len(vocabulary) or not held  # some terms hold a variant
    assert len(vocabulary) > 2_000 and ties > 0
