"""The unit timeline: labels never overlap, whatever the reports' dates and the house size.

A constructed county corpus (a CSV with text, date, unit) has one town reporting on five
consecutive days and another reporting twice on one day: the case where labels written beside
each bar used to pile up on each other. Every check renders the figure with Agg and compares
the window extents of what it draws.
"""

from __future__ import annotations

import csv
from itertools import combinations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.viz import figures
from analysis.config import Settings
from analysis import draw_figures, figure_source_note, leading_measures

COUNTY = [
    ("城关镇", "2020-02-01", "城关镇严格落实外防输入，开展小区管控和体温检测。"),
    ("城关镇", "2020-02-02", "城关镇加强宣传引导，倡导不聚集，做好个人防护。"),
    ("城关镇", "2020-02-03", "城关镇督导检查各村卡点，落实外防输入和小区管控。"),
    ("城关镇", "2020-02-04", "城关镇保障物资供应，开展物资保障和宣传引导。"),
    ("城关镇", "2020-02-05", "城关镇打击执法，查处聚集行为，坚持不聚集。"),
    ("河口镇", "2020-02-03", "河口镇上午召开会议，部署外防输入和督导检查。"),
    ("河口镇", "2020-02-03", "河口镇下午走访商户，强调个人防护和不聚集。"),
    ("新集镇", "2020-02-02", "新集镇开展宣传引导，张贴标语，提醒群众不聚集。"),
    ("新集镇", "2020-02-06", "新集镇设立卡点，严格外防输入，做好物资保障。"),
    ("白云乡", "2020-02-04", "白云乡落实小区管控，加强督导检查和个人防护。"),
]


@pytest.fixture(scope="module")
def county_analysis(tmp_path_factory):
    from analysis import analyse

    path = tmp_path_factory.mktemp("county") / "county.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "date", "unit"])
        writer.writerows((text, day, unit) for unit, day, text in COUNTY)
    return analyse(Settings(corpus=path))


def _leading(analysis, english: bool) -> dict[str, str]:
    """The labels draw_figures writes beside the bars, in Chinese or English."""
    if english:
        return leading_measures(analysis, top=1, labels=figures.english_labels(analysis.lexicon.glosses, short=True, width=24))
    return leading_measures(analysis)


def _timeline(analysis, *, size: str, english: bool = False):
    dated = analysis.documents.dropna(subset=["date_start"])
    clusters = analysis.clustering.labels if analysis.clustering is not None else None
    fig = figures.plot_timeline(dated, labels=clusters, leading=_leading(analysis, english))
    return figures.apply_house_style(fig, source=figure_source_note(analysis), size=size)



def _bars(ax) -> list:
    """The timeline's bars, in the documents' order, each as its data-space box (x0, y0, x1, y1):
    they are drawn as one collection of rectangles."""
    from matplotlib.collections import PolyCollection
    from matplotlib.transforms import Bbox

    (collection,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    return [Bbox.from_extents(*path.vertices.min(axis=0), *path.vertices.max(axis=0)) for path in collection.get_paths()]


def _overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of drawn things that overlap: report labels, and every other text, with each other;
    report labels with bars."""
    fig.canvas.draw()  # Agg: the layout as saved
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    texts = [*ax.texts, *ax.get_yticklabels(), *ax.get_xticklabels(), ax.xaxis.get_offset_text(), ax.xaxis.label, ax.title, *fig.texts]
    if ax.get_legend() is not None:
        texts += ax.get_legend().get_texts()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_visible() and t.get_text().strip()]
    found = [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]
    bars = [box.transformed(ax.transData) for box in _bars(ax)]
    for label in ax.texts:
        box = label.get_window_extent(renderer)
        found += [(label.get_text(), "a bar") for bar in bars if box.overlaps(bar)]
    return found


@pytest.mark.parametrize(("size", "english"), [("print", False), ("slide", False), ("print", True), ("slide", True)])
def test_county_labels_never_overlap_and_every_report_keeps_its_label(county_analysis, size, english):
    fig = _timeline(county_analysis, size=size, english=english)
    try:
        assert _overlaps(fig) == []
        leading = _leading(county_analysis, english)
        assert sorted(t.get_text() for t in fig.axes[0].texts) == sorted(leading[d] for d in county_analysis.documents["doc_id"])
        assert len(_bars(fig.axes[0])) == len(COUNTY)  # two reports on one day: two bars, neither hidden
        assert fig.axes[0].xaxis.label.get_text() == ""  # nothing left unlabelled
    finally:
        plt.close(fig)


def test_a_unit_reporting_daily_is_stacked_in_lanes_within_its_band(county_analysis):
    fig = _timeline(county_analysis, size="print")
    try:
        ax = fig.axes[0]
        ticks = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks()))
        dated = county_analysis.documents.dropna(subset=["date_start"])
        lanes: dict[str, list[float]] = {}
        for unit, bar in zip(dated["unit"], _bars(ax)):  # bars are drawn in the documents' order
            lanes.setdefault(unit, []).append((bar.y0 + bar.y1) / 2)
        assert len(set(lanes["城关镇"])) > 1  # five days in a row: more than one lane
        assert len(set(lanes["河口镇"])) == 2  # two reports on one day: one lane each
        assert len(set(lanes["白云乡"])) == 1
        bands = sorted((min(ys), max(ys), unit) for unit, ys in lanes.items())
        for (_, bottom, unit), (top, _, _) in zip(bands, bands[1:]):
            assert bottom < top, unit  # bands never interleave
        for low, high, unit in bands:
            assert low <= ticks[unit] <= high, unit  # a unit's name sits within its band
    finally:
        plt.close(fig)


def test_too_many_reports_to_label_keep_their_bars_and_the_axis_says_how_many_lost_labels():
    days = pd.date_range("2020-01-01", periods=60, freq="D")
    rows = [
        {"doc_id": f"d{unit}-{i}-{k}", "unit": unit, "date_start": day.date(), "date_end": day.date()}
        for unit in ["东城", "西城", "南岗"] for i, day in enumerate(days) for k in range(3)
    ]
    rows.append({"doc_id": "once", "unit": "香坊", "date_start": days[10].date(), "date_end": days[10].date()})
    reports = pd.DataFrame(rows)
    leading = {r["doc_id"]: "外防输入、小区管控" for r in rows}
    for size in ("print", "slide"):
        fig = figures.apply_house_style(figures.plot_timeline(reports, leading=leading), source="来源 Source: test", size=size)
        try:
            ax = fig.axes[0]
            assert _overlaps(fig) == []
            assert len(_bars(ax)) == len(rows)
            assert [t.get_text() for t in ax.texts] == ["外防输入、小区管控"]  # the unit with one report keeps its label
            assert ax.xaxis.label.get_text().startswith(f"{len(rows) - 1} 份报告未标注")
        finally:
            plt.close(fig)


def test_labels_stay_inside_the_axes_when_the_last_report_ends_the_span():
    reports = pd.DataFrame(
        {"doc_id": ["a", "b"], "unit": ["甲镇", "乙镇"], "date_start": ["2020-03-01", "2020-03-02"], "date_end": ["2020-03-01", "2020-03-02"]}
    )
    long = "外防输入、小区管控、督导检查、宣传引导、物资保障"
    fig = figures.apply_house_style(figures.plot_timeline(reports, leading={"a": "三防", "b": long}), source="x", size="print")
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        right = ax.get_window_extent(renderer).x1
        assert [t.get_text() for t in ax.texts] == ["三防", long]
        assert all(t.get_window_extent(renderer).x1 <= right for t in ax.texts)
    finally:
        plt.close(fig)


def test_pack_lanes_uses_the_first_free_lane():
    # Three spans meeting in turn need two lanes; a span starting where another ends may share its lane.
    assert figures._pack_lanes([(0, 2), (1, 3), (2, 4), (3, 5)]) == [0, 1, 0, 1]
    assert figures._pack_lanes([(0, 1), (0, 1), (0, 1)]) == [0, 1, 2]
    assert figures._pack_lanes([(5, 6), (0, 1)]) == [0, 0]


def test_the_shipped_bulletin_timeline_labels_every_report_without_overlaps(bulletin_analysis):
    for size in ("print", "slide"):
        fig = _timeline(bulletin_analysis, size=size)
        try:
            assert _overlaps(fig) == []
            dated = bulletin_analysis.documents.dropna(subset=["date_start"])
            reports = dated[dated["unit"].astype(bool)]
            assert len(fig.axes[0].texts) == len(reports)
            assert len(fig.axes[0].get_yticklabels()) == reports["unit"].nunique()  # one lane per unit, as before
        finally:
            plt.close(fig)


@pytest.mark.slow
def test_draw_figures_writes_the_county_timeline(tmp_path, county_analysis, monkeypatch):
    seen = {}
    original = figures.save_figure

    def spy(fig, out_dir, name, **kwargs):
        if name == "timeline":
            seen["overlaps"] = _overlaps(fig)
            seen["labels"] = len(fig.axes[0].texts)
        return original(fig, out_dir, name, **kwargs)

    monkeypatch.setattr(figures, "save_figure", spy)
    paths = draw_figures(county_analysis, tmp_path, size="print")
    assert tmp_path / "timeline.png" in paths
    assert seen == {"overlaps": [], "labels": len(COUNTY)}


def test_with_no_label_to_show_the_date_axis_ends_half_a_day_after_the_last_report():
    import matplotlib.dates as mdates

    reports = pd.DataFrame(
        {"doc_id": ["a", "b"], "unit": ["甲镇", "乙镇"], "date_start": ["2020-03-01", "2020-03-05"], "date_end": ["2020-03-01", "2020-03-09"]}
    )
    fig = figures.plot_timeline(reports)
    try:
        assert len(fig.axes[0].texts) == 0
        assert fig.axes[0].get_xlim()[1] == pytest.approx(mdates.date2num(pd.Timestamp("2020-03-10 12:00")))
    finally:
        plt.close(fig)


@pytest.mark.parametrize("size", ["print", "slide"])
def test_forty_units_keep_their_names_without_overlaps(size):
    names = [f"第{i:02d}镇" for i in range(40)]
    reports = pd.DataFrame({
        "doc_id": [f"d{i:02d}" for i in range(40)], "unit": names,
        "date_start": [pd.Timestamp(2020, 2, 1 + i % 20).date() for i in range(40)],
        "date_end": [pd.Timestamp(2020, 2, 1 + i % 20).date() for i in range(40)],
    })
    fig = figures.plot_timeline(reports, leading={f"d{i:02d}": "外防输入" for i in range(40)})
    figures.apply_house_style(fig, source="来源 Source: test", size=size)
    try:
        assert _overlaps(fig) == []
        assert sorted(t.get_text() for t in fig.axes[0].get_yticklabels()) == sorted(names)  # every unit named
    finally:
        plt.close(fig)
