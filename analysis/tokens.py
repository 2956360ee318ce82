"""Tokens: segment documents with a jieba.Tokenizer configured for the corpus.

Plain jieba splits policy slogans (外防输入 → 外防/输入) and place names (大海林 → 大海/林),
and ``jieba.load_userdict`` changes every later call in the process. Here each corpus gets its
own ``jieba.Tokenizer`` instance, loaded with the policy dictionary (a data file), the
lexicon's variants and the corpus's unit names, so two corpora never leak into each other.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jieba

from .errors import ConfigError

__all__ = [
    "TokenSettings",
    "read_word_list",
    "read_dictionary",
    "make_tokenizer",
    "segment",
    "keep_token",
    "tokenize",
    "DEFAULT_DICTIONARY",
    "DEFAULT_STOPWORDS",
]

DEFAULT_DICTIONARY = Path(str(resources.files("analysis").joinpath("resources/policy_dict.txt")))
DEFAULT_STOPWORDS = Path(str(resources.files("analysis").joinpath("resources/stopwords.txt")))

_HAS_WORD_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z]")
_ALL_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class TokenSettings:
    """What the segmenter knows and what the token filter drops."""

    dictionaries: tuple[Path, ...] = (DEFAULT_DICTIONARY,)
    stopwords: tuple[Path, ...] = (DEFAULT_STOPWORDS,)
    extra_words: tuple[str, ...] = ()
    extra_stopwords: tuple[str, ...] = ()
    min_chars: int = 2
    hmm: bool = True  # let jieba guess words it does not know


def read_word_list(path: Path) -> list[str]:
    """Read a one-word-per-line file; blank lines and lines starting with # are ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: word list not found (check the path in your config)") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: word list is not UTF-8 (save it as UTF-8)") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def read_dictionary(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Read a jieba user dictionary: ``word [freq] [tag]`` per line, # comments allowed."""
    entries: list[tuple[str, int | None, str | None]] = []
    for line in read_word_list(path):
        parts = line.split()
        word, freq, tag = parts[0], None, None
        for part in parts[1:]:
            if part.isdigit():
                freq = int(part)
            else:
                tag = part
        entries.append((word, freq, tag))
    return entries


def make_tokenizer(
    *, dictionaries: Sequence[Path] = (DEFAULT_DICTIONARY,), words: Iterable[str] = ()
) -> jieba.Tokenizer:
    """Build a fresh jieba.Tokenizer holding the dictionaries' entries and ``words``.

    Words given without a frequency get the one jieba suggests for keeping them whole.
    Words with characters other than Chinese (e.g. "偷越国(边)境") cannot be jieba words and are
    left out; lexicon matching does not need them to be.
    """
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for path in dictionaries:
        for word, freq, tag in read_dictionary(path):
            tokenizer.add_word(word, freq, tag)
    for word in sorted(set(words)):
        if _ALL_CJK.match(word) and len(word) > 1:
            tokenizer.add_word(word)
    return tokenizer


def segment(text: str, tokenizer: jieba.Tokenizer, *, hmm: bool = True) -> list[str]:
    """Cut one text into jieba tokens, unfiltered (precise mode)."""
    return tokenizer.lcut(text, HMM=hmm)


def keep_token(token: str, *, stopwords: frozenset[str], keep: frozenset[str], min_chars: int) -> bool:
    """True for a token worth counting: lexicon terms always; else no punctuation, numbers,
    stopwords, or tokens shorter than ``min_chars``."""
    if token in keep:
        return True
    if not _HAS_WORD_CHAR.search(token):
        return False
    return len(token) >= min_chars and token not in stopwords


def tokenize(
    texts: Iterable[str],
    tokenizer: jieba.Tokenizer,
    *,
    stopwords: frozenset[str] = frozenset(),
    keep: frozenset[str] = frozenset(),
    min_chars: int = 2,
    hmm: bool = True,
) -> list[list[str]]:
    """Segment each text and filter its tokens (see :func:`keep_token`); one list per text."""
    return [
        [t for t in segment(text, tokenizer, hmm=hmm) if keep_token(t, stopwords=stopwords, keep=keep, min_chars=min_chars)]
        for text in texts
    ]
