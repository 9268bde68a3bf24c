"""External programs some tests need (chromium for the browser journeys, pdftotext to read a PDF's text).

On a developer's machine a missing program skips the test with the command that installs it. In CI
(`CI=true`, or `PARCOURS_REQUIRE_BROWSER=1` as .ci/run sets it) it FAILS the test instead: a security or
privacy assertion that silently stops running is worse than a red build.
"""

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable

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


def require_cjk_font() -> None:
    """A font with Chinese glyphs for WeasyPrint (the person's summary in Chinese, papers/summary.py)."""
    fc_list = shutil.which("fc-list")
    found = ""
    if fc_list is not None:
        found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True).stdout  # noqa: S603
    if not found.strip():
        skip_or_fail(
            "aucune police chinoise (apt-get install fonts-wqy-microhei) : résumé en chinois non vérifié"
        )


def pdf_fonts(pdf: bytes) -> str:
    """The fonts embedded in a PDF, listed by poppler's pdffonts (installed with pdftotext)."""
    pdffonts = shutil.which("pdffonts") or skip_or_fail("pdffonts absent (apt-get install poppler-utils)")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run([pdffonts, f.name], capture_output=True, check=True, text=True).stdout  # noqa: S603


def wait_until(done: Callable[[], bool], seconds: float = 15) -> None:
    """Wait for `done()` (a held value's timer, set to 2 s by the test, to drop it), `seconds` at most: a
    loaded CI machine may be slow. The caller asserts what follows."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
