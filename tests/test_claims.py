"""Every headline rule on a constructed corpus whose right answer is known by hand: ties, peaks
within noise, gaps, scraps of text, one long document, diffusion windows, association and lift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import analyse, compare, findings

FILLER = "会议研究部署" * 10  # 60 characters, no measure


_serial = iter(range(10**6))


def text(length: int, **mentions: int) -> str:
    """``length`` characters holding each measure variant ``mentions[v]`` times, then filler that
    ends in a serial number (identical documents would be dropped as duplicates)."""
    body = "。".join("，".join([v] * n) for v, n in mentions.items() if n) + "。"  # separate mentions: a run counts once
    tag = f"第{next(_serial)}号"
    return body + (FILLER * (length // len(FILLER) + 1))[: length - len(body) - len(tag)] + tag


def run(tmp_path, rows, columns=("date", "text"), **settings):
    path = tmp_path / "corpus.csv"
    pd.DataFrame(rows, columns=list(columns)).to_csv(path, index=False)
    return analyse(path, figures=False, **settings)


def test_an_exact_tie_is_named_as_a_tie_never_broken_by_order(tmp_path):
    # 2001 and 2011: 1,000 characters with 10 mentions each; 2021: 6 mentions (years ten apart: read by year).
    result = run(tmp_path, [("2001", text(1000, 外防输入=10)), ("2011", text(1000, 外防输入=10)), ("2021", text(1000, 外防输入=6))])
    sentence = findings(result, "time")[0]
    assert sentence.startswith("No single year leads: 2001 and 2011 tie at 10.0 measure mentions"), sentence
    assert "peak" not in sentence


def test_a_lead_within_resampling_noise_is_about_level(tmp_path):
    # 48 against 47 mentions in equal texts: a Poisson redraw swaps them often.
    result = run(tmp_path, [("2001", text(2000, 外防输入=47)), ("2012", text(2000, 外防输入=48))])
    sentence = findings(result, "time")[0]
    assert sentence.startswith("No year stands clear of the others: 2012 is highest, 48 measure mentions (95% interval"), sentence
    assert "about level with 2001 (47)" in sentence and "peaked" not in sentence
    # 48 against 12: clear
    result = run(tmp_path, [("2001", text(2000, 外防输入=12)), ("2012", text(2000, 外防输入=48))])
    sentence = findings(result, "time")[0]
    assert sentence.startswith("Activity peaked in 2012: 48 measure mentions (95% interval"), sentence
    assert "ahead of the next, 2001 (12), in 100% of 1000 resamples" in sentence


def test_years_without_a_report_are_gaps_not_zeros(tmp_path):
    result = run(tmp_path, [("2001", text(1000, 外防输入=8)), ("2005", text(1000, 外防输入=9)), ("2012", text(1000))])
    coverage = findings(result, "time")[1]
    assert coverage == "Measures were mentioned in 2 of the 3 years with a report, from 2001 to 2012; 9 years have no report."


def test_one_mention_in_a_scrap_is_shown_but_never_a_peak(tmp_path):
    # 2019: 1 mention in 34 characters (294.1 per 10,000); 2020: 11 in 652 (168.7) — the dev pages' numbers.
    result = run(tmp_path, [("2019-05-20", text(34, 督导检查=1)), ("2020-02-19", text(652, 宣传引导=11)), ("2024-07-14", text(91))])
    sentence = findings(result, "time")[0]
    assert "only 2020 has enough evidence to be ranked" in sentence and "it is not called a peak" in sentence
    assert sentence.endswith("Shown in the tables but not ranked: 2019 (294.1 per 10,000 from 1 mention in 34 characters).")


def test_two_periods_that_differ_only_by_one_long_document(tmp_path):
    # Each period: eight units, each a 1,000-character report with 2 mentions of 外防输入. Period B
    # adds one long report (20,000 characters, 200 mentions). G² over characters calls B's rate
    # significantly higher; over documents the periods are the same, and the difference is that document's.
    rows = [(f"2020-01-0{i + 1}", f"甲{i}", text(1000, 外防输入=2)) for i in range(8)]
    rows += [(f"2020-03-0{i + 1}", f"乙{i}", text(1000, 外防输入=2)) for i in range(8)]
    rows += [("2020-03-09", "丙", text(20_000, 外防输入=200))]
    result = run(tmp_path, rows, columns=("date", "unit", "text"))
    table = compare(result, split_date="2020-02-01")
    row = table[(table["kind"] == "measure") & (table["item"] == "外防输入")].iloc[0]
    assert (row["count_a"], row["count_b"]) == (16, 216)
    assert bool(row["significant_g2"]) and row["p_g2"] < 1e-6
    assert not bool(row["significant"]) and row["p_docs"] > 0.05
    assert row["top_unit"] == "丙" and row["top_unit_share"] == pytest.approx(200 / 216)
    assert row["driven_by"] == "unit 丙 (93%)"
    from analysis.headlines import comparison_findings

    text_out = " ".join(comparison_findings(table))
    assert "0 of 1 measures differ significantly" in text_out and "1 would be by G² over tokens" in text_out
    assert "93% of 外防输入's mentions on side B come from one unit, 丙" in text_out


def test_the_longest_document_with_most_mentions_is_not_the_densest(tmp_path):
    # 2005 holds the most mentions (20) in by far the most text (10,000 characters): 20 per 10,000;
    # 2001's 50 mentions in 1,000 characters (500 per 10,000) are the peak, clear of 2009 (150).
    result = run(tmp_path, [("2001", text(1000, 外防输入=50)), ("2005", text(10_000, 外防输入=20)), ("2009", text(1000, 外防输入=15))])
    sentence = findings(result, "time")[0]
    assert sentence.startswith("Measured per 10,000 characters (the years differ in length), activity peaked in 2001: 500.0"), sentence
    assert "ahead of the next, 2009 (150.0)" in sentence
    assert "The most mentions, 50, fall in 2001" not in sentence


def test_diffusion_is_spoken_of_only_within_the_window(tmp_path):
    near = [("2020-04-01", "甲", text(300, 宣传引导=1)), ("2020-04-03", "乙", text(300, 宣传引导=1)), ("2020-04-09", "丙", text(300, 宣传引导=1))]
    result = run(tmp_path, near, columns=("date", "unit", "text"))
    sentence = findings(result, "diffusion")[0]
    assert "宣传引导 reaches 3 of 3 units within 8 days: first 甲 on 2020-04-01, last 丙 on 2020-04-09" in sentence
    far = near[:2] + [("2021-05-20", "丙", text(300, 宣传引导=1))]
    result = run(tmp_path, far, columns=("date", "unit", "text"))
    sentence = findings(result, "diffusion")[0]
    assert "414 days apart: more than the 90-day window" in sentence and "too far apart to speak of spread" in sentence
    assert "reaches" not in sentence
    # the window is a setting
    wide = run(tmp_path, far, columns=("date", "unit", "text"), window_days=500)
    assert "reaches 3 of 3 units within 414 days" in findings(wide, "diffusion")[0]


def test_earliest_on_average_names_a_tie(tmp_path):
    rows = [("2020-04-01", "乙", text(300, 宣传引导=1)), ("2020-04-01", "甲", text(300, 宣传引导=1)), ("2020-04-05", "丙", text(300, 宣传引导=1))]
    result = run(tmp_path, rows, columns=("date", "unit", "text"))
    sentence = findings(result, "diffusion")[1]
    assert sentence.startswith("Earliest on average: 乙 and 甲 (a tie) (mean lag 0.0 days"), sentence


def test_the_strongest_association_is_named_not_the_commonest_pair():
    from analysis.headlines import _cooccurrence_findings
    from analysis.methods.cooccurrence import measure_cooccurrence
    from analysis.measures.lexicon import load_lexicon

    lexicon = load_lexicon(None)
    # 10 documents: 个人防护 and 宣传引导 in 8 each (together in 6, as chance would have it: NPMI ≈ 0);
    # 边境管控 and 打击执法 only together, in 3 documents (NPMI 1).
    docs = [f"d{i}" for i in range(10)]
    rows = [(d, "个人防护") for d in docs[:8]] + [(d, "宣传引导") for d in docs[2:10]]
    rows += [(d, m) for d in docs[:3] for m in ("边境管控", "打击执法")]
    mentions = pd.DataFrame(rows, columns=["doc_id", "measure"])
    table = measure_cooccurrence(mentions, docs, lexicon)

    class Stub:  # only what the sentence reads
        methods = type("M", (), {"cooccurrence": table})()

    Stub.lexicon = lexicon
    sentence = _cooccurrence_findings(Stub)[0].text
    assert "The strongest association between measures" in sentence
    assert "边境管控 (border control) and 打击执法" in sentence.split(". The pair")[0]
    assert "The pair mentioned together most often is 个人防护" in sentence


def test_set_apart_only_by_measures_rare_outside_the_group():
    from analysis.methods.clusters import _defining_measures

    # units a, b in the cluster; c, d, e, f outside. 甲: in both and in 3 of 4 others (75%): shared, not defining.
    # 乙: in both, in 1 of 4 others (25%, lift 4): defining. 丙: in 1 of 2 (50%) and 0 others: defining.
    matrix = pd.DataFrame(
        {"甲": [1, 1, 1, 1, 1, 0], "乙": [1, 1, 1, 0, 0, 0], "丙": [1, 0, 0, 0, 0, 0]}, index=list("abcdef")
    )
    labels = pd.Series([1, 1, 2, 2, 2, 2], index=list("abcdef"))
    defining = _defining_measures(matrix, labels)
    assert defining[defining["cluster"] == 1]["measure"].tolist() == ["乙", "丙"]


def test_the_emphasis_heatmap_shades_rates_and_writes_counts():
    import matplotlib

    matplotlib.use("Agg")
    from analysis.viz import figures

    # 甲: 4 mentions in 1,000 characters (40 per 10,000); 乙: 2 in 200 (100 per 10,000): 乙 is darker.
    matrix = pd.DataFrame({"外防输入": [4, 2], "宣传引导": [1, 0]}, index=["甲", "乙"])
    fig = figures.plot_measure_heatmap(matrix, chars={"甲": 1000, "乙": 200})
    ax = fig.axes[0]
    shade = ax.collections[0].get_array().reshape(2, 2)
    assert shade[0, 0] == pytest.approx(40.0) and shade[1, 0] == pytest.approx(100.0)
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "4"]  # the counts stay in the cells
    assert "Emphasis by unit" in ax.get_title() and "mentions per 10,000 characters" in ax.get_title()
    # without lengths it is a count heatmap and does not speak of emphasis
    counts = figures.plot_measure_heatmap(matrix)
    assert "强调" not in counts.axes[0].get_title() and "Mentions by unit" in counts.axes[0].get_title()


def test_a_scrap_of_text_is_greyed_in_the_rates_over_time():
    import matplotlib

    matplotlib.use("Agg")
    from analysis.viz import figures

    rates = pd.DataFrame({"督导检查": [294.1, 0.0], "宣传引导": [0.0, 168.7]}, index=["2019", "2020"])
    fig = figures.plot_measures_over_time(rates, value="per_10k_chars", too_little=["2019"])
    shade = fig.axes[0].collections[0].get_array()
    assert np.ma.is_masked(shade) and shade.reshape(2, 2).mask[:, 0].all()  # 2019's cells unshaded
    assert "1 period(s) with too little text" in fig.axes[0].get_title()


def test_the_explorer_offers_rates_when_lengths_differ(tmp_path):
    from analysis.outputs.explorer import _chart_specs, explorer_data

    # 2001: 20 mentions in 10,000 characters; 2011: 10 in 1,000 — the long year is not the tall one.
    result = run(tmp_path, [("2001", text(10_000, 外防输入=20)), ("2011", text(1000, 外防输入=10))])
    data = explorer_data(result)
    assert data["timelineRates"] and data["rates"]
    bars = {t["period"]: t for t in data["timeline"] if t["mentions"]}
    assert bars["2001"]["rate"] == pytest.approx(20.0) and bars["2011"]["rate"] == pytest.approx(100.0)
    specs = _chart_specs(data)
    assert specs["timeline"]["encoding"]["y"]["field"] == "rate"
    assert specs["heatmap"]["layer"][0]["encoding"]["color"]["condition"]["field"] == "value"
    assert "per 10,000 characters" in specs["heatmap"]["layer"][0]["encoding"]["color"]["condition"]["title"]
