"""Questions asked of a finished analysis: where does it say that, what sets a group apart, and
how do two corpora, periods or groups of units differ.

These are the front door's ``analysis.kwic``, ``analysis.keyness`` and ``analysis.compare``: they take an
:class:`~analysis.result.Analysis` and return a table. KWIC and keyness ask the analysis's
methods (one code path whatever the arguments), which keep what they computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import AnalysisError
from .methods.compare import Side, SideDocuments, compare_sides, read_reference
from .methods.kwic import KwicTable
from .result import Analysis, corpus_name

__all__ = ["kwic", "keyness", "analysed_documents", "compare", "comparison_side", "KwicTable", "themes"]

def analysed_documents(analysis: Analysis) -> pd.DataFrame:
    """The documents table with the text as analysed (simplified, line breaks joined): the
    text that mention offsets and KWIC lines refer to."""
    return analysis.documents.assign(text=analysis.texts())


def kwic(
    analysis: Analysis, query: str | Iterable[str] | None = None, *, window: int = 20, literal: bool = False
) -> pd.DataFrame:
    """Keyword in context: one line per occurrence, ``window`` characters each side.

    A notebook shows the result (a :class:`KwicTable`, a DataFrame) with the match highlighted.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.
    query : str, iterable of str or None
        A measure of the lexicon (every variant, matched as the lexicon matches), a term, or
        several terms; None gives every measure mention (``kwic.csv``).
    window : int
        Characters of context on each side.
    literal : bool
        Search ``query`` as written even where it also names a measure (bare 民生, not the
        measure 民生 and its variants).

    Returns
    -------
    KwicTable
        A DataFrame: ``doc_id, unit, date_start, measure, variant, start, end, left, match,
        right, in_title``, in corpus order.

    Examples
    --------
    >>> import analysis
    >>> result = analysis.analyse()
    >>> lines = analysis.kwic(result, "外防输入")
    >>> len(lines), lines.loc[1, "unit"], lines.loc[1, "match"]
    (11, '鹤北', '防范境外疫情输入')
    """
    return analysis.methods.concordance(query, window=window, literal=literal)


def keyness(
    analysis: Analysis, by: str | Sequence[str] | Mapping[str, str] = "unit", *, min_count: int = 2, top_n: int | None = 30
) -> pd.DataFrame:
    """Terms each group over- and under-uses against the rest of the corpus (G², log ratio,
    Bonferroni-corrected significance over documents).

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.
    by : str, sequence of str or mapping
        ``"unit"`` or ``"cluster"`` (the tables ``run`` writes), a column of the documents table
        (e.g. ``"kind"``), one group per document, or a mapping doc_id → group.
    min_count : int
        Terms seen fewer times in the corpus are left out.
    top_n : int or None
        Terms kept per group and direction (None: all).

    Returns
    -------
    pandas.DataFrame
        ``group, term, count_group, count_rest, …, g2, p_g2, log_ratio, direction,
        significant, n_docs_group, n_docs_rest, p_docs, significant_g2`` (``keyness.csv``).

    Examples
    --------
    >>> import analysis
    >>> result = analysis.analyse()
    >>> table = analysis.keyness(result, "unit", top_n=3)
    >>> sorted(set(table["direction"])), bool(table["significant"].any())
    (['over', 'under'], False)
    """
    return analysis.methods.keyness_by(by, min_count=min_count, top_n=top_n)


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
    chosen = analysis.dfm.subset(keep)
    matrix = chosen.matrix
    totals = chosen.feature_totals()
    present = np.flatnonzero(totals)
    terms = pd.Series(totals[present], index=np.asarray(chosen.vocabulary, dtype=object)[present], dtype=np.int64)
    sizes = analysis.lengths()[keep]  # characters of each kept document's analysed text, without reading the texts
    n_chars = int(sizes.sum())
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
        vocabulary=np.asarray(chosen.vocabulary, dtype=object),
        measures=per_doc,
        n_chars=sizes.astype(float),
        n_tokens=chosen.document_totals().astype(float),
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
    documents (``p_docs``, Mann–Whitney U; ``significant``) beside G² over tokens.

    The sides are two analyses (``a`` against ``b``), two periods of one (before
    ``split_date`` against from it on), two groups of its units, or ``a`` against a reference
    frequency list. Two analyses coded with different lexicons are compared on the measures
    both name (none, if they share none).

    Parameters
    ----------
    a : Analysis
        The analysis (side A, or both sides).
    b : Analysis or None
        A second analysis: side B.
    split_date : str, date or None
        YYYY-MM-DD: the documents dated before it against those dated from it on.
    groups : tuple of two sequences of str or None
        Two groups of ``a``'s units, e.g. ``(["鹤北", "绥阳"], ["林口", "柴河"])``.
    reference : str, Path, DataFrame or None
        A reference frequency list (a CSV or a frame with columns ``term, count``): only terms
        are compared, by G².
    date_from, date_to : str, date or None
        Keep only the documents dated between them (YYYY-MM-DD, both included), on both sides;
        undated documents are then left out.
    labels : tuple of two str or None
        Names of the sides (default: from the groups, dates or corpora).
    min_count : int
        Terms seen fewer times on both sides together are left out.

    Returns
    -------
    pandas.DataFrame
        One row per measure and term; columns: see
        :data:`analysis.methods.compare.COMPARISON_COLUMNS`.

    Examples
    --------
    >>> import analysis
    >>> result = analysis.analyse()
    >>> table = analysis.compare(result, groups=(["鹤北", "绥阳", "东方红"], ["林口", "柴河", "穆棱"]))
    >>> first = table.iloc[0]
    >>> first["item"], int(first["count_a"]), int(first["count_b"]), bool(first["significant"])
    ('边境管控', 13, 1, False)
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
    whether they hold (:func:`analysis.methods.themes.fit_themes`). Writes nothing.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.
    k : int or None
        Number of themes; None: chosen from 2 to ``max_k`` by stability and coherence.
    method : str
        "nmf" (NMF on TF-IDF) or "lda" (latent Dirichlet allocation on counts).
    guided : bool
        One theme seeded by each measure of the lexicon whose variants occur, plus ``extra``
        free themes, so that ``.reach()`` shows how far a measure's theme goes beyond its
        variants and ``.candidates()`` the terms no measure covers.
    extra : int or None
        With ``guided``: free themes beside the seeded ones.
    random_state : int
        Seed of the fits and resamples: the same seed gives the same themes.
    max_k : int
        Largest k tried when ``k`` is None.
    period : str or None
        "day", "month" or "year" for ``by_period``; None: from the corpus's span.

    Returns
    -------
    Themes
        ``verdict`` ("stable", "tentative" or "not supported"), ``reason``, ``table`` (the top
        terms of each theme), ``document_shares``, ``by_period``, ``by_unit``,
        ``validation_table``, …; :func:`analysis.write_themes` writes them.

    Examples
    --------
    >>> import analysis
    >>> found = analysis.themes(analysis.analyse())
    >>> found.verdict  # ten reports are too few documents for themes
    'not supported'
    """
    from .methods.themes import fit_themes

    lexicon = analysis.lexicon
    seeds = {m.name: list(m.variants) for m in lexicon.measures} if guided else None
    return fit_themes(
        analysis.dfm, analysis.dfm.docvars, k=k, method=method, seeds=seeds, extra=extra, random_state=random_state,
        max_k=max_k, period=period, covered=lexicon.variant_to_measure,
    )
