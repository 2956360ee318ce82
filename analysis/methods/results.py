"""Every research method on one analysis's data, computed once: KWIC, keyness, co-occurrence,
collocations, cluster validation, lexicon diagnostics, trends and adoption (diffusion).

:func:`method_results` takes the data it needs (documents, mentions, tokens, …), not the
pipeline's result, so the methods sit below the pipeline and never import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..measures.lexicon import Lexicon
from ..progress import counter
from ..text.counts import Bigrams, TermCounts, count_token_ids, row_totals
from ..text.tokens import TokenIds
from .clusters import Clustering
from .cooccurrence import collocations, measure_cooccurrence
from .diagnostics import lexicon_report
from .dispersion import DISPERSION_COLUMNS, dispersion_table
from .diffusion import ADOPTION_COLUMNS, CURVE_COLUMNS, adoption, adoption_curve
from .keyness import KEYNESS_COLUMNS, keyness
from .kwic import kwic
from .trends import mention_trends, rates_by_period
from .validation import ClusterValidation, validate_clustering

__all__ = ["MethodResults", "method_results", "METHOD_TABLES", "VALIDATION_COLUMNS"]

METHOD_TABLES = (
    "kwic.csv",
    "keyness.csv",
    "cooccurrence.csv",
    "collocations.csv",
    "cluster_validation.csv",
    "lexicon_report.csv",
    "trends.csv",
    "measures_by_period_rates.csv",
    "dispersion.csv",
    "adoption.csv",
    "adoption_curve.csv",
)
VALIDATION_COLUMNS = ["check", "k", "linkage", "unit", "value", "note", "n_boot", "random_state"]
KWIC_WINDOW = 20
KEYNESS_TOP = 30  # over-used and under-used terms kept per group
N_BOOT = 200
RANDOM_STATE = 0


@dataclass(frozen=True)
class MethodResults:
    """Every method's table for one analysis (``validation`` is None without a clustering)."""

    kwic: pd.DataFrame
    keyness: pd.DataFrame  # grouping (unit / cluster), group, term, …
    cooccurrence: pd.DataFrame
    collocations: pd.DataFrame
    validation: ClusterValidation | None
    lexicon_report: pd.DataFrame
    trends: pd.DataFrame
    dispersion: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DISPERSION_COLUMNS))  # measures, then terms
    adoption: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ADOPTION_COLUMNS))  # unit × measure
    adoption_curve: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CURVE_COLUMNS))

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by file name (:data:`METHOD_TABLES`), as ``run`` writes them."""
        validation = self.validation.table() if self.validation is not None else pd.DataFrame(columns=VALIDATION_COLUMNS)
        return {
            "kwic.csv": self.kwic,
            "keyness.csv": self.keyness,
            "cooccurrence.csv": self.cooccurrence,
            "collocations.csv": self.collocations,
            "cluster_validation.csv": validation,
            "lexicon_report.csv": self.lexicon_report,
            "trends.csv": self.trends,
            "measures_by_period_rates.csv": rates_by_period(self.trends),
            "dispersion.csv": self.dispersion,
            "adoption.csv": self.adoption,
            "adoption_curve.csv": self.adoption_curve,
        }


def _keyness_by(units: list[str], clustering: Clustering | None, counts: TermCounts) -> pd.DataFrame:
    frames = [keyness(counts, units, top_n=KEYNESS_TOP).assign(grouping="unit")]
    if clustering is not None:
        labels = clustering.labels
        clusters = [f"cluster {int(labels[u])}" if u in labels.index else "" for u in units]
        frames.append(keyness(counts, clusters, top_n=KEYNESS_TOP).assign(grouping="cluster"))
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else pd.DataFrame()
    return frame.reindex(columns=["grouping", *KEYNESS_COLUMNS])


def _dispersion(documents: pd.DataFrame, mentions: pd.DataFrame, lexicon: Lexicon, terms: pd.DataFrame, counts: TermCounts) -> pd.DataFrame:
    """Juilland's D and Gries's DP over the documents: every measure (lexicon order; sizes in
    characters), then every term of ``terms.csv`` in its order (sizes in tokens)."""
    doc_index = {d: i for i, d in enumerate(documents["doc_id"])}
    measure_index = {m: j for j, m in enumerate(lexicon.names)}
    rows = mentions["doc_id"].map(doc_index).to_numpy()
    cols = mentions["measure"].map(measure_index).to_numpy()
    by_measure = sp.csr_matrix(
        (np.ones(len(rows)), (rows.astype(np.int64), cols.astype(np.int64))), shape=(len(doc_index), len(measure_index))
    )
    chars = documents["text"].astype(str).str.len().to_numpy()
    frames = [dispersion_table("measure", lexicon.names, by_measure, chars)]
    if len(terms):
        position = {t: j for j, t in enumerate(counts.vocabulary)}
        columns = np.array([position[t] for t in terms["term"]], dtype=np.int64)
        sizes = row_totals(counts.matrix)
        frames.append(dispersion_table("term", terms["term"].tolist(), counts.matrix, sizes, columns=columns))
    return pd.concat(frames, ignore_index=True)


def method_results(
    *,
    documents: pd.DataFrame,
    mentions: pd.DataFrame,
    measures: pd.DataFrame,
    clustering: Clustering | None,
    tokens: TokenIds | None = None,
    terms: pd.DataFrame,
    lexicon: Lexicon,
    segmenter=None,
    reference_unit: str | None = None,
    counts: TermCounts | None = None,
    bigrams: Bigrams | None = None,
    progress: bool | None = None,
) -> MethodResults:
    """Run every method. ``documents["text"]`` must be the analysed text (simplified, line
    breaks joined): mention offsets refer to it. The documents' ``counts`` and ``bigrams`` (as
    the pipeline counts them), or their ``tokens`` to count them from. ``progress``: a bar
    counting the methods."""
    if counts is None or bigrams is None:
        if tokens is None:
            raise ValueError("method_results needs the documents' counts and bigrams, or their tokens")
        counts, bigrams = count_token_ids([tokens])
    units = documents["unit"].fillna("").astype(str).tolist()
    steps: dict[str, Callable[[], Any]] = {
        "validation": lambda: (
            validate_clustering(measures, clustering, n_boot=N_BOOT, random_state=RANDOM_STATE) if clustering is not None else None
        ),
        "adoption": lambda: adoption(documents, mentions, lexicon.names, reference_unit=reference_unit),
        "kwic": lambda: kwic(documents, mentions, window=KWIC_WINDOW),
        "keyness": lambda: _keyness_by(units, clustering, counts),
        "cooccurrence": lambda: measure_cooccurrence(mentions, documents["doc_id"].tolist(), lexicon),
        "collocations": lambda: collocations(bigrams, min_count=2),
        "lexicon_report": lambda: lexicon_report(lexicon, documents, mentions, counts, terms, tokenizer=segmenter),
        "trends": lambda: mention_trends(documents, mentions, lexicon),
        "dispersion": lambda: _dispersion(documents, mentions, lexicon, terms, counts),
    }
    done: dict[str, Any] = {}
    bar = counter("methods", total=len(steps) + 1, enabled=progress, unit="method")
    for name, step in steps.items():
        done[name] = step()
        bar.update(1)
    done["adoption_curve"] = adoption_curve(done["adoption"], documents)
    bar.update(1)
    bar.close()
    return MethodResults(**done)
