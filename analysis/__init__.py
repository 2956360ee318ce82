"""Quantitative reading of Chinese policy language.

The front door: everything a notebook needs, one import away::

    import analysis
    result = analysis.analyse()                      # the shipped bulletin, or a path / config
    result.measures                                  # unit × measure counts
    analysis.kwic(result, "外防输入")                  # where does it say that?
    analysis.explore(result)                         # heatmap, timeline, search → the passages
    analysis.plot_measure_heatmap(result.measures, result.clustering)

Stages live one folder each, data flowing one way: ``io`` (reading pages, tables, dates) →
``text`` (segmentation, counts) → ``measures`` (the lexicon) → ``methods`` (clusters, keyness,
KWIC, …) → ``result`` → ``viz`` (figures) and ``outputs`` (tables, report, command line).
Names are loaded on first use, so ``import analysis`` stays quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.2.0"

_PUBLIC = {
    # reading and analysing
    "Settings": "config",
    "load_settings": "config",
    "read_corpus": "pipeline",
    "analyse": "pipeline",
    "Analysis": "result",
    "DFM": "text.dfm",
    "load_lexicon": "measures.lexicon",
    "find_mentions": "measures.lexicon",
    "AnalysisError": "errors",
    # asking the result
    "kwic": "questions",
    "keyness": "questions",
    "compare": "questions",
    "themes": "questions",
    "format_kwic": "methods.kwic",
    "mention_trends": "methods.trends",
    "trend_matrix": "methods.trends",
    "corpus_name": "result",
    "date_range": "result",
    "leading_measures": "result",
    "findings": "headlines",
    "comparison_findings": "headlines",
    "keyness_finding": "headlines",
    "reference_lag_finding": "headlines",
    "densest_cell_finding": "headlines",
    "text_lengths": "result",
    # validating the coding by hand, coding rules
    "text_units": "methods.handcoding",
    "draw_sample": "methods.handcoding",
    "score_coding": "methods.handcoding",
    "krippendorff_alpha": "methods.agreement",
    "alpha_interval": "methods.agreement",
    "rule_effects": "measures.lexicon",
    "write_coding_sample": "outputs.coding",
    "score_workbooks": "outputs.coding",
    # coding learned from hand-coded examples
    "train_from_workbooks": "outputs.coding",
    "train_coding_model": "measures.model",
    "load_model": "measures.model",
    "code_documents": "measures.coding",
    # figures
    "plot_term_bar": "viz.figures",
    "plot_wordcloud": "viz.figures",
    "plot_wordcloud_grid": "viz.figures",
    "plot_dendrogram": "viz.figures",
    "plot_measure_heatmap": "viz.figures",
    "plot_timeline": "viz.figures",
    "plot_measures_over_time": "viz.figures",
    "plot_document_lengths": "viz.figures",
    "plot_keyness": "viz.figures_methods",
    "plot_cooccurrence_network": "viz.figures_methods",
    "plot_cluster_validation": "viz.figures_methods",
    "plot_trends": "viz.figures_methods",
    "plot_trends_grid": "viz.figures_methods",
    "plot_adoption": "viz.figures_methods",
    "plot_adoption_grid": "viz.figures_methods",
    "plot_comparison": "viz.figures_methods",
    "plot_theme_prevalence": "viz.figures_themes",
    "plot_theme_heatmap": "viz.figures_themes",
    "source_note": "viz.figures",
    "figure_source_note": "viz.publish",
    "publish_figure": "viz.publish",
    "draw_figures": "viz.publish",
    # files
    "write_outputs": "outputs.tables",
    "write_report": "outputs.report",
    "explore": "outputs.explorer",
    "write_explorer": "outputs.explorer",
    "write_themes": "outputs.themes",
    "run_notebooks": "outputs.notebooks",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute '{name}'")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))


if TYPE_CHECKING:  # for editors and type checkers: the same names, imported eagerly
    from .config import Settings, load_settings
    from .errors import AnalysisError
    from .questions import compare, keyness, kwic, themes
    from .headlines import comparison_findings, densest_cell_finding, findings, keyness_finding, reference_lag_finding
    from .measures.coding import code_documents
    from .result import text_lengths
    from .text.dfm import DFM
    from .measures.lexicon import find_mentions, load_lexicon, rule_effects
    from .measures.model import load_model, train_coding_model
    from .methods.agreement import alpha_interval, krippendorff_alpha
    from .methods.handcoding import draw_sample, score_coding, text_units
    from .methods.kwic import format_kwic
    from .methods.trends import mention_trends, trend_matrix
    from .outputs.coding import score_workbooks, train_from_workbooks, write_coding_sample
    from .outputs.explorer import explore, write_explorer
    from .outputs.notebooks import run_notebooks
    from .outputs.report import write_report
    from .outputs.tables import write_outputs
    from .pipeline import analyse, read_corpus
    from .result import Analysis, corpus_name, date_range, leading_measures
    from .viz.figures import (
        plot_dendrogram,
        plot_document_lengths,
        plot_measure_heatmap,
        plot_measures_over_time,
        plot_term_bar,
        plot_timeline,
        plot_wordcloud,
        plot_wordcloud_grid,
        source_note,
    )
    from .viz.figures_methods import (
        plot_adoption,
        plot_adoption_grid,
        plot_cluster_validation,
        plot_cooccurrence_network,
        plot_comparison,
        plot_keyness,
        plot_trends,
        plot_trends_grid,
    )
    from .viz.publish import draw_figures, figure_source_note, publish_figure
    from .viz.figures_themes import plot_theme_heatmap, plot_theme_prevalence
    from .outputs.themes import write_themes
