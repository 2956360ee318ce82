"""Themes: planted themes are recovered, a corpus without structure is "not supported", the
bulletin's ten documents get no themes, and the same seed gives the same tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.methods.diagnostics import with_theme_candidates
from analysis.methods.themes import fit_themes, match_themes, npmi_coherence
from analysis.text.counts import TermCounts

THEMES = 4
WORDS_PER_THEME = 25


def _corpus(*, planted: bool, n_docs: int = 80, seed: int = 7, years: bool = True):
    """Counts and documents of a constructed corpus. Planted: each document mostly uses the
    words of one of four themes (its index mod 4), theme k's documents dated in era k; the rest
    of its words come from a shared background. Not planted: every document draws from one
    distribution over the same words."""
    rng = np.random.default_rng(seed)
    theme_words = [[f"t{k}w{j:02d}" for j in range(WORDS_PER_THEME)] for k in range(THEMES)]
    background = [f"bg{j:03d}" for j in range(200)]
    words = sorted({w for ws in theme_words for w in ws} | set(background))
    column = {w: j for j, w in enumerate(words)}
    zipf = 1 / np.arange(1, 201) ** 0.8
    zipf /= zipf.sum()
    rows = np.zeros((n_docs, len(words)), dtype=np.int32)
    every = np.array([column[w] for ws in theme_words for w in ws] + [column[w] for w in background])
    flat = np.concatenate([np.full(THEMES * WORDS_PER_THEME, 1.0), zipf * 200])
    flat /= flat.sum()
    for d in range(n_docs):
        if planted:
            k = d % THEMES
            own = rng.choice([column[w] for w in theme_words[k]], size=240, p=np.full(WORDS_PER_THEME, 1 / WORDS_PER_THEME))
            rest = rng.choice([column[w] for w in background], size=80, p=zipf)
            tokens = np.concatenate([own, rest])
        else:
            tokens = rng.choice(every, size=320, p=flat)
        np.add.at(rows[d], tokens, 1)
    import scipy.sparse as sp

    counts = TermCounts(words, sp.csr_matrix(rows))
    if years:
        dates = [pd.Timestamp(f"{1950 + 20 * (d % THEMES) + (d // THEMES) % 10}-01-01") if planted else pd.Timestamp(f"{1950 + d % 60}-01-01") for d in range(n_docs)]
    else:
        dates = [None] * n_docs
    documents = pd.DataFrame({
        "doc_id": [f"doc-{d:03d}" for d in range(n_docs)],
        "unit": [f"unit{d % 5}" for d in range(n_docs)],
        "date_start": dates,
    })
    return counts, documents, theme_words


def test_planted_themes_are_recovered_and_called_stable():
    counts, documents, theme_words = _corpus(planted=True)
    themes = fit_themes(counts, documents, k=4)
    assert themes.verdict == "stable", themes.message()
    found = [set(t for t, _ in themes.top_terms(i, 10)) for i in range(themes.k)]
    for planted in theme_words:
        best = max(len(f & set(planted)) for f in found)
        assert best >= 9, (planted[:3], found)
    # Each planted theme is the main theme of its own documents, and prevails in its own era.
    shares = themes.document_shares.to_numpy()
    for k in range(THEMES):
        theme = max(range(themes.k), key=lambda i: len(found[i] & set(theme_words[k])))
        own = shares[k::THEMES, theme]
        assert (own > 0.6).all()
        era = themes.by_period.loc[[str(1950 + 20 * k + y) for y in range(10)], themes.names[theme]]
        assert era.min() > 0.6
    # Empty periods (years no document is dated in) are gaps, not zeros.
    assert themes.by_period.loc["1960"].isna().all()
    assert themes.by_unit.shape == (5, 4)
    assert np.allclose(themes.by_unit.sum(axis=1), 1.0)


def test_k_is_chosen_by_stability_and_coherence():
    counts, documents, _ = _corpus(planted=True)
    themes = fit_themes(counts, documents, max_k=7)
    assert themes.k == 4, themes.selection
    assert themes.selection["chosen"].sum() == 1


def test_a_corpus_without_structure_is_not_supported():
    counts, documents, _ = _corpus(planted=False)
    themes = fit_themes(counts, documents, k=4)
    assert themes.verdict == "not supported", themes.message()
    assert themes.mean_agreement < 0.5


@pytest.mark.slow
def test_a_corpus_without_structure_is_not_supported_at_any_chosen_k():
    counts, documents, _ = _corpus(planted=False)
    chosen = fit_themes(counts, documents)  # whatever k it picks, no structure is found
    assert chosen.verdict == "not supported", chosen.message()


def test_too_few_documents_are_not_supported_whatever_the_scores():
    counts, documents, _ = _corpus(planted=True, n_docs=12)
    themes = fit_themes(counts, documents, k=4)
    assert themes.verdict == "not supported"
    assert "12 documents" in themes.message()


def test_same_seed_same_tables():
    counts, documents, _ = _corpus(planted=True)
    one, two = fit_themes(counts, documents, k=4), fit_themes(counts, documents, k=4)
    pd.testing.assert_frame_equal(one.table(), two.table())
    pd.testing.assert_frame_equal(one.document_shares, two.document_shares)
    pd.testing.assert_frame_equal(one.by_period, two.by_period)
    pd.testing.assert_frame_equal(one.validation_table(), two.validation_table())


@pytest.mark.slow
def test_lda_recovers_the_planted_themes_too():
    counts, documents, _ = _corpus(planted=True)
    lda = fit_themes(counts, documents, k=4, method="lda")
    found = [set(t for t, _ in lda.top_terms(i, 10)) for i in range(4)]
    assert sorted(max(len(f & set(w)) for f in found) for w in _corpus(planted=True)[2])[0] >= 8


def test_matching_is_one_to_one_and_npmi_is_bounded():
    reference = np.array([[3, 2, 1, 0, 0, 0], [0, 0, 0, 3, 2, 1]], dtype=float)
    swapped = reference[::-1]
    assert match_themes(reference, swapped, top=3).tolist() == [1.0, 1.0]
    import scipy.sparse as sp

    together = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]], dtype=float))
    scores = npmi_coherence(np.array([[1, 1, 0, 0], [1, 0, 1, 0]], dtype=float), together, top=2)
    assert scores[0] == pytest.approx(1.0) and scores[1] == pytest.approx(-1.0)


def test_guided_themes_keep_their_measure_and_propose_uncovered_terms():
    counts, documents, theme_words = _corpus(planted=True)
    seeds = {"甲": theme_words[0][:2], "乙": theme_words[1][:2]}
    covered = {w: m for m, ws in seeds.items() for w in ws}
    themes = fit_themes(counts, documents, seeds=seeds, covered=covered, extra=2)
    assert themes.k == 4 and themes.names[:2] == ["T1 甲", "T2 乙"]
    reach = themes.reach().set_index("measure")
    for measure, k in (("甲", 0), ("乙", 1)):
        beyond = reach.loc[measure, "uncovered_terms"].split("、")
        assert len(set(beyond) & set(theme_words[k])) >= 8, beyond  # the measure's theme reaches its planted words
        assert reach.loc[measure, "beyond_weight"] > 0.5
    candidates = themes.candidates()
    assert set(candidates["measure"]) == {"甲", "乙"}
    assert all(e in theme_words[0] for e in candidates.loc[candidates["measure"] == "甲", "entry"])
    assert not set(candidates["entry"]) & set(covered)
    # In the lexicon report they rank above the frequency-based candidates, existing columns kept.
    report = pd.DataFrame({
        "measure": ["甲", "甲", "乙"], "entry": [seeds["甲"][0], "bg001", seeds["乙"][0]], "kind": ["variant", "candidate", "variant"],
        "status": ["ok", "candidate", "ok"], "rank": [pd.NA, 1, pd.NA], "score": [np.nan, 0.3, np.nan],
    })
    merged = with_theme_candidates(report, candidates)
    kinds = merged.loc[merged["measure"] == "甲", "kind"].tolist()
    assert kinds.index("theme candidate") < kinds.index("candidate")
    assert {"measure", "entry", "kind", "evidence", "theme"} <= set(merged.columns)
    assert (merged.loc[merged["kind"] == "theme candidate", "theme"] == merged.loc[merged["kind"] == "theme candidate", "measure"].map({"甲": "T1 甲", "乙": "T2 乙"})).all()


def test_a_bad_method_or_k_is_one_clear_error():
    counts, documents, _ = _corpus(planted=True)
    with pytest.raises(AnalysisError, match="unknown"):
        fit_themes(counts, documents, method="bertopic")
    with pytest.raises(AnalysisError, match="k=0"):
        fit_themes(counts, documents, k=0)
    with pytest.raises(AnalysisError, match="nothing to seed"):
        fit_themes(counts, documents, seeds={"丙": ["不在语料"]})


def test_the_bulletin_gets_not_supported_rather_than_themes(tmp_path):
    from analysis.outputs.cli import main

    assert main(["themes", "--out", str(tmp_path), "--no-progress"]) == 0
    validation = pd.read_csv(tmp_path / "theme_validation.csv")
    assert validation.loc[validation["check"] == "model", "verdict"].item() == "not supported"
    themes = pd.read_csv(tmp_path / "themes.csv")
    assert themes.empty and {"theme", "label", "term", "weight", "verdict"} <= set(themes.columns)
    assert pd.read_csv(tmp_path / "document_themes.csv").empty
    assert not (tmp_path / "figures").exists()


@pytest.mark.slow  # 2.6 s: themes of the bulletin
def test_the_theme_view_lists_each_themes_strongest_documents_with_their_terms(bulletin_analysis):
    import json
    import re

    from analysis.outputs.theme_view import render_theme_view, theme_view_data
    from analysis.questions import themes

    found = themes(bulletin_analysis, 3)
    data = theme_view_data(bulletin_analysis, found)
    assert [t["theme"] for t in data["themes"]] == found.names
    for theme in data["themes"]:
        shares = [d["share"] for d in theme["documents"]]
        assert shares == sorted(shares, reverse=True) and shares
        column = found.document_shares[theme["theme"]]
        assert theme["documents"][0]["doc_id"] == str(column.idxmax())  # the strongest document first
        for doc in theme["documents"]:
            assert all(any(t in s for t in theme["terms"]) for s in doc["sentences"])
    page = render_theme_view(bulletin_analysis, found)
    block = re.search(r'<script type="application/json" id="theme-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block  # a document cannot close the data block
    assert json.loads(block)["data"]["message"] == found.message()
    assert found.verdict in page  # the verdict is on the page


def test_bad_theme_options_are_one_line_errors(capsys):
    from analysis.outputs.cli import main

    assert main(["themes", "--extra", "2"]) == 2
    assert "--extra needs --guided" in capsys.readouterr().err
    assert main(["themes", "--k", "0"]) == 2
    assert "--k must be 1 or more" in capsys.readouterr().err


@pytest.mark.slow
def test_the_government_reports_themes_are_dated_to_their_eras():
    """Real input: on the 72 government work reports (k=10), a theme of class struggle and the
    communes peaks before 1978, one of reform in the 1980s, one of reform and opening or the
    market economy in 1990–2005, one of 民生/绿色/new development concepts after 2012; the verdict is
    stated (tentative or stable, never unqualified). Terms are alternatives: which of an era's
    words tops its theme moves with segmentation, the era does not."""
    from conftest import GOV_REPORTS, ROOT

    import analysis

    assert GOV_REPORTS.exists(), f"{GOV_REPORTS} is missing: the shared corpora must sit beside the repository"
    gov = analysis.analyse(ROOT / "examples" / "gov-work-reports.toml", progress=False)
    themes = analysis.themes(gov, 10)
    assert themes.verdict in {"stable", "tentative"}, themes.message()
    summary = themes.summary().set_index("theme")

    def peaks_of(*terms: str) -> list[int]:
        """The peak years of the themes holding any of ``terms`` among their top 12 (never a tie)."""
        holding = [name for i, name in enumerate(themes.names) if set(terms) & {t for t, _ in themes.top_terms(i, 12)}]
        assert holding, f"no theme has any of {terms} among its top terms"
        peaks = [summary.loc[name, "peak"] for name in holding]
        assert not any(p.startswith("tie") for p in peaks), peaks
        return [int(p) for p in peaks]

    assert min(peaks_of("无产阶级", "阶级斗争", "人民公社")) < 1978  # class struggle, the communes
    assert any(1979 <= p < 1990 for p in peaks_of("改革", "经济体制", "经济体制改革"))  # reform from 1978
    assert any(1990 <= p < 2006 for p in peaks_of("社会主义市场经济", "市场经济", "改革开放", "国有企业"))
    assert any(p > 2012 for p in peaks_of("民生", "绿色", "生态文明", "新发展理念"))  # new development concepts


def test_a_dfm_carries_its_documents_to_the_themes():
    """A document-feature matrix is what themes take: its document variables are the documents
    table, so fit_themes(dfm) is fit_themes(counts, documents); plain counts need the table."""
    from analysis.text.dfm import DFM

    counts, documents, _ = _corpus(planted=True)
    dfm = DFM.from_counts(counts, documents)
    own, given = fit_themes(dfm, k=4), fit_themes(counts, documents, k=4)
    assert own.document_shares.equals(given.document_shares) and own.labels == given.labels
    with pytest.raises(AnalysisError, match="needs the documents table"):
        fit_themes(counts, k=4)
