"""Units: recognise a reporting unit's name by what it is, a short name with an administrative
or organisational suffix, read as a chain from its parents down (林区公安局鹤北分局).

The vocabulary (suffixes by rank, generic words, words that open a predicate) is a data file,
``resources/page_units.toml``; the functions here are pure and take the text to read from
its start, so the page reader decides where a unit may stand (a heading, an ``X:`` prefix,
the opening of a paragraph, the clause after a date).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .tomlfiles import tomllib

__all__ = ["UnitMatch", "UnitVocabulary", "unit_vocabulary", "read_unit", "unit_key"]

_CONNECTORS = "、和与及"


@dataclass(frozen=True)
class UnitVocabulary:
    """Suffixes with their rank (1 = largest), and the words that rule a name out."""

    ranks: dict[str, int]
    bodies: frozenset[str]
    places: frozenset[str]
    one_char_names: frozenset[str]
    not_before: frozenset[str]
    generic_prefixes: tuple[str, ...]
    function_chars: frozenset[str]
    predicate_words: tuple[str, ...]
    time_words: tuple[str, ...]

    @property
    def suffixes(self) -> tuple[str, ...]:
        """Every suffix, longest first (so 公安分局 is tried before 分局 and 局)."""
        return tuple(sorted(self.ranks, key=lambda s: (-len(s), s)))


@lru_cache(maxsize=1)
def unit_vocabulary() -> UnitVocabulary:
    """The shipped vocabulary of ``resources/page_units.toml``."""
    data = tomllib.loads(resources.files("analysis").joinpath("resources/page_units.toml").read_text("utf-8"))
    ranks = {suffix: int(rank) for rank, suffixes in data["suffixes"].items() for suffix in suffixes}
    rules = data["rules"]
    return UnitVocabulary(
        ranks=ranks,
        bodies=frozenset(rules["bodies"]),
        places=frozenset(rules["places"]),
        one_char_names=frozenset(rules["one_char_names"]),
        not_before=frozenset(rules["not_before"]),
        generic_prefixes=tuple(rules["generic_prefixes"]),
        function_chars=frozenset(rules["function_chars"]),
        predicate_words=tuple(rules["predicate_words"]),
        time_words=tuple(sorted(rules["time_words"], key=len, reverse=True)),
    )


@dataclass(frozen=True)
class UnitMatch:
    """A unit read at the start of a text: its name, suffix and where it ends.

    ``start`` and ``end`` are offsets in the text read (``end`` after the suffix); ``parent``
    is the chain before it ("林区公安局" for 鹤北分局), ``body`` a functional body written
    behind it ("公安局" in 泗阳县公安局), kept in ``unit_name``.
    """

    name: str
    suffix: str
    start: int
    end: int
    parent: str = ""
    body: str = ""

    @property
    def unit_name(self) -> str:
        return self.name + self.suffix + self.body


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff"


def _link_at(text: str, pos: int, vocab: UnitVocabulary, suffixes: tuple[str, ...], max_chars: int) -> tuple[str, str] | None:
    """The shortest name at ``pos`` followed by a suffix (longest first): (name, suffix)."""
    for n in range(1, max_chars + 1):
        name = text[pos : pos + n]
        if len(name) < n or not _is_cjk(name[-1]) or name[-1] in vocab.function_chars:
            return None
        if n == 1 and name.startswith(vocab.predicate_words):
            return None
        for suffix in suffixes:
            if not text.startswith(suffix, pos + n):
                continue
            if len(suffix) == 1 and (n == 1 and suffix not in vocab.one_char_names or text[pos + n + 1 : pos + n + 2] in vocab.not_before):
                continue  # 辖区, 重点区域, 村民: a common word, not a name and its suffix
            return name, suffix
    return None


def _chain(text: str, start: int, vocab: UnitVocabulary, max_chars: int) -> list[tuple[int, str, str]]:
    """The links (offset, name, suffix) of a unit chain at ``start``, ranks never going down."""
    links: list[tuple[int, str, str]] = []
    pos, rank = start, 0
    suffixes = vocab.suffixes
    while pos < len(text):
        at = pos + 1 if links and text[pos] in _CONNECTORS else pos
        if text.startswith(vocab.predicate_words, at):
            break
        if links and links[-1][2] in vocab.places and at == pos:
            body = next((b for b in vocab.suffixes if b in vocab.bodies and len(b) > 1 and text.startswith(b, at)), None)
            if body is not None:  # 甜水镇人民政府, 常州市公安局: a body right behind its place, any rank
                links.append((at, "", body))
                pos = at + len(body)
                continue
        link = _link_at(text, at, vocab, suffixes, max_chars)
        if link is None or vocab.ranks[link[1]] < rank:
            break
        if links and at > pos and vocab.ranks[link[1]] != rank:
            break  # "A镇和B镇": a connector joins links of one rank only
        links.append((at, *link))
        rank = vocab.ranks[link[1]]
        pos = at + len(link[0]) + len(link[1])
    return links


def read_unit(
    text: str,
    *,
    start: int = 0,
    unit_suffixes: tuple[str, ...] | None = None,
    max_chars: int = 6,
    generic_prefixes: tuple[str, ...] = (),
    vocab: UnitVocabulary | None = None,
) -> UnitMatch | None:
    """The unit named at ``text[start:]``, or None.

    "林区公安局鹤北分局局长…" gives 鹤北 + 分局 (parent 林区公安局); "泗阳县公安局向…" gives
    泗阳 + 县 with the body 公安局; "全县各单位…" gives None (a generic word). The unit is the
    last link of the chain whose suffix is in ``unit_suffixes`` (None: every suffix).
    """
    vocab = vocab or unit_vocabulary()
    links = _chain(text, start, vocab, max_chars)
    if not links:
        return None
    allowed = set(unit_suffixes) if unit_suffixes is not None else None
    end = links[-1][0] + len(links[-1][1]) + len(links[-1][2])
    if text[end : end + 1] in ("各", "全", "讯") or text.startswith("等", end):
        return None  # 雅安市各部门: every unit of a place, not one; 掌上梅州讯: a news dateline
    body = ""
    last = len(links) - 1
    if allowed is None and len(links) > 1 and links[-1][2] in vocab.bodies and links[-2][2] in vocab.places:
        body = links[-1][1] + links[-1][2]
        last -= 1
    if allowed is not None:
        while last >= 0 and links[last][2] not in allowed:
            last -= 1
        if last < 0:
            return None
    offset, name, suffix = links[last]
    prefixes = tuple(generic_prefixes) + vocab.generic_prefixes
    if name.startswith(prefixes) or name.startswith(vocab.predicate_words):
        return None
    return UnitMatch(
        name=name,
        suffix=suffix,
        start=offset,
        end=offset + len(name) + len(suffix) + len(body),
        parent=text[start:offset],
        body=body,
    )


def unit_key(match: UnitMatch) -> str:
    """The short name a unit is grouped by: its name without suffix or parent (鹤北 for
    林区公安局鹤北分局), or with its suffix when the name is a single character (冠县)."""
    return match.name if len(match.name) > 1 else match.name + match.suffix
