"""Figures of themes (:mod:`analysis.methods.themes`): prevalence over time and a unit × theme heatmap.

Like :mod:`analysis.viz.figures`, each ``plot_*`` function takes a computed result and returns a
matplotlib Figure (no statistics, no files); the title carries the themes' verdict, so a figure
never shows themes without saying whether they hold. Same CJK font, same Okabe–Ito palette.
"""

from __future__ import annotations

from math import ceil

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..methods.themes import Themes
from .figures import PALETTE, figure_style, heatmap_cells, row_label_fit

__all__ = ["plot_theme_prevalence", "plot_theme_heatmap", "verdict_line"]

_KIND = {"day": "日 day", "month": "月 month", "year": "年 year"}


def verdict_line(themes: Themes) -> str:
    """``判断 verdict: stable (agreement 0.77, coherence 0.43)``: the line every theme figure carries."""
    return f"判断 verdict: {themes.verdict} (agreement {themes.mean_agreement:.2f}, coherence {themes.mean_coherence:.2f})"


def plot_theme_prevalence(themes: Themes, *, ncols: int = 2, font: str | None = None) -> Figure:
    """One panel per theme: its share of each period's text (documents weighted by their kept
    tokens). A period without a dated document is a gap in the line, not a zero.

    Parameters
    ----------
    themes : Themes
        From :func:`analysis.themes`.
    ncols : int
        Panels per row.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    table = themes.by_period
    periods = [str(p) for p in table.index]
    x = np.arange(len(periods))
    names = themes.names
    nrows = max(1, ceil(len(names) / ncols))
    step = max(1, int(np.ceil(len(periods) / 8)))
    gaps = int(table.isna().all(axis=1).sum()) if len(table) else 0
    with figure_style(font):
        fig, axes = plt.subplots(nrows, ncols, figsize=(6 * ncols, 1.55 * nrows + 1.2), sharex=True, sharey=True, squeeze=False)
        for ax in axes.flat:
            ax.set_visible(False)
        top = float(np.nanmax(table.to_numpy(dtype=float))) if table.size and np.isfinite(table.to_numpy(dtype=float)).any() else 1.0
        for i, (ax, name) in enumerate(zip(axes.flat, names)):
            ax.set_visible(True)
            values = table[name].to_numpy(dtype=float) * 100
            color = PALETTE[i % len(PALETTE)]
            ax.plot(x, values, color=color, marker="o", markersize=2.2, lw=1.3)  # NaN: the line breaks
            ax.set_title(f"{name} {themes.labels[i]}" if " " not in name else f"{name} · {themes.labels[i]}", fontsize=9.5, loc="left")
            ax.grid(axis="y", color="#dddddd", lw=0.6)
            ax.set_xticks(x[::step], [periods[j] for j in range(0, len(periods), step)])
            ax.tick_params(labelsize=8)
        axes[0, 0].set_ylim(0, max(top * 100, 1e-9) * 1.08)
        axes[0, 0].set_xlim(-0.5, max(len(periods) - 0.5, 0.5))
        for ax in axes[:, 0]:
            ax.set_ylabel("% 文本 of text", fontsize=8.5)
        for ax in axes[-1, :]:
            if ax.get_visible():
                ax.set_xlabel(_KIND.get(themes.period_kind, themes.period_kind), fontsize=8.5)
        note = f"\n(空缺 = 该期无文本 gaps: {gaps} {themes.period_kind}(s) without a dated document)" if gaps else ""
        fig.suptitle(f"各主题随时间的比重 Theme prevalence over time\n{verdict_line(themes)}{note}", fontsize=11)
        fig.tight_layout()
    return fig


def plot_theme_heatmap(themes: Themes, *, font: str | None = None, size: str | None = None) -> Figure:
    """Unit × theme: each unit's text shared among the themes (rows sum to 100 %).

    Parameters
    ----------
    themes : Themes
        From :func:`analysis.themes`.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).
    size : str or None
        The house size it will be published at, "print" or "slide" (None: the smallest), which
        sets how small labels may get.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    table = themes.by_unit
    units = [str(u) for u in table.index]
    columns = [f"{n}\n{themes.labels[i].replace('·', chr(10))}" for i, n in enumerate(themes.names)]
    height = 0.32 * len(units) + 2.6
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(max(6.0, 0.85 * len(columns) + 2.5), height))
        values = table.to_numpy(dtype=float) * 100
        image = heatmap_cells(ax, np.ma.masked_invalid(values), cmap="YlGnBu", vmin=0, vmax=max(float(np.nanmax(values)) if np.isfinite(values).any() else 1.0, 1.0))
        label_size, every, pitch = row_label_fit(len(units), height, 2.6, 9.0, size)
        if pitch >= 10:
            vmax = np.nanmax(values) if np.isfinite(values).any() else 1.0
            for (i, j), cell in np.ndenumerate(values):
                if np.isfinite(cell) and cell >= 0.5:
                    ax.text(j, i, f"{cell:.0f}", ha="center", va="center", fontsize=7, color="white" if cell > vmax * 0.6 else "black")
        ax.set_yticks(range(0, len(units), every), units[::every], fontsize=label_size)
        ax.set_xticks(range(len(columns)), columns, fontsize=7.5)
        ax.xaxis.tick_top()
        ax.spines[:].set_visible(False)
        fig.colorbar(image, ax=ax, shrink=0.6, label="% 单位文本 of the unit's text")
        ax.set_title(f"各单位的主题构成 Themes by unit\n{verdict_line(themes)}", fontsize=11)
        fig.tight_layout()
    return fig
