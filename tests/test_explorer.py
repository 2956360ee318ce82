"""The explorer (explore.html, analysis.explore) and the highlighted KWIC table: the numbers it
shows are the analysis's, hostile text stays text, and in headless Chromium a click on a cell or
a search lists the passages, offline, in the embedded font."""

from __future__ import annotations

import base64
import gzip
import html as html_module
import json
import re
import subprocess
import time

import pytest

import analysis
from analysis.config import Settings
from analysis.outputs.cli import main
from analysis.outputs.explorer import explorer_data, render_explorer
from chromium import CHROMIUM_FLAGS, chromium
from conftest import ROOT

HOSTILE = "</script><script>alert(1)</script>"


def _mentions_by_row(data: dict) -> dict[tuple[int, int], int]:
    """What the page computes when the timeline is brushed over everything: mentions per cell."""
    counts: dict[tuple[int, int], int] = {}
    for doc, measure in zip(data["mentions"]["doc"], data["mentions"]["measure"]):
        row = data["docs"]["row"][doc]
        if row >= 0:
            counts[row, measure] = counts.get((row, measure), 0) + 1
    return counts


def test_the_heatmap_shows_the_measures_table(bulletin_analysis):
    data = explorer_data(bulletin_analysis)
    assert data["rowsAre"] == "unit"
    assert sorted(data["rows"]) == sorted(bulletin_analysis.measures.index)
    assert data["measures"] == list(bulletin_analysis.measures.columns)
    for i, j, n in data["cells"]:
        assert n == bulletin_analysis.measures.loc[data["rows"][i], data["measures"][j]]
    assert {k: v for k, v in _mentions_by_row(data).items()} == {(i, j): n for i, j, n in data["cells"] if n}
    assert data["rows"] == list(bulletin_analysis.clustering.order)  # rows in cluster order, as the figure
    assert sum(t["mentions"] for t in data["timeline"]) == bulletin_analysis.by_period.to_numpy().sum()
    assert len(data["texts"]) == len(bulletin_analysis.documents)


def test_without_units_the_heatmap_is_period_by_measure(tmp_path):
    corpus = tmp_path / "reports.jsonl"
    records = [
        {"year": "2010", "content": "坚持外防输入，做好个人防护。"},
        {"year": "2015", "content": "外防输入、内防反弹，外防输入不放松。"},
        {"year": "2020", "content": "减少人员聚集。"},
    ]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    result = analysis.analyse(Settings(corpus=corpus, text_column="content", date_column="year"))
    data = explorer_data(result)
    assert data["rowsAre"] == "year" and data["rows"] == [str(y) for y in range(2010, 2021)]
    for i, j, n in data["cells"]:
        assert n == result.by_period.iloc[i, j]
    assert _mentions_by_row(data) == {(i, j): n for i, j, n in data["cells"] if n}
    assert data["terms"]["labels"] == data["periods"]


_STUB_VEGA = "window.vegaEmbed = null; /* the fast tests' stand-in for Vega's 0.9 MB bundle (3 s to build) */"


def test_without_units_or_dates_one_row_per_document(tmp_path):
    page = tmp_path / "notice.txt"
    page.write_text("关于做好疫情防控工作的通知\n\n各地要坚持外防输入、内防反弹，减少人员聚集。\n\n加强宣传引导，做好物资保障。\n", encoding="utf-8")
    result = analysis.analyse(Settings(corpus=page))
    data = explorer_data(result)
    assert data["rowsAre"] == "document" and data["timeline"] == []
    assert data["rows"] == list(result.measures.index)
    assert _mentions_by_row(data) == {(i, j): n for i, j, n in data["cells"] if n}


@pytest.fixture(scope="module")
def hostile_analysis(tmp_path_factory):
    """Web text that tries to close the script tag, in the text, a unit's name and a title."""
    corpus = tmp_path_factory.mktemp("hostile") / "hostile.jsonl"
    records = [
        {"unit": "鹤北" + HOSTILE, "title": "通报" + HOSTILE, "date": "2020-04-20",
         "content": f"鹤北分局做好外防输入工作。{HOSTILE}<img src=x onerror=alert(2)>"},
        {"unit": "绥阳", "title": "通报", "date": "2020-04-21", "content": "绥阳分局做好三防工作。"},
    ]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    result = analysis.analyse(Settings(corpus=corpus, unit_column="unit", title_column="title", date_column="date"))
    assert HOSTILE in result.text(0, original=True) and HOSTILE in result.units[0] + result.units[1]
    return result


@pytest.fixture(scope="module")
def hostile_page(hostile_analysis):
    """The page, with a stand-in for Vega's bundle (the browser tests use the real one)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("analysis.outputs.explorer._vega_bundle", lambda: _STUB_VEGA)
        return hostile_analysis, render_explorer(hostile_analysis, embed_font=False)


def test_corpus_text_cannot_close_the_script_tag(hostile_page):
    result, page = hostile_page
    assert page.lower().count("<script") == 5  # data, specs, texts, Vega, the page's script: nothing else
    assert "<script>alert" not in page and "<img" not in page
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in page  # the unit's name, in the data, escaped
    data = json.loads(re.search(r'<script id="explorer-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert data["corpus"] == analysis.corpus_name(result)
    packed = re.search(r'<script id="explorer-texts" type="text/plain">(.*?)</script>', page, re.S).group(1)
    texts = json.loads(gzip.decompress(base64.b64decode(packed)))
    assert any(HOSTILE in t for t in texts)  # kept intact, shown by the page as text only


def test_the_page_names_no_address_to_fetch(hostile_page):
    _, page = hostile_page
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", page) + re.findall(r"url\(\s*[\"']?([^\"')]*)", page)
    assert not [r for r in references if re.match(r"(?i)(https?:)?//", r)]
    assert "$schema" not in page.split('<script id="explorer-specs"', 1)[1].split("</script>", 1)[0]


def test_kwic_is_a_dataframe_shown_with_the_match_highlighted(bulletin_analysis, hostile_page):
    import pandas as pd

    table = analysis.kwic(bulletin_analysis, "外防输入")
    assert isinstance(table, pd.DataFrame) and len(table) == (bulletin_analysis.mentions["measure"] == "外防输入").sum()
    shown = table._repr_html_()
    assert shown.count("<mark") == len(table) and f"<mark style=\"background:#ffd54f;font-weight:600\">{table['match'].iloc[0]}</mark>" in shown
    assert type(table.head()) is pd.DataFrame  # operations give plain frames
    assert "【" in analysis.format_kwic(table)
    hostile = analysis.kwic(hostile_page[0], "script")._repr_html_()
    assert "<script" not in hostile and "&lt;/script&gt;" in hostile


def test_explore_shows_the_page_inline(hostile_page, tmp_path, monkeypatch):
    result, page = hostile_page
    monkeypatch.setattr("analysis.outputs.explorer._vega_bundle", lambda: _STUB_VEGA)
    view = analysis.explore(result, embed_font=False)
    inline = view._repr_html_()
    assert inline.startswith("<iframe srcdoc=\"") and "<script" not in inline  # the page, escaped into the attribute
    assert html_module.unescape(inline.split('srcdoc="', 1)[1].split('" style=', 1)[0]) == page
    assert view.save(tmp_path).read_text(encoding="utf-8") == page


# --- in a real browser ---------------------------------------------------------------------

# Installed first in <head>: collects errors; once the explorer is drawn, clicks the cell 鹤北 ×
# 三防 where a reader would (the element under the mouse at the cell's centre), then types
# 不聚集 into the search box and submits; writes what a reader sees into the DOM as JSON.
_PROBE = """<script>
window.__brushFrom = "2020-04-20"; window.__brushTo = "2020-04-21";
window.__errors = [];
window.addEventListener("error", function (e) { var t = e.target || {}; window.__errors.push(String(e.message || t.src || t.href || "error").slice(0, 200)); }, true);
window.addEventListener("unhandledrejection", function (e) { window.__errors.push("rejection: " + String(e.reason && e.reason.stack || e.reason)); });
var __consoleError = console.error;
console.error = function () { window.__errors.push("console: " + Array.from(arguments).join(" ")); __consoleError.apply(console, arguments); };
function __mouse(type, x, y) {
  var target = document.elementFromPoint(x, y);
  target.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true, clientX: x, clientY: y, view: window, buttons: type === "mouseup" ? 0 : 1}));
}
function __drag(x1, x2, y) {  // press, move in steps, release: a reader brushing the timeline
  __mouse("pointerdown", x1, y); __mouse("mousedown", x1, y);
  for (var i = 1; i <= 5; i++) { var x = x1 + (x2 - x1) * i / 5; __mouse("pointermove", x, y); __mouse("mousemove", x, y); }
  __mouse("pointerup", x2, y); __mouse("mouseup", x2, y);
}
function __heatmapTotal() {
  return Array.from(document.querySelectorAll("#heatmap-chart path[aria-label]")).reduce(function (sum, c) {
    return sum + Number(/mentions: (\\d+)/.exec(c.getAttribute("aria-label"))[1]); }, 0);
}
function __click(node) {
  node.scrollIntoView({block: "center"});
  var box = node.getBoundingClientRect(), x = box.left + box.width / 2, y = box.top + box.height / 2;
  var target = document.elementFromPoint(x, y);
  ["pointerdown", "mousedown", "pointerup", "mouseup", "click"].forEach(function (type) {
    target.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true, clientX: x, clientY: y, view: window}));
  });
}
function __passages() {
  return Array.from(document.querySelectorAll("#passages li")).map(function (li) {
    return {line: li.querySelector(".kwic").textContent, mark: li.querySelector("mark").textContent, meta: li.querySelector(".meta").textContent};
  });
}
window.addEventListener("load", async function () {
  var out = {};
  try {
    await window.explorer.ready;
    await document.fonts.ready;
    var cells = Array.from(document.querySelectorAll("#heatmap-chart path[aria-label]"));
    out.cells = cells.length;
    var cell = cells.find(function (c) { var l = c.getAttribute("aria-label"); return l.indexOf("unit: 鹤北;") >= 0 && l.indexOf("measure: 三防;") >= 0; });
    __click(cell);
    out.cellStatus = document.getElementById("status").textContent;
    out.cellPassages = __passages();
    out.termsOf = document.getElementById("terms-of").selectedOptions[0].textContent;
    var term = document.querySelector("#terms-list button");
    out.term = term.firstChild.textContent;
    __click(term);
    out.termStatus = document.getElementById("status").textContent;
    out.termPassages = __passages();
    document.getElementById("search").value = "不聚集";
    document.getElementById("search-form").requestSubmit();
    out.searchStatus = document.getElementById("status").textContent;
    out.searchUnits = Array.from(document.querySelectorAll("#counts-unit tr")).map(function (tr) { return tr.cells[0].textContent; });
    out.searchPassages = __passages();
    out.heatmapTotal = __heatmapTotal();
    var bars = Array.from(document.querySelectorAll("#timeline-chart path[aria-label]"));
    bars[0].scrollIntoView({block: "center"});
    var first = bars.find(function (b) { return b.getAttribute("aria-label").indexOf("period: " + window.__brushFrom) >= 0; }).getBoundingClientRect();
    var last = bars.find(function (b) { return b.getAttribute("aria-label").indexOf("period: " + window.__brushTo) >= 0; }).getBoundingClientRect();
    __drag(first.left + 3, last.right - 3, first.bottom - 3);
    await new Promise(function (resolve) { setTimeout(resolve, 300); });
    out.brushedTotal = __heatmapTotal();
    out.brushedStatus = document.getElementById("status").textContent;
    out.brushedDays = Array.from(document.querySelectorAll("#counts-period tr")).map(function (tr) { return tr.cells[0].textContent; });
    out.brushedPassages = __passages().length;
    out.fonts = Array.from(document.fonts).filter(function (f) { return f.status === "loaded"; }).map(function (f) { return f.family; });
    out.chartFont = getComputedStyle(document.querySelector("#heatmap-chart svg text")).fontFamily;
    out.passageFont = getComputedStyle(document.querySelector("#passages .kwic") || document.getElementById("passages")).fontFamily;
  } catch (error) { out.exception = String(error && error.stack || error); }
  out.errors = window.__errors;
  out.requests = performance.getEntriesByType("resource").map(function (r) { return r.name.slice(0, 80); });
  var pre = document.createElement("pre"); pre.id = "__probe"; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>"""


def _chromium_run(page, tmp_path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1000",
         # Any host name resolves to nothing: a request that tried to leave the page would fail and show.
         "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=15000", *extra, page.as_uri()],
        capture_output=True, text=True, timeout=180,
    )


@pytest.fixture(scope="module")
def bulletin_explorer(bulletin_explorer_page):
    """``python -m analysis explore`` on the shipped bulletin (written once for the session, in conftest)."""
    return bulletin_explorer_page


@pytest.mark.slow
def test_in_headless_chromium_a_click_and_a_search_list_the_passages(bulletin_explorer, bulletin_analysis, tmp_path):
    started = time.perf_counter()
    page = tmp_path / "probe.html"
    page.write_text(bulletin_explorer.read_text(encoding="utf-8").replace("<head>", "<head>" + _PROBE, 1), encoding="utf-8")
    result = _chromium_run(page, tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom")
    match = re.search(r'<pre id="__probe">(.*?)</pre>', result.stdout, re.S)
    assert match, f"chromium gave no result (exit {result.returncode}): {result.stderr[-800:]}"
    seen = json.loads(html_module.unescape(match.group(1)))
    assert "exception" not in seen, seen.get("exception")
    assert seen["errors"] == []
    assert [line for line in result.stderr.splitlines() if ":CONSOLE" in line] == []
    assert seen["requests"] == []

    measures = bulletin_analysis.measures
    assert seen["cells"] == measures.size
    # 鹤北 × 三防: the passage of 鹤北's report that says 三防, with its date, unit and source
    assert measures.loc["鹤北", "三防"] == len(seen["cellPassages"]) == 1
    passage = seen["cellPassages"][0]
    assert passage["mark"] == "三防" and "做好“三防”工作" in passage["line"]
    assert "鹤北" in passage["meta"] and "2020-04-18" in passage["meta"] and "000_2d3668a156c8860b.txt:" in passage["meta"]
    assert seen["cellStatus"].startswith("鹤北 × 三防: 1 passage")
    # the term view follows the clicked unit; a click on its top term lists that term's passages
    assert seen["termsOf"] == "鹤北"
    top = bulletin_analysis.terms_by_unit.query("unit == '鹤北'").sort_values(["count", "term"], ascending=[False, True])
    assert seen["term"] == top["term"].iloc[0]
    assert seen["termPassages"] and {p["mark"] for p in seen["termPassages"]} == {seen["term"]}
    assert seen["termStatus"].startswith(f"“{seen['term']}”: {len(seen['termPassages'])} passage")
    # the search box: the measure 不聚集, every variant, in the 5 units that mention it
    mentioning = set(measures.index[measures["不聚集"] > 0])
    assert len(mentioning) == 5 and set(seen["searchUnits"]) == mentioning
    assert len(seen["searchPassages"]) == measures["不聚集"].sum() + (bulletin_analysis.mentions.merge(
        bulletin_analysis.documents[bulletin_analysis.documents["unit"] == ""], on="doc_id")["measure"] == "不聚集").sum()
    assert "in 5 units" in seen["searchStatus"]
    # brushing 20–21 April on the timeline: the heatmap and the passages keep those days only
    documents = bulletin_analysis.documents
    kept = documents[(documents["unit"] != "") & documents["date_start"].astype(str).isin(["2020-04-20", "2020-04-21"])]
    assert seen["heatmapTotal"] == measures.to_numpy().sum()
    assert seen["brushedTotal"] == bulletin_analysis.mentions["doc_id"].isin(kept["doc_id"]).sum() < seen["heatmapTotal"]
    assert seen["brushedDays"] == ["2020-04-20", "2020-04-21"]
    mentions = bulletin_analysis.mentions
    assert seen["brushedPassages"] == ((mentions["measure"] == "不聚集") & mentions["doc_id"].isin(kept["doc_id"])).sum() > 0
    assert "between 2020-04-20 and 2020-04-21" in seen["brushedStatus"]
    # the Chinese text is drawn in the embedded font, in the charts and in the passages
    assert "Explore CJK" in seen["fonts"]
    assert seen["chartFont"].strip('"') == "Explore CJK" and seen["passageFont"].startswith('"Explore CJK"')

    shot = tmp_path / "explore.png"
    _chromium_run(page, tmp_path, f"--screenshot={shot}")
    assert shot.stat().st_size > 20_000
    print(f"browser checks took {time.perf_counter() - started:.1f} s; screenshot {shot}")


def test_the_notebook_and_guide_show_the_explorer():
    guide = (ROOT / "docs" / "report-and-explorer.md").read_text(encoding="utf-8")
    assert "## Explore: from a pattern to the passages" in guide and "](explore-screenshot.png)" in guide
    assert "docs/report-and-explorer.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert (ROOT / "docs" / "explore-screenshot.png").is_file()


_HOSTILE_PROBE = """<script>
window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push(String(e.message || "error")); }, true);
window.addEventListener("load", async function () {
  var out = {};
  try {
    await window.explorer.ready;
    var unit = JSON.parse(document.getElementById("explorer-data").textContent).rows.find(function (r) { return r.indexOf("alert") >= 0; });
    window.explorer.showCell(unit, "外防输入");
    out.passages = Array.from(document.querySelectorAll("#passages li")).map(function (li) { return li.textContent; });
    out.labels = Array.from(document.querySelectorAll("#heatmap-chart text")).map(function (t) { return t.textContent; });
    out.images = document.images.length;
    out.title = document.querySelector("h1").textContent;
  } catch (error) { out.exception = String(error && error.stack || error); }
  out.alerts = window.__alerts; out.errors = window.__errors;
  var pre = document.createElement("pre"); pre.id = "__probe"; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>"""


@pytest.mark.slow
def test_the_government_work_reports_explorer_opens_offline_under_5_mb(gov_explorer_page, tmp_path):
    path = gov_explorer_page  # python -m analysis explore --config examples/gov-work-reports.toml (conftest)
    assert path.stat().st_size <= 5_000_000
    page = tmp_path / "probe.html"
    page.write_text(path.read_text(encoding="utf-8").replace("<head>", "<head>" + _PROBE.replace("unit: 鹤北;", "year: 2020;").replace("measure: 三防;", "measure: 公共卫生;")
                     .replace('"2020-04-20"', '"2013"').replace('"2020-04-21"', '"2025"'), 1), encoding="utf-8")
    done = _chromium_run(page, tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom")
    seen = json.loads(html_module.unescape(re.search(r'<pre id="__probe">(.*?)</pre>', done.stdout, re.S).group(1)))
    assert "exception" not in seen, seen.get("exception")
    assert seen["errors"] == [] and seen["requests"] == []
    assert [line for line in done.stderr.splitlines() if ":CONSOLE" in line] == []
    assert re.search(r"between 2013-\d\d-\d\d and 2025-", seen["brushedStatus"])  # brushing 2013–2025
    assert seen["cells"] >= 72 * 19 - 19 * 5  # year × theme: every year of 1954–2025 a row
    assert seen["cellStatus"].startswith("2020 × 公共卫生:") and seen["cellPassages"]
    assert all("2020" in p["meta"] for p in seen["cellPassages"])


@pytest.mark.slow
def test_in_headless_chromium_hostile_text_is_shown_as_text(hostile_analysis, tmp_path):
    result, html = hostile_analysis, render_explorer(hostile_analysis)
    page = tmp_path / "hostile.html"
    page.write_text(html.replace("<head>", "<head>" + _HOSTILE_PROBE, 1), encoding="utf-8")
    done = _chromium_run(page, tmp_path, "--dump-dom")
    seen = json.loads(html_module.unescape(re.search(r'<pre id="__probe">(.*?)</pre>', done.stdout, re.S).group(1)))
    assert "exception" not in seen, seen.get("exception")
    assert seen["alerts"] == [] and seen["errors"] == [] and seen["images"] == 0
    assert len(seen["passages"]) == 1 and HOSTILE in seen["passages"][0]
    assert any(label.startswith("鹤北</script><script>") for label in seen["labels"])  # the unit's name on the axis, as written (cut to fit)
    assert seen["title"] == analysis.corpus_name(result)


def test_explore_command_with_a_missing_corpus_is_one_clear_line(tmp_path, capsys):
    assert main(["explore", "--corpus", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    assert str(tmp_path / "missing") in capsys.readouterr().err
    assert not (tmp_path / "out" / "explore.html").exists()
