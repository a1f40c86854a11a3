"""The number of queries of the officers' import pages does not grow with the runs: the list costs the
same for one run as for several, and a run's page the same whichever run it shows (waiting, checked,
imported or refused, started by one officer or another, or by nobody)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deltaregio.accounts.models import Role
from deltaregio.imports import services
from deltaregio.imports.models import ImportRun
from deltaregio.imports.profiles import load_profile

from .conftest import SAMPLES

pytestmark = pytest.mark.django_db

AddRuns = Callable[[int], list[ImportRun]]


def _get(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), len(context.captured_queries)


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


def test_the_run_list_does_not_grow_with_the_runs(client: Client, officer: User, add_runs: AddRuns) -> None:
    client.force_login(officer)
    url = reverse("imports:run_list")
    runs = add_runs(1)
    _get(client, url)  # warm per-process caches (content types, the session)
    page, one = _get(client, url)
    assert reverse("imports:run_detail", args=[runs[0].pk]) in page
    runs += add_runs(6)
    page, many = _get(client, url)
    assert {r.state for r in runs} == {"done", "refused", "queued"}
    assert all(reverse("imports:run_detail", args=[r.pk]) in page for r in runs)
    assert many <= one, (one, many)


def test_a_run_page_costs_the_same_whichever_run_is_shown(
    client: Client, officer: User, add_runs: AddRuns
) -> None:
    client.force_login(officer)
    runs = add_runs(6)
    urls = [reverse("imports:run_detail", args=[r.pk]) for r in runs]
    _get(client, urls[0])
    shown = {url: _get(client, url) for url in urls}
    assert all(run.file_name in shown[url][0] for run, url in zip(runs, urls, strict=True))
    counts = [n for _page, n in shown.values()]
    assert max(counts) - min(counts) <= 1, dict(zip(urls, counts, strict=True))
