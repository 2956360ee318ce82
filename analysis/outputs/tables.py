"""Write an analysis to a folder: every table as CSV, the figures, and ``manifest.json``
(inputs with their hashes and encodings, versions, settings, what was skipped and why)."""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import asdict
from functools import lru_cache
from importlib import metadata
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from .. import __version__
from ..config import Settings
from ..result import Analysis
from ..versions import package_version
from .safe import OutputFolder, run_inputs

__all__ = ["write_outputs", "write_tables", "settings_record", "versions"]

_DEPENDENCIES = (
    "jieba", "rjieba", "scikit-learn", "scipy", "numpy", "pandas", "matplotlib", "wordcloud", "mplfonts",
    "charset-normalizer", "opencc", "beautifulsoup4", "openpyxl", "networkx", "Jinja2", "fonttools", "Pillow",
)


@lru_cache(maxsize=1)
def _versions_found() -> tuple[tuple[str, str], ...]:
    found = {"python": platform.python_version(), "policy-analysis": __version__}
    for name in _DEPENDENCIES:
        try:
            found[name] = package_version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return tuple(found.items())


def versions() -> dict[str, str]:
    """Python's, this package's and every dependency's version (for the manifest)."""
    return dict(_versions_found())


def settings_record(settings: Settings) -> dict:
    """The settings as JSON-ready values (paths as strings)."""
    record = {}
    for key, value in asdict(settings).items():
        if isinstance(value, Path):
            value = str(value)
        elif isinstance(value, tuple):
            value = [str(v) for v in value]
        record[key] = value
    return record


def _csv(frame: pd.DataFrame, path: Path, *, index: bool = False) -> Path:
    frame.to_csv(path, index=index, encoding="utf-8", lineterminator="\n")
    return path


def _csv_parts(parts: Iterable[pd.DataFrame], path: Path) -> Path:
    """One CSV of consecutive parts of a table (the header once): the bytes :func:`_csv` writes
    for the parts joined, without joining them."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        for i, part in enumerate(parts):
            part.to_csv(stream, index=False, header=i == 0, lineterminator="\n")
    return path


def _documents_csv(analysis: Analysis, path: Path, rows: int = 2_000) -> Path:
    """``documents.csv``: the documents with their texts as read (``text``, after ``date_end``),
    written ``rows`` at a time so that the texts are never all in memory."""
    documents = analysis.documents
    if not len(documents):
        return _csv(analysis.documents_with_text(), path)
    with path.open("w", encoding="utf-8", newline="") as stream:
        for start in range(0, len(documents), rows):
            part = documents.iloc[start : start + rows].copy()
            texts = analysis.texts(range(start, start + len(part)), original=True)
            # as Python strings (object), not pandas' Arrow-backed strings: they are written as they are, not converted there and back
            part.insert(min(4, len(part.columns)), "text", pd.Series(texts, index=part.index, dtype=object))
            part.to_csv(stream, index=False, header=start == 0, lineterminator="\n")
    return path


def _by_key(frame: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """A unit × measure table with its key as the first column ("unit"); a document × measure
    table (a corpus without units) with each document's date and source beside its doc_id."""
    if frame.index.name != "doc_id":
        return frame.reset_index().rename(columns={frame.index.name: "unit"})
    meta = documents.set_index("doc_id")[["date_start", "source"]]
    return meta.reindex(frame.index).join(frame).reset_index()


def write_tables(analysis: Analysis, out_dir: str | Path) -> list[Path]:
    """Write every table of ``analysis`` as CSV into ``out_dir``; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    measures, presence = (_by_key(frame, analysis.documents) for frame in (analysis.measures, analysis.presence))
    written = [
        _documents_csv(analysis, out / "documents.csv"),
        _csv(analysis.terms, out / "terms.csv"),
        _csv(analysis.terms_by_unit, out / "terms_by_unit.csv"),
        _csv(analysis.distinctive, out / "distinctive_terms.csv"),
        _csv(analysis.mentions, out / "mentions.csv"),
        _csv(measures, out / "measures.csv"),
        _csv(presence, out / "measures_presence.csv"),
        _csv(analysis.by_period, out / "measures_by_period.csv", index=True),
    ]
    if analysis.clustering is not None:
        written.append(_csv(analysis.clustering.table(), out / "clusters.csv"))
        written.append(_csv(analysis.clustering.defining, out / "cluster_measures.csv"))
    else:
        empty = pd.DataFrame({"unit": analysis.units, "cluster": pd.Series([pd.NA] * len(analysis.units), dtype="Int64")})
        written.append(_csv(empty, out / "clusters.csv"))
    for name, parts in analysis.methods.table_parts():  # kwic.csv written part by part, never held whole
        written.append(_csv_parts(parts, out / name))
    return written


def _sha256_file(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def manifest(analysis: Analysis, outputs: list[str]) -> dict:
    """What ``manifest.json`` holds: inputs, versions, lexicon, settings, counts, skips, damaged
    bytes read as U+FFFD (file, line, count), notes."""
    corpus = analysis.corpus
    lexicon_path = analysis.lexicon.path
    clustering = analysis.clustering
    return {
        "tool": "policy-analysis",
        "versions": versions(),
        "inputs": [
            {
                "path": s.path,
                "sha256": s.sha256,
                "encoding": s.encoding,
                "format": s.format,
                "documents": s.n_documents,
                "skipped": s.n_skipped,
                "bytes_replaced": sum(count for _, count in s.replaced_bytes),
                "unit_headings": [{"line": n, "text": t} for n, t in s.headings],
                "boilerplate_lines_removed": [{"line": n, "text": t} for n, t in s.removed_lines],
            }
            for s in corpus.sources
        ],
        "lexicon": {
            "name": analysis.lexicon.name,
            "path": lexicon_path,
            "sha256": _sha256_file(lexicon_path) if lexicon_path else "",
            "measures": [{"name": m.name, "gloss": m.gloss, "variants": list(m.variants)} for m in analysis.lexicon.measures],
        },
        "settings": settings_record(analysis.settings),
        "counts": {
            "documents_read": corpus.n_read,
            "documents_analysed": len(corpus.documents),
            "documents_skipped": len(corpus.skipped),
            "units": len(analysis.units),
            "mentions": len(analysis.mentions),
            "distinct_terms": len(analysis.terms),
        },
        "skipped": [asdict(s) for s in corpus.skipped],
        "replaced_bytes": [
            {"file": s.path, "line": line, "count": count} for s in corpus.sources for line, count in s.replaced_bytes
        ],
        "notes": list(analysis.notes),
        "clusters": (
            {
                "k": clustering.k,
                "metric": clustering.metric,
                "linkage": clustering.method,
                "silhouettes": {str(k): round(v, 6) for k, v in clustering.silhouettes.items()},
            }
            if clustering is not None
            else None
        ),
        "outputs": sorted(outputs),
    }


def write_outputs(
    analysis: Analysis, out_dir: str | Path, *, figures: bool | None = None, formats: Sequence[str] | None = None
) -> list[Path]:
    """Write every table, the figures and ``manifest.json`` into ``out_dir``; return the paths.

    The files are written whole (:class:`~analysis.outputs.safe.OutputFolder`): staged, then
    moved into place with ``manifest.json`` last, so an interrupted run leaves the old set; a
    link at an output's name is replaced, never written through; an output that would replace
    one of the run's inputs stops the run (:class:`~analysis.errors.AnalysisError`).

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse`.
    out_dir : str or Path
        The output folder (created if needed).
    figures : bool or None
        Draw the figures; None: the settings' ``figures``.
    formats : sequence of str or None
        What each figure is saved as, any of "png" (300 dpi), "svg", "pdf"; None: the settings'
        ``figure_formats`` (PNG only unless asked).

    Returns
    -------
    list of Path
        The files written (``documents.csv``, ``terms.csv``, …, ``manifest.json``).

    Examples
    --------
    >>> import tempfile
    >>> import analysis
    >>> written = analysis.write_outputs(analysis.analyse(), tempfile.mkdtemp(), figures=False)
    >>> sorted(p.name for p in written)[:4]
    ['adoption.csv', 'adoption_curve.csv', 'cluster_measures.csv', 'cluster_validation.csv']
    """
    with OutputFolder(out_dir, run_inputs(analysis)) as folder:
        out = folder.stage
        written = write_tables(analysis, out)
        if analysis.settings.figures if figures is None else figures:
            from ..viz.publish import draw_figures  # matplotlib is imported only when figures are drawn

            written.extend(draw_figures(analysis, out / "figures", formats=formats))
        path = out / "manifest.json"
        record = manifest(analysis, [str(p.relative_to(out)) for p in written])
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
        return folder.commit(written)
