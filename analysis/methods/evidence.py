"""One place for every threshold a finding rests on: the headlines, report, notebooks and
figures read them from here, so a rule is stated once and changed once.

Each constant says what it decides and why; :func:`evidence_rules` phrases them for the report's
method note.
"""

from __future__ import annotations

from ..config import DIFFUSION_WINDOW_DAYS

__all__ = [
    "ALPHA",
    "SIGNIFICANCE_LABEL",
    "G2_ONLY_LABEL",
    "significance_note",
    "MIN_MENTIONS",
    "MIN_CHARS",
    "MIN_SHARE_OF_MEDIAN",
    "WEAK_SILHOUETTE",
    "MIN_SHARE_IN",
    "MIN_LIFT",
    "MAX_SHARE_OUT",
    "DOMINANT_SHARE",
    "MIN_SHARED_DOCS",
    "DIFFUSION_WINDOW_DAYS",
    "N_PERMUTATIONS",
    "N_RESAMPLES",
    "MIN_DOCS_TO_RESAMPLE",
    "RANDOM_STATE",
    "PEAK_LEVEL",
    "evidence_rules",
]

#: Significance level, Bonferroni-corrected over the items of a kind (measures, terms).
ALPHA = 0.05
#: How "significant" is qualified wherever it is printed (figures, CLI, notebooks).
SIGNIFICANCE_LABEL = "over documents: Mann–Whitney U, Bonferroni"
#: ... and where a comparison could only use G² (a reference frequency list has no documents).
G2_ONLY_LABEL = "G² over tokens, Bonferroni: a reference list has no documents"


def significance_note(table) -> str:
    """Which test a comparison or keyness table's ``significant`` used, in words."""
    test = table["test"] if "test" in getattr(table, "columns", ()) else None
    if test is not None and len(test) and str(test.iloc[0]).startswith("G²"):
        return G2_ONLY_LABEL
    return SIGNIFICANCE_LABEL

# --- Minimum evidence: a period, unit or cell enters a headline only with enough text and mentions.
#: Mentions a period (or unit, or cell) needs before its rate is ranked or called a peak.
MIN_MENTIONS = 5
#: Characters of text a period needs before its rate is ranked or called a peak (about a paragraph).
MIN_CHARS = 200
#: ... and at least this share of the median period's characters.
MIN_SHARE_OF_MEDIAN = 0.1

# --- Peaks: clear of the runner-up by more than resampling noise.
#: Resamples for a peak's interval: a period of at least MIN_DOCS_TO_RESAMPLE documents has its
#: documents drawn again with replacement; a period of fewer has each document's mention count
#: redrawn as a Poisson count (drawing from two documents would mostly swap a report for its
#: one-paragraph resolution).
N_RESAMPLES = 1000
MIN_DOCS_TO_RESAMPLE = 5
#: A peak is called when it stays ahead of the runner-up in at least this share of resamples.
PEAK_LEVEL = 0.95

# --- Clusters.
#: Mean silhouette below this: little cluster structure (Kaufman & Rousseeuw's rule of thumb).
WEAK_SILHOUETTE = 0.25
#: "Set apart by" a measure: present in at least this share of the group's units ...
MIN_SHARE_IN = 0.5
#: ... at most this share of the other units ...
MAX_SHARE_OUT = 1 / 3
#: ... and at least this many times as common inside as outside (lift).
MIN_LIFT = 2.0

# --- Comparisons.
#: A difference is "driven by one document (unit)" when that one holds more than this share of
#: the item's count on the side that uses it more.
DOMINANT_SHARE = 0.5
#: Shuffles of the permutation test beside the rank-sum test.
N_PERMUTATIONS = 2000
RANDOM_STATE = 0

# --- Co-occurrence: the strongest association among pairs sharing at least this many documents.
MIN_SHARED_DOCS = 3

# --- Diffusion: units whose first mentions of a measure fall within DIFFUSION_WINDOW_DAYS of each
# other can be said to take it up one after another; further apart, their documents are too far
# apart to speak of spread. ``[diffusion] window_days`` in the config sets it (default from config).


def evidence_rules(window_days: int = DIFFUSION_WINDOW_DAYS) -> list[str]:
    """The rules above in plain words, for the report's method note and the user guide (docs/comparing.md)."""
    return [
        f"A difference is called significant only when a test over documents says so: the Mann–Whitney U (Wilcoxon "
        f"rank-sum) test on each document's rate, Bonferroni-corrected at {ALPHA} over the items of a kind "
        "(Lijffijt et al. 2016); G² over tokens stays in the tables beside it.",
        f"A period, unit or cell enters a headline only with at least {MIN_MENTIONS} mentions in at least "
        f"{MIN_CHARS:,} characters (and a tenth of the median period's text); smaller ones are shown in the tables, never "
        "called a peak.",
        f"A peak is named only when it stays ahead of every other ranked period in {PEAK_LEVEL:.0%} of {N_RESAMPLES} "
        f"resamples (documents drawn again within a period of {MIN_DOCS_TO_RESAMPLE} or more, else each document's "
        "mentions redrawn as a Poisson count); otherwise it is 'about level with' the others, and equal values are named "
        "as a tie. Periods without a document are gaps, not zeros.",
        f"Groups of units are findings only when the bootstrap verdict is stable; otherwise they are tentative groups. "
        f"A group is 'set apart by' a measure present in at least {MIN_SHARE_IN:.0%} of its units, at most "
        f"{MAX_SHARE_OUT:.0%} of the others and {MIN_LIFT:g} times as common inside as outside.",
        f"Spread between units is spoken of only when their dated documents fall within {window_days} days of each other.",
    ]
