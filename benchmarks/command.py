"""Command benchmark (not a test): what a user waits for, from process start to exit.

Every timing is a whole process, measured side by side with the plain alternative in the same
run and interleaved round by round, so the machine's slow spells weigh on both sides. The plain
alternative is a script that reads the same texts, ``jieba.lcut``s each and ``Counter.update``s;
the floor script (issue 26's yardstick) reads them, ``rjieba.cut``s each, ``Counter.update``s and
imports NumPy, pandas, SciPy and scikit-learn, the least any run of ours must do.
It prints the six figures of the speed issue, and the import time:

1. ``python -m analysis run --no-figures`` on a JSON Lines corpus of ``--mb`` MB built
   from the government work reports (default 20), against the floor script and the plain script
   on the same file, wall and CPU (user + system) time;
2. ``python -m analysis run`` with figures (PNG only, its default) on the shipped bulletin, and with
   ``--config examples/gov-work-reports.toml`` on the government work reports, each against the
   plain script on the same texts;
3. ``make figures``' work (``python -m analysis notebooks``) against ``run`` with figures on the
   bulletin;
4. peak resident memory of ``run --no-figures`` on corpora of each size in ``--memory`` (MB,
   e.g. ``100,500``; none by default: they take minutes);
5. with ``--dask-mb`` (e.g. 1000): ``run --engine dask --workers 2`` on a corpus that size, with
   the peak memory of the client and of each worker (sampled with psutil, which comes with
   Dask), and whether Dask and the local engine write the same tables on the first 100 MB;
6. the progress bars ``run`` shows with ``--progress`` and when piped;
7. ``python -c "import analysis"``.

    .venv/bin/python benchmarks/command.py [--mb 20] [--repeat 3] [--memory 100,500] [--dask-mb 1000] [--only NAME,…] [--compare DIR]

``--compare DIR`` (repeatable) also times ``run`` from another checkout on the 20 MB corpus, interleaved
(before and after in one run: e.g. ``git worktree add /tmp/before HEAD~5``); it runs with DIR as
the working directory, so that ``python -m analysis`` imports DIR's package.
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
BULLETIN = ROOT / "data" / "raw" / "000_2d3668a156c8860b.txt"
UNITS = ["东城", "西城", "南岗", "道里", "香坊", "江北", "河东", "山南", "湖西", "林口", "海林", "松岭"]

PLAIN_JSONL = """
import collections, json, sys
import jieba
counts = collections.Counter()
with open(sys.argv[1], encoding="utf-8") as lines:
    for line in lines:
        record = json.loads(line)
        counts.update(jieba.lcut(record.get("text") or record.get("content") or ""))
print(len(counts))
"""
FLOOR_JSONL = """
import collections, json, sys
import numpy, pandas, scipy.sparse, sklearn.cluster
import rjieba
counts = collections.Counter()
with open(sys.argv[1], encoding="utf-8") as lines:
    for line in lines:
        record = json.loads(line)
        counts.update(rjieba.cut(record.get("text") or record.get("content") or ""))
print(len(counts))
"""
PLAIN_PAGE = """
import collections, sys
import jieba
counts = collections.Counter()
with open(sys.argv[1], encoding="utf-8") as lines:
    for line in lines:
        counts.update(jieba.lcut(line))
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


def timed(command: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, float]:
    """Seconds from process start to exit, and the peak resident memory (MB) of the process
    and its children (GNU time's maximum resident set size)."""
    seconds, peak, _ = timed_cpu(command, env, cwd)
    return seconds, peak


def timed_cpu(command: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, float, float]:
    """:func:`timed`, and the CPU seconds (user + system) of the process and its children: on a
    shared machine the CPU time says what the run costs when wall time says how busy the others were."""
    gnu_time = Path("/usr/bin/time").exists()  # Debian's package `time`; without it memory is not measured
    start = time.perf_counter()
    before = os.times()
    done = subprocess.run([*(["/usr/bin/time", "-f", "%M"] if gnu_time else []), *command], capture_output=True, text=True, env=env, cwd=cwd)
    seconds = time.perf_counter() - start
    after = os.times()
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    peak_kb = int(done.stderr.strip().splitlines()[-1]) if gnu_time else float("nan")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return seconds, peak_kb / 1024, cpu


def sampled(command: list[str], env: dict | None = None, every: float = 0.1) -> tuple[float, float, dict[str, float], float]:
    """Run ``command``, sampling the resident memory of it and of every process it starts
    (Dask's workers) every ``every`` seconds: seconds, its own peak (MB), each child's peak
    (by pid and name) and the peak of their sum."""
    import psutil

    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(process.pid)
    own, children, total = 0.0, {}, 0.0
    while process.poll() is None:
        try:
            now = watched.memory_info().rss / 2**20
            own, together = max(own, now), now
            for child in watched.children(recursive=True):
                try:
                    rss = child.memory_info().rss / 2**20
                    name = f"{child.pid} {' '.join(child.cmdline()[-2:])[:50]}"
                except psutil.Error:
                    continue
                children[name] = max(children.get(name, 0.0), rss)
                together += rss
            total = max(total, together)
        except psutil.Error:
            pass
        time.sleep(every)
    stderr = process.stderr.read()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}): {stderr.strip()[-400:]}")
    return seconds, own, children, total


def same_tables(a: Path, b: Path) -> list[str]:
    """The CSV tables that differ between two output folders (none: identical bytes)."""
    names = sorted({p.name for p in a.glob("*.csv")} | {p.name for p in b.glob("*.csv")})
    return [n for n in names if not ((a / n).is_file() and (b / n).is_file() and (a / n).read_bytes() == (b / n).read_bytes())]


def compare(name: str, ours: list[str], plain: list[str], repeat: int, env: dict, limit: str) -> None:
    """Interleave ``ours`` and ``plain``; print each round and the ratio at the medians."""
    a, b = [], []
    for _ in range(repeat):
        a.append(timed(ours, env)[0])
        b.append(timed(plain, env)[0])
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{name}: ours {ma:.2f} s ({', '.join(f'{v:.2f}' for v in a)}), plain {mb:.2f} s ({', '.join(f'{v:.2f}' for v in b)})")
    print(f"  -> ours / plain = {ma / mb:.2f}x, plain / ours = {mb / ma:.2f}x   (target: {limit})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", default="", help="corpus sizes in MB for the memory runs, e.g. 100,500")
    parser.add_argument("--dask-mb", type=float, default=0.0, help="corpus size in MB for the Dask run (e.g. 1000; none by default)")
    parser.add_argument("--only", default="", help="run only these: corpus, bulletin, gov, notebooks, memory, dask, progress, import")
    parser.add_argument("--compare", type=Path, action="append", default=[], help="also time `run` from this other checkout, interleaved (may be repeated)")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(","))) or {"corpus", "bulletin", "gov", "notebooks", "memory", "dask", "progress", "import"}
    env = dict(os.environ, MPLBACKEND="Agg")
    py = sys.executable
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        plain_jsonl, plain_page = tmp / "plain_jsonl.py", tmp / "plain_page.py"
        plain_jsonl.write_text(PLAIN_JSONL, encoding="utf-8")
        plain_page.write_text(PLAIN_PAGE, encoding="utf-8")
        if "corpus" in only:
            corpus = tmp / "corpus.jsonl"
            built = build_jsonl(corpus, megabytes=args.mb)
            print(f"\n1. {args.mb:.0f} MB corpus: {built['documents']} documents, {built['text_mb']:.1f} MB of text")
            run = [py, "-m", "analysis", "run", "--corpus", str(corpus), "--no-figures", "--out", str(tmp / "out")]
            floor_jsonl = tmp / "floor_jsonl.py"
            floor_jsonl.write_text(FLOOR_JSONL, encoding="utf-8")
            sides = {"ours": (run, None), "floor": ([py, str(floor_jsonl), str(corpus)], None), "plain": ([py, str(plain_jsonl), str(corpus)], None)}
            for other in args.compare:  # `-m` puts the working directory first on sys.path: run the other checkout from inside it
                sides[f"run from {other}"] = (run, other.resolve())
            rounds = {name: [] for name in sides}
            for _ in range(args.repeat):
                for name, (command, cwd) in sides.items():
                    rounds[name].append(timed_cpu(command, env, cwd))
            wall = {name: statistics.median(r[0] for r in got) for name, got in rounds.items()}
            cpu = {name: statistics.median(r[2] for r in got) for name, got in rounds.items()}
            for name, got in rounds.items():
                print(f"  {name}: {wall[name]:.2f} s wall ({', '.join(f'{r[0]:.2f}' for r in got)}), "
                      f"{cpu[name]:.2f} s CPU ({', '.join(f'{r[2]:.2f}' for r in got)}), peak {max(r[1] for r in got):.0f} MB")
            print(f"  -> run --no-figures: ours / floor = {wall['ours'] / wall['floor']:.2f}x wall, {cpu['ours'] / cpu['floor']:.2f}x CPU   (target: <= 2)")
            print(f"     ours / plain (jieba.lcut, no scientific imports) = {wall['ours'] / wall['plain']:.2f}x wall, {cpu['ours'] / cpu['plain']:.2f}x CPU")
            for other in args.compare:
                print(f"     ours / run from {other} = {wall['ours'] / wall[f'run from {other}']:.2f}x wall, {cpu['ours'] / cpu[f'run from {other}']:.2f}x CPU;"
                      f"  run from {other} / floor = {wall[f'run from {other}'] / wall['floor']:.2f}x wall, {cpu[f'run from {other}'] / cpu['floor']:.2f}x CPU")
        if "bulletin" in only:
            print("\n2a. the shipped bulletin, run with figures")
            run = [py, "-m", "analysis", "run", "--out", str(tmp / "b")]
            compare("run (figures)", run, [py, str(plain_page), str(BULLETIN)], args.repeat, env, "ours / plain <= 6")
        if "gov" in only:
            print("\n2b. the government work reports, run with figures")
            run = [py, "-m", "analysis", "run", "--config", str(ROOT / "examples" / "gov-work-reports.toml"), "--out", str(tmp / "g")]
            compare("run (figures)", run, [py, str(plain_jsonl), str(GOV_REPORTS)], args.repeat, env, "ours / plain <= 2")
        if "notebooks" in only:
            print("\n3. every notebook (make figures) against run with figures, on the bulletin")
            books = [py, "-m", "analysis", "notebooks", "--figures", str(tmp / "nf"), "--executed", str(tmp / "ne")]
            run = [py, "-m", "analysis", "run", "--out", str(tmp / "b")]
            compare("notebooks vs run", books, run, args.repeat, env, "notebooks / run <= 2")
        if "memory" in only and args.memory:
            print("\n4. peak memory of run --no-figures (process and children)")
            peaks = {}
            for mb in [float(v) for v in args.memory.split(",")]:
                corpus = tmp / f"m{mb:.0f}.jsonl"
                build_jsonl(corpus, megabytes=mb)
                seconds, peaks[mb] = timed([py, "-m", "analysis", "run", "--corpus", str(corpus), "--no-figures", "--out", str(tmp / "m")], env)
                corpus.unlink()
                print(f"  {mb:.0f} MB: {peaks[mb]:.0f} MB peak, {seconds:.1f} s   (target: <= 1024 MB at 100 MB; 500 MB within 1.3x of 100 MB)")
        if "dask" in only and args.dask_mb:
            print(f"\n5. --engine dask on a local cluster of 2 workers, {args.dask_mb:.0f} MB corpus")
            corpus = tmp / "dask.jsonl"
            built = build_jsonl(corpus, megabytes=args.dask_mb)
            dask_run = [py, "-m", "analysis", "run", "--corpus", str(corpus), "--no-figures", "--engine", "dask", "--workers", "2"]
            seconds, client, workers, together = sampled([*dask_run, "--out", str(tmp / "dask")], env)
            print(f"  {built['documents']} documents: {seconds:.1f} s; client peak {client:.0f} MB (target <= 1024 MB); all processes together {together:.0f} MB")
            for name, peak in sorted(workers.items()):
                print(f"    child {name}: peak {peak:.0f} MB" + ("   (target <= 1024 MB)" if "spawn" in name else ""))
            corpus.unlink()
            first = tmp / "first.jsonl"
            build_jsonl(first, megabytes=min(100.0, args.dask_mb))
            base = [py, "-m", "analysis", "run", "--corpus", str(first), "--no-figures"]
            timed([*base, "--out", str(tmp / "first-local")], env)
            timed([*base, "--engine", "dask", "--workers", "2", "--out", str(tmp / "first-dask")], env)
            differ = same_tables(tmp / "first-local", tmp / "first-dask")
            print(f"  tables on the first {min(100.0, args.dask_mb):.0f} MB, dask against local: {'identical' if not differ else 'DIFFERENT: ' + ', '.join(differ)}")
            first.unlink()
        if "progress" in only:
            print("\n6. progress bars: run --no-figures on the 20 MB corpus, as on a terminal (--progress) and piped")
            corpus = tmp / "corpus.jsonl"
            if not corpus.exists():
                build_jsonl(corpus, megabytes=args.mb)
            for flag in ("--progress", None):
                command = [py, "-m", "analysis", "run", "--corpus", str(corpus), "--no-figures", "--out", str(tmp / "p"), *([flag] if flag else [])]
                done = subprocess.run(command, capture_output=True, text=True, env=env)
                stages = sorted({line.split(":")[0].strip() for line in done.stderr.replace("\r", "\n").splitlines() if "%|" in line})
                print(f"  {flag or 'piped, no flag'}: {len(stages)} stage bar(s){': ' + ', '.join(stages) if stages else ''}")
        if "import" in only:
            times = [timed([py, "-c", "import analysis"], env)[0] for _ in range(args.repeat)]
            print(f"\n7. python -c 'import analysis': {statistics.median(times):.2f} s   (target: <= 0.5 s)")


if __name__ == "__main__":
    main()
