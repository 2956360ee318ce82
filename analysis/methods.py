"""Research methods on a finished analysis: KWIC, keyness, co-occurrence, collocations,
cluster validation, lexicon diagnostics and trends; their tables and figures for ``run``.

:func:`method_results` computes everything once per :class:`~analysis.pipeline.Analysis`;
:func:`write_method_tables` writes ``kwic.csv, keyness.csv, cooccurrence.csv, collocations.csv,
cluster_validation.csv, lexicon_report.csv, trends.csv`` and puts the plain-language cluster
stability verdict into ``analysis.notes`` (so the manifest and the CLI carry it);
:func:`draw_method_figures` draws ``keyness, cooccurrence_network, cluster_validation, trends``.
"""

from __future__ import annotations

from collections.abc import Callable

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .cooccurrence import collocations, measure_cooccurrence
from .diagnostics import lexicon_report
from .keyness import KEYNESS_COLUMNS, TokenIds, keyness
from .kwic import kwic
from .trends import mention_trends
from .validation import ClusterValidation, validate_clustering

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure  # only for annotations: writing tables needs no matplotlib

    from .pipeline import Analysis

__all__ = ["MethodResults", "method_results", "write_method_tables", "draw_method_figures", "METHOD_TABLES"]

METHOD_TABLES = (
    "kwic.csv",
    "keyness.csv",
    "cooccurrence.csv",
    "collocations.csv",
    "cluster_validation.csv",
    "lexicon_report.csv",
    "trends.csv",
)
KWIC_WINDOW = 20
KEYNESS_TOP = 30  # over-used and under-used terms kept per group
N_BOOT = 200
RANDOM_STATE = 0


@dataclass(frozen=True)
class MethodResults:
    """Every method's table for one analysis (``validation`` is None without a clustering)."""

    kwic: pd.DataFrame
    keyness: pd.DataFrame  # grouping (unit / cluster), group, term, …
    cooccurrence: pd.DataFrame
    collocations: pd.DataFrame
    validation: ClusterValidation | None
    lexicon_report: pd.DataFrame
    trends: pd.DataFrame


def _keyness_by(analysis: Analysis, tokens: TokenIds) -> pd.DataFrame:
    units = analysis.documents["unit"].fillna("").astype(str).tolist()
    frames = [keyness(tokens, units, top_n=KEYNESS_TOP).assign(grouping="unit")]
    if analysis.clustering is not None:
        labels = analysis.clustering.labels
        clusters = [f"cluster {int(labels[u])}" if u in labels.index else "" for u in units]
        frames.append(keyness(tokens, clusters, top_n=KEYNESS_TOP).assign(grouping="cluster"))
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else pd.DataFrame()
    return frame.reindex(columns=["grouping", *KEYNESS_COLUMNS])


def method_results(analysis: Analysis) -> MethodResults:
    """Run every method on ``analysis``; computed once and kept on the analysis object."""
    cached = getattr(analysis, "_method_results", None)
    if cached is not None:
        return cached
    # Mention offsets refer to the analysed text (simplified, line breaks joined): show that text.
    documents = analysis.documents.assign(text=analysis.corpus.analysis_texts())
    validation = (
        validate_clustering(analysis.measures, analysis.clustering, n_boot=N_BOOT, random_state=RANDOM_STATE)
        if analysis.clustering is not None
        else None
    )
    tokens = analysis.token_ids  # counted with numpy by keyness (two groupings), collocations and the lexicon report
    results = MethodResults(
        kwic=kwic(documents, analysis.mentions, window=KWIC_WINDOW),
        keyness=_keyness_by(analysis, tokens),
        cooccurrence=measure_cooccurrence(analysis.mentions, documents["doc_id"].tolist(), analysis.lexicon),
        collocations=collocations(tokens, min_count=2),
        validation=validation,
        lexicon_report=lexicon_report(
            analysis.lexicon, documents, analysis.mentions, tokens, analysis.terms, tokenizer=analysis.run_segmenter()
        ),
        trends=mention_trends(documents, analysis.mentions, analysis.lexicon),
    )
    analysis._method_results = results  # type: ignore[attr-defined]
    return results


def write_method_tables(analysis: Analysis, out_dir: str | Path) -> list[Path]:
    """Write the methods' tables into ``out_dir``; add the cluster stability verdict to the notes."""
    results = method_results(analysis)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    validation = results.validation.table() if results.validation is not None else pd.DataFrame(
        columns=["check", "k", "linkage", "unit", "value", "note", "n_boot", "random_state"]
    )
    tables = {
        "kwic.csv": results.kwic,
        "keyness.csv": results.keyness,
        "cooccurrence.csv": results.cooccurrence,
        "collocations.csv": results.collocations,
        "cluster_validation.csv": validation,
        "lexicon_report.csv": results.lexicon_report,
        "trends.csv": results.trends,
    }
    written = []
    for name, frame in tables.items():
        path = out / name
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    if results.validation is not None:
        message = results.validation.message()
        if message not in analysis.notes:
            analysis.notes.append(message)
    return written


def draw_method_figures(
    analysis: Analysis, out_dir: str | Path, *, style: Callable[[Figure], None] | None = None
) -> list[Path]:
    """Draw the methods' figures the corpus supports into ``out_dir``.

    ``style`` is applied to each figure before it is saved (the pipeline passes the house
    style: size and source note); without it figures are saved as drawn.
    """
    import matplotlib.pyplot as plt

    from . import figures_methods
    from .figures import save_figure

    results = method_results(analysis)
    font = analysis.settings.font
    written: list[Path] = []

    def save(fig, name: str) -> None:
        if style is not None:
            style(fig)
        written.extend(save_figure(fig, out_dir, name, bbox_inches=None if style is not None else "tight"))
        plt.close(fig)

    unit_keyness = results.keyness[results.keyness["grouping"] == "unit"]
    if (unit_keyness["direction"] == "over").any():
        save(figures_methods.plot_keyness(unit_keyness, groups=analysis.units, font=font), "keyness")
    if len(results.cooccurrence):
        save(figures_methods.plot_cooccurrence_network(results.cooccurrence, order=analysis.lexicon.names, font=font), "cooccurrence_network")
    if results.validation is not None:
        save(figures_methods.plot_cluster_validation(results.validation, font=font), "cluster_validation")
    if len(results.trends) and results.trends["mentions"].sum() > 0:
        save(figures_methods.plot_trends(results.trends, font=font), "trends")
    return written
