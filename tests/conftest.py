"""Shared fixtures: the shipped bulletin analysed once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOV_REPORTS = SHARED / "corpora" / "gov-work-reports" / "government_work_reports.jsonl"


def pytest_collection_modifyitems(items):
    """Tests that need the whole CLI output or the report (figures drawn) are slow: left out of
    the fast subset (`make test-fast`, `pytest -m "not slow"`)."""
    for item in items:
        if {"bulletin_run", "bulletin_outputs", "report_dir", "executed_notebooks"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


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
