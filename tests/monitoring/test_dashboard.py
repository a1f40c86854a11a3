"""The dashboard for the public, officers and committees: filled from the reference set with the
documents' targets beside the platform's figures, filtered by theme, programme, call, region and period,
no company named for the public, a constant number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from deltaregio.accounts.models import Role
from deltaregio.directory.models import Organisation
from deltaregio.projects.models import Partner, Project

pytestmark = pytest.mark.django_db


def _secret_project() -> Project:
    project = Project.objects.create(acronym="SECRETX", slug="secretx", title="Unpublished", is_public=False)
    sme = Organisation.objects.create(
        name="Geheim Maakbedrijf BV", slug="geheim-bv", kind="sme", country="NL", region="Noord-Brabant"
    )
    Partner.objects.create(project=project, organisation=sme, country="NL")
    return project


def test_public_dashboard_is_filled_with_targets_beside_the_figures(client: Client) -> None:
    response = client.get("/en/monitoring/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "RCO87",
        "FOKUS-SME",
        "REGMED-RESEARCHERS",
        "NXTGEN-EARNINGS",
        "004_11778272d9654f26.txt",
        "Projects by status",
        "Partners and labs by region",
        "<svg",
        "status-table",
        "region-table",
    ):
        assert text in body, text
    assert "Published projects only" in body


def test_dutch_dashboard(client: Client) -> None:
    response = client.get("/monitoring/")
    assert response.status_code == 200
    assert 'lang="nl"' in response.content.decode()


def test_public_sees_no_company_and_no_unpublished_project(client: Client, make_user: Any) -> None:
    _secret_project()
    public = client.get("/en/monitoring/").content.decode()
    assert "SECRETX" not in public and "Geheim Maakbedrijf" not in public
    officer = make_user(Role.PROGRAMME_OFFICER)
    client.force_login(officer)
    confidential = client.get("/en/monitoring/").content.decode()
    assert "SECRETX" in confidential and "Geheim Maakbedrijf BV" in confidential
    committee = make_user(Role.COMMITTEE_MEMBER)
    client.force_login(committee)
    assert "Geheim Maakbedrijf BV" in client.get("/en/monitoring/").content.decode()
    applicant = make_user(Role.APPLICANT)
    client.force_login(applicant)
    assert "Geheim Maakbedrijf" not in client.get("/en/monitoring/").content.decode()


@pytest.mark.parametrize(
    ("query", "included", "excluded"),
    [
        ("theme=life-sciences-health", "RegMed XB", "Flexlines"),
        ("region=NL41", "Fokus", "RegMed XB"),
        ("programme=interreg-vl-nl", "Fokus", "RegMed XB"),
    ],
)
def test_filters_select_projects(client: Client, query: str, included: str, excluded: str) -> None:
    body = client.get(f"/en/monitoring/?{query}").content.decode()
    table = body.split('id="project-table"')[1]
    assert included in table and f">{excluded}<" not in table


def test_period_filter(client: Client) -> None:
    table = (
        client.get("/en/monitoring/?year_from=2022&year_to=2023")
        .content.decode()
        .split('id="project-table"')[1]
    )
    assert ">Fokus<" not in table  # Fokus ran 2018-2021


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year_from=abc", "A year between 1990 and 2100"),
        ("region=XX9", "Not a NUTS code"),
        ("theme=nope", "No theme with this code"),
        ("year_from=2020&year_to=2019", "The period ends before it starts"),
    ],
)
def test_bad_filters_are_refused_with_a_message(client: Client, query: str, message: str) -> None:
    response = client.get(f"/en/monitoring/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def _projects(n: int) -> None:
    be = Organisation.objects.create(
        name="Vlaams Bedrijf NV", slug="vlaams-bedrijf", kind="company", country="BE", region="Vlaanderen"
    )
    for i in range(n):
        project = Project.objects.create(
            acronym=f"QC{i}", slug=f"qc{i}", title=f"Query count {i}", status="running"
        )
        nl = Organisation.objects.create(
            name=f"QC mkb {i}", slug=f"qc-mkb-{i}", kind="sme", country="NL", region="Zuid-Holland"
        )
        Partner.objects.create(project=project, organisation=nl, country="NL")
        Partner.objects.create(project=project, organisation=be, country="BE")


@pytest.mark.parametrize("url", ["/en/monitoring/", "/api/v1/monitoring-dashboard/"])
def test_dashboard_queries_do_not_grow_with_rows(
    client: Client, url: str, django_assert_max_num_queries: Any, make_user: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user(Role.PROGRAMME_OFFICER))
    client.get(url)  # warm caches (NUTS table)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    _projects(15)
    with django_assert_max_num_queries(len(before)):
        assert client.get(url).status_code == 200


def test_indicator_and_measurement_api_queries_do_not_grow(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    import datetime as dt
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deltaregio.monitoring.models import Indicator, Measurement

    counts = {}
    for url in (
        "/api/v1/monitoring-indicators/",
        "/api/v1/monitoring-measurements/",
        "/en/monitoring/indicators/RCR03/",
    ):
        with CaptureQueriesContext(connection) as before:
            assert client.get(url).status_code == 200
        counts[url] = len(before)
    indicator = Indicator.objects.get(code="RCR03")
    for project in Project.objects.all()[:10]:
        Measurement.objects.create(
            indicator=indicator,
            project=project,
            date=dt.date(2021, 1, 1),
            value=Decimal(1),
            unit="count",
            origin="entered",
            source_document="test",
        )
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_map_marks_regions_offline(client: Client) -> None:
    body = client.get("/en/monitoring/").content.decode()
    figure = body.split('<figure class="map">')[1].split("</figure>")[0]
    assert "<circle" in figure and "http" not in figure.replace("http://www.w3.org/2000/svg", "")
    assert "BE2" in body.split('id="region-table"')[1]


def test_officers_define_indicators_and_targets_on_the_web(client: Client, make_user: Any) -> None:
    data = {
        "code": "NEW-1",
        "name_nl": "Nieuw",
        "name_en": "New",
        "definition_nl": "Een nieuwe indicator.",
        "framework": "programme",
        "unit": "count",
        "kind": "output",
        "level": "programme",
        "method": "entered",
        "moment": "yearly",
        "period_start": "2022-01-01",
        "period_end": "2025-12-31",
        "is_published": "on",
    }
    client.force_login(make_user(Role.APPLICANT))
    assert client.post("/en/monitoring/indicators/new/", data).status_code == 403
    client.force_login(make_user(Role.PROGRAMME_OFFICER))
    response = client.post("/en/monitoring/indicators/new/", data)
    assert response.status_code == 302
    bad = client.post(
        "/en/monitoring/indicators/NEW-1/targets/new/",
        {"year": "2030", "value": "10", "source_document": "plan", "source_location": "p. 3"},
    )
    assert bad.status_code == 400 and "2030 is not a year of indicator NEW-1" in bad.content.decode()
    good = client.post(
        "/en/monitoring/indicators/NEW-1/targets/new/",
        {"year": "2025", "value": "10", "source_document": "plan", "source_location": "p. 3"},
    )
    assert good.status_code == 302
    assert "plan, p. 3" in client.get("/en/monitoring/indicators/NEW-1/").content.decode()
    computed = dict(data, code="NEW-2", method="computed", computation="cross-border-share")
    refused = client.post("/en/monitoring/indicators/new/", computed)
    assert refused.status_code == 400 and "gives percent, not count" in refused.content.decode()
