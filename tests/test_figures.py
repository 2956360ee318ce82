import warnings

import matplotlib.pyplot as plt
from matplotlib.ft2font import FT2Font

from analysis.viz import figures
from analysis.viz.fonts import cjk_font_path
from analysis.pipeline import draw_figures


def test_the_chosen_font_has_chinese_glyphs():
    font = FT2Font(str(cjk_font_path()))
    for char in "疫情防控外防输入鹤北分局":
        assert font.get_char_index(ord(char)) != 0, char


def test_every_figure_is_written_without_missing_glyphs(tmp_path, bulletin_analysis):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = draw_figures(bulletin_analysis, tmp_path)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    names = {p.name for p in paths}
    for name in ["document_lengths", "terms_bar", "wordcloud", "wordcloud_units", "dendrogram", "measures_heatmap", "timeline", "measures_over_time"]:
        assert f"{name}.png" in names and f"{name}.svg" in names
    for path in paths:
        assert path.stat().st_size > 5_000


def test_png_resolution_is_at_least_150_dpi(tmp_path, bulletin_analysis):
    from PIL import Image

    fig = figures.plot_term_bar(bulletin_analysis.terms)
    png, *_ = figures.save_figure(fig, tmp_path, "bar")
    plt.close(fig)
    dpi = Image.open(png).info["dpi"]
    assert dpi[0] >= 150


def test_wordcloud_draws_the_given_frequencies_only():
    array = figures._cloud({"外防输入": 10}, width=200, height=100, font=None, max_words=10)
    assert array.shape == (100, 200, 3)
    assert (array != 255).any()  # something was drawn


_BACKGROUND_SCRIPT = r"""
import sys
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

from analysis.viz import figures
from analysis.errors import AnalysisError

out = Path(sys.argv[1])

def figure():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(["外防输入", "不聚集", "三防"], [3, 2, 1])
    ax.set_title("措施 measures")
    return fig

fig = figure()
figures.save_figure(fig, out / "here", "bars")
with figures.saving_in_background():
    assert figures._background is not None, "no background writer in a single-threaded process"
    figures.save_figure(fig, out / "background", "bars")
    figures.save_figure(figure(), out / "background", "second")
(out / "broken").mkdir()
(out / "broken" / "bars.svg").mkdir()  # a folder where the SVG should go: only the child can fail
try:
    with figures.saving_in_background():
        figures.save_figure(fig, out / "broken", "bars")
except AnalysisError as error:
    print("ERROR", error)
"""


def test_figures_written_in_the_background_are_the_same_bytes_and_failures_name_the_figure(tmp_path):
    """SVG and PDF written by a forked process while the next figure is drawn: the same files,
    all there when the block ends; a failure there is an AnalysisError naming the figure."""
    import subprocess
    import sys

    script = tmp_path / "background.py"
    script.write_text(_BACKGROUND_SCRIPT, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for fmt in ("png", "svg", "pdf"):
        assert (tmp_path / "background" / f"bars.{fmt}").read_bytes() == (tmp_path / "here" / f"bars.{fmt}").read_bytes(), fmt
        assert (tmp_path / "background" / f"second.{fmt}").stat().st_size > 1000
    assert (tmp_path / "broken" / "bars.png").exists()
    assert "broken/bars: the figure could not be written: IsADirectoryError" in done.stdout, done.stdout
