"""Invariants that belong to one row, history and the login audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from deltaregio.agenda.models import Theme
from deltaregio.agenda.selectors import theme_list
from deltaregio.projects.models import Project, StatusChange, WorkPackage

pytestmark = pytest.mark.django_db


def test_status_history_is_append_only():
    translation.activate("en")
    change = StatusChange.objects.filter(project__acronym="Fokus").first()
    change.note = "rewritten"
    with pytest.raises(ValidationError, match="append-only"):
        change.save()
    with pytest.raises(ValidationError, match="append-only"):
        change.delete()
    new = StatusChange.objects.create(project=change.project, status="closed", date=dt.date(2021, 4, 30))
    assert new.pk


@pytest.mark.parametrize(
    ("field", "value"),
    [("share", Decimal("100.50")), ("share", Decimal("-1")), ("budget", Decimal("-0.01"))],
)
def test_work_package_constraints_are_enforced_by_the_database(field, value):
    fokus = Project.objects.get(acronym="Fokus")
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkPackage.objects.create(project=fokus, number=7, title="x", **{field: value})


def test_a_project_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(
            acronym="X", slug="x", title="x", start_date=dt.date(2020, 1, 2), end_date=dt.date(2020, 1, 1)
        )


def test_changes_to_the_agenda_are_kept_with_who_made_them(admin_user):
    theme = Theme.objects.get(code="photonics")
    before = theme.history.count()
    theme.name_nl = "Fotonica en optica"
    theme._history_user = admin_user
    theme.save()
    assert theme.history.count() == before + 1
    latest = theme.history.first()
    assert latest.history_user == admin_user
    assert latest.name_nl == "Fotonica en optica"
    assert latest.prev_record.name_nl == "Fotonica"


def test_the_agenda_as_it_stood_on_a_date():
    assert theme_list(as_of=dt.date(2016, 11, 6)).count() == 0
    assert set(theme_list(as_of=dt.date(2018, 1, 1)).values_list("code", flat=True)) == {
        "energy-innovation",
        "factories-of-the-future",
        "flexible-electronics",
        "photonics",
        "life-sciences-health",
        "new-materials",
    }
    assert theme_list(as_of=dt.date(2020, 11, 4)).count() == 8


def test_logins_are_audited(client, make_user):
    from axes.models import AccessAttempt, AccessLog

    user = make_user(None, password="a-long-correct-password")
    client.post("/login/", {"username": user.username, "password": "wrong-password"})
    assert AccessAttempt.objects.filter(username=user.username).exists()
    client.post("/login/", {"username": user.username, "password": "a-long-correct-password"})
    assert AccessLog.objects.filter(username=user.username).exists()


def test_the_admin_is_for_staff_only(client, make_user):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    user = make_user(None, password="a-long-correct-password")
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
