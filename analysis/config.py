"""Settings for one analysis run, from defaults, a TOML config file, or keyword arguments.

A config file has one table per stage; unknown keys are errors, so a typo never silently
falls back to a default. Relative paths in a config file are taken from the file's folder.
"""

from __future__ import annotations

import codecs
import numbers
import os
import reprlib
import re
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .io.tomlfiles import read_toml
from .io.model import LAYOUTS
from .io.formats import FORMATS

__all__ = ["FIGURE_FORMATS", "Settings", "deprecated", "load_settings", "starter_config", "write_starter_config"]


#: [diffusion] window_days' default: units whose first mentions of a measure fall further apart
#: than this are not said to spread it (analysis.methods.evidence states the rule).
DIFFUSION_WINDOW_DAYS = 90

#: The formats a figure can be saved in, in the order they are written. ``run`` writes PNG only
#: unless asked ([figures] formats, ``--formats``); ``report`` and the notebooks write all three.
FIGURE_FORMATS = ("png", "svg", "pdf")

#: Settings that do nothing any more, still accepted (with a message) for one release: what to say.
DEPRECATED = {
    "cache": "runs keep no cache",
    "cache_dir": "runs keep no cache",
}


@dataclass(frozen=True)
class Settings:
    """Every choice a run makes; the defaults analyse the shipped bulletin.

    Frozen and checked on creation, however the values arrive (keyword arguments of
    :func:`analysis.analyse`, command-line flags, a config file read by :func:`load_settings`):
    a bad value raises :class:`~analysis.errors.ConfigError` naming the setting and what it
    may be. Each attribute says the config key that sets it.

    Attributes
    ----------
    corpus : Path | tuple[Path, ...] | None
        Files or folders to read; None: the shipped bulletin. Config: ``[corpus] path``.
    format : str
        "auto" (from each file's suffix), or txt, html, pdf, docx, csv, tsv, xlsx, jsonl.
        Config: ``[corpus] format``.
    encoding : str
        "auto": UTF-8 (± BOM), else GB18030/GBK or Big5, detected. Config: ``[corpus] encoding``.
    script : str
        "auto": traditional documents normalised to simplified for analysis; "t2s"; "none".
        Config: ``[corpus] script``.
    corpus_name : str | None
        The name in source notes and the report; None: from the corpus. Config: ``[corpus] name``.
    unit_suffixes : tuple[str, ...] | None
        Suffixes a unit name may end in; None: every suffix of ``resources/page_units.toml``.
        Config: ``[corpus] unit_suffixes``.
    drop_duplicates : bool
        Skip documents that repeat an earlier one. Config: ``[corpus] drop_duplicates``.
    page_layout : str | None
        None: decided page by page; or bulletin, article, official, report, disclosure for every
        page. Config: ``[page] layout``.
    issuer_prefixes : tuple[tuple[str, str], ...]
        文号 codes → issuers, on top of the shipped table. Config: ``[page] issuer_prefixes``.
    text_column : str | None
        The text column of a table or JSON Lines file; None: the first of text, content, body,
        正文, 内容, 全文. Config: ``[columns] text``.
    date_column : str | None
        The date column; None: found by its common names. Config: ``[columns] date``.
    unit_column : str | None
        The unit column; None: found by its common names. Config: ``[columns] unit``.
    title_column : str | None
        The title column; None: found by its common names. Config: ``[columns] title``.
    id_column : str | None
        The id column; None: found by its common names. Config: ``[columns] id``.
    default_year : int | None
        Year for "4月20日" on pages without a publication date. Config: ``[dates] default_year``.
    calendar : Path | None
        Phrases → years (e.g. NPC sessions) to date undated records. Config: ``[dates] calendar``.
    date_from_text : bool | None
        True: date rows from their title or opening text when the date cell is blank; None: only
        rows of tables without a date column. Config: ``[dates] from_text``.
    date_range : tuple[int, int]
        Years a date may fall in; others are typos, left blank. Config: ``[dates] range``.
    dictionaries : tuple[Path, ...] | None
        jieba user dictionaries; None: the shipped policy dictionary. Config: ``[tokens] dictionaries``.
    stopwords : tuple[Path, ...] | None
        Stopword lists; None: the shipped list. Config: ``[tokens] stopwords``.
    extra_words : tuple[str, ...]
        Words the segmenter keeps whole. Config: ``[tokens] extra_words``.
    extra_stopwords : tuple[str, ...]
        Words left out of the term tables. Config: ``[tokens] extra_stopwords``.
    min_chars : int
        Shortest term counted, in characters. Config: ``[tokens] min_chars``.
    hmm : bool
        Let the segmenter guess words outside its dictionary (jieba's HMM). Config: ``[tokens] hmm``.
    segmenter : str
        "rjieba" (jieba-rs, the default) or "jieba" (the pure-Python reference).
        Config: ``[tokens] segmenter``.
    engine : str
        "local" (in this process) or "dask" (a Dask cluster). Config: ``[engine] name``.
    scheduler : str | None
        Dask scheduler address; None: start a local cluster. Config: ``[engine] scheduler``.
    workers : int | None
        Dask workers of a local cluster; None: 2. Config: ``[engine] workers``.
    progress : bool | None
        Progress bars; None: on a terminal or in a notebook only. Flags ``--progress``,
        ``--no-progress``.
    lexicon : Path | None
        The measures lexicon (a TOML file); None: the shipped COVID-measures lexicon.
        Config: ``[measures] lexicon`` (a shipped lexicon's name or a file).
    coding_method : str
        "lexicon", "model" (a model from ``validate train``) or "either". Config: ``[coding] method``.
    coding_model : Path | None
        The model file for "model" and "either". Config: ``[coding] model``.
    code_titles : bool
        A document's own title is coded as a passage of its own. Config: ``[coding] titles``.
    k : int | None
        Number of clusters; None: chosen by silhouette. Config: ``[clusters] k``.
    metric : str
        Distance between units' measure profiles: "jaccard" or "cosine". Config: ``[clusters] metric``.
    linkage : str
        "average", "complete" or "single". Config: ``[clusters] linkage``.
    reference_unit : str | None
        Adoption lags are also given behind this unit (``adoption.csv``).
        Config: ``[diffusion] reference_unit``.
    window_days : int
        Spread is spoken of only among units whose first mentions fall within this many days.
        Config: ``[diffusion] window_days``.
    font : str | None
        A font file for the figures; None: Noto Sans CJK SC. Config: ``[figures] font``.
    top_terms : int
        Terms in the term bar chart. Config: ``[figures] top_terms``.
    figures : bool
        Draw the figures at all. Config: ``[figures] enabled``.
    figure_size : str
        "print" (A4/Letter text width) or "slide" (16:9). Config: ``[figures] size``.
    measure_labels : str
        "zh": measure names; "en": the lexicon's English glosses. Config: ``[figures] labels``.
    figure_formats : tuple[str, ...]
        What ``run`` saves each figure as: any of png (300 dpi), svg, pdf. Config: ``[figures] formats``.
    source : Path | None
        The config file these settings were read from, if any.

    Examples
    --------
    >>> from analysis import Settings
    >>> Settings(k=3).k
    3
    >>> Settings(k=0)
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: setting 'k' (config [clusters] k, flag run --k) must be a positive whole number, not 0
    """

    # [corpus]
    corpus: Path | tuple[Path, ...] | None = None  # None: the shipped bulletin
    format: str = "auto"  # auto (from each file's suffix), txt, html, pdf, docx, csv, tsv, xlsx, jsonl
    encoding: str = "auto"  # auto: UTF-8 (± BOM), else GB18030/GBK or Big5, detected
    script: str = "auto"  # auto: traditional documents normalised to simplified for analysis; t2s; none
    corpus_name: str | None = None  # for source notes and the report; None: from the corpus
    unit_suffixes: tuple[str, ...] | None = None  # None: every suffix of resources/page_units.toml
    drop_duplicates: bool = True
    # [page]
    page_layout: str | None = None  # None: decided page by page; or bulletin, article, official, report, disclosure
    issuer_prefixes: tuple[tuple[str, str], ...] = ()  # 文号 codes → issuers, on top of the shipped table
    # [columns] (tables and JSON Lines)
    text_column: str | None = None  # None: the first of text, content, body, 正文, 内容, 全文
    date_column: str | None = None
    unit_column: str | None = None
    title_column: str | None = None
    id_column: str | None = None
    # [dates]
    default_year: int | None = None  # year for "4月20日" on pages without a publication date
    calendar: Path | None = None  # phrases → years (e.g. NPC sessions) to date undated records
    date_from_text: bool | None = None  # True: date rows from their title or opening text when the date cell is blank; None: only rows of tables without a date column
    date_range: tuple[int, int] = (1900, 2100)  # years a date may fall in; others are typos, left blank
    # [tokens]
    dictionaries: tuple[Path, ...] | None = None  # None: the shipped policy dictionary
    stopwords: tuple[Path, ...] | None = None  # None: the shipped stopword list
    extra_words: tuple[str, ...] = ()
    extra_stopwords: tuple[str, ...] = ()
    min_chars: int = 2
    hmm: bool = True
    segmenter: str = "rjieba"  # "rjieba" (jieba-rs, the default) or "jieba" (the pure-Python reference)
    # [engine]
    engine: str = "local"  # "local" (in this process) or "dask" (a Dask cluster)
    scheduler: str | None = None  # Dask scheduler address; None: start a local cluster
    workers: int | None = None  # Dask workers of a local cluster; None: 2
    progress: bool | None = None  # progress bar; None: on a terminal or in a notebook only
    # [measures]
    lexicon: Path | None = None  # None: the shipped COVID-measures lexicon
    # [coding]
    coding_method: str = "lexicon"  # "lexicon", "model" (a model from `validate train`) or "either"
    coding_model: Path | None = None  # the model file for "model" and "either"
    code_titles: bool = True  # a document's own title is coded as its own passage
    # [clusters]
    k: int | None = None  # None: chosen by silhouette
    metric: str = "jaccard"
    linkage: str = "average"
    # [diffusion]
    reference_unit: str | None = None  # adoption lags are also given behind this unit (adoption.csv)
    window_days: int = DIFFUSION_WINDOW_DAYS  # spread is spoken of only among units whose first mentions fall within this many days
    # [figures]
    font: str | None = None
    top_terms: int = 25
    figures: bool = True
    figure_size: str = "print"  # "print" (A4/Letter text width) or "slide" (16:9)
    measure_labels: str = "zh"  # "zh": measure names; "en": the lexicon's English glosses
    figure_formats: tuple[str, ...] = ("png",)  # what `run` saves each figure as: any of png (300 dpi), svg, pdf
    source: Path | None = field(default=None, compare=False)  # the config file, if any

    def __post_init__(self) -> None:
        """Check every setting, however it arrived (keyword arguments, command-line flags, a
        config file): a bad value stops here with one line naming the setting and what it may be."""
        for f in fields(self):
            if f.name == "source":
                continue
            value = getattr(self, f.name)
            expected = _problem(f.name, value)
            if expected is not None:
                raise ConfigError(f"setting {_describe(f.name)} must be {expected}, not {reprlib.repr(value)}")
        # Lists given as keyword arguments are held as tuples, as a config file gives them.
        for name in ("unit_suffixes", "dictionaries", "stopwords", "extra_words", "extra_stopwords", "date_range", "corpus"):
            if isinstance(value := getattr(self, name), list):
                object.__setattr__(self, name, tuple(value))
        prefixes = self.issuer_prefixes
        prefixes = sorted(prefixes.items()) if isinstance(prefixes, dict) else prefixes
        object.__setattr__(self, "issuer_prefixes", tuple(tuple(pair) for pair in prefixes))
        object.__setattr__(self, "figure_formats", _ordered_formats(self.figure_formats))  # always png, svg, pdf, each once

    def with_overrides(self, **changes: Any) -> "Settings":
        """A copy with the given (non-None) values replaced."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_SECTIONS: dict[str, dict[str, str]] = {
    "corpus": {
        "path": "corpus",
        "name": "corpus_name",
        "format": "format",
        "encoding": "encoding",
        "script": "script",
        "unit_suffixes": "unit_suffixes",
        "drop_duplicates": "drop_duplicates",
    },
    "page": {"layout": "page_layout", "issuer_prefixes": "issuer_prefixes"},
    "columns": {"text": "text_column", "date": "date_column", "unit": "unit_column", "title": "title_column", "id": "id_column"},
    "dates": {"default_year": "default_year", "calendar": "calendar", "from_text": "date_from_text", "range": "date_range"},
    "tokens": {
        "dictionaries": "dictionaries",
        "stopwords": "stopwords",
        "extra_words": "extra_words",
        "extra_stopwords": "extra_stopwords",
        "min_chars": "min_chars",
        "hmm": "hmm",
        "segmenter": "segmenter",
    },
    "engine": {"name": "engine", "scheduler": "scheduler", "workers": "workers"},
    "measures": {"lexicon": "lexicon"},
    "coding": {"method": "coding_method", "model": "coding_model", "titles": "code_titles"},
    "clusters": {"k": "k", "metric": "metric", "linkage": "linkage"},
    "diffusion": {"reference_unit": "reference_unit", "window_days": "window_days"},
    "figures": {
        "font": "font",
        "top_terms": "top_terms",
        "enabled": "figures",
        "size": "figure_size",
        "labels": "measure_labels",
        "formats": "figure_formats",
    },
}
#: Keys of a config file that do nothing any more: accepted with a message for one release.
_DEPRECATED_KEYS = {("tokens", "cache"): "cache", ("tokens", "cache_dir"): "cache_dir"}
#: The command-line flag of a setting, where ``run`` has one, for error messages.
_FLAGS = {
    "corpus": "--corpus", "lexicon": "--lexicon", "k": "run --k", "segmenter": "--segmenter", "engine": "run --engine",
    "scheduler": "run --scheduler", "workers": "run --workers", "figure_size": "report --size", "figure_formats": "run --formats",
}
_PATHS = {"lexicon", "calendar", "coding_model"}
_PATH_LISTS = {"dictionaries", "stopwords"}
_STR_LISTS = {"unit_suffixes", "extra_words", "extra_stopwords"}


def load_settings(path: str | Path) -> Settings:
    r"""Read a TOML config file into :class:`Settings`; errors name the file and the key.

    Relative paths in the file are taken from the file's folder. ``python -m analysis init``
    writes a commented starter file.

    Parameters
    ----------
    path : str or Path
        The config file.

    Returns
    -------
    Settings
        The settings, with ``source`` set to ``path``.

    Raises
    ------
    ConfigError
        An unknown section or key, a bad value or a syntax error, named with its line.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from analysis import load_settings
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.toml"
    >>> _ = path.write_text('[clusters]\nk = 3\n[figures]\nsize = "slide"\n', encoding="utf-8")
    >>> settings = load_settings(path)
    >>> settings.k, settings.figure_size
    (3, 'slide')
    """
    path = Path(path)
    data, text = read_toml(path, kind="config file", missing="write one with `python -m analysis init`")
    base = path.resolve().parent
    values: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Settings)}
    for section, table in data.items():
        if section not in _SECTIONS:
            raise ConfigError(f"{_where(path, text, section)}: unknown section [{section}] (known: {', '.join(_SECTIONS)})")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: '{section}' must be a table, written [{section}]")
        for key, value in table.items():
            if (section, key) in _DEPRECATED_KEYS:
                deprecated(f"{_where(path, text, section, key)}: '{section}.{key}'", DEPRECATED[_DEPRECATED_KEYS[section, key]])
                continue
            name = _SECTIONS[section].get(key)
            if name is None:
                raise ConfigError(
                    f"{_where(path, text, section, key)}: unknown key '{section}.{key}' (known: {', '.join(_SECTIONS[section])})"
                )
            values[name] = _convert(_where(path, text, section, key), f"{section}.{key}", name, value, base, types[name])
    return Settings(source=path, **values)


def _where(path: Path, text: str, section: str, key: str | None = None) -> str:
    """``file:line`` of a section header (or of a key inside it), for error messages."""
    lines = text.splitlines()
    header = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return str(path)
    if key is None:
        return f"{path}:{start + 1}"
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for i in range(start + 1, len(lines)):
        if re.match(r"^\s*\[", lines[i]):
            break
        if pattern.match(lines[i]):
            return f"{path}:{i + 1}"
    return f"{path}:{start + 1}"


def _convert(path: Path | str, key: str, name: str, value: Any, base: Path, kind: Any) -> Any:
    """A config file's value as the setting ``name`` holds it (paths resolved from the file's
    folder, lists as tuples), checked by :func:`_problem` like every other way in."""
    def fail(expected: str) -> ConfigError:
        shown = reprlib.repr(value)  # a huge or deeply nested value is shown cut short
        return ConfigError(f"{path}: '{key}' must be {expected}, not {shown}")

    converted = value
    if name == "corpus":
        if isinstance(value, str):
            return (base / value).resolve()
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise fail("a path or a list of paths")
        return tuple((base / v).resolve() for v in value)
    if name in _PATHS:
        if not isinstance(value, str):
            raise fail("a path (a string)")
        if name == "lexicon" and (shipped := _shipped_lexicon(value, base)) is not None:
            return shipped
        return (base / value).resolve()
    if name in _PATH_LISTS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("a list of paths")
        return tuple((base / v).resolve() for v in value)
    if name == "issuer_prefixes":
        if not isinstance(value, dict):
            raise fail(_EXPECTED["issuer_prefixes"])
        converted = tuple(sorted(value.items()))
    elif name in _STR_LISTS or name in {"date_range", "figure_formats"}:
        if not isinstance(value, list):
            raise fail(_EXPECTED.get(name, "a list of strings"))
        converted = tuple(value)
    elif name == "font" and isinstance(value, str) and value.strip():
        beside = base / value  # a font file named relative to the config sits beside it, as every path here
        converted = str(beside.resolve()) if not Path(value).is_absolute() and beside.is_file() else value
    elif name not in _WHOLE and name not in _BOOLS and name not in {"default_year"} and not isinstance(value, str):
        raise fail("a string")
    expected = _problem(name, converted)
    if expected is not None:
        raise fail(expected)
    return converted


#: Settings with one of a few values: the values, in the order error messages list them.
_CHOICES: dict[str, tuple[str, ...]] = {
    "format": ("auto", *FORMATS),
    "script": ("auto", "t2s", "none"),
    "page_layout": tuple(LAYOUTS),
    "segmenter": ("rjieba", "jieba"),
    "engine": ("local", "dask"),
    "coding_method": ("lexicon", "model", "either"),
    "metric": ("jaccard", "cosine"),
    "linkage": ("average", "complete", "single"),
    "figure_size": ("print", "slide"),
    "measure_labels": ("zh", "en"),
}
#: Settings that may be None (meaning: the default, or decided from the corpus).
_OPTIONAL = {
    "corpus", "corpus_name", "unit_suffixes", "page_layout", "text_column", "date_column", "unit_column", "title_column",
    "id_column", "default_year", "calendar", "date_from_text", "dictionaries", "stopwords", "scheduler", "workers",
    "progress", "lexicon", "coding_model", "k", "reference_unit", "font",
}
_WHOLE = {"min_chars", "top_terms", "k", "workers", "window_days"}  # whole numbers of 1 or more
_BOOLS = {"drop_duplicates", "date_from_text", "hmm", "progress", "code_titles", "figures"}
_EXPECTED = {
    "issuer_prefixes": 'a table of 文号 codes and issuers, e.g. {"郸防指" = "郸城县新型冠状病毒感染的肺炎防控指挥部"}',
    "date_range": "two years, earliest first, like [1900, 2100]",
    "figure_formats": "a non-empty list of formats from 'png', 'svg', 'pdf', e.g. [\"png\", \"svg\", \"pdf\"]",
    "default_year": "a year like 2020",
    "encoding": "'auto' or an encoding name such as 'gb18030' or 'big5'",
    "reference_unit": "a unit's name as in documents.csv's unit column, e.g. \"鹤北\"",
    "segmenter": "'rjieba' or 'jieba' (the compiled 'native' segmenter was removed: rjieba gives the same tokens)",
}


def _is_path(value: Any) -> bool:
    return isinstance(value, (str, os.PathLike)) and bool(str(value).strip())


def _problem(name: str, value: Any) -> str | None:
    """What the setting ``name`` must be, if ``value`` is not that; None when it is fine.

    The one check of every setting: :class:`Settings` runs it on every field, so keyword
    arguments, command-line flags and config files are held to the same rules."""
    if value is None and name in _OPTIONAL:
        return None
    if name in _CHOICES:
        allowed = _CHOICES[name]
        if isinstance(value, str) and value in allowed:
            return None
        shown = [repr(v) for v in allowed]
        return _EXPECTED.get(name) or (
            ", ".join(shown[:-1]) + " or " + shown[-1] if len(shown) <= 3 else "one of " + ", ".join(shown)
        )
    if name in _WHOLE:
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1
        return None if ok else "a positive whole number"
    if name in _BOOLS:
        return None if isinstance(value, bool) else "true or false"
    if name == "corpus":
        if _is_path(value) or (isinstance(value, (list, tuple)) and value and all(_is_path(v) for v in value)):
            return None
        return "a path or a list of paths"
    if name in _PATHS:
        return None if _is_path(value) else "a path (a string)"
    if name in _PATH_LISTS:
        return None if isinstance(value, (list, tuple)) and all(_is_path(v) for v in value) else "a list of paths"
    if name in _STR_LISTS:
        return None if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value) else "a list of strings"
    if name == "issuer_prefixes":
        pairs = value.items() if isinstance(value, dict) else value
        ok = isinstance(pairs, (list, tuple, type({}.items()))) and all(
            isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(v, str) and v.strip() for v in p) for p in pairs
        )
        return None if ok else _EXPECTED[name]
    if name == "default_year":
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool) and 1000 <= value <= 2999
        return None if ok else _EXPECTED[name]
    if name == "date_range":
        ok = (
            isinstance(value, (list, tuple)) and len(value) == 2
            and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and 1 <= v <= 9999 for v in value)
            and value[0] <= value[1]
        )
        return None if ok else _EXPECTED[name]
    if name == "figure_formats":
        ok = isinstance(value, (list, tuple)) and value and all(isinstance(v, str) and v in FIGURE_FORMATS for v in value)
        return None if ok else _EXPECTED[name]
    if name == "font":
        return None if _is_path(value) else "a font name or a font file"
    if not isinstance(value, str):
        return "a string"
    if name == "encoding" and value != "auto":
        try:
            codecs.lookup(value)
        except LookupError:
            return _EXPECTED[name]
    if name.endswith("_column") and not value.strip():
        return "a column name"
    if name == "reference_unit" and not value.strip():
        return _EXPECTED[name]
    if name == "scheduler" and not value.strip():
        return "a Dask scheduler address, e.g. tcp://scheduler-host:8786"
    return None


def _ordered_formats(formats: Any) -> tuple[str, ...]:
    """Figure formats in the order they are written (png, svg, pdf), each once."""
    return tuple(f for f in FIGURE_FORMATS if f in formats)


def _describe(name: str) -> str:
    """How a user names a setting: ``'k' (config [clusters] k, run --k)``."""
    where = [f"config [{section}] {key}" for section, keys in _SECTIONS.items() for key, field_name in keys.items() if field_name == name]
    if name in _FLAGS:
        where.append(f"flag {_FLAGS[name]}")
    return f"'{name}'" + (f" ({', '.join(where)})" if where else "")


def deprecated(what: str, reason: str) -> None:
    """One line on stderr: ``what`` is accepted for this release, does nothing, and will go."""
    print(f"deprecated: {what} is ignored ({reason}) and will be removed in the next release; remove it", file=sys.stderr)


def _shipped_lexicon(value: str, base: Path) -> Path | None:
    """The shipped lexicon a short name means ("emergency_management"), unless a file of that name is there."""
    from importlib import resources

    if "/" in value or "\\" in value or Path(value).suffix or (base / value).exists():
        return None
    path = Path(str(resources.files("analysis").joinpath(f"resources/lexicons/{value}.toml")))
    return path if path.is_file() else None


def starter_config(*, corpus: str | Path = "corpus", lexicon: str | Path | None = None) -> str:
    """The text of a commented starter config file, pointing at ``corpus`` (and ``lexicon``, if given)."""
    from importlib import resources
    from string import Template

    template = resources.files("analysis").joinpath("resources/starter_config.toml").read_text("utf-8")
    def quoted(value: str | Path) -> str:
        return str(value).replace("\\", "/").replace('"', '\\"')

    line = f'lexicon = "{quoted(lexicon)}"\n' if lexicon is not None else ""
    return Template(template).substitute(corpus=quoted(corpus), lexicon_line=line)


def write_starter_config(path: str | Path, *, corpus: str | Path = "corpus", lexicon: str | Path | None = None, force: bool = False) -> Path:
    """Write :func:`starter_config` to ``path``; refuse to overwrite an existing file unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise ConfigError(f"{path}: already exists (choose another name, or add --force to overwrite it)")
    if not path.parent.exists():
        raise ConfigError(f"{path.parent}: no such folder (create it first, or choose another path)")
    path.write_text(starter_config(corpus=corpus, lexicon=lexicon), encoding="utf-8")
    return path
