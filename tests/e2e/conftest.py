"""Browser fixtures for the journeys: Debian's chromium driven by Playwright's sync API.

No pytest-playwright: one browser per module, a fresh context (cookies, storage) per test. The browser is
never downloaded (`playwright install` cannot run here); without /usr/bin/chromium the tests are skipped on a
developer's machine and fail in CI (CI=true or PARCOURS_REQUIRE_BROWSER=1, see tests/tools.py).
"""

from pathlib import Path

import pytest

from ..tools import skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


# One browser per test, not per module: while Playwright's sync API is started, its event loop counts as
# running in this thread, so Django's connection handler switches to context-local connections. Started
# after the test database is set up and stopped before it is flushed, the serialized rollback of the
# journeys restores the départements and inhibits post_migrate on the connection that holds the
# serialized data; with a module-scoped browser, every browser test after the first failed to set up.
@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        skip_or_fail("chromium absent : apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # Static files: pytest-django's live server wraps the site in django.contrib.staticfiles'
    # StaticFilesHandler, which answers /static/ itself from the finders (the installed apps' static
    # folders, so django-dsfr's CSS), before whitenoise — which only knows the empty STATIC_ROOT — is
    # reached. No collectstatic and no WHITENOISE_USE_FINDERS needed; the journey checks that dsfr.min.css
    # answers 200. The server listens on a port the kernel picks as free (port 0), so the "ports below
    # 32768" rule of the stack notes, about fixed ports colliding with client sockets, does not apply.
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
