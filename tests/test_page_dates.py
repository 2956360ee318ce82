"""Dates on pages: report dates wherever they open a clause, publication dates in headers."""

from datetime import date

import pytest

from analysis.io.corpus import parse_page
from analysis.io.dates import find_clause_date, parse_leading_date, relative_day

PUBLISHED = date(2021, 5, 10)


@pytest.mark.parametrize(
    "text, start, end, note",
    [
        ("5月3日—6日,", date(2021, 5, 3), date(2021, 5, 6), ""),  # em dash
        ("5月3—6日,", date(2021, 5, 3), date(2021, 5, 6), ""),  # no 日 before the dash
        ("4月28日—5月2日,", date(2021, 4, 28), date(2021, 5, 2), ""),
        ("自5月1日起,", date(2021, 5, 1), date(2021, 5, 1), "起"),  # open ranges: a start only
        ("5月1日以来,", date(2021, 5, 1), date(2021, 5, 1), "以来"),
        ("5月1日至今,", date(2021, 5, 1), date(2021, 5, 1), "至今"),
        ("5月8,", date(2021, 5, 8), date(2021, 5, 8), ""),  # 日 dropped before a comma
        ("5月8日下午3时许,", date(2021, 5, 8), date(2021, 5, 8), "下午"),
    ],
)
def test_opening_date_forms(text, start, end, note):
    span = parse_leading_date(text + "青石镇开展巡查。", published=PUBLISHED)
    assert (span.start, span.end, span.note) == (start, end, note)


def test_dates_opening_a_clause_mid_paragraph_but_not_datelines():
    assert find_clause_date("为做好防汛工作,5月8日晚,青石镇召开会议。", published=PUBLISHED).start == date(2021, 5, 8)
    assert find_clause_date("“请戴好口罩。”5月7日,民警劝导。", published=PUBLISHED).start == date(2021, 5, 7)
    assert find_clause_date("南山5月9日讯(记者 李明)青石镇召开会议。", published=PUBLISHED) is None
    assert find_clause_date("部署2021年防火工作。", published=PUBLISHED) is None


def test_day_only_takes_the_month_of_the_publication_date():
    assert find_clause_date("会议之后,8日,各村开展排查。", published=PUBLISHED).start == date(2021, 5, 8)
    assert find_clause_date("会议之后,8日,各村开展排查。", published=None) is None


def test_time_of_day_paragraph_continues_the_day_before():
    assert relative_day("下午,干部到村巡查。") == (0, "下午")
    assert relative_day("次日,继续巡查。") == (1, "")
    docs = parse_page("青石镇防汛纪实\n2021-05-10\n5月8日上午,镇里召开会议,部署工作。\n下午,干部到各村巡查,转移群众。\n次日,继续巡查,清理河道。\n")[0]
    assert [(d.date_start, d.date_note) for d in docs] == [
        (date(2021, 5, 8), "上午"), (date(2021, 5, 8), "下午"), (date(2021, 5, 9), "")
    ]


@pytest.mark.parametrize(
    "header",
    [
        "2021-05-10    作者    来源",
        "发布时间:2021-05-10 09:18",
        "时间:2021-05-10 10:39作者:",
        "2021-5-10 10:05|编辑:",
        "来源: 2021.05.10",
        "发布时间:2021年05月10日",
        "发布日期: 2021- 05- 10 08: 59 来源: 青石镇 浏览次数:",
        "2021-05-10 15:35",
        "作者:管理员 来自:县电视台 时间:2021-05-10",
        "南山日报 2021-05-10 09:40 大字",
    ],
)
def test_publication_date_header_forms(header):
    docs = parse_page(f"青石镇开展防汛工作\n{header}\n5月8日,青石镇召开会议,部署防汛。\n")[0]
    assert docs[0].published == PUBLISHED
    assert docs[0].title == "青石镇开展防汛工作"
    assert docs[0].date_start == date(2021, 5, 8)


def test_today_is_widgets_and_forum_timestamps_are_not_publication_dates():
    page = (
        "2026年04月21日 星期二\n当前位置:首页 > 乡镇动态\n青石镇开展防汛工作\n"
        "发布时间:2021-05-10 来源:青石镇 点击量:120 [ 字体: ] 打印\n5月8日,青石镇召开会议,部署防汛。\n"
    )
    assert parse_page(page)[0][0].published == PUBLISHED
    forum = "近日,青石镇召开会议,部署防汛。\n使用道具 举报\nGMT+8, 2026-1-10 21:10 , Processed in 0.09 second(s)\n"
    docs = parse_page(forum)[0]
    assert [d.published for d in docs] == [None]


def test_label_lines_between_title_and_date_are_not_the_title():
    docs = parse_page("青石镇开展防汛工作\n来源:青石镇\n发布日期:2021-05-10\n5月8,镇长到水库检查。\n")[0]
    assert docs[0].title == "青石镇开展防汛工作" and docs[0].date_start == date(2021, 5, 8)


def test_a_labelled_publication_date_with_its_weekday_is_read():
    docs = parse_page("青石镇开展防汛工作\n发布时间：2021年05月10日 星期一\n5月8日,青石镇召开会议,部署防汛。\n")[0]
    assert docs[0].published == PUBLISHED
