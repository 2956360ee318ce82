"""Documents: the text of .pdf (pypdf) and .docx (python-docx) files."""

from __future__ import annotations

import io
from pathlib import Path

from ...errors import InputError

__all__ = ['document_text']


def document_text(path: Path, data: bytes, fmt: str) -> str:
    """The text of a PDF (pypdf) or Word ``.docx`` file (python-docx), one paragraph a line.

    A file that cannot be opened, or holds no text (a scanned PDF), raises
    :class:`InputError` naming the file.
    """
    if not data.strip():
        raise InputError(path, "the file is empty", hint="remove it or add text")
    if fmt == "pdf":
        import logging

        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        log = logging.getLogger("pypdf")
        level = log.level
        log.setLevel(logging.CRITICAL)  # pypdf logs repairs to stderr; the error below says it once
        try:
            reader = PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages]
        except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
            raise InputError(path, f"not a readable PDF ({type(error).__name__})", hint="save it again as PDF, or export it as .txt") from None
        finally:
            log.setLevel(level)
        text = "\n".join(pages)
        hint = "a scanned PDF holds images, not text: run OCR on it first, or give a .txt"
    else:
        import zipfile

        from docx import Document as WordDocument

        try:
            document = WordDocument(io.BytesIO(data))
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise InputError(path, f"not a readable .docx document ({type(error).__name__})", hint="save it again as .docx (not .doc), or export it as .txt") from None
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            lines.extend(" ".join(dict.fromkeys(cell.text.strip() for cell in row.cells)) for row in table.rows)
        text = "\n".join(lines)
        hint = "add text, or export it as .txt"
    if not text.strip():
        raise InputError(path, "no text in the document", hint=hint)
    return text
