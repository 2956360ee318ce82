"""Memory benchmark (not a test): where ``run --no-figures`` reaches its peak, stage by stage.

The resident memory of this process is sampled every 20 ms while it does what ``python -m
analysis run --no-figures`` does (``analyse`` then ``write_outputs``), and each sample is put to
the stage running at that moment: reading, counting, coding, the lexicon-fit check, each table
written, each method computed. It prints each stage's peak and the memory held when it ended,
in the order the stages ran, then the peak of the whole run (the figure ``benchmarks/command.py
--only memory`` reports for the same corpus, measured from outside).

    .venv/bin/python -m benchmarks.memory_stages --mb 100        # builds the corpus as command.py does
    .venv/bin/python -m benchmarks.memory_stages --corpus FILE.jsonl
    .venv/bin/python -m benchmarks.memory_stages --mb 300 --engine dask   # this process as the Dask client

Run it from the checkout to measure (``-m`` puts the working directory first on ``sys.path``).
"""

from __future__ import annotations

import argparse
import functools
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil


class Stages:
    """Peak and final resident memory (MB) per named stage; the stage running is the innermost
    one entered."""

    def __init__(self, every: float = 0.02) -> None:
        self.process = psutil.Process()
        self.running = ["(between stages)"]
        self.peak: dict[str, float] = {}
        self.held: dict[str, float] = {}
        self.every = every
        self.done = False
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def rss(self) -> float:
        return self.process.memory_info().rss / 2**20

    def _sample(self) -> None:
        while not self.done:
            stage, now = self.running[-1], self.rss()
            self.peak[stage] = max(self.peak.get(stage, 0.0), now)
            time.sleep(self.every)

    def enter(self, stage: str) -> None:
        self.peak.setdefault(stage, self.rss())
        self.running.append(stage)

    def leave(self) -> None:
        stage = self.running.pop()
        now = self.rss()
        self.peak[stage] = max(self.peak[stage], now)
        self.held[stage] = now

    def wrap(self, module, name: str, stage: str | None = None) -> None:
        """Count the calls of ``module.name`` as the stage ``stage`` (default: the name)."""
        function = getattr(module, name)

        @functools.wraps(function)
        def staged(*args, **kwargs):
            self.enter(stage or name)
            try:
                return function(*args, **kwargs)
            finally:
                self.leave()

        setattr(module, name, staged)

    def report(self) -> None:
        self.done = True
        self.thread.join()
        for stage, peak in self.peak.items():
            held = self.held.get(stage)
            print(f"  {peak:7.0f} MB peak  {'' if held is None else f'{held:7.0f} MB at its end'}  {stage}")
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  run peak {max(self.peak.values()):.0f} MB sampled; {maxrss:.0f} MB maximum resident set (getrusage)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20.0, help="size of the corpus to build (as benchmarks/command.py builds it)")
    parser.add_argument("--corpus", type=Path, help="a corpus file instead of building one")
    parser.add_argument("--engine", default="local", choices=("local", "dask"), help="dask: this process is the client of 2 local workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if corpus is None:
            sys.path.insert(1, str(Path(__file__).resolve().parent))
            from command import build_jsonl  # the corpus benchmarks/command.py builds

            corpus = Path(tmp) / "corpus.jsonl"
            built = build_jsonl(corpus, megabytes=args.mb)
            print(f"{args.mb:.0f} MB corpus: {built['documents']} documents")
        stages = Stages()
        stages.enter("imports")
        import analysis.methods.results as methods
        import analysis.outputs.tables as tables
        import analysis.pipeline as pipeline
        from analysis.config import Settings

        stages.leave()
        for name in ("corpus_from_settings", "_read_on_dask", "count_corpus", "code_documents", "_code_measures", "lexicon_fit"):
            if not (args.engine == "dask" and name == "code_documents"):  # sent to the workers: it must stay picklable by name
                stages.wrap(pipeline, name)
        stages.wrap(tables, "_documents_csv", "write documents.csv")
        stages.wrap(tables, "_csv", "write a table")
        if hasattr(tables, "_csv_parts"):  # the method tables, kwic.csv made as it is written
            stages.wrap(tables, "_csv_parts", "write a method table")
        for name in ("validate_clustering", "adoption", "adoption_curve", "kwic", "keyness", "measure_cooccurrence",
                     "collocations", "lexicon_report", "mention_trends", "_dispersion"):
            if hasattr(methods, name):
                stages.wrap(methods, name, f"method {name}")
        settings = Settings().with_overrides(corpus=corpus, figures=False, progress=False, engine=args.engine, workers=2)
        stages.enter("analyse (rest)")
        analysis = pipeline.analyse(settings)
        stages.leave()
        stages.enter("write_outputs (rest)")
        tables.write_outputs(analysis, Path(tmp) / "out", figures=False)
        stages.leave()
        print(f"peak resident memory by stage, run --no-figures{' --engine dask (this process: the client)' if args.engine == 'dask' else ''} on {corpus.name} ({sys.executable}):")
        stages.report()


if __name__ == "__main__":
    main()
