"""Parity: the fast engine (rjieba, jieba-rs) cuts the real corpora exactly as jieba does.

rjieba is the default segmenter only because this holds: every token containing a Chinese
character is identical, document by document, with the project's dictionary, the lexicon's
variants and the corpus's unit names loaded, on the shipped bulletin and on the 72
government work reports. A missing corpus fails the test; it never skips.
"""

from __future__ import annotations

import json
import re

import pytest

from analysis.config import Settings
from analysis.corpus import read_corpus
from analysis.measures import load_lexicon
from analysis.tokens import make_segmenter, make_tokenizer

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


@pytest.mark.parametrize("name", ["bulletin", "gov-work-reports"])
def test_rjieba_gives_jiebas_chinese_tokens(corpora, engines, name):
    jieba_engine, fast_engine, _ = engines
    texts = corpora[name]
    assert sum(map(len, texts)) > (100 if name == "bulletin" else 1_000_000)
    differing = []
    for i, text in enumerate(texts):
        expected, got = chinese_tokens(jieba_engine.cut(text)), chinese_tokens(fast_engine.cut(text))
        if expected != got:
            differing.append(i)
    assert not differing, f"{len(differing)} of {len(texts)} {name} documents differ, e.g. #{differing[0]}"


def test_every_token_agrees_on_almost_all_documents(corpora, engines):
    """Outside Chinese tokens jieba-rs may group a run like 2011-2020 differently; measured here."""
    jieba_engine, fast_engine, _ = engines
    texts = corpora["bulletin"] + corpora["gov-work-reports"]
    same = sum(jieba_engine.cut(t) == fast_engine.cut(t) for t in texts)
    assert same >= len(texts) - 2


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


def test_the_fast_engine_is_the_default():
    assert Settings().segmenter == "rjieba"


def test_a_segmenter_replayed_from_its_resolved_calls_cuts_the_same(corpora, engines):
    """Worker processes that never read jieba's dictionary build the segmenter by replaying
    the add_word calls another process resolved: it must cut exactly as the resolved one."""
    from analysis.tokens import _replay_rjieba

    _, fast_engine, _ = engines
    replayed = _replay_rjieba(fast_engine.resolve().calls)
    texts = corpora["bulletin"] + corpora["gov-work-reports"]
    assert len(fast_engine.calls) > 100
    assert all(replayed.cut(t, True) == fast_engine.cut(t) for t in texts)
