"""Factory data for the finance tests: a proposal with a lead partner and two partners, three work
packages and a period of three years, and users acting for each partner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import factory
import pytest
from django.contrib.auth.models import User
from django.test import Client

from deltaregio.accounts.models import Affiliation, Role
from deltaregio.directory.models import Organisation
from deltaregio.finance.models import BudgetLine, CostCategory
from deltaregio.projects.models import Partner, Project, Status, WorkPackage

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Testorganisatie {n}")
    slug = factory.Sequence(lambda n: f"testorganisatie-{n}")
    kind = Organisation.Kind.COMPANY
    country = "BE"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    acronym = factory.Sequence(lambda n: f"TESTPROJ{n}")
    slug = factory.Sequence(lambda n: f"testproj{n}")
    title = "Testproject voor begrotingen"
    status = Status.IN_REVISION
    start_date = dt.date(2024, 1, 1)
    end_date = dt.date(2026, 12, 31)
    total_cost = Decimal("600000.00")
    is_public = True
    source_document = "screen: test"

    class Params:
        running = factory.Trait(status=Status.RUNNING)
        closed = factory.Trait(status=Status.CLOSED)
        unpublished = factory.Trait(is_public=False)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Partner.Role.PARTNER
    country = "BE"


class WorkPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPackage

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Werkpakket {n + 1}")


@dataclass
class Consortium:
    project: Project
    lead: Partner
    alpha: Partner
    beta: Partner
    wps: list[WorkPackage]

    def line(
        self,
        partner: Partner,
        wp: int = 1,
        year: int = 2024,
        category: str = CostCategory.STAFF,
        amount: str = "1000.00",
    ) -> BudgetLine:
        return BudgetLine.objects.create(
            project=self.project,
            partner=partner,
            work_package=self.wps[wp - 1],
            year=year,
            category=category,
            amount=Decimal(amount),
            source_document="screen: test",
            source_location="fixture",
        )


@pytest.fixture
def consortium(db: Any) -> Consortium:
    project = ProjectFactory()
    lead = PartnerFactory(project=project, role=Partner.Role.LEAD, organisation__name="Leidende Partner NV")
    alpha = PartnerFactory(project=project, organisation__name="Alfa Labs BV", country="NL")
    beta = PartnerFactory(project=project, organisation__name="Beta Werkplaats")
    wps = [
        WorkPackageFactory(project=project, number=n, title=f"Werkpakket {n}", budget=Decimal(budget))
        for n, budget in ((1, "100000.00"), (2, "200000.00"), (3, "300000.00"))
    ]
    return Consortium(project, lead, alpha, beta, wps)


@pytest.fixture
def user_for(make_user: Callable[..., User]) -> Callable[[Partner], User]:
    def make(partner: Partner) -> User:
        user = make_user(Role.APPLICANT)
        Affiliation.objects.create(user=user, organisation=partner.organisation)
        return user

    return make


@pytest.fixture
def login() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client(headers={"accept-language": "en"})
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return make


@pytest.fixture
def api(db: Any) -> Client:
    """An anonymous client that asks for English (the API answers in the client's language)."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages of direct calls in English, so tests can quote them (pages choose their own language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
