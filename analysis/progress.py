"""Progress bars for the stages a user waits for (reading, segmenting, methods, figures).

One tqdm bar per stage, shown only when the stage takes longer than two seconds, on a terminal
or in a notebook (as a widget there); none when output goes to a file or a pipe, unless asked
(``progress=True``). ``progress=False`` hides them everywhere.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["progress", "counter", "showing"]

T = TypeVar("T")
DELAY = 2.0  # seconds before a bar appears: quick stages show none


def showing(enabled: bool | None) -> bool:
    """Whether bars are shown: as asked, else on a terminal or in a notebook kernel."""
    if enabled is not None:
        return enabled
    return sys.stderr.isatty() or "ipykernel" in sys.modules


def progress(items: Iterable[T], stage: str, *, enabled: bool | None = None, total: int | None = None, unit: str = "it") -> Iterator[T] | Iterable[T]:
    """``items`` with a bar named ``stage`` when bars are shown; ``items`` unchanged otherwise."""
    if not showing(enabled):
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=stage, total=total, unit=unit, delay=DELAY, file=sys.stderr, leave=False)


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
    from tqdm.auto import tqdm

    return tqdm(desc=stage, total=total, unit=unit, unit_scale=unit == "B", delay=DELAY, file=sys.stderr, leave=False)
