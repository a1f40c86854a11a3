"""The count of a large list is cached, and is never stale after a change made through the ORM."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deltaregio.ops.pagination import CachedCountPaginator, bump_data_version
from deltaregio.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached_counts(settings: Any) -> None:
    settings.DELTAREGIO_COUNT_CACHE_SECONDS = 300
    settings.DELTAREGIO_COUNT_CACHE_MIN = 1  # the reference data's few projects count as large here
    cache.clear()


def count(queryset: Any) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        value = CachedCountPaginator(queryset, 10).count
    return value, len(context.captured_queries)


def test_a_large_count_is_counted_once(cached_counts: None) -> None:
    total, queries = count(Project.objects.all())
    assert total == Project.objects.count() and queries == 1
    assert count(Project.objects.all()) == (total, 0)
    assert count(Project.objects.filter(is_public=False))[1] == 1  # another query, another key


def test_a_change_through_the_orm_makes_the_count_fresh(cached_counts: None) -> None:
    total, _ = count(Project.objects.all())
    Project.objects.create(acronym="FRESH", slug="fresh", title="Fresh")
    assert count(Project.objects.all()) == (total + 1, 1)
    Project.objects.filter(acronym="FRESH").delete()
    assert count(Project.objects.all())[0] == total


def test_bulk_writers_bump_the_version(cached_counts: None) -> None:
    total, _ = count(Project.objects.all())
    Project.objects.bulk_create([Project(acronym="BULK", slug="bulk", title="Bulk")])  # no signal
    assert count(Project.objects.all()) == (total, 0)  # what bump_data_version is for
    bump_data_version()
    assert count(Project.objects.all()) == (total + 1, 1)


def test_small_counts_and_a_zero_timeout_are_never_cached(settings: Any) -> None:
    cache.clear()
    settings.DELTAREGIO_COUNT_CACHE_SECONDS = 300
    settings.DELTAREGIO_COUNT_CACHE_MIN = 10_000
    assert count(Project.objects.all())[1] == 1
    assert count(Project.objects.all())[1] == 1
    settings.DELTAREGIO_COUNT_CACHE_MIN = 1
    settings.DELTAREGIO_COUNT_CACHE_SECONDS = 0
    assert count(Project.objects.all())[1] == 1
    assert count(Project.objects.all())[1] == 1


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_project_list_table_is_kept_and_never_stale(client: Any, settings: Any) -> None:
    settings.DELTAREGIO_FRAGMENT_CACHE_SECONDS = 300
    client.get("/projects/")  # per-process caches (content types, translations)
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        before = without_csrf(client.get("/projects/").content.decode())
    with CaptureQueriesContext(connection) as again:
        assert (
            without_csrf(client.get("/projects/").content.decode()) == before
        )  # the form's token stays fresh
    assert len(again) < len(first)  # the rows are not read again
    Project.objects.create(acronym="AAA-NEW", slug="aaa-new", title="Nieuw project")
    assert "AAA-NEW" in client.get("/projects/").content.decode()


def test_without_the_setting_the_table_is_rendered_every_time(client: Any) -> None:
    cache.clear()
    client.get("/projects/")
    with CaptureQueriesContext(connection) as first:
        client.get("/projects/")
    with CaptureQueriesContext(connection) as again:
        client.get("/projects/")
    assert len(again) == len(first) >= 2


def test_a_list_that_matches_nothing_is_counted(cached_counts: None) -> None:
    assert count(Project.objects.filter(pk__in=[])) == (0, 0)


def test_a_scan_in_progress_leaves_the_version_alone_but_its_verification_moves_it_on() -> None:
    from deltaregio.funnel import selectors as funnel
    from deltaregio.funnel import services as scans
    from deltaregio.ops.pagination import data_version

    questionnaire = funnel.questionnaire_current(slug="edih-dma-sme")
    before = data_version()
    scan, _token = scans.scan_start(questionnaire=questionnaire, language="nl")
    scan.save()
    assert data_version() == before  # a scan in progress is on no cached list or page
    Project.objects.create(acronym="MOVES", slug="moves", title="Moves the version")
    assert data_version() > before
