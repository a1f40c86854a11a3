"""The number of queries of the funnel's lists does not grow with the number of companies, nor with
the steps they show; a result, a plan, a workshop and a scan cost the same whichever is shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deltaregio.directory.models import Organisation
from deltaregio.funnel import selectors, services

from .conftest import CompleteScan

pytestmark = pytest.mark.django_db


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url", ["/funnel/journeys/", "/api/v1/journeys/", "/api/v1/results/", "/funnel/", "/api/v1/funnel/"]
)
def test_lists_do_not_grow_with_the_companies(
    client: Client, officer: User, complete_scan: CompleteScan, url: str
) -> None:
    client.force_login(officer)
    complete_scan(company="Eerste")
    few = queries(client, url)
    for n in range(4):
        complete_scan(company=f"Bedrijf {n}")
    assert queries(client, url) <= few + 1  # +1: the session may be touched once


def test_the_journey_page_does_not_grow_with_its_scans(
    client: Client, officer: User, complete_scan: CompleteScan
) -> None:
    client.force_login(officer)
    result, _t = complete_scan()
    url = f"/funnel/journeys/{result.journey.organisation.slug}/"
    few = queries(client, url)
    for _ in range(3):
        complete_scan()
    assert queries(client, url) <= few + 1


# --- the steps of a journey, the results, the plans and workshops ------------------------------------

StepRows = Callable[[int], list[dict[str, Any]]]


@pytest.fixture
def step_rows(complete_scan: CompleteScan) -> StepRows:
    """`step_rows(n)`: n more companies, each with a verified scan and the steps after it: Sirris or
    TNO in turn as partner, an intake with 0, 1 or 2 questions, a trajectory in one of the practice
    labs, a plan (with that trajectory and i actions) and a workshop that answers the company's
    questions, for which it and up to three companies before it are registered. Each company's rows,
    by kind."""
    partners = list(Organisation.objects.filter(name__in=["Sirris", "TNO"]).order_by("name"))
    labs = list(selectors.fokus_lab_queryset().order_by("name")[:3])
    done = {"n": 0}
    journeys: list[Any] = []

    def add(n: int) -> list[dict[str, Any]]:
        made = []
        for i in range(done["n"], done["n"] + n):
            result, _token = complete_scan(company=f"Stapbedrijf {i}")
            journey, partner, lab = result.journey, partners[i % 2], labs[i % len(labs)]
            services.journey_assign_partner(journey=journey, partner=partner)
            intake = services.intake_record(
                journey=journey,
                partner=partner,
                held_on=dt.date(2024, 3, 1),
                notes=f"Gesprek {i}",
                questions=[f"Vraag {i}.{q}" for q in range(i % 3)],
            )
            trajectory = services.trajectory_record(
                journey=journey, lab=lab, partner=partner, start_date=dt.date(2024, 4, 1)
            )
            plan = services.plan_create(
                journey=journey,
                partner=partner,
                trajectory=trajectory,
                title=f"Plan {i}",
                situation="s",
                goals="g",
                actions=[{"action": f"Stap {a}", "owner": "", "due": "", "cost": ""} for a in range(i)],
            )
            workshop = services.workshop_create(
                title=f"Workshop {i}",
                held_on=dt.date(2024, 5, 1),
                lab=lab,
                places=10,
                questions=list(intake.questions.all()),
            )
            journeys.append(journey)
            for registered in journeys[-4:]:  # 1 to 4 registrations
                services.workshop_register(workshop=workshop, journey=registered)
            made.append(
                {
                    "result": result,
                    "intake": intake,
                    "trajectory": trajectory,
                    "plan": plan,
                    "workshop": workshop,
                }
            )
        done["n"] += n
        return made

    return add


STEP_LISTS = {
    "/api/v1/intakes/": "intake",
    "/api/v1/trajectories/": "trajectory",
    "/api/v1/implementation-plans/": "plan",
    "/api/v1/workshops/": "workshop",
    "/funnel/workshops/": "workshop",
}


@pytest.mark.parametrize("url", sorted(STEP_LISTS))
def test_the_step_lists_do_not_grow_with_the_steps(
    client: Client, officer: User, step_rows: StepRows, url: str, query_counts: Any
) -> None:
    client.force_login(officer)
    kind = STEP_LISTS[url]
    rows = step_rows(1)
    query_counts.get(client, url)
    _response, one = query_counts.get(client, url)
    rows += step_rows(4)
    response, many = query_counts.get(client, url)
    if url.startswith("/api/"):
        ids = {r["id"] for r in response.json()["results"]}
        assert {row[kind].pk for row in rows} <= ids and response.json()["count"] == len(ids)
    else:
        assert all(row[kind].title in response.content.decode() for row in rows)
    assert many <= one + 1, (one, many)  # +1: a prefetch is skipped when it has nothing to fetch


def test_results_plans_and_workshops_cost_the_same_whichever_is_shown(
    client: Client, officer: User, step_rows: StepRows, query_counts: Any
) -> None:
    """A result (API and page), a plan's page and a workshop's page, for companies with fewer and more
    questions, actions and registrations."""
    client.force_login(officer)
    rows = step_rows(5)
    results = [row["result"] for row in rows]
    api = query_counts.same_whichever(client, [f"/api/v1/results/{r.pk}/" for r in results])
    assert [r.json()["id"] for r in api] == [r.pk for r in results]
    pages = query_counts.same_whichever(client, [f"/funnel/results/{r.pk}/" for r in results])
    assert all(r.journey.organisation.name in p.content.decode() for r, p in zip(results, pages, strict=True))
    for kind, url in (("plan", "/funnel/plans/{}/"), ("workshop", "/funnel/workshops/{}/")):
        pages = query_counts.same_whichever(client, [url.format(row[kind].pk) for row in rows])
        assert all(row[kind].title in p.content.decode() for row, p in zip(rows, pages, strict=True))


def test_a_scan_costs_the_same_whichever_is_shown(
    client: Client, complete_scan: CompleteScan, query_counts: Any
) -> None:
    """A scan through its token: just started, half answered, completed; of both questionnaires. Its
    answers are one JSON field of the scan, so no related rows grow."""
    tokens = [complete_scan()[1], complete_scan(slug="factory-of-the-future")[1]]
    for slug in ("edih-dma-sme", "factory-of-the-future"):
        questionnaire = selectors.questionnaire_current(slug=slug)
        _scan, started = services.scan_start(questionnaire=questionnaire, language="nl")
        _scan, answered = services.scan_start(questionnaire=questionnaire, language="en")
        if slug == "edih-dma-sme":
            services.scan_save_answers(token=answered, answers={"Q2": [1, 2], "Q3": [1]})
        tokens += [started, answered]
    scans = query_counts.same_whichever(client, [f"/api/v1/scans/{t}/" for t in tokens])
    assert {s.json()["status"] for s in scans} == {"completed", "in_progress"}
    assert {s.json()["questionnaire"] for s in scans} == {"edih-dma-sme", "factory-of-the-future"}


def test_the_scan_list_route_only_starts_scans(client: Client) -> None:
    """/api/v1/scans/ lists nothing: GET is refused (405, saying POST is allowed), so it has no rows
    whose queries could grow. POST starts a scan (covered in test_api.py)."""
    response = client.get("/api/v1/scans/")
    assert response.status_code == 405
    assert "POST" in response["Allow"] and "GET" not in response["Allow"]
