"""Dates as Chinese bulletins write them: "4月18日-19日", "4月20日晚", "2020年3月5日", "截至1月28日".

A bulletin paragraph usually opens with the day(s) it reports on, without a year; the year
comes from the page's publication date. Everything here is pure and small so that it can be
tested on constructed cases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .tomlfiles import read_toml

__all__ = [
    "DateSpan",
    "parse_leading_date",
    "find_clause_date",
    "relative_day",
    "clause_date_ends",
    "leading_date_length",
    "find_publication_date",
    "to_halfwidth_digits",
    "parse_date_value",
    "year_span",
    "find_document_date",
    "Calendar",
    "load_calendar",
]

# Time-of-day words kept as a note ("晚" = evening); longest first so 晚上 wins over 晚.
_TIME_NOTES = ["上午", "下午", "中午", "晚上", "晚间", "早上", "早晨", "凌晨", "夜间", "傍晚", "晚", "夜", "早"]

_RANGE_DASH = r"(?:-|—|–|－|~|～|至|到)"
_CLOCK = r"(?:\s*\d{1,2}\s*[时点](?:\s*\d{1,2}\s*分)?(?:许|左右)?)?"
# A day as bulletins write it: "4月18日-19日", "4月29—30日", "1月15日—2月3日", "5月20," (no 日
# before a comma), "自1月24日起", "1月29日以来", "1月26日至今", "1月29日下午2时许".
_DATE_BODY = (
    r"(?P<prefix>截至|截止|自)?\s*"
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*(?:[日号]|(?=\s*" + _RANGE_DASH + r"\s*\d)|(?=[,，、\s]))"
    r"(?:\s*" + _RANGE_DASH + r"\s*(?:(?:(?P<y2>\d{4})\s*年\s*)?(?P<m2>\d{1,2})\s*月\s*)?(?P<d2>\d{1,2})\s*[日号])?"
    r"(?P<open>起|以来|至今)?"
    r"(?P<note>" + "|".join(_TIME_NOTES) + r")?" + _CLOCK
)
_LEADING_DATE = re.compile(r"^\s*" + _DATE_BODY)
# The same at the start of any clause: after sentence or clause punctuation, or a closing quote.
_CLAUSE_DATE = re.compile(r"(?:^|(?<=[,，。;；:：!！?？”」』)）\s]))" + _DATE_BODY)
# A day without its month ("24日,"), at the start of a clause: the month comes from the page.
_DAY_ONLY = re.compile(
    r"(?:^|(?<=[,，。;；:：!！?？”」』)）\s]))(?P<d>\d{1,2})\s*[日号](?P<note>" + "|".join(_TIME_NOTES) + r")?" + _CLOCK + r"(?=[,，\s])"
)
# A paragraph that opens with only a time of day ("下午,") continues the day before it.
_RELATIVE_DAY = re.compile(r"^\s*(?P<word>上午|下午|中午|晚上|傍晚|当晚|当天|当日|同日|同天|次日|翌日|第二天)[,，\s]")

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
    # No to_halfwidth_digits() over the whole paragraph: \d matches full-width digits (１８)
    # as well, and int() reads them, so the match and the date are the same without it.
    match = _LEADING_DATE.match(text)
    return _span(match, text, published) if match else None


def find_clause_date(text: str, *, published: date | None) -> DateSpan | None:
    """The first date that opens a clause anywhere in ``text`` ("…成果,6月17日下午,…").

    Dates inside a clause (a dateline "宁德2月17日讯", "2020年森林防灭火工作") are not
    read; a day without a month ("24日,") takes the month of ``published``.
    """
    for match in _CLAUSE_DATE.finditer(text):
        span = _span(match, text, published)
        if span is not None:
            return span
    if published is not None:
        for match in _DAY_ONLY.finditer(text):
            day = int(match["d"])
            month_start = date(published.year, published.month, 1)
            if day > published.day:  # a day after publication: the month before
                month_start = (month_start - timedelta(days=1)).replace(day=1)
            found = _safe_date(month_start.year, month_start.month, day)
            if found is not None:
                return DateSpan(start=found, end=found, note=match["note"] or "", matched=match.group(0).strip())
    return None


def clause_date_ends(text: str) -> list[int]:
    """Where each clause-opening date of ``text`` ends, whether or not its year is known:
    the unit a report names often follows it ("“…”1月27日晚,天宁分局…")."""
    return [match.end() for match in _CLAUSE_DATE.finditer(text)]


def leading_date_length(text: str) -> int:
    """How many characters of ``text`` its opening date takes (0 if it opens with none), year or not."""
    match = _LEADING_DATE.match(text)
    return match.end() if match else 0


def relative_day(text: str) -> tuple[int, str] | None:
    """A paragraph opening with only a time of day ("下午,", "次日,"): (days after the
    previous paragraph's date, note), or None."""
    match = _RELATIVE_DAY.match(text)
    if not match:
        return None
    word = match["word"]
    return (1, "") if word in ("次日", "翌日", "第二天") else (0, word if word in _TIME_NOTES else "")


def _span(match: re.Match[str], text: str, published: date | None) -> DateSpan | None:
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
    elif match["open"]:  # 自…起, …以来, …至今: the start of an open range
        note = (match["open"] + " " + note).strip()
    return DateSpan(start=start, end=end, note=note, matched=text[match.start() : match.end()].strip())


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


def year_span(year: int, *, note: str = "year") -> DateSpan:
    """The whole of one year, for sources dated to the year only (a government work report)."""
    return DateSpan(start=date(year, 1, 1), end=date(year, 12, 31), note=note, matched=str(year))


_YEAR = re.compile(r"^(?P<y>\d{4})\s*年?$")
_YEAR_MONTH = re.compile(r"^(?P<y>\d{4})\s*(?:-|/|\.|年)\s*(?P<m>\d{1,2})\s*月?$")
_ISO_DATE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T ][0-9:.]+)?$")


def parse_date_value(value: Any) -> DateSpan | None:
    """A date from a table cell: ``2024`` (a year), ``2024-03`` (a month), ``2024-03-05``, ``2024年3月5日``.

    Empty cells give None; text that is not a date raises ValueError, so the caller can
    report the row instead of guessing.
    """
    if value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return DateSpan(start=value, end=value, matched=value.isoformat())
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer() and 1000 <= value <= 2999:
        return year_span(int(value))
    text = to_halfwidth_digits(str(value)).strip()
    if match := _YEAR.match(text):
        return year_span(int(match["y"]))
    if match := _YEAR_MONTH.match(text):
        month = int(match["m"])
        if 1 <= month <= 12:
            year = int(match["y"])
            last = (date(year + (month == 12), month % 12 + 1, 1) - date(year, month, 1)).days
            return DateSpan(start=date(year, month, 1), end=date(year, month, last), note="month", matched=text)
    match = _ISO_DATE.match(text) or _FULL_DATE.fullmatch(text)
    if match:
        day = _safe_date(int(match["y"]), int(match["m"]), int(match["d"]))
        if day is not None:
            return DateSpan(start=day, end=day, matched=text)
    raise ValueError(f"not a date: {value!r}")


@dataclass(frozen=True)
class Calendar:
    """Phrases that date a document by naming an event (an NPC session) → the year it was held."""

    name: str
    years: dict[str, int]
    path: str = ""

    def find(self, text: str) -> tuple[str, int] | None:
        """The longest phrase of the calendar found in ``text``, with its year."""
        for phrase in sorted(self.years, key=lambda p: (-len(p), p)):
            if phrase in text:
                return phrase, self.years[phrase]
        return None


def load_calendar(path: str | Path) -> Calendar:
    """Read a calendar TOML file (``[calendar] name``, ``[years] "phrase" = year``)."""
    path = Path(path)
    data, _ = read_toml(path, kind="calendar", missing="check [dates] calendar in the config")
    unknown = set(data) - {"calendar", "years"}
    if unknown:
        raise ConfigError(f"{path}: unknown key '{sorted(unknown)[0]}' (expected [calendar] and [years] tables)")
    years = data.get("years")
    if not isinstance(years, dict) or not years:
        raise ConfigError(f"{path}: no [years] table (add lines like \"第十四届全国人民代表大会第一次会议\" = 2023)")
    for phrase, year in years.items():
        if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 2999:
            raise ConfigError(f"{path}: '{phrase}' must be a year like 2023, not {year!r}")
    return Calendar(name=str(data.get("calendar", {}).get("name", path.stem)), years=dict(years), path=str(path))


def find_document_date(
    text: str, *, title: str = "", calendar: Calendar | None = None, head: int = 300
) -> tuple[DateSpan, str] | None:
    """Date an undated document from itself: (span, where it came from) or None.

    In order: a full date in the title or the first ``head`` characters of the text
    ("（2023年3月13日第十四届全国人民代表大会第一次会议通过）"), a year in the title
    ("2024年…报告"), a calendar phrase in the title or the opening text (an NPC session).
    """
    for where, source in (("title", title), ("text", text[:head])):
        found = find_publication_date(source) if source else None
        if found:
            day = found[0]
            return DateSpan(start=day, end=day, note=f"from {where}", matched=day.isoformat()), where
    if title and (match := re.search(r"((?:19|20)\d{2})\s*年", to_halfwidth_digits(title))):
        return year_span(int(match[1]), note="year from title"), "title"
    if calendar is not None:
        for where, source in (("title", title), ("text", text[:head])):
            hit = calendar.find(source) if source else None
            if hit:
                return year_span(hit[1], note=f"year from {calendar.name}: {hit[0]}"), where
    return None
