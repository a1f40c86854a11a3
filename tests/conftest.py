"""Shared fixtures. The reference data set is loaded once into the test database; tests that use
`db` see it and their changes are rolled back. Transactional tests (live server, races) flush the
database afterwards, so they ask for `seeded_transactional`, which loads it again when needed."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deltaregio.accounts.models import Affiliation, Role
from deltaregio.accounts.services import roles_ensure
from deltaregio.directory.models import Organisation
from deltaregio.seed.services import seed_load
from deltaregio.vouchers.services import scheme_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        seed_load()
        scheme_load()
        roles_ensure()


@pytest.fixture
def seeded_transactional(transactional_db: Any) -> None:
    from deltaregio.agenda.models import Theme

    if not Theme.objects.exists():
        seed_load()
        scheme_load()
    roles_ensure()


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = {"n": 0}

    def make(
        role: Role | None = None,
        *,
        organisation: str | None = None,
        password: str = "correct-horse-battery",  # noqa: S107
    ) -> User:
        counter["n"] += 1
        user = User.objects.create_user(
            username=f"user{counter['n']}-{role.value if role else 'none'}", password=password
        )
        if role is not None:
            user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        if organisation is not None:
            Affiliation.objects.create(user=user, organisation=Organisation.objects.get(name=organisation))
        return user

    return make


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.PROGRAMME_OFFICER)


@pytest.fixture
def applicant(make_user: Callable[..., User]) -> User:
    return make_user(Role.APPLICANT, organisation="Holst Centre")


class QueryCounts:
    """GET requests with their number of queries, for the tests that prove a page's or endpoint's count
    does not grow with its rows (registered in tests/ops/test_query_count_coverage.py)."""

    def get(self, client: Client, url: str) -> tuple[Any, int]:
        """The response (which must be 200) and the number of queries it took."""
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response, len(context.captured_queries)

    def same_whichever(self, client: Client, urls: list[str]) -> list[Any]:
        """Each url's response, asserting the number of queries is the same for each (±1: a prefetch is
        skipped when it has nothing to fetch)."""
        self.get(client, urls[0])  # warm per-process caches (content types, the session)
        shown = {url: self.get(client, url) for url in urls}
        counts = [n for _response, n in shown.values()]
        assert max(counts) - min(counts) <= 1, dict(zip(urls, counts, strict=True))
        return [response for response, _n in shown.values()]


@pytest.fixture
def query_counts() -> QueryCounts:
    return QueryCounts()


# --- the browser, shared by every end-to-end test (one Playwright instance per test session) -------

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
