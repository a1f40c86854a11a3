"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright against pytest-django's
live server with the reference data loaded. No browser is ever downloaded: without /usr/bin/chromium
the tests are skipped, unless DELTAREGIO_REQUIRE_BROWSER=1 demands them (then they fail)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the tests still use the ORM there to set
# up data, which Django would otherwise refuse as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); browser tests skipped"
        if os.environ.get("DELTAREGIO_REQUIRE_BROWSER") == "1":
            pytest.fail(reason.replace("skipped", "required by DELTAREGIO_REQUIRE_BROWSER=1"))
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server: Any, seeded_transactional: None) -> str:
    """The live server's address, with the reference data loaded."""
    return str(live_server.url)


@pytest.fixture
def page(chromium: Any, site: str) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_javascript(chromium: Any, site: str) -> Iterator[Any]:
    context = chromium.new_context(java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
