"""Every research method on one analysis's data, each computed when first asked and kept: KWIC,
keyness, co-occurrence, collocations, cluster validation, lexicon diagnostics, trends, dispersion
and adoption (diffusion).

:class:`MethodResults` holds what the methods are functions of (the document-feature matrix,
the mentions, the documents' variables, the measures and clustering, and a way to read the
analysed texts), not the pipeline's result, so the methods sit below the pipeline and never
import it. Each table is a pure function of those; nothing is computed before it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..measures.lexicon import Lexicon
from ..progress import counter
from ..text.counts import Bigrams, TermCounts, count_token_ids
from ..text.dfm import DFM
from ..text.tokens import TokenIds
from .clusters import Clustering
from .cooccurrence import collocations, measure_cooccurrence
from .diagnostics import lexicon_report
from .dispersion import DISPERSION_COLUMNS, dispersion_table
from .diffusion import ADOPTION_COLUMNS, CURVE_COLUMNS, adoption, adoption_curve
from .keyness import KEYNESS_COLUMNS, keyness
from .kwic import KwicTable, document_rows, kwic, kwic_parts, kwic_terms
from .trends import mention_trends, rates_by_period, trend_matrix
from .validation import ClusterValidation, validate_clustering

__all__ = ["MethodResults", "method_results", "METHOD_TABLES", "VALIDATION_COLUMNS"]

METHOD_TABLES = (
    "kwic.csv",
    "keyness.csv",
    "cooccurrence.csv",
    "collocations.csv",
    "cluster_validation.csv",
    "lexicon_report.csv",
    "trends.csv",
    "measures_by_period_rates.csv",
    "dispersion.csv",
    "adoption.csv",
    "adoption_curve.csv",
)
VALIDATION_COLUMNS = ["check", "k", "linkage", "unit", "value", "note", "n_boot", "random_state"]
KWIC_WINDOW = 20
KWIC_PART_ROWS = 10_000  # mentions per part of kwic.csv when it is written without being kept
KEYNESS_TOP = 30  # over-used and under-used terms kept per group
N_BOOT = 200
RANDOM_STATE = 0


#: The methods, in the order :meth:`MethodResults.compute` runs them (each a cached attribute).
METHODS = ("validation", "adoption", "kwic", "keyness", "cooccurrence", "collocations", "lexicon_report", "trends", "dispersion", "adoption_curve")


@dataclass(frozen=True, eq=False)
class MethodResults:
    """Every method's table for one analysis, computed on first access and kept (``validation``
    is None without a clustering).

    The fields are what the methods are functions of; ``texts`` reads the analysed texts
    (simplified, line breaks joined: mention offsets refer to them) for the methods that quote
    them (KWIC, the lexicon report) and ``lengths`` (else ``texts``) their sizes for the methods
    that divide by them (trends, dispersion), so where the texts live is the caller's business."""

    dfm: DFM  # document × term counts, rows as in documents
    documents: pd.DataFrame  # the documents' variables (doc_id, unit, date_start, …), no text needed
    mentions: pd.DataFrame
    measures: pd.DataFrame
    clustering: Clustering | None
    lexicon: Lexicon
    texts: Callable[[], Sequence[str]] = field(repr=False)
    lengths: Callable[[], np.ndarray] | None = field(default=None, repr=False)  # each analysed text's characters, without reading the texts
    bigrams: Bigrams | None = field(default=None, repr=False)
    by_period: pd.DataFrame | None = field(default=None, repr=False)  # period × measure mentions, when counted already
    rule_effects: pd.DataFrame | None = field(default=None, repr=False)  # what the coding rules did, when counted already
    segmenter: Any = field(default=None, repr=False)
    reference_unit: str | None = None
    progress: bool | None = field(default=None, repr=False)

    # -- what the methods share -------------------------------------------------------------------
    @cached_property
    def terms(self) -> pd.DataFrame:
        """``terms.csv``: the matrix's term frequencies (kept by the matrix)."""
        return self.dfm.frequencies()

    @cached_property
    def n_chars(self) -> np.ndarray:
        """Characters of each document's analysed text: what rates and dispersion divide by."""
        if self.lengths is not None:
            return np.asarray(self.lengths(), dtype=np.int64)
        return np.fromiter((len(str(t)) for t in self.texts()), dtype=np.int64, count=len(self.documents))

    def _with_texts(self) -> pd.DataFrame:
        """The documents with their analysed texts, for a method that quotes them (not kept)."""
        return self.documents.assign(text=list(self.texts()))

    @property
    def units(self) -> list[str]:
        """Each document's unit ("" for none); not kept: a string a document."""
        return self.documents["unit"].fillna("").astype(str).tolist()

    def groups(self, by: str | Sequence[str] | Mapping[str, str]) -> list[str]:
        """One label per document: ``"cluster"`` (``cluster 1`` …; units outside the clustering,
        none), a document variable (``"unit"``, ``"kind"``, …), one label per document, or a
        mapping doc_id → label."""
        if isinstance(by, str) and by == "cluster" and self.clustering is not None:
            # a dict looked up once per document, one label string per cluster (not one per document)
            labels = {unit: f"cluster {int(c)}" for unit, c in self.clustering.labels.items()}
            return [labels.get(u, "") for u in self.units]
        if isinstance(by, str) and by not in self.documents.columns:
            raise KeyError(f"'{by}' is not a column of the documents table (columns: {', '.join(self.documents.columns)})")
        return self.dfm.labels(by)

    # -- the methods -----------------------------------------------------------------------------
    @cached_property
    def validation(self) -> ClusterValidation | None:
        if self.clustering is None:
            return None
        return validate_clustering(self.measures, self.clustering, n_boot=N_BOOT, random_state=RANDOM_STATE)

    @cached_property
    def adoption(self) -> pd.DataFrame:
        return adoption(self.documents, self.mentions, self.lexicon.names, reference_unit=self.reference_unit)

    @cached_property
    def adoption_curve(self) -> pd.DataFrame:
        return adoption_curve(self.adoption, self.documents)

    @cached_property
    def kwic(self) -> pd.DataFrame:
        """``kwic.csv``: every measure mention, :data:`KWIC_WINDOW` characters each side."""
        return self.concordance(window=KWIC_WINDOW)

    def concordance(self, query: str | Sequence[str] | None = None, *, window: int = KWIC_WINDOW, literal: bool = False) -> KwicTable:
        """Keyword in context (the front door's ``analysis.kwic``): every measure mention (no
        ``query``), one measure's (every variant, as the lexicon matched them), or a term's or
        several terms' occurrences (``literal``: a measure's name searched as written). Kept
        per question, so asking again costs nothing."""
        key = (query if query is None or isinstance(query, str) else tuple(query), window, literal)
        cache = self.__dict__.setdefault("_concordances", {})
        if key not in cache:
            documents, texts = self.documents, self.texts()  # texts read by row, not listed
            if query is None:
                table = kwic(documents, self.mentions, window=window, texts=texts)
            elif isinstance(query, str) and query in self.lexicon.names and not literal:
                table = kwic(documents, self.mentions[self.mentions["measure"] == query], window=window, texts=texts)
            else:
                table = kwic_terms(documents, query, window=window, texts=texts)
            cache[key] = KwicTable(table)
        return cache[key]

    @cached_property
    def keyness(self) -> pd.DataFrame:
        """``keyness.csv``: each unit, then each cluster, against the rest (:data:`KEYNESS_TOP`
        terms each way)."""
        frames = [self.keyness_by("unit").assign(grouping="unit")]
        if self.clustering is not None:
            frames.append(self.keyness_by("cluster").assign(grouping="cluster"))
        frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else pd.DataFrame()
        return frame.reindex(columns=["grouping", *KEYNESS_COLUMNS])

    def keyness_by(self, by: str | Sequence[str] | Mapping[str, str] = "unit", *, min_count: int = 2, top_n: int | None = KEYNESS_TOP) -> pd.DataFrame:
        """Keyness of each group against the rest (the front door's ``analysis.keyness``); ``by``
        as :meth:`groups` takes it. Kept per grouping named by a string."""
        labels = self.groups(by)
        if not isinstance(by, str):
            return keyness(self.dfm, labels, min_count=min_count, top_n=top_n)
        cache = self.__dict__.setdefault("_keyness", {})
        key = (by, min_count, top_n)
        if key not in cache:
            cache[key] = keyness(self.dfm, labels, min_count=min_count, top_n=top_n)
        return cache[key]

    @cached_property
    def cooccurrence(self) -> pd.DataFrame:
        return measure_cooccurrence(self.mentions, self.documents["doc_id"].tolist(), self.lexicon)

    @cached_property
    def collocations(self) -> pd.DataFrame:
        bigrams = self.bigrams if self.bigrams is not None else Bigrams(self.dfm.vocabulary, *(np.zeros(0, dtype=np.int64),) * 3)
        return collocations(bigrams, min_count=2)

    @cached_property
    def lexicon_report(self) -> pd.DataFrame:
        return lexicon_report(
            self.lexicon, self.documents, self.mentions, self.dfm, self.terms, tokenizer=self.segmenter, texts=self.texts(),
            effects=self.rule_effects,
        )

    @cached_property
    def trends(self) -> pd.DataFrame:
        """``trends.csv``: mentions per period and measure, per 10,000 characters."""
        return mention_trends(self.documents, self.mentions, self.lexicon, chars=self.n_chars, counts=self.by_period)

    @cached_property
    def trend_rates(self) -> pd.DataFrame:
        """Period × measure mentions per 10,000 characters (:func:`trend_matrix` of the trends)."""
        return trend_matrix(self.trends)

    @cached_property
    def rates(self) -> pd.DataFrame:
        """``measures_by_period_rates.csv`` (:func:`rates_by_period` of the trends)."""
        return rates_by_period(self.trends, rates=self.trend_rates if len(self.trends) else None)

    @cached_property
    def dispersion(self) -> pd.DataFrame:
        """``dispersion.csv``: Juilland's D and Gries's DP of every measure, then every term."""
        return _dispersion(self.documents, self.mentions, self.lexicon, self.terms, self.dfm, self.n_chars)

    # -- all of them -----------------------------------------------------------------------------
    def computed(self) -> list[str]:
        """The methods computed so far (:data:`METHODS` order)."""
        return [name for name in METHODS if name in self.__dict__]

    def compute(self, *, progress: bool | None = None) -> "MethodResults":
        """Compute every method not computed yet (a bar counting them, ``progress`` or the
        run's setting); returns self."""
        todo = [name for name in METHODS if name not in self.__dict__]
        if todo:
            bar = counter("methods", total=len(todo), enabled=self.progress if progress is None else progress, unit="method")
            for name in todo:
                getattr(self, name)
                bar.update(1)
            bar.close()
        return self

    def tables(self, *, progress: bool | None = None) -> dict[str, pd.DataFrame]:
        """The tables by file name (:data:`METHOD_TABLES`), as ``run`` writes them; computes
        every method not computed yet."""
        self.compute(progress=progress)
        return {name: next(parts) for name, parts in self._parts()}  # each table whole: one part

    def table_parts(self, *, progress: bool | None = None, rows: int = KWIC_PART_ROWS) -> Iterator[tuple[str, Iterator[pd.DataFrame]]]:
        """The tables as :meth:`tables` gives them, each as consecutive parts to be written one
        after another, for writing them without holding them: ``kwic.csv`` (one row per mention)
        ``rows`` mentions at a time and not kept, unless it was computed already; every other
        table whole, computed (and kept) first, with the bar counting every method left, KWIC
        included (it is counted once its parts have been taken)."""
        stream = not self._kwic_kept()
        todo = [name for name in METHODS if name not in self.__dict__ and not (stream and name == "kwic")]
        bar = counter("methods", total=len(todo) + stream, enabled=self.progress if progress is None else progress, unit="method")
        for name in todo:
            getattr(self, name)
            bar.update(1)
        try:
            for name, parts in self._parts(stream=stream, rows=rows):
                yield name, parts
                if name == "kwic.csv" and stream:
                    bar.update(1)
        finally:
            bar.close()

    def _kwic_kept(self) -> bool:
        """Whether the run's concordance (``kwic``) has been computed and kept."""
        return "kwic" in self.__dict__ or (None, KWIC_WINDOW, False) in self.__dict__.get("_concordances", {})

    def _parts(self, *, stream: bool = False, rows: int = KWIC_PART_ROWS) -> Iterator[tuple[str, Iterator[pd.DataFrame]]]:
        """Each table by file name as an iterator of parts: the methods computed (KWIC too, unless ``stream``)."""
        validation = self.validation.table() if self.validation is not None else pd.DataFrame(columns=VALIDATION_COLUMNS)
        for name, table in (
            ("kwic.csv", None if stream else self.kwic),
            ("keyness.csv", self.keyness),
            ("cooccurrence.csv", self.cooccurrence),
            ("collocations.csv", self.collocations),
            ("cluster_validation.csv", validation),
            ("lexicon_report.csv", self.lexicon_report),
            ("trends.csv", self.trends),
            ("measures_by_period_rates.csv", self.rates),
            ("dispersion.csv", self.dispersion),
            ("adoption.csv", self.adoption),
            ("adoption_curve.csv", self.adoption_curve),
        ):
            if table is None:  # the texts are read as the parts are made, each part once
                yield name, kwic_parts(self.documents, self.mentions, window=KWIC_WINDOW, texts=self.texts(), rows=rows)
            else:
                yield name, iter([table])


def _dispersion(documents: pd.DataFrame, mentions: pd.DataFrame, lexicon: Lexicon, terms: pd.DataFrame, dfm: DFM, chars: np.ndarray) -> pd.DataFrame:
    """Juilland's D and Gries's DP over the documents: every measure (lexicon order; sizes in
    characters), then every term of ``terms.csv`` in its order (sizes in tokens)."""
    rows = document_rows(documents["doc_id"])(mentions["doc_id"])  # each mention's document row
    n_docs = len(documents)
    measure_index = {m: j for j, m in enumerate(lexicon.names)}
    cols = mentions["measure"].map(measure_index).to_numpy()
    by_measure = sp.csr_matrix(
        (np.ones(len(rows)), (rows.astype(np.int64), cols.astype(np.int64))), shape=(n_docs, len(measure_index))
    )
    frames = [dispersion_table("measure", lexicon.names, by_measure, chars)]
    if len(terms):
        position = {t: j for j, t in enumerate(dfm.vocabulary)}
        columns = np.array([position[t] for t in terms["term"]], dtype=np.int64)
        frames.append(dispersion_table("term", terms["term"].tolist(), dfm.chunks, dfm.document_totals(), columns=columns))
    return pd.concat(frames, ignore_index=True)


def method_results(
    *,
    documents: pd.DataFrame,
    mentions: pd.DataFrame,
    measures: pd.DataFrame,
    clustering: Clustering | None,
    tokens: TokenIds | None = None,
    terms: pd.DataFrame | None = None,
    lexicon: Lexicon,
    segmenter=None,
    reference_unit: str | None = None,
    counts: TermCounts | None = None,
    bigrams: Bigrams | None = None,
    progress: bool | None = None,
    texts: Callable[[], Sequence[str]] | None = None,
) -> MethodResults:
    """The methods of one corpus's data, each computed when first asked. ``documents`` are the
    documents' variables; their analysed texts (simplified, line breaks joined: mention offsets
    refer to them) come from ``texts`` or, failing that, ``documents["text"]``. The counts are
    ``counts`` (a :class:`~analysis.text.dfm.DFM` or plain counts) and ``bigrams``, or the
    documents' ``tokens`` to count them from. ``terms`` is accepted for compatibility: the terms
    table is the matrix's. ``progress``: a bar counting the methods as they are computed."""
    if counts is None or bigrams is None:
        if tokens is None:
            raise ValueError("method_results needs the documents' counts and bigrams, or their tokens")
        counts, bigrams = count_token_ids([tokens])
    dfm = counts if isinstance(counts, DFM) and len(counts.docvars.columns) else DFM.from_counts(counts, documents)
    if texts is None:
        if "text" not in documents.columns:
            raise ValueError("method_results needs the documents' texts: a 'text' column or texts=")
        kept = documents["text"].astype(str).tolist()
        texts = lambda: kept  # noqa: E731
    return MethodResults(
        dfm=dfm,
        documents=documents.drop(columns="text", errors="ignore"),
        mentions=mentions,
        measures=measures,
        clustering=clustering,
        lexicon=lexicon,
        texts=texts,
        bigrams=bigrams,
        segmenter=segmenter,
        reference_unit=reference_unit,
        progress=progress,
    )
