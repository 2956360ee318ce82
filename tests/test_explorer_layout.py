"""The explorer fits the window: at 900 px (a laptop with a side panel, or inline in JupyterLab
beside the file browser) every measure column and the last period are in view without scrolling."""

from __future__ import annotations

import html as html_module
import json
import re
import subprocess

import pytest

from chromium import CHROMIUM_FLAGS, chromium


_LAYOUT_PROBE = """<script>
window.addEventListener("load", async function () {
  var out = {};
  try {
    await window.explorer.ready;
    await document.fonts.ready;
    await new Promise(function (resolve) { setTimeout(resolve, 200); });
    out.width = window.innerWidth;
    out.pageWidth = document.documentElement.scrollWidth;
    function seen(node) {  // the part of a node's box inside the window and inside its chart's visible box
      var box = node.getBoundingClientRect(), chart = node.closest(".chart").getBoundingClientRect();
      return {left: box.left, right: box.right, inside: box.left >= Math.max(0, chart.left) - 1 && box.right <= Math.min(window.innerWidth, chart.right) + 1};
    }
    out.measures = {};
    Array.from(document.querySelectorAll("#heatmap-chart path[aria-label]")).forEach(function (cell) {
      var found = /measure: ([^;]*)/.exec(cell.getAttribute("aria-label"));
      if (found) out.measures[found[1]] = (out.measures[found[1]] === undefined ? true : out.measures[found[1]]) && seen(cell).inside;
    });
    out.periods = {};
    Array.from(document.querySelectorAll("#timeline-chart path[aria-label]")).forEach(function (bar) {
      var found = /period: ([^;]*)/.exec(bar.getAttribute("aria-label"));
      if (found) out.periods[found[1]] = seen(bar).inside;
    });
    out.labels = Array.from(document.querySelectorAll("#heatmap-chart .role-axis-label text")).filter(function (t) { return !seen(t).inside; })
      .map(function (t) { return t.textContent; });
    out.scrolling = Array.from(document.querySelectorAll(".chart")).filter(function (c) { return c.scrollWidth > c.clientWidth + 1; }).length;
    out.cues = Array.from(document.querySelectorAll(".scroll-cue")).filter(function (c) { return c.offsetParent !== null; }).length;
  } catch (error) { out.exception = String(error && error.stack || error); }
  var pre = document.createElement("pre"); pre.id = "__layout"; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>"""


def _layout_at(page, tmp_path, width: int, style: str = "") -> dict:
    probe = tmp_path / f"layout-{width}.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("<head>", "<head>" + _LAYOUT_PROBE + style, 1), encoding="utf-8")
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},1000",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=15000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=180,
    )
    match = re.search(r'<pre id="__layout">(.*?)</pre>', done.stdout, re.S)
    assert match, f"chromium gave no result (exit {done.returncode}): {done.stderr[-800:]}"
    seen = json.loads(html_module.unescape(match.group(1)))
    assert "exception" not in seen, seen["exception"]
    return seen


def _assert_all_in_view(seen: dict, measures: list[str], last_period: str) -> None:
    assert seen["pageWidth"] <= seen["width"], "the page scrolls sideways"
    assert set(seen["measures"]) == set(measures)
    assert [m for m, inside in seen["measures"].items() if not inside] == []
    assert seen["labels"] == []  # every column's name in view too
    assert seen["periods"].get(last_period) is True, (last_period, sorted(seen["periods"])[-3:])
    assert seen["scrolling"] == 0 and seen["cues"] == 0


@pytest.mark.slow
def test_at_900_px_every_measure_and_the_last_period_are_in_view(bulletin_analysis, bulletin_explorer_page, tmp_path):
    days = sorted(str(d) for d in bulletin_analysis.documents["date_start"].dropna())
    for width in (900, 1280):
        seen = _layout_at(bulletin_explorer_page, tmp_path, width)
        _assert_all_in_view(seen, list(bulletin_analysis.measures.columns), days[-1])


@pytest.mark.slow
def test_at_900_px_the_work_reports_timeline_reaches_2025(gov_explorer_page, tmp_path):
    seen = _layout_at(gov_explorer_page, tmp_path, 900)
    assert max(seen["periods"]) == "2025"
    _assert_all_in_view(seen, list(seen["measures"]), "2025")


@pytest.mark.slow
def test_a_chart_too_wide_for_its_column_says_so(bulletin_explorer_page, tmp_path):
    """Narrower than the cells can shrink (a 360 px column; Chromium's window is 500 px at least):
    the heatmap scrolls, and the cue under it shows."""
    seen = _layout_at(bulletin_explorer_page, tmp_path, 500, style="<style>main { width: 360px; }</style>")
    assert seen["scrolling"] >= 1 and seen["cues"] == seen["scrolling"], seen
