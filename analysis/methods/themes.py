"""Themes: what the documents talk about, found from their words rather than from the lexicon.

A pure function of the document × term counts (:class:`~analysis.text.dfm.DFM`, rows
as in the documents table) and the documents table (``doc_id``, ``unit``, ``date_start``): any
document-feature matrix with a vocabulary and a CSR matrix fits, so nothing here changes when
the counts come from elsewhere.

* **Model.** NMF on TF-IDF (scikit-learn; ``nndsvda`` start, deterministic) or, with
  ``method="lda"``, latent Dirichlet allocation on the counts (fixed ``random_state``). Terms in
  fewer than ``min_df`` documents or in more than ``max_df`` of them are left out: a word every
  document uses tells the themes apart no better than one used once.
* **Verdict.** The model is refitted with other seeds (on every document) and on resamples of
  the documents (80 % drawn without replacement); each refit's themes are matched one to one
  with the original's (Hungarian assignment, :func:`scipy.optimize.linear_sum_assignment`) by
  how many of their top terms they share, and the agreement is the share of top terms a matched
  theme keeps (the lower of the two kinds of refit: a theme must survive both). Coherence is the mean NPMI of each theme's top terms over the corpus's documents
  (1: they always appear together, 0: independently; a corpus of random documents scores 0.06). The verdict (see :data:`STABLE_AGREEMENT`
  and the others): ``stable`` when the mean agreement is ≥ 0.7 and the coherence ≥ 0.1;
  ``tentative`` when the agreement is ≥ 0.5 (or stable but coherence low); ``not supported``
  below that, or with fewer than :data:`MIN_DOCUMENTS` documents (a resample of ten documents
  leaves out two of them: no theme can be told from an accident of those ten).
* **k.** When not given, each k from 2 to ``max_k`` is fitted and refitted a few times; the k
  with the best mean of agreement and coherence wins (the smaller on a tie).
* **Guided by the lexicon.** ``seeds`` (measure → its variants) anchor one theme per measure
  whose variants occur among the kept terms. Tried first: NMF with H initialised from anchor
  rows; the themes drifted to the corpus's eras and lost their measures (on the government
  reports 反腐倡廉's theme became 乡镇企业·邓小平·…). So the anchor holds the documents instead:
  the seeded theme's W column is each document's TF-IDF weight on the measure's variants
  (fixed), its H row the non-negative least-squares fit of every term on it, i.e. the words
  that rise and fall with the measure's variants across the documents; ``extra`` free themes
  are NMF of what the seeded ones leave unexplained. A seeded theme's weight beyond its
  variants is how far the measure reaches; its top terms no measure covers are candidate
  variants.

Shares: a document's shares are its row of W (or LDA's document-topic mixture) divided by the
row's sum; a unit's or a period's shares weight its documents by their number of kept tokens. A
period without any dated document has no shares (a gap), not zeros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import AnalysisError
from ..text.counts import TermCounts
from ..measures.lexicon import PERIOD_CODES, choose_period

__all__ = [
    "Themes",
    "fit_themes",
    "npmi_coherence",
    "match_themes",
    "STABLE_AGREEMENT",
    "TENTATIVE_AGREEMENT",
    "MIN_COHERENCE",
    "MIN_DOCUMENTS",
    "MIN_THEME_DOCUMENTS",
    "THEME_COLUMNS",
    "period_keys",
]

#: Mean share of top terms a matched theme keeps across refits, for "stable" and "tentative".
STABLE_AGREEMENT = 0.7
TENTATIVE_AGREEMENT = 0.5
#: Mean NPMI of the themes' top terms over documents below which stable themes are only tentative.
MIN_COHERENCE = 0.1
#: Fewer documents than this support no themes.
MIN_DOCUMENTS = 20
#: A theme carried by fewer documents than this (effective number: 1 / Σ share², over the
#: documents' parts of the theme) is one or two documents, not a theme.
MIN_THEME_DOCUMENTS = 3.0
TOP_TERMS = 10  # terms compared across refits and scored for coherence
N_SEEDS = 4  # refits with other seeds, all documents
N_RESAMPLES = 8  # refits on 80 % of the documents
SELECT_REFITS = 3  # refits per candidate k when choosing k
RESAMPLE_SHARE = 0.8
MAX_TERMS = 3000  # the most frequent terms kept (ties by document count, then term)
_DENSE_CELLS = 20_000_000  # TF-IDF matrices up to this many cells (160 MB) are fitted dense

THEME_COLUMNS = ["theme", "label", "rank", "term", "weight", "verdict", "agreement", "coherence", "prevalence", "measure", "variant", "covered_by"]


@dataclass(frozen=True)
class Themes:
    """The result of :func:`fit_themes`. Tables are pandas frames; treat them as read-only."""

    k: int
    method: str
    vocabulary: list[str]  # the terms the model saw (columns of ``components``)
    components: np.ndarray  # theme × term weights (NMF's H, LDA's topic-word pseudo-counts)
    document_shares: pd.DataFrame  # doc_id × theme, rows sum to 1 (NaN: the document has no kept term)
    labels: list[str]  # "阶级斗争·人民公社·…", one per theme
    agreement: np.ndarray  # per theme: mean share of its top terms a matched refit keeps
    coherence: np.ndarray  # per theme: mean NPMI of its top terms over the documents
    carriers: np.ndarray  # per theme: effective number of documents carrying it (1 / Σ share²)
    refits: pd.DataFrame  # kind (seed / resample), run, theme, agreement
    selection: pd.DataFrame  # k, agreement, coherence, score, chosen (empty when k was given)
    period_kind: str
    by_period: pd.DataFrame  # period × theme shares (NaN: no dated document in that period)
    by_unit: pd.DataFrame  # unit × theme shares (empty without units)
    n_documents: int
    random_state: int
    seeds: dict[str, list[str]] = field(default_factory=dict)  # theme → the measure's variants that seeded it
    seed_measures: dict[str, str] = field(default_factory=dict)  # theme → the measure that seeded it
    covered: dict[str, str] = field(default_factory=dict)  # term → the measure whose variant it is
    reason: str = ""  # why the verdict is "not supported", when it is for a reason other than the scores

    @property
    def names(self) -> list[str]:
        return list(self.document_shares.columns)

    @property
    def mean_agreement(self) -> float:
        return float(np.mean(self.agreement)) if len(self.agreement) else float("nan")

    @property
    def mean_coherence(self) -> float:
        return float(np.mean(self.coherence)) if len(self.coherence) else float("nan")

    @property
    def verdict(self) -> str:
        """``stable``, ``tentative`` or ``not supported`` (see the module docstring)."""
        return _verdict(self.mean_agreement, self.mean_coherence, self.n_documents, self.reason)

    def theme_verdicts(self) -> list[str]:
        """Each theme's own verdict, by its own agreement and coherence (never above the model's)."""
        order = ["not supported", "tentative", "stable"]
        model = order.index(self.verdict)
        own = [
            _verdict(a, c, self.n_documents, self.reason) if n >= MIN_THEME_DOCUMENTS else "not supported"
            for a, c, n in zip(self.agreement, self.coherence, self.carriers)
        ]
        return [order[min(model, order.index(v))] for v in own]

    def top_terms(self, theme: int | str, n: int = TOP_TERMS) -> list[tuple[str, float]]:
        """A theme's ``n`` heaviest terms with their weights (ties: the term in sorted order)."""
        i = theme if isinstance(theme, (int, np.integer)) else self.names.index(theme)
        return _top(self.components[i], self.vocabulary, n)

    def prevalence(self) -> pd.Series:
        """Each theme's share of the whole corpus (documents weighted by their kept tokens)."""
        return self._prevalence

    _prevalence: pd.Series = field(default_factory=pd.Series, repr=False)

    def message(self) -> str:
        """One plain sentence: whether the themes hold, with the evidence and the thresholds."""
        evidence = (
            f"{self.k} themes ({self.method.upper()}); top-{TOP_TERMS}-term agreement {self.mean_agreement:.2f} (the lower of "
            f"{N_SEEDS} refits with other seeds and {N_RESAMPLES} on {RESAMPLE_SHARE:.0%} resamples of the documents) "
            f"(stable ≥ {STABLE_AGREEMENT}, tentative ≥ {TENTATIVE_AGREEMENT}); coherence (NPMI over documents) "
            f"{self.mean_coherence:.2f} (≥ {MIN_COHERENCE} for stable)"
        )
        if self.verdict == "stable":
            return f"Themes are stable: {evidence}."
        if self.verdict == "tentative":
            return f"Warning: the themes are tentative: {evidence}. Read them as leads, not findings."
        why = self.reason or "the themes change when the seed or the documents change"
        return f"Themes are not supported: {why} ({evidence}). No theme is a finding."

    def table(self) -> pd.DataFrame:
        """``themes.csv``: one row per theme and top term (:data:`THEME_COLUMNS`)."""
        rows = []
        verdicts = self.theme_verdicts()
        prevalence = self.prevalence()
        for i, name in enumerate(self.names):
            seed = set(self.seeds.get(name, []))
            measure = self._seed_measures().get(name, "")
            for rank, (term, weight) in enumerate(self.top_terms(i, n=20), start=1):
                rows.append((
                    name, self.labels[i], rank, term, round(weight, 6), verdicts[i], round(float(self.agreement[i]), 4),
                    round(float(self.coherence[i]), 4), round(float(prevalence.get(name, np.nan)), 4), measure,
                    term in seed, self.covered.get(term, ""),
                ))
        return pd.DataFrame(rows, columns=THEME_COLUMNS)

    def _seed_measures(self) -> dict[str, str]:
        return dict(self.seed_measures)

    def reach(self) -> pd.DataFrame:
        """For each seeded theme: how much of the weight of its top 20 terms lies on its measure's
        variants (``variants_weight``; the rest, ``beyond_weight``, on other terms) and which
        of its top terms no measure of the lexicon covers (``measure, theme, variants_weight,
        beyond_weight, top_variants, beyond_terms, uncovered_terms``)."""
        rows = []
        for i, name in enumerate(self.names):
            if name not in self.seeds:
                continue
            ranked = self.top_terms(i, n=20)
            top = [t for t, _ in ranked]
            total = sum(w for _, w in ranked) or 1.0  # over the top 20 terms: every term has some small weight
            on_variants = sum(w for t, w in ranked if t in set(self.seeds[name])) / total
            variants = set(self.seeds[name])
            rows.append((
                self._seed_measures()[name], name, round(on_variants, 4), round(1 - on_variants, 4),
                "、".join(t for t in top if t in variants),
                "、".join(t for t in top if t not in variants),
                "、".join(t for t in top if t not in variants and t not in self.covered),
            ))
        return pd.DataFrame(rows, columns=["measure", "theme", "variants_weight", "beyond_weight", "top_variants", "beyond_terms", "uncovered_terms"])

    def candidates(self, n: int = 5) -> pd.DataFrame:
        """Candidate variants from the seeded themes: per measure, up to ``n`` of its theme's top
        terms that no measure covers (and that contain no variant), heaviest first:
        ``measure, entry, theme, rank, score`` (score: the term's weight / the theme's top weight)."""
        rows = []
        known = list(self.covered)
        for i, name in enumerate(self.names):
            if name not in self.seeds or self.theme_verdicts()[i] == "not supported":
                continue
            top = self.top_terms(i, n=20)
            best = top[0][1] if top and top[0][1] > 0 else 1.0
            kept = [(t, w) for t, w in top if t not in self.covered and not any(v in t for v in known)]
            for rank, (term, weight) in enumerate(kept[:n], start=1):
                rows.append((self._seed_measures()[name], term, name, rank, round(weight / best, 4)))
        return pd.DataFrame(rows, columns=["measure", "entry", "theme", "rank", "score"])

    def summary(self, n: int = 8) -> pd.DataFrame:
        """One row per theme, for reading: ``theme, label, verdict, prevalence, top_terms, peak,
        era``. ``peak``: the period where the theme's share is highest ("tie: …" when several
        share it); ``era``: the first and last period where its share is at least half that
        peak. Both empty without dated documents."""
        rows = []
        verdicts = self.theme_verdicts()
        prevalence = self.prevalence()
        for i, name in enumerate(self.names):
            peak = era = ""
            if len(self.by_period) and name in self.by_period:
                shares = self.by_period[name].dropna().round(6)
                if len(shares) and shares.max() > 0:
                    best = shares[shares == shares.max()]
                    peak = str(best.index[0]) if len(best) == 1 else "tie: " + ", ".join(map(str, best.index))
                    high = shares[shares >= shares.max() / 2]
                    era = f"{high.index[0]}–{high.index[-1]}" if len(high) > 1 else str(high.index[0])
            rows.append((name, self.labels[i], verdicts[i], round(float(prevalence.get(name, np.nan)), 3),
                         "、".join(t for t, _ in self.top_terms(i, n)), peak, era))
        return pd.DataFrame(rows, columns=["theme", "label", "verdict", "prevalence", "top_terms", "peak", "era"])

    def validation_table(self) -> pd.DataFrame:
        """``theme_validation.csv``: per theme and overall, agreement and coherence with the
        verdict, and the scores of every k tried when k was chosen."""
        rows = [("model", "", self.k, self.mean_agreement, self.mean_coherence, float(np.median(self.carriers)), self.verdict, self.reason)]
        for i, (name, verdict) in enumerate(zip(self.names, self.theme_verdicts())):
            few = f"carried by {self.carriers[i]:.1f} documents (< {MIN_THEME_DOCUMENTS:g})" if self.carriers[i] < MIN_THEME_DOCUMENTS else ""
            rows.append(("theme", name, self.k, float(self.agreement[i]), float(self.coherence[i]), float(self.carriers[i]), verdict, few))
        for row in self.selection.itertuples(index=False):
            rows.append(("k", "", int(row.k), float(row.agreement), float(row.coherence), np.nan, "chosen" if row.chosen else "", ""))
        frame = pd.DataFrame(rows, columns=["check", "theme", "k", "agreement", "coherence", "documents", "verdict", "note"])
        frame[["agreement", "coherence", "documents"]] = frame[["agreement", "coherence", "documents"]].round(4)
        frame["method"] = self.method
        frame["random_state"] = self.random_state
        return frame


def _verdict(agreement: float, coherence: float, n_documents: int, reason: str) -> str:
    if reason or n_documents < MIN_DOCUMENTS or not agreement >= TENTATIVE_AGREEMENT:
        return "not supported"
    if agreement >= STABLE_AGREEMENT and coherence >= MIN_COHERENCE:
        return "stable"
    return "tentative"


def _top(weights: np.ndarray, vocabulary: Sequence[str], n: int) -> list[tuple[str, float]]:
    """The ``n`` heaviest entries (weight desc, then term), zero weights left out."""
    n = min(n, len(weights))
    if n <= 0:
        return []
    near = np.argpartition(-weights, n - 1)[: n * 3] if len(weights) > n * 3 else np.arange(len(weights))
    ranked = sorted(near.tolist(), key=lambda j: (-round(float(weights[j]), 12), vocabulary[j]))
    return [(vocabulary[j], float(weights[j])) for j in ranked[:n] if weights[j] > 0]


def _top_sets(components: np.ndarray, n: int) -> list[set[int]]:
    out = []
    for row in components:
        k = min(n, len(row))
        order = np.lexsort((np.arange(len(row)), -np.round(row, 12)))[:k]
        out.append({int(j) for j in order if row[j] > 0})
    return out


def match_themes(reference: np.ndarray, other: np.ndarray, *, top: int = TOP_TERMS) -> np.ndarray:
    """Per theme of ``reference`` (theme × term), the share of its top terms that the theme of
    ``other`` it is matched with (one to one, Hungarian assignment maximising the shared top
    terms) also has among its top terms. Both over the same terms."""
    from scipy.optimize import linear_sum_assignment

    a, b = _top_sets(reference, top), _top_sets(other, top)
    shared = np.array([[len(x & y) for y in b] for x in a], dtype=float)
    rows, cols = linear_sum_assignment(-shared)
    agreement = np.zeros(len(a))
    for i, j in zip(rows, cols):
        agreement[i] = shared[i, j] / max(len(a[i]), 1)
    return agreement


def npmi_coherence(components: np.ndarray, presence: sp.csr_matrix, *, top: int = TOP_TERMS) -> np.ndarray:
    """Per theme, the mean normalised PMI of its top terms' pairs over documents (``presence``:
    document × term, 1 where the term occurs). A pair never seen together scores -1; a term in
    every document carries no information (its pairs score 0)."""
    n_docs = presence.shape[0]
    scores = []
    for terms in _top_sets(components, top):
        cols = sorted(terms)
        if len(cols) < 2 or n_docs == 0:
            scores.append(0.0)
            continue
        sub = presence[:, cols].astype(np.float64)
        together = (sub.T @ sub).toarray() / n_docs
        alone = np.diag(together).copy()
        values = []
        for x in range(len(cols)):
            for y in range(x + 1, len(cols)):
                joint = together[x, y]
                if joint <= 0:
                    values.append(-1.0)
                elif joint >= 1.0:
                    values.append(0.0)
                else:
                    values.append(float(np.log(joint / (alone[x] * alone[y])) / -np.log(joint)))
        scores.append(float(np.mean(values)))
    return np.asarray(scores)


@dataclass(frozen=True)
class _Matrix:
    """The modelled part of the counts: kept documents' rows, kept terms' columns."""

    counts: sp.csr_matrix  # documents × kept terms
    vocabulary: list[str]
    tfidf: sp.csr_matrix


def _prepare(counts: TermCounts, *, min_df: int, max_df: float, max_terms: int) -> _Matrix:
    """The terms themes are fitted on and their counts (chosen from the document frequencies
    and totals, then the chosen columns taken a chunk of rows at a time) and TF-IDF weights."""
    from sklearn.feature_extraction.text import TfidfTransformer

    chunks, vocabulary = counts.chunks, counts.vocabulary
    n_docs = chunks.shape[0]
    totals = chunks.column_totals()
    if chunks.on_disk:  # a run's integer counts, no zeros stored: the documents holding each term
        df = chunks.column_counts()
    else:  # any matrix a caller gives (stored zeros, weights): its positive entries
        df = np.asarray((chunks.matrix > 0).astype(np.int64).sum(axis=0)).ravel()
    keep = (df >= min_df) & (df <= max(max_df * n_docs, min_df))
    candidates = np.flatnonzero(keep)
    if len(candidates) > max_terms:  # the most used terms, ties by the term's place (sorted vocabulary)
        order = np.lexsort((candidates, -df[candidates], -totals[candidates]))
        candidates = np.sort(candidates[order[:max_terms]])
    chosen = chunks.columns(candidates).astype(np.float64)
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(chosen).tocsr()
    return _Matrix(counts=chosen, vocabulary=[vocabulary[j] for j in candidates], tfidf=tfidf)


def _fit(data: _Matrix, k: int, method: str, random_state: int, *, init: str = "nndsvda", seed_rows: Sequence[np.ndarray] | None = None):
    """(document × theme, theme × term) of one fit."""
    if method == "lda":
        from sklearn.decomposition import LatentDirichletAllocation

        model = LatentDirichletAllocation(n_components=k, learning_method="batch", max_iter=50, random_state=random_state)
        doc = model.fit_transform(data.counts)
        return doc, model.components_ / model.components_.sum(axis=1, keepdims=True)
    from sklearn.decomposition import NMF, non_negative_factorization

    X = data.tfidf
    if X.shape[0] * X.shape[1] <= _DENSE_CELLS:  # small: dense is faster (nndsvd's SVD of a sparse matrix is slow)
        X = X.toarray()
    if seed_rows is not None:  # guided by anchors: see _fit_guided
        return _fit_guided(X, seed_rows, k - len(seed_rows), random_state, init)
    model = NMF(n_components=k, init=init, random_state=random_state, max_iter=400, tol=1e-3)
    doc = model.fit_transform(X)
    return doc, model.components_


def _fit_guided(X, anchors: Sequence[np.ndarray], n_free: int, random_state: int, init: str):
    """Seeded themes, then free ones. A measure's theme is held to the documents its variants
    carry: its column of W is the documents' TF-IDF weight on the variants (fixed), its row of H
    the non-negative least-squares fit of every term on those columns, i.e. the terms that rise
    and fall with the measure's variants across documents. The free themes are NMF of what the
    seeded ones leave unexplained (negative residuals set to 0)."""
    from sklearn.decomposition import NMF, non_negative_factorization

    dense = X.toarray() if sp.issparse(X) else np.asarray(X)
    W_seed = np.column_stack([dense[:, cols].sum(axis=1) for cols in anchors])
    W_seed = W_seed / np.where(W_seed.max(axis=0) > 0, W_seed.max(axis=0), 1.0)
    # Terms × measures: X.T ≈ H_seed.T @ W_seed.T, W_seed held fixed (as the "H" of the transposed problem).
    H_seed_t, _, _ = non_negative_factorization(
        dense.T, H=np.ascontiguousarray(W_seed.T), n_components=len(anchors), update_H=False, init="custom", max_iter=400, tol=1e-4,
    )
    H_seed = H_seed_t.T
    if not n_free:
        return W_seed, H_seed
    residual = np.maximum(dense - W_seed @ H_seed, 0.0)
    model = NMF(n_components=n_free, init=init, random_state=random_state, max_iter=400, tol=1e-3)
    W_free = model.fit_transform(residual)
    return np.hstack([W_seed, W_free]), np.vstack([H_seed, model.components_])


def _refit_agreement(data: _Matrix, reference: np.ndarray, k: int, method: str, random_state: int, n_seeds: int, n_resamples: int,
                     seed_rows: Sequence[np.ndarray] | None = None) -> pd.DataFrame:
    """Agreement of refits with other seeds (all documents; NMF starts from nndsvd with its zeros
    filled at random by the seed, LDA from the seed) and on resamples of the documents."""
    rng = np.random.default_rng(random_state)
    rows = []
    n_docs = data.counts.shape[0]
    for run in range(n_seeds):
        seed = random_state + 1 + run
        _, H = _fit(data, k, method, seed, init="random", seed_rows=seed_rows)
        rows.extend(("seed", run + 1, i, float(a)) for i, a in enumerate(match_themes(reference, H)))
    size = max(2, int(round(RESAMPLE_SHARE * n_docs)))
    for run in range(n_resamples):
        chosen = np.sort(rng.choice(n_docs, size=size, replace=False))
        from sklearn.feature_extraction.text import TfidfTransformer

        counts = data.counts[chosen]
        sample = _Matrix(counts=counts, vocabulary=data.vocabulary, tfidf=TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr())
        _, H = _fit(sample, k, method, random_state + 101 + run, seed_rows=seed_rows)
        rows.extend(("resample", run + 1, i, float(a)) for i, a in enumerate(match_themes(reference, H)))
    return pd.DataFrame(rows, columns=["kind", "run", "theme", "agreement"])


def _seed_rows(data: _Matrix, seeds: Mapping[str, Sequence[str]]) -> tuple[list[str], list[np.ndarray]]:
    """The measures whose variants occur among the kept terms, and those variants' columns."""
    index = {t: j for j, t in enumerate(data.vocabulary)}
    names, anchors = [], []
    for measure, variants in seeds.items():
        cols = np.array(sorted({index[v] for v in variants if v in index}), dtype=np.int64)
        if len(cols):
            names.append(measure)
            anchors.append(cols)
    return names, anchors


_FREQ = PERIOD_CODES  # one place for the period codes (analysis.measures.lexicon)


def period_keys(dates: pd.Series, period: str) -> pd.Series:
    """Each document's period as text ("1978", "2020-03"; None when undated)."""
    parsed = pd.to_datetime(dates, errors="coerce")
    keys = parsed.dt.to_period(_FREQ[period]).astype(str)
    return keys.where(parsed.notna(), None)


def _shares(weights: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Each document's shares: theme t's part of its reconstruction, W[d, t] × the sum of H[t]
    (NMF's W and H are scaled arbitrarily between them), divided by the row's total."""
    weights = weights * components.sum(axis=1)[None, :]
    totals = weights.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, weights / np.where(totals > 0, totals, 1), np.nan)


def _weighted(shares: pd.DataFrame, groups: pd.Series, sizes: np.ndarray, order: Sequence) -> pd.DataFrame:
    """Group × theme shares: each group's documents weighted by their kept tokens."""
    valid = shares.notna().all(axis=1).to_numpy() & groups.notna().to_numpy() & (sizes > 0)
    values = shares.to_numpy()[valid] * sizes[valid, None]
    frame = pd.DataFrame(values, columns=shares.columns)
    frame["_g"] = groups.to_numpy()[valid]
    summed = frame.groupby("_g", sort=False).sum()
    summed = summed.div(summed.sum(axis=1), axis=0)
    return summed.reindex(order)


def fit_themes(counts, documents: pd.DataFrame | None = None, **options) -> Themes:
    """Themes of a document × term matrix (``counts``: anything with ``vocabulary`` and a CSR
    ``matrix``, rows as in ``documents``, e.g. :class:`~analysis.text.dfm.DFM`, whose document
    variables are the documents when ``documents`` is not given), with the verdict on whether
    they hold.

    ``k`` themes, or chosen from 2..``max_k`` (see the module docstring). ``method`` "nmf" or
    "lda". ``min_df``: documents a term must occur in (default 2, or 2 % of the documents if
    more). ``seeds``: measure → variants, one anchored theme per measure that occurs, plus
    ``extra`` free themes (default: k minus the seeded ones, or 3 when k is not given).
    ``covered``: term → measure for every variant of the lexicon (what "no measure covers"
    means). ``period``: "day", "month" or "year" (default: from the corpus's span).

    The many small fits run with one BLAS thread each: on a matrix this small, threads only
    wait for each other (on 2 busy cores a fit took 5-10 times longer with them).
    """
    import sklearn.decomposition  # noqa: F401 - loads the BLAS libraries the limit must see
    from threadpoolctl import threadpool_limits

    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with threadpool_limits(limits=1), warnings.catch_warnings():
        # A fit stopped at its iteration limit is judged like any other, by the refits' agreement.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if documents is None:
            documents = getattr(counts, "docvars", None)
            if documents is None:
                raise AnalysisError("fit_themes needs the documents table (doc_id, unit, date_start) beside counts that carry none")
        return _fit_themes(counts, documents, **options)


def _fit_themes(
    counts,
    documents: pd.DataFrame,
    *,
    k: int | None = None,
    method: str = "nmf",
    random_state: int = 0,
    max_k: int = 12,
    min_df: int | None = None,
    max_df: float = 0.9,
    seeds: Mapping[str, Sequence[str]] | None = None,
    covered: Mapping[str, str] | None = None,
    extra: int | None = None,
    period: str | None = None,
    n_seeds: int = N_SEEDS,
    n_resamples: int = N_RESAMPLES,
) -> Themes:
    if method not in {"nmf", "lda"}:
        raise AnalysisError(f"theme method '{method}' is unknown (use 'nmf' or 'lda')")
    if not isinstance(counts, TermCounts):  # any counts with a vocabulary and a matrix
        counts = TermCounts(list(counts.vocabulary), counts.matrix)
    n_docs = counts.n_documents
    if len(documents) != n_docs:
        raise AnalysisError(f"{len(documents)} documents for {n_docs} rows of counts")
    if k is not None and k < 1:
        raise AnalysisError(f"k={k}: the number of themes must be 1 or more")
    min_df = min_df if min_df is not None else max(2, int(np.ceil(0.02 * n_docs)))
    data = _prepare(counts, min_df=min_df, max_df=max_df, max_terms=MAX_TERMS)
    n_terms = len(data.vocabulary)
    reason = ""
    if n_docs < MIN_DOCUMENTS:
        reason = f"only {n_docs} documents (themes need at least {MIN_DOCUMENTS})"
    if n_terms < 4 or n_docs < 3:
        raise AnalysisError(
            f"themes need at least 3 documents and 4 terms in {min_df} or more of them; this corpus has {n_docs} documents and {n_terms} such terms"
        )
    usable = data.tfidf.getnnz(axis=1) > 0

    seed_names: list[str] = []
    seed_matrix = None  # the anchors: per seeded measure, its variants' columns
    if seeds:
        seed_names, seed_matrix = _seed_rows(data, seeds)
        if not seed_names:
            raise AnalysisError("no measure's variant occurs among the terms themes are fitted on: nothing to seed themes with")
        if method != "nmf":
            raise AnalysisError("themes seeded with the lexicon need method 'nmf'")

    fits_at_most = max(1, min(int(round(RESAMPLE_SHARE * n_docs)) - 1, n_terms - 1))  # a resample must hold k themes
    limit = min(max_k, fits_at_most)
    selection = pd.DataFrame(columns=["k", "agreement", "coherence", "score", "chosen"])
    presence = (data.counts > 0).astype(np.float64).tocsr()
    if seeds:
        free = extra if extra is not None else (max(k - len(seed_names), 0) if k is not None else 3)
        k = len(seed_names) + free
    elif k is None:
        tried = []
        for candidate in range(min(2, limit), max(limit, 1) + 1):
            _, H = _fit(data, candidate, method, random_state)
            refits = _refit_agreement(data, H, candidate, method, random_state, 1, SELECT_REFITS - 1)
            agreement = float(refits.groupby(["kind", "theme"])["agreement"].mean().unstack("kind").min(axis=1).mean())
            coherence = float(np.mean(npmi_coherence(H, presence)))
            tried.append((candidate, agreement, coherence, (agreement + coherence) / 2))
        selection = pd.DataFrame(tried, columns=["k", "agreement", "coherence", "score"])
        best = max(tried, key=lambda row: (round(row[3], 9), -row[0]))[0]
        selection["chosen"] = selection["k"] == best
        k = best
    if k > fits_at_most:
        if seeds:
            raise AnalysisError(
                f"{len(seed_names)} measures seed themes, {k} themes in all, but {n_docs} documents and {n_terms} terms support at most "
                f"{fits_at_most}: give fewer extra themes or a lexicon with fewer measures"
            )
        k = fits_at_most

    W, H = _fit(data, k, method, random_state, seed_rows=seed_matrix)
    refits = _refit_agreement(data, H, k, method, random_state, n_seeds, n_resamples, seed_rows=seed_matrix)
    # A theme must survive both checks: its agreement is the lower of its means over the seed
    # refits and over the resamples (on a corpus without structure, refits with other seeds on
    # the same documents agree well, 0.8, while resamples do not, 0.4).
    agreement = refits.groupby(["kind", "theme"])["agreement"].mean().unstack("kind").min(axis=1).reindex(range(k)).fillna(0).to_numpy()
    coherence = npmi_coherence(H, presence)

    vocabulary = data.vocabulary
    labels = ["·".join(t for t, _ in _top(H[i], vocabulary, 3)) for i in range(k)]
    names = [f"T{i + 1}" + (f" {seed_names[i]}" if i < len(seed_names) else "") for i in range(k)]
    parts = W * H.sum(axis=1)[None, :]  # each document's part of each theme
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = parts / parts.sum(axis=0, keepdims=True)
    carriers = np.nan_to_num(1.0 / (spread**2).sum(axis=0), nan=0.0)
    if float(np.median(carriers)) < MIN_THEME_DOCUMENTS:
        reason += ("; " if reason else "") + f"most themes are carried by fewer than {MIN_THEME_DOCUMENTS:g} documents (median {float(np.median(carriers)):.1f}): documents, not themes"
    shares = _shares(W, H)
    shares[~usable] = np.nan
    doc_ids = documents["doc_id"].astype(str).tolist()
    document_shares = pd.DataFrame(shares, index=pd.Index(doc_ids, name="doc_id"), columns=names)
    sizes = counts.document_totals().astype(float)

    dates = pd.to_datetime(documents["date_start"], errors="coerce")
    if dates.notna().any():
        period = period or choose_period(dates)
        if period not in _FREQ:
            raise AnalysisError(f"period '{period}' is unknown (use day, month or year)")
        keys = period_keys(documents["date_start"], period).reset_index(drop=True)
        full = pd.period_range(dates.min(), dates.max(), freq=_FREQ[period])
        by_period = _weighted(document_shares, keys, sizes, [str(p) for p in full])
        by_period.index = pd.Index([str(p) for p in full], name=period)
    else:
        period = period or ""
        by_period = pd.DataFrame(columns=names)
    units = documents["unit"].fillna("").astype(str) if "unit" in documents else pd.Series([""] * n_docs)
    if units.astype(bool).any():
        order = list(dict.fromkeys(u for u in units if u))
        by_unit = _weighted(document_shares, units.where(units.astype(bool)), sizes, order)
        by_unit.index.name = "unit"
    else:
        by_unit = pd.DataFrame(columns=names)
    whole = _weighted(document_shares, pd.Series(["all"] * n_docs), sizes, ["all"]).iloc[0]
    return Themes(
        k=k,
        method=method,
        vocabulary=vocabulary,
        components=H,
        document_shares=document_shares,
        labels=labels,
        agreement=agreement,
        coherence=coherence,
        carriers=carriers,
        refits=refits,
        selection=selection,
        period_kind=period,
        by_period=by_period,
        by_unit=by_unit,
        n_documents=n_docs,
        random_state=random_state,
        seeds={names[i]: list(seeds[m]) for i, m in enumerate(seed_names)} if seeds else {},
        seed_measures={names[i]: m for i, m in enumerate(seed_names)},
        covered=dict(covered or {}),
        reason=reason,
        _prevalence=whole,
    )
