import json

import matplotlib.pyplot as plt
import pytest
from matplotlib.ft2font import FT2Font

from analysis.outputs.cli import main
from analysis.viz import figures
from analysis.viz.fonts import cjk_font_path


def test_the_chosen_font_has_chinese_glyphs():
    font = FT2Font(str(cjk_font_path()))
    for char in "疫情防控外防输入鹤北分局":
        assert font.get_char_index(ord(char)) != 0, char


def test_every_figure_is_written_without_missing_glyphs(bulletin_run):
    out, caught = bulletin_run
    assert [m for m in caught if "missing from font" in m] == []
    paths = sorted((out / "figures").iterdir())
    names = {p.name for p in paths}
    for name in ["document_lengths", "terms_bar", "wordcloud", "wordcloud_units", "dendrogram", "measures_heatmap", "timeline", "measures_over_time"]:
        assert f"{name}.png" in names, name
    assert {p.suffix for p in paths} == {".png"}  # `run` writes PNG only unless --formats asks for more
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


def test_a_cloud_drawn_with_the_font_subset_has_the_pixels_of_the_whole_font(monkeypatch):
    import contextlib

    import numpy as np

    # Words of unequal frequency (several sizes tried, the first word shrunk), more than max_words of them:
    # "外" and "输" are only in the words that can be drawn, "零" only in one that cannot.
    frequencies = {"外防输入": 40, "疫情防控": 25, "督导检查": 25, "林区": 12, "分局": 9, "疫情": 7, "零星": 1}
    subset = figures._cloud(frequencies, width=300, height=160, font=None, max_words=6)
    seen = []

    @contextlib.contextmanager
    def whole_font(text, font):
        seen.append(text)
        yield cjk_font_path(font)

    monkeypatch.setattr(figures, "font_subset_file", whole_font)
    whole = figures._cloud(frequencies, width=300, height=160, font=None, max_words=6)
    assert "外" in seen[0] and "零" not in seen[0]  # the subset holds the drawable words' characters only
    assert np.array_equal(subset, whole)
    assert (whole != 255).any()




def test_heatmap_cells_are_vector_cells_laid_out_like_an_image():
    import numpy as np

    fig, ax = plt.subplots()
    values = np.ma.masked_invalid([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]])
    cells = figures.heatmap_cells(ax, values, vmin=0)
    assert len(ax.images) == 0  # nothing for SVG and PDF to resample
    assert len(cells.get_paths()) == 6 and np.ma.count_masked(cells.get_array()) == 1  # the NaN stays blank
    assert ax.get_xlim() == (-0.5, 2.5) and ax.get_ylim() == (1.5, -0.5)  # cell (i, j) at x = j, y = i, first row on top
    plt.close(fig)


def _text_overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of texts of the first axes (row labels, cell counts, title) whose boxes overlap, as saved.
    (The slanted column labels are left out: their upright boxes overlap where the letters do not.)"""
    from itertools import combinations

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    texts = [*ax.texts, *ax.get_yticklabels(), ax.title]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_visible() and t.get_text().strip()]
    return [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]


def test_a_heatmap_of_many_documents_has_no_overlapping_labels_at_any_size():
    import numpy as np
    import pandas as pd

    from analysis.viz.publish import document_labels

    ids = [f"government_work_reports-{i:03d}" for i in range(1, 73)]
    documents = pd.DataFrame({"doc_id": ids, "date_start": [pd.Timestamp(2026 - i, 1, 1).date() for i in range(1, 73)]})
    labels = document_labels(documents)
    assert labels["government_work_reports-001"] == "001 · 2025" and labels["government_work_reports-072"] == "072 · 1954"
    counts = np.random.default_rng(5).integers(0, 300, (72, 19))
    matrix = pd.DataFrame(counts, index=ids, columns=[f"措施{j}" for j in range(19)])
    for size in ["print", "slide"]:
        fig = figures.plot_measure_heatmap(matrix, row_labels=labels, title="各文档强调的措施 Measures by document")
        figures.apply_house_style(fig, source="来源 Source: test", size=size)
        try:
            assert _text_overlaps(fig) == [], size
            shown = [t.get_text() for t in fig.axes[0].get_yticklabels()]
            assert shown[0] == "001 · 2025" and len(shown) >= 24  # every second or third document named
        finally:
            plt.close(fig)
    few = figures.plot_measure_heatmap(matrix.iloc[:6])  # a few rows: every row named, every count written
    try:
        assert len(few.axes[0].get_yticklabels()) == 6 and len(few.axes[0].texts) == int((counts[:6] > 0).sum())
    finally:
        plt.close(few)


def test_a_dendrogram_of_many_units_has_no_overlapping_labels_and_a_small_one_keeps_them_all():
    import numpy as np
    import pandas as pd

    from analysis.methods.clusters import cluster_units

    rng = np.random.default_rng(3)
    for n, named in [(9, 9), (60, 30)]:
        units = [f"单位{i:02d}分局" for i in range(n)]
        matrix = pd.DataFrame(rng.integers(0, 4, (n, 12)) * (rng.random((n, 12)) > 0.5), index=units, columns=[f"措施{j}" for j in range(12)])
        clustering = cluster_units(matrix)
        for size in ["print", "slide"]:
            fig = figures.plot_dendrogram(clustering)
            figures.apply_house_style(fig, source="来源 Source: test", size=size)
            try:
                assert _text_overlaps(fig) == [], (n, size)
                shown = [t for t in fig.axes[0].get_yticklabels() if t.get_visible()]
                assert len(shown) == named and shown[0].get_fontsize() == (11.0 if n == 9 else 5.0), (n, size)
            finally:
                plt.close(fig)


def test_a_word_cloud_grid_of_many_units_draws_those_with_the_most_words_and_says_so():
    by_unit = {f"单位{i:02d}": {"防控": 3 + i % 5, "巡逻": 1 + i % 3} for i in range(30)}
    fig = figures.plot_wordcloud_grid(by_unit, max_groups=6)
    try:
        drawn = [ax.get_title() for ax in fig.axes if ax.images]
        largest = sorted(by_unit, key=lambda g: (-sum(by_unit[g].values()), g))[:6]
        assert drawn == [g for g in by_unit if g in largest]  # the six with the most words, in the given order
        assert "(6 of 30, the most words)" in fig._suptitle.get_text()
    finally:
        plt.close(fig)
    few = figures.plot_wordcloud_grid(dict(list(by_unit.items())[:9]))
    try:
        assert len([ax for ax in few.axes if ax.images]) == 9 and "of" not in few._suptitle.get_text()  # 9 units: all
    finally:
        plt.close(few)


def test_keyness_and_cluster_validation_of_many_units_show_a_legible_few_and_say_which():
    import numpy as np
    import pandas as pd

    from analysis.methods.clusters import cluster_units
    from analysis.methods.validation import validate_clustering
    from analysis.viz import figures_methods

    groups = [f"单位{i:02d}" for i in range(20)]
    rows = [(g, f"词{j}", 30.0 - j + i, True, "over") for i, g in enumerate(groups) for j in range(3)]
    table = pd.DataFrame(rows, columns=["group", "term", "g2", "significant", "direction"]).assign(count_group=5)
    fig = figures_methods.plot_keyness(table, groups=groups)
    try:
        drawn = [ax.get_title() for ax in fig.axes if ax.axison]
        assert drawn == groups[-9:]  # the nine whose leading term has the highest G², in the given order
        assert "9 of 20 units" in fig._suptitle.get_text()
    finally:
        plt.close(fig)

    rng = np.random.default_rng(3)
    units = [f"单位{i:02d}" for i in range(40)]
    matrix = pd.DataFrame(rng.integers(0, 4, (40, 12)) * (rng.random((40, 12)) > 0.5), index=units, columns=[f"措施{j}" for j in range(12)])
    clustering = cluster_units(matrix)
    validation = validate_clustering(matrix, clustering, n_boot=20, random_state=1)
    fig = figures_methods.plot_cluster_validation(validation)
    try:
        panel = fig.axes[2]
        least = validation.unit_stability.sort_values(kind="stable").index[:15].tolist()
        assert [t.get_text() for t in panel.get_yticklabels()] == least
        assert f"the 15 least stable of {len(validation.unit_stability)} units" in panel.get_title()
    finally:
        plt.close(fig)


def test_document_lengths_are_bars_for_a_few_documents_and_a_histogram_for_many():
    import pandas as pd

    def documents(n):
        return pd.DataFrame({"doc_id": [f"d{i:03d}" for i in range(n)], "unit": [f"单位{i % 40}" for i in range(n)],
                             "n_chars": [100 + 7 * i for i in range(n)], "kind": ["report"] * (n - 1) + ["summary"],
                             "title": [""] * n, "date_start": [None] * n})
    few = figures.plot_document_lengths(documents(12))
    many = figures.plot_document_lengths(documents(400))
    try:
        assert len(few.axes[0].patches) == 12 and len(few.axes[0].get_yticklabels()) == 12  # a bar and a name each
        bars = many.axes[0].patches
        assert sum(p.get_height() for p in bars) == 400  # every document counted, none left out
        assert "400 documents" in many.axes[0].get_title()
    finally:
        plt.close(few)
        plt.close(many)


def test_long_lists_of_terms_and_units_fit_a_slide_without_overlaps():
    import numpy as np
    import pandas as pd

    from analysis.methods.clusters import cluster_units
    from analysis.methods.validation import validate_clustering
    from analysis.viz import figures_methods

    terms = pd.DataFrame({"term": [f"词语{i:02d}" for i in range(30)], "count": list(range(300, 0, -10))})
    fig = figures.plot_term_bar(terms, top_n=30)
    figures.apply_house_style(fig, source="来源 Source: test", size="slide")
    try:
        assert _text_overlaps(fig) == [] and len(fig.axes[0].get_yticklabels()) == 30  # every term named
    finally:
        plt.close(fig)

    rng = np.random.default_rng(3)
    units = [f"单位{i:02d}" for i in range(40)]
    matrix = pd.DataFrame(rng.integers(0, 4, (40, 12)) * (rng.random((40, 12)) > 0.5), index=units, columns=[f"措施{j}" for j in range(12)])
    validation = validate_clustering(matrix, cluster_units(matrix), n_boot=20, random_state=1)
    fig = figures_methods.plot_cluster_validation(validation)
    figures.apply_house_style(fig, source="来源 Source: test", size="slide")
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = [label.get_window_extent(renderer) for label in fig.axes[2].get_yticklabels()]
        assert len(boxes) == 15 and not any(a.overlaps(b) for a, b in zip(boxes, boxes[1:]))
    finally:
        plt.close(fig)


@pytest.mark.slow  # 1.7 s: two heatmaps laid out
def test_a_heatmap_made_for_print_keeps_counts_a_slide_cannot_fit():
    import numpy as np
    import pandas as pd

    matrix = pd.DataFrame(np.random.default_rng(2).integers(1, 9, (28, 18)), index=[f"单位{i:02d}" for i in range(28)],
                          columns=[f"措施{j}" for j in range(18)])
    for size, with_counts in [("print", True), ("slide", False), (None, False)]:
        fig = figures.plot_measure_heatmap(matrix, size=size)
        figures.apply_house_style(fig, source="来源 Source: test", size=size or "slide")
        try:
            assert (len(fig.axes[0].texts) == 28 * 18) is with_counts, size
            assert _text_overlaps(fig) == [] and len(fig.axes[0].get_yticklabels()) == 28, size
        finally:
            plt.close(fig)


def test_the_bulletin_heatmap_keeps_its_counts_in_english_on_a_slide(bulletin_analysis):
    glosses = figures.english_labels(bulletin_analysis.lexicon.glosses, width=0)
    fig = figures.plot_measure_heatmap(bulletin_analysis.measures, bulletin_analysis.clustering, labels=glosses, size="slide")
    figures.apply_house_style(fig, source="来源 Source: test", size="slide")
    try:
        assert len(fig.axes[0].texts) == int((bulletin_analysis.measures.to_numpy() > 0).sum())
        assert _text_overlaps(fig) == []
    finally:
        plt.close(fig)


def test_a_crowded_figure_says_in_its_title_what_it_leaves_out(bulletin_analysis):
    import numpy as np
    import pandas as pd

    ids = [f"government_work_reports-{i:03d}" for i in range(1, 73)]
    matrix = pd.DataFrame(np.random.default_rng(5).integers(1, 300, (72, 19)), index=ids, columns=[f"措施{j}" for j in range(19)])
    crowded = figures.plot_measure_heatmap(matrix, row_labels={i: i[-3:] for i in ids}, size="slide")
    roomy = figures.plot_measure_heatmap(bulletin_analysis.measures, bulletin_analysis.clustering, size="print")
    try:
        title = crowded.axes[0].get_title()
        assert "every second document named" in title or "every third document named" in title
        assert "counts in measures.csv" in title
        assert "omitted" not in roomy.axes[0].get_title() and len(roomy.axes[0].texts) > 0
    finally:
        plt.close(crowded)
        plt.close(roomy)


@pytest.mark.slow  # a second run of the bulletin with figures in three formats (conftest's, shared with test_house_style)
def test_formats_add_svg_and_pdf_and_leave_the_pngs_byte_identical(bulletin_run_every_format, bulletin_outputs):
    out, _ = bulletin_run_every_format  # python -m analysis run --formats png,svg,pdf
    png_only = sorted(p.name for p in (bulletin_outputs / "figures").iterdir())
    every = sorted(p.name for p in (out / "figures").iterdir())
    stems = sorted(name[: -len(".png")] for name in png_only)
    assert len(stems) >= 14 and every == sorted(f"{s}.{ext}" for s in stems for ext in ("pdf", "png", "svg"))
    for name in png_only:
        assert (out / "figures" / name).read_bytes() == (bulletin_outputs / "figures" / name).read_bytes(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["figure_formats"] == ["png", "svg", "pdf"]
    assert sum(o.startswith("figures/") for o in manifest["outputs"]) == 3 * len(stems)


def test_degenerate_inputs_draw_without_warnings_a_tiny_corpus_would_print():
    """Units with identical profiles (every distance 0) and keyness whose G² are all 0, as a run on a
    few constructed pages gives: drawn on a unit axis, with no matplotlib/SciPy warning on stderr."""
    import warnings

    import pandas as pd

    from analysis.methods.clusters import cluster_units
    from analysis.viz import figures_methods

    same = pd.DataFrame([[1, 0, 2]] * 3 + [[0, 3, 0]] * 3, index=[f"单位{i}" for i in range(6)], columns=["甲", "乙", "丙"])
    clustering = cluster_units(same, k=2)
    table = pd.DataFrame([("单位0", "词", 0.0, False, "over", 1)], columns=["group", "term", "g2", "significant", "direction", "count_group"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        for fig in (figures.plot_dendrogram(clustering), figures_methods.plot_keyness(table)):
            try:
                low, high = sorted(fig.axes[0].get_xlim())
                assert high > low
            finally:
                plt.close(fig)
