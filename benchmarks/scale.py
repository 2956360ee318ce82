"""Scale benchmark (not a test): the whole analysis on a ≥20 MB corpus against plain jieba.

Builds a corpus of unique dated documents from shuffled paragraphs of the government work
reports (``../shared/corpora/gov-work-reports/``), written as bulletin pages the toolkit reads,
then times, each in a fresh process so memory and caches are measured cleanly:

1. the whole analysis without figures (``analyse()``: load, segment, count, code measures,
   cluster), with an empty token cache, with the default segmenter (``--segmenter`` for another);
2. the same again with the cache the first run left (a rerun with an unchanged corpus), and
   once more with another setting (k=3), which only the token cache can serve;
3. the baseline: plain ``jieba.lcut`` plus ``collections.Counter`` over the same documents.

It prints MB/s for each, their ratio, the rerun time and the peak memory (max RSS of the
main process and its worker processes). Each measurement runs ``--repeat`` times (default 3)
and the median is reported, with every run's time beside it.

    .venv/bin/python benchmarks/scale.py [--mb 20] [--workdir DIR] [--engine local|dask] [--workers N] [--segmenter NAME] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOV_REPORTS = ROOT.parent / "shared" / "corpora" / "gov-work-reports" / "government_work_reports.jsonl"
UNITS = ["东城", "西城", "南岗", "道里", "香坊", "江北", "河东", "山南", "湖西", "林口", "海林", "松岭"]
DOCS_PER_PAGE = 100


def paragraphs(path: Path) -> list[str]:
    """Every paragraph (line) of the reports' ``content`` with at least 20 characters."""
    found: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            content = json.loads(line)["content"] or ""
            found.extend(p.strip() for p in content.splitlines() if len(p.strip()) >= 20)
    return found


def build_corpus(out: Path, *, megabytes: float, seed: int = 4) -> dict:
    """Write bulletin pages of unique documents (2–4 shuffled paragraphs each, with a unit and
    a date) until their text reaches ``megabytes``; return what was written."""
    rng = random.Random(seed)
    pool = paragraphs(GOV_REPORTS)
    out.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * 1_000_000)
    seen: set[str] = set()
    size = documents = pages = 0
    day = date(2020, 1, 1)
    while size < target:
        published = day + timedelta(days=pages % 1400)
        lines = [f"第{pages + 1}期工作简报", f"{published.isoformat()}  综合办公室"]
        for _ in range(DOCS_PER_PAGE):
            reported = published - timedelta(days=rng.randrange(1, 5))
            body = "".join(rng.sample(pool, rng.randint(2, 4)))
            text = f"{reported.month}月{reported.day}日，{rng.choice(UNITS)}分局{body}"
            if text in seen:
                continue
            seen.add(text)
            lines.append(text)
            size += len(text.encode("utf-8"))
            documents += 1
        (out / f"page_{pages:05d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        pages += 1
    return {"pages": pages, "documents": documents, "text_mb": size / 1e6}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker_peak_mb() -> float:
    """Largest peak memory of this process's finished worker processes (0 if it had none)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def child_analysis(corpus: Path, cache: Path, engine: str, workers: str, segmenter: str, k: str = "", write: str = "write") -> dict:
    from analysis.config import Settings
    from analysis.pipeline import analyse, write_outputs

    settings = Settings(
        corpus=corpus,
        cache_dir=cache,
        figures=False,
        engine=engine,
        k=int(k) if k else None,
        workers=int(workers) or None,
        **({"segmenter": segmenter} if segmenter else {}),
    )
    start = time.perf_counter()
    analysis = analyse(settings)
    seconds = time.perf_counter() - start
    peak_mb, worker_peak_mb = _peak_mb(), _worker_peak_mb()  # the analysis alone, before writing
    text_mb = sum(len(t.encode("utf-8")) for t in analysis.documents["text"]) / 1e6
    write_seconds = None
    if write == "write":
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            write_outputs(analysis, out, figures=False)
            write_seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "write_seconds": write_seconds,
        "text_mb": text_mb,
        "documents": len(analysis.documents),
        "terms": len(analysis.terms),
        "mentions": len(analysis.mentions),
        "units": len(analysis.units),
        "k": analysis.clustering.k if analysis.clustering is not None else None,
        "peak_mb": peak_mb,
        "worker_peak_mb": worker_peak_mb,
        "write_peak_mb": _peak_mb(),
        "workers": analysis.report.workers,
        "timings": analysis.timings,
        "report": str(analysis.report),
        "segmenter": analysis.settings.segmenter,
    }


def child_baseline(corpus: Path) -> dict:
    from collections import Counter

    import jieba

    from analysis.io.corpus import read_corpus

    texts = [d.text for d in read_corpus(corpus).documents]
    jieba.initialize()  # dictionary load not timed: the baseline gets every benefit of the doubt
    start = time.perf_counter()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(jieba.lcut(text))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "text_mb": sum(len(t.encode("utf-8")) for t in texts) / 1e6, "terms": len(counts), "peak_mb": _peak_mb()}


def _median(runs: list[dict]) -> dict:
    """The run with the median time (the lower middle one for an even count)."""
    return sorted(runs, key=lambda run: run["seconds"])[(len(runs) - 1) // 2]


def _seconds(runs: list[dict]) -> str:
    return ", ".join(f"{run['seconds']:.2f}" for run in runs) + " s"


def _child(*args: str) -> dict:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size in MB of document text (default 20)")
    parser.add_argument("--workdir", type=Path, help="where the corpus and cache go (default: a temporary folder)")
    parser.add_argument("--engine", choices=["local", "dask"], default="local")
    parser.add_argument("--workers", type=int, default=0, help="worker processes for segmentation (default: every core)")
    parser.add_argument("--segmenter", choices=["native", "rjieba", "jieba"], help="segmenter of the analysis (default: the package default)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is reported (default 3)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        result = child_baseline(Path(rest[0])) if kind == "baseline" else child_analysis(Path(rest[0]), Path(rest[1]), *rest[2:])
        print(json.dumps(result))
        return 0
    if not GOV_REPORTS.exists():
        print(f"error: {GOV_REPORTS}: the gov work reports are missing (the benchmark builds its corpus from them)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        work = args.workdir or Path(scratch)
        corpus, cache = work / "corpus", work / "cache"
        shutil.rmtree(cache, ignore_errors=True)  # the first run starts with an empty cache
        built = build_corpus(corpus, megabytes=args.mb)
        print(f"corpus: {built['documents']} unique documents on {built['pages']} pages, {built['text_mb']:.1f} MB of text ({corpus})")
        # Each measurement is repeated (--repeat, default 3) and its median used: on a shared or
        # virtual machine one run can be a quarter slower than the next. Every first run starts
        # with an empty cache; only the first of them also writes the tables.
        # The rounds interleave the measurements (first run, rerun, baseline, then again), so
        # that a slow spell of the machine weighs on both sides of the ratio alike.
        analysis = [str(corpus), str(cache), args.engine, str(args.workers), args.segmenter or ""]
        firsts, reruns, bases = [], [], []
        for i in range(args.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            firsts.append(_child("--child", "analysis", *analysis, "", "write" if i == 0 else "no-write"))
            reruns.append(_child("--child", "analysis", *analysis, "", "no-write"))
            bases.append(_child("--child", "baseline", str(corpus)))
        other = _child("--child", "analysis", *analysis, "3", "no-write")
    first, rerun, base = _median(firsts), _median(reruns), _median(bases)
    mb = first["text_mb"]
    fast, slow = mb / first["seconds"], base["text_mb"] / base["seconds"]
    # Peak memory of the run: this process's peak plus every worker's, as if all peaked at once
    # (the largest child counted for each worker: a conservative sum).
    run_peaks = [r["peak_mb"] + r["workers"] * r["worker_peak_mb"] for r in firsts]
    peak = max(run_peaks)
    print(
        f"whole analysis, no figures ({args.engine} engine, {args.workers or 'all'} workers, {first['segmenter']} segmenter): "
        f"{first['seconds']:.2f} s = {fast:.2f} MB/s"
    )
    print(f"  median of {len(firsts)} runs from an empty cache: {_seconds(firsts)}")
    print(f"  peak memory {peak:.0f} MB at most (main process {first['peak_mb']:.0f} MB + {first['workers']} workers × {first['worker_peak_mb']:.0f} MB)")
    print(f"  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in first["timings"].items()))
    print(f"  {first['report']}")
    print(f"  {first['documents']} documents, {first['terms']} distinct terms, {first['mentions']} mentions, {first['units']} units, k={first['k']}")
    print(f"  writing the tables (not in the timing): {firsts[0]['write_seconds']:.2f} s, peak memory of the main process then {firsts[0]['write_peak_mb']:.0f} MB")
    print(f"rerun, unchanged corpus, dictionary and settings: {rerun['seconds']:.2f} s = {100 * rerun['seconds'] / first['seconds']:.1f}% of the first run, peak memory {rerun['peak_mb']:.0f} MB")
    print(f"  median of {len(reruns)}: {_seconds(reruns)}; {rerun['report']}")
    print(f"rerun with another setting (k=3), unchanged corpus and dictionary: {other['seconds']:.2f} s = {100 * other['seconds'] / first['seconds']:.1f}% of the first run")
    print(f"  {other['report']}")
    print(f"  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in other["timings"].items()))
    print(f"baseline jieba.lcut + Counter: {base['seconds']:.2f} s = {slow:.2f} MB/s, peak memory {base['peak_mb']:.0f} MB")
    print(f"  median of {len(bases)}: {_seconds(bases)}")
    print(f"ratio (whole analysis / baseline throughput): {fast / slow:.1f}x")
    rounds = [b["seconds"] / f["seconds"] for f, b in zip(firsts, bases)]
    print(f"  each round's own ratio (first run and baseline side by side): {', '.join(f'{r:.1f}x' for r in rounds)}")
    share = rerun["seconds"] / first["seconds"]
    print(
        "targets: "
        f"ratio >= 10x {'met' if fast / slow >= 10 else 'NOT met'} ({fast / slow:.1f}x); "
        f"rerun <= 10% {'met' if share <= 0.10 else 'NOT met'} ({100 * share:.1f}%); "
        f"peak memory <= 1.5 GB {'met' if peak <= 1536 else 'NOT met'} ({peak:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
