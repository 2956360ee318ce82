"""Figures for the research methods: keyness bars, co-occurrence network, cluster validation, trends.

Like :mod:`analysis.viz.figures`, each ``plot_*`` function takes computed tables and returns a
matplotlib Figure (no statistics, no files); save with :func:`analysis.viz.figures.save_figure`.
Same CJK font, same Okabe–Ito palette.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import ceil
from textwrap import fill

import matplotlib.dates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .figures import PALETTE, figure_style, heatmap_cells, left_out, most_by, row_label_fit, slanted_label_room
from .fonts import cjk_font_family
from ..methods.evidence import SIGNIFICANCE_LABEL, WEAK_SILHOUETTE, significance_note
from ..methods.trends import ALL, trend_matrix
from ..methods.validation import PARTLY_STABLE_ARI, STABLE_ARI, ClusterValidation

__all__ = [
    "plot_keyness",
    "plot_cooccurrence_network",
    "plot_cluster_validation",
    "plot_trends",
    "plot_trends_grid",
    "plot_adoption",
    "plot_adoption_grid",
    "plot_comparison",
]

_LIGHT = "#9ecae1"
_GREY = "#999999"


def plot_keyness(
    keyness: pd.DataFrame,
    *,
    groups: list[str] | None = None,
    top_n: int = 6,
    ncols: int = 3,
    title: str = "关键词 Keyness: terms each unit over-uses against the rest",
    font: str | None = None,
    max_groups: int = 9,
) -> Figure:
    """Small multiples: per group, its ``top_n`` over-used terms by G², dark when significant.

    At most ``max_groups`` panels, so each stays legible: with more groups, those whose leading
    term is the most distinctive (highest G²) are drawn, in the given order, and the title says so.

    Parameters
    ----------
    keyness : pandas.DataFrame
        From :func:`analysis.keyness` (one grouping only).
    groups : list of str or None
        The groups to draw, in order; None: all.
    top_n : int
        Terms per panel.
    ncols : int
        Panels per row.
    title : str
        The figure's title.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).
    max_groups : int
        Most panels drawn.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    over = keyness[keyness["direction"] == "over"]
    groups = groups or list(dict.fromkeys(over["group"]))
    groups = [g for g in groups if (over["group"] == g).any()]
    if len(groups) > max_groups:
        title = f"{title}\n{max_groups} of {len(groups)} units: those with the most distinctive leading term"
        groups = most_by(groups, over.groupby("group")["g2"].max(), max_groups)
    nrows = max(1, ceil(len(groups) / ncols))
    with figure_style(font):
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 0.32 * top_n * nrows + 1.0 * nrows + 0.8), squeeze=False)
        for ax in axes.flat:
            ax.axis("off")
        xmax = float(over.groupby("group").head(top_n)["g2"].max()) if len(over) else 1.0
        for ax, group in zip(axes.flat, groups):
            ax.axis("on")
            top = over[over["group"] == group].head(top_n).iloc[::-1]
            colors = [PALETTE[0] if s else _LIGHT for s in top["significant"]]
            ax.barh(range(len(top)), top["g2"], color=colors)
            ax.set_yticks(range(len(top)), top["term"], fontsize=9)
            for y, (g2, n) in enumerate(zip(top["g2"], top["count_group"])):
                ax.text(g2, y, f" {n}", va="center", fontsize=7.5, color="#444444")
            ax.set_xlim(0, (xmax if xmax > 0 else 1.0) * 1.25)  # every G² 0 (a tiny corpus): a unit axis, not a singular one
            ax.set_title(str(group), fontsize=11)
            ax.tick_params(axis="x", labelsize=8)
        for ax in axes[-1]:
            if ax.axison:
                ax.set_xlabel("G² (log-likelihood)", fontsize=8)
        # The key goes in the title, not a figure legend, so the house-style source note never meets it.
        fig.suptitle(
            title + f"\n深色 = 显著 dark: significant ({SIGNIFICANCE_LABEL})\n数字 = 该单位出现次数 numbers: count in the unit",
            fontsize=12,
        )
        fig.tight_layout()
    return fig


def plot_cooccurrence_network(
    cooccurrence: pd.DataFrame,
    *,
    min_together: int = 2,
    order: list[str] | None = None,
    labels: Mapping[str, str] | None = None,
    title: str = "措施共现网络 Measures mentioned in the same report",
    font: str | None = None,
) -> Figure:
    """Network of measures: node size = reports mentioning it, edge width = reports mentioning both.

    Edge shade follows Jaccard. The layout is circular, measures in ``order``, so it is the same
    on every run.

    Parameters
    ----------
    cooccurrence : pandas.DataFrame
        ``result.methods.cooccurrence`` (``cooccurrence.csv``).
    min_together : int
        Edges need at least this many shared reports.
    order : list of str or None
        The measures around the circle (e.g. the lexicon's order).
    labels : mapping or None
        Measure → label drawn instead of its name (e.g. the lexicon's English glosses).
    title : str
        The figure's title.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    import networkx as nx

    graph = nx.Graph()
    docs: dict[str, int] = {}
    for row in cooccurrence.itertuples(index=False):
        docs[row.measure_a], docs[row.measure_b] = int(row.docs_a), int(row.docs_b)
    for measure in [m for m in (order or []) if m in docs] + [m for m in docs if m not in (order or [])]:
        graph.add_node(measure)
    for row in cooccurrence.itertuples(index=False):
        if row.docs_both >= min_together:
            graph.add_edge(row.measure_a, row.measure_b, weight=float(row.jaccard), together=int(row.docs_both))
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(8, 8))
        ax.axis("off")
        ax.set_aspect("equal")
        if graph.number_of_nodes():
            # Measures around a circle in lexicon (table) order: no overlaps, same place every run.
            position = nx.circular_layout(graph)
            edges = list(graph.edges(data=True))
            if edges:
                widths = [0.8 + 1.6 * d["together"] for _, _, d in edges]
                shades = [d["weight"] for _, _, d in edges]
                nx.draw_networkx_edges(
                    graph, position, ax=ax, width=widths, edge_color=shades, edge_cmap=plt.cm.Blues, edge_vmin=-0.2,
                    edge_vmax=1.0, alpha=0.9,
                )
            sizes = [80 + 90 * docs[n] for n in graph.nodes]
            nodes = nx.draw_networkx_nodes(graph, position, ax=ax, node_size=sizes, node_color=PALETTE[1], edgecolors="white")
            nodes.set_zorder(3)
            family = cjk_font_family(font)
            for node, (x, y) in position.items():
                name = labels.get(node, node) if labels else node
                ax.text(
                    1.14 * x, 1.14 * y, name, ha="left" if x > 0.05 else ("right" if x < -0.05 else "center"),
                    va="center", fontsize=10.5, family=family,
                )
            ax.set_xlim(-1.6, 1.6)
            ax.set_ylim(-1.35, 1.3)
        sizes_legend = sorted(set(docs.values()))
        if docs:
            handles = [plt.scatter([], [], s=80 + 90 * d, color=PALETTE[1]) for d in (sizes_legend[0], sizes_legend[-1])]
            ax.legend(
                handles, [f"{sizes_legend[0]} 篇 reports", f"{sizes_legend[-1]} 篇 reports"], loc="lower left", fontsize=8,
                frameon=False, labelspacing=1.8, borderpad=1.0, handletextpad=1.2, title="点 = 提及的报告 nodes", title_fontsize=8,
            )
        ax.set_title(
            title + f"\n线 = 至少{min_together}篇报告同时提及 lines: mentioned together in ≥ {min_together} reports"
            "\n线宽 = 报告数 width: number of reports; 颜色深 = Jaccard 高 darker: higher Jaccard",
            fontsize=10.5,
        )
        fig.tight_layout()
    return fig


def plot_cluster_validation(
    validation: ClusterValidation, *, title: str = "聚类验证 Are the clusters stable?", font: str | None = None, max_units: int = 15
) -> Figure:
    """Four panels: silhouette per k, bootstrap ARI distribution, per-unit stability (the
    ``max_units`` least stable units when there are more), linkage agreement.

    Parameters
    ----------
    validation : ClusterValidation
        ``result.methods.validation``.
    title : str
        The figure's title.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).
    max_units : int
        Most units drawn in the stability panel.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    stability = validation.unit_stability.sort_values(kind="stable")
    shown = stability.iloc[:max_units]
    height = 4.2 + 0.18 * len(shown)
    with figure_style(font):
        fig, axes = plt.subplots(2, 2, figsize=(10, height))
        ax = axes[0, 0]
        sil = validation.silhouettes
        ax.plot(sil["k"], sil["silhouette"], marker="o", color=PALETTE[0])
        chosen = sil[sil["chosen"]]
        ax.plot(chosen["k"], chosen["silhouette"], marker="o", markersize=11, color=PALETTE[1], linestyle="none", label="所选 chosen k")
        ax.axhline(WEAK_SILHOUETTE, color=_GREY, lw=0.8, ls="--", label=f"{WEAK_SILHOUETTE:g}: 以下结构弱 weak below")  # in the legend: a label on the line touched it
        ax.set_xlabel("类数 k")
        ax.set_ylabel("平均轮廓 silhouette")
        ax.set_title("轮廓系数 Silhouette\nfor each k", fontsize=10)
        ax.legend(fontsize=8, frameon=False)

        ax = axes[0, 1]
        ax.hist(validation.bootstrap_ari, bins=np.linspace(-0.2, 1.0, 25), color=PALETTE[0])
        ax.axvline(validation.stability, color="black", lw=1.5, label="平均 mean")
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        for threshold, name in ((PARTLY_STABLE_ARI, "partly stable"), (STABLE_ARI, "stable")):
            ax.axvline(threshold, color=PALETTE[5], lw=0.9, ls="--")
            ax.text(threshold, ax.get_ylim()[1] * 0.95, f" {name}", fontsize=7.5, color=PALETTE[5], va="top", rotation=90)
        ax.set_xlabel("调整兰德指数 ARI vs. original clustering")
        ax.set_ylabel("重抽样次数 resamples")
        ax.set_title(f"自助法稳定性 Bootstrap\n{validation.n_boot} resamples, mean ARI {validation.stability:.2f}", fontsize=10)

        ax = axes[1, 0]
        colors = [PALETTE[0] if v >= 0.9 else PALETTE[5] for v in shown]
        ax.barh(range(len(shown)), shown.to_numpy(), color=colors)
        # The panel is half the figure's height: as if it held twice the rows.
        ax.set_yticks(range(len(shown)), [str(u) for u in shown.index], fontsize=row_label_fit(2 * len(shown), height, 2.6, 9.0)[0])
        ax.set_xlim(0, 1.05)
        ax.set_xlabel("与原聚类一致的比例 share of pairings kept")
        which = f"the {len(shown)} least stable of {len(stability)} units; " if len(shown) < len(stability) else ""
        ax.set_title(f"各单位稳定性 Stability of each unit\n({which}orange: below 0.9)", fontsize=10)

        ax = axes[1, 1]
        agreement = validation.linkage_agreement
        colors = [PALETTE[1] if m == validation.method else PALETTE[0] for m in agreement["linkage"]]
        ax.bar(agreement["linkage"], agreement["ari"], color=colors)
        for x, value in enumerate(agreement["ari"]):
            ax.text(x, value, f"{value:.2f}", ha="center", va="bottom", fontsize=8)
        ax.set_ylim(min(0, float(agreement["ari"].min())) - 0.05, 1.12)
        ax.set_ylabel("ARI vs. chosen")
        ax.set_title(f"连接方法一致性 Linkage agreement\nat k={validation.k}", fontsize=10)

        verdict = {
            "stable": "稳定 stable", "partly stable": "部分稳定 partly stable", "tentative": "暂定 tentative", "unstable": "不稳定 NOT stable"
        }[validation.verdict]
        fig.suptitle(f"{title}  —  {verdict}", fontsize=13)
        fig.tight_layout()
    return fig


def plot_trends(
    trends: pd.DataFrame,
    *,
    top_n: int = 6,
    labels: Mapping[str, str] | None = None,
    title: str = "各措施提及频率 Measure mentions per 10,000 characters",
    font: str | None = None,
) -> Figure:
    """Lines of mentions per 10,000 characters by period for the ``top_n`` most mentioned measures.

    Periods without a dated document are gaps in the lines (no text, so no rate).

    Parameters
    ----------
    trends : pandas.DataFrame
        :func:`analysis.mention_trends` (``trends.csv``).
    top_n : int
        Measures drawn.
    labels : mapping or None
        Measure → label drawn instead of its name (e.g. the lexicon's English glosses).
    title : str
        The figure's title.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    table = trend_matrix(trends, top_n=top_n)
    periods = list(table.index)
    kind = str(trends["period_kind"].iloc[0]) if len(trends) else ""
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(max(7.5, min(0.16 * len(periods) + 5, 14)), 4.6))
        x = np.arange(len(periods))
        markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
        for i, measure in enumerate(table.columns):
            name = fill(labels.get(measure, measure), width=30) if labels else measure  # long glosses: a narrower legend
            ax.plot(
                x, table[measure].to_numpy(dtype=float), marker=markers[i % len(markers)], markersize=4, lw=1.6,
                color=PALETTE[i % len(PALETTE)], label=name,
            )
        step = max(1, int(np.ceil(len(periods) / 16)))
        ax.set_xticks(x[::step], [periods[i] for i in range(0, len(periods), step)], rotation=45, ha="right")
        ax.set_xlim(-0.5, len(periods) - 0.5)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("每万字提及 mentions per 10,000 chars")
        ax.set_xlabel({"day": "日 day", "month": "月 month", "year": "年 year"}.get(kind, kind))
        ax.grid(axis="y", color="#dddddd", lw=0.6)
        ax.set_axisbelow(True)
        if len(table.columns):
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
        missing = trends[(trends["measure"] == ALL) & (trends["n_chars"] == 0)]
        note = f"\n(空缺 = 该期无文本 gaps: {len(missing)} {kind}(s) without a dated document)" if len(missing) else ""
        ax.set_title(title + note, fontsize=11)
        fig.tight_layout()
    return fig


def plot_trends_grid(
    trends: pd.DataFrame,
    *,
    top_n: int = 8,
    ncols: int = 2,
    labels: Mapping[str, str] | None = None,
    title: str = "各主题提及频率 Mentions per 10,000 characters, one panel per measure",
    font: str | None = None,
) -> Figure:
    """Small multiples of :func:`plot_trends`: one panel per measure, shared axes, for long corpora.

    Parameters
    ----------
    trends : pandas.DataFrame
        :func:`analysis.mention_trends` (``trends.csv``).
    top_n : int
        Measures drawn (one panel each).
    ncols : int
        Panels per row.
    labels : mapping or None
        Measure → label drawn instead of its name (e.g. the lexicon's English glosses).
    title : str
        The figure's title.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    table = trend_matrix(trends, top_n=top_n)
    periods = list(table.index)
    x = np.arange(len(periods))
    nrows = max(1, ceil(len(table.columns) / ncols))
    step = max(1, int(np.ceil(len(periods) / 8)))
    with figure_style(font):
        fig, axes = plt.subplots(nrows, ncols, figsize=(6 * ncols, 1.9 * nrows + 1.0), sharex=True, sharey=True, squeeze=False)
        for ax in axes.flat:
            ax.set_visible(False)
        for i, (ax, measure) in enumerate(zip(axes.flat, table.columns)):
            ax.set_visible(True)
            values = table[measure].to_numpy(dtype=float)
            ax.plot(x, values, color=PALETTE[i % len(PALETTE)], marker="o", markersize=2.5, lw=1.4)
            ax.fill_between(x, values, color=PALETTE[i % len(PALETTE)], alpha=0.15)
            name = fill(labels.get(measure, measure), width=30) if labels else measure  # long glosses: a narrower legend
            ax.set_title(name, fontsize=10.5, loc="left")
            ax.grid(axis="y", color="#dddddd", lw=0.6)
            ax.set_xticks(x[::step], [periods[j] for j in range(0, len(periods), step)])
            ax.tick_params(labelsize=8)
        top = float(np.nanmax(table.to_numpy(dtype=float))) if table.size and np.isfinite(table.to_numpy(dtype=float)).any() else 1.0
        axes[0, 0].set_ylim(0, max(top, 1e-9) * 1.08)  # shared: once, after every panel is drawn
        for ax in axes[:, 0]:
            ax.set_ylabel("每万字 per 10k", fontsize=8.5)
        missing = trends[(trends["measure"] == ALL) & (trends["n_chars"] == 0)]
        note = f"\n(空缺 = 该期无文本 gaps: {len(missing)} periods without a dated document)" if len(missing) else ""
        fig.suptitle(title + note, fontsize=12)
        fig.tight_layout()
    return fig


def _adoption_order(adoption: pd.DataFrame) -> list[str]:
    """Measures adopted by anyone, earliest first adopter first, then most adopters, then lexicon order."""
    adopted = adoption[adoption["adopted"]]
    first = adopted.groupby("measure", sort=False)["first_date"].min()
    reach = adopted.groupby("measure", sort=False).size()
    order = list(dict.fromkeys(adoption["measure"]))
    return sorted(first.index, key=lambda m: (first[m], -reach[m], order.index(m)))


def _coinciding(shares: Mapping[str, np.ndarray]) -> bool:
    """Whether two curves have the same share on every date (and are not both all zero)."""
    items = [tuple(np.round(v, 9)) for v in shares.values() if len(v) and np.any(v > 0)]
    return len(set(items)) < len(items)


def _date_axis(ax, days: pd.Series) -> None:
    """The adoption curves' date axis: a little room at both ends; month-day ticks for short spans."""
    if not len(days):
        return
    span = (days.iloc[-1] - days.iloc[0]).days
    ax.set_xlim(days.iloc[0] - pd.Timedelta(days=max(1, span // 40)), days.iloc[-1] + pd.Timedelta(days=max(1, span // 40)))
    if span <= 60:
        ax.xaxis.set_major_locator(matplotlib.dates.DayLocator(interval=max(1, -(-span // 4))))  # four dates at most
        ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%m-%d"))
    else:
        locator = matplotlib.dates.AutoDateLocator(minticks=2, maxticks=4)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))


def _adoption_panels(
    curve: pd.DataFrame, chosen: list[str], shares: Mapping[str, np.ndarray], days: pd.Series, n_units: int, *,
    labels: Mapping[str, str] | None, markers: list[str], title: str, shown_all: bool, font: str | None,
) -> Figure:
    """Small multiples of the adoption curves: a panel per measure, every other chosen curve in grey behind it."""
    last = curve.groupby("measure", sort=False).tail(1).set_index("measure")
    columns = min(4, len(chosen))
    rows = -(-len(chosen) // columns)
    with figure_style(font):
        fig, axes = plt.subplots(rows, columns, figsize=(7.5, 1.3 + 1.75 * rows), sharex=True, sharey=True, squeeze=False)
        for i, measure in enumerate(chosen):
            ax = axes[i // columns][i % columns]
            for other in chosen:
                if other != measure:
                    x = pd.to_datetime(curve.loc[curve["measure"] == other, "date"])
                    ax.step(x, shares[other], where="post", lw=0.8, color="#c8c8c8")
            rows_of = curve[curve["measure"] == measure]
            x, y = pd.to_datetime(rows_of["date"]), shares[measure]
            new = rows_of["new_adopters"].to_numpy() > 0
            color = PALETTE[i % len(PALETTE)]
            ax.step(x, y, where="post", lw=1.8, color=color)
            ax.plot(x[new], y[new], ls="none", marker=markers[i % len(markers)], markersize=4, color=color)
            name = fill(labels.get(measure, measure), width=20) if labels else measure
            ax.set_title(f"{name} ({int(last.loc[measure, 'adopters'])})", fontsize=9)
            ax.set_ylim(0, 1.04)
            ax.set_yticks([0, 0.5, 1.0])
            ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
            ax.grid(axis="y", color="#dddddd", lw=0.6)
            ax.set_axisbelow(True)
            ax.tick_params(labelsize=8)
            _date_axis(ax, days)
        for j in range(len(chosen), rows * columns):
            axes[j // columns][j % columns].set_visible(False)
        for row in axes:
            row[0].set_ylabel("占比 share", fontsize=8)
        if len(days) and (days.iloc[-1] - days.iloc[0]).days <= 60:
            for ax in axes[-1]:
                ax.set_xlabel(f"日期 date ({days.iloc[0].year})", fontsize=8)
        shown = "" if shown_all else f"\n(提及单位最多的 {len(chosen)} 项措施 the {len(chosen)} most widely adopted measures)"
        fig.suptitle(f"{title}{shown}\n(括号内为单位数 units of {n_units} in brackets; 灰线为其他措施 the others in grey)", fontsize=11)
        fig.tight_layout()
    return fig


def plot_adoption(
    curve: pd.DataFrame,
    *,
    top_n: int = 8,
    labels: Mapping[str, str] | None = None,
    title: str = "措施扩散 Adoption: share of units that have mentioned each measure",
    font: str | None = None,
) -> Figure:
    """Cumulative adoption curves: one step line per measure, the share of units that have
    mentioned it by each date.

    The ``top_n`` measures with the most adopters by the last date are drawn (ties: the
    earlier adopted first), so the lines stay readable. When two of them follow the same path
    (one line would hide the other), each measure gets a panel of its own, the others drawn
    in grey behind it for comparison.

    Parameters
    ----------
    curve : pandas.DataFrame
        ``result.methods.adoption_curve`` (``adoption_curve.csv``, from
        :func:`analysis.methods.diffusion.adoption_curve`).
    top_n : int
        Measures drawn.
    labels : mapping or None
        Measure → label drawn instead of its name (e.g. the lexicon's English glosses).
    title : str
        The figure's title.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    last = curve.groupby("measure", sort=False).tail(1).set_index("measure")
    order = list(dict.fromkeys(curve["measure"]))
    first_day = curve[curve["new_adopters"] > 0].groupby("measure", sort=False)["date"].min()
    chosen = sorted(
        [m for m in order if last.loc[m, "adopters"] > 0],
        key=lambda m: (-int(last.loc[m, "adopters"]), first_day.get(m, ""), order.index(m)),
    )[:top_n]
    days = pd.to_datetime(pd.Series(sorted(set(curve["date"]))))
    n_units = int(curve["n_units"].iloc[0]) if len(curve) else 0
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    shares = {m: curve.loc[curve["measure"] == m, "share"].to_numpy(dtype=float) for m in chosen}
    if _coinciding(shares):  # lines drawn over each other: one panel per measure instead
        return _adoption_panels(curve, chosen, shares, days, n_units, labels=labels, markers=markers,
                                title=title, shown_all=len(chosen) == len(order), font=font)
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(7.5, 4.4))
        for i, measure in enumerate(chosen):
            rows = curve[curve["measure"] == measure]
            x = pd.to_datetime(rows["date"])
            # A small vertical offset per line keeps equal curves apart without misreading them.
            y = rows["share"].to_numpy(dtype=float) + (i - (len(chosen) - 1) / 2) * 0.006
            name = fill(labels.get(measure, measure), width=30) if labels else measure  # long glosses: a narrower legend
            ax.step(x, y, where="post", lw=1.6, color=PALETTE[i % len(PALETTE)], label=f"{name} ({int(last.loc[measure, 'adopters'])})")
            ax.plot(x[rows["new_adopters"].to_numpy() > 0], y[rows["new_adopters"].to_numpy() > 0], ls="none",
                    marker=markers[i % len(markers)], markersize=4.5, color=PALETTE[i % len(PALETTE)])
        ax.set_ylim(0, 1.04)
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.set_ylabel(f"已提及单位占比 share of the {n_units} units")
        if len(days):
            span = (days.iloc[-1] - days.iloc[0]).days
            ax.set_xlim(days.iloc[0] - pd.Timedelta(days=max(1, span // 40)), days.iloc[-1] + pd.Timedelta(days=max(1, span // 40)))
            if span <= 60:
                ax.xaxis.set_major_locator(matplotlib.dates.DayLocator(interval=max(1, -(-span // 6))))  # six dates at most
                ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%m-%d"))
                ax.set_xlabel(f"日期 date ({days.iloc[0].year})")
            else:
                ax.set_xlabel("日期 date")
        ax.grid(axis="y", color="#dddddd", lw=0.6)
        ax.set_axisbelow(True)
        if chosen:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False, title="措施 (单位数 units)", title_fontsize=9)
        shown = f"\n(提及单位最多的 {len(chosen)} 项措施 the {len(chosen)} most widely adopted measures)" if len(chosen) < len(order) else ""
        ax.set_title(title + shown, fontsize=11)
        fig.tight_layout()
    return fig


def plot_adoption_grid(
    adoption: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str = "首次提及日期 First mention of each measure by each unit",
    font: str | None = None,
    size: str | None = None,
) -> Figure:
    """Unit × measure grid of first-mention dates: each cell shows the date and is shaded by the
    lag behind the measure's first adopter (dark: first); blank where the unit never mentions
    it. Units (rows) are ordered by their first adoption, measures (columns) by theirs.

    Parameters
    ----------
    adoption : pandas.DataFrame
        ``result.methods.adoption`` (``adoption.csv``, from
        :func:`analysis.methods.diffusion.adoption`).
    labels : mapping or None
        Measure → label drawn instead of its name (e.g. the lexicon's English glosses).
    title : str
        The figure's title.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).
    size : str or None
        The house size it will be published at (None: the smallest), which decides whether the
        dates fit.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    measures = _adoption_order(adoption)
    adopted = adoption[adoption["adopted"]]
    unit_first = adopted.groupby("unit", sort=False)["first_date"].min()
    unit_order = list(dict.fromkeys(adoption["unit"]))
    units = sorted(unit_order, key=lambda u: (unit_first.get(u, "9999"), unit_order.index(u)))
    table = adoption.set_index(["unit", "measure"])
    lag = np.full((len(units), len(measures)), np.nan)
    text = [["" for _ in measures] for _ in units]
    dates = pd.to_datetime(adopted["first_date"])
    same_year = dates.dt.year.nunique() <= 1
    for i, unit in enumerate(units):
        for j, measure in enumerate(measures):
            row = table.loc[(unit, measure)]
            if row["adopted"]:
                lag[i, j] = float(row["lag_days"])
                day = pd.Timestamp(row["first_date"])
                text[i][j] = day.strftime("%m-%d") if same_year else str(day.year)
    columns = [labels.get(m, m) if labels else m for m in measures]
    labels_room = max(slanted_label_room(columns), 0.8)  # the slanted column labels
    height = 0.36 * len(units) + 1.6 + labels_room
    reserved = 1.6 + labels_room  # title, note and column labels: the rest is rows
    unit_size, every, pitch = row_label_fit(len(units), height, reserved, 9.0, size)
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(max(6.0, 0.42 * len(measures) + 2.2), height))
        finite = lag[np.isfinite(lag)]
        vmax = max(float(finite.max()) if finite.size else 1.0, 1.0)
        image = heatmap_cells(ax, np.ma.masked_invalid(lag), cmap="viridis", vmin=0, vmax=vmax)
        dates_fit = pitch >= 7  # 5.5 pt dates need a 7 pt row
        if dates_fit:
            for (i, j), value in np.ndenumerate(lag):
                if np.isfinite(value):
                    ax.text(j, i, text[i][j], ha="center", va="center", fontsize=5.5 if same_year else 5,
                            color="white" if value < vmax * 0.6 else "black")
        ax.set_yticks(range(0, len(units), every), units[::every], fontsize=unit_size)
        ax.set_xticks(range(len(measures)), columns, rotation=60, ha="right", fontsize=8.5)
        ax.set_xticks(np.arange(-0.5, len(measures), 1), minor=True)
        ax.set_yticks(np.arange(-0.5, len(units), 1), minor=True)
        ax.grid(which="minor", color="white", lw=1.2)
        ax.tick_params(which="minor", length=0)
        ax.spines[:].set_visible(False)
        fig.colorbar(image, ax=ax, shrink=0.7, label="晚于首个单位的天数 days after the first adopter")
        year = f" ({dates.dt.year.iloc[0]})" if same_year and len(dates) else ""
        omitted = left_out(every, "unit", "" if dates_fit or not np.isfinite(lag).any() else "dates in adoption.csv")
        ax.set_title(f"{title}{year}\n(空白 = 未提及 blank: never mentioned){omitted}", fontsize=11)
        fig.tight_layout()
    return fig


def _diverging(ax, rows: pd.DataFrame, label_a: str, label_b: str, *, note: str) -> None:
    """Bars of the log ratio, right for side A, left for side B; light when not significant."""
    rows = rows.sort_values("log_ratio", kind="stable")
    y = np.arange(len(rows))
    more_a = rows["log_ratio"].to_numpy() > 0
    colors = [
        (PALETTE[0] if a else PALETTE[5]) if significant else (_LIGHT if a else "#f4b183")
        for a, significant in zip(more_a, rows["significant"])
    ]
    values = rows["log_ratio"].to_numpy(dtype=float)
    ax.barh(y, values, color=colors, height=0.7)
    ax.set_yticks(y, rows["item"], fontsize=8.5)
    ax.axvline(0, color="#444444", lw=0.8)
    span = max(float(np.abs(values).max()) if len(values) else 1.0, 1.0)
    ax.set_xlim(-span * 1.45, span * 1.45)
    if note == "rates":
        texts = [f" {a:.1f} : {b:.1f} " for a, b in zip(rows["per_10k_chars_a"], rows["per_10k_chars_b"])]
    else:
        texts = [f" {a} : {b} " for a, b in zip(rows["count_a"], rows["count_b"])]
    for yy, value, text in zip(y, values, texts):
        ax.text(value, yy, text, va="center", ha="left" if value >= 0 else "right", fontsize=6.5, color="#444444")
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"log₂ ratio: ← 多见于 more on {label_b} | 多见于 more on {label_a} →", fontsize=8.5)


def plot_comparison(
    comparison: pd.DataFrame,
    *,
    top_n: int = 8,
    labels: Mapping[str, str] | None = None,
    title: str = "比较 Comparison",
    font: str | None = None,
) -> Figure:
    """Two panels of log ratios from :func:`analysis.compare` (``comparison.csv``): every measure
    mentioned on either side (annotated with both sides' mentions per 10,000 characters), and
    the ``top_n`` terms by G² that each side uses more (annotated with both counts). Dark bars
    are significant by the test over documents (``significant``; G² against a reference list).

    Parameters
    ----------
    comparison : pandas.DataFrame
        From :func:`analysis.compare`.
    top_n : int
        Terms drawn each way.
    labels : mapping or None
        Measure → label drawn instead of its name (e.g. the lexicon's English glosses).
    title : str
        The figure's title.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    label_a = str(comparison["side_a"].iloc[0]) if len(comparison) else "A"
    label_b = str(comparison["side_b"].iloc[0]) if len(comparison) else "B"
    measures = comparison[comparison["kind"] == "measure"]
    if labels:
        measures = measures.assign(item=[labels.get(m, m) for m in measures["item"]])
    terms = comparison[comparison["kind"] == "term"]
    top = pd.concat([terms[terms["more_on"] == label_a].head(top_n), terms[terms["more_on"] == label_b].head(top_n)])
    panels = [(measures, "rates", "措施 Measures (每万字 per 10,000 chars, A : B)")] if len(measures) else []
    panels.append((top, "counts", f"关键词 Terms: the {top_n} strongest (G²) each way (次数 counts, A : B)"))
    heights = [max(len(rows), 1) for rows, _, _ in panels]
    with figure_style(font):
        fig, axes = plt.subplots(
            len(panels), 1, figsize=(7, 0.2 * sum(heights) + 1.3 * len(panels) + 1.0), squeeze=False,
            gridspec_kw={"height_ratios": heights},
        )
        for ax, (rows, note, name) in zip(axes[:, 0], panels):
            _diverging(ax, rows, label_a, label_b, note=note)
            ax.set_title(name, fontsize=10, loc="left")
        fig.suptitle(
            f"{title}: A = {label_a}, B = {label_b}\n深色 = 显著 dark: significant ({significance_note(comparison)})",
            fontsize=11,
        )
        fig.tight_layout()
    return fig
