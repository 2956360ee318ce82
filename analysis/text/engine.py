"""Where the corpus is cut into tokens: in this process (the default) or on a Dask cluster.

Both cut the corpus in chunks of about 300,000 characters and join the chunks' token ids in
document order, so they give the same :class:`~analysis.text.tokens.TokenIds` (the kept tokens
of every document, numbered in order of first appearance) and every table is the same
whichever engine ran (``tests/test_dask_engine.py``). Only one chunk's token strings exist at
a time here; a run counts each chunk as it arrives (:func:`count_corpus`) and keeps no tokens.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any
from itertools import chain
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..progress import progress as progress_bar
from ..progress import showing
from .counts import Bigrams, CountsBuilder, PartCounts, TermCounts, count_token_ids
from .tokens import Segmenter, TokenIds, keep_token

if TYPE_CHECKING:
    from ..io.store import TextStore

__all__ = ["ENGINES", "cut_chunks", "cut_corpus", "count_corpus", "merge_token_ids", "chunk_bounds", "read_and_count_on_dask", "DistributedReading", "dask_client", "map_in_order"]

#: Where segmentation runs.
ENGINES = ("local", "dask")
_CHUNK_CHARS = 300_000  # about 1 MB of Chinese text per Dask task


def chunk_bounds(texts: Sequence[str], size: int = _CHUNK_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive runs of texts holding about ``size`` characters each."""
    bounds = []
    start = chars = 0
    for i, text in enumerate(texts):
        chars += len(text)
        if chars >= size:
            bounds.append((start, i + 1))
            start, chars = i + 1, 0
    if start < len(texts):
        bounds.append((start, len(texts)))
    return bounds


def _cut_chunk(segmenter: Segmenter, texts: Iterable[str], token_filter: dict) -> TokenIds:
    """The one task both engines run: cut ``texts``, keep the tokens worth counting, number them.

    The same as ``token_ids(tokenize(texts, segmenter, **token_filter))``, but the tokens are
    numbered by pandas (``factorize``, in order of first appearance) and filtered by numpy, so
    no Python code runs per token: each distinct token is judged once by :func:`keep_token`.
    A kept token first appears among the kept ones where it first appears among all, so
    renumbering the kept distinct tokens in that order gives ``token_ids``'s numbering.
    """
    import pandas as pd

    cut = segmenter.cut
    lists = [cut(text) for text in texts]
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    flat = np.fromiter(chain.from_iterable(lists), dtype=object, count=int(lengths.sum()))  # no list of every token in between
    del lists
    codes, distinct = pd.factorize(flat)
    kept = np.fromiter((keep_token(w, **token_filter) for w in distinct), dtype=bool, count=len(distinct))
    taken = kept[codes]
    renumbered = (np.cumsum(kept, dtype=np.int64) - 1).astype(np.int32)
    before = np.zeros(len(taken) + 1, dtype=np.int64)  # kept tokens before each position
    np.cumsum(taken, out=before[1:])
    ends = np.cumsum(lengths)
    return TokenIds(renumbered[codes[taken]], distinct[kept].tolist(), before[ends] - before[ends - lengths])


def merge_token_ids(parts: Iterable[TokenIds]) -> TokenIds:
    """Join chunks' token ids (in document order) into one numbering, in order of first
    appearance over the whole corpus: the numbering one chunk of every text would have had.

    ``parts`` may be an iterator: each chunk is renumbered as it arrives and let go, so only
    the integers are kept, not every chunk's list of words."""
    vocabulary: dict[str, int] = {}
    ids: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    for part in parts:
        remap = np.fromiter((vocabulary.setdefault(w, len(vocabulary)) for w in part.words), dtype=np.int32, count=len(part.words))
        ids.append(remap[part.ids] if len(part.words) else part.ids.astype(np.int32))
        lengths.append(part.lengths)
    joined = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)
    return TokenIds(joined, list(vocabulary), np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64))


def cut_chunks(
    texts: Sequence[str] | TextStore,
    segmenter: Segmenter,
    *,
    stopwords: frozenset[str] = frozenset(),
    keep: frozenset[str] = frozenset(),
    min_chars: int = 2,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
) -> Iterator[TokenIds]:
    """Each chunk's kept tokens (see :func:`~analysis.text.tokens.keep_token`) as token ids, in
    document order, one chunk at a time. ``texts`` may be a :class:`~analysis.io.store.TextStore`,
    read chunk by chunk.

    ``engine="local"`` cuts here; ``"dask"`` on the cluster at ``scheduler``, or on a local
    cluster of ``workers`` processes when no address is given. The result does not depend on
    the engine.
    """
    token_filter = {"stopwords": stopwords, "keep": keep, "min_chars": min_chars}
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine '{engine}' (known: {', '.join(ENGINES)})")
    chunks = _text_chunks(texts, progress)
    if engine == "local":  # chunk by chunk, as the Dask workers do: only one chunk's token strings at a time
        return (_cut_chunk(segmenter, chunk, token_filter) for chunk in chunks)
    return _cut_on_dask(segmenter, chunks, token_filter, scheduler, workers)


def _text_chunks(texts: Sequence[str] | TextStore, progress: bool | None) -> Iterable[Sequence[str]]:
    """The texts in consecutive chunks of about :data:`_CHUNK_CHARS` characters (a
    :class:`~analysis.io.store.TextStore` read from disk chunk by chunk, never whole), counted
    by a "segmenting" bar."""
    if hasattr(texts, "chunks"):
        chunks: Iterable[Sequence[str]] = texts.chunks(_CHUNK_CHARS)
        total = _chunk_count(texts.lengths(), _CHUNK_CHARS) if showing(progress) else None  # the lengths read only for a bar
    else:
        bounds = chunk_bounds(texts)
        chunks, total = (texts[a:b] for a, b in bounds), len(bounds)
    return progress_bar(chunks, "segmenting", enabled=progress, total=total, unit="chunk")


def _chunk_count(lengths: np.ndarray, size: int) -> int:
    """How many chunks :func:`chunk_bounds` makes of texts of these lengths."""
    count = chars = pending = 0
    for n in lengths.tolist():
        chars += n
        pending += 1
        if chars >= size:
            count, chars, pending = count + 1, 0, 0
    return count + (1 if pending else 0)


def cut_corpus(texts: Sequence[str] | TextStore, segmenter: Segmenter, **options: Any) -> TokenIds:
    """Every text's kept tokens as token ids (``options`` as for :func:`cut_chunks`)."""
    return merge_token_ids(cut_chunks(texts, segmenter, **options))


def count_corpus(
    texts: Sequence[str] | TextStore,
    segmenter: Segmenter,
    *,
    on_disk: bool = True,
    stopwords: frozenset[str] = frozenset(),
    keep: frozenset[str] = frozenset(),
    min_chars: int = 2,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
) -> tuple[TermCounts, Bigrams]:
    """The document × term counts and the bigrams of every text's kept tokens, as
    :func:`cut_corpus` would give them once counted, but counted chunk by chunk as the chunks
    are cut (here or on Dask): the corpus's tokens are never all held. ``on_disk``: the counts
    are kept a chunk of rows at a time in a temporary folder they own (see
    :func:`counts_folder`), not in memory. The other options as for :func:`cut_chunks`.

    Here (``engine="local"``) each chunk's tokens go straight to the counts
    (:meth:`~analysis.text.counts.CountsBuilder.add_cut`: the same counts as numbering each
    chunk's tokens first, as a Dask worker does, in fewer steps per token)."""
    folder = counts_folder() if on_disk else None
    if engine != "local":
        chunks = cut_chunks(texts, segmenter, stopwords=stopwords, keep=keep, min_chars=min_chars, engine=engine,
                            scheduler=scheduler, workers=workers, progress=progress)
        return count_token_ids(chunks, folder=folder, own=True)
    counted = partial(keep_token, stopwords=stopwords, keep=keep, min_chars=min_chars)
    builder = CountsBuilder(folder=folder, own=True)
    cut = segmenter.cut
    for chunk in _text_chunks(texts, progress):
        builder.add_cut([cut(text) for text in chunk], counted)
    return builder.result()


def counts_folder() -> Path:
    """A new temporary folder for a run's counts: made, named and swept as the run's text
    store's (:meth:`~analysis.io.store.TextStore.temporary_folder`: a killed run's folder is
    removed by the next run), and removed with the counts that own it."""
    from ..io.store import TextStore

    return TextStore.temporary_folder()


@contextmanager
def dask_client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A client of the Dask cluster at ``scheduler``, or of a local cluster of ``workers``
    processes (closed on exit); a missing Dask or an unreachable scheduler is a ConfigError."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError(
            "the Dask engine needs dask and distributed (pip install 'policy-analysis[dask]'), or use engine = \"local\""
        ) from None
    # Distributed keeps each connection's last 1000 messages for debugging, and a chunk (under
    # 1 MB) is a message: over a long corpus this process would keep about 2 MB per chunk.
    with dask.config.set({"distributed.admin.low-level-log-length": 0}):
        cluster = None
        try:
            if scheduler:
                client = Client(scheduler, timeout="10s")
            else:
                cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None)
                client = Client(cluster)
        except OSError as error:
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {error} (check the address, or drop --scheduler)") from None
        except RuntimeError as error:  # e.g. "Nanny failed to start": workers that cannot start here
            raise ConfigError(f"cannot start a local Dask cluster: {error} (use --engine local, or fewer --workers)") from None
        try:
            yield client
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def map_in_order(client: Any, function: Callable, items: Iterable, *args: Any, name: str = "task", **kwargs: Any) -> Iterator[Any]:
    """``function(item, *args, **kwargs)`` for every item, run on the cluster and given back in
    the items' order; a few tasks per worker are in flight at a time, so neither this process
    nor the workers hold every result at once."""
    run = uuid.uuid4().hex  # task names unique to this run, even on a long-lived shared cluster
    window = 4 * max(len(client.scheduler_info().get("workers", {})), 1)
    pending: deque = deque()
    for i, item in enumerate(items):
        pending.append(client.submit(function, item, *args, key=f"{name}-{run}-{i}", pure=False, **kwargs))
        if len(pending) >= window:
            yield _take(pending.popleft())
    while pending:
        yield _take(pending.popleft())


def _cut_on_dask(
    segmenter: Segmenter, chunks: Iterable[Sequence[str]], token_filter: dict, scheduler: str | None, workers: int | None
) -> Iterator[TokenIds]:
    """Each chunk's token ids, in order, cut on a Dask cluster. A few chunks per worker are in
    flight at a time, so neither this process nor the workers hold the whole corpus at once."""

    def encoded(chunks: Iterable[Sequence[str]]) -> Iterator[tuple[bytes, np.ndarray]]:
        for chunk in chunks:
            lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
            yield "".join(chunk).encode("utf-8", "surrogatepass"), lengths  # one buffer, not a list of strings to pickle

    with dask_client(scheduler, workers) as client:
        yield from map_in_order(client, _cut_encoded, encoded(chunks), segmenter, token_filter, name="cut")


def _cut_encoded(encoded: tuple[bytes, np.ndarray], segmenter: Segmenter, token_filter: dict) -> TokenIds:
    """:func:`_cut_chunk` of texts sent as one UTF-8 buffer and their lengths (in characters):
    a Dask worker receives a chunk as one frame, and the client holds less per chunk in flight."""
    blob, lengths = encoded
    text = blob.decode("utf-8", "surrogatepass")
    ends = np.cumsum(lengths)
    return _cut_chunk(segmenter, [text[a:b] for a, b in zip((ends - lengths).tolist(), ends.tolist())], token_filter)


def _take(future) -> TokenIds:
    """A finished chunk's result, released on the cluster once here."""
    part = future.result()
    future.release()
    return part


@dataclass
class DistributedReading:
    """What :func:`read_and_count_on_dask` gives: the corpus's account without its texts (each
    document's ``text`` is empty; ``n_chars`` holds its length), the counts, the mentions the
    ``code`` step found, and the folder the workers wrote the texts to (one Parquet file a
    partition, in document order)."""

    corpus: Any
    n_chars: np.ndarray
    counts: TermCounts
    bigrams: Bigrams
    mentions: Any
    texts: Path
    effects: dict = field(default_factory=dict)  # what each coding rule did: {(measure, rule, effect): matches}
    segmenter: Segmenter | None = None  # the one ``prepare`` gave, holding the cuts of ``words`` made on a worker


def read_and_count_on_dask(
    paths: Sequence[Path],
    reading: Any,
    prepare: Callable[[Any], tuple[Segmenter, dict, Callable | None, Sequence[bool] | None]],
    texts_folder: Path,
    *,
    drop_duplicates: bool = True,
    date_range: tuple[int, int] | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    blocksize: int | None = None,
    progress: bool | None = None,
    words: Sequence[str] = (),
) -> DistributedReading:
    """Read, segment, count and code a corpus on a Dask cluster; this process never holds the texts.

    Each worker reads its own partitions of the input files (:mod:`analysis.io.partitions`: byte
    blocks of large JSON Lines and CSV files, other files whole) with the code read_corpus reads
    them with, and sends back the documents' metadata and a digest of each text. Here the steps
    that look across files run on those (duplicates, ids, dates, notes: the corpus read_corpus
    would give, less the texts); ``prepare(corpus)`` then gives the segmenter, the token filter,
    the coding step (``code(documents, texts)`` → mentions) and which documents' titles may be
    coded. Each worker then reads its partitions again, keeps the documents kept, writes their
    texts to ``texts_folder``, cuts, counts and codes them. Counts and mentions are those of the
    in-process engine (``tests/test_dask_engine.py``). ``words`` (e.g. the lexicon's variants,
    which the lexicon report cuts) are cut on a worker too (``lcut(word, HMM=False)``) and kept
    by the segmenter given back, so this process never loads the segmenter's dictionary.
    """
    from ..io import partitions as parts
    from ..io.corpus import DATE_RANGE, list_inputs

    blocksize = blocksize or parts.BLOCK_BYTES
    files, skipped = list_inputs(list(paths), reading.fmt)
    with dask_client(scheduler, workers) as client:
        large = [f for f in files if parts.worth_scanning(f, reading, blocksize)]  # a folder of pages has none: no task per page
        scanned = dict(zip(large, map_in_order(client, parts.scan_table, progress_bar(large, "scanning", enabled=progress, unit="file"), reading, blocksize, name="scan")))
        partitions = parts.plan_partitions(files, [scanned.get(f) for f in files], blocksize)
        shown = progress_bar(partitions, "reading", enabled=progress, unit="part")
        readings = map_in_order(client, parts.read_partition, shown, reading, name="read")
        joined = parts.assemble(list(paths), skipped, partitions, readings, reading, drop_duplicates=drop_duplicates, date_range=date_range or DATE_RANGE)
        corpus = joined.corpus
        segmenter, token_filter, code, titled = prepare(corpus)
        # Each partition's job: the positions of its documents kept, their final ids, whether their titles are coded.
        order = np.argsort(joined.partition, kind="stable")  # documents are kept in partition order: this keeps it
        bounds = np.searchsorted(joined.partition[order], np.arange(len(partitions) + 1))
        ids = corpus.documents.frame["doc_id"].tolist()  # assemble keeps the documents as the rows of their table: no Document made
        doc_ids = [ids[i] for i in order.tolist()]
        coded = np.ones(len(order), dtype=bool) if titled is None else np.asarray(titled, dtype=bool)[order]
        position = joined.position[order]
        jobs = [
            (i, partition, position[a:b], doc_ids[a:b], coded[a:b])
            for i, (partition, a, b) in enumerate(zip(partitions, bounds[:-1].tolist(), bounds[1:].tolist()))
        ]
        del order, ids, doc_ids, coded, position
        shared = client.scatter([segmenter, code], broadcast=True, hash=False)
        if words:  # one small task: the segmenter cuts them there, where its dictionary is loaded anyway
            words = list(dict.fromkeys(words))
            segmenter.remember(words, client.submit(_lcuts, shared[0], words, key=f"words-{uuid.uuid4().hex}", pure=False).result(), HMM=False)
        texts_folder.mkdir(parents=True, exist_ok=True)
        mentions: list[Any] = []
        effects: dict = {}

        builder = CountsBuilder(folder=counts_folder(), own=True)  # each partition's counts written as they come, in order
        shown = progress_bar(jobs, "segmenting", enabled=progress, unit="part")
        for part, (found, counted) in map_in_order(client, _count_partition, shown, reading, shared[0], token_filter, shared[1], texts_folder, name="count"):
            builder.add_counts(part)
            del part
            mentions.append(found)
            for key, n in counted.items():
                effects[key] = effects.get(key, 0) + n
        counts, bigrams = builder.result()
    return DistributedReading(corpus, joined.n_chars, counts, bigrams, mentions, texts_folder, effects, segmenter)


def _lcuts(segmenter: Segmenter, words: list[str]) -> list[list[str]]:
    """On a worker: the segmenter's cut of each word, without HMM (as the lexicon report cuts variants)."""
    return segmenter.lcuts(words, HMM=False)


def _count_partition(job: tuple, reading: Any, segmenter: Segmenter, token_filter: dict, code: Callable | None, folder: Path) -> tuple[PartCounts, Any]:
    """On a worker: read a partition again, keep the documents kept (with their final ids),
    write their texts to ``folder``, cut and count them (the partition's counts go back, not
    its tokens), and code them with ``code``."""
    from dataclasses import replace

    from ..io.model import Corpus
    from ..io.partitions import read_partition
    from ..io.store import TextStore

    index, partition, keep, ids, titled = job
    documents = [d for part in read_partition(partition, reading, texts=True) for d in part.documents]
    documents = [replace(documents[k], doc_id=doc_id) for k, doc_id in zip(keep.tolist(), ids)]
    texts = [d.analysis_text for d in documents]
    try:
        TextStore.write_part(folder, index, ids, texts, [d.text for d in documents])
    except OSError as error:
        raise ConfigError(
            f"a Dask worker cannot write the texts to {folder}: {error.strerror or error} "
            "(the workers write them where the run keeps its texts: set TMPDIR to a folder every machine sees)"
        ) from None
    tokens = PartCounts.from_token_ids(merge_token_ids(_cut_chunk(segmenter, texts[a:b], token_filter) for a, b in chunk_bounds(texts)))
    if code is None:
        return tokens, (None, {})
    frame = Corpus(documents).to_frame()
    frame["title"] = frame["title"].where(titled, "")  # titles coded once per file's title, decided over the whole corpus
    effects: dict = {}  # what each coding rule did here: counts, summed over the partitions
    return tokens, (code(frame, texts, effects=effects), effects)
