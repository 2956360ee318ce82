"""Benchmark: how long one briefing report takes and how big its files are.

    .venv/bin/python benchmarks/report.py [--corpus PATH] [--size print|slide]

Prints wall-clock seconds per step (analyse, tables + figures, report.html, tables.xlsx), the
peak memory of the process, and the size of report.html, tables.xlsx and the figures folder.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import analysis
from analysis.outputs.report import render_report, report_tables, write_workbook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--size", choices=["print", "slide"], default="print")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        steps: dict[str, float] = {}
        start = time.perf_counter()
        result = analysis.analyse(args.corpus, figure_size=args.size)
        steps["analyse"] = time.perf_counter() - start

        start = time.perf_counter()
        written = analysis.write_outputs(result, out, figures=True)
        steps["tables + figures (PNG 300 dpi, SVG, PDF)"] = time.perf_counter() - start

        start = time.perf_counter()
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        html = render_report(result, manifest, {p.stem: p for p in written if p.suffix == ".png"})
        (out / "report.html").write_text(html, encoding="utf-8")
        steps["report.html (figures scaled, font subset)"] = time.perf_counter() - start

        start = time.perf_counter()
        write_workbook(report_tables(result), out / "tables.xlsx")
        steps["tables.xlsx"] = time.perf_counter() - start

        figures = sum(p.stat().st_size for p in (out / "figures").glob("*"))
        corpus = args.corpus or "shipped bulletin"
        print(f"corpus: {corpus}; {len(result.documents)} documents, {len(result.units)} units; figure size {args.size}")
        for step, seconds in steps.items():
            print(f"{step:45s} {seconds:7.2f} s")
        print(f"{'total':45s} {sum(steps.values()):7.2f} s")
        print(f"peak memory (max RSS)                         {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MB")
        print(f"report.html                                   {(out / 'report.html').stat().st_size / 1e6:7.2f} MB")
        print(f"tables.xlsx                                   {(out / 'tables.xlsx').stat().st_size / 1e6:7.2f} MB")
        print(f"figures/ ({len(list((out / 'figures').glob('*')))} files)                          {figures / 1e6:7.2f} MB")


if __name__ == "__main__":
    main()
