"""Fixed text that stays true: the report's method note is written from the settings the run used."""

from __future__ import annotations

import dataclasses

from analysis.outputs.report import _method_note


def test_the_method_note_names_the_segmenter_lexicon_and_clustering_used(bulletin_analysis):
    text = " ".join(_method_note(bulletin_analysis))
    assert "rjieba" in text and "Words come from jieba" not in text
    assert "covid_measures.toml" in text and f"{len(bulletin_analysis.lexicon.measures)} measures" in text
    clustering = bulletin_analysis.clustering
    assert f"k = {clustering.k}, the number with the best silhouette" in text and f"{clustering.method}-linkage" in text
    assert "Bonferroni" in text and f"{bulletin_analysis.methods.validation.n_boot} times" in text
    # another segmenter and a k set by hand are said as such
    other = dataclasses.replace(bulletin_analysis, settings=bulletin_analysis.settings.with_overrides(segmenter="jieba", k=clustering.k, hmm=False))
    text = " ".join(_method_note(other))
    assert "jieba (the pure-Python reference) without its HMM" in text and "set in the settings" in text


def test_a_config_whose_corpus_is_missing_names_the_file_and_the_config(tmp_path, capsys):
    from analysis.outputs.cli import main

    config = tmp_path / "reports.toml"
    config.write_text('[corpus]\npath = "data/government_work_reports.jsonl"\n', encoding="utf-8")
    assert main(["run", "--config", str(config), "--out", str(tmp_path / "out")]) == 2
    message = capsys.readouterr()
    line = (message.err + message.out).strip().splitlines()[-1]
    assert "government_work_reports.jsonl: not found" in line and str(config) in line and "--corpus" not in line


def test_publisher_is_read_from_publisher_fields_only():
    from analysis.io.pages.reports import _publisher

    assert _publisher("来源:木门镇 点击量:10243 [ 字体: ] 打印") == "木门镇"
    assert _publisher("管理员 来自:区广播电视台 时间:") == "区广播电视台"
    assert _publisher("发布日期:  08: 59 来源: 东浦街道 浏览次数:") == "东浦街道"
    assert _publisher("省林业公安局") == "省林业公安局"  # a bare name
    for widget in ["15:35", "15:47    阅读次数:", "14:40    阅读次数:    选择字号:T|T", "发布日期:", "来源:", "郭超 李步勇 郑胜 时间: 12:02"]:
        assert _publisher(widget) == "", widget


def test_on_real_pages_publisher_holds_no_widget_text():
    import re

    import pytest

    from analysis import read_corpus
    from conftest import SHARED

    pages = SHARED / "corpora" / "bulletins-dev" / "pages"
    if not pages.is_dir():
        pytest.fail(f"{pages} is missing: the shared corpora must sit beside the repository")
    publishers = set(read_corpus(pages).to_frame()["publisher"])
    assert {"木门镇", "东浦街道", "区广播电视台"} <= publishers
    assert [p for p in publishers if re.search(r"\d|点击|浏览|阅读|字号|字体|打印|[:：\[\]|]", p)] == []
    assert set(read_corpus().to_frame()["publisher"]) == {"省林业公安局"}  # the shipped bulletin unchanged


def test_docstring_examples_run():
    """The Examples sections of the lexicon-coverage functions and the colour helpers are doctests."""
    import doctest

    import analysis.measures.coverage as coverage
    from analysis.viz import figures

    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = [t for t in finder.find(coverage) if t.examples]
    for function in (figures.contrast_on_white, figures.text_color):
        tests += [t for t in finder.find(function, globs=vars(figures)) if t.examples]
    assert len(tests) >= 6
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
