"""The house style: every figure has a title and a source note, slide (16:9) and print sizes,
PNG at 300 dpi plus SVG and PDF (with the CJK font embedded validly), English measure labels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from PIL import Image

from analysis.viz import figures
from analysis.config import load_settings
from analysis.errors import ConfigError
from analysis import corpus_name, draw_figures, figure_source_note

from conftest import figure_spy

NAMES = [
    "document_lengths", "terms_bar", "wordcloud", "wordcloud_units", "dendrogram", "measures_heatmap", "timeline",
    "measures_over_time",
    # the research methods' figures get the same house style
    "keyness", "cooccurrence_network", "cluster_validation", "trends",
    # diffusion: the corpus has units and dates
    "adoption_curves", "adoption_grid",
]


@pytest.fixture()
def saved(monkeypatch):
    """Record what every figure looks like at the moment draw_figures saves it."""
    return figure_spy(monkeypatch)


@pytest.mark.slow
def test_every_figure_has_a_title_a_source_note_and_the_print_size(bulletin_analysis, bulletin_run_every_format):
    """The figures of ``run --formats png,svg,pdf`` at the default size (print), as they were saved.
    The run is conftest's, shared with test_figures' ``--formats`` check."""
    out, saved = bulletin_run_every_format
    assert sorted(saved) == sorted(NAMES)
    note = figure_source_note(bulletin_analysis)
    assert "省林业公安局《省林区公安各分局开展疫情防控工作督导检查》" in note and "2020-04-18 – 2020-04-23" in note
    for name, figure in saved.items():
        assert figure["title"], name
        assert note in figure["texts"], name
        assert figure["size"][0] == 6.7 and 3.0 <= figure["size"][1] <= 9.0, (name, figure["size"])
    written = {p.name for p in (out / "figures").iterdir()}
    for name in NAMES:
        assert {f"{name}.png", f"{name}.svg", f"{name}.pdf"} <= written, name
        with Image.open(out / "figures" / f"{name}.png") as image:
            assert round(image.info["dpi"][0]) == 300
            assert image.size[0] == 2010  # 6.7 in at 300 dpi


@pytest.mark.slow
def test_slide_size_is_16_to_9_and_english_labels_use_the_glosses(tmp_path, bulletin_analysis, saved):
    paths = draw_figures(bulletin_analysis, tmp_path, size="slide", labels="en")
    assert {p.suffix for p in paths} == {".png"}  # the settings' formats: PNG only by default
    for name, figure in saved.items():
        assert figure["size"] == (10.0, 5.625), name
    glosses = bulletin_analysis.lexicon.glosses
    assert saved["measures_heatmap"]["xticks"] == [glosses[m] for m in bulletin_analysis.measures.columns]
    assert set(saved["measures_over_time"]["yticks"]) <= set(glosses.values())
    with Image.open(tmp_path / "terms_bar.png") as image:
        width, height = image.size
    assert abs(width / height - 16 / 9) < 0.01
    with Image.open(tmp_path / "timeline.png") as image:
        assert image.size == (3000, 1687)  # 10 × 5.625 in at 300 dpi: 16:9


def test_pdf_embeds_the_cjk_font_as_valid_type3_and_outputs_are_byte_stable(tmp_path, bulletin_analysis):
    fig = figures.plot_term_bar(bulletin_analysis.terms, top_n=5)
    figures.apply_house_style(fig, source="来源 Source: 测试", size="print")
    first = figures.save_figure(fig, tmp_path / "a", "bar", bbox_inches=None)
    second = figures.save_figure(fig, tmp_path / "b", "bar", bbox_inches=None)
    plt.close(fig)
    assert [p.suffix for p in first] == [".png", ".svg", ".pdf"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    pdf = first[2].read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"/Type3" in pdf and b"NotoSansCJKsc" in pdf
    assert b"/FontFile2" not in pdf  # Type 42 would mislabel the CFF font as TrueType


def test_house_style_needs_a_title_and_keeps_the_palette():
    with figures.figure_style():
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        assert ax.lines[0].get_color().lower() == figures.PALETTE[0].lower()
    with pytest.raises(ValueError, match="title"):
        figures.apply_house_style(fig, source="x")
    figures.apply_house_style(fig, source="x", title="标题 Title", size="slide")
    assert figures.figure_title(fig) == "标题 Title"
    assert tuple(fig.get_size_inches()) == (10.0, 5.625)
    plt.close(fig)


def test_english_labels():
    glosses = {"个人防护": "personal protection: masks, gloves, goggles", "三防": "", "不聚集": "no gatherings, meetings or shared meals"}
    assert figures.english_labels(glosses, width=0) == {
        "个人防护": "personal protection: masks, gloves, goggles",
        "三防": "三防",
        "不聚集": "no gatherings, meetings or shared meals",
    }
    short = figures.english_labels(glosses, short=True, width=0)
    assert short == {"个人防护": "personal protection", "三防": "三防", "不聚集": "no gatherings"}
    assert "\n" in figures.english_labels(glosses, width=20)["个人防护"]


def test_source_note_and_corpus_name(bulletin_analysis):
    assert figures.source_note("X", "2020-01-02", "2020-01-02") == "来源 Source: X, 2020-01-02 · policy-analysis"
    assert figures.source_note("X") == "来源 Source: X · policy-analysis"
    from dataclasses import replace

    named = replace(bulletin_analysis, settings=bulletin_analysis.settings.with_overrides(corpus_name="林区公安通报"))
    assert corpus_name(named) == "林区公安通报"


def test_config_keys_for_the_house_style(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[corpus]\nname = "通报"\n[figures]\nsize = "slide"\nlabels = "en"\n', encoding="utf-8")
    settings = load_settings(config)
    assert (settings.corpus_name, settings.figure_size, settings.measure_labels) == ("通报", "slide", "en")
    config.write_text('[figures]\nsize = "poster"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.toml:2: 'figures.size' must be 'print' or 'slide'"):
        load_settings(config)


def test_publish_figure_keeps_all_three_formats_for_the_notebooks(tmp_path, bulletin_analysis):
    """`make figures` (the notebooks call publish_figure) writes PNG, SVG and PDF; `run` only PNG."""
    from analysis import publish_figure

    first, second = (figures.plot_term_bar(bulletin_analysis.terms, top_n=5) for _ in range(2))  # the style is applied once per figure
    try:
        paths = publish_figure(first, bulletin_analysis, tmp_path, "bar")
        only_png = publish_figure(second, bulletin_analysis, tmp_path / "png", "bar", formats=("png",))
    finally:
        plt.close(first)
        plt.close(second)
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"] and all(p.stat().st_size > 1000 for p in paths)
    assert [p.name for p in only_png] == ["bar.png"] and only_png[0].read_bytes() == paths[0].read_bytes()
