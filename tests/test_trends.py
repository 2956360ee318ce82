"""Trends: mentions per 10,000 characters by period, on hand-made and real long corpora."""

import json

import pandas as pd
import pytest

from analysis.measures.lexicon import Lexicon, Measure, find_mentions, load_lexicon
from analysis.methods.trends import ALL, TRENDS_COLUMNS, mention_trends, trend_matrix
from conftest import GOV_REPORTS

LEXICON = Lexicon(name="t", measures=(Measure("改革", "reform", ("改革",)), Measure("扶贫", "poverty", ("扶贫",))))


def test_rate_is_mentions_per_10000_characters_of_that_period():
    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "date_start": ["2001-03-01", "2001-09-01", "2007-03-01", None],
            # mentions separated: a run of one variant counts once
            "text": ["改革" + "字" * 98, "扶贫，" * 25 + "字" * 25, "改革，改革" + "字" * 195, "改革，" * 50],
        }
    )
    mentions = find_mentions(documents["text"], documents["doc_id"], LEXICON)
    table = mention_trends(documents, mentions, LEXICON)
    assert list(table.columns) == TRENDS_COLUMNS
    assert table["period_kind"].unique().tolist() == ["year"]  # a six-year span is read by year
    assert table["period"].unique().tolist() == ["2001", "2002", "2003", "2004", "2005", "2006", "2007"]  # gaps appear
    reform = table[table["measure"] == "改革"].set_index("period")
    assert reform.loc["2001", "mentions"] == 1 and reform.loc["2001", "n_chars"] == 200
    assert reform.loc["2001", "per_10k_chars"] == pytest.approx(50.0)
    assert reform.loc["2007", "per_10k_chars"] == pytest.approx(2 / 200 * 10_000)
    assert pd.isna(reform.loc["2002", "per_10k_chars"]) and reform.loc["2002", "n_documents"] == 0
    total = table[table["measure"] == ALL].set_index("period")
    assert total.loc["2001", "mentions"] == 26  # the undated document is left out
    assert trend_matrix(table).loc["2001", "扶贫"] == pytest.approx(25 / 200 * 10_000)


def test_period_follows_the_span_or_is_given():
    documents = pd.DataFrame({"doc_id": ["a", "b"], "date_start": ["2020-04-01", "2020-04-03"], "text": ["改革", "扶贫"]})
    mentions = find_mentions(documents["text"], documents["doc_id"], LEXICON)
    daily = mention_trends(documents, mentions, LEXICON)
    assert daily["period"].unique().tolist() == ["2020-04-01", "2020-04-02", "2020-04-03"]
    monthly = mention_trends(documents, mentions, LEXICON, period="month")
    assert monthly["period"].unique().tolist() == ["2020-04"]
    with pytest.raises(ValueError, match="period"):
        mention_trends(documents, mentions, LEXICON, period="week")


def test_counts_already_counted_are_used_and_text_lengths_may_replace_the_texts():
    """The trends reuse the period × measure counts a run already has (measures_by_period): the
    same table as counting the mentions again; counts of other periods are not used."""
    from analysis.measures.lexicon import measures_by_period

    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "date_start": ["2001-03-01", "2001-09-01", "2007-03-01", None],
            "text": ["改革" + "字" * 98, "扶贫，" * 25 + "字" * 25, "改革，改革" + "字" * 195, "改革，" * 50],
        }
    )
    mentions = find_mentions(documents["text"], documents["doc_id"], LEXICON)
    plain = mention_trends(documents, mentions, LEXICON)
    counts = measures_by_period(mentions, documents.set_index("doc_id")["date_start"], LEXICON)
    assert mention_trends(documents, mentions, LEXICON, counts=counts).equals(plain)
    lengths = documents["text"].str.len().to_numpy()
    assert mention_trends(documents.drop(columns="text"), mentions, LEXICON, chars=lengths, counts=counts).equals(plain)
    with pytest.raises(ValueError, match=r"no text column.*chars=result\.lengths\(\)"):  # result.documents: texts on disk
        mention_trends(documents.drop(columns="text"), mentions, LEXICON)
    doubled = counts * 2  # the same periods: taken as given
    assert mention_trends(documents, mentions, LEXICON, counts=doubled)["mentions"].sum() == 2 * plain["mentions"].sum()
    monthly = measures_by_period(mentions, documents.set_index("doc_id")["date_start"], LEXICON, period="month")
    assert mention_trends(documents, mentions, LEXICON, counts=monthly * 2).equals(plain)  # other periods: counted again


def read_gov_reports() -> pd.DataFrame:
    """The 72 records as a documents frame; resolutions (year null) stay undated. Fails if missing."""
    assert GOV_REPORTS.exists(), f"{GOV_REPORTS} is missing: the gov work reports corpus is needed for this test"
    records = [json.loads(line) for line in GOV_REPORTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pd.DataFrame(
        {
            "doc_id": [f"gwr-{i:03d}" for i in range(len(records))],
            "unit": "",
            "date_start": [f"{r['year']}-01-01" if r.get("year") else None for r in records],
            "text": [r["content"] for r in records],
        }
    )


def test_gov_reports_by_year_show_policy_themes_rising_and_falling():
    documents = read_gov_reports()
    assert len(documents) == 72
    lexicon = load_lexicon(__import__("analysis.measures.lexicon").measures.lexicon.DEFAULT_LEXICON.parent / "gov_work_reports.toml")
    mentions = find_mentions(documents["text"], documents["doc_id"], lexicon)
    table = mention_trends(documents, mentions, lexicon)
    assert table["period_kind"].unique().tolist() == ["year"]
    periods = table["period"].unique().tolist()
    assert periods[0] == "1954" and periods[-1] == "2025" and len(periods) == 72
    rates = trend_matrix(table)
    assert pd.isna(rates.loc["1989", "改革开放"])  # no report that year in the file: a gap, not a zero
    # Poverty alleviation: absent from the 1950s, a staple of the 2010s.
    assert rates.loc["2016":"2019", "扶贫脱贫"].mean() > 5 * max(rates.loc["1955":"1959", "扶贫脱贫"].mean(), 0.01)
    # Class struggle: a theme of the early reports, rare after reform.
    assert rates.loc["1955":"1960", "阶级斗争"].mean() > rates.loc["2010":"2025", "阶级斗争"].mean()
    # Every dated character is counted once.
    dated = documents.dropna(subset=["date_start"])
    assert table[table["measure"] == ALL]["n_chars"].sum() == dated["text"].str.len().sum()
