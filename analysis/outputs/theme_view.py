"""The theme view: from a theme over time to the documents where it is strongest, in one offline
HTML file (``themes.html``, written by ``python -m analysis themes`` beside its tables).

One chart: each theme's share of the text by period (Vega-Lite, built with Altair; Vega's
JavaScript inlined as in the explorer, so nothing is fetched; a period without a document is a
gap). A click on a theme's line or legend entry — or ``#theme=T3`` in the address — lists the
documents where that theme is strongest, each with its date, title, share and the sentences that
hold most of the theme's top terms, those terms highlighted. The page writes corpus text only as
text (``textContent``), never as markup, and the data block escapes ``<``. The verdict is in the
page's title line: themes are never shown without it.
"""

from __future__ import annotations

import html as html_module
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..methods.diagnostics import split_sentences
from ..methods.themes import Themes
from ..result import Analysis, corpus_name

__all__ = ["THEME_VIEW_FILE", "theme_view_data", "render_theme_view", "write_theme_view"]

THEME_VIEW_FILE = "themes.html"
_DOCUMENTS = 10  # documents listed per theme
_SENTENCES = 3  # sentences shown per document
_TERMS = 12  # top terms highlighted
_FONT_FAMILY = "Themes CJK"  # the embedded subset of the house CJK font (the page is read offline)


def theme_view_data(analysis: Analysis, themes: Themes) -> dict:
    """What the page shows: per theme its label, verdict and top terms, the documents where it is
    strongest with their best sentences; the shares by period for the chart."""
    documents = analysis.documents
    shares = themes.document_shares
    verdicts = themes.theme_verdicts()
    items = []
    for i, name in enumerate(themes.names):
        terms = [t for t, _ in themes.top_terms(i, _TERMS)]
        column = shares[name].to_numpy(dtype=float)
        order = [j for j in np.lexsort((np.arange(len(column)), -np.nan_to_num(column, nan=-1.0))) if np.isfinite(column[j]) and column[j] > 0]
        listed = []
        for j in order[:_DOCUMENTS]:
            row = documents.iloc[j]
            sentences = split_sentences(analysis.text(j))  # the text as analysed: one read from disk
            scored = sorted(range(len(sentences)), key=lambda s: (-sum(t in sentences[s] for t in terms), s))
            best = sorted(s for s in scored[:_SENTENCES] if any(t in sentences[s] for t in terms))
            date = row["date_start"]
            listed.append({
                "doc_id": str(row["doc_id"]),
                "date": "" if date is None or pd.isna(date) else str(date)[:10],
                "unit": str(row.get("unit", "") or ""),
                "title": str(row.get("title", "") or ""),
                "share": round(float(column[j]), 3),
                "sentences": [sentences[s][:400] for s in best],
            })
        items.append({"theme": name, "label": themes.labels[i], "verdict": verdicts[i], "terms": terms, "documents": listed})
    table = themes.by_period
    points = [
        {"period": str(period), "theme": name, "share": None if pd.isna(value) else round(float(value), 4)}
        for period, row in table.iterrows() for name, value in row.items()
    ]
    return {"themes": items, "points": points, "period_kind": themes.period_kind, "message": themes.message()}


def _chart(data: dict) -> dict:
    """The Vega-Lite specification, written out (Altair would build the same, but importing and
    validating it took most of the page's time)."""
    kind = {"day": "日 day", "month": "月 month", "year": "年 year"}.get(data["period_kind"], data["period_kind"])
    font = _FONT_FAMILY
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": data["points"]},
        "mark": {"type": "line", "point": True},
        "params": [{"name": "pick", "select": {"type": "point", "fields": ["theme"], "on": "click"}, "bind": "legend"}],
        "encoding": {
            "x": {"field": "period", "type": "ordinal", "title": kind, "axis": {"labelAngle": -45, "labelOverlap": True}},
            "y": {"field": "share", "type": "quantitative", "title": "% 文本 of text", "axis": {"format": "%"}},
            "color": {"field": "theme", "type": "nominal", "sort": [t["theme"] for t in data["themes"]], "title": "主题"},
            "opacity": {"condition": {"param": "pick", "value": 1.0}, "value": 0.15},
            "tooltip": [{"field": "theme", "type": "nominal"}, {"field": "period", "type": "ordinal"},
                        {"field": "share", "type": "quantitative", "format": ".1%"}],
        },
        "width": "container",
        "height": 320,
        "config": {"font": font, "view": {"stroke": None}, "axis": {"labelFont": font, "titleFont": font},
                   "legend": {"labelFont": font, "titleFont": font}},
    }


def render_theme_view(analysis: Analysis, themes: Themes) -> str:
    """The page as one HTML string (byte-identical from run to run)."""
    from .explorer import _vega_bundle

    data = theme_view_data(analysis, themes)
    payload = json.dumps({"data": data, "spec": _chart(data)}, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    title = f"主题 Themes · {corpus_name(analysis)}"
    from ..viz.fonts import font_data_uri

    shown = payload + title + _PAGE + "".join(map(chr, range(32, 127))) + "×–…·、：，。（）%年月日主题文本"
    font_uri = font_data_uri(shown, analysis.settings.font)  # every character the page can show
    return _PAGE.format(
        title=html_module.escape(title), message=html_module.escape(data["message"]), vega=_vega_bundle(), payload=payload, script=_SCRIPT,
        font_family=_FONT_FAMILY, font_uri=font_uri,
    )


def write_theme_view(analysis: Analysis, themes: Themes, out_dir: str | Path) -> Path:
    """Write ``themes.html`` into ``out_dir`` and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / THEME_VIEW_FILE
    path.write_text(render_theme_view(analysis, themes), encoding="utf-8")
    return path


_SCRIPT = r"""
(function () {
  const page = JSON.parse(document.getElementById("theme-data").textContent);
  const data = page.data;
  const list = document.getElementById("documents");
  const byName = Object.fromEntries(data.themes.map((t) => [t.theme, t]));

  function marked(parent, text, terms) {
    // Highlight the terms as text nodes and <mark> elements: corpus text never becomes markup.
    const pattern = terms.filter((t) => t).sort((a, b) => b.length - a.length);
    let at = 0;
    while (at < text.length) {
      let hit = -1, term = "";
      for (const t of pattern) {
        const i = text.indexOf(t, at);
        if (i >= 0 && (hit < 0 || i < hit || (i === hit && t.length > term.length))) { hit = i; term = t; }
      }
      if (hit < 0) { parent.appendChild(document.createTextNode(text.slice(at))); break; }
      if (hit > at) parent.appendChild(document.createTextNode(text.slice(at, hit)));
      const m = document.createElement("mark");
      m.textContent = term;
      parent.appendChild(m);
      at = hit + term.length;
    }
  }

  function show(name) {
    const theme = byName[name];
    list.replaceChildren();
    if (!theme) return;
    const head = document.createElement("h2");
    head.textContent = `${theme.theme} ${theme.label} · ${theme.verdict}`;
    list.appendChild(head);
    const terms = document.createElement("p");
    terms.className = "terms";
    terms.textContent = "top terms: " + theme.terms.join("、");
    list.appendChild(terms);
    for (const doc of theme.documents) {
      const item = document.createElement("div");
      item.className = "doc";
      const meta = document.createElement("div");
      meta.className = "meta";
      meta.textContent = [doc.date, doc.unit, doc.title || doc.doc_id, `${Math.round(doc.share * 100)}%`].filter((x) => x).join(" · ");
      item.appendChild(meta);
      for (const sentence of doc.sentences) {
        const p = document.createElement("p");
        marked(p, sentence, theme.terms);
        item.appendChild(p);
      }
      list.appendChild(item);
    }
  }

  vegaEmbed("#chart", page.spec, { actions: false, renderer: "svg" }).then((result) => {
    result.view.addSignalListener("pick", (_, value) => {
      const picked = value && value.theme ? value.theme[0] : null;
      if (picked) { show(picked); history.replaceState(null, "", "#theme=" + encodeURIComponent(picked)); }
    });
  });
  const wanted = decodeURIComponent((location.hash.match(/theme=([^&]+)/) || [])[1] || "");
  show(byName[wanted] ? wanted : (data.themes[0] || {}).theme);
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
@font-face {{ font-family: "{font_family}"; src: url("{font_uri}") format("woff"); }}
body {{ font-family: "{font_family}", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 1.5em; max-width: 1100px; }}
#chart {{ width: 100%; }}
.verdict {{ color: #444; }}
.doc {{ border-top: 1px solid #ddd; padding: .5em 0; }}
.meta {{ color: #555; font-size: .9em; }}
mark {{ background: #ffd54f; }}
.terms {{ color: #333; }}
</style>
<script>{vega}</script>
</head>
<body>
<h1>{title}</h1>
<p class="verdict">{message}</p>
<p>Click a theme's line or its legend entry: the documents where it is strongest are listed below, its top terms highlighted.</p>
<div id="chart"></div>
<div id="documents"></div>
<script type="application/json" id="theme-data">{payload}</script>
<script>{script}</script>
</body>
</html>
"""
