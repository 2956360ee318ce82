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
