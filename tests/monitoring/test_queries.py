"""Query counts of the monitoring routes the dashboard test does not cover: an indicator and a
measurement through the API, and the officers' list of kept reports. The number of queries does not
depend on which record is shown, nor on how many reports are kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deltaregio.accounts.models import Role
from deltaregio.monitoring import services
from deltaregio.monitoring.models import Indicator, Measurement

pytestmark = pytest.mark.django_db


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries)


def test_an_indicator_and_a_measurement_cost_the_same_whichever_is_shown(client: Client) -> None:
    indicators = list(Indicator.objects.filter(is_published=True).order_by("code")[:8])
    measurements = list(Measurement.objects.filter(indicator__in=indicators).order_by("pk")[:8])
    assert len(indicators) > 3 and len(measurements) > 1, "the reference indicators are computed"
    for urls in (
        [f"/api/v1/monitoring-indicators/{i.code}/" for i in indicators],
        [f"/api/v1/monitoring-measurements/{m.pk}/" for m in measurements],
    ):
        _count(client, urls[0])  # warm per-process caches
        counts = [_count(client, url) for url in urls]
        assert max(counts) - min(counts) <= 1, dict(zip(urls, counts, strict=True))


def test_the_report_list_does_not_grow_with_the_reports(client: Client, make_user: Any) -> None:
    officer = make_user(Role.PROGRAMME_OFFICER)
    client.force_login(officer)

    def request(year: int) -> None:
        services.report_request(
            user=officer, period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31), language="en"
        )

    request(2019)
    _count(client, "/en/monitoring/reports/")
    one = _count(client, "/en/monitoring/reports/")
    for year in range(2020, 2026):
        request(year)
    assert _count(client, "/en/monitoring/reports/") <= one
