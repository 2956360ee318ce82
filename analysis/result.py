"""The result of one analysis: an immutable record of what :func:`~analysis.analyse` computed,
stage by stage: the core (the documents' variables, the document-feature matrix, the mentions,
the measures, the clustering) and, reached through it, the research methods, each computed
when first asked and kept.

Figures (:mod:`analysis.viz`) and outputs (:mod:`analysis.outputs`) read it; nothing changes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
from .text.counts import Bigrams, distinctive_terms
from .text.dfm import DFM
from .text.engine import cut_corpus
from .text.tokens import Segmenter, TokenIds

__all__ = ["Analysis", "leading_measures", "corpus_name", "date_range", "text_lengths"]


@dataclass(frozen=True)
class Analysis:
    """Everything one run computed. Tables are pandas frames; treat them as read-only.

    :func:`analysis.analyse` makes it; the ``write_*`` functions and the ``plot_*`` functions
    take it (or its tables).

    Attributes
    ----------
    settings : Settings
        The settings the run used.
    corpus : Corpus
        The documents as read, with the sources and what was skipped.
    documents : pandas.DataFrame
        One row per document: its variables, no text (``documents.csv`` adds the text); the
        texts are read back from ``store`` with :meth:`text` and :meth:`texts`.
    lexicon : Lexicon
        The measures lexicon used.
    dfm : DFM
        Document × term counts of the kept tokens, with the documents' variables (rows as in
        ``documents``); ``counts`` is its old name, kept as an alias.
    terms : pandas.DataFrame (computed on first use)
        ``term, count, doc_count`` over the corpus (``terms.csv``).
    terms_by_unit : pandas.DataFrame
        Term counts per unit (``terms_by_unit.csv``).
    distinctive : pandas.DataFrame
        TF-IDF terms that set each unit apart (``distinctive_terms.csv``).
    mentions : pandas.DataFrame
        Every mention of a measure (``mentions.csv``).
    measures : pandas.DataFrame
        Unit × measure counts (``measures.csv``; per document for a corpus without units).
    presence : pandas.DataFrame
        The same as 0/1 (``measures_presence.csv``).
    by_period : pandas.DataFrame
        Period × measure counts (``measures_by_period.csv``).
    clustering : Clustering or None
        The clusters of the units (None when there are too few units).
    methods : MethodResults
        The research methods' tables, each computed on first use and kept: ``kwic``, ``keyness``, ``cooccurrence``, ``collocations``,
        ``validation``, ``lexicon_report``, ``trends``, ``dispersion``, ``adoption``,
        ``adoption_curve``. Built from the core when not given; ``dataclasses.replace`` keeps
        the old one unless given ``methods=None`` (then they are those of the new core).
    run_notes : tuple of str
        Steps skipped and why, the lexicon's coverage; ``notes`` adds the cluster verdict.
    segmenter : Segmenter or None
        The segmenter the run built (``tokens`` cuts the texts again with it).
    bigrams : Bigrams or None
        Adjacent kept tokens, counted as the corpus was cut.
    token_filter : mapping
        Stopwords, kept words and ``min_chars`` of the run.
    store : TextStore or None
        The analysed texts on disk (Parquet), in the documents' order, read back by row.
    rule_effects : pandas.DataFrame or None
        What each coding rule did over the texts (:func:`~analysis.measures.lexicon.rule_effects`),
        counted as the mentions were found; None: counted again when the lexicon report needs it.
    """

    settings: Settings
    corpus: Corpus
    documents: pd.DataFrame  # one row per document: its variables, no text (texts: ``text(i)``, ``texts()``)
    lexicon: Lexicon
    dfm: DFM  # document × term counts of the kept tokens, with the documents' variables (rows as in documents)
    mentions: pd.DataFrame
    measures: pd.DataFrame  # unit × measure counts
    presence: pd.DataFrame  # unit × measure 0/1
    by_period: pd.DataFrame  # period × measure counts
    clustering: Clustering | None
    methods: MethodResults | None = None  # None: built from the core (nothing computed until asked)
    run_notes: tuple[str, ...] = ()  # steps skipped and why (the cluster verdict joins them in ``notes``)
    segmenter: Segmenter | None = field(default=None, repr=False)
    bigrams: Bigrams | None = field(default=None, repr=False)  # adjacent kept tokens, counted as the corpus was cut
    token_filter: Mapping[str, Any] = field(default_factory=dict, repr=False)  # stopwords, keep, min_chars of the run
    #: The texts, on disk (a temporary folder removed when the result is no longer used), row by row as ``documents``.
    store: TextStore | None = field(default=None, repr=False)
    rule_effects: pd.DataFrame | None = field(default=None, repr=False)  # counted while coding: not matched again

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

    def __post_init__(self) -> None:
        if self.methods is None:
            object.__setattr__(self, "methods", MethodResults(
                dfm=self.dfm,
                documents=self.documents.drop(columns="text") if "text" in self.documents.columns else self.documents,
                mentions=self.mentions,
                measures=self.measures,
                clustering=self.clustering,
                lexicon=self.lexicon,
                texts=self._analysed_texts,  # the analysed texts (on disk): mention offsets refer to them
                lengths=self.lengths,  # their sizes, counted without reading them into Python
                bigrams=self.bigrams,
                by_period=self.by_period,  # the trends' mention counts: counted once
                rule_effects=self.rule_effects,  # the coding rules' effects: counted once
                segmenter=self.segmenter,
                reference_unit=self.settings.reference_unit,
                progress=self.settings.progress,
            ))

    @property
    def counts(self) -> DFM:
        """The document × term counts: :attr:`dfm` (its old name, kept as an alias)."""
        return self.dfm

    @property
    def notes(self) -> tuple[str, ...]:
        """What the run noted (steps skipped and why), then the cluster verdict (which asks for
        the clustering's validation)."""
        validation = self.methods.validation
        return self.run_notes + ((validation.message(),) if validation is not None else ())

    @cached_property
    def terms(self) -> pd.DataFrame:
        """``terms.csv``: each term's occurrences and documents, by count then term."""
        return self.dfm.frequencies()

    @cached_property
    def terms_by_unit(self) -> pd.DataFrame:
        """``terms_by_unit.csv``: ``unit, term, count``."""
        return self.dfm.frequencies("unit").rename(columns={"group": "unit"})

    @cached_property
    def distinctive(self) -> pd.DataFrame:
        """``distinctive_terms.csv``: the terms that set each unit apart, by TF-IDF over units."""
        return distinctive_terms(self.dfm, self.dfm.labels("unit")).rename(columns={"group": "unit"})

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

    def _analysed_texts(self) -> Sequence[str]:
        """The analysed texts for the methods: the store itself (read by row or in order, never
        whole unless a method lists them), or the corpus's texts when there is no store."""
        return self.store if self.store is not None else self.corpus.analysis_texts()

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
        return cut_corpus(self._analysed_texts(), self.segmenter, **self.token_filter)

    @property
    def tokens(self) -> list[list[str]]:
        """Each document's kept tokens in text order."""
        return self.token_ids.lists()


def leading_measures(
    analysis: Analysis, *, top: int = 2, labels: Mapping[str, str] | None = None, sep: str = "、"
) -> dict[str, str]:
    """doc_id → its most-mentioned measures ("外防输入、三防"), ties in lexicon order.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.
    top : int
        Measures named per document.
    labels : mapping or None
        Measure → label (e.g. English glosses).
    sep : str
        Between the measures.

    Returns
    -------
    dict of str to str
        One entry per document with a mention.

    Examples
    --------
    >>> import analysis
    >>> leading = analysis.leading_measures(analysis.analyse(), top=2)
    >>> leading["000_2d3668a156c8860b-002"]
    '边境管控、外防输入'
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

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.

    Returns
    -------
    str
        The name.

    Examples
    --------
    >>> import analysis
    >>> analysis.corpus_name(analysis.analyse())
    '省林业公安局《省林区公安各分局开展疫情防控工作督导检查》'
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
    """First and last day the documents report on (publication dates if none are dated).

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.

    Returns
    -------
    tuple of (date or None, date or None)
        (None, None) when no document has a date.

    Examples
    --------
    >>> import analysis
    >>> analysis.date_range(analysis.analyse())
    (datetime.date(2020, 4, 18), datetime.date(2020, 4, 23))
    """
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
    together, or each document when the corpus names no units): what a rate divides by.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.

    Returns
    -------
    dict of str to int
        Row of ``analysis.measures`` → characters.

    Examples
    --------
    >>> import analysis
    >>> analysis.text_lengths(analysis.analyse())["鹤北"]
    150
    """
    sizes = analysis.lengths()
    documents = analysis.documents
    key = documents["doc_id"] if not analysis.units else documents["unit"].fillna("")
    lengths = pd.Series(sizes, index=key.astype(str).to_numpy()).groupby(level=0).sum()
    return {str(k): int(v) for k, v in lengths.items() if k}
