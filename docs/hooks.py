"""MkDocs hook: the guide shows the figures that `make figures` writes to figures/ beside docs/.

The pages link them as ``../figures/NAME.png`` so that they also show on GitHub; this adds those
files to the site (as ``figures/NAME.png``) so that the links resolve in `mkdocs build --strict`.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files, InclusionLevel


def on_files(files: Files, config) -> Files:
    docs = Path(config["docs_dir"])
    for path in sorted((docs.parent / "figures").glob("*.png")):
        files.append(
            File(f"../figures/{path.name}", str(docs), config["site_dir"], config["use_directory_urls"], dest_uri=f"figures/{path.name}",
                 inclusion=InclusionLevel.INCLUDED)
        )
    return files


# The docstrings cross-reference in Sphinx's roles (:func:`~analysis.kwic`), which Markdown shows
# as written. This griffe extension (mkdocs.yml: the python handler's `extensions`) turns a role
# into a link when its target is documented on the API page, else into inline code.

import re

import griffe

_ROLE = re.compile(r":(?:func|class|mod|data|meth|attr|exc|obj):`(~?)([\w.]+)`")
_API = Path(__file__).with_name("api.md")


def _documented() -> set[str]:
    return set(re.findall(r"^::: ([\w.]+)$", _API.read_text(encoding="utf-8"), flags=re.M))


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every docstring as Markdown links or code."""

    def __init__(self) -> None:
        self.documented = _documented()
        self.by_name = {path.rsplit(".", 1)[1]: path for path in self.documented}

    def _target(self, name: str, obj: griffe.Object) -> str | None:
        module = obj.module.path if not isinstance(obj, griffe.Module) else obj.path
        for candidate in (name, f"{module}.{name}", self.by_name.get(name.removeprefix("analysis."), "")):
            if candidate in self.documented:
                return candidate
        return None

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is None:
            return

        def link(match: re.Match[str]) -> str:
            tilde, name = match.groups()
            shown = name.rsplit(".", 1)[-1] if tilde else name
            target = self._target(name, obj)
            return f"[`{shown}`][{target}]" if target else f"`{shown}`"

        obj.docstring.value = _ROLE.sub(link, obj.docstring.value)
