"""Which shipped lexicon fits a corpus: the share of its documents each one finds a measure in.

A lexicon written for one subject (COVID measures) finds little in a corpus about another
(forest fires, floods), and its stray matches look like findings. Coverage, the share of
documents with at least one match, is a cheap first check that the lexicon speaks the
corpus's language; a run reports it when the chosen lexicon covers little and names the
shipped lexicon that covers more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .lexicon import SHIPPED_LEXICONS, Lexicon, load_lexicon, mention_rows, shipped_lexicons

__all__ = ["LOW_COVERAGE", "Coverage", "lexicon_coverage", "best_lexicon", "coverage_advice", "lexicon_fit"]

#: Below this share of documents with a match, the chosen lexicon "covers little" and the
#: shipped lexicons' coverage is reported.
LOW_COVERAGE = 0.75
#: A shipped lexicon is suggested only when it covers this many more documents (share points):
#: a few documents more is noise, not a better fit.
MARGIN = 0.10
#: Another lexicon is suggested only on at least this many documents: on a handful, a few
#: documents' words decide the shares, and the advice would be built on them.
MIN_DOCUMENTS = 20
#: Coverage is measured on at most this many documents, evenly spaced through the corpus.
SAMPLE = 5000


@dataclass(frozen=True)
class Coverage:
    """One lexicon's coverage of a corpus: documents with at least one match, of those read."""

    lexicon: str
    matched: int
    documents: int
    mentions: int = 0

    @property
    def share(self) -> float:
        return self.matched / self.documents if self.documents else 0.0


def _step(n: int) -> int:
    """Every how many documents one is sampled: at most :data:`SAMPLE` of ``n``."""
    return max(1, -(-n // SAMPLE))


def lexicon_coverage(
    texts: Sequence[str],
    lexicons: Sequence[str | Path | Lexicon] | None = None,
    *,
    known: Mapping[Lexicon, Sequence[int]] | None = None,
) -> list[Coverage]:
    """Coverage of ``texts`` by each lexicon (default: every shipped one), in the order given.

    Long corpora are sampled (every n-th document, at most :data:`SAMPLE`), so the check stays cheap.

    Parameters
    ----------
    texts : sequence of str
        The documents, as analysed (``corpus.analysis_texts()``).
    lexicons : sequence of str, Path or Lexicon, optional
        Shipped lexicons by short name, lexicon files or loaded lexicons (default: every shipped one).
    known : mapping of Lexicon to sequence of int, optional
        Mentions per text (in the order of ``texts``, titles not included) already found with a
        lexicon, as :func:`~analysis.measures.lexicon.find_mentions` finds them: a run knows its
        own lexicon's, so its coverage is read from them instead of matching the sample again.

    Returns
    -------
    list of Coverage
        One per lexicon: its short name (for a shipped one), the documents with at least one
        match, the documents looked at and the mentions found.

    Examples
    --------
    >>> texts = ["严格落实森林防火责任。", "戴口罩，不聚集。", "今天天气很好。"]
    >>> for c in lexicon_coverage(texts, ["covid_measures", "emergency_management"]):
    ...     print(c.lexicon, c.matched, "of", c.documents)
    covid_measures 1 of 3
    emergency_management 1 of 3
    """
    step = _step(len(texts))
    n_sampled = len(range(0, len(texts), step))
    sample: list[str] | None = None  # read only if a lexicon is matched (``texts`` may be a TextStore)
    found = []
    counted: dict[Lexicon, tuple[int, int]] = {}  # the run's lexicon is often a shipped one too: matched once
    for lexicon, per_text in (known or {}).items():
        if len(per_text) != len(texts):
            raise ValueError(f"{len(per_text)} mention counts for {len(texts)} texts")
        sampled = [int(n) for n in per_text[::step]]
        counted[lexicon] = (sum(1 for n in sampled if n), sum(sampled))
    for item in lexicons if lexicons is not None else shipped_lexicons():
        lexicon = item if isinstance(item, Lexicon) else load_lexicon(item)
        if lexicon not in counted:
            sample = [str(t) for t in texts[::step]] if sample is None else sample
            rows = mention_rows(sample, [str(i) for i in range(len(sample))], lexicon)
            counted[lexicon] = (len({row[0] for row in rows}), len(rows))
        matched, mentions = counted[lexicon]
        found.append(Coverage(_short_name(item, lexicon), matched, n_sampled, mentions))
    return found


def _short_name(item, lexicon: Lexicon) -> str:
    """A shipped lexicon's short name (what --lexicon takes), else the file or the lexicon's name."""
    path = Path(lexicon.path) if lexicon.path else None
    if path is not None and path.resolve().parent == SHIPPED_LEXICONS.resolve():
        return path.stem
    return str(item) if isinstance(item, (str, Path)) else (lexicon.path or lexicon.name)


def best_lexicon(coverage: Sequence[Coverage]) -> Coverage:
    """The lexicon that finds a measure in the most documents; of those covering as many, the
    one with the most mentions (then the first given).

    Parameters
    ----------
    coverage : sequence of Coverage
        From :func:`lexicon_coverage`.

    Returns
    -------
    Coverage

    Examples
    --------
    >>> best_lexicon([Coverage("a", 5, 10, 6), Coverage("b", 5, 10, 9), Coverage("c", 4, 10, 50)]).lexicon
    'b'
    """
    return max(coverage, key=lambda c: (c.matched, c.mentions))


def coverage_advice(chosen: Coverage, shipped: Sequence[Coverage]) -> str | None:
    """One line naming a better-fitting shipped lexicon when ``chosen`` covers little, else None.

    Parameters
    ----------
    chosen : Coverage
        The run's lexicon.
    shipped : sequence of Coverage
        Every shipped lexicon's coverage of the same documents.

    Returns
    -------
    str or None
        None when ``chosen`` finds a measure in :data:`LOW_COVERAGE` of the documents or more;
        else each lexicon's coverage and, when one covers :data:`MARGIN` more of at least
        :data:`MIN_DOCUMENTS` documents, its name to try.

    Examples
    --------
    >>> coverage_advice(Coverage("covid_measures", 9, 10), [Coverage("emergency_management", 10, 10)]) is None
    True
    >>> print(coverage_advice(Coverage("covid_measures", 8, 20), [Coverage("covid_measures", 8, 20), Coverage("emergency_management", 14, 20)]))
    ... # doctest: +NORMALIZE_WHITESPACE
    the lexicon covid_measures finds a measure in only 8 of 20 documents (40%); shipped lexicons, documents with a match:
    covid_measures 8 (40%); emergency_management 14 (70%). Try --lexicon emergency_management
    (or lexicon = "emergency_management" under [measures] in the config)
    """
    if chosen.share >= LOW_COVERAGE:
        return None
    better = [c for c in shipped if c.lexicon != chosen.lexicon and c.share >= chosen.share + MARGIN]
    listed = "; ".join(f"{c.lexicon} {c.matched} ({c.share:.0%})" for c in shipped)
    of = f"{chosen.documents} documents" + (" sampled" if chosen.documents >= SAMPLE else "")
    if not better:
        return (
            f"the lexicon {chosen.lexicon} finds a measure in only {chosen.matched} of {of} ({chosen.share:.0%}); "
            f"no shipped lexicon covers more (documents with a match: {listed}): measures outside it go uncounted"
        )
    if chosen.documents < MIN_DOCUMENTS:
        return (
            f"the lexicon {chosen.lexicon} finds a measure in {chosen.matched} of {of}; shipped lexicons, documents "
            f"with a match: {listed} (too few documents to recommend one: see docs/coding.md)"
        )
    best = best_lexicon(better)
    return (
        f"the lexicon {chosen.lexicon} finds a measure in only {chosen.matched} of {of} ({chosen.share:.0%}); "
        f"shipped lexicons, documents with a match: {listed}. Try --lexicon {best.lexicon} "
        f"(or lexicon = \"{best.lexicon}\" under [measures] in the config)"
    )


def lexicon_fit(
    texts: Sequence[str], lexicon: Lexicon, matched: int | None = None, *, per_text: Sequence[int] | None = None
) -> str | None:
    """The run's note on the lexicon: None when it finds a measure in most documents, else
    :func:`coverage_advice` over every shipped lexicon.

    Parameters
    ----------
    texts : sequence of str
        The documents, as analysed.
    lexicon : Lexicon
        The run's lexicon.
    matched : int, optional
        Documents with a mention, when the run has counted them already: the shipped lexicons
        are only tried when that share is low.
    per_text : sequence of int, optional
        The run's lexicon's mentions in each text (titles not included), when the run has found
        them already: its coverage is read from them rather than matched again (see ``known`` in
        :func:`lexicon_coverage`).

    Returns
    -------
    str or None

    Examples
    --------
    >>> from analysis.measures.lexicon import load_lexicon
    >>> lexicon_fit(["戴口罩，不聚集。", "测温扫码，戴口罩。"], load_lexicon("covid_measures")) is None
    True
    """
    if not len(texts):
        return None
    if matched is not None and matched / len(texts) >= LOW_COVERAGE:
        return None
    shipped = shipped_lexicons()
    coverage = lexicon_coverage(texts, [lexicon, *shipped], known={lexicon: per_text} if per_text is not None else None)
    chosen, others = coverage[0], coverage[1:]
    return coverage_advice(chosen, others)
