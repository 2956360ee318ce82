"""Tokens: segment documents with a jieba segmenter configured for the corpus.

Plain jieba splits policy slogans (外防输入 → 外防/输入) and place names (大海林 → 大海/林),
and ``jieba.load_userdict`` changes every later call in the process. Here each corpus gets its
own segmenter, loaded with the policy dictionary (a data file), the lexicon's variants and
the corpus's unit names, so two corpora never leak into each other.

Two engines, one rule: ``"rjieba"`` (jieba-rs, jieba's dictionary and algorithm in Rust; the
default on every machine) and ``"jieba"`` (pure Python, the reference). They give the same
tokens for every text with Chinese in it; ``tests/test_segmenter_parity.py`` checks that on
the shipped bulletin and the government work reports. The one known difference is in runs of
digits and punctuation (jieba-rs keeps ``2011-2020`` whole, jieba makes three tokens), which
the token filter drops either way (:func:`keep_token`: no Chinese or Latin letter, not counted).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain
from operator import itemgetter
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..versions import package_version

__all__ = [
    "read_word_list",
    "read_dictionary",
    "make_tokenizer",
    "segment",
    "keep_token",
    "tokenize",
    "TokenIds",
    "token_ids",
    "Segmenter",
    "SEGMENTERS",
    "DEFAULT_SEGMENTER",
    "make_segmenter",
    "DEFAULT_DICTIONARY",
    "DEFAULT_STOPWORDS",
]

DEFAULT_DICTIONARY = Path(str(resources.files("analysis").joinpath("resources/policy_dict.txt")))
DEFAULT_STOPWORDS = Path(str(resources.files("analysis").joinpath("resources/stopwords.txt")))

#: Segmentation engines: the default first, then the reference.
SEGMENTERS = ("rjieba", "jieba")
DEFAULT_SEGMENTER = "rjieba"

_HAS_WORD_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z]")
_ALL_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
# A word no text can contain (Private Use Area characters are never part of a jieba word
# block): adding it to jieba-rs raises the dictionary total without changing any cut.
_PAD_WORD = "\U000f0000\U000f0001"


def read_word_list(path: Path) -> list[str]:
    """Read a one-word-per-line file; blank lines and lines starting with # are ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: word list not found (check the path in your config)") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a word list (give the file, one word a line)") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: word list is not UTF-8 (save it as UTF-8)") from None
    except OSError as error:
        raise ConfigError(f"{path}: word list cannot be read ({error.strerror or error})") from None
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


def _new_jieba():
    """A fresh, initialised ``jieba.Tokenizer`` (its own dictionary; no global state touched)."""
    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _new_rjieba():
    try:
        import rjieba
    except ImportError:  # pragma: no cover - a core dependency
        raise ConfigError("the default segmenter needs rjieba (pip install rjieba), or choose segmenter = \"jieba\"") from None
    return rjieba.Jieba()


def _dictionary_entries(dictionaries: Sequence[Path]) -> list[tuple[str, int | None, str | None]]:
    return [entry for path in dictionaries for entry in read_dictionary(path)]


def _addable(words: Iterable[str]) -> list[str]:
    """The ``words`` jieba can hold, sorted: all Chinese and longer than one character
    (e.g. "偷越国(边)境" cannot be a jieba word; lexicon matching does not need it to be)."""
    return [w for w in sorted(set(words)) if _ALL_CJK.match(w) and len(w) > 1]


def _jieba_tokenizer(entries: Sequence[tuple[str, int | None, str | None]], words: Sequence[str]):
    """A fresh ``jieba.Tokenizer`` with the dictionary ``entries`` then ``words`` added (a word
    without a frequency gets the one jieba suggests for keeping it whole)."""
    tokenizer = _new_jieba()
    for word, freq, tag in entries:
        tokenizer.add_word(word, freq, tag)
    for word in words:
        tokenizer.add_word(word)
    return tokenizer


def make_tokenizer(*, dictionaries: Sequence[Path] = (DEFAULT_DICTIONARY,), words: Iterable[str] = ()):
    """Build a fresh ``jieba.Tokenizer`` holding the dictionaries' entries and ``words``
    (the words jieba can hold: see :func:`_addable`)."""
    return _jieba_tokenizer(_dictionary_entries(dictionaries), _addable(words))


def _jieba_dict_path() -> Path:
    """jieba's ``dict.txt``, found without importing jieba: its import (about 0.2 s, its HMM
    tables) buys nothing when the default segmenter only reads the dictionary's words."""
    from importlib.util import find_spec

    spec = find_spec("jieba")
    if spec is None or spec.origin is None:  # pragma: no cover - a core dependency
        raise ConfigError("reading jieba's dictionary needs jieba (pip install jieba)")
    return Path(spec.origin).resolve().parent / "dict.txt"


@lru_cache(maxsize=1)
def _jieba_dictionary() -> tuple[list[str], list[str], frozenset[str], int]:
    """jieba's main dictionary as jieba loads it: its words and their frequencies (as written),
    the first characters of its words (jieba gives such a character frequency 0 unless it is
    a word itself) and the total. About 0.2 s, so it is read once per process and kept."""
    text = _jieba_dict_path().read_text(encoding="utf-8")
    parts = text.split()
    if len(parts) == 3 * text.count("\n") + (0 if text.endswith("\n") else 3):  # every line "word freq tag"
        words, freqs = parts[0::3], parts[1::3]
    else:  # pragma: no cover - a jieba whose dictionary lines vary
        rows = [line.split(" ")[:2] for line in text.splitlines() if line.strip()]
        words, freqs = [r[0] for r in rows], [r[1] for r in rows]
    return words, freqs, frozenset(map(itemgetter(0), words)), sum(map(int, freqs))


def _jieba_frequencies(wanted: set[str]) -> dict[str, str]:
    """Frequencies (as written) of the ``wanted`` words that jieba's dictionary holds: a
    small dict, quicker to make than one of all 350,000 words."""
    words, freqs, _, _ = _jieba_dictionary()
    return {word: freq for word, freq in zip(words, freqs) if word in wanted}




class Segmenter:
    """A configured segmenter: ``cut(text)`` gives the precise-mode tokens, unfiltered.

    Built from data (dictionary entries and words), so it pickles by rebuilding itself: that
    is how Dask workers get their own copy. ``fingerprint`` changes when the engine, its
    version, the entries, the words or ``hmm`` change.
    """

    def __init__(
        self, engine: str, entries: Sequence[tuple[str, int | None, str | None]], words: Sequence[str], *, hmm: bool = True
    ) -> None:
        if engine not in SEGMENTERS:
            raise ConfigError(f"unknown segmenter '{engine}' (known: {', '.join(SEGMENTERS)})")
        self.engine = engine
        self.entries = tuple(entries)
        self.words = tuple(words)
        self.hmm = hmm
        self.version = package_version(engine)
        digest = hashlib.sha256(repr((engine, self.version, package_version("jieba"), hmm, self.entries, self.words)).encode())
        self.fingerprint = f"{engine}-{digest.hexdigest()[:24]}"
        self._cut_function = None  # built on first use
        self._known: dict[tuple[str, bool], tuple[str, ...]] = {}  # cuts made by a copy elsewhere (:meth:`remember`)

    @property
    def _cut(self):
        if self._cut_function is None:
            if self.engine == "jieba":
                tokenizer = _jieba_tokenizer(self.entries, self.words)
                self._cut_function = lambda text, hmm: tokenizer.lcut(text, HMM=hmm)
            else:
                self._cut_function = _build_rjieba(self.entries, self.words).cut
        return self._cut_function

    def cut(self, text: str) -> list[str]:
        """Cut one text into tokens (precise mode, HMM as configured)."""
        return self._cut(text, self.hmm)

    def lcut(self, text: str, HMM: bool = True) -> list[str]:  # noqa: N803 - jieba's own spelling
        """``jieba.Tokenizer.lcut``'s signature, so code written for jieba can take a Segmenter.
        A cut :meth:`remember` was given is returned without building the segmenter here."""
        known = self._known.get((text, HMM))
        return list(known) if known is not None else self._cut(text, HMM)

    def lcuts(self, texts: Sequence[str], HMM: bool = True) -> list[list[str]]:  # noqa: N803
        """:meth:`lcut` of each of ``texts``: what a copy of this segmenter on a Dask worker
        sends back for :meth:`remember`."""
        return [self.lcut(text, HMM) for text in texts]

    def remember(self, texts: Sequence[str], cuts: Sequence[Sequence[str]], HMM: bool = True) -> None:  # noqa: N803
        """Keep ``cuts``, :meth:`lcuts` of ``texts`` made by a copy of this segmenter (same
        fingerprint, e.g. on a Dask worker), so :meth:`lcut` gives them without loading the
        dictionary in this process (the Dask client: about 110 MB for rjieba's)."""
        if len(cuts) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(cuts)} cuts")
        self._known.update(((text, HMM), tuple(cut)) for text, cut in zip(texts, cuts))

    def __reduce__(self):
        return (_rebuild_segmenter, (self.engine, self.entries, self.words, self.hmm))

    def __repr__(self) -> str:
        return f"Segmenter({self.engine} {self.version}, {len(self.entries)} entries, {len(self.words)} words, hmm={self.hmm})"


def _rebuild_segmenter(engine: str, entries: tuple, words: tuple, hmm: bool) -> Segmenter:
    return Segmenter(engine, entries, words, hmm=hmm)


def _build_rjieba(entries: Sequence[tuple[str, int | None, str | None]], words: Sequence[str]):
    """A jieba-rs instance that cuts exactly as jieba's tokenizer with the same additions does.

    jieba and jieba-rs share the dictionary and the algorithm but differ in two details, both
    made up for here: (1) a word added without a frequency gets the one jieba's
    ``suggest_freq`` computes (jieba-rs computes it with logarithms and can be 1 off), so the
    frequency is computed here the jieba way and given explicitly; (2) when a word already in
    the dictionary is added again, jieba adds the new frequency to its total without taking
    the old one off, jieba-rs replaces it. The total weighs every path through a sentence, so
    the difference goes to a padding word that no text can contain.
    """
    segmenter = _new_rjieba()
    _, _, base_firsts, total = _jieba_dictionary()
    additions = [*entries, *((w, None, None) for w in words)]
    # Only these can be looked up below: the words and their pieces (substrings).
    base = _jieba_frequencies({w[i:j] for w, _, _ in additions for i in range(len(w)) for j in range(i + 1, len(w) + 1)})
    added: dict[str, int] = {}
    firsts: set[str] = set()

    def frequency(token: str, default: int) -> int:  # jieba's FREQ.get(token, default)
        if token in added:
            return added[token]
        if token in base:
            return int(base[token])
        if len(token) == 1 and (token in base_firsts or token in firsts):
            return 0
        return default

    surplus = 0  # how much larger jieba's total is than jieba-rs's
    for word, freq, tag in additions:
        if freq is None:
            ftotal, product = float(total), 1.0
            for piece in segmenter.cut(word, False):
                product *= frequency(piece, 1) / ftotal
            freq = max(int(product * total) + 1, frequency(word, 1))
        old = added[word] if word in added else int(base.get(word, 0))
        segmenter.add_word(word, freq, tag)
        added[word] = freq
        firsts.add(word[0])
        total += freq
        if old:
            surplus += old
            segmenter.add_word(_PAD_WORD, surplus, None)
    return segmenter


def make_segmenter(
    engine: str = DEFAULT_SEGMENTER,
    *,
    dictionaries: Sequence[Path] = (DEFAULT_DICTIONARY,),
    words: Iterable[str] = (),
    hmm: bool = True,
) -> Segmenter:
    """Build a :class:`Segmenter` holding the dictionaries' entries and ``words``.

    Same rules as :func:`make_tokenizer`: words without a frequency get the one jieba suggests
    for keeping them whole; ``words`` that are not all Chinese, or one character, are left out.
    """
    return Segmenter(engine, _dictionary_entries(dictionaries), _addable(words), hmm=hmm)


def segment(text: str, tokenizer, *, hmm: bool = True) -> list[str]:
    """Cut one text into tokens, unfiltered (precise mode)."""
    if isinstance(tokenizer, Segmenter):
        return tokenizer.cut(text)
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
    tokenizer: "Segmenter",
    *,
    stopwords: frozenset[str] = frozenset(),
    keep: frozenset[str] = frozenset(),
    min_chars: int = 2,
    hmm: bool = True,
) -> list[list[str]]:
    """Segment each text and filter its tokens (see :func:`keep_token`); one list per text.

    Each distinct token is judged once, not at every occurrence (a large corpus has millions of
    tokens but tens of thousands of distinct ones).
    """
    seen: set[str] = set()
    kept: set[str] = set()
    result = []
    for text in texts:  # one text at a time: only the kept tokens stay in memory
        tokens = segment(text, tokenizer, hmm=hmm)
        new = set(tokens).difference(seen)
        if new:
            seen.update(new)
            kept.update(t for t in new if keep_token(t, stopwords=stopwords, keep=keep, min_chars=min_chars))
        result.append([t for t in tokens if t in kept])
    return result


@dataclass(frozen=True)
class TokenIds:
    """Documents' kept tokens as integers, so that methods count them with numpy.

    ``ids`` holds every document's token ids (int32: four bytes a token), one document after
    another; ``words[i]`` is the token with id ``i`` (ids in order of first appearance);
    ``lengths`` the number of tokens in each document. Made once per analysis and shared by the
    term counts, keyness, collocations and the lexicon report.
    """

    ids: np.ndarray
    words: list[str]
    lengths: np.ndarray

    def lists(self) -> list[list[str]]:
        """The tokens again as one list per document (each distinct token one shared string)."""
        words = np.empty(len(self.words), dtype=object)
        words[:] = self.words
        tokens = words[self.ids]
        ends = np.cumsum(self.lengths)
        return [tokens[a:b].tolist() for a, b in zip((ends - self.lengths).tolist(), ends.tolist())]


def token_ids(tokens: Sequence[Sequence[str]] | TokenIds) -> TokenIds:
    """The documents' tokens (one list per document) as :class:`TokenIds`; as is if they already are."""
    if isinstance(tokens, TokenIds):
        return tokens
    docs = tokens if isinstance(tokens, Sequence) else list(tokens)
    vocabulary: dict[str, int] = {}
    lookup = vocabulary.setdefault
    ids = np.fromiter((lookup(t, len(vocabulary)) for t in chain.from_iterable(docs)), dtype=np.int32)
    lengths = np.fromiter((len(doc) for doc in docs), dtype=np.int64, count=len(docs))
    return TokenIds(ids, list(vocabulary), lengths)
