"""Outputs written safely and whole: staged in ``--out``, then moved into place.

Every command writes its files into a hidden staging folder inside ``--out`` and renames them
into place only when all of them are written, ``manifest.json`` last. An interrupted run (Ctrl-C,
a crash while drawing, a full disk) leaves the old set untouched; a run stopped during the
renames themselves leaves ``RUN_NOT_FINISHED.txt`` saying so. A rename replaces a symbolic link
found at an output's name instead of writing through it, a folder inside ``--out`` that is a link
is refused, and so is an output that would replace one of the run's own inputs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import AnalysisError

__all__ = ["OutputFolder", "UNFINISHED", "write_file_safely", "unusable_out", "run_inputs", "probe"]

#: Left in ``--out`` while files are moved into place: a run stopped then leaves it behind.
UNFINISHED = "RUN_NOT_FINISHED.txt"
_UNFINISHED_TEXT = (
    "The run that wrote this folder did not finish moving its files into place: the files here may\n"
    "mix two runs, and manifest.json may not describe them. Run the command again.\n"
)
_STAGE_PREFIX = ".policy-analysis-staging-"


def unusable_out(out: Path, error: OSError) -> AnalysisError:
    """The one-line error for an ``--out`` that cannot be written (a file, read-only, full)."""
    return AnalysisError(f"{out}: cannot write there ({error.strerror or error}); choose another --out folder")


def run_inputs(analysis: object) -> list[Path]:
    """Every file a finished analysis read: corpus files, config, lexicon, word lists, calendar, font."""
    paths: list[Path] = [Path(source.path) for source in getattr(getattr(analysis, "corpus", None), "sources", [])]
    settings = getattr(analysis, "settings", None)
    for name in ("source", "lexicon", "calendar", "font"):
        value = getattr(settings, name, None)
        if value:
            paths.append(Path(value))
    for name in ("dictionaries", "stopwords"):
        paths.extend(Path(p) for p in (getattr(settings, name, None) or ()))
    lexicon_path = getattr(getattr(analysis, "lexicon", None), "path", None)
    if lexicon_path:
        paths.append(Path(lexicon_path))
    return paths


def _inside(name: object, folder: Path) -> bool:
    """True when an OSError's file name is in ``folder`` (or names none: a write to an open file)."""
    if name is None:
        return True
    try:
        return Path(os.fsdecode(name)).resolve().is_relative_to(folder.resolve())
    except (TypeError, ValueError, OSError):
        return False


def probe(out: str | Path) -> None:
    """Fail early, in one line, on an ``--out`` that cannot be written (a file, a read-only folder),
    before the analysis runs; creates nothing."""
    out = Path(out)
    existing = next((p for p in (out, *out.parents) if p.exists() or p.is_symlink()), Path("."))
    try:
        if not existing.is_dir():
            raise NotADirectoryError(20, "it is a file, not a folder" if existing == out else f"{existing} is a file, not a folder", str(out))
        os.rmdir(tempfile.mkdtemp(prefix=_STAGE_PREFIX, dir=existing))
    except OSError as error:
        raise unusable_out(out, error) from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        first, second = os.lstat(a), os.stat(b)  # the output's own name (a link there is replaced, not followed)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


class OutputFolder:
    """Stage the files of one command in ``out`` and move them into place together.

    ``with OutputFolder(out, inputs) as folder:`` write into ``folder.stage`` (any layout),
    then ``folder.commit(paths)`` moves them to the same place under ``out``, ``manifest.json``
    last, and returns the final paths. Leaving the block without committing (an error, Ctrl-C)
    removes the staging folder and leaves ``out`` as it was: the folders it made for ``out`` are
    removed too, if nothing was moved into them.
    """

    def __init__(self, out: str | Path, inputs: Iterable[str | Path] = ()) -> None:
        self.out = Path(out)
        self.inputs = [Path(p) for p in inputs]
        self.stage = Path()
        self.made: list[Path] = []  # folders of ``out`` that did not exist before, innermost first
        self.committed = False

    def __enter__(self) -> "OutputFolder":
        try:
            self.made = [p for p in (self.out, *self.out.parents) if not (p.exists() or p.is_symlink())]
            self.out.mkdir(parents=True, exist_ok=True)
            self.stage = Path(tempfile.mkdtemp(prefix=_STAGE_PREFIX, dir=self.out))
        except OSError as error:
            raise unusable_out(self.out, error) from None
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)
        if not self.committed:
            for folder in self.made:  # an interrupted first run leaves no empty folder behind
                try:
                    folder.rmdir()
                except OSError:
                    break  # not empty (something else wrote there) or not ours to remove
        if isinstance(error, OSError) and _inside(error.filename, self.out):
            raise unusable_out(self.out, error) from None  # a full disk while writing: one line, old set kept

    def add_inputs(self, paths: Iterable[str | Path]) -> None:
        self.inputs.extend(Path(p) for p in paths)

    def final(self, staged: Path) -> Path:
        return self.out / staged.relative_to(self.stage)

    def commit(self, staged: Iterable[Path]) -> list[Path]:
        """Move the staged files into ``out`` (manifest.json last); return where they now are."""
        files = sorted(dict.fromkeys(Path(p) for p in staged), key=lambda p: (p.name == "manifest.json", str(p)))
        targets = [self.final(p) for p in files]
        for target in targets:
            self._check(target)
        marker = self.out / UNFINISHED
        try:
            _atomic_bytes(marker, _UNFINISHED_TEXT.encode("utf-8"), self.stage)
            for source, target in zip(files, targets):
                self._folder(target.parent)
                os.replace(source, target)  # replaces a link at ``target``, never writes through it
            os.unlink(marker)
        except OSError as error:
            raise unusable_out(self.out, error) from None
        finally:
            self.committed = True  # from the first file moved, ``out`` holds results: it stays
        return targets

    def _check(self, target: Path) -> None:
        """Refuse, before anything is moved, a target inside a linked folder or over an input."""
        current = self.out
        for part in target.parent.relative_to(self.out).parts:
            current = current / part
            if current.is_symlink():
                raise AnalysisError(f"{current}: is a link; outputs are never written through links (remove it, or choose another --out folder)")
        for given in self.inputs:
            if _same_file(target, given):
                raise AnalysisError(
                    f"{target}: is an input of this run ({given}); writing there would replace it: choose another --out folder"
                )

    def _folder(self, folder: Path) -> None:
        """Make ``folder`` (inside ``out``, checked by :meth:`_check`) a real folder."""
        current = self.out
        for part in folder.relative_to(self.out).parts:
            current = current / part
            if not current.exists():
                current.mkdir()


def _atomic_bytes(path: Path, data: bytes, scratch: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=scratch)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_file_safely(path: str | Path, data: bytes, *, inputs: Iterable[str | Path] = ()) -> Path:
    """Write one file whole: to a temporary name beside it, then renamed over ``path`` (a link at
    ``path`` is replaced, not followed); refused if ``path`` is one of ``inputs``."""
    path = Path(path)
    for given in inputs:
        if _same_file(path, Path(given)):
            raise AnalysisError(f"{path}: is an input of this run ({given}); writing there would replace it: choose another name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_bytes(path, data, path.parent)
    except OSError as error:
        reason = error.strerror or str(error)
        raise AnalysisError(f"{path}: cannot write there ({reason}); choose another path") from None
    return path
