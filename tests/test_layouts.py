"""Page layouts beyond the first bulletin, each on a page constructed for it."""

from datetime import date

import pytest

from analysis.io.corpus import COMMON_UNIT_SUFFIXES, PageLayout, find_unit, parse_page, read_corpus

LAYOUT = PageLayout(unit_suffixes=COMMON_UNIT_SUFFIXES)


@pytest.mark.parametrize(
    "paragraph, unit, unit_name",
    [
        ("县公安局城关派出所组织民警巡查。", "城关", "城关派出所"),
        ("池河镇召开疫情防控会议。", "池河", "池河镇"),
        ("池河镇:召开疫情防控会议。", "池河", "池河镇"),
        ("池河镇：召开疫情防控会议。", "池河", "池河镇"),
        ("江北街道开展入户排查。", "江北", "江北街道"),
        ("东方红林场设立检查站。", "东方红", "东方红林场"),
        ("交警大队在路口设卡。", "交警", "交警大队"),
        ("省森工总局东京城林业局部署工作。", "东京城", "东京城林业局"),
        ("宁陕县发布通告。", "宁陕", "宁陕县"),
    ],
)
def test_paragraph_opening_with_a_unit(paragraph, unit, unit_name):
    docs, _ = parse_page(f"通报\n2020-02-01\n{paragraph}\n", layout=LAYOUT)
    assert (docs[0].unit, docs[0].unit_name) == (unit, unit_name)


@pytest.mark.parametrize("paragraph", ["全县各单位要提高认识。", "本镇居民请配合排查。", "各街道要落实责任。"])
def test_generic_words_are_not_units(paragraph):
    assert find_unit(paragraph, LAYOUT) is None


def test_heading_line_names_the_unit_of_what_follows():
    page = (
        "各镇疫情防控工作动态\n2020-02-03 县卫健局\n"
        "池河镇\n2月1日,组织干部入户排查。\n2月2日晚,开展消毒。\n"
        "城关派出所：\n2月2日,设立检查点。\n"
    )
    docs, removed, = parse_page(page, layout=LAYOUT)
    assert [(d.unit_name, d.date_start, d.date_note) for d in docs] == [
        ("池河镇", date(2020, 2, 1), ""),
        ("池河镇", date(2020, 2, 2), "晚"),
        ("城关派出所", date(2020, 2, 2), ""),
    ]
    assert removed == []


def test_heading_lines_are_accounted_for(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("动态\n2020-02-03\n池河镇\n2月1日,组织干部入户排查。\n", encoding="utf-8")
    corpus = read_corpus(path, layout=LAYOUT)
    assert corpus.sources[0].headings == ((3, "池河镇"),)


@pytest.mark.parametrize(
    "opening, start, end, note",
    [
        ("4月18日-19日,", date(2020, 4, 18), date(2020, 4, 19), ""),
        ("1月28日,", date(2020, 1, 28), date(2020, 1, 28), ""),
        ("7月30日晚,", date(2019, 7, 30), date(2019, 7, 30), "晚"),  # later month than the page: the year before
        ("截至1月28日,", date(2020, 1, 28), date(2020, 1, 28), "截至"),
        ("2020年3月5日,", date(2020, 3, 5), date(2020, 3, 5), ""),
        ("４月１８日－１９日，", date(2020, 4, 18), date(2020, 4, 19), ""),
    ],
)
def test_date_forms_take_the_year_from_the_publication_date(opening, start, end, note):
    docs, _ = parse_page(f"通报\n2020-04-26\n{opening}城关分局开展巡查。\n")
    assert (docs[0].date_start, docs[0].date_end, docs[0].date_note) == (start, end, note)


def test_undated_paragraph_keeps_an_empty_date():
    docs, _ = parse_page("通报\n2020-04-26\n城关分局开展巡查。\n各单位要提高认识。\n")
    assert [d.date_start for d in docs] == [None, None]
    assert [d.kind for d in docs] == ["report", "summary"]


@pytest.mark.parametrize(
    "meta, published",
    [
        ("2020-04-26", date(2020, 4, 26)),
        ("【2020-05-21】", date(2020, 5, 21)),
        ("时间:2020-01-29 10:39", date(2020, 1, 29)),
        ("2021年08月04日 09:42", date(2021, 8, 4)),
        ("发布时间：２０２０年０２月０３日", date(2020, 2, 3)),
    ],
)
def test_publication_date_forms(meta, published):
    docs, _ = parse_page(f"关于疫情防控的通报\n{meta}\n1月28日,城关分局开展巡查。\n")
    assert docs[0].published == published
    assert docs[0].title == "关于疫情防控的通报"


def test_no_publication_date_uses_the_default_year():
    page = "通报\n1月28日,城关分局开展巡查。\n"
    assert parse_page(page)[0][0].date_start is None
    assert parse_page(page, layout=PageLayout(default_year=2021))[0][0].date_start == date(2021, 1, 28)


def test_common_chrome_is_stripped_and_listed():
    page = (
        "首页 > 新闻中心 > 工作动态\n"
        "收藏本站 | 设为首页\n"
        "疫情防控通报\n2020-02-03 县政府\n"
        "分享到：微信 微博 QQ空间\n"
        "2月1日,城关分局开展巡查。\n"
        "【打印】【关闭】\n"
        "主办单位：某县人民政府  陕ICP备12345678号\n"
    )
    docs, removed = parse_page(page)
    assert [d.text for d in docs] == ["2月1日,城关分局开展巡查。"]
    removed_text = [t for _, t in removed]
    for chrome in ["首页 > 新闻中心 > 工作动态", "收藏本站 | 设为首页", "分享到：微信 微博 QQ空间", "【打印】【关闭】"]:
        assert chrome in removed_text
    assert any("ICP" in t for t in removed_text)
