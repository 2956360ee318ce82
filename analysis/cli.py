"""Command line: ``python -m analysis run [--corpus PATH] [--out DIR] ...``.

Errors a user can fix print as one line naming the file and what to do, with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import Settings, load_settings
from .errors import AnalysisError, ConfigError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Quantitative reading of Chinese policy language.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="analyse a corpus and write tables, figures and manifest.json")
    run.add_argument("--corpus", type=Path, help="a .txt page or a folder of them (default: the shipped bulletin)")
    run.add_argument("--out", type=Path, default=Path("results"), help="output folder (default: results)")
    run.add_argument("--config", type=Path, help="a TOML config file")
    run.add_argument("--lexicon", type=Path, help="a measures lexicon (TOML)")
    run.add_argument("--k", type=int, help="number of clusters (default: chosen by silhouette)")
    run.add_argument("--no-figures", action="store_true", help="write the tables only")
    run.add_argument("--segmenter", choices=["rjieba", "jieba"], help="segmentation engine (default rjieba: jieba's tokens, faster)")
    run.add_argument("--engine", choices=["local", "dask"], help="where segmentation runs (default local: every core here)")
    run.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://scheduler-host:8786 (with --engine dask)")
    run.add_argument("--workers", type=int, help="threads (or Dask workers) to use (default: every core)")
    run.add_argument("--cache-dir", type=Path, help="cache folder for tokens and results (default: ~/.cache/policy-analysis)")
    run.add_argument("--no-cache", action="store_true", help="analyse and segment everything again; read and write no cache")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    books = commands.add_parser("notebooks", help="run every notebook top to bottom and write their figures")
    books.add_argument("--corpus", type=Path, help="a .txt page or a folder of them (default: the shipped bulletin)")
    books.add_argument("--config", type=Path, help="a TOML config file")
    books.add_argument("--figures", type=Path, default=Path("figures"), help="where figures go (default: figures)")
    books.add_argument("--executed", type=Path, default=Path("build/notebooks"), help="where executed notebooks go (default: build/notebooks)")
    return parser


def _notebooks(args: argparse.Namespace) -> int:
    from .notebooks import run_notebooks

    if args.config:
        load_settings(args.config)  # fail early, with the one-line message, on a bad config
    written = run_notebooks(figures_dir=args.figures, executed_dir=args.executed, corpus=args.corpus, config=args.config)
    print(f"ran {len(written)} notebooks into {args.executed}/; figures in {args.figures}/")
    return 0


def _run(args: argparse.Namespace) -> int:
    from .pipeline import analyse, write_outputs

    settings = load_settings(args.config) if args.config else Settings()
    settings = settings.with_overrides(corpus=args.corpus, lexicon=args.lexicon, k=args.k)
    settings = settings.with_overrides(
        segmenter=args.segmenter, engine=args.engine, scheduler=args.scheduler, workers=args.workers, cache_dir=args.cache_dir
    )
    if args.scheduler and settings.engine != "dask":
        raise ConfigError("--scheduler needs --engine dask (or [engine] name = \"dask\" in the config)")
    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers must be 1 or more, not {args.workers}")
    if args.no_figures:
        settings = settings.with_overrides(figures=False)
    if args.no_cache:
        settings = settings.with_overrides(cache=False)
    if args.no_progress:
        settings = settings.with_overrides(progress=False)
    analysis = analyse(settings)
    written = write_outputs(analysis, args.out)
    corpus = analysis.corpus
    print(
        f"read {len(corpus.documents) + len(corpus.skipped)} documents from {len(corpus.sources)} file(s): "
        f"{len(corpus.documents)} analysed, {len(corpus.skipped)} skipped; "
        f"{len(analysis.units)} units, {len(analysis.mentions)} measure mentions"
    )
    for skipped in corpus.skipped:
        where = f"{skipped.source}:{skipped.line}" if skipped.line else skipped.source
        print(f"skipped {where}: {skipped.reason}")
    for note in analysis.notes:
        print(note)
    if analysis.report is not None:
        print(analysis.report)
    if analysis.clustering is not None:
        c = analysis.clustering
        print(f"{c.k} clusters (silhouette {c.silhouettes.get(c.k, float('nan')):.2f})")
    print(f"wrote {len(written)} files to {args.out}/")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "notebooks":
            return _notebooks(args)
    except AnalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 1
