"""Run the numbered notebooks in ``notebooks/`` top to bottom (nbclient, as papermill does).

Notebooks are stored without outputs; running them writes executed copies (with outputs) to a
build folder and their figures to a figures folder, so one command regenerates everything.
"""

from __future__ import annotations

import os
import subprocess
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
    lexicon: str | Path | None = None,
    folder: Path = NOTEBOOK_DIR,
    progress: bool = True,
    jobs: int | None = None,
) -> list[Path]:
    """Execute every notebook on a fresh kernel with the given parameters; return executed copies.

    The notebooks are independent (each analyses the corpus itself, no results being cached,
    and writes figures of its own), so ``jobs`` of them run at once, each kernel in its own
    process; what they write is the same as one after another. A line per notebook is printed as
    it finishes (name, seconds, figures).

    Parameters
    ----------
    figures_dir : str or Path
        Where the notebooks write their figures.
    executed_dir : str or Path
        Where the executed copies, with their outputs, go; files a notebook writes besides its
        figures (the coding workbooks of 06) go to its ``validation/`` subfolder.
    corpus : str, Path or None
        The corpus every notebook analyses; None: the shipped bulletin (or the config's).
    config : str, Path or None
        A config file passed to every notebook.
    lexicon : str, Path or None
        A shipped lexicon's name or a lexicon file passed to every notebook.
    folder : Path
        The notebooks to run (``notebooks/`` of the repository).
    progress : bool
        Print the line per notebook.
    jobs : int or None
        Notebooks at once (default: one per core, at most two).

    Returns
    -------
    list of Path
        The executed notebooks, in reading order.

    Raises
    ------
    AnalysisError
        A failing cell, naming the first failing notebook in reading order (the executed copy,
        with the traceback in it, is kept for reading).
    """
    notebooks = list_notebooks(folder)
    if not notebooks:
        raise AnalysisError(f"{folder}: no numbered notebooks found")
    executed_dir = Path(executed_dir).resolve()
    executed_dir.mkdir(parents=True, exist_ok=True)
    parameters = {
        "corpus": str(Path(corpus).resolve()) if corpus else None,
        "config": str(Path(config).resolve()) if config else None,
        "lexicon": str(lexicon) if lexicon else None,
        "figures_dir": str(Path(figures_dir).resolve()),
        # Files a notebook writes besides figures (06's coding workbooks) go under this run's own
        # folder: two runs at once (another corpus, a test) never read each other's workbooks.
        "validation_dir": str(executed_dir / "validation"),
    }
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    jobs = max(1, min(jobs or min(cores, 2), len(notebooks)))
    targets = [executed_dir / notebook.name for notebook in notebooks]
    if progress:
        print(f"running {len(notebooks)} notebooks, {jobs} at a time: {', '.join(n.name for n in notebooks)} …", flush=True)
    from jupyter_core.utils import run_sync

    failures = run_sync(_execute_all)(notebooks, targets, parameters, folder, jobs, progress)
    for failure in failures:  # reading order
        if failure:
            raise AnalysisError(failure)
    return targets


async def _execute_all(
    notebooks: list[Path], targets: list[Path], parameters: dict, folder: Path, jobs: int, progress: bool = False
) -> list[str | None]:
    """Every notebook, ``jobs`` at a time: each on its own kernel (a process of its own), driven
    from this one process by nbclient. The last notebooks do the most (the government reports,
    the explorer): started first, they do not run alone at the end. With ``progress``, one line
    per notebook as it finishes: its name, seconds and the figures it showed."""
    import asyncio
    import time

    slots = asyncio.Semaphore(jobs)

    async def one(i: int) -> str | None:
        async with slots:
            started = time.perf_counter()
            failure = await _execute(notebooks[i], targets[i], parameters, folder)
            if progress:
                shown = _figures_shown(targets[i])
                outcome = "failed" if failure else f"{shown} figure{'' if shown == 1 else 's'}"
                print(f"  {notebooks[i].name}: {time.perf_counter() - started:.0f} s, {outcome}", flush=True)
            return failure

    started = {i: asyncio.ensure_future(one(i)) for i in reversed(range(len(notebooks)))}
    return [await started[i] for i in range(len(notebooks))]


async def _execute(notebook: Path, target: Path, parameters: dict, folder: Path) -> str | None:
    """Run one notebook on a fresh kernel, its parameters set after its ``parameters`` cell (as
    papermill does); write the executed copy; the error message if a cell failed, else None."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    try:
        book = nbformat.read(notebook, as_version=4)
        _inject(book, parameters)
        client = NotebookClient(book, timeout=None, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    except Exception as error:  # noqa: BLE001 - not a notebook that can run (bad JSON, …)
        return f"{notebook}: could not be run: {type(error).__name__}: {error} (check that it is a Jupyter notebook with a Python kernel)"
    try:
        # The kernel's own start-up chatter (e.g. ipykernel's transport warning) is not shown;
        # a cell's error, and a kernel that dies, are reported below.
        await client.async_execute(stderr=subprocess.DEVNULL)
    except CellExecutionError as error:
        failed = next((c for c in book.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        count = failed.get("execution_count") if failed is not None else "?"
        return f"{notebook}: cell {count} failed: {error.ename}: {error.evalue} (see {target})"
    except Exception as error:  # noqa: BLE001 - no kernel, a kernel that died, …
        return f"{notebook}: could not be run: {type(error).__name__}: {error} (check that it is a Jupyter notebook with a Python kernel)"
    finally:
        nbformat.write(book, target)
    return None


def _figures_shown(executed: Path) -> int:
    """Images among an executed notebook's outputs (0 if it cannot be read)."""
    import json

    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return 0
    return sum("image/png" in o.get("data", {}) for c in cells for o in c.get("outputs", []))


def _inject(book, parameters: dict) -> None:
    """A cell setting ``parameters`` right after the cell tagged ``parameters`` (first if none)."""
    import nbformat

    source = "# Parameters\n" + "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    tagged = [i for i, c in enumerate(book.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    book.cells.insert(tagged[0] + 1 if tagged else 0, cell)
