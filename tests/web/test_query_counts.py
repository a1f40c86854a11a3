"""List pages make a fixed number of queries, however many rows they show."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from deltaregio.agenda.models import Subdomain, Summit, SummitDecision, Theme
from deltaregio.directory.models import Lab, Organisation
from deltaregio.funding.models import Call, Instrument
from deltaregio.projects.models import Partner, Project
from deltaregio.sources.models import Statement

pytestmark = pytest.mark.django_db

N = 12


def add_themes() -> None:
    for i in range(N):
        theme = Theme.objects.create(
            code=f"extra-{i}", name=f"Extra {i}", added_on="2019-01-01", order=50 + i
        )
        Subdomain.objects.create(theme=theme, code="sub", name=f"Sub {i}")
        project = Project.objects.create(
            acronym=f"EXTRA{i}", slug=f"extra-{i}", title=f"Extra {i}", total_cost=Decimal("10.00")
        )
        project.themes.add(theme)


def add_projects() -> None:
    organisation = Organisation.objects.get(name="Sirris")
    theme = Theme.objects.get(code="photonics")
    for i in range(N):
        project = Project.objects.create(acronym=f"P{i}", slug=f"p-{i}", title=f"Project {i}")
        project.themes.add(theme)
        Partner.objects.create(project=project, organisation=organisation)


def add_organisations() -> None:
    parent = Organisation.objects.get(name="KU Leuven")
    for i in range(N):
        Organisation.objects.create(
            name=f"Organisation {i}", slug=f"organisation-{i}", parent=parent, country="BE"
        )


def add_labs() -> None:
    operator = Organisation.objects.get(name="Sirris")
    for i in range(N):
        Lab.objects.create(name=f"Lab {i}", slug=f"lab-{i}", operator=operator, country="NL", area_m2=10)


def add_instruments() -> None:
    parent = Instrument.objects.get(code="efro")
    for i in range(N):
        instrument = Instrument.objects.create(
            code=f"inst-{i}", name=f"Instrument {i}", kind="fund", parent=parent
        )
        Call.objects.create(code=f"call-{i}", instrument=instrument, name=f"Call {i}")


def add_timeline() -> None:
    for i in range(N):
        summit = Summit.objects.create(
            number=100 + i, date=f"{2030 + i}-01-01", place="Gent", title=f"Summit {i}"
        )
        SummitDecision.objects.create(summit=summit, order=1, text="Decision")
        Theme.objects.create(
            code=f"later-{i}", name=f"Later {i}", added_on=f"{2030 + i}-01-01", added_at=summit
        )


def add_statements() -> None:
    for i in range(N):
        for value in (1, 2):
            Statement.objects.create(
                key=f"k-{i}",
                subject=f"Subject {i}",
                value=value,
                value_text=str(value),
                source_document=f"doc-{value}",
                source_location="line 1",
            )


def add_search_hits() -> None:
    add_organisations()
    add_labs()


CASES: list[tuple[str, Callable[[], None], str, int]] = [
    ("/", add_themes, "Extra 11", 4),
    ("/projects/", add_projects, "P11", 4),
    ("/themes/photonics/", add_projects, "P11", 7),
    ("/organisations/", add_organisations, "Organisation 11", 2),
    ("/labs/", add_labs, "Lab 11", 2),
    ("/instruments/", add_instruments, "Instrument 11", 2),
    ("/instruments/efro/", add_instruments, "Instrument 11", 12),
    ("/timeline/", add_timeline, "Summit 11", 9),
    ("/sources/", add_statements, "Subject 11", 4),
    ("/search/?q=11", add_search_hits, "Lab 11", 7),
]


@pytest.mark.parametrize(("url", "add_rows", "new_text", "most"), CASES, ids=[c[0] for c in CASES])
def test_queries_do_not_grow_with_rows(
    client: Client,
    count_queries: Callable[[str], int],
    django_assert_max_num_queries: Any,
    url: str,
    add_rows: Callable[[], None],
    new_text: str,
    most: int,
) -> None:
    before = count_queries(url)
    assert before <= most, f"{url} makes {before} queries"
    add_rows()
    with django_assert_max_num_queries(before):
        response = client.get(url)
    assert new_text in response.content.decode(), "the new rows are on the page"
