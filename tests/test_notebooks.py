"""The notebooks run top to bottom on a fresh kernel and write their figures."""

import json

from analysis.outputs.notebooks import list_notebooks, run_notebooks


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


def test_notebooks_run_two_at_a_time_and_the_first_failure_in_reading_order_is_reported(tmp_path):
    import nbformat
    import pytest

    from analysis.errors import AnalysisError

    folder = tmp_path / "notebooks"
    folder.mkdir()
    sources = {
        "01-ok.ipynb": "from pathlib import Path\nPath('ran-01').write_text('yes')",
        "02-fails.ipynb": "raise ValueError('boom in 02')",
        "03-fails-too.ipynb": "raise KeyError('later')",
        "04-ok.ipynb": "from pathlib import Path\nPath('ran-04').write_text('yes')",
    }
    for name, source in sources.items():
        book = nbformat.v4.new_notebook()
        book.cells = [nbformat.v4.new_code_cell("figures_dir = None", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell(source)]
        book.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
        nbformat.write(book, folder / name)
    with pytest.raises(AnalysisError, match=r"02-fails\.ipynb: cell \d+ failed: ValueError: boom in 02"):
        run_notebooks(figures_dir=tmp_path / "f", executed_dir=tmp_path / "executed", folder=folder, progress=False, jobs=2)
    # Every notebook ran (they are independent), and each executed copy is kept for reading.
    assert (folder / "ran-01").exists() and (folder / "ran-04").exists()
    assert sorted(p.name for p in (tmp_path / "executed").iterdir()) == sorted(sources)


def test_a_file_that_is_not_a_notebook_is_named_in_one_line(tmp_path):
    import pytest

    from analysis.errors import AnalysisError

    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "01-broken.ipynb").write_text("{not json", encoding="utf-8")
    with pytest.raises(AnalysisError, match=r"01-broken\.ipynb: could not be run: .*check that it is a Jupyter notebook"):
        run_notebooks(figures_dir=tmp_path / "f", executed_dir=tmp_path / "executed", folder=folder, progress=False)
