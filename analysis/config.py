"""Settings for one analysis run, from defaults, a TOML config file, or keyword arguments.

A config file has one table per stage; unknown keys are errors, so a typo never silently
falls back to a default. Relative paths in a config file are taken from the file's folder.
"""

from __future__ import annotations

import codecs
import reprlib
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .io.tomlfiles import read_toml
from .io.model import LAYOUTS
from .io.formats import FORMATS

__all__ = ["Settings", "load_settings", "make_settings", "starter_config", "write_starter_config"]


#: [diffusion] window_days' default: units whose first mentions of a measure fall further apart
#: than this are not said to spread it (analysis.methods.evidence states the rule).
DIFFUSION_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Settings:
    """Every choice a run makes; the defaults analyse the shipped bulletin."""

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
    cache: bool = False  # accepted for older configs; runs keep no cache
    cache_dir: Path | None = None  # accepted for older configs; runs keep no cache
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
    source: Path | None = field(default=None, compare=False)  # the config file, if any

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
        "cache": "cache",
        "cache_dir": "cache_dir",
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
    },
}
_PATHS = {"lexicon", "calendar", "cache_dir", "coding_model"}
_PATH_LISTS = {"dictionaries", "stopwords"}
_STR_LISTS = {"unit_suffixes", "extra_words", "extra_stopwords"}


def load_settings(path: str | Path) -> Settings:
    """Read a TOML config file into :class:`Settings`; errors name the file and the key."""
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
    def fail(expected: str) -> ConfigError:
        shown = reprlib.repr(value)  # a huge or deeply nested value is shown cut short
        return ConfigError(f"{path}: '{key}' must be {expected}, not {shown}")

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
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip() for k, v in value.items()):
            raise fail('a table of 文号 codes and issuers, e.g. {"郸防指" = "郸城县新型冠状病毒感染的肺炎防控指挥部"}')
        return tuple(sorted(value.items()))
    if name in _STR_LISTS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("a list of strings")
        return tuple(value)
    if name == "default_year":
        if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 2999:
            raise fail("a year like 2020")
        return value
    if name == "date_range":
        if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int and 1 <= v <= 9999 for v in value) and value[0] <= value[1]):
            raise fail("two years, earliest first, like [1900, 2100]")
        return tuple(value)
    if name == "font" and isinstance(value, str) and value.strip():
        beside = base / value  # a font file named relative to the config sits beside it, as every path here
        return str(beside.resolve()) if not Path(value).is_absolute() and beside.is_file() else value
    if name in {"min_chars", "top_terms", "k", "workers", "window_days"}:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise fail("a positive whole number")
        return value
    if name in {"hmm", "figures", "drop_duplicates", "date_from_text", "cache", "code_titles"}:
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if not isinstance(value, str):
        raise fail("a string")
    if name == "metric" and value not in {"jaccard", "cosine"}:
        raise fail("'jaccard' or 'cosine'")
    if name == "linkage" and value not in {"average", "complete", "single"}:
        raise fail("'average', 'complete' or 'single'")
    if name == "format" and value not in {"auto", *FORMATS}:
        raise fail("one of " + ", ".join(repr(f) for f in ("auto", *FORMATS)))
    if name == "script" and value not in {"auto", "t2s", "none"}:
        raise fail("'auto', 't2s' or 'none'")
    if name == "encoding" and value != "auto":
        try:
            codecs.lookup(value)
        except LookupError:
            raise fail("'auto' or an encoding name such as 'gb18030' or 'big5'") from None
    if name.endswith("_column") and not value.strip():
        raise fail("a column name")
    if name == "reference_unit" and not value.strip():
        raise fail("a unit's name as in documents.csv's unit column, e.g. \"鹤北\"")
    if name == "page_layout" and value not in LAYOUTS:
        raise fail("one of " + ", ".join(repr(layout) for layout in LAYOUTS))
    if name == "figure_size" and value not in {"print", "slide"}:
        raise fail("'print' or 'slide'")
    if name == "measure_labels" and value not in {"zh", "en"}:
        raise fail("'zh' or 'en'")
    if name == "segmenter" and value not in {"rjieba", "jieba"}:
        raise fail("'rjieba' or 'jieba' (the compiled 'native' segmenter was removed: rjieba gives the same tokens)")
    if name == "coding_method" and value not in {"lexicon", "model", "either"}:
        raise fail("'lexicon', 'model' or 'either'")
    if name == "engine" and value not in {"local", "dask"}:
        raise fail("'local' or 'dask'")
    return value


def _shipped_lexicon(value: str, base: Path) -> Path | None:
    """The shipped lexicon a short name means ("emergency_management"), unless a file of that name is there."""
    from importlib import resources

    if "/" in value or "\\" in value or Path(value).suffix or (base / value).exists():
        return None
    path = Path(str(resources.files("analysis").joinpath(f"resources/lexicons/{value}.toml")))
    return path if path.is_file() else None


def make_settings(*, config: str | Path | None = None, corpus: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from an optional config file, with ``corpus`` and other non-None overrides on top.

    This is what the notebooks' parameters cell feeds: ``make_settings(config=config, corpus=corpus)``.
    """
    settings = load_settings(config) if config else Settings()
    return settings.with_overrides(corpus=Path(corpus) if corpus else None, **overrides)


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
