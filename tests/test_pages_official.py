"""The page pipeline on constructed pages: layout, the parts of a 公文, dates by their grammar,
issuers and units, chrome of single documents. Each test builds the case its rule is about."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.io.model import PageLayout
from analysis.io.pages import parse_page, read_page
from analysis.io.pages.chrome import drop_blurbs, is_promotion, is_related_news, strip_licence
from analysis.io.pages.dates import cn_number, date_only, effective_date, parse_full_date, session_line
from analysis.io.pages.lines import page_lines
from analysis.io.pages.layout import decide_layout
from analysis.io.pages.official import find_doc_number, find_signature, find_title, read_metadata, title_issuer, title_type
from analysis.io.pages.units import issuer_from_number, issuer_unit, number_code, place_of


def _lines(text: str):
    layout = PageLayout()
    return page_lines(text, layout.chrome_regex(), layout.widget_regex(), max_chrome_line=layout.max_chrome_line)[0]


# ---- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("二○一○年五月十一日", date(2010, 5, 11)),
        ("二〇二三年十二月三十一日", date(2023, 12, 31)),
        ("二零零一年十月一日", date(2001, 10, 1)),
        ("二OO八年二月二十九日", date(2008, 2, 29)),
        ("2021 年 2 月 4 日", date(2021, 2, 4)),
        ("2024.03.29", date(2024, 3, 29)),
        ("发布日期:2018年03月27", date(2018, 3, 27)),
    ],
)
def test_full_dates_in_every_common_form(text, expected):
    assert parse_full_date(text) == expected


def test_chinese_numbers_digit_by_digit_and_with_ten():
    assert (cn_number("二○一○"), cn_number("十"), cn_number("十一"), cn_number("三十"), cn_number("二十九")) == (2010, 10, 11, 30, 29)
    assert cn_number("十十") is None and cn_number("甲") is None


def test_a_date_line_holds_only_a_date():
    assert date_only("  2020年1月24日  ") == date(2020, 1, 24)
    assert date_only("2024年04月06日 16:40") == date(2024, 4, 6)
    assert date_only("2020126") is None  # separators lost: not read
    assert date_only("本令自2020年1月25日起施行") is None
    assert date_only("二○二三年二月三十日") is None  # no such day


def test_session_line_gives_the_date_and_place_of_the_congress():
    found = session_line("——2016年1月6日在马鞍山市第十五届人民代表大会第五次会议上")
    assert found is not None and (found.day, found.place) == (date(2016, 1, 6), "马鞍山市")
    wrapped = session_line("2021 年 2 月 4 日在马山县第十六届人民代表")
    assert wrapped is not None and wrapped.place == "马山县"
    assert session_line("2016年1月6日,马鞍山市召开会议") is None


def test_effective_dates_are_read_as_such():
    assert effective_date("本令自2020年1月25日零时起施行,违者依法处理。") == (date(2020, 1, 25), "2020年1月25日")
    assert effective_date("本通告自发布之日起施行。") == (None, "发布之日")
    assert effective_date("请认真组织实施。") is None


# ---- issuers and units ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "issuer, unit",
    [
        ("柳河县应对疫情工作指挥部", "柳河县"),
        ("苏州市吴江区新型冠状病毒肺炎防控指挥部", "吴江区"),
        ("株洲高新区防控指挥部", "株洲高新区"),
        ("中共宜昌市委办公室；宜昌市人民政府办公室", "宜昌市"),
        ("蔚县人民政府办公室", "蔚县"),
        ("镇平县人民政府", "镇平县"),
        ("宁夏回族自治区人民政府", "宁夏回族自治区"),
        ("国务院办公厅", "国务院办公厅"),
        ("中华人民共和国生态环境部", "生态环境部"),
        ("县防汛抗旱指挥部办公室", ""),  # no place named: no unit
        ("市人民政府办公室", ""),
        ("自治区人民政府", ""),
    ],
)
def test_the_unit_of_an_issuer_is_its_place_or_a_central_body(issuer, unit):
    assert issuer_unit(issuer) == unit


def test_place_names_are_not_generic_words():
    assert place_of("县城区域管理办公室") == ""
    assert place_of("全市各级人民政府") == ""


@pytest.mark.parametrize(
    "number, code, issuer",
    [
        ("国办发〔2019〕32号", "国办发", "国务院办公厅"),
        ("国发〔2020〕7号", "国发", "国务院"),
        ("粤府办〔2023〕5号", "粤府办", "广东省人民政府办公厅"),
        ("苏政发〔2021〕1号", "苏政发", "江苏省人民政府"),
        ("渝府令第 121 号", "渝府令", "重庆市人民政府"),
        ("生态环境部令2020年第12号", "生态环境部令", "生态环境部"),
        ("明政办〔2018〕21号", "明政办", ""),  # a county's code: not in the table
    ],
)
def test_document_number_codes_name_their_issuer(number, code, issuer):
    assert number_code(number) == code
    assert issuer_from_number(number) == issuer


def test_a_config_adds_document_number_codes():
    assert issuer_from_number("郸防指〔2020〕1号", {"郸防指": "郸城县疫情防控指挥部"}) == "郸城县疫情防控指挥部"


# ---- the parts of a 公文 ---------------------------------------------------------------------


def test_title_types_and_issuers():
    assert title_type("柳河县疫情防控指挥部通告(第3号)") == "通告"
    assert title_type("柳河县疫情防控指挥部【5号令】") == "令"
    assert title_type("各乡镇人民政府:") == ""
    assert title_issuer("柳河县疫情防控指挥部通告第3号") == "柳河县疫情防控指挥部"
    assert title_issuer("柳河安委〔2021〕2号-柳河县安全生产委员会办公室关于做好汛期安全的通知") == "柳河县安全生产委员会办公室"
    assert title_issuer("【预警信息】柳河县防汛抗旱指挥部 关于启动应急响应的通知") == "柳河县防汛抗旱指挥部"
    assert title_issuer("关于做好汛期安全的通知") == ""


def test_a_title_wrapped_over_lines_is_joined_to_its_issuer():
    lines = _lines("柳河县人民政府办公室关于印发柳河县\n防汛应急预案\n的通知\n柳政办〔2022〕9号\n各乡镇人民政府:\n现将预案印发给你们,请认真执行。\n")
    assert find_title(lines, 5, set()) == (0, 2)
    lines = _lines("柳河县人民政府办公室\n关于印发防汛应急预案的通知\n各乡镇人民政府:\n现将预案印发给你们,请认真执行。\n")
    assert find_title(lines, 3, set()) == (0, 1)


def test_metadata_rows_in_their_common_shapes():
    lines = _lines(
        "索   引   号 20191202-1 分        类 其他\n发 布 机 构 市人民政府办公室 发 文 日 期 2019-11-29\n"
        "• 发文字号:\n    柳政发〔2024〕7号\n• 有效性:\n公开日期\n2019年12月24日\n正文第一段,现印发给你们。\n"
    )
    meta = read_metadata(lines, 7)
    assert meta.fields["发布机构"] == "市人民政府办公室" and meta.fields["发文日期"] == "2019-11-29"
    assert meta.fields["发文字号"] == "柳政发〔2024〕7号" and meta.fields["有效性"] == ""
    assert meta.fields["公开日期"] == "2019年12月24日"
    assert find_doc_number(lines, "", meta) == "柳政发〔2024〕7号"


def test_signature_blocks_on_lines_wrapped_glued_and_signed_by_a_person():
    wrapped = _lines("特此通告。\n柳河县新型冠状病毒感染的肺炎疫情\n防控工作指挥部办公室\n二○二○年一月二十六日\n")
    found = find_signature(wrapped, 0)
    assert found.issuers == ("柳河县新型冠状病毒感染的肺炎疫情防控工作指挥部办公室",) and found.day == date(2020, 1, 26)
    joint = _lines("请认真贯彻执行。\n中共宜昌市委办公室\n宜昌市人民政府办公室\n2017年1月10日\n")
    assert find_signature(joint, 0).issuers == ("中共宜昌市委办公室", "宜昌市人民政府办公室")
    glued = _lines("……请认真组织实施.国务院办公厅2019年6月24日健康中国行动组织实施和考核方案为贯彻落实……\n")
    assert find_signature(glued, 0).issuers == ("国务院办公厅",)
    person = _lines("现予公布,自公布之日起施行。\n总理李鹏\n1997年8月3日\n")
    found = find_signature(person, 0)
    assert found.signatory == "总理李鹏" and found.issuers == () and found.day == date(1997, 8, 3)


# ---- layouts and whole pages ----------------------------------------------------------------

NOTICE = (
    "您当前的位置 : 柳河网 > 公告栏\n"
    "柳河县疫情防控工作指挥部通告第3号\n"
    "2021年03月02日 19:35来源:柳河网 作者:\n"
    "各乡镇人民政府,县直各单位:\n"
    "为做好疫情防控工作,现将有关事项通告如下:一、所有人员进入公共场所须佩戴口罩。二、本通告自2021年3月3日起施行。\n"
    "柳河县疫情防控工作指挥部\n"
    "2021年3月1日\n"
    "责编丨王某\n"
    "据新华社消息,记者从有关部门获悉,另一地发布了新的措施。\n"
)


def test_a_notice_is_one_document_with_its_parts():
    reading = read_page(NOTICE, source="notice.txt")
    assert reading.layout == "official"
    [doc] = reading.documents
    assert (doc.unit, doc.issuer, doc.doc_number, doc.doc_type) == ("柳河县", "柳河县疫情防控工作指挥部", "第3号", "通告")
    assert (doc.issued, doc.date_start, doc.published, doc.effective) == (date(2021, 3, 1), date(2021, 3, 1), date(2021, 3, 2), date(2021, 3, 3))
    assert doc.addressees == "各乡镇人民政府,县直各单位"
    assert doc.title == "柳河县疫情防控工作指挥部通告第3号"
    assert "柳河县疫情防控工作指挥部\n2021年3月1日" in doc.text  # the signature stays in the text
    assert "责编" not in doc.text and "新华社" not in doc.text and "您当前的位置" not in doc.text


def test_a_page_date_is_the_document_date_where_the_page_shows_none():
    [doc] = parse_page("柳河县人民政府关于禁止燃放烟花爆竹的通告\n为保护环境,现通告如下:全县禁止燃放。\n柳河县人民政府\n2022年11月22日\n")[0]
    assert doc.published == doc.issued == date(2022, 11, 22) and doc.unit == "柳河县"


def test_a_disclosure_page_keeps_signature_date_and_body():
    page = (
        "索 引 号:746899294/2020-1 主题分类:应急管理\n发布机构:政府办, 发文日期:2020年05月07日\n"
        "名    称:柳河县人民政府办公室关于印发应急预案的通知\n文    号:柳政办字〔2020〕43号 主 题 词:\n"
        "柳河县人民政府办公室关于印发应急预案的通知\n柳政办字〔2020〕43号\n各乡(镇)人民政府,县直各部门:\n"
        "《柳河县应急预案》已经县政府研究同意,现印发给你们,请认真遵照执行。\n柳河县人民政府办公室\n2020年4月23日\n"
        "柳河县应急预案\n1 总则\n为有效预防和控制突发事件,制定本预案。\n"
    )
    reading = read_page(page)
    assert reading.layout == "disclosure"
    [doc] = reading.documents
    assert "现印发给你们" in doc.text and "柳河县人民政府办公室\n2020年4月23日" in doc.text and "制定本预案" in doc.text
    assert "索 引 号" not in doc.text and "主题分类" not in doc.text
    assert (doc.issued, doc.published, doc.unit, doc.doc_number) == (date(2020, 4, 23), date(2020, 5, 7), "柳河县", "柳政办字〔2020〕43号")


def test_a_work_report_is_dated_and_issued_by_its_session_line():
    page = "——2019年1月8日在柳河县第十七届人民代表大会第三次会议上\n县长 王某\n各位代表:\n现在,我代表县人民政府,向大会报告政府工作,请予审议。\n"
    reading = read_page(page)
    assert reading.layout == "report"
    [doc] = reading.documents
    assert (doc.unit, doc.issuer, doc.issued, doc.doc_type) == ("柳河县", "柳河县人民政府", date(2019, 1, 8), "工作报告")


def test_a_bulletin_stays_a_bulletin_and_an_article_an_article():
    bulletin = "防火简报\n2021-02-25\n2月24日,青石镇开展巡查,排查隐患3处。\n2月24日,白水镇召开会议,部署防火。\n"
    reading = read_page(bulletin)
    assert reading.layout == "bulletin" and [d.unit for d in reading.documents] == ["青石", "白水"]
    article = "青石镇开展防火巡查\n2021-02-25\n近日,青石镇组织干部开展防火巡查。\n巡查共排查隐患3处。\n"
    reading = read_page(article)
    assert reading.layout == "article" and {d.unit for d in reading.documents} == {"青石"}


def test_a_config_forces_a_layout():
    page = "青石镇开展防火巡查\n2021-02-25\n近日,青石镇组织干部开展防火巡查。\n巡查共排查隐患3处。\n"
    reading = read_page(page, layout=PageLayout(page_layout="official"))
    assert reading.layout == "official" and len(reading.documents) == 1


def test_layout_decisions_on_constructed_lines():
    assert decide_layout(_lines(NOTICE)) == "official"
    assert decide_layout(_lines("柳政发〔2020〕1号\n现将有关事项通知如下,请遵照执行。\n")) == "official"
    assert decide_layout(_lines("现在,我代表柳河县人民政府,向大会报告政府工作,请予审议。\n")) == "report"


# ---- chrome of single documents ---------------------------------------------------------------


def test_promotions_blurbs_and_related_news_are_recognised():
    assert is_promotion("最新本地资讯,关注【 柳河全知道 】微信公众号!想买房进群;广告发布请加微信")
    assert not is_promotion("请关注官方发布的信息。各单位要落实责任。")
    assert drop_blurbs("2017年政府工作报告全文。下面是小编收集整理的政府工作报告,欢迎阅读参考!!") == "2017年政府工作报告全文。"
    assert is_related_news("据津云消息,记者从市疫情防控指挥部获悉,…") and is_related_news("2022-05-20 20:21:00某市启动全员检测")
    assert not is_related_news("据统计,全县共有…")


def test_licence_footers_are_cut_and_bodies_citing_the_words_are_not():
    text = "会议批准政府工作报告。\n" * 20 + "\n\n本作品是中华人民共和国的\n法律\n，属于\n公有领域\n。\nPublic domain\nfalse\n"
    cut, found = strip_licence(text)
    assert found and cut.endswith("会议批准政府工作报告。") and "公有领域" not in cut
    body = "本作品是否受保护,依照著作权法判断。\n" + "其他条款。\n" * 20
    assert strip_licence(body) == (body, False)


# ---- duplicates ---------------------------------------------------------------------------------


def test_duplicates_within_a_file_and_whole_documents_across_files(tmp_path):
    from analysis.io.corpus import read_corpus

    sign = "柳河县疫情防控工作指挥部\n2021年3月1日\n"
    (tmp_path / "a.txt").write_text("柳河县疫情防控工作指挥部通告第1号\n一、所有人员佩戴口罩。\n" + sign, encoding="utf-8")
    (tmp_path / "b.txt").write_text("柳河县疫情防控工作指挥部通告第2号\n一、暂停聚集活动。\n" + sign, encoding="utf-8")
    (tmp_path / "c.txt").write_text("柳河县疫情防控工作指挥部通告第1号\n一、所有人员佩戴口罩。\n" + sign, encoding="utf-8")  # a copy of a.txt
    bulletin = "简报\n2020-04-26\n4月20日,城关镇开展巡查。\n4月21日,白水镇召开会议。\n"
    (tmp_path / "d.txt").write_text(bulletin, encoding="utf-8")
    (tmp_path / "e.txt").write_text("简报二\n2020-04-27\n4月20日,城关镇开展巡查。\n4月22日,青石镇召开会议。\n", encoding="utf-8")
    (tmp_path / "f.txt").write_text(bulletin, encoding="utf-8")  # a whole bulletin repeated
    corpus = read_corpus(tmp_path)
    sources = [d.source.rsplit("/", 1)[-1] for d in corpus.documents]
    assert sources == ["a.txt", "b.txt", "d.txt", "d.txt", "e.txt", "e.txt"]  # e.txt shares one paragraph with d.txt: kept
    assert sorted(s.source.rsplit("/", 1)[-1] for s in corpus.skipped) == ["c.txt", "f.txt", "f.txt"]
    assert len(corpus.documents) + len(corpus.skipped) == 9


# ---- config and tables -------------------------------------------------------------------------


def test_config_page_section(tmp_path):
    from analysis.config import load_settings
    from analysis.errors import ConfigError

    path = tmp_path / "c.toml"
    path.write_text('[page]\nlayout = "official"\nissuer_prefixes = { "柳防指" = "柳河县疫情防控指挥部" }\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.page_layout == "official" and settings.issuer_prefixes == (("柳防指", "柳河县疫情防控指挥部"),)
    path.write_text('[page]\nlayout = "newspaper"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="layout"):
        load_settings(path)


def test_issuer_and_date_columns_are_found_by_their_common_names(tmp_path):
    from analysis.io.corpus import read_corpus

    (tmp_path / "docs.csv").write_text(
        "发文机关,成文日期,发布日期,正文\n"
        "柳河县人民政府办公室,2020-04-23,2020-05-07,现将预案印发给你们。\n"
        "國務院辦公廳,2019-06-24,,现将方案印发给你们。\n"
        "柳河县疫情防控指挥部,,2022-01-02,通告正文,2022年1月1日发布。\n".replace(",2022年", "2022年"),
        encoding="utf-8",
    )
    corpus = read_corpus(tmp_path / "docs.csv")
    docs = corpus.documents
    assert [d.unit for d in docs] == ["柳河县", "国务院办公厅", "柳河县"]
    assert [d.issuer for d in docs][0] == "柳河县人民政府办公室"
    assert [d.date_start for d in docs] == [date(2020, 4, 23), date(2019, 6, 24), None]  # a blank cell stays blank
    assert [d.published for d in docs] == [date(2020, 5, 7), None, date(2022, 1, 2)]
    assert docs[2].date_note == "blank date cell"
    notes = " ".join(corpus.notes)
    assert "issuer read from the '发文机关' column" in notes and "date read from the '成文日期' column" in notes
    assert "1 document(s) have a blank date cell" in notes
