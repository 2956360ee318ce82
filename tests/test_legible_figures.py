"""Figures that adapt to the corpus: a timeline that stays visible when reports are sparse over
years, and unit labels in cluster colours that can be read on white (WCAG AA, 4.5:1)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.viz.figures import PALETTE, contrast_on_white, plot_timeline, text_color


def test_every_palette_colour_gives_legible_text_with_its_hue():
    for color in [*PALETTE, "#999999"]:
        dark = text_color(color)
        assert contrast_on_white(dark) >= 4.5, (color, dark)
    assert contrast_on_white("#F0E442") < 1.5  # Okabe–Ito yellow as letters: unreadable
    assert text_color("#0072B2").lower() == "#0072b2"  # already legible: unchanged
    assert contrast_on_white("#000000") == pytest.approx(21.0) and contrast_on_white("#ffffff") == pytest.approx(1.0)


def _reports(dates: list[str]) -> pd.DataFrame:
    units = [f"单位{i}" for i in range(len(dates))]
    return pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(len(dates))], "unit": units,
        "date_start": [pd.Timestamp(d).date() for d in dates], "date_end": [pd.Timestamp(d).date() for d in dates],
    })


def test_the_timeline_unit_labels_meet_contrast_in_every_cluster_colour():
    reports = _reports([f"2020-04-{d:02d}" for d in range(1, 9)])
    labels = pd.Series(range(1, 9), index=reports["unit"])  # eight clusters: yellow among them
    fig = plot_timeline(reports, labels=labels)
    colours = [tick.get_color() for tick in fig.axes[0].get_yticklabels()]
    assert len(colours) == 8 and all(contrast_on_white(c) >= 4.5 for c in colours), colours
    plt.close(fig)


def test_sparse_reports_over_years_are_drawn_over_their_month_and_the_axis_ends_at_the_data():
    dates = ["2019-05-20", "2020-02-03", "2020-02-10", "2020-06-15", "2021-02-25", "2021-03-15", "2024-07-14"]
    reports = _reports(dates)
    fig = plot_timeline(reports, leading={f"d{i}": "森林防火" for i in range(len(dates))})
    ax = fig.axes[0]
    left, right = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    span = pd.Timestamp("2024-08-01") - pd.Timestamp("2019-05-01")
    assert pd.Timestamp(right) <= pd.Timestamp("2024-08-01") + span * 0.05  # not running on to 2026
    assert pd.Timestamp(left) >= pd.Timestamp("2019-05-01") - span * 0.05
    [bars] = ax.collections
    widths = [path.vertices[:, 0].max() - path.vertices[:, 0].min() for path in bars.get_paths()]
    assert min(widths) >= 28  # a month in days, not one day
    inches_per_day = ax.get_window_extent().width / fig.dpi / (ax.get_xlim()[1] - ax.get_xlim()[0])
    assert min(widths) * inches_per_day >= 0.05  # visible
    assert "month" in ax.get_xlabel()
    # every label drawn ends inside the axes
    fig.canvas.draw()
    box = ax.get_window_extent()
    for text in ax.texts:
        assert text.get_window_extent().x1 <= box.x1 + 1, text.get_text()
    plt.close(fig)


def test_reports_over_a_few_days_keep_their_days():
    reports = _reports(["2020-04-18", "2020-04-20", "2020-04-21", "2020-04-23"])
    fig = plot_timeline(reports)
    ax = fig.axes[0]
    [bars] = ax.collections
    widths = [path.vertices[:, 0].max() - path.vertices[:, 0].min() for path in bars.get_paths()]
    assert max(widths) == pytest.approx(1.0)
    assert "spans" not in ax.get_xlabel()
    plt.close(fig)


def _curve(paths: dict[str, list[int]], n_units: int = 4) -> pd.DataFrame:
    dates = ["2020-04-18", "2020-04-20", "2020-04-21"]
    rows = []
    for measure, adopters in paths.items():
        previous = 0
        for date, count in zip(dates, adopters):
            rows.append({"measure": measure, "date": date, "new_adopters": count - previous, "adopters": count,
                         "n_units": n_units, "share": count / n_units})
            previous = count
    return pd.DataFrame(rows)


def test_adoption_curves_that_would_hide_each_other_get_a_panel_each():
    from analysis.viz.figures_methods import plot_adoption

    apart = plot_adoption(_curve({"三防": [1, 2, 3], "不聚集": [0, 1, 1], "外防输入": [1, 1, 4]}))
    assert len([ax for ax in apart.axes if ax.get_visible()]) == 1  # distinct paths: one chart, a line each
    plt.close(apart)
    same = plot_adoption(_curve({"三防": [1, 2, 3], "不聚集": [1, 2, 3], "外防输入": [0, 1, 1]}))
    panels = [ax for ax in same.axes if ax.get_visible()]
    assert len(panels) == 3 and [ax.get_title() for ax in panels] == ["三防 (3)", "不聚集 (3)", "外防输入 (1)"]
    assert "grey" in same._suptitle.get_text()
    plt.close(same)
