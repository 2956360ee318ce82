"""Write themes to a folder: ``themes.csv``, ``document_themes.csv``, ``themes_by_unit.csv``,
``themes_by_period.csv``, ``theme_validation.csv``, the figures and ``themes.html`` (the theme
view: a theme over time, a click → the documents where it is strongest) (what ``python -m analysis
themes`` writes). Guided themes add ``theme_reach.csv`` and ``lexicon_report.csv`` with the
themes' candidate variants ranked above the frequency-based ones.

Themes whose verdict is "not supported" are not published as themes: the theme tables keep
their columns and no rows, no figure is drawn, and ``theme_validation.csv`` says why.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..methods.diagnostics import with_theme_candidates
from ..methods.themes import Themes, period_keys
from ..result import Analysis

__all__ = ["write_themes", "theme_tables", "THEME_TABLES"]

THEME_TABLES = ("themes.csv", "document_themes.csv", "themes_by_unit.csv", "themes_by_period.csv", "theme_validation.csv")


def _document_table(analysis: Analysis, themes: Themes) -> pd.DataFrame:
    """One row per document (every document, in corpus order): its main theme and its shares."""
    documents = analysis.documents
    shares = themes.document_shares.reset_index(drop=True)
    values = shares.to_numpy(dtype=float)
    has = np.isfinite(values).all(axis=1) if values.size else np.zeros(len(shares), dtype=bool)
    main = np.where(has, np.argmax(np.nan_to_num(values, nan=-1.0), axis=1), -1) if values.size else np.full(len(shares), -1)
    frame = pd.DataFrame({
        "doc_id": documents["doc_id"].astype(str).to_numpy(),
        "unit": documents["unit"].fillna("").astype(str).to_numpy(),
        "date_start": documents["date_start"].to_numpy(),
        "title": documents["title"].fillna("").astype(str).to_numpy() if "title" in documents else "",
        "main_theme": [themes.names[m] if m >= 0 else "" for m in main],
        "main_share": [round(float(values[i, m]), 4) if m >= 0 else np.nan for i, m in enumerate(main)],
        "note": ["" if h else "no term the themes were fitted on" for h in has],
    })
    return pd.concat([frame, shares.round(4)], axis=1)


def _group_table(table: pd.DataFrame, counts: pd.Series, name: str) -> pd.DataFrame:
    out = table.round(4).copy()
    out.insert(0, "n_documents", counts.reindex(out.index).fillna(0).astype(int).to_numpy())
    out.index.name = name
    return out.reset_index()


def theme_tables(analysis: Analysis, themes: Themes) -> dict[str, pd.DataFrame]:
    """The tables by file name (:data:`THEME_TABLES`; ``theme_reach.csv`` for guided themes)."""
    documents = analysis.documents
    supported = themes.verdict != "not supported"
    table = themes.table()
    by_doc = _document_table(analysis, themes)
    if themes.period_kind and len(themes.by_period):
        keys = period_keys(documents["date_start"], themes.period_kind)
        by_period = _group_table(themes.by_period, keys.value_counts(), themes.period_kind)
    else:
        by_period = pd.DataFrame(columns=["period", "n_documents", *themes.names])
    units = documents["unit"].fillna("").astype(str)
    by_unit = (
        _group_table(themes.by_unit, units[units.astype(bool)].value_counts(), "unit")
        if len(themes.by_unit) else pd.DataFrame(columns=["unit", "n_documents", *themes.names])
    )
    tables = {
        "themes.csv": table,
        "document_themes.csv": by_doc,
        "themes_by_unit.csv": by_unit,
        "themes_by_period.csv": by_period,
        "theme_validation.csv": themes.validation_table(),
    }
    if themes.seeds:
        tables["theme_reach.csv"] = themes.reach()
    if not supported:  # not published as themes: the columns, no rows
        for name in ("themes.csv", "document_themes.csv", "themes_by_unit.csv", "themes_by_period.csv", "theme_reach.csv"):
            if name in tables:
                tables[name] = tables[name].iloc[0:0]
    return tables


def write_themes(
    analysis: Analysis, themes: Themes, out_dir: str | Path, *, figures: bool = True, size: str | None = None, view: bool = False
) -> list[Path]:
    """Write the theme tables (and, unless ``figures=False`` or the themes are not supported, the
    prevalence figure and the unit × theme heatmap; with ``view``, ``themes.html``) into
    ``out_dir``; return the paths.

    Parameters
    ----------
    analysis : Analysis
        The analysis the themes were fitted on.
    themes : Themes
        From :func:`analysis.themes`.
    out_dir : str or Path
        The output folder (created if needed).
    figures : bool
        Draw ``figures/themes_over_time.png`` and ``figures/themes_by_unit.png``.
    size : str or None
        "print" or "slide"; None: the settings' ``figure_size``.
    view : bool
        Also write ``themes.html``, the theme view.

    Returns
    -------
    list of Path
        ``themes.csv``, ``document_themes.csv``, ``themes_by_unit.csv``, ``themes_by_period.csv``,
        ``theme_validation.csv``, then the figures and the view.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in theme_tables(analysis, themes).items():
        path = out / name
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    if themes.seeds:
        report = with_theme_candidates(analysis.methods.lexicon_report, themes.candidates())  # the frequency-based report first
        path = out / "lexicon_report.csv"
        report.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    if view and themes.verdict != "not supported" and len(themes.by_period):  # the theme view: theme over time → its documents
        from .theme_view import write_theme_view

        written.append(write_theme_view(analysis, themes, out))
    if figures and themes.verdict != "not supported":
        import matplotlib.pyplot as plt

        from ..viz.figures_themes import plot_theme_heatmap, plot_theme_prevalence
        from ..viz.publish import publish_figure

        font = analysis.settings.font
        if len(themes.by_period) and np.isfinite(themes.by_period.to_numpy(dtype=float)).any():
            fig = plot_theme_prevalence(themes, font=font)
            written.extend(publish_figure(fig, analysis, out / "figures", "themes_over_time", size=size))
            plt.close(fig)
        if len(themes.by_unit) >= 2:
            fig = plot_theme_heatmap(themes, font=font, size=size or analysis.settings.figure_size)
            written.extend(publish_figure(fig, analysis, out / "figures", "themes_by_unit", size=size))
            plt.close(fig)
    return written

