"""Code a corpus's documents: lexicon, learned model or either, on the text and on titles.

:func:`code_documents` gives the mentions every table and figure counts: ``doc_id, measure,
variant, start, end`` (as :func:`~analysis.measures.lexicon.find_mentions`), then ``method``
("lexicon" or "model": who found it) and ``in_title`` (the mention is in the document's title;
``start``/``end`` are then offsets into the title, not the text).

A title is coded once, as its own passage, for the first document of its source file that
carries it, unless it is already the opening of the text (no double count). Where the documents
under one title belong to different units (a bulletin reporting several units under one
headline), the title is not coded: the headline is the compiler's, not any one unit's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .lexicon import MENTION_COLUMNS, Lexicon, find_mentions
from .model import CodingModel, combine_mentions, model_mentions

if TYPE_CHECKING:
    from ..io.store import TextStore

__all__ = ["CODED_MENTION_COLUMNS", "own_titles", "title_candidates", "code_documents"]

CODED_MENTION_COLUMNS = [*MENTION_COLUMNS, "method", "in_title"]


def title_candidates(documents: pd.DataFrame) -> list[bool]:
    """Whether each document's title may be coded, by the metadata alone: it has a title, is the
    first document of its (source, title), and every document under that title has one unit
    (or none). :func:`own_titles` also needs the text: a title the text opens with is not coded."""
    if "title" not in documents or documents.empty:
        return [False] * len(documents)
    titles = documents["title"].fillna("").astype(str).str.strip()
    sources = documents["source"].fillna("").astype(str) if "source" in documents else pd.Series([""] * len(documents))
    keys = pd.Series(list(zip(sources, titles)))
    units = documents["unit"].fillna("").astype(str).to_numpy() if "unit" in documents else [""] * len(documents)
    units_under = pd.Series(units).groupby(keys.to_numpy()).nunique() if len(keys) else pd.Series(dtype=int)
    later = keys.duplicated(keep="first").to_numpy()
    return [bool(title) and not later[i] and units_under[keys[i]] <= 1 for i, title in enumerate(titles)]


def own_titles(documents: pd.DataFrame, texts: Sequence[str]) -> pd.Series:
    """doc_id → title (simplified like the text, when the text was) for the documents whose
    title is coded: the first document of each (source, title), when every document under that
    title has the same unit (or none) and the title is not the opening of the text already."""
    if "title" not in documents or documents.empty:
        return pd.Series(dtype=object)
    from ..io.formats import to_simplified

    titles = documents["title"].fillna("").astype(str).str.strip()
    candidates = title_candidates(documents)
    scripts = documents["script"].fillna("").astype(str).tolist() if "script" in documents else [""] * len(documents)
    chosen = {}
    for i, (doc_id, title, text) in enumerate(zip(documents["doc_id"], titles, texts, strict=True)):
        if not candidates[i]:
            continue
        title = to_simplified(title) if scripts[i] == "traditional" else title
        if str(text).lstrip().startswith(title):
            continue
        chosen[doc_id] = title
    return pd.Series(chosen, dtype=object)


def _positions(mentioned: pd.Series, ids: pd.Series) -> Any:
    """Each mentioned doc_id's row in the documents table (the last row with that id). With
    unique string ids, Arrow's hash table finds them without a Python string and a dict entry
    per document (about 160 bytes each); otherwise a dict, as before."""
    if isinstance(ids.dtype, pd.StringDtype) and isinstance(mentioned.dtype, pd.StringDtype) and len(ids):
        values = pa.array(ids)
        values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        if values.null_count == 0 and pc.count_distinct(values).as_py() == len(values):
            found = pc.index_in(pa.array(mentioned), value_set=values)
            if found.null_count == 0:
                return found.to_numpy(zero_copy_only=False).astype("int64")
    order = {doc_id: i for i, doc_id in enumerate(ids.tolist())}
    return mentioned.map(order)


def code_documents(
    documents: pd.DataFrame,
    texts: Sequence[str] | TextStore,
    lexicon: Lexicon,
    *,
    method: str = "lexicon",
    model: CodingModel | None = None,
    titles: bool = True,
    effects: dict | None = None,
) -> pd.DataFrame:
    """Every mention of a measure in the documents' texts (and own titles, when ``titles``):
    :data:`CODED_MENTION_COLUMNS`, document by document in corpus order, a document's title
    first, then its text in order of offset.

    Parameters
    ----------
    documents : pandas.DataFrame
        The documents table (``doc_id``, ``title``, ``source``).
    texts : sequence of str or TextStore
        The analysed text of each document, in the table's order; a
        :class:`~analysis.io.store.TextStore` is read chunk by chunk, never whole.
    lexicon : Lexicon
        From :func:`analysis.load_lexicon`.
    method : str
        "lexicon" matches the lexicon; "model" codes each sentence (and title) with ``model``;
        "either" keeps the lexicon's mentions and adds the model's sentence where the lexicon
        found nothing of that measure in it.
    model : CodingModel or None
        For "model" and "either" (:func:`analysis.load_model`).
    titles : bool
        Code each document's own title as a passage of its own.
    effects : dict, optional
        Where to add what each lexicon rule did in the texts (not the titles), as
        :func:`~analysis.measures.lexicon.find_mentions` counts it; left empty when ``method``
        is "model" (the lexicon is not matched).

    Returns
    -------
    pandas.DataFrame
        ``doc_id, measure, variant, start, end, method, in_title``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import code_documents, load_lexicon
    >>> documents = pd.DataFrame({"doc_id": ["d1"], "title": ["严禁聚集的通告"], "source": ["a.txt"]})
    >>> code_documents(documents, ["做好个人防护。"], load_lexicon())[["measure", "in_title"]]
      measure  in_title
    0     不聚集      True
    1    个人防护     False
    """
    ids = documents["doc_id"]  # a chunk's ids made into Python strings as it is coded, not every document's at once
    if method != "lexicon" and model is None:
        from ..errors import ConfigError

        raise ConfigError(f"[coding] method = \"{method}\" needs a model: set [coding] model = \"FILE\" (train one with `python -m analysis validate train`)")

    if model is not None and method != "lexicon" and list(model.measures) != list(lexicon.names):
        from ..errors import ConfigError

        raise ConfigError(
            f"[coding] model codes the measures of the lexicon '{model.lexicon}', not those of '{lexicon.name}': "
            "use the lexicon it was trained with, or train a model on a sample coded with this one"
        )

    def coded(passages: Sequence[str], ids: Sequence[str], effects: dict | None = None) -> pd.DataFrame:
        found = find_mentions(passages, ids, lexicon, effects=effects) if method != "model" else pd.DataFrame(columns=MENTION_COLUMNS)
        learned = model_mentions(passages, ids, model) if model is not None and method != "lexicon" else pd.DataFrame(columns=MENTION_COLUMNS)
        return combine_mentions(found, learned, method)

    # The body is coded chunk by chunk when the texts are on disk (a TextStore): every step is
    # per document, and the rows are sorted into document order below, so the result is the same.
    chunks = texts.chunks() if hasattr(texts, "chunks") else [texts]
    longest = int(documents["title"].fillna("").astype(str).str.strip().str.len().max() or 0) if titles and "title" in documents and len(documents) else 0
    bodies, heads, done = [], [], 0
    for chunk in chunks:
        bodies.append(coded([str(t) for t in chunk], ids.iloc[done : done + len(chunk)].tolist(), effects))
        if longest:  # no title at all (a table without titles): no text's opening is needed
            heads.extend(str(t).lstrip()[: 2 * longest + 16] for t in chunk)  # all own_titles needs of a text (a simplified title may be longer)
        done += len(chunk)
    if done != len(ids):
        raise ValueError(f"{len(ids)} documents but {done} texts")
    found = [b for b in bodies if len(b)]  # empty chunks left out: their columns' dtypes would change the others'
    body = (pd.concat(found, ignore_index=True) if len(found) > 1 else found[0] if found else bodies[0] if bodies else coded([], [])).assign(in_title=False)
    parts = [body]
    if titles and longest:  # an empty title is never coded
        own = own_titles(documents, heads)
        if len(own):
            parts.insert(0, coded(own.tolist(), own.index.tolist()).assign(in_title=True))
    mentions = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else body
    if mentions.empty:
        return pd.DataFrame(columns=CODED_MENTION_COLUMNS).astype({"start": int, "end": int, "in_title": bool})
    mentions = mentions.assign(_doc=_positions(mentions["doc_id"], ids), _body=mentions["in_title"].map({True: 0, False: 1}))
    mentions = mentions.sort_values(["_doc", "_body", "start"], kind="stable").drop(columns=["_doc", "_body"])
    mentions["start"] = mentions["start"].astype(int)
    mentions["end"] = mentions["end"].astype(int)
    mentions["in_title"] = mentions["in_title"].astype(bool)
    return mentions.reindex(columns=CODED_MENTION_COLUMNS).reset_index(drop=True)
