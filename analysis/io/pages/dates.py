"""Dates of official documents by their grammar: full dates in Arabic or Chinese numerals
(二○一○年五月十一日, with 〇 ○ 零 O for zero), labelled metadata dates (成文日期, 发布日期, …),
the session line of a work report (——2016年1月6日在…人民代表大会第五次会议上), and the
effective date a document states (自2020年1月25日零时起施行), which is not its date.

Pure functions on one line or one text; the page reader decides which line is which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..dates import to_halfwidth_digits

__all__ = [
    "cn_number",
    "parse_full_date",
    "find_full_date",
    "date_only",
    "SessionLine",
    "session_line",
    "effective_date",
    "POSTING_LABELS",
    "OWN_DATE_LABELS",
]

_ZERO = "〇○零OoО0"
_DIGITS = {**{c: 0 for c in _ZERO}, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "两": 2}
_CN = "〇○零OoО一二三四五六七八九十两"

#: A full date: 2020年1月24日, 2020-01-24, 2020/1/24, 2020.01.24, 2021 年 2 月 4 日, or in Chinese numerals.
_ARABIC = r"(?P<y>(?:19|20)\d{2})\s*(?:年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?|[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2})(?!\d))"
_CHINESE = rf"(?P<cy>[{_CN}]{{4}})\s*年\s*(?P<cm>[{_CN}]{{1,2}})\s*月\s*(?P<cd>[{_CN}]{{1,3}})\s*日"
FULL_DATE = re.compile(rf"(?:{_ARABIC}|{_CHINESE})")


def cn_number(text: str) -> int | None:
    """A number written in Chinese numerals: 二○一○ (digit by digit) → 2010, 十一 → 11, 三十 → 30."""
    if not text:
        return None
    if "十" not in text:
        if any(c not in _DIGITS for c in text):
            return None
        value = 0
        for c in text:
            value = value * 10 + _DIGITS[c]
        return value
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or any(c not in _DIGITS for c in tens + ones):
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def _safe(year: int | None, month: int | None, day: int | None) -> date | None:
    try:
        return date(year, month, day) if year and month and day else None
    except ValueError:
        return None


def _from_match(match: re.Match[str]) -> date | None:
    if match["cy"]:
        return _safe(cn_number(match["cy"]), cn_number(match["cm"]), cn_number(match["cd"]))
    month, day = (match["m"], match["d"]) if match["m"] else (match["m2"], match["d2"])
    return _safe(int(match["y"]), int(month), int(day))


def find_full_date(text: str) -> tuple[date, re.Match[str]] | None:
    """The first complete, valid date in ``text`` with its match, or None."""
    for match in FULL_DATE.finditer(to_halfwidth_digits(text)):
        found = _from_match(match)
        if found is not None:
            return found, match
    return None


def parse_full_date(text: str) -> date | None:
    """The first complete date in ``text`` (Arabic or Chinese numerals), or None."""
    found = find_full_date(text)
    return found[0] if found else None


_CLOCK_TAIL = re.compile(r"^\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*$")


def date_only(line: str) -> date | None:
    """The date of a line that holds nothing else (a signature date, a metadata value), or None.

    A clock time may follow ("2024年04月06日 16:40"); "2020126" (separators lost) is not a date.
    """
    text = to_halfwidth_digits(line).strip().strip("()（）")
    found = find_full_date(text)
    if found is None:
        return None
    day, match = found
    if text[: match.start()].strip() or not _CLOCK_TAIL.match(text[match.end():]):
        return None
    return day


@dataclass(frozen=True)
class SessionLine:
    """A work report's session line: the date and the place of the congress that heard it."""

    day: date
    place: str


_SESSION = re.compile(r"在(?P<place>[\u4e00-\u9fff]{2,12}?)(?:第?[一二三四五六七八九十\d]{1,4}\s*届|人民代表大会|人大)")


def session_line(text: str) -> SessionLine | None:
    """"——2016年1月6日在马鞍山市第十五届人民代表大会第五次会议上" → (2016-01-06, 马鞍山市).

    The date must stand right before 在 and the line must name a people's congress (人民代表
    or 人大); a line cut by a wrap ("…人民代表" / "大会") still counts.
    """
    text = to_halfwidth_digits(text)
    if "人民代表" not in text and "人大" not in text:
        return None
    for match in FULL_DATE.finditer(text):
        rest = text[match.end():].lstrip()
        place = _SESSION.match(rest)
        day = _from_match(match)
        if place and day is not None:
            return SessionLine(day=day, place=place["place"])
    return None


_EFFECTIVE = re.compile(r"自\s*(?P<when>.{2,24}?)\s*(?:零时|0时|起|开始)?\s*起?\s*(?:施行|执行|实施|生效)")


def effective_date(text: str) -> tuple[date | None, str] | None:
    """The effective date a document states: (date or None, the words), or None.

    "本令自2020年1月25日零时起施行" → (2020-01-25, "2020年1月25日零时"); "自发布之日起施行" →
    (None, "发布之日"): the reader takes the document's own date for it.
    """
    match = _EFFECTIVE.search(text)
    if not match:
        return None
    when = match["when"]
    return parse_full_date(when), when


#: Metadata labels of a page's posting date (the latest one wins) and of the document's own date.
POSTING_LABELS = ("发布日期", "发布时间", "公开日期", "上载日期", "更新时间", "公布日期", "发文日期", "上网日期", "公布年份", "时间", "日期")
OWN_DATE_LABELS = ("成文日期", "公文生成日期", "生成日期", "印发日期", "签发日期")
