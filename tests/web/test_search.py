"""Search across themes, projects, organisations, labs, instruments and calls."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import text_of

pytestmark = pytest.mark.django_db


def test_search_without_a_query_shows_the_form(client: Client) -> None:
    response = client.get("/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="search-q">' in html and 'role="search"' in html
    assert "resultaten voor" not in html


def test_search_finds_each_kind_case_insensitively_and_groups_them(client: Client) -> None:
    text = text_of(client.get("/search/", {"q": "FOKUS"}).content)
    assert "Projecten" in text and "Fokus – Fabriek van de toekomst" in text
    text = text_of(client.get("/search/", {"q": "waterstof"}).content)
    assert "Thema's" in text and "Waterstoftechnologie" in text
    assert "Organisaties" in text and "WaterstofNet" in text
    text = text_of(client.get("/search/", {"q": "turnhout"}).content)
    assert "Labs" in text and "OMC Turnhout" in text
    text = text_of(client.get("/search/", {"q": "interreg"}).content)
    assert "Financieringsinstrumenten" in text and "Interreg Vlaanderen-Nederland" in text
    assert "Oproepen" in text


def test_search_matches_english_theme_names_too(client: Client) -> None:
    assert "Waterstoftechnologie" in text_of(client.get("/search/", {"q": "hydrogen"}).content)


@pytest.mark.parametrize("q", ["", " ", "a", "x" * 101])
def test_empty_short_or_long_queries_get_a_helpful_400(client: Client, q: str) -> None:
    response = client.get("/search/", {"q": q})
    assert response.status_code == 400
    text = text_of(response.content)
    assert "Typ minstens 2 tekens om te zoeken." in text or "Typ hoogstens 100 tekens om te zoeken." in text
    assert 'aria-invalid="true"' in response.content.decode()


def test_search_with_special_characters_is_not_an_error(client: Client) -> None:
    for q in ("%_", "100%", "'; drop table", "<script>"):
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200, q
    assert "<script>" not in client.get("/search/", {"q": "<script>"}).content.decode().split("<main", 1)[1]


def test_nothing_found_says_what_to_try(client: Client) -> None:
    text = text_of(client.get("/search/", {"q": "qqqzzz"}).content)
    assert "0 resultaten" in text and "Er werd niets gevonden." in text
