"""The fonts the PDF needs, and the checks that refuse to render without them.

Chinese needs a CJK font: Noto Sans CJK SC from Debian's fonts-noto-cjk, found through
fontconfig by its family name (a TTC named by file would give its first face, the Japanese
one). Two guards keep a document with missing glyphs from ever leaving: before rendering, the
font files must exist; after, every font the PDF embeds must be that family (Pango would
otherwise fall back silently to whatever fontconfig has). Either failing is RendererUnavailable,
which the API answers with a 503 naming the package to install.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

CJK_PACKAGE = "fonts-noto-cjk"
CJK_FAMILY = "Noto Sans CJK SC"
# where Debian's fonts-noto-cjk puts the faces the template uses (regular and bold)
CJK_FONT_FILES: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
)
# WeasyPrint names an embedded subset SUBSET+Family-Name (PDF 1.7 §9.6.4)
_EXPECTED_FONT = re.compile(r"[A-Z]{6}\+Noto-Sans-CJK-SC(-Bold)?")


class RendererUnavailable(Exception):
    """The PDF cannot be made on this machine: `package` is what to install."""

    def __init__(self, package: str, reason: str) -> None:
        super().__init__(f"{reason}; install {package}")
        self.package = package
        self.reason = reason


def check_fonts_installed() -> None:
    missing = [str(path) for path in CJK_FONT_FILES if not path.is_file()]
    if missing:
        raise RendererUnavailable(
            CJK_PACKAGE, f"the CJK font ({CJK_FAMILY}) is not installed: {', '.join(missing)}"
        )


def embedded_font_names(pdf: bytes) -> list[str]:
    """The BaseFont of every font on every page (the dictionaries sit in compressed object
    streams, so they are read with pypdf rather than searched for in the bytes)."""
    names = []
    for page in PdfReader(BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        names += [str(font.get_object()["/BaseFont"]).lstrip("/") for font in fonts.values()]
    return names


def check_only_cjk_fonts(pdf: bytes) -> None:
    """Every font in the PDF is the CJK family; a fallback font means missing glyphs."""
    names = embedded_font_names(pdf)
    others = sorted({n for n in names if not _EXPECTED_FONT.fullmatch(n)})
    if not names or others:
        raise RendererUnavailable(
            CJK_PACKAGE,
            f"fontconfig did not find {CJK_FAMILY} (the PDF would use {others or 'no font'})",
        )
