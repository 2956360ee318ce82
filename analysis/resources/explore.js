/* The explorer's linking: heatmap and timeline (Vega-Lite, drawn by the inlined Vega), the
   search box and the top terms, each leading to the passages behind it.
   Corpus text reaches the page only as text (textContent, text nodes), never as markup. */
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("explorer-data").textContent);
  const SPECS = JSON.parse(document.getElementById("explorer-specs").textContent);
  const WINDOW = 30;          // characters of context each side of a match
  const MAX_SHOWN = 200;      // passages listed at once
  const MAX_MATCHES = 50000;  // a search stops counting here
  const docs = DATA.docs;
  const mentions = DATA.mentions;
  const M = DATA.measures.length;
  const state = { texts: null, range: null, shown: null, heatmap: null };

  const $ = (id) => document.getElementById(id);
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  async function unpackTexts() {
    const packed = $("explorer-texts").textContent.trim();
    const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  // A document is kept by the brush when its period overlaps the brushed range.
  function inRange(d) {
    if (!state.range) return true;
    const p = docs.period[d];
    if (p < 0) return false;
    const t = DATA.timeline[p];
    return t.t1 > state.range[0] && t.t0 <= state.range[1];
  }

  function rangeText() {
    if (!state.range) return "";
    const day = (t) => new Date(t).toISOString().slice(0, 10);
    return " between " + day(state.range[0]) + " and " + day(state.range[1]);
  }

  // --- heatmap -------------------------------------------------------------------------
  function cellValues() {
    const counts = new Map();
    if (!state.range) {
      for (const [i, j, n] of DATA.cells) counts.set(i * M + j, n);
    } else {
      for (let k = 0; k < mentions.doc.length; k++) {
        const d = mentions.doc[k];
        const r = docs.row[d];
        if (r < 0 || !inRange(d)) continue;
        const key = r * M + mentions.measure[k];
        counts.set(key, (counts.get(key) || 0) + 1);
      }
    }
    // Each row's characters (in the brushed range): rates per 10,000 characters when texts differ in length.
    const chars = new Array(DATA.rows.length).fill(0);
    for (let d = 0; d < docs.row.length; d++) {
      if (docs.row[d] >= 0 && (!state.range || inRange(d))) chars[docs.row[d]] += docs.chars[d];
    }
    const value = (i, n) => (DATA.rates ? (chars[i] ? n / chars[i] * 10000 : 0) : n);
    let max = 0;
    counts.forEach((n, key) => { max = Math.max(max, value(Math.floor(key / M), n)); });
    const values = [];
    DATA.rows.forEach((row, i) => DATA.measures.forEach((measure, j) => {
      const n = counts.get(i * M + j) || 0;
      const v = value(i, n);
      values.push({ row: row, measure: measure, gloss: DATA.glosses[j], mentions: n, value: v,
                    rate: chars[i] ? Math.round(n / chars[i] * 100000) / 10 : null,
                    label: n ? String(n) : "", dark: max > 0 && v > max * 0.55 });
    }));
    return values;
  }

  function withData(spec, name, values) {
    return Object.assign({}, spec, { data: { name: name, values: values } });
  }

  async function replaceData(view, name, values) {
    view.change(name, view.changeset().remove(() => true).insert(values));
    await view.runAsync();
  }

  // --- passages ------------------------------------------------------------------------
  function cellHits(row, measure) {
    const r = DATA.rows.indexOf(row);
    const j = DATA.measures.indexOf(measure);
    const hits = [];
    for (let k = 0; k < mentions.doc.length; k++) {
      const d = mentions.doc[k];
      if (mentions.measure[k] === j && docs.row[d] === r && inRange(d)) {
        hits.push({ doc: d, start: mentions.start[k], end: mentions.end[k] });
      }
    }
    return hits;
  }

  function measureHits(measure) {
    const j = DATA.measures.indexOf(measure);
    const hits = [];
    for (let k = 0; k < mentions.doc.length; k++) {
      if (mentions.measure[k] === j && inRange(mentions.doc[k])) {
        hits.push({ doc: mentions.doc[k], start: mentions.start[k], end: mentions.end[k] });
      }
    }
    return hits;
  }

  function searchHits(pattern, isRegex) {
    const source = isRegex ? pattern : pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const re = new RegExp(source, "gu");  // throws on a bad regular expression
    const hits = [];
    state.texts.forEach((text, d) => {
      if (!inRange(d)) return;
      re.lastIndex = 0;
      let m;
      while (hits.length < MAX_MATCHES && (m = re.exec(text)) !== null) {
        if (m[0] === "") { re.lastIndex += 1; continue; }
        hits.push({ doc: d, start: m.index, end: m.index + m[0].length });
      }
    });
    return hits;
  }

  function passage(hit) {
    const text = state.texts[hit.doc];
    const a = Math.max(0, hit.start - WINDOW);
    const b = Math.min(text.length, hit.end + WINDOW);
    const li = el("li");
    const line = el("span", "kwic");
    line.append((a > 0 ? "…" : "") + text.slice(a, hit.start), el("mark", null, text.slice(hit.start, hit.end)),
                text.slice(hit.end, b) + (b < text.length ? "…" : ""));
    const start = docs.start[hit.doc], end = docs.end[hit.doc];
    const date = start ? (end && end !== start ? start + " – " + end : start) : "undated";
    const source = docs.source[hit.doc] + (docs.line[hit.doc] ? ":" + docs.line[hit.doc] : "");
    const meta = [date, docs.unit[hit.doc], docs.title[hit.doc], source, docs.id[hit.doc]].filter(Boolean).join(" · ");
    li.append(line, el("span", "meta", meta));
    li.dataset.unit = docs.unit[hit.doc];
    return li;
  }

  function countTable(id, caption, pairs) {
    const table = el("table");
    table.id = id;
    table.append(el("caption", null, caption));
    for (const [label, n] of pairs) {
      const tr = el("tr");
      tr.append(el("td", null, label), el("td", "n", String(n)));
      table.append(tr);
    }
    return table;
  }

  function showCounts(hits) {
    const byUnit = new Map(), byPeriod = new Map();
    for (const h of hits) {
      const u = docs.unit[h.doc];
      if (u) byUnit.set(u, (byUnit.get(u) || 0) + 1);
      const p = docs.period[h.doc];
      if (p >= 0) byPeriod.set(p, (byPeriod.get(p) || 0) + 1);
    }
    const counts = $("counts");
    counts.replaceChildren();
    if (byUnit.size) {
      const units = [...byUnit].sort((x, y) => y[1] - x[1]);
      counts.append(countTable("counts-unit", "by unit (" + byUnit.size + ")", units));
    }
    if (byPeriod.size) {
      const periods = [...byPeriod].sort((x, y) => x[0] - y[0]).map(([p, n]) => [DATA.periods[p], n]);
      counts.append(countTable("counts-period", "by " + DATA.periodKind + " (" + byPeriod.size + ")", periods));
    }
    return { units: byUnit.size, periods: byPeriod.size };
  }

  function show(what) {
    state.shown = what;
    const list = $("passages");
    list.replaceChildren();
    $("counts").replaceChildren();
    if (!what) {
      $("status").textContent = "Click a cell, brush the timeline, search or pick a term.";
      return;
    }
    let hits, label;
    if (what.kind === "cell") {
      hits = cellHits(what.row, what.measure);
      label = what.row + " × " + what.measure;
    } else if (what.kind === "measure") {
      hits = measureHits(what.measure);
      const j = DATA.measures.indexOf(what.measure);
      label = what.measure + " (the measure: " + DATA.variants[j].join("、") + ")";
    } else {
      try {
        hits = searchHits(what.pattern, what.regex);
      } catch (error) {
        $("status").textContent = "Not a regular expression: " + error.message;
        return;
      }
      label = "“" + what.pattern + "”";
    }
    const spread = showCounts(hits);
    const where = spread.units ? " in " + spread.units + " unit" + (spread.units === 1 ? "" : "s") : "";
    const more = hits.length >= MAX_MATCHES ? " (stopped counting)" : "";
    const shown = hits.length > MAX_SHOWN ? "; the first " + MAX_SHOWN + " shown" : "";
    $("status").textContent = label + ": " + hits.length + " passage" + (hits.length === 1 ? "" : "s") + where + rangeText() + more + shown;
    list.append(...hits.slice(0, MAX_SHOWN).map(passage));
  }

  function search(pattern, isRegex, asWritten) {
    $("search").value = pattern;
    $("regex").checked = !!isRegex;
    $("literal").checked = !!asWritten;
    if (!pattern) return show(null);
    // A measure's name finds every variant, as the lexicon matched it (as analysis.kwic does).
    if (!isRegex && !asWritten && DATA.measures.includes(pattern)) return show({ kind: "measure", measure: pattern });
    show({ kind: "search", pattern: pattern, regex: !!isRegex });
  }

  // --- terms ---------------------------------------------------------------------------
  function showTerms(index) {
    const top = index < 0 ? DATA.terms.corpus : DATA.terms.top[index];
    const list = $("terms-list");
    list.replaceChildren();
    if (!top.length) list.append(el("span", "hint", "no terms"));
    for (const [term, n] of top) {
      const button = el("button", null, term);
      button.type = "button";
      button.append(el("span", null, String(n)));
      button.addEventListener("click", () => {  // the term as written; the search options stay as they are
        $("search").value = term;
        show({ kind: "search", pattern: term, regex: false });
      });
      list.append(button);
    }
  }

  function setUpTerms() {
    const select = $("terms-of");
    select.append(new Option("the whole corpus", "-1"));
    DATA.terms.labels.forEach((label, i) => select.append(new Option(label, String(i))));
    select.addEventListener("change", () => showTerms(Number(select.value)));
    showTerms(-1);
  }

  function pickTermsOf(label) {
    const i = DATA.terms.labels.indexOf(label);
    if (i >= 0) { $("terms-of").value = String(i); showTerms(i); }
  }

  // --- layout: charts as wide as their column, a cue where one must scroll -----------------
  function sizeChart(id, spec) {
    // The chart fills its column (Vega-Lite width "container") between the widths its cells need.
    const meta = spec.usermeta || {};
    const box = $(id);
    if (meta.maxWidth) box.style.maxWidth = meta.maxWidth + "px";
    if (meta.minWidth) box.style.minWidth = meta.minWidth + "px";
  }

  function markOverflow() {
    // A chart wider than its column scrolls sideways; the cue under it says so (headless and many
    // desktop browsers draw no scrollbar).
    document.querySelectorAll(".chart").forEach((chart) => {
      chart.classList.toggle("overflowing", chart.scrollWidth > chart.clientWidth + 1);
    });
  }

  // --- start ---------------------------------------------------------------------------
  async function main() {
    const family = SPECS.heatmap.config.font;
    try { await document.fonts.load("12px \"" + family + "\"", DATA.rows.join("") + DATA.measures.join("")); } catch (e) { /* system font */ }
    state.texts = await unpackTexts();
    const options = { renderer: "svg", actions: false };
    if (!DATA.timeline.length) $("timeline").hidden = true;  // no dated document: nothing to brush
    sizeChart("timeline-chart", SPECS.timeline);
    sizeChart("heatmap-chart", SPECS.heatmap);
    const timeline = DATA.timeline.length
      ? (await vegaEmbed("#timeline-chart", withData(SPECS.timeline, "timeline", DATA.timeline), options)).view : null;
    const heatmap = (await vegaEmbed("#heatmap-chart", withData(SPECS.heatmap, "cells", cellValues()), options)).view;
    state.heatmap = heatmap;
    heatmap.addEventListener("click", (event, item) => {
      const d = item && item.datum;
      if (d && d.row !== undefined && d.measure !== undefined) {
        pickTermsOf(d.row);
        show({ kind: "cell", row: d.row, measure: d.measure });
      }
    });
    if (timeline) timeline.addSignalListener("brush", async (name, value) => {
      const extent = value && Object.values(value)[0];
      state.range = extent && extent.length === 2 ? [+extent[0], +extent[1]] : null;
      await replaceData(heatmap, "cells", cellValues());
      show(state.shown);
    });
    $("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      search($("search").value.trim(), $("regex").checked, $("literal").checked);
    });
    setUpTerms();
    show(null);
    markOverflow();
    window.addEventListener("resize", markOverflow);
    if (location.hash && $(location.hash.slice(1))) $(location.hash.slice(1)).scrollIntoView();
  }

  // For tests and scripts: resolves when the page is drawn; the same calls a reader makes.
  window.explorer = {
    ready: main(),
    search: search,
    showCell: (row, measure) => show({ kind: "cell", row: row, measure: measure }),
  };
  window.addEventListener("unhandledrejection", (event) => console.error(event.reason));
  window.explorer.ready.catch((error) => {
    $("status").textContent = "The explorer could not start: " + error.message;
    console.error(error);
  });
})();
