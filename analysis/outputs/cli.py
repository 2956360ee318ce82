"""Command line: ``python -m analysis init|run|themes|report|explore|compare|notebooks|validate``.

``init`` writes a commented starter config; ``run --config FILE`` analyses the corpus it
names; ``themes`` finds themes from the documents' words, with a verdict on whether they
hold; ``report`` writes a self-contained HTML briefing and an Excel workbook (and the
explorer beside it); ``explore`` writes ``explore.html``, the linked views from a pattern to
its passages; ``compare`` writes the keyness of terms and measures between two corpora,
periods or groups of units; ``notebooks --config FILE`` reruns every notebook on it;
``validate sample`` writes a workbook of text units for a coder to code by hand, ``validate
score`` scores the filled workbooks against the lexicon and each other.

Errors a user can fix print as one line naming the file and what to do, with exit code 2.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

from ..config import DEPRECATED, FIGURE_FORMATS, Settings, deprecated, load_settings, write_starter_config
from ..errors import AnalysisError, ConfigError
from ..methods.evidence import significance_note

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Quantitative reading of Chinese policy language.")
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init", help="write a commented starter config file for your corpus")
    init.add_argument("file", type=Path, nargs="?", default=Path("analysis.toml"), help="config file to write (default: analysis.toml)")
    init.add_argument("--corpus", default="corpus", help="the corpus path to put in it (default: corpus)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument(
        "--lexicon", help="the measures lexicon to put in it (default: the shipped lexicon that finds measures in most of the corpus's documents)"
    )
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
    run.add_argument(
        "--formats", metavar="png,svg,pdf",
        help="what each figure is saved as, comma-separated: png (300 dpi), svg, pdf (default: png, or [figures] formats)",
    )
    run.add_argument("--cache-dir", type=Path, help="deprecated, ignored (runs keep no cache); removed in the next release")
    run.add_argument("--no-cache", action="store_true", help="deprecated, ignored (runs keep no cache); removed in the next release")
    run.add_argument("--no-progress", action="store_true", help="no progress bars")
    run.add_argument("--progress", action="store_true", help="progress bars even when output is not a terminal")
    themes = commands.add_parser(
        "themes",
        help="themes from the documents' words (NMF on TF-IDF, or LDA) with a verdict on whether they hold; "
        "writes themes.csv, document_themes.csv, themes_by_unit.csv, themes_by_period.csv, theme_validation.csv and figures",
    )
    themes.add_argument("--corpus", type=Path, help="a page, table or folder (default: the shipped bulletin)")
    themes.add_argument("--out", type=Path, help="output folder (default: results/themes, or results/NAME/themes for --config NAME.toml)")
    themes.add_argument("--config", type=Path, help="a TOML config file")
    themes.add_argument("--lexicon", type=Path, help="a measures lexicon (TOML)")
    themes.add_argument("--k", type=int, help="number of themes (default: chosen by stability and coherence, 2 to 12)")
    themes.add_argument("--method", choices=["nmf", "lda"], default="nmf", help="nmf (default: NMF on TF-IDF) or lda (latent Dirichlet allocation on counts)")
    themes.add_argument(
        "--guided", action="store_true",
        help="seed one theme with each measure's variants; writes theme_reach.csv and lexicon_report.csv with the themes' candidate variants",
    )
    themes.add_argument("--extra", type=int, help="with --guided: free themes beside the seeded ones (default: k minus the seeded ones, or 3)")
    themes.add_argument("--seed", type=int, default=0, help="random state of the fits and resamples (default 0)")
    themes.add_argument("--segmenter", choices=["rjieba", "jieba"], help="segmenter: rjieba (default) or jieba")
    themes.add_argument("--size", choices=["print", "slide"], help="figure size: print (A4/Letter text width) or slide (16:9)")
    themes.add_argument(
        "--view", action="store_true",
        help="also write themes.html: each theme over time, a click lists the documents where it is strongest (one offline file)",
    )
    themes.add_argument("--no-figures", action="store_true", help="write the tables only")
    themes.add_argument("--no-progress", action="store_true", help="no progress bars")
    report = commands.add_parser("report", help="write report.html (self-contained) and tables.xlsx, with every table and figure")
    report.add_argument("--corpus", type=Path, help="a .txt page or a folder of them (default: the shipped bulletin)")
    report.add_argument("--out", type=Path, default=Path("report"), help="output folder (default: report)")
    report.add_argument("--config", type=Path, help="a TOML config file")
    report.add_argument("--lexicon", type=Path, help="a measures lexicon (TOML)")
    report.add_argument("--size", choices=["print", "slide"], help="figure size: print (A4/Letter text width) or slide (16:9)")
    report.add_argument("--english", action="store_true", help="label measures in figures with the lexicon's English glosses")
    report.add_argument(
        "--validation", type=Path,
        help="validation.csv from `validate score`, for the section 'How reliable is the coding' (default: the one in --out, if any)",
    )
    compare = commands.add_parser(
        "compare",
        help="keyness of terms and measures between two corpora, two periods (--split-date), two groups of units (--groups) "
        "or a corpus and a reference list (--reference); writes comparison.csv and a figure",
    )
    compare.add_argument("corpora", type=Path, nargs="*", metavar="CORPUS",
                         help="one corpus (with --split-date, --groups or --reference) or two to compare: a path, or a config .toml naming one "
                         "(default: the config's corpus, or the shipped bulletin)")
    compare.add_argument("--config", type=Path, help="a TOML config file (used for every corpus)")
    compare.add_argument("--lexicon", type=Path, help="a measures lexicon (TOML)")
    compare.add_argument("--split-date", metavar="YYYY-MM-DD", help="compare the documents dated before this day with those dated from it on")
    compare.add_argument("--groups", nargs=2, metavar=("UNITS_A", "UNITS_B"), help='two groups of units, each comma-separated: "鹤北,绥阳" "林口,柴河"')
    compare.add_argument("--reference", type=Path, metavar="FILE.csv", help="a reference frequency list, a CSV with columns term,count")
    compare.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="keep only documents dated on or after this day")
    compare.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="keep only documents dated on or before this day")
    compare.add_argument("--out", type=Path, help="output folder (default: results/comparison, or results/NAME/comparison for --config NAME.toml)")
    compare.add_argument("--no-figures", action="store_true", help="write comparison.csv only")
    explore = commands.add_parser("explore", help="write explore.html: heatmap, timeline, search and terms linked to the passages (one offline file)")
    explore.add_argument("--corpus", type=Path, help="a page, table or folder (default: the shipped bulletin)")
    explore.add_argument("--out", type=Path, help="output folder (default: results, or results/NAME for --config NAME.toml)")
    explore.add_argument("--config", type=Path, help="a TOML config file")
    explore.add_argument("--lexicon", type=Path, help="a measures lexicon (TOML)")
    books = commands.add_parser("notebooks", help="run every notebook top to bottom and write their figures")
    books.add_argument("--corpus", type=Path, help="a page, table or folder (default: the shipped bulletin)")
    books.add_argument("--config", type=Path, help="a TOML config file")
    books.add_argument("--lexicon", help="a measures lexicon: a shipped one by name (emergency_management, …) or a TOML file")
    books.add_argument("--figures", type=Path, help="where figures go (default: figures, or figures/NAME for --config NAME.toml)")
    books.add_argument(
        "--executed", type=Path, help="where executed notebooks go (default: build/notebooks, or build/notebooks/NAME)"
    )
    validate = commands.add_parser("validate", help="check the coding against a hand-coded sample")
    steps = validate.add_subparsers(dest="step", required=True)
    sample = steps.add_parser("sample", help="write a workbook of text units (stratified, reproducible) for a coder to fill in")
    score = steps.add_parser("score", help="score filled workbooks: validation.csv and validation_disagreements.csv")
    score.add_argument("workbooks", type=Path, nargs="+", metavar="FILE.xlsx", help="workbooks filled in by the coders")
    train = steps.add_parser("train", help="learn the coding from filled workbooks: one classifier per measure, cross-validated")
    train.add_argument("workbooks", type=Path, nargs="+", metavar="CODED.xlsx", help="workbooks filled in by a coder")
    train.add_argument("--coder", help="whose codes to learn (default: the first workbook's coder)")
    train.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5; fewer for a measure with fewer positives)")
    train.add_argument("--seed", type=int, default=0, help="random state of the folds (default 0)")
    train.add_argument("--out", type=Path, default=Path("coding_model.pkl"), help="model file to write (default: coding_model.pkl; scores beside it in *_scores.csv)")
    for step in (sample, score, train):
        step.add_argument("--corpus", type=Path, help="a page, table or folder (default: the shipped bulletin)")
        step.add_argument("--config", type=Path, help="a TOML config file")
        step.add_argument("--lexicon", type=Path, help="a measures lexicon (TOML)")
    sample.add_argument("--n", type=int, default=60, help="text units in the sample (default 60)")
    sample.add_argument("--by", choices=["sentence", "document"], default="sentence", help="text unit (default: sentence)")
    sample.add_argument("--seed", type=int, default=0, help="random state of the draw (default 0)")
    sample.add_argument("--out", type=Path, default=Path("validation_sample.xlsx"), help="workbook to write (default: validation_sample.xlsx)")
    sample.add_argument("--force", action="store_true", help="replace a workbook at --out even if a coder has filled it in")
    sample.add_argument("--uncertain", type=Path, metavar="MODEL", help="draw the units this model (from `validate train`) is least sure of")
    score.add_argument("--out", type=Path, default=Path("validation"), help="output folder (default: validation)")
    return parser


def _validate(args: argparse.Namespace) -> int:
    from .coding import coding_inputs, refuse_coded_workbook, score_workbooks, train_from_workbooks, write_coding_sample
    from .safe import probe

    settings = load_settings(args.config) if args.config else Settings()
    settings = settings.with_overrides(corpus=args.corpus, lexicon=args.lexicon)
    if args.step == "sample":
        if args.out.suffix.lower() != ".xlsx":
            raise ConfigError(f"{args.out}: --out must be an .xlsx file")
        if args.n < 1:
            raise ConfigError(f"--n must be 1 or more, not {args.n}")
        if not args.force:
            refuse_coded_workbook(args.out)  # before drawing: the coder's work is never replaced
        probe(args.out.parent)
    else:  # score writes a folder; train a model file beside its scores
        probe(args.out if args.step == "score" else args.out.parent)
    inputs = coding_inputs(settings)
    if args.step == "sample":
        sample = write_coding_sample(inputs, args.out, n=args.n, by=args.by, random_state=args.seed, force=args.force, model=args.uncertain)
        coded = (sample[inputs.lexicon.names].sum() > 0).sum()
        named = sample["unit"].astype(bool)
        spread = f"{sample.loc[named, 'unit'].nunique()} units" if named.any() else f"{sample['doc_id'].nunique()} documents"
        options = "".join(f" --{key} {value}" for key, value in (("config", args.config), ("corpus", args.corpus), ("lexicon", args.lexicon)) if value)
        cut = int((sample["text"].str.len() > 32_767).sum())
        if cut:
            print(
                f"{cut} of the {args.by}s are longer than an Excel cell holds and were cut (sheet 'cut_cells' lists them): "
                "coders cannot read them whole; draw sentences instead (--by sentence)"
            )
        print(
            f"wrote {args.out}: {len(sample)} {args.by}s from {spread}; the lexicon codes "
            f"{coded} of {len(inputs.lexicon.names)} measures in them. Fill in sheet 'coding', then run "
            f"`python -m analysis validate score {args.out}{options}`"
        )
        return 0
    if args.step == "train":
        return _train(args, inputs)
    remapped: list = []
    scores, disagreements, written = score_workbooks(args.workbooks, inputs, args.out, remapped=remapped)
    for report in remapped:
        print(f"note: {report.line()}; {written[2]} lists those not found")
    pooled = scores[scores["measure"] == "(all measures)"]
    for row in pooled.itertuples(index=False):
        if row.comparison == "lexicon vs coder" and not row.n_units:
            print(f"{row.coder} coded no units: fill in sheet 'coding' (1 where a text expresses a measure) and score again")
        elif row.comparison == "lexicon vs coder":
            corpus = ""
            recall_corpus = getattr(row, "recall_corpus", float("nan"))
            if recall_corpus == recall_corpus:  # not NaN: the sample was scored against its corpus
                corpus = (
                    f"; reweighted to the corpus: precision {row.precision_corpus:.2f} ({row.precision_corpus_low:.2f}–"
                    f"{row.precision_corpus_high:.2f}), recall {row.recall_corpus:.2f} ({row.recall_corpus_low:.2f}–{row.recall_corpus_high:.2f})"
                )
            print(
                f"lexicon vs {row.coder}: precision {row.precision:.2f}, recall {row.recall:.2f}, F1 {row.f1:.2f} "
                f"over {row.n_units} unit × measure decisions in the sample{corpus}"
            )
        else:
            kappa = "" if row.kappa != row.kappa else f"Cohen's κ {row.kappa:.2f}, "
            print(
                f"between coders ({row.coder}): {kappa}Krippendorff's α {row.alpha:.2f} "
                f"(95% bootstrap interval {row.alpha_low:.2f}–{row.alpha_high:.2f})"
            )
    skipped = sum(len(report.skipped) for report in remapped)
    print(
        f"wrote {written[0]} (per measure) and {written[1]} ({len(disagreements)} disagreements to read)"
        + (f"; {written[2]} ({skipped} units not found)" if remapped else "")
    )
    return 0


def _train(args: argparse.Namespace, inputs: Any) -> int:
    """``validate train``: fit, print the cross-validated table and the few-positives warnings."""
    from .coding import train_from_workbooks

    if args.folds < 2:
        raise ConfigError(f"--folds must be 2 or more, not {args.folds}")
    remapped: list = []
    model, written = train_from_workbooks(
        args.workbooks, inputs, args.out, coder=args.coder, folds=args.folds, random_state=args.seed, remapped=remapped
    )
    for report in remapped:
        skipped = "".join(f"\n  row {r.row} {r.unit_id}: {r.reason}" for r in report.skipped.itertuples(index=False))
        print(f"note: {report.line()}{skipped}")
    print(f"learned the coding of {model.coder} from {model.n_units} units; cross-validated, beside the lexicon on the same units:")
    print(format_model_scores(model.scores))
    for warning in model.warnings:
        print(f"warning: {warning}")
    print(
        f"wrote {written[0]} (corpus {model.corpus_sha256[:12]}…, coder {model.coder}) and {written[1]}; "
        f"use it with [coding] method = \"either\" (or \"model\") and model = \"{written[0]}\" in a config"
    )
    return 0


def format_model_scores(scores: Any) -> str:
    """The cross-validated table as aligned text: measure, positives, model P/R/F1, lexicon P/R/F1."""
    def cell(value: float) -> str:
        return "  –" if value != value else f"{value:.2f}"

    import unicodedata

    def pad(text: str, width: int = 16) -> str:  # full-width characters take two columns
        return text + " " * max(width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text), 1)

    lines = [f"{pad('measure')}{'pos':>5}  {'model P':>7} {'R':>5} {'F1':>5}   {'lexicon P':>9} {'R':>5} {'F1':>5}"]
    for row in scores.itertuples(index=False):
        flag = "  (few positives)" if "few positives" in row.note else ""
        lines.append(
            f"{pad(row.measure)}{row.positives:>5}  {cell(row.model_precision):>7} {cell(row.model_recall):>5} {cell(row.model_f1):>5}"
            f"   {cell(row.lexicon_precision):>9} {cell(row.lexicon_recall):>5} {cell(row.lexicon_f1):>5}{flag}"
        )
    return "\n".join(lines)


def _figures_off_screen() -> None:
    """The command line draws into files, never on screen: matplotlib's file-only backend
    (a choice for this process, made by the program, not by the library)."""
    import os

    os.environ.setdefault("MPLBACKEND", "Agg")


def _own_folder(base: str, config: Path | None) -> Path:
    """``base``, or ``base/NAME`` for a config file NAME.toml: each corpus writes to its own folder."""
    return Path(base) / config.stem if config else Path(base)


def _notebooks(args: argparse.Namespace) -> int:
    from ..measures.coverage import lexicon_fit
    from ..measures.lexicon import load_lexicon
    from ..pipeline import corpus_from_settings
    from .notebooks import run_notebooks

    args.figures = args.figures or _own_folder("figures", args.config)
    args.executed = args.executed or _own_folder("build/notebooks", args.config)
    settings = load_settings(args.config) if args.config else Settings()  # fails early, with the one-line message, on a bad config
    settings = settings.with_overrides(corpus=args.corpus, lexicon=args.lexicon)
    lexicon = load_lexicon(settings.lexicon)
    fit = lexicon_fit(corpus_from_settings(settings).analysis_texts(), lexicon)
    if fit:
        print(fit)
    chosen = args.lexicon
    if chosen is not None and Path(chosen).exists():  # a file: the kernels run in notebooks/, so pass it absolute
        chosen = str(Path(chosen).resolve())
    written = run_notebooks(figures_dir=args.figures, executed_dir=args.executed, corpus=args.corpus, config=args.config, lexicon=chosen)
    print(f"ran {len(written)} notebooks into {args.executed}/; figures in {args.figures}/")
    return 0


def _init(args: argparse.Namespace) -> int:
    if any(not c.isprintable() for c in str(args.corpus)):
        raise ConfigError(f"--corpus {args.corpus!r}: holds a line break or another control character; give the corpus path on one line")
    from ..measures.coverage import best_lexicon, lexicon_coverage
    from ..measures.lexicon import load_lexicon
    from ..pipeline import corpus_from_settings

    lexicon, why = args.lexicon, ""
    if lexicon is not None:
        load_lexicon(lexicon)  # a typo fails here, not at the first run
        if Path(lexicon).is_file():  # a file: written absolute, since the config's paths are read from its own folder
            lexicon = str(Path(lexicon).resolve())
    elif Path(args.corpus).exists():
        texts = corpus_from_settings(Settings(corpus=Path(args.corpus), progress=False)).analysis_texts()
        if len(texts):
            coverage = lexicon_coverage(texts)
            best = best_lexicon(coverage)
            lexicon = best.lexicon
            why = f" with lexicon {lexicon}, which finds measures in the most documents of {args.corpus} (" + ", ".join(
                f"{c.lexicon} {c.matched} of {c.documents}" for c in coverage
            ) + ")"
    try:
        path = write_starter_config(args.file, corpus=args.corpus, lexicon=lexicon, force=args.force)
    except OSError as error:
        raise AnalysisError(f"{args.file}: cannot write there ({error.strerror or error}); choose another file name") from None
    print(f"wrote {path}{why}: edit it, then run `python -m analysis run --config {path}`")
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
        segmenter=args.segmenter, engine=args.engine, scheduler=args.scheduler, workers=args.workers,
        figure_formats=_formats(args.formats) if args.formats is not None else None,
    )
    for flag, given in (("--no-cache", args.no_cache), ("--cache-dir", args.cache_dir is not None)):
        if given:
            deprecated(f"the flag {flag}", DEPRECATED["cache"])
    if args.scheduler and settings.engine != "dask":
        raise ConfigError("--scheduler needs --engine dask (or [engine] name = \"dask\" in the config)")
    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers must be 1 or more, not {args.workers}")
    if args.no_figures:
        settings = settings.with_overrides(figures=False)
    if args.no_progress or args.progress:
        settings = settings.with_overrides(progress=bool(args.progress and not args.no_progress))
    _figures_off_screen()
    from .safe import probe

    probe(args.out)  # an unusable --out fails now, in one line, not after the analysis
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


def _formats(text: str) -> tuple[str, ...]:
    """``--formats png,svg,pdf`` as a tuple; an unknown or missing format is a one-line error."""
    formats = tuple(f.strip().lower().lstrip(".") for f in text.split(","))
    if not all(formats) or not set(formats) <= set(FIGURE_FORMATS):
        raise ConfigError(f"--formats must list one or more of {', '.join(FIGURE_FORMATS)}, comma-separated (e.g. png,svg,pdf), not {text!r}")
    return formats


def _themes(args: argparse.Namespace) -> int:
    from ..pipeline import analyse
    from ..questions import themes
    from .themes import write_themes

    args.out = args.out or _own_folder("results", args.config) / "themes"
    if args.k is not None and args.k < 1:
        raise ConfigError(f"--k must be 1 or more, not {args.k}")
    if args.extra is not None and (args.extra < 0 or not args.guided):
        raise ConfigError("--extra needs --guided and a number of 0 or more")
    settings = load_settings(args.config) if args.config else Settings()
    settings = settings.with_overrides(corpus=args.corpus, lexicon=args.lexicon, segmenter=args.segmenter, figure_size=args.size)
    if args.no_progress:
        settings = settings.with_overrides(progress=False)
    _figures_off_screen()
    analysis = analyse(settings)  # the methods are computed only if asked: themes need the counts and the lexicon
    found = themes(analysis, args.k, method=args.method, guided=args.guided, extra=args.extra, random_state=args.seed)
    try:
        written = write_themes(analysis, found, args.out, figures=not args.no_figures, size=args.size, view=args.view)
    except OSError as error:
        raise AnalysisError(f"{error.filename or args.out}: cannot write there ({error.strerror}); choose another --out folder") from None
    corpus = analysis.corpus
    print(f"read {corpus.n_read} documents: {len(corpus.documents)} analysed, {len(corpus.skipped)} skipped")
    for skipped in corpus.skipped[:_MAX_LISTED]:
        where = f"{skipped.source}:{skipped.line}" if skipped.line else skipped.source
        print(f"skipped {where}: {skipped.reason}")
    if not found.selection.empty:
        tried = ", ".join(f"{int(r.k)}: {r.agreement:.2f}/{r.coherence:.2f}" for r in found.selection.itertuples())
        print(f"k chosen by stability/coherence: {found.k} (k: agreement/coherence {tried})")
    print(found.message())
    if found.verdict != "not supported":
        verdicts = found.theme_verdicts()
        prevalence = found.prevalence()
        for i, name in enumerate(found.names):
            terms = "、".join(t for t, _ in found.top_terms(i, 8))
            print(f"  {name} [{verdicts[i]}, {prevalence[name]:.1%} of the text]: {terms}")
    else:
        print("no themes written: themes.csv and the other theme tables keep their columns and no rows; theme_validation.csv has the evidence")
    if found.seeds and found.verdict != "not supported":
        n = len(found.candidates())
        print(f"{n} candidate variants from the seeded themes, in lexicon_report.csv (kind 'theme candidate')")
    print(f"wrote {len(written)} files to {args.out}/")
    return 0


def _report(args: argparse.Namespace) -> int:
    from ..pipeline import analyse
    from .report import write_report

    if args.validation is not None and not args.validation.is_file():
        raise ConfigError(f"{args.validation}: not found (write it with `python -m analysis validate score`)")
    settings = load_settings(args.config) if args.config else Settings()
    settings = settings.with_overrides(
        corpus=args.corpus, lexicon=args.lexicon, figure_size=args.size, measure_labels="en" if args.english else None
    )
    _figures_off_screen()
    from .safe import probe

    probe(args.out)
    analysis = analyse(settings)
    try:
        written = write_report(analysis, args.out, validation=args.validation)
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


def _unit_list(text: str) -> list[str]:
    import re

    return [u.strip() for u in re.split(r"[,，、]", text) if u.strip()]


def _compare(args: argparse.Namespace) -> int:
    from ..questions import compare
    from ..pipeline import analyse

    modes = [flag for flag, value in (("--split-date", args.split_date), ("--groups", args.groups), ("--reference", args.reference)) if value]
    if len(args.corpora) > 2:
        raise ConfigError(f"compare takes one or two corpora, not {len(args.corpora)}")
    if len(args.corpora) == 2 and modes:
        raise ConfigError(f"two corpora are compared with each other: {modes[0]} compares parts of one corpus (give one corpus)")
    if len(args.corpora) < 2 and len(modes) != 1:
        raise ConfigError(
            "say what to compare: two corpora (compare A B), or one corpus with --split-date YYYY-MM-DD, --groups \"A,B\" \"C,D\" "
            "or --reference FILE.csv" + (f" (not {' and '.join(modes)} together)" if modes else "")
        )
    args.out = args.out or _own_folder("results", args.config) / "comparison"
    from .safe import probe

    probe(args.out)
    settings = load_settings(args.config) if args.config else Settings()
    settings = settings.with_overrides(lexicon=args.lexicon)
    _figures_off_screen()
    def settings_of(path: Path | None) -> Settings:
        if path is not None and path.suffix.lower() == ".toml":  # a corpus given by its own config file
            return load_settings(path).with_overrides(lexicon=args.lexicon)
        return settings.with_overrides(corpus=path)

    results = [analyse(settings_of(path)) for path in (args.corpora or [None])]
    groups = (_unit_list(args.groups[0]), _unit_list(args.groups[1])) if args.groups else None
    table = compare(
        results[0],
        results[1] if len(results) == 2 else None,
        split_date=args.split_date,
        groups=groups,
        reference=args.reference,
        date_from=args.date_from,
        date_to=args.date_to,
    )
    from .safe import OutputFolder, run_inputs

    with OutputFolder(args.out, [p for r in results for p in run_inputs(r)] + ([args.reference] if args.reference else [])) as folder:
        written = _write_comparison(args, table, results, settings, folder.stage)
        written = folder.commit(written)
    print(f"wrote {len(written)} files to {args.out}/")
    return 0


def _write_comparison(args: argparse.Namespace, table, results, settings: Settings, out: Path) -> list[Path]:
    """comparison.csv and its figure in ``out``; what the comparison found, printed."""
    path = out / "comparison.csv"
    table.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    written = [path]
    label_a, label_b = (table["side_a"].iloc[0], table["side_b"].iloc[0]) if len(table) else ("A", "B")
    print(f"A = {label_a}; B = {label_b}")
    for kind in ("measure", "term"):
        rows = table[table["kind"] == kind]
        if rows.empty:
            continue
        significant = rows[rows["significant"]]
        by_g2 = int(rows["significant_g2"].sum()) if "significant_g2" in rows else len(significant)
        line = f"{kind}s: {len(significant)} of {len(rows)} differ significantly ({significance_note(rows)}; {by_g2} by G² over tokens)"
        for side in (label_a, label_b):
            top = significant[significant["more_on"] == side].head(5)
            if len(top):
                if kind == "measure":
                    rate = "per_10k_chars_a" if side == label_a else "per_10k_chars_b"
                    other = "per_10k_chars_b" if side == label_a else "per_10k_chars_a"
                    items = ", ".join(f"{r.item} ({getattr(r, rate):.1f} vs {getattr(r, other):.1f} per 10,000 characters)" for r in top.itertuples())
                else:
                    items = ", ".join(top["item"])
                line += f"; more on {side}: {items}"
        print(line)
    if args.reference is not None:
        print("measures are not compared with a reference list: it holds term counts, not texts")
    elif len(results) == 2 and results[0].lexicon.names != results[1].lexicon.names:
        shared = len(set(results[0].lexicon.names) & set(results[1].lexicon.names))
        print(f"the two corpora are coded with different lexicons ({results[0].lexicon.name}, {results[1].lexicon.name}): "
              f"measures compared only where both name them ({shared}); give --lexicon to code both alike")
    if not args.no_figures:
        import matplotlib.pyplot as plt

        from ..result import corpus_name, date_range
        from ..viz.figures import source_note
        from ..viz.figures_methods import plot_comparison
        from ..viz.publish import publish_figure

        fig = plot_comparison(table, font=settings.font)
        names = " vs ".join(dict.fromkeys(corpus_name(r) for r in results))
        start, end = date_range(results[0])
        note = source_note(names, args.date_from or start, args.date_to or end)
        written.extend(publish_figure(fig, results[0], out / "figures", "comparison", source=note))
        plt.close(fig)
    return written


#: Characters that drive a terminal rather than show (C0 but tab and line feed, DEL, C1, and the
#: bidirectional overrides that reorder what is shown): printed as escapes, never sent raw.
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep_lines: bool = True) -> str:
    """``text`` safe to print: a corpus's control codes (``ESC]0;…``) shown as ``\\x1b``, not obeyed."""
    def escape(match: re.Match[str]) -> str:
        return match.group(0).encode("unicode_escape").decode("ascii")

    text = _TERMINAL_CONTROLS.sub(escape, text)
    return text if keep_lines else text.replace("\n", "\\n").replace("\t", "\\t")


class _PrintableStream:
    """sys.stdout for the duration of a command: everything printed passes :func:`printable`."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {
        "init": _init, "run": _run, "report": _report, "compare": _compare,
        "explore": _explore, "notebooks": _notebooks, "validate": _validate, "themes": _themes,
    }
    stdout = sys.stdout
    sys.stdout = _PrintableStream(stdout)
    try:
        return commands[args.command](args)
    except AnalysisError as error:
        print(f"error: {printable(str(error), keep_lines=False)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped early (`… | head`): not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
        return 0
    finally:
        sys.stdout = stdout
