"""Command benchmark (not a test): what a user waits for, from process start to exit.

Times, side by side in one run and interleaved round by round (so the machine's slow spells
weigh on both sides):

1. ``python -m analysis run --corpus CORPUS --no-figures --no-cache --out TMP`` on a JSON Lines
   corpus built from the government work reports (``--mb`` of text, default 20);
2. the plain alternative: a script that reads the same JSON Lines, ``jieba.lcut``s each text
   and ``Counter.update``s, also timed as a whole process;
3. ``python -c "import analysis"``.

Prints each run's seconds, the medians and the ratio plain / analysis (above 1: the command is
faster than the plain script).

    .venv/bin/python benchmarks/command.py [--mb 20] [--repeat 3] [--project DIR]

``--project DIR`` times another checkout of the package instead of this one; ``--compare DIR``
times another checkout's ``run`` as well, interleaved with this one's (before and after in one
run: e.g. ``git worktree add /tmp/before HEAD~5``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOV_REPORTS = ROOT.parent / "shared" / "corpora" / "gov-work-reports" / "government_work_reports.jsonl"
UNITS = ["东城", "西城", "南岗", "道里", "香坊", "江北", "河东", "山南", "湖西", "林口", "海林", "松岭"]

PLAIN = """
import collections, json, sys
import jieba
counts = collections.Counter()
with open(sys.argv[1], encoding="utf-8") as lines:
    for line in lines:
        counts.update(jieba.lcut(json.loads(line)["text"]))
print(len(counts))
"""


def build_jsonl(path: Path, *, megabytes: float, seed: int = 4) -> dict:
    """Write a JSON Lines corpus of unique dated unit reports (2–4 shuffled paragraphs of the
    government work reports each) until its text reaches ``megabytes``."""
    if not GOV_REPORTS.is_file():
        sys.exit(f"{GOV_REPORTS}: not found (the benchmark builds its corpus from ../shared/corpora/gov-work-reports)")
    rng = random.Random(seed)
    pool: list[str] = []
    with GOV_REPORTS.open(encoding="utf-8") as lines:
        for line in lines:
            content = json.loads(line)["content"] or ""
            pool.extend(p.strip() for p in content.splitlines() if len(p.strip()) >= 20)
    target, size, n, seen = int(megabytes * 1_000_000), 0, 0, set()
    with path.open("w", encoding="utf-8") as out:
        while size < target:
            text = "".join(rng.sample(pool, rng.randint(2, 4)))
            if text in seen:
                continue
            seen.add(text)
            day = date(2020, 1, 1) + timedelta(days=n % 1400)
            record = {"id": f"d{n:06d}", "date": day.isoformat(), "unit": rng.choice(UNITS), "text": text}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            size += len(text.encode("utf-8"))
            n += 1
    return {"documents": n, "text_mb": size / 1e6}


def timed(command: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--project", type=Path, help="time the package in this checkout instead of this one")
    parser.add_argument("--compare", type=Path, help="also time `run` from this other checkout, interleaved")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.project:
        env["PYTHONPATH"] = str(args.project.resolve())
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        built = build_jsonl(corpus, megabytes=args.mb)
        print(f"corpus: {built['documents']} documents, {built['text_mb']:.1f} MB of text ({corpus.stat().st_size / 1e6:.1f} MB file)")
        plain = Path(tmp) / "plain.py"
        plain.write_text(PLAIN, encoding="utf-8")
        run = [sys.executable, "-m", "analysis", "run", "--corpus", str(corpus), "--no-figures", "--no-cache", "--out", str(Path(tmp) / "out")]
        times: dict[str, list[float]] = {"analysis run": [], "plain jieba script": [], "import analysis": []}
        if args.compare:
            times["run (compared)"] = []
            other = {**env, "PYTHONPATH": str(args.compare.resolve())}
        for round_ in range(args.repeat):
            times["analysis run"].append(timed(run, env))
            if args.compare:
                times["run (compared)"].append(timed(run, other))
            times["plain jieba script"].append(timed([sys.executable, str(plain), str(corpus)], env))
            times["import analysis"].append(timed([sys.executable, "-c", "import analysis"], env))
            ratio = times["plain jieba script"][-1] / times["analysis run"][-1]
            print(f"round {round_ + 1}: run {times['analysis run'][-1]:.2f} s, plain {times['plain jieba script'][-1]:.2f} s, ratio {ratio:.2f}")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"{name:20s} median {medians[name]:6.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")
    print(f"plain / run at the medians: {medians['plain jieba script'] / medians['analysis run']:.2f}x")
    if args.compare:
        print(f"plain / compared run at the medians: {medians['plain jieba script'] / medians['run (compared)']:.2f}x")


if __name__ == "__main__":
    main()
