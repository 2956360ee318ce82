"""Themes benchmark (not a test): what a user waits for, from process start to exit.

Times ``python -m analysis themes --config examples/gov-work-reports.toml`` (with ``--k 10``,
with k chosen, and ``--guided``) beside ``python -m analysis run`` on the same config, each a
whole process, interleaved round by round so the machine's slow spells weigh on all alike.
Also prints the fitting alone (``analysis.themes`` on an analysis already made) and the process's
CPU time, which a loaded machine does not inflate as it does the wall clock.

    .venv/bin/python benchmarks/themes.py [--repeat 3] [--only NAME,…]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "examples" / "gov-work-reports.toml"


def _timed(command: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, children) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="comma-separated names of the commands to time")
    args = parser.parse_args()
    gov = ROOT.parent / "shared" / "corpora" / "gov-work-reports" / "government_work_reports.jsonl"
    if not gov.is_file():
        sys.exit(f"{gov}: not found (the benchmark needs ../shared/corpora/gov-work-reports beside the repository)")
    python = sys.executable
    out = Path(tempfile.mkdtemp(prefix="themes-bench-"))
    commands = {
        "run (tables and figures)": [python, "-m", "analysis", "run", "--config", str(CONFIG), "--out", str(out / "run"), "--no-progress"],
        "themes --k 10": [python, "-m", "analysis", "themes", "--config", str(CONFIG), "--k", "10", "--out", str(out / "k10"), "--no-progress"],
        "themes (k chosen)": [python, "-m", "analysis", "themes", "--config", str(CONFIG), "--out", str(out / "auto"), "--no-progress"],
        "themes --guided": [python, "-m", "analysis", "themes", "--config", str(CONFIG), "--guided", "--out", str(out / "guided"), "--no-progress"],
    }
    if args.only:
        wanted = [name.strip() for name in args.only.split(",")]
        commands = {name: command for name, command in commands.items() if any(w in name for w in wanted)}
    print(f"government work reports ({CONFIG.name}), {os.cpu_count()} cores, {args.repeat} rounds, load average {os.getloadavg()[0]:.1f}")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            times[name].append(_timed(command))
    for name, values in times.items():
        walls = [w for w, _ in values]
        cpus = [c for _, c in values]
        print(f"{name:28s} median {statistics.median(walls):5.1f} s from process start (min {min(walls):.1f}), CPU {statistics.median(cpus):.1f} s")

    import analysis

    result = analysis.analyse(CONFIG, progress=False)  # the methods are computed only when asked
    for label, options in (("fit + verdict, k=10", {"k": 10}), ("fit + verdict, k chosen", {}), ("guided fit + verdict", {"guided": True})):
        laps = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            found = analysis.themes(result, **options)
            laps.append(time.perf_counter() - start)
        print(f"{label:28s} median {statistics.median(laps):5.2f} s in process (k={found.k}, verdict {found.verdict})")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
