"""Measures: code what each unit emphasises with a lexicon of measures and their variants.

A lexicon is a TOML data file (see ``resources/lexicons/``): each measure has a canonical
name, an English gloss and its surface variants. Matching runs on the raw text with one
regular expression per measure, longest variant first at each position, so the result does not
depend on how the segmenter split the words. A stretch of text counts for every measure one of
whose variants it matches (改革开放 inside 深化改革开放 counts for 改革开放 and for 体制改革), and
for one measure once: a measure's matches never overlap, the longest variant winning (边防检查站,
a variant of its own, is one mention of 边境管控, not 边防 and 检查站).

A measure may also carry coding rules, still matched on the raw text:

* ``exclude = ["国民生产", …]``: contexts that cancel a match: a match of the measure lying
  inside an occurrence of one of these strings is dropped (民生 inside 国民生产);
* ``[[measure.near]]`` tables, each adding matches: an occurrence of ``match`` (a string or a
  list, longest first) counts when ``any_of`` (at least one of these) and/or ``all_of`` (every
  one of these) occur within ``within`` characters of it (before or after, not overlapping
  it), or in the same sentence when ``within = "sentence"``. An occurrence overlapping or
  touching a mention of the same measure is part of its stretch and is not added again, and ``exclude`` applies to it too.

Mentions come in text order (start, then lexicon order).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby
from operator import itemgetter
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from ..io.tomlfiles import read_toml

__all__ = [
    "Measure",
    "Lexicon",
    "load_lexicon",
    "find_mentions",
    "mention_rows",
    "MENTION_COLUMNS",
    "measure_matrix",
    "choose_period",
    "PERIOD_CODES",
    "measures_by_period",
    "DEFAULT_LEXICON",
    "shipped_lexicons",
    "lexicon_path",
    "NearRule",
    "rule_effects",
    "RULE_EFFECT_COLUMNS",
]

DEFAULT_LEXICON = Path(str(resources.files("analysis").joinpath("resources/lexicons/covid_measures.toml")))
SHIPPED_LEXICONS = DEFAULT_LEXICON.parent


def shipped_lexicons() -> list[str]:
    """Short names of the lexicons shipped in ``resources/lexicons/`` (covid_measures, emergency_management, …)."""
    return sorted(p.stem for p in SHIPPED_LEXICONS.glob("*.toml"))


def lexicon_path(name: str | Path) -> Path:
    """A lexicon's file: ``name`` itself, or the shipped lexicon of that short name
    ("emergency_management") when no such file exists."""
    path = Path(name)
    if not path.exists() and path.suffix == "" and path.parent == Path(".") and (SHIPPED_LEXICONS / f"{path.name}.toml").is_file():
        return SHIPPED_LEXICONS / f"{path.name}.toml"
    return path

_MEASURE_KEYS = {"name", "gloss", "covers", "does_not_cover", "variants", "exclude", "near"}
_NEAR_KEYS = {"match", "any_of", "all_of", "within"}
_TOP_KEYS = {"lexicon", "measure"}
#: Where a sentence ends, for ``within = "sentence"`` (as in the lexicon diagnostics).
_SENTENCE_END = re.compile(r"[。！？；!?;\n]+")


@dataclass(frozen=True)
class NearRule:
    """Count ``match`` when ``any_of`` (one of) and ``all_of`` (each of) occur within
    ``within`` characters of it, or in its sentence when ``within`` is ``"sentence"``."""

    match: tuple[str, ...]
    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    within: int | str = "sentence"

    def describe(self) -> str:
        """The rule in one line, as lexicon_report.csv shows it."""
        parts = ["near: " + "/".join(self.match)]
        if self.any_of:
            parts.append("with any of " + "/".join(self.any_of))
        if self.all_of:
            parts.append("with all of " + "/".join(self.all_of))
        parts.append("in the same sentence" if self.within == "sentence" else f"within {self.within} characters")
        return " ".join(parts)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("|".join(re.escape(m) for m in sorted(self.match, key=lambda m: (-len(m), m))))


@dataclass(frozen=True)
class Measure:
    """A coded measure: canonical name (a column in measures.csv), gloss, surface variants,
    optional coding rules (``exclude`` contexts, ``near`` rules), and what it covers and does
    not cover, in words, for coders and readers (the coding workbook's ``measures`` sheet)."""

    name: str
    gloss: str
    variants: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    near: tuple[NearRule, ...] = ()
    covers: str = ""
    does_not_cover: str = ""

    @property
    def has_rules(self) -> bool:
        return bool(self.exclude or self.near)


@dataclass(frozen=True)
class Lexicon:
    """An ordered set of measures, read from a TOML file."""

    name: str
    measures: tuple[Measure, ...]
    description: str = ""
    path: str = ""

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.measures]

    @property
    def glosses(self) -> dict[str, str]:
        return {m.name: m.gloss for m in self.measures}

    @cached_property
    def variant_to_measure(self) -> dict[str, str]:
        return {v: m.name for m in self.measures for v in m.variants}

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Leftmost-longest matching of every variant of every measure (one stretch, one
        variant): what the diagnostics use to see which variant a text holds."""
        return _grouped_pattern(self.variant_to_measure)

    @cached_property
    def measures_by_first(self) -> dict[str, tuple[str, ...]]:
        """First character → the measures with a variant beginning with it."""
        found: dict[str, list[str]] = {}
        for m in self.measures:
            for first in dict.fromkeys(v[0] for v in m.variants):
                found.setdefault(first, []).append(m.name)
        return {k: tuple(v) for k, v in found.items()}

    @cached_property
    def pattern_of(self) -> dict[str, re.Pattern[str]]:
        """Measure name → its own pattern."""
        return dict(zip(self.names, self.measure_patterns))

    @cached_property
    def order(self) -> dict[str, int]:
        """Measure name → its position in the lexicon."""
        return {name: i for i, name in enumerate(self.names)}

    @cached_property
    def measure_patterns(self) -> tuple[re.Pattern[str], ...]:
        """One leftmost-longest pattern per measure, in lexicon order: each measure finds its
        own stretches, so stretches of different measures may overlap."""
        return tuple(_grouped_pattern(m.variants) for m in self.measures)

    @cached_property
    def has_rules(self) -> bool:
        """Whether any measure carries an ``exclude`` or ``near`` rule."""
        return any(m.has_rules for m in self.measures)

    @cached_property
    def rules(self) -> _Rules:
        """The rules as :func:`_apply_rules` reads them, worked out once."""
        return _Rules(self)

    def terms(self) -> frozenset[str]:
        """Every canonical name and variant: tokens the token filter must keep."""
        return frozenset(self.variant_to_measure) | frozenset(self.names)


def _grouped_pattern(variants: Sequence[str] | dict[str, str]) -> re.Pattern[str]:
    """Leftmost-longest matching of ``variants``: one alternative per first character, holding
    that character's variants longest first ("外(?:防输入|来人员|…)"), so at each position only
    the variants that can start there are tried (a third faster than one flat alternation)."""
    groups = []
    for first, group in groupby(sorted(set(variants)), key=itemgetter(0)):
        rests = sorted((v[1:] for v in group), key=lambda rest: (-len(rest), rest))
        if rests == [""]:
            groups.append(re.escape(first))
        else:
            groups.append(re.escape(first) + "(?:" + "|".join(map(re.escape, rests)) + ")")
    return re.compile("|".join(groups))


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read and check a lexicon TOML file, or a shipped lexicon by short name
    ("emergency_management"); errors name the file and the offending key.

    Parameters
    ----------
    path : str, Path or None
        A lexicon file, or the name of a shipped lexicon (``covid_measures``,
        ``emergency_management``, ``gov_work_reports``); None: ``covid_measures``.

    Returns
    -------
    Lexicon
        ``name``, ``description``, ``path`` and ``measures``: each measure with its canonical
        ``name``, English ``gloss``, surface ``variants``, coding rules (``exclude``, ``near``)
        and what it ``covers`` and ``does_not_cover``.

    Examples
    --------
    >>> from analysis import load_lexicon
    >>> lexicon = load_lexicon("emergency_management")
    >>> lexicon.name, len(lexicon.measures)
    ('emergency-management-measures', 18)
    >>> load_lexicon().measures[1].name
    '不聚集'
    """
    path = lexicon_path(path) if path is not None else DEFAULT_LEXICON
    shipped = ", ".join(shipped_lexicons())
    data, _ = read_toml(path, kind="lexicon", missing=f"check the path, or name a shipped lexicon: {shipped}")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key '{sorted(unknown)[0]}' (expected [lexicon] and [[measure]] tables)")
    entries = data.get("measure")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: no [[measure]] entries (add at least one measure with name and variants)")
    measures: list[Measure] = []
    owner: dict[str, str] = {}
    for i, entry in enumerate(entries, start=1):
        where = f"{path}: measure {i}"
        unknown = set(entry) - _MEASURE_KEYS
        if unknown:
            raise ConfigError(
                f"{where}: unknown key '{sorted(unknown)[0]}' (allowed: name, gloss, covers, does_not_cover, variants, exclude, near)"
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: missing 'name' (give each measure a canonical name)")
        variants = entry.get("variants", [name])
        if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip() for v in variants) or not variants:
            raise ConfigError(f"{where} ({name}): 'variants' must be a non-empty list of strings")
        if name in (m.name for m in measures):
            raise ConfigError(f"{where}: measure '{name}' is defined twice (merge the entries)")
        for variant in variants:
            if variant in owner and owner[variant] != name:
                raise ConfigError(
                    f"{where} ({name}): variant '{variant}' already belongs to '{owner[variant]}' (keep it in one measure)"
                )
            owner[variant] = name
        exclude = _strings(entry.get("exclude", []), f"{where} ({name}): 'exclude'")
        near_entries = entry.get("near", [])
        if isinstance(near_entries, dict):
            near_entries = [near_entries]
        if not isinstance(near_entries, list):
            raise ConfigError(f"{where} ({name}): 'near' must be a table or a list of tables ([[measure.near]])")
        near = tuple(_near_rule(rule, f"{where} ({name}): near rule {j}") for j, rule in enumerate(near_entries, start=1))
        notes = {}
        for key in ("covers", "does_not_cover"):
            value = entry.get(key, "")
            if not isinstance(value, str):
                raise ConfigError(f"{where} ({name}): '{key}' must be a string (what the measure {key.replace('_', ' ')}, in words)")
            notes[key] = " ".join(value.split())
        measures.append(
            Measure(
                name=name, gloss=str(entry.get("gloss", "")), variants=tuple(dict.fromkeys(variants)),
                exclude=tuple(dict.fromkeys(exclude)), near=near, **notes,
            )
        )
    meta = data.get("lexicon", {})
    return Lexicon(
        name=str(meta.get("name", path.stem)),
        description=str(meta.get("description", "")),
        measures=tuple(measures),
        path=str(path),
    )


def _strings(value: object, where: str, *, allow_one: bool = True) -> list[str]:
    """A list of non-empty strings (or one string, when ``allow_one``), else a ConfigError."""
    if allow_one and isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of non-empty strings")
    return list(value)


def _near_rule(entry: object, where: str) -> NearRule:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table with match, any_of or all_of, and within")
    unknown = set(entry) - _NEAR_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key '{sorted(unknown)[0]}' (allowed: match, any_of, all_of, within)")
    if "match" not in entry:
        raise ConfigError(f"{where}: missing 'match' (the expression that becomes the mention)")
    match = _strings(entry["match"], f"{where}: 'match'")
    any_of = _strings(entry.get("any_of", []), f"{where}: 'any_of'")
    all_of = _strings(entry.get("all_of", []), f"{where}: 'all_of'")
    if not match or not (any_of or all_of):
        raise ConfigError(f"{where}: give 'match' and at least one of 'any_of' or 'all_of'")
    within = entry.get("within", "sentence")
    if not (within == "sentence" or (isinstance(within, int) and not isinstance(within, bool) and within >= 0)):
        raise ConfigError(f"{where}: 'within' must be a number of characters (0 or more) or \"sentence\", not {within!r}")
    return NearRule(
        match=tuple(dict.fromkeys(match)), any_of=tuple(dict.fromkeys(any_of)), all_of=tuple(dict.fromkeys(all_of)),
        within=within,
    )


MENTION_COLUMNS = ["doc_id", "measure", "variant", "start", "end"]


def find_mentions(texts: Sequence[str], doc_ids: Sequence[str], lexicon: Lexicon, *, effects: dict | None = None) -> pd.DataFrame:
    """Every mention of a measure: ``doc_id, measure, variant, start, end`` (character offsets).

    Variants are matched on the raw text, longest first, so counts do not depend on the
    segmentation; then the coding rules (``exclude``, ``near``) cancel or add matches.

    Parameters
    ----------
    texts : sequence of str
        The texts to code.
    doc_ids : sequence of str
        One id per text.
    lexicon : Lexicon
        From :func:`load_lexicon`.
    effects : dict, optional
        Where to add what each rule did in these texts, as :func:`rule_effects` counts it
        (``{(measure, rule, effect): matches}``, non-zero counts only; :func:`effects_frame`
        makes the table): a run gets it from the same pass that found the mentions.

    Returns
    -------
    pandas.DataFrame
        One row per mention, in text order.

    Examples
    --------
    >>> from analysis import find_mentions, load_lexicon
    >>> find_mentions(["各单位严禁聚集，做好个人防护。"], ["d1"], load_lexicon())
      doc_id measure variant  start  end
    0     d1     不聚集      聚集      5    7
    1     d1    个人防护    个人防护     10   14
    """
    return pd.DataFrame(mention_rows(texts, doc_ids, lexicon, effects=effects), columns=MENTION_COLUMNS)


def mention_rows(
    texts: Sequence[str], doc_ids: Sequence[str], lexicon: Lexicon, *, effects: dict | None = None
) -> list[tuple[str, str, str, int, int]]:
    """The rows of :func:`find_mentions`, in document order: a task worker processes can run
    on part of a corpus (``effects``: as for :func:`find_mentions`)."""
    rows = []
    nothing = lexicon.rules.no_effects if lexicon.has_rules else None  # a text where no rule did anything: nothing to add
    for doc_id, text in zip(doc_ids, texts, strict=True):
        found, done = _apply_rules(text, lexicon)
        rows.extend((doc_id, measure, variant, start, end) for measure, variant, start, end in found)
        if effects is not None and done is not nothing:
            for measure, rule, effect, n in done:
                if n:
                    effects[(measure, rule, effect)] = effects.get((measure, rule, effect), 0) + n
    return rows


def _variant_matches(text: str, lexicon: Lexicon) -> list[tuple[str, str, int, int]]:
    """Each measure's own leftmost-longest matches (a measure's matches never overlap):
    (measure, variant, start, end), by start then lexicon order.

    The same as running each measure's pattern over the text (:func:`_variant_matches_slow`),
    in one pass of the whole lexicon's pattern: a measure's variant can only start where that
    pass matched or inside what it matched (anywhere else the pass would have found it), so
    each other measure is tried only there, and only where one of its variants begins with the
    character at hand."""
    owner, starting, patterns, order = lexicon.variant_to_measure, lexicon.measures_by_first, lexicon.pattern_of, lexicon.order
    candidates: dict[str, dict[int, tuple[str, int]]] = {}
    for m in lexicon.pattern.finditer(text):
        start, end, variant = m.start(), m.end(), m.group(0)
        first = owner[variant]
        candidates.setdefault(first, {})[start] = (variant, end)
        for p in range(start, end):
            for name in starting.get(text[p], ()):
                if name == first and p == start:
                    continue
                other = patterns[name].match(text, p)
                if other is not None:
                    candidates.setdefault(name, {})[p] = (other.group(0), other.end())
    found = []
    for name, at in candidates.items():
        last_end = -1
        for start in sorted(at):
            variant, end = at[start]
            if start >= last_end:
                found.append((start, order[name], name, variant, end))
                last_end = end
    found.sort()
    return [(name, variant, start, end) for start, _, name, variant, end in found]


def _variant_matches_slow(text: str, lexicon: Lexicon) -> list[tuple[str, str, int, int]]:
    """:func:`_variant_matches` the plain way, one pass per measure (the reference in tests)."""
    found = []
    for order, (measure, pattern) in enumerate(zip(lexicon.measures, lexicon.measure_patterns)):
        found.extend((m.start(), order, measure.name, m.group(0), m.end()) for m in pattern.finditer(text))
    found.sort()
    return [(name, variant, start, end) for start, _, name, variant, end in found]


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Every occurrence of ``needle`` in ``text``, overlapping ones included: (start, end)."""
    spans, at = [], text.find(needle)
    while at >= 0:
        spans.append((at, at + len(needle)))
        at = text.find(needle, at + 1)
    return spans


def _sentence_bounds(text: str) -> list[int]:
    """The offsets where sentences end: a position's sentence is found by bisection."""
    return [m.start() for m in _SENTENCE_END.finditer(text)]


def _near_holds(
    rule: NearRule, text: str, start: int, end: int, bounds: list[int] | None, starts: dict[str, list[int]] | None = None
) -> bool:
    """Whether ``rule``'s companions occur near the span ``start:end`` of ``text``.

    Each companion's occurrences are found once per text (``starts``: word → sorted start
    offsets, filled as needed) and the nearest one on each side is checked by bisection, so a
    huge window (``within = 1000000000``, or a sentence as long as the text) costs no more than
    a small one: looking through the window at every match took time with the square of the text."""
    from bisect import bisect_left, bisect_right

    if rule.within == "sentence":
        assert bounds is not None
        i = bisect_right(bounds, start)
        low = bounds[i - 1] + 1 if i else 0
        high = bounds[i] if i < len(bounds) else len(text)
        gap = len(text)
    else:
        gap = int(rule.within)
        low, high = 0, len(text)  # the gap bounds the distance
    starts = {} if starts is None else starts

    def present(word: str) -> bool:
        """An occurrence of ``word`` in the window, beside the match (not on it), at most ``gap`` away."""
        if word not in starts:
            starts[word] = [a for a, _ in _occurrences(text, word)]
        found, size = starts[word], len(word)
        before = bisect_right(found, start - size) - 1  # the last one ending at or before the match
        if before >= 0 and found[before] >= low and start - (found[before] + size) <= gap:
            return True
        after = bisect_left(found, end)  # the first one starting at or after its end
        return after < len(found) and found[after] + size <= high and found[after] - end <= gap

    if rule.all_of and not all(present(w) for w in rule.all_of):
        return False
    return not rule.any_of or any(present(w) for w in rule.any_of)


class _Rules:
    """What :func:`_apply_rules` needs of a lexicon's rules, worked out once per lexicon rather
    than once per text: each measure by name, the near rules with their one-line descriptions
    (lexicon_report.csv's ``rule``), and the effect rows in lexicon order."""

    def __init__(self, lexicon: Lexicon):
        self.by_name = {m.name: m for m in lexicon.measures}
        self.order = {name: i for i, name in enumerate(lexicon.names)}
        self.sentences = any(r.within == "sentence" for m in lexicon.measures for r in m.near)
        # (measure, rule, its description), in lexicon order
        self.near = [(m, r, r.describe()) for m in lexicon.measures for r in m.near]
        # Which near rules can match a text (:meth:`words_in`): at a position ``longest`` gives
        # the longest rule word starting there, and a shorter word starting there is a prefix of
        # it; so a rule can match iff one of its words is a prefix of a word found.
        words = {w for _, r, _ in self.near for w in r.match}
        self.words = _grouped_pattern(words) if words else None
        self.longest = re.compile(f"(?=({self.words.pattern}))") if words else None
        self.rules_of = {
            found: [i for i, (_, r, _) in enumerate(self.near) if any(found.startswith(w) for w in r.match)] for found in words
        }
        self.effects: list[tuple[tuple[str, str], tuple[str, str, str]]] = [
            row
            for m in lexicon.measures
            for row in (
                *(((m.name, context), (m.name, f"exclude: {context}", "removed")) for context in m.exclude),
                *(((m.name, r.describe()), (m.name, r.describe(), "added")) for r in m.near),
            )
        ]
        self.no_effects = [(*row, 0) for _, row in self.effects]

    def words_in(self, text: str) -> set[str]:
        """The longest rule word starting at each position of ``text`` where one starts.

        One plain pass (leftmost-longest, non-overlapping) finds them except where a word starts
        inside another's match: only those few positions are tried one by one (the lookahead
        tried at every position of every text cost five times as much)."""
        found = set()
        for m in self.words.finditer(text):
            found.add(m.group(0))
            for inside in range(m.start() + 1, m.end()):
                other = self.longest.match(text, inside)
                if other is not None:
                    found.add(other.group(1))
        return found


def _apply_rules(text: str, lexicon: Lexicon) -> tuple[list[tuple[str, str, int, int]], list[tuple[str, str, str, int]]]:
    """Mentions in ``text`` with the lexicon's rules applied: (measure, variant, start, end)
    in text order, and what each rule did: (measure, rule, "added"/"removed", count).

    A near rule none of whose ``match`` words is in the text is not searched for (a substring
    test costs less than a regular-expression pass): it can add nothing there."""
    found = _variant_matches(text, lexicon)
    if not lexicon.has_rules:
        return found, []
    rules = lexicon.rules
    by_name = rules.by_name

    spans: dict[str, list[tuple[int, int]]] = {}

    def excluded(measure: Measure, start: int, end: int) -> str | None:
        """The first ``exclude`` context of ``measure`` whose occurrence holds start:end."""
        for context in measure.exclude:
            if context not in spans:
                spans[context] = _occurrences(text, context)
            if any(a <= start and end <= b for a, b in spans[context]):
                return context
        return None

    kept = []
    removed: Counter[tuple[str, str]] = Counter()
    for row in found:
        context = excluded(by_name[row[0]], row[2], row[3]) if by_name[row[0]].exclude else None
        if context is None:
            kept.append(row)
        else:
            removed[(row[0], context)] += 1
    near = [rules.near[i] for i in sorted({i for w in rules.words_in(text) for i in rules.rules_of[w]})] if rules.words else []
    bounds = None  # where the text's sentences end: found when a rule within a sentence first needs them
    taken: dict[str, list[tuple[int, int]]] = {}  # each measure's stretches, sorted and disjoint
    if near:
        for name, _, start, end in kept:
            bisect.insort(taken.setdefault(name, []), (start, end))
    starts: dict[str, list[int]] = {}
    added: Counter[tuple[str, str]] = Counter()
    for measure, rule, label in near:
        for m in rule.pattern.finditer(text):
            start, end = m.start(), m.end()
            # part of a stretch this measure already counts (overlapping or touching it): counted once
            own = taken.get(measure.name, [])
            i = bisect.bisect_right(own, (end, len(text) + 1)) - 1  # the stretch starting last at or before ``end``
            if i >= 0 and own[i][1] >= start:
                continue
            if bounds is None and rule.within == "sentence":
                bounds = _sentence_bounds(text)
            if not _near_holds(rule, text, start, end, bounds, starts):
                continue
            context = excluded(measure, start, end) if measure.exclude else None
            if context is not None:
                removed[(measure.name, context)] += 1
                continue
            kept.append((measure.name, m.group(0), start, end))
            bisect.insort(taken.setdefault(measure.name, []), (start, end))
            added[(measure.name, label)] += 1
    if added:  # ``found`` is in this order already
        order = rules.order
        kept.sort(key=lambda row: (row[2], order[row[0]], row[3]))
    if not removed and not added:
        return kept, rules.no_effects  # shared: read, never changed
    effects = [(*row, (removed if row[2] == "removed" else added)[key]) for key, row in rules.effects]
    return kept, effects


RULE_EFFECT_COLUMNS = ["measure", "rule", "effect", "matches"]


def rule_effects(texts: Sequence[str], lexicon: Lexicon) -> pd.DataFrame:
    """What each coding rule did over the corpus: ``measure, rule, effect, matches``, one row
    per rule in lexicon order; ``effect`` is "removed" (an ``exclude`` context: matches it
    cancelled) or "added" (a ``near`` rule: matches it added). Empty without rules.

    Parameters
    ----------
    texts : sequence of str
        The texts (e.g. the analysed texts of a corpus).
    lexicon : Lexicon
        From :func:`load_lexicon`.

    Returns
    -------
    pandas.DataFrame
        One row per rule.

    Examples
    --------
    >>> from analysis import load_lexicon, rule_effects
    >>> rules = load_lexicon("examples/rules-lexicon.toml")
    >>> rule_effects(["保障民生，国民生产总值增长。严禁聚集。"], rules)[["measure", "effect", "matches"]]
      measure   effect  matches
    0     不聚集    added        1
    1      民生  removed        1
    2      民生  removed        0
    3    复工复产    added        0
    """
    totals: dict[tuple[str, str, str], int] = {}
    for text in texts:
        _, effects = _apply_rules(str(text), lexicon)
        for measure, rule, effect, n in effects:
            if n:
                totals[(measure, rule, effect)] = totals.get((measure, rule, effect), 0) + n
    return effects_frame(totals, lexicon)


def effects_frame(totals: dict[tuple[str, str, str], int], lexicon: Lexicon) -> pd.DataFrame:
    """:func:`rule_effects`' table of the counts ``totals`` (``{(measure, rule, effect): matches}``,
    as :func:`find_mentions` adds them up): one row per rule in lexicon order, 0 where absent."""
    rows = [(*row, totals.get(row, 0)) for row in dict.fromkeys(row for _, row in lexicon.rules.effects)] if lexicon.has_rules else []
    return pd.DataFrame(rows, columns=RULE_EFFECT_COLUMNS)


def measure_matrix(
    mentions: pd.DataFrame, groups: pd.Series, lexicon: Lexicon, *, presence: bool = False
) -> pd.DataFrame:
    """Group × measure table of mention counts (or 0/1 presence), measures in lexicon order.

    ``groups`` maps doc_id (its index) to the group, e.g. the unit; documents whose group is
    empty are left out. Every group appears, even one with no mentions.
    """
    groups = groups[groups.astype(bool)]
    order = list(dict.fromkeys(groups))
    joined = mentions.merge(groups.rename("group"), left_on="doc_id", right_index=True)
    table = pd.crosstab(joined["group"], joined["measure"]) if not joined.empty else pd.DataFrame()
    table = table.reindex(index=order, columns=lexicon.names, fill_value=0).fillna(0).astype(int)
    table.index.name = groups.name or "group"
    table.columns.name = None
    return (table > 0).astype(int) if presence else table


#: pandas' period code for each period kind: the one place trends, headlines and the explorer read it.
PERIOD_CODES = {"day": "D", "month": "M", "year": "Y"}


def choose_period(dates: pd.Series) -> str:
    """"day", "month" or "year": the finest period that keeps a timeline readable (≤ 60 columns)."""
    dates = pd.to_datetime(dates.dropna())
    if dates.empty:
        return "day"
    span_days = (dates.max() - dates.min()).days + 1
    if span_days <= 60:
        return "day"
    if span_days <= 60 * 31:
        return "month"
    return "year"


def measures_by_period(
    mentions: pd.DataFrame, dates: pd.Series, lexicon: Lexicon, *, period: str | None = None
) -> pd.DataFrame:
    """Period × measure table of mention counts; a report is counted at its start date.

    ``dates`` maps doc_id (its index) to a date; undated documents are left out. Every period
    between the first and the last appears, even one without mentions, so gaps show.
    """
    dates = pd.to_datetime(dates.dropna())
    period = period or choose_period(dates)
    freq = PERIOD_CODES[period]
    if dates.empty:
        return pd.DataFrame(columns=lexicon.names)
    keys = dates.dt.to_period(freq)
    joined = mentions.merge(keys.rename("period"), left_on="doc_id", right_index=True)
    table = pd.crosstab(joined["period"], joined["measure"]) if not joined.empty else pd.DataFrame()
    full = pd.period_range(keys.min(), keys.max(), freq=freq)
    table = table.reindex(index=full, columns=lexicon.names, fill_value=0).fillna(0).astype(int)
    table.index = [str(p) for p in table.index]
    table.index.name = period
    return table
