"""Command line: ``python -m analysis init|run|report|explore|notebooks``.

``init`` writes a commented starter config; ``run --config FILE`` analyses the corpus it
names; ``report`` writes a self-contained HTML briefing and an Excel workbook (and the
explorer beside it); ``explore`` writes ``explore.html``, the linked views from a pattern to
its passages; ``notebooks --config FILE`` reruns every notebook on it.

Errors a user can fix print as one line naming the file and what to do, with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import Settings, load_settings, write_starter_config
from ..errors import AnalysisError, ConfigError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Quantitative reading of Chinese policy language.")
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init", help="write a commented starter config file for your corpus")
    init.add_argument("file", type=Path, nargs="?", default=Path("analysis.toml"), help="config file to write (default: analysis.toml)")
    init.add_argument("--corpus", default="corpus", help="the corpus path to put in it (default: corpus)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    run = commands.add_parser("run", help="analyse a corpus and write tables, figures and manifest.json")
    run.add_argument(
        "--corpus", type=Path, help="a page (.txt, .html), table (.csv, .tsv, .xlsx, .jsonl) or folder (default: the shipped bulletin)"
    )
    run.add_argument("--out", type=Path, help="output folder (default: results, or results/NAME for --config NAME.toml)")
    run.add_argument("--config", type=Path, help="a TOML config file")
    run.add_argument("--lexicon", type=Path, help="a measures lexicon (TOML)")
    run.add_argument("--k", type=int, help="number of clusters (default: chosen by silhouette)")
    run.add_argument("--no-figures", action="store_true", help="write the tables only")
    run.add_argument(
        "--segmenter", choices=["rjieba", "jieba"], help="segmenter: rjieba (default, jieba-rs) or jieba (the pure-Python reference)"
    )
    run.add_argument("--engine", choices=["local", "dask"], help="where segmentation runs (default local: in this process)")
    run.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://scheduler-host:8786 (with --engine dask)")
    run.add_argument("--workers", type=int, help="workers of a local Dask cluster (with --engine dask; default 2)")
    run.add_argument("--cache-dir", type=Path, help="accepted for older scripts; runs keep no cache")
    run.add_argument("--no-cache", action="store_true", help="accepted for older scripts; runs keep no cache")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    report = commands.add_parser("report", help="write report.html (self-contained) and tables.xlsx, with every table and figure")
    report.add_argument("--corpus", type=Path, help="a .txt page or a folder of them (default: the shipped bulletin)")
    report.add_argument("--out", type=Path, default=Path("report"), help="output folder (default: report)")
    report.add_argument("--config", type=Path, help="a TOML config file")
    report.add_argument("--lexicon", type=Path, help="a measures lexicon (TOML)")
    report.add_argument("--size", choices=["print", "slide"], help="figure size: print (A4/Letter text width) or slide (16:9)")
    report.add_argument("--english", action="store_true", help="label measures in figures with the lexicon's English glosses")
    explore = commands.add_parser("explore", help="write explore.html: heatmap, timeline, search and terms linked to the passages (one offline file)")
    explore.add_argument("--corpus", type=Path, help="a page, table or folder (default: the shipped bulletin)")
    explore.add_argument("--out", type=Path, help="output folder (default: results, or results/NAME for --config NAME.toml)")
    explore.add_argument("--config", type=Path, help="a TOML config file")
    explore.add_argument("--lexicon", type=Path, help="a measures lexicon (TOML)")
    books = commands.add_parser("notebooks", help="run every notebook top to bottom and write their figures")
    books.add_argument("--corpus", type=Path, help="a page, table or folder (default: the shipped bulletin)")
    books.add_argument("--config", type=Path, help="a TOML config file")
    books.add_argument("--figures", type=Path, help="where figures go (default: figures, or figures/NAME for --config NAME.toml)")
    books.add_argument(
        "--executed", type=Path, help="where executed notebooks go (default: build/notebooks, or build/notebooks/NAME)"
    )
    return parser


def _figures_off_screen() -> None:
    """The command line draws into files, never on screen: matplotlib's file-only backend
    (a choice for this process, made by the program, not by the library)."""
    import os

    os.environ.setdefault("MPLBACKEND", "Agg")


def _own_folder(base: str, config: Path | None) -> Path:
    """``base``, or ``base/NAME`` for a config file NAME.toml: each corpus writes to its own folder."""
    return Path(base) / config.stem if config else Path(base)


def _notebooks(args: argparse.Namespace) -> int:
    from .notebooks import run_notebooks

    args.figures = args.figures or _own_folder("figures", args.config)
    args.executed = args.executed or _own_folder("build/notebooks", args.config)
    if args.config:
        load_settings(args.config)  # fail early, with the one-line message, on a bad config
    written = run_notebooks(figures_dir=args.figures, executed_dir=args.executed, corpus=args.corpus, config=args.config)
    print(f"ran {len(written)} notebooks into {args.executed}/; figures in {args.figures}/")
    return 0


def _init(args: argparse.Namespace) -> int:
    path = write_starter_config(args.file, corpus=args.corpus, force=args.force)
    print(f"wrote {path}: edit it, then run `python -m analysis run --config {path}`")
    return 0


_MAX_LISTED = 20


def _print_replaced(sources: list) -> None:
    """One line per file read with damaged bytes replaced: how many, on which lines."""
    for source in sources:
        if source.replaced_bytes:
            total = sum(count for _, count in source.replaced_bytes)
            lines = ", ".join(str(line) for line, _ in source.replaced_bytes[:10])
            more = f" and {len(source.replaced_bytes) - 10} more" if len(source.replaced_bytes) > 10 else ""
            print(
                f"replaced {total} damaged byte{'s' if total > 1 else ''} in {source.path} by U+FFFD "
                f"(not valid {source.encoding}, line{'s' if len(source.replaced_bytes) > 1 else ''} {lines}{more}); "
                "the rest was analysed (manifest.json lists them under replaced_bytes)"
            )


def _run(args: argparse.Namespace) -> int:
    from ..pipeline import analyse
    from .tables import write_outputs

    args.out = args.out or _own_folder("results", args.config)
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
    _figures_off_screen()
    analysis = analyse(settings)
    written = write_outputs(analysis, args.out)
    corpus = analysis.corpus
    print(
        f"read {corpus.n_read} documents from {len(corpus.sources)} file(s): "
        f"{len(corpus.documents)} analysed, {len(corpus.skipped)} skipped; "
        f"{len(analysis.units)} units, {len(analysis.mentions)} measure mentions"
    )
    for source in corpus.sources:
        if source.encoding not in ("utf-8", "utf-8-sig", "xlsx", ""):
            print(f"read {source.path} as {source.encoding}")
    _print_replaced(corpus.sources)
    for skipped in corpus.skipped[:_MAX_LISTED]:
        where = f"{skipped.source}:{skipped.line}" if skipped.line else skipped.source
        print(f"skipped {where}: {skipped.reason}")
    if len(corpus.skipped) > _MAX_LISTED:
        print(f"… and {len(corpus.skipped) - _MAX_LISTED} more skipped, all listed in {args.out}/manifest.json")
    for note in analysis.notes:
        print(note)
    if analysis.clustering is not None:
        c = analysis.clustering
        print(f"{c.k} clusters (silhouette {c.silhouettes.get(c.k, float('nan')):.2f})")
    print(f"wrote {len(written)} files to {args.out}/")
    return 0


def _report(args: argparse.Namespace) -> int:
    from ..pipeline import analyse
    from .report import write_report

    settings = load_settings(args.config) if args.config else Settings()
    settings = settings.with_overrides(
        corpus=args.corpus, lexicon=args.lexicon, figure_size=args.size, measure_labels="en" if args.english else None
    )
    _figures_off_screen()
    analysis = analyse(settings)
    try:
        written = write_report(analysis, args.out)
    except OSError as error:
        raise AnalysisError(f"{error.filename or args.out}: cannot write there ({error.strerror}); choose another --out folder") from None
    corpus = analysis.corpus
    print(
        f"read {len(corpus.documents) + len(corpus.skipped)} documents: {len(corpus.documents)} analysed, "
        f"{len(corpus.skipped)} skipped; {len(analysis.units)} units, {len(analysis.mentions)} measure mentions"
    )
    _print_replaced(corpus.sources)
    for skipped in corpus.skipped:
        where = f"{skipped.source}:{skipped.line}" if skipped.line else skipped.source
        print(f"skipped {where}: {skipped.reason}")
    for note in analysis.notes:
        print(note)
    print(
        f"wrote {args.out / 'report.html'}, {args.out / 'explore.html'} and {args.out / 'tables.xlsx'} ({len(written)} files in {args.out}/)"
    )
    return 0


def _explore(args: argparse.Namespace) -> int:
    from ..pipeline import analyse
    from .explorer import write_explorer

    args.out = args.out or _own_folder("results", args.config)
    settings = load_settings(args.config) if args.config else Settings()
    settings = settings.with_overrides(corpus=args.corpus, lexicon=args.lexicon)
    analysis = analyse(settings)
    try:
        path = write_explorer(analysis, args.out)
    except OSError as error:
        raise AnalysisError(f"{error.filename or args.out}: cannot write there ({error.strerror}); choose another --out folder") from None
    print(
        f"read {len(analysis.documents)} documents; {len(analysis.units)} units, {len(analysis.mentions)} measure mentions; "
        f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, opens offline in any browser)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "init":
            return _init(args)
        if args.command == "run":
            return _run(args)
        if args.command == "notebooks":
            return _notebooks(args)
        if args.command == "report":
            return _report(args)
        if args.command == "explore":
            return _explore(args)
    except AnalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 1
