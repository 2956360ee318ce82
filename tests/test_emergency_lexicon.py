"""The shipped emergency-management lexicon: loads, matches, and is chosen by short name."""

from analysis.config import load_settings
from analysis.measures.lexicon import find_mentions, load_lexicon, shipped_lexicons

TEXT = (
    "5月8日,青石镇召开森林防灭火和防汛工作会议,严格管控野外用火,开展隐患排查,"
    "组织群众转移避险,落实24小时值班值守,储备防汛物资,开展实战演练。"
)


def test_emergency_lexicon_loads_with_glosses_and_matches_a_bulletin():
    lexicon = load_lexicon("emergency_management")  # a shipped lexicon by short name
    assert "emergency_management" in shipped_lexicons()
    assert all(m.gloss for m in lexicon.measures)
    found = find_mentions([TEXT], ["d1"], lexicon)
    assert set(found["measure"]) == {"森林防火", "防汛", "火源管控", "安全检查", "群众转移", "值班值守", "队伍物资", "应急演练"}
    assert found.loc[found["variant"] == "森林防灭火", "measure"].tolist() == ["森林防火"]  # longest variant wins


def test_config_selects_a_shipped_lexicon_by_name_or_a_file_by_path(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[measures]\nlexicon = "emergency_management"\n', encoding="utf-8")
    assert load_settings(config).lexicon.name == "emergency_management.toml"
    (tmp_path / "mine.toml").write_text('[[measure]]\nname = "防汛"\nvariants = ["防汛"]\n', encoding="utf-8")
    config.write_text('[measures]\nlexicon = "mine.toml"\n', encoding="utf-8")
    assert load_settings(config).lexicon == (tmp_path / "mine.toml").resolve()
