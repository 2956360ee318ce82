"""Every figure of a corpus with many units, at both house sizes and with Chinese or English
measure labels: no two texts overlap.

The shipped bulletin has 9 units; a provincial page can name 40. The corpus here is the
bulletin's own reports handed to 40 units over 20 days (a CSV with text, date, unit), and every
figure ``run`` draws is checked as it would be saved: tick labels, titles, notes and the texts
drawn in the axes, pairwise (slanted labels aside: their upright boxes overlap where the letters
do not; tick labels outside an axis's limits aside: they are not drawn).
"""

from __future__ import annotations

import csv
from itertools import combinations

import matplotlib.pyplot as plt
import pytest

from analysis import analyse
from analysis.config import Settings
from analysis.viz import figures, publish

UNITS = [
    "鹤北", "东方红", "亚布力", "柴河", "林口", "绥阳", "穆棱", "大海林", "绥棱", "沾河", "通北", "兴隆", "清河", "山河屯",
    "苇河", "方正", "桦南", "双鸭山", "迎春", "八面通", "海林", "宁安", "东京城", "鸡西", "密山", "虎林", "七台河", "勃利",
    "依兰", "通河", "木兰", "巴彦", "宾县", "五常", "尚志", "延寿", "阿城", "双城", "呼兰", "肇东",
]


@pytest.fixture(scope="module")
def many_units(tmp_path_factory, bulletin_analysis):
    texts = bulletin_analysis.texts(original=True)
    path = tmp_path_factory.mktemp("many") / "units.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "date", "unit"])
        for i in range(160):
            writer.writerow([texts[i % len(texts)], f"2020-04-{1 + (i * 3) % 20:02d}", UNITS[i % len(UNITS)]])
    return analyse(Settings(corpus=path, drop_duplicates=False))  # the same ten texts, many times


def _in_view(label, axis) -> bool:
    low, high = sorted(axis.get_view_interval())
    return low - 1e-9 <= label.get_position()[0 if axis.axis_name == "x" else 1] <= high + 1e-9


def _overlaps(fig) -> list[tuple[str, str]]:
    fig.draw_without_rendering()  # the layout of a draw (every text placed), without painting the pixels
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.texts]
    for ax in fig.axes:
        if not ax.axison:
            continue
        texts += [*ax.texts, ax.title]
        texts += [t for t in ax.get_yticklabels() if _in_view(t, ax.yaxis)]
        texts += [t for t in ax.get_xticklabels() if _in_view(t, ax.xaxis)]
    shown = [t for t in texts if t.get_visible() and t.get_text().strip() and t.get_rotation() == 0]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in shown]
    return [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]


@pytest.mark.slow
@pytest.mark.parametrize("size", ["print", "slide"])
@pytest.mark.parametrize("labels", ["zh", "en"])
def test_no_figure_of_forty_units_has_overlapping_texts(many_units, size, labels, monkeypatch, tmp_path):
    assert len(many_units.units) == 40
    found: dict[str, list] = {}

    def check(fig, analysis, out_dir, name, *, size=None, source=None, formats=None):
        figures.apply_house_style(fig, source=source or "", size=size or "print")
        found[name] = _overlaps(fig)
        return []

    monkeypatch.setattr(publish, "publish_figure", check)
    publish.draw_figures(many_units, tmp_path, size=size, labels=labels, progress=False)
    plt.close("all")
    assert {"keyness", "timeline", "adoption_grid", "measures_heatmap", "dendrogram", "cluster_validation"} <= set(found)
    assert {name: pairs for name, pairs in found.items() if pairs} == {}
