"""The package's shape: a front door, stages that import one way, no compiled code, no side effects."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import analysis

PACKAGE = Path(analysis.__file__).resolve().parent


def _imports() -> dict[str, set[str]]:
    """Module → the package's modules it imports, function-level imports included."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.startswith("analysis"):
                    found.add(target)
                    found.update(f"{target}.{a.name}" for a in node.names)  # `from . import figures`
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("analysis"))
        graph[name] = found
    modules = set(graph)
    return {m: {t for t in targets if t in modules and t != m} for m, targets in graph.items()}


def test_the_import_graph_has_no_cycle():
    graph = _imports()
    graph.pop("analysis")  # the front door re-exports, lazily and only for type checkers
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if target == "analysis":
                continue
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " → ".join([*path, module, target]))
            if not state.get(target):
                visit(target, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        if not state.get(module):
            visit(module, [])
    assert len(graph) > 25


def test_stages_import_only_from_the_floors_below():
    """io → text → measures → methods → result → pipeline → viz / outputs: never upwards."""
    floors = ["errors", "versions", "progress", "io", "config", "text", "measures", "methods", "result", "headlines", "pipeline", "questions", "viz", "outputs"]

    def floor(module: str) -> int:
        return floors.index(module.split(".")[1])

    for module, targets in _imports().items():
        if module == "analysis" or module == "analysis.__main__":
            continue
        for target in targets:
            if target == "analysis":
                continue
            assert floor(target) <= floor(module), f"{module} imports {target}, a floor above it"


def test_the_front_door_gives_what_a_notebook_needs():
    for name in ["read_corpus", "analyse", "load_lexicon", "kwic", "keyness", "findings", "write_outputs", "write_report",
                 "plot_measure_heatmap", "plot_timeline", "plot_wordcloud", "plot_keyness", "publish_figure", "Analysis",
                 "compare", "plot_adoption", "plot_adoption_grid", "plot_comparison", "trend_matrix"]:
        assert callable(getattr(analysis, name)), name
    assert set(analysis.__all__) <= set(dir(analysis))


def test_importing_the_package_loads_nothing_heavy_and_changes_no_state():
    code = (
        "import sys, gc, analysis\n"
        "heavy = [m for m in ('matplotlib', 'pandas', 'sklearn', 'scipy', 'jieba', 'rjieba') if m in sys.modules]\n"
        "print(heavy, gc.isenabled())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[] True"


def test_a_bad_input_is_reported_before_scikit_learn_and_scipy_stats_are_imported():
    # A typo in a path should cost a fraction of a second: the slow imports wait for the methods.
    code = (
        "import sys, analysis\n"
        "try:\n"
        "    analysis.analyse('/no/such/corpus.jsonl')\n"
        "except analysis.AnalysisError as error:\n"
        "    print(type(error).__name__, [m for m in ('sklearn', 'scipy.stats', 'matplotlib') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "InputError []", done.stdout + done.stderr


@pytest.mark.slow  # a fresh interpreter with an empty HOME builds the segmenter's dictionary: 5-13 s
def test_analyse_writes_nothing_and_leaves_matplotlib_and_gc_alone(tmp_path, monkeypatch, bulletin_analysis):
    code = (
        "import gc, os, sys, matplotlib\n"
        "before = matplotlib.get_backend()\n"
        "import analysis\n"
        "result = analysis.analyse()\n"
        "import analysis.viz.figures\n"
        "print(matplotlib.get_backend() == before, gc.isenabled(), sorted(os.listdir('.')))"
    )
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir(), work.mkdir()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=work,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(home), "MPLBACKEND": "svg"})
    assert done.stdout.strip() == "True True []", done.stdout + done.stderr
    assert not [p for p in home.rglob("*") if "policy-analysis" in str(p)]


def test_the_result_is_immutable(bulletin_analysis):
    import dataclasses

    import pytest

    with pytest.raises(dataclasses.FrozenInstanceError):
        bulletin_analysis.notes = ()
    assert bulletin_analysis.methods.kwic is analysis.kwic(bulletin_analysis)


def test_no_compiled_code_in_the_repository():
    root = PACKAGE.parent
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    assert not [f for f in tracked if f.endswith((".c", ".cpp", ".pyx", ".so")) or f == "setup.py"]


def test_no_front_door_name_is_shadowed_by_a_submodule():
    """Importing a submodule binds its name on the package: a public function must not share it."""
    modules = {p.stem for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert not modules & set(analysis.__all__)
