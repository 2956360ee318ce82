"""Measures: code what each unit emphasises with a lexicon of measures and their variants.

A lexicon is a TOML data file (see ``resources/lexicons/``): each measure has a canonical
name, an English gloss and its surface variants. Matching runs on the raw text with one
regular expression, longest variant first at each position, so a stretch of text counts for
one measure once and the result does not depend on how the segmenter split the words.
"""

from __future__ import annotations

import re
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
    "measures_by_period",
    "DEFAULT_LEXICON",
    "shipped_lexicons",
    "lexicon_path",
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

_MEASURE_KEYS = {"name", "gloss", "variants"}
_TOP_KEYS = {"lexicon", "measure"}


@dataclass(frozen=True)
class Measure:
    """A coded measure: canonical name (a column in measures.csv), gloss, surface variants."""

    name: str
    gloss: str
    variants: tuple[str, ...]


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
        """Leftmost-longest matching of every variant: one alternative per first character,
        holding that character's variants longest first ("外(?:防输入|来人员|…)"), so at each
        position only the variants that can start there are tried (a third faster than one
        flat alternation)."""
        groups = []
        for first, variants in groupby(sorted(self.variant_to_measure), key=itemgetter(0)):
            rests = sorted((v[1:] for v in variants), key=lambda rest: (-len(rest), rest))
            if rests == [""]:
                groups.append(re.escape(first))
            else:
                groups.append(re.escape(first) + "(?:" + "|".join(map(re.escape, rests)) + ")")
        return re.compile("|".join(groups))

    def terms(self) -> frozenset[str]:
        """Every canonical name and variant: tokens the token filter must keep."""
        return frozenset(self.variant_to_measure) | frozenset(self.names)


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read and check a lexicon TOML file, or a shipped lexicon by short name
    ("emergency_management"); errors name the file and the offending key."""
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
            raise ConfigError(f"{where}: unknown key '{sorted(unknown)[0]}' (allowed: name, gloss, variants)")
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
        measures.append(Measure(name=name, gloss=str(entry.get("gloss", "")), variants=tuple(dict.fromkeys(variants))))
    meta = data.get("lexicon", {})
    return Lexicon(
        name=str(meta.get("name", path.stem)),
        description=str(meta.get("description", "")),
        measures=tuple(measures),
        path=str(path),
    )


MENTION_COLUMNS = ["doc_id", "measure", "variant", "start", "end"]


def find_mentions(texts: Sequence[str], doc_ids: Sequence[str], lexicon: Lexicon) -> pd.DataFrame:
    """Every mention of a measure: ``doc_id, measure, variant, start, end`` (character offsets)."""
    return pd.DataFrame(mention_rows(texts, doc_ids, lexicon), columns=MENTION_COLUMNS)


def mention_rows(texts: Sequence[str], doc_ids: Sequence[str], lexicon: Lexicon) -> list[tuple[str, str, str, int, int]]:
    """The rows of :func:`find_mentions`, in document order: a task worker processes can run
    on part of a corpus."""
    rows = []
    pattern, owner = lexicon.pattern, lexicon.variant_to_measure
    for doc_id, text in zip(doc_ids, texts, strict=True):
        for match in pattern.finditer(text):
            rows.append((doc_id, owner[match.group(0)], match.group(0), match.start(), match.end()))
    return rows


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
    freq = {"day": "D", "month": "M", "year": "Y"}[period]
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
