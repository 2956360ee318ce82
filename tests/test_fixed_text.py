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
