"""Where the corpus is cut into tokens: in this process (the default) or on a Dask cluster.

Both cut the corpus in chunks of about 300,000 characters and join the chunks' token ids in
document order, so they give the same :class:`~analysis.text.tokens.TokenIds` (the kept tokens
of every document, numbered in order of first appearance) and every table is the same
whichever engine ran (``tests/test_dask_engine.py``). Only one chunk's token strings exist at
a time here; a run counts each chunk as it arrives (:func:`count_corpus`) and keeps no tokens.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

import numpy as np

from ..errors import ConfigError
from ..progress import progress as progress_bar
from .counts import Bigrams, TermCounts, count_token_ids
from .tokens import Segmenter, TokenIds, keep_token

if TYPE_CHECKING:
    from ..io.store import TextStore

__all__ = ["ENGINES", "cut_chunks", "cut_corpus", "count_corpus", "merge_token_ids", "chunk_bounds"]

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
    flat = np.empty(int(lengths.sum()), dtype=object)
    flat[:] = list(chain.from_iterable(lists))
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
    if hasattr(texts, "chunks"):  # a TextStore: read from disk chunk by chunk, never whole
        chunks: Iterable[Sequence[str]] = texts.chunks(_CHUNK_CHARS)
        total = _chunk_count(texts.lengths(), _CHUNK_CHARS)
    else:
        bounds = chunk_bounds(texts)
        chunks, total = (texts[a:b] for a, b in bounds), len(bounds)
    chunks = progress_bar(chunks, "segmenting", enabled=progress, total=total, unit="chunk")
    if engine == "local":  # chunk by chunk, as the Dask workers do: only one chunk's token strings at a time
        return (_cut_chunk(segmenter, chunk, token_filter) for chunk in chunks)
    return _cut_on_dask(segmenter, chunks, token_filter, scheduler, workers)


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


def count_corpus(texts: Sequence[str] | TextStore, segmenter: Segmenter, **options: Any) -> tuple[TermCounts, Bigrams]:
    """The document × term counts and the bigrams of every text's kept tokens, as
    :func:`cut_corpus` would give them once counted, but counted chunk by chunk as the chunks
    are cut (here or on Dask): the corpus's tokens are never all held. ``options`` as for
    :func:`cut_chunks`."""
    return count_token_ids(cut_chunks(texts, segmenter, **options))


def _cut_on_dask(
    segmenter: Segmenter, chunks: Iterable[Sequence[str]], token_filter: dict, scheduler: str | None, workers: int | None
) -> Iterator[TokenIds]:
    """Each chunk's token ids, in order, cut on a Dask cluster. A few chunks per worker are in
    flight at a time, so neither this process nor the workers hold the whole corpus at once."""
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
            run = uuid.uuid4().hex  # task names unique to this run, even on a long-lived shared cluster
            window = 4 * max(len(client.scheduler_info().get("workers", {})), 1)
            pending: deque = deque()
            for i, chunk in enumerate(chunks):
                lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
                blob = "".join(chunk).encode("utf-8", "surrogatepass")  # one buffer, not a list of strings to pickle
                pending.append(client.submit(_cut_encoded, segmenter, blob, lengths, token_filter, key=f"cut-{run}-{i}", pure=False))
                if len(pending) >= window:
                    yield _take(pending.popleft())
            while pending:
                yield _take(pending.popleft())
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _cut_encoded(segmenter: Segmenter, blob: bytes, lengths: np.ndarray, token_filter: dict) -> TokenIds:
    """:func:`_cut_chunk` of texts sent as one UTF-8 buffer and their lengths (in characters):
    a Dask worker receives a chunk as one frame, and the client holds less per chunk in flight."""
    text = blob.decode("utf-8", "surrogatepass")
    ends = np.cumsum(lengths)
    return _cut_chunk(segmenter, [text[a:b] for a, b in zip((ends - lengths).tolist(), ends.tolist())], token_filter)


def _take(future) -> TokenIds:
    """A finished chunk's result, released on the cluster once here."""
    part = future.result()
    future.release()
    return part
