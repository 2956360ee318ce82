"""One exception family for input a user can fix, so the CLI can print it as one line."""

from __future__ import annotations

from pathlib import Path

__all__ = ["AnalysisError", "InputError", "ConfigError"]


class AnalysisError(Exception):
    """An error caused by the user's input or settings; its message says what to do.

    The command line prints it as one line and exits with code 2. Its subclasses are
    ``InputError`` (a file that cannot be read, named with its line) and ``ConfigError`` (a
    config or lexicon file with a wrong key, value or syntax).

    Examples
    --------
    >>> import analysis
    >>> try:
    ...     analysis.analyse("no-such-folder/")
    ... except analysis.AnalysisError as error:
    ...     print(str(error).split(":")[0])
    no-such-folder
    """


class InputError(AnalysisError):
    """A corpus file that cannot be read. The message names the file (and line, if known)."""

    def __init__(self, path: str | Path, problem: str, *, line: int | None = None, hint: str = "") -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        message = f"{where}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)
        self.path = str(path)
        self.line = line
        #: The message without the file name: what is wrong and what to do.
        self.problem = problem + (f" ({hint})" if hint else "")

    def __reduce__(self) -> tuple:
        # Pickled whole (a Dask worker sends its errors to the client): by default only the
        # message would travel, and __init__ needs the path and the problem.
        return _rebuilt, (type(self), self.path, self.problem, self.line)


def _rebuilt(kind: type, path: str, problem: str, line: int | None) -> InputError:
    return kind(path, problem, line=line)


class ConfigError(AnalysisError):
    """A configuration or lexicon file with a wrong key, value or syntax."""
