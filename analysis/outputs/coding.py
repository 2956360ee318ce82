"""Hand-coding workbooks: write a sample for coders to fill in, read the filled workbooks back
and score them (``python -m analysis validate sample|score``).

The sample workbook has three sheets: ``coding`` (one row per text unit: ``unit_id``, ``unit``,
``date``, the text in full with nothing marked, then one empty column per measure for 0/1),
``measures`` (each measure's gloss and example variants) and ``about`` (instructions, the
coder's name to fill in, and the corpus hash, the lexicon, the kind of text unit and the
random state the sample was drawn with). Every text cell is stored as text, never as a formula.

Reading back checks what a coder can get wrong and stops with one line naming the workbook,
sheet, row and column: a column that is not a measure of the lexicon, a measure without a
column, a cell that is not 0, 1 or blank, a unit the corpus does not have, a sample drawn from
another corpus (the hash differs). In a row holding any 0 or 1, a blank counts as 0; a row left
wholly blank was not coded and is left out of that coder's scores.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..measures.lexicon import Lexicon, find_mentions, load_lexicon
from ..methods.handcoding import (
    VALIDATION_COLUMNS,
    coding_disagreements,
    corpus_hash,
    draw_sample,
    score_coding,
    text_units,
)
from ..result import Analysis
from .workbook import stable_zip_bytes, store_text_as_text, workbook_bytes

__all__ = [
    "CodingInputs", "coding_inputs", "write_coding_sample", "read_codings", "score_workbooks", "train_from_workbooks",
    "uncertain_sample", "Remapping", "remap_units", "SKIPPED_COLUMNS",
]

CODING_SHEET = "coding"
ABOUT_SHEET = "about"
_FIXED = ["unit_id", "unit", "date", "text"]
_INSTRUCTIONS = (
    "Read each text in sheet 'coding' and type 1 under every measure it expresses, 0 (or nothing) under the others. "
    "A row with any 1 or 0 counts as coded, its blanks as 0; leave a row wholly blank to skip it. "
    "Sheet 'measures' explains each measure. Do not change the unit_id column or the sheet names; write your name as coder below."
)


class CodingInputs:
    """What sampling and scoring need from a corpus: the documents with their analysed text,
    the lexicon's mentions, the lexicon, and the corpus hash."""

    def __init__(self, documents: pd.DataFrame, mentions: pd.DataFrame, lexicon: Lexicon, label: str) -> None:
        self.documents = documents
        self.mentions = mentions
        self.lexicon = lexicon
        self.label = label
        self.sha256 = corpus_hash(documents["doc_id"].astype(str).tolist(), documents["text"].astype(str).tolist())
        sources = documents["source"].dropna().unique().tolist() if "source" in documents else []
        #: The files read (corpus files, lexicon): never written over.
        self.paths = [Path(p) for p in sources if p] + ([Path(lexicon.path)] if getattr(lexicon, "path", None) else [])


def coding_inputs(source: Any = None, **settings: Any) -> CodingInputs:
    """From an :class:`~analysis.result.Analysis`, or from what :func:`analysis.analyse` accepts
    (a corpus path, a config file, Settings; default the shipped bulletin) without running the
    whole analysis: the corpus is read and the lexicon matched, nothing more."""
    if isinstance(source, Analysis):
        from ..questions import analysed_documents

        return CodingInputs(analysed_documents(source), source.mentions, source.lexicon, _label(source.settings))
    from ..pipeline import corpus_from_settings, settings_for

    chosen = settings_for(source, **settings)
    corpus = corpus_from_settings(chosen)
    documents = corpus.to_frame().assign(text=corpus.analysis_texts())
    lexicon = load_lexicon(chosen.lexicon)
    mentions = find_mentions(documents["text"].tolist(), documents["doc_id"].tolist(), lexicon)
    return CodingInputs(documents, mentions, lexicon, _label(chosen))


def _label(settings: Any) -> str:
    """Where the corpus came from, for the about sheet: the config file, the corpus path, or the shipped bulletin."""
    if settings.source:
        return f"--config {settings.source}"
    corpus = settings.corpus
    if not corpus:
        return "the shipped bulletin (no --config or --corpus)"
    return "--corpus " + (", ".join(map(str, corpus)) if isinstance(corpus, tuple) else str(corpus))


def write_coding_sample(
    source: Any, path: str | Path, *, n: int = 60, by: str = "sentence", random_state: int = 0, model: Any = None,
    force: bool = False,
) -> pd.DataFrame:
    """Draw the sample (:func:`~analysis.methods.handcoding.draw_sample`) and write it as the
    workbook a coder fills in (sheets ``coding``, ``measures``, ``about``).

    Parameters
    ----------
    source : Analysis, CodingInputs or a corpus
        An analysis, or what :func:`coding_inputs` accepts (a corpus path or config).
    path : str or Path
        The workbook to write (``.xlsx``).
    n : int
        Text units in the sample.
    by : str
        "sentence" or "document".
    random_state : int
        Seed of the draw: the same corpus and seed give the same sample.
    model : CodingModel, str, Path or None
        With a model (or its file), the ``n`` units the model is least sure of are drawn instead
        (:func:`uncertain_sample`): coding them teaches the model most.
    force : bool
        Replace a workbook at ``path`` that holds codes (otherwise
        :class:`~analysis.errors.InputError` suggests a free name).

    Returns
    -------
    pandas.DataFrame
        The sample with the lexicon's codes (for checking, not for the coder).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import analysis
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sample.xlsx"
    >>> sample = analysis.write_coding_sample(analysis.analyse(), path, n=12)
    >>> len(sample), path.is_file()
    (12, True)
    """
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment
    from openpyxl.worksheet.datavalidation import DataValidation

    if n < 1:
        raise InputError(path, f"--n must be 1 or more, not {n}")
    inputs = source if isinstance(source, CodingInputs) else coding_inputs(source)
    lexicon = inputs.lexicon
    units = text_units(inputs.documents, inputs.mentions, lexicon, by=by)
    if model is not None:
        model = _model(model)
        sample = uncertain_sample(units, model, inputs, n=n)
    else:
        sample = draw_sample(units, lexicon, n=n, random_state=random_state)
    coding = sample[_FIXED].copy()
    for name in lexicon.names:
        coding[name] = pd.Series([None] * len(coding), dtype=object)
    measures = pd.DataFrame(
        [(m.name, m.gloss, m.covers, m.does_not_cover, "、".join(m.variants[:5]), _rules_text(m)) for m in lexicon.measures],
        columns=["measure", "gloss", "covers", "does_not_cover", "examples", "rules"],
    )
    from .. import __version__

    about = pd.DataFrame(
        [
            ("instructions", _INSTRUCTIONS),
            ("coder", ""),
            ("corpus", inputs.label),
            ("corpus_sha256", inputs.sha256),
            ("lexicon", f"{lexicon.name} ({Path(lexicon.path).name})" if lexicon.path else lexicon.name),
            ("text_unit", by),
            ("units_in_sample", str(len(sample))),
            ("random_state", str(random_state)) if model is None else ("drawn_as", f"the {n} units the model (coder {model.coder}) is least sure of"),
            ("drawn_by", f"policy-analysis {__version__}: python -m analysis validate sample"),
        ],
        columns=["key", "value"],
    )
    target = Path(path)
    book = load_workbook(io.BytesIO(workbook_bytes({CODING_SHEET: coding, "measures": measures, ABOUT_SHEET: about})))
    sheet = book[CODING_SHEET]
    sheet.column_dimensions["D"].width = 80
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    if lexicon.names and len(sample):
        from openpyxl.utils import get_column_letter

        check = DataValidation(type="list", formula1='"0,1"', allow_blank=True, showErrorMessage=True)
        check.error = "Type 0 or 1, or leave the cell blank."
        first, last = get_column_letter(len(_FIXED) + 1), get_column_letter(len(_FIXED) + len(lexicon.names))
        check.add(f"{first}2:{last}{len(sample) + 1}")
        sheet.add_data_validation(check)
    book[ABOUT_SHEET].column_dimensions["B"].width = 80
    for worksheet in book.worksheets:
        store_text_as_text(worksheet)
    buffer = io.BytesIO()
    book.save(buffer)
    from .safe import write_file_safely

    if not force:
        refuse_coded_workbook(target)
    write_file_safely(target, stable_zip_bytes(buffer.getvalue()), inputs=inputs.paths)
    return sample


def refuse_coded_workbook(path: Path) -> None:
    """Stop before a new sample replaces a workbook a coder has filled in (its default name is the
    one coders are told to fill): name how many codes it holds and a free name to use instead."""
    if not path.exists():
        return
    book = _open(path)
    codes = 0
    if not isinstance(book, InputError) and CODING_SHEET in book.sheetnames:
        rows = list(book[CODING_SHEET].iter_rows(values_only=True))
        codes = sum(1 for cells in rows[1:] for cell in cells[len(_FIXED):] if cell not in (None, ""))
    if isinstance(book, InputError) or codes:
        stem, number = path.stem, 2
        while path.with_name(f"{stem}-{number}{path.suffix}").exists():
            number += 1
        what = f"holds {codes} code(s) a coder entered" if codes else "exists and is not a sample workbook this command wrote"
        raise InputError(
            path, f"{what}: not overwritten", hint=f"write the new sample with --out {path.with_name(f'{stem}-{number}{path.suffix}')}, or add --force"
        )


def _model(model: Any) -> Any:
    from ..measures.model import load_model

    return load_model(model) if isinstance(model, (str, Path)) else model


def uncertain_sample(units: pd.DataFrame, model: Any, inputs: CodingInputs, *, n: int = 60) -> pd.DataFrame:
    """The ``n`` units the model is least sure of (:func:`~analysis.measures.model.uncertain_units`),
    leaving out units it was trained on when it was trained on this corpus."""
    from ..measures.model import uncertain_units

    model = _model(model)
    if list(model.measures) != list(inputs.lexicon.names):
        raise InputError(
            Path(inputs.lexicon.path or inputs.lexicon.name),
            f"the model codes the measures of another lexicon ({', '.join(model.measures[:4])}…): use the lexicon it was trained with ({model.lexicon})",
        )
    fresh = units[~units["unit_id"].isin(model.trained_on)] if model.corpus_sha256 == inputs.sha256 else units
    return uncertain_units(fresh.reset_index(drop=True), model, n=n)


def train_from_workbooks(
    paths: Sequence[str | Path], source: Any = None, out: str | Path = "coding_model.pkl", *, coder: str | None = None,
    folds: int = 5, random_state: int = 0, remapped: list[Remapping] | None = None,
) -> tuple[Any, list[Path]]:
    """Fit one classifier per measure on a coder's filled workbooks
    (:func:`~analysis.measures.model.train_coding_model`), and write the model to ``out`` and
    its cross-validated scores beside it (``out`` with ``_scores.csv``).

    Parameters
    ----------
    paths : sequence of str or Path
        The filled workbooks.
    source : Analysis, CodingInputs, a corpus or None
        What the sample was drawn from (None: the shipped bulletin).
    out : str or Path
        The model file to write.
    coder : str or None
        Whose codes to learn; None: the first workbook's coder.
    folds : int
        Cross-validation folds at most.
    random_state : int
        Seed of the folds.
    remapped : list or None
        A workbook drawn from an earlier reading of the corpus is re-mapped by text
        (:func:`read_codings`), and the report appended to it.

    Returns
    -------
    tuple of (CodingModel, list of Path)
        The model and the files written.
    """
    from ..measures.model import save_model, train_coding_model

    inputs = source if isinstance(source, CodingInputs) else coding_inputs(source)
    codings, by = read_codings(paths, inputs, remapped=remapped)
    name = coder if coder is not None else next(iter(codings))
    if name not in codings:
        raise InputError(Path(paths[0]), f"no coder '{name}' in these workbooks (coders: {', '.join(codings)}); pass --coder with one of them")
    table = codings[name].dropna(how="all")
    if table.empty:
        raise InputError(Path(paths[0]), f"coder '{name}' coded no units: fill in sheet 'coding' first")
    units = text_units(inputs.documents, inputs.mentions, inputs.lexicon, by=by).set_index("unit_id")
    units = units.loc[list(table.index)]
    model = train_coding_model(
        units["text"].tolist(), table.astype(int), lexicon_codes=units[inputs.lexicon.names].reset_index(drop=True),
        coder=name, corpus_sha256=inputs.sha256, lexicon=inputs.lexicon, folds=folds, random_state=random_state,
        trained_on=list(table.index),
    )
    from .safe import OutputFolder

    target = Path(out)
    with OutputFolder(target.parent, [Path(p) for p in paths] + inputs.paths) as folder:  # written whole, never through a link
        staged = [save_model(model, folder.stage / target.name), folder.stage / (target.stem + "_scores.csv")]
        model.scores.to_csv(staged[1], index=False, lineterminator="\n")
        written = folder.commit(staged)
    return model, written


def _rules_text(measure: Any) -> str:
    parts = [f"not inside {c}" for c in measure.exclude] + [rule.describe() for rule in measure.near]
    return "; ".join(parts)


def _fail(path: Path, sheet: str, problem: str, *, row: int | None = None, column: int | None = None, header: str = "") -> InputError:
    from openpyxl.utils import get_column_letter

    where = f"sheet '{sheet}'"
    if row is not None:
        where += f", row {row}"
    if column is not None:
        where += f", column {get_column_letter(column)}" + (f" ({header})" if header else "")
    return InputError(path, f"{where}: {problem}")


def _open(path: Path) -> Any:
    from openpyxl import load_workbook

    if not path.is_file():
        return InputError(path, "workbook not found (check the path)")
    if path.suffix.lower() != ".xlsx":
        return InputError(
            path, f"a {path.suffix or 'file without a suffix'} file, not an .xlsx workbook: score the .xlsx workbook `validate sample` "
            "wrote (if it was saved in another format, open it and save it as .xlsx)"
        )
    try:
        book = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        return InputError(path, f"not an .xlsx workbook ({type(error).__name__}); score the workbook `validate sample` wrote")
    unsaved = _formulas_without_values(path, book)
    return unsaved or book


def _formulas_without_values(path: Path, book: Any) -> InputError | None:
    """Formula cells of the coding sheet with no value stored (a workbook written by a program, never
    opened and saved in a spreadsheet): read as blanks they would silently count as not coded."""
    from openpyxl import load_workbook

    if CODING_SHEET not in book.sheetnames:
        return None
    values = book[CODING_SHEET]
    formulas = load_workbook(path, data_only=False)[CODING_SHEET]
    cells = [
        cell.coordinate
        for row in formulas.iter_rows()
        for cell in row
        if cell.data_type == "f" and values[cell.coordinate].value is None
    ]
    if not cells:
        return None
    shown = ", ".join(cells[:10]) + (f" and {len(cells) - 10} more" if len(cells) > 10 else "")
    return InputError(
        path,
        f"sheet '{CODING_SHEET}': {len(cells)} formula cell(s) without a stored value ({shown}); open the workbook in Excel or "
        "LibreOffice and save it (which stores their values), or type 0 or 1 in them",
    )


def _about(path: Path, book: Any) -> dict[str, tuple[str, int]]:
    """The about sheet: key → (value, row)."""
    if ABOUT_SHEET not in book.sheetnames:
        raise _fail(path, ABOUT_SHEET, "missing (score the workbook `validate sample` wrote, with its sheets)")
    found = {}
    for row in book[ABOUT_SHEET].iter_rows(min_row=2):
        key = row[0].value
        if isinstance(key, str):
            value = row[1].value if len(row) > 1 else None
            found[key.strip()] = ("" if value is None else str(value).strip(), row[0].row)
    return found


def _code(value: object) -> float | None:
    """0, 1, NaN for blank; None when the value is none of these."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return np.nan
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and value in (0, 1):
        return float(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return float(value.strip())
    return None


def read_codings(
    paths: Sequence[str | Path], inputs: CodingInputs, *, remapped: list[Remapping] | None = None
) -> tuple[dict[str, pd.DataFrame], str]:
    """Each filled workbook as coder name → table (unit_id × measure, 0/1, NaN for units not
    coded), checked against the corpus and lexicon of ``inputs``; and the kind of text unit.
    Any problem raises :class:`~analysis.errors.InputError` naming the sheet, row and column.

    A workbook drawn from an earlier reading of the corpus (its ``corpus_sha256`` differs: the
    reader changed, sentence ids may have shifted) keeps its coder's work: its units are found
    again by their text (:func:`remap_units`) and keyed by their current ids; the units not
    found are left out and reported in a :class:`Remapping` appended to ``remapped``. Only a
    workbook none of whose units is found (another corpus) is refused."""
    lexicon = inputs.lexicon
    codings: dict[str, pd.DataFrame] = {}
    current: dict[str, pd.DataFrame] = {}
    by = ""
    for raw in paths:
        path = Path(raw)
        book = _open(path)
        if isinstance(book, InputError):
            raise book
        about = _about(path, book)
        if "corpus_sha256" not in about:
            raise _fail(path, ABOUT_SHEET, "no row 'corpus_sha256' (score the workbook `validate sample` wrote)")
        drawn_sha256, sha_row = about["corpus_sha256"]
        changed = drawn_sha256 != inputs.sha256  # another reading of the corpus, or another corpus: units found by text below
        unit_kind, row = about.get("text_unit", ("sentence", 0))
        if unit_kind not in ("sentence", "document"):
            raise _fail(path, ABOUT_SHEET, f"text_unit is '{unit_kind}', not 'sentence' or 'document'", row=row, column=2)
        if by and unit_kind != by:
            raise _fail(path, ABOUT_SHEET, f"text_unit is '{unit_kind}' but {paths[0]} has '{by}': score one kind of sample at a time", row=row, column=2)
        by = unit_kind
        if CODING_SHEET not in book.sheetnames:
            raise _fail(path, CODING_SHEET, "missing (score the workbook `validate sample` wrote, with its sheets)")
        sheet = book[CODING_SHEET]
        rows = list(sheet.iter_rows(values_only=True))
        header = [("" if v is None else str(v).strip()) for v in (rows[0] if rows else ())]
        if not header or header[0] != "unit_id":
            raise _fail(path, CODING_SHEET, "the first column must be 'unit_id'", row=1, column=1)
        def another_corpus(why: str) -> InputError:
            return _fail(
                path, ABOUT_SHEET,
                f"corpus_sha256 {drawn_sha256[:12]}… is not this corpus's ({inputs.sha256[:12]}…) and {why}: the sample was "
                f"drawn from another corpus ({about.get('corpus', ('', 0))[0] or 'see the corpus row'}); score it with the "
                "--config/--corpus it was drawn from",
                row=sha_row, column=2,
            )

        if changed and any(name and name not in _FIXED and name not in lexicon.names for name in header):
            raise another_corpus("its measures are not this lexicon's")
        measure_columns: dict[str, int] = {}
        for j, name in enumerate(header, start=1):
            if not name or name in _FIXED:
                continue
            if name not in lexicon.names:
                raise _fail(
                    path, CODING_SHEET,
                    f"'{name}' is not a measure of the lexicon '{lexicon.name}' (its measures: {', '.join(lexicon.names)}); "
                    "score with the lexicon the sample was drawn with (--lexicon/--config)",
                    row=1, column=j,
                )
            measure_columns[name] = j
        missing = [m for m in lexicon.names if m not in measure_columns]
        if missing:
            raise _fail(
                path, CODING_SHEET,
                f"no column for measure '{missing[0]}' of the lexicon '{lexicon.name}'; "
                "score with the lexicon the sample was drawn with (--lexicon/--config)",
                row=1,
            )
        if unit_kind not in current:
            current[unit_kind] = text_units(inputs.documents, inputs.mentions.iloc[:0], inputs.lexicon, by=unit_kind)
        known = set(current[unit_kind]["unit_id"])
        text_column = header.index("text") if "text" in header else None
        ids, values, texts, lines = [], [], [], []
        for i, cells in enumerate(rows[1:], start=2):
            unit_id = cells[0] if cells else None
            if unit_id is None or not str(unit_id).strip():
                if any(c not in (None, "") for c in cells):
                    raise _fail(path, CODING_SHEET, "a coded row without a unit_id (do not change the unit_id column)", row=i, column=1)
                continue
            unit_id = str(unit_id).strip()
            if not changed and unit_id not in known:
                raise _fail(path, CODING_SHEET, f"'{unit_id}' is not a text unit of this corpus (do not change the unit_id column)", row=i, column=1)
            text = cells[text_column] if text_column is not None and text_column < len(cells) else None
            texts.append(None if text is None else str(text))
            lines.append(i)
            row_codes = []
            for name in lexicon.names:
                j = measure_columns[name]
                cell = cells[j - 1] if j - 1 < len(cells) else None
                code = _code(cell)
                if code is None:
                    raise _fail(path, CODING_SHEET, f"'{cell}' is not 0, 1 or blank", row=i, column=j, header=name)
                row_codes.append(code)
            codes = np.array(row_codes)
            if not np.isnan(codes).all():
                codes = np.nan_to_num(codes, nan=0.0)  # a coded row: blanks are 0
            ids.append(unit_id)
            values.append(codes)
        name = about.get("coder", ("", 0))[0] or path.stem
        while name in codings:
            name = f"{name} ({path.stem})"
        if changed:
            new_ids, skipped = remap_units(ids, texts, current[unit_kind], by=unit_kind)
            if len(skipped) == len(ids):
                raise another_corpus(f"none of its {len(ids)} units' texts is a text unit of this corpus")
            coded = [not np.isnan(v).all() for v in values]
            report = Remapping(
                path=path, coder=name, drawn_sha256=drawn_sha256, sha256=inputs.sha256, units=len(ids),
                found=len(ids) - len(skipped), new_ids=sum(1 for k, new in new_ids.items() if new != ids[k]),
                skipped=pd.DataFrame(
                    [(str(path), name, lines[k], ids[k], "yes" if coded[k] else "no", texts[k] or "", reason) for k, reason in skipped.items()],
                    columns=SKIPPED_COLUMNS,
                ),
            )
            if remapped is not None:
                remapped.append(report)
            ids = [new_ids[k] for k in range(len(ids)) if k in new_ids]
            values = [values[k] for k in range(len(values)) if k in new_ids]
        codings[name] = pd.DataFrame(values, index=pd.Index(ids, name="unit_id"), columns=lexicon.names, dtype=float)
    return codings, by or "sentence"


#: ``validation_skipped.csv``: the coded rows of a workbook not found in the corpus's current reading.
SKIPPED_COLUMNS = ["workbook", "coder", "row", "unit_id", "coded", "text", "reason"]


@dataclass
class Remapping:
    """A workbook drawn from an earlier reading of the corpus (its ``corpus_sha256`` differs),
    its units found again by their text: ``found`` of ``units`` (``new_ids`` of them under
    another id); ``skipped`` lists the rest with the reason (:data:`SKIPPED_COLUMNS`)."""

    path: Path
    coder: str
    drawn_sha256: str
    sha256: str
    units: int
    found: int
    new_ids: int
    skipped: pd.DataFrame = field(repr=False)

    def line(self) -> str:
        """One line for the user: the corpus changed, and how many units were re-mapped / not found."""
        coded = int((self.skipped["coded"] == "yes").sum())
        return (
            f"{self.path.name}: the corpus changed since the sample was drawn (corpus_sha256 {self.drawn_sha256[:12]}… → "
            f"{self.sha256[:12]}…): {self.found} of {self.units} units re-mapped by their text ({self.new_ids} under a new id), "
            f"{len(self.skipped)} not found and skipped ({coded} of them coded)"
        )


def normalise_text(text: str) -> str:
    """A unit's text for finding it again: NFC, whitespace runs as one space, no space next to a
    CJK (non-ASCII) character (a line break the reader now joins differently)."""
    text = " ".join(unicodedata.normalize("NFC", str(text)).split())
    return re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", text)


def remap_units(ids: Sequence[str], texts: Sequence[str | None], units: pd.DataFrame, *, by: str = "sentence") -> tuple[dict[int, str], dict[int, str]]:
    """Find the workbook's units (``ids`` with their ``texts``) among the current ``units``
    (:func:`~analysis.methods.handcoding.text_units`) by their normalised text: in the same
    document first (the unit with the same id if it has the text, else the nearest sentence
    with it), else anywhere when exactly one unit has it. Returns position → current id for
    those found, and position → reason for those not found; no current unit is taken twice."""
    same_doc: dict[tuple[str, str], list[str]] = {}
    anywhere: dict[str, list[str]] = {}
    for unit_id, doc_id, text in units[["unit_id", "doc_id", "text"]].itertuples(index=False):
        key = normalise_text(text)
        same_doc.setdefault((str(doc_id), key), []).append(str(unit_id))
        anywhere.setdefault(key, []).append(str(unit_id))

    def number(unit_id: str) -> int:
        tail = unit_id.rpartition("#s")[2]
        return int(tail) if tail.isdigit() else 0

    found: dict[int, str] = {}
    skipped: dict[int, str] = {}
    taken: dict[str, int] = {}
    for k, (unit_id, text) in enumerate(zip(ids, texts)):
        if text is None or not text.strip():
            skipped[k] = "no text in column 'text' to find the unit by"
            continue
        key = normalise_text(text)
        doc_id = unit_id.rpartition("#s")[0] if by == "sentence" and "#s" in unit_id else unit_id
        candidates = same_doc.get((doc_id, key), [])
        if unit_id in candidates:
            new = unit_id
        elif candidates:
            new = min(candidates, key=lambda c: (abs(number(c) - number(unit_id)), number(c)))
        elif len(anywhere.get(key, [])) == 1:
            new = anywhere[key][0]
        elif anywhere.get(key):
            skipped[k] = f"text found in {len(anywhere[key])} units of other documents ({', '.join(anywhere[key][:3])}…), none of {doc_id}"
            continue
        else:
            skipped[k] = f"text not found in the current reading of the corpus (no {by} of {doc_id} or any other document has it)"
            continue
        if new in taken:
            skipped[k] = f"its text is the unit {new} already re-mapped from {ids[taken[new]]}"
            continue
        taken[new] = k
        found[k] = new
    return found, skipped


def score_workbooks(
    paths: Sequence[str | Path], source: Any = None, out_dir: str | Path = "validation", *, n_boot: int = 1000, random_state: int = 0,
    remapped: list[Remapping] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Path]]:
    """Read the filled workbooks, score them and write ``validation.csv``,
    ``validation_disagreements.csv`` and ``validation_skipped.csv`` into ``out_dir``.

    ``validation_skipped.csv`` lists the units of a workbook drawn from an earlier reading of
    the corpus that were not found again (see :func:`read_codings`; header only when none).

    Parameters
    ----------
    paths : sequence of str or Path
        The workbooks, one per coder.
    source : Analysis, CodingInputs, a corpus or None
        What the sample was drawn from (None: the shipped bulletin).
    out_dir : str or Path
        The output folder.
    n_boot : int
        Bootstrap resamples for Krippendorff's α's interval.
    random_state : int
        Seed of the resamples.
    remapped : list or None
        The workbooks re-mapped to a changed corpus are appended to it (and named in ``note``).

    Returns
    -------
    tuple of (DataFrame, DataFrame, list of Path)
        ``validation.csv``'s table, ``validation_disagreements.csv``'s table and the files.
    """
    inputs = source if isinstance(source, CodingInputs) else coding_inputs(source)
    remapped = [] if remapped is None else remapped
    codings, by = read_codings(paths, inputs, remapped=remapped)
    every_unit = text_units(inputs.documents, inputs.mentions, inputs.lexicon, by=by)
    sampled = list(dict.fromkeys(unit_id for table in codings.values() for unit_id in table.index))
    units = every_unit.set_index("unit_id", drop=False).loc[sampled].reset_index(drop=True)
    scores = score_coding(codings, units, inputs.lexicon, n_boot=n_boot, random_state=random_state, corpus_units=every_unit)
    disagreements = coding_disagreements(codings, units, inputs.documents, inputs.mentions, inputs.lexicon)
    if remapped:
        lines = {report.coder: report.line() + " (validation_skipped.csv lists those not found)" for report in remapped}
        everyone = " | ".join(lines.values())
        scores["note"] = [
            lines.get(coder, "") if comparison == "lexicon vs coder" else everyone
            for coder, comparison in zip(scores["coder"], scores["comparison"])
        ]
    skipped = pd.concat([pd.DataFrame(columns=SKIPPED_COLUMNS)] + [r.skipped for r in remapped if len(r.skipped)], ignore_index=True)
    from .safe import OutputFolder

    with OutputFolder(out_dir, [Path(p) for p in paths]) as folder:  # written whole, never over a workbook scored
        staged = [folder.stage / "validation.csv", folder.stage / "validation_disagreements.csv", folder.stage / "validation_skipped.csv"]
        scores.reindex(columns=VALIDATION_COLUMNS).to_csv(staged[0], index=False, lineterminator="\n")
        disagreements.to_csv(staged[1], index=False, lineterminator="\n")
        skipped.to_csv(staged[2], index=False, lineterminator="\n")
        written = folder.commit(staged)
    return scores, disagreements, written
