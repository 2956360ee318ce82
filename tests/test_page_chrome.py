"""Page chrome, dropped by what it is: widgets, share bars, credits, file names, digits, footers."""

import pytest

from analysis.io.chrome import chrome_kind
from analysis.io.corpus import PageLayout, parse_page

LAYOUT = PageLayout()
FOOTER, WIDGETS = LAYOUT.chrome_regex(), LAYOUT.widget_regex()


@pytest.mark.parametrize(
    "line",
    [
        "字体:【大 中 小】", "字号:", "对比度:", "选择字号:T|T", "• 16px", "24px",  # reading widgets
        "分享:", "分享到:微信 微博", "打印 关闭", "浏览次数:128", "站长统计",  # share bars, counters
        "打开APP", "• 无障碍版", "统一用户登录 网站支持IPv6", "Archiver|手机版|小黑屋|论坛",  # app prompts, versions
        "您的位置:首页 > 新闻 > 工作动态", ">政务公开>乡镇动态", "首页", "欢迎访问南山县政府网",  # navigation
        "责任编辑:王芳", "通讯员:张三 李四", "供稿、摄影:赵六", "审核:周七   上传:吴八", "本报通讯员 陈九",  # credits
        "现场照片_编辑.jpg", "南山镇:防汛纪实.docx", "QQ图片20210510170657", "5b1e9f0c2d3a4b5c6d7e8f90a1b2c3d4.png",  # files
        "3184", "1万", "1 2 3 4 5 6", "<",  # digits and arrows
        "使用道具 举报", "本版积分规则 发表回复",  # forum
    ],
)
def test_widget_lines(line):
    assert chrome_kind(line, FOOTER, WIDGETS) == "widget"


@pytest.mark.parametrize(
    "line",
    ["Powered by Discuz! X3.4", "GMT+8, 2026-1-10 21:10 , Processed in 0.09 second(s)", "版权所有 南山县人民政府",
     "政府网站标识码1234567890 公网安备123号", "相关新闻", "推荐阅读", "技术支持:某某科技", "【打印本页】【关闭窗口】"],
)
def test_footer_lines(line):
    assert chrome_kind(line, FOOTER, WIDGETS) == "footer"


@pytest.mark.parametrize(
    "line",
    [
        "青石镇召开防汛会议。",
        "宣传工作再深入 为防汛出实招",
        "全面关闭麻将馆、网吧等场所,禁止外卖人员进入小区。",  # widget words inside a sentence
        "会议要求,各村要及时打印通知并张贴,关闭娱乐场所。",
    ],
)
def test_text_is_not_chrome(line):
    assert chrome_kind(line, FOOTER, WIDGETS) == ""


def test_page_keeps_the_text_and_drops_widgets_where_they_stand():
    page = (
        "打开APP\n青石镇防汛纪实\n2021-05-10 15:35\n字体:\n• 14px\n"
        "5月8日,青石镇召开会议,部署防汛。\n001_编辑.jpg\n会后,干部到各村巡查,转移群众。\n"
        "通讯员:张三\n相关新闻\n南山县多措并举防汛\n"
    )
    docs, removed = parse_page(page)
    assert [d.text for d in docs] == ["5月8日,青石镇召开会议,部署防汛。", "会后,干部到各村巡查,转移群众。"]
    dropped = [t for _, t in removed]
    for line in ["打开APP", "字体:", "• 14px", "001_编辑.jpg", "通讯员:张三", "相关新闻", "南山县多措并举防汛"]:
        assert line in dropped  # the footer takes everything after it


def test_no_widget_patterns_keeps_widget_lines():
    page = "青石镇防汛纪实\n2021-05-10\n5月8日,青石镇召开会议,部署防汛。\n字体:\n"
    docs, _ = parse_page(page, layout=PageLayout(widget_patterns=()))
    assert [d.text for d in docs][-1] == "字体:"


def test_disclosure_metadata_table_is_chrome_and_the_title_below_it_is_found():
    page = (
        "索引号：11371600/2020-00123\n信息分类：工作动态\n发布机构：县应急管理局\n生成日期：2020-03-05\n"
        "公开方式：主动公开\n县应急管理局开展安全生产大检查\n3月4日，县应急管理局组织执法人员开展安全检查，排查隐患12处。\n"
    )
    docs, removed = parse_page(page)
    assert [d.text[:5] for d in docs] == ["3月4日，"]
    assert docs[0].title == "县应急管理局开展安全生产大检查" and str(docs[0].published) == "2020-03-05"
    assert {"索引号：11371600/2020-00123", "公开方式：主动公开"} <= {t for _, t in removed}
