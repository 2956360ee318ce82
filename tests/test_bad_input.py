"""Bad input: one clear line naming the file (and line or key), the right exit code, nothing else lost.

What stops the run exits 2 with one line on stderr and no traceback. What can be skipped is
skipped, listed on screen and in manifest.json with its reason, and every other document is
analysed: documents read = analysed + skipped.
"""

import json
import subprocess
import sys
import warnings

import pytest

from analysis.outputs.cli import main
from analysis.io.corpus import DEFAULT_CORPUS

PAGE = DEFAULT_CORPUS.read_bytes()  # 10 documents
N_PAGE = 10


def run_cli(*args, cwd=None):
    """``python -m analysis ARGS`` in a process of its own."""
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def run_in_process(capsys, *args):
    """``python -m analysis ARGS`` in this process (a new interpreter costs about a second of a
    core): its exit code and what it printed, every warning counted as a line on stderr, where
    a process would have printed it. An exception other than the CLI's own errors fails the
    test, as its traceback would. test_missing_path runs the real process."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for hidden in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.simplefilter("ignore", hidden)  # hidden by Python's default filters too
        code = main(list(args))
    printed = capsys.readouterr()
    stderr = printed.err + "".join(f"{w.filename}:{w.lineno}: {w.category.__name__}: {w.message}\n" for w in caught)
    return subprocess.CompletedProcess(["python", "-m", "analysis", *args], code, printed.out, stderr)


def one_error_line(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def run_folder(tmp_path, capsys, name: str, data: bytes):
    """A folder with the shipped bulletin and one bad file; run it (in process); return (stdout, manifest)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bulletin.txt").write_bytes(PAGE)
    (corpus / name).write_bytes(data)
    out = tmp_path / "out"
    assert main(["run", "--corpus", str(corpus), "--out", str(out), "--no-figures"]) == 0
    result = capsys.readouterr()
    assert result.err == ""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    assert counts["documents_read"] == counts["documents_analysed"] + counts["documents_skipped"]
    return result.out, manifest


# --- what stops the run -------------------------------------------------------------------


def test_missing_path(tmp_path):
    line = one_error_line(run_cli("run", "--corpus", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")))
    assert "nowhere: no such file or folder" in line


def test_empty_file_alone(tmp_path, capsys):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    line = one_error_line(run_in_process(capsys, "run", "--corpus", str(path), "--out", str(tmp_path / "o")))
    assert "empty.txt: the file is empty" in line
    assert not (tmp_path / "o" / "manifest.json").exists()


def test_unsupported_file_alone(tmp_path, capsys):
    path = tmp_path / "report.doc"  # old binary Word: .docx is read, .doc is not
    path.write_bytes(b"\xd0\xcf\x11\xe0\x00\x01")
    line = one_error_line(run_in_process(capsys, "run", "--corpus", str(path), "--out", str(tmp_path / "o")))
    assert "report.doc: unsupported file type '.doc'" in line and ".jsonl" in line and ".docx" in line


def test_broken_pdf_alone(tmp_path, capsys):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4\x00\x01")
    line = one_error_line(run_in_process(capsys, "run", "--corpus", str(path), "--out", str(tmp_path / "o")))
    assert "report.pdf: not a readable PDF" in line


def test_binary_file_alone(tmp_path, capsys):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    line = one_error_line(run_in_process(capsys, "run", "--corpus", str(path), "--out", str(tmp_path / "o")))
    assert "photo.txt: this is a binary file" in line


def test_undecodable_file_alone_names_the_line(tmp_path, capsys):
    path = tmp_path / "mixed.txt"
    path.write_bytes("标题\n第二行\n".encode() + b"\xff\xfe\xfa\xfb\x80\x81\n")
    line = one_error_line(run_in_process(capsys, "run", "--corpus", str(path), "--out", str(tmp_path / "o")))
    assert "mixed.txt:3: bytes that are not UTF-8, GB18030/GBK or Big5" in line


def test_missing_text_column(tmp_path, capsys):
    path = tmp_path / "table.csv"
    path.write_text("date,words\n2020-01-01,文字\n", encoding="utf-8")  # no common text column name
    line = one_error_line(run_in_process(capsys, "run", "--corpus", str(path), "--out", str(tmp_path / "o")))
    assert "table.csv:1: no text column among text, content" in line and "date, words" in line and "[columns]" in line


@pytest.mark.parametrize(
    ("config_text", "expected"),
    [
        ('[corpus]\nformat = "auto"\nunit_sufixes = ["镇"]\n', ["my.toml:3: unknown key 'corpus.unit_sufixes'", "unit_suffixes"]),
        ('[corpus]\nformat = "auto"\n\n[colums]\ntext = "body"\n', ["my.toml:4: unknown section [colums]"]),
        ('[corpus]\nformat = "doc"\n', ["my.toml:2: 'corpus.format' must be one of"]),
    ],
    ids=["unknown key", "unknown section", "bad value"],
)
def test_config_mistakes_name_the_line(tmp_path, capsys, config_text, expected):
    config = tmp_path / "my.toml"
    config.write_text(config_text, encoding="utf-8")
    line = one_error_line(run_in_process(capsys, "run", "--config", str(config), "--out", str(tmp_path / "o")))
    assert all(fragment in line for fragment in expected), line


def test_lexicon_with_a_syntax_error(tmp_path, capsys):
    lexicon = tmp_path / "lex.toml"
    lexicon.write_text('[[measure]]\nname = "口罩"\nvariants = ["口罩" "手套"]\n', encoding="utf-8")
    line = one_error_line(run_in_process(capsys, "run", "--lexicon", str(lexicon), "--out", str(tmp_path / "o")))
    assert "lex.toml: lexicon is not valid TOML" in line and "line 3" in line


# --- what is skipped, with everything else analysed ----------------------------------------


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"   \n", "the file is empty"),
        ("scan.pdf", b"%PDF-1.4\x00", "not a readable PDF"),
        ("memo.doc", b"\xd0\xcf\x11\xe0\x00", "unsupported file type '.doc'"),
        ("image.txt", b"\x89PNG\x00\x00\x01", "this is a binary file"),
        ("broken.txt", "标题\n".encode() + b"\xff\xfe\xfa\xfb\x80\x81\n", "bytes that are not UTF-8, GB18030/GBK or Big5"),
        ("sheet.xlsx", b"PK\x03\x04 not really a workbook", "not a readable .xlsx workbook"),
        ("notes.csv", "date,words\n2020-01-01,文字\n".encode(), "no text column among text, content, body, 正文, 内容, 全文; it has: date, words"),
    ],
)
def test_bad_file_in_a_folder_is_skipped_and_the_rest_analysed(tmp_path, capsys, name, data, reason):
    stdout, manifest = run_folder(tmp_path, capsys, name, data)
    assert manifest["counts"]["documents_analysed"] == N_PAGE
    assert manifest["counts"]["documents_skipped"] == 1
    skipped = manifest["skipped"][0]
    assert skipped["source"].endswith(name) and reason in skipped["reason"]
    assert f"skipped {skipped['source']}" in stdout and reason in stdout


def test_malformed_csv_row_is_skipped_with_its_line(tmp_path, capsys):
    table = "text,date\n城关分局开展巡查。,2020-01-01\n这一行多了字段,2020-01-02,多余\n河口分局组织消毒。,2020-01-03\n"
    stdout, manifest = run_folder(tmp_path, capsys, "rows.csv", table.encode())
    assert manifest["counts"]["documents_analysed"] == N_PAGE + 2
    (skipped,) = manifest["skipped"]
    assert skipped["line"] == 3 and "3 fields where the header has 2" in skipped["reason"]
    assert "rows.csv:3: malformed row" in stdout


def test_malformed_json_line_is_skipped_with_its_line(tmp_path, capsys):
    lines = ['{"text": "城关分局开展巡查。"}', '{"text": "缺了括号"', "[1, 2]", '{"body": "没有text字段"}', '{"text": "河口分局组织消毒。"}']
    stdout, manifest = run_folder(tmp_path, capsys, "records.jsonl", "\n".join(lines).encode())
    assert manifest["counts"]["documents_analysed"] == N_PAGE + 2
    reasons = {s["line"]: s["reason"] for s in manifest["skipped"]}
    assert set(reasons) == {2, 3, 4}
    assert reasons[2].startswith("not valid JSON") and "not an object" in reasons[3] and "no 'text' field" in reasons[4]
    assert "records.jsonl:2: not valid JSON" in stdout


def test_duplicate_documents_are_skipped_naming_the_first(tmp_path, capsys):
    stdout, manifest = run_folder(tmp_path, capsys, "copy-of-bulletin.txt", PAGE)
    assert manifest["counts"]["documents_analysed"] == N_PAGE
    assert manifest["counts"]["documents_skipped"] == N_PAGE
    assert all(s["reason"].startswith("duplicate of bulletin-0") for s in manifest["skipped"])
    assert manifest["counts"]["documents_read"] == 2 * N_PAGE


def test_unreadable_date_is_kept_undated_and_reported(tmp_path, capsys):
    table = "text,date\n城关分局开展巡查。,2020-01-01\n河口分局组织消毒。,去年冬天\n"
    stdout, manifest = run_folder(tmp_path, capsys, "dated.csv", table.encode())
    assert manifest["counts"]["documents_analysed"] == N_PAGE + 2
    assert any("could not be read" in note and "dated.csv:3" in note and "去年冬天" in note for note in manifest["notes"])


def test_many_skips_are_summarised_on_screen_but_all_in_the_manifest(tmp_path, capsys):
    lines = ['{"text": "正文%d。"}' % i for i in range(3)] + ["{broken"] * 30
    stdout, manifest = run_folder(tmp_path, capsys, "many.jsonl", "\n".join(lines).encode())
    assert manifest["counts"]["documents_skipped"] == 30 and len(manifest["skipped"]) == 30
    assert "and 10 more skipped, all listed in" in stdout
