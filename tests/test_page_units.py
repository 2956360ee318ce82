"""Units on pages, recognised by what they are: each rule on a small constructed case."""

import pytest

from analysis.io.corpus import parse_page
from analysis.io.units import read_unit, unit_key


def units(page):
    return [(d.unit, d.unit_name) for d in parse_page(page)[0]]


@pytest.mark.parametrize(
    "text, key, name",
    [
        ("青石镇召开会议。", "青石", "青石镇"),
        ("江口县公安局白沙派出所组织巡逻。", "白沙", "白沙派出所"),  # parents from larger to smaller
        ("城东区龙泉街道开展排查。", "龙泉", "龙泉街道"),
        ("平安县森林防灭火指挥部到各村检查。", "平安", "平安县森林防灭火指挥部"),  # a body speaks for its place
        ("柳河乡人民政府召开会议。", "柳河", "柳河乡人民政府"),
        ("桃源林场设立检查站。", "桃源", "桃源林场"),
        ("凤凰社区开展宣传。", "凤凰", "凤凰社区"),
        ("沛县开展宣传。", "沛县", "沛县"),  # a one-character name keeps its suffix
    ],
)
def test_a_unit_is_a_name_with_its_suffix_behind_its_parents(text, key, name):
    found = read_unit(text)
    assert (unit_key(found), found.unit_name) == (key, name)


@pytest.mark.parametrize(
    "text",
    [
        "全县各单位要提高认识。",  # generic
        "各街道要落实责任。",
        "一个基层派出所的日常。",  # a number word and a function character
        "南山市各部门加强宣传。",  # every unit of a place, not one
        "晨报网讯 记者从县里获悉。",  # a news dateline
        "召开会议。",
    ],
)
def test_generic_words_plurals_and_datelines_are_not_units(text):
    assert read_unit(text) is None


def test_the_chain_stops_where_the_predicate_starts():
    found = read_unit("河西分局组织治安大队、交警大队开展巡查。")
    assert found.unit_name == "河西分局"
    # ranks never go down: a police station does not run into the clinic it calls
    assert read_unit("南湖市公安局东城分局石桥派出所接卫生中心求助").unit_name == "石桥派出所"


def test_heading_line_lends_its_unit_to_the_paragraphs_below():
    page = "简报\n2021-03-02\n  青石县 \n青石县部署防汛工作,落实值班。\n各村开展排查,转移群众。\n 柳河区\n组织巡查,清理河道。\n"
    assert units(page) == [("青石", "青石县"), ("青石", "青石县"), ("柳河", "柳河区")]


def test_colon_prefix_in_ascii_or_full_width_and_numbered_items_inherit():
    page = "简报\n2021-03-02\n水利局:\n⑴加强值班。\n⑵及时预警。\n白鹭街道:排查危房3户。\n黄沙街道：转移群众。\n"
    assert units(page) == [("水利", "水利局"), ("水利", "水利局"), ("白鹭", "白鹭街道"), ("黄沙", "黄沙街道")]


def test_unit_opening_a_paragraph_after_time_words_or_behind_its_parent():
    page = "简报\n2021-03-02\n近日,城南区石门镇召开会议,部署工作。\n连日来,清水乡组织干部巡查,排除隐患。\n"
    assert units(page) == [("石门", "石门镇"), ("清水", "清水乡")]


def test_unit_after_a_quotation_and_a_date():
    page = "简报\n2021-03-02\n“请戴好口罩。”2月27日晚,江北分局河口派出所民警在街头劝导,提醒群众。\n“我先上!”2月28日,东湖县公安局组织突击队,连夜值守。\n"
    assert units(page) == [("河口", "河口派出所"), ("东湖", "东湖县公安局")]


def test_single_unit_article_lends_its_title_unit_to_every_paragraph():
    page = "【乡镇动态】青石镇多措并举做好防汛工作\n发布日期:2021-06-02\n6月1日,镇里召开会议,部署防汛。\n下午,干部到各村巡查,转移群众。\n"
    assert units(page) == [("青石", "青石镇")] * 2  # the column tag 【乡镇动态】 is not a unit


def test_article_lends_the_unit_its_lede_introduces():
    page = "一线纪实\n2021-06-02\n近日,面对汛情,白沙街道迅速行动,科学应对。\n街道组织干部巡查,清理河道。\n"
    assert units(page) == [("白沙", "白沙街道")] * 2


def test_article_unit_from_the_source_field_unless_a_media_outlet():
    page = "众志成城抗洪灾\n来源:柳河乡人民政府 作者:李明\n会议要求,全乡上下做好防汛工作,落实值班。\n"
    assert units(page) == [("柳河", "柳河乡人民政府")]
    media = "众志成城抗洪灾\n来源:南山融媒体中心\n会议要求,全乡上下做好防汛工作,落实值班。\n"
    assert units(media) == [("", "")]


def test_no_inheritance_when_paragraphs_name_several_units():
    page = "南山市各部门加强防火\n近期,我市各部门加强宣传,落实责任。\n青石镇召开会议,部署防火。\n柳河乡组织巡查,排除隐患。\n"
    assert units(page) == [("", ""), ("青石", "青石镇"), ("柳河", "柳河乡")]


def test_captions_under_images_and_photo_lines_name_no_unit():
    page = "简报\n2021-03-02\n疫情发生后,各林场严格落实防控措施,守好防线。\n2.png\n北坡林场防疫值守。\n图为南坡林场职工巡查。\n"
    docs = parse_page(page)[0]
    assert [d.unit for d in docs] == ["", "", ""]


def test_traditional_names_are_keyed_in_simplified_and_kept_as_written():
    page = "農業局:\n⑴強化防汛值班,落實責任。\n金龍街道:排查危房5戶,轉移群眾。\n"
    assert units(page) == [("农业", "農業局"), ("金龙", "金龍街道")]


@pytest.mark.parametrize("text", ["重点区域要加强巡查。", "农贸市场开展消杀。", "村民小组长带头。", "辖区内各单位落实责任。", "镇长带队检查。"])
def test_a_suffix_inside_a_common_word_is_not_a_unit(text):
    assert read_unit(text) is None


@pytest.mark.parametrize(
    "text, name",
    [("黄泥塘管理站组织巡山。", "黄泥塘管理站"), ("石门村开展排查。", "石门村"), ("南山县卫健委召开会议。", "南山县卫健委"),
     ("白云山自然保护区开展巡护。", "白云山自然保护区")],
)
def test_more_kinds_of_unit(text, name):
    assert read_unit(text).unit_name == name


def test_numbered_headings_and_unit_tags_in_titles():
    page = "防汛简报\n2021-07-03\n（一）青石镇\n7月2日,组织抢险队伍演练。\n二、柳河乡:\n7月2日,转移群众12人。\n三、强化宣传\n"
    assert units(page) == [("青石", "青石镇"), ("柳河", "柳河乡"), ("柳河", "柳河乡")]
    tagged = "【青石镇】多措并举抓防汛\n2021-07-03\n7月2日,组织干部巡查河道。\n"
    assert units(tagged) == [("青石", "青石镇")]
