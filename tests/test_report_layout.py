"""The report fits the window: at 900 px no table runs past the page (the wide period × measure
tables set their headings upright instead), on the shipped bulletin and the work reports."""

from __future__ import annotations

import html as html_module
import json
import re
import subprocess

import pytest

from chromium import CHROMIUM_FLAGS, chromium

_PROBE = """<script>
window.addEventListener("load", async function () {
  await document.fonts.ready;
  var out = {width: window.innerWidth, pageWidth: document.documentElement.scrollWidth, tables: {}};
  document.querySelectorAll(".scroll").forEach(function (box) {
    var heading = box.previousElementSibling;
    out.tables[heading ? heading.id : "?"] = {overflow: box.scrollWidth - box.clientWidth, wide: !!box.querySelector("table.wide")};
  });
  var pre = document.createElement("pre"); pre.id = "__layout"; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>"""


def _tables_at_900(report, tmp_path) -> dict:
    page = tmp_path / "probe.html"
    page.write_text(report.read_text(encoding="utf-8").replace("<head>", "<head>" + _PROBE, 1), encoding="utf-8")
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=900,1000",
         "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=180,
    )
    match = re.search(r'<pre id="__layout">(.*?)</pre>', done.stdout, re.S)
    assert match, f"chromium gave no result (exit {done.returncode}): {done.stderr[-800:]}"
    return json.loads(html_module.unescape(match.group(1)))


def _every_table_fits(report, tmp_path, *, by_period_table: bool) -> None:
    seen = _tables_at_900(report / "report.html", tmp_path)
    assert seen["pageWidth"] <= seen["width"]
    assert "table-measures_by_period_rates" in seen["tables"] or not by_period_table
    assert any(t["wide"] for t in seen["tables"].values())  # the period × measure tables set upright headings
    assert {name: t["overflow"] for name, t in seen["tables"].items() if t["overflow"] > 0} == {}


# The reports are written once for the session (conftest's bulletin_report and gov_report).
@pytest.mark.slow
def test_at_900_px_every_table_of_the_bulletins_report_fits(bulletin_report, tmp_path):
    _every_table_fits(bulletin_report[0], tmp_path, by_period_table=False)


@pytest.mark.slow
def test_at_900_px_every_table_of_the_work_reports_report_fits(gov_report, tmp_path):
    _every_table_fits(gov_report, tmp_path, by_period_table=True)
