"""Read the project's TOML files (configs, lexicons, calendars) with one-line errors.

Every failure names the file and says what to do: not found, a folder, not UTF-8, or a TOML
syntax error (whose message carries the line and column).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["read_toml"]


def read_toml(path: str | Path, *, kind: str, missing: str) -> tuple[dict[str, Any], str]:
    """Parse ``path`` as UTF-8 TOML; return the data and the text (for line lookups).

    ``kind`` names the file in messages ("lexicon", "config file"); ``missing`` is the advice
    given when the file is not there.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        return tomllib.loads(text), text
    except FileNotFoundError:
        raise ConfigError(f"{path}: {kind} not found ({missing})") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a {kind} (give the .toml file)") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: {kind} is not UTF-8 (save it as UTF-8)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {kind} is not valid TOML: {error} (fix the syntax there)") from None
    except RecursionError:
        raise ConfigError(f"{path}: {kind} is nested too deeply to read (arrays or tables inside one another; fix the file)") from None
    except ValueError as error:  # an integer longer than int()'s 4,300 digits
        raise ConfigError(f"{path}: {kind} holds a value too large to read ({str(error).split(';')[0]}; fix the file)") from None
    except OSError as error:
        raise ConfigError(f"{path}: {kind} cannot be read ({error.strerror or error})") from None
