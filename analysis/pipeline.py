"""The pipeline: run every stage once on a corpus and return an :class:`~analysis.result.Analysis`.

corpus (``io``) → the document-feature matrix (``text``) → mentions and measures (``measures``) →
clusters (``methods``) → one immutable result, from which the research methods are computed
when first asked. Nothing is written and no
global state changes: figures (:mod:`analysis.viz`) and files (:mod:`analysis.outputs`) are
separate, explicit steps. Steps a corpus cannot support (clusters without units, timelines
without dates) are skipped with a note saying why, and everything else still runs.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from .config import DEPRECATED, Settings, deprecated, load_settings
from .errors import AnalysisError, ConfigError
from .io.corpus import Columns, Corpus, PageLayout
from .io.corpus import read_corpus as read_files
from .io.dates import load_calendar
from .io.store import TextStore
from .measures.coding import code_documents, title_candidates
from .measures.coverage import lexicon_fit
from .measures.lexicon import Lexicon, effects_frame, load_lexicon, measure_matrix, measures_by_period
from .measures.model import load_model
from .methods.clusters import Clustering, cluster_units
from .result import Analysis
from .text.dfm import DFM
from .text.engine import DistributedReading, count_corpus, read_and_count_on_dask
from .text.tokens import DEFAULT_DICTIONARY, DEFAULT_STOPWORDS, Segmenter, make_segmenter, read_word_list

__all__ = ["settings_for", "corpus_from_settings", "read_corpus", "analyse", "make_run_segmenter"]


def settings_for(source: Any = None, *, config: str | Path | None = None, **overrides: Any) -> Settings:
    """The settings a call describes: ``source`` may be a corpus path (file or folder), a list
    of paths, a config file (``.toml``), or :class:`~analysis.config.Settings`; ``config`` a
    config file; keyword arguments override single settings (``lexicon=``, ``k=``, …)."""
    if isinstance(source, Settings):
        settings = source
    elif isinstance(source, (str, Path)) and Path(source).suffix.lower() == ".toml":
        settings = load_settings(source)
    else:
        settings = load_settings(config) if config else Settings()
        if source is not None:
            corpus = Path(source) if isinstance(source, (str, Path)) else tuple(Path(p) for p in source)
            settings = settings.with_overrides(corpus=corpus)
    for name in DEPRECATED.keys() & overrides.keys():  # accepted for one release, with a message
        deprecated(f"the setting {name}={overrides.pop(name)!r}", DEPRECATED[name])
    unknown = set(overrides) - set(Settings.__dataclass_fields__)
    if unknown:
        raise AnalysisError(f"unknown setting(s): {', '.join(sorted(unknown))} (see analysis.Settings for the names)")
    return settings.with_overrides(**overrides)


def corpus_from_settings(settings: Settings, *, store: bool | str | Path | None = None) -> Corpus:
    """Read the corpus a :class:`~analysis.config.Settings` describes (``store``: write its texts
    to disk as they are read, see :func:`~analysis.io.corpus.read_corpus`)."""
    _check_config_corpus(settings)
    return read_files(
        settings.corpus,
        **_reading_options(settings),
        drop_duplicates=settings.drop_duplicates,
        progress=settings.progress,
        date_range=settings.date_range,
        store=store,
    )


def _reading_options(settings: Settings) -> dict[str, Any]:
    """How the settings' corpus is read: its layout, columns, format, encoding, script, calendar."""
    layout = PageLayout(
        unit_suffixes=settings.unit_suffixes,
        default_year=settings.default_year,
        page_layout=settings.page_layout,
        issuer_prefixes=settings.issuer_prefixes,
    )
    columns = Columns(
        text=settings.text_column,
        date=settings.date_column,
        unit=settings.unit_column,
        title=settings.title_column,
        id=settings.id_column,
    )
    calendar = load_calendar(settings.calendar) if settings.calendar else None
    return dict(
        layout=layout, columns=columns, fmt=settings.format, encoding=settings.encoding, script=settings.script,
        calendar=calendar, date_from_text=settings.date_from_text,
    )


def _read_on_dask(settings: Settings) -> DistributedReading:
    """The corpus read, cut, counted and coded on Dask: each worker reads its own partitions of
    the files and writes their texts to the run's store (:func:`~analysis.text.engine.read_and_count_on_dask`);
    this process gets the documents' variables, counts and mentions, never the texts."""
    import shutil

    from .io.corpus import Reading, check_format, input_paths

    _check_config_corpus(settings)
    check_format(settings.format, settings.corpus)
    lexicon = load_lexicon(settings.lexicon)
    model = load_model(settings.coding_model) if settings.coding_method != "lexicon" and settings.coding_model else None
    code = partial(code_documents, lexicon=lexicon, method=settings.coding_method, titles=settings.code_titles, model=model)

    def prepare(corpus: Corpus) -> tuple[Segmenter, dict, Any, list[bool] | None]:
        _check_reference_unit(settings, pd.DataFrame({"unit": corpus.units or [""]}))
        titled = title_candidates(corpus.to_frame(text=False)) if settings.code_titles else None
        return make_run_segmenter(settings, lexicon, corpus), _token_filter(settings, lexicon), code, titled

    options = _reading_options(settings)
    reading = Reading(options.pop("layout"), options.pop("columns"), options.pop("fmt"), **options)
    folder = TextStore.temporary_folder()
    try:
        done = read_and_count_on_dask(
            input_paths(settings.corpus), reading, prepare, folder,
            drop_duplicates=settings.drop_duplicates, date_range=settings.date_range,
            scheduler=settings.scheduler, workers=settings.workers, progress=settings.progress,
            words=[v for measure in lexicon.measures for v in measure.variants],  # the lexicon report's, cut there
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    done.corpus.store = TextStore.open(folder).own()  # the run's store owns the folder the workers wrote
    found = [m for m in done.mentions if m is not None and len(m)]
    done.mentions = pd.concat(found, ignore_index=True) if found else done.mentions[0]
    return done


def _token_filter(settings: Settings, lexicon: Lexicon) -> dict[str, Any]:
    """Which tokens are counted: not the stopwords, the lexicon's terms always, at least ``min_chars`` characters."""
    stopword_files = settings.stopwords if settings.stopwords is not None else (DEFAULT_STOPWORDS,)
    stopwords = frozenset(w for path in stopword_files for w in read_word_list(path)) | frozenset(settings.extra_stopwords)
    return {"stopwords": stopwords, "keep": lexicon.terms(), "min_chars": settings.min_chars}


def _check_config_corpus(settings: Settings) -> None:
    """A corpus path from a config file that is not there: the message names the file and the
    config that points to it (the user gave no --corpus to check)."""
    if settings.source is None or settings.corpus is None:
        return
    paths = settings.corpus if isinstance(settings.corpus, tuple) else (settings.corpus,)
    missing = [p for p in paths if not Path(p).exists()]
    if missing and load_settings(settings.source).corpus == settings.corpus:  # not replaced by --corpus
        raise ConfigError(
            f"{missing[0]}: not found; it is the corpus that {settings.source} names under [corpus] path "
            "(put the data there, or change the path in that config)"
        )


def read_corpus(source: Any = None, *, config: str | Path | None = None, **overrides: Any) -> Corpus:
    """Read a corpus (the shipped bulletin by default) into documents: pages split into dated
    unit reports, tables and JSON Lines into one document per row.

    Parameters
    ----------
    source : str, Path, list of paths, Settings or None
        A corpus file or folder, a list of them, a config file (``.toml``) or
        :class:`~analysis.config.Settings` (see :func:`settings_for`); None: the shipped bulletin.
    config : str, Path or None
        A config file whose settings apply.
    **overrides : Any
        Single settings by name (``page_layout="official"``, ``default_year=2020``, …).

    Returns
    -------
    Corpus
        The documents (``.to_frame()`` gives the documents table), the sources read with their
        encodings, and every item skipped, with its reason.

    Examples
    --------
    >>> import analysis
    >>> documents = analysis.read_corpus().to_frame()
    >>> len(documents), documents.loc[1, "unit"], str(documents.loc[1, "date_start"])
    (10, '鹤北', '2020-04-18')
    """
    return corpus_from_settings(settings_for(source, config=config, **overrides))


def make_run_segmenter(settings: Settings, lexicon: Lexicon, corpus: Corpus) -> Segmenter:
    """The segmenter a run uses: the dictionaries plus the lexicon's terms and the corpus's units."""
    dictionaries = settings.dictionaries if settings.dictionaries is not None else (DEFAULT_DICTIONARY,)
    words = set(lexicon.terms()) | set(settings.extra_words) | set(corpus.units)
    return make_segmenter(settings.segmenter, dictionaries=dictionaries, words=words, hmm=settings.hmm)


def analyse(source: Any = None, *, config: str | Path | None = None, methods: bool = True, **overrides: Any) -> Analysis:
    """Analyse a corpus: read it, cut and count its terms into a document-feature matrix, code
    its measures and cluster its units; the research methods are reached through the result and
    computed on first use. Writes nothing.

    Parameters
    ----------
    source : str, Path, list of paths, Settings, Corpus or None
        A corpus path (file or folder), a list of them, a config file (``.toml``),
        :class:`~analysis.config.Settings` or a corpus already read (:func:`read_corpus`);
        None: the shipped bulletin.
    config : str, Path or None
        A config file whose settings apply.
    methods : bool
        Accepted for compatibility and changes nothing: the research methods are computed
        when first asked (``result.methods.keyness`` …).
    **overrides : Any
        Settings by name, checked as a config file's are, e.g.
        ``analyse("pages/", lexicon="my.toml", k=3)``; a bad value raises
        :class:`~analysis.errors.ConfigError` naming the setting and the values it takes.

    Returns
    -------
    Analysis
        Immutable: ``documents``, ``dfm``, ``mentions``, ``measures``, ``clustering``, and,
        computed on first use, ``terms`` and ``methods`` (``kwic``, ``keyness``, …).

    Examples
    --------
    >>> import analysis
    >>> result = analysis.analyse()
    >>> result.measures.shape, result.units[:3]
    ((9, 18), ['鹤北', '绥阳', '东方红'])
    >>> analysis.analyse(k=0)
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: setting 'k' (config [clusters] k, flag run --k) must be a positive whole number, not 0
    """
    distributed = None
    if isinstance(source, Corpus):
        settings, corpus = settings_for(None, config=config, **overrides), source
        store = corpus.store if corpus.store is not None else _store_texts(corpus)
    else:
        settings = settings_for(source, config=config, **overrides)
        # --engine dask: the workers read, cut, count and code their own parts of the files
        distributed = _read_on_dask(settings) if settings.engine == "dask" else None
        corpus = distributed.corpus if distributed else corpus_from_settings(settings, store=True)  # texts written to disk as they are read
        store = corpus.store
    # The documents' variables only: the texts stay on disk (``store``, simplified where the
    # original is traditional: what is matched and segmented) and are read back chunk by chunk.
    documents = corpus.to_frame(text=False)
    lexicon = load_lexicon(settings.lexicon)
    _check_reference_unit(settings, documents)

    # On Dask, the segmenter the workers cut with, which holds the lexicon's variants as they cut
    # them: this process never loads its dictionary (about 110 MB).
    segmenter = distributed.segmenter if distributed else make_run_segmenter(settings, lexicon, corpus)
    token_filter = _token_filter(settings, lexicon)
    counts, bigrams = (distributed.counts, distributed.bigrams) if distributed else count_corpus(  # counted chunk by chunk as it is cut: the tokens are not kept
        store,
        segmenter,
        **token_filter,
        engine=settings.engine,
        scheduler=settings.scheduler,
        workers=settings.workers,
        progress=settings.progress,
    )
    dfm = DFM.from_counts(counts, documents)  # the documents' variables travel with their rows

    effects: dict = {}  # what each coding rule did, counted in the same pass (lexicon_report.csv's rule rows)
    mentions = distributed.mentions if distributed else code_documents(
        documents, store, lexicon, method=settings.coding_method, titles=settings.code_titles,
        model=load_model(settings.coding_model) if settings.coding_method != "lexicon" and settings.coding_model else None,
        effects=effects,
    )
    measures, presence, by_period, clustering, notes = _code_measures(mentions, documents, lexicon, settings, corpus)
    fit = lexicon_fit(  # a lexicon for another subject finds little
        store, lexicon, matched=mentions["doc_id"].nunique(), per_text=_lexicon_mentions_per_text(mentions, documents, settings),
    )
    if fit:
        notes.insert(0, fit)
    return Analysis(  # the methods are computed from it when first asked (result.methods.keyness, …)
        settings=settings,
        corpus=corpus,
        documents=documents,
        lexicon=lexicon,
        dfm=dfm,
        mentions=mentions,
        measures=measures,
        presence=presence,
        by_period=by_period,
        clustering=clustering,
        run_notes=tuple(notes),
        segmenter=segmenter,
        bigrams=bigrams,
        token_filter=token_filter,
        store=store,
        # counted while coding (here, or on the Dask workers and summed); for "model" coding, by the report
        rule_effects=effects_frame(distributed.effects if distributed else effects, lexicon) if settings.coding_method != "model" else None,
    )


def _lexicon_mentions_per_text(mentions: pd.DataFrame, documents: pd.DataFrame, settings: Settings) -> Any:
    """The lexicon's mentions in each document's text (not its title), in document order: the
    coverage check reads the run's own lexicon's coverage from them instead of matching again.
    None when the lexicon was not matched (``coding_method = "model"``)."""
    if settings.coding_method == "model":
        return None
    body = mentions.loc[(mentions["method"] == "lexicon") & ~mentions["in_title"].astype(bool), "doc_id"]
    return body.value_counts().reindex(documents["doc_id"], fill_value=0).to_numpy()


def _store_texts(corpus: Corpus) -> TextStore:
    """A temporary store of the texts of a corpus read into memory (the corpus is not changed)."""
    writer = TextStore.writer()
    for doc in corpus.documents:
        writer.add(doc.doc_id, doc.analysis_text, doc.text)
    return writer.finish()


def _check_reference_unit(settings: Settings, documents: pd.DataFrame) -> None:
    """A reference unit for adoption lags must be a unit of the corpus: a typo never gives empty lags silently."""
    name = settings.reference_unit
    if not name:
        return
    units = list(dict.fromkeys(u for u in documents["unit"].fillna("").astype(str) if u))
    if name not in units:
        known = ", ".join(units[:20]) + (" …" if len(units) > 20 else "") if units else "none: no document names a unit"
        raise ConfigError(f"[diffusion] reference_unit '{name}' is not a unit of this corpus (units: {known})")


def _code_measures(
    mentions: pd.DataFrame, documents: pd.DataFrame, lexicon: Lexicon, settings: Settings, corpus: Corpus
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Clustering | None, list[str]]:
    """Measures per unit (per document when no unit is known) and per period, units clustered
    by them, and notes on what was done and what was skipped."""
    by_doc = documents.set_index("doc_id")
    has_units = bool(by_doc["unit"].astype(bool).any())
    notes: list[str] = list(corpus.notes)
    if has_units:
        measures = measure_matrix(mentions, by_doc["unit"], lexicon)
    else:  # a corpus without units still gets its measures, one row per document
        measures = measure_matrix(mentions, by_doc.index.to_series(name="doc_id"), lexicon)
        notes.append("measures counted per document (measures.csv has one row per doc_id): no document names a unit")
    presence = (measures > 0).astype(int)
    by_period = measures_by_period(mentions, by_doc["date_start"], lexicon)

    clustering = None
    # A unit that mentions no measure has no profile: kept out of the clustering (as a group of
    # identical empty profiles it would look like a perfectly stable cluster).
    silent = [u for u, n in measures.sum(axis=1).items() if n == 0] if has_units else []
    profiled = measures.drop(index=silent)
    if silent:
        shown = "、".join(map(str, silent[:10])) + (f" and {len(silent) - 10} more" if len(silent) > 10 else "")
        notes.append(f"{len(silent)} unit(s) mention no measure of the lexicon and are left out of the clustering: {shown}")
    if not has_units or len(profiled) < 3:
        why = (
            "no document names a unit (set [columns] unit or [corpus] unit_suffixes)"
            if not has_units
            else f"this corpus has {len(profiled)} that mention a measure"
        )
        notes.append(f"clusters skipped: clustering needs at least 3 units; {why}")
    else:
        try:
            clustering = cluster_units(profiled, k=settings.k, metric=settings.metric, method=settings.linkage)
        except AnalysisError as error:
            notes.append(f"clusters skipped: {error}")
    if documents["date_start"].isna().all():
        notes.append("timelines skipped: no document carries a date")
    elif not documents["unit"].astype(bool).any():
        notes.append("unit timeline skipped: no document names a unit (measures over time are still drawn)")
    return measures, presence, by_period, clustering, notes
