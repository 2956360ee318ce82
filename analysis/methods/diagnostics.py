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
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from ..measures.lexicon import Lexicon, rule_effects
from ..text.counts import TermCounts, as_counts
from ..text.engine import chunk_bounds
from ..text.tokens import TokenIds

__all__ = [
    "LEXICON_REPORT_COLUMNS",
    "variant_report",
    "candidate_variants",
    "lexicon_report",
    "sentences_containing",
    "SubstringSearch",
    "split_sentences",
    "with_theme_candidates",
]

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

#: A sentence as :func:`split_sentences` gives it: a run between sentence ends, without the
#: whitespace at either end (``\s`` is what ``str.strip`` removes).
_SENTENCE = re.compile(r"[^。！？；!?;\n\s](?:[^。！？；!?;\n]*[^。！？；!?;\n\s])?")


def split_sentences(text: str) -> list[str]:
    """Sentences (or clauses ending in ；) of a text, stripped; empty pieces dropped.

    The pieces between runs of 。！？；!?; or line breaks, each stripped, found in one pass. A
    line break ends a sentence, so the sentences of texts joined by "\n" are those of each
    text in turn."""
    return _SENTENCE.findall(text)


def variant_report(
    lexicon: Lexicon, mentions: pd.DataFrame, tokens: "Sequence[Sequence[str]] | TokenIds | TermCounts", *, tokenizer=None
) -> pd.DataFrame:
    """One row per variant: ``mentions`` (raw-text matches), ``token_count``, ``status``.

    ``status`` is ``never matched``; ``split by segmenter`` (the segmenter cuts the variant
    itself into pieces, shown in ``segmented_as``; needs ``tokenizer``); ``missed by term
    counts`` (some matches did not come out as this token, e.g. inside a longer word); or ``ok``.
    """
    matched = mentions["variant"].value_counts() if len(mentions) else pd.Series(dtype=int)
    counted = as_counts(tokens)
    token_counts = dict(zip(counted.vocabulary, counted.totals().tolist()))
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


def _char_similarity(term: str, variants: Sequence[tuple[str, set[str]]]) -> tuple[float, str]:
    """Best Jaccard overlap of character sets with any variant (0 unless ≥ 2 characters shared);
    ``variants``: each variant with the set of its characters. One term at a time: the
    reference :func:`_similarities` (every term at once) is tested against."""
    best, best_variant = 0.0, ""
    chars = set(term)
    for variant, other in variants:
        shared = chars & other
        if len(shared) >= 2:
            similarity = len(shared) / len(chars | other)
            if similarity > best:
                best, best_variant = similarity, variant
    return best, best_variant


def _similarities(terms: Sequence[str], lexicon: Lexicon) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each measure: each term's :func:`_char_similarity` to its variants (the best
    Jaccard overlap of character sets, 0 unless ≥ 2 characters are shared) and which variant
    gives it (the first with the best; meaningless where the similarity is 0)."""
    column: dict[str, int] = {}
    rows, cols = [], []
    for i, term in enumerate(terms):
        for ch in set(term):
            rows.append(i)
            cols.append(column.setdefault(ch, len(column)))
    variants = [v for measure in lexicon.measures for v in measure.variants]
    v_rows, v_cols = [], []
    for k, variant in enumerate(variants):
        for ch in set(variant):
            if ch in column:
                v_rows.append(column[ch])
                v_cols.append(k)
    by_term = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(terms), len(column)))
    by_variant = sparse.csc_matrix((np.ones(len(v_rows), dtype=np.int32), (v_rows, v_cols)), shape=(len(column), len(variants)))
    shared = (by_term @ by_variant).tocoo()  # terms × variants: characters in common, where any
    keep = shared.data >= 2
    term, variant, common = shared.row[keep].astype(np.int64), shared.col[keep].astype(np.int64), shared.data[keep].astype(np.int64)
    term_sizes = np.fromiter((len(set(t)) for t in terms), dtype=np.int64, count=len(terms))
    variant_sizes = np.fromiter((len(set(v)) for v in variants), dtype=np.int64, count=len(variants))
    jaccard = common / (term_sizes[term] + variant_sizes[variant] - common)
    starts = np.cumsum([0] + [len(m.variants) for m in lexicon.measures])
    measure = np.searchsorted(starts, variant, side="right") - 1
    # per (measure, term) the best overlap, the first variant (lexicon order) on a tie
    order = np.lexsort((variant, -jaccard, term, measure))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (measure[order][1:] != measure[order][:-1]) | (term[order][1:] != term[order][:-1])
    best = order[first]
    found = []
    for m in range(len(lexicon.measures)):
        here = best[measure[best] == m]
        similarity, closest = np.zeros(len(terms)), np.zeros(len(terms), dtype=np.int64)
        similarity[term[here]] = jaccard[here]
        closest[term[here]] = variant[here] - starts[m]
        found.append((similarity, closest))
    return found


class SubstringSearch:
    """Find which sentences contain each of ``terms`` as a substring, chunk after chunk.

    Each character of the terms gets a small number (its rank among the terms' characters; every
    other character shares one number, the sentence separator another), so n characters in a row
    make one exact 64-bit key, and finding every term of length n is one hash lookup over all
    positions at once instead of one Python step per substring. A term longer than a key holds is
    found by its first key, then its further keys are checked. The numbering depends on the terms
    only, so the terms' keys are computed once however many chunks of text are searched.
    """

    def __init__(self, terms: Sequence[str]):
        self.terms = list(terms)
        self.unique = unique = list(dict.fromkeys(self.terms))
        alphabet = sorted({ord(ch) for term in unique for ch in term})
        size = (alphabet[-1] + 1) if alphabet else 1
        # A character's rank by its code point: 0 the separator (set per search), 1 any character
        # of no term (every code point from ``size`` on reads the last entry).
        self.rank_of = np.ones(size + 1, dtype=np.uint64)
        self.rank_of[alphabet] = np.arange(2, len(alphabet) + 2, dtype=np.uint64)
        self.rank_of_char = {chr(c): rank for rank, c in enumerate(alphabet, start=2)}  # the same, for keys of the terms
        self.bits = bits = max((len(alphabet) + 1).bit_length(), 1)
        self.per_key = per_key = 64 // bits  # characters one key holds exactly
        self.empty = [i for i, term in enumerate(unique) if not term]  # the empty string is in every sentence
        by_length: dict[int, list[int]] = {}
        for i, term in enumerate(unique):
            if term:
                by_length.setdefault(len(term), []).append(i)
        self.by_length = by_length
        self.longer = longer = [i for length, ids in by_length.items() if length > per_key for i in ids]
        self.longest = longest = min(max(by_length, default=0), per_key)
        # Positions worth a lookup for terms of length n: those whose first two characters begin
        # such a term, read from a table with one flag bit per length (when the table is small).
        self.table = None
        if longest >= 2 and 2 * bits <= 26:
            table = np.zeros(1 << (2 * bits), dtype=np.uint8 if per_key <= 9 else np.uint64)
            for n in range(2, longest + 1):
                starting = by_length.get(n, []) + (longer if n == per_key else [])
                if starting:
                    table[[self.key(unique[i][:2]) for i in starting]] |= table.dtype.type(1 << (n - 2))
            self.table = table
        # Per length: the index of the keys looked up (exact terms first, then at n = per_key the
        # first per_key characters of the longer terms, checked further in ``search``).
        self.lookups: dict[int, tuple[list[int], pd.Index]] = {}
        for n in range(1, longest + 1):
            exact = by_length.get(n, [])
            firsts = sorted({self.key(unique[i][:per_key]) for i in longer} - {self.key(unique[i]) for i in exact}) if n == per_key else []
            if exact or firsts:
                self.lookups[n] = (exact, pd.Index(np.array([self.key(unique[i]) for i in exact] + firsts, dtype=np.uint64)))
        self.further = {
            i: [(offset, self.key(unique[i][offset : offset + per_key]))
                for offset in sorted({*range(per_key, len(unique[i]) - per_key + 1, per_key), len(unique[i]) - per_key})]
            for i in longer
        }
        self.first_slot = {i: self.lookups[per_key][1].get_loc(self.key(unique[i][:per_key])) for i in longer}

    def key(self, chars: str) -> int:
        value, bits, rank = 0, self.bits, self.rank_of_char
        for ch in chars:
            value = (value << bits) | rank[ch]
        return value

    def search(self, sentences: Sequence[str]) -> sparse.csr_matrix:
        """A 0/1 matrix, terms (in the order given, repeats included) × ``sentences``."""
        n_terms, n_sentences = len(self.unique), len(sentences)
        if not n_terms or not n_sentences:
            return sparse.csr_matrix((len(self.terms), n_sentences), dtype=np.int32)
        bits, per_key = np.uint64(self.bits), self.per_key
        lengths = np.fromiter(map(len, sentences), dtype=np.int64, count=n_sentences)
        starts = np.cumsum(lengths + 1) - lengths - 1
        codes = np.frombuffer("\n".join(sentences).encode("utf-32-le"), dtype=np.uint32)
        ranks = self.rank_of[np.minimum(codes, len(self.rank_of) - 1)]
        ranks[starts[1:] - 1] = 0  # the separators equal no character: no match runs across sentences

        def sentence_at(where: np.ndarray) -> np.ndarray:
            return np.searchsorted(starts, where, side="right") - 1

        def keys_at(where: np.ndarray, n: int) -> np.ndarray:
            value = ranks[where]
            for offset in range(1, n):
                value = (value << bits) | ranks[where + offset]
            return value

        flags = None
        if self.table is not None:
            flags = self.table[(ranks[:-1] << bits) | ranks[1:]]
        rows: list[np.ndarray] = [np.full(n_sentences, i, dtype=np.int64) for i in self.empty]
        columns: list[np.ndarray] = [np.arange(n_sentences) for _ in self.empty]
        hit = slot = np.zeros(0, dtype=np.int64)
        for n, (exact, index) in self.lookups.items():
            if n > 1 and flags is not None:
                where = np.flatnonzero(flags[: len(ranks) - n + 1] & flags.dtype.type(1 << (n - 2)))
            else:
                where = np.arange(max(len(ranks) - n + 1, 0))
            slot = index.get_indexer(keys_at(where, n))
            hit, slot = where[slot >= 0], slot[slot >= 0]
            whole = slot < len(exact)
            rows.append(np.asarray(exact, dtype=np.int64)[slot[whole]])
            columns.append(sentence_at(hit[whole]))
        if self.longer:  # the first per_key characters found above (n = per_key is the last length), the others checked here
            n_keys = len(self.lookups[per_key][1])
            order = np.argsort(slot, kind="stable")
            hit, slot = hit[order], slot[order]
            bounds = np.searchsorted(slot, np.arange(n_keys + 1))
            for i in self.longer:
                j = self.first_slot[i]
                where = hit[bounds[j] : bounds[j + 1]]
                for offset, expected in self.further[i]:
                    where = where[where + offset + per_key <= len(ranks)]
                    where = where[keys_at(where + offset, per_key) == expected]
                rows.append(np.full(len(where), i, dtype=np.int64))
                columns.append(sentence_at(where))
        found = sparse.csr_matrix((n_terms, n_sentences), dtype=np.int32)
        if rows:
            row = np.concatenate(rows)
            col = np.concatenate(columns)
            found = sparse.csr_matrix((np.ones(len(row), dtype=np.int32), (row, col)), shape=(n_terms, n_sentences))
            found.sum_duplicates()
            found.data[:] = 1
        if n_terms < len(self.terms):
            index = {term: i for i, term in enumerate(self.unique)}
            found = found[[index[t] for t in self.terms]]
        return found


def sentences_containing(terms: Sequence[str], sentences: Sequence[str]) -> sparse.csr_matrix:
    """Which sentences contain each term as a substring: a 0/1 matrix, terms × sentences
    (see :class:`SubstringSearch`, which searches chunk after chunk with the same keys)."""
    return SubstringSearch(terms).search(sentences)


_SEARCH_CHARS = 500_000


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
    holds_known = re.compile("|".join(map(re.escape, sorted(known)))).search  # a variant or name inside a term, if one is there
    pool = [t for t in dict.fromkeys(vocabulary) if counts.get(t, min_count) >= min_count and not holds_known(t)]
    names = lexicon.names
    column = {name: j for j, name in enumerate(names)}
    # Terms × sentences (0/1) and sentences × measures (0/1): their product counts, for each term
    # and measure, the sentences that hold both. A few hundred thousand characters of text at a
    # time: the search holds several 8-byte numbers per character it is given, so one pass over
    # a large corpus would need gigabytes; the counts are sums over the chunks.
    # The variants are searched for too: a sentence holding none of them cannot match the
    # lexicon's pattern, so the pattern runs only over the (few) sentences that hold one.
    variants = list(lexicon.variant_to_measure)
    search = SubstringSearch(pool + variants)
    n_sentences = np.zeros(len(pool), dtype=np.int64)
    together_counts = np.zeros((len(pool), len(names)), dtype=np.int64)
    # A TextStore gives the same chunks read once, in order (slicing it after chunk_bounds read every text twice).
    chunks = texts.chunks(_SEARCH_CHARS) if hasattr(texts, "chunks") else (texts[a:b] for a, b in chunk_bounds(texts, _SEARCH_CHARS))
    for chunk in chunks:
        sentences = split_sentences("\n".join(map(str, chunk)))  # each text's sentences in turn
        if not sentences:
            continue
        found = search.search(sentences)
        found, with_variant = found[: len(pool)], found[len(pool) :]
        n_sentences += np.diff(found.indptr)
        if len(pool):
            together_counts += (found @ _sentence_measures(sentences, lexicon, column, holding=with_variant)).toarray()
    # Every term scored against every measure at once: the characters each term shares with
    # each variant come from one product of term × character and character × variant 0/1
    # matrices (the sets of characters ``_char_similarity`` intersects), the same integers, so
    # the same Jaccard floats; only the terms that score are then looked at one by one.
    similarities = _similarities(pool, lexicon)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(
            (n_sentences[:, None] > 0) & (together_counts >= min_together), together_counts / n_sentences[:, None], 0.0
        )
    rows = []
    for j, measure in enumerate(lexicon.measures):
        similarity, closest = similarities[j]
        scores = (similarity + shares[:, j]) / 2
        scored = [
            (pool[i], score, int(together_counts[i, j]), i)
            for i, score in zip(np.flatnonzero(scores >= min_score).tolist(), scores[scores >= min_score].tolist())
        ]
        scored.sort(key=lambda row: (-round(row[1], 9), -row[2], row[0]))
        for rank, (term, score, together, i) in enumerate(scored[:top_n], start=1):
            in_sentences = int(n_sentences[i])
            variant = measure.variants[closest[i]] if similarity[i] > 0 else ""
            shared = "".join(ch for ch in dict.fromkeys(term) if ch in set(variant))
            evidence = []
            if similarity[i]:
                evidence.append(f"shares {shared} with {variant}")
            if shares[i, j]:
                evidence.append(f"in {together} of its {in_sentences} sentences with {measure.name}")
            rows.append(
                (measure.name, term, "candidate", "candidate", rank, score, shared, float(similarity[i]), together, in_sentences,
                 "; ".join(evidence))
            )
    return pd.DataFrame(
        rows,
        columns=[
            "measure", "entry", "kind", "status", "rank", "score", "shared_chars", "char_similarity",
            "sentences_together", "sentences_with_entry", "evidence",
        ],
    )


def _sentence_measures(
    sentences: Sequence[str], lexicon: Lexicon, column: dict[str, int], *, holding: sparse.csr_matrix | None = None
) -> sparse.csr_matrix:
    """Sentences × measures, 1 where a sentence matches a variant of the measure.

    ``holding``: variants × sentences, non-zero where a sentence contains a variant (from
    :class:`SubstringSearch`); the pattern then runs over those sentences only, as a sentence
    containing no variant matches none."""
    if holding is not None:
        rows = np.unique(holding.indices)
        some = _sentence_measures([sentences[i] for i in rows], lexicon, column).tocoo()
        return sparse.csr_matrix((some.data, (rows[some.row], some.col)), shape=(len(sentences), len(column)))
    measure_of = lexicon.variant_to_measure
    if any(not v or "\n" in v for v in measure_of):
        pairs = {(i, column[measure_of[m.group(0)]]) for i, s in enumerate(sentences) for m in lexicon.pattern.finditer(s)}
    else:  # no variant can match across the line breaks joining the sentences: one pass over all
        starts = np.cumsum([0] + [len(s) + 1 for s in sentences[:-1]])
        matches = [(m.start(), m.group(0)) for m in lexicon.pattern.finditer("\n".join(sentences))]
        where = np.searchsorted(starts, [start for start, _ in matches], side="right") - 1
        pairs = {(int(i), column[measure_of[v]]) for i, (_, v) in zip(where, matches)}
    return sparse.csr_matrix(
        (np.ones(len(pairs), dtype=np.int32), ([i for i, _ in pairs], [j for _, j in pairs])),
        shape=(len(sentences), len(column)),
    )


def lexicon_report(
    lexicon: Lexicon,
    documents: pd.DataFrame,
    mentions: pd.DataFrame,
    tokens: "Sequence[Sequence[str]] | TokenIds | TermCounts",
    terms: pd.DataFrame,
    *,
    tokenizer=None,
    top_n: int = 5,
    texts: "Sequence[str] | None" = None,
    effects: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Variant rows (:func:`variant_report`), rule rows (kind ``rule``: each ``exclude`` or
    ``near`` rule, status ``removed matches`` or ``added matches``, the number in ``mentions``)
    and candidate rows (:func:`candidate_variants`), per measure.

    Written as ``lexicon_report.csv``; columns :data:`LEXICON_REPORT_COLUMNS`, measures in
    lexicon order. ``effects``: :func:`rule_effects` of the texts when counted already (a run
    counts them while coding), else counted here.
    """
    # ``texts`` (the analysed texts, row by row as ``documents``; else its ``text`` column) may be
    # a TextStore: read in order, chunk by chunk, never listed whole.
    texts = documents["text"].astype(str).tolist() if texts is None else texts
    variants = variant_report(lexicon, mentions, tokens, tokenizer=tokenizer)
    candidates = candidate_variants(
        lexicon, texts, terms["term"].tolist(),
        counts=dict(zip(terms["term"], terms["count"])), top_n=top_n,
    )
    parts = [variants, candidates]
    if lexicon.has_rules:  # one row per coding rule: how many matches it added or removed
        effects = rule_effects(texts, lexicon) if effects is None else effects
        parts.insert(1, pd.DataFrame({
            "measure": effects["measure"], "entry": effects["rule"], "kind": "rule",
            "status": effects["effect"].map({"added": "added matches", "removed": "removed matches"}),
            "mentions": effects["matches"],
        }))
    frame = pd.concat(parts, ignore_index=True)
    order = {name: i for i, name in enumerate(lexicon.names)}
    frame["_m"] = frame["measure"].map(order)
    frame["_k"] = frame["kind"].map({"variant": 0, "rule": 1, "candidate": 2})
    frame = frame.sort_values(["_m", "_k"], kind="stable").drop(columns=["_m", "_k"]).reset_index(drop=True)
    frame = frame.reindex(columns=LEXICON_REPORT_COLUMNS)
    for column in ("mentions", "token_count", "missed_by_terms", "rank", "sentences_together", "sentences_with_entry"):
        frame[column] = frame[column].astype("Int64")
    return frame


def with_theme_candidates(report: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """``report`` (:func:`lexicon_report`) with theme candidates added: per measure, the terms of
    the theme its variants seeded that no measure covers (``candidates``: ``measure, entry,
    theme, rank, score`` from :meth:`analysis.methods.themes.Themes.candidates`), as kind
    ``theme candidate`` ranked above the frequency-based candidates, the theme they came from in
    the added column ``theme``. A term already a candidate keeps one row, the theme's."""
    if candidates is None or candidates.empty:
        return report.assign(theme=report["theme"] if "theme" in report else "")
    rows = pd.DataFrame({
        "measure": candidates["measure"], "entry": candidates["entry"], "kind": "theme candidate", "status": "candidate",
        "rank": candidates["rank"], "score": candidates["score"], "theme": candidates["theme"],
        "evidence": "among the top terms of theme " + candidates["theme"].astype(str) + ", which this measure's variants seeded",
    })
    base = report.assign(theme=report["theme"] if "theme" in report else "")
    proposed = set(zip(rows["measure"], rows["entry"]))
    repeated = np.array([(m, e) in proposed for m, e in zip(base["measure"], base["entry"])], dtype=bool)
    base = base[~((base["kind"] == "candidate").to_numpy() & repeated)]
    frame = pd.concat([base, rows], ignore_index=True)
    measures = list(dict.fromkeys(report["measure"]))
    frame["_m"] = frame["measure"].map({name: i for i, name in enumerate(measures)}).fillna(len(measures))
    frame["_k"] = frame["kind"].map({"variant": 0, "rule": 1, "theme candidate": 2, "candidate": 3})
    frame = frame.sort_values(["_m", "_k"], kind="stable").drop(columns=["_m", "_k"]).reset_index(drop=True)
    frame = frame.reindex(columns=[*LEXICON_REPORT_COLUMNS, "theme"])
    for column in ("mentions", "token_count", "missed_by_terms", "rank", "sentences_together", "sentences_with_entry"):
        frame[column] = frame[column].astype("Int64")
    frame["theme"] = frame["theme"].fillna("")
    return frame
