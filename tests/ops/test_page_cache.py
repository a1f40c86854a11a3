"""Whole public responses are kept for anonymous visitors, are never served after a change of the data,
never to a logged-in user, and never with another visitor's CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deltaregio.accounts.models import Role
from deltaregio.projects.models import Project

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def kept(settings: Any) -> None:
    settings.DELTAREGIO_PAGE_CACHE_SECONDS = 60
    cache.clear()


def get(client: Client, url: str) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    return response, len(context.captured_queries)


def public_project() -> Project:
    return Project.objects.filter(is_public=True).order_by("pk").first()  # type: ignore[return-value]


@pytest.mark.parametrize("url", ["/projects/", "/en/organisations/", "/api/v1/projects/"])
def test_a_second_anonymous_request_is_served_from_the_cache(kept: None, url: str) -> None:
    first, first_queries = get(Client(), url)
    second, second_queries = get(Client(), url)
    assert first.status_code == second.status_code == 200
    assert "X-Deltaregio-Cache" not in first and second["X-Deltaregio-Cache"] == "hit"
    assert first_queries > 0 and second_queries < first_queries
    assert second["Content-Type"] == first["Content-Type"]
    body = re.sub(TOKEN, "", second.content.decode())
    assert body == re.sub(TOKEN, "", first.content.decode())


def test_nothing_is_kept_by_default() -> None:
    cache.clear()
    Client().get("/projects/")
    assert "X-Deltaregio-Cache" not in Client().get("/projects/")


def test_a_change_of_the_data_is_shown_at_once(kept: None) -> None:
    project = public_project()
    url = f"/projects/{project.slug}/"
    assert Client().get(url).status_code == 200
    project.title = "A title changed after the page was kept"
    project.save()
    response = Client().get(url)
    assert "X-Deltaregio-Cache" not in response
    assert "A title changed after the page was kept" in response.content.decode()


def test_a_logged_in_user_gets_their_own_page(kept: None, make_user: Callable[..., User]) -> None:
    hidden = Project.objects.create(acronym="HIDDENX", slug="hiddenx", title="Unpublished", is_public=False)
    link = f'href="/projects/{hidden.slug}/"'
    assert link not in Client().get("/projects/?q=HIDDENX").content.decode()
    assert Client().get("/projects/?q=HIDDENX")["X-Deltaregio-Cache"] == "hit"
    officer = Client()
    officer.force_login(make_user(Role.PROGRAMME_OFFICER))
    response = officer.get("/projects/?q=HIDDENX")
    assert "X-Deltaregio-Cache" not in response
    assert link in response.content.decode()
    # and the officer's page is not given to the next anonymous visitor
    assert link not in Client().get("/projects/?q=HIDDENX").content.decode()


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Basic bm9ib2R5Om5vdGhpbmc="},
        {"HX-Request": "true"},
    ],
)
def test_requests_that_carry_a_person_or_a_partial_are_not_served_from_the_cache(
    kept: None, headers: dict[str, str]
) -> None:
    Client().get("/api/v1/projects/")
    response = Client().get("/api/v1/projects/", headers=headers)
    assert "X-Deltaregio-Cache" not in response


def test_a_session_cookie_skips_the_cache(kept: None, settings: Any) -> None:
    Client().get("/projects/")
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "some-session"
    assert "X-Deltaregio-Cache" not in client.get("/projects/")


def test_each_visitor_gets_a_csrf_token_of_their_own_that_works(kept: None) -> None:
    first = Client(enforce_csrf_checks=True)
    first_token = TOKEN.search(first.get("/projects/").content.decode())
    second = Client(enforce_csrf_checks=True)
    response = second.get("/projects/")
    assert response["X-Deltaregio-Cache"] == "hit"
    second_token = TOKEN.search(response.content.decode())
    assert first_token and second_token and second_token.group(1) != first_token.group(1)
    assert "\x00" not in response.content.decode()
    switched = second.post(
        "/i18n/setlang/", {"csrfmiddlewaretoken": second_token.group(1), "language": "en", "next": "/"}
    )
    assert switched.status_code == 302
    # another visitor's token is refused, as without the cache
    third = Client(enforce_csrf_checks=True)
    third.get("/projects/")
    refused = third.post(
        "/i18n/setlang/", {"csrfmiddlewaretoken": second_token.group(1)[:-4] + "AAAA", "language": "en"}
    )
    assert refused.status_code == 403


def test_languages_and_queries_are_kept_apart(kept: None) -> None:
    dutch = Client().get("/projects/")
    english = Client().get("/en/projects/")
    assert "X-Deltaregio-Cache" not in english
    assert dutch["Content-Language"] == "nl" and english["Content-Language"] == "en"
    assert "X-Deltaregio-Cache" not in Client().get("/projects/?page=1")
    # the API has no language prefix: its language comes from the client's Accept-Language
    api_nl = Client().get("/api/v1/projects/", headers={"Accept-Language": "nl"})
    api_en = Client().get("/api/v1/projects/", headers={"Accept-Language": "en"})
    assert api_nl["Content-Language"] == "nl" and api_en["Content-Language"] == "en"
    assert "X-Deltaregio-Cache" not in api_en
    assert Client().get("/api/v1/projects/", headers={"Accept-Language": "en"})["X-Deltaregio-Cache"] == "hit"


def test_errors_are_not_kept(kept: None) -> None:
    assert Client().get("/projects/no-such-project/").status_code == 404
    assert "X-Deltaregio-Cache" not in Client().get("/projects/no-such-project/")
    assert Client().get("/api/v1/projects/?unknown=1").status_code == 400
    assert "X-Deltaregio-Cache" not in Client().get("/api/v1/projects/?unknown=1")


def test_a_response_that_is_not_text_is_passed_on_and_not_kept(kept: None) -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from deltaregio.ops.pagecache import public_page_cache

    calls = []

    def binary(request: Any) -> HttpResponse:
        calls.append(1)
        return HttpResponse(b"\xff\xfe\x00binary", content_type="application/octet-stream")

    view = public_page_cache("binary-test")(binary)
    first = view(RequestFactory().get("/binary/"))
    second = view(RequestFactory().get("/binary/"))
    assert first.content == second.content == b"\xff\xfe\x00binary"
    assert "X-Deltaregio-Cache" not in second and len(calls) == 2
