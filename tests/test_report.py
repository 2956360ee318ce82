"""The briefing report: generated findings, the workbook, a self-contained HTML file that a real
browser (headless Chromium) shows with every image and the Chinese text, and the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile

import openpyxl
import pandas as pd
import pytest
from markupsafe import escape

from analysis.outputs.cli import main
from analysis.config import Settings
from analysis import analyse
from analysis.outputs.report import EXPLORE_VIEWS, REPORT_FIGURES, headline_findings, render_report, report_tables, write_workbook
from chromium import CHROMIUM_FLAGS, chromium


@pytest.fixture(scope="module")
def report_dir(bulletin_report):
    """``python -m analysis report`` on the shipped bulletin (run once for the session, in conftest)."""
    return bulletin_report[0]


@pytest.fixture(scope="module")
def no_units_analysis(tmp_path_factory):
    """A plain text without units or dates: a corpus the report must still describe."""
    folder = tmp_path_factory.mktemp("plain")
    page = folder / "notice.txt"
    page.write_text(
        "关于做好疫情防控工作的通知\n\n各地要坚持外防输入、内防反弹，减少人员聚集。\n\n加强宣传引导，做好物资保障。\n",
        encoding="utf-8",
    )
    return analyse(Settings(corpus=page))


# --- findings -----------------------------------------------------------------------------


def test_findings_state_the_dominant_measures_clusters_and_peak(bulletin_analysis):
    findings = headline_findings(bulletin_analysis)
    topics = [f.topic for f in findings]
    assert {"corpus", "measures", "clusters", "time", "terms"} <= set(topics)
    text = "\n".join(f.text for f in findings)
    counts = bulletin_analysis.mentions["measure"].value_counts()
    top = counts.index[0]
    assert f"{top} ({bulletin_analysis.lexicon.glosses[top]}): {counts.iloc[0]} mentions" in text
    assert f"of all {len(bulletin_analysis.mentions)} mentions" in text
    # Every cluster gets a sentence naming its units and its verdict (tentative on the bulletin), and
    # its first defining measure unless the group says too little to be characterised.
    verdict = bulletin_analysis.methods.validation.verdict
    assert verdict == "tentative"
    table = bulletin_analysis.clustering.table()
    totals = bulletin_analysis.measures.sum(axis=1)
    for cluster, group in table.groupby("cluster"):
        sentence = next(f.text for f in findings if f.text.startswith(f"Tentative group {cluster}:"))
        assert all(unit in sentence for unit in group["unit"])
        if totals[list(group["unit"])].sum() >= 5:
            first = bulletin_analysis.clustering.defining.query("cluster == @cluster and rank == 1")["measure"].iloc[0]
            assert first in sentence
        else:
            assert "too few" in sentence and "set apart" not in sentence
    assert not any(f.text.startswith("Group ") for f in findings)
    # The bulletin's days differ in length: the highest rate is 21 April's, but within resampling
    # noise of 20 April's (about 690 against 650-670 per 10,000 characters): about level, not a peak.
    overall = bulletin_analysis.methods.trends.query("measure == '(all measures)'").set_index("period")
    peak = overall["per_10k_chars"].idxmax()
    assert peak == "2020-04-21"
    assert (
        f"Measured per 10,000 characters (the days differ in length), no day stands clear of the others: {peak} is highest, "
        f"{overall.loc[peak, 'per_10k_chars']:.1f} measure mentions per 10,000 characters (95% interval"
    ) in text
    assert f"about level with 2020-04-20 ({overall.loc['2020-04-20', 'per_10k_chars']:.1f})" in text and "peaked" not in text


def test_a_corpus_without_units_or_dates_says_why_there_are_no_clusters_or_timeline(no_units_analysis):
    findings = {f.topic: f.text for f in headline_findings(no_units_analysis)}
    assert "not clustered" in findings["clusters"] and "no document names a reporting unit" in findings["clusters"]
    assert findings["time"] == "No timeline: no document carries a date."
    html = render_report(no_units_analysis, {}, {}, embed_font=False)
    assert "not clustered" in html and "No figures" in html


def test_a_heatmap_of_documents_is_captioned_as_one(no_units_analysis, bulletin_analysis, tmp_path):
    from PIL import Image

    png = tmp_path / "measures_heatmap.png"
    Image.new("RGB", (40, 30), "white").save(png)
    plain = render_report(no_units_analysis, {}, {"measures_heatmap": png}, embed_font=False)
    assert "Each measure by document (the corpus names no units)" in plain and "rows in cluster order" not in plain
    units = render_report(bulletin_analysis, {}, {"measures_heatmap": png}, embed_font=False)
    assert "Each measure by unit: shaded by mentions per 10,000 characters" in units and "rows in cluster order" in units


def test_report_text_is_escaped(bulletin_analysis):
    from dataclasses import replace

    analysis = replace(bulletin_analysis, settings=bulletin_analysis.settings.with_overrides(corpus_name="<script>alert(1)</script>"))
    html = render_report(analysis, {}, {}, embed_font=False)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- workbook ------------------------------------------------------------------------------


def test_workbook_has_a_sheet_per_table_with_chinese_intact(report_dir, bulletin_analysis):
    book = openpyxl.load_workbook(report_dir / "tables.xlsx", read_only=True)
    assert book.sheetnames == list(report_tables(bulletin_analysis))
    assert all(len(name) <= 31 for name in book.sheetnames)
    for name in ["measures", "clusters", "terms", "documents", "findings"]:
        assert name in book.sheetnames
    measures = pd.read_excel(report_dir / "tables.xlsx", sheet_name="measures")
    expected = pd.read_csv(report_dir / "measures.csv")
    pd.testing.assert_frame_equal(measures, expected)
    documents = pd.read_excel(report_dir / "tables.xlsx", sheet_name="documents")
    assert documents["text"].tolist() == bulletin_analysis.texts(original=True)


def test_workbook_cuts_overlong_cells_and_drops_forbidden_characters(tmp_path):
    table = pd.DataFrame({"text": ["甲" * 40_000, "控制\x07字符"]})
    path = write_workbook({"long": table}, tmp_path / "t.xlsx")
    values = pd.read_excel(path, sheet_name="long")["text"].tolist()
    assert len(values[0]) == 32_767 and values[0].endswith("…")
    assert values[1] == "控制字符"
    cut = pd.read_excel(path, sheet_name="cut_cells")
    assert cut.to_dict("records") == [{"sheet": "long", "row": 2, "column": "text", "characters": 40_000}]
    with pytest.raises(ValueError, match="sheet name"):
        write_workbook({"a" * 32: table}, tmp_path / "u.xlsx")


def test_workbook_is_byte_identical_when_written_twice(tmp_path, bulletin_analysis):
    tables = report_tables(bulletin_analysis)
    first = write_workbook(tables, tmp_path / "a.xlsx").read_bytes()
    second = write_workbook(tables, tmp_path / "b.xlsx").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}


# --- the HTML file -------------------------------------------------------------------------


def test_report_is_self_contained(report_dir):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    # No request leaves the file: every src/href/url() is a data URI or a fragment.
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html) + re.findall(r"url\(\s*[\"']?([^\"')]*)", html)
    assert references, "expected embedded figures and font"
    # ... but for the links from each figure to its interactive view in explore.html, beside it
    explore_links = [ref for ref in references if ref.startswith("explore.html#")]
    references = [ref for ref in references if ref not in explore_links]
    assert all(ref.startswith("data:") or ref.startswith("#") for ref in references), [r[:60] for r in references if not r.startswith("data:")]
    assert sorted(explore_links) == sorted(f"explore.html#{EXPLORE_VIEWS[name]}" for name in REPORT_FIGURES if name in EXPLORE_VIEWS)
    explorer = (report_dir / "explore.html").read_text(encoding="utf-8")
    assert all(f'id="{link.partition("#")[2]}"' in explorer for link in explore_links)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    images = re.findall(r'<img src="data:image/png;base64,', html)
    expected = [name for name in REPORT_FIGURES if (report_dir / "figures" / f"{name}.png").exists()]
    assert len(images) == len(expected) == len(REPORT_FIGURES)
    assert "data:font/woff;base64," in html


def test_report_shows_corpus_settings_findings_tables_and_method(report_dir, bulletin_analysis):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    manifest = json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["sha256"][:16] in html
    assert "省林区公安各分局开展疫情防控工作督导检查" in html
    for finding in headline_findings(bulletin_analysis):
        assert str(escape(finding.text)) in html
    for section in ["findings", "figures", "tables", "corpus", "method"]:
        assert f'<section id="{section}">' in html
    assert "jaccard" in html and "average" in html
    assert {"report.html", "explore.html", "tables.xlsx"} <= set(manifest["outputs"])


def test_second_report_is_byte_identical(tmp_path, report_dir):
    """Determinism: every file of a second run (report, workbook, tables, manifest, and every
    figure as PNG, SVG and PDF) is the same bytes as the first."""
    assert main(["report", "--out", str(tmp_path)]) == 0
    compared = 0
    for path in sorted(report_dir.rglob("*")):
        if path.is_file():
            assert (tmp_path / path.relative_to(report_dir)).read_bytes() == path.read_bytes(), path.name
            compared += 1
    assert compared > 50


# --- in a real browser ---------------------------------------------------------------------

_CHROMIUM_FLAGS = CHROMIUM_FLAGS

# Installed first in <head>: collects load errors (capture phase catches failed images) and
# console errors; after load and fonts, writes what a reader would see into the DOM as JSON.
_PROBE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  var t = e.target || {};
  window.__errors.push(String(e.message || t.src || t.href || "error").slice(0, 120));
}, true);
var __consoleError = console.error;
console.error = function () { window.__errors.push("console: " + Array.from(arguments).join(" ")); __consoleError.apply(console, arguments); };
window.addEventListener("load", function () {
  document.fonts.ready.then(function () {
    var images = Array.from(document.images);
    var result = {
      images: images.length,
      displayed: images.filter(function (i) { return i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0; }).length,
      errors: window.__errors,
      requests: performance.getEntriesByType("resource").map(function (r) { return r.name.slice(0, 80); }).filter(function (n) { return n.indexOf("data:") !== 0; }),
      text: document.body.innerText,
      font: Array.from(document.fonts).filter(function (f) { return f.status === "loaded"; }).map(function (f) { return f.family; }),
      findings: document.querySelectorAll("#findings li").length,
      box: Array.from(document.querySelectorAll("#findings li")).map(function (li) {
        var r = li.getBoundingClientRect();
        return {topic: li.getAttribute("data-topic"), text: li.innerText, top: r.top, height: r.height};
      })
    };
    var out = document.createElement("pre");
    out.id = "__probe";
    out.textContent = JSON.stringify(result);
    document.body.appendChild(out);
  });
});
</script>"""


_chromium = chromium


def _open_in_chromium(html: str, tmp_path) -> dict:
    page = tmp_path / "probe.html"
    page.write_text(html.replace("<head>", "<head>" + _PROBE, 1), encoding="utf-8")
    result = subprocess.run(
        [_chromium(), *_CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=180,
    )
    match = re.search(r'<pre id="__probe">(.*?)</pre>', result.stdout, re.S)
    assert match, f"chromium gave no result (exit {result.returncode}): {result.stderr[-800:]}"
    import html as html_module

    seen = json.loads(html_module.unescape(match.group(1)))
    # Chromium logs every console message of the page to stderr ("…:CONSOLE:12] "text", source: …").
    seen["console"] = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return seen


def test_report_in_headless_chromium_shows_every_image_and_the_chinese_text(report_dir, tmp_path, bulletin_analysis):
    seen = _open_in_chromium((report_dir / "report.html").read_text(encoding="utf-8"), tmp_path)
    assert seen["errors"] == []
    assert seen["console"] == []
    assert seen["requests"] == []
    assert seen["images"] == len(REPORT_FIGURES)
    assert seen["displayed"] == seen["images"]
    assert "Report CJK" in seen["font"]  # the embedded Chinese font was loaded and used
    assert seen["findings"] == len(headline_findings(bulletin_analysis))
    for text in ["省林区公安各分局开展疫情防控工作督导检查", "外防输入", "鹤北", "Headline findings"]:
        assert text in seen["text"], text


def test_the_headline_box_carries_the_verdict_beside_every_group_peak_and_spread(report_dir, tmp_path, bulletin_analysis):
    """Issue 27, item 2, as a reader of the headline box sees it in Chromium: every sentence that
    states groups says they are tentative (the bulletin's bootstrap verdict), in the same sentence;
    no sentence calls a peak (21 April is within noise of 20 April); the spread sentence says its
    dates are report dates."""
    seen = _open_in_chromium((report_dir / "report.html").read_text(encoding="utf-8"), tmp_path)
    box = seen["box"]
    assert len(box) == len(headline_findings(bulletin_analysis))
    assert all(item["height"] > 0 for item in box)  # rendered, not hidden
    verdict = bulletin_analysis.methods.validation.verdict
    clusters = [item["text"] for item in box if item["topic"] == "clusters"]
    assert clusters and verdict == "tentative"
    grouping = [t for t in clusters if t.startswith(("By which measures", "Tentative group", "Group "))]
    assert len(grouping) == bulletin_analysis.clustering.k + 1  # the overview and one per group
    for text in grouping:
        assert "tentative" in text.lower(), text
    assert "not a finding: the bootstrap verdict is tentative" in grouping[0]
    time = [item["text"] for item in box if item["topic"] == "time"]
    assert "peaked" not in " ".join(time) and "about level with 2020-04-20" in time[0]
    spread = [item["text"] for item in box if item["topic"] == "diffusion"]
    assert spread and "Dates are report dates" in spread[0]
    # the verdict is in the box itself, above the figures, not only in the notes at the end
    figures_top = seen["text"].index("Key figures")
    assert seen["text"].index("not a finding") < figures_top


def test_the_browser_check_catches_a_broken_image_and_console_errors(report_dir, tmp_path):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    broken = re.sub(r'src="data:image/png;base64,[^"]{0,40}', 'src="data:image/png;base64,AAAA', html, count=1)
    broken = broken.replace("</body>", '<script>console.warn("something is off")</script></body>')
    seen = _open_in_chromium(broken, tmp_path)
    assert seen["displayed"] == seen["images"] - 1
    assert seen["errors"]
    assert any("something is off" in line for line in seen["console"])


# --- command line --------------------------------------------------------------------------


def test_report_command_prints_where_the_files_are(bulletin_report):
    report_dir, printed = bulletin_report
    assert f"{report_dir / 'report.html'}" in printed and f"{report_dir / 'tables.xlsx'}" in printed
    assert "read 10 documents: 10 analysed, 0 skipped; 9 units" in printed


def test_report_options_reach_the_settings(tmp_path, monkeypatch):
    """--english and --size slide become the settings the figures are drawn with (and the
    manifest records); the drawing itself is checked in test_house_style."""
    import analysis.outputs.report

    seen = {}

    def fake_report(result, out, validation=None):
        seen["settings"] = result.settings
        return []

    monkeypatch.setattr(analysis.outputs.report, "write_report", fake_report)
    assert main(["report", "--out", str(tmp_path / "r"), "--english", "--size", "slide"]) == 0
    assert seen["settings"].measure_labels == "en" and seen["settings"].figure_size == "slide"


def test_report_command_with_a_missing_corpus_is_one_clear_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--corpus", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "r")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "missing.txt" in lines[0]


@pytest.mark.slow
def test_report_on_the_gov_work_reports(gov_report):
    """Corpus-agnostic: the 72 government work reports give a full report too (no units needed)."""
    folder = gov_report  # written once for the session (conftest)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["documents_read"] == 72
    assert manifest["counts"]["documents_read"] == manifest["counts"]["documents_analysed"] + manifest["counts"]["documents_skipped"]
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert (folder / "explore.html").stat().st_size <= 5_000_000  # small enough to e-mail
    figures = sorted(p.stem for p in (folder / "figures").glob("*.png") if p.stem in REPORT_FIGURES)
    assert figures and html.count('<img src="data:image/png;base64,') == len(figures)
    top_term = pd.read_csv(folder / "terms.csv")["term"].iloc[0]
    assert f"<td>{top_term}</td>" in html  # Chinese intact in the report's tables
    book = openpyxl.load_workbook(folder / "tables.xlsx", read_only=True)
    assert {"findings", "measures", "terms", "documents"} <= set(book.sheetnames)
    documents = pd.read_excel(folder / "tables.xlsx", sheet_name="documents")
    assert len(documents) == manifest["counts"]["documents_analysed"]
    if "cut_cells" in book.sheetnames:  # long reports exceed Excel's cell limit: each cut is listed
        cut = pd.read_excel(folder / "tables.xlsx", sheet_name="cut_cells")
        assert (cut["characters"] > 32_767).all()


def test_report_into_a_file_instead_of_a_folder_is_one_clear_line(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("not a folder", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--out", str(taken)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "taken: cannot write there" in lines[0] and "Traceback" not in result.stderr
