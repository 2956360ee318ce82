"""Trends: how often each measure is mentioned over time, per 10,000 characters of text.

Raw counts grow with the amount of text (a long report mentions everything more), so each
period's mentions are divided by the characters of the documents dated in it. The period (day,
month or year) is chosen from the corpus's span by :func:`analysis.measures.lexicon.choose_period`
unless given. A period without any dated document has no rate (empty), not a rate of zero:
nothing was said, rather than nothing was stressed. Works on any corpus: it needs only a
documents frame with ``doc_id, date_start, text`` (or the texts' lengths) and the mentions table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..measures.lexicon import PERIOD_CODES, Lexicon, choose_period

__all__ = ["TRENDS_COLUMNS", "mention_trends", "trend_matrix", "rates_by_period", "lengths_differ", "thin_periods", "PER_CHARS"]

PER_CHARS = 10_000
TRENDS_COLUMNS = ["period", "period_kind", "measure", "mentions", "n_documents", "n_chars", "per_10k_chars"]
_FREQ = PERIOD_CODES
ALL = "(all measures)"


def mention_trends(
    documents: pd.DataFrame,
    mentions: pd.DataFrame,
    lexicon: Lexicon,
    *,
    period: str | None = None,
    chars: Sequence[int] | np.ndarray | None = None,
    counts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Mentions per 10,000 characters by period and measure: a long table, one row per period and
    measure (plus ``(all measures)``), columns :data:`TRENDS_COLUMNS`.

    A document counts in the period of its ``date_start``; undated documents are left out.
    Every period from the first to the last appears, so gaps show. Measures in lexicon order.

    Parameters
    ----------
    documents : pandas.DataFrame
        ``doc_id, date_start`` and ``text`` as analysed (``result.documents_with_text(original=False)``), or
        ``result.documents`` with ``chars``.
    mentions : pandas.DataFrame
        ``result.mentions``.
    lexicon : Lexicon
        ``result.lexicon``.
    period : str or None
        "day", "month" or "year"; None: chosen from the corpus's span.
    chars : sequence of int or None
        Each document's characters of analysed text (documents' order), when ``documents``
        carries no ``text`` column to measure.
    counts : pandas.DataFrame or None
        The period × measure mention counts of the same documents when already computed
        (``result.by_period``, from :func:`~analysis.measures.lexicon.measures_by_period`), so
        they are not counted again; used only when its periods are this table's.

    Returns
    -------
    pandas.DataFrame
        ``period, period_kind, measure, mentions, n_documents, n_chars, per_10k_chars``
        (``trends.csv``).

    Examples
    --------
    >>> import analysis
    >>> result = analysis.analyse()
    >>> trends = analysis.mention_trends(result.documents, result.mentions, result.lexicon, chars=result.lengths())
    >>> first = trends.iloc[0]
    >>> first["period"], first["measure"], int(first["mentions"]), int(first["n_chars"])
    ('2020-04-18', '三防', 1, 150)
    """
    # Only the columns used: dropping the undated rows of the whole table would copy every column.
    if chars is not None:
        documents = pd.DataFrame(
            {"doc_id": documents["doc_id"], "date_start": documents["date_start"], "_chars": np.asarray(chars, dtype=np.int64)}
        )
    elif "text" not in documents.columns:  # result.documents holds no texts since they live on disk
        raise ValueError(
            "mention_trends: the documents table has no text column to measure; pass chars=result.lengths() "
            "(each document's characters of analysed text) or result.documents_with_text(original=False)"
        )
    else:
        documents = documents[["doc_id", "date_start", "text"]]
    dated = documents.dropna(subset=["date_start"])
    if dated.empty:
        return pd.DataFrame(columns=TRENDS_COLUMNS)
    dates = pd.to_datetime(dated["date_start"])
    period = period or choose_period(dates)
    if period not in _FREQ:
        raise ValueError(f"period must be one of {', '.join(_FREQ)}, not {period!r}")
    keys = pd.Series(dates.dt.to_period(_FREQ[period]).to_numpy(), index=dated["doc_id"].to_numpy())
    full = pd.period_range(keys.min(), keys.max(), freq=_FREQ[period])
    chars = dated["_chars"].to_numpy() if "_chars" in dated else dated["text"].astype(str).str.len().to_numpy()
    size = pd.DataFrame({"period": keys.to_numpy(), "chars": chars}).groupby("period")["chars"].agg(["sum", "count"])
    size = size.reindex(full, fill_value=0)
    labels = [str(p) for p in full]
    if counts is not None and counts.index.name == period and list(counts.index) == labels and set(lexicon.names) <= set(counts.columns):
        counted = {(p, m): int(n) for p, row in zip(full, counts[lexicon.names].to_numpy().tolist()) for m, n in zip(lexicon.names, row)}
    else:
        joined = mentions[mentions["doc_id"].isin(keys.index)]
        joined = joined.assign(period=keys.loc[joined["doc_id"]].to_numpy())
        counted = joined.groupby(["period", "measure"]).size() if not joined.empty else pd.Series(dtype=int)
    rows = []
    for p in full:
        n_chars, n_docs = int(size.loc[p, "sum"]), int(size.loc[p, "count"])
        total = 0
        for measure in lexicon.names:
            n = int(counted.get((p, measure), 0))
            total += n
            rows.append((str(p), period, measure, n, n_docs, n_chars))
        rows.append((str(p), period, ALL, total, n_docs, n_chars))
    frame = pd.DataFrame(rows, columns=TRENDS_COLUMNS[:-1])
    frame["per_10k_chars"] = (frame["mentions"] / frame["n_chars"] * PER_CHARS).where(frame["n_chars"] > 0)
    return frame


def trend_matrix(trends: pd.DataFrame, *, value: str = "per_10k_chars", top_n: int | None = None) -> pd.DataFrame:
    """Period × measure table of ``value`` from :func:`mention_trends`.

    Parameters
    ----------
    trends : pandas.DataFrame
        From :func:`mention_trends` (``trends.csv``).
    value : str
        The column to spread: ``per_10k_chars``, ``mentions``, …
    top_n : int or None
        Keep the most mentioned measures (None: all).

    Returns
    -------
    pandas.DataFrame
        Periods as rows, measures as columns; NaN for a period without text.

    Examples
    --------
    >>> import analysis
    >>> result = analysis.analyse()
    >>> matrix = analysis.trend_matrix(analysis.mention_trends(result.documents, result.mentions, result.lexicon, chars=result.lengths()), top_n=2)
    >>> list(matrix.columns), round(float(matrix.loc["2020-04-21", "个人防护"]), 1)
    (['个人防护', '不聚集'], 184.1)
    """
    table = trends.pivot(index="period", columns="measure", values=value)
    measures = [m for m in dict.fromkeys(trends["measure"]) if m != ALL]
    totals = trends[trends["measure"] != ALL].groupby("measure")["mentions"].sum()
    if top_n is not None:
        measures = sorted(measures, key=lambda m: (-totals.get(m, 0), measures.index(m)))[:top_n]
        measures = [m for m in measures if totals.get(m, 0) > 0]
    return table[measures]


def rates_by_period(trends: pd.DataFrame, *, rates: pd.DataFrame | None = None) -> pd.DataFrame:
    """``measures_by_period.csv``'s rates: one row per period (``period`` named by its kind:
    day, month or year), its ``n_documents`` and ``n_chars``, then each measure's mentions per
    10,000 characters (lexicon order; empty for a period without text). ``rates``: the
    :func:`trend_matrix` of ``trends`` when already computed."""
    if trends.empty:
        return pd.DataFrame(columns=["period", "n_documents", "n_chars"])
    kind = str(trends["period_kind"].iloc[0])
    size = trends[trends["measure"] == ALL].set_index("period")[["n_documents", "n_chars"]]
    rates = trend_matrix(trends) if rates is None else rates
    table = size.join(rates).reset_index().rename(columns={"period": kind})
    return table


def lengths_differ(trends: pd.DataFrame) -> bool:
    """Whether the periods with text differ in length (characters), so counts would confuse
    length with emphasis and rates per 10,000 characters should be compared instead."""
    sizes = trends.loc[(trends["measure"] == ALL) & (trends["n_chars"] > 0), "n_chars"] if len(trends) else pd.Series(dtype=int)
    return sizes.nunique() > 1


def thin_periods(trends: pd.DataFrame) -> list[str]:
    """Periods with some text but too little for a rate: under ``MIN_CHARS`` characters or a
    tenth of the median period's (:mod:`analysis.methods.evidence`). Figures grey them out."""
    from .evidence import MIN_CHARS, MIN_SHARE_OF_MEDIAN

    sizes = trends.loc[(trends["measure"] == ALL) & (trends["n_chars"] > 0)].set_index("period")["n_chars"] if len(trends) else pd.Series(dtype=int)
    if sizes.empty:
        return []
    floor = max(MIN_CHARS, MIN_SHARE_OF_MEDIAN * float(sizes.median()))
    return [str(p) for p, n in sizes.items() if n < floor]
