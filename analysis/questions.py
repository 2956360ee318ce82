"""Questions asked of a finished analysis: where does it say that, and what sets a group apart.

These are the front door's ``analysis.kwic`` and ``analysis.keyness``: they take an
:class:`~analysis.result.Analysis` and return a table, computing nothing the analysis holds
already.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from .methods import keyness as _keyness
from .methods import kwic as _kwic
from .result import Analysis

__all__ = ["kwic", "keyness", "analysed_documents", "KwicTable"]

_KWIC_SHOWN = 100  # rows a notebook shows; the table holds them all


class KwicTable(pd.DataFrame):
    """A concordance: a plain DataFrame (same columns as ``kwic.csv``) that a notebook shows as
    aligned lines with the match highlighted. Operations on it give ordinary DataFrames."""

    @property
    def _constructor(self):
        return pd.DataFrame

    def _repr_html_(self) -> str:
        from markupsafe import escape

        shown = self.head(_KWIC_SHOWN)
        rows = []
        for row in shown.itertuples(index=False):
            label = row.unit if isinstance(row.unit, str) and row.unit else row.doc_id
            date = "" if row.date_start is None or (not isinstance(row.date_start, str) and pd.isna(row.date_start)) else row.date_start
            rows.append(
                f'<tr><td style="text-align:left">{escape(label)}</td><td style="text-align:left">{escape(date)}</td>'
                f'<td style="text-align:right;white-space:nowrap">{escape(row.left)}</td>'
                f'<td style="text-align:left;white-space:nowrap"><mark style="background:#ffd54f;font-weight:600">{escape(row.match)}</mark>'
                f"{escape(row.right)}</td></tr>"
            )
        more = len(self) - len(shown)
        note = f"<p>{len(self)} occurrences; the first {len(shown)} shown (the table holds all).</p>" if more else f"<p>{len(self)} occurrence{'s' if len(self) != 1 else ''}.</p>"
        head = '<tr><th style="text-align:left">unit</th><th style="text-align:left">date</th><th></th><th style="text-align:left">match</th></tr>'
        return f'<div class="kwic-table"><table>{head}{"".join(rows)}</table>{note}</div>'


def analysed_documents(analysis: Analysis) -> pd.DataFrame:
    """The documents table with the text as analysed (simplified, line breaks joined): the
    text that mention offsets and KWIC lines refer to."""
    return analysis.documents.assign(text=analysis.corpus.analysis_texts())


def kwic(
    analysis: Analysis, query: str | Iterable[str] | None = None, *, window: int = 20, literal: bool = False
) -> pd.DataFrame:
    """Keyword in context: one line per occurrence, ``window`` characters each side.

    A notebook shows the result (a :class:`KwicTable`, a DataFrame) with the match highlighted.

    ``query`` is a measure of the lexicon (every variant, matched as the lexicon matches), a
    term, or several terms; None gives every measure mention (``kwic.csv``). With ``literal``
    a query is searched as written even where it also names a measure (bare 民生, not the
    measure 民生 and its variants).
    """
    if query is None and window == 20:
        return analysis.methods.kwic
    documents = analysed_documents(analysis)
    if query is None:
        return KwicTable(_kwic.kwic(documents, analysis.mentions, window=window))
    if isinstance(query, str) and query in analysis.lexicon.names and not literal:
        return KwicTable(_kwic.kwic(documents, analysis.mentions[analysis.mentions["measure"] == query], window=window))
    return KwicTable(_kwic.kwic_terms(documents, query, window=window))


def keyness(
    analysis: Analysis, by: str | Sequence[str] | Mapping[str, str] = "unit", *, min_count: int = 2, top_n: int | None = 30
) -> pd.DataFrame:
    """Terms each group over- and under-uses against the rest of the corpus (G², log ratio,
    Bonferroni-corrected significance).

    ``by`` is ``"unit"`` or ``"cluster"`` (the tables ``run`` writes), a column of the documents
    table (e.g. ``"kind"``), one group per document, or a mapping doc_id → group.
    """
    if by in ("unit", "cluster") and min_count == 2 and top_n == 30:
        table = analysis.methods.keyness
        return table[table["grouping"] == by].drop(columns="grouping").reset_index(drop=True)
    documents = analysis.documents
    if isinstance(by, str):
        if by == "cluster" and analysis.clustering is not None:
            labels = analysis.clustering.labels
            groups = [f"cluster {int(labels[u])}" if u in labels.index else "" for u in documents["unit"]]
        elif by in documents.columns:
            groups = documents[by].fillna("").astype(str).tolist()
        else:
            raise KeyError(f"'{by}' is not a column of the documents table (columns: {', '.join(documents.columns)})")
    elif isinstance(by, Mapping):
        groups = [str(by.get(d, "")) for d in documents["doc_id"]]
    else:
        groups = [str(g) if g else "" for g in by]
    return _keyness.keyness(analysis.token_ids, groups, min_count=min_count, top_n=top_n)
