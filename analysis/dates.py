"""Dates as Chinese bulletins write them: "4月18日-19日", "4月20日晚", "2020年3月5日", "截至1月28日".

A bulletin paragraph usually opens with the day(s) it reports on, without a year; the year
comes from the page's publication date. Everything here is pure and small so that it can be
tested on constructed cases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = ["DateSpan", "parse_leading_date", "find_publication_date", "to_halfwidth_digits"]

# Time-of-day words kept as a note ("晚" = evening); longest first so 晚上 wins over 晚.
_TIME_NOTES = ["上午", "下午", "中午", "晚上", "晚间", "早上", "早晨", "凌晨", "夜间", "傍晚", "晚", "夜", "早"]

_LEADING_DATE = re.compile(
    r"^\s*(?P<prefix>截至|截止|自)?\s*"
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"
    r"(?:\s*(?:-|—|–|－|~|～|至|到)\s*(?:(?:(?P<y2>\d{4})\s*年\s*)?(?P<m2>\d{1,2})\s*月\s*)?(?P<d2>\d{1,2})\s*[日号])?"
    r"(?P<note>" + "|".join(_TIME_NOTES) + r")?"
)

# Publication dates in page metadata: 2020-04-26, 2020/4/26, 2020.04.26, 2020年4月26日, 【2020-05-21】.
_FULL_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*(?:-|/|\.|年)\s*(?P<m>\d{1,2})\s*(?:-|/|\.|月)\s*(?P<d>\d{1,2})\s*日?")


@dataclass(frozen=True)
class DateSpan:
    """A reported day or range of days, with an optional time-of-day note ("晚", "上午")."""

    start: date
    end: date
    note: str = ""
    matched: str = ""  # the text the date was read from, e.g. "4月18日-19日"


_FULLWIDTH_DIGIT = re.compile("[０-９]")


def to_halfwidth_digits(text: str) -> str:
    """Replace full-width digits (１９５５) by ASCII ones, leaving every other character as it is."""
    return _FULLWIDTH_DIGIT.sub(lambda match: unicodedata.normalize("NFKC", match.group(0)), text)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_leading_date(text: str, *, published: date | None) -> DateSpan | None:
    """Read the date a paragraph opens with, or return None if it opens with none.

    The year is taken from the text if written, else from ``published``: a month later than
    the publication month is taken to be in the year before (a January page reporting on
    December). A range end without a month shares the start's month ("18日-19日"), or the
    next month if its day is smaller ("30日-2日"). Impossible dates (2月30日) give None.
    """
    normalized = to_halfwidth_digits(text)
    match = _LEADING_DATE.match(normalized)
    if not match:
        return None
    month, day = int(match["m"]), int(match["d"])
    if match["y"]:
        year = int(match["y"])
    elif published is not None:
        year = published.year - 1 if month > published.month else published.year
    else:
        return None
    start = _safe_date(year, month, day)
    if start is None:
        return None
    end = start
    if match["d2"]:
        end_year = int(match["y2"]) if match["y2"] else year
        end_month = int(match["m2"]) if match["m2"] else month
        end_day = int(match["d2"])
        if not match["m2"] and end_day < day:
            end_month += 1
        if end_month > 12:
            end_month, end_year = 1, end_year + 1
        if end_month < month and not match["y2"]:
            end_year += 1
        end = _safe_date(end_year, end_month, end_day)
        if end is None or end < start:
            return None
    note = match["note"] or ""
    if match["prefix"] in ("截至", "截止"):
        note = (match["prefix"] + " " + note).strip()
    return DateSpan(start=start, end=end, note=note, matched=text[: match.end()].strip())


def find_publication_date(line: str) -> tuple[date, str] | None:
    """Find a full calendar date in a metadata line; return it and the rest of the line.

    "2020-04-26        省林业公安局" gives (2020-04-26, "省林业公安局"): the rest is where
    pages put the publisher or source.
    """
    normalized = to_halfwidth_digits(line)
    match = _FULL_DATE.search(normalized)
    if not match:
        return None
    found = _safe_date(int(match["y"]), int(match["m"]), int(match["d"]))
    if found is None:
        return None
    rest = (normalized[: match.start()] + " " + normalized[match.end():]).strip()
    return found, rest
