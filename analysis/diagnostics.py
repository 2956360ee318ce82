"""Lexicon diagnostics: is the lexicon catching what the text says?

For every variant of every measure: how often it matched the raw text, how often it survived as
one token (term counts, keyness and collocations see only tokens), and so whether it never
matched, or is split or swallowed by the segmenter. For every measure: candidate new variants
from the corpus's own vocabulary, ranked by how many characters they share with a variant and
how often they appear in the same sentences as the measure, for the researcher to accept or
reject. Candidates are suggestions; nothing is added to the lexicon automatically.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from .measures import Lexicon

__all__ = ["LEXICON_REPORT_COLUMNS", "variant_report", "candidate_variants", "lexicon_report", "split_sentences"]

LEXICON_REPORT_COLUMNS = [
    "measure",
    "entry",
    "kind",
    "status",
    "mentions",
    "token_count",
    "missed_by_terms",
    "segmented_as",
    "rank",
    "score",
    "shared_chars",
    "char_similarity",
    "sentences_together",
    "sentences_with_entry",
    "evidence",
]

_SENTENCE_END = re.compile(r"[。！？；!?;\n]+")


def split_sentences(text: str) -> list[str]:
    """Sentences (or clauses ending in ；) of a text; empty pieces dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def variant_report(
    lexicon: Lexicon, mentions: pd.DataFrame, tokens: Sequence[Sequence[str]], *, tokenizer=None
) -> pd.DataFrame:
    """One row per variant: ``mentions`` (raw-text matches), ``token_count``, ``status``.

    ``status`` is ``never matched``; ``split by segmenter`` (the segmenter cuts the variant
    itself into pieces, shown in ``segmented_as``; needs ``tokenizer``); ``missed by term
    counts`` (some matches did not come out as this token, e.g. inside a longer word); or ``ok``.
    """
    matched = mentions["variant"].value_counts() if len(mentions) else pd.Series(dtype=int)
    token_counts: Counter[str] = Counter(t for doc in tokens for t in doc)
    rows = []
    for measure in lexicon.measures:
        for variant in measure.variants:
            n = int(matched.get(variant, 0))
            as_tokens = int(token_counts.get(variant, 0))
            pieces = [p for p in tokenizer.lcut(variant, HMM=False)] if tokenizer is not None else []
            segmented = "/".join(pieces)
            missed = max(n - as_tokens, 0)
            if n == 0:
                status = "never matched"
            elif len(pieces) > 1:
                status = "split by segmenter"
            elif missed:
                status = "missed by term counts"
            else:
                status = "ok"
            rows.append((measure.name, variant, "variant", status, n, as_tokens, missed, segmented))
    return pd.DataFrame(
        rows, columns=["measure", "entry", "kind", "status", "mentions", "token_count", "missed_by_terms", "segmented_as"]
    )


def _char_similarity(term: str, variants: Sequence[str]) -> tuple[float, str]:
    """Best Jaccard overlap of character sets with any variant (0 unless ≥ 2 characters shared)."""
    best, best_variant = 0.0, ""
    chars = set(term)
    for variant in variants:
        other = set(variant)
        shared = chars & other
        if len(shared) >= 2:
            similarity = len(shared) / len(chars | other)
            if similarity > best:
                best, best_variant = similarity, variant
    return best, best_variant


def candidate_variants(
    lexicon: Lexicon,
    texts: Sequence[str],
    vocabulary: Sequence[str],
    *,
    counts: dict[str, int] | None = None,
    min_count: int = 2,
    min_together: int = 2,
    min_score: float = 0.2,
    top_n: int = 5,
) -> pd.DataFrame:
    """Per measure, up to ``top_n`` corpus terms that may be variants it lacks, best first.

    A candidate is a term from ``vocabulary`` (e.g. ``terms.csv``'s terms) seen at least
    ``min_count`` times that is not already a variant and does not contain one (text containing
    a variant is already matched). Its score is the mean of two things in [0, 1]: the Jaccard
    overlap of its characters with the closest variant (when ≥ 2 characters are shared), and the
    share of its sentences that mention the measure (when they meet in ≥ ``min_together``
    sentences). Candidates scoring below ``min_score`` are not listed: better none than noise.
    """
    known = set(lexicon.variant_to_measure) | set(lexicon.names)
    counts = counts or {}
    pool = [
        t for t in dict.fromkeys(vocabulary)
        if t not in known and not any(v in t for v in known) and counts.get(t, min_count) >= min_count
    ]
    sentences = [s for text in texts for s in split_sentences(str(text))]
    measure_of = lexicon.variant_to_measure
    sentence_measures = [{measure_of[m.group(0)] for m in lexicon.pattern.finditer(s)} for s in sentences]
    # Which pool terms each sentence contains: look its substrings up (fast on long corpora).
    pool_set = set(pool)
    lengths = sorted({len(t) for t in pool})
    term_sentences: dict[str, list[int]] = {t: [] for t in pool}
    for i, sentence in enumerate(sentences):
        found = {sentence[j : j + n] for n in lengths for j in range(len(sentence) - n + 1)} & pool_set
        for term in found:
            term_sentences[term].append(i)
    # For each term, how many of its sentences mention each measure (one pass, not one per measure).
    measures_with: dict[str, Counter[str]] = {
        t: Counter(m for i in where for m in sentence_measures[i]) for t, where in term_sentences.items()
    }
    rows = []
    for measure in lexicon.measures:
        scored = []
        for term in pool:
            similarity, closest = _char_similarity(term, measure.variants)
            where = term_sentences[term]
            together = measures_with[term][measure.name]
            share = together / len(where) if where and together >= min_together else 0.0
            score = (similarity + share) / 2
            if score < min_score:
                continue
            shared = "".join(ch for ch in dict.fromkeys(term) if ch in set(closest))
            evidence = []
            if similarity:
                evidence.append(f"shares {shared} with {closest}")
            if share:
                evidence.append(f"in {together} of its {len(where)} sentences with {measure.name}")
            scored.append((term, score, shared, similarity, together, len(where), "; ".join(evidence)))
        scored.sort(key=lambda row: (-round(row[1], 9), -row[4], row[0]))
        for rank, (term, score, shared, similarity, together, n_sentences, evidence) in enumerate(scored[:top_n], start=1):
            rows.append(
                (measure.name, term, "candidate", "candidate", rank, score, shared, similarity, together, n_sentences, evidence)
            )
    return pd.DataFrame(
        rows,
        columns=[
            "measure", "entry", "kind", "status", "rank", "score", "shared_chars", "char_similarity",
            "sentences_together", "sentences_with_entry", "evidence",
        ],
    )


def lexicon_report(
    lexicon: Lexicon,
    documents: pd.DataFrame,
    mentions: pd.DataFrame,
    tokens: Sequence[Sequence[str]],
    terms: pd.DataFrame,
    *,
    tokenizer=None,
    top_n: int = 5,
) -> pd.DataFrame:
    """Variant rows (:func:`variant_report`) then candidate rows (:func:`candidate_variants`).

    Written as ``lexicon_report.csv``; columns :data:`LEXICON_REPORT_COLUMNS`, measures in
    lexicon order.
    """
    variants = variant_report(lexicon, mentions, tokens, tokenizer=tokenizer)
    candidates = candidate_variants(
        lexicon, documents["text"].astype(str).tolist(), terms["term"].tolist(),
        counts=dict(zip(terms["term"], terms["count"])), top_n=top_n,
    )
    frame = pd.concat([variants, candidates], ignore_index=True)
    order = {name: i for i, name in enumerate(lexicon.names)}
    frame["_m"] = frame["measure"].map(order)
    frame["_k"] = (frame["kind"] == "candidate").astype(int)
    frame = frame.sort_values(["_m", "_k"], kind="stable").drop(columns=["_m", "_k"]).reset_index(drop=True)
    frame = frame.reindex(columns=LEXICON_REPORT_COLUMNS)
    for column in ("mentions", "token_count", "missed_by_terms", "rank", "sentences_together", "sentences_with_entry"):
        frame[column] = frame[column].astype("Int64")
    return frame
