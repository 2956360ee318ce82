"""Briefing report: one self-contained HTML file and one xlsx workbook from an analysis.

:func:`write_report` runs the whole output step (:func:`analysis.outputs.tables.write_outputs`: tables,
figures in the house style, ``manifest.json``) and adds ``report.html`` and ``tables.xlsx``.

The HTML file needs nothing but itself: figures are embedded PNGs (data URIs), the CSS is
inline, and the Chinese font is embedded as a WOFF subset of the figures' font (Noto Sans CJK
SC) holding only the characters the report uses, so it opens offline and reads the same on a
machine without Chinese fonts. All text goes through Jinja2 autoescaping. The headline findings
are sentences generated from the results (:func:`headline_findings`), never written by hand.

Both files are byte-identical from run to run: no timestamps, fixed zip dates in the workbook.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import pandas as pd

from ..config import FIGURE_FORMATS
from ..headlines import Finding, headline_findings
from ..methods.evidence import evidence_rules
from ..methods.trends import lengths_differ
from ..result import Analysis, corpus_name, date_range
from .safe import OutputFolder, run_inputs
from .tables import write_outputs
from .workbook import write_workbook

__all__ = [
    "REPORT_FIGURES",
    "Finding",
    "headline_findings",
    "report_tables",
    "render_report",
    "write_workbook",
    "write_report",
]

#: Figures shown in the report, in reading order, with their captions (file name → caption).
REPORT_FIGURES: dict[str, str] = {
    "measures_heatmap": (
        "Each measure by unit: shaded by mentions per 10,000 characters of the unit's text when units differ in length "
        "(the counts are written in the cells); rows in cluster order, lines between clusters."
    ),
    "dendrogram": "Units clustered by which measures they mention (Jaccard distance, average linkage).",
    "timeline": "What each unit reported on when, coloured by cluster, labelled with its leading measures.",
    "measures_over_time": (
        "Mentions of each measure per period (a report counts at its start date): per 10,000 characters when periods "
        "differ in length, so a long report does not pass for emphasis; raw counts in measures_by_period.csv."
    ),
    "terms_bar": "The most frequent terms after segmentation and stopword removal.",
    "wordcloud_units": "Each unit's vocabulary: word size follows frequency.",
    "document_lengths": "Length of every analysed document in characters.",
}

#: Each figure's interactive view in explore.html (written beside the report), by anchor.
EXPLORE_VIEWS: dict[str, str] = {
    "measures_heatmap": "heatmap",
    "dendrogram": "heatmap",
    "timeline": "timeline",
    "measures_over_time": "timeline",
    "terms_bar": "terms",
    "wordcloud_units": "terms",
    "document_lengths": "search-section",
}

_EMBED_MAX_WIDTH = 1600  # px: sharp on screen, keeps the report a few MB


def report_tables(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Every table of the run, sheet name (≤ 31 characters) → table, in workbook order."""
    measures = analysis.measures.reset_index().rename(columns={analysis.measures.index.name or "index": "unit"})
    presence = analysis.presence.reset_index().rename(columns={analysis.presence.index.name or "index": "unit"})
    tables: dict[str, pd.DataFrame] = {
        "findings": pd.DataFrame([(f.topic, f.text) for f in headline_findings(analysis)], columns=["topic", "finding"]),
        "measures": measures,
        "measures_presence": presence,
        "measures_by_period": analysis.by_period.reset_index(),
        "measures_by_period_rates": analysis.methods.rates,
    }
    if analysis.clustering is not None:
        tables["clusters"] = analysis.clustering.table()
        tables["cluster_measures"] = analysis.clustering.defining
    tables["lexicon"] = pd.DataFrame(
        [(m.name, m.gloss, "、".join(m.variants)) for m in analysis.lexicon.measures], columns=["measure", "gloss", "variants"]
    )
    tables["terms"] = analysis.terms
    tables["terms_by_unit"] = analysis.terms_by_unit
    tables["distinctive_terms"] = analysis.distinctive
    tables["mentions"] = analysis.mentions
    tables["documents"] = analysis.documents_with_text()  # as documents.csv: the text as read
    tables["skipped"] = pd.DataFrame(
        [(s.source, s.line, s.reason) for s in analysis.corpus.skipped], columns=["source", "line", "reason"]
    )
    return tables


def _png_data_uri(path: Path, *, max_width: int = _EMBED_MAX_WIDTH) -> tuple[str, int, int]:
    """The PNG at ``path``, scaled down to ``max_width`` pixels if wider, as a data URI."""
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("RGB")
        if image.width > max_width:
            height = round(image.height * max_width / image.width)
            image = image.resize((max_width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        width, height = image.size
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"), width, height


_WIDE_TABLE = 8  # columns


def _html_table(frame: pd.DataFrame, *, max_rows: int | None = None) -> dict:
    shown = frame.head(max_rows) if max_rows else frame
    wide = len(shown.columns) > _WIDE_TABLE

    def fmt(value: object) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if isinstance(value, float) and wide:  # compact: 133, 15, 6.7, 0 (the exact values are in tables.xlsx)
            return "0" if value == 0 else (f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}")
        if isinstance(value, float):
            return f"{value:.2f}"
        return str(value)

    return {
        "columns": [str(c) for c in shown.columns],
        "rows": [[fmt(v) for v in row] for row in shown.itertuples(index=False)],
        "numeric": [pd.api.types.is_numeric_dtype(shown[c]) for c in shown.columns],
        "more": len(frame) - len(shown),
        # Many columns (a measure each): headings set upright, one character under the next, so each
        # column is as narrow as its numbers and the table fits the page (the rates table was 1,226 px).
        "wide": wide,
    }


def _key_tables(analysis: Analysis) -> list[dict]:
    tables = []
    if len(analysis.measures):
        frame = analysis.measures.copy()
        if analysis.clustering is not None:
            frame = frame.loc[analysis.clustering.order]
            frame.insert(0, "cluster", [int(analysis.clustering.labels[u]) for u in frame.index])
        frame = frame.loc[:, (frame != 0).any(axis=0) | (frame.columns == "cluster")]
        frame = frame.reset_index().rename(columns={frame.index.name or "index": "unit"})
        tables.append({"title": "Measures mentioned by each unit (mentions; unmentioned measures left out)", "name": "measures", **_html_table(frame)})
    if analysis.clustering is not None:
        tables.append({"title": "Clusters and the measures that define them", "name": "clusters", **_html_table(analysis.clustering.table())})
    lexicon = pd.DataFrame(
        [(m, g, int((analysis.mentions["measure"] == m).sum())) for m, g in analysis.lexicon.glosses.items()],
        columns=["measure", "gloss", "mentions"],
    )
    tables.append({"title": f"Lexicon '{analysis.lexicon.name}': measures, glosses and mentions", "name": "lexicon", **_html_table(lexicon)})
    if not analysis.by_period.empty and analysis.by_period.to_numpy().sum() > 0:
        frame = analysis.by_period.loc[:, analysis.by_period.sum(axis=0) > 0].reset_index()
        tables.append({"title": "Mentions per period", "name": "measures_by_period", **_html_table(frame)})
        rates = analysis.methods.rates
        if lengths_differ(analysis.methods.trends):
            keep = [c for c in rates.columns[:3]] + [c for c in frame.columns if c in rates.columns[3:]]
            rates = rates[keep].round(1)
            tables.append({"title": "Mentions per 10,000 characters per period (periods differ in length; rounded, exact values in tables.xlsx)", "name": "measures_by_period_rates", **_html_table(rates)})
    tables.append({"title": "Most frequent terms", "name": "terms", **_html_table(analysis.terms, max_rows=20)})
    documents = analysis.documents[[c for c in ("doc_id", "unit", "date_start", "date_end", "date_note", "kind", "n_chars") if c in analysis.documents]]
    tables.append({"title": "Documents analysed", "name": "documents", **_html_table(documents, max_rows=100)})
    return tables


_SEGMENTERS = {"rjieba": "rjieba (jieba's algorithm in Rust)", "jieba": "jieba (the pure-Python reference)"}


def _method_note(analysis: Analysis) -> list[str]:
    """The method section, written from the settings this run used (segmenter, dictionaries,
    lexicon, clustering, tests): it stays true when a config changes them."""
    settings = analysis.settings
    lexicon = analysis.lexicon
    dictionaries = (
        "the project's policy dictionary" if settings.dictionaries is None
        else "the dictionaries " + ", ".join(Path(p).name for p in settings.dictionaries)
    )
    stopwords = "the project's stopword list" if settings.stopwords is None else "the stopword lists " + ", ".join(
        Path(p).name for p in settings.stopwords
    )
    extra = f", {len(settings.extra_words)} extra words" if settings.extra_words else ""
    hmm = " with its HMM for unknown words" if settings.hmm else " without its HMM for unknown words"
    source = Path(lexicon.path).name if lexicon.path else "the shipped default"
    rules = sum(m.has_rules for m in lexicon.measures)
    ruled = f"; {rules} measures carry coding rules (exclude contexts, near rules)" if rules else ""
    notes = [
        "Texts are read from the source files with web-page chrome removed (every removed line is listed in manifest.json); "
        "each paragraph becomes one document, with the unit and the dates it reports on when it names them.",
        f"Words come from {_SEGMENTERS.get(settings.segmenter, settings.segmenter)}{hmm}, with {dictionaries}, the lexicon's "
        f"variants and the corpus's unit names as words{extra}, and {stopwords} (terms of at least {settings.min_chars} characters); "
        "distinctive terms are ranked by TF-IDF against the other units.",
        f"Measures are coded with the lexicon '{lexicon.name}' ({source}: {len(lexicon.measures)} measures and their variants{ruled}), "
        "matched on the raw text, longest variant first, so the count does not depend on word segmentation.",
        "Keyness compares each group with the rest by log-likelihood G² on token counts, with the log ratio as effect size; "
        "'significant' is decided over documents (a Mann–Whitney U test on per-document rates, Lijffijt et al. 2016), "
        "Bonferroni-corrected over the terms tested; G²'s own verdict stays as a column.",
    ]
    if analysis.clustering is not None:
        clustering = analysis.clustering
        chosen = f"k = {clustering.k}, set in the settings" if settings.k else f"k = {clustering.k}, the number with the best silhouette"
        notes.append(
            f"Units are compared on which measures they mention ({clustering.metric} distance) and grouped by "
            f"{clustering.method}-linkage hierarchical clustering ({chosen}). A cluster's defining measures are those present in "
            "most of its units and more often than elsewhere."
        )
        validation = analysis.methods.validation
        if validation is not None:
            notes.append(
                f"The clusters are checked by resampling each unit's mentions {validation.n_boot} times (random state "
                f"{validation.random_state}), re-clustering and comparing by the adjusted Rand index, and against the other linkages."
            )
    notes.append("Rules every headline follows: " + " ".join(evidence_rules(getattr(settings, "window_days", 90))))
    notes.append(
        "Counts describe what the texts say, not what was done: a measure a unit did not write about may still have been taken. "
        "Small corpora make shares and clusters fragile; check them against the texts (mentions.csv gives every match with its position)."
    )
    return notes


_RELIABILITY_COLUMNS = [
    "measure", "comparison", "coder", "n_units", "precision", "recall", "f1", "kappa", "alpha", "alpha_low", "alpha_high",
    "precision_corpus", "precision_corpus_low", "precision_corpus_high", "recall_corpus", "recall_corpus_low", "recall_corpus_high",
]


def read_validation(path: str | Path) -> pd.DataFrame:
    """``validation.csv`` as `validate score` writes it; a file that is not one (unreadable, no
    ``measure``/``comparison`` columns, numbers that are not numbers) raises a one-line
    :class:`~analysis.errors.InputError` naming it."""
    from ..errors import InputError

    path = Path(path)
    hint = "give the validation.csv `python -m analysis validate score` wrote, or remove it from --out"
    try:
        frame = pd.read_csv(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(path, f"not a readable validation table ({type(error).__name__})", hint=hint) from None
    missing = [c for c in ("measure", "comparison", "coder") if c not in frame.columns]
    if missing:
        raise InputError(path, f"not a validation table: no column {', '.join(missing)}", line=1, hint=hint)
    for column in _RELIABILITY_COLUMNS[3:]:
        if column in frame and not pd.api.types.is_numeric_dtype(frame[column]):
            values = pd.to_numeric(frame[column], errors="coerce")
            bad = frame[column][values.isna() & frame[column].notna()]
            if len(bad):
                raise InputError(path, f"column '{column}' holds {str(bad.iloc[0])[:40]!r}, not a number", line=int(bad.index[0]) + 2, hint=hint)
    return frame


def _reliability(validation: pd.DataFrame | None) -> dict | None:
    """The "How reliable is the coding" section from ``validation.csv`` (None: no section):
    a sentence per comparison over all measures, then the table per measure."""
    if validation is None or validation.empty or "measure" not in validation:
        return None
    frame = validation.reindex(columns=_RELIABILITY_COLUMNS)
    sentences = []
    for row in frame[frame["measure"] == "(all measures)"].itertuples(index=False):
        if row.comparison == "lexicon vs coder":
            sentences.append(
                f"Against {row.coder}'s hand coding of {row.n_units} unit × measure decisions, the lexicon's precision is "
                f"{row.precision:.2f} (share of its codes the coder agrees with), its recall {row.recall:.2f} (share of the "
                f"coder's codes it finds), F1 {row.f1:.2f}"
                + (
                    f"; reweighted to the corpus (the sample over-draws the lexicon's hits), precision {row.precision_corpus:.2f} "
                    f"(95% interval {row.precision_corpus_low:.2f}–{row.precision_corpus_high:.2f}) and recall {row.recall_corpus:.2f} "
                    f"({row.recall_corpus_low:.2f}–{row.recall_corpus_high:.2f})."
                    if pd.notna(row.recall_corpus)
                    else "."
                )
            )
        else:
            kappa = "" if pd.isna(row.kappa) else f"Cohen's κ {row.kappa:.2f}; "
            sentences.append(
                f"The coders ({row.coder}) agree with {kappa}Krippendorff's α {row.alpha:.2f} "
                f"(95% bootstrap interval {row.alpha_low:.2f} to {row.alpha_high:.2f}; α ≥ 0.8 is the usual bar for "
                "reliable coding, 0.667 for tentative conclusions)."
            )
    table = frame.dropna(axis=1, how="all")
    return {"sentences": sentences, "table": {"title": "Reliability by measure", "name": "validation", **_html_table(table)}}


def render_report(
    analysis: Analysis,
    manifest: Mapping,
    figures: Mapping[str, Path],
    *,
    embed_font: bool = True,
    validation: pd.DataFrame | None = None,
    explorer: str | None = None,
) -> str:
    """The report as one self-contained HTML string (figures and font embedded, all text escaped).

    With ``validation`` (``validation.csv`` from ``python -m analysis validate score``), it has
    a section "How reliable is the coding". ``explorer`` names the explorer file beside the
    report (``explore.html``): each figure then links to its interactive view there.
    """
    from jinja2 import Environment, select_autoescape

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True), keep_trailing_newline=True)
    template = env.from_string(resources.files("analysis").joinpath("resources/report.html.j2").read_text("utf-8"))
    start, end = date_range(analysis)
    embedded = []
    for name, caption in REPORT_FIGURES.items():
        path = figures.get(name)
        if path is not None and Path(path).is_file():
            uri, width, height = _png_data_uri(Path(path))
            link = f"{explorer}#{EXPLORE_VIEWS[name]}" if explorer and name in EXPLORE_VIEWS else ""
            if name == "measures_heatmap" and not analysis.units:  # a row per document, unclustered
                caption = "Each measure by document (the corpus names no units): per 10,000 characters when documents differ in length, counts in the cells."
            embedded.append({"name": name, "caption": caption, "src": uri, "width": width, "height": height, "explore": link})
    counts = manifest.get("counts", {})
    settings = manifest.get("settings", {})
    shown = ("k", "metric", "linkage", "min_chars", "top_terms", "figure_size", "measure_labels", "unit_suffixes")
    shown_settings = {
        key: ", ".join(map(str, settings[key])) if isinstance(settings[key], list) else settings[key] for key in shown if key in settings
    }
    context = {
        "title": f"Briefing: {corpus_name(analysis)}",
        "corpus": corpus_name(analysis),
        "dates": f"{start} – {end}" if start and start != end else (str(start) if start else "undated"),
        "findings": headline_findings(analysis),
        "counts": counts,
        "inputs": manifest.get("inputs", []),
        "lexicon": manifest.get("lexicon", {}),
        "settings": shown_settings,
        "config": settings.get("source") or "",
        "skipped": manifest.get("skipped", []),
        "notes": manifest.get("notes", []),
        "figures": embedded,
        "tables": _key_tables(analysis),
        "method": _method_note(analysis),
        "reliability": _reliability(validation),
        "versions": manifest.get("versions", {}),
        "segmenter": analysis.settings.segmenter,
        "font_uri": "",
    }
    html = template.render(**context)
    if embed_font:
        from ..viz.fonts import font_data_uri  # fontTools: imported only when a report is written

        context["font_uri"] = font_data_uri(re.sub(r"<[^>]+>", " ", html), analysis.settings.font)
        html = template.render(**context)
    return html


def write_report(
    analysis: Analysis, out_dir: str | Path, *, embed_font: bool = True, validation: str | Path | pd.DataFrame | None = None
) -> list[Path]:
    """Write every output of the run (tables, figures, manifest.json) plus ``report.html``,
    ``explore.html`` (the interactive views each figure links to) and ``tables.xlsx``.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.
    out_dir : str or Path
        The output folder (created if needed).
    embed_font : bool
        Embed a subset of the Chinese font, so the report reads the same on any machine.
    validation : str, Path, DataFrame or None
        ``validation.csv`` (a path or the table) from ``python -m analysis validate score``;
        None: the one in ``out_dir``, if there is one. With it the report has a section
        "How reliable is the coding".

    Returns
    -------
    list of Path
        The files written.
    """
    from .explorer import write_explorer

    out = Path(out_dir)
    if validation is None and (out / "validation.csv").is_file():
        validation = out / "validation.csv"
    validation_path = None if validation is None or isinstance(validation, pd.DataFrame) else Path(validation)
    if validation_path is not None:
        validation = read_validation(validation_path)
    inputs = [*run_inputs(analysis), *([validation_path] if validation_path else [])]
    with OutputFolder(out, inputs) as folder:  # written whole: staged, then moved into place, manifest.json last
        stage = folder.stage
        written = write_outputs(analysis, stage, figures=True, formats=FIGURE_FORMATS)  # PNG to embed; SVG and PDF to publish
        manifest = json.loads((stage / "manifest.json").read_text(encoding="utf-8"))
        figures = {p.stem: p for p in written if p.suffix == ".png"}
        explorer = write_explorer(analysis, stage, embed_font=embed_font)
        html = render_report(analysis, manifest, figures, embed_font=embed_font, validation=validation, explorer=explorer.name)
        report = stage / "report.html"
        report.write_text(html, encoding="utf-8")
        tables = report_tables(analysis)
        if validation is not None:
            tables["validation"] = validation
        workbook = write_workbook(tables, stage / "tables.xlsx")
        manifest["outputs"] = sorted({*manifest["outputs"], report.name, explorer.name, workbook.name})
        (stage / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return folder.commit([*written, report, explorer, workbook])
