"""The font subset embedded in the report and the explorer."""

from __future__ import annotations

import base64
import io

from fontTools.ttLib import TTFont

from analysis.viz.fonts import font_data_uri


def test_the_font_subset_holds_every_character_its_licence_and_its_features():
    text = "严格落实外防输入，三防；不聚集。《通知》ＡＢ×–…2020年"
    uri = font_data_uri(text, None)
    assert uri.startswith("data:font/woff;base64,") and uri == font_data_uri(text, None)  # the same bytes each run
    font = TTFont(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert font.flavor == "woff"
    cmap = font.getBestCmap()
    assert set(text) | set(" 0123456789") <= {chr(c) for c in cmap}
    assert len(cmap) < 60  # a subset: the font itself maps about 65,000 characters
    assert "SIL Open Font License" in font["name"].getDebugName(13)  # the licence travels with the subset
    assert "vert" in {record.FeatureTag for record in font["GSUB"].table.FeatureList.FeatureRecord}  # vertical forms kept


def test_a_font_subset_file_holds_the_text_and_is_removed_and_without_a_temporary_folder_is_the_whole_font(monkeypatch):
    import tempfile

    from matplotlib.ft2font import FT2Font

    from analysis.viz.fonts import cjk_font_path, font_subset_file

    with font_subset_file("疫情防控", None) as path:
        assert path != cjk_font_path() and path.stat().st_size < cjk_font_path().stat().st_size / 10
        subset = FT2Font(str(path))
        assert all(subset.get_char_index(ord(c)) != 0 for c in "疫情防控") and subset.get_char_index(ord("鹤")) == 0
    assert not path.exists()

    def no_folder(*args, **kwargs):
        raise PermissionError("read-only temporary folder")

    monkeypatch.setattr(tempfile, "mkstemp", no_folder)
    with font_subset_file("疫情防控", None) as path:
        assert path == cjk_font_path()
    assert path.exists()  # the font itself is never removed
