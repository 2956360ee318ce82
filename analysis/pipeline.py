"""Pipeline: run every stage on a corpus and write the tables, figures and manifest.

:func:`analyse` computes (no files written); :func:`draw_figures` draws; :func:`write_outputs`
writes ``documents.csv, terms.csv, measures.csv, clusters.csv, figures/, manifest.json`` and
a few more tables. Steps that a corpus cannot support (clusters without units, timelines
without dates) are skipped with a message saying why, and everything else still runs.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import platform
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

import pandas as pd

from . import __version__
from .clusters import Clustering, cluster_units
from .corpus import DEFAULT_CORPUS, Corpus, corpus_from_settings
from .counts import distinctive_terms, term_frequencies, term_frequencies_by
from .errors import AnalysisError
from .measures import (
    DEFAULT_LEXICON,
    MENTION_COLUMNS,
    Lexicon,
    find_mentions,
    load_lexicon,
    measure_matrix,
    measures_by_period,
    mention_rows,
)
from .config import Settings
from .engine import (
    PARALLEL_MIN_BYTES,
    CountReport,
    TermCounts,
    Workers,
    chunk_bounds,
    count_terms,
    default_cache_dir,
    default_workers,
)
from .tokens import (
    DEFAULT_DICTIONARY,
    DEFAULT_STOPWORDS,
    Segmenter,
    TokenIds,
    engine_version,
    keep_token,
    make_segmenter,
    read_word_list,
    token_ids,
    tokenize,
    tokenize_ids,
)
from .versions import package_version

__all__ = [
    "Analysis",
    "analyse",
    "draw_figures",
    "write_outputs",
    "leading_measures",
    "corpus_name",
    "date_range",
    "figure_source_note",
    "publish_figure",
]

_DEPENDENCIES = (
    "jieba", "rjieba", "scikit-learn", "scipy", "numpy", "pandas", "matplotlib", "wordcloud", "mplfonts",
    "charset-normalizer", "opencc", "beautifulsoup4", "openpyxl", "networkx", "Jinja2", "fonttools", "Pillow",
)


@dataclass
class Analysis:
    """Everything one run computed, stage by stage."""

    settings: Settings
    corpus: Corpus
    documents: pd.DataFrame
    lexicon: Lexicon
    counts: TermCounts  # document × term counts of the kept tokens (rows as in documents)
    terms: pd.DataFrame
    terms_by_unit: pd.DataFrame
    distinctive: pd.DataFrame
    mentions: pd.DataFrame
    measures: pd.DataFrame  # unit × measure counts
    presence: pd.DataFrame  # unit × measure 0/1
    by_period: pd.DataFrame  # period × measure counts
    clustering: Clustering | None
    notes: list[str] = field(default_factory=list)  # steps skipped and why
    segmenter: Segmenter | None = None
    token_filter: dict = field(default_factory=dict)  # keep_token's options
    report: CountReport | None = None  # documents cut / reused from the token cache
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage (not in any output)
    _tokens: list[list[str]] | None = field(default=None, repr=False)
    _token_ids: TokenIds | None = field(default=None, repr=False)

    @property
    def units(self) -> list[str]:
        return list(self.measures.index)

    @property
    def tokens(self) -> list[list[str]]:
        """Each document's kept tokens in text order, cut again on first use (the pipeline
        itself only keeps counts, so that large corpora fit in memory)."""
        if self._tokens is None:
            segmenter = self.run_segmenter()
            if segmenter.counts_natively:
                self._tokens = self.token_ids.lists()
            else:
                self._tokens = tokenize(self.corpus.analysis_texts(), segmenter, **self.token_filter)
        return self._tokens

    @property
    def token_ids(self) -> TokenIds:
        """:attr:`tokens` as integers (:class:`~analysis.tokens.TokenIds`), what keyness and
        collocations count with; made on first use, without token strings where the segmenter
        numbers tokens itself."""
        if self._token_ids is None:
            if self._tokens is not None:
                self._token_ids = token_ids(self._tokens)
            else:
                self._token_ids = tokenize_ids(self.corpus.analysis_texts(), self.run_segmenter(), **self.token_filter)
        return self._token_ids

    def run_segmenter(self) -> Segmenter:
        """The segmenter this run used (rebuilt when the analysis came from the results cache)."""
        if self.segmenter is None:
            self.segmenter = _make_segmenter(self.settings, self.lexicon, self.corpus)
        return self.segmenter


def _make_segmenter(settings: Settings, lexicon: Lexicon, corpus: Corpus) -> Segmenter:
    """The segmenter a run uses: the dictionaries plus the lexicon's terms and the corpus's units."""
    dictionaries = settings.dictionaries if settings.dictionaries is not None else (DEFAULT_DICTIONARY,)
    words = set(lexicon.terms()) | set(settings.extra_words) | set(corpus.units)
    return make_segmenter(settings.segmenter, dictionaries=dictionaries, words=words, hmm=settings.hmm)


# Settings that change how a run goes, not what it finds: left out of the results-cache key.
_RUNTIME_SETTINGS = {"engine", "scheduler", "workers", "progress", "cache", "cache_dir", "figures", "font", "top_terms", "source"}
_RESULTS_KEPT = 8  # newest results kept in the cache


def _results_key(settings: Settings) -> str | None:
    """Hash of everything analyse() reads: every file under the corpus path, the lexicon,
    dictionaries and stopwords, the settings, this package's code and its dependencies'
    versions. None if an input cannot be read (the run itself then says why)."""
    digest = hashlib.sha256(b"results-v1")
    package = Path(__file__).resolve().parent
    try:
        for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
        record = {k: v for k, v in _settings_record(settings).items() if k not in _RUNTIME_SETTINGS}
        digest.update(json.dumps([record, _versions()], sort_keys=True, default=str).encode())
        roots = settings.corpus if isinstance(settings.corpus, tuple) else (settings.corpus or DEFAULT_CORPUS,)
        files = []
        for root in map(Path, roots):
            files.extend(sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root])
        extra = [settings.lexicon or DEFAULT_LEXICON, *(settings.dictionaries or ()), *(settings.stopwords or ())]
        if settings.calendar is not None:
            extra.append(settings.calendar)
        for path in [*files, *map(Path, extra)]:
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def _load_results(cache_dir: Path, key: str) -> "Analysis | None":
    path = cache_dir / "results" / f"{key}.pickle"
    try:
        with path.open("rb") as handle:
            analysis = pickle.load(handle)  # our own cache folder, written by _store_results
        os.utime(path)
    except Exception:  # noqa: BLE001 - a missing or damaged entry is only a cache miss
        return None
    if not isinstance(analysis, Analysis):
        return None
    analysis.documents = analysis.corpus.to_frame()  # not stored: quicker to make again than to unpickle
    return analysis


def _store_results(cache_dir: Path, key: str, analysis: "Analysis") -> None:
    folder = cache_dir / "results"
    state = (analysis.settings, analysis.segmenter, analysis._tokens, analysis._token_ids, analysis.timings, analysis.report, analysis.documents)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Left out: what is run-specific, and the documents table (corpus.to_frame() remakes it).
        analysis.segmenter, analysis._tokens, analysis._token_ids, analysis.timings, analysis.report, analysis.documents = None, None, None, {}, None, None
        temporary = folder / f".{key}.{os.getpid()}.tmp"
        with temporary.open("wb") as handle:
            pickle.dump(analysis, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / f"{key}.pickle")
        for old in sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)[_RESULTS_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
    finally:
        analysis.settings, analysis.segmenter, analysis._tokens, analysis._token_ids, analysis.timings, analysis.report, analysis.documents = state


def analyse(settings: Settings = Settings()) -> Analysis:
    """Run corpus → tokens → counts → measures → clusters on ``settings.corpus``.

    With the cache on (``settings.cache``), a rerun on unchanged inputs, settings and code
    returns the stored results, and a run on a changed corpus segments only the documents the
    token cache has not seen.
    """
    with _collection_paused():
        return _analyse_or_reuse(settings)


def _analyse_or_reuse(settings: Settings) -> Analysis:
    started = time.perf_counter()
    cache_dir = Path(settings.cache_dir or default_cache_dir()) if settings.cache else None
    key = _results_key(settings) if cache_dir is not None else None
    if key is not None:
        analysis = _load_results(cache_dir, key)
        if analysis is not None:
            n = len(analysis.documents)
            analysis.settings = settings
            analysis.report = CountReport(documents=n, cached=n, engine=settings.engine, results_reused=True)
            analysis.timings = {"results from cache": time.perf_counter() - started}
            return analysis
    analysis = _analyse(settings, cache_dir, started)
    if key is not None:
        mark = time.perf_counter()
        where = _store_results_soon(cache_dir, key, analysis)
        analysis.timings["store results" if where == "here" else "store results (background process)"] = time.perf_counter() - mark
    return analysis


#: Results of corpora with at least this much text are stored by a background process.
BACKGROUND_STORE_CHARS = PARALLEL_MIN_BYTES


def _store_results_soon(cache_dir: Path, key: str, analysis: "Analysis") -> str:
    """Store the results for a rerun: for a large corpus, in a forked child process, so the
    caller has its results without waiting (pickling 20 MB of results takes about 0.1 s, on a
    core that is otherwise idle by then); else here. Returns ``"background"`` or ``"here"``.

    Only on Linux and only when this process runs no other Python thread (a notebook kernel
    does): a forked child has just the thread that forked it, so a lock another thread held
    would never be released in it. The child writes atomically (a rerun finds a complete file
    or none, and then simply analyses again) and is reaped by a daemon thread.
    """
    large = int(analysis.documents["n_chars"].sum()) >= BACKGROUND_STORE_CHARS if len(analysis.documents) else False
    if not (large and sys.platform.startswith("linux") and threading.active_count() == 1):
        _store_results(cache_dir, key, analysis)
        return "here"
    pid = os.fork()
    if pid == 0:  # the child: write, then leave without running the parent's exit handlers
        code = 1
        try:
            _store_results(cache_dir, key, analysis)
            code = 0
        finally:
            os._exit(code)
    threading.Thread(target=os.waitpid, args=(pid, 0), name="results-cache-writer", daemon=True).start()
    return "background"


def _input_bytes(settings: Settings) -> int:
    """Size of the corpus files (0 if they cannot be listed: the run itself says why)."""
    roots = settings.corpus if isinstance(settings.corpus, tuple) else (settings.corpus or DEFAULT_CORPUS,)
    total = 0
    try:
        for root in map(Path, roots):
            files = (p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
            total += sum(p.stat().st_size for p in files)
    except OSError:
        return 0
    return total


def _early_workers(settings: Settings) -> Workers | None:
    """Worker processes to cut the corpus, started before it is read so that their dictionaries
    load meanwhile; None for a corpus too small to gain from them (under one chunk of text)."""
    processes = settings.workers or default_workers()
    if settings.engine != "local" or processes <= 1 or _input_bytes(settings) < PARALLEL_MIN_BYTES:
        return None
    return Workers(settings.segmenter, processes)


def _analyse(settings: Settings, cache_dir: Path | None, started: float) -> Analysis:
    with _early_workers(settings) or nullcontext() as workers:
        return _analyse_with(settings, cache_dir, started, workers)


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a run, which builds many objects that form no
    cycles (documents, tokens, tables): the collector would walk them, and every module
    loaded, again and again for nothing (about 0.2 s of a 2.5 s run on 20 MB). What it
    would have freed is freed when the run ends and it resumes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _analyse_with(settings: Settings, cache_dir: Path | None, started: float, workers: Workers | None) -> Analysis:
    corpus = corpus_from_settings(settings)
    documents = corpus.to_frame()
    texts = corpus.analysis_texts()  # simplified where the original is traditional; outputs keep the original
    lexicon = load_lexicon(settings.lexicon)

    timings = {"load": time.perf_counter() - started}

    stopword_files = settings.stopwords if settings.stopwords is not None else (DEFAULT_STOPWORDS,)
    stopwords = frozenset(w for path in stopword_files for w in read_word_list(path)) | frozenset(settings.extra_stopwords)
    mark = time.perf_counter()
    segmenter = _make_segmenter(settings, lexicon, corpus)
    # With worker processes, the one that read jieba's dictionary resolves the segmenter's
    # added words (the others never read it); asked first, answered while the mentions are found.
    resolved = workers.resolve(segmenter) if workers is not None else lambda: segmenter
    timings["segmenter"] = time.perf_counter() - mark
    token_filter = {"stopwords": stopwords, "keep": lexicon.terms(), "min_chars": settings.min_chars}

    queued = threading.Event()  # set once the first chunks are queued for the workers

    def count() -> tuple[TermCounts, CountReport]:
        try:
            return count_terms(
                texts,
                resolved(),
                engine=settings.engine,
                scheduler=settings.scheduler,
                workers=settings.workers,
                cache_dir=cache_dir,
                progress=settings.progress,
                pool=workers,
                keep=lambda term: keep_token(term, **token_filter),
                queued=queued.set,
            )
        finally:
            queued.set()

    # Measures are coded (and units clustered) while the corpus is being cut: with worker
    # processes, they find the mentions too and a thread here hands out the cutting; without
    # them, a thread cuts while this one codes; with the Dask engine the cluster cuts.
    mark = time.perf_counter()
    doc_ids = documents["doc_id"].tolist()

    def code(mentions: pd.DataFrame) -> tuple:
        started_coding = time.perf_counter()
        coded = _code_measures(mentions, documents, lexicon, settings, corpus)
        timings["measures+clusters"] = time.perf_counter() - started_coding
        return coded

    if settings.engine == "local":
        # Mentions are quick to find: two tasks per worker, not one per chunk, save the round trips.
        mention_chars = sum(map(len, texts)) // (2 * workers.processes) + 1 if workers else 0
        coding = [workers.submit(mention_rows, texts[a:b], doc_ids[a:b], lexicon) for a, b in chunk_bounds(texts, mention_chars)] if workers else []
        with ThreadPoolExecutor(1) as background:
            counting = background.submit(count)
            if workers is not None:
                # The counting thread's set-up (hashing the texts, queueing the first chunks)
                # would share the GIL with the coding below and leave the workers waiting.
                queued.wait()
                mentions = pd.DataFrame([row for task in coding for row in workers.result(task)], columns=MENTION_COLUMNS)
            else:
                mentions = find_mentions(texts, doc_ids, lexicon)
            measures, presence, by_period, clustering, notes = code(mentions)
            counts, report = counting.result()
    else:
        counts, report = count()
        mentions = find_mentions(texts, doc_ids, lexicon)
        measures, presence, by_period, clustering, notes = code(mentions)
    timings["segment+measures"] = time.perf_counter() - mark

    mark = time.perf_counter()
    units = documents["unit"].tolist()
    terms = term_frequencies(counts)
    terms_by_unit = term_frequencies_by(counts, units).rename(columns={"group": "unit"})
    distinctive = distinctive_terms(counts, units).rename(columns={"group": "unit"})
    timings["count"] = time.perf_counter() - mark
    return Analysis(
        settings=settings,
        corpus=corpus,
        documents=documents,
        lexicon=lexicon,
        counts=counts,
        terms=terms,
        terms_by_unit=terms_by_unit,
        distinctive=distinctive,
        mentions=mentions,
        measures=measures,
        presence=presence,
        by_period=by_period,
        clustering=clustering,
        notes=notes,
        segmenter=segmenter,
        token_filter={**token_filter, "hmm": settings.hmm},
        report=report,
        timings=timings,
    )


def _code_measures(
    mentions: pd.DataFrame, documents: pd.DataFrame, lexicon: Lexicon, settings: Settings, corpus: Corpus
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Clustering | None, list[str]]:
    """Measures per unit and per period, units clustered by them, and notes on what was skipped."""
    by_doc = documents.set_index("doc_id")
    measures = measure_matrix(mentions, by_doc["unit"], lexicon)
    presence = (measures > 0).astype(int)
    by_period = measures_by_period(mentions, by_doc["date_start"], lexicon)

    notes: list[str] = list(corpus.notes)
    clustering = None
    if len(measures) < 3:
        why = (
            "no document names a unit (set [columns] unit or [corpus] unit_suffixes)"
            if len(measures) == 0
            else f"this corpus has {len(measures)}"
        )
        notes.append(f"clusters skipped: clustering needs at least 3 units; {why}")
    else:
        try:
            clustering = cluster_units(measures, k=settings.k, metric=settings.metric, method=settings.linkage)
        except AnalysisError as error:
            notes.append(f"clusters skipped: {error}")
    if documents["date_start"].isna().all():
        notes.append("timelines skipped: no document carries a date")
    elif not documents["unit"].astype(bool).any():
        notes.append("unit timeline skipped: no document names a unit (measures over time are still drawn)")
    return measures, presence, by_period, clustering, notes


def leading_measures(
    analysis: Analysis, *, top: int = 2, labels: Mapping[str, str] | None = None, sep: str = "、"
) -> dict[str, str]:
    """doc_id → its most-mentioned measures ("外防输入、三防"), ties in lexicon order.

    ``labels`` renames the measures (e.g. English glosses), joined with ``sep``.
    """
    order = {name: i for i, name in enumerate(analysis.lexicon.names)}
    result: dict[str, str] = {}
    for doc_id, group in analysis.mentions.groupby("doc_id"):
        counts = group["measure"].value_counts()
        ranked = sorted(counts.index, key=lambda m: (-counts[m], order[m]))
        result[str(doc_id)] = sep.join(labels.get(m, m) if labels else m for m in ranked[:top])
    return result


def corpus_name(analysis: Analysis) -> str:
    """A readable name for the corpus, for source notes and the report.

    The ``corpus_name`` setting if given; else publisher and title when every document shares
    them (a bulletin page); else the source file name (or folder and number of files).
    """
    if analysis.settings.corpus_name:
        return analysis.settings.corpus_name
    documents = analysis.documents
    titles = {t for t in documents.get("title", pd.Series(dtype=str)).fillna("") if t}
    publishers = {p for p in documents.get("publisher", pd.Series(dtype=str)).fillna("") if p}
    if len(titles) == 1:
        title = f"《{titles.pop()}》"
        return f"{publishers.pop()}{title}" if len(publishers) == 1 else title
    paths = [Path(s.path) for s in analysis.corpus.sources]
    if len(paths) == 1:
        return paths[0].name
    if paths:
        return f"{paths[0].parent.name}/ ({len(paths)} files)"
    return "corpus"


def date_range(analysis: Analysis) -> tuple[date | None, date | None]:
    """First and last day the documents report on (publication dates if none are dated)."""
    documents = analysis.documents
    starts = pd.to_datetime(documents["date_start"], errors="coerce").dropna()
    if not starts.empty:
        ends = pd.to_datetime(documents["date_end"], errors="coerce").dropna()
        last = max(starts.max(), ends.max()) if not ends.empty else starts.max()
        return starts.min().date(), last.date()
    published = pd.to_datetime(documents.get("published", pd.Series(dtype=object)), errors="coerce").dropna()
    if not published.empty:
        return published.min().date(), published.max().date()
    return None, None


def figure_source_note(analysis: Analysis) -> str:
    """The source note written under every figure: corpus name and date range."""
    from .figures import source_note

    start, end = date_range(analysis)
    return source_note(corpus_name(analysis), start, end)


def publish_figure(
    fig, analysis: Analysis, out_dir: str | Path, name: str, *, size: str | None = None, source: str | None = None
) -> list[Path]:
    """Give ``fig`` the house style (size, source note) and save it as PNG, SVG and PDF.

    What the notebooks call, so that their figures match the ones ``run`` and ``report`` write.
    ``source`` replaces the note made from ``analysis`` (corpus name and date range).
    """
    from . import figures

    size = size or analysis.settings.figure_size
    figures.apply_house_style(fig, source=figure_source_note(analysis) if source is None else source, size=size, font=analysis.settings.font)
    return figures.save_figure(fig, out_dir, name, bbox_inches=None)


def draw_figures(
    analysis: Analysis, out_dir: str | Path, *, size: str | None = None, labels: str | None = None
) -> list[Path]:
    """Draw every figure the corpus supports into ``out_dir`` (PNG, SVG, PDF); return the paths.

    Each figure gets the house style (:func:`analysis.figures.apply_house_style`): ``size``
    "print" or "slide" and ``labels`` "zh" or "en" (measures labelled by their English glosses)
    default to the settings.
    """
    import matplotlib.pyplot as plt

    from . import figures

    font = analysis.settings.font
    size = size or analysis.settings.figure_size
    labels = labels or analysis.settings.measure_labels
    if size not in figures.SIZES:
        raise AnalysisError(f"figure size '{size}' is unknown (use one of: {', '.join(figures.SIZES)})")
    if labels not in {"zh", "en"}:
        raise AnalysisError(f"measure labels '{labels}' are unknown (use 'zh' or 'en')")
    english = labels == "en"
    measure_names = figures.english_labels(analysis.lexicon.glosses, width=0) if english else None
    note = figure_source_note(analysis)
    out = Path(out_dir)
    written: list[Path] = []

    def save(fig, name: str) -> None:
        written.extend(publish_figure(fig, analysis, out, name, size=size, source=note))
        plt.close(fig)

    # Inside this block each figure's SVG and PDF are written by a second process while the next one is drawn.
    with figures.saving_in_background():
        save(figures.plot_document_lengths(analysis.documents, font=font), "document_lengths")
        save(figures.plot_term_bar(analysis.terms, top_n=analysis.settings.top_terms, font=font), "terms_bar")
        frequencies = dict(zip(analysis.terms["term"], analysis.terms["count"]))
        if frequencies:
            save(figures.plot_wordcloud(frequencies, title="全部文本词云 Word cloud, whole corpus", font=font), "wordcloud")
        by_unit = {
            unit: dict(zip(group["term"], group["count"])) for unit, group in analysis.terms_by_unit.groupby("unit", sort=False)
        }
        if by_unit:
            ordered = {u: by_unit[u] for u in analysis.units if u in by_unit}
            save(figures.plot_wordcloud_grid(ordered, font=font), "wordcloud_units")
        if analysis.clustering is not None:
            save(figures.plot_dendrogram(analysis.clustering, font=font), "dendrogram")
        if len(analysis.measures):
            save(figures.plot_measure_heatmap(analysis.measures, analysis.clustering, labels=measure_names, font=font), "measures_heatmap")
        dated = analysis.documents.dropna(subset=["date_start"])
        if not dated.empty and dated["unit"].astype(bool).any():
            clusters = analysis.clustering.labels if analysis.clustering is not None else None
            if english:  # glosses are long: the leading measure only, wrapped, so labels stay in the chart
                short = figures.english_labels(analysis.lexicon.glosses, short=True, width=24)
                leading = leading_measures(analysis, top=1, labels=short)
            else:
                leading = leading_measures(analysis)
            save(figures.plot_timeline(dated, labels=clusters, leading=leading, font=font), "timeline")
        if not analysis.by_period.empty and analysis.by_period.to_numpy().sum() > 0:
            save(figures.plot_measures_over_time(analysis.by_period, labels=measure_names, font=font), "measures_over_time")
        from .methods import draw_method_figures  # keyness, co-occurrence, validation, trends

        written.extend(
            draw_method_figures(analysis, out, style=lambda fig: figures.apply_house_style(fig, source=note, size=size, font=font))
        )
    return written


def _sha256_file(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _versions() -> dict[str, str]:
    return dict(_versions_found())


@lru_cache(maxsize=1)
def _versions_found() -> tuple[tuple[str, str], ...]:
    versions = {"python": platform.python_version(), "policy-analysis": __version__, "analysis._segment": engine_version("native")}
    for name in _DEPENDENCIES:
        try:
            versions[name] = package_version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return tuple(versions.items())



def _settings_record(settings: Settings) -> dict:
    record = {}
    for key, value in asdict(settings).items():
        if isinstance(value, Path):
            value = str(value)
        elif isinstance(value, tuple):
            value = [str(v) for v in value]
        record[key] = value
    return record


def write_outputs(analysis: Analysis, out_dir: str | Path, *, figures: bool | None = None) -> list[Path]:
    """Write every table, the figures (unless ``figures`` is False) and ``manifest.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def table(frame: pd.DataFrame, name: str, *, index: bool = False) -> None:
        path = out / name
        frame.to_csv(path, index=index, encoding="utf-8", lineterminator="\n")
        written.append(path)

    table(analysis.documents, "documents.csv")
    table(analysis.terms, "terms.csv")
    table(analysis.terms_by_unit, "terms_by_unit.csv")
    table(analysis.distinctive, "distinctive_terms.csv")
    table(analysis.mentions, "mentions.csv")
    table(analysis.measures.reset_index().rename(columns={analysis.measures.index.name: "unit"}), "measures.csv")
    table(analysis.presence.reset_index().rename(columns={analysis.presence.index.name: "unit"}), "measures_presence.csv")
    table(analysis.by_period, "measures_by_period.csv", index=True)
    if analysis.clustering is not None:
        table(analysis.clustering.table(), "clusters.csv")
        table(analysis.clustering.defining, "cluster_measures.csv")
    else:
        table(pd.DataFrame({"unit": analysis.units, "cluster": pd.Series([pd.NA] * len(analysis.units), dtype="Int64")}), "clusters.csv")

    from .methods import write_method_tables  # issue 5: kwic, keyness, co-occurrence, validation, …

    written.extend(write_method_tables(analysis, out))

    draw = analysis.settings.figures if figures is None else figures
    if draw:
        written.extend(draw_figures(analysis, out / "figures"))

    corpus = analysis.corpus
    lexicon_path = analysis.lexicon.path
    manifest = {
        "tool": "policy-analysis",
        "versions": _versions(),
        "inputs": [
            {
                "path": s.path,
                "sha256": s.sha256,
                "encoding": s.encoding,
                "format": s.format,
                "documents": s.n_documents,
                "skipped": s.n_skipped,
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
        "settings": _settings_record(analysis.settings),
        "counts": {
            "documents_read": corpus.n_read,
            "documents_analysed": len(corpus.documents),
            "documents_skipped": len(corpus.skipped),
            "units": len(analysis.units),
            "mentions": len(analysis.mentions),
            "distinct_terms": len(analysis.terms),
        },
        "skipped": [asdict(s) for s in corpus.skipped],
        "notes": analysis.notes,
        "clusters": (
            {
                "k": analysis.clustering.k,
                "metric": analysis.clustering.metric,
                "linkage": analysis.clustering.method,
                "silhouettes": {str(k): round(v, 6) for k, v in analysis.clustering.silhouettes.items()},
            }
            if analysis.clustering is not None
            else None
        ),
        "outputs": sorted(str(p.relative_to(out)) for p in written),
    }
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written.append(path)
    return written
