"""The document-feature matrix: every document's term counts, with its variables, in one object.

As quanteda's ``dfm`` is for its users: sparse document × term counts (rows as in the
documents table, terms in sorted order) with the document variables (``doc_id``, ``unit``,
dates, issuer, source, layout, …) travelling with their rows, and the operations the methods
need: group sums by any variable, selection of documents or features, totals (per document,
per feature, document frequency) and weighting (relative frequency, TF-IDF). A :class:`DFM` is a
:class:`~analysis.text.counts.TermCounts`, so every function that takes counts takes it; its
sums are :mod:`analysis.text.counts`' blockwise ones (no copy of the whole matrix), computed
once and kept. Tables come out sorted by count (descending), then term.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .counts import CountChunks, TermCounts, as_counts, group_codes, term_frequencies, term_frequencies_by
from .tokens import TokenIds

__all__ = ["DFM"]

Groups = str | Sequence[Any] | Mapping[str, Any]


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False  # kept and handed out: a caller cannot change it by mistake
    return array


def _coarser(names: list[str], codes: np.ndarray, finer: list[str], finer_codes: np.ndarray, finer_sums: sp.csr_matrix) -> tuple[list[str], sp.csr_matrix] | None:
    """:meth:`DFM.pooled` of the groups ``names``/``codes`` (as :func:`group_codes` gives them)
    from the sums already made for the grouping ``finer``, when the new groups merge its groups
    (each of its groups within one new group or left out, and the documents it leaves out left
    out): the clusters of units, from the units' sums, with no pass over the counts. The same
    integers, in the same order. None when they do not."""
    if len(codes) != len(finer_codes) or (codes[finer_codes < 0] >= 0).any():
        return None
    inside = finer_codes >= 0
    target = np.full(len(finer), -1, dtype=np.int64)  # each finer group's new group (-1: left out)
    target[finer_codes[inside]] = codes[inside]
    if not np.array_equal(target[finer_codes[inside]], codes[inside]):  # a finer group split between new ones
        return None
    merged = np.flatnonzero(target >= 0)
    merge = sp.csr_matrix((np.ones(len(merged), dtype=np.int64), (target[merged], merged)), shape=(len(names), len(finer)))
    summed = (merge @ finer_sums).tocsr().astype(np.int64)
    summed.eliminate_zeros()
    summed.sort_indices()
    return names, summed


class DFM(TermCounts):
    """Document × term counts with one row of document variables per document (``result.dfm``).

    Read-only: every operation returns a new matrix or a table; totals and group sums are
    computed on first use and kept. A :class:`~analysis.text.counts.TermCounts`, so every
    function that takes counts takes it. ``result.dfm`` is the run's; :meth:`from_tokens` and
    :meth:`from_counts` build one.

    Attributes
    ----------
    vocabulary : list of str
        The features (terms), sorted.
    matrix : scipy.sparse.csr_matrix
        ``matrix[i, j]``: how often ``vocabulary[j]`` occurs in document ``i`` (integers; floats
        once weighted). A run's counts are kept on disk a chunk of rows at a time
        (``chunks``, :class:`~analysis.text.counts.CountChunks`): totals, group sums and
        selections read them chunk by chunk, and ``matrix`` assembles the whole matrix when
        first asked (fine for a small corpus; a large one's methods never ask).
    docvars : pandas.DataFrame
        One row per document, in the matrix's order: ``doc_id``, ``unit``, ``date_start``, …
        (the documents table without its texts).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import DFM
    >>> dfm = DFM.from_tokens([["口罩", "消毒", "口罩"], ["口罩"], ["边境"]],
    ...                       pd.DataFrame({"doc_id": ["a", "b", "c"], "unit": ["鹤北", "绥阳", "鹤北"]}))
    >>> dfm
    DFM: 3 documents × 3 features, 5 tokens; docvars: doc_id, unit
    >>> dfm.feature_totals().tolist(), dfm.document_frequency().tolist()
    ([3, 1, 1], [2, 1, 1])
    >>> grouped = dfm.group("unit")
    >>> grouped.docvars["unit"].tolist(), grouped.matrix.toarray().tolist()
    (['鹤北', '绥阳'], [[2, 1, 1], [1, 0, 0]])
    >>> dfm.subset(unit="鹤北").frequencies().values.tolist()
    [['口罩', 2, 1], ['消毒', 1, 1], ['边境', 1, 1]]
    """

    def __init__(self, vocabulary: list[str], matrix: "sp.spmatrix | CountChunks", docvars: pd.DataFrame | None = None) -> None:
        super().__init__(vocabulary, matrix)
        n_rows, n_columns = self.chunks.shape
        if docvars is None or (docvars.empty and not len(docvars.columns)):
            docvars = pd.DataFrame(index=pd.RangeIndex(n_rows))
        if len(docvars) != n_rows:
            raise ValueError(f"{len(docvars)} rows of document variables for {n_rows} rows of counts")
        if len(self.vocabulary) != n_columns:
            raise ValueError(f"{len(self.vocabulary)} features for {n_columns} columns of counts")
        if not docvars.index.equals(pd.RangeIndex(len(docvars))):  # rows by position; no copy when they already are
            docvars = docvars.reset_index(drop=True)
        self.docvars = docvars

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def from_counts(cls, counts: TermCounts, docvars: pd.DataFrame | None = None) -> "DFM":
        """The counts of a run (or any :class:`TermCounts`) with their documents' variables;
        a ``text`` column is left out (texts are not document variables)."""
        if docvars is None:
            docvars = pd.DataFrame(index=pd.RangeIndex(counts.n_documents))
        elif "text" in docvars.columns:
            docvars = docvars.drop(columns="text")
        return cls(counts.vocabulary, counts.chunks, docvars)

    @classmethod
    def from_tokens(cls, tokens: "Sequence[Sequence[str]] | TokenIds", docvars: pd.DataFrame | None = None) -> "DFM":  # type: ignore[override]
        """Counts of token lists (one per document) or :class:`TokenIds`, with ``docvars``."""
        return cls.from_counts(as_counts(tokens), docvars)

    def _with(self, matrix: sp.csr_matrix, vocabulary: Sequence[str] | None = None, docvars: pd.DataFrame | None = None) -> "DFM":
        return DFM(list(self.vocabulary if vocabulary is None else vocabulary), matrix, self.docvars if docvars is None else docvars)

    # -- size and totals --------------------------------------------------------------------
    @property
    def n_features(self) -> int:
        return self.chunks.shape[1]

    @property
    def shape(self) -> tuple[int, int]:
        return self.n_documents, self.n_features

    def __len__(self) -> int:
        return self.n_documents

    def __repr__(self) -> str:
        variables = ", ".join(map(str, self.docvars.columns[:8])) + (", …" if len(self.docvars.columns) > 8 else "")
        return f"DFM: {self.n_documents} documents × {self.n_features} features, {self.n_tokens} tokens; docvars: {variables or 'none'}"

    @cached_property
    def _feature_totals(self) -> np.ndarray:
        return _read_only(self.chunks.column_totals())

    @cached_property
    def _document_frequency(self) -> np.ndarray:
        return _read_only(self.chunks.column_counts())

    @cached_property
    def _document_totals(self) -> np.ndarray:
        return _read_only(self.chunks.row_totals())

    @property
    def n_tokens(self) -> int:
        return int(self._feature_totals.sum())

    def totals(self) -> np.ndarray:
        """Occurrences of each feature over all documents (``vocabulary`` order)."""
        return self._feature_totals

    def feature_totals(self) -> np.ndarray:
        """Occurrences of each feature over all documents (``vocabulary`` order)."""
        return self._feature_totals

    def document_counts(self) -> np.ndarray:
        """Number of documents holding each feature (its document frequency)."""
        return self._document_frequency

    def document_frequency(self) -> np.ndarray:
        """Number of documents holding each feature."""
        return self._document_frequency

    def document_totals(self) -> np.ndarray:
        """Tokens kept in each document (row sums, documents' order)."""
        return self._document_totals

    # -- document variables and groups ------------------------------------------------------
    def labels(self, by: Groups) -> list[str]:
        """One group label per document: ``by`` is a document variable's name, one label per
        document, or a mapping doc_id → label. Missing labels are ``""`` (left out of groups)."""
        if isinstance(by, str):
            if by not in self.docvars.columns:
                raise KeyError(f"'{by}' is not a document variable (variables: {', '.join(map(str, self.docvars.columns))})")
            return self.docvars[by].fillna("").astype(str).tolist()
        if isinstance(by, Mapping):
            if "doc_id" not in self.docvars.columns:
                raise KeyError("a mapping doc_id → group needs the document variable 'doc_id'")
            return [str(by.get(d, "") or "") for d in self.docvars["doc_id"]]
        labels = ["" if g is None or (isinstance(g, float) and np.isnan(g)) or g == "" else str(g) for g in by]
        if len(labels) != self.n_documents:
            raise ValueError(f"{len(labels)} groups for {self.n_documents} documents")
        return labels

    def pooled(self, groups: Sequence[str]) -> tuple[list[str], sp.csr_matrix]:
        """Group × term counts, groups in order of first appearance (empty labels left out);
        kept per grouping, so the tables and methods that group alike sum once."""
        return self.pooled_codes(*group_codes(groups))

    def pooled_codes(self, names: list[str], codes: np.ndarray) -> tuple[list[str], sp.csr_matrix]:
        """:meth:`pooled` of groups already numbered (as :func:`group_codes` gives them), kept."""
        # Kept by the groups' codes (4 bytes a document), not a tuple of the labels (the strings
        # would be kept with it: ~80 bytes a document for each grouping).
        cache = self.__dict__.setdefault("_pooled", [])
        for known, known_codes, matrix in cache:
            if known == names and np.array_equal(known_codes, codes):
                return list(names), matrix
        # integer counts: sums of the finer groups' sums are the same numbers (floats could round otherwise)
        merged = None if self.chunks.weighted else next(filter(None, (_coarser(names, codes, *known) for known in cache)), None)
        names, matrix = merged or self._sum_groups(names, codes)
        cache.append((names, codes, matrix))
        return list(names), matrix

    def group(self, by: Groups, *, sort: bool = False) -> "DFM":
        """Sum the documents of each group into one row (as quanteda's ``dfm_group``).

        ``by``: a document variable (``"unit"``, ``"issuer"``, …), one label per document, or a
        mapping doc_id → label; documents without a label are left out. Groups in order of first
        appearance (``sort``: sorted by label). The result's document variables are the group
        label (named after ``by``, else ``group``) and ``n_documents``."""
        labels = self.labels(by)
        names, matrix = self.pooled(labels)
        sizes = pd.Series(labels).value_counts()
        if sort:
            order = sorted(range(len(names)), key=names.__getitem__)
            names, matrix = [names[i] for i in order], matrix[order]
        name = by if isinstance(by, str) else "group"
        docvars = pd.DataFrame({name: pd.Series(names, dtype=object), "n_documents": [int(sizes[n]) for n in names]})
        return self._with(matrix.tocsr(), docvars=docvars)

    # -- selection -----------------------------------------------------------------------------
    def subset(self, keep: Sequence[bool] | Sequence[int] | np.ndarray | None = None, **equals: Any) -> "DFM":
        """The documents selected by ``keep`` (a boolean mask or row positions) and/or whose
        variables equal the values given, e.g. ``dfm.subset(unit="鹤北")`` (as quanteda's
        ``dfm_subset``); rows stay in order."""
        mask = np.ones(self.n_documents, dtype=bool)
        if keep is not None:
            keep = np.asarray(keep)
            if keep.dtype == bool:
                if len(keep) != self.n_documents:
                    raise ValueError(f"a mask of {len(keep)} for {self.n_documents} documents")
                mask &= keep
            else:
                chosen = np.zeros(self.n_documents, dtype=bool)
                chosen[keep.astype(np.int64)] = True
                mask &= chosen
        for name, value in equals.items():
            if name not in self.docvars.columns:
                raise KeyError(f"'{name}' is not a document variable (variables: {', '.join(map(str, self.docvars.columns))})")
            column = self.docvars[name]
            mask &= (column.isin(value) if isinstance(value, (list, tuple, set, frozenset)) else column == value).to_numpy(dtype=bool)
        rows = np.flatnonzero(mask)
        return self._with(self.chunks.rows(rows), docvars=self.docvars.iloc[rows].reset_index(drop=True))

    def select(self, features: Sequence[str] | Sequence[bool] | np.ndarray) -> "DFM":
        """Only the features given (terms, or a boolean mask over ``vocabulary``), in vocabulary
        order; terms not in the vocabulary are ignored (as quanteda's ``dfm_select``)."""
        features = np.asarray(features)
        if features.dtype == bool:
            if len(features) != self.n_features:
                raise ValueError(f"a mask of {len(features)} for {self.n_features} features")
            columns = np.flatnonzero(features)
        else:
            position = {t: j for j, t in enumerate(self.vocabulary)}
            columns = np.array(sorted({position[t] for t in features.tolist() if t in position}), dtype=np.int64)
        return self._with(self.columns(columns), vocabulary=[self.vocabulary[j] for j in columns])

    def trim(self, *, min_count: int = 1, min_docs: int = 1) -> "DFM":
        """Only features occurring at least ``min_count`` times in ``min_docs`` or more documents
        (quanteda's ``dfm_trim``)."""
        return self.select((self.feature_totals() >= min_count) & (self.document_frequency() >= min_docs))

    # -- weighting -------------------------------------------------------------------------------
    def weight(self, scheme: str = "prop") -> "DFM":
        """Weighted counts (quanteda's ``dfm_weight``): ``"prop"`` each count divided by its
        document's tokens (relative frequency; an empty document stays zero), ``"boolean"`` 1
        where the term occurs, ``"count"`` as is."""
        if scheme == "count":
            return self
        if scheme == "boolean":
            matrix = self.matrix.copy()
            matrix.data = np.ones_like(matrix.data)
            return self._with(matrix)
        if scheme == "prop":
            sizes = self.document_totals().astype(float)
            scale = np.divide(1.0, sizes, out=np.zeros_like(sizes), where=sizes > 0)
            return self._with(sp.diags(scale).dot(self.matrix.astype(float)).tocsr())
        raise ValueError(f"weighting scheme must be 'prop', 'boolean' or 'count', not {scheme!r}")

    def tfidf(self, *, sublinear: bool = True) -> "DFM":
        """TF-IDF weights, as scikit-learn's ``TfidfTransformer`` gives them (smoothed IDF, rows
        L2-normalised; ``sublinear``: 1 + log of the count), so the floats are those of the
        methods that weight this way (distinctive terms, themes)."""
        from sklearn.feature_extraction.text import TfidfTransformer  # imported when needed: slow to import

        return self._with(TfidfTransformer(sublinear_tf=sublinear).fit_transform(self.matrix).tocsr())

    # -- tables ----------------------------------------------------------------------------------
    def frequencies(self, by: Groups | None = None) -> pd.DataFrame:
        """``term, count, doc_count`` over all documents (``terms.csv``); with ``by``, the long
        table ``group, term, count`` of each group (``terms_by_unit.csv``). Sorted by count
        (descending), then term; kept once computed for a document variable's name."""
        cache = self.__dict__.setdefault("_frequencies", {})
        key = by if by is None or isinstance(by, str) else None
        if key in cache and (by is None or isinstance(by, str)):
            return cache[key]
        table = term_frequencies(self) if by is None else term_frequencies_by(self, self.labels(by))
        if by is None or isinstance(by, str):
            cache[key] = table
        return table
