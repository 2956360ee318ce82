"""Settings for one analysis run, from defaults, a TOML config file, or keyword arguments.

A config file has one table per stage; unknown keys are errors, so a typo never silently
falls back to a default. Relative paths in a config file are taken from the file's folder.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Settings", "load_settings", "make_settings"]


@dataclass(frozen=True)
class Settings:
    """Every choice a run makes; the defaults analyse the shipped bulletin."""

    # [corpus]
    corpus: Path | None = None  # None: the shipped bulletin
    unit_suffixes: tuple[str, ...] = ("分局",)
    # [tokens]
    dictionaries: tuple[Path, ...] | None = None  # None: the shipped policy dictionary
    stopwords: tuple[Path, ...] | None = None  # None: the shipped stopword list
    extra_words: tuple[str, ...] = ()
    extra_stopwords: tuple[str, ...] = ()
    min_chars: int = 2
    hmm: bool = True
    segmenter: str = "rjieba"  # "rjieba" (fast, same tokens as jieba) or "jieba" (the reference)
    cache: bool = True  # reuse token counts of documents already segmented
    cache_dir: Path | None = None  # None: the user cache folder (~/.cache/policy-analysis)
    # [engine]
    engine: str = "local"  # "local" (threads on this machine) or "dask" (a Dask cluster)
    scheduler: str | None = None  # Dask scheduler address; None: start a local cluster
    workers: int | None = None  # threads/processes; None: every core
    progress: bool | None = None  # progress bar; None: on a terminal or in a notebook only
    # [measures]
    lexicon: Path | None = None  # None: the shipped COVID-measures lexicon
    # [clusters]
    k: int | None = None  # None: chosen by silhouette
    metric: str = "jaccard"
    linkage: str = "average"
    # [figures]
    font: str | None = None
    top_terms: int = 25
    figures: bool = True
    source: Path | None = field(default=None, compare=False)  # the config file, if any

    def with_overrides(self, **changes: Any) -> "Settings":
        """A copy with the given (non-None) values replaced."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_SECTIONS: dict[str, dict[str, str]] = {
    "corpus": {"path": "corpus", "unit_suffixes": "unit_suffixes"},
    "tokens": {
        "dictionaries": "dictionaries",
        "stopwords": "stopwords",
        "extra_words": "extra_words",
        "extra_stopwords": "extra_stopwords",
        "min_chars": "min_chars",
        "hmm": "hmm",
        "segmenter": "segmenter",
        "cache": "cache",
        "cache_dir": "cache_dir",
    },
    "engine": {"name": "engine", "scheduler": "scheduler", "workers": "workers"},
    "measures": {"lexicon": "lexicon"},
    "clusters": {"k": "k", "metric": "metric", "linkage": "linkage"},
    "figures": {"font": "font", "top_terms": "top_terms", "enabled": "figures"},
}
_PATHS = {"corpus", "lexicon", "cache_dir"}
_PATH_LISTS = {"dictionaries", "stopwords"}
_STR_LISTS = {"unit_suffixes", "extra_words", "extra_stopwords"}


def load_settings(path: str | Path) -> Settings:
    """Read a TOML config file into :class:`Settings`; errors name the file and the key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (write one with `python -m analysis init`)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error} (fix the syntax there)") from None
    base = path.resolve().parent
    values: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Settings)}
    for section, table in data.items():
        if section not in _SECTIONS:
            raise ConfigError(f"{path}: unknown section [{section}] (known: {', '.join(_SECTIONS)})")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: '{section}' must be a table, written [{section}]")
        for key, value in table.items():
            name = _SECTIONS[section].get(key)
            if name is None:
                raise ConfigError(f"{path}: unknown key '{section}.{key}' (known: {', '.join(_SECTIONS[section])})")
            values[name] = _convert(path, f"{section}.{key}", name, value, base, types[name])
    return Settings(source=path, **values)


def _convert(path: Path, key: str, name: str, value: Any, base: Path, kind: Any) -> Any:
    def fail(expected: str) -> ConfigError:
        return ConfigError(f"{path}: '{key}' must be {expected}, not {value!r}")

    if name in _PATHS:
        if not isinstance(value, str):
            raise fail("a path (a string)")
        return (base / value).resolve()
    if name in _PATH_LISTS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("a list of paths")
        return tuple((base / v).resolve() for v in value)
    if name in _STR_LISTS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("a list of strings")
        return tuple(value)
    if name in {"min_chars", "top_terms", "k", "workers"}:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise fail("a positive whole number")
        return value
    if name in {"hmm", "figures", "cache"}:
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if not isinstance(value, str):
        raise fail("a string")
    if name == "metric" and value not in {"jaccard", "cosine"}:
        raise fail("'jaccard' or 'cosine'")
    if name == "linkage" and value not in {"average", "complete", "single"}:
        raise fail("'average', 'complete' or 'single'")
    if name == "segmenter" and value not in {"rjieba", "jieba"}:
        raise fail("'rjieba' or 'jieba'")
    if name == "engine" and value not in {"local", "dask"}:
        raise fail("'local' or 'dask'")
    return value


def make_settings(*, config: str | Path | None = None, corpus: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from an optional config file, with ``corpus`` and other non-None overrides on top.

    This is what the notebooks' parameters cell feeds: ``make_settings(config=config, corpus=corpus)``.
    """
    settings = load_settings(config) if config else Settings()
    return settings.with_overrides(corpus=Path(corpus) if corpus else None, **overrides)
