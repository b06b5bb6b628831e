"""System tools some tests need beyond Python and uv: a CJK font, chromium, poppler (pdftotext, pdftoppm),
LibreOffice (soffice), pg_dump. On a machine without them those tests skip with the reason, so `uv run pytest`
passes on a fresh clone; where everything must run (``WARMTH_REQUIRE_BROWSER=1``, set by .ci/run, or
``CI=true``) a missing tool is a failure instead."""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

import pytest

PACKAGES = {  # Debian/Ubuntu packages (apt-get install …)
    "chromium": "chromium", "pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "pdfinfo": "poppler-utils",
    "soffice": "libreoffice-calc-nogui", "pg_dump": "postgresql-client", "font": "fonts-wqy-zenhei",
}


def everything_required() -> bool:
    return os.environ.get("WARMTH_REQUIRE_BROWSER") == "1" or os.environ.get("CI", "").lower() in ("true", "1")


def missing(what: str, why: str) -> None:
    """Skip (a developer's machine) or fail (CI) for a missing system tool."""
    hint = f"apt-get install {PACKAGES.get(what, what)}"
    if everything_required():
        pytest.fail(f"{what} not found ({hint}); required here because WARMTH_REQUIRE_BROWSER=1 or CI=true")
    pytest.skip(f"{what} not found: {why} (to run it: {hint})")


def tool(name: str, why: str = "this test runs it") -> str:
    """The path of a program on PATH, else skip/fail."""
    path = shutil.which(name)
    if path is None:
        missing(name, why)
    return path


def needs(*names: str, why: str = "this test runs it"):
    """Decorator: the test needs these programs on PATH."""

    def wrap(test):
        @functools.wraps(test)
        def run(*args, **kwargs):
            for name in names:
                tool(name, why)
            return test(*args, **kwargs)

        return run

    return wrap


def cjk_font() -> str:
    """The configured CJK TrueType font (WARMTH_PDF_FONT), else skip/fail."""
    from django.conf import settings

    path = str(settings.WARMTH_PDF_FONT or "")
    if not path or not Path(path).is_file():
        missing("font", f"the PDF font {path or '(none)'} (WARMTH_PDF_FONT) is not installed")
    return path
