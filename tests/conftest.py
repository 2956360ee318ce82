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
_SLOW_FIXTURES = {"bulletin_run", "bulletin_outputs", "bulletin_report", "gov_report", "executed_notebooks"}

# Test files whose tests share one of those session fixtures: run on one worker, so that it is
# computed once, not once per worker (file: the file it goes with).
_SAME_WORKER = {
    "tests/test_report_layout.py": "tests/test_report.py",  # bulletin_report, gov_report
    "tests/test_figures.py": "tests/test_cli.py",  # bulletin_run
    "tests/test_methods.py": "tests/test_cli.py",  # bulletin_run
}


def pytest_collection_modifyitems(items):
    """Mark the slow tests, and put the files holding slow tests first (in collection order)."""
    slow_files = set()
    for item in items:
        if _SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("slow") is not None:
            slow_files.add(item.nodeid.split("::")[0])
    rank = {item.nodeid: (item.nodeid.split("::")[0] not in slow_files, index) for index, item in enumerate(items)}
    items.sort(key=lambda item: rank[item.nodeid])


@pytest.hookimpl(tryfirst=True)  # before xdist's own
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
