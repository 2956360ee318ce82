"""Shared fixtures: the shipped bulletin analysed once per test session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# Caches (tokens, results) go to a fresh folder for each test session, never the user's own.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="policy-analysis-cache-")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOV_REPORTS = SHARED / "corpora" / "gov-work-reports" / "government_work_reports.jsonl"


@pytest.fixture(scope="session")
def bulletin_analysis():
    from analysis import analyse

    return analyse()


@pytest.fixture(scope="session")
def bulletin_outputs(tmp_path_factory, bulletin_analysis):
    """The CLI's outputs for the shipped bulletin, written once."""
    from analysis.outputs.cli import main

    out = tmp_path_factory.mktemp("run")
    assert main(["run", "--out", str(out)]) == 0
    return out
