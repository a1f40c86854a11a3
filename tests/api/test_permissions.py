"""Who may read what: people only for programme officers; an unpublished project (and its funding)
only for officers and for users who act for one of its partners; to anyone else it does not exist."""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from deltaregio.accounts.models import Role
from deltaregio.agenda.models import Theme
from deltaregio.api import urls as api_urls
from deltaregio.api.base import ReadOnlyListViewSet, StrictQueryParametersMixin
from deltaregio.api.permissions import RulesPermission
from deltaregio.directory.models import Organisation
from deltaregio.finance.models import FundingContribution
from deltaregio.projects.models import Partner, Project

SECRET = "secret-pilot"


@pytest.fixture
def secret_project(db: Any) -> Project:
    """An unpublished project with Holst Centre (the `applicant` fixture's organisation) as partner."""
    project = Project.objects.create(
        acronym="SECRET",
        slug=SECRET,
        title="An unpublished pilot",
        is_public=False,
        status="registered",
        total_cost=Decimal("1000.00"),
        source_document="test",
        source_location="test",
    )
    project.themes.add(Theme.objects.get(code="photonics"))
    Partner.objects.create(
        project=project, organisation=Organisation.objects.get(name="Holst Centre"), role="lead", country="NL"
    )
    FundingContribution.objects.create(
        project=project, source="A secret fund", source_kind="other", amount=Decimal("500.00")
    )
    return project


def slugs(client: Client, **params: Any) -> set[str]:
    response = client.get("/api/v1/projects/", {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return {p["slug"] for p in response.json()["results"]}


def contribution_projects(client: Client) -> set[str]:
    response = client.get("/api/v1/funding-contributions/", {"page_size": 500})
    assert response.status_code == 200, response.content
    return {c["project"] for c in response.json()["results"]}


def test_people_are_for_programme_officers_only(
    anon: Client,
    applicant_client: Client,
    public_client: Client,
    officer_client: Client,
    error: Callable[..., Any],
) -> None:
    refused = anon.get("/api/v1/people/")
    error(refused, 401, "not_authenticated")
    assert refused["WWW-Authenticate"].startswith("Basic")
    error(applicant_client.get("/api/v1/people/"), 403, "permission_denied")
    error(public_client.get("/api/v1/people/"), 403, "permission_denied")
    person_id = officer_client.get("/api/v1/people/").json()["results"][0]["id"]
    error(anon.get(f"/api/v1/people/{person_id}/"), 401, "not_authenticated")
    error(applicant_client.get(f"/api/v1/people/{person_id}/"), 403, "permission_denied")
    assert officer_client.get(f"/api/v1/people/{person_id}/").status_code == 200


def test_an_officer_may_use_basic_authentication(officer: User, error: Callable[..., Any]) -> None:
    officer.set_password("a-long-enough-password")
    officer.save()
    token = base64.b64encode(f"{officer.username}:a-long-enough-password".encode()).decode()
    response = Client().get("/api/v1/people/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 200, response.content
    wrong = base64.b64encode(f"{officer.username}:wrong".encode()).decode()
    error(Client().get("/api/v1/people/", HTTP_AUTHORIZATION=f"Basic {wrong}"), 401, "not_authenticated")


def test_an_unpublished_project_does_not_exist_for_the_public(
    anon: Client, public_client: Client, secret_project: Project, error: Callable[..., Any]
) -> None:
    for client in (anon, public_client):
        assert SECRET not in slugs(client)
        assert SECRET not in slugs(client, partner="holst-centre")
        assert SECRET not in slugs(client, q="SECRET")
        error(client.get(f"/api/v1/projects/{SECRET}/"), 404, "not_found")
        assert SECRET not in contribution_projects(client)
        secret_id = FundingContribution.objects.get(project=secret_project).pk
        error(client.get(f"/api/v1/funding-contributions/{secret_id}/"), 404, "not_found")
        # Asking for its contributions is answered as for a project that does not exist at all.
        hidden = client.get("/api/v1/funding-contributions/", {"project": SECRET})
        missing = client.get("/api/v1/funding-contributions/", {"project": "no-such-project"})
        error(hidden, 400, "invalid", ["project"])
        assert hidden.json() == missing.json()


def test_an_unpublished_project_is_visible_to_officers(
    officer_client: Client, secret_project: Project
) -> None:
    assert SECRET in slugs(officer_client)
    detail = officer_client.get(f"/api/v1/projects/{SECRET}/").json()
    assert detail["is_public"] is False
    assert detail["partners"][0]["organisation"] == "Holst Centre"
    assert detail["funding"][0]["funding_source"] == "A secret fund"
    assert SECRET in contribution_projects(officer_client)


def test_an_unpublished_project_is_visible_to_its_partners_only(
    applicant_client: Client,
    make_user: Callable[..., User],
    login: Callable[[User], Client],
    secret_project: Project,
    error: Callable[..., Any],
) -> None:
    assert SECRET in slugs(applicant_client)
    assert applicant_client.get(f"/api/v1/projects/{SECRET}/").status_code == 200
    assert SECRET in contribution_projects(applicant_client)
    assert "fokus" in slugs(applicant_client), "a partner still sees every published project"
    assert len(slugs(applicant_client)) == len(set(slugs(applicant_client)))

    outsider = login(make_user(Role.APPLICANT, organisation="Sirris"))
    assert SECRET not in slugs(outsider)
    error(outsider.get(f"/api/v1/projects/{SECRET}/"), 404, "not_found")
    assert SECRET not in contribution_projects(outsider)


def test_the_list_of_a_partner_costs_no_more_queries_with_more_projects(
    applicant_client: Client, secret_project: Project
) -> None:
    holst = Organisation.objects.get(name="Holst Centre")
    applicant_client.get("/api/v1/projects/")
    with CaptureQueriesContext(connection) as before:
        applicant_client.get("/api/v1/projects/", {"page_size": 500})
    for i in range(15):
        extra = Project.objects.create(acronym=f"X{i}", slug=f"x-{i}", title="x", is_public=i % 2 == 0)
        Partner.objects.create(project=extra, organisation=holst)
        extra.themes.add(Theme.objects.get(code="hydrogen"))
    with CaptureQueriesContext(connection) as after:
        response = applicant_client.get("/api/v1/projects/", {"page_size": 500})
    assert {f"x-{i}" for i in range(15)} <= {p["slug"] for p in response.json()["results"]}
    assert len(after) == len(before)


def test_stakeholder_members_are_named_only_to_those_who_may_view_people(
    anon: Client, officer_client: Client
) -> None:
    def named(client: Client) -> set[str]:
        groups = client.get("/api/v1/stakeholder-groups/").json()["results"]
        return {m["person"] for g in groups for m in g["members"] if m["person"]}

    assert named(anon) == set()
    assert named(officer_client), "the reference data names people in stakeholder groups"


def test_every_endpoint_states_its_permission_and_denies_by_default() -> None:
    for prefix, registered, _basename in api_urls.router.registry:
        viewset: Any = registered
        assert viewset.permission_classes == [RulesPermission], prefix
        perm = viewset.permission_required
        assert perm.split(".")[0] in {"directory", "agenda", "funding", "projects", "finance", "sources"}, (
            prefix
        )
        assert issubclass(viewset, StrictQueryParametersMixin), prefix


def test_a_view_that_states_no_permission_refuses_everyone(officer: User) -> None:
    class Unstated(APIView):
        def get(self, request: Any) -> Response:
            return Response({"secret": True})

    class NoRule(ReadOnlyListViewSet):
        def list(self, request: Any) -> Response:
            return Response({"secret": True})

    request = APIRequestFactory().get("/")
    force_authenticate(request, user=officer)
    assert Unstated.as_view()(request).status_code == 403  # the default: DenyAll
    assert NoRule.as_view({"get": "list"})(request).status_code == 403  # RulesPermission without a rule
