"""Units that mention no measure have no profile: they are kept out of the clustering (as a
group of identical empty profiles they would look like a perfectly stable cluster), said so in
a note, and still shown in the heatmap and the timeline, in grey."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import analysis
from analysis.viz import figures

PAGE = """某市疫情防控工作简报
2020-04-26
4月18日，林区公安局鹤北分局开展三防工作，落实外防输入，严禁聚集，佩戴口罩。
4月19日，林区公安局绥阳分局加强边境管控，开展宣传引导，严厉打击违法行为。
4月20日，林区公安局柴河分局开展督导检查，要求民警佩戴口罩，做好消毒通风。
4月21日，林区公安局林口分局落实外防输入，严禁聚集，做好体温检测和扫码。
4月22日，林区公安局东方红分局召开会议，传达上级文件精神。
4月23日，林区公安局穆棱分局组织学习，研究部署下一步工作。
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    page = tmp_path_factory.mktemp("silent") / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    return analysis.analyse(page)


def test_silent_units_are_left_out_of_the_clustering_and_said_so(result):
    assert set(result.units) == {"鹤北", "绥阳", "柴河", "林口", "东方红", "穆棱"}
    assert result.measures.loc[["东方红", "穆棱"]].to_numpy().sum() == 0
    assert set(result.clustering.labels.index) == {"鹤北", "绥阳", "柴河", "林口"}
    assert any(n.startswith("2 unit(s) mention no measure") and "东方红、穆棱" in n for n in result.notes)


def test_silent_units_stay_in_the_heatmap_and_timeline_in_grey(result):
    fig = figures.plot_measure_heatmap(result.measures, result.clustering)
    ticks = {t.get_text(): t.get_color() for t in fig.axes[0].get_yticklabels()}
    plt.close(fig)
    assert list(ticks)[-2:] == ["东方红", "穆棱"] and ticks["穆棱"] == figures.text_color(figures._GREY)
    assert ticks["绥阳"] != figures.text_color(figures._GREY)
    dated = result.documents.dropna(subset=["date_start"])
    fig = figures.plot_timeline(dated, labels=result.clustering.labels, leading=analysis.leading_measures(result))
    bars = fig.axes[0].collections[0].get_facecolors()
    plt.close(fig)
    grey = [round(c, 3) for c in plt.matplotlib.colors.to_rgba(figures._GREY)]
    assert sum(1 for c in bars if [round(v, 3) for v in c] == grey) == 2  # 东方红 and 穆棱's reports
