"""Coding rules in the lexicon: exclude, near (any_of / all_of, characters or sentence).

Every right answer below is counted by hand on the constructed text.
"""

from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.measures.lexicon import Lexicon, Measure, NearRule, find_mentions, load_lexicon, rule_effects
from analysis.methods.diagnostics import LEXICON_REPORT_COLUMNS, lexicon_report

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rules-lexicon.toml"


def lexicon(*measures: Measure) -> Lexicon:
    return Lexicon(name="t", measures=measures)


def spans(frame: pd.DataFrame) -> list[tuple[str, str, int, int]]:
    return list(frame[["measure", "variant", "start", "end"]].itertuples(index=False, name=None))


def test_exclude_cancels_a_match_inside_the_context():
    lex = lexicon(Measure("民生", "", ("民生",), exclude=("国民生产", "人民生活")))
    text = "保障民生，国民生产总值增长，人民生活改善。"
    #       0 1 2 3 4 5 6 7 8 ...: 民生 at 2, inside 国民生产 at 6, inside 人民生活 at 14
    assert spans(find_mentions([text], ["d"], lex)) == [("民生", "民生", 2, 4)]
    effects = rule_effects([text], lex)
    assert effects.to_dict("records") == [
        {"measure": "民生", "rule": "exclude: 国民生产", "effect": "removed", "matches": 1},
        {"measure": "民生", "rule": "exclude: 人民生活", "effect": "removed", "matches": 1},
    ]


def test_exclude_needs_the_context_to_hold_the_whole_match():
    # 生产 is not inside 国民生 (the context must cover the match), so it stays
    lex = lexicon(Measure("生产", "", ("生产",), exclude=("国民生",)))
    assert spans(find_mentions(["国民生产"], ["d"], lex)) == [("生产", "生产", 2, 4)]


def test_near_within_characters_counts_gaps_on_either_side():
    rule = NearRule(match=("聚集",), any_of=("防止", "严禁"), within=3)
    lex = lexicon(Measure("不聚集", "", ("不聚集",), near=(rule,)))
    texts = [
        "严禁聚集。",          # gap 0 before: added
        "聚集务必严禁。",      # gap 2 after: added
        "防止人员大量聚集。",  # 防止 ends at 2, 聚集 starts at 6: gap 4 > 3, not added
        "不聚集。",            # the variant itself; the rule adds nothing over it
        "聚集。严禁",          # gap 1 across a full stop: characters, not sentences, so added
    ]
    found = find_mentions(texts, ["a", "b", "c", "d", "e"], lex)
    assert list(found.itertuples(index=False, name=None)) == [
        ("a", "不聚集", "聚集", 2, 4),
        ("b", "不聚集", "聚集", 0, 2),
        ("d", "不聚集", "不聚集", 0, 3),
        ("e", "不聚集", "聚集", 0, 2),
    ]
    assert rule_effects(texts, lex)["matches"].tolist() == [3]


def test_near_in_the_same_sentence_and_all_of():
    rule = NearRule(match=("复工",), all_of=("复产", "有序"), within="sentence")
    lex = lexicon(Measure("复工复产", "", ("复工复产",), near=(rule,)))
    texts = [
        "有序推进复工和复产。",    # both in the sentence: added
        "推进复工。有序复产。",    # 复产 and 有序 in the next sentence: not added
        "有序复工，企业复产；",    # the comma does not end a sentence: added
        "复工复产有序。",          # the variant; 复工 inside it is not counted again
    ]
    found = find_mentions(texts, list("abcd"), lex)
    assert spans(found) == [
        ("复工复产", "复工", 4, 6),
        ("复工复产", "复工", 2, 4),
        ("复工复产", "复工复产", 0, 4),
    ]
    assert found["doc_id"].tolist() == ["a", "c", "d"]


def test_any_of_and_all_of_together():
    rule = NearRule(match=("口罩",), any_of=("佩戴", "戴好"), all_of=("必须",), within="sentence")
    lex = lexicon(Measure("个人防护", "", ("护目镜",), near=(rule,)))
    texts = ["必须佩戴口罩。", "必须准备口罩。", "佩戴口罩。", "必须戴好口罩和护目镜。"]
    found = find_mentions(texts, list("abcd"), lex)
    assert found[["doc_id", "variant"]].values.tolist() == [["a", "口罩"], ["d", "口罩"], ["d", "护目镜"]]


def test_a_companion_overlapping_the_match_does_not_count():
    # 禁止聚集 contains 聚集; the companion must stand beside the match, not on it
    rule = NearRule(match=("止聚",), any_of=("禁止",), within=0)
    lex = lexicon(Measure("x", "", ("无关",), near=(rule,)))
    assert find_mentions(["禁止聚集"], ["d"], lex).empty


def test_exclude_applies_to_matches_a_near_rule_adds():
    rule = NearRule(match=("聚集",), any_of=("禁止",), within=5)
    lex = lexicon(Measure("不聚集", "", ("不聚集",), exclude=("聚集地",), near=(rule,)))
    texts = ["禁止前往聚集地。", "禁止聚集。"]
    assert find_mentions(texts, ["a", "b"], lex)[["doc_id", "start"]].values.tolist() == [["b", 2]]
    assert rule_effects(texts, lex)[["effect", "matches"]].values.tolist() == [["removed", 1], ["added", 1]]


def test_a_near_match_counts_for_its_measure_beside_another_measures_mention():
    """Overlapping measures: 聚集 inside another measure's 人员聚集 still counts for 不聚集,
    but not again for a measure that already has the stretch."""
    rule = NearRule(match=("聚集",), any_of=("禁止",), within=5)
    lex = lexicon(Measure("人员聚集", "", ("人员聚集",)), Measure("不聚集", "", ("不聚集",), near=(rule,)))
    found = find_mentions(["禁止人员聚集。"], ["d"], lex)
    assert spans(found) == [("人员聚集", "人员聚集", 2, 6), ("不聚集", "聚集", 4, 6)]
    same = lexicon(Measure("不聚集", "", ("人员聚集",), near=(rule,)))
    assert spans(find_mentions(["禁止人员聚集。"], ["d"], same)) == [("不聚集", "人员聚集", 2, 6)]


def test_one_measure_counts_one_stretch_once():
    """A measure's matches never overlap: 边防检查站, a variant of its own, is one mention (not
    边防 and 检查站); 边防、检查站 apart are two; a near rule's match inside it adds nothing."""
    near = NearRule(match=("检查站",), any_of=("边防",), within="sentence")
    lex = lexicon(Measure("边境管控", "", ("边防", "边防检查站"), near=(near,)))
    assert spans(find_mentions(["设立边防检查站。"], ["d"], lex)) == [("边境管控", "边防检查站", 2, 7)]
    assert len(find_mentions(["边防、检查站。"], ["d"], lex)) == 2
    assert len(find_mentions(["边防边防。"], ["d"], lex)) == 2


def test_rules_are_read_from_toml_and_reported(tmp_path):
    lex = load_lexicon(EXAMPLE)
    assert [m.name for m in lex.measures if m.has_rules] == ["不聚集", "民生", "复工复产"]
    assert lex.measures[1].exclude == ("国民生产", "人民生活")
    assert lex.measures[2].near[0] == NearRule(match=("复工",), all_of=("复产",), within="sentence")
    texts = ["劝散聚集人员。国民生产平稳。保障民生。"]
    documents = pd.DataFrame({"doc_id": ["d"], "text": texts})
    mentions = find_mentions(texts, ["d"], lex)
    terms = pd.DataFrame({"term": ["国民生产"], "count": [1]})
    report = lexicon_report(lex, documents, mentions, [["劝散", "聚集", "人员", "国民生产", "保障", "民生"]], terms)
    assert list(report.columns) == LEXICON_REPORT_COLUMNS
    rules = report[report["kind"] == "rule"]
    assert rules[["measure", "status", "mentions"]].values.tolist() == [
        ["不聚集", "added matches", 1],
        ["民生", "removed matches", 1],
        ["民生", "removed matches", 0],
        ["复工复产", "added matches", 0],
    ]
    assert rules["entry"].iloc[0] == "near: 聚集/聚餐/聚会 with any of 防止/禁止/严禁/劝散/约束/减少 within 8 characters"
    # rule rows come after the measure's variants
    assert report.loc[report["measure"] == "民生", "kind"].tolist()[:3] == ["variant", "rule", "rule"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('exclude = "国民"\nnear = 3', "'near' must be a table"),
        ('exclude = [1]', "'exclude' must be a list of non-empty strings"),
        ('[[measure.near]]\nany_of = ["禁止"]', "missing 'match'"),
        ('[[measure.near]]\nmatch = "聚集"', "at least one of 'any_of' or 'all_of'"),
        ('[[measure.near]]\nmatch = "聚集"\nany_of = ["禁止"]\nwithin = "paragraph"', "'within' must be a number"),
        ('[[measure.near]]\nmatch = "聚集"\nany_of = ["禁止"]\nwithin = -1', "'within' must be a number"),
        ('[[measure.near]]\nmatch = "聚集"\nnone_of = ["禁止"]', "unknown key 'none_of'"),
    ],
)
def test_bad_rules_name_the_measure_and_key(tmp_path, body, message):
    path = tmp_path / "lex.toml"
    path.write_text(f'[[measure]]\nname = "甲"\nvariants = ["甲"]\n{body}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as error:
        load_lexicon(path)
    assert "lex.toml: measure 1 (甲)" in str(error.value)


def test_a_lexicon_without_rules_matches_as_before():
    lex = lexicon(Measure("a", "", ("口罩", "口罩和")), Measure("b", "", ("防护",)))
    assert not lex.has_rules
    text = "口罩和防护服，口罩。"
    assert spans(find_mentions([text], ["d"], lex)) == [("a", "口罩和", 0, 3), ("b", "防护", 3, 5), ("a", "口罩", 7, 9)]
    assert rule_effects([text], lex).empty
