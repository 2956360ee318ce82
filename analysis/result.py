"""The result of one analysis: an immutable record of everything :func:`~analysis.analyse`
computed, stage by stage, with the research methods' results already in it.

Figures (:mod:`analysis.viz`) and outputs (:mod:`analysis.outputs`) read it; nothing changes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .config import Settings
from .io.corpus import Corpus
from .io.store import TextStore
from .measures.lexicon import Lexicon
from .methods.clusters import Clustering
from .methods.results import MethodResults
from .text.counts import Bigrams, TermCounts
from .text.engine import cut_corpus
from .text.tokens import Segmenter, TokenIds

__all__ = ["Analysis", "leading_measures", "corpus_name", "date_range", "text_lengths"]


@dataclass(frozen=True)
class Analysis:
    """Everything one run computed. Tables are pandas frames; treat them as read-only."""

    settings: Settings
    corpus: Corpus
    documents: pd.DataFrame  # one row per document: its variables, no text (texts: ``text(i)``, ``texts()``)
    lexicon: Lexicon
    counts: TermCounts  # document × term counts of the kept tokens (rows as in documents)
    terms: pd.DataFrame
    terms_by_unit: pd.DataFrame
    distinctive: pd.DataFrame
    mentions: pd.DataFrame
    measures: pd.DataFrame  # unit × measure counts
    presence: pd.DataFrame  # unit × measure 0/1
    by_period: pd.DataFrame  # period × measure counts
    clustering: Clustering | None
    methods: MethodResults
    notes: tuple[str, ...] = ()  # steps skipped and why, the cluster verdict
    segmenter: Segmenter | None = field(default=None, repr=False)
    bigrams: Bigrams | None = field(default=None, repr=False)  # adjacent kept tokens, counted as the corpus was cut
    token_filter: Mapping[str, Any] = field(default_factory=dict, repr=False)  # stopwords, keep, min_chars of the run
    #: The texts, on disk (a temporary folder removed when the result is no longer used), row by row as ``documents``.
    store: TextStore | None = field(default=None, repr=False)

    def text(self, i: int, original: bool = False) -> str:
        """Document ``i``'s text (row ``i`` of ``documents``) as analysed: simplified where the
        original is traditional, stray line breaks joined; mention offsets refer to it.
        ``original=True``: the text as read (as ``documents.csv`` shows it)."""
        if self.store is None:
            doc = self.corpus.documents[i]
            return doc.text if original else doc.analysis_text
        return self.store.text(i, original=original)

    def texts(self, rows: Iterable[int] | None = None, original: bool = False) -> list[str]:
        """The texts of ``rows`` of ``documents`` (every document when None), as :meth:`text`
        gives them, in a list: for a column of texts, ``documents.assign(text=result.texts())``."""
        if self.store is None:
            every = self.corpus.texts(original=original)
            return every if rows is None else [every[i] for i in rows]
        return self.store.texts(rows, original=original)

    @property
    def units(self) -> list[str]:
        """The units, in the order of the measures table (none when it counts per document)."""
        return [] if self.measures.index.name == "doc_id" else list(self.measures.index)

    def lengths(self, original: bool = False) -> np.ndarray:
        """Each document's text length in characters (as analysed; ``original``: as read), without
        reading the texts into Python."""
        if self.store is None:
            return np.array([len(t) for t in self.corpus.texts(original=original)], dtype=np.int64)
        return self.store.lengths(original=original)

    def documents_with_text(self, original: bool = True) -> pd.DataFrame:
        """``documents`` with each text in a ``text`` column after ``date_end``, as
        ``documents.csv`` has it (``original``: the text as read; False: as analysed). Holds every
        text: for a large corpus, read them by row (:meth:`text`) or in chunks instead."""
        frame = self.documents.copy()
        frame.insert(min(4, len(frame.columns)), "text", self.texts(original=original))
        return frame

    @cached_property
    def token_ids(self) -> TokenIds:
        """Every document's kept tokens, as integers. A run counts the tokens chunk by chunk as it
        cuts and does not keep them (a large corpus's tokens would not fit), so they are cut again
        here on first use, with the run's segmenter and filter: the same tokens."""
        if self.segmenter is None:
            raise AttributeError("this analysis has no segmenter to cut its texts again")
        return cut_corpus(self.store if self.store is not None else self.corpus.analysis_texts(), self.segmenter, **self.token_filter)

    @property
    def tokens(self) -> list[list[str]]:
        """Each document's kept tokens in text order."""
        return self.token_ids.lists()


def leading_measures(
    analysis: Analysis, *, top: int = 2, labels: Mapping[str, str] | None = None, sep: str = "、"
) -> dict[str, str]:
    """doc_id → its most-mentioned measures ("外防输入、三防"), ties in lexicon order.

    ``labels`` renames the measures (e.g. English glosses), joined with ``sep``.
    """
    order = {name: i for i, name in enumerate(analysis.lexicon.names)}
    result: dict[str, str] = {}
    for doc_id, group in analysis.mentions.groupby("doc_id"):
        counts = group["measure"].value_counts()
        ranked = sorted(counts.index, key=lambda m: (-counts[m], order[m]))
        result[str(doc_id)] = sep.join(labels.get(m, m) if labels else m for m in ranked[:top])
    return result


def corpus_name(analysis: Analysis) -> str:
    """A readable name for the corpus, for source notes and the report.

    The ``corpus_name`` setting if given; else publisher and title when every document shares
    them (a bulletin page); else the source file name (or folder and number of files).
    """
    if analysis.settings.corpus_name:
        return analysis.settings.corpus_name
    documents = analysis.documents
    titles = {t for t in documents.get("title", pd.Series(dtype=str)).fillna("") if t}
    publishers = {p for p in documents.get("publisher", pd.Series(dtype=str)).fillna("") if p}
    if len(titles) == 1:
        title = f"《{titles.pop()}》"
        return f"{publishers.pop()}{title}" if len(publishers) == 1 else title
    paths = [Path(s.path) for s in analysis.corpus.sources]
    if len(paths) == 1:
        return paths[0].name
    if paths:
        return f"{paths[0].parent.name}/ ({len(paths)} files)"
    return "corpus"


def date_range(analysis: Analysis) -> tuple[date | None, date | None]:
    """First and last day the documents report on (publication dates if none are dated)."""
    documents = analysis.documents
    starts = pd.to_datetime(documents["date_start"], errors="coerce").dropna()
    if not starts.empty:
        ends = pd.to_datetime(documents["date_end"], errors="coerce").dropna()
        last = max(starts.max(), ends.max()) if not ends.empty else starts.max()
        return starts.min().date(), last.date()
    published = pd.to_datetime(documents.get("published", pd.Series(dtype=object)), errors="coerce").dropna()
    if not published.empty:
        return published.min().date(), published.max().date()
    return None, None


def text_lengths(analysis: Analysis) -> dict[str, int]:
    """Characters of analysed text per row of ``analysis.measures`` (each unit's documents
    together, or each document when the corpus names no units): what a rate divides by."""
    sizes = analysis.lengths()
    documents = analysis.documents
    key = documents["doc_id"] if not analysis.units else documents["unit"].fillna("")
    lengths = pd.Series(sizes, index=key.astype(str).to_numpy()).groupby(level=0).sum()
    return {str(k): int(v) for k, v in lengths.items() if k}
