"""Figures of a finished analysis, in the house style: what ``run``, ``report`` and the
notebooks save. Drawing is :mod:`analysis.viz.figures`; this module gives each figure its
source note (corpus and date range) and size, and saves it when asked.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..config import FIGURE_FORMATS
from ..errors import AnalysisError
from ..progress import counter
from ..result import Analysis, corpus_name, date_range, leading_measures, text_lengths
from ..methods.trends import lengths_differ, thin_periods
from . import figures, figures_methods

__all__ = ["figure_source_note", "document_labels", "publish_figure", "draw_figures"]


def figure_source_note(analysis: Analysis) -> str:
    """The source note written under every figure: corpus name and date range.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.

    Returns
    -------
    str
        The note (:func:`analysis.source_note`).

    Examples
    --------
    >>> import analysis
    >>> analysis.figure_source_note(analysis.analyse())
    '来源 Source: 省林业公安局《省林区公安各分局开展疫情防控工作督导检查》, 2020-04-18 – 2020-04-23 · policy-analysis'
    """
    start, end = date_range(analysis)
    return figures.source_note(corpus_name(analysis), start, end)


def document_labels(documents) -> dict[str, str]:
    """Short names for documents in a figure: each ``doc_id`` without the part all of them
    share, and the year when dated, e.g. ``government_work_reports-001`` → ``001 · 2025``."""
    ids = documents["doc_id"].astype(str).tolist()
    common = os.path.commonprefix(ids) if len(ids) > 1 else ""
    shared = max((common.rfind(c) + 1 for c in "-_:/. "), default=0)  # up to a separator: 001, not 01
    labels = {}
    for doc_id, start in zip(ids, documents["date_start"]):
        short = doc_id[shared:].lstrip("-_:/ ") or doc_id
        labels[doc_id] = f"{short} · {start.year}" if start is not None and not pd.isna(start) else short
    return labels


def publish_figure(
    fig,
    analysis: Analysis,
    out_dir: str | Path,
    name: str,
    *,
    size: str | None = None,
    source: str | None = None,
    formats: Sequence[str] = FIGURE_FORMATS,
) -> list[Path]:
    """Give ``fig`` the house style (size, source note) and save it in ``formats`` (default
    PNG at 300 dpi, SVG and PDF).

    What the notebooks call, so that their figures match the ones ``run`` and ``report`` write;
    the figure stays open, so a notebook still shows it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from a ``plot_*`` function.
    analysis : Analysis
        The analysis it shows: the source note and the default size come from it.
    out_dir : str or Path
        The folder to save into (created if needed).
    name : str
        The file name without suffix.
    size : str or None
        "print" (A4/Letter text width) or "slide" (16:9); None: the settings' ``figure_size``.
    source : str or None
        A note to write instead of the one made from ``analysis`` (corpus name and date range).
    formats : sequence of str
        Any of "png", "svg", "pdf".

    Returns
    -------
    list of Path
        The files written.
    """
    size = size or analysis.settings.figure_size
    figures.apply_house_style(fig, source=figure_source_note(analysis) if source is None else source, size=size, font=analysis.settings.font)
    return figures.save_figure(fig, out_dir, name, formats=tuple(formats), bbox_inches=None)


def draw_figures(
    analysis: Analysis,
    out_dir: str | Path,
    *,
    size: str | None = None,
    labels: str | None = None,
    progress: bool | None = None,
    formats: Sequence[str] | None = None,
) -> list[Path]:
    """Draw every figure the corpus supports into ``out_dir``; return the paths.

    Each figure gets the house style (:func:`analysis.viz.figures.apply_house_style`).

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.
    out_dir : str or Path
        The folder to save into (created if needed).
    size : str or None
        "print" or "slide"; None: the settings' ``figure_size``.
    labels : str or None
        "zh" (measure names) or "en" (the lexicon's English glosses); None: the settings'.
    progress : bool or None
        A progress bar; None: the settings' (on a terminal or in a notebook).
    formats : sequence of str or None
        Any of "png" (300 dpi), "svg", "pdf"; None: the settings' ``figure_formats`` (PNG only
        unless ``[figures] formats`` says more).

    Returns
    -------
    list of Path
        The files written.
    """
    import matplotlib.pyplot as plt

    font = analysis.settings.font
    size = size or analysis.settings.figure_size
    labels = labels or analysis.settings.measure_labels
    if size not in figures.SIZES:
        raise AnalysisError(f"figure size '{size}' is unknown (use one of: {', '.join(figures.SIZES)})")
    if labels not in {"zh", "en"}:
        raise AnalysisError(f"measure labels '{labels}' are unknown (use 'zh' or 'en')")
    formats = analysis.settings.figure_formats if formats is None else tuple(formats)
    if not formats or not set(formats) <= set(FIGURE_FORMATS):
        raise AnalysisError(f"figure formats {list(formats)} are not among {', '.join(FIGURE_FORMATS)} (give one or more of them)")
    english = labels == "en"
    measure_names = figures.english_labels(analysis.lexicon.glosses, width=0) if english else None
    note = figure_source_note(analysis)
    out = Path(out_dir)
    written: list[Path] = []

    enabled = analysis.settings.progress if progress is None else progress
    bar = counter("figures", enabled=enabled, unit="figure")

    def save(fig, name: str) -> None:
        written.extend(publish_figure(fig, analysis, out, name, size=size, source=note, formats=formats))
        plt.close(fig)
        bar.update(1)

    save(figures.plot_document_lengths(analysis.documents, font=font, size=size), "document_lengths")
    save(figures.plot_term_bar(analysis.terms, top_n=analysis.settings.top_terms, font=font), "terms_bar")
    frequencies = dict(zip(analysis.terms["term"], analysis.terms["count"]))
    if frequencies:
        save(figures.plot_wordcloud(frequencies, title="全部文本词云 Word cloud, whole corpus", font=font), "wordcloud")
    by_unit = {unit: dict(zip(group["term"], group["count"])) for unit, group in analysis.terms_by_unit.groupby("unit", sort=False)}
    if by_unit:
        ordered = {u: by_unit[u] for u in analysis.units if u in by_unit}
        save(figures.plot_wordcloud_grid(ordered, font=font), "wordcloud_units")
    if analysis.clustering is not None:
        save(figures.plot_dendrogram(analysis.clustering, font=font, size=size), "dendrogram")
    if len(analysis.measures):
        # Texts of different lengths: shade by mentions per 10,000 characters (counts in the cells).
        lengths = text_lengths(analysis)
        chars = lengths if len(set(lengths.get(str(r), 0) for r in analysis.measures.index)) > 1 else None
        if analysis.units:
            fig = figures.plot_measure_heatmap(analysis.measures, analysis.clustering, labels=measure_names, font=font, size=size, chars=chars)
        else:  # a row per document
            fig = figures.plot_measure_heatmap(
                analysis.measures, None, labels=measure_names, row_labels=document_labels(analysis.documents), font=font, size=size,
                chars=chars,
            )
        save(fig, "measures_heatmap")
    dated = analysis.documents.dropna(subset=["date_start"])
    if not dated.empty and dated["unit"].astype(bool).any():
        clusters = analysis.clustering.labels if analysis.clustering is not None else None
        if english:  # glosses are long: the leading measure only, wrapped, so labels stay in the chart
            short = figures.english_labels(analysis.lexicon.glosses, short=True, width=24)
            leading = leading_measures(analysis, top=1, labels=short)
        else:
            leading = leading_measures(analysis)
        save(figures.plot_timeline(dated, labels=clusters, leading=leading, font=font), "timeline")
    if not analysis.by_period.empty and analysis.by_period.to_numpy().sum() > 0:
        trends = analysis.methods.trends
        if lengths_differ(trends):  # a long period mentions everything more: compare rates, not counts
            rates = analysis.methods.trend_rates
            save(
                figures.plot_measures_over_time(rates, labels=measure_names, value="per_10k_chars", font=font, too_little=thin_periods(trends)),
                "measures_over_time",
            )
        else:
            save(figures.plot_measures_over_time(analysis.by_period, labels=measure_names, font=font), "measures_over_time")

    # The research methods' figures: keyness, co-occurrence, validation, trends.
    results = analysis.methods
    unit_keyness = results.keyness[results.keyness["grouping"] == "unit"]
    if (unit_keyness["direction"] == "over").any():
        save(figures_methods.plot_keyness(unit_keyness, groups=analysis.units, font=font), "keyness")
    if len(results.cooccurrence):
        save(figures_methods.plot_cooccurrence_network(results.cooccurrence, order=analysis.lexicon.names, font=font), "cooccurrence_network")
    if results.validation is not None:
        save(figures_methods.plot_cluster_validation(results.validation, font=font), "cluster_validation")
    if len(results.trends) and results.trends["mentions"].sum() > 0:
        save(figures_methods.plot_trends(results.trends, font=font), "trends")
    if len(results.adoption) and results.adoption["adopted"].any():  # units and dates: who adopted what, when
        save(figures_methods.plot_adoption(results.adoption_curve, labels=measure_names, font=font), "adoption_curves")
        save(figures_methods.plot_adoption_grid(results.adoption, labels=measure_names, font=font, size=size), "adoption_grid")
    bar.close()
    return written
