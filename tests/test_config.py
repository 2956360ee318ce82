"""Per-corpus config files: `init` writes a commented starter, `run --config` uses every section."""

import json
import subprocess
import sys

import pytest

from analysis.outputs.cli import main
from analysis.config import load_settings, starter_config
from analysis.errors import ConfigError


def test_init_writes_a_commented_config_that_loads(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    assert main(["init", str(path), "--corpus", "notices"]) == 0
    text = path.read_text(encoding="utf-8")
    assert text.count("\n#") > 20  # commented
    for section in ["[corpus]", "[columns]", "[dates]", "[tokens]", "[measures]", "[clusters]", "[figures]"]:
        assert section in text
    settings = load_settings(path)
    assert settings.corpus == (tmp_path / "notices").resolve()
    assert settings.unit_suffixes is None and settings.format == "auto" and settings.encoding == "auto"  # every shipped suffix
    assert "python -m analysis run --config" in capsys.readouterr().out


def test_init_does_not_overwrite(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("# mine\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "analysis", "init", str(path)], capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"error: {path}: already exists (choose another name, or add --force to overwrite it)"]
    assert path.read_text(encoding="utf-8") == "# mine\n"
    assert main(["init", str(path), "--force"]) == 0 and "[corpus]" in path.read_text(encoding="utf-8")


def test_starter_config_escapes_the_corpus_path():
    assert 'path = "C:/data/my \\"corpus\\""' in starter_config(corpus='C:\\data\\my "corpus"')


def test_run_with_a_config_for_a_table(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notices.csv").write_text(
        "编号,日期,单位,正文\n"
        "a1,2020-01-28,城关,城关镇要求佩戴口罩，做好消毒。\n"
        "a2,2020-01-29,河口,河口镇开展测温扫码。\n"
        "a3,2020-02-03,池河,池河镇严防外来输入，不聚集。\n"
        "a4,2020-02-04,城关,城关镇开窗通风，减少外出。\n",
        encoding="utf-8",
    )
    config = tmp_path / "notices.toml"
    config.write_text(
        '[corpus]\npath = ["data/notices.csv"]\n\n[columns]\ntext = "正文"\ndate = "日期"\nunit = "单位"\nid = "编号"\n\n'
        '[tokens]\nextra_words = ["测温扫码"]\n\n[figures]\nenabled = false\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["run", "--config", str(config), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["documents_analysed"] == 4 and manifest["counts"]["units"] == 3
    assert manifest["inputs"][0]["format"] == "csv"
    measures = (out / "measures.csv").read_text(encoding="utf-8").splitlines()
    assert measures[0].startswith("unit,") and [line.split(",")[0] for line in measures[1:]] == ["城关", "河口", "池河"]
    documents = (out / "documents.csv").read_text(encoding="utf-8")
    assert documents.splitlines()[1].startswith("a1,城关,2020-01-28,2020-01-28,")
    assert not (out / "figures").exists()


@pytest.mark.parametrize(
    "body, message",
    [
        ('[dates]\ndefault_year = "2020"\n', "x.toml:2: 'dates.default_year' must be a year like 2020"),
        ('[corpus]\nscript = "s2t"\n', "x.toml:2: 'corpus.script' must be 'auto', 't2s' or 'none'"),
        ('[corpus]\nencoding = "klingon"\n', "x.toml:2: 'corpus.encoding' must be 'auto' or an encoding name"),
        ('[columns]\ntext = ""\n', "x.toml:2: 'columns.text' must be a column name"),
        ('[corpus]\npath = 3\n', "x.toml:2: 'corpus.path' must be a path or a list of paths"),
        # the values analyse() refuses as keywords, named with the line in a config file
        ("[clusters]\nk = 0\n", "x.toml:2: 'clusters.k' must be a positive whole number, not 0"),
        ('[clusters]\nmetric = "euclidean"\n', "x.toml:2: 'clusters.metric' must be 'jaccard' or 'cosine', not 'euclidean'"),
        ('[clusters]\nlinkage = "ward"\n', "x.toml:2: 'clusters.linkage' must be 'average', 'complete' or 'single', not 'ward'"),
        ('[figures]\ntop_terms = 25\nformats = ["png", "jpg"]\n', "x.toml:3: 'figures.formats' must be a non-empty list of formats from 'png', 'svg', 'pdf'"),
        ("[figures]\nformats = []\n", "x.toml:2: 'figures.formats' must be a non-empty list of formats"),
        ('[figures]\nformats = "svg"\n', "x.toml:2: 'figures.formats' must be a non-empty list of formats"),
        ('[figures]\nsize = "a4"\n', "x.toml:2: 'figures.size' must be 'print' or 'slide', not 'a4'"),
    ],
)
def test_bad_values_name_the_key_and_line(tmp_path, body, message):
    path = tmp_path / "x.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value).startswith(f"{path.parent}/{message}")


def test_config_not_utf8(tmp_path):
    path = tmp_path / "x.toml"
    path.write_bytes('[corpus]\npath = "数据"\n'.encode("gbk"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(path)


def test_run_with_a_config_writes_to_its_own_folder_by_default(tmp_path, monkeypatch):
    (tmp_path / "notices.csv").write_text("text\n城关镇要求佩戴口罩。\n河口镇开展测温。\n", encoding="utf-8")
    (tmp_path / "county.toml").write_text('[corpus]\npath = "notices.csv"\n[figures]\nenabled = false\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--config", "county.toml"]) == 0
    manifest = json.loads((tmp_path / "results" / "county" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["documents_analysed"] == 2
    assert not (tmp_path / "results" / "manifest.json").exists()


# Settings are checked once, in Settings itself: keyword arguments, flags and config files alike.

@pytest.mark.parametrize(
    "setting, message",
    [
        ({"k": 0}, "setting 'k' (config [clusters] k, flag run --k) must be a positive whole number, not 0"),
        ({"metric": "euclidean"}, "setting 'metric' (config [clusters] metric) must be 'jaccard' or 'cosine', not 'euclidean'"),
        ({"linkage": "ward"}, "setting 'linkage' (config [clusters] linkage) must be 'average', 'complete' or 'single', not 'ward'"),
        ({"figure_size": "a4"}, "setting 'figure_size' (config [figures] size, flag report --size) must be 'print' or 'slide', not 'a4'"),
        ({"segmenter": "native"}, "setting 'segmenter' (config [tokens] segmenter, flag --segmenter) must be 'rjieba' or 'jieba'"),
        ({"top_terms": -5}, "setting 'top_terms' (config [figures] top_terms) must be a positive whole number, not -5"),
        ({"k": True}, "setting 'k' (config [clusters] k, flag run --k) must be a positive whole number, not True"),
        ({"figure_formats": []}, "setting 'figure_formats' (config [figures] formats, flag run --formats) must be a non-empty list of formats"),
        ({"figure_formats": ("png", "eps")}, "setting 'figure_formats' (config [figures] formats, flag run --formats) must be a non-empty list"),
        ({"date_range": (2100, 1900)}, "setting 'date_range' (config [dates] range) must be two years, earliest first"),
        ({"hmm": "yes"}, "setting 'hmm' (config [tokens] hmm) must be true or false, not 'yes'"),
        ({"encoding": "klingon"}, "setting 'encoding' (config [corpus] encoding) must be 'auto' or an encoding name"),
    ],
)
def test_keyword_settings_are_checked_like_a_config_file(setting, message):
    """analyse(k=0) used to skip clustering silently, metric/linkage to fail inside scikit-learn."""
    import analysis

    with pytest.raises(ConfigError) as error:
        analysis.analyse(**setting)  # fails before reading anything
    assert str(error.value).startswith(message)
    with pytest.raises(ConfigError):
        analysis.Settings(**setting)


def test_good_values_pass_and_lists_become_tuples(tmp_path):
    from analysis import Settings

    settings = Settings(k=3, metric="cosine", linkage="complete", figure_formats=["pdf", "png", "pdf"], extra_words=["测温扫码"])
    assert settings.figure_formats == ("png", "pdf")  # written in this order, each once
    assert settings.extra_words == ("测温扫码",)
    assert Settings().figure_formats == ("png",)
    assert Settings(issuer_prefixes={"郸防指": "郸城县防控指挥部"}).issuer_prefixes == (("郸防指", "郸城县防控指挥部"),)
    path = tmp_path / "x.toml"
    path.write_text('[figures]\nformats = ["svg", "png"]\n[page]\nissuer_prefixes = {"郸防指" = "郸城县防控指挥部"}\n', encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.figure_formats == ("png", "svg")
    assert loaded.issuer_prefixes == (("郸防指", "郸城县防控指挥部"),)


def test_bad_flags_are_one_line_naming_the_setting(capsys):
    assert main(["run", "--k", "0", "--no-figures", "--out", "unused"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: setting 'k' (config [clusters] k, flag run --k) must be a positive whole number, not 0"
    ]
    assert main(["run", "--formats", "png,eps", "--out", "unused"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --formats must list one or more of png, svg, pdf") and "'png,eps'" in err[0]


def test_cache_settings_are_accepted_with_a_deprecation_line(tmp_path, capsys):
    from analysis.pipeline import settings_for

    path = tmp_path / "old.toml"
    path.write_text('[tokens]\nmin_chars = 2\ncache = true\ncache_dir = "cache"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.min_chars == 2 and not hasattr(settings, "cache")
    assert capsys.readouterr().err.splitlines() == [
        f"deprecated: {path}:3: 'tokens.cache' is ignored (runs keep no cache) and will be removed in the next release; remove it",
        f"deprecated: {path}:4: 'tokens.cache_dir' is ignored (runs keep no cache) and will be removed in the next release; remove it",
    ]
    assert settings_for(cache=False, k=2).k == 2
    assert capsys.readouterr().err.splitlines() == [
        "deprecated: the setting cache=False is ignored (runs keep no cache) and will be removed in the next release; remove it"
    ]


def test_cache_flags_are_accepted_with_a_deprecation_line(tmp_path, capsys):
    (tmp_path / "notices.csv").write_text("text\n城关镇要求佩戴口罩。\n河口镇开展测温。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--corpus", str(tmp_path / "notices.csv"), "--no-figures", "--no-cache", "--cache-dir", "x", "--out", str(out)]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("deprecated:")]
    assert err == [
        "deprecated: the flag --no-cache is ignored (runs keep no cache) and will be removed in the next release; remove it",
        "deprecated: the flag --cache-dir is ignored (runs keep no cache) and will be removed in the next release; remove it",
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "cache" not in manifest["settings"] and manifest["settings"]["figure_formats"] == ["png"]
