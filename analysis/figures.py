"""Figures: term bars, word clouds, dendrogram, heatmap, timelines.

Each ``plot_*`` function takes computed tables and returns a matplotlib Figure; it neither
computes statistics nor writes files. :func:`save_figure` writes PNG and SVG. Every figure
uses the CJK font chosen in :mod:`analysis.fonts` (word clouds included) and the Okabe–Ito
colour-blind-safe palette for clusters. Word clouds are drawn from computed frequencies, never
from re-tokenised text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from math import ceil
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy.cluster.hierarchy import dendrogram  # noqa: E402
from wordcloud import WordCloud  # noqa: E402

from .clusters import Clustering  # noqa: E402
from .fonts import cjk_font_family, cjk_font_path  # noqa: E402

__all__ = [
    "PALETTE",
    "figure_style",
    "cluster_colors",
    "save_figure",
    "plot_term_bar",
    "plot_wordcloud",
    "plot_wordcloud_grid",
    "plot_dendrogram",
    "plot_measure_heatmap",
    "plot_timeline",
    "plot_measures_over_time",
    "plot_document_lengths",
]

#: Okabe–Ito, readable by people with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
_GREY = "#999999"


@contextmanager
def figure_style(font: str | None = None) -> Iterator[None]:
    """Matplotlib settings for every figure here: the CJK font, readable sizes, stable SVG."""
    family = cjk_font_family(font)
    with plt.rc_context(
        {
            # The family itself, not the generic "sans-serif": text keeps it when saved later.
            "font.family": [family, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "font.size": 10,
            "axes.titlesize": 12,
            "axes.titleweight": "normal",  # the CJK font has one weight; no faux bold
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "policy-analysis",
            "svg.fonttype": "path",
            "figure.dpi": 100,
        }
    ):
        yield


def cluster_colors(labels: pd.Series) -> dict[str, str]:
    """Unit → colour of its cluster (cluster 1 gets the first palette colour)."""
    return {unit: PALETTE[(int(c) - 1) % len(PALETTE)] for unit, c in labels.items()}


def save_figure(fig: Figure, out_dir: str | Path, name: str, *, formats: Sequence[str] = ("png", "svg"), dpi: int = 200) -> list[Path]:
    """Write ``fig`` as ``out_dir/name.<format>`` for each format; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = out / f"{name}.{fmt}"
        metadata = {"Date": None} if fmt == "svg" else ({"CreationDate": None} if fmt == "pdf" else None)
        with plt.rc_context({"svg.hashsalt": "policy-analysis", "svg.fonttype": "path"}):  # stable SVG ids
            fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata=metadata, facecolor="white")
        paths.append(path)
    return paths


def plot_term_bar(terms: pd.DataFrame, *, top_n: int = 25, title: str = "最常见词语 Most frequent terms", font: str | None = None) -> Figure:
    """Horizontal bars of the ``top_n`` most frequent terms (table from ``term_frequencies``)."""
    top = terms.head(top_n).iloc[::-1]
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(7, 0.28 * len(top) + 1.2))
        ax.barh(top["term"], top["count"], color=PALETTE[0])
        for y, value in enumerate(top["count"]):
            ax.text(value, y, f" {value}", va="center", fontsize=8)
        ax.set_xlabel("出现次数 count")
        ax.set_title(title)
        ax.margins(x=0.08)
        fig.tight_layout()
    return fig


_CLOUD_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00"]


def _cloud_color(word, font_size, position, orientation, random_state=None, **kwargs) -> str:
    """Dark Okabe–Ito colours (no pale yellow), chosen through the cloud's own random state."""
    return _CLOUD_COLORS[random_state.randint(0, len(_CLOUD_COLORS) - 1)]


def _cloud(frequencies: Mapping[str, float], *, width: int, height: int, font: str | None, max_words: int) -> np.ndarray:
    cloud = WordCloud(
        font_path=str(cjk_font_path(font)),
        width=width,
        height=height,
        background_color="white",
        max_words=max_words,
        prefer_horizontal=1.0,
        random_state=0,
        color_func=_cloud_color,
        relative_scaling=0.5,
        margin=8,  # Chinese words have no spaces: keep neighbours apart so they read as two words
        collocations=False,
    )
    return cloud.generate_from_frequencies(dict(frequencies)).to_array()


def plot_wordcloud(frequencies: Mapping[str, float], *, title: str = "", max_words: int = 150, font: str | None = None) -> Figure:
    """A word cloud drawn from computed frequencies (term → count)."""
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(9, 5))
        ax.imshow(_cloud(frequencies, width=1400, height=780, font=font, max_words=max_words), interpolation="bilinear")
        ax.axis("off")
        if title:
            ax.set_title(title)
        fig.tight_layout()
    return fig


def plot_wordcloud_grid(
    frequencies_by_group: Mapping[str, Mapping[str, float]], *, max_words: int = 40, ncols: int = 3, font: str | None = None,
    title: str = "各单位词云 Word clouds by unit",
) -> Figure:
    """Small multiples: one word cloud per group (unit), groups in the given order."""
    groups = [g for g, freq in frequencies_by_group.items() if freq]
    nrows = max(1, ceil(len(groups) / ncols))
    with figure_style(font):
        fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 2.7 * nrows + 0.4), squeeze=False)
        for ax in axes.flat:
            ax.axis("off")
        for ax, group in zip(axes.flat, groups):
            ax.imshow(_cloud(frequencies_by_group[group], width=600, height=360, font=font, max_words=max_words), interpolation="bilinear")
            ax.set_title(group, fontsize=12)
        fig.suptitle(title, fontsize=13)
        fig.tight_layout()
    return fig


def _link_colors(clustering: Clustering) -> dict[int, str]:
    """Colour each link by its cluster when all leaves under it share one; grey otherwise."""
    units = list(clustering.distances.index)
    colors = cluster_colors(clustering.labels)
    n = len(units)
    leaves: dict[int, set[int]] = {i: {i} for i in range(n)}
    result: dict[int, str] = {}
    for i, (a, b, *_rest) in enumerate(clustering.linkage):
        node = n + i
        leaves[node] = leaves[int(a)] | leaves[int(b)]
        shades = {colors[units[leaf]] for leaf in leaves[node]}
        result[node] = shades.pop() if len(shades) == 1 else _GREY
    return result


def plot_dendrogram(clustering: Clustering, *, title: str = "单位聚类 Units clustered by measures", font: str | None = None) -> Figure:
    """Dendrogram of the units; branches and labels coloured by cluster."""
    units = list(clustering.distances.index)
    link_colors = _link_colors(clustering)
    colors = cluster_colors(clustering.labels)
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(units) + 1.5))
        dendrogram(
            clustering.linkage,
            labels=units,
            orientation="left",
            link_color_func=lambda node: link_colors.get(node, _GREY),
            ax=ax,
        )
        ax.invert_yaxis()  # dendrogram order top to bottom, as in the heatmap
        for label in ax.get_yticklabels():
            label.set_color(colors[label.get_text()])
            label.set_fontsize(11)
        ax.set_xlabel(f"{clustering.metric} 距离 distance ({clustering.method} linkage)")
        ax.set_title(title)
        handles = [plt.Line2D([], [], color=PALETTE[(c - 1) % len(PALETTE)], lw=3) for c in range(1, clustering.k + 1)]
        ax.legend(handles, [f"类 cluster {c}" for c in range(1, clustering.k + 1)], loc="lower left", fontsize=8, frameon=False)
        fig.tight_layout()
    return fig


def plot_measure_heatmap(
    matrix: pd.DataFrame,
    clustering: Clustering | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    title: str = "各单位强调的措施 Measures by unit",
    font: str | None = None,
) -> Figure:
    """Unit × measure heatmap of mention counts, rows in dendrogram order, clusters marked."""
    order = clustering.order if clustering is not None else list(matrix.index)
    data = matrix.loc[order]
    columns = [labels.get(c, c) if labels else c for c in data.columns]
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(0.55 * len(columns) + 2.5, 0.45 * len(order) + 2.2))
        image = ax.imshow(data.to_numpy(), cmap="YlGnBu", aspect="auto", vmin=0)
        ax.set_xticks(range(len(columns)), columns, rotation=60, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(len(order)), order)
        vmax = max(int(data.to_numpy().max()), 1)
        for (i, j), value in np.ndenumerate(data.to_numpy()):
            if value:
                ax.text(j, i, str(value), ha="center", va="center", fontsize=8, color="white" if value > vmax * 0.55 else "black")
        if clustering is not None:
            colors = cluster_colors(clustering.labels)
            for tick, unit in zip(ax.get_yticklabels(), order):
                tick.set_color(colors[unit])
            clusters = [int(clustering.labels[u]) for u in order]
            for i in range(1, len(order)):
                if clusters[i] != clusters[i - 1]:
                    ax.axhline(i - 0.5, color="black", lw=1.2)
        ax.spines[:].set_visible(False)
        fig.colorbar(image, ax=ax, shrink=0.6, label="提及次数 mentions")
        ax.set_title(title)
        fig.tight_layout()
    return fig


def plot_timeline(
    reports: pd.DataFrame,
    *,
    labels: pd.Series | None = None,
    leading: Mapping[str, str] | None = None,
    title: str = "各单位报告时间线 Reports by unit over time",
    font: str | None = None,
) -> Figure:
    """One row per unit; each report drawn over its date range, coloured by its unit's cluster.

    ``reports`` needs ``doc_id, unit, date_start, date_end`` (and optionally ``date_note``);
    ``leading`` maps doc_id to a short label (its leading measures) written beside the bar.
    """
    reports = reports.dropna(subset=["date_start"])
    reports = reports[reports["unit"].astype(bool)]
    units = list(dict.fromkeys(reports.sort_values(["date_start", "doc_id"])["unit"]))
    colors = cluster_colors(labels) if labels is not None else {}
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(10, 0.5 * len(units) + 1.6))
        for _, row in reports.iterrows():
            y = units.index(row["unit"])
            start = pd.Timestamp(row["date_start"])
            end = pd.Timestamp(row["date_end"] if pd.notna(row["date_end"]) else row["date_start"]) + timedelta(days=1)
            color = colors.get(row["unit"], PALETTE[0])
            ax.barh(y, end - start, left=start, height=0.55, color=color, edgecolor="white")
            text = leading.get(row["doc_id"], "") if leading else ""
            note = row.get("date_note", "")
            if isinstance(note, str) and note:
                text = f"({note}) {text}"
            if text:
                ax.text(end + timedelta(hours=3), y, text, va="center", fontsize=8.5)
        ax.set_yticks(range(len(units)), units)
        ax.invert_yaxis()
        for tick, unit in zip(ax.get_yticklabels(), units):
            tick.set_color(colors.get(unit, "black"))
        span_start = pd.Timestamp(reports["date_start"].min())
        span_end = pd.Timestamp(reports["date_end"].max()) + timedelta(days=1)
        ax.set_xlim(span_start - timedelta(days=0.5), span_end + (span_end - span_start) * 0.3 + timedelta(days=1.5))
        ax.xaxis.set_major_locator(matplotlib.dates.AutoDateLocator(minticks=3, maxticks=12))
        ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
        ax.grid(axis="x", color="#dddddd", lw=0.6)
        ax.set_axisbelow(True)
        if labels is not None:
            k = int(labels.max())
            handles = [plt.Rectangle((0, 0), 1, 1, color=PALETTE[(c - 1) % len(PALETTE)]) for c in range(1, k + 1)]
            ax.legend(handles, [f"类 cluster {c}" for c in range(1, k + 1)], loc="lower right", fontsize=8, frameon=False)
        ax.set_title(title)
        fig.tight_layout()
    return fig


def plot_measures_over_time(
    table: pd.DataFrame, *, labels: Mapping[str, str] | None = None, title: str = "各措施提及时间 Measures mentioned over time",
    font: str | None = None,
) -> Figure:
    """Measure × period grid (rows: measures, columns: periods), cells sized and shaded by mentions.

    ``table`` is a period × measure count table, e.g. from ``measures_by_period``.
    """
    data = table.T
    data = data[data.sum(axis=1) > 0]
    rows = [labels.get(m, m) if labels else m for m in data.index]
    periods = [str(p) for p in data.columns]
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(max(5.5, 0.7 * len(periods) + 3), 0.36 * len(rows) + 1.8))
        values = data.to_numpy()
        image = ax.imshow(values, cmap="YlOrRd", aspect="auto", vmin=0)
        vmax = max(int(values.max()) if values.size else 1, 1)
        for (i, j), value in np.ndenumerate(values):
            if value:
                ax.text(j, i, str(int(value)), ha="center", va="center", fontsize=8, color="white" if value > vmax * 0.55 else "black")
        ax.set_yticks(range(len(rows)), rows)
        ax.set_xticks(range(len(periods)), periods, rotation=45 if len(periods) > 6 else 0, ha="right" if len(periods) > 6 else "center")
        ax.spines[:].set_visible(False)
        fig.colorbar(image, ax=ax, shrink=0.6, label="提及次数 mentions")
        ax.set_title(title)
        fig.tight_layout()
    return fig


def plot_document_lengths(documents: pd.DataFrame, *, title: str = "各文档长度 Document lengths", font: str | None = None) -> Figure:
    """Characters per document, labelled by unit (or doc_id) and coloured by kind (report/summary)."""
    frame = documents.reset_index(drop=True)
    if len(frame) > 60:
        frame = frame.nlargest(60, "n_chars").sort_index()
    labels = [u if u else f"概述 summary #{d.rsplit('-', 1)[-1]}" for u, d in zip(frame["unit"], frame["doc_id"])]
    colors = [PALETTE[0] if k == "report" else _GREY for k in frame["kind"]]
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(7, 0.3 * len(frame) + 1.3))
        ax.barh(range(len(frame)), frame["n_chars"], color=colors)
        ax.set_yticks(range(len(frame)), labels, fontsize=9)
        ax.invert_yaxis()
        ax.set_xlabel("字数 characters")
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in (PALETTE[0], _GREY)]
        ax.legend(handles, ["报告 report", "概述 summary"], loc="lower right", fontsize=8, frameon=False)
        ax.set_title(title)
        fig.tight_layout()
    return fig
