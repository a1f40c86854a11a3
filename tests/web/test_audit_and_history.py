"""The audit log and a project's history: who may see them, and what they show."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from deltaregio.accounts.models import Role
from deltaregio.projects.models import Project

pytestmark = pytest.mark.django_db


def test_the_audit_log_shows_changes_and_logins_to_officers(client, officer, make_user):
    outsider = make_user(None, password="a-long-correct-password")
    client.post("/login/", {"username": outsider.username, "password": "wrong-password"})
    project = Project.objects.get(acronym="Fokus")
    project.title = "Fokus – retitled for the audit test"
    project._history_user = officer
    project.save()
    client.force_login(officer)
    response = client.get("/audit/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Fokus – retitled for the audit test" not in text or officer.username in text
    assert officer.username in text
    assert outsider.username in text  # the failed login


@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.SME, Role.COMMITTEE_MEMBER])
def test_the_audit_log_is_refused_to_everyone_else(client, make_user, role):
    response = client.get("/audit/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(make_user(role))
    assert client.get("/audit/").status_code == 403


def test_a_project_as_it_stood_on_a_date(client, officer):
    client.force_login(officer)
    response = client.get("/projects/fokus/history/?as_of=1999-01-01")
    assert response.status_code == 200
    assert (
        "no record of this project on that date" in response.content.decode()
        or "geen" in response.content.decode()
    )
    today = response.context["versions"][0]["record"].history_date.date().isoformat()
    response = client.get(f"/projects/fokus/history/?as_of={today}")
    assert response.context["state"].title == Project.objects.get(acronym="Fokus").title
    assert client.get("/projects/fokus/history/?as_of=yesterday").status_code == 400


def test_project_history_is_for_officers_and_partners_only(client, make_user):
    assert client.get("/projects/fokus/history/").status_code == 302
    client.force_login(make_user(Role.APPLICANT, organisation="Holst Centre"))  # not a Fokus partner
    assert client.get("/projects/fokus/history/").status_code == 403
    partner_user: User = make_user(Role.LAB_PARTNER, organisation="Sirris")  # a Fokus partner
    client.force_login(partner_user)
    assert client.get("/projects/fokus/history/").status_code == 200
    page = client.get("/projects/fokus/")
    assert "/projects/fokus/history/" in page.content.decode()
