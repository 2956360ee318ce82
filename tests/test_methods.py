"""`run` writes every method's table and figure; the CLI warns when clusters are not stable."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from analysis.outputs.cli import main
from analysis.methods.clusters import cluster_units
from analysis.methods.results import METHOD_TABLES, method_results
from analysis.outputs.tables import write_tables

COLUMNS = {
    "kwic.csv": ["doc_id", "unit", "date_start", "measure", "variant", "start", "end", "left", "match", "right"],
    "keyness.csv": ["grouping", "group", "term", "count_group", "count_rest", "chi2", "p_chi2", "g2", "p_g2", "log_ratio"],
    "cooccurrence.csv": ["measure_a", "measure_b", "docs_both", "jaccard", "pmi", "npmi"],
    "collocations.csv": ["bigram", "first", "second", "count", "pmi", "g2", "p_g2"],
    "cluster_validation.csv": ["check", "k", "linkage", "unit", "value", "note", "n_boot", "random_state"],
    "lexicon_report.csv": ["measure", "entry", "kind", "status", "mentions", "token_count", "segmented_as", "rank", "score"],
    "trends.csv": ["period", "period_kind", "measure", "mentions", "n_chars", "per_10k_chars"],
    "measures_by_period_rates.csv": ["day", "n_documents", "n_chars", "三防", "外防输入"],
    "dispersion.csv": ["kind", "item", "count", "doc_count", "juilland_d", "dp", "dp_norm"],
    "adoption.csv": ["unit", "measure", "adopted", "first_date", "rank", "n_adopters", "n_units", "lag_days", "lag_reference_days"],
    "adoption_curve.csv": ["measure", "date", "new_adopters", "adopters", "n_units", "share"],
}


def test_run_writes_every_method_table_with_its_columns(bulletin_outputs):
    assert set(COLUMNS) == set(METHOD_TABLES)
    for name, columns in COLUMNS.items():
        table = pd.read_csv(bulletin_outputs / name)
        assert set(columns) <= set(table.columns), name
        assert len(table) > 0, name
    manifest = json.loads((bulletin_outputs / "manifest.json").read_text(encoding="utf-8"))
    assert set(METHOD_TABLES) <= set(manifest["outputs"])


def test_run_tables_agree_with_the_rest_of_the_outputs(bulletin_outputs):
    mentions = pd.read_csv(bulletin_outputs / "mentions.csv")
    kwic = pd.read_csv(bulletin_outputs / "kwic.csv")
    assert len(kwic) == len(mentions)
    trends = pd.read_csv(bulletin_outputs / "trends.csv")
    dated = pd.read_csv(bulletin_outputs / "documents.csv").dropna(subset=["date_start"])
    assert trends.loc[trends["measure"] == "(all measures)", "mentions"].sum() == mentions["doc_id"].isin(dated["doc_id"]).sum()
    keyness = pd.read_csv(bulletin_outputs / "keyness.csv")
    clusters = pd.read_csv(bulletin_outputs / "clusters.csv")
    assert set(keyness.loc[keyness["grouping"] == "unit", "group"]) == set(clusters["unit"])
    assert set(keyness.loc[keyness["grouping"] == "cluster", "group"]) == {f"cluster {c}" for c in clusters["cluster"]}
    validation = pd.read_csv(bulletin_outputs / "cluster_validation.csv")
    chosen = validation[(validation["check"] == "silhouette") & (validation["note"] == "chosen")]
    assert chosen["k"].tolist() == [clusters["cluster"].nunique()]


def test_run_writes_kwic_without_keeping_it_and_the_bytes_of_the_table(bulletin_outputs, bulletin_analysis, tmp_path):
    """run streams kwic.csv (part by part): the file is the in-memory table written at once."""
    from analysis.outputs.tables import _csv

    whole = _csv(bulletin_analysis.methods.kwic, tmp_path / "kwic.csv")
    assert (bulletin_outputs / "kwic.csv").read_bytes() == whole.read_bytes()


def test_run_draws_the_method_figures(bulletin_outputs):
    for name in ["keyness", "cooccurrence_network", "cluster_validation", "trends", "adoption_curves", "adoption_grid"]:
        assert (bulletin_outputs / "figures" / f"{name}.png").stat().st_size > 1000, name
        assert not (bulletin_outputs / "figures" / f"{name}.svg").exists()  # PNG only unless --formats asks


def test_run_prints_the_stability_verdict(tmp_path, capsys):
    assert main(["run", "--out", str(tmp_path), "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert "Clusters are stable" in out or "Warning: the" in out
    notes = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["notes"]
    assert any("adjusted Rand index" in n for n in notes)


def unstable(analysis):
    """The bulletin analysis with its unit profiles replaced by random ones."""
    rng = np.random.default_rng(0)
    units = [f"单位{i}" for i in range(12)]
    measures = pd.DataFrame(rng.poisson(0.6, size=(12, len(analysis.lexicon.names))), index=units, columns=analysis.lexicon.names)
    measures.index.name = "unit"
    clustering = cluster_units(measures)
    # methods=None: the methods (the validation among them) are those of the new measures and clusters
    return dataclasses.replace(analysis, measures=measures, clustering=clustering, methods=None, run_notes=())


@pytest.mark.slow
def test_cli_warns_in_plain_language_when_clusters_are_unstable(tmp_path, capsys, monkeypatch, bulletin_analysis):
    import analysis.pipeline

    shaky = unstable(bulletin_analysis)
    monkeypatch.setattr(analysis.pipeline, "analyse", lambda *args, **kwargs: shaky)
    assert main(["run", "--out", str(tmp_path), "--no-figures"]) == 0
    out = capsys.readouterr().out
    warning = [line for line in out.splitlines() if line.startswith("Warning:")]
    assert len(warning) == 1 and "NOT stable" in warning[0] and "not a finding" in warning[0]
    validation = pd.read_csv(tmp_path / "cluster_validation.csv")
    assert validation.loc[validation["check"] == "bootstrap_ari_mean", "note"].item() == "unstable"


def test_tables_without_clusters_or_dates_are_still_written(tmp_path, bulletin_analysis):
    a = bulletin_analysis
    documents = a.documents.assign(date_start=None)
    methods = method_results(
        documents=documents.assign(text=a.corpus.analysis_texts()), mentions=a.mentions, measures=a.measures,
        clustering=None, tokens=a.token_ids, terms=a.terms, lexicon=a.lexicon,
    )
    bare = dataclasses.replace(a, clustering=None, run_notes=(), documents=documents, methods=methods)
    written = write_tables(bare, tmp_path)
    assert set(METHOD_TABLES) <= {p.name for p in written}
    assert pd.read_csv(tmp_path / "cluster_validation.csv").empty
    assert pd.read_csv(tmp_path / "trends.csv").empty
