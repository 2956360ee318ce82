"""Scripts: traditional characters detected and converted to simplified (OpenCC t2s)."""

from __future__ import annotations

import numpy as np
import re
from functools import lru_cache
from typing import Any


__all__ = ['may_be_traditional', 'to_simplified', 'is_traditional']


@lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _convertible() -> re.Pattern[str] | None:
    """Characters of the CJK block that t2s changes on their own; None if that cannot be known."""
    block = "".join(chr(c) for c in range(0x4E00, 0xA000))
    converted = to_simplified(block)
    if len(converted) != len(block):
        return None
    changed = "".join(a for a, b in zip(block, converted) if a != b)
    return re.compile(f"[{re.escape(changed)}]") if changed else None


def may_be_traditional(text: str) -> bool:
    """False when no character of ``text`` is changed by t2s on its own: conversion can be skipped.

    A cheap test run before the real conversion, which dominates reading time on large
    simplified corpora. (Characters converted only inside phrases, such as 乾 in 乾燥, cannot
    reach the 2 % share :func:`is_traditional` asks for.)
    """
    pattern = _convertible()
    return pattern is None or pattern.search(text) is not None


def to_simplified(text: str) -> str:
    """Traditional → simplified characters (OpenCC ``t2s``), for matching and segmentation only."""
    return _converter().convert(text)


def is_traditional(text: str, simplified: str | None = None, *, threshold: float = 0.02) -> bool:
    """True if at least ``threshold`` of the Chinese characters change under t2s conversion.

    Simplified text has a few characters OpenCC maps anyway (rare variants); a share of 2 %
    separates the 1954 report (~20 %) from simplified reports (< 0.1 %).
    """
    simplified = to_simplified(text) if simplified is None else simplified
    original = _code_points(text)
    cjk = int(np.count_nonzero((original >= 0x4E00) & (original <= 0x9FFF)))
    if not cjk:
        return False
    converted = _code_points(simplified)
    common = min(len(original), len(converted))  # compared position by position, as zip() would
    changed = int(np.count_nonzero(original[:common] != converted[:common]))
    return changed / cjk >= threshold


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as an array, one per character (lone surrogates included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
