"""Keyword in context: every occurrence of a term or a measure, with a window of text on each side.

Occurrences come from the raw text (not the tokens), so a concordance shows exactly what the
lexicon matched, whatever the segmenter did. Offsets are character offsets into the document's
text, the same ones :func:`analysis.measures.lexicon.find_mentions` reports.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from ..measures.lexicon import Lexicon, find_mentions

__all__ = ["KWIC_COLUMNS", "KwicTable", "kwic", "kwic_parts", "kwic_terms", "kwic_measure", "format_kwic"]

KWIC_COLUMNS = ["doc_id", "unit", "date_start", "measure", "variant", "start", "end", "left", "match", "right", "in_title"]

_WHITESPACE = re.compile(r"\s+")
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


def _clean(text: str) -> str:
    """One line of context: runs of whitespace (line breaks included) become one space."""
    return _WHITESPACE.sub(" ", text)


def kwic(documents: pd.DataFrame, mentions: pd.DataFrame, *, window: int = 20, texts: Sequence[str] | None = None) -> pd.DataFrame:
    """A concordance line for each mention: ``window`` characters left and right of the match.

    ``documents`` needs ``doc_id, text`` (``unit, date_start`` are carried if present);
    ``mentions`` needs ``doc_id, start, end`` (``measure, variant`` are carried if present),
    e.g. the table from :func:`find_mentions`. Rows keep the mentions' order (document, offset).
    A mention with ``in_title`` true is shown in the document's ``title`` (its offsets are the
    title's); ``in_title`` is carried (false when absent).
    """
    return next(kwic_parts(documents, mentions, window=window, texts=texts, rows=max(1, len(mentions))))


def document_rows(doc_ids: Sequence[str]) -> Callable[[Sequence[str]], np.ndarray]:
    """A lookup of documents' rows by id in ``doc_ids`` (the documents table's column): given ids,
    their rows, -1 for an unknown id; a repeated id is its last row's, as a dict built in row
    order keeps. An index of the ids, not a dict of every id as a Python string."""
    ids = pd.Index(doc_ids)
    if ids.is_unique:
        return ids.get_indexer
    last = ~ids.duplicated(keep="last")
    ids, rows = ids[last], np.flatnonzero(last)

    def rows_of(wanted: Sequence[str]) -> np.ndarray:
        found = ids.get_indexer(wanted)
        return np.where(found >= 0, rows[found], -1)

    return rows_of


def kwic_parts(
    documents: pd.DataFrame, mentions: pd.DataFrame, *, window: int = 20, texts: Sequence[str] | None = None, rows: int = 10_000
) -> Iterator[pd.DataFrame]:
    """:func:`kwic`'s table in consecutive parts of at most ``rows`` mentions (one empty table
    when there are none), so that a caller writing it (``run``'s ``kwic.csv``: one row per
    mention) never holds it whole; the parts written one after another are the table."""
    if window < 0:
        raise ValueError("window must be zero or more characters")
    # Each document's row by its id, looked up a part at a time: the documents' columns are read
    # for the part's rows only, never listed whole (a corpus has far more documents than a part
    # has mentions).
    rows_of = document_rows(documents["doc_id"])
    # ``texts`` (row by row as ``documents``) may be a TextStore: only the mentioned rows are read, in order.
    texts = documents["text"].tolist() if texts is None else texts
    if not len(mentions):
        yield pd.DataFrame([], columns=KWIC_COLUMNS)
        return
    for lo in range(0, len(mentions), rows):
        part = mentions.iloc[lo : lo + rows]
        at = rows_of(part["doc_id"])
        if (at < 0).any():
            raise KeyError(part["doc_id"].iloc[int(np.flatnonzero(at < 0)[0])])
        titles = documents["title"].take(at).fillna("").astype(str).tolist() if "title" in documents else [""] * len(at)
        units = documents["unit"].take(at).tolist() if "unit" in documents else None
        dates = documents["date_start"].take(at).tolist() if "date_start" in documents else None
        columns: dict[str, list] = {name: [] for name in KWIC_COLUMNS}
        for k, (i, mention) in enumerate(zip(at.tolist(), part.itertuples(index=False))):
            in_title = bool(getattr(mention, "in_title", False))
            text = titles[k] if in_title else str(texts[i])
            start, end = int(mention.start), int(mention.end)
            columns["doc_id"].append(mention.doc_id)
            columns["unit"].append(units[k] if units is not None else "")
            columns["date_start"].append(dates[k] if dates is not None else None)
            columns["measure"].append(getattr(mention, "measure", ""))
            columns["variant"].append(getattr(mention, "variant", text[start:end]))
            columns["start"].append(start)
            columns["end"].append(end)
            columns["left"].append(_clean(text[max(0, start - window) : start]))
            columns["match"].append(text[start:end])
            columns["right"].append(_clean(text[end : end + window]))
            columns["in_title"].append(in_title)
        yield pd.DataFrame(columns, columns=KWIC_COLUMNS)


def kwic_terms(documents: pd.DataFrame, terms: str | Iterable[str], *, window: int = 20, texts: Sequence[str] | None = None) -> pd.DataFrame:
    """Concordance of one term or several (longest first at each position, no overlaps).

    The ``measure`` column holds the term searched for, ``variant`` the text matched.
    """
    terms = [terms] if isinstance(terms, str) else list(terms)
    terms = [t for t in dict.fromkeys(terms) if t]
    if not terms:
        return pd.DataFrame(columns=KWIC_COLUMNS)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t))))
    rows = [
        (doc_id, m.group(0), m.group(0), m.start(), m.end())
        for doc_id, text in zip(documents["doc_id"], documents["text"] if texts is None else texts, strict=True)
        for m in pattern.finditer(str(text))
    ]
    mentions = pd.DataFrame(rows, columns=["doc_id", "measure", "variant", "start", "end"])
    return kwic(documents, mentions, window=window, texts=texts)


def kwic_measure(documents: pd.DataFrame, lexicon: Lexicon, measure: str, *, window: int = 20) -> pd.DataFrame:
    """Concordance of every variant of one measure, matched as the pipeline matches it."""
    if measure not in lexicon.names:
        raise KeyError(f"'{measure}' is not a measure of lexicon '{lexicon.name}' (measures: {', '.join(lexicon.names)})")
    mentions = find_mentions(documents["text"].astype(str), documents["doc_id"], lexicon)
    return kwic(documents, mentions[mentions["measure"] == measure], window=window)


def _width(text: str) -> int:
    """Display width in a terminal or notebook: full-width (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_kwic(table: pd.DataFrame, *, label: str = "unit", max_rows: int | None = None) -> str:
    """The concordance as aligned plain text: left context right-aligned, match in 【】.

    Meant for ``print`` in a notebook or a terminal; one line per occurrence.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`analysis.kwic` (``left, match, right`` and the ``label`` column).
    label : str
        The column that prefixes each line (e.g. ``unit``, or ``doc_id``).
    max_rows : int or None
        Lines printed at most (None: all).

    Returns
    -------
    str
        The lines, joined by newlines.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import format_kwic
    >>> lines = pd.DataFrame({"doc_id": ["d2"], "unit": ["鹤北"], "left": ["切实做好“三防”工作,"],
    ...                       "match": ["外防输入"], "right": [",筑起铜墙铁壁"]})
    >>> print(format_kwic(lines))
    鹤北  切实做好“三防”工作,【外防输入】,筑起铜墙铁壁
    """
    rows = table if max_rows is None else table.head(max_rows)
    if rows.empty:
        return "(no occurrences)"
    labels = [str(v) if isinstance(v, str) and v else str(d) for v, d in zip(rows.get(label, rows["doc_id"]), rows["doc_id"])]
    label_width = max(_width(s) for s in labels)
    left_width = max(_width(s) for s in rows["left"])
    lines = []
    for name, left, match, right in zip(labels, rows["left"], rows["match"], rows["right"]):
        lines.append(
            f"{name}{' ' * (label_width - _width(name))}  {' ' * (left_width - _width(left))}{left}【{match}】{right}"
        )
    return "\n".join(lines)
