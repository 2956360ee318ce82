"""Run the numbered notebooks in ``notebooks/`` top to bottom with papermill.

Notebooks are stored without outputs; running them writes executed copies (with outputs) to a
build folder and their figures to a figures folder, so one command regenerates everything.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import AnalysisError

__all__ = ["NOTEBOOK_DIR", "list_notebooks", "run_notebooks"]

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"


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
    jobs: int | None = None,
) -> list[Path]:
    """Execute every notebook on a fresh kernel with the given parameters; return executed copies.

    The notebooks are independent (each analyses the corpus itself, no results being cached,
    and writes figures of its own), so ``jobs`` of them (default: one per core, at most
    two) run at once, each kernel in its own process; what they write is the same as one after
    another. A failing cell gives an :class:`AnalysisError` naming the first failing notebook in
    reading order (the executed copy, with the traceback in it, is kept for reading).
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

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
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    jobs = max(1, min(jobs or min(cores, 2), len(notebooks)))
    targets = [executed_dir / notebook.name for notebook in notebooks]
    if jobs == 1:
        failures = []
        for notebook, target in zip(notebooks, targets):
            if progress:
                print(f"running {notebook.name} …", flush=True)
            failure = _execute(notebook, target, parameters, folder)
            if failure:
                failures.append(failure)
                break
    else:
        if progress:
            print(f"running {len(notebooks)} notebooks, {jobs} at a time: {', '.join(n.name for n in notebooks)} …", flush=True)
        # Fresh interpreters (spawn): a kernel client is not something to fork mid-run. The last
        # notebooks do the most (the government reports, the explorer): started first, they no
        # longer run alone at the end while the short ones have long finished.
        last_first = list(reversed(range(len(notebooks))))
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            results = pool.map(_execute, [notebooks[i] for i in last_first], [targets[i] for i in last_first],
                               [parameters] * len(notebooks), [folder] * len(notebooks))
            failures = list(reversed(list(results)))  # reading order, for the message
    for failure in failures:
        if failure:
            raise AnalysisError(failure)
    return targets


def _execute(notebook: Path, target: Path, parameters: dict, folder: Path) -> str | None:
    """Run one notebook with papermill; the error message if a cell failed, else None."""
    import papermill

    try:
        papermill.execute_notebook(
            str(notebook), str(target), parameters=parameters, cwd=str(folder), progress_bar=False, kernel_name="python3"
        )
    except papermill.PapermillExecutionError as error:
        return f"{notebook}: cell {error.exec_count} failed: {error.ename}: {error.evalue} (see {target})"
    except Exception as error:  # noqa: BLE001 - not a notebook papermill can run (bad JSON, no kernel, …)
        return f"{notebook}: could not be run: {type(error).__name__}: {error} (check that it is a Jupyter notebook with a Python kernel)"
    return None
