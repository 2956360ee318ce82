"""The explorer: from a pattern to the passages behind it, in one offline HTML file.

:func:`write_explorer` writes ``explore.html``; :func:`explore` shows the same page inline in
JupyterLab. The page links four views:

- the heatmap: unit × measure mentions (period × measure for a corpus without units), the
  numbers of ``result.measures`` (``result.by_period``); a click on a cell lists that row's
  passages for that measure, each a keyword-in-context line with the match highlighted, the
  document's date, unit and source;
- the timeline: mentions per period; brushing a date range filters the passages and the heatmap;
- a search box: a term or a regular expression over the analysed text, with counts by unit
  and by period and the matching passages;
- the terms: the most frequent terms of each unit (or period); a click on one lists its passages.

Charts are Vega-Lite specifications built with Altair and drawn by Vega's JavaScript, which is
inlined (vl-convert's bundle), as are the data and a subset of the Chinese font: no request
leaves the page. The texts travel gzip-compressed (the browser's DecompressionStream unpacks
them), which keeps the 72 government work reports near 4 MB. The linking is a short script,
``resources/explore.js``; it writes corpus text into the page only as text, never as markup,
and the data block escapes ``<``, so a document cannot close the script tag.

The file is byte-identical from run to run.
"""

from __future__ import annotations

import base64
import gzip
import html as html_module
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from ..measures.lexicon import PERIOD_CODES
from ..questions import analysed_documents
from ..result import Analysis, corpus_name, date_range

__all__ = ["EXPLORER_FILE", "Explorer", "explore", "explorer_data", "render_explorer", "write_explorer"]

EXPLORER_FILE = "explore.html"
_TOP_TERMS = 15
_FONT_FAMILY = "Explore CJK"
_FREQ = PERIOD_CODES


@lru_cache(maxsize=1)
def _vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script (vl-convert ships them: nothing is fetched)."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    bundle = vl_convert.javascript_bundle(vl_version=vl_version_for_vl_convert())
    if "</script" in bundle.lower():  # never expected; a closing tag would end the script early
        raise RuntimeError("the Vega bundle contains '</script': it cannot be inlined")
    return bundle


def _period_bounds(label: str, kind: str) -> tuple[int, int]:
    """A period's first instant and the next period's first instant, in ms since the epoch (UTC)."""
    period = pd.Period(label, freq=_FREQ[kind])
    start = period.start_time
    end = (period + 1).start_time
    return int(start.value // 1_000_000), int(end.value // 1_000_000)


def _doc_periods(analysis: Analysis, kind: str) -> list[str]:
    """Each document's period label (as in ``by_period``), "" when undated."""
    dates = pd.to_datetime(analysis.documents["date_start"], errors="coerce")
    return ["" if pd.isna(d) else str(d.to_period(_FREQ[kind])) for d in dates]


def _top_terms(analysis: Analysis, groups: list[str], labels: list[str]) -> list[list[list]]:
    """The ``_TOP_TERMS`` most frequent kept terms of each label (documents grouped by ``groups``)."""
    import numpy as np

    grouped = analysis.dfm.group(groups)  # one sum per group (documents without a label left out)
    row_of = {name: i for i, name in enumerate(grouped.docvars["group"])}
    vocabulary = grouped.vocabulary
    result = []
    for label in labels:
        if label not in row_of:
            result.append([])
            continue
        totals = grouped.matrix[row_of[label]].toarray().ravel()
        order = np.lexsort((np.arange(len(totals)), -totals))[:_TOP_TERMS]
        result.append([[vocabulary[j], int(totals[j])] for j in order if totals[j] > 0])
    return result


def explorer_data(analysis: Analysis) -> dict:
    """Everything the page shows, JSON-ready: documents, mentions, the heatmap's table, the
    timeline, the top terms and (separately compressed) the analysed texts."""
    documents = analysed_documents(analysis)
    by_period = analysis.by_period
    kind = by_period.index.name if by_period.index.name in _FREQ else "day"
    doc_periods = _doc_periods(analysis, kind)
    has_units = bool(analysis.units)
    if has_units:
        table = analysis.measures
        if analysis.clustering is not None:
            table = table.loc[list(analysis.clustering.order)]
        rows = [str(u) for u in table.index]
        doc_rows = [str(u) if u else "" for u in documents["unit"].fillna("")]
    elif len(by_period):
        table = by_period
        rows = [str(p) for p in table.index]
        doc_rows = doc_periods
    else:  # neither units nor dates: one row per document, as in measures.csv
        table = analysis.measures
        rows = [str(d) for d in table.index]
        doc_rows = [str(d) for d in documents["doc_id"]]
    measures = list(analysis.lexicon.names)
    table = table.reindex(columns=measures, fill_value=0)
    cells = [[i, j, int(table.iat[i, j])] for i in range(len(rows)) for j in range(len(measures))]
    row_index = {r: i for i, r in enumerate(rows)}
    doc_index = {d: i for i, d in enumerate(documents["doc_id"])}
    periods = [str(p) for p in by_period.index]
    period_index = {p: i for i, p in enumerate(periods)}
    per_period = by_period.reindex(columns=measures, fill_value=0).sum(axis=1) if len(by_period) else pd.Series(dtype=int)
    # Rates per 10,000 characters wherever the rows' (or periods') texts differ in length: a long
    # report is not an emphatic one. Counts stay beside them (cell labels, tooltips).
    doc_chars = [len(t) for t in documents["text"].astype(str)]
    period_chars: dict[str, int] = {}
    for p, n in zip(doc_periods, doc_chars):
        period_chars[p] = period_chars.get(p, 0) + n
    row_chars: dict[str, int] = {}
    for r, n in zip(doc_rows, doc_chars):
        row_chars[r] = row_chars.get(r, 0) + n
    row_rates = len({row_chars.get(r, 0) for r in rows}) > 1
    period_rates = len({period_chars[p] for p in periods if period_chars.get(p)}) > 1
    timeline = []
    for label in periods:
        t0, t1 = _period_bounds(label, kind)
        n, chars = int(per_period.get(label, 0)), period_chars.get(label, 0)
        timeline.append(
            {"period": label, "t0": t0, "t1": t1, "mentions": n, "chars": chars, "rate": round(n / chars * 10_000, 1) if chars else None}
        )
    measure_index = {m: j for j, m in enumerate(measures)}
    mentions = analysis.mentions  # highlighted in the texts: a title's mentions have no place there
    if "in_title" in mentions and len(mentions):
        mentions = mentions[~mentions["in_title"].astype(bool)]

    def text(column: str) -> list[str]:
        if column not in documents:
            return [""] * len(documents)
        return ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in documents[column]]

    sources = [Path(s).name if s else "" for s in text("source")]
    by_rows = has_units or not periods
    term_labels = rows if by_rows else periods
    term_groups = doc_rows if by_rows else doc_periods
    start, end = date_range(analysis)
    return {
        "corpus": corpus_name(analysis),
        "dates": f"{start} – {end}" if start and start != end else (str(start) if start else "undated"),
        "rowsAre": "unit" if has_units else (kind if periods else "document"),
        "periodKind": kind,
        "measures": measures,
        "glosses": [analysis.lexicon.glosses.get(m, "") for m in measures],
        "variants": [list(analysis.lexicon.measures[j].variants) for j in range(len(measures))],
        "rows": rows,
        "cells": cells,
        "rates": row_rates,
        "timelineRates": period_rates,
        "periods": periods,
        "timeline": timeline,
        "docs": {
            "id": text("doc_id"),
            "unit": text("unit"),
            "start": text("date_start"),
            "end": text("date_end"),
            "title": text("title"),
            "source": sources,
            "line": [None if v is None or pd.isna(v) else int(v) for v in documents.get("line", [None] * len(documents))],
            "row": [row_index.get(r, -1) for r in doc_rows],
            "period": [period_index.get(p, -1) for p in doc_periods],
            "chars": doc_chars,
        },
        "mentions": {
            "doc": [doc_index[d] for d in mentions["doc_id"]],
            "measure": [measure_index[m] for m in mentions["measure"]],
            "start": [int(v) for v in mentions["start"]],
            "end": [int(v) for v in mentions["end"]],
        },
        "terms": {"labels": term_labels, "top": _top_terms(analysis, term_groups, term_labels),
                  "corpus": _top_terms(analysis, ["*"] * len(documents), ["*"])[0]},
        "texts": [str(t) for t in documents["text"]],
    }


def _script_json(value: object) -> str:
    """JSON safe inside <script>: no "<", ">" or "&" survives, so no text closes the tag."""
    encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _packed_texts(texts: list[str]) -> str:
    """The texts as gzip (fixed mtime: the same bytes every run), base64: a third of their size."""
    raw = json.dumps(texts, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


_MIN_CELL = 14  # px: the narrowest heatmap cell whose count can still be read


def _chart_specs(data: dict) -> dict:
    """The two Vega-Lite specifications (Altair): the heatmap and the timeline, data supplied by the page."""
    import altair as alt

    rows_title = {"unit": "unit"}.get(data["rowsAre"], data["rowsAre"])
    n_rows, n_measures = len(data["rows"]), len(data["measures"])
    cell_height = 22 if n_rows <= 30 else 13
    cell_width = 30
    cells = alt.Data(name="cells")
    base = alt.Chart(cells).encode(
        x=alt.X("measure:N", sort=data["measures"], title=None, axis=alt.Axis(orient="top", labelAngle=-50, labelLimit=120)),
        y=alt.Y("row:N", sort=data["rows"], title=rows_title, axis=alt.Axis(labelLimit=140)),
    )
    rates = bool(data.get("rates"))
    shade = (
        alt.Color("value:Q", title="mentions per 10,000 characters (cells: counts)", scale=alt.Scale(range=["#c6dbef", "#08306b"]), legend=alt.Legend(orient="bottom", direction="horizontal"))
        if rates
        else alt.Color("value:Q", title="mentions", scale=alt.Scale(range=["#c6dbef", "#08306b"]), legend=alt.Legend(format="d", tickMinStep=1, orient="bottom", direction="horizontal"))
    )
    rects = base.mark_rect(stroke="#ffffff", strokeWidth=1, cursor="pointer").encode(
        color=alt.condition("datum.mentions > 0", shade, alt.value("#f2f2f2")),
        tooltip=[alt.Tooltip("row:N", title=rows_title), alt.Tooltip("measure:N"), alt.Tooltip("gloss:N"), alt.Tooltip("mentions:Q")]
        + ([alt.Tooltip("rate:Q", title="per 10,000 characters", format=".1f")] if rates else []),
    )
    labels = base.mark_text(fontSize=9 if cell_height < 20 else 11, cursor="pointer").encode(
        text=alt.Text("label:N"),
        color=alt.condition("datum.dark", alt.value("#ffffff"), alt.value("#1a1a1a")),
    )
    # Widths follow the page (width "container", fit to the column): at 900 px or inline beside
    # JupyterLab's file browser every measure stays in view; below the narrowest legible cells the
    # chart keeps a minimum and the page shows a cue to scroll (CSS min-width, explore.js).
    heatmap = (rects + labels).properties(width="container", height=cell_height * n_rows)
    brush = alt.selection_interval(encodings=["x"], name="brush")
    timeline = (
        alt.Chart(alt.Data(name="timeline"))
        .mark_rect(color="#4c78a8", stroke="#ffffff", strokeWidth=1, cursor="crosshair")
        .encode(
            x=alt.X("t0:T", title=None, axis=alt.Axis(format="%Y-%m-%d" if data["periodKind"] == "day" else ("%Y-%m" if data["periodKind"] == "month" else "%Y"), labelAngle=0)),
            x2="t1:T",
            y=alt.Y("rate:Q", title="per 10,000 chars") if data.get("timelineRates") else alt.Y("mentions:Q", title="mentions"),
            y2=alt.datum(0),
            tooltip=[alt.Tooltip("period:N"), alt.Tooltip("mentions:Q")]
            + ([alt.Tooltip("rate:Q", title="per 10,000 characters"), alt.Tooltip("chars:Q", title="characters")] if data.get("timelineRates") else []),
        )
        .add_params(brush)
        .properties(width="container", height=110)
    )
    config = {"font": _FONT_FAMILY, "view": {"stroke": None}, "axis": {"labelFont": _FONT_FAMILY, "titleFont": _FONT_FAMILY}}
    specs = {}
    for name, chart in (("heatmap", heatmap), ("timeline", timeline)):
        spec = chart.to_dict()
        spec.pop("$schema", None)  # a URL: nothing on the page names the network
        spec["config"] = {**spec.get("config", {}), **config}
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
        specs[name] = spec
    # Room the page gives each chart (px): the heatmap no wider than its cells at full size need, and
    # no narrower than cells of _MIN_CELL px; row labels take up to 140 px beside them.
    specs["heatmap"]["usermeta"] = {"maxWidth": cell_width * n_measures + 190, "minWidth": _MIN_CELL * n_measures + 190}
    specs["timeline"]["usermeta"] = {"maxWidth": max(cell_width * n_measures + 190, 640), "minWidth": 320}
    return specs


def _template_text(analysis: Analysis, data: dict, font_uri: str) -> str:
    from jinja2 import Environment, select_autoescape

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True), keep_trailing_newline=True)
    folder = resources.files("analysis").joinpath("resources")
    template = env.from_string(folder.joinpath("explore.html.j2").read_text("utf-8"))
    texts = data["texts"]
    page_data = {k: v for k, v in data.items() if k != "texts"}
    from markupsafe import Markup

    return template.render(
        title=f"Explore: {data['corpus']}",
        corpus=data["corpus"],
        dates=data["dates"],
        n_documents=len(texts),
        n_mentions=len(data["mentions"]["doc"]),
        rows_are=data["rowsAre"],
        example_measure=data["measures"][0] if data["measures"] else "",
        font_family=_FONT_FAMILY,
        font_uri=font_uri,
        data_json=Markup(_script_json(page_data)),
        specs_json=Markup(_script_json(_chart_specs(data))),
        texts_packed=_packed_texts(texts),
        vega_js=Markup(_vega_bundle()),
        app_js=Markup(folder.joinpath("explore.js").read_text("utf-8")),
    )


def render_explorer(analysis: Analysis, *, embed_font: bool = True) -> str:
    """The explorer as one self-contained HTML string."""
    data = explorer_data(analysis)
    font_uri = ""
    if embed_font:
        shown = "".join(data["texts"]) + json.dumps({k: v for k, v in data.items() if k != "texts"}, ensure_ascii=False)
        page_text = resources.files("analysis").joinpath("resources/explore.html.j2").read_text("utf-8")
        from ..viz.fonts import font_data_uri

        font_uri = font_data_uri(shown + page_text + "".join(map(chr, range(32, 127))) + "×–…·、：，。（）", analysis.settings.font)
    return _template_text(analysis, data, font_uri)


def write_explorer(analysis: Analysis, out_dir: str | Path, *, embed_font: bool = True) -> Path:
    """Write ``explore.html`` into ``out_dir`` (created if needed) and return its path.

    One file that opens offline in any browser: charts, data, texts and the font subset are
    inside it.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.
    out_dir : str or Path
        The output folder.
    embed_font : bool
        Embed a subset of the Chinese font.

    Returns
    -------
    Path
        ``out_dir/explore.html``.
    """
    from .safe import run_inputs, write_file_safely

    path = Path(out_dir) / EXPLORER_FILE
    return write_file_safely(path, render_explorer(analysis, embed_font=embed_font).encode("utf-8"), inputs=run_inputs(analysis))


class Explorer:
    """The explorer page, shown inline by JupyterLab (an iframe holding the page) and saved with :meth:`save`."""

    def __init__(self, html: str, *, height: int = 900) -> None:
        self.html = html
        self.height = height

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html_module.escape(self.html, quote=True)}" '
            f'style="width: 100%; height: {int(self.height)}px; border: 1px solid #ddd;" '
            'title="explorer"></iframe>'
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (a file, or a folder to hold ``explore.html``)."""
        path = Path(path)
        if path.is_dir() or not path.suffix:
            path = path / EXPLORER_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.html, encoding="utf-8")
        return path

    def __len__(self) -> int:
        return len(self.html.encode("utf-8"))

    def __repr__(self) -> str:
        return f"<Explorer: {len(self) / 1e6:.1f} MB of HTML; shown inline in JupyterLab, .save(path) writes it>"


def explore(analysis: Analysis, *, height: int = 900, embed_font: bool = True) -> Explorer:
    """The linked views (heatmap, timeline, search, terms → passages) for a notebook cell.

    In JupyterLab the returned object shows the page inline; ``.save("out")`` writes
    ``out/explore.html``, the file ``python -m analysis explore`` writes.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.
    height : int
        Height of the inline frame, in pixels.
    embed_font : bool
        Embed a subset of the Chinese font.

    Returns
    -------
    Explorer
        Shown inline by Jupyter; ``.html`` is the page, ``.save(folder)`` writes it.
    """
    return Explorer(render_explorer(analysis, embed_font=embed_font), height=height)
