"""API: indicators, measurements (entered with POST) and dashboard figures, in the one error format."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from deltaregio.accounts.models import Role
from deltaregio.monitoring.models import Measurement
from deltaregio.projects.models import Partner, Project

pytestmark = pytest.mark.django_db


def test_indicators_with_targets_and_sources(client: Client) -> None:
    body = client.get("/api/v1/monitoring-indicators/FOKUS-SME/").json()
    assert body["unit"] == "count" and body["method"] == "computed"
    assert sorted(t["value"] for t in body["targets"]) == ["150", "150", "200"]
    assert all(t["source"]["document"] and t["source"]["location"] for t in body["targets"])
    assert body["current_value"] is not None


def test_dashboard_figures(client: Client) -> None:
    body = client.get("/api/v1/monitoring-dashboard/?theme=life-sciences-health").json()
    assert body["filter"] == {"theme": "life-sciences-health"}
    assert body["project_count"] > 0
    assert any(
        i["code"] == "REGMED-RESEARCHERS" and i["targets"][0]["value"] == "500" for i in body["indicators"]
    )
    bad = client.get("/api/v1/monitoring-dashboard/?region=ZZ")
    assert bad.status_code == 400 and "region" in bad.json()["error"]["fields"]
    unknown = client.get("/api/v1/monitoring-dashboard/?colour=red")
    assert unknown.status_code == 400


def _post(client: Client, **data: Any) -> Any:
    return client.post(
        "/api/v1/monitoring-measurements/", data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_officer_enters_a_measurement(client: Client, make_user: Any) -> None:
    client.force_login(make_user(Role.PROGRAMME_OFFICER))
    response = _post(
        client,
        indicator="D002-STARTUPS",
        date="2023-12-31",
        value="4",
        unit="count",
        source="jaarverslag 2023",
    )
    assert response.status_code == 201, response.content
    assert response.json()["origin"] == "entered"
    duplicate = _post(client, indicator="D002-STARTUPS", date="2023-12-31", value="5", unit="count")
    assert duplicate.status_code == 400
    assert "already has an entered measurement" in duplicate.json()["error"]["fields"]["date"][0]
    wrong_unit = _post(client, indicator="D002-STARTUPS", date="2024-12-31", value="5", unit="EUR")
    assert wrong_unit.status_code == 400 and "unit" in wrong_unit.json()["error"]["fields"]
    outside = _post(client, indicator="D002-STARTUPS", date="2035-12-31", value="5", unit="count")
    assert outside.status_code == 400 and "date" in outside.json()["error"]["fields"]
    assert Measurement.objects.filter(indicator__code="D002-STARTUPS").count() == 1


def test_refusals(client: Client, make_user: Any) -> None:
    anonymous = _post(client, indicator="RCR03", date="2021-04-30", value="1", unit="count")
    assert anonymous.status_code in (401, 403)
    fokus = Project.objects.get(acronym="Fokus")
    organisation = Partner.objects.filter(project=fokus).first().organisation  # type: ignore[union-attr]
    client.force_login(make_user(Role.APPLICANT, organisation=organisation.name))
    own = _post(client, indicator="RCR03", project="fokus", date="2021-04-30", value="3", unit="count")
    assert own.status_code == 201, own.content
    other = Project.objects.filter(is_public=True).exclude(partners__organisation=organisation).first()
    refused = _post(client, indicator="RCR03", project=other.slug, date="2021-04-30", value="3", unit="count")  # type: ignore[union-attr]
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    programme = _post(client, indicator="D002-JOBS", date="2022-01-01", value="3", unit="persons")
    assert programme.status_code == 403


def test_refusals_are_in_the_users_language(client: Client, make_user: Any) -> None:
    client.force_login(make_user(Role.PROGRAMME_OFFICER))
    response = client.post(
        "/api/v1/monitoring-measurements/",
        {"indicator": "REGMED-BUDGET", "date": "2020-01-01", "value": "4000000", "unit": "EUR"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 400
    assert "wordt gemeten in miljoen euro" in response.json()["error"]["fields"]["unit"][0]
