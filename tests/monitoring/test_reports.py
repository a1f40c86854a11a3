"""Monitoring reports: generated in the background (inline without a broker), kept as generated, in
Dutch and English, as PDF and .xlsx; officers generate them, committee members read them."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client

from deltaregio.accounts.models import Role
from deltaregio.monitoring import services
from deltaregio.monitoring.models import MonitoringReport

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    return django_capture_on_commit_callbacks


@pytest.mark.parametrize(("language", "heading"), [("nl", "Indicatoren"), ("en", "Indicators")])
def test_report_in_both_languages(make_user: Any, on_commit: Any, language: str, heading: str) -> None:
    from openpyxl import load_workbook

    officer = make_user(Role.PROGRAMME_OFFICER)
    with on_commit(execute=True):
        report = services.report_request(
            user=officer,
            period_start=dt.date(2018, 1, 1),
            period_end=dt.date(2021, 12, 31),
            language=language,
            meeting="Comité van Toezicht 2021-12",
        )
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.DONE, report.error
    assert bytes(report.pdf or b"").startswith(b"%PDF")
    workbook = load_workbook(io.BytesIO(bytes(report.xlsx or b"")))
    assert workbook.sheetnames[0].startswith(heading)
    rows = list(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    codes = [row[0] for row in rows]
    assert "FOKUS-SME" in codes and "RCO87" in codes
    assert sorted(row[7] for row in rows if row[0] == "FOKUS-SME") == [150, 150, 200]
    assert [row[7] for row in rows if row[0] == "RCR84"] == [None]  # no target stated: none shown
    assert report.figures["language"] == language
    assert any(i["code"] == "FOKUS-SME" and len(i["targets"]) == 3 for i in report.figures["indicators"])
    # kept as generated: generating again changes nothing
    before = bytes(report.pdf or b"")
    assert bytes(services.report_generate(report_id=report.pk).pdf or b"") == before


def test_report_permissions(client: Client, make_user: Any, on_commit: Any) -> None:
    officer = make_user(Role.PROGRAMME_OFFICER)
    with on_commit(execute=True):
        report = services.report_request(
            user=officer, period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 12, 31), language="en"
        )
    assert client.get("/en/monitoring/reports/").status_code == 302  # anonymous: log in first
    client.force_login(make_user(Role.APPLICANT))
    assert client.get("/en/monitoring/reports/").status_code == 403
    assert client.get(f"/en/monitoring/reports/{report.pk}.pdf").status_code == 403
    committee = make_user(Role.COMMITTEE_MEMBER)
    client.force_login(committee)
    assert client.get(f"/en/monitoring/reports/{report.pk}.pdf").status_code == 200
    response = client.post(
        "/en/monitoring/reports/",
        {"period_start": "2020-01-01", "period_end": "2020-12-31", "language": "en"},
    )
    assert response.status_code == 403
    with pytest.raises(services.MonitoringRefused, match="Only programme officers generate reports"):
        services.report_request(
            user=committee, period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 2, 1), language="en"
        )


def test_bad_report_period_is_refused(client: Client, make_user: Any) -> None:
    client.force_login(make_user(Role.PROGRAMME_OFFICER))
    response = client.post(
        "/en/monitoring/reports/",
        {"period_start": "2021-01-01", "period_end": "2020-12-31", "language": "en"},
    )
    assert response.status_code == 400
    assert "The period ends before it starts" in response.content.decode()
    assert not MonitoringReport.objects.exists()
