"""Two writers at the same moment: a budget change locks the project row, so two people entering the
same budget cell, or importing at once, are served one after the other — never a lost update, never a
database error. Needs a database with row locks: runs on PostgreSQL, skipped on SQLite."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from deltaregio.accounts.models import Affiliation, Role
from deltaregio.finance import services
from deltaregio.finance.models import BudgetLine

from .conftest import OrganisationFactory, PartnerFactory, ProjectFactory, WorkPackageFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises all writes anyway")


def race(n: int, work: Any) -> list[Any]:
    barrier = threading.Barrier(n)
    outcomes: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = work(i)
        except Exception as exc:  # the outcome is what the test inspects
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_the_same_cell_entered_twice_at_once(postgres: None, make_user: Any) -> None:
    project = ProjectFactory()
    partner = PartnerFactory(project=project, organisation=OrganisationFactory())
    wp = WorkPackageFactory(project=project, number=1)
    user = make_user(Role.APPLICANT)
    Affiliation.objects.create(user=user, organisation=partner.organisation)

    def enter(i: int) -> BudgetLine:
        return services.budget_line_save(
            by=user,
            partner=partner,
            work_package=wp,
            year=2025,
            category="staff",
            amount=Decimal(100 + i),
            source_document="race",
        )

    outcomes = race(4, enter)
    saved = [o for o in outcomes if isinstance(o, BudgetLine)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(saved) == 1 and len(refused) == 3, outcomes
    assert BudgetLine.objects.get().amount == saved[0].amount
