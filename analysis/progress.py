"""Progress bars for the stages a user waits for (reading, segmenting, methods, figures).

One tqdm bar per stage, shown only when the stage takes longer than two seconds, on a terminal
or in a notebook (as a widget there); none when output goes to a file or a pipe, unless asked
(``progress=True``). ``progress=False`` hides them everywhere, and so does the environment
variable ``ANALYSIS_PROGRESS=0`` (``python -m analysis notebooks`` sets it for the kernels it
runs headless: nobody watches them).

A notebook's bar is cleared when its stage ends: a saved or executed notebook never carries a
half-finished bar as text (what GitHub and nbviewer show in place of the widget).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["progress", "counter", "showing", "ENVIRONMENT"]

T = TypeVar("T")
DELAY = 2.0  # seconds before a bar appears: quick stages show none
ENVIRONMENT = "ANALYSIS_PROGRESS"  # "0": no bars (headless runs); "1": bars even off a terminal


def showing(enabled: bool | None) -> bool:
    """Whether bars are shown: as asked, else on a terminal or in a notebook kernel."""
    if enabled is not None:
        return enabled
    setting = os.environ.get(ENVIRONMENT, "").strip().lower()
    if setting in {"0", "false", "no", "off"}:
        return False
    if setting in {"1", "true", "yes", "on"}:
        return True
    return sys.stderr.isatty() or _in_notebook()  # a running kernel, not a process that merely imported ipykernel


def _in_notebook() -> bool:
    """Whether this is a Jupyter kernel, where tqdm draws a widget."""
    shell = sys.modules.get("IPython")
    try:
        return shell is not None and "IPKernelApp" in shell.get_ipython().config  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - no IPython shell running
        return False


def _bar(**options):
    """A terminal bar, or in a notebook a widget that is cleared when it closes."""
    if _in_notebook():
        try:
            return _notebook_bar()(**options)
        except ImportError:  # no ipywidgets: tqdm's text bar
            pass
    from tqdm import tqdm

    return tqdm(**options)


def _notebook_bar():
    """tqdm's notebook bar, displayed under a display id and replaced by nothing when it closes
    (leave=False only closes the widget: its text stayed in the saved output)."""
    from tqdm.notebook import tqdm as notebook_tqdm
    import ipywidgets  # noqa: F401 - tqdm's notebook bar needs it

    class ClearedBar(notebook_tqdm):
        def display(self, msg=None, pos=None, close=False, bar_style=None, check_delay=True):
            if check_delay and self.delay > 0 and not self.displayed and not close:
                from IPython.display import display

                self._handle = display(self.container, display_id=True)
                self.displayed = True
            super().display(msg, pos, close, bar_style, check_delay)
            handle = getattr(self, "_handle", None)
            if close and handle is not None:
                handle.update({"text/plain": ""}, raw=True)
                self._handle = None

    return ClearedBar


def progress(items: Iterable[T], stage: str, *, enabled: bool | None = None, total: int | None = None, unit: str = "it") -> Iterator[T] | Iterable[T]:
    """``items`` with a bar named ``stage`` when bars are shown; ``items`` unchanged otherwise."""
    if not showing(enabled):
        return items
    return _bar(iterable=items, desc=stage, total=total, unit=unit, delay=DELAY, file=sys.stderr, leave=False)


class _Silent:
    """What :func:`counter` gives when no bar is shown."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def counter(stage: str, *, total: int | None = None, enabled: bool | None = None, unit: str = "it"):
    """A bar to ``update()`` by hand (e.g. once per figure saved), or a silent stand-in."""
    if not showing(enabled):
        return _Silent()
    return _bar(desc=stage, total=total, unit=unit, unit_scale=unit == "B", delay=DELAY, file=sys.stderr, leave=False)
