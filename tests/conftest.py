"""Shared fixtures: the shipped bulletin analysed once per test session, and the expensive
end-to-end runs (the CLI's outputs, the reports) written once per session.

`make test` runs the suite on two cores: ``pytest -n 2 --dist loadfile`` (pytest-xdist). Each
worker is a process with its own session, so a file's tests go to one worker (its module
fixtures are computed once), and the files that share an expensive session fixture are sent
together (`_SAME_WORKER`, see `pytest_xdist_make_scheduler`). The files with slow tests start
first, so that both workers finish together rather than one waiting for the notebooks at the
end. Run serially (plain ``pytest``) none of this changes anything but the order.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOV_REPORTS = SHARED / "corpora" / "gov-work-reports" / "government_work_reports.jsonl"
GOV_EXAMPLE = ROOT / "examples" / "gov-work-reports.toml"

# Tests that need the whole CLI output, a report (figures drawn) or the executed notebooks are
# slow: left out of the fast subset (`make test-fast`, `pytest -m "not slow"`).
_SLOW_FIXTURES = {"bulletin_run", "bulletin_outputs", "bulletin_run_every_format", "bulletin_report", "gov_report", "executed_notebooks",
                  "bulletin_explorer_page", "gov_explorer_page"}

# Test files whose tests share one of those session fixtures: run on one worker, so that it is
# computed once, not once per worker (file: the file it goes with).
_SAME_WORKER = {
    "tests/test_report_layout.py": "tests/test_report.py",  # bulletin_report, gov_report
    "tests/test_figures.py": "tests/test_cli.py",  # bulletin_run
    "tests/test_methods.py": "tests/test_cli.py",  # bulletin_run
    "tests/test_house_style.py": "tests/test_cli.py",  # bulletin_run_every_format (with test_figures)
    "tests/test_explorer_layout.py": "tests/test_explorer.py",  # bulletin_explorer_page, gov_explorer_page
}


# The longest units of work (measured: each notebook run takes a minute or more of a core), sent out first.
_LONGEST = ["tests/test_notebooks.py", "tests/test_gov_reports.py", "tests/test_report.py"]


def pytest_collection_modifyitems(items):
    """Mark the slow tests, and put first the longest files, then the other files holding slow
    tests, then the rest (each in collection order)."""
    slow_files = set()
    for item in items:
        if _SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("slow") is not None:
            slow_files.add(item.nodeid.split("::")[0])

    def rank(item):
        file = item.nodeid.split("::")[0]
        unit = _SAME_WORKER.get(file, file)
        if unit in _LONGEST:
            return (0, _LONGEST.index(unit))
        return (1 if file in slow_files or unit in slow_files else 2, 0)

    order = {item.nodeid: (*rank(item), index) for index, item in enumerate(items)}
    items.sort(key=lambda item: order[item.nodeid])


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # before xdist's own; without xdist, unused
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with the files of `_SAME_WORKER` sent to the worker of their partner.
    The work goes out in collection order (``--no-loadscope-reorder``): slow files first."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedFixturesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = super()._split_scope(nodeid)
            return _SAME_WORKER.get(file, file)

    config.option.loadscopereorder = False
    return SharedFixturesTogether(config, log)


@pytest.fixture(scope="session")
def bulletin_analysis():
    from analysis import analyse

    return analyse()


@pytest.fixture(scope="session")
def bulletin_run(tmp_path_factory):
    """``python -m analysis run`` on the shipped bulletin, once: its output folder and the
    warnings raised while it ran (figures included)."""
    import warnings

    from analysis.outputs.cli import main

    out = tmp_path_factory.mktemp("run")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["run", "--out", str(out)]) == 0
    return out, [str(w.message) for w in caught]


@pytest.fixture(scope="session")
def bulletin_outputs(bulletin_run):
    """The CLI's outputs for the shipped bulletin, written once."""
    return bulletin_run[0]


def figure_spy(monkeypatch) -> dict[str, dict]:
    """Record what every figure looks like at the moment it is saved (``figures.save_figure``):
    its title, the texts on it, its size, the first axes' tick labels, the save's keywords."""
    from analysis.viz import figures

    seen: dict[str, dict] = {}
    original = figures.save_figure

    def spy(fig, out_dir, name, **kwargs):
        heatmap = fig.axes[0] if fig.axes else None
        seen[name] = {
            "title": figures.figure_title(fig),
            "texts": [t.get_text() for t in fig.texts],
            "size": tuple(round(float(v), 3) for v in fig.get_size_inches()),
            "xticks": [t.get_text() for t in heatmap.get_xticklabels()] if heatmap is not None else [],
            "yticks": [t.get_text() for t in heatmap.get_yticklabels()] if heatmap is not None else [],
            "kwargs": kwargs,
        }
        return original(fig, out_dir, name, **kwargs)

    monkeypatch.setattr(figures, "save_figure", spy)
    return seen


@pytest.fixture(scope="session")
def bulletin_run_every_format(tmp_path_factory):
    """``python -m analysis run --formats png,svg,pdf`` on the shipped bulletin, once: its output
    folder, and what each figure looked like when it was saved (`figure_spy`). test_figures'
    ``--formats`` check and test_house_style's print-size check read the same run: the figures
    are drawn in three formats once, not once per test."""
    from analysis.outputs.cli import main

    out = tmp_path_factory.mktemp("run-every-format")
    with pytest.MonkeyPatch.context() as patch:
        saved = figure_spy(patch)
        assert main(["run", "--formats", "png,svg,pdf", "--out", str(out)]) == 0
    return out, saved


def _explore(out: Path, *args: str) -> Path:
    from analysis.outputs.cli import main

    assert main(["explore", "--out", str(out), *args]) == 0
    return out / "explore.html"


@pytest.fixture(scope="session")
def bulletin_explorer_page(tmp_path_factory):
    """``python -m analysis explore`` on the shipped bulletin, once: its explore.html (the tests
    only read it, writing their probes beside it in their own folders)."""
    return _explore(tmp_path_factory.mktemp("explore"))


@pytest.fixture(scope="session")
def gov_explorer_page(tmp_path_factory):
    """``python -m analysis explore`` on the government work reports (examples/gov-work-reports.toml),
    once: its explore.html. The corpus must sit beside the repository: missing, the tests fail."""
    assert GOV_REPORTS.is_file(), f"{GOV_REPORTS} is missing: the shared corpora must sit beside the repository"
    return _explore(tmp_path_factory.mktemp("gov-explore"), "--config", str(GOV_EXAMPLE))


def _report(out: Path, *args: str) -> tuple[Path, str]:
    import contextlib
    import io

    from analysis.outputs.cli import main

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["report", "--out", str(out), *args]) == 0
    return out, printed.getvalue()


@pytest.fixture(scope="session")
def bulletin_report(tmp_path_factory):
    """``python -m analysis report`` on the shipped bulletin, once: its folder and what it printed."""
    return _report(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="session")
def gov_report(tmp_path_factory):
    """``python -m analysis report`` on the government work reports (examples/gov-work-reports.toml),
    once: its folder. The corpus must sit beside the repository: missing, the tests fail."""
    assert GOV_REPORTS.is_file(), f"{GOV_REPORTS} is missing: the shared corpora must sit beside the repository"
    return _report(tmp_path_factory.mktemp("gov-report"), "--config", str(GOV_EXAMPLE))[0]
