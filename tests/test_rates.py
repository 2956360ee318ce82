"""Findings that do not confuse length with emphasis: when periods differ in length, the peak,
the measures-over-time view and the tables speak in mentions per 10,000 characters, with the raw
counts beside them."""

import pandas as pd
import pytest

from analysis.methods.trends import lengths_differ, rates_by_period

FILLER = "会议研究部署" * 10  # 60 characters, no measure


@pytest.fixture(scope="module")
def long_report_analysis(tmp_path_factory):
    """By hand (no units, dated by year, read as a year series):
    2001: 25 mentions of 外防输入 in 500 characters  → 500 per 10,000 (the highest rate);
    2005: 30 mentions in 10,000 characters (the longest) → 30 per 10,000 (the most mentions, the lowest rate);
    2009: 15 mentions in 1,000 characters             → 150 per 10,000."""
    from analysis import analyse

    def text(mentions: int, length: int) -> str:
        body = "，".join(["外防输入"] * mentions)  # separated: a run of one variant counts once
        return body + (FILLER * (length // len(FILLER) + 1))[: length - len(body)]

    rows = [("2001", text(25, 500)), ("2005", text(30, 10_000)), ("2009", text(15, 1000))]
    path = tmp_path_factory.mktemp("rates") / "reports.csv"
    pd.DataFrame(rows, columns=["date", "text"]).to_csv(path, index=False)
    result = analyse(path, figures=False)
    assert result.documents["n_chars"].tolist() == [500, 10_000, 1000]
    return result


def test_the_peak_is_the_highest_rate_not_the_longest_report(long_report_analysis):
    from analysis import findings

    time = findings(long_report_analysis, "time")
    assert time[0].startswith(
        "Measured per 10,000 characters (the years differ in length), activity peaked in 2001: "
        "500.0 measure mentions per 10,000 characters (95% interval"
    ), time[0]
    assert "25 mentions in 500 characters), ahead of the next, 2009 (150.0), in 100% of 1000 resamples, led by 外防输入" in time[0]
    assert "The most mentions, 30, fall in 2005, which has the most text (10,000 characters), at 30.0 per 10,000." in time[0]


def test_raw_counts_stay_and_rates_sit_beside_them(long_report_analysis):
    by_period = long_report_analysis.by_period  # measures_by_period.csv: counts, unchanged
    assert by_period.loc[["2001", "2005", "2009"], "外防输入"].tolist() == [25, 30, 15]
    assert by_period.sum(axis=1).idxmax() == "2005"
    tables = long_report_analysis.methods.tables()
    rates = tables["measures_by_period_rates.csv"].set_index("year")
    assert rates is not None and lengths_differ(long_report_analysis.methods.trends)
    assert rates.loc["2001", "n_chars"] == 500 and rates.loc["2005", "n_chars"] == 10_000
    assert rates.loc["2001", "外防输入"] == pytest.approx(500.0)
    assert rates.loc["2005", "外防输入"] == pytest.approx(30.0)
    assert rates.loc["2009", "外防输入"] == pytest.approx(150.0)
    assert pd.isna(rates.loc["2003", "外防输入"]) and rates.loc["2003", "n_chars"] == 0  # no text: no rate, not zero
    assert rates.equals(rates_by_period(long_report_analysis.methods.trends).set_index("year"))


def test_the_measures_over_time_view_shows_rates_when_lengths_differ(long_report_analysis, tmp_path, monkeypatch):
    from analysis.viz import figures
    from analysis.viz.publish import draw_figures

    drawn = {}
    original = figures.plot_measures_over_time

    def spy(table, **kwargs):
        drawn["table"], drawn["value"] = table, kwargs.get("value", "mentions")
        fig = original(table, **kwargs)
        drawn["colorbar"] = fig.axes[-1].get_ylabel()
        drawn["title"] = fig.axes[0].get_title()
        return fig

    monkeypatch.setattr(figures, "plot_measures_over_time", spy)
    from analysis.viz import publish

    monkeypatch.setattr(publish, "publish_figure", lambda fig, *args, **kwargs: [])  # drawn, not saved: quicker
    draw_figures(long_report_analysis, tmp_path)
    assert drawn["value"] == "per_10k_chars" and "per 10,000" in drawn["colorbar"] and "10,000 characters" in drawn["title"]
    assert drawn["table"].loc["2001", "外防输入"] == pytest.approx(500.0)
    assert drawn["table"].loc["2005", "外防输入"] == pytest.approx(30.0)


def test_equal_lengths_keep_counts():
    from analysis.methods.trends import ALL

    trends = pd.DataFrame(
        {"period": ["2001", "2002", "2003"], "period_kind": "year", "measure": ALL, "mentions": [1, 2, 0], "n_documents": [1, 1, 0],
         "n_chars": [500, 500, 0], "per_10k_chars": [20.0, 40.0, None]}
    )
    assert not lengths_differ(trends)  # a period without text is a gap, not a length
    assert lengths_differ(trends.assign(n_chars=[500, 800, 0]))


def test_a_scrap_of_text_is_not_the_peak(tmp_path):
    """By hand: 2001 and 2005 have 1,000 characters each (10 and 25 mentions: 100 and 250 per 10,000);
    2009 has 40 characters with 2 mentions (500 per 10,000): too little evidence to rank
    (under 5 mentions, 200 characters and a tenth of the median)."""
    from analysis import analyse, findings

    def text(mentions: int, length: int) -> str:
        body = "，".join(["外防输入"] * mentions)  # separated: a run of one variant counts once
        return body + (FILLER * (length // len(FILLER) + 1))[: length - len(body)]

    path = tmp_path / "reports.csv"
    pd.DataFrame([("2001", text(10, 1000)), ("2005", text(25, 1000)), ("2009", text(2, 40))], columns=["date", "text"]).to_csv(path, index=False)
    sentence = findings(analyse(path, figures=False), "time")[0]
    assert "activity peaked in 2005: 250.0 measure mentions per 10,000 characters (95% interval" in sentence
    assert "25 mentions in 1,000 characters), ahead of the next, 2001 (100.0)" in sentence
    assert sentence.endswith(
        "Shown in the tables but not ranked (at least 5 mentions in 200 characters and a tenth of the median year's text): "
        "2009 (500.0 per 10,000 from 2 mentions in 40 characters)."
    )
