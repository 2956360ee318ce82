"""The manual: the user guide in docs/, the API reference built from the docstrings, and the
docstrings themselves (numpydoc sections, examples that run, module paths that exist)."""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import analysis

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
GUIDE = [ROOT / "README.md", *PAGES]
PUBLIC = [name for name in analysis.__all__ if name != "__version__"]


def _parser():
    from analysis.outputs.cli import _parser

    return _parser()


def _options(parser) -> set[str]:
    """Every option string of a parser and its subcommands."""
    import argparse

    found = set()
    for action in parser._actions:
        found.update(s for s in action.option_strings if s.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _options(sub)
    return found


def _code_lines(path: Path) -> list[str]:
    lines, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside:
            lines.append(line)
    return lines


def test_the_guide_has_one_page_per_task_and_the_readme_points_to_each():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = {p.name for p in PAGES}
    assert {"index.md", "reading.md", "coding.md", "comparing.md", "report-and-explorer.md", "large-corpora.md", "api.md"} <= names
    for page in names:
        assert f"(docs/{page})" in readme, f"README does not link docs/{page}"
    # the README is the first screen: what it is, the two commands, a notebook session, where to go next
    assert len(readme.splitlines()) < 120
    for needed in ("make figures", "make test", "1.1 GB", "fonts-noto-cjk", "import analysis", "## Where to go next"):
        assert needed in readme, needed


def test_every_command_line_in_the_guide_parses():
    """Each `python -m analysis …` line of a code block is accepted by the command line as written."""
    parser = _parser()
    checked = 0
    for path in GUIDE:
        for line in _code_lines(path):
            match = re.search(r"-m analysis (.*)", line)
            if not match:
                continue
            words = shlex.split(match.group(1), comments=True)
            try:
                parser.parse_args(words)
            except SystemExit:
                pytest.fail(f"{path.name}: `{line.strip()}` is not a valid command line")
            checked += 1
    assert checked >= 25


def test_every_option_the_guide_names_exists():
    """An option written in the guide is one the command line (or the benchmark scripts, or the
    named outside tool) takes: a renamed or removed option cannot stay documented."""
    known = _options(_parser())
    for script in (ROOT / "benchmarks").glob("*.py"):
        known |= set(re.findall(r"add_argument\(\s*\"(--[\w-]+)\"", script.read_text(encoding="utf-8")))
    outside = {"--nthreads": "dask worker", "--strict": "mkdocs build", "--help": "argparse", "--allow-root": "jupyter lab"}
    named = set()
    for path in GUIDE:
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", path.read_text(encoding="utf-8")):
            named.add(option)
            assert option in known or option in outside, f"{path.name} names {option}, which no command takes"
    assert {"--lexicon", "--engine", "--uncertain", "--split-date", "--view"} <= named


def test_the_api_reference_documents_every_public_name():
    reference = (DOCS / "api.md").read_text(encoding="utf-8")
    directives = re.findall(r"^::: (analysis\.[\w.]+)$", reference, flags=re.M)
    assert sorted(d.rsplit(".", 1)[1] for d in directives) == sorted(PUBLIC)
    for directive in directives:  # each under the module that defines it
        module, name = directive.rsplit(".", 1)
        assert getattr(importlib.import_module(module), name) is getattr(analysis, name), directive


def _section(doc: str, title: str) -> list[str] | None:
    """The lines of a numpydoc section, or None when the docstring has none."""
    lines = doc.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.strip() == title and set(lines[i + 1].strip()) == {"-"}:
            body = []
            for later in lines[i + 2:]:
                if later.strip() and set(later.strip()) == {"-"} and body:
                    body.pop()  # the previous line was the next section's title
                    break
                body.append(later)
            return body
    return None


def _documented_names(body: list[str]) -> set[str]:
    names = set()
    for line in body:
        if line and not line[0].isspace():
            head = line.split(" : ")[0].strip()
            names |= {part.strip().lstrip("*") for part in head.split(",")}
    return names


def _public_objects():
    for name in PUBLIC:
        obj = getattr(analysis, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            yield name, obj


@pytest.mark.parametrize("name", PUBLIC)
def test_public_names_have_numpydoc_sections(name):
    """Parameters (each one of the signature, no other) and Returns: what `help(analysis.NAME)` shows."""
    obj = getattr(analysis, name)
    doc = inspect.getdoc(obj) or ""
    assert doc and not doc.startswith(("Parameters", "Returns")), f"{name}: no summary line"
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return  # an exception: its summary says when it is raised
    signature = inspect.signature(obj)
    wanted = {p.name for p in signature.parameters.values() if p.name not in ("self", "cls")}
    if inspect.isclass(obj) and _section(doc, "Attributes") is not None:
        documented = _documented_names(_section(doc, "Attributes"))
        assert wanted <= documented | _documented_names(_section(doc, "Parameters") or []), f"{name}: undocumented {wanted - documented}"
        return
    if wanted:
        body = _section(doc, "Parameters")
        assert body is not None, f"{name}: no Parameters section"
        documented = _documented_names(body)
        assert documented == wanted, f"{name}: Parameters lists {sorted(documented - wanted)} not in the signature, misses {sorted(wanted - documented)}"
    if inspect.isfunction(obj) and signature.return_annotation not in (None, "None"):
        assert _section(doc, "Returns") is not None or _section(doc, "Yields") is not None, f"{name}: no Returns section"


# Examples that run the pipeline on the shipped bulletin, or import scikit-learn or matplotlib.
_HEAVY = re.compile(r"\b(analyse|read_corpus|train_coding_model|score_coding|plot_\w+|source_note)\(")


def _docstring_in_source(name: str) -> str:
    """A public name's docstring read from its module's source, without importing it."""
    path = ROOT / "analysis" / (analysis._PUBLIC[name].replace(".", "/") + ".py")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return ast.get_docstring(node) or ""
    raise AssertionError(f"{name} is not defined in {path}")


def _public_doctests(heavy: bool) -> list[doctest.DocTest]:
    """The public names' Examples sections: those that analyse the shipped bulletin, fit a
    model or draw a figure when ``heavy``, the quick ones on tiny in-memory input otherwise
    (only their modules are imported)."""
    finder = doctest.DocTestFinder(recurse=False)
    found = []
    for name in PUBLIC:
        source = "\n".join(e.source for e in doctest.DocTestParser().get_examples(_docstring_in_source(name)))
        if not source or heavy != bool(_HEAVY.search(source)):
            continue
        obj = getattr(analysis, name)
        module = sys.modules[obj.__module__]
        found += [t for t in finder.find(obj, name, module=module, globs={**vars(module), "analysis": analysis}) if t.examples]
    return found


def _run(tests: list[doctest.DocTest]) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_quick_docstring_examples_run():
    """Examples on tiny in-memory input (a lexicon, a few sentences, a small table) are doctests."""
    tests = _public_doctests(heavy=False)
    assert len(tests) >= 10, [t.name for t in tests]
    _run(tests)


@pytest.mark.slow
def test_docstring_examples_on_the_bulletin_run():
    """Examples that analyse the shipped bulletin (about 1 s each once the segmenter is built),
    fit a model or draw a figure."""
    tests = _public_doctests(heavy=True)
    assert len(tests) >= 12, [t.name for t in tests]
    _run(tests)


def _resolves(reference: str) -> bool:
    parts = reference.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attribute in parts[i:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return False
        return True
    return False


def test_docstrings_name_only_modules_and_files_that_exist():
    """``analysis.x.y``, :func:`name` (from the docstring's module, or the package) and
    ``io/pages/dates.py``-like paths in any docstring of the package resolve."""
    stale = []
    for path in sorted((ROOT / "analysis").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            doc = ast.get_docstring(node) or ""
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'name', '<module>')}"
            for reference in re.findall(r"(?<![\w/])analysis(?:\.\w+)+", doc):
                if not _resolves(reference.rstrip(".")):
                    stale.append(f"{where}: {reference}")
            for role, reference in re.findall(r":(func|class|mod|data|meth|attr|exc):`~?([\w.]+)`", doc):
                if role in ("meth", "attr") and "." not in reference:
                    continue  # a member of the class the docstring is in
                if not any(_resolves(c) for c in (reference, f"{module}.{reference}", f"analysis.{reference}")):
                    stale.append(f"{where}: :{role}:`{reference}`")
            for file in re.findall(r"(?<![\w./])((?:analysis/)?(?:io|text|measures|methods|viz|outputs|resources)/[\w/-]+\.(?:py|txt|toml|js|j2))", doc):
                if not (ROOT / (file if file.startswith("analysis/") else f"analysis/{file}")).exists():
                    stale.append(f"{where}: {file}")
    assert stale == []


@pytest.mark.slow
def test_the_guide_builds_with_warnings_as_errors(tmp_path):
    """`make docs`: MkDocs with mkdocstrings, strict (a broken link, anchor or docstring fails)."""
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("analysis.questions.kwic", "analysis.pipeline.analyse", "analysis.outputs.report.write_report"):
        assert f'id="{name}"' in api, name
    assert api.count(">Parameters") >= 50 and api.count(">Returns") >= 50 and api.count(">Examples") >= 30
    assert (tmp_path / "site" / "figures" / "measures_heatmap.png").is_file()  # ../figures/ images resolve


def test_every_repository_path_the_guide_names_exists():
    """`analysis/resources/page_units.toml`, `tests/test_bad_input.py`, `io/pages/dates.py`, …:
    a file moved or renamed cannot stay in the guide."""
    pattern = re.compile(r"`((?:analysis|tests|benchmarks|examples|notebooks|docs|data|io|text|measures|methods|viz|outputs)/[\w./-]+)`")
    named = []
    for path in GUIDE:
        for file in pattern.findall(path.read_text(encoding="utf-8")):
            file = file.rstrip("/")
            named.append(file)
            in_package = ROOT / "analysis" / file
            assert (ROOT / file).exists() or in_package.exists(), f"{path.name} names {file}, which does not exist"
    assert len(named) >= 20
