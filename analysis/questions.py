"""Questions asked of a finished analysis: where does it say that, what sets a group apart, and
how do two corpora, periods or groups of units differ.

These are the front door's ``analysis.kwic``, ``analysis.keyness`` and ``analysis.compare``: they take an
:class:`~analysis.result.Analysis` and return a table, computing nothing the analysis holds
already.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import AnalysisError
from .methods import keyness as _keyness
from .methods import kwic as _kwic
from .methods.compare import Side, SideDocuments, compare_sides, read_reference
from .result import Analysis, corpus_name

__all__ = ["kwic", "keyness", "analysed_documents", "compare", "comparison_side", "KwicTable", "themes"]

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
    return analysis.documents.assign(text=analysis.texts())


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
    return _keyness.keyness(analysis.counts, groups, min_count=min_count, top_n=top_n)


def _as_date(value: str | date | None, what: str) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    try:
        return pd.Timestamp(date.fromisoformat(str(value)) if isinstance(value, str) else value)
    except ValueError:
        raise AnalysisError(f"{what} must be a date written YYYY-MM-DD, not {value!r}") from None


def _span(dates: pd.Series) -> str:
    """A readable label for the dates of a side: "1954–1977" for year-dated documents or spans of
    several years, else "first – last" (days)."""
    dates = dates.dropna()
    if dates.empty:
        return "undated"
    first, last = dates.min(), dates.max()
    if ((dates.dt.month == 1) & (dates.dt.day == 1)).all() or (last - first).days > 3 * 366:  # years read best
        return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"


def comparison_side(analysis: Analysis, keep: Sequence[bool] | None = None, *, label: str | None = None) -> Side:
    """The documents of ``analysis`` selected by ``keep`` (all by default) as one side of a
    comparison: their term counts, measure mentions, tokens and characters (of the analysed text)."""
    documents = analysis.documents
    keep = np.ones(len(documents), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    matrix = analysis.counts.matrix[np.flatnonzero(keep)]
    totals = np.asarray(matrix.sum(axis=0)).ravel()
    present = np.flatnonzero(totals)
    terms = pd.Series(totals[present], index=np.asarray(analysis.counts.vocabulary, dtype=object)[present], dtype=np.int64)
    n_chars = int(analysis.lengths()[keep].sum())
    ids = set(documents.loc[keep, "doc_id"])
    mentions = analysis.mentions[analysis.mentions["doc_id"].isin(ids)]
    measures = mentions["measure"].value_counts().astype(np.int64)
    dates = pd.to_datetime(documents.loc[keep, "date_start"], errors="coerce")
    kept = documents.loc[keep]
    per_doc = (
        mentions.groupby(["doc_id", "measure"]).size().unstack(fill_value=0).reindex(index=kept["doc_id"], columns=analysis.lexicon.names, fill_value=0)
        if len(mentions) else pd.DataFrame(0, index=kept["doc_id"], columns=analysis.lexicon.names)
    )
    side_documents = SideDocuments(
        doc_ids=kept["doc_id"].astype(str).to_numpy(),
        units=kept["unit"].fillna("").astype(str).to_numpy(),
        terms=matrix.tocsr(),
        vocabulary=np.asarray(analysis.counts.vocabulary, dtype=object),
        measures=per_doc,
        n_chars=np.array([len(t) for t, k in zip(texts, keep) if k], dtype=float),
        n_tokens=np.asarray(matrix.sum(axis=1)).ravel().astype(float),
    )
    return Side(
        label=label or f"{corpus_name(analysis)} ({_span(dates)})",
        terms=terms,
        n_tokens=int(totals.sum()),
        n_chars=n_chars,
        measures=measures,
        n_documents=int(keep.sum()),
        documents=side_documents,
    )


def compare(
    a: Analysis,
    b: Analysis | None = None,
    *,
    split_date: str | date | None = None,
    groups: tuple[Sequence[str], Sequence[str]] | None = None,
    reference: str | Path | pd.DataFrame | None = None,
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    labels: tuple[str, str] | None = None,
    min_count: int = 2,
) -> pd.DataFrame:
    """Keyness of terms and measures between two sides (``comparison.csv``), tested over
    documents (``p_docs``, Mann–Whitney U; ``significant``) beside G² over tokens: two analyses
    (``a`` against ``b``), two periods of one (before ``split_date`` against from it on), two
    groups of its units (``groups=(["鹤北", "绥阳"], ["林口", "柴河"])``), or ``a`` against a
    reference frequency list (a CSV or a frame with columns ``term, count``).

    ``date_from`` and ``date_to`` (YYYY-MM-DD, both included) keep only the documents dated
    between them, on both sides (undated documents are then left out), e.g. 2000–2025 split at
    2013. Two analyses coded with different lexicons are compared on the measures both name
    (none, if they share none). Columns: see :data:`analysis.methods.compare.COMPARISON_COLUMNS`.
    """
    modes = [name for name, value in (("b", b), ("split_date", split_date), ("groups", groups), ("reference", reference)) if value is not None]
    if len(modes) != 1:
        raise AnalysisError(
            "compare needs exactly one of: a second corpus, split_date, groups or reference"
            + (f" (given: {', '.join(modes)})" if modes else "")
        )
    start, end = _as_date(date_from, "date_from (--from)"), _as_date(date_to, "date_to (--to)")

    def window(analysis: Analysis) -> np.ndarray:
        dates = pd.to_datetime(analysis.documents["date_start"], errors="coerce")
        keep = np.ones(len(dates), dtype=bool)
        if start is not None:
            keep &= (dates >= start).to_numpy()
        if end is not None:
            keep &= (dates <= end).to_numpy()
        return keep

    def side(analysis: Analysis, keep: np.ndarray, label: str | None, what: str) -> Side:
        if not keep.any():
            raise AnalysisError(f"no document {what}: nothing to compare (check the dates or unit names)")
        return comparison_side(analysis, keep, label=label)

    names = labels or (None, None)
    keep_a = window(a)
    span = "" if start is None and end is None else f" between {date_from or 'the start'} and {date_to or 'the end'}"
    if b is not None:
        side_a = side(a, keep_a, names[0], f"in the first corpus{span}")
        side_b = side(b, window(b), names[1], f"in the second corpus{span}")
        if side_a.label == side_b.label:
            side_a, side_b = (Side(**{**s.__dict__, "label": f"{tag}: {s.label}"}) for tag, s in (("A", side_a), ("B", side_b)))
    elif split_date is not None:
        split = _as_date(split_date, "split_date (--split-date)")
        dates = pd.to_datetime(a.documents["date_start"], errors="coerce")
        before, after = keep_a & (dates < split).to_numpy(), keep_a & (dates >= split).to_numpy()
        side_a = side(a, before, names[0] or _span(dates[before]), f"dated before {split:%Y-%m-%d}{span}")
        side_b = side(a, after, names[1] or _span(dates[after]), f"dated on or after {split:%Y-%m-%d}{span}")
    elif groups is not None:
        if len(groups) != 2:
            raise AnalysisError(f"groups must be two lists of units, not {len(groups)}")
        known = list(dict.fromkeys(u for u in a.documents["unit"].fillna("").astype(str) if u))
        group_a, group_b = ([str(u).strip() for u in g if str(u).strip()] for g in groups)
        unknown = [u for u in [*group_a, *group_b] if u not in known]
        if unknown:
            listed = ", ".join(known[:30]) if known else "none: no document names a unit"
            raise AnalysisError(f"not a unit of this corpus: {', '.join(unknown)} (units: {listed})")
        overlap = set(group_a) & set(group_b)
        if overlap:
            raise AnalysisError(f"a unit cannot be on both sides: {', '.join(sorted(overlap))}")
        units = a.documents["unit"].fillna("").astype(str)
        side_a = side(a, keep_a & units.isin(group_a).to_numpy(), names[0] or "、".join(group_a), f"of {', '.join(group_a)}{span}")
        side_b = side(a, keep_a & units.isin(group_b).to_numpy(), names[1] or "、".join(group_b), f"of {', '.join(group_b)}{span}")
    else:
        side_a = side(a, keep_a, names[0], f"in the corpus{span}")
        if isinstance(reference, pd.DataFrame):
            terms = reference.groupby(reference["term"].astype(str))["count"].sum().astype(np.int64)
            side_b = Side(label=names[1] or "reference", terms=terms, n_tokens=int(terms.sum()))
        else:
            try:
                side_b = read_reference(reference, label=names[1])
            except FileNotFoundError:
                raise AnalysisError(f"{reference}: no such file (the reference list is a CSV with columns term,count)") from None
            except OSError as error:
                raise AnalysisError(f"{reference}: cannot be read ({error.strerror or error})") from None
            except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
                raise AnalysisError(str(error).splitlines()[0]) from None
    measures = a.lexicon.names
    if b is not None and b.lexicon.names != a.lexicon.names:  # coded with other lexicons: only the measures both name
        measures = [m for m in a.lexicon.names if m in set(b.lexicon.names)]
    try:
        return compare_sides(side_a, side_b, measures=measures, min_count=min_count)
    except ValueError as error:
        raise AnalysisError(str(error)) from None


def themes(
    analysis: Analysis,
    k: int | None = None,
    *,
    method: str = "nmf",
    guided: bool = False,
    extra: int | None = None,
    random_state: int = 0,
    max_k: int = 12,
    period: str | None = None,
):
    """Themes of the analysis's documents, from their document × term counts, with the verdict on
    whether they hold (:func:`analysis.methods.themes.fit_themes`).

    ``k`` themes, or chosen by stability and coherence; ``method`` "nmf" (TF-IDF) or "lda";
    ``guided``: one theme seeded by each measure of the lexicon whose variants occur, plus
    ``extra`` free themes, so that ``.reach()`` shows how far a measure's theme goes beyond its
    variants and ``.candidates()`` the terms no measure covers. Writes nothing.
    """
    from .methods.themes import fit_themes

    lexicon = analysis.lexicon
    seeds = {m.name: list(m.variants) for m in lexicon.measures} if guided else None
    return fit_themes(
        analysis.counts, analysis.documents, k=k, method=method, seeds=seeds, extra=extra, random_state=random_state,
        max_k=max_k, period=period, covered=lexicon.variant_to_measure,
    )
