"""Installed versions of packages, read quickly: they key the caches and go in the manifest."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import metadata

__all__ = ["package_version"]


@lru_cache(maxsize=None)
def package_version(name: str) -> str:
    """``importlib.metadata.version(name)`` without parsing the whole metadata file as e-mail,
    which takes a few milliseconds a package (every worker process asks for some).
    Raises ``importlib.metadata.PackageNotFoundError`` like it."""
    distribution = metadata.distribution(name)
    found = re.search(r"^Version:[ \t]*(\S+)", distribution.read_text("METADATA") or "", re.MULTILINE)
    return found.group(1) if found else distribution.version
