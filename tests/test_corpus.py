from datetime import date

import pytest

from analysis.io.corpus import DEFAULT_CORPUS, PageLayout, find_unit, parse_page, read_corpus
from analysis.errors import InputError

UNITS = ["鹤北", "绥阳", "东方红", "大海林", "绥棱", "亚布力", "穆棱", "林口", "柴河"]
CHROME = ["手机版", "当前位置", "设为首页", "加入收藏", "ICP", "咨询监督电话", "文昌街"]


@pytest.fixture(scope="module")
def bulletin():
    return read_corpus()


def test_shipped_bulletin_is_the_shared_page_unchanged():
    shared = DEFAULT_CORPUS.parent.parent.parent.parent / "shared" / "corpus" / DEFAULT_CORPUS.name
    if shared.exists():  # the shared folder sits beside the repository on every machine of the project
        assert DEFAULT_CORPUS.read_bytes() == shared.read_bytes()
    assert DEFAULT_CORPUS.stat().st_size == 7428


def test_units_in_page_order(bulletin):
    assert bulletin.units == UNITS
    assert [d.unit_name for d in bulletin.documents if d.unit] == [u + "分局" for u in UNITS]


def test_one_report_per_branch_plus_the_summary(bulletin):
    kinds = [d.kind for d in bulletin.documents]
    assert kinds == ["summary"] + ["report"] * 9
    summary = bulletin.documents[0]
    assert summary.unit == "" and summary.date_start is None
    assert summary.text.startswith("当前,我省疫情防控工作面临外方输入")


def test_dates_and_notes(bulletin):
    by_unit = {d.unit: d for d in bulletin.documents if d.unit}
    assert (by_unit["鹤北"].date_start, by_unit["鹤北"].date_end) == (date(2020, 4, 18), date(2020, 4, 19))
    assert by_unit["东方红"].date_note == "晚"
    assert by_unit["东方红"].date_start == date(2020, 4, 20)
    assert by_unit["柴河"].date_start == by_unit["柴河"].date_end == date(2020, 4, 23)
    assert all(d.published == date(2020, 4, 26) for d in bulletin.documents)


def test_metadata(bulletin):
    doc = bulletin.documents[0]
    assert doc.title == "省林区公安各分局开展疫情防控工作督导检查"
    assert doc.publisher == "省林业公安局"


def test_boilerplate_gone_but_accounted_for(bulletin):
    texts = "\n".join(d.text for d in bulletin.documents)
    for chrome in CHROME:
        assert chrome not in texts
    removed = [text for _, text in bulletin.sources[0].removed_lines]
    assert removed[0] == "手机版"
    assert any("ICP" in line for line in removed)
    assert any("设为首页" in line for line in removed)


def test_every_body_line_is_a_document(bulletin):
    # 21 lines in the page: 6 blank, 5 chrome, title, metadata line, 10 paragraphs.
    lines = DEFAULT_CORPUS.read_text(encoding="utf-8").splitlines()
    nonblank = [n for n, line in enumerate(lines, 1) if line.replace("\u00a0", " ").strip()]
    used = {d.line for d in bulletin.documents} | {n for n, _ in bulletin.sources[0].removed_lines}
    assert set(nonblank) - used == {5, 6}  # the title and the metadata line


def test_frame_columns(bulletin):
    frame = bulletin.to_frame()
    assert list(frame.columns[:5]) == ["doc_id", "unit", "date_start", "date_end", "text"]
    assert frame["doc_id"].is_unique


@pytest.mark.parametrize(
    "text, expected",
    [
        ("林区公安局鹤北分局局长、治安大队负责人", ("鹤北", "鹤北分局")),
        ("林区公安局大海林分局召开", ("大海林", "大海林分局")),
        ("绥阳分局组织治安大队、双桥子派出所", ("绥阳", "绥阳分局")),
        ("召开会议", None),
        ("分局召开会议", None),
        ("分局林区公安局鹤北分局召开", ("鹤北", "鹤北分局")),  # a suffix at the start is passed over
        ("省公安局林区公安局鹤北分局召开", ("鹤北", "鹤北分局")),  # cut after a marker's last occurrence
        ("全省林业局和公安局鹤北分局", ("鹤北", "鹤北分局")),
        ("林区公安局全省分局", None),  # what is left after the marker is a generic word
    ],
)
def test_find_unit(text, expected):
    assert find_unit(text) == expected


def test_find_unit_with_other_suffixes():
    layout = PageLayout(unit_suffixes=("分局", "派出所", "镇"))
    assert find_unit("双桥子派出所民警深入", layout) == ("双桥子", "双桥子派出所")
    assert find_unit("县公安局池河镇开展", layout) == ("池河", "池河镇")


def test_constructed_page_without_metadata_line():
    page = "疫情防控通报\n1月28日,城关分局开展巡查。\n全县各单位要提高认识。\n"
    docs, removed = parse_page(page, source="x.txt")
    assert [d.title for d in docs] == ["疫情防控通报"] * 2
    assert docs[0].unit == "城关" and docs[0].date_start is None  # no year to anchor the date
    assert docs[1].kind == "summary"
    assert removed == []


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_corpus(tmp_path / "nope.txt")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("  \n")
    with pytest.raises(InputError, match=r"empty\.txt: the file is empty"):
        read_corpus(path)


def test_binary_file(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\x00\x00\x01")
    with pytest.raises(InputError, match="binary"):
        read_corpus(path)


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("第一行\n".encode() + "第二行疫情".encode("gbk"))
    with pytest.raises(InputError, match=r"gbk\.txt:2: bytes that are not UTF-8"):
        read_corpus(path)


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + DEFAULT_CORPUS.read_bytes())
    corpus = read_corpus(path)
    assert corpus.units == UNITS
    assert corpus.sources[0].encoding == "utf-8-sig"


def test_folder_of_pages(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_bytes(DEFAULT_CORPUS.read_bytes())
    (tmp_path / "two.txt").write_text("只有页眉\n设为首页 | 加入收藏\n", encoding="utf-8")
    corpus = read_corpus(tmp_path)
    assert len(corpus.sources) == 2
    assert len(corpus.documents) == 10
    assert len(corpus.skipped) == 1 and corpus.skipped[0].source.endswith("two.txt")


def test_duplicates_are_found_whatever_the_whitespace(tmp_path):
    text = "4月20日,城关分局开展巡查,要求佩戴口罩。"
    spaced = "4月20日, 城关分局\u3000开展巡查,\u00a0要求佩戴\t口罩。"  # ideographic, no-break space, tab
    (tmp_path / "a.txt").write_text(f"简报\n2020-04-26\n{text}\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(f"简报\n2020-04-26\n{spaced}\n", encoding="utf-8")
    corpus = read_corpus(tmp_path)
    assert [d.text for d in corpus.documents] == [text]
    assert [s.reason for s in corpus.skipped] == ["duplicate of a-001 (" + str(tmp_path / "a.txt") + ":3)"]


def test_unchanged_documents_come_back_as_they_are(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text("简报\n2020-04-26\n4月20日,城关分局开展\u200b巡查。\n4月21日,河口分局组织消毒。\n", encoding="utf-8")
    first, second = read_corpus(path).documents
    assert first.text == "4月20日,城关分局开展\u200b巡查。" and first.analysis_text == "4月20日,城关分局开展巡查。"
    assert second.normalized == "" and second.analysis_text == second.text
