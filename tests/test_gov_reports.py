"""The government work reports (shared/corpora/gov-work-reports) as a first-class example.

The corpus is read from the shared folder beside the repository, never copied into it. If it
is missing these tests FAIL: they must not skip themselves into green.
"""

import json
from datetime import date
from pathlib import Path

import pytest

from analysis.config import load_settings
from analysis.io.corpus import Columns, read_corpus
from analysis.io.dates import load_calendar

from conftest import GOV_REPORTS, ROOT

EXAMPLE = ROOT / "examples" / "gov-work-reports.toml"
CALENDAR = ROOT / "analysis" / "resources" / "calendars" / "npc_sessions.toml"


def require_corpus() -> Path:
    assert GOV_REPORTS.exists(), f"{GOV_REPORTS} is missing: the shared corpora must sit beside the repository"
    return GOV_REPORTS


@pytest.fixture(scope="module")
def gov_analysis():
    from analysis import analyse

    require_corpus()
    return analyse(load_settings(EXAMPLE).with_overrides(figures=False))


def test_example_config_points_at_the_shared_corpus():
    settings = load_settings(EXAMPLE)
    assert Path(settings.corpus) == require_corpus().resolve()
    assert (settings.text_column, settings.date_column, settings.title_column) == ("content", "year", "title")


def test_one_document_per_record_all_dated(gov_analysis):
    corpus = gov_analysis.corpus
    assert len(corpus.documents) == 72 and corpus.skipped == []
    resolutions = [d for d in corpus.documents if d.title.endswith("关于政府工作报告的决议")]
    reports = [d for d in corpus.documents if "政府工作报告" in d.title and d not in resolutions]
    assert len(resolutions) == 20 and len(reports) == 52
    assert all(d.date_note == "year" and d.date_start.year == int(d.title[:4]) for d in reports)
    by_title = {d.title: d for d in resolutions}
    adopted = by_title["第十四届全国人民代表大会第一次会议关于政府工作报告的决议"]
    assert (adopted.date_start, adopted.date_note) == (date(2023, 3, 13), "from text")
    latest = by_title["第十四届全国人民代表大会第三次会议关于政府工作报告的决议"]
    assert latest.date_start == date(2025, 1, 1) and "npc-sessions" in latest.date_note
    assert by_title["第二届全国人民代表大会第三次会议关于政府工作报告的决议"].date_start.year == 1962
    assert all(d.date_start is not None for d in corpus.documents)


def test_without_the_calendar_resolutions_stay_undated_and_are_reported():
    corpus = read_corpus(require_corpus(), columns=Columns(text="content", date="year", title="title"), date_from_text=True)
    undated = [d for d in corpus.documents if d.date_start is None]
    assert len(undated) == 16  # 4 resolutions state their adoption date in their text
    assert all(d.title.endswith("决议") for d in undated)
    assert any(note.startswith("16 of 72 documents have no date") for note in corpus.notes)


def test_the_wikisource_licence_footer_is_cut_from_every_text(gov_analysis):
    texts = gov_analysis.texts(original=True)
    assert not any("公有领域" in t or "Public domain" in t or t.endswith("false") for t in texts)
    assert sum("本作品" in t for t in texts) == 0
    assert all(t.strip() for t in texts)


def test_traditional_1954_report_is_normalised_for_analysis_only(gov_analysis):
    frame = gov_analysis.documents
    [i] = frame.index[frame["title"].str.startswith("1954年")]
    assert frame.loc[i, "script"] == "traditional" and (frame["script"] == "traditional").sum() == 1
    assert "全國人民代表大會" in gov_analysis.text(i, original=True) and "全国人民代表大会" in gov_analysis.text(i)
    assert "全國人民代表大會" not in gov_analysis.text(i)
    assert "text" not in frame  # the texts are on disk, read back by row
    assert gov_analysis.documents_with_text().loc[i, "text"] == gov_analysis.text(i, original=True)


def test_documents_csv_written_part_by_part_is_the_whole_tables_csv(gov_analysis, tmp_path):
    """documents.csv, written a few rows at a time with each part's texts as read (the 1954
    report's traditional original among them), has the bytes of the whole table with its
    text column written at once."""
    from analysis.outputs.tables import _csv, _documents_csv

    parts = _documents_csv(gov_analysis, tmp_path / "parts.csv", rows=7).read_bytes()
    whole = _csv(gov_analysis.documents_with_text(), tmp_path / "whole.csv").read_bytes()
    assert parts == whole and "全國人民代表大會".encode() in parts and len(gov_analysis.documents) > 7


def test_stray_line_breaks_are_joined_for_matching(gov_analysis):
    frame = gov_analysis.documents
    [i] = frame.index[frame["title"] == "第十四届全国人民代表大会第三次会议关于政府工作报告的决议"]
    assert "所作的\n政府工作报告\n。" in gov_analysis.text(i, original=True)
    assert "所作的政府工作报告。" in gov_analysis.text(i)


def test_measures_over_time_by_year(gov_analysis):
    by_year = gov_analysis.by_period
    assert by_year.index.name == "year"
    assert by_year.index[0] == "1954" and by_year.index[-1] == "2025"
    assert "扶贫脱贫" in by_year.columns and "阶级斗争" in by_year.columns
    # the lexicon separates the eras: class struggle early, poverty alleviation late
    assert by_year.loc["1955":"1960", "阶级斗争"].sum() > by_year.loc["2015":"2025", "阶级斗争"].sum()
    assert by_year.loc["2015":"2025", "扶贫脱贫"].sum() > by_year.loc["1955":"1979", "扶贫脱贫"].sum()


def test_skipped_steps_are_explained(gov_analysis):
    assert gov_analysis.clustering is None
    assert any(n.startswith("clusters skipped") and "no document names a unit" in n for n in gov_analysis.notes)
    assert any("unit timeline skipped" in n for n in gov_analysis.notes)


@pytest.mark.slow  # 2 s: a whole run of the work reports
def test_cli_run_on_the_example_config(tmp_path):
    from analysis.outputs.cli import main

    require_corpus()
    out = tmp_path / "gov"
    assert main(["run", "--config", str(EXAMPLE), "--out", str(out), "--no-figures"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["documents_read"] == manifest["counts"]["documents_analysed"] == 72
    assert manifest["inputs"][0]["encoding"] == "utf-8" and manifest["inputs"][0]["format"] == "jsonl"
    assert manifest["lexicon"]["name"] == "gov-work-report-themes"
    assert (out / "measures_by_period.csv").read_text(encoding="utf-8").startswith("year,")


def test_calendar_file_is_checked(tmp_path):
    calendar = load_calendar(CALENDAR)
    assert calendar.years["第十三届全国人民代表大会第一次会议"] == 2018
    bad = tmp_path / "cal.toml"
    bad.write_text('[years]\n"某会议" = "去年"\n', encoding="utf-8")
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError, match=r"cal\.toml: '某会议' must be a year"):
        load_calendar(bad)


@pytest.mark.slow
def test_notebooks_rerun_on_the_example_config_into_their_own_folder(tmp_path):
    from analysis.outputs.notebooks import list_notebooks, run_notebooks

    require_corpus()
    figures = tmp_path / "figures" / "gov-work-reports"
    executed = run_notebooks(figures_dir=figures, executed_dir=tmp_path / "executed", config=EXAMPLE, progress=False)
    assert len(executed) == len(list_notebooks()) >= 5
    written = {p.name for p in figures.iterdir()}
    assert {"document_lengths.png", "terms_bar.png", "wordcloud.png", "measures_over_time.png"} <= written
    assert "dendrogram.png" not in written  # no units: clusters are skipped, and say so
    outputs = []
    for book in executed:
        cells = json.loads(book.read_text(encoding="utf-8"))["cells"]
        assert not [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"], book.name
        outputs += ["".join(o.get("text", "")) for c in cells for o in c.get("outputs", []) if o.get("output_type") == "stream"]
    assert any("72 of 72 documents from government_work_reports.jsonl were analysed" in text for text in outputs)
    assert any("clusters skipped" in text for text in outputs)
