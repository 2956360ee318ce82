"""Fonts: choose a CJK font on purpose, so Chinese renders on any machine.

The default is Noto Sans CJK SC (SIL Open Font License) as shipped by the ``mplfonts``
package, a dependency of this project: every machine then draws the same glyphs and figures
are identical across machines. A font can be named with the ``POLICY_ANALYSIS_FONT``
environment variable or the ``font`` setting; if mplfonts is missing, installed system CJK
fonts are tried (fonts-noto-cjk, WenQuanYi, Source Han Sans, SimHei).
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager

from ..errors import AnalysisError

__all__ = ["cjk_font_path", "cjk_font_properties", "cjk_font_family", "font_subset", "font_subset_file", "font_data_uri"]

_BUNDLED = "NotoSansCJKsc-Regular.otf"
_SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


def _bundled_font() -> Path | None:
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / _BUNDLED
    return path if path.is_file() else None


def _system_font() -> Path | None:
    for family in _SYSTEM_FAMILIES:
        for entry in font_manager.fontManager.ttflist:
            if entry.name == family:
                return Path(entry.fname)
    return None


@lru_cache(maxsize=None)
def cjk_font_path(requested: str | None = None) -> Path:
    """Path of the CJK font every figure uses; see the module docstring for the order."""
    requested = requested or os.environ.get("POLICY_ANALYSIS_FONT") or None
    if requested:
        path = Path(requested)
        if not path.is_file():
            raise AnalysisError(f"{requested}: font file not found (give the path of a .ttf/.otf with Chinese glyphs)")
        return path
    path = _bundled_font() or _system_font()
    if path is None:
        raise AnalysisError(
            "no font with Chinese glyphs found (pip install mplfonts, or apt-get install fonts-noto-cjk)"
        )
    return path


@lru_cache(maxsize=None)
def cjk_font_family(requested: str | None = None) -> str:
    """Register the CJK font with matplotlib and return its family name."""
    path = cjk_font_path(requested)
    try:
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    except (RuntimeError, OSError, ValueError) as error:  # FreeType: "FT_Open_Face … failed"
        raise AnalysisError(
            f"{path}: not a font file FreeType can open ({str(error).splitlines()[0][:80]}); give a .ttf/.otf with Chinese glyphs"
        ) from None


def cjk_font_properties(requested: str | None = None, **kwargs) -> font_manager.FontProperties:
    """FontProperties for the CJK font, e.g. for a single label."""
    return font_manager.FontProperties(fname=str(cjk_font_path(requested)), **kwargs)


def font_subset(text: str, font: str | None) -> bytes:
    """The CJK font cut down to the characters of ``text`` (and space and digits), as font bytes.

    HarfBuzz's subsetter (uharfbuzz) cuts the 16 MB font in milliseconds, where fontTools'
    took one to two seconds. Glyph outlines, hints, names (the SIL OFL licence) and layout
    features are kept, so text drawn with the subset is drawn as with the whole font."""
    import uharfbuzz as hb

    request = hb.SubsetInput()
    request.unicode_set.update(ord(c) for c in set(text) | set(" 0123456789"))
    # Every name record (the font's name and its SIL OFL licence), in every language, and every layout feature.
    for kept in (request.name_id_set, request.name_lang_id_set, request.layout_feature_tag_set):
        kept.clear()
        kept.invert()
    request.flags = hb.SubsetFlags.DESUBROUTINIZE
    subset = hb.subset(hb.Face(hb.Blob.from_file_path(str(cjk_font_path(font)))), request)
    if subset is None:
        raise AnalysisError(f"{cjk_font_path(font)}: HarfBuzz could not subset this font (name a .ttf/.otf font with Chinese glyphs)")
    return subset.blob.data


@contextmanager
def font_subset_file(text: str, font: str | None) -> Iterator[Path]:
    """A temporary font file holding just the characters of ``text`` (:func:`font_subset`),
    removed on exit; the whole font's path when it cannot be cut or written.

    For word clouds: wordcloud opens its font file anew for every size it tries (about 2,700
    times for the bulletin's ten clouds), and FreeType parses the 16 MB font's tables each
    time; a subset of a few hundred characters opens in a fraction of that. The pixels are
    the same (tests/test_figures.py compares them)."""
    path = None
    try:
        data = font_subset(text, font)
        handle, name = tempfile.mkstemp(prefix="policy-analysis-font-", suffix=cjk_font_path(font).suffix)
        path = Path(name)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
    except (AnalysisError, OSError):  # a font HarfBuzz cannot cut, no writable temporary folder: the whole font
        if path is not None:
            path.unlink(missing_ok=True)
        path = None
    try:
        yield path or cjk_font_path(font)
    finally:
        if path is not None:
            path.unlink(missing_ok=True)


def font_data_uri(text: str, font: str | None) -> str:
    """A WOFF subset of the CJK font holding just the characters of ``text``, as a data URI
    (for HTML that must show Chinese offline: the report, the explorer).

    :func:`font_subset` cuts the font; fontTools wraps the subset as WOFF."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    woff = TTFont(io.BytesIO(font_subset(text, font)), recalcTimestamp=False, recalcBBoxes=False)
    woff.flavor = "woff"
    buffer = io.BytesIO()
    woff.save(buffer, reorderTables=True)
    return "data:font/woff;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
