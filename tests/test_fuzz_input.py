"""Property-based tests of damaged input (issue 16): the shipped page and a slice of the
government work reports, re-encoded, with bytes changed, inserted and deleted, NUL bytes,
other line ends, lines cut in half and downloads cut short.

For every case, reading the corpus either succeeds with every document accounted for
(documents read = analysed + skipped; for JSON Lines, one per non-blank line) or stops with
the project's own one-line error (an :class:`~analysis.errors.AnalysisError`); nothing else.
Deterministic (derandomized, no example database) and quick: ~100 cases in a few seconds.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
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
            "beside the repository, see docs/reading.md, 'Example: the government work reports')"
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


# --- round two (issue 25): one property per family of hostile input ------------------------

_JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12),
    st.sampled_from(["\ud800", "\udfff甲", "城关\udc00"]),  # lone surrogates, written as \\ud800 escapes
)
_JSON_VALUES = st.recursive(_JSON_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8)
_HOSTILE_LINES = st.sampled_from([
    '{"text": ' + "[" * 50_000 + "]" * 50_000 + "}",  # too deep for the parser (RecursionError)
    '{"text": "甲", "n": ' + "7" * 5000 + "}",  # longer than int()'s 4,300 digits
    '{"text": "城关派出所开展巡查。", "date": "2920-04-26"}',  # a date typo
    '{"text": "甲", "unit": "\\u001b]0;PWNED\\u0007甲"}',  # terminal control codes
    '{"text": "截断的',  # cut short
])


@FUZZ
@given(
    records=st.lists(
        st.one_of(
            st.fixed_dictionaries({"text": st.text(min_size=1, max_size=20)}, optional={"unit": _JSON_VALUES, "date": _JSON_VALUES, "title": _JSON_VALUES}),
            st.fixed_dictionaries({"text": _JSON_VALUES}),
            _JSON_VALUES,
        ).map(json.dumps)
        | _HOSTILE_LINES,
        min_size=1,
        max_size=8,
    )
)
def test_any_json_line_is_a_document_or_a_skipped_record_with_its_number(tmp_path_factory, records):
    """Whatever a JSON line holds (any value, nested, lone surrogates, deep nesting, huge numbers,
    control codes, dates far off), every non-blank line is analysed or skipped with its number."""
    folder = tmp_path_factory.getbasetemp() / "fuzz-json-values"
    folder.mkdir(exist_ok=True)
    lines = [json.dumps({"text": "城关派出所开展巡查、劝导群众佩戴口罩。"}, ensure_ascii=False), *records]
    corpus = _read(folder / "r.jsonl", "\n".join(lines).encode(), drop_duplicates=False)
    assert corpus is not None  # the first line is always good (and names the text field)
    accounted = sorted([d.line for d in corpus.documents] + [s.line for s in corpus.skipped])
    assert accounted == [n for n, line in enumerate(lines, start=1) if line.strip()]
    for doc in corpus.documents:
        assert isinstance(doc.text, str) and doc.text.encode("utf-8")  # no lone surrogate got through
        assert all(d is None or 1900 <= d.year <= 2100 for d in (doc.date_start, doc.date_end))


_CELL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


@FUZZ
@given(
    rows=st.lists(st.tuples(_CELL, _CELL), min_size=1, max_size=6),
    long_row=st.integers(0, 5),
    repeat=st.sampled_from([0, 140_000, 200_000]),
)
def test_csv_cells_of_any_size_and_content_read_back_exactly(tmp_path_factory, rows, long_row, repeat):
    """Cells with quotes, commas, line breaks, control characters and over 131,072 characters
    (the csv module's default limit) come back exactly as csv.writer wrote them, one record a row."""
    import csv
    import io

    from analysis.io.readers import Record, read_records

    rows = [list(r) for r in rows]
    if repeat:
        rows[long_row % len(rows)][1] = "疫情\n防控," * (repeat // 5)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["unit", "text"], *rows])
    path = tmp_path_factory.getbasetemp() / "cells.csv"
    records, _, header = read_records(path, buffer.getvalue().encode(), "csv")
    records = list(records)
    assert header == ["unit", "text"] and all(isinstance(r, Record) for r in records), records[:1]
    assert [list(r.fields.values()) for r in records] == [r for r in rows if any(c.strip() for c in r)]


@FUZZ
@given(names=st.lists(st.sampled_from(["text", "unit", "date", "", "正文"]), min_size=1, max_size=6))
def test_a_header_is_read_or_refused_naming_its_repeated_columns(tmp_path_factory, names):
    from analysis.errors import InputError
    from analysis.io.readers import read_records

    path = tmp_path_factory.getbasetemp() / "header.csv"
    named = [n for n in names if n]
    assume(named)  # a blank first line is no header
    try:
        _, _, header = read_records(path, (",".join(names) + "\n" + ",".join("x" * len(names)) + "\n").encode(), "csv")
    except InputError as error:
        repeated = {n for n in named if named.count(n) > 1}
        assert repeated and all(f"'{n}'" in str(error) for n in repeated)
        return
    assert len(set(named)) == len(named) and header == names


@FUZZ
@given(
    text=st.text(st.sampled_from("城关派出所开展巡查一二三，。,0123456789\n abc𠮷"), min_size=40, max_size=200),
    encoding=st.sampled_from(["utf-32", "utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be", "utf-16"]),
)
def test_wide_encodings_are_read_with_or_without_a_byte_order_mark(tmp_path_factory, text, encoding):
    """UTF-32 (BOM) and UTF-16 (with or without) give the text back, or a one-line refusal for
    a BOM-less file with too few ASCII characters to recognise: never text full of NULs."""
    from analysis.errors import InputError
    from analysis.io.readers import decode_lenient

    path = tmp_path_factory.getbasetemp() / "wide.txt"
    try:
        decoded = decode_lenient(path, text.encode(encoding))
    except InputError as error:
        assert encoding.endswith(("-le", "-be")) and "\n" not in str(error)
        event("refused")
        return
    assert "\x00" not in decoded.text
    if encoding in ("utf-32", "utf-16") or sum(c < "\x80" for c in text) >= 0.1 * len(text):
        assert decoded.text == text.lstrip("\ufeff"), (decoded.encoding, encoding)
    event(f"read as {decoded.encoding}")


@FUZZ
@given(year=st.integers(1, 9999), month=st.integers(1, 12), low=st.integers(1000, 2100), span=st.integers(0, 1000))
def test_a_date_is_kept_inside_the_range_and_blank_outside(tmp_path_factory, year, month, low, span):
    path = tmp_path_factory.getbasetemp() / "dated.csv"
    path.write_text(f"text,date\n城关派出所开展巡查。,{year:04d}-{month:02d}-01\n", encoding="utf-8")
    corpus = read_corpus(path, date_range=(low, low + span))
    (doc,) = corpus.documents
    if low <= year <= low + span:
        assert doc.date_start is not None and doc.date_start.year == year
    else:
        assert doc.date_start is None and any("left blank" in n for n in corpus.notes)


def _near_reference(rule, text: str, start: int, end: int, bounds) -> bool:
    """The rule as it was written before issue 25: every occurrence in the window, looked at for every match."""
    from bisect import bisect_right

    from analysis.measures.lexicon import _occurrences

    if rule.within == "sentence":
        i = bisect_right(bounds, start)
        low = bounds[i - 1] + 1 if i else 0
        high = bounds[i] if i < len(bounds) else len(text)
        gap = len(text)
    else:
        gap = int(rule.within)
        longest = max(map(len, rule.any_of + rule.all_of))
        low, high = max(start - gap - longest, 0), min(end + gap + longest, len(text))

    def present(word: str) -> bool:
        for a, b in _occurrences(text[low:high], word):
            a, b = a + low, b + low
            if (b <= start and start - b <= gap) or (a >= end and a - end <= gap):
                return True
        return False

    if rule.all_of and not all(present(w) for w in rule.all_of):
        return False
    return not rule.any_of or any(present(w) for w in rule.any_of)


@FUZZ
@given(
    text=st.text(st.sampled_from("口罩群众发放。，登记"), max_size=80),
    any_of=st.lists(st.sampled_from(["群众", "发", "放。", "口"]), max_size=2),
    all_of=st.lists(st.sampled_from(["登记", "众", "，"]), max_size=2),
    within=st.one_of(st.just("sentence"), st.integers(0, 12), st.just(10**9)),
)
def test_near_rules_in_bounded_windows_decide_as_the_whole_window_did(text, any_of, all_of, within):
    """A near rule's nearest-occurrence check (bisection over each word's occurrences, found once)
    holds for exactly the matches the look through the whole window accepted."""
    from analysis.measures.lexicon import NearRule, _near_holds, _sentence_bounds

    assume(any_of or all_of)
    rule = NearRule(match=("口罩",), any_of=tuple(any_of), all_of=tuple(all_of), within=within)
    bounds = _sentence_bounds(text)
    starts: dict = {}
    for m in rule.pattern.finditer(text):
        assert _near_holds(rule, text, m.start(), m.end(), bounds, starts) == _near_reference(rule, text, m.start(), m.end(), bounds)


@FUZZ
@given(text=st.text(max_size=40))
def test_nothing_printed_drives_the_terminal(text):
    from analysis.outputs.cli import _TERMINAL_CONTROLS, printable

    shown = printable(text)
    assert not _TERMINAL_CONTROLS.search(shown)
    assert "\n" not in printable(text, keep_lines=False)
    if not _TERMINAL_CONTROLS.search(text):
        assert shown == text  # ordinary text, Chinese included, is printed as it is


@settings(max_examples=12, deadline=None, derandomize=True, database=None)
@given(names=st.lists(st.text(st.sampled_from("城关$\\^_{}\x01\x07\x1b\x7f\x85甲\n"), min_size=1, max_size=6), min_size=1, max_size=4, unique=True))
def test_any_name_is_drawn_as_text_into_valid_svg(tmp_path_factory, names):
    """Units, titles and measures named with $, TeX characters or control characters: drawn
    (no mathtext error), and every SVG is well-formed XML."""
    import xml.dom.minidom

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.viz.figures import figure_style, save_figure

    with figure_style():
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.barh(names, range(1, len(names) + 1))
        ax.set_title(names[0])
        ax.set_xticks([1, 2], labels=names[:1] * 2)
    out = tmp_path_factory.getbasetemp() / "svg-names"
    try:
        paths = save_figure(fig, out, "names", formats=("svg", "png"), dpi=50)
    finally:
        plt.close(fig)
    xml.dom.minidom.parse(str(paths[0]))


@FUZZ
@given(kinds=st.lists(st.sampled_from(["link", "file", "none"]), min_size=3, max_size=3), linked_folder=st.booleans())
def test_outputs_replace_links_and_files_but_never_write_through_them(tmp_path_factory, kinds, linked_folder):
    """Whatever stands at an output's name (a link to a file outside, a file, nothing), the staged
    files replace it and nothing outside ``out`` changes; a linked folder is refused, before
    anything is moved."""
    from analysis.errors import AnalysisError
    from analysis.outputs.safe import OutputFolder

    base = tmp_path_factory.mktemp("safe")
    outside = base / "outside"
    outside.mkdir()
    out = base / "out"
    out.mkdir()
    if linked_folder:
        (out / "figures").symlink_to(outside, target_is_directory=True)
    else:
        (out / "figures").mkdir()
    names = ["a.csv", "manifest.json", "figures/b.svg"]
    for name, kind in zip(names, kinds):
        target = out / name
        if linked_folder and name.startswith("figures/"):
            continue  # inside the linked folder: nothing more to put there
        if kind == "link":
            (outside / target.name).write_text("precious", encoding="utf-8")
            target.symlink_to(outside / target.name)
        elif kind == "file":
            target.write_text("old", encoding="utf-8")
    before = {p: p.read_bytes() for p in outside.iterdir()}
    listed = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    try:
        with OutputFolder(out) as folder:
            staged = []
            for name in names:
                path = folder.stage / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("new " + name, encoding="utf-8")
                staged.append(path)
            folder.commit(staged)
    except AnalysisError as error:
        assert linked_folder and "is a link" in str(error)
        assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == listed  # refused before anything moved
    else:
        assert not linked_folder
        assert all((out / n).read_text(encoding="utf-8") == "new " + n and not (out / n).is_symlink() for n in names)
    assert {p: p.read_bytes() for p in outside.iterdir()} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".policy-analysis-staging-")]
