"""Filters narrow the lists as documented; a malformed value is a 400 that names the parameter,
never a 500 and never a silently ignored parameter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deltaregio.api import urls as api_urls


def results(client: Client, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/{path}", {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def keys(client: Client, path: str, field: str, **params: Any) -> set[Any]:
    return {r[field] for r in results(client, path, **params)}


def test_organisation_filters(anon: Client) -> None:
    everyone = results(anon, "organisations/")
    knowledge = results(anon, "organisations/", kind="knowledge")
    assert knowledge and {o["kind"] for o in knowledge} == {"knowledge"} and len(knowledge) < len(everyone)
    dutch = keys(anon, "organisations/", "country", country="nl")  # case does not matter
    assert dutch == {"NL"}
    assert keys(anon, "organisations/", "slug", q="holst") == {"holst-centre"}
    assert keys(anon, "organisations/", "slug", q="B-PHOT") == {"b-phot"}  # the short name
    both = results(anon, "organisations/", kind="knowledge", country="BE")
    assert both and all(o["kind"] == "knowledge" and o["country"] == "BE" for o in both)


def test_project_filters(anon: Client) -> None:
    assert "fokus" in keys(anon, "projects/", "slug", status="running")
    assert all(p["status"] == "running" for p in results(anon, "projects/", status="running"))
    assert "fokus" not in keys(anon, "projects/", "slug", status="idea")
    fof = results(anon, "projects/", theme="factories-of-the-future")
    assert "fokus" in {p["slug"] for p in fof} and all("factories-of-the-future" in p["themes"] for p in fof)
    assert "fokus" in keys(anon, "projects/", "slug", instrument="interreg-vl-nl")
    assert "fokus" in keys(anon, "projects/", "slug", call="interreg-vl-nl-call-3")
    assert "fokus" in keys(anon, "projects/", "slug", partner="tno")
    assert "fokus" in keys(anon, "projects/", "slug", q="kennisbundeling")
    assert keys(anon, "projects/", "slug", q="FOKUS") >= {"fokus"}


def test_project_country_filter_lists_each_project_once(anon: Client) -> None:
    belgian = results(anon, "projects/", country="BE")
    slugs = [p["slug"] for p in belgian]
    assert "fokus" in slugs
    assert len(slugs) == len(set(slugs)), "Fokus has five Belgian partners and must be listed once"
    assert all("BE" in {partner["country"] for partner in p["partners"]} for p in belgian)


def test_project_start_dates(anon: Client) -> None:
    assert "fokus" in keys(anon, "projects/", "slug", start_after="2018-05-01", start_before="2018-05-01")
    assert "fokus" not in keys(anon, "projects/", "slug", start_after="2018-05-02")
    assert "fokus" not in keys(anon, "projects/", "slug", start_before="2018-04-30")
    for p in results(anon, "projects/", start_after="2019-01-01"):
        assert p["start_date"] >= "2019-01-01"


def test_call_filters(anon: Client) -> None:
    interreg = results(anon, "calls/", instrument="interreg-vl-nl")
    assert {c["code"] for c in interreg} >= {"interreg-vl-nl-call-3"}
    assert {c["instrument"] for c in interreg} == {"interreg-vl-nl"}
    assert keys(anon, "calls/", "kind", kind="two_step") == {"two_step"}
    in_2019 = results(anon, "calls/", year=2019)
    assert in_2019 and {c["year"] for c in in_2019} == {2019}


def test_lab_filters(anon: Client) -> None:
    assert keys(anon, "labs/", "country", country="BE") == {"BE"}
    assert "omc-turnhout" in keys(anon, "labs/", "slug", kind="practice_lab", country="BE")
    assert "omc-turnhout" not in keys(anon, "labs/", "slug", kind="facility")


def test_statement_filters(anon: Client) -> None:
    assert keys(anon, "statements/", "key", key="fokus-end") == {"fokus-end"}
    from_004 = results(anon, "statements/", document="004_11778272d9654f26.txt")
    assert from_004 and {s["source"]["document"] for s in from_004} == {"004_11778272d9654f26.txt"}
    assert results(anon, "statements/", key="fokus-end", document="no-such-document.txt") == []


def test_themes_as_of_a_date(anon: Client) -> None:
    before_2020 = keys(anon, "themes/", "code", as_of="2017-01-01")
    assert len(before_2020) == 6 and "hydrogen" not in before_2020
    after_2020 = keys(anon, "themes/", "code", as_of="2021-01-01")
    assert {"hydrogen", "artificial-intelligence"} <= after_2020 and len(after_2020) == 8
    assert keys(anon, "themes/", "code", as_of="2010-01-01") == set()


def test_other_filters(anon: Client) -> None:
    assert keys(anon, "events/", "kind", kind="memorandum") == {"memorandum"}
    assert keys(anon, "events/", "summit", summit=2) == {2}
    assert keys(anon, "funders/", "level", level="private") == {"private"}
    assert keys(anon, "funding-contributions/", "project", project="fokus") == {"fokus"}
    assert keys(anon, "instruments/", "parent", parent="nxtgen-hightech") == {"nxtgen-hightech"}
    assert keys(anon, "application-domains/", "programme", programme="nxtgen-hightech") == {"nxtgen-hightech"}
    assert keys(anon, "call-statistics/", "call", call="interreg-vl-nl-call-3") == {"interreg-vl-nl-call-3"}
    assert "hydrogen" in keys(anon, "themes/", "code")


@pytest.mark.parametrize(
    ("path", "params", "fields"),
    [
        ("projects/", {"start_after": "2018-13-01"}, ["start_after"]),
        ("projects/", {"start_before": "yesterday"}, ["start_before"]),
        ("projects/", {"status": "dreaming"}, ["status"]),
        ("projects/", {"theme": "no-such-theme"}, ["theme"]),
        ("projects/", {"instrument": "nope", "call": "nope"}, ["instrument", "call"]),
        ("projects/", {"country": "XX"}, ["country"]),
        ("projects/", {"country": "Belgium"}, ["country"]),
        ("projects/", {"country": "%s%"}, ["country"]),
        ("projects/", {"partner": "no-such-organisation"}, ["partner"]),
        ("calls/", {"year": "twenty"}, ["year"]),
        ("calls/", {"year": "2019.5"}, ["year"]),
        ("calls/", {"kind": "three_step"}, ["kind"]),
        ("organisations/", {"kind": "club", "country": "ZZ"}, ["kind", "country"]),
        ("labs/", {"kind": "kitchen"}, ["kind"]),
        ("themes/", {"as_of": "2020-02-30"}, ["as_of"]),
        ("events/", {"summit": "first"}, ["summit"]),
        ("funding-contributions/", {"project": "no-such-project"}, ["project"]),
        ("documents/", {"kind": "novel"}, ["kind"]),
    ],
)
def test_malformed_filter_values_are_400_naming_the_parameter(
    anon: Client, path: str, params: dict[str, str], fields: list[str], error: Callable[..., Any]
) -> None:
    error(anon.get(f"/api/v1/{path}", params), 400, "invalid", fields)


def test_unknown_parameter_is_refused_even_with_good_ones(anon: Client, error: Callable[..., Any]) -> None:
    found = error(
        anon.get("/api/v1/projects/", {"status": "running", "sort": "acronym"}),
        400,
        "unknown_parameter",
        ["sort"],
    )
    assert "status" in found["fields"]["sort"][0]


def test_format_parameter_is_allowed(anon: Client, error: Callable[..., Any]) -> None:
    response = anon.get("/api/v1/themes/", {"format": "json"})
    assert response.status_code == 200 and response.json()["count"] == 8
    assert anon.get("/api/v1/themes/hydrogen/", {"format": "api"})["Content-Type"].startswith("text/html")
    error(anon.get("/api/v1/themes/", {"format": "xml"}), 400, "invalid", ["format"])


def test_empty_filter_value_means_no_filter(anon: Client) -> None:
    assert len(results(anon, "projects/", status="")) == len(results(anon, "projects/"))


def test_pages(anon: Client) -> None:
    first = anon.get("/api/v1/organisations/", {"page_size": 10}).json()
    second = anon.get("/api/v1/organisations/", {"page_size": 10, "page": 2}).json()
    assert len(first["results"]) == len(second["results"]) == 10
    assert first["next"] and "page=2" in first["next"] and first["previous"] is None
    assert not {o["slug"] for o in first["results"]} & {o["slug"] for o in second["results"]}
    last_page = (first["count"] + 9) // 10
    last = anon.get("/api/v1/organisations/", {"page_size": 10, "page": last_page}).json()
    assert last["next"] is None and len(last["results"]) == first["count"] - 10 * (last_page - 1)


def filter_names(viewset: Any) -> list[str]:
    filterset = getattr(viewset, "filterset_class", None)
    return sorted(filterset.base_filters) if filterset else []


ROUTES = {
    f"/api/v1/{prefix}/": filter_names(viewset)
    for prefix, viewset, _basename in api_urls.router.registry
    if prefix != "people"  # officers only; its filters are tried by the endpoint tests
}
EXTRA = ["page", "page_size", "format", "sort", "status[]", ""]
TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "0", "-1", "1", "2018-05-01", "fokus", "BE", "running", "9" * 30, "%s%", "1e3", "json"]
    ),
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    route = draw(st.sampled_from(sorted(ROUTES)))
    names = st.sampled_from(ROUTES[route] + EXTRA)
    return route, draw(st.dictionaries(names, TEXT, max_size=4))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests())
def test_any_query_string_is_answered_with_200_or_a_400_in_the_error_format(
    anon: Client, request: tuple[str, dict[str, str]]
) -> None:
    route, params = request
    response = anon.get(route, params)
    assert response.status_code in {200, 400}, (route, params, response.content)
    body = response.json()
    if response.status_code == 200:
        assert set(body) == {"count", "next", "previous", "results"}
    else:
        assert set(body) == {"error"} and {"code", "message", "fields"} == set(body["error"])
        assert body["error"]["code"] in {"invalid", "unknown_parameter"}
        assert set(body["error"]["fields"]) <= set(params), "only parameters that were sent are named"
