"""Findings in words: sentences generated from an analysis's results, never written by hand.

Which measures dominate (mentions, share, how many units), which units cluster together and on
which measures (with the clusters' verdict in the same sentence), when activity peaked (only
when the peak stands clear of resampling noise), which measures go together, how measures
spread between units (only among units whose documents are close in time), and which terms set
units apart. The report leads with them; the notebooks print them under the results they
describe. Every threshold comes from :mod:`analysis.methods.evidence`: a sentence is a claim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .measures.lexicon import PERIOD_CODES
from .methods.evidence import (
    DOMINANT_SHARE,
    MIN_CHARS,
    MIN_DOCS_TO_RESAMPLE,
    MIN_MENTIONS,
    MIN_SHARE_OF_MEDIAN,
    MIN_SHARED_DOCS,
    N_RESAMPLES,
    PEAK_LEVEL,
    RANDOM_STATE,
    SIGNIFICANCE_LABEL,
    WEAK_SILHOUETTE,
    significance_note,
)
from .methods.trends import ALL, lengths_differ
from .result import Analysis, corpus_name, date_range

__all__ = [
    "Finding",
    "headline_findings",
    "findings",
    "peak_of",
    "Peak",
    "comparison_findings",
    "keyness_finding",
    "reference_lag_finding",
    "densest_cell_finding",
]

#: Topics of :func:`headline_findings`, in the order they are written.
TOPICS = ("corpus", "measures", "clusters", "time", "cooccurrence", "diffusion", "terms")


@dataclass(frozen=True)
class Finding:
    """One headline sentence and the topic it belongs to (see :data:`TOPICS`)."""

    topic: str
    text: str


def _measure(name: str, glosses: Mapping[str, str]) -> str:
    gloss = glosses.get(name, "")
    return f"{name} ({gloss})" if gloss else name


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def _same(a: float, b: float) -> bool:
    return round(float(a), 9) == round(float(b), 9)


def headline_findings(analysis: Analysis, *, top: int = 3) -> list[Finding]:
    """The headline findings as sentences generated from the results.

    Which measures dominate (mentions, share, how many units; ties named as ties), which units
    cluster together and on which measures (as "tentative groups" with the reason unless the
    bootstrap verdict is stable), when activity peaked (a peak only when clear of the next
    period by more than resampling noise, and only with enough text: see
    :mod:`analysis.methods.evidence`), which measures are most strongly associated, how
    measures spread between units, and which terms set units apart. Each topic the corpus
    cannot support gets a sentence saying why.
    """
    glosses = analysis.lexicon.glosses
    corpus = analysis.corpus
    findings: list[Finding] = []

    start, end = date_range(analysis)
    read = len(corpus.documents) + len(corpus.skipped)
    span = f", dated {start} to {end}" if start and start != end else (f", dated {start}" if start else "")
    units = analysis.units
    findings.append(
        Finding(
            "corpus",
            f"{len(corpus.documents)} of {read} documents from {corpus_name(analysis)} were analysed"
            f" ({len(units)} reporting units{span}); {len(corpus.skipped)} were skipped.",
        )
    )
    findings.extend(_measure_findings(analysis, top))
    findings.extend(_cluster_findings(analysis))
    findings.extend(_time_findings(analysis))
    findings.extend(_cooccurrence_findings(analysis))
    findings.extend(_diffusion_findings(analysis))

    distinctive = analysis.distinctive
    if len(units) > 1 and not distinctive.empty:
        top_terms = distinctive[distinctive["rank"] == 1].set_index("unit")["term"]
        parts = [f"{unit} ({top_terms[unit]})" for unit in units if unit in top_terms.index]
        if parts:
            findings.append(Finding("terms", f"Each unit's most distinctive term (TF-IDF): {_join(parts)}."))
    elif not analysis.terms.empty:
        head = analysis.terms.head(top)
        findings.append(
            Finding("terms", f"The most frequent terms are {_join([f'{t} ({c})' for t, c in zip(head['term'], head['count'])])}.")
        )
    return findings


# --- measures ---------------------------------------------------------------------------------


def _measure_findings(analysis: Analysis, top: int) -> list[Finding]:
    glosses = analysis.lexicon.glosses
    units = analysis.units
    mentions = analysis.mentions
    if mentions.empty:
        return [
            Finding(
                "measures",
                f"No measure of the lexicon '{analysis.lexicon.name}' is mentioned in this corpus; "
                "check that the lexicon fits these texts.",
            )
        ]
    order = {name: i for i, name in enumerate(analysis.lexicon.names)}
    counts = mentions["measure"].value_counts()
    ranked = sorted(counts.index, key=lambda m: (-counts[m], order[m]))
    total = int(counts.sum())
    reach = (analysis.measures > 0).sum() if len(analysis.measures) else pd.Series(dtype=int)
    shown = ranked[:top]
    # A measure tied with the last one shown is named, never cut off by lexicon order.
    tied_out = [m for m in ranked[top:] if counts[m] == counts[shown[-1]]]
    parts = []
    for name in shown:
        where = f", in {int(reach.get(name, 0))} of {len(units)} units" if len(units) else ""
        parts.append(f"{_measure(name, glosses)}: {_plural(int(counts[name]), 'mention')} ({_share(counts[name], total)}){where}")
    tie_note = (
        f" ({_join(tied_out)} {'ties' if len(tied_out) == 1 else 'tie'} with {shown[-1]} at {int(counts[shown[-1]])})" if tied_out else ""
    )
    out = [
        Finding(
            "measures",
            f"The most mentioned measures are {_join(parts)}{tie_note}; "
            f"together {_share(sum(counts[m] for m in shown), total)} of all {total} mentions.",
        )
    ]
    if len(units) > 1 and len(reach):
        most = int(reach.max())
        widest = [m for m in analysis.lexicon.names if int(reach.get(m, 0)) == most]
        if len(widest) == 1:
            text = f"The most widely shared measure is {_measure(widest[0], glosses)}, mentioned by {most} of {len(units)} units."
        else:
            text = f"The most widely shared measures tie: {_join([_measure(m, glosses) for m in widest])}, each mentioned by {most} of {len(units)} units."
        out.append(Finding("measures", text))
    unused = [m for m in analysis.lexicon.names if m not in counts.index]
    if unused:
        out.append(Finding("measures", f"Never mentioned: {_join(unused)}."))
    return out


# --- clusters ---------------------------------------------------------------------------------


def _cluster_findings(analysis: Analysis) -> list[Finding]:
    clustering = analysis.clustering
    if clustering is None:
        reasons = [n.split(": ", 1)[-1] for n in analysis.notes if n.startswith("clusters skipped")]
        why = reasons[0] if reasons else "there are no units to compare"
        if not analysis.units:
            why = "no document names a reporting unit, so there is nothing to group"
        return [Finding("clusters", f"Units were not clustered: {why}.")]
    glosses = analysis.lexicon.glosses
    validation = analysis.methods.validation
    verdict = validation.verdict if validation is not None else "untested"
    stable = verdict == "stable"
    silhouette = clustering.silhouettes.get(clustering.k)
    how = f"k={clustering.k} chosen by the best silhouette ({silhouette:.2f})" if silhouette is not None else f"k={clustering.k}"
    method = f"{clustering.metric} distance, {clustering.method} linkage; {how}"
    n_units = len(clustering.labels)
    which = f"the {n_units} units" + (" that mention a measure" if n_units < len(analysis.units) else "")
    if stable:
        first = (
            f"By which measures they mention ({method}), {which} fall into {clustering.k} groups; "
            f"the grouping is stable ({validation.reason} over {validation.n_boot} resamples)."
        )
    else:
        why = validation.reason if validation is not None else "the grouping was not tested for stability"
        first = (
            f"By which measures they mention ({method}), {which} fall into {clustering.k} tentative groups, "
            f"not a finding: the bootstrap verdict is {verdict} ({why})."
        )
    findings = [Finding("clusters", first)]
    if silhouette is not None and silhouette < WEAK_SILHOUETTE:
        findings.append(
            Finding("clusters", f"The grouping is weak (silhouette below {WEAK_SILHOUETTE:g}): read it as a tendency, not a divide.")
        )
    table = clustering.table()
    totals = analysis.measures.sum(axis=1)
    for cluster, group in table.groupby("cluster", sort=True):
        members = list(group["unit"])
        defining = clustering.defining[clustering.defining["cluster"] == cluster]
        who = f"{members[0]} stands alone" if len(members) == 1 else f"{_join(members)} group together"
        said = int(sum(totals.get(u, 0) for u in members))
        head = (
            f"Group {cluster}:"
            if stable
            else (f"Tentative group {cluster}:" if verdict == "tentative" else f"Tentative group {cluster} ({verdict} clusters):")
        )
        if said < MIN_MENTIONS:
            findings.append(
                Finding(
                    "clusters",
                    f"{head} {who} on {_plural(said, 'mention')}, too few (under {MIN_MENTIONS}) to say what sets "
                    f"{'it' if len(members) == 1 else 'them'} apart.",
                )
            )
            continue
        if defining.empty:
            findings.append(
                Finding("clusters", f"{head} {who}, with no measure frequent in the group and rare outside it.")
            )
            continue
        reasons = [
            f"{_measure(row.measure, glosses)} ({row.share_in:.0%} of the group, {row.share_out:.0%} of the others)"
            for row in defining.itertuples()
        ]
        findings.append(Finding("clusters", f"{head} {who}, set apart by {_join(reasons)}."))
    return findings


# --- time -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Peak:
    """What the timeline supports saying about its highest period (:func:`peak_of`).

    ``kind``: ``"peak"`` (clear of every other ranked period in at least ``PEAK_LEVEL`` of the
    resamples), ``"level"`` (highest, but about level with ``level_with``), ``"tie"`` (exactly
    equal values: ``tied``), ``"only"`` (one period has enough evidence: nothing to compare it
    with) or ``"none"`` (no period has enough evidence to be ranked).
    ``values`` holds every ranked period's value (rate per 10,000 characters, or mentions when
    the periods are equally long), ``interval`` the 95% resampling interval of each, ``ahead`` the
    share of resamples in which the leader stays above each other period, ``unranked`` the
    periods left out for too little evidence.
    """

    kind: str
    period: str | None
    values: pd.Series
    interval: pd.DataFrame
    ahead: pd.Series
    level_with: list[str]
    tied: list[str]
    unranked: list[str]
    by_rate: bool


def _period_keys(dates: pd.Series, period: str) -> pd.Series:
    return pd.to_datetime(dates).dt.to_period(PERIOD_CODES.get(period, "D")).astype(str)


def peak_of(analysis: Analysis, *, n_resamples: int = N_RESAMPLES, random_state: int = RANDOM_STATE) -> Peak | None:
    """The highest period of the timeline and whether it stands clear of the others.

    Periods are ranked only with at least ``MIN_MENTIONS`` mentions in ``MIN_CHARS`` characters
    and a tenth of the median period's text. Each ranked period's value is resampled: its
    documents drawn again with replacement (a period of one document has its mention count
    redrawn as a Poisson count), ``n_resamples`` times, seeded. None without a timeline.
    """
    trends = analysis.methods.trends
    if trends.empty or trends["mentions"].sum() == 0:
        return None
    period = str(trends["period_kind"].iloc[0])
    by_rate = lengths_differ(trends)
    overall = trends[trends["measure"] == ALL].set_index("period")
    documents = analysis.documents.assign(n=analysis.lengths()).dropna(subset=["date_start"])
    documents = documents.assign(key=_period_keys(documents["date_start"], period).to_numpy())
    per_doc = analysis.mentions.groupby("doc_id").size()
    documents = documents.assign(m=documents["doc_id"].map(per_doc).fillna(0).to_numpy(dtype=float))
    with_text = overall[overall["n_chars"] > 0]
    median = float(with_text["n_chars"].median()) if len(with_text) else 0.0
    enough = (with_text["mentions"] >= MIN_MENTIONS) & (with_text["n_chars"] >= MIN_CHARS) & (
        with_text["n_chars"] >= MIN_SHARE_OF_MEDIAN * median
    )
    ranked = with_text[enough]
    value_of = (lambda frame: frame["per_10k_chars"]) if by_rate else (lambda frame: frame["mentions"].astype(float))
    values = value_of(ranked)
    best_unranked = value_of(with_text[~enough])
    unranked = [
        str(p) for p in best_unranked.index if with_text.loc[p, "mentions"] > 0 and (len(values) == 0 or best_unranked[p] > values.max())
    ]
    if values.empty:
        return Peak("none", None, values, pd.DataFrame(columns=["low", "high"]), pd.Series(dtype=float), [], [], unranked, by_rate)
    rng = np.random.default_rng(random_state)
    draws = {}
    for p in values.index:
        docs = documents[documents["key"] == p]
        m, n = docs["m"].to_numpy(), docs["n"].to_numpy(dtype=float)
        if len(docs) >= MIN_DOCS_TO_RESAMPLE:
            weights = rng.multinomial(len(docs), np.full(len(docs), 1 / len(docs)), size=n_resamples)
            counts, sizes = weights @ m, weights @ n
        else:
            counts, sizes = rng.poisson(m.sum(), size=n_resamples).astype(float), np.full(n_resamples, n.sum())  # a sum of Poissons
        draws[p] = counts / sizes * 10_000 if by_rate else counts
    top = values.max()
    tied = [str(p) for p in values.index if _same(values[p], top)]
    leader = tied[0]
    interval = pd.DataFrame({p: np.percentile(d, [2.5, 97.5]) for p, d in draws.items()}, index=["low", "high"]).T
    ahead = pd.Series({p: float(np.mean(draws[leader] > draws[p])) for p in values.index if p != leader}, dtype=float)
    if len(tied) > 1:
        return Peak("tie", None, values, interval, ahead, [], tied, unranked, by_rate)
    if len(values) == 1:
        return Peak("only", leader, values, interval, ahead, [], [], unranked, by_rate)
    level = [p for p in values.sort_values(ascending=False, kind="stable").index if p != leader and ahead[p] < PEAK_LEVEL]
    kind = "level" if level else "peak"
    return Peak(kind, leader, values, interval, ahead, [str(p) for p in level], [], unranked, by_rate)


def _time_findings(analysis: Analysis) -> list[Finding]:
    by_period = analysis.by_period
    if by_period.empty or by_period.to_numpy().sum() == 0:
        if analysis.documents["date_start"].isna().all():
            return [Finding("time", "No timeline: no document carries a date.")]
        return [Finding("time", "No timeline: no dated document mentions a measure.")]
    glosses = analysis.lexicon.glosses
    trends = analysis.methods.trends
    overall = trends[trends["measure"] == ALL].set_index("period")
    period = str(trends["period_kind"].iloc[0])
    on = "on" if period == "day" else "in"
    peak = peak_of(analysis)
    unit = "measure mentions per 10,000 characters" if peak.by_rate else "measure mentions"
    lead = f"Measured per 10,000 characters (the {period}s differ in length), " if peak.by_rate else ""

    def value(p: str) -> str:
        n_chars = int(overall.loc[p, "n_chars"])
        mentions = int(overall.loc[p, "mentions"])
        low, high = peak.interval.loc[p, "low"], peak.interval.loc[p, "high"]
        if peak.by_rate:
            return (
                f"{peak.values[p]:.1f} {unit} (95% interval {low:.1f}–{high:.1f}; {_plural(mentions, 'mention')} in {n_chars:,} characters)"
            )
        return f"{mentions} {unit} (95% interval {low:.0f}–{high:.0f})"

    def short(p: str) -> str:
        return f"{p} ({peak.values[p]:.1f})" if peak.by_rate else f"{p} ({int(peak.values[p])})"

    rule = f"at least {MIN_MENTIONS} mentions in {MIN_CHARS:,} characters and a tenth of the median {period}'s text"
    if peak.kind == "none":
        sentence = f"No {period} has enough evidence to be called a peak (a {period} is ranked only with {rule})."
    elif peak.kind == "only":
        p = peak.period
        sentence = (
            f"{lead}only {p} has enough evidence to be ranked ({rule}): {value(p)}; with nothing to compare it with, "
            "it is not called a peak."
        )
    elif peak.kind == "tie":
        sentence = f"{lead}no single {period} leads: {_join(peak.tied)} tie at {peak.values[peak.tied[0]]:.1f} {unit}."
    else:
        p = peak.period
        documents = analysis.documents.dropna(subset=["date_start"])
        keys = _period_keys(documents["date_start"], period)
        reporters = list(dict.fromkeys(u for u in documents.loc[(keys == p).to_numpy(), "unit"] if u))
        by = f" in reports by {_join(reporters)}" if reporters else ""
        row = by_period.loc[p]
        leading = [m for m in row.sort_values(ascending=False, kind="stable").index if row[m] > 0][:2]
        led = f", led by {_join([_measure(m, glosses) for m in leading])}"
        if peak.kind == "peak":
            others = peak.values.drop(p)
            if len(others):
                runner = str(others.idxmax())
                clear = f", ahead of the next, {short(runner)}, in {peak.ahead[runner]:.0%} of {N_RESAMPLES} resamples"
            else:
                clear = f" (the only {period} with enough evidence to rank)"
            sentence = f"{lead}activity peaked {on} {p}: {value(p)}{clear}{by}{led}."
        else:
            level = peak.level_with
            shown = [short(q) for q in level[:5]] + ([f"{len(level) - 5} more"] if len(level) > 5 else [])
            sentence = (
                f"{lead}no {period} stands clear of the others: {p} is highest, {value(p)}{by}{led}, "
                f"but about level with {_join(shown)} (it stays ahead of "
                f"{'it' if len(level) == 1 else 'them'} in fewer than {PEAK_LEVEL:.0%} of {N_RESAMPLES} resamples)."
            )
    sentence = sentence[0].upper() + sentence[1:]
    if peak.by_rate and peak.kind not in ("none", "only"):
        totals = by_period.sum(axis=1)
        most = [str(q) for q in totals.index if totals[q] == totals.max()]
        leader = peak.period or (peak.tied[0] if peak.tied else None)
        if leader not in most:
            biggest = int(overall["n_chars"].max())
            most_text = [q for q in most if int(overall.loc[q, "n_chars"]) == biggest]
            where = f"{on} {_join(most)}"
            rate = _join([f"{overall.loc[q, 'per_10k_chars']:.1f}" for q in most])
            sentence += (
                f" The most mentions, {int(totals.max())}, fall {where}, which has the most text ({biggest:,} characters), at {rate} per 10,000."
                if most_text
                else f" The most mentions, {int(totals.max())}, fall {where}, at {rate} per 10,000 characters."
            )
    if peak.unranked:
        scraps = [
            f"{q} ({overall.loc[q, 'per_10k_chars']:.1f} per 10,000 from {_plural(int(overall.loc[q, 'mentions']), 'mention')} "
            f"in {int(overall.loc[q, 'n_chars']):,} characters)"
            for q in peak.unranked
        ]
        sentence += f" Shown in the tables but not ranked{'' if peak.kind in ('none', 'only') else f' ({rule})'}: {_join(scraps)}."
    findings = [Finding("time", sentence)]
    findings.extend(_coverage(analysis, overall, period, on))
    return findings


def _coverage(analysis: Analysis, overall: pd.DataFrame, period: str, on: str) -> list[Finding]:
    """How many periods mention a measure, of those with a report; periods without a document
    are named as gaps (never counted as periods without mentions)."""
    if len(overall) < 2:
        return []
    with_docs = overall[overall["n_documents"] > 0]
    active = with_docs[with_docs["mentions"] > 0]
    # Periods that no report starts in but one covers (a two-day report, counted on its first day).
    documents = analysis.documents.dropna(subset=["date_start"])
    starts = pd.to_datetime(documents["date_start"], errors="coerce")
    ends = pd.to_datetime(documents["date_end"], errors="coerce").fillna(starts)
    covered: set[str] = set()
    code = PERIOD_CODES.get(period, "D")
    for s, e in zip(starts, ends):
        if pd.notna(s) and e > s:
            covered.update(str(p) for p in pd.period_range(s.to_period(code), e.to_period(code), freq=code))
    empty = [str(p) for p in overall.index if overall.loc[p, "n_documents"] == 0]
    spanned = [p for p in empty if p in covered]
    gaps = [p for p in empty if p not in covered]
    text = (
        f"Measures were mentioned {on} {len(active)} of the {len(with_docs)} {period}s with a report, "
        f"from {overall.index[0]} to {overall.index[-1]}"
    )
    if gaps:
        named = f" ({_join(gaps)})" if len(gaps) <= 3 else ""
        text += f"; {_plural(len(gaps), period)} {'has' if len(gaps) == 1 else 'have'} no report{named}"
    if spanned:
        text += (
            f"; {_join(spanned)} {'is' if len(spanned) == 1 else 'are'} covered by a report that started earlier "
            f"(counted on its start {period})"
        )
    return [Finding("time", text + ".")]


def densest_cell_finding(analysis: Analysis) -> str:
    """The measure × period cell with the highest rate among those with enough evidence (at
    least ``MIN_MENTIONS`` mentions in a period of ``MIN_CHARS`` characters), and the densest
    cell left out for too little, if it is denser.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse` (with its methods: the trends).

    Returns
    -------
    str
        One sentence ("" when no cell has a rate).
    """
    trends = analysis.methods.trends
    cells = trends[(trends["measure"] != ALL) & (trends["n_chars"] > 0) & (trends["mentions"] > 0)]
    if cells.empty:
        return "No measure is mentioned in a dated document."
    enough = cells[(cells["mentions"] >= MIN_MENTIONS) & (cells["n_chars"] >= MIN_CHARS)]
    best = cells.loc[cells["per_10k_chars"].idxmax()]
    if enough.empty:
        return (
            f"No measure × {best['period_kind']} cell has enough evidence to lead (at least {MIN_MENTIONS} mentions in "
            f"{MIN_CHARS:,} characters); the densest, {best['measure']} in {best['period']}, rests on "
            f"{_plural(int(best['mentions']), 'mention')} in {int(best['n_chars']):,} characters."
        )
    top = enough["per_10k_chars"].max()
    leaders = enough[np.isclose(enough["per_10k_chars"], top, rtol=0, atol=1e-9)]
    first = leaders.iloc[0]
    names = _join([f"{r.measure} in {r.period}" for r in leaders.itertuples()])
    text = (
        f"The densest cell{' (a tie)' if len(leaders) > 1 else ''}: {names}, {top:.1f} mentions per 10,000 characters "
        f"({_plural(int(first['mentions']), 'mention')} in {int(first['n_chars']):,} characters)."
    )
    if best["per_10k_chars"] > top + 1e-9:
        text += (
            f" Denser but on too little evidence: {best['measure']} in {best['period']} "
            f"({_plural(int(best['mentions']), 'mention')} in {int(best['n_chars']):,} characters)."
        )
    return text


# --- co-occurrence ----------------------------------------------------------------------------


def _cooccurrence_findings(analysis: Analysis) -> list[Finding]:
    pairs = analysis.methods.cooccurrence
    if pairs is None or pairs.empty or not (pairs["docs_both"] > 0).any():
        return []
    glosses = analysis.lexicon.glosses
    strong = pairs[pairs["docs_both"] >= MIN_SHARED_DOCS].dropna(subset=["npmi"])
    commonest = pairs.iloc[0]  # sorted by docs_both
    together = pairs[pairs["docs_both"] == commonest["docs_both"]]

    def pair(row, joiner: str = "and") -> str:
        return f"{_measure(row.measure_a, glosses)} {joiner} {_measure(row.measure_b, glosses)}"

    if strong.empty:
        return [
            Finding(
                "cooccurrence",
                f"No two measures share {MIN_SHARED_DOCS} or more documents: too few to speak of association "
                f"(the most shared pair, {pair(commonest)}, meets in {_plural(int(commonest['docs_both']), 'document')}).",
            )
        ]
    best_value = strong["npmi"].max()
    best = strong[np.isclose(strong["npmi"], best_value, rtol=0, atol=1e-9)]
    first = best.iloc[0]
    rule = f"NPMI, among pairs sharing at least {MIN_SHARED_DOCS} documents"
    if len(best) == 1:
        text = (
            f"The strongest association between measures ({rule}): {pair(first)}, NPMI {best_value:.2f}: together in "
            f"{int(first['docs_both'])} of {int(first['docs_total'])} documents; {first['measure_a']} is in "
            f"{int(first['docs_a'])}, {first['measure_b']} in {int(first['docs_b'])}."
        )
    else:
        pairs_named = "; ".join(
            f"{pair(r, 'with')} ({int(r.docs_both)} documents together, {int(r.docs_a)} and {int(r.docs_b)} each)"
            for r in best.itertuples()
        )
        text = f"The strongest associations between measures ({rule}) tie at NPMI {best_value:.2f}: {pairs_named}."
    top_pairs = {(r.measure_a, r.measure_b) for r in best.itertuples()}
    if (commonest["measure_a"], commonest["measure_b"]) not in top_pairs:
        in_docs = pd.concat(
            [pairs.set_index("measure_a")["docs_a"], pairs.set_index("measure_b")["docs_b"]]
        ).groupby(level=0).first().sort_values(ascending=False, kind="stable")
        commonest_two = set(in_docs.index[:2]) if len(in_docs) < 3 or in_docs.iloc[1] > in_docs.iloc[2] else set()
        simply = (
            " they are simply the two measures in the most documents, and"
            if len(together) == 1 and {commonest["measure_a"], commonest["measure_b"]} == commonest_two
            else ""
        )
        tie = f", tied with {len(together) - 1} other pair{'s' if len(together) > 2 else ''}" if len(together) > 1 else ""
        text += (
            f" The pair mentioned together most often is {pair(commonest)} ({int(commonest['docs_both'])} documents{tie}):"
            f"{simply} less strongly associated (NPMI {commonest['npmi']:.2f})."
        )
    return [Finding("cooccurrence", text)]


# --- diffusion --------------------------------------------------------------------------------


def _diffusion_findings(analysis: Analysis) -> list[Finding]:
    adoption = analysis.methods.adoption
    if adoption.empty or not adoption["adopted"].any():
        return []
    window = int(getattr(analysis.settings, "window_days", 90))
    adopted = adoption[adoption["adopted"]]
    reach = adopted.groupby("measure", sort=False).size()
    most = int(reach.max())
    widest = [m for m in analysis.lexicon.names if int(reach.get(m, 0)) == most]
    n_units = int(adoption["n_units"].iloc[0])
    if most < 2:
        return [Finding("diffusion", "No measure is mentioned by two units or more: nothing spread between units.")]
    out: list[Finding] = []
    spreads = []
    far = []
    for measure in widest:
        rows = adopted[adopted["measure"] == measure]
        dates = pd.to_datetime(rows["first_date"])
        days = int((dates.max() - dates.min()).days)
        first = _join(list(rows.loc[dates == dates.min(), "unit"]))
        last = _join(list(rows.loc[dates == dates.max(), "unit"]))
        if days > window:
            far.append(
                f"{measure}: its first mentions by {most} of {n_units} units run from {dates.min():%Y-%m-%d} ({first}) to "
                f"{dates.max():%Y-%m-%d} ({last}), {days} days apart"
            )
        elif days == 0:
            spreads.append(f"{measure} is first mentioned by {most} of {n_units} units on the same day, {dates.min():%Y-%m-%d}")
        else:
            spreads.append(
                f"{measure} reaches {most} of {n_units} units within {days} days: first {first} on {dates.min():%Y-%m-%d}, "
                f"last {last} on {dates.max():%Y-%m-%d}"
            )
    lead = "The most widely adopted measure" if len(widest) == 1 else f"The most widely adopted measures tie ({most} units each)"
    if spreads:
        reports = analysis.documents.dropna(subset=["date_start"]).groupby("unit")["date_start"].nunique()
        caveat = (
            " Dates are report dates, one per unit: the order is the order in which units reported, not necessarily "
            "when they started."
            if len(reports) and int(reports.max()) == 1
            else ""
        )
        out.append(Finding("diffusion", f"{lead}: {'; '.join(spreads)}.{caveat}"))
    if far:
        out.append(
            Finding(
                "diffusion",
                f"{lead if not spreads else 'Also'}: {'; '.join(far)}: more than the {window}-day window ([diffusion] "
                "window_days), so the units' documents are too far apart to speak of spread.",
            )
        )
    # Earliest on average, only where the units' documents share the window.
    dates = pd.to_datetime(analysis.documents["date_start"], errors="coerce").dropna()
    if len(dates) and (dates.max() - dates.min()).days <= window:
        lags = adopted.groupby("unit")["lag_days"].mean().astype(float)
        if len(lags) > 1:
            lowest, highest = lags.min(), lags.max()
            early = [u for u in lags.index if _same(lags[u], lowest)]
            late = [u for u in lags.index if _same(lags[u], highest)]
            if _same(lowest, highest):
                out.append(Finding("diffusion", f"Every unit is as early on average (mean lag {lowest:.1f} days): no unit leads."))
            else:
                out.append(
                    Finding(
                        "diffusion",
                        f"Earliest on average: {_join(early)}{' (a tie)' if len(early) > 1 else ''} (mean lag {lowest:.1f} days behind "
                        f"each measure's first adopter); latest: {_join(late)}{' (a tie)' if len(late) > 1 else ''} ({highest:.1f} days).",
                    )
                )
    return out


def reference_lag_finding(adoption: pd.DataFrame, reference: str) -> str:
    """How the other units' adoption dates stand against ``reference``'s (``adoption.csv`` of a
    run with ``reference_unit``): the reference's own rows are left out.

    Parameters
    ----------
    adoption : pandas.DataFrame
        ``result.methods.adoption`` (``adoption.csv``).
    reference : str
        The reference unit, as written in the documents' ``unit`` column.

    Returns
    -------
    str
        One sentence.
    """
    lags = adoption.dropna(subset=["lag_reference_days"])
    lags = lags[lags["unit"] != reference]
    if lags.empty:
        return f"No other unit adopted a measure {reference} also adopted."
    values = lags["lag_reference_days"].astype(float)
    ahead, same, behind = int((values < 0).sum()), int((values == 0).sum()), int((values > 0).sum())
    return (
        f"Against {reference}: {len(lags)} unit × measure pairs where both adopted (other units only); "
        f"{ahead} ahead of {reference}, {same} on the same day, {behind} behind; mean lag {values.mean():.1f} days."
    )


# --- comparisons and keyness -------------------------------------------------------------------


def comparison_findings(table: pd.DataFrame, *, kind: str = "measure", top: int = 3, labels: Mapping[str, str] | None = None) -> list[str]:
    """Sentences for a comparison (``comparison.csv`` from :func:`analysis.compare`): how many
    items of ``kind`` differ significantly over documents (and by G², beside), the strongest
    significant ones each way, the strongest by G² when the documents do not bear it out, and
    any difference driven mostly by one document or unit.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`analysis.compare`.
    kind : str
        "measure" or "term".
    top : int
        Items named each way.
    labels : mapping or None
        Measure → label (e.g. English glosses).

    Returns
    -------
    list of str
        The sentences.

    Examples
    --------
    >>> import analysis
    >>> result = analysis.analyse()
    >>> table = analysis.compare(result, groups=(["鹤北", "绥阳", "东方红"], ["林口", "柴河", "穆棱"]))
    >>> print(analysis.comparison_findings(table)[0])
    A = 鹤北、绥阳、东方红, B = 林口、柴河、穆棱 (3 against 3 documents): 0 of 16 measures differ significantly (over documents: Mann–Whitney U, Bonferroni); 2 would be by G² over tokens.
    """
    rows = table[table["kind"] == kind]
    if rows.empty:
        return [f"No {kind} to compare."]
    label_a, label_b = str(rows["side_a"].iloc[0]), str(rows["side_b"].iloc[0])
    name = (lambda item: f"{item} ({labels[item]})" if labels and labels.get(item) else item)
    n_sig = int(rows["significant"].sum())
    by_g2 = int(rows["significant_g2"].sum()) if "significant_g2" in rows else n_sig
    docs = ""
    if "n_docs_a" in rows and pd.notna(rows["n_docs_a"].iloc[0]) and pd.notna(rows["p_docs"]).any():
        docs = f" ({int(rows['n_docs_a'].iloc[0])} against {int(rows['n_docs_b'].iloc[0])} documents)"
    out = [
        f"A = {label_a}, B = {label_b}{docs}: {n_sig} of {len(rows)} {kind}s differ significantly "
        f"({significance_note(rows)})" + ("." if significance_note(rows) != SIGNIFICANCE_LABEL else f"; {by_g2} would be by G² over tokens.")
    ]
    rate = "per_10k_chars" if kind == "measure" else "per_10k_tokens"
    unit = "per 10,000 characters" if kind == "measure" else "per 10,000 tokens"

    def describe(row) -> str:
        p_docs = f", p over documents {row['p_docs']:.2g}" if "p_docs" in row and pd.notna(row["p_docs"]) else ""
        return f"{name(row['item'])} ({row[rate + '_a']:.1f} → {row[rate + '_b']:.1f} {unit}, G² {row['g2']:.1f}{p_docs})"

    significant = rows[rows["significant"]]
    for side, word in ((label_a, "A"), (label_b, "B")):
        picked = significant[significant["more_on"] == side].head(top)
        if len(picked):
            out.append(f"More on {word} ({side}): {_join([describe(r) for _, r in picked.iterrows()])}.")
    strongest = rows.iloc[0]
    if not bool(strongest["significant"]):
        where = ""
        if "docs_a" in rows and pd.notna(strongest["docs_a"]):
            where = (
                f" (it is in {int(strongest['docs_a'])} of A's {int(strongest['n_docs_a'])} documents and "
                f"{int(strongest['docs_b'])} of B's {int(strongest['n_docs_b'])})"
            )
        out.append(f"The strongest by G², {describe(strongest)}, is not significant over documents{where}.")
    if "driven_by" in rows:
        driven = rows[(rows["driven_by"].fillna("") != "") & (rows["significant"] | (rows.index == rows.index[0]))].head(top)
        for _, row in driven.iterrows():
            what, who = row["driven_by"].split(" ", 1)
            who, share = who.rsplit(" (", 1)
            side = "A" if row["more_on"] == label_a else "B"
            out.append(
                f"{share.rstrip(')')} of {name(row['item'])}'s {'mentions' if kind == 'measure' else 'occurrences'} on side {side} "
                f"come from one {what}, {who}: the difference is mostly that {what}'s (over {DOMINANT_SHARE:.0%})."
            )
    return out


def keyness_finding(table: pd.DataFrame, what: str = "unit") -> str:
    """One sentence on a keyness table (:func:`analysis.keyness`): how many over-used terms are
    significant over documents, how many by G², and how many groups have a single document
    (which no test over documents can set apart).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`analysis.keyness`.
    what : str
        What a group is, for the sentence ("unit", "cluster", …).

    Returns
    -------
    str
        The sentence.

    Examples
    --------
    >>> import analysis
    >>> table = analysis.keyness(analysis.analyse(), "unit", top_n=3)
    >>> print(analysis.keyness_finding(table))
    0 of 27 over-used unit terms are significant (over documents: Mann–Whitney U, Bonferroni); 1 would be by G² over tokens. 9 of 9 units have one document each: one document is one observation, never significant.
    """
    over = table[table["direction"] == "over"]
    if over.empty:
        return f"No {what} groups to compare."
    by_g2 = int(over["significant_g2"].sum()) if "significant_g2" in over else int(over["significant"].sum())
    text = (
        f"{int(over['significant'].sum())} of {len(over)} over-used {what} terms are significant ({SIGNIFICANCE_LABEL}); "
        f"{by_g2} would be by G² over tokens."
    )
    if "n_docs_group" in over:
        sizes = over.groupby("group")["n_docs_group"].first()
        single = int((sizes == 1).sum())
        if single:
            text += f" {single} of {len(sizes)} {what}s have one document each: one document is one observation, never significant."
    return text


def findings(analysis: Analysis, topic: str | None = None) -> list[str]:
    """The headline findings as sentences, each with its verdict (the rules of
    :mod:`analysis.methods.evidence`).

    Parameters
    ----------
    analysis : Analysis
        From :func:`analysis.analyse` (with its methods).
    topic : str or None
        Keep one kind of finding: one of :data:`TOPICS` ("corpus", "measures", "clusters",
        "time", "cooccurrence", "diffusion", "terms"); None: all.

    Returns
    -------
    list of str
        The sentences, in the order the report prints them.

    Examples
    --------
    >>> import analysis
    >>> sentences = analysis.findings(analysis.analyse(), "measures")
    >>> sentences[0][:36]
    'The most mentioned measures are 个人防护'
    """
    return [f.text for f in headline_findings(analysis) if topic is None or f.topic == topic]
