"""What holds for every endpoint: it lists the reference data with provenance, its detail finds a
record by its stable key, it refuses writes, unknown parameters and bad pages in the one error
format, and its number of queries does not grow with the number of rows."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deltaregio.sources.models import SourceDocument

pytestmark = pytest.mark.django_db

MAX = settings.MAX_PAGE_SIZE
# Nested lists whose items are records of their own and so carry a source too.
NESTED_RECORDS = (
    "subdomains",
    "items",
    "decisions",
    "members",
    "statistics",
    "partners",
    "work_packages",
    "milestones",
    "funding",
    "status_history",
    "statements",
)


@dataclass(frozen=True)
class Endpoint:
    path: str
    key: str  # a field that identifies a record in the list
    expected: Any  # a value of `key` the reference data holds
    lookup: str | None  # the field whose value is the detail URL's key; None: no detail
    who: str = "anon"  # the client fixture that may read it
    sourced: bool = True  # False: a computed record whose parts carry the sources

    def __str__(self) -> str:
        return self.path


ENDPOINTS = [
    Endpoint("organisations", "slug", "holst-centre", "slug"),
    Endpoint("people", "name", "Geert Bourgeois", "id", who="officer_client"),
    Endpoint("labs", "slug", "omc-turnhout", "slug"),
    Endpoint("themes", "code", "hydrogen", "code"),
    Endpoint("summits", "number", 3, "number"),
    Endpoint("declarations", "date", "2004-04-07", "id"),
    Endpoint("events", "code", "fokus-hannover-messe-2018", "code"),
    Endpoint("stakeholder-groups", "name", "Vlaams-Nederlandse high tech stakeholdersgroep", "id"),
    Endpoint("funders", "slug", "vlaamse-overheid", "slug"),
    Endpoint("instruments", "code", "interreg-vl-nl", "code"),
    Endpoint("calls", "code", "interreg-vl-nl-call-3", "code"),
    Endpoint("call-statistics", "call", "interreg-vl-nl-call-3", "id"),
    Endpoint("application-domains", "code", "medtech", "id"),
    Endpoint("key-technologies", "code", "lithografie", "id"),
    Endpoint("projects", "slug", "fokus", "slug"),
    Endpoint("funding-contributions", "project", "fokus", "id"),
    Endpoint("budget-tables", "code", "nxtgen-table-5", "code"),
    Endpoint("documents", "file_name", "004_11778272d9654f26.txt", "file_name"),
    Endpoint("statements", "key", "fokus-total-cost", "id"),
    Endpoint("disagreements", "key", "fokus-end", None, sourced=False),
]
DETAIL_ENDPOINTS = [e for e in ENDPOINTS if e.lookup]


def client_for(request: pytest.FixtureRequest, endpoint: Endpoint) -> Client:
    return request.getfixturevalue(endpoint.who)


def url(endpoint: Endpoint, key: Any = None) -> str:
    return f"/api/v1/{endpoint.path}/" + ("" if key is None else f"{key}/")


def all_records(client: Client, endpoint: Endpoint) -> list[dict[str, Any]]:
    response = client.get(url(endpoint), {"page_size": MAX})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(body["results"]) <= MAX
    return body["results"]


def assert_sourced(record: dict[str, Any], documents: set[str], where: str, top: bool = True) -> None:
    if top:
        assert set(record["source"]) == {"document", "location"}, where
        assert record["source"]["document"] in documents, where
    for name in NESTED_RECORDS:
        for i, item in enumerate(record.get(name) or []):
            if isinstance(item, dict):  # not a list of names
                assert_sourced(item, documents, f"{where}.{name}[{i}]")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_lists_the_reference_data_and_every_record_has_its_source(
    request: pytest.FixtureRequest, endpoint: Endpoint
) -> None:
    records = all_records(client_for(request, endpoint), endpoint)
    assert endpoint.expected in [r[endpoint.key] for r in records]
    documents = set(SourceDocument.objects.values_list("file_name", flat=True))
    for i, record in enumerate(records):
        assert_sourced(record, documents, f"{endpoint.path}[{i}]", top=endpoint.sourced)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_the_browsable_api_renders(request: pytest.FixtureRequest, endpoint: Endpoint) -> None:
    client = client_for(request, endpoint)
    response = client.get(url(endpoint), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "<html" in response.content.decode()


@pytest.mark.parametrize("endpoint", DETAIL_ENDPOINTS, ids=str)
def test_detail_by_stable_key_and_404_in_the_error_format(
    request: pytest.FixtureRequest, endpoint: Endpoint, error: Callable[..., Any]
) -> None:
    client = client_for(request, endpoint)
    record = next(r for r in all_records(client, endpoint) if r[endpoint.key] == endpoint.expected)
    response = client.get(url(endpoint, record[endpoint.lookup]))  # type: ignore[index]
    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail[endpoint.key] == endpoint.expected
    assert {k: detail[k] for k in record} == record  # the detail shows at least what the list shows
    error(client.get(url(endpoint, "no-such-thing")), 404, "not_found")
    error(client.get(url(endpoint, "999999")), 404, "not_found")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_writes_are_refused_for_everyone(
    request: pytest.FixtureRequest, endpoint: Endpoint, error: Callable[..., Any]
) -> None:
    for who in ("anon", "officer_client"):
        client: Client = request.getfixturevalue(who)
        for method in ("post", "put", "patch", "delete"):
            send = getattr(client, method)
            error(send(url(endpoint), {}, content_type="application/json"), 405, "method_not_allowed")
            if endpoint.lookup:
                error(
                    send(url(endpoint, "x"), {}, content_type="application/json"), 405, "method_not_allowed"
                )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_unknown_query_parameters_are_refused_by_name(
    request: pytest.FixtureRequest, endpoint: Endpoint, error: Callable[..., Any]
) -> None:
    client = client_for(request, endpoint)
    found = error(
        client.get(url(endpoint), {"colour": "red", "pagesize": "5"}),
        400,
        "unknown_parameter",
        ["colour", "pagesize"],
    )
    assert "colour" in found["message"] and "pagesize" in found["message"]
    assert "page_size" in found["fields"]["colour"][0]  # the allowed parameters are named
    if endpoint.lookup:
        error(client.get(url(endpoint, "x"), {"page": "1"}), 400, "unknown_parameter", ["page"])


BAD_PAGES = [
    ({"page": "0"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page": "abc"}, "page"),
    ({"page": "²"}, "page"),
    ({"page": "1.5"}, "page"),
    ({"page": "100000"}, "page"),
    ({"page_size": "0"}, "page_size"),
    ({"page_size": str(MAX + 1)}, "page_size"),
    ({"page_size": "ten"}, "page_size"),
    ({"page_size": ""}, "page_size"),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_bad_page_or_page_size_is_400(
    request: pytest.FixtureRequest, endpoint: Endpoint, error: Callable[..., Any]
) -> None:
    client = client_for(request, endpoint)
    for params, field in BAD_PAGES:
        try:
            error(client.get(url(endpoint), params), 400, "invalid", [field])
        except AssertionError as exc:
            raise AssertionError(f"{endpoint.path} with {params}: {exc}") from exc


def query_shape(sql: str) -> str:
    """The SQL with its literals taken out: the same shape twice in one request is an N+1."""
    sql = re.sub(r"IN \([^)]*\)", "IN (...)", sql)
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_query_count_does_not_grow_with_the_rows(
    request: pytest.FixtureRequest, endpoint: Endpoint, django_assert_max_num_queries: Any
) -> None:
    client = client_for(request, endpoint)
    client.get(url(endpoint))  # warm up per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as one:
        first = client.get(url(endpoint), {"page_size": 1}).json()
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as many:
        every = client.get(url(endpoint), {"page_size": MAX}).json()
    assert len(first["results"]) == 1
    assert len(every["results"]) > 1, "the comparison needs more than one row"
    # A page of all rows costs at most one query more than a page of one row (a nested prefetch is
    # skipped when the one row has nothing to prefetch), and no query is repeated per row.
    assert len(many) <= len(one) + 1, [q["sql"] for q in many.captured_queries]
    shapes = Counter(query_shape(q["sql"]) for q in many.captured_queries)
    assert [shape for shape, n in shapes.items() if n > 1] == []
