"""What the document tests need beyond Python: the CJK font (fonts-noto-cjk) to render and
pdftotext (poppler-utils) to read the PDF back. Missing, a test skips with the reason printed,
except under CI=true, where it fails: CI must have installed both (.ci/run does)."""

from __future__ import annotations

import os
import shutil
import subprocess
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.documents import fonts


def require(what: str, present: bool) -> None:
    if present:
        return
    reason = f"{what} is not installed (apt-get install {what.split()[0]})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must have {reason}")
    print(f"SKIPPED: {reason}")
    pytest.skip(reason)


def require_pdf_toolchain() -> None:
    require("fonts-noto-cjk", all(path.is_file() for path in fonts.CJK_FONT_FILES))
    require("poppler-utils (pdftotext)", shutil.which("pdftotext") is not None)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in reading order, by poppler's pdftotext."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def embedded_font_files(pdf: bytes) -> dict[str, bool]:
    """Every font of every page: whether its descriptor carries a FontFile, FontFile2 or
    FontFile3 stream (an embedded font), looking through Type0 fonts to their descendant."""
    found: dict[str, bool] = {}
    for page in PdfReader(BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            files = {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys())
            found[str(font["/BaseFont"])] = bool(files)
    return found
