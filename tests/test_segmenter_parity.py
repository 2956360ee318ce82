"""Parity: the fast engines cut the real corpora exactly as jieba does.

native (jieba compiled, ``analysis._segment``) is the default segmenter only because this
holds: every token, Chinese or not, is identical, document by document, with the project's
dictionary, the lexicon's variants and the corpus's unit names loaded, on the shipped
bulletin and on the 72 government work reports, with and without the HMM, and on generated
strings that mix every kind of character jieba treats apart. rjieba (jieba-rs) gives every
token containing a Chinese character. A missing corpus fails the test; it never skips.
"""

from __future__ import annotations

import json
import re

import numpy as np
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
def native(engines):
    return make_segmenter("native", words=engines[2])


@pytest.mark.parametrize("hmm", [True, False])
@pytest.mark.parametrize("name", ["bulletin", "gov-work-reports"])
def test_native_gives_every_one_of_jiebas_tokens(corpora, engines, native, name, hmm):
    jieba_engine = engines[0]
    texts = corpora[name]
    differing = [i for i, text in enumerate(texts) if jieba_engine.lcut(text, HMM=hmm) != native.lcut(text, HMM=hmm)]
    assert not differing, f"{len(differing)} of {len(texts)} {name} documents differ (hmm={hmm}), e.g. #{differing[0]}"


def _generated_strings(n: int, seed: int) -> list[str]:
    """Strings mixing what jieba treats apart: Han inside and outside its block range
    (U+4E00–U+9FD5), ASCII letters and digits, the block's punctuation (+#&._%-), decimals and
    percentages, \r\n and other whitespace, full-width and CJK punctuation, astral characters,
    and dictionary words whose pieces the HMM must handle."""
    import random

    rng = random.Random(seed)
    pieces = [
        *"的了在是我有和人这中大为上个国一以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经",
        *"鹤北林区绥棱分局疫情防控", "外防输入", "三防", "不聚集", "新冠肺炎", "铜墙铁壁", "北京大学", "中华人民共和国",
        "龘", "鿕", "鿖", "龥", "㐀", "䶿", "𠀀", "😀", "　", " ", " ",
        *"abcXYZ0123456789", "3.5%", "1.", ".5", "a.1.2", "1.%", "2011-2020", "COVID-19", "C++", "AT&T", "c#", "B超",
        "_", "+", "#", "&", ".", "%", "-", " ", "\t", "\r\n", "\n", "\r", "，", "。", "、", "“", "”", "（", "）", "：", "!", "?",
        "\x00", "\x1c", "\x85",
    ]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(n)]


def test_native_gives_jiebas_tokens_on_generated_strings(engines, native):
    jieba_engine = engines[0]
    for hmm in (True, False):
        for text in _generated_strings(3000, seed=7 + hmm):
            assert native.lcut(text, HMM=hmm) == jieba_engine.lcut(text, HMM=hmm), (repr(text), hmm)


def test_native_counts_are_the_counts_of_its_tokens(corpora, native):
    from collections import Counter

    texts = [*corpora["bulletin"], "", "外防输入\r\n外防输入", "😀𠀀a😀", *corpora["gov-work-reports"][:5]]
    terms, matrix = native.count_matrix(texts)
    assert terms == sorted(set(terms)) and matrix.shape == (len(texts), len(terms))
    for i, text in enumerate(texts):
        row = matrix.getrow(i)
        assert list(row.indices) == sorted(row.indices)  # each row's columns ascending, as flagged
        assert {terms[j]: int(n) for j, n in zip(row.indices, row.data)} == Counter(native.cut(text))
    assert matrix.has_sorted_indices and matrix.data.dtype == np.int32 and matrix.indices.dtype == np.int32


def test_native_adds_words_with_jiebas_frequencies(engines, native):
    """Words added without a frequency get jieba's suggest_freq; the totals agree after every word."""
    from analysis.text.tokens import _build_jieba

    jieba_engine, _, words = engines
    reference = _build_jieba(jieba_engine.entries, jieba_engine.words)
    compiled = native.build()._native
    assert compiled.total == reference.total
    added = [w for w, _, _ in jieba_engine.entries] + list(jieba_engine.words)
    assert len(added) > 100
    assert [compiled.frequency(w) for w in added] == [reference.FREQ.get(w) for w in added]
    assert compiled.frequency("外") == reference.FREQ.get("外") and compiled.frequency("不在词典里的词") is None


def test_a_word_added_with_frequency_zero_is_split_as_jieba_splits_it(engines):
    """jieba's add_word(word, 0): the word is never cut whole, not even by the HMM."""
    from jieba import finalseg

    jieba_engine = engines[0]
    text = "为鹤北林区筑起一道防线，绥棱分局鹤北派出所"
    word = next(t for t in jieba_engine.cut(text) if len(t) > 1)
    try:
        reference = make_segmenter("jieba", words=engines[2])
        reference.build()._cut_function  # noqa: B018
        native = make_segmenter("native", words=engines[2])
        from analysis.text.tokens import _build_jieba, _build_native

        plain, compiled = _build_jieba(reference.entries, reference.words), _build_native(native.entries, native.words)
        plain.add_word(word, 0)
        compiled.add_word(word, 0)
        assert compiled.cut(text, True) == plain.lcut(text) and word not in compiled.cut(text, True)
    finally:  # jieba keeps such words in a module-level set: leave it as it was
        finalseg.Force_Split_Words.discard(word)


def test_native_rejects_what_is_not_text():
    from analysis import _segment  # compiled at install: missing means the build failed, which must fail here

    segmenter = make_segmenter("native")
    with pytest.raises(TypeError, match="expected str, got int"):
        segmenter.count_matrix(["疫情防控", 3])
    with pytest.raises(TypeError, match="expected str"):
        segmenter.cut(b"bytes")
    assert segmenter.version.startswith(_segment.__version__ + "+") and len(segmenter.version) > len(_segment.__version__) + 8


def test_native_reports_a_bad_dictionary_file_with_its_line(tmp_path):
    from jieba import finalseg

    from analysis._segment import Jieba

    bad = tmp_path / "dict.txt"
    bad.write_text("外防输入 10 n\n外防 x n\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"dict.txt at Line 2"):
        Jieba(str(bad), finalseg.start_P, finalseg.trans_P, finalseg.emit_P)
    with pytest.raises(OSError, match="missing.txt"):
        Jieba(str(tmp_path / "missing.txt"), finalseg.start_P, finalseg.trans_P, finalseg.emit_P)
    good = tmp_path / "small.txt"
    good.write_bytes("外防输入 10 n\r\n外防 3".encode())  # Windows line ends, no newline at the end
    small = Jieba(str(good), finalseg.start_P, finalseg.trans_P, finalseg.emit_P)
    assert small.total == 13 and small.frequency("外防") == 3 and small.frequency("外") == 0


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


def test_the_fastest_engine_is_the_default():
    from analysis.text.tokens import DEFAULT_SEGMENTER

    assert Settings().segmenter == "native" == DEFAULT_SEGMENTER


def test_a_segmenter_replayed_from_its_resolved_calls_cuts_the_same(corpora, engines):
    """Worker processes that never read jieba's dictionary build the segmenter by replaying
    the add_word calls another process resolved: it must cut exactly as the resolved one."""
    from analysis.text.tokens import _replay_rjieba

    _, fast_engine, _ = engines
    replayed = _replay_rjieba(fast_engine.resolve().calls)
    texts = corpora["bulletin"] + corpora["gov-work-reports"]
    assert len(fast_engine.calls) > 100
    assert all(replayed.cut(t, True) == fast_engine.cut(t) for t in texts)


def test_native_breaks_route_ties_as_jieba_does(tmp_path):
    """甲乙+丙 and 甲+乙丙 have the same probability, to the last bit (a + b == b + a): jieba's
    max() then takes the longer first word. Real text seldom ties exactly, so it is built here."""
    import jieba
    from jieba import finalseg

    from analysis._segment import Jieba

    small = tmp_path / "dict.txt"
    small.write_text("甲 3\n丙 3\n甲乙 5\n乙丙 5\n乙 1\n", encoding="utf-8")
    reference = jieba.Tokenizer(str(small))
    reference.tmp_dir = str(tmp_path)
    compiled = Jieba(str(small), finalseg.start_P, finalseg.trans_P, finalseg.emit_P)
    for text in ["甲乙丙", "丙甲乙丙甲"]:
        assert compiled.cut(text) == reference.lcut(text)
    assert compiled.cut("甲乙丙") == ["甲乙", "丙"]
