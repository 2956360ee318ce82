"""Parity: rjieba (jieba-rs, the default) cuts the real corpora as jieba (the reference) does.

With the project's dictionary, the lexicon's variants and the corpus's unit names loaded, every
token containing a Chinese character is identical, document by document, on the shipped
bulletin and on the 72 government work reports; every token the tables count is identical
with and without the HMM. A missing corpus fails the test; it never skips.
"""

from __future__ import annotations

import json
import re

import pytest

from analysis.config import Settings
from analysis.io.corpus import read_corpus
from analysis.measures.lexicon import load_lexicon
from analysis.text.tokens import make_segmenter, make_tokenizer

from conftest import GOV_REPORTS

CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def chinese_tokens(tokens: list[str]) -> list[str]:
    return [t for t in tokens if CHINESE.search(t)]


@pytest.fixture(scope="module")
def corpora() -> dict[str, list[str]]:
    assert GOV_REPORTS.exists(), f"{GOV_REPORTS} is missing: the parity test needs the gov work reports"
    with GOV_REPORTS.open(encoding="utf-8") as lines:
        reports = [json.loads(line)["content"] or "" for line in lines if line.strip()]
    assert len(reports) == 72
    return {"bulletin": [d.text for d in read_corpus().documents], "gov-work-reports": reports}


@pytest.fixture(scope="module")
def engines():
    words = set(load_lexicon().terms()) | set(read_corpus().units)
    return make_segmenter("jieba", words=words), make_segmenter("rjieba", words=words), words


@pytest.fixture(scope="module")
def cuts(corpora, engines):
    """Every document of both corpora cut by each engine (HMM on), once for the module."""
    jieba_engine, fast_engine, _ = engines
    texts = corpora["bulletin"] + corpora["gov-work-reports"]
    return [jieba_engine.cut(t) for t in texts], [fast_engine.cut(t) for t in texts]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bulletin", "gov-work-reports"])
def test_rjieba_gives_jiebas_chinese_tokens(corpora, cuts, name):
    texts = corpora[name]
    assert sum(map(len, texts)) > (100 if name == "bulletin" else 1_000_000)
    where = slice(0, len(corpora["bulletin"])) if name == "bulletin" else slice(len(corpora["bulletin"]), None)
    differing = [
        i for i, (expected, got) in enumerate(zip(cuts[0][where], cuts[1][where]))
        if chinese_tokens(expected) != chinese_tokens(got)
    ]
    assert not differing, f"{len(differing)} of {len(texts)} {name} documents differ, e.g. #{differing[0]}"


@pytest.mark.slow
def test_every_token_agrees_on_almost_all_documents(cuts):
    """Outside Chinese tokens jieba-rs may group a run like 2011-2020 differently; measured here."""
    same = sum(a == b for a, b in zip(*cuts))
    assert same >= len(cuts[0]) - 2 and len(cuts[0]) == 82


def test_the_jieba_engine_is_the_reference_tokenizer(engines):
    """make_segmenter("jieba") and make_tokenizer load the same words: the same cuts."""
    jieba_engine, _, words = engines
    reference = make_tokenizer(words=words)
    text = "4月21日，林区公安局绥棱分局要全面加强外防输入和外来人员管理工作，为鹤北林区筑起一道防线。"
    assert jieba_engine.cut(text) == reference.lcut(text)


def test_words_added_twice_or_already_known_keep_parity(engines):
    """The two places where jieba and jieba-rs differ: suggested frequencies and re-added words."""
    words = ["疫情防控", "消毒", "鹤北", "北林区", "外防输入"]  # known to jieba, or to the policy dictionary
    jieba_engine, fast_engine = make_segmenter("jieba", words=words), make_segmenter("rjieba", words=words)
    text = "切实做好“三防”工作，为鹤北林区筑起一道防范境外疫情输入的铜墙铁壁，定期消毒，做好疫情防控。"
    assert jieba_engine.cut(text) == fast_engine.cut(text)
    assert "鹤北" not in jieba_engine.cut(text)  # jieba's own choice (为鹤/北林区), kept by rjieba


def test_rjieba_is_the_default_on_every_machine():
    from analysis.text.tokens import DEFAULT_SEGMENTER

    assert Settings().segmenter == "rjieba" == DEFAULT_SEGMENTER


@pytest.mark.slow
def test_every_kept_token_is_the_same_without_the_hmm(corpora):
    """What the tables count: the kept tokens (Chinese or Latin words, stopwords dropped) of
    every document, identical from rjieba and jieba with the HMM off too (with it on, every
    token is compared by the tests above)."""
    hmm = False
    from analysis.text.tokens import DEFAULT_STOPWORDS, read_word_list, tokenize

    words = set(load_lexicon().terms()) | set(read_corpus().units)
    options = {"stopwords": frozenset(read_word_list(DEFAULT_STOPWORDS)), "keep": load_lexicon().terms(), "min_chars": 2}
    texts = corpora["bulletin"] + corpora["gov-work-reports"]
    expected = tokenize(texts, make_segmenter("jieba", words=words, hmm=hmm), **options)
    got = tokenize(texts, make_segmenter("rjieba", words=words, hmm=hmm), **options)
    differing = [i for i, (a, b) in enumerate(zip(expected, got)) if a != b]
    assert not differing, f"{len(differing)} documents differ, e.g. #{differing[0]}"


def test_the_known_difference_is_in_runs_of_digits_only(engines):
    """Documented in docs/large-corpora.md: jieba-rs keeps a digit run with a hyphen whole, jieba cuts it;
    the token filter drops both forms, so no table changes."""
    from analysis.text.tokens import keep_token

    jieba_engine, fast_engine, _ = engines
    text = "2011-2020年"
    assert jieba_engine.cut(text) != fast_engine.cut(text)
    for engine in (jieba_engine, fast_engine):
        assert [t for t in engine.cut(text) if keep_token(t, stopwords=frozenset(), keep=frozenset(), min_chars=2)] == []


def test_a_segmenter_pickles_to_one_that_cuts_the_same(corpora, engines):
    """Dask workers get the segmenter by pickling: the copy must cut exactly as the original."""
    import pickle

    _, fast_engine, _ = engines
    copy = pickle.loads(pickle.dumps(fast_engine))
    assert copy.fingerprint == fast_engine.fingerprint and copy.hmm == fast_engine.hmm
    texts = corpora["bulletin"] + corpora["gov-work-reports"][:10]
    assert all(copy.cut(t) == fast_engine.cut(t) for t in texts)
