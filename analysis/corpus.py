"""Corpus: turn bulletin pages into dated documents per reporting unit.

A bulletin page (see ``data/raw/``) carries web chrome (breadcrumbs, footers), a title, a
metadata line with the publication date and publisher, then one paragraph per unit and day:
"4月18日-19日,林区公安局鹤北分局局长……". :func:`read_corpus` strips the chrome, reads the
metadata and returns one :class:`Document` per paragraph, with the unit and dates it reports
on. Paragraphs without a unit or a date (an opening summary) are kept as corpus-level
documents with empty fields; removed chrome lines are listed, never silently dropped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import pandas as pd

from .dates import DateSpan, find_publication_date, parse_leading_date
from .errors import InputError

__all__ = [
    "Document",
    "Source",
    "Skipped",
    "Corpus",
    "PageLayout",
    "read_corpus",
    "parse_page",
    "find_unit",
    "DEFAULT_CORPUS",
]

#: The shipped default corpus: a real bulletin page, unchanged.
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "data" / "raw" / "000_2d3668a156c8860b.txt"

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"


@dataclass(frozen=True)
class Document:
    """One analysed text with the variables that travel with it (unit, dates, source)."""

    doc_id: str
    text: str
    unit: str = ""  # short unit name, e.g. 鹤北
    date_start: date | None = None
    date_end: date | None = None
    date_note: str = ""  # time of day or qualifier, e.g. 晚, 截至
    kind: str = "report"  # "report" (unit or date known) or "summary" (corpus-level text)
    unit_name: str = ""  # unit with its suffix, e.g. 鹤北分局
    source: str = ""
    line: int | None = None  # 1-based line in the source file
    title: str = ""
    published: date | None = None
    publisher: str = ""


@dataclass(frozen=True)
class Source:
    """An input file, with what became of its lines."""

    path: str
    sha256: str
    encoding: str
    n_documents: int
    removed_lines: tuple[tuple[int, str], ...] = ()  # (line number, text) of chrome taken out


@dataclass(frozen=True)
class Skipped:
    """Input that was read but not analysed, and why."""

    source: str
    reason: str
    line: int | None = None


@dataclass
class Corpus:
    """Documents plus the account of every input: sources read and items skipped."""

    documents: list[Document]
    sources: list[Source] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def units(self) -> list[str]:
        """Units in order of first appearance."""
        return list(dict.fromkeys(d.unit for d in self.documents if d.unit))

    def to_frame(self) -> pd.DataFrame:
        """One row per document; the first columns are ``doc_id, unit, date_start, date_end, text``."""
        columns = [
            "doc_id", "unit", "date_start", "date_end", "text", "date_note", "kind",
            "unit_name", "source", "line", "title", "published", "publisher",
        ]
        # Fields read directly: dataclasses.asdict deep-copies every value and is slow at scale.
        frame = pd.DataFrame([[getattr(d, c) for c in columns] for d in self.documents], columns=columns)
        frame["n_chars"] = frame["text"].str.len()
        frame["line"] = frame["line"].astype("Int64")
        return frame


@dataclass(frozen=True)
class PageLayout:
    """How bulletin pages name their units and where their chrome is; all configurable."""

    unit_suffixes: tuple[str, ...] = ("分局",)
    #: Text before a unit name that belongs to its parent body ("林区公安局" in 林区公安局鹤北分局).
    parent_markers: tuple[str, ...] = ("公安局", "林业局", "局", "厅", "省", "市", "、", "和", "与")
    max_unit_chars: int = 6
    #: How far into a paragraph (after its date) a unit name is looked for.
    unit_window: int = 40
    chrome_patterns: tuple[str, ...] = ()
    max_chrome_line: int = 80

    def chrome_regex(self) -> re.Pattern[str]:
        patterns = self.chrome_patterns or tuple(_default_chrome_patterns())
        return re.compile("|".join(f"(?:{p})" for p in patterns))


def _default_chrome_patterns() -> list[str]:
    text = resources.files("analysis").joinpath("resources/page_chrome.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def find_unit(text: str, layout: PageLayout = PageLayout()) -> tuple[str, str] | None:
    """Find the unit a paragraph reports on near its start: (short name, name with suffix).

    "林区公安局鹤北分局局长……" gives ("鹤北", "鹤北分局"). The first unit suffix within
    ``layout.unit_window`` characters wins; the name is the run of Chinese characters before it,
    cut after the last parent marker ("…公安局") and kept to ``max_unit_chars``.
    """
    window = text[: layout.unit_window]
    best: tuple[int, str] | None = None
    for suffix in layout.unit_suffixes:
        position = window.find(suffix)
        while position == 0:  # a suffix with no name before it is not a unit
            position = window.find(suffix, position + 1)
        if position > 0 and (best is None or position < best[0]):
            best = (position, suffix)
    if best is None:
        return None
    position, suffix = best
    prefix = window[:position]
    run = re.search(f"[{_CJK}]+$", prefix)
    if not run:
        return None
    name = run.group(0)
    for marker in layout.parent_markers:
        cut = name.rfind(marker)
        if cut >= 0:
            name = name[cut + len(marker):]
    name = name[-layout.max_unit_chars:]
    if not name:
        return None
    return name, name + suffix


def parse_page(
    text: str, *, source: str = "", layout: PageLayout = PageLayout()
) -> tuple[list[Document], list[tuple[int, str]]]:
    """Split one bulletin page into documents; return them and the chrome lines removed.

    The metadata line is the first short line near the top holding a full date
    ("2020-04-26  省林业公安局"); the line before it is the title. Without one, the first
    short line without sentence punctuation is taken as the title and the page is undated.
    """
    chrome = layout.chrome_regex()
    lines = [(i + 1, raw.strip().replace("\u3000", " ").strip()) for i, raw in enumerate(text.splitlines())]
    lines = [(n, s) for n, s in lines if s]
    removed: list[tuple[int, str]] = []

    def is_chrome(s: str) -> bool:
        return len(s) < layout.max_chrome_line and chrome.search(s) is not None

    content: list[tuple[int, str]] = []
    for n, s in lines:
        if is_chrome(s):
            removed.append((n, s))
        else:
            content.append((n, s))

    title, published, publisher = "", None, ""
    body_start = 0
    for i, (n, s) in enumerate(content[:8]):
        if len(s) > 60:
            break
        found = find_publication_date(s)
        if found and not parse_leading_date(s, published=found[0]):
            published, publisher = found
            publisher = re.sub(r"^(?:来源|发布机构|发布单位|作者|时间|发布时间|日期)\s*[:：]\s*", "", publisher).strip()
            if i > 0:
                title = content[i - 1][1]
            removed.extend(content[: max(i - 1, 0)])
            body_start = i + 1
            break
    else:
        first = content[0][1] if content else ""
        if first and len(first) <= 40 and not re.search(r"[。;；]", first):
            title = first
            body_start = 1

    # The footer: once the body has begun, the first chrome line ends it.
    body = content[body_start:]
    if body:
        first_footer = next((n for n, _ in removed if n > body[0][0]), None)
        if first_footer is not None:
            removed.extend((n, s) for n, s in body if n > first_footer)
            body = [(n, s) for n, s in body if n < first_footer]

    stem = Path(source).stem if source else "doc"
    documents: list[Document] = []
    for index, (n, paragraph) in enumerate(body, start=1):
        span: DateSpan | None = parse_leading_date(paragraph, published=published)
        rest = paragraph[len(span.matched):].lstrip(" ,，、:：") if span else paragraph
        unit = find_unit(rest, layout)
        documents.append(
            Document(
                doc_id=f"{stem}-{index:03d}",
                text=paragraph,
                unit=unit[0] if unit else "",
                unit_name=unit[1] if unit else "",
                date_start=span.start if span else None,
                date_end=span.end if span else None,
                date_note=span.note if span else "",
                kind="report" if (unit or span) else "summary",
                source=source,
                line=n,
                title=title,
                published=published,
                publisher=publisher,
            )
        )
    removed.sort()
    return documents, removed


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM); anything else is an error naming the file."""
    if not data.strip():
        raise InputError(path, "the file is empty", hint="remove it or add text")
    if b"\x00" in data[:4096]:
        raise InputError(path, "this is a binary file, not text", hint="give a .txt page")
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(path, "bytes that are not UTF-8", line=line, hint="save the file as UTF-8") from None


def read_corpus(path: str | Path | None = None, *, layout: PageLayout = PageLayout()) -> Corpus:
    """Read a bulletin page (``.txt``) or a folder of them into a :class:`Corpus`.

    ``path`` defaults to the shipped bulletin. A folder is read recursively in name order.
    Files that cannot be read raise :class:`InputError` naming the file.
    """
    path = Path(path) if path is not None else DEFAULT_CORPUS
    if not path.exists():
        raise InputError(path, "no such file or folder", hint="check the path, or omit --corpus for the shipped bulletin")
    files = sorted(p for p in path.rglob("*.txt") if p.is_file()) if path.is_dir() else [path]
    if not files:
        raise InputError(path, "the folder holds no .txt pages", hint="point to a file or a folder of .txt pages")
    corpus = Corpus(documents=[])
    for file in files:
        data = file.read_bytes()
        text, encoding = _decode(file, data)
        documents, removed = parse_page(text, source=str(file), layout=layout)
        if not documents:
            corpus.skipped.append(Skipped(source=str(file), reason="no text left after removing page chrome"))
        corpus.documents.extend(documents)
        corpus.sources.append(
            Source(
                path=str(file),
                sha256=_sha256(data),
                encoding=encoding,
                n_documents=len(documents),
                removed_lines=tuple(removed),
            )
        )
    return corpus
