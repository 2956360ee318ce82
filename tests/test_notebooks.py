"""The notebooks run top to bottom on a fresh kernel and write their figures."""

import json
import re

import pytest

from analysis.outputs.notebooks import list_notebooks, run_notebooks


@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory):
    """Every notebook run once on the shipped bulletin, as `make figures` runs them."""
    out = tmp_path_factory.mktemp("notebooks")
    executed = run_notebooks(figures_dir=out / "figures", executed_dir=out / "executed", progress=False)
    return out / "figures", executed


def test_notebooks_are_stored_without_outputs():
    books = list_notebooks()
    names = [b.name for b in books]
    for name in ["01-corpus.ipynb", "02-terms.ipynb", "03-measures-and-clusters.ipynb", "04-timeline.ipynb", "05-methods.ipynb",
                 "06-validity-and-diffusion.ipynb"]:
        assert name in names, name
    assert [n[:3] for n in names] == [f"{i:02d}-" for i in range(1, len(names) + 1)]  # numbered in reading order, none missing
    assert "07-explore.ipynb" in names
    assert "08-themes.ipynb" in names
    for book in books:
        cells = json.loads(book.read_text(encoding="utf-8"))["cells"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in cells if c["cell_type"] == "code"), book.name
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells), book.name


def test_notebooks_use_only_the_front_door():
    """A notebook calls the public API (`import analysis`), never the package's modules."""
    for book in list_notebooks():
        cells = json.loads(book.read_text(encoding="utf-8"))["cells"]
        source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert "import analysis" in source, book.name
        assert not re.search(r"from analysis[.\w]* import|import analysis\.", source), book.name


@pytest.mark.slow
def test_every_plotting_cell_shows_its_figure_inline(executed_notebooks):
    """In JupyterLab a figure that is saved but not displayed is a bug: every cell that calls a
    plot_* function has an image among its outputs."""
    _, executed = executed_notebooks
    plotting = 0
    for book in executed:
        for cell in json.loads(book.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code" and "analysis.plot_" in "".join(cell["source"]):
                plotting += 1
                images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
                assert images, f"{book.name}: no image shown by {''.join(cell['source'])[:80]!r}"
    assert plotting >= 13


@pytest.mark.slow
def test_every_notebook_runs_and_writes_its_figures(executed_notebooks):
    figures, executed = executed_notebooks
    assert len(executed) == len(list_notebooks())
    written = {p.name for p in figures.iterdir()}
    for name in ["document_lengths", "terms_bar", "wordcloud", "wordcloud_units", "dendrogram", "measures_heatmap", "timeline", "measures_over_time",
                 # 05-methods; trends_gov_reports needs the gov work reports beside the repo (GOV_REPORTS)
                 "keyness", "cooccurrence_network", "cluster_validation", "trends", "trends_gov_reports",
                 # 06: diffusion and comparisons (the gov ones need GOV_REPORTS too)
                 "adoption_curves", "adoption_grid", "comparison", "comparison_gov_1978", "comparison_gov_2013",
                 "measures_over_time_gov_reports",
                 # 08: themes (the bulletin's are not supported, so only the government reports' figure)
                 "themes_over_time_gov_reports"]:
        assert f"{name}.png" in written, name
    for book in executed:
        cells = json.loads(book.read_text(encoding="utf-8"))["cells"]
        errors = [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert errors == [], book.name


@pytest.mark.slow
def test_notebooks_run_two_at_a_time_and_the_first_failure_in_reading_order_is_reported(tmp_path):
    import nbformat

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


@pytest.mark.slow
def test_each_run_writes_its_workbooks_under_its_own_executed_folder(tmp_path):
    """Two runs at once (the bulletin and another corpus, as the test suite does on two cores)
    must not share 06's coding workbooks: each run's ``validation_dir`` is its own."""
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    book = nbformat.v4.new_notebook()
    book.cells = [
        nbformat.v4.new_code_cell('figures_dir = None\nvalidation_dir = "../build/validation"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from pathlib import Path\nPath(validation_dir).mkdir(parents=True)\n(Path(validation_dir) / 'coded.txt').write_text('x')"),
    ]
    book.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(book, folder / "01-writes.ipynb")
    run_notebooks(figures_dir=tmp_path / "f", executed_dir=tmp_path / "executed", folder=folder, progress=False)
    assert (tmp_path / "executed" / "validation" / "coded.txt").is_file()
    assert not (tmp_path / "build").exists()  # the notebook's default, shared by every run


def test_a_file_that_is_not_a_notebook_is_named_in_one_line(tmp_path):
    from analysis.errors import AnalysisError

    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "01-broken.ipynb").write_text("{not json", encoding="utf-8")
    with pytest.raises(AnalysisError, match=r"01-broken\.ipynb: could not be run: .*check that it is a Jupyter notebook"):
        run_notebooks(figures_dir=tmp_path / "f", executed_dir=tmp_path / "executed", folder=folder, progress=False)


@pytest.mark.slow
def test_the_explore_notebook_shows_the_explorer_and_highlighted_passages_inline(executed_notebooks):
    """07-explore: the linked views inline (the explorer page in an iframe) for the bulletin and
    the government work reports, and KWIC tables with the match highlighted."""
    _, executed = executed_notebooks
    book = next(b for b in executed if b.name == "07-explore.ipynb")
    html = ["".join(o.get("data", {}).get("text/html", "")) for c in json.loads(book.read_text(encoding="utf-8"))["cells"]
            for o in c.get("outputs", [])]
    explorers = [h for h in html if h.startswith("<iframe srcdoc=") and "explorer-data" in h]
    assert len(explorers) == 2, "expected the explorer for the bulletin and for the government work reports"
    kwic = [h for h in html if h.startswith('<div class="kwic-table">')]
    assert len(kwic) == 2 and all("<mark" in h for h in kwic)


# A tqdm bar as text: "methods:  70%|#######   | 7/10 [00:03<00:01, 2.1it/s]"
_PROGRESS_TEXT = re.compile(r"\d+%\|.*\|\s*\d+/\d*|\d+(?:\.\d+)?(?:it|s/it|it/s)\]")


def _outputs_with_progress(book) -> list[str]:
    """Every output of an executed notebook that still shows a progress bar (as text or as a widget)."""
    found = []
    for cell in json.loads(book.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            text = "".join(output.get("text", "")) + "".join(data.get("text/plain", ""))
            if _PROGRESS_TEXT.search(text) or "application/vnd.jupyter.widget-view+json" in data:
                found.append(text[:120])
    return found


@pytest.mark.slow
def test_executed_notebooks_carry_no_progress_bars(executed_notebooks):
    """What GitHub and nbviewer show of a saved notebook: no half-finished bar above a table."""
    _, executed = executed_notebooks
    for book in executed:
        assert _outputs_with_progress(book) == [], book.name


@pytest.mark.slow
def test_a_bar_shown_while_a_notebook_runs_is_cleared_when_its_stage_ends(tmp_path):
    """A stage long enough for a bar (over two seconds) in a headless kernel: the bar is shown
    (an output under a display id) and replaced by nothing when the stage ends."""
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    book = nbformat.v4.new_notebook()
    book.cells = [
        nbformat.v4.new_code_cell("figures_dir = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import time\nfrom analysis.progress import progress, counter\n"
            "for _ in progress(range(6), 'slow stage'):\n    time.sleep(0.6)\n"
            "bar = counter('by hand', total=6)\nfor _ in range(6):\n    time.sleep(0.6)\n    bar.update()\nbar.close()\nprint('done')"
        ),
    ]
    book.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(book, folder / "01-bar.ipynb")
    [executed] = run_notebooks(figures_dir=tmp_path / "f", executed_dir=tmp_path / "executed", folder=folder, progress=False)
    outputs = json.loads(executed.read_text(encoding="utf-8"))["cells"][2]["outputs"]
    cleared = [o for o in outputs if o.get("output_type") == "display_data" and set(o["data"]) == {"text/plain"}
               and "".join(o["data"]["text/plain"]) == ""]
    assert len(cleared) == 2, outputs  # both bars were shown, and both cleared
    assert _outputs_with_progress(executed) == []
    assert "done" in "".join("".join(o.get("text", "")) for o in outputs)


@pytest.mark.slow
def test_the_themes_notebook_states_the_verdict_with_the_themes(executed_notebooks):
    """08-themes: the bulletin's themes are "not supported" and none is listed; the government
    reports' themes come with their verdict, the prevalence figure inline, and the lexicon-guided
    candidate variants."""
    _, executed = executed_notebooks
    book = next(b for b in executed if b.name == "08-themes.ipynb")
    texts = ["".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
             for c in json.loads(book.read_text(encoding="utf-8"))["cells"] for o in c.get("outputs", [])]
    joined = "\n".join(texts)
    assert "Themes are not supported: only 10 documents" in joined
    assert re.search(r"themes are (stable|tentative)", joined, re.IGNORECASE)
    assert re.search(r"\d+ candidate variants from \d+ measures' themes", joined)
