"""Figures: term bars, word clouds, dendrogram, heatmap, timelines, in one house style.

Each ``plot_*`` function takes computed tables and returns a matplotlib Figure; it neither
computes statistics nor writes files. :func:`apply_house_style` then gives a figure its size
(``"slide"``: 16:9; ``"print"``: one A4/Letter text column) and a source note (corpus and date
range), and :func:`save_figure` writes PNG at 300 dpi, SVG and PDF.

The house style: every figure uses the CJK font chosen in :mod:`analysis.viz.fonts` (Noto Sans
CJK SC, word clouds included), the Okabe–Ito colour-blind-safe palette for categories and
colour-blind-safe sequential maps for counts, a title, and a grey source note bottom left.
PDFs embed the font as Type 3 glyphs: the font is CFF-flavoured OpenType, which matplotlib's
Type 42 output would declare as TrueType (an invalid PDF). Word clouds are drawn from computed
frequencies, never from re-tokenised text.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from math import ceil
from pathlib import Path
from textwrap import fill

import matplotlib.collections
import matplotlib.dates
import matplotlib.ticker
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.text import Text
from scipy.cluster.hierarchy import dendrogram
from wordcloud import WordCloud

from ..methods.clusters import Clustering
from .fonts import cjk_font_family, font_subset_file

__all__ = [
    "PALETTE",
    "FigureSize",
    "SIZES",
    "figure_style",
    "apply_house_style",
    "figure_title",
    "source_note",
    "english_labels",
    "cluster_colors",
    "contrast_on_white",
    "text_color",
    "row_label_fit",
    "most_by",
    "left_out",
    "slanted_label_room",
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
_NOTE_GREY = "#555555"


@dataclass(frozen=True)
class FigureSize:
    """A target size in inches; ``height=None`` keeps the figure's own aspect within bounds."""

    name: str
    width: float
    height: float | None = None
    min_height: float = 3.0
    max_height: float = 9.0

    def height_for(self, height: float) -> float:
        """The height a figure asked to be ``height`` inches tall gets at this size."""
        return self.height or min(max(height, self.min_height), self.max_height)


#: ``slide``: 16:9, a full widescreen slide (10 × 5.625 in; PowerPoint scales it up without loss).
#: ``print``: the text width of an A4 or Letter page with 2 cm margins; height follows the content.
SIZES: dict[str, FigureSize] = {
    "slide": FigureSize("slide", 10.0, 5.625),
    "print": FigureSize("print", 6.7),
}


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
            "axes.prop_cycle": cycler(color=PALETTE),
            "image.cmap": "viridis",
            "svg.hashsalt": "policy-analysis",
            "svg.fonttype": "path",
            "pdf.fonttype": 3,  # see the module docstring
            "figure.dpi": 100,
            "savefig.dpi": 300,
            "text.parse_math": False,  # names are data: a "$" in a unit or title is drawn, never read as TeX
        }
    ):
        yield


def figure_title(fig: Figure) -> str:
    """The figure's title: its suptitle, else the first axes title (empty if it has none)."""
    suptitle = fig._suptitle  # noqa: SLF001 (Figure.get_suptitle only exists from matplotlib 3.8)
    if suptitle is not None and suptitle.get_text():
        return suptitle.get_text()
    for ax in fig.axes:
        if ax.get_title():
            return ax.get_title()
    return ""


def source_note(corpus: str, start: object = None, end: object = None, *, tool: str = "policy-analysis") -> str:
    """The note under every figure: ``来源 Source: <corpus>, <start> – <end> · <tool>``.

    Parameters
    ----------
    corpus : str
        The corpus's name (:func:`analysis.corpus_name`).
    start, end : date, str or None
        The first and last day (:func:`analysis.date_range`); None: left out.
    tool : str
        The tool named at the end.

    Returns
    -------
    str
        The note.

    Examples
    --------
    >>> from analysis import source_note
    >>> source_note("某市公告", "2020-01-01", "2020-03-31")
    '来源 Source: 某市公告, 2020-01-01 – 2020-03-31 · policy-analysis'
    """
    dates = ""
    if start is not None and not pd.isna(start):
        first, last = str(start)[:10], str(end)[:10] if end is not None and not pd.isna(end) else str(start)[:10]
        dates = f", {first}" if first == last else f", {first} – {last}"
    return f"来源 Source: {corpus}{dates} · {tool}"


def english_labels(glosses: Mapping[str, str], *, width: int = 26, short: bool = False) -> dict[str, str]:
    """Measure name → its English gloss for international briefings (the name if it has none).

    ``short`` keeps the gloss up to its first colon or comma ("personal protection"), for labels
    written inside a chart; otherwise long glosses are wrapped at ``width`` characters.
    """
    labels = {}
    for name, gloss in glosses.items():
        text = gloss.strip() or name
        if short:
            text = text.split(":")[0].split(",")[0].strip()
        labels[name] = fill(text, width=width) if width else text  # width=0: one line
    return labels


def apply_house_style(
    fig: Figure, *, source: str = "", size: str | FigureSize = "print", title: str | None = None, font: str | None = None
) -> Figure:
    """Give ``fig`` the house size and a source note (bottom left), and check it has a title.

    ``title`` sets a figure title when the figure has none. Layout is redone for the new size,
    so save the result with ``save_figure(..., bbox_inches=None)`` to keep the size exact.
    """
    target = SIZES[size] if isinstance(size, str) else size
    if title and not figure_title(fig):
        with figure_style(font):
            fig.suptitle(title, fontsize=plt.rcParams["axes.titlesize"])
    if not figure_title(fig):
        raise ValueError("every figure needs a title (pass title=...)")
    width, height = fig.get_size_inches()
    if target.height is None:
        # Rows of bars and cells are sized by their count and the font, not by the width: keep
        # their height. Pictures (word clouds, drawn with equal aspect) scale with the width.
        pictures = any(ax.images and ax.get_aspect() == 1.0 for ax in fig.axes)
        height = height * target.width / width if pictures else height
    new_height = target.height_for(height)
    fig.set_size_inches(target.width, new_height)
    bottom = 0.0
    with figure_style(font):
        if source:
            fig.text(0.012, 0.012, source, ha="left", va="bottom", fontsize=7, color=_NOTE_GREY)
            bottom = 0.26 / new_height
        fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


def cluster_colors(labels: pd.Series) -> dict[str, str]:
    """Unit → colour of its cluster (cluster 1 gets the first palette colour)."""
    return {unit: PALETTE[(int(c) - 1) % len(PALETTE)] for unit, c in labels.items()}


def contrast_on_white(color: str) -> float:
    """WCAG 2 contrast ratio of ``color`` against white (1 to 21).

    Parameters
    ----------
    color : str
        Any matplotlib colour ("#F0E442", "black").

    Returns
    -------
    float

    Examples
    --------
    >>> round(contrast_on_white("#F0E442"), 2)  # Okabe–Ito yellow
    1.32
    >>> round(contrast_on_white("#000000"), 1)
    21.0
    """
    channels = np.asarray(matplotlib.colors.to_rgb(color))
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ [0.2126, 0.7152, 0.0722])
    return 1.05 / (luminance + 0.05)


def text_color(color: str, ratio: float = 4.5) -> str:
    """``color`` darkened (mixed with black, hue kept) until text in it meets the WCAG AA contrast
    ``ratio`` on white: Okabe–Ito yellow and orange are fine as fills but illegible as letters.

    Parameters
    ----------
    color : str
        Any matplotlib colour.
    ratio : float, default 4.5
        The contrast to reach (WCAG AA for normal text).

    Returns
    -------
    str
        A hex colour; ``color`` itself (as hex) when it is dark enough already.

    Examples
    --------
    >>> text_color("#F0E442")
    '#787221'
    >>> text_color("#0072B2")
    '#0072b2'
    """
    rgb = np.asarray(matplotlib.colors.to_rgb(color))
    for step in range(21):
        shade = rgb * (1 - step / 20)
        if contrast_on_white(shade) >= ratio:
            return matplotlib.colors.to_hex(shade)
    return "#000000"


def save_figure(
    fig: Figure,
    out_dir: str | Path,
    name: str,
    *,
    formats: Sequence[str] = ("png", "svg", "pdf"),
    dpi: int = 300,
    bbox_inches: str | None = "tight",
) -> list[Path]:
    """Write ``fig`` as ``out_dir/name.<format>`` for each format (PNG at ``dpi``); return the paths.

    Output is byte-identical from run to run (no dates in SVG/PDF metadata, fixed SVG ids).
    ``bbox_inches=None`` keeps the figure's exact size (after :func:`apply_house_style`).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.{fmt}" for fmt in formats]
    options = {"dpi": dpi, "bbox_inches": bbox_inches}
    drawable_text(fig)
    # A figure laid out once by tight_layout keeps a placeholder layout engine, which makes
    # matplotlib draw the whole figure once more before each format only to lay it out again
    # (a quarter of the saving time): the layout is already done, so save without it.
    engine = fig.get_layout_engine()
    laid_out = isinstance(engine, PlaceHolderLayoutEngine) and bbox_inches != "tight"
    if laid_out:
        fig.set_layout_engine(None)
    try:
        for path in paths:
            _write_figure(fig, path, **options)
    finally:
        if laid_out:
            fig.set_layout_engine(engine)
    return paths


#: Control characters a name may carry from the corpus or lexicon: drawn as boxes, and invalid in
#: the SVG's XML. Line breaks stay (labels are wrapped with them).
_UNDRAWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def drawable_text(fig: Figure) -> None:
    """Remove control characters from every text of ``fig`` and draw it as text, never as TeX
    (a ``$`` in a unit name): titles, labels, legends, and tick labels named by data (fixed
    and categorical formatters, which set the labels again at each draw). A figure without
    them is left as it is."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)
        if _UNDRAWABLE.search(text.get_text()):
            text.set_text(_UNDRAWABLE.sub("", text.get_text()))
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for formatter in (axis.get_major_formatter(), axis.get_minor_formatter()):
                if not getattr(formatter, "_drawable", False):  # tick labels are set again from it at each draw
                    formatter.format_ticks = partial(_drawable_ticks, formatter.format_ticks)
                    formatter._drawable = True


def _drawable_ticks(format_ticks: Callable, values: Sequence) -> list[str]:
    return [_UNDRAWABLE.sub("", label) if _UNDRAWABLE.search(label) else label for label in format_ticks(values)]


def _write_figure(fig: Figure, path: Path, *, dpi: int, bbox_inches: str | None) -> None:
    fmt = path.suffix[1:]
    metadata = {"Date": None} if fmt == "svg" else ({"CreationDate": None, "ModDate": None} if fmt == "pdf" else None)
    # zlib's fastest level: the same pixels, written in about 15 % less time, files 8 % larger.
    options = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
    with plt.rc_context({"svg.hashsalt": "policy-analysis", "svg.fonttype": "path", "pdf.fonttype": 3, "text.parse_math": False}):
        fig.savefig(path, dpi=dpi, bbox_inches=bbox_inches, metadata=metadata, facecolor="white", **options)


def plot_term_bar(terms: pd.DataFrame, *, top_n: int = 25, title: str = "最常见词语 Most frequent terms", font: str | None = None) -> Figure:
    """Horizontal bars of the ``top_n`` most frequent terms (table from ``term_frequencies``).

    Parameters
    ----------
    terms : pandas.DataFrame
        ``term, count`` (``result.terms``, ``terms.csv``), most frequent first.
    top_n : int
        Bars drawn.
    title : str
        The figure's title.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.

    Examples
    --------
    >>> import pandas as pd
    >>> import analysis
    >>> terms = pd.DataFrame({"term": ["疫情", "防控", "检查"], "count": [30, 20, 5]})
    >>> figure = analysis.plot_term_bar(terms, top_n=3)
    >>> [label.get_text() for label in figure.axes[0].get_yticklabels()]
    ['检查', '防控', '疫情']
    """
    top = terms.head(top_n).iloc[::-1]
    height = 0.28 * len(top) + 1.2
    size, _, _ = row_label_fit(len(top), height, 1.2, 10.0)  # every term named: smaller type when many
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(7, height))
        ax.barh(top["term"], top["count"], color=PALETTE[0])
        ax.tick_params(axis="y", labelsize=size)
        for y, value in enumerate(top["count"]):
            ax.text(value, y, f" {value}", va="center", fontsize=min(8.0, size))
        ax.set_xlabel("出现次数 count")
        ax.set_title(title)
        ax.margins(x=0.08)
        fig.tight_layout()
    return fig


_CLOUD_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00"]


def _cloud_color(word, font_size, position, orientation, random_state=None, **kwargs) -> str:
    """Dark Okabe–Ito colours (no pale yellow), chosen through the cloud's own random state."""
    return _CLOUD_COLORS[random_state.randint(0, len(_CLOUD_COLORS) - 1)]


#: Word clouds are laid out on a canvas this many times smaller than the image, then drawn at full
#: size: the layout (trying every word at every size and place) costs by the canvas's area, so a
#: half-size canvas is four times cheaper for the same image size, every word still placed.
_CLOUD_SCALE = 2


def _cloud(frequencies: Mapping[str, float], *, width: int, height: int, font: str | None, max_words: int) -> np.ndarray:
    """A ``height`` × ``width`` RGB word cloud (both rounded down to a multiple of ``_CLOUD_SCALE``).

    Drawn with a subset of the font holding the characters of the words it can draw (every word
    as frequent as its ``max_words``-th): the same pixels, and half the time, since wordcloud
    opens its font again for every size it tries."""
    counts = sorted(frequencies.values(), reverse=True)
    least = counts[min(max_words, len(counts)) - 1] if counts else 0
    with font_subset_file("".join(w for w, c in frequencies.items() if c >= least), font) as path:
        cloud = WordCloud(
            font_path=str(path),
            width=width // _CLOUD_SCALE,
            height=height // _CLOUD_SCALE,
            scale=_CLOUD_SCALE,
            background_color="white",
            max_words=max_words,
            prefer_horizontal=1.0,
            random_state=0,
            color_func=_cloud_color,
            relative_scaling=0.5,
            # Chinese words have no spaces: keep neighbours 8 pixels of the image apart so they read as two words.
            margin=8 // _CLOUD_SCALE,
            collocations=False,
        )
        return cloud.generate_from_frequencies(dict(frequencies)).to_array()


def plot_wordcloud(frequencies: Mapping[str, float], *, title: str = "", max_words: int = 150, font: str | None = None) -> Figure:
    """A word cloud drawn from computed frequencies (term → count).

    Parameters
    ----------
    frequencies : mapping of str to float
        Term → count (or weight).
    title : str
        The figure's title ("": none).
    max_words : int
        Most terms drawn.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.

    Examples
    --------
    >>> import analysis
    >>> figure = analysis.plot_wordcloud({"疫情": 30, "防控": 20, "检查": 5}, title="词云")
    >>> figure.axes[0].get_title()
    '词云'
    """
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
    title: str = "各单位词云 Word clouds by unit", max_groups: int = 9,
) -> Figure:
    """Small multiples: one word cloud per group (unit), groups in the given order.

    At most ``max_groups`` clouds, so each stays legible on a page: with more groups, those
    with the most words are drawn (in the given order) and the title says how many of how many.

    Parameters
    ----------
    frequencies_by_group : mapping of str to mapping
        Group → (term → count), e.g. from ``result.terms_by_unit``.
    max_words : int
        Most terms drawn per cloud.
    ncols : int
        Clouds per row.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).
    title : str
        The figure's title.
    max_groups : int
        Most clouds drawn.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    groups = [g for g, freq in frequencies_by_group.items() if freq]
    if len(groups) > max_groups:
        title = f"{title} ({max_groups} of {len(groups)}, the most words)"
        groups = most_by(groups, {g: sum(frequencies_by_group[g].values()) for g in groups}, max_groups)
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


def heatmap_cells(ax, values, **kwargs):
    """Shade cell (i, j) of ``values`` (a 2-D array, masked cells left blank) centred on x = j,
    y = i, first row at the top, as ``imshow`` would; ``kwargs`` go to ``pcolormesh``.

    The cells are vector shapes, not an image: crisp in every format and viewer, and quick to
    save, where an image is resampled to 300 dpi and compressed again for each SVG and PDF.
    """
    rows, columns = np.shape(values)
    cells = ax.pcolormesh(np.arange(columns + 1) - 0.5, np.arange(rows + 1) - 0.5, values, **kwargs)
    ax.set_xlim(-0.5, columns - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    return cells


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


def plot_dendrogram(
    clustering: Clustering, *, title: str = "单位聚类 Units clustered by measures", font: str | None = None, size: str | None = None
) -> Figure:
    """Dendrogram of the units; branches and labels coloured by cluster.

    Parameters
    ----------
    clustering : Clustering
        ``result.clustering``.
    title : str
        The figure's title.
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
    units = list(clustering.distances.index)
    link_colors = _link_colors(clustering)
    colors = cluster_colors(clustering.labels)
    height = 0.45 * len(units) + 1.5
    label_size, every, _ = row_label_fit(len(units), height, 1.5, 11.0, size)
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(7, height))
        with warnings.catch_warnings():  # every unit at distance 0: SciPy sets equal x limits (and warns); a unit axis below
            warnings.filterwarnings("ignore", message="Attempting to set identical low and high xlims")
            dendrogram(
                clustering.linkage,
                labels=units,
                orientation="left",
                link_color_func=lambda node: link_colors.get(node, _GREY),
                ax=ax,
            )
        if not np.asarray(clustering.linkage)[:, 2].any():
            ax.set_xlim(1, 0)
        ax.invert_yaxis()  # dendrogram order top to bottom, as in the heatmap
        for i, label in enumerate(ax.get_yticklabels()):
            label.set_color(text_color(colors[label.get_text()]))
            label.set_fontsize(label_size)
            label.set_visible(i % every == 0)  # many units: every second or third is named
        ax.set_xlabel(f"{clustering.metric} 距离 distance ({clustering.method} linkage)")
        ax.set_title(title + left_out(every, "unit", "every unit in clusters.csv" if every > 1 else ""))
        handles = [plt.Line2D([], [], color=PALETTE[(c - 1) % len(PALETTE)], lw=3) for c in range(1, clustering.k + 1)]
        ax.legend(handles, [f"类 cluster {c}" for c in range(1, clustering.k + 1)], loc="lower left", fontsize=8, frameon=False)
        fig.tight_layout()
    return fig


def plot_measure_heatmap(
    matrix: pd.DataFrame,
    clustering: Clustering | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    row_labels: Mapping[str, str] | None = None,
    title: str | None = None,
    font: str | None = None,
    size: str | None = None,
    chars: Mapping[str, int] | None = None,
) -> Figure:
    """Unit × measure heatmap, rows in dendrogram order, clusters marked; units left out of the
    clustering (no measure mentioned) come last, in grey.

    Without ``chars`` the cells are mention counts, titled as mentions. With ``chars`` the shade
    is mentions per 10,000 characters, what "emphasis" means when texts differ in length, with
    the counts still written in the cells; a row with under a tenth of the median row's text
    (``MIN_SHARE_OF_MEDIAN``) is left unshaded (its counts stay): a rate from a scrap of text is
    not emphasis. Many rows get smaller labels, then every second or third label, and no counts
    in the cells, so that nothing overlaps at the house ``size``.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Unit × measure mention counts (``result.measures``).
    clustering : Clustering or None
        ``result.clustering``: rows in its dendrogram order, clusters marked; None: rows as given.
    labels : mapping or None
        Measure → label drawn instead of its name (e.g. the lexicon's English glosses).
    row_labels : mapping or None
        Row → label (e.g. documents, when a corpus has no units).
    title : str or None
        The figure's title; None: one saying what the cells are.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).
    size : str or None
        The house size it will be published at, "print" or "slide" (None: the smallest), which
        sets how small labels may get.
    chars : mapping of str to int or None
        Each row's characters of text (:func:`analysis.text_lengths`): shade by rate.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.

    Examples
    --------
    >>> import pandas as pd
    >>> import analysis
    >>> counts = pd.DataFrame({"三防": [2, 0], "不聚集": [1, 3]}, index=pd.Index(["鹤北", "林口"], name="unit"))
    >>> figure = analysis.plot_measure_heatmap(counts)
    >>> [label.get_text() for label in figure.axes[0].get_xticklabels()]
    ['三防', '不聚集']
    """
    from ..methods.evidence import MIN_SHARE_OF_MEDIAN

    order = list(clustering.order) if clustering is not None else list(matrix.index)
    order += [unit for unit in matrix.index if unit not in set(order)]
    data = matrix.loc[order]
    per_10k = chars is not None
    if title is None:
        what = "文档" if row_labels else "单位"
        title = (
            f"各{what}强调的措施 Emphasis by {'document' if row_labels else 'unit'}\n(每万字提及 mentions per 10,000 characters)"
            if per_10k
            else f"各{what}提及的措施 Mentions by {'document' if row_labels else 'unit'}"
        )
    shade = data.to_numpy(dtype=float)
    scraps = 0
    if per_10k:
        sizes = np.array([float(chars.get(r, 0)) for r in order])
        with np.errstate(divide="ignore", invalid="ignore"):
            shade = shade / sizes[:, None] * 10_000
        thin = sizes < MIN_SHARE_OF_MEDIAN * float(np.median(sizes)) if len(sizes) else np.zeros(0, bool)
        shade[thin] = np.nan
        scraps = int(thin.sum())
    columns = [labels.get(c, c) if labels else c for c in data.columns]
    labels_room = max(slanted_label_room(columns), 0.6)  # the slanted column labels
    height = 0.45 * len(order) + 1.6 + labels_room
    reserved = 1.6 + labels_room  # title, note and column labels: the rest is rows
    row_size, every, pitch = row_label_fit(len(order), height, reserved, 10.0, size)
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(0.55 * len(columns) + 2.5, height))
        image = heatmap_cells(ax, np.ma.masked_invalid(shade), cmap="YlGnBu", vmin=0)
        ax.set_xticks(range(len(columns)), columns, rotation=60, ha="right", rotation_mode="anchor")
        names = [row_labels.get(r, r) if row_labels else r for r in order]
        ax.set_yticks(range(0, len(order), every), names[::every], fontsize=row_size)
        finite = shade[np.isfinite(shade)]
        vmax = max(float(finite.max()) if finite.size else 1.0, 1e-9)
        counts_fit = pitch >= 10  # 8 pt counts need a 10 pt row
        if counts_fit:
            for (i, j), value in np.ndenumerate(data.to_numpy()):
                if value:
                    dark = np.isfinite(shade[i, j]) and shade[i, j] > vmax * 0.55
                    ax.text(j, i, str(value), ha="center", va="center", fontsize=8, color="white" if dark else "black")
        if clustering is not None:
            colors = cluster_colors(clustering.labels)
            for tick, unit in zip(ax.get_yticklabels(), order[::every]):
                tick.set_color(text_color(colors.get(unit, _GREY)))
            clusters = [int(clustering.labels[u]) if u in clustering.labels.index else 0 for u in order]
            for i in range(1, len(order)):
                if clusters[i] != clusters[i - 1]:
                    ax.axhline(i - 0.5, color="black", lw=1.2)
        ax.spines[:].set_visible(False)
        if per_10k:
            fig.colorbar(image, ax=ax, shrink=0.6, label="每万字提及 per 10,000 chars\n(格中数字 = 次数 cell numbers: counts)")
        else:
            fig.colorbar(image, ax=ax, shrink=0.6, label="提及次数 mentions", ticks=matplotlib.ticker.MaxNLocator(nbins="auto", integer=True))  # counts: whole numbers, as many as fit
        dropped = "" if counts_fit or not data.to_numpy().any() else "counts in measures.csv"
        thin_note = f"\n(空白行 = 文本过短 blank rows: {scraps} with under a tenth of the median text, counts only)" if scraps else ""
        ax.set_title(title + left_out(every, "document" if row_labels else "unit", dropped) + thin_note)
        fig.tight_layout()
    return fig


_LANE_STEP = 0.7  # a unit's next lane, in rows: nearer than the next unit (1 row), so its lanes read as one band
_MAX_LANES = 5  # a unit that needs more lanes to label every report is drawn on one lane, unlabelled
_BAR_HEIGHT = 0.55
_LABEL_SIZE = 8.5
_LABEL_GAP = timedelta(hours=3)  # between a bar's end and its label
_LABEL_PAD = 4 / 72  # inches of clear space kept after a label and between lanes


@dataclass(frozen=True)
class _TimelineLayout:
    lanes: list[int]  # per report, its lane in its unit's band
    bands: dict[str, int]  # unit → number of lanes
    labelled: list[bool]  # per report, whether its label is drawn
    right: pd.Timestamp  # right end of the date axis, with room for the last labels


def _house_extremes(height: float) -> tuple[float, float]:
    """The narrowest width and the shortest height a house size gives a figure ``height`` inches tall."""
    width = min(s.width for s in SIZES.values())
    shortest = min(s.height_for(height) for s in SIZES.values())
    return width, shortest


def most_by(items: Sequence[str], score: Mapping[str, float], n: int) -> list[str]:
    """The ``n`` items of highest ``score`` (ties: the earlier), kept in their given order: the
    panels a crowded small-multiples figure draws."""
    ranked = sorted(range(len(items)), key=lambda i: (-round(float(score[items[i]]), 9), i))
    return [items[i] for i in sorted(ranked[:n])]


def left_out(every: int, rows: str, *also: str) -> str:
    """A second title line for a crowded figure: which names it skips (``every`` > 1) and what
    else it leaves out (``also``, e.g. "counts in measures.csv"); "" when it leaves out nothing."""
    parts = [f"every {({2: 'second', 3: 'third'}).get(every, f'{every}th')} {rows} named"] if every > 1 else []
    parts += [part for part in also if part]
    return f"\n(略 omitted: {'; '.join(parts)})" if parts else ""


def slanted_label_room(labels: Sequence[str]) -> float:
    """Inches the longest of ``labels`` takes when slanted at 60° under an axis: about 0.07 in per
    Latin character and 0.14 in per Chinese one, its longest line counted."""
    lines = (line for label in labels for line in str(label).split("\n"))
    return max((sum(0.14 if ord(ch) > 0x2E80 else 0.07 for ch in line) for line in lines), default=0) * 0.87


def row_label_fit(
    n_rows: int, height: float, reserved: float, largest: float, size: str | None = None
) -> tuple[float, int, float]:
    """Font size and step for the labels of ``n_rows`` rows in a figure asked to be ``height``
    inches tall, ``reserved`` of them not rows (title, axis labels, note): the rows' pitch at the
    house ``size`` the figure is published at (None: the shortest) sets the size (``largest`` at
    most, 5 pt at least); rows too close even for 5 pt get every second or third label, so that
    labels never overlap. Also returns the pitch (points)."""
    published = _house_extremes(height)[1] if size is None else SIZES[size].height_for(height)
    pitch = (published - reserved) / max(n_rows, 1) * 72
    size = min(largest, max(5.0, 0.8 * pitch))
    return size, max(1, int(np.ceil(size * 1.15 / max(pitch, 0.1)))), pitch


def _pack_lanes(spans: Sequence[tuple[float, float]]) -> list[int]:
    """Lane of each (start, end) span: taken in order of start, each goes in the first lane free by
    then, which uses as few lanes as any arrangement can."""
    ends: list[float] = []
    lanes = [0] * len(spans)
    for i in sorted(range(len(spans)), key=lambda i: spans[i][0]):
        start, end = spans[i]
        lane = next((k for k, last in enumerate(ends) if last <= start), len(ends))
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = end
        lanes[i] = lane
    return lanes


def _timeline_frame(
    ax, ticks: Sequence[float], *, units: Sequence[str], left: pd.Timestamp, right: pd.Timestamp, colors: Mapping[str, str],
    labels: pd.Series | None, title: str,
) -> None:
    """Everything around the timeline's bars: unit names at ``ticks``, date axis, grid, cluster legend, title."""
    rows = (max(ticks) + 1) if len(ticks) else 1  # bands are a row apart or more
    size, _, _ = row_label_fit(int(np.ceil(rows)), 0.5 * rows + 1.6, 1.6, 10.0)
    ax.set_yticks(list(ticks), list(units), fontsize=size)
    ax.invert_yaxis()
    for tick, unit in zip(ax.get_yticklabels(), units):
        tick.set_color(text_color(colors.get(unit, "black")))
    ax.set_xlim(left, right)
    ax.xaxis.set_major_locator(matplotlib.dates.AutoDateLocator(minticks=3, maxticks=12))
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    ax.set_axisbelow(True)
    if labels is not None:
        k = int(labels.max())
        handles = [plt.Rectangle((0, 0), 1, 1, color=PALETTE[(c - 1) % len(PALETTE)]) for c in range(1, k + 1)]
        # Outside the axes, top right: never over a report's label.
        ax.legend(
            handles, [f"类 cluster {c}" for c in range(1, k + 1)], loc="upper left", bbox_to_anchor=(1.0, 1.0),
            fontsize=8, frameon=False,
        )
    ax.set_title(title)


def _timeline_layout(
    units: Sequence[str], rows: Sequence[tuple[str, pd.Timestamp, pd.Timestamp, str]], frame: Callable[..., None],
    *, left: pd.Timestamp, right: pd.Timestamp, widen: bool = True,
) -> _TimelineLayout:
    """Lanes and label room for the timeline, measured on a scratch figure at the narrowest house width.

    ``rows`` holds (unit, start, end, label) per report; ``frame(ax, ticks, right=...)`` draws the
    axes' surroundings, whose width decides how many days a label covers. Reports of one unit whose
    bar and label would meet go in separate lanes, and the date axis is widened until the last
    labels fit. A unit needing more than ``_MAX_LANES`` lanes, or whose lanes would be too close
    for the labels at the shortest house height, is drawn on one lane without labels.
    """
    width, _ = _house_extremes(0.5 * len(units) + 1.6)
    fig, ax = plt.subplots(figsize=(width, 0.5 * len(units) + 1.6))
    frame(ax, range(len(units)), right=right)
    fig.tight_layout()
    renderer = fig.canvas.get_renderer()
    size: dict[str, tuple[float, float]] = {}  # label → (width, height) in inches
    for text in {r[3] for r in rows if r[3]}:
        box = Text(0, 0, text, fontsize=_LABEL_SIZE, figure=fig).get_window_extent(renderer)
        size[text] = (box.width / fig.dpi, box.height / fig.dpi)
    axes_width = ax.get_window_extent(renderer).width / fig.dpi
    # Title, date ticks, a note under the axis and the source note: what the bands cannot use.
    surround = fig.get_size_inches()[1] - ax.get_window_extent(renderer).height / fig.dpi + 0.2 + 0.26
    plt.close(fig)
    gap = _LABEL_GAP / timedelta(days=1)

    def day(t: pd.Timestamp) -> float:
        return (t - left) / timedelta(days=1)

    labelled = [bool(text) and size[text][0] + _LABEL_PAD < axes_width for *_, text in rows]
    # Widen the axis until every label ends inside it: (label x) · inches per day + width ≤ axes width.
    days = day(right)
    for (_, _, end, text), shown in zip(rows, labelled):
        if shown and widen:
            days = max(days, (day(end) + gap) * axes_width / (axes_width - size[text][0] - _LABEL_PAD))
    per_inch = days / axes_width
    if not widen:  # the axis ends at the data: a label that would pass its end is left out
        labelled = [shown and (day(end) + gap) / per_inch + size[text][0] + _LABEL_PAD <= axes_width
                    for (_, _, end, text), shown in zip(rows, labelled)]

    members: dict[str, list[int]] = {unit: [] for unit in units}  # unit → its reports
    for i, (unit, *_) in enumerate(rows):
        members[unit].append(i)
    lanes = [0] * len(rows)
    bands: dict[str, int] = {}
    for unit in units:
        spans = []
        for i in members[unit]:
            _, start, end, text = rows[i]
            reach = day(end) + (gap + (size[text][0] + _LABEL_PAD) * per_inch if labelled[i] else 0.0)
            spans.append((day(start), reach))
        packed = _pack_lanes(spans)
        if max(packed) + 1 > _MAX_LANES:
            packed = [0] * len(packed)
            for i in members[unit]:
                labelled[i] = False
        for i, lane in zip(members[unit], packed):
            lanes[i] = lane
        bands[unit] = max(packed) + 1

    def row_inches() -> float:
        """Height of one row at the shortest house height (the y axis has 5 % margins)."""
        total = sum(1 + _LANE_STEP * (n - 1) for n in bands.values())
        _, shortest = _house_extremes(0.5 * total + 1.6)
        return (shortest - surround) / ((total - 1 + _BAR_HEIGHT) * 1.1)

    def tallest() -> float:
        return max((size[r[3]][1] for r, shown in zip(rows, labelled) if shown), default=0.0)

    # Lanes squeezed too close for the labels: give up the lanes of the most stacked unit first.
    while max(bands.values()) > 1 and _LANE_STEP * row_inches() < tallest() + _LABEL_PAD:
        unit = max(units, key=lambda u: bands[u])
        bands[unit] = 1
        for i in members[unit]:
            lanes[i], labelled[i] = 0, False
    if row_inches() < tallest() + _LABEL_PAD:  # even one lane per unit leaves no room
        labelled = [False] * len(rows)
    if not any(labelled) and widen:  # the room kept for labels would stay empty
        days = max(day(end) for _, _, end, _ in rows) + 0.5
    return _TimelineLayout(lanes=lanes, bands=bands, labelled=labelled, right=left + timedelta(days=days))


def _date_bars(ax, ys: Sequence[float], spans: Sequence[tuple[pd.Timestamp, pd.Timestamp]], colors: Sequence) -> None:
    """Horizontal bars over date ranges, centred on ``ys``, as one collection: drawn in one
    pass however many reports there are (12,000 bars as separate patches took seconds)."""
    ax.xaxis_date()
    starts = matplotlib.dates.date2num([start for start, _ in spans]) if spans else np.zeros(0)
    ends = matplotlib.dates.date2num([end for _, end in spans]) if spans else np.zeros(0)
    y = np.asarray(ys, dtype=float)
    low, high = y - _BAR_HEIGHT / 2, y + _BAR_HEIGHT / 2
    corners = np.stack([np.stack([starts, low], 1), np.stack([starts, high], 1), np.stack([ends, high], 1), np.stack([ends, low], 1)], 1)
    bars = matplotlib.collections.PolyCollection(
        corners, facecolors=list(colors), edgecolors="white", linewidths=matplotlib.rcParams["patch.linewidth"]
    )
    ax.add_collection(bars)
    ax.autoscale_view()


#: A bar narrower than this (inches, at the narrowest house width) is not seen: the timeline then
#: draws each report over its week, month or year.
_MIN_BAR_INCHES = 0.05
_AXES_INCHES = 6.0  # the timeline's axes at the narrowest house width, about
_PERIODS = (("W", 7), ("M", 31), ("Y", 366))
_PERIOD_NOTES = {
    "W": "每条为所在周 · each bar spans its report's week",
    "M": "每条为所在月 · each bar spans its report's month",
    "Y": "每条为所在年 · each bar spans its report's year",
}


def _timeline_period(span: timedelta) -> str | None:
    """None when a day is wide enough to see over ``span``, else the shortest period that is
    ("W", "M" or "Y")."""
    days_per_inch = (span / timedelta(days=1)) / _AXES_INCHES
    if days_per_inch * _MIN_BAR_INCHES <= 1:
        return None
    return next((code for code, days in _PERIODS if days_per_inch * _MIN_BAR_INCHES <= days), "Y")


def _period_bounds(start: pd.Timestamp, end: pd.Timestamp, period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """From the start of ``start``'s period to the end of the period of the report's last day."""
    last = end - timedelta(days=1)
    return start.to_period(period).start_time, (last.to_period(period) + 1).start_time


def plot_timeline(
    reports: pd.DataFrame,
    *,
    labels: pd.Series | None = None,
    leading: Mapping[str, str] | None = None,
    title: str = "各单位报告时间线 Reports by unit over time",
    font: str | None = None,
) -> Figure:
    """One band per unit; each report drawn over its date range, coloured by its unit's cluster.

    Labels never overlap: a unit's reports that are too close for their labels (daily reports,
    two on one day) are stacked in up to five lanes of its band. A unit that would need more
    lanes, or a chart too crowded to stack them, keeps its bars but loses its labels, and a note
    under the axis says how many reports went unlabelled (with no label left, the date axis ends
    half a day after the last report). The layout is measured at the narrowest width and the
    shortest height that :func:`apply_house_style` can give the figure.

    Reports sparse over a long span (a day narrower than a twentieth of an inch) are drawn over
    their week, month or year, as a note under the axis says; the axis then ends at the data,
    and a label that would pass its end is left out (and counted in the note).

    Parameters
    ----------
    reports : pandas.DataFrame
        ``doc_id, unit, date_start, date_end`` (and optionally ``date_note``): the documents
        table.
    labels : pandas.Series or None
        Unit → cluster, for the colours (``result.clustering.labels``).
    leading : mapping or None
        doc_id → a short label written beside its bar (:func:`analysis.leading_measures`).
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
    reports = reports.dropna(subset=["date_start"])
    reports = reports[reports["unit"].astype(bool)]
    units = list(dict.fromkeys(reports.sort_values(["date_start", "doc_id"])["unit"]))
    colors = cluster_colors(labels) if labels is not None else {}
    notes = reports["date_note"] if "date_note" in reports else [""] * len(reports)
    rows = []  # (unit, start, end, label) per report, in the given order
    for unit, doc_id, first, last, note in zip(reports["unit"], reports["doc_id"], reports["date_start"], reports["date_end"], notes):
        text = leading.get(doc_id, "") if leading else ""
        if isinstance(note, str) and note:
            text = f"({note}) {text}"
        end = pd.Timestamp(last if pd.notna(last) else first) + timedelta(days=1)
        rows.append((unit, pd.Timestamp(first), end, text))
    span_start = min(start for _, start, _, _ in rows)
    span_end = max(end for _, _, end, _ in rows)
    period = _timeline_period(span_end - span_start)
    if period is not None:  # sparse over a long span: each bar widened to its period, the axis ends at the data
        rows = [(unit, *_period_bounds(start, end, period), text) for unit, start, end, text in rows]
        span_start = min(start for _, start, _, _ in rows)
        span_end = max(end for _, _, end, _ in rows)
        margin = (span_end - span_start) * 0.02
        left, right = span_start - margin, span_end + margin
    else:
        left = span_start - timedelta(days=0.5)
        right = span_end + (span_end - span_start) * 0.3 + timedelta(days=1.5)
    frame = partial(_timeline_frame, units=units, left=left, colors=colors, labels=labels, title=title)
    with figure_style(font):
        layout = _timeline_layout(units, rows, frame, left=left, right=right, widen=period is None)
        top: dict[str, float] = {}  # unit → y of its first lane
        height = 0.0
        for unit in units:
            top[unit] = height
            height += 1 + _LANE_STEP * (layout.bands[unit] - 1)
        fig, ax = plt.subplots(figsize=(10, 0.5 * height + 1.6))
        ys = [top[unit] + _LANE_STEP * lane for (unit, *_), lane in zip(rows, layout.lanes)]
        _date_bars(ax, ys, [(start, end) for _, start, end, _ in rows], [colors.get(unit, _GREY if colors else PALETTE[0]) for unit, *_ in rows])
        for (_, _, end, text), y, shown in zip(rows, ys, layout.labelled):
            if shown:
                ax.text(end + _LABEL_GAP, y, text, va="center", fontsize=_LABEL_SIZE)
        unlabelled = sum(1 for (*_, text), shown in zip(rows, layout.labelled) if text and not shown)
        messages = [_PERIOD_NOTES[period]] if period is not None else []
        if unlabelled:
            messages.append(f"{unlabelled} 份报告未标注 · {unlabelled} reports unlabelled (no room)")
        if messages:
            # Left-aligned: the date axis writes its year and month at the right end.
            ax.set_xlabel("; ".join(messages), loc="left", fontsize=8, color=_NOTE_GREY)
        frame(ax, [top[u] + _LANE_STEP * (layout.bands[u] - 1) / 2 for u in units], right=layout.right)
        fig.tight_layout()
    return fig


_MAX_ANNOTATED_PERIODS = 24
_MAX_PERIOD_TICKS = 16


def plot_measures_over_time(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    value: str = "mentions",
    font: str | None = None,
    too_little: Sequence[str] = (),
) -> Figure:
    """Measure × period grid (rows: measures, columns: periods), cells shaded by ``value``.

    Mentions per 10,000 characters are what to show when periods differ in length: a long report
    mentions everything more. A period without text (no rate) is left blank.

    Parameters
    ----------
    table : pandas.DataFrame
        Period × measure: mention counts (``value="mentions"``, e.g. ``result.by_period``) or
        mentions per 10,000 characters (``value="per_10k_chars"``, e.g. :func:`analysis.trend_matrix`).
    labels : mapping or None
        Measure → label drawn instead of its name (e.g. the lexicon's English glosses).
    title : str or None
        The figure's title; None: one saying what the cells are.
    value : str
        "mentions" or "per_10k_chars": what the cells hold.
    font : str or None
        A font file or family for the Chinese text; None: the house font (Noto Sans CJK SC, or
        ``POLICY_ANALYSIS_FONT``).
    too_little : sequence of str
        Periods whose text is too short for a rate (see :mod:`analysis.methods.evidence`): their
        columns are greyed and unshaded, and the title says how many, so one mention in a scrap
        of text is never the darkest cell.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, not saved: :func:`analysis.publish_figure` saves it in the house style.
    """
    per_10k = value == "per_10k_chars"
    if value not in {"mentions", "per_10k_chars"}:
        raise ValueError(f"value must be 'mentions' or 'per_10k_chars', not {value!r}")
    if title is None:
        title = "各措施每万字提及次数 Measure mentions per 10,000 characters, by period" if per_10k else "各措施提及时间 Measures mentioned over time"
    data = table.T.astype(float)
    data = data[data.fillna(0).sum(axis=1) > 0]
    rows = [labels.get(m, m) if labels else m for m in data.index]
    periods = [str(p) for p in data.columns]
    thin = [j for j, p in enumerate(periods) if p in set(map(str, too_little))]
    if thin:
        data.iloc[:, thin] = np.nan
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(max(5.5, 0.7 * len(periods) + 3), 0.36 * len(rows) + 1.8))
        values = data.to_numpy()
        image = heatmap_cells(ax, np.ma.masked_invalid(values), cmap="YlOrRd", vmin=0)
        for j in thin:
            ax.axvspan(j - 0.5, j + 0.5, color="#e6e6e6", zorder=0.5, lw=0)
        finite = values[np.isfinite(values)]
        vmax = max(float(finite.max()) if finite.size else 1.0, 1.0)
        if len(periods) <= _MAX_ANNOTATED_PERIODS:  # beyond that the numbers cannot fit in their cells
            for (i, j), cell in np.ndenumerate(values):
                if np.isfinite(cell) and cell:
                    text = f"{cell:.0f}" if not per_10k or cell >= 10 else f"{cell:.1f}"
                    ax.text(j, i, text, ha="center", va="center", fontsize=8 if not per_10k else 7, color="white" if cell > vmax * 0.55 else "black")
        ax.set_yticks(range(len(rows)), rows)
        step = max(1, ceil(len(periods) / _MAX_PERIOD_TICKS))  # e.g. every 5th year over seven decades
        ticks = list(range(0, len(periods), step))
        rotate = len(ticks) > 6
        ax.set_xticks(ticks, [periods[t] for t in ticks], rotation=45 if rotate else 0, ha="right" if rotate else "center")
        ax.spines[:].set_visible(False)
        fig.colorbar(image, ax=ax, shrink=0.6, label="每万字提及 mentions per 10,000 chars" if per_10k else "提及次数 mentions")
        gaps = int(np.isnan(values).all(axis=0).sum()) - len(thin) if per_10k and values.size else 0
        note = f"\n(空白列 = 该期无文本 blank columns: {gaps} period(s) without a dated document)" if gaps else ""
        if thin:
            note += f"\n(灰列 = 文本过少 grey: {len(thin)} period(s) with too little text for a rate)"
        if note:
            ax.set_title(title + note, fontsize=11)
        else:
            ax.set_title(title)
        fig.tight_layout()
    return fig


def _document_label(doc, *, titled: bool) -> str:
    """A bar label a reader recognises: the unit; else its own title (a corpus of records)."""
    if doc.unit:
        return str(doc.unit)
    title = str(getattr(doc, "title", "") or "")
    if titled and title:
        return title if len(title) <= 18 else title[:17] + "…"
    if getattr(doc, "kind", "") == "summary":
        return f"概述 summary #{str(doc.doc_id).rsplit('-', 1)[-1]}"
    return str(doc.doc_id)


def plot_document_lengths(
    documents: pd.DataFrame, *, title: str = "各文档长度 Document lengths", font: str | None = None, size: str | None = None
) -> Figure:
    """Characters per document, labelled by unit (or doc_id) and coloured by kind (report/summary);
    more than 40 documents, their distribution (a histogram, stacked by kind).

    Parameters
    ----------
    documents : pandas.DataFrame
        The documents table (``doc_id, unit, kind, n_chars``).
    title : str
        The figure's title.
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
    frame = documents.reset_index(drop=True)
    kinds = (("report", PALETTE[0], "报告 report"), ("summary", _GREY, "概述 summary"))
    if len(frame) > 40:
        with figure_style(font):
            fig, ax = plt.subplots(figsize=(7, 4.2))
            present = [(k, c, name) for k, c, name in kinds if (frame["kind"] == k).any()]
            ax.hist([frame.loc[frame["kind"] == k, "n_chars"] for k, _, _ in present], bins=30, stacked=True,
                    color=[c for _, c, _ in present], label=[name for _, _, name in present])
            ax.set_xlabel("字数 characters")
            ax.set_ylabel("文档数 documents")
            ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))  # documents: whole numbers
            ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
            ax.legend(loc="upper right", fontsize=8, frameon=False)
            ax.set_title(f"{title}: {len(frame):,} documents")
            fig.tight_layout()
        return fig
    titled = "title" in documents and documents["title"].fillna("").astype(bool).all() and documents["title"].is_unique
    labels = [_document_label(row, titled=titled) for row in frame.itertuples(index=False)]
    colors = [PALETTE[0] if k == "report" else _GREY for k in frame["kind"]]
    height = 0.3 * len(frame) + 1.3
    label_size, every, _ = row_label_fit(len(frame), height, 1.3, 9.0, size)
    with figure_style(font):
        fig, ax = plt.subplots(figsize=(7, height))
        ax.barh(range(len(frame)), frame["n_chars"], color=colors)
        ax.set_yticks(range(0, len(frame), every), labels[::every], fontsize=label_size)
        ax.invert_yaxis()
        ax.set_xlabel("字数 characters")
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for _, c, _ in kinds]
        ax.legend(handles, [name for _, _, name in kinds], loc="lower right", fontsize=8, frameon=False)
        ax.set_title(title + left_out(every, "document"))
        fig.tight_layout()
    return fig
