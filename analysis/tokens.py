"""Tokens: segment documents with a jieba-compatible segmenter configured for the corpus.

Plain jieba splits policy slogans (外防输入 → 外防/输入) and place names (大海林 → 大海/林),
and ``jieba.load_userdict`` changes every later call in the process. Here each corpus gets its
own ``jieba.Tokenizer`` instance, loaded with the policy dictionary (a data file), the
lexicon's variants and the corpus's unit names, so two corpora never leak into each other.

Three engines give the same segmentation: ``"jieba"`` (the reference, pure Python),
``"native"`` (jieba's algorithm and data compiled in C, :mod:`analysis._segment`, which also
numbers the tokens itself, so counting a corpus creates no string per token) and ``"rjieba"``
(jieba-rs, the same dictionary and algorithm in Rust). :func:`make_segmenter` builds any of
them from the same dictionary entries and words; ``tests/test_segmenter_parity.py`` checks on
the real corpora that native gives jieba's tokens, every one, and rjieba every token
containing Chinese characters.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain
from operator import itemgetter
from pathlib import Path

import jieba
import numpy as np
import pandas as pd
import scipy.sparse as sp

try:  # imported here, not on first use, so that worker processes forked later inherit it
    import rjieba
except ImportError:  # pragma: no cover - a core dependency; the jieba engine still works
    rjieba = None

try:  # compiled when the package is installed (setup.py); optional, so a machine without a C compiler still installs
    from . import _segment
except ImportError:  # pragma: no cover - then rjieba is the default
    _segment = None

from .config import fastest_segmenter
from .errors import ConfigError
from .versions import package_version

__all__ = [
    "TokenSettings",
    "read_word_list",
    "read_dictionary",
    "make_tokenizer",
    "segment",
    "keep_token",
    "tokenize",
    "tokenize_ids",
    "TokenIds",
    "token_ids",
    "Segmenter",
    "SEGMENTERS",
    "make_segmenter",
    "DEFAULT_DICTIONARY",
    "DEFAULT_STOPWORDS",
    "DEFAULT_SEGMENTER",
    "engine_version",
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


#: Segmentation engines, the reference first.
SEGMENTERS = ("jieba", "native", "rjieba")
#: The fastest engine this installation has: native where it was compiled, else rjieba (the
#: same rule as the settings' default, :func:`~analysis.config.fastest_segmenter`).
DEFAULT_SEGMENTER = fastest_segmenter()

# A word no text can contain (Private Use Area characters are never part of a jieba word
# block): adding it to jieba-rs raises the dictionary total without changing any cut.
_PAD_WORD = "\U000f0000\U000f0001"
@lru_cache(maxsize=1)
def _jieba_dictionary() -> tuple[list[str], list[str], frozenset[str], int]:
    """jieba's main dictionary as jieba loads it: its words and their frequencies (as written),
    the first characters of its words (jieba gives such a character frequency 0 unless it is
    a word itself) and the total. About 0.2 s, so it is read once per process and kept:
    worker processes read it while the corpus is being read (:func:`warm_up`)."""
    text = (Path(jieba.__file__).resolve().parent / "dict.txt").read_text(encoding="utf-8")
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


_spare_engines: dict[str, list] = {"rjieba": [], "jieba": [], "native": []}


def _new_native():
    """A fresh compiled segmenter holding jieba's dictionary and HMM (about 0.1 s): a spare
    one if :func:`warm_up` made it, else a new one."""
    if _segment is None:
        raise ConfigError(
            "the native segmenter was not compiled when the package was installed (reinstall it with a C compiler), "
            "or set [tokens] segmenter = \"rjieba\" / --segmenter rjieba"
        )
    spares = _spare_engines["native"]
    if spares:
        return spares.pop()
    from jieba import finalseg

    dictionary = Path(jieba.__file__).resolve().parent / "dict.txt"
    return _segment.Jieba(str(dictionary), finalseg.start_P, finalseg.trans_P, finalseg.emit_P)


def _new_rjieba():
    """A fresh jieba-rs instance (its dictionary loads in about 0.1 s): a spare one if
    :func:`warm_up` made it, else a new one."""
    if rjieba is None:
        raise ConfigError(
            "the fast segmenter needs rjieba (pip install rjieba), or set [tokens] segmenter = \"jieba\" / --segmenter jieba"
        ) from None
    spares = _spare_engines["rjieba"]
    return spares.pop() if spares else rjieba.Jieba()


def _new_jieba() -> jieba.Tokenizer:
    """A fresh, initialised jieba tokenizer: a spare one if :func:`warm_up` made it."""
    spares = _spare_engines["jieba"]
    if spares:
        return spares.pop()
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def warm_up(engine: str, dictionary: bool = True) -> None:
    """Load what building an ``engine`` segmenter needs (dictionary, a fresh instance) now.

    Worker processes run this as soon as they start, so the slow part of building their
    segmenter overlaps with reading the corpus; the build itself then takes milliseconds.
    ``dictionary=False`` skips reading jieba's dictionary (for rjieba, about 0.2 s): a worker
    that is handed the resolved additions (:meth:`Segmenter.resolve`) never needs it.
    """
    if engine == "native":
        if not _spare_engines["native"]:
            _spare_engines["native"].append(_new_native())
    elif engine == "rjieba":
        if dictionary:
            _jieba_dictionary()
        if not _spare_engines["rjieba"]:
            _spare_engines["rjieba"].append(_new_rjieba())
    elif engine == "jieba" and not _spare_engines["jieba"]:
        _spare_engines["jieba"].append(_new_jieba())


class Segmenter:
    """A configured segmenter: ``cut(text)`` gives the precise-mode tokens, unfiltered.

    Built from data (dictionary entries and words), so it pickles by rebuilding itself: that
    is how Dask workers and worker processes get their own copy. ``fingerprint`` changes when
    the engine, its version, the entries, the words or ``hmm`` change (the token cache key).
    """

    def __init__(
        self,
        engine: str,
        entries: Sequence[tuple[str, int | None, str | None]],
        words: Sequence[str],
        *,
        hmm: bool = True,
    ) -> None:
        if engine not in SEGMENTERS:
            raise ConfigError(f"unknown segmenter '{engine}' (known: {', '.join(SEGMENTERS)})")
        self.engine = engine
        self.entries = tuple(entries)
        self.words = tuple(words)
        self.hmm = hmm
        #: rjieba only: the ``add_word`` calls that make a fresh instance cut like jieba with these
        #: entries and words (frequencies resolved from jieba's dictionary). None until resolved.
        self.calls: tuple[tuple[str, int, str | None], ...] | None = None
        self.version = engine_version(engine)
        digest = hashlib.sha256(repr((engine, self.version, package_version("jieba"), hmm, self.entries, self.words)).encode())
        self.fingerprint = f"{engine}-{digest.hexdigest()[:24]}"
        self._lock = threading.Lock()
        self._cut_function = None  # built on first use: a run served by the token cache never builds it
        self._native = None  # the compiled segmenter (native engine)

    @property
    def _cut(self):
        if self._cut_function is None:
            with self._lock:
                if self._cut_function is None:
                    if self.engine == "jieba":
                        lcut = _build_jieba(self.entries, self.words).lcut
                        self._cut_function = lambda text, hmm: lcut(text, HMM=hmm)
                    elif self.engine == "native":
                        self._native = _build_native(self.entries, self.words)
                        self._cut_function = self._native.cut
                    elif self.calls is not None:
                        self._cut_function = _replay_rjieba(self.calls).cut
                    else:
                        segmenter, self.calls = _build_rjieba(self.entries, self.words)
                        self._cut_function = segmenter.cut
        return self._cut_function

    def resolve(self) -> "Segmenter":
        """Work out :attr:`calls` now (rjieba; needs jieba's dictionary), building the segmenter."""
        self._cut  # noqa: B018 - builds, which resolves
        return self

    def build(self) -> "Segmenter":
        """Load the dictionary now rather than on the first cut."""
        self._cut  # noqa: B018 - builds
        return self

    def cut(self, text: str) -> list[str]:
        """Cut one text into tokens (precise mode, HMM as configured)."""
        return self._cut(text, self.hmm)

    @property
    def counts_natively(self) -> bool:
        """Whether :meth:`count_matrix` is available (the native engine counts tokens itself)."""
        return self.engine == "native"

    def count_matrix(self, texts: Sequence[str]) -> tuple[list[str], sp.csr_matrix]:
        """Native engine: cut ``texts`` and count their tokens without a string per token.

        Returns the distinct tokens in sorted order and the text × token counts, each row's
        columns ascending (what :func:`~analysis.engine.count_chunk` gives on every route)."""
        if not self.counts_natively:
            raise ValueError(f"the {self.engine} segmenter gives tokens, not counts (use cut)")
        self._cut  # noqa: B018 - builds
        terms, indptr, indices, data = self._native.count(list(texts), self.hmm)
        matrix = sp.csr_matrix(
            (np.frombuffer(data, dtype=np.int32), np.frombuffer(indices, dtype=np.int32), np.frombuffer(indptr, dtype=np.int64)),
            shape=(len(texts), len(terms)),
        )
        matrix.has_sorted_indices = True  # sorted in C, row by row
        return terms, matrix

    def number_tokens(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Native engine: cut ``texts`` into term ids, without a string per token.

        Returns the distinct tokens in order of first appearance, the id of every token (text
        after text) and the number of tokens of each text."""
        if not self.counts_natively:
            raise ValueError(f"the {self.engine} segmenter gives tokens, not ids (use cut)")
        self._cut  # noqa: B018 - builds
        terms, ids, lengths = self._native.number(list(texts), self.hmm)
        return terms, np.frombuffer(ids, dtype=np.int32), np.frombuffer(lengths, dtype=np.int64)

    def lcut(self, text: str, HMM: bool = True) -> list[str]:  # noqa: N803 - jieba's own spelling
        """``jieba.Tokenizer.lcut``'s signature, so code written for jieba can take a Segmenter."""
        return self._cut(text, HMM)

    def __reduce__(self):
        return (_rebuild_segmenter, (self.engine, self.entries, self.words, self.hmm, self.calls))

    def __repr__(self) -> str:
        return f"Segmenter({self.engine} {self.version}, {len(self.entries)} entries, {len(self.words)} words, hmm={self.hmm})"


_SEGMENTERS_BUILT: dict[tuple, Segmenter] = {}


def _rebuild_segmenter(engine: str, entries: tuple, words: tuple, hmm: bool, calls: tuple | None = None) -> Segmenter:
    """Unpickle a Segmenter, building each configuration once per process."""
    key = (engine, entries, words, hmm)
    if key not in _SEGMENTERS_BUILT:
        _SEGMENTERS_BUILT.clear()  # keep one: a worker serves one analysis at a time
        _SEGMENTERS_BUILT[key] = Segmenter(engine, entries, words, hmm=hmm)
    built = _SEGMENTERS_BUILT[key]
    if built.calls is None and calls is not None:
        built.calls = calls
    return built


def resolved_calls(engine: str, entries: tuple, words: tuple, hmm: bool, *, only_if_loaded: bool = True) -> tuple | None:
    """The resolved ``add_word`` calls of a segmenter (see :attr:`Segmenter.calls`), worked out
    here; with ``only_if_loaded``, None unless this process has jieba's dictionary loaded
    already (a worker process asked to resolve: only the one that loaded it should)."""
    if engine != "rjieba" or (only_if_loaded and _jieba_dictionary.cache_info().currsize == 0):
        return None
    return _rebuild_segmenter(engine, entries, words, hmm).resolve().calls


def _build_jieba(entries: Sequence[tuple[str, int | None, str | None]], words: Sequence[str]) -> jieba.Tokenizer:
    tokenizer = _new_jieba()
    for word, freq, tag in entries:
        tokenizer.add_word(word, freq, tag)
    for word in words:
        tokenizer.add_word(word)
    return tokenizer


def _build_native(entries: Sequence[tuple[str, int | None, str | None]], words: Sequence[str]):
    """The compiled segmenter with the entries and words added as :func:`_build_jieba` adds
    them (a word without a frequency gets jieba's ``suggest_freq``, computed the same way)."""
    segmenter = _new_native()
    for word, freq, _ in entries:
        segmenter.add_word(word, freq)
    for word in words:
        segmenter.add_word(word)
    return segmenter


@lru_cache(maxsize=None)
def engine_version(engine: str) -> str:
    """The version that keys the token cache: the installed package's for jieba and rjieba;
    for native, its module version and a hash of the compiled file itself, so a rebuilt
    module never reuses tokens an older build cut."""
    if engine != "native":
        return package_version(engine)
    if _segment is None:
        return "missing"
    built = hashlib.sha256(Path(_segment.__file__).read_bytes()).hexdigest()[:12]
    return f"{_segment.__version__}+{built}"


def _replay_rjieba(calls: Sequence[tuple[str, int, str | None]]):
    """A jieba-rs instance with ``calls`` (from :func:`_build_rjieba`) made: no dictionary needed."""
    segmenter = _new_rjieba()
    for word, freq, tag in calls:
        segmenter.add_word(word, freq, tag)
    return segmenter


def _build_rjieba(entries: Sequence[tuple[str, int | None, str | None]], words: Sequence[str]):
    """A jieba-rs instance that cuts exactly as :func:`_build_jieba`'s tokenizer does, and the
    ``add_word`` calls that made it (to make another without jieba's dictionary).

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
    calls: list[tuple[str, int, str | None]] = []
    for word, freq, tag in additions:
        if freq is None:
            ftotal, product = float(total), 1.0
            for piece in segmenter.cut(word, False):
                product *= frequency(piece, 1) / ftotal
            freq = max(int(product * total) + 1, frequency(word, 1))
        old = added[word] if word in added else int(base.get(word, 0))
        segmenter.add_word(word, freq, tag)
        calls.append((word, freq, tag))
        added[word] = freq
        firsts.add(word[0])
        total += freq
        if old:
            surplus += old
            segmenter.add_word(_PAD_WORD, surplus, None)
            calls.append((_PAD_WORD, surplus, None))
    return segmenter, tuple(calls)


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
    entries = [entry for path in dictionaries for entry in read_dictionary(path)]
    kept = [w for w in sorted(set(words)) if _ALL_CJK.match(w) and len(w) > 1]
    return Segmenter(engine, entries, kept, hmm=hmm)


def segment(text: str, tokenizer: "jieba.Tokenizer | Segmenter", *, hmm: bool = True) -> list[str]:
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
    tokenizer: "jieba.Tokenizer | Segmenter",
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
    """Documents' tokens as integers, so that methods count them with numpy.

    ``ids`` holds every document's token ids, one document after another; ``words[i]`` is the
    token with id ``i`` (ids in order of first appearance); ``lengths`` the number of tokens in
    each document. Made once (:func:`tokenize_ids`, or :func:`token_ids` of token lists) and
    passed to :func:`~analysis.keyness.keyness` and :func:`~analysis.cooccurrence.collocations`,
    it spares each of them hashing the same millions of tokens again.
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
    ids, words = pd.factorize(pd.Series(list(chain.from_iterable(docs)), dtype=object), use_na_sentinel=False)
    lengths = np.fromiter((len(doc) for doc in docs), dtype=np.int64, count=len(docs))
    return TokenIds(ids.astype(np.int64, copy=False), words.tolist(), lengths)


def tokenize_ids(
    texts: Iterable[str],
    tokenizer: "jieba.Tokenizer | Segmenter",
    *,
    stopwords: frozenset[str] = frozenset(),
    keep: frozenset[str] = frozenset(),
    min_chars: int = 2,
    hmm: bool = True,
) -> TokenIds:
    """``token_ids(tokenize(texts, tokenizer, ...))``, the same ids and words: the kept tokens of
    each text as integers. The native segmenter numbers the tokens as it cuts, so then no
    string is made per token (a 20 MB corpus has 3.6 million of them) and each distinct token
    is judged by :func:`keep_token` once."""
    options = {"stopwords": stopwords, "keep": keep, "min_chars": min_chars}
    if not (isinstance(tokenizer, Segmenter) and tokenizer.counts_natively):
        return token_ids(tokenize(texts, tokenizer, hmm=hmm, **options))
    terms, ids, lengths = tokenizer.number_tokens(list(texts))
    kept = np.fromiter((keep_token(term, **options) for term in terms), dtype=bool, count=len(terms))
    # A kept term first appears among the kept tokens where it first appears among all of them,
    # so numbering the kept terms in the segmenter's first-seen order is pandas.factorize's order.
    renumbered = np.cumsum(kept, dtype=np.int64) - 1
    taken = kept[ids]
    before = np.zeros(len(ids) + 1, dtype=np.int64)  # kept tokens before each position
    np.cumsum(taken, out=before[1:])
    ends = np.cumsum(lengths)
    return TokenIds(renumbered[ids[taken]], [t for t, k in zip(terms, kept.tolist()) if k], before[ends] - before[ends - lengths])
