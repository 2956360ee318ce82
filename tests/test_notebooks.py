"""The notebooks run top to bottom on a fresh kernel and write their figures."""

import json

from analysis.notebooks import list_notebooks, run_notebooks


def test_notebooks_are_stored_without_outputs():
    books = list_notebooks()
    assert [b.name for b in books] == ["01-corpus.ipynb", "02-terms.ipynb", "03-measures-and-clusters.ipynb", "04-timeline.ipynb", "05-methods.ipynb"]
    for book in books:
        cells = json.loads(book.read_text(encoding="utf-8"))["cells"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in cells if c["cell_type"] == "code"), book.name
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells), book.name


def test_every_notebook_runs_and_writes_its_figures(tmp_path):
    figures = tmp_path / "figures"
    executed = run_notebooks(figures_dir=figures, executed_dir=tmp_path / "executed", progress=False)
    assert len(executed) == 5
    written = {p.name for p in figures.iterdir()}
    for name in ["document_lengths", "terms_bar", "wordcloud", "wordcloud_units", "dendrogram", "measures_heatmap", "timeline", "measures_over_time",
                 # 05-methods; trends_gov_reports needs the gov work reports beside the repo (GOV_REPORTS)
                 "keyness", "cooccurrence_network", "cluster_validation", "trends", "trends_gov_reports"]:
        assert f"{name}.png" in written, name
    for book in executed:
        cells = json.loads(book.read_text(encoding="utf-8"))["cells"]
        errors = [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert errors == [], book.name
