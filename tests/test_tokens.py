import jieba
import pytest

from analysis.text.tokens import DEFAULT_STOPWORDS, keep_token, make_tokenizer, read_word_list, segment, tokenize

WHOLE = ["外防输入", "不聚集", "大海林"]


def test_plain_jieba_splits_what_the_policy_dictionary_keeps_whole():
    plain = jieba.Tokenizer()
    configured = make_tokenizer()
    for word in WHOLE:
        text = f"要做好{word}工作"
        assert word not in plain.lcut(text), f"plain jieba already keeps {word}: the dictionary entry is not needed"
        assert word in segment(text, configured)


@pytest.mark.slow  # 2.4 s: three segmenters built
def test_tokenizers_do_not_leak_into_each_other_or_into_jieba():
    word = "鹦鹉螺号舰"
    one = make_tokenizer(words=[word])
    two = make_tokenizer()
    text = f"参观{word}展览"
    assert word in one.lcut(text)
    assert word not in two.lcut(text)
    assert word not in jieba.lcut(text)


def test_filter_drops_punctuation_numbers_stopwords_and_single_characters():
    stop = frozenset({"进行"})
    keep = frozenset({"防"})
    assert not keep_token("，", stopwords=stop, keep=keep, min_chars=2)
    assert not keep_token("2020", stopwords=stop, keep=keep, min_chars=2)
    assert not keep_token("进行", stopwords=stop, keep=keep, min_chars=2)
    assert not keep_token("局", stopwords=stop, keep=keep, min_chars=2)
    assert keep_token("防", stopwords=stop, keep=keep, min_chars=2)  # a lexicon term survives
    assert keep_token("消毒", stopwords=stop, keep=keep, min_chars=2)


def test_tokenize_on_a_sentence():
    tokenizer = make_tokenizer()
    stopwords = frozenset(read_word_list(DEFAULT_STOPWORDS))
    tokens = tokenize(["4月21日，要全面加强外防输入和外来人员管理工作。"], tokenizer, stopwords=stopwords)[0]
    assert "外防输入" in tokens
    assert "外来人员" in tokens
    assert not any(t in {"，", "。", "4", "21", "和", "工作"} for t in tokens)


def test_stopword_file_has_no_comment_lines_as_words():
    words = read_word_list(DEFAULT_STOPWORDS)
    assert "的" in words and not any(w.startswith("#") for w in words)


def test_tokenize_keeps_order_and_repeats_in_each_text_and_filters_every_occurrence():
    tokenizer = make_tokenizer(words=["外防输入"])
    texts = ["外防输入，进行外防输入。2020", "", "进行消毒，消毒；防"]
    tokens = tokenize(texts, tokenizer, stopwords=frozenset({"进行"}), keep=frozenset({"防"}))
    assert tokens == [["外防输入", "外防输入"], [], ["消毒", "消毒", "防"]]
    assert tokenize([], tokenizer) == []


def test_token_ids_number_tokens_in_order_of_first_appearance():
    import numpy as np

    from analysis.text.tokens import token_ids

    ids = token_ids([["外防输入", "消毒"], [], ["消毒", "三防", "外防输入"]])
    assert ids.words == ["外防输入", "消毒", "三防"]
    assert ids.ids.tolist() == [0, 1, 1, 2, 0] and ids.ids.dtype == np.int32
    assert ids.lengths.tolist() == [2, 0, 3]
    assert ids.lists() == [["外防输入", "消毒"], [], ["消毒", "三防", "外防输入"]]


def test_cutting_a_corpus_gives_the_token_ids_of_tokenize():
    """The engine numbers and filters tokens with pandas and numpy: the result must be exactly
    token_ids(tokenize(...)), on real text with every kind of token (empty, punctuation only)."""
    import numpy as np

    from analysis.io.corpus import read_corpus
    from analysis.measures.lexicon import load_lexicon
    from analysis.text.engine import cut_corpus
    from analysis.text.tokens import make_segmenter, token_ids

    texts = [d.text for d in read_corpus().documents] + ["", "，。", "2011-2020年 外防输入 COVID-19"]
    options = {"stopwords": frozenset(read_word_list(DEFAULT_STOPWORDS)), "keep": load_lexicon().terms(), "min_chars": 2}
    segmenter = make_segmenter(words=load_lexicon().terms())
    expected = token_ids(tokenize(texts, segmenter, **options))
    got = cut_corpus(texts, segmenter, **options)
    assert got.words == expected.words and len(got.words) > 300
    assert np.array_equal(got.ids, expected.ids) and got.ids.dtype == np.int32
    assert np.array_equal(got.lengths, expected.lengths)
    assert got.lengths[-3:-1].tolist() == [0, 0]
    assert cut_corpus([], segmenter).words == []


def test_the_default_segmenter_reads_jiebas_dictionary_without_importing_jieba():
    # jieba's import (its HMM tables, ~0.2 s) is paid only by the jieba engine; rjieba needs
    # jieba's dict.txt as a file, and it must be the very file jieba itself loads.
    import subprocess
    import sys
    from pathlib import Path

    from analysis.text.tokens import _jieba_dict_path

    assert _jieba_dict_path() == Path(jieba.__file__).resolve().parent / "dict.txt"
    code = (
        "import sys\n"
        "from analysis.text.tokens import make_segmenter\n"
        "segmenter = make_segmenter(engine='rjieba', words=['外防输入'])\n"
        "print(segmenter.cut('要做好外防输入工作'), 'jieba' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['要', '做好', '外防输入', '工作'] False", done.stdout + done.stderr
