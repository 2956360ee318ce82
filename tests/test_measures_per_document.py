"""A corpus without units still gets its measures: one row per document, said in the notes."""

import pandas as pd
import pytest

from analysis.outputs.tables import _by_key
from analysis.pipeline import analyse

ROWS = "text,date\n会议要求佩戴口罩，做好消毒。,2020-01-28\n开展测温扫码，加强宣传。,2020-01-29\n严防外来输入，不聚集。,2020-02-03\n"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = tmp_path_factory.mktemp("c") / "notices.csv"
    path.write_text(ROWS, encoding="utf-8")
    return analyse(path)


def test_measures_per_document_when_no_unit_is_known(result):
    assert result.measures.index.name == "doc_id" and len(result.measures) == 3
    assert result.measures.loc["notices-002", "个人防护"] == 1 and result.measures.loc["notices-003", "测温扫码"] == 2
    assert result.units == [] and result.clustering is None
    assert any("measures counted per document" in note for note in result.notes)


def test_measures_table_carries_date_and_source(result):
    table = _by_key(result.measures, result.documents)
    assert list(table.columns[:3]) == ["doc_id", "date_start", "source"]
    assert table["source"].str.endswith("notices.csv").all()


def test_unit_tables_keep_the_unit_column():
    frame = pd.DataFrame({"防汛": [1, 0]}, index=pd.Index(["青石", "柳河"], name="unit"))
    assert list(_by_key(frame, pd.DataFrame()).columns) == ["unit", "防汛"]
