"""Property-based tests of damaged input (issue 16): the shipped page and a slice of the
government work reports, re-encoded, with bytes changed, inserted and deleted, NUL bytes,
other line ends, lines cut in half and downloads cut short.

For every case, reading the corpus either succeeds with every document accounted for
(documents read = analysed + skipped; for JSON Lines, one per non-blank line) or stops with
the project's own one-line error (an :class:`~analysis.errors.AnalysisError`); nothing else.
Deterministic (derandomized, no example database) and quick: ~100 cases in a few seconds.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analysis.errors import AnalysisError
from analysis.io.corpus import DEFAULT_CORPUS, Columns, read_corpus
from analysis.io.readers import damage_limit

GOV_REPORTS = Path("/work/shared/corpora/gov-work-reports/government_work_reports.jsonl")
GOV_LINES = 20
GOV_COLUMNS = Columns(text="content", date="year", title="title")
ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16", "big5"]
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def _gov_slice() -> bytes:
    if not GOV_REPORTS.is_file():
        pytest.fail(
            f"missing {GOV_REPORTS}: this test needs the government work reports (the shared corpora folder "
            "beside the repository, see README 'Example: the government work reports')"
        )
    with GOV_REPORTS.open("rb") as handle:
        return b"".join(handle.readline() for _ in range(GOV_LINES))


@lru_cache(maxsize=4)
def _to_traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` (UTF-8) re-encoded, then changed by up to six mutations."""
    encoding = draw(st.sampled_from(ENCODINGS))
    text = original.decode("utf-8")
    if encoding == "big5":  # Big5 is for traditional characters
        text = _to_traditional(text)
    data = original if encoding == "utf-8" else text.encode(encoding, errors="replace")
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["set", "delete", "insert", "truncate", "nul", "crlf", "cr", "cut_line"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "set" and data:
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 8)):]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "nul":
            data = data[:at] + b"\x00" + data[at:]
        elif kind == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif kind == "cr":
            data = data.replace(b"\n", b"\r")
        elif kind == "cut_line":  # a line loses its second half, as in a broken download or copy
            lines = data.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = lines[i][: len(lines[i]) // 2]
            data = b"\n".join(lines)
    return data


def _read(path: Path, data: bytes, **kwargs):
    """read_corpus on ``data``; None if it stopped with the project's one-line error."""
    path.write_bytes(data)
    try:
        corpus = read_corpus(path, **kwargs)
    except AnalysisError as error:
        message = str(error)
        assert message and "\n" not in message and "\r" not in message, repr(message)
        assert str(path) in message
        event("refused: " + getattr(error, "problem", message)[:40])
        return None
    event(f"read as {corpus.sources[0].encoding}" + (" with bytes replaced" if corpus.sources[0].replaced_bytes else ""))
    assert corpus.n_read == len(corpus.documents) + len(corpus.skipped)
    assert corpus.documents, "a corpus with nothing to analyse must stop with an error"
    assert all(d.text.strip() for d in corpus.documents)
    (source,) = corpus.sources
    assert source.n_documents + source.n_skipped >= len(corpus.documents)
    assert sum(n for _, n in source.replaced_bytes) <= damage_limit(len(data))
    return corpus


@FUZZ
@given(data=damaged(DEFAULT_CORPUS.read_bytes()))
def test_damaged_page_is_read_or_refused_in_one_line(tmp_path_factory, data):
    folder = tmp_path_factory.getbasetemp() / "fuzz-page"
    folder.mkdir(exist_ok=True)
    corpus = _read(folder / "page.txt", data)
    if corpus is not None:
        n_lines = len(data.splitlines()) + 1
        assert all(1 <= d.line <= n_lines for d in corpus.documents)


def test_government_reports_slice_is_there():
    assert _gov_slice().count(b"\n") == GOV_LINES


@pytest.mark.slow  # about 4 s: in `make test`, not in the fast subset
@FUZZ
@given(data=st.data())
def test_damaged_json_lines_are_read_line_by_line_or_refused_in_one_line(tmp_path_factory, data):
    original = _gov_slice()  # fails (does not skip) when the reports are missing
    damaged_bytes = data.draw(damaged(original), label="file")
    folder = tmp_path_factory.getbasetemp() / "fuzz-jsonl"
    folder.mkdir(exist_ok=True)
    corpus = _read(folder / "reports.jsonl", damaged_bytes, columns=GOV_COLUMNS, drop_duplicates=False)
    if corpus is None:
        return
    # Every non-blank line is one document or one skipped record, named by its line.
    encoding = corpus.sources[0].encoding
    text = damaged_bytes.decode(encoding, errors="replace")
    lines = {n for n, line in enumerate(text.split("\n"), start=1) if line.strip()}  # JSON Lines end at \n only
    accounted = [d.line for d in corpus.documents] + [s.line for s in corpus.skipped]
    assert sorted(accounted) == sorted(lines)
