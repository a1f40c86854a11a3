"""Submitting a scan is one read and one conditional write, not a lock: what another request changes
between the read and the write is seen (a verification, a save, a second submit), the directory's
check of the company's name is part of the write, a submission whose e-mail cannot be sent changes
nothing, and a submission does not read the questionnaire's definition."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deltaregio.directory.models import Organisation
from deltaregio.funnel import engine, selectors, services
from deltaregio.funnel.models import Scan, ScanResult

from .conftest import DMA_EXAMPLE

pytestmark = pytest.mark.django_db


def answered() -> str:
    _scan, token = services.scan_start(
        questionnaire=selectors.questionnaire_current(slug="edih-dma-sme"), language="nl"
    )
    services.scan_save_answers(token=token, answers=DMA_EXAMPLE)
    return token


def submit(token: str, codes: list[str], company: str = "Gieterij West") -> Scan:
    return services.scan_submit(
        token=token,
        company_name=company,
        country="BE",
        region="West-Vlaanderen",
        email="info@gw.example",
        contact_consent=True,
        language="nl",
        verify_url=lambda c: codes.append(c) or c,
    )


def between_read_and_write(monkeypatch: pytest.MonkeyPatch, action: Any) -> None:
    """Run `action` once, after a submit has read and checked its scan and before it writes."""
    check = services._submission
    pending = [action]

    def racing(*args: Any, **kwargs: Any) -> Any:
        checked = check(*args, **kwargs)
        if pending:
            pending.pop()()
        return checked

    monkeypatch.setattr(services, "_submission", racing)


def test_a_verification_between_read_and_write_refuses_the_submit(monkeypatch: pytest.MonkeyPatch) -> None:
    token, codes = answered(), []
    submit(token, codes)
    between_read_and_write(monkeypatch, lambda: services.scan_verify(token=token, code=codes[-1]))
    with pytest.raises(services.ScanNotEditable, match="already completed"):
        submit(token, codes, company="Gieterij Oost")
    scan = Scan.objects.get()
    assert (scan.status, scan.verification_hash, scan.company_name) == (
        Scan.Status.COMPLETED,
        "",
        "Gieterij West",
    )
    assert ScanResult.objects.get().journey.organisation.name == "Gieterij West"
    assert len(mail.outbox) == 1


def test_answers_changed_between_read_and_write_are_checked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    token = answered()
    between_read_and_write(
        monkeypatch, lambda: services.scan_save_answers(token=token, answers={}, clear=["Q11"])
    )
    with pytest.raises(engine.AnswersInvalid) as raised:
        submit(token, [])
    assert [p.question for p in raised.value.problems] == ["Q11"]
    assert Scan.objects.get().status == Scan.Status.IN_PROGRESS
    assert mail.outbox == []


def test_a_second_submit_between_read_and_write_leaves_the_later_link(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token, first, second = answered(), [], []
    between_read_and_write(monkeypatch, lambda: submit(token, first, company="Eerste BV"))
    submit(token, second, company="Tweede BV")
    scan = Scan.objects.get()
    assert (scan.status, scan.company_name) == (Scan.Status.AWAITING_VERIFICATION, "Tweede BV")
    assert len(mail.outbox) == 2
    with pytest.raises(services.VerificationInvalid):
        services.scan_verify(token=token, code=first[-1])
    assert services.scan_verify(token=token, code=second[-1]).journey.organisation.name == "Tweede BV"


def test_a_submission_whose_mail_fails_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    token, codes = answered(), []
    submit(token, codes)
    before = Scan.objects.values().get()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("mail server down")

    monkeypatch.setattr(services, "send_mail", broken)
    with pytest.raises(OSError, match="mail server down"):
        submit(token, [], company="Andere Naam")
    assert Scan.objects.values().get() == before
    assert services.scan_verify(token=token, code=codes[-1]).journey.organisation.name == "Gieterij West"


def test_a_submission_does_not_read_the_questionnaire_definition(client: Client) -> None:
    token = answered()
    selectors.questionnaire_spec(selectors.questionnaire_current(slug="edih-dma-sme"))  # made once
    body = {"company_name": "Gieterij West", "country": "BE", "region": "Limburg", "email": "a@gw.example"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/api/v1/scans/{token}/submit/", json.dumps(body), content_type="application/json"
        )
    assert response.status_code == 202, response.content
    assert response.json()["missing"] == []
    assert not [q["sql"] for q in queries.captured_queries if '"definition"' in q["sql"]]
    assert not [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(queries.captured_queries) == 2  # the scan read; its conditional write


@pytest.mark.parametrize("name", ["Sirris", "sIRRIS", "  SIRRIS "])
def test_a_name_the_directory_has_as_another_kind_is_refused_and_nothing_written(name: str) -> None:
    token = answered()
    before = Scan.objects.values().get()
    with pytest.raises(services.CompanyRefused, match="not as a company"):
        submit(token, [], company=name)
    assert Scan.objects.values().get() == before
    assert mail.outbox == []


def test_a_company_the_directory_has_is_accepted_in_any_case() -> None:
    company = Organisation.objects.filter(kind=Organisation.Kind.SME).order_by("pk").first()
    assert company is not None
    token, codes = answered(), []
    submit(token, codes, company=company.name.upper())
    assert Scan.objects.get().status == Scan.Status.AWAITING_VERIFICATION
    assert services.scan_verify(token=token, code=codes[-1]).journey.organisation == company
