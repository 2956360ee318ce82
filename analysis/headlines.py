"""Findings in words: sentences generated from an analysis's results, never written by hand.

Which measures dominate (mentions, share, how many units), which units cluster together and on
which measures (or why there are no clusters), when activity peaked, and which terms set units
apart. The report leads with them; the notebooks print them under the results they describe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .methods.trends import ALL, lengths_differ
from .result import Analysis, corpus_name, date_range

__all__ = ["Finding", "headline_findings", "findings"]

#: A period needs at least this share of the median period's characters for its rate to be ranked.
MIN_SHARE_OF_MEDIAN = 0.1


@dataclass(frozen=True)
class Finding:
    """One headline sentence and the topic it belongs to (corpus, measures, clusters, time, terms)."""

    topic: str
    text: str


def _measure(name: str, glosses: Mapping[str, str]) -> str:
    gloss = glosses.get(name, "")
    return f"{name} ({gloss})" if gloss else name


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def headline_findings(analysis: Analysis, *, top: int = 3) -> list[Finding]:
    """The headline findings as sentences generated from the results.

    Which measures dominate (mentions, share, how many units), which units cluster together and
    on which measures (or why there are no clusters), when activity peaked, and which terms set
    units apart. Each topic the corpus cannot support gets a sentence saying why.
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

    mentions = analysis.mentions
    if mentions.empty:
        findings.append(
            Finding(
                "measures",
                f"No measure of the lexicon '{analysis.lexicon.name}' is mentioned in this corpus; "
                "check that the lexicon fits these texts.",
            )
        )
    else:
        order = {name: i for i, name in enumerate(analysis.lexicon.names)}
        counts = mentions["measure"].value_counts()
        ranked = sorted(counts.index, key=lambda m: (-counts[m], order[m]))
        total = int(counts.sum())
        reach = (analysis.measures > 0).sum() if len(analysis.measures) else pd.Series(dtype=int)
        parts = []
        for name in ranked[:top]:
            where = f", in {int(reach.get(name, 0))} of {len(units)} units" if len(units) else ""
            parts.append(f"{_measure(name, glosses)}: {_plural(int(counts[name]), 'mention')} ({_share(counts[name], total)}){where}")
        findings.append(
            Finding(
                "measures",
                f"The most mentioned measures are {_join(parts)}; "
                f"together {_share(sum(counts[m] for m in ranked[:top]), total)} of all {total} mentions.",
            )
        )
        if len(units) > 1 and len(reach):
            widest = max(analysis.lexicon.names, key=lambda m: (int(reach.get(m, 0)), -order[m]))
            findings.append(
                Finding(
                    "measures",
                    f"The most widely shared measure is {_measure(widest, glosses)}, "
                    f"mentioned by {int(reach[widest])} of {len(units)} units.",
                )
            )
        unused = [m for m in analysis.lexicon.names if m not in counts.index]
        if unused:
            findings.append(Finding("measures", f"Never mentioned: {_join(unused)}."))

    findings.extend(_cluster_findings(analysis))
    findings.extend(_time_findings(analysis))

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


def _cluster_findings(analysis: Analysis) -> list[Finding]:
    clustering = analysis.clustering
    if clustering is None:
        reasons = [n.split(": ", 1)[-1] for n in analysis.notes if n.startswith("clusters skipped")]
        why = reasons[0] if reasons else "there are no units to compare"
        if not analysis.units:
            why = "no document names a reporting unit, so there is nothing to group"
        return [Finding("clusters", f"Units were not clustered: {why}.")]
    glosses = analysis.lexicon.glosses
    silhouette = clustering.silhouettes.get(clustering.k)
    how = f"k={clustering.k} chosen by the best silhouette ({silhouette:.2f})" if silhouette is not None else f"k={clustering.k}"
    findings = [
        Finding(
            "clusters",
            f"By which measures they mention, the {len(analysis.units)} units fall into {clustering.k} groups "
            f"({clustering.metric} distance, {clustering.method} linkage; {how}).",
        )
    ]
    if silhouette is not None and silhouette < 0.25:
        findings.append(Finding("clusters", "The grouping is weak (silhouette below 0.25): read it as a tendency, not a divide."))
    table = clustering.table()
    for cluster, group in table.groupby("cluster", sort=True):
        members = list(group["unit"])
        defining = clustering.defining[clustering.defining["cluster"] == cluster]
        who = f"{members[0]} stands alone" if len(members) == 1 else f"{_join(members)} group together"
        if defining.empty:
            findings.append(Finding("clusters", f"Group {cluster}: {who}, with no measure that sets them apart."))
            continue
        reasons = [
            f"{_measure(row.measure, glosses)} ({row.share_in:.0%} of the group, {row.share_out:.0%} of the others)"
            for row in defining.itertuples()
        ]
        findings.append(Finding("clusters", f"Group {cluster}: {who}, set apart by {_join(reasons)}."))
    return findings


def _time_findings(analysis: Analysis) -> list[Finding]:
    by_period = analysis.by_period
    if by_period.empty or by_period.to_numpy().sum() == 0:
        if analysis.documents["date_start"].isna().all():
            return [Finding("time", "No timeline: no document carries a date.")]
        return [Finding("time", "No timeline: no dated document mentions a measure.")]
    glosses = analysis.lexicon.glosses
    totals = by_period.sum(axis=1)
    period = by_period.index.name or "period"
    on = "on" if period == "day" else "in"
    trends = analysis.methods.trends
    by_rate = lengths_differ(trends)
    short: list[str] = []
    if by_rate:  # periods differ in length: the peak is the densest period, not the longest
        overall = trends[trends["measure"] == ALL].set_index("period")
        rates = overall["per_10k_chars"].dropna()
        # A few mentions in a scrap of text make a wild rate: periods with under a tenth of the
        # median period's text are not ranked (and the sentence says so when one would have led).
        sizes = overall.loc[rates.index, "n_chars"]
        ranked = rates[sizes >= MIN_SHARE_OF_MEDIAN * sizes.median()]
        peak = str(ranked.idxmax())  # the first period with the highest rate
        short = [str(p) for p in rates.index if p not in ranked.index and rates[p] > ranked[peak]]
    else:
        peak = str(totals.idxmax())  # the first period with the most mentions
    top = by_period.loc[peak]
    leading = [m for m in top.sort_values(ascending=False, kind="stable").index if top[m] > 0][:2]
    documents = analysis.documents.dropna(subset=["date_start"])
    keys = pd.to_datetime(documents["date_start"]).dt.to_period({"day": "D", "month": "M", "year": "Y"}.get(period, "D"))
    reporters = [u for u in documents.loc[keys.astype(str) == peak, "unit"] if u]
    by = f" in reports by {_join(list(dict.fromkeys(reporters)))}" if reporters else ""
    led = f", led by {_join([_measure(m, glosses) for m in leading])}"
    if by_rate:
        n_chars = int(overall.loc[peak, "n_chars"])
        sentence = (
            f"Measured per 10,000 characters (the {period}s differ in length), activity peaked {on} {peak}: "
            f"{rates[peak]:.1f} measure mentions per 10,000 characters "
            f"({_plural(int(totals[peak]), 'mention')} in {n_chars:,} characters){by}{led}."
        )
        most = str(totals.idxmax())
        if most != peak:
            sentence += (
                f" The most mentions, {int(totals[most])}, fall {on} {most}, which has the most text "
                f"({int(overall.loc[most, 'n_chars']):,} characters), at {rates[most]:.1f} per 10,000."
                if int(overall.loc[most, "n_chars"]) == int(overall["n_chars"].max())
                else f" The most mentions, {int(totals[most])}, fall {on} {most}, at {rates[most]:.1f} per 10,000 characters."
            )
        if short:
            scraps = [f"{p} ({rates[p]:.1f} per 10,000 in {int(overall.loc[p, 'n_chars']):,} characters)" for p in short]
            sentence += f" Not ranked, for having under a tenth of the median {period}'s text: {_join(scraps)}."
        findings = [Finding("time", sentence)]
    else:
        findings = [
            Finding(
                "time",
                f"Activity peaked {on} {peak}: {_plural(int(totals[peak]), 'measure mention')} "
                f"({_share(totals[peak], totals.sum())} of all dated mentions){by}{led}.",
            )
        ]
    active = totals[totals > 0]
    if len(active) > 1:
        findings.append(
            Finding(
                "time",
                f"Measures were mentioned {on} {len(active)} of the {len(totals)} {period}s "
                f"from {totals.index[0]} to {totals.index[-1]}.",
            )
        )
    return findings


def findings(analysis: Analysis, topic: str | None = None) -> list[str]:
    """The headline findings as sentences; ``topic`` keeps one kind (corpus, measures, clusters, time, terms)."""
    return [f.text for f in headline_findings(analysis) if topic is None or f.topic == topic]
