import json
import subprocess

import sys

import pandas as pd
import pytest

from analysis.outputs.cli import main

EXPECTED = ["documents.csv", "terms.csv", "measures.csv", "clusters.csv", "manifest.json", "figures"]


def test_run_writes_the_named_files_and_columns(bulletin_outputs):
    for name in EXPECTED:
        assert (bulletin_outputs / name).exists(), name
    documents = pd.read_csv(bulletin_outputs / "documents.csv")
    assert list(documents.columns[:5]) == ["doc_id", "unit", "date_start", "date_end", "text"]
    assert len(documents) == 10
    terms = pd.read_csv(bulletin_outputs / "terms.csv")
    assert list(terms.columns[:3]) == ["term", "count", "doc_count"]
    measures = pd.read_csv(bulletin_outputs / "measures.csv")
    assert measures.columns[0] == "unit" and "外防输入" in measures.columns and len(measures) == 9
    clusters = pd.read_csv(bulletin_outputs / "clusters.csv")
    assert list(clusters.columns[:2]) == ["unit", "cluster"]
    assert sorted(clusters["unit"]) == sorted(measures["unit"])


def test_manifest(bulletin_outputs):
    manifest = json.loads((bulletin_outputs / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    assert counts["documents_read"] == counts["documents_analysed"] + counts["documents_skipped"] == 10
    source = manifest["inputs"][0]
    assert len(source["sha256"]) == 64 and source["encoding"] == "utf-8"
    assert len(source["boilerplate_lines_removed"]) == 5
    assert manifest["versions"]["jieba"] and manifest["versions"]["scikit-learn"]
    assert manifest["lexicon"]["measures"][0]["name"] == "三防"
    for output in manifest["outputs"]:
        assert (bulletin_outputs / output).exists()


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, timeout=300)


def test_missing_corpus_is_one_clear_line(tmp_path):
    result = run_cli("run", "--corpus", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "missing.txt: no such file" in lines[0]


def test_bad_lexicon_is_one_clear_line(tmp_path):
    lexicon = tmp_path / "bad.toml"
    lexicon.write_text("[[measure]\nname = 1\n", encoding="utf-8")
    result = run_cli("run", "--lexicon", str(lexicon), "--out", str(tmp_path / "o"), "--no-figures")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bad.toml: lexicon is not valid TOML" in result.stderr.strip()


def test_no_figures(tmp_path):
    assert main(["run", "--out", str(tmp_path), "--no-figures"]) == 0
    assert not (tmp_path / "figures").exists()
    assert (tmp_path / "measures.csv").exists()


def test_progress_bars_only_when_asked_or_on_a_terminal(capsys):
    from analysis.progress import counter, progress, showing

    assert showing(False) is False and showing(True) is True
    assert showing(None) is False  # pytest captures stderr: not a terminal, not a notebook
    items = [1, 2, 3]
    assert progress(items, "reading", enabled=False) is items
    bar = counter("figures", enabled=False)
    bar.update(1)
    bar.close()
    shown = progress(items, "reading", enabled=True, total=3)
    assert list(shown) == items and shown.desc == "reading"


@pytest.mark.slow
def test_output_into_a_reader_that_stopped_early_is_no_error(tmp_path):
    """`python -m analysis run | head -1`: when the reader closes the pipe, no traceback."""
    process = subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", "--no-figures", "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before anything is printed
    stderr = process.stderr.read().decode()
    assert process.wait() == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr
