"""Run the numbered notebooks in ``notebooks/`` top to bottom with papermill.

Notebooks are stored without outputs; running them writes executed copies (with outputs) to a
build folder and their figures to a figures folder, so one command regenerates everything.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import AnalysisError

__all__ = ["NOTEBOOK_DIR", "list_notebooks", "run_notebooks"]

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"


def list_notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The numbered notebooks (``01-….ipynb``) in reading order."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]-*.ipynb"))


def run_notebooks(
    *,
    figures_dir: str | Path,
    executed_dir: str | Path,
    corpus: str | Path | None = None,
    config: str | Path | None = None,
    folder: Path = NOTEBOOK_DIR,
    progress: bool = True,
) -> list[Path]:
    """Execute every notebook on a fresh kernel with the given parameters; return executed copies.

    A failing cell stops the run with an :class:`AnalysisError` naming the notebook (the executed
    copy, with the traceback in it, is kept for reading).
    """
    import papermill

    notebooks = list_notebooks(folder)
    if not notebooks:
        raise AnalysisError(f"{folder}: no numbered notebooks found")
    executed_dir = Path(executed_dir).resolve()
    executed_dir.mkdir(parents=True, exist_ok=True)
    parameters = {
        "corpus": str(Path(corpus).resolve()) if corpus else None,
        "config": str(Path(config).resolve()) if config else None,
        "figures_dir": str(Path(figures_dir).resolve()),
    }
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    written = []
    for notebook in notebooks:
        target = executed_dir / notebook.name
        if progress:
            print(f"running {notebook.name} …", flush=True)
        try:
            papermill.execute_notebook(
                str(notebook), str(target), parameters=parameters, cwd=str(folder), progress_bar=False, kernel_name="python3"
            )
        except papermill.PapermillExecutionError as error:
            raise AnalysisError(
                f"{notebook}: cell {error.exec_count} failed: {error.ename}: {error.evalue} (see {target})"
            ) from None
        written.append(target)
    return written
