"""Diffusion: which unit adopted which measure, and when.

A unit *adopts* a measure on the first date (``date_start``) of a report of its that mentions
the measure. For each unit × measure :func:`adoption` gives that first date, the unit's rank
among the units that adopted it (ties share the better rank: two units that start on the same
day are both first), the lag in days behind the first adopter and, when a reference unit is
named, the lag behind it (negative: before the reference). :func:`adoption_curve` gives the
share of units that have adopted each measure by each date of the corpus, the cumulative
adoption curve of diffusion studies.

Only units with at least one dated report count: a unit never seen on a date cannot be said to
be late. Works on any corpus with units and dates: it needs a documents frame with ``doc_id,
unit, date_start`` and the mentions table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["ADOPTION_COLUMNS", "CURVE_COLUMNS", "adoption", "adoption_curve", "diffusion_units"]

ADOPTION_COLUMNS = [
    "unit",
    "measure",
    "adopted",
    "first_date",
    "rank",
    "n_adopters",
    "n_units",
    "lag_days",
    "first_adopter",
    "mentions",
    "reference_unit",
    "lag_reference_days",
]
CURVE_COLUMNS = ["measure", "date", "new_adopters", "adopters", "n_units", "share"]


def _dated(documents: pd.DataFrame) -> pd.DataFrame:
    """``doc_id, unit, date`` of the documents with a unit and a date (only the columns used:
    filtering the whole documents table would copy every column)."""
    frame = pd.DataFrame({
        "doc_id": documents["doc_id"],
        "unit": documents["unit"].fillna("").astype(str),
        "date": pd.to_datetime(documents["date_start"], errors="coerce"),
    })
    return frame[(frame["unit"] != "") & frame["date"].notna()]


def diffusion_units(documents: pd.DataFrame) -> list[str]:
    """The units that count for diffusion (those with a dated report), in order of first appearance."""
    return list(dict.fromkeys(_dated(documents)["unit"]))


def adoption(
    documents: pd.DataFrame, mentions: pd.DataFrame, measures: Sequence[str], *, reference_unit: str | None = None
) -> pd.DataFrame:
    """One row per unit × measure (units in order of first appearance, measures as given).

    Columns (:data:`ADOPTION_COLUMNS`): ``adopted`` (the unit mentions the measure in a dated
    report), ``first_date`` (ISO date, empty if not adopted), ``rank`` among the adopters
    (1 = first; ties share the lower rank), ``n_adopters`` and ``n_units`` (of the measure),
    ``lag_days`` behind the first adopter, ``first_adopter`` (the unit(s) that adopted first,
    joined with "、"), ``mentions`` (in dated reports), and, with ``reference_unit``, the lag
    in days behind that unit (empty when either has not adopted). An empty table when no
    document has both a unit and a date.
    """
    dated = _dated(documents)
    units = list(dict.fromkeys(dated["unit"]))
    if not units:
        return pd.DataFrame(columns=ADOPTION_COLUMNS)
    joined = mentions.merge(dated[["doc_id", "unit", "date"]], on="doc_id")
    grouped = joined.groupby(["unit", "measure"])["date"]
    first = grouped.min()
    count = grouped.size()
    rows = []
    for measure in measures:
        dates = {u: first.get((u, measure)) for u in units}
        adopted = {u: d for u, d in dates.items() if d is not None and not pd.isna(d)}
        earliest = min(adopted.values()) if adopted else None
        ordered = sorted(adopted.values())
        leaders = "、".join(u for u, d in adopted.items() if d == earliest) if adopted else ""
        reference = adopted.get(reference_unit) if reference_unit else None
        for unit in units:
            day = adopted.get(unit)
            rank = ordered.index(day) + 1 if day is not None else np.nan  # first position of a tie
            rows.append(
                (
                    unit,
                    measure,
                    day is not None,
                    day.date().isoformat() if day is not None else "",
                    rank,
                    len(adopted),
                    len(units),
                    (day - earliest).days if day is not None else np.nan,
                    leaders,
                    int(count.get((unit, measure), 0)),
                    reference_unit or "",
                    (day - reference).days if day is not None and reference is not None else np.nan,
                )
            )
    frame = pd.DataFrame(rows, columns=ADOPTION_COLUMNS)
    for column in ("rank", "lag_days", "lag_reference_days"):
        frame[column] = frame[column].astype("Int64")
    return frame


def adoption_curve(adoption_table: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Share of units that have adopted each measure by each date of the corpus.

    One row per measure (in the order of ``adoption_table``) and per date on which any unit
    reported, from the first to the last: ``new_adopters`` that day, ``adopters`` so far,
    ``n_units`` and ``share`` = adopters / n_units. Columns: :data:`CURVE_COLUMNS`.
    """
    dated = _dated(documents)
    if adoption_table.empty or dated.empty:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    days = sorted({d.date().isoformat() for d in dated["date"]})
    rows = []
    for measure, group in adoption_table.groupby("measure", sort=False):
        n_units = int(group["n_units"].iloc[0])
        new = group.loc[group["adopted"], "first_date"].value_counts().to_dict()  # a dict: looked up once per day
        total = 0
        for day in days:
            added = int(new.get(day, 0))
            total += added
            rows.append((measure, day, added, total, n_units, total / n_units if n_units else np.nan))
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)
