"""Diffusion: who adopted which measure when, on constructed corpora whose order is known by hand."""

import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.measures.lexicon import Lexicon, Measure, find_mentions
from analysis.methods.diffusion import ADOPTION_COLUMNS, CURVE_COLUMNS, adoption, adoption_curve

LEXICON = Lexicon(
    name="t",
    measures=(Measure("扫码", "scan", ("扫码",)), Measure("封控", "lockdown", ("封控",)), Measure("消毒", "disinfect", ("消毒",))),
)

# By hand: 扫码 first in A (03-01), then B and C on the same day (03-04), D never.
#          封控 first in C (03-04; its second report, 03-10, mentions it again), then A (03-10), B and D never.
#          消毒 nobody. E reports once, undated: it is not a unit of the diffusion.
DOCUMENTS = pd.DataFrame(
    {
        "doc_id": ["a1", "b1", "c1", "a2", "c2", "d1", "e1"],
        "unit": ["A", "B", "C", "A", "C", "D", "E"],
        "date_start": ["2020-03-01", "2020-03-04", "2020-03-04", "2020-03-10", "2020-03-10", "2020-03-05", None],
        "text": ["扫码登记", "全员扫码", "扫码封控", "封控扫码", "继续封控", "开会", "扫码封控消毒"],
    }
)


def _adoption(**kwargs) -> pd.DataFrame:
    mentions = find_mentions(DOCUMENTS["text"], DOCUMENTS["doc_id"], LEXICON)
    return adoption(DOCUMENTS, mentions, LEXICON.names, **kwargs)


def test_first_dates_ranks_and_lags_known_by_hand():
    table = _adoption()
    assert list(table.columns) == ADOPTION_COLUMNS
    assert len(table) == 4 * 3  # units with a dated report × measures; undated E left out
    scan = table[table["measure"] == "扫码"].set_index("unit")
    assert scan["first_date"].to_dict() == {"A": "2020-03-01", "B": "2020-03-04", "C": "2020-03-04", "D": ""}
    assert scan["rank"].tolist()[:3] == [1, 2, 2] and pd.isna(scan.loc["D", "rank"])  # a tie shares the better rank
    assert scan["lag_days"].tolist()[:3] == [0, 3, 3]
    assert scan["adopted"].tolist() == [True, True, True, False]
    assert (scan["n_adopters"] == 3).all() and (scan["n_units"] == 4).all() and (scan["first_adopter"] == "A").all()
    lock = table[table["measure"] == "封控"].set_index("unit")
    assert lock.loc["C", "first_date"] == "2020-03-04" and lock.loc["C", "rank"] == 1 and lock.loc["C", "mentions"] == 2
    assert lock.loc["A", "first_date"] == "2020-03-10" and lock.loc["A", "rank"] == 2 and lock.loc["A", "lag_days"] == 6
    assert not table[table["measure"] == "消毒"]["adopted"].any()
    assert (table["reference_unit"] == "").all() and table["lag_reference_days"].isna().all()


def test_lag_behind_a_reference_unit():
    table = _adoption(reference_unit="C")
    scan = table[table["measure"] == "扫码"].set_index("unit")["lag_reference_days"]
    assert scan["A"] == -3 and scan["B"] == 0 and scan["C"] == 0 and pd.isna(scan["D"])  # A was ahead of C
    lock = table[table["measure"] == "封控"].set_index("unit")["lag_reference_days"]
    assert lock["A"] == 6 and lock["C"] == 0


def test_share_of_units_that_have_adopted_by_each_date():
    curve = adoption_curve(_adoption(), DOCUMENTS)
    assert list(curve.columns) == CURVE_COLUMNS
    scan = curve[curve["measure"] == "扫码"].set_index("date")
    assert list(scan.index) == ["2020-03-01", "2020-03-04", "2020-03-05", "2020-03-10"]  # every reporting date
    assert scan["adopters"].tolist() == [1, 3, 3, 3] and scan["new_adopters"].tolist() == [1, 2, 0, 0]
    assert scan["share"].tolist() == pytest.approx([0.25, 0.75, 0.75, 0.75])
    lock = curve[curve["measure"] == "封控"]["share"].tolist()
    assert lock == pytest.approx([0, 0.25, 0.25, 0.5])
    assert (curve[curve["measure"] == "消毒"]["share"] == 0).all()


def test_no_units_or_no_dates_give_empty_tables():
    undated = DOCUMENTS.assign(date_start=None)
    mentions = find_mentions(DOCUMENTS["text"], DOCUMENTS["doc_id"], LEXICON)
    assert adoption(undated, mentions, LEXICON.names).empty
    assert adoption(DOCUMENTS.assign(unit=""), mentions, LEXICON.names).empty
    assert adoption_curve(adoption(undated, mentions, LEXICON.names), undated).empty


def test_analyse_computes_adoption_and_checks_the_reference_unit(tmp_path):
    from analysis import analyse

    path = tmp_path / "reports.csv"
    DOCUMENTS.drop(columns="doc_id").rename(columns={"date_start": "date"}).to_csv(path, index=False)
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text(
        '[lexicon]\nname = "t"\n'
        + "".join(f'[[measure]]\nname = "{m.name}"\ngloss = "{m.gloss}"\nvariants = ["{m.variants[0]}"]\n' for m in LEXICON.measures),
        encoding="utf-8",
    )
    result = analyse(path, lexicon=lexicon, reference_unit="C")
    table = result.methods.adoption
    assert table[(table["unit"] == "A") & (table["measure"] == "扫码")]["lag_reference_days"].iloc[0] == -3
    assert {"adoption.csv", "adoption_curve.csv"} <= set(result.methods.tables())
    with pytest.raises(ConfigError, match="reference_unit 'Z' is not a unit of this corpus"):
        analyse(path, lexicon=lexicon, reference_unit="Z")


def test_reference_unit_in_a_config_file(tmp_path):
    from analysis.config import load_settings

    good = tmp_path / "good.toml"
    good.write_text('[diffusion]\nreference_unit = "鹤北"\n', encoding="utf-8")
    assert load_settings(good).reference_unit == "鹤北"
    bad = tmp_path / "bad.toml"
    bad.write_text('[diffusion]\nreference_unit = "  "\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml:2: 'diffusion.reference_unit' must be a unit's name"):
        load_settings(bad)



def test_adoption_and_trends_copy_only_the_columns_they_use_when_some_documents_are_undated():
    """Leaving out the undated documents used to copy every column of the documents table (its
    Arrow text columns too: the table's size again); only doc_id, unit and the
    date are taken now. A column that fails when its rows are taken shows which are copied."""
    from datetime import date, timedelta

    import numpy as np

    from analysis.measures.lexicon import load_lexicon
    from analysis.methods.trends import mention_trends

    class Untakeable(pd.arrays.ArrowStringArray):
        def take(self, *args, **kwargs):
            raise AssertionError("the title column was copied")

    lexicon, n = load_lexicon(), 50
    documents = pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(n)],
        "unit": [f"单位{i % 5}" for i in range(n)],
        "date_start": [None] + [date(2020, 1, 1) + timedelta(days=i) for i in range(1, n)],
    })
    documents["title"] = Untakeable(pd.array([f"标题{i}" for i in range(n)], dtype="str")._pa_array)
    mentions = pd.DataFrame({"doc_id": [f"d{i}" for i in range(0, n, 3)], "measure": lexicon.names[0]})
    table = adoption(documents, mentions, lexicon.names)
    assert table["adopted"].sum() == 5 and len(table) == 5 * len(lexicon.names)
    assert adoption_curve(table, documents)["date"].nunique() == n - 1  # every dated day
    trends = mention_trends(documents, mentions, lexicon, chars=np.full(n, 100))
    assert trends["n_documents"].sum() == (n - 1) * (len(lexicon.names) + 1)
