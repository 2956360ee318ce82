"""Validate the coding by hand: draw a sample of text units, compare hand codes with the lexicon.

A *text unit* is a sentence (ending in 。！？；!?; or a line break) or a whole document. The
sample is reproducible (``random_state``) and stratified: first, for each measure the lexicon
found, rarest first, a few units coding it (so rare measures are present); then the rest round
robin over the corpus's units (or documents, when no unit is named), so every unit is present
and units where the lexicon found nothing are sampled too. The sample therefore over-represents
rare measures: its precision and recall describe the sample, not the corpus's proportions.
:func:`score_coding` therefore also reports them reweighted to the corpus (``*_corpus``): each
unit × measure decision of the sample weighs its stratum's share of the corpus over its share of
the sample, the strata being the measure and whether the lexicon coded it (the sampler's
over-draw), with a 95% interval from a bootstrap within the strata.

:func:`score_coding` compares each coder with the lexicon (precision, recall, F1, Cohen's κ) and
the coders with each other (Cohen's κ for two, Krippendorff's α for two or more with a
bootstrap interval); :func:`coding_disagreements` lists the units where they differ, as KWIC
lines. Offsets refer to the analysed text (simplified, line breaks joined), as mentions do.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..measures.lexicon import Lexicon
from .agreement import alpha_interval, cohen_kappa, krippendorff_alpha, lexicon_scores

__all__ = [
    "UNIT_COLUMNS",
    "VALIDATION_COLUMNS",
    "DISAGREEMENT_COLUMNS",
    "ALL_MEASURES",
    "corpus_hash",
    "text_units",
    "draw_sample",
    "score_coding",
    "coding_disagreements",
    "reweighted_scores",
]

UNIT_COLUMNS = ["unit_id", "doc_id", "unit", "date", "start", "end", "text"]
VALIDATION_COLUMNS = [
    "measure", "comparison", "coder", "n_units", "tp", "fp", "fn", "tn",
    "precision", "recall", "f1", "kappa", "alpha", "alpha_low", "alpha_high",
    "precision_corpus", "precision_corpus_low", "precision_corpus_high",
    "recall_corpus", "recall_corpus_low", "recall_corpus_high", "note",
]
DISAGREEMENT_COLUMNS = ["unit_id", "doc_id", "measure", "lexicon", "codes", "coded_1_by", "left", "match", "right", "text"]
#: The ``measure`` of the rows pooling every measure (each unit × measure decision counts once).
ALL_MEASURES = "(all measures)"
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")


def corpus_hash(doc_ids: Sequence[str], texts: Sequence[str]) -> str:
    """SHA-256 over every document's id and analysed text, in order: a sample drawn from one
    corpus is scored against the same corpus only."""
    digest = hashlib.sha256()
    for doc_id, text in zip(doc_ids, texts, strict=True):
        digest.update(str(doc_id).encode("utf-8") + b"\x00" + str(text).encode("utf-8") + b"\x00")
    return digest.hexdigest()


def text_units(documents: pd.DataFrame, mentions: pd.DataFrame, lexicon: Lexicon, *, by: str = "sentence") -> pd.DataFrame:
    """Every text unit with the lexicon's codes: :data:`UNIT_COLUMNS`, then one 0/1 column
    per measure (1 when a mention starts inside the unit; mentions in a title, ``in_title``,
    belong to no sentence of the text and are left out).

    Units without a Chinese or Latin letter are left out.

    Parameters
    ----------
    documents : pandas.DataFrame
        ``doc_id``, ``text`` (the analysed text) and optionally ``unit`` and ``date_start``.
    mentions : pandas.DataFrame
        The measure mentions (``result.mentions``, or :func:`analysis.find_mentions`).
    lexicon : Lexicon
        The lexicon that found them.
    by : str
        "sentence" (unit ids ``doc_id#s1``, ``#s2``, …; a sentence ends in 。！？； or a line
        break) or "document".

    Returns
    -------
    pandas.DataFrame
        One row per unit.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import find_mentions, load_lexicon, text_units
    >>> lexicon = load_lexicon()
    >>> documents = pd.DataFrame({"doc_id": ["d1"], "text": ["严禁聚集。做好个人防护。"]})
    >>> units = text_units(documents, find_mentions(documents["text"], documents["doc_id"], lexicon), lexicon)
    >>> units[["unit_id", "不聚集", "个人防护"]]
      unit_id  不聚集  个人防护
    0   d1#s1    1     0
    1   d1#s2    0     1
    """
    if by not in ("sentence", "document"):
        raise ValueError(f"by must be 'sentence' or 'document', not {by!r}")
    rows = []
    for doc in documents.itertuples(index=False):
        text = str(doc.text)
        unit = str(getattr(doc, "unit", "") or "")
        date = getattr(doc, "date_start", None)
        date = "" if date is None or pd.isna(date) else str(date)[:10]
        if by == "document":
            pieces = [(0, len(text))]
        else:
            pieces = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
        for i, (start, end) in enumerate(pieces, start=1):
            piece = text[start:end]
            stripped = piece.strip()
            if not re.search(r"[\u4e00-\u9fffA-Za-z]", stripped):
                continue
            start += len(piece) - len(piece.lstrip())
            end = start + len(stripped)
            unit_id = str(doc.doc_id) if by == "document" else f"{doc.doc_id}#s{i}"
            rows.append((unit_id, str(doc.doc_id), unit, date, start, end, stripped))
    units = pd.DataFrame(rows, columns=UNIT_COLUMNS)
    mentions = _in_text(mentions)
    codes = np.zeros((len(units), len(lexicon.names)), dtype=int)
    if len(units) and len(mentions):
        column = {name: j for j, name in enumerate(lexicon.names)}
        first = units.groupby("doc_id", sort=False).indices
        for doc_id, starts, measures in mentions.groupby("doc_id", sort=False)[["start", "measure"]].agg(list).itertuples():
            rows_of_doc = first.get(doc_id)
            if rows_of_doc is None:
                continue
            unit_starts = units["start"].to_numpy()[rows_of_doc]
            unit_ends = units["end"].to_numpy()[rows_of_doc]
            where = np.searchsorted(unit_starts, starts, side="right") - 1
            for w, s, m in zip(where, starts, measures):
                if w >= 0 and s < unit_ends[w]:
                    codes[rows_of_doc[w], column[m]] = 1
    return pd.concat([units, pd.DataFrame(codes, columns=lexicon.names)], axis=1)


def _in_text(mentions: pd.DataFrame) -> pd.DataFrame:
    """The mentions in the text (offsets into it), not those in a title."""
    return mentions[~mentions["in_title"].astype(bool)] if "in_title" in mentions and len(mentions) else mentions


def draw_sample(units: pd.DataFrame, lexicon: Lexicon, *, n: int = 60, random_state: int = 0) -> pd.DataFrame:
    """``n`` rows of :func:`text_units`, stratified by measure and by unit, in random order.

    First, for each measure the lexicon found (rarest first), ``k`` units coding it are drawn
    (``k`` = n ÷ (2 × measures found), between 1 and 3; units already drawn count); then units
    are drawn round robin over the groups (the ``unit`` column, or the document when it is
    empty), groups in random order, until there are ``n``. The sample thus over-represents rare
    measures: its precision and recall describe the sample, not the corpus.

    Parameters
    ----------
    units : pandas.DataFrame
        From :func:`text_units`.
    lexicon : Lexicon
        The lexicon whose measures stratify the draw.
    n : int
        Units drawn (all, if there are fewer).
    random_state : int
        Seed: the same units and seed give the same sample.

    Returns
    -------
    pandas.DataFrame
        The drawn rows of ``units``.
    """
    rng = np.random.default_rng(random_state)
    if n >= len(units):
        return units.iloc[rng.permutation(len(units))].reset_index(drop=True)
    codes = units[lexicon.names].to_numpy()
    found = [j for j in np.argsort(codes.sum(axis=0), kind="stable") if codes[:, j].sum() > 0]
    k = max(1, min(3, n // (2 * max(len(found), 1))))
    chosen: list[int] = []
    taken = np.zeros(len(units), dtype=bool)
    for j in found:
        need = k - int(codes[taken, j].sum())
        pool = np.flatnonzero((codes[:, j] == 1) & ~taken)
        if need <= 0 or len(pool) == 0:
            continue
        picked = rng.choice(pool, size=min(need, len(pool), n - len(chosen)), replace=False)
        chosen.extend(int(i) for i in picked)
        taken[picked] = True
        if len(chosen) >= n:
            break
    groups = units["unit"].where(units["unit"].astype(bool), units["doc_id"])
    names = sorted(set(groups))
    names = [names[i] for i in rng.permutation(len(names))]
    pools = {g: list(rng.permutation(np.flatnonzero((groups == g).to_numpy() & ~taken))) for g in names}
    while len(chosen) < n and any(pools.values()):
        for g in names:
            if pools[g] and len(chosen) < n:
                chosen.append(int(pools[g].pop()))
    order = rng.permutation(len(chosen))
    return units.iloc[[chosen[i] for i in order]].reset_index(drop=True)


def reweighted_scores(
    truth: np.ndarray, predicted: np.ndarray, strata: np.ndarray, corpus_sizes: Mapping, *, n_boot: int = 1000, random_state: int = 0
) -> dict[str, float]:
    """Precision and recall of ``predicted`` against ``truth`` (0/1 arrays of the sampled
    decisions; ``strata`` a label each) with each decision weighted by its stratum's size in the
    corpus (``corpus_sizes``: label → decisions in the corpus) over its size in the sample, and a 95% interval from
    ``n_boot`` resamples drawn with replacement within each stratum. NaN where nothing divides."""
    truth, predicted, strata = np.asarray(truth, int), np.asarray(predicted, int), np.asarray(strata, dtype=str)
    rng = np.random.default_rng(random_state)
    tp = np.zeros(n_boot + 1)
    fp = np.zeros(n_boot + 1)
    fn = np.zeros(n_boot + 1)
    for stratum in dict.fromkeys(strata.tolist()):
        rows = np.flatnonzero(strata == stratum)
        weight = float(corpus_sizes.get(stratum, 0)) / len(rows)
        # row 0: the sample itself; rows 1..n_boot: resamples within the stratum
        draws = np.vstack([np.ones(len(rows)), rng.multinomial(len(rows), np.full(len(rows), 1 / len(rows)), size=n_boot)])
        t, p = truth[rows], predicted[rows]
        tp += weight * draws @ ((t == 1) & (p == 1))
        fp += weight * draws @ ((t == 0) & (p == 1))
        fn += weight * draws @ ((t == 1) & (p == 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        recall = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
    out: dict[str, float] = {}
    for name, values in (("precision", precision), ("recall", recall)):
        boot = values[1:][~np.isnan(values[1:])]
        low, high = np.percentile(boot, [2.5, 97.5]) if len(boot) else (np.nan, np.nan)
        out.update({f"{name}_corpus": float(values[0]), f"{name}_corpus_low": float(low), f"{name}_corpus_high": float(high)})
    return out


def score_coding(
    codings: Mapping[str, pd.DataFrame],
    units: pd.DataFrame,
    lexicon: Lexicon,
    *,
    n_boot: int = 1000,
    random_state: int = 0,
    corpus_units: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``validation.csv``: :data:`VALIDATION_COLUMNS`, per measure (lexicon order) then
    :data:`ALL_MEASURES`.

    Rows ``comparison = "lexicon vs coder"``: the lexicon against ``coder`` on the units that
    coder coded (``tp`` … ``f1``, ``kappa``). Row ``comparison = "between coders"`` (two or more
    coders): ``coder`` lists them; ``n_units`` the units coded by at least two; ``kappa``
    (Cohen's, two coders only, units both coded); ``alpha`` (Krippendorff's, nominal) and its
    95% bootstrap interval ``alpha_low`` … ``alpha_high``. ``note`` is left empty here; scoring
    workbooks fills it (e.g. when units were re-mapped to a changed corpus).

    Parameters
    ----------
    codings : mapping of str to DataFrame
        Each coder's name → a table indexed by ``unit_id`` with one column per measure, 0/1,
        NaN where the coder did not code the unit.
    units : pandas.DataFrame
        The lexicon's codes of the units (:func:`text_units`).
    lexicon : Lexicon
        The lexicon scored.
    n_boot : int
        Bootstrap resamples for the intervals.
    random_state : int
        Seed of the resamples.
    corpus_units : pandas.DataFrame or None
        :func:`text_units` of the whole corpus: the lexicon-vs-coder rows then also give
        ``precision_corpus`` and ``recall_corpus`` reweighted to the corpus, with 95% intervals
        (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        The table of ``validation.csv``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import find_mentions, load_lexicon, score_coding, text_units
    >>> lexicon = load_lexicon()
    >>> documents = pd.DataFrame({"doc_id": ["d1"], "text": ["严禁聚集。做好个人防护。加强巡查。"]})
    >>> units = text_units(documents, find_mentions(documents["text"], documents["doc_id"], lexicon), lexicon)
    >>> coder = units.set_index("unit_id")[["不聚集"]].assign(不聚集=[1, 1, 0])
    >>> table = score_coding({"A": coder}, units, lexicon).set_index("measure")
    >>> row = table.loc["不聚集"]
    >>> row["comparison"], row["coder"], float(row["precision"]), float(row["recall"])
    ('lexicon vs coder', 'A', 1.0, 0.5)
    """
    lexicon_codes = units.set_index("unit_id")[lexicon.names]
    corpus_sizes: dict = {}
    if corpus_units is not None:
        for name in lexicon.names:
            hits = int(corpus_units[name].sum())
            corpus_sizes[f"{name}|1"], corpus_sizes[f"{name}|0"] = hits, len(corpus_units) - hits
    names = list(codings)
    rows = []
    for measure in [*lexicon.names, ALL_MEASURES]:
        columns = lexicon.names if measure == ALL_MEASURES else [measure]

        def stacked(table: pd.DataFrame) -> pd.Series:
            return table.reindex(columns=columns).stack(future_stack=True)

        auto = stacked(lexicon_codes)
        hand = {name: stacked(codings[name]).reindex(auto.index) for name in names}
        for name in names:
            coded = hand[name].notna()
            scores = lexicon_scores(hand[name][coded].astype(int).tolist(), auto[coded].astype(int).tolist())
            if corpus_sizes and coded.any():
                truth, predicted = hand[name][coded].astype(int), auto[coded].astype(int)
                strata = [f"{m}|{code}" for m, code in zip(truth.index.get_level_values(-1), predicted.to_numpy().tolist())]
                scores.update(reweighted_scores(truth.to_numpy(), predicted.to_numpy(), np.array(strata), corpus_sizes,
                                                n_boot=n_boot, random_state=random_state))
            rows.append({"measure": measure, "comparison": "lexicon vs coder", "coder": name, "n_units": int(coded.sum()), **scores})
        if len(names) >= 2:
            matrix = pd.concat([hand[name] for name in names], axis=1).to_numpy(dtype=float)
            both = (~np.isnan(matrix)).sum(axis=1) >= 2
            kappa = float("nan")
            if len(names) == 2:
                pair = matrix[both]
                kappa = cohen_kappa(pair[:, 0].astype(int).tolist(), pair[:, 1].astype(int).tolist())
            low, high = alpha_interval(matrix, n_boot=n_boot, random_state=random_state)
            rows.append({
                "measure": measure, "comparison": "between coders", "coder": ", ".join(names), "n_units": int(both.sum()),
                "kappa": kappa, "alpha": krippendorff_alpha(matrix), "alpha_low": low, "alpha_high": high,
            })
    frame = pd.DataFrame(rows).reindex(columns=VALIDATION_COLUMNS)
    for column in ("tp", "fp", "fn", "tn"):
        frame[column] = frame[column].astype("Int64")
    return frame


def coding_disagreements(
    codings: Mapping[str, pd.DataFrame],
    units: pd.DataFrame,
    documents: pd.DataFrame,
    mentions: pd.DataFrame,
    lexicon: Lexicon,
    *,
    window: int = 20,
) -> pd.DataFrame:
    """Every unit × measure where the lexicon and the coders (those who coded the unit) do not
    all agree: :data:`DISAGREEMENT_COLUMNS`, in sample order then lexicon order.

    ``codes`` reads "lexicon=1; A=0; B=1"; ``coded_1_by`` names who said 1 (or "nobody").
    Where the lexicon found the measure, one KWIC line per mention in the unit (``window``
    characters each side within the document, the matched ``variant`` in ``match``); where it
    did not, ``left``, ``match`` and ``right`` are empty. ``text`` is the whole unit.
    """
    texts = dict(zip(documents["doc_id"].astype(str), documents["text"].astype(str)))
    mentions = _in_text(mentions)
    by_doc = {doc_id: group for doc_id, group in mentions.groupby("doc_id", sort=False)}
    rows = []
    for record in units.to_dict("records"):
        unit = pd.Series(record)
        for measure in lexicon.names:
            auto = int(record[measure])
            hand = {}
            for name, table in codings.items():
                value = table.at[unit.unit_id, measure] if unit.unit_id in table.index else np.nan
                if not pd.isna(value):
                    hand[name] = int(value)
            if not hand or all(v == auto for v in hand.values()):
                continue
            codes = "; ".join([f"lexicon={auto}", *(f"{n}={v}" for n, v in hand.items())])
            said = [n for n, v in [("lexicon", auto), *hand.items()] if v == 1]
            base = {"unit_id": unit.unit_id, "doc_id": unit.doc_id, "measure": measure, "lexicon": auto, "codes": codes,
                    "coded_1_by": ", ".join(said) or "nobody", "text": unit.text}
            found = by_doc.get(unit.doc_id)
            hits = [] if found is None else found[
                (found["measure"] == measure) & (found["start"] >= unit.start) & (found["start"] < unit.end)
            ].itertuples(index=False)
            text = texts.get(str(unit.doc_id), "")
            lines = [
                {**base, "left": text[max(m.start - window, 0) : m.start], "match": m.variant, "right": text[m.end : m.end + window]}
                for m in hits
            ]
            rows.extend(lines or [{**base, "left": "", "match": "", "right": ""}])
    return pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
