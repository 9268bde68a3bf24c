"""External programs some tests need (chromium for the browser journeys, pdftotext to read a PDF's text).

On a developer's machine a missing program skips the test with the command that installs it. In CI
(`CI=true`, or `PARCOURS_REQUIRE_BROWSER=1` as .ci/run sets it) it FAILS the test instead: a security or
privacy assertion that silently stops running is worse than a red build.
"""

import os
import shutil
import subprocess

import pytest


def required() -> bool:
    """True when a missing program must fail the test (CI), False when it may skip it (developer)."""
    ci = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
    return ci or os.environ.get("PARCOURS_REQUIRE_BROWSER", "").strip() == "1"


def skip_or_fail(reason: str) -> None:
    if required():
        pytest.fail(f"{reason} — obligatoire en CI (CI / PARCOURS_REQUIRE_BROWSER)", pytrace=False)
    pytest.skip(reason)


def require_pdftotext() -> str:
    path = shutil.which("pdftotext")
    if path is None:
        skip_or_fail("pdftotext absent (apt-get install poppler-utils) : texte du PDF non vérifié")
    return path


def pdf_text(pdf: bytes, *options: str) -> str:
    """The text of a PDF, read by poppler's pdftotext (an oracle independent of WeasyPrint)."""
    command = [require_pdftotext(), *options, "-", "-"]
    return subprocess.run(command, input=pdf, capture_output=True, check=True).stdout.decode()  # noqa: S603
