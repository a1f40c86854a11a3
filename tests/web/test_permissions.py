"""Who may use which page: the history of a theme is for programme officers; an unpublished project
exists only for officers and for people who act for one of its partners."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, get_resolver

from deltaregio.accounts.models import Role
from deltaregio.directory.models import Organisation
from deltaregio.projects.models import Partner, Project

from .conftest import text_of

pytestmark = pytest.mark.django_db

HISTORY = "/themes/hydrogen/history/"


def test_every_web_view_declares_who_may_use_it() -> None:
    from deltaregio.web import urls

    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        permissions = getattr(pattern.callback, "permissions_required", None)
        assert permissions, f"{pattern.name} does not say who may use it"
        assert pattern.callback.__doc__, f"{pattern.name} has no docstring stating its audience"
    assert get_resolver().resolve("/themes/hydrogen/history/").url_name == "theme_history"


def test_anonymous_user_is_sent_to_login_for_the_history(client: Client) -> None:
    response = client.get(HISTORY)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/themes/hydrogen/history/")


@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.COMMITTEE_MEMBER, Role.SME, Role.LAB_PARTNER])
def test_a_user_who_is_not_an_officer_is_refused_the_history(
    client: Client, make_user: Callable[..., User], role: Role | None
) -> None:
    client.force_login(make_user(role))
    response = client.get(HISTORY)
    assert response.status_code == 403
    assert "Geen toegang" in text_of(response.content)
    assert "Wijzigingsgeschiedenis" not in text_of(client.get("/themes/hydrogen/").content)


def test_an_officer_sees_the_history_with_who_changed_what(client: Client, officer: User) -> None:
    from deltaregio.agenda.models import Theme

    theme = Theme.objects.get(code="hydrogen")
    theme.name = "Waterstof"
    theme._history_user = officer  # type: ignore[attr-defined]
    theme.save()
    client.force_login(officer)
    assert 'href="/themes/hydrogen/history/"' in client.get("/themes/hydrogen/").content.decode()
    response = client.get(HISTORY)
    assert response.status_code == 200
    text = text_of(response.content)
    assert officer.username in text
    assert "gewijzigd" in text and "Waterstoftechnologie" in text and "Waterstof" in text
    assert client.get("/themes/nothing/history/").status_code == 404


@pytest.fixture
def hidden_project() -> Project:
    project = Project.objects.create(
        acronym="HIDDEN", slug="hidden", title="Unpublished proposal", summary="Secret plan", is_public=False
    )
    Partner.objects.create(project=project, organisation=Organisation.objects.get(name="Holst Centre"))
    return project


def test_an_unpublished_project_is_404_for_anonymous_users_and_not_listed(
    client: Client, hidden_project: Project
) -> None:
    assert client.get("/projects/hidden/").status_code == 404
    assert "HIDDEN" not in text_of(client.get("/projects/").content)
    assert "HIDDEN" not in text_of(client.get("/search/?q=hidden").content)
    assert "HIDDEN" not in text_of(client.get("/organisations/holst-centre/").content)


def test_an_unpublished_project_is_404_for_a_user_of_another_organisation(
    client: Client, make_user: Callable[..., User], hidden_project: Project
) -> None:
    client.force_login(make_user(Role.APPLICANT, organisation="TNO"))
    assert client.get("/projects/hidden/").status_code == 404


def test_an_officer_sees_the_unpublished_project(
    client: Client, officer: User, hidden_project: Project
) -> None:
    client.force_login(officer)
    response = client.get("/projects/hidden/")
    assert response.status_code == 200
    assert "Dit project is niet gepubliceerd." in text_of(response.content)
    assert "HIDDEN" in text_of(client.get("/projects/").content)


def test_a_partner_sees_its_unpublished_project_everywhere(
    client: Client, applicant: User, hidden_project: Project
) -> None:
    client.force_login(applicant)  # acts for Holst Centre, a partner of the project
    assert client.get("/projects/hidden/").status_code == 200
    assert "HIDDEN" in text_of(client.get("/search/?q=hidden").content)
    assert "HIDDEN" in text_of(client.get("/organisations/holst-centre/").content)


def test_unpublished_projects_do_not_count_on_the_public_agenda(
    client: Client, hidden_project: Project
) -> None:
    from decimal import Decimal

    from deltaregio.agenda.models import Theme

    hidden_project.total_cost = Decimal("1000000.00")
    hidden_project.save()
    hidden_project.themes.add(Theme.objects.get(code="hydrogen"))
    text = text_of(client.get("/themes/hydrogen/").content)
    assert "1.000.000,00 euro" not in text
    officer_client = Client()
    officer_client.force_login(User.objects.create_superuser("root", password="x" * 12))
    assert "1.000.000,00 euro" in text_of(officer_client.get("/themes/hydrogen/").content)


def test_logout_is_a_post_form(client: Client, officer: User) -> None:
    client.force_login(officer)
    html = client.get("/").content.decode()
    assert 'action="/logout/" method="post"' in html
    response = client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_with_a_wrong_password_says_so(client: Client, officer: User) -> None:
    response = client.post("/login/", {"username": officer.username, "password": "wrong-password-1"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
