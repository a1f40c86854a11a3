"""The number of queries of the finance API's lists and details does not grow with the rows they show:
budget lines, co-financing lines and programme amounts, as a programme officer (who sees them all)
asks for them. The rows are entered through the services, spread over partners of two projects, work
packages, instruments and programmes, so every related row the serializers name differs."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client

from deltaregio.finance import services
from deltaregio.finance.models import (
    BudgetLine,
    CoFinancingLine,
    ContributorType,
    CostCategory,
    FundingContribution,
    ProgrammeAmount,
)
from deltaregio.funding.models import Instrument
from deltaregio.projects.models import Partner, WorkPackage

from .conftest import Consortium, PartnerFactory, WorkPackageFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/finance"
ROUTES: dict[str, tuple[str, type[Model]]] = {
    "budget-lines": (f"{API}/budget-lines/", BudgetLine),
    "co-financing-lines": (f"{API}/co-financing-lines/", CoFinancingLine),
    "programme-amounts": (f"{API}/programme-amounts/", ProgrammeAmount),
}
AddRows = Callable[[int], None]


@pytest.fixture
def add_rows(consortium: Consortium, officer: User) -> AddRows:
    """`add_rows(n)`: n more budget lines, co-financing lines and programme amounts, each on another
    partner (of the consortium's project or of a second one), work package, year, instrument or
    programme than the one before."""
    other = PartnerFactory.create(organisation__name="Tweede Project BV")
    other_wp = WorkPackageFactory.create(project=other.project, number=1)
    places: list[tuple[Partner, WorkPackage]] = [
        (consortium.lead, consortium.wps[0]),
        (consortium.alpha, consortium.wps[1]),
        (consortium.beta, consortium.wps[2]),
        (other, other_wp),
    ]
    instruments = [None, *Instrument.objects.order_by("code")[:2]]
    programmes = list(Instrument.objects.order_by("-code")[:3])
    categories = list(CostCategory.values)
    contributors = list(ContributorType.values)
    done = {"n": 0}

    def add(n: int) -> None:
        for i in range(done["n"], done["n"] + n):
            partner, wp = places[i % len(places)]
            services.budget_line_save(
                by=officer,
                partner=partner,
                work_package=wp,
                year=2024 + i % 3,
                category=categories[i % len(categories)],
                amount=Decimal(1000 + i),
                source_document="test",
            )
            services.co_financing_line_save(
                by=officer,
                partner=partner,
                source_kind=FundingContribution.SourceKind.values[i % 4],
                source=f"Bron {i}",
                instrument=instruments[i % len(instruments)],
                amount=Decimal(500 + i),
                source_document="test",
            )
            services.programme_amount_save(
                by=officer,
                programme=programmes[i % len(programmes)],
                kind=ProgrammeAmount.Kind.values[i % 2],
                year=2000 + i,
                contributor=contributors[i % len(contributors)],
                amount=Decimal(10_000 + i),
                source_document="test",
            )
        done["n"] += n

    return add


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_the_lists_do_not_grow_with_the_rows(
    route: str, add_rows: AddRows, login: Callable[[User], Client], officer: User, query_counts: Any
) -> None:
    url, model = ROUTES[route]
    client = login(officer)
    before = model._default_manager.count()
    add_rows(1)
    query_counts.get(client, url)  # warm per-process caches (content types, the session)
    response, one = query_counts.get(client, url)
    assert response.json()["count"] == before + 1
    add_rows(7)
    response, many = query_counts.get(client, url)
    body = response.json()
    assert body["count"] == before + 8 and len(body["results"]) == before + 8
    assert many <= one + 1, (one, many)  # +1: a prefetch is skipped when it has nothing to fetch


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_detail_costs_the_same_whichever_row_is_shown(
    route: str, add_rows: AddRows, login: Callable[[User], Client], officer: User, query_counts: Any
) -> None:
    url, model = ROUTES[route]
    add_rows(8)
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:8])
    shown = query_counts.same_whichever(login(officer), [f"{url}{pk}/" for pk in pks])
    assert len(pks) == 8 and [r.json()["id"] for r in shown] == pks
