"""The number of queries of the officers' import pages does not grow with the runs: the list costs the
same for one run as for several, and a run's page the same whichever run it shows (waiting, checked,
imported or refused, started by one officer or another, or by nobody)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from deltaregio.accounts.models import Role
from deltaregio.imports import services
from deltaregio.imports.models import ImportRun
from deltaregio.imports.profiles import load_profile

from .conftest import SAMPLES

pytestmark = pytest.mark.django_db

AddRuns = Callable[[int], list[ImportRun]]


@pytest.fixture
def add_runs(make_user: Callable[..., User]) -> AddRuns:
    """`add_runs(n)`: n more runs of the CORDIS sample, in turn checked, refused (a broken date) and
    left waiting, started by two officers in turn and once by nobody."""
    profile = load_profile("cordis-projects")
    good = (SAMPLES / "cordis-project.csv").read_bytes()
    broken = good.replace(b"2021-01-01", b"2021-13-01")
    starters = [make_user(Role.PROGRAMME_OFFICER), make_user(Role.PROGRAMME_OFFICER), None]
    done = {"n": 0}

    def add(n: int) -> list[ImportRun]:
        runs = []
        for i in range(done["n"], done["n"] + n):
            run = services.import_run_create(
                profile=profile,
                file_name=f"run-{i}.csv",
                data=broken if i % 3 == 1 else good,
                user=starters[i % len(starters)],
                dry_run=True,
            )
            if i % 3 != 2:
                run = services.import_run_execute(run_id=run.pk)
            runs.append(run)
        done["n"] += n
        return runs

    return add


def test_the_run_list_does_not_grow_with_the_runs(
    client: Client, officer: User, add_runs: AddRuns, query_counts: Any
) -> None:
    client.force_login(officer)
    url = reverse("imports:run_list")
    runs = add_runs(1)
    query_counts.get(client, url)  # warm per-process caches (content types, the session)
    response, one = query_counts.get(client, url)
    assert reverse("imports:run_detail", args=[runs[0].pk]) in response.content.decode()
    runs += add_runs(6)
    response, many = query_counts.get(client, url)
    assert {r.state for r in runs} == {"done", "refused", "queued"}
    assert all(reverse("imports:run_detail", args=[r.pk]) in response.content.decode() for r in runs)
    assert many <= one, (one, many)


def test_a_run_page_costs_the_same_whichever_run_is_shown(
    client: Client, officer: User, add_runs: AddRuns, query_counts: Any
) -> None:
    client.force_login(officer)
    runs = add_runs(6)
    pages = query_counts.same_whichever(client, [reverse("imports:run_detail", args=[r.pk]) for r in runs])
    assert all(run.file_name in page.content.decode() for run, page in zip(runs, pages, strict=True))
