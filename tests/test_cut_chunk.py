"""The task both engines run on a chunk of texts (``engine._cut_chunk``): its token ids are
those of cutting, filtering and numbering the texts one token at a time, on real text."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.measures.lexicon import load_lexicon
from analysis.text.engine import _cut_chunk
from analysis.text.tokens import DEFAULT_STOPWORDS, make_segmenter, read_word_list, token_ids, tokenize

from conftest import GOV_REPORTS


@pytest.mark.skipif(not GOV_REPORTS.is_file(), reason="the government work reports (../shared) are not beside this clone")
def test_a_chunk_numbers_its_tokens_as_cutting_and_filtering_them_one_by_one_does():
    with GOV_REPORTS.open(encoding="utf-8") as lines:
        reports = [json.loads(line)["content"] or "" for line in lines][:6]
    lexicon = load_lexicon("gov_work_reports")
    segmenter = make_segmenter(words=lexicon.terms())
    token_filter = {"stopwords": frozenset(read_word_list(DEFAULT_STOPWORDS)), "keep": lexicon.terms(), "min_chars": 2}
    for texts in (reports[:3] + [""] + reports[3:], ["", "  "], []):  # empty texts, and a chunk with no token at all
        chunk = _cut_chunk(segmenter, texts, token_filter)
        expected = token_ids(tokenize(texts, segmenter, **token_filter))
        assert chunk.words == expected.words
        assert np.array_equal(chunk.ids, expected.ids) and np.array_equal(chunk.lengths, expected.lengths)
    assert len(_cut_chunk(segmenter, reports, token_filter).ids) > 10_000  # the reports were cut, not skipped
