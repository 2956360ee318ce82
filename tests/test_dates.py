from datetime import date

import pytest

from analysis.io.dates import find_publication_date, parse_leading_date, to_halfwidth_digits

PUB = date(2020, 4, 26)


@pytest.mark.parametrize(
    "text, start, end, note",
    [
        ("4月18日-19日,林区公安局鹤北分局", date(2020, 4, 18), date(2020, 4, 19), ""),
        ("4月20日晚,林区公安局东方红分局", date(2020, 4, 20), date(2020, 4, 20), "晚"),
        ("4月20日,林区公安局绥阳分局", date(2020, 4, 20), date(2020, 4, 20), ""),
        ("4月21日上午，召开会议", date(2020, 4, 21), date(2020, 4, 21), "上午"),
        ("３月３０日－４月２日，", date(2020, 3, 30), date(2020, 4, 2), ""),  # full-width digits, two months
        ("3月30日至2日", date(2020, 3, 30), date(2020, 4, 2), ""),  # end day smaller: next month
        ("2019年12月31日,", date(2019, 12, 31), date(2019, 12, 31), ""),  # explicit year wins
        ("12月28日,", date(2019, 12, 28), date(2019, 12, 28), ""),  # later month than publication: year before
        ("截至4月25日,全省", date(2020, 4, 25), date(2020, 4, 25), "截至"),
    ],
)
def test_leading_dates(text, start, end, note):
    span = parse_leading_date(text, published=PUB)
    assert span is not None
    assert (span.start, span.end, span.note) == (start, end, note)


@pytest.mark.parametrize("text", ["当前,我省疫情防控工作", "会议于4月20日召开", "2月30日,", ""])
def test_no_leading_date(text):
    assert parse_leading_date(text, published=PUB) is None


def test_no_year_without_publication_date():
    assert parse_leading_date("4月20日,", published=None) is None
    assert parse_leading_date("2020年4月20日,", published=None).start == date(2020, 4, 20)


def test_matched_text_is_the_date_itself():
    assert parse_leading_date("4月18日-19日,林区", published=PUB).matched == "4月18日-19日"


@pytest.mark.parametrize(
    "line, expected, rest",
    [
        ("2020-04-26        省林业公安局", date(2020, 4, 26), "省林业公安局"),
        ("【2020-05-21】", date(2020, 5, 21), "【 】"),
        ("时间:2020-01-29 10:39", date(2020, 1, 29), "时间: 10:39"),
        ("2021年08月04日 09:42 来源：县政府", date(2021, 8, 4), "09:42 来源：县政府"),
    ],
)
def test_publication_dates(line, expected, rest):
    found, remainder = find_publication_date(line)
    assert found == expected
    assert remainder == rest


def test_no_publication_date():
    assert find_publication_date("省林区公安各分局开展疫情防控工作督导检查") is None


@pytest.mark.parametrize("text", ["３月３０日－４月２日，１２个单位", "２０１９年１２月３１日晚,", "截至４月２５日，全省１８个", "４月２０日"])
def test_full_width_digits_read_as_their_ascii_forms(text):
    ascii_digits = to_halfwidth_digits(text)
    assert ascii_digits != text
    wide, narrow = parse_leading_date(text, published=PUB), parse_leading_date(ascii_digits, published=PUB)
    assert wide is not None and narrow is not None
    assert (wide.start, wide.end, wide.note) == (narrow.start, narrow.end, narrow.note)
    assert wide.matched == text[: len(narrow.matched)]
