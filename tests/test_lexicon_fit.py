"""The right lexicon for the corpus: coverage of each shipped lexicon, the one-line suggestion,
`init` choosing the best-fitting one, and `--lexicon` on every command that takes `--config`."""

from __future__ import annotations

import pytest

from analysis.config import load_settings
from analysis.errors import ConfigError
from analysis.measures.coverage import Coverage, best_lexicon, coverage_advice, lexicon_coverage, lexicon_fit
from analysis.measures.lexicon import load_lexicon
from analysis.outputs.cli import _parser, main

from conftest import GOV_REPORTS, ROOT, SHARED

DEV_PAGES = SHARED / "corpora" / "bulletins-dev" / "pages"
needs_dev_pages = pytest.mark.skipif(not DEV_PAGES.is_dir(), reason="the bulletin dev pages (../shared) are not beside this clone")


def test_coverage_is_the_share_of_documents_with_a_match():
    texts = ["严格落实森林防火责任，加强野外火源管控。", "各地做好防汛工作，转移群众。", "今天天气很好。", "戴口罩，不聚集。"]
    found = {c.lexicon: c for c in lexicon_coverage(texts, ["covid_measures", "emergency_management"])}
    assert found["covid_measures"].documents == found["emergency_management"].documents == 4
    assert found["covid_measures"].matched == 1  # only the masks
    assert found["emergency_management"].matched >= 2  # forest fire and flood control
    # four documents are too few to recommend a lexicon: the coverage is listed, nothing suggested
    advice = coverage_advice(found["covid_measures"], list(found.values()))
    assert advice is not None and "too few documents to recommend one" in advice and "Try" not in advice
    found = {c.lexicon: c for c in lexicon_coverage(texts * 5, ["covid_measures", "emergency_management"])}
    advice = coverage_advice(found["covid_measures"], list(found.values()))
    assert advice is not None and "Try --lexicon emergency_management" in advice and "\n" not in advice


def test_a_one_document_corpus_gets_no_lexicon_recommended(tmp_path):
    """A one-document file once printed "finds a measure in only 0 of 1 documents … Try --lexicon
    gov_work_reports": advice built on one document."""
    note = lexicon_fit(["国务院政府工作报告：推进供给侧结构性改革，稳增长、促改革、调结构、惠民生。"], load_lexicon("covid_measures"))
    assert note is not None and "0 of 1 documents" in note and "Try" not in note


def test_no_advice_when_the_lexicon_covers_most_documents_or_none_covers_more():
    assert coverage_advice(Coverage("a", 9, 10), [Coverage("b", 10, 10)]) is None
    # covers little, but no shipped lexicon does much better: said, with no lexicon to try
    advice = coverage_advice(Coverage("a", 3, 10), [Coverage("a", 3, 10), Coverage("b", 3, 10)])
    assert advice is not None and "no shipped lexicon covers more" in advice and "Try" not in advice
    # the best is the one covering most documents; of equals, the one with more mentions
    assert best_lexicon([Coverage("a", 5, 10, 6), Coverage("b", 5, 10, 9), Coverage("c", 4, 10, 50)]).lexicon == "b"


def test_the_shipped_bulletin_gets_no_lexicon_note(bulletin_analysis):
    assert not any("the lexicon" in note and "finds a measure" in note for note in bulletin_analysis.notes)
    assert lexicon_fit(bulletin_analysis.corpus.analysis_texts(), bulletin_analysis.lexicon) is None


@needs_dev_pages
def test_on_the_dev_pages_the_run_suggests_the_emergency_lexicon():
    from analysis import analyse

    result = analyse(DEV_PAGES)
    [note] = [n for n in result.notes if "finds a measure in only" in n]
    assert "Try --lexicon emergency_management" in note
    assert note == lexicon_fit(result.corpus.analysis_texts(), result.lexicon)  # read from the run's mentions: the same as matching
    assert "emergency_management" in note and "covid_measures" in note and "gov_work_reports" in note  # every shipped one's coverage
    emergency = analyse(DEV_PAGES, lexicon="emergency_management")
    assert not any("Try --lexicon" in n for n in emergency.notes)
    assert {"森林防火", "防汛"} <= set(emergency.mentions["measure"])


@pytest.mark.skipif(not GOV_REPORTS.is_file(), reason="the government work reports (../shared) are not beside this clone")
def test_the_work_reports_coded_for_covid_are_pointed_to_their_own_lexicon():
    from analysis.pipeline import corpus_from_settings

    texts = corpus_from_settings(load_settings(ROOT / "examples" / "gov-work-reports.toml")).analysis_texts()
    note = lexicon_fit(texts, load_lexicon("covid_measures"))
    assert note is not None and "Try --lexicon gov_work_reports" in note


@pytest.mark.skipif(not GOV_REPORTS.is_file(), reason="the government work reports (../shared) are not beside this clone")
@pytest.mark.slow
def test_coverage_from_known_mentions_equals_matching_the_sample(monkeypatch):
    """A run's own lexicon's coverage is read from the mentions it found, not matched again: on
    the work reports, sampled (every 3rd report), the same figures as matching the sample."""
    import analysis.measures.coverage as coverage
    from analysis.measures.lexicon import find_mentions
    from analysis.pipeline import corpus_from_settings

    texts = corpus_from_settings(load_settings(ROOT / "examples" / "gov-work-reports.toml")).analysis_texts()
    monkeypatch.setattr(coverage, "SAMPLE", 25)  # 72 reports: every 3rd is sampled
    names = ["covid_measures", "emergency_management", "gov_work_reports"]
    lexicons = [load_lexicon(n) for n in names]
    ids = [str(i) for i in range(len(texts))]
    per_text = {lx: find_mentions(texts, ids, lx)["doc_id"].value_counts().reindex(ids, fill_value=0).tolist() for lx in lexicons}
    matched = lexicon_coverage(texts, names)
    assert [c.documents for c in matched] == [24, 24, 24]
    assert matched[2].matched > matched[0].matched > 0  # the figures compared are not all zero
    assert lexicon_coverage(texts, names, known=per_text) == matched
    assert lexicon_coverage(texts, names, known={lexicons[2]: per_text[lexicons[2]]}) == matched
    # the known counts are what is read: zeros give no coverage for that lexicon, the others are matched
    read = lexicon_coverage(texts, names, known={lexicons[2]: [0] * len(texts)})
    assert (read[2].matched, read[2].mentions) == (0, 0) and read[:2] == matched[:2]
    with pytest.raises(ValueError, match="mention counts"):
        lexicon_coverage(texts, names, known={lexicons[0]: [1, 2]})
    for lexicon in lexicons:
        assert lexicon_fit(texts, lexicon, per_text=per_text[lexicon]) == lexicon_fit(texts, lexicon)


@needs_dev_pages
def test_init_writes_the_best_fitting_shipped_lexicon(tmp_path, capsys):
    config = tmp_path / "dev.toml"
    assert main(["init", str(config), "--corpus", str(DEV_PAGES)]) == 0
    assert "with lexicon emergency_management" in capsys.readouterr().out
    assert 'lexicon = "emergency_management"' in config.read_text(encoding="utf-8")
    assert load_settings(config).lexicon.stem == "emergency_management"


def test_init_takes_a_lexicon_and_checks_it(tmp_path):
    config = tmp_path / "a.toml"
    assert main(["init", str(config), "--lexicon", "gov_work_reports"]) == 0
    assert load_settings(config).lexicon.stem == "gov_work_reports"
    # a corpus that is not there yet: no lexicon is chosen, the default stays
    other = tmp_path / "b.toml"
    assert main(["init", str(other), "--corpus", str(tmp_path / "later")]) == 0
    assert load_settings(other).lexicon is None
    assert main(["init", str(tmp_path / "c.toml"), "--lexicon", "no_such_lexicon"]) == 2


def test_every_command_that_takes_config_takes_lexicon():
    parser = _parser()
    commands = parser._subparsers._group_actions[0].choices
    checked = 0
    for name, command in commands.items():
        subcommands = [command]
        if command._subparsers is not None:
            subcommands = list(command._subparsers._group_actions[0].choices.values())
        for sub in subcommands:
            options = {o for action in sub._actions for o in action.option_strings}
            if "--config" in options:
                assert "--lexicon" in options, name
                checked += 1
    assert checked >= 7  # run, report, compare, explore, notebooks, validate sample and score


def test_notebooks_pass_the_lexicon_to_every_notebook(tmp_path, monkeypatch, capsys):
    import analysis.outputs.notebooks as notebooks

    seen = {}

    def fake_run(**kwargs):
        seen.update(kwargs)
        return []

    monkeypatch.setattr(notebooks, "run_notebooks", fake_run)
    assert main(["notebooks", "--lexicon", "emergency_management", "--figures", str(tmp_path / "f"), "--executed", str(tmp_path / "e")]) == 0
    assert seen["lexicon"] == "emergency_management"
    for book in notebooks.list_notebooks():
        text = book.read_text(encoding="utf-8")
        assert "lexicon = None" in text and "lexicon=lexicon" in text, book.name
