"""The number of queries of the funnel's lists does not grow with the number of companies."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .conftest import CompleteScan

pytestmark = pytest.mark.django_db


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url", ["/funnel/journeys/", "/api/v1/journeys/", "/api/v1/results/", "/funnel/", "/api/v1/funnel/"]
)
def test_lists_do_not_grow_with_the_companies(
    client: Client, officer: User, complete_scan: CompleteScan, url: str
) -> None:
    client.force_login(officer)
    complete_scan(company="Eerste")
    few = queries(client, url)
    for n in range(4):
        complete_scan(company=f"Bedrijf {n}")
    assert queries(client, url) <= few + 1  # +1: the session may be touched once


def test_the_journey_page_does_not_grow_with_its_scans(
    client: Client, officer: User, complete_scan: CompleteScan
) -> None:
    client.force_login(officer)
    result, _t = complete_scan()
    url = f"/funnel/journeys/{result.journey.organisation.slug}/"
    few = queries(client, url)
    for _ in range(3):
        complete_scan()
    assert queries(client, url) <= few + 1
