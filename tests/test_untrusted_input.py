"""Untrusted input (issue 16): nothing in a page can execute in a user's tools, and a few bad
bytes never cost a whole file.

Formula-like text stays text in the workbook; the report escapes the corpus's text; markup in a
text page is not analysed as words; a file that is overwhelmingly valid in one encoding is
read with its damaged bytes replaced (counted, reported), and a damaged table or JSON Lines
record is skipped like any malformed record.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.config import Settings
from analysis.errors import InputError
from analysis.io.corpus import DEFAULT_CORPUS, Columns, read_corpus
from analysis.io.readers import decode, decode_lenient, strip_markup
from analysis.outputs.cli import main
from analysis.outputs.report import render_report, report_tables, write_workbook
from analysis.outputs.tables import manifest
from analysis.pipeline import analyse

PAGE = DEFAULT_CORPUS.read_bytes()  # 10 documents
N_PAGE = 10

#: Openings that Excel (or LibreOffice) would read as a formula if the cell were not text.
FORMULAS = [
    '=HYPERLINK("http://example.com/x","点击")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
    "#N/A",  # an error code: openpyxl would store it as an error value, not text
]


# --- the workbook: text is text --------------------------------------------------------------


def _text_cells(path):
    book = openpyxl.load_workbook(path)  # not read-only: every cell with its data_type
    return {
        (sheet.title, cell.coordinate): cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def test_openpyxl_would_store_an_equals_opening_as_a_formula():
    """The hazard this guards against: openpyxl's own rule for a str that starts with '='."""
    sheet = openpyxl.Workbook().active
    sheet["A1"] = "=1+1"
    sheet["A2"] = "#N/A"
    assert (sheet["A1"].data_type, sheet["A2"].data_type) == ("f", "e")


def test_workbook_stores_formula_like_text_as_text(tmp_path):
    table = pd.DataFrame({"text": FORMULAS, "n": range(len(FORMULAS))})
    path = write_workbook({"documents": table, "=sheet_header": pd.DataFrame({"=h": ["=x"]})}, tmp_path / "t.xlsx")
    cells = _text_cells(path)
    assert cells and all(cell.data_type == "s" for cell in cells.values()), {
        k: c.data_type for k, c in cells.items() if c.data_type != "s"
    }
    values = [cells[("documents", f"A{row}")].value for row in range(2, len(FORMULAS) + 2)]
    assert values == FORMULAS  # read back exactly as written
    assert cells[("=sheet_header", "A1")].value == "=h" and cells[("=sheet_header", "A2")].value == "=x"
    assert pd.read_excel(path, sheet_name="documents", keep_default_na=False)["text"].tolist() == FORMULAS


def test_a_page_paragraph_with_a_formula_is_text_in_the_report_workbook_and_faithful_in_the_csv(tmp_path):
    page = tmp_path / "page.txt"
    lines = ["疫情防控工作简报", "2020-04-26 省林业公安局"]
    lines += [f"{opening}4月{20 + i}日,城关分局开展巡查。" for i, opening in enumerate(FORMULAS)]
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    analysis = analyse(Settings(corpus=page, figures=False))
    path = write_workbook(report_tables(analysis), tmp_path / "tables.xlsx")
    cells = _text_cells(path)
    assert all(cell.data_type == "s" for cell in cells.values())
    texts = [c.value for (sheet, _), c in cells.items() if sheet == "documents" and c.column_letter == "E"][1:]
    assert texts == [line for line in lines[2:]]
    # The CSVs stay byte-faithful: the text as in the page, nothing prefixed.
    assert main(["run", "--corpus", str(page), "--out", str(tmp_path / "out"), "--no-figures"]) == 0
    written = (tmp_path / "out" / "documents.csv").read_text(encoding="utf-8")
    assert [row["text"] for row in csv.DictReader(io.StringIO(written))] == lines[2:]
    assert "'=" not in written and "'+" not in written and "'@" not in written


# --- the report escapes the corpus's text ----------------------------------------------------


def test_report_escapes_markup_from_the_corpus(tmp_path):
    hostile = "<script>alert(1)</script>"
    table = tmp_path / "notices.csv"
    table.write_text(
        "id,unit,title,text\n"
        f"\"{hostile}\",\"{hostile}\",\"<img src=x onerror=alert(2)>\",\"{hostile}城关派出所开展巡查。\"\n"
        "2,河口,通报二,河口镇组织消毒。\n"
        f"3,河口,\"{hostile}\"\n",  # a malformed row: its reason and source reach the report
        encoding="utf-8",
    )
    analysis = analyse(Settings(corpus=table, figures=False))
    assert any(hostile in t for t in analysis.texts(original=True))  # records are kept as written
    html = render_report(analysis, manifest(analysis, []), {}, embed_font=False)
    assert "<script" not in html.lower()
    assert "<img src=x" not in html and "onerror=alert(2)>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- markup inside a text page ---------------------------------------------------------------


def test_markup_in_a_text_page_is_not_analysed_as_words(tmp_path):
    lines = PAGE.decode("utf-8").splitlines()
    body = next(i for i, line in enumerate(lines) if "分局" in line)
    lines[body] = '<script type="text/javascript">\nalert("hacked");\n</script><img src="x.png" onerror="alert(1)">' + lines[body]
    lines[body + 1] = "<p><b>" + lines[body + 1] + "</b></p><!-- tracking -->"
    page = tmp_path / "page.txt"
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clean = read_corpus(DEFAULT_CORPUS)
    corpus = read_corpus(page)
    texts = " ".join(d.text for d in corpus.documents)
    for word in ("alert", "script", "onerror", "img", "hacked", "tracking", "<", ">"):
        assert word not in texts
    assert [d.text for d in corpus.documents] == [d.text for d in clean.documents]
    # lines keep their numbers (the script spanned three lines)
    assert [d.line for d in corpus.documents] == [d.line + 2 if d.line > body else d.line for d in clean.documents]
    terms = analyse(Settings(corpus=page, figures=False)).terms["term"].tolist()
    assert "alert" not in terms and "script" not in terms


def test_strip_markup_keeps_plain_text_and_line_numbers():
    plain = "第一行 a < b 且 c > d\n1<2 《通知》\n"
    assert strip_markup(plain) == plain
    marked = "甲<script>\nx\n</script>乙\n<style>p{}</style>丙&amp;丁\n"
    assert strip_markup(marked) == "甲\n\n乙\n丙&丁\n"


# --- damaged bytes -------------------------------------------------------------------------


def _page_lines() -> list[bytes]:
    return PAGE.splitlines(keepends=True)


def test_the_damage_limit_is_one_percent_with_a_floor_of_one_character():
    from analysis.io.readers import damage_limit

    assert damage_limit(99) == 0 and damage_limit(100) == 4 and damage_limit(1000) == 10 and damage_limit(10_000) == 100


def test_one_changed_byte_in_the_page_is_replaced_counted_and_the_rest_analysed(tmp_path, capsys):
    lines = _page_lines()
    body = next(i for i, line in enumerate(lines) if "鹤北分局".encode() in line)
    damaged = bytearray(lines[body])
    damaged[10] = 0xFF  # inside a Chinese character: its three bytes cannot be read
    lines[body] = bytes(damaged)
    page = tmp_path / "page.txt"
    page.write_bytes(b"".join(lines))
    with pytest.raises(InputError, match="bytes that are not UTF-8"):
        decode(page, page.read_bytes())  # the strict reader still refuses it
    decoded = decode_lenient(page, page.read_bytes())
    assert decoded.encoding == "utf-8" and decoded.n_replaced == 3 and decoded.replaced_lines() == {body + 1: 3}
    out = tmp_path / "out"
    assert main(["run", "--corpus", str(page), "--out", str(out), "--no-figures"]) == 0
    stdout = capsys.readouterr().out
    assert f"replaced 3 damaged bytes in {page} by U+FFFD (not valid utf-8, line {body + 1})" in stdout
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert record["replaced_bytes"] == [{"file": str(page), "line": body + 1, "count": 3}]
    assert record["inputs"][0]["bytes_replaced"] == 3
    counts = record["counts"]
    assert counts["documents_analysed"] == N_PAGE and counts["documents_skipped"] == 0
    assert counts["documents_read"] == counts["documents_analysed"] + counts["documents_skipped"]
    texts = pd.read_csv(out / "documents.csv")["text"].tolist()
    assert sum("\ufffd" in t for t in texts) == 1


def test_a_download_cut_inside_a_character_is_read(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(PAGE.rstrip()[:-1])  # the last character of the page loses its last byte
    corpus = read_corpus(page)
    assert len(corpus.documents) == N_PAGE and corpus.sources[0].replaced_bytes == ((PAGE.rstrip().count(b"\n") + 1, 2),)
    assert corpus.sources[0].removed_lines[-1][1].endswith("\ufffd")  # the page's last line: its footer


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_damaged_bytes_in_other_encodings(tmp_path, encoding):
    data = bytearray(PAGE.decode("utf-8").encode(encoding))
    middle = len(data) // 2 // 2 * 2
    if encoding == "utf-16":
        data[middle:middle + 2] = b"\x00\xdc"  # a lone low surrogate
    else:
        data[middle] = 0xFF
    page = tmp_path / "page.txt"
    page.write_bytes(bytes(data))
    corpus = read_corpus(page)
    source = corpus.sources[0]
    assert source.encoding == encoding and 1 <= sum(n for _, n in source.replaced_bytes) <= 4
    assert len(corpus.documents) + len(corpus.skipped) >= N_PAGE - 1


def test_just_over_the_limit_is_refused_just_under_is_read(tmp_path):
    lines = ["城关分局开展巡查,劝导群众佩戴口罩。\n".encode()] * 20  # 1,060 bytes
    limit = 10

    def spoil(n: int) -> bytes:  # n bad bytes, one at the start of each of the first n lines
        data = b"".join(b"\xff" + line if k < n else line for k, line in enumerate(lines))
        assert len(data) // 100 == limit
        return data

    path = tmp_path / "p.txt"
    decoded = decode_lenient(path, spoil(limit))
    assert decoded.encoding == "utf-8" and decoded.n_replaced == limit
    assert decoded.replaced_lines() == {k: 1 for k in range(1, limit + 1)}
    with pytest.raises(InputError, match=r"p\.txt:1: bytes that are not UTF-8, GB18030/GBK or Big5"):
        decode_lenient(path, spoil(limit + 1))
    under = read_corpus(_write(tmp_path / "under.txt", spoil(limit)))
    assert sum(n for _, n in under.sources[0].replaced_bytes) == limit and len(under.documents) == 2  # two texts, repeated
    with pytest.raises(InputError, match="under.txt:1: bytes that are not UTF-8"):
        read_corpus(_write(tmp_path / "under.txt", spoil(limit + 1)))


def test_a_small_file_must_be_clean_and_a_file_no_encoding_fits_is_refused(tmp_path):
    path = tmp_path / "mixed.txt"
    with pytest.raises(InputError, match="mixed.txt:3: bytes that are not UTF-8"):  # 30 bytes, 6 bad
        decode_lenient(path, "第一行\n第二行\n".encode() + b"\xff\xfe\xfa\xfb\x80\x81 broken\n")
    noise = bytes((i * 7919 + 13) % 256 for i in range(5000)).replace(b"\x00", b"\x01")
    with pytest.raises(InputError, match="bytes that are not UTF-8, GB18030/GBK or Big5"):
        decode_lenient(path, noise)


def test_a_few_nul_bytes_are_damage_many_make_a_binary_file(tmp_path):
    data = PAGE.replace("鹤北".encode(), "鹤\x00北".encode(), 1)
    decoded = decode_lenient(tmp_path / "p.txt", data)
    assert decoded.encoding == "utf-8" and decoded.n_replaced == 1 and "鹤\ufffd北" in decoded.text
    with pytest.raises(InputError, match="this is a binary file"):
        decode_lenient(tmp_path / "p.txt", b"\x00" * 200 + PAGE)


def test_a_utf16_file_that_lost_a_byte_mid_way_is_refused_not_read_as_garbage(tmp_path):
    data = PAGE.decode("utf-8").encode("utf-16")
    middle = len(data) // 2 | 1
    with pytest.raises(InputError, match="bytes that are not UTF-8"):
        decode_lenient(tmp_path / "p.txt", data[:middle] + data[middle + 1:])
    assert decode_lenient(tmp_path / "p.txt", data[:-1]).n_replaced == 1  # cut at the end: read


def test_a_gbk_file_is_still_read_as_gbk_not_as_damaged_utf8(tmp_path):
    text = "English notice with few Chinese words: 口罩.\n" * 30  # 0.3% non-ASCII bytes
    decoded = decode_lenient(tmp_path / "p.txt", text.encode("gbk"))
    assert decoded.encoding == "gb18030" and decoded.text == text and not decoded.replaced


def _gov_lines(n: int = 20) -> list[bytes]:
    path = Path("/work/shared/corpora/gov-work-reports/government_work_reports.jsonl")
    if not path.is_file():
        pytest.fail(f"missing {path}: the government work reports (see examples/gov-work-reports.toml) are needed for this test")
    with path.open("rb") as handle:
        return [handle.readline() for _ in range(n)]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


GOV_COLUMNS = Columns(text="content", date="year", title="title")


def test_a_jsonl_file_with_lines_cut_in_half_skips_those_lines_with_their_numbers(tmp_path, capsys):
    lines = _gov_lines(6)
    cut = {2, 5}  # 1-based
    data = b"".join(line[: len(line) // 2] + b"\n" if i in cut else line for i, line in enumerate(lines, start=1))
    path = tmp_path / "reports.jsonl"
    path.write_bytes(data)
    out = tmp_path / "out"
    config = tmp_path / "gov.toml"
    config.write_text('[corpus]\nformat = "jsonl"\n\n[columns]\ntext = "content"\ndate = "year"\ntitle = "title"\n', encoding="utf-8")
    assert main(["run", "--config", str(config), "--corpus", str(path), "--out", str(out), "--no-figures"]) == 0
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = record["counts"]
    assert counts["documents_analysed"] == 4 and counts["documents_skipped"] == 2
    assert counts["documents_read"] == counts["documents_analysed"] + counts["documents_skipped"]
    assert sorted(s["line"] for s in record["skipped"]) == sorted(cut)
    stdout = capsys.readouterr().out
    assert all(f"skipped {path}:{n}:" in stdout for n in cut)


def test_a_jsonl_or_csv_record_with_bad_bytes_is_skipped_like_a_malformed_record(tmp_path):
    lines = _gov_lines(6)
    spoilt = bytearray(lines[2])
    spoilt[200] = 0xFF
    lines[2] = bytes(spoilt)
    path = tmp_path / "reports.jsonl"
    path.write_bytes(b"".join(lines))
    corpus = read_corpus(path, columns=GOV_COLUMNS)
    assert len(corpus.documents) == 5 and [(s.line, s.reason.split(":")[0]) for s in corpus.skipped] == [
        (3, "1 byte that is not UTF-8 (a damaged or cut line)")
    ]
    assert corpus.n_read == 6 and not corpus.sources[0].replaced_bytes

    rows = ["id,date,unit,text"] + [f"{i},2020-04-{10 + i},城关,城关派出所第{i}次开展巡查、劝导群众佩戴口罩。" for i in range(1, 9)]
    table = bytearray(("\n".join(rows) + "\n").encode())
    position = table.index("第4次".encode()) + 1
    table[position] = 0xC0  # row 5 of the file (id 4)
    csv_path = tmp_path / "notices.csv"
    csv_path.write_bytes(bytes(table))
    corpus = read_corpus(csv_path)
    assert [d.doc_id for d in corpus.documents] == ["1", "2", "3", "5", "6", "7", "8"]
    assert [(s.line, "not UTF-8" in s.reason) for s in corpus.skipped] == [(5, True)]
    assert corpus.n_read == 8


def test_bad_bytes_in_a_table_header_make_the_table_unreadable(tmp_path):
    rows = ["id,unit,text"] + [f"{i},城关,城关派出所第{i}次开展巡查、劝导群众佩戴口罩。" for i in range(1, 9)]
    data = ("\n".join(rows) + "\n").encode().replace(b"unit", b"un\xffit")
    with pytest.raises(InputError, match=r"notices\.csv:1: the header row has 1 byte that is not UTF-8"):
        read_corpus(_write(tmp_path / "notices.csv", data))


# --- round two (issue 25): every record accounted for, no traceback from input --------------
# Each test below failed before issue 25's changes (the case it names is quoted from the issue).


def _notices(n: int = 3) -> list[str]:
    return [f"城关派出所第{i}次开展巡查、劝导群众佩戴口罩。" for i in range(1, n + 1)]


def test_a_csv_cell_longer_than_the_csv_module_default_is_read_whole(tmp_path):
    """'a quoted multi-line text makes a 4-row file read as 146 documents … (假单位) enters the clustering'."""
    paragraph = "各单位要加强疫情防控工作，落实各项措施。" * 60  # 1,200 characters a line
    long_text = "\n".join([paragraph] * 100 + ["假单位派出所开展巡查。"] + [paragraph] * 20)
    assert len(long_text) > 131_072
    rows = [["id", "date", "unit", "text"], ["1", "2020-04-01", "城关", _notices()[0]], ["2", "2020-04-02", "城西", long_text]]
    rows += [["3", "2020-04-03", "城东", _notices()[1]], ["4", "2020-04-04", "城南", _notices()[2]]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    corpus = read_corpus(_write(tmp_path / "t.csv", buffer.getvalue().encode()))
    assert [d.doc_id for d in corpus.documents] == ["1", "2", "3", "4"] and not corpus.skipped
    assert corpus.documents[1].text == long_text
    assert corpus.units == ["城关", "城西", "城东", "城南"]  # 假单位 stays inside the text


def test_a_single_line_row_of_200_kb_is_kept_not_called_badly_quoted(tmp_path):
    text = "各单位要加强疫情防控工作。" * 16_000  # 208,000 characters on one line
    data = f"id,text\n1,{text}\n2,{_notices()[0]}\n".encode()
    corpus = read_corpus(_write(tmp_path / "t.csv", data))
    assert [len(d.text) for d in corpus.documents] == [len(text), len(_notices()[0])] and not corpus.skipped


def test_duplicate_column_names_are_refused_naming_them(tmp_path, capsys):
    """'text,date,unit,text: the second text column is analysed, the real texts are dropped'."""
    path = _write(tmp_path / "t.csv", f"text,date,unit,text\n{_notices()[0]},2020-04-01,城关,备注\n".encode())
    assert main(["run", "--corpus", str(path), "--out", str(tmp_path / "o"), "--no-figures"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "t.csv:1: the header names a column more than once: 'text' (columns 1, 4)" in err[0]

    book = openpyxl.Workbook()
    book.active.append(["unit", "text", "unit"])
    book.active.append(["城关", _notices()[0], "城西"])
    book.save(tmp_path / "t.xlsx")
    with pytest.raises(InputError, match=r"'unit' \(columns 1, 3\)"):
        read_corpus(tmp_path / "t.xlsx")


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be-bom", "utf-16-le", "utf-16-be"])
def test_utf32_with_a_bom_and_utf16_without_one_are_read(tmp_path, encoding):
    """'A UTF-32 file with a BOM is read as UTF-16 … UTF-16 without a BOM is called binary'."""
    text = PAGE.decode("utf-8")
    data = b"\x00\x00\xfe\xff" + text.encode("utf-32-be") if encoding == "utf-32-be-bom" else text.encode(encoding)
    corpus = read_corpus(_write(tmp_path / "page.txt", data))
    reference = read_corpus(DEFAULT_CORPUS)
    assert [d.text for d in corpus.documents] == [d.text for d in reference.documents]
    assert corpus.sources[0].encoding == {"utf-32-be-bom": "utf-32"}.get(encoding, encoding)

    table = "id,date,unit,text\n1,2020-04-01,城关,城关派出所开展巡查。\n"
    decoded = decode_lenient(tmp_path / "t.csv", table.encode(encoding if encoding != "utf-32-be-bom" else "utf-32"))
    assert decoded.text == table


def test_a_binary_file_with_nul_bytes_is_still_binary(tmp_path):
    data = bytes(range(256)) * 40
    with pytest.raises(InputError, match="binary file"):
        decode(tmp_path / "x.txt", data)


def test_a_double_bom_does_not_name_the_first_column(tmp_path):
    data = b"\xef\xbb\xbf" + "\ufefftext,unit\n城关派出所开展巡查。,城关\n".encode()
    corpus = read_corpus(_write(tmp_path / "t.csv", data))
    assert [d.text for d in corpus.documents] == ["城关派出所开展巡查。"] and corpus.documents[0].unit == "城关"


def test_every_file_under_a_folder_is_read_or_listed_as_skipped(tmp_path, monkeypatch):
    """'Files under a symlinked or unreadable subfolder are left out and not counted … a FIFO is called the folder is empty'."""
    import os

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.txt").write_bytes(PAGE.replace("鹤北".encode(), "鹤南".encode()))
    corpus_dir = tmp_path / "corpus"
    (corpus_dir / "locked").mkdir(parents=True)
    (corpus_dir / "locked" / "hidden.txt").write_bytes(PAGE)
    (corpus_dir / "page.txt").write_bytes(PAGE)
    (corpus_dir / "linked").symlink_to(elsewhere, target_is_directory=True)
    (corpus_dir / "loop").symlink_to(corpus_dir, target_is_directory=True)
    (corpus_dir / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(corpus_dir / "pipe.txt")
    real_iterdir = Path.iterdir

    def iterdir(self):  # tests run as root, for whom chmod 000 locks nothing: refuse as the OS would
        if self.name == "locked":
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    corpus = read_corpus(corpus_dir, drop_duplicates=False)
    reasons = {Path(s.source).name: s.reason for s in corpus.skipped}
    assert {Path(s.path).name for s in corpus.sources} == {"page.txt", "linked.txt"}
    assert "cannot be listed: Permission denied" in reasons["locked"]
    assert "already read" in reasons["loop"]
    assert "broken link" in reasons["gone.txt"]
    assert "named pipe" in reasons["pipe.txt"]
    with pytest.raises(InputError, match=r"pipe\.txt: a named pipe \(FIFO\), not a file or folder"):
        read_corpus(corpus_dir / "pipe.txt")


def test_a_jsonl_text_that_is_an_object_or_a_list_is_skipped_and_counted(tmp_path):
    """'A JSONL text that is an object or a list is analysed as its Python repr'."""
    lines = [{"text": _notices()[0], "unit": "城关"}, {"text": {"a": "假文本"}}, {"text": ["假", "文本"]}, {"text": _notices()[1], "unit": ["城关"]}]
    path = _write(tmp_path / "r.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode())
    corpus = read_corpus(path)
    assert [d.text for d in corpus.documents] == [_notices()[0]]
    assert [(s.line, s.reason) for s in corpus.skipped] == [
        (2, "the 'text' field is an object, not text (the text must be a string)"),
        (3, "the 'text' field is a list, not text (the text must be a string)"),
        (4, "the 'unit' field is a list, not text (the unit must be a string)"),
    ]
    assert corpus.n_read == 4


def test_every_kind_of_bad_jsonl_line_is_skipped_with_its_number(tmp_path, capsys):
    """'One bad JSONL line kills the run: deep nesting (RecursionError), a 5,000-digit number, a lone surrogate in a text or a unit'."""
    good = [json.dumps({"text": t, "unit": u, "date": f"2020-04-0{i}"}, ensure_ascii=False) for i, (t, u) in enumerate(zip(_notices(), ["城关", "城西", "城东"]), 1)]
    bad = {
        2: '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}",
        3: '{"text": "甲", "n": ' + "9" * 5000 + "}",
        5: '{"text": "城关派出所\\ud800开展巡查。", "unit": "城关"}',
        6: '{"text": "城西派出所开展巡查。", "unit": "\\udc00城西"}',
    }
    lines = [good[0], bad[2], bad[3], good[1], bad[5], bad[6], good[2]]
    path = _write(tmp_path / "r.jsonl", "\n".join(lines).encode())
    out = tmp_path / "out"
    assert main(["run", "--corpus", str(path), "--out", str(out), "--no-figures"]) == 0
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    skipped = {s["line"]: s["reason"] for s in record["skipped"]}
    assert sorted(skipped) == [2, 3, 5, 6] and record["counts"]["documents_analysed"] == 3
    assert "nested too deeply" in skipped[2] and "number too long" in skipped[3]
    assert "lone surrogate" in skipped[5] and "lone surrogate" in skipped[6]
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.slow  # runs with figures (or explore and report): 15-30 s
def test_a_date_outside_the_plausible_range_is_reported_and_left_blank(tmp_path, capsys):
    """'A date typo such as 2920-04-26 is accepted, then explore and report crash (OverflowError)'."""
    rows = ["id,date,unit,text"] + [f"{i},2020-04-2{i},城{u},城{u}派出所第{i}次开展巡查、劝导群众佩戴口罩。" for i, u in zip(range(1, 5), "关西东南")]
    rows.append("5,2920-04-26,城北,城北派出所开展巡查、劝导群众佩戴口罩。")
    path = _write(tmp_path / "t.csv", ("\n".join(rows) + "\n").encode())
    corpus = read_corpus(path)
    typo = corpus.documents[-1]
    assert typo.date_start is None and typo.date_end is None and "2920-04-26 outside 1900–2100" in typo.date_note
    assert any("outside 1900–2100" in note and "t.csv:6" in note for note in corpus.notes)
    assert read_corpus(path, date_range=(1900, 3000)).documents[-1].date_start.year == 2920  # configurable
    out = tmp_path / "out"
    assert main(["run", "--corpus", str(path), "--out", str(out), "--no-figures"]) == 0
    assert main(["explore", "--corpus", str(path), "--out", str(tmp_path / "e")]) == 0
    assert main(["report", "--corpus", str(path), "--out", str(tmp_path / "r")]) == 0
    assert "outside 1900–2100" in capsys.readouterr().out
    config = _write(tmp_path / "c.toml", b"[dates]\nrange = [1900, 3000]\n")
    assert Settings().date_range == (1900, 2100)
    from analysis.config import load_settings

    assert load_settings(config).date_range == (1900, 3000)


def test_a_csv_with_100000_columns_and_no_text_column_gets_a_short_message(tmp_path):
    header = ",".join(f"column_{i}" for i in range(100_000))
    path = _write(tmp_path / "wide.csv", (header + "\n" + ",".join("x" * 100_000) + "\n").encode())
    with pytest.raises(InputError) as caught:
        read_corpus(path)
    assert len(str(caught.value)) < 400 and "100000 columns in all" in str(caught.value)


@pytest.mark.slow
def test_an_html_page_with_30000_nested_elements_is_read_in_bounded_time(tmp_path):
    """'A 337 KB HTML page with 30,000 nested elements is still parsing after 60 s'. The page is read
    under an alarm: before issue 25 it took minutes (time with the square of the depth)."""
    import signal

    depth = 30_000
    page = "<html><head><title>关于加强疫情防控的通知</title></head><body>" + "<div>" * depth
    page += "<p>各单位要加强疫情防控工作。</p>" + "</div>" * depth + "</body></html>"
    assert len(page.encode()) > 330_000

    def too_long(*_):
        raise TimeoutError("still parsing after 60 s")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(60)
    try:
        corpus = read_corpus(_write(tmp_path / "deep.html", page.encode()))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert "各单位要加强疫情防控工作。" in corpus.documents[0].text


# --- round two: outputs written safely and whole ---------------------------------------------


def _one_line(capsys, code: int, fragment: str) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in captured.err, captured.err
    assert fragment in lines[0], lines[0]
    return lines[0]


def _small_csv(tmp_path: Path, units=("城关", "城西", "城东", "城南"), name="c.csv") -> Path:
    rows = ["id,date,unit,text"] + [
        f'{i},2020-04-2{i},"{u}",{u}派出所第{i}次开展巡查、劝导群众佩戴口罩和测温登记，加强疫情防控。' for i, u in enumerate(units, 1)
    ]
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow  # runs with figures (or explore and report): 15-30 s
def test_a_link_inside_out_is_replaced_never_written_through(tmp_path, capsys):
    """'ln -s $PWD/precious.txt out/terms.csv; run --out out overwrites the file outside --out'."""
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "terms.csv").symlink_to(precious)
    assert main(["run", "--out", str(out), "--no-figures"]) == 0
    assert precious.read_text(encoding="utf-8") == "keep me"
    assert not (out / "terms.csv").is_symlink() and (out / "terms.csv").read_text(encoding="utf-8").startswith("term,")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "figures").symlink_to(elsewhere, target_is_directory=True)
    capsys.readouterr()
    code = main(["run", "--corpus", str(_small_csv(tmp_path)), "--out", str(out)])
    _one_line(capsys, code, "figures: is a link; outputs are never written through links")
    assert not list(elsewhere.iterdir())


def test_an_input_inside_out_is_never_overwritten(tmp_path, capsys):
    """'run --corpus m/documents.csv --out m replaces the user's corpus with the output table'."""
    folder = tmp_path / "m"
    folder.mkdir()
    corpus = _small_csv(folder, name="documents.csv")
    before = corpus.read_bytes()
    code = main(["run", "--corpus", str(corpus), "--out", str(folder), "--no-figures"])
    _one_line(capsys, code, "documents.csv: is an input of this run")
    assert corpus.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["documents.csv"]


@pytest.mark.slow  # four runs of the bulletin, two with figures: 4-10 s
def test_an_interrupted_or_failing_run_leaves_the_old_set(tmp_path, capsys, monkeypatch):
    """'Ctrl-C, a crash while drawing figures, or a full disk leaves new tables beside the old manifest.json'."""
    import errno
    import os

    import analysis.viz.publish as publish

    out = tmp_path / "out"
    assert main(["run", "--out", str(out), "--no-figures"]) == 0  # the old set: the shipped bulletin
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    other = _small_csv(tmp_path)

    def crash(*_, **__):
        raise RuntimeError("boom while drawing")

    monkeypatch.setattr(publish, "draw_figures", crash)
    with pytest.raises(RuntimeError):
        main(["run", "--corpus", str(other), "--out", str(out)])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old  # no staging folder left, nothing changed

    def interrupt(*_, **__):
        raise KeyboardInterrupt

    monkeypatch.setattr(publish, "draw_figures", interrupt)
    assert main(["run", "--corpus", str(other), "--out", str(out)]) == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old

    real_to_csv = pd.DataFrame.to_csv

    def full(self, path=None, *args, **kwargs):  # the disk fills up while the tables are written
        if isinstance(path, (str, Path)) and Path(path).name == "mentions.csv":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_to_csv(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    capsys.readouterr()
    code = main(["run", "--corpus", str(other), "--out", str(out), "--no-figures"])
    _one_line(capsys, code, "cannot write there (No space left on device)")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old
    monkeypatch.setattr(pd.DataFrame, "to_csv", real_to_csv)

    real_replace, calls = os.replace, []

    def stop_midway(source, target):  # the disk fills up while the files are moved into place
        calls.append(target)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", stop_midway)
    code = main(["run", "--corpus", str(other), "--out", str(out), "--no-figures"])
    _one_line(capsys, code, "cannot write there")
    assert (out / "RUN_NOT_FINISHED.txt").is_file() and (out / "manifest.json").read_bytes() == old["manifest.json"]
    monkeypatch.setattr(os, "replace", real_replace)
    assert main(["run", "--corpus", str(other), "--out", str(out), "--no-figures"]) == 0
    assert not (out / "RUN_NOT_FINISHED.txt").exists()
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]["documents_analysed"] == 4


@pytest.mark.parametrize("command", ["run", "compare", "validate sample", "validate score", "init", "explore"])
def test_every_command_handles_an_out_that_is_a_file_in_one_line(tmp_path, capsys, command):
    """'run, compare, validate and init crash on an --out that is a file, read-only, or full'."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file", encoding="utf-8")
    args = {
        "run": ["run", "--out", str(blocker), "--no-figures"],
        "compare": ["compare", "--split-date", "2020-04-20", "--out", str(blocker), "--no-figures"],
        "validate sample": ["validate", "sample", "--out", str(blocker / "s.xlsx")],
        "validate score": ["validate", "score", str(tmp_path / "s.xlsx"), "--out", str(blocker)],
        "init": ["init", str(blocker / "a.toml")],
        "explore": ["explore", "--out", str(blocker)],
    }[command]
    if command == "validate score":
        assert main(["validate", "sample", "--out", str(tmp_path / "s.xlsx"), "--n", "5"]) == 0
        capsys.readouterr()
    _one_line(capsys, main(args), "blocker")
    assert blocker.read_text(encoding="utf-8") == "a file"


def test_a_read_only_out_is_one_line(tmp_path, capsys, monkeypatch):
    import tempfile

    def refuse(*_, **__):  # tests run as root, whom a read-only folder does not stop: refuse as the OS would
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    for args in (["run", "--out", str(tmp_path / "r"), "--no-figures"], ["compare", "--split-date", "2020-04-20", "--out", str(tmp_path / "c")]):
        _one_line(capsys, main(args), "cannot write there (Permission denied)")


def test_validate_sample_does_not_overwrite_a_workbook_holding_codes(tmp_path, capsys):
    """'validate sample overwrites a workbook a coder has already filled in'."""
    path = tmp_path / "validation_sample.xlsx"
    assert main(["validate", "sample", "--out", str(path), "--n", "6"]) == 0
    assert main(["validate", "sample", "--out", str(path), "--n", "6"]) == 0  # nothing coded yet: redrawn
    book = openpyxl.load_workbook(path)
    book["coding"]["E2"] = 1
    book.save(path)
    coded = path.read_bytes()
    capsys.readouterr()
    line = _one_line(capsys, main(["validate", "sample", "--out", str(path), "--n", "6"]), "holds 1 code(s) a coder entered")
    assert "validation_sample-2.xlsx" in line and "--force" in line and path.read_bytes() == coded
    assert main(["validate", "sample", "--out", str(path), "--n", "6", "--force"]) == 0 and path.read_bytes() != coded


def test_formula_cells_without_stored_values_are_named_by_sheet_and_cell(tmp_path, capsys):
    """'validate score reads formula cells without stored values (=1) as blank: F1 drops to 0.00 without a word'."""
    path = tmp_path / "s.xlsx"
    assert main(["validate", "sample", "--out", str(path), "--n", "6"]) == 0
    book = openpyxl.load_workbook(path)
    book["coding"]["E3"] = "=1"  # openpyxl stores the formula, no value: as a script or a web app would
    book["coding"]["F4"] = "=0+1"
    book.save(path)
    capsys.readouterr()
    _one_line(capsys, main(["validate", "score", str(path), "--out", str(tmp_path / "v")]), "sheet 'coding': 2 formula cell(s) without a stored value (E3, F4)")


@pytest.mark.parametrize("suffix", [".xls", ".csv", ".ods"])
def test_validate_score_of_another_format_is_one_line(tmp_path, capsys, suffix):
    path = tmp_path / f"coded{suffix}"
    path.write_bytes(b"unit_id,x\n1,1\n")
    _one_line(capsys, main(["validate", "score", str(path), "--out", str(tmp_path / "v")]), f"not an .xlsx workbook")


def test_terminal_control_codes_from_the_corpus_never_reach_the_terminal(tmp_path, capsys):
    """'Raw terminal control codes from the corpus reach the terminal (a unit in a JSONL, a CSV header, a file name)'."""
    hostile = "\u001b]0;PWNED\u0007甲"
    lines = [json.dumps({"text": t, "unit": hostile if i == 0 else "城关"}, ensure_ascii=False) for i, t in enumerate(_notices(3))]
    lines.append('{"text": 1')  # a skipped line, named on screen with the file's name
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder / f"r{hostile}.jsonl", "\n".join(lines).encode())
    _write(folder / "t.csv", f"text,{hostile}\n{_notices(4)[3]},x\n".encode())
    code = main(["run", "--corpus", str(folder), "--out", str(tmp_path / "o"), "--no-figures"])
    captured = capsys.readouterr()
    assert code == 0 and "\x1b" not in captured.out + captured.err and "\x07" not in captured.out + captured.err
    assert "\\x1b]0;PWNED\\x07" in captured.out  # shown, as an escape
    _write(tmp_path / f"bad{hostile}.csv", b"a,b\n1,2\n")
    main(["run", "--corpus", str(tmp_path / f"bad{hostile}.csv"), "--out", str(tmp_path / "o2")])
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b" in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow  # runs with figures (or explore and report): 15-30 s
def test_dollar_signs_and_control_characters_in_names_are_drawn_as_text(tmp_path, capsys):
    """'$ in a unit name or page title crashes figure drawing (mathtext) … a control character in a name makes 8 SVGs invalid XML'."""
    import xml.dom.minidom

    path = _small_csv(tmp_path, units=("城$关$", "城\x01西", "\x1b]0;PWNED\x07城东", "城南"))
    rows = path.read_text(encoding="utf-8").splitlines()
    title = "关于$5$元口罩\x01的通知"  # one title for every document: drawn in every figure's source note
    path.write_text("\n".join([rows[0] + ",title"] + [row + "," + title for row in rows[1:]]) + "\n", encoding="utf-8")
    out = tmp_path / "o"
    assert main(["run", "--corpus", str(path), "--out", str(out), "--formats", "png,svg"]) == 0
    svgs = sorted((out / "figures").glob("*.svg"))
    assert len(svgs) >= 8
    for svg in svgs:
        xml.dom.minidom.parse(str(svg))  # raises on a control character
    assert "城$关$" in (out / "documents.csv").read_text(encoding="utf-8")  # the data keeps its name
    assert "关于$5$元口罩" in (out / "figures" / "terms_bar.svg").read_text(encoding="utf-8")  # the title, drawn as text


def test_a_control_character_in_a_measure_name_reaches_no_workbook_crash(tmp_path, capsys):
    lexicon = tmp_path / "lex.toml"
    lexicon.write_text('[[measure]]\nname = "口罩\\u0001"\nvariants = ["口罩"]\n\n[[measure]]\nname = "测温"\nvariants = ["测温"]\n', encoding="utf-8")
    path = tmp_path / "s.xlsx"
    assert main(["validate", "sample", "--lexicon", str(lexicon), "--corpus", str(_small_csv(tmp_path)), "--out", str(path), "--n", "4"]) == 0
    header = [c.value for c in openpyxl.load_workbook(path)["coding"][1]]
    assert "口罩" in header


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"term,count\n\xb9\xfa\xbc\xd2,3\n", "the reference list is not UTF-8"),  # GBK
        (b"term,count\n\xe5\x9b\xbd\xe5\xae\xb6,99999999999999999999999\n", "count must be a whole number from 0 to 10^15"),
        (None, "is a folder, not a reference list"),
    ],
    ids=["gbk", "huge count", "folder"],
)
def test_a_bad_reference_list_is_one_line_naming_it(tmp_path, capsys, content, fragment):
    path = tmp_path / "ref.csv"
    path.mkdir() if content is None else path.write_bytes(content)
    line = _one_line(capsys, main(["compare", "--reference", str(path), "--out", str(tmp_path / "c"), "--no-figures"]), fragment)
    assert "ref.csv" in line


@pytest.mark.parametrize(
    ("config_text", "fragment"),
    [
        ("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
        ("[clusters]\nk = 1" + "0" * 5000 + "\n", "too large to read"),
        ('[tokens]\ndictionaries = ["."]\n', "is a folder, not a word list"),
        ('[tokens]\nstopwords = ["."]\n', "is a folder, not a word list"),
        ('[figures]\nfont = "notafont.ttf"\n', "not a font file FreeType can open"),
    ],
    ids=["deep nesting", "huge integer", "dictionaries folder", "stopwords folder", "not a font"],
)
def test_config_and_path_errors_name_the_file(tmp_path, capsys, config_text, fragment):
    (tmp_path / "notafont.ttf").write_text("not a font", encoding="utf-8")
    config = tmp_path / "my.toml"
    config.write_text(config_text, encoding="utf-8")
    _one_line(capsys, main(["run", "--config", str(config), "--out", str(tmp_path / "o")]), fragment)


def test_a_font_path_relative_to_the_config_is_found_beside_it(tmp_path):
    from analysis.config import load_settings
    from analysis.viz.fonts import cjk_font_path

    font = cjk_font_path()
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "my.ttf").write_bytes(font.read_bytes())
    (folder / "my.toml").write_text('[figures]\nfont = "my.ttf"\n', encoding="utf-8")
    settings = load_settings(folder / "my.toml")
    assert Path(settings.font) == (folder / "my.ttf").resolve()


def test_a_junk_validation_table_is_one_line(tmp_path, capsys):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02garbage,\n\xff\xfe")
    _one_line(capsys, main(["report", "--validation", str(junk), "--out", str(tmp_path / "r")]), "junk.csv")
    out = tmp_path / "r2"
    out.mkdir()
    (out / "validation.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    _one_line(capsys, main(["report", "--out", str(out)]), "validation.csv:1: not a validation table")


def test_init_refuses_a_line_break_in_the_corpus_path(tmp_path, capsys):
    """'init accepts a line break in --corpus and writes an invalid TOML'."""
    target = tmp_path / "a.toml"
    _one_line(capsys, main(["init", str(target), "--corpus", "my\ncorpus"]), "line break")
    assert not target.exists()


# --- round two: no hang -------------------------------------------------------------------

_SEARCH_PROBE = """<script>
if (window.__noWorker) window.Worker = undefined;
window.addEventListener("load", async function () {
  var out = {};
  var status = function () { return document.getElementById("status").textContent; };
  try {
    await window.explorer.ready;
    if (window.__noWorker) {
      await window.explorer.search("\\\\d*", true, false);
      out.empty = status();
      out.emptyPassages = document.querySelectorAll("#passages li").length;
    }
    await window.explorer.search("(疫+)+$", true, false);
    out.nested = status();
    await window.explorer.search("野家", false, false);
    out.after = status();
  } catch (error) { out.exception = String(error && error.stack || error); }
  var pre = document.createElement("pre"); pre.id = "__probe"; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>"""


def _search_probe(tmp_path: Path, page: Path, *, worker: bool) -> dict:
    import html as html_module
    import re
    import subprocess

    from chromium import CHROMIUM_FLAGS, chromium

    probe = tmp_path / f"probe-{worker}.html"
    flag = "" if worker else "<script>window.__noWorker = true;</script>"
    probe.write_text(page.read_text(encoding="utf-8").replace("<head>", "<head>" + flag + _SEARCH_PROBE, 1), encoding="utf-8")
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / f'profile-{worker}'}", "--virtual-time-budget=20000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,  # a frozen page never dumps: the test fails here
    )
    seen = json.loads(html_module.unescape(re.search(r'<pre id="__probe">(.*?)</pre>', done.stdout, re.S).group(1)))
    assert "exception" not in seen, seen
    return seen


@pytest.mark.slow
def test_the_explorer_search_never_freezes_the_page(tmp_path):
    """'The explorer's search freezes the page for good when a regex can match the empty string (\\d*)
    beside a character outside the BMP (𠮷), and on nested repeats ((疫+)+$) over a long run of one character'.

    Run once as a browser without workers (the search runs in the page: empty matches advance by
    code point, nested repeats are refused at once) and once with them (a worker past its time
    budget is stopped). Headless Chromium's virtual time makes the budget pass early: only the
    stopped search is checked with workers."""
    rows = ["id,date,unit,text", "1,2020-04-01,城关,𠮷野家门店开展防疫消毒3次。", "2,2020-04-02,城西,城西派出所劝导群众佩戴口罩。"]
    rows.append("3,2020-04-03,城东," + "疫" * 60 + "情防控。")
    corpus = _write(tmp_path / "c.csv", ("\n".join(rows) + "\n").encode())
    assert main(["explore", "--corpus", str(corpus), "--out", str(tmp_path / "e")]) == 0
    page = tmp_path / "e" / "explore.html"
    in_page = _search_probe(tmp_path, page, worker=False)
    assert in_page["empty"].startswith("“\\d*”: 1 passage") and in_page["emptyPassages"] == 1  # the 3 of 消毒3次
    assert "not searched: nested repeats" in in_page["nested"] and "(x+)+" in in_page["nested"]
    assert in_page["after"].startswith("“野家”: 1 passage")
    in_worker = _search_probe(tmp_path, page, worker=True)
    assert "stopped after 3 s without finishing" in in_worker["nested"]
    assert in_worker["after"].startswith("“野家”: 1 passage")  # the page still answers


def test_near_rules_look_up_their_companions_once_per_text_not_per_match(tmp_path, monkeypatch):
    """'a near rule with a huge window takes 37 s against 5 s': every match looked through its whole
    window (a sentence as long as the text, or within = 10^9). Counted, not timed: the companions'
    occurrences are found once per text and word, however many matches and however wide the window."""
    import analysis.measures.lexicon as lexicon_module
    from analysis.measures.lexicon import find_mentions, load_lexicon

    path = tmp_path / "lex.toml"
    path.write_text(
        '[[measure]]\nname = "口罩"\nvariants = ["佩戴口罩"]\n\n[[measure.near]]\nmatch = ["口罩"]\nany_of = ["群众", "发放"]\nwithin = 1000000000\n\n'
        '[[measure]]\nname = "测温"\nvariants = ["测温登记"]\n\n[[measure.near]]\nmatch = ["测温"]\nall_of = ["登记"]\nwithin = "sentence"\n',
        encoding="utf-8",
    )
    lexicon = load_lexicon(path)
    text = "城关派出所开展巡查，口罩到位，测温完成" * 2000 + "群众。"
    calls = []
    real = lexicon_module._occurrences
    monkeypatch.setattr(lexicon_module, "_occurrences", lambda text, needle: calls.append(needle) or real(text, needle))
    mentions = find_mentions([text], ["d"], lexicon)
    assert (mentions["measure"] == "口罩").sum() == 2000 and (mentions["measure"] == "测温").sum() == 0
    assert len(calls) == len(set(calls)) and set(calls) <= {"发放", "登记", "群众"}  # was one look per match and word: 4,000


def test_an_interrupted_first_run_leaves_no_empty_output_folder(tmp_path):
    """Ctrl-C before anything is written into a new ``--out`` removes the folders the run made
    for it (an empty folder says nothing about what made it), and only those."""
    from analysis.outputs.safe import OutputFolder

    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "mine.txt").write_text("kept", encoding="utf-8")
    for out in (tmp_path / "new" / "deeper" / "out", existing):
        with pytest.raises(KeyboardInterrupt):
            with OutputFolder(out) as folder:
                (folder.stage / "a.csv").write_text("half", encoding="utf-8")
                raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]  # new/deeper/out gone, parents too
    assert [p.name for p in existing.iterdir()] == ["mine.txt"]

    out = tmp_path / "made" / "out"
    with OutputFolder(out) as folder:  # a run that committed keeps its folder, even if it fails later
        staged = folder.stage / "a.csv"
        staged.write_text("done", encoding="utf-8")
        folder.commit([staged])
    assert (out / "a.csv").read_text(encoding="utf-8") == "done"
