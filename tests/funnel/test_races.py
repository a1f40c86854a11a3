"""Concurrency: a scan verified twice at the same moment makes one result; a scan submitted twice at
once is stored once, with one working link; a submit racing the verification never reopens a
completed scan; two registrations for the last place of a workshop take it once. Row locks need
PostgreSQL; SQLite serialises all writes, so these tests run only there."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from deltaregio.directory.models import Lab
from deltaregio.funnel import selectors, services
from deltaregio.funnel.models import Scan, ScanResult, WorkshopRegistration

from .conftest import DMA_EXAMPLE

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks (select_for_update) need PostgreSQL"
    ),
]


def race(functions: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(functions))
    outcomes: list[Any] = [None] * len(functions)

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = functions[i]()
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(functions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_a_scan_verified_twice_at_once_makes_one_result(seeded_transactional: None) -> None:
    _scan, token = services.scan_start(
        questionnaire=selectors.questionnaire_current(slug="edih-dma-sme"), language="nl"
    )
    services.scan_save_answers(token=token, answers=DMA_EXAMPLE)
    codes: list[str] = []
    services.scan_submit(
        token=token,
        company_name="Race BV",
        country="NL",
        region="Zeeland",
        email="r@race.example",
        contact_consent=True,
        language="nl",
        verify_url=lambda c: codes.append(c) or c,
    )
    outcomes = race([lambda: services.scan_verify(token=token, code=codes[-1])] * 4)
    assert all(isinstance(o, ScanResult) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert ScanResult.objects.count() == 1


def test_the_last_place_of_a_workshop_is_taken_once(seeded_transactional: None) -> None:
    journeys = []
    for n in range(4):
        _scan, token = services.scan_start(
            questionnaire=selectors.questionnaire_current(slug="edih-dma-sme"), language="nl"
        )
        services.scan_save_answers(token=token, answers=DMA_EXAMPLE)
        codes: list[str] = []
        services.scan_submit(
            token=token,
            company_name=f"Race {n}",
            country="BE",
            region="Antwerpen",
            email=f"r{n}@race.example",
            contact_consent=False,
            language="nl",
            verify_url=lambda c, codes=codes: codes.append(c) or c,
        )
        journeys.append(services.scan_verify(token=token, code=codes[-1]).journey)
    workshop = services.workshop_create(
        title="Laatste plaats",
        held_on=dt.date(2024, 5, 1),
        lab=Lab.objects.get(name="OMC Turnhout"),
        places=1,
    )
    outcomes = race([lambda j=j: services.workshop_register(workshop=workshop, journey=j) for j in journeys])
    assert sum(isinstance(o, WorkshopRegistration) for o in outcomes) == 1
    assert sum(isinstance(o, services.WorkshopFull) for o in outcomes) == 3
    assert WorkshopRegistration.objects.count() == 1


def answered_scan() -> str:
    _scan, token = services.scan_start(
        questionnaire=selectors.questionnaire_current(slug="edih-dma-sme"), language="nl"
    )
    services.scan_save_answers(token=token, answers=DMA_EXAMPLE)
    return token


def submitter(token: str, company: str, codes: list[str]) -> Callable[[], Any]:
    return lambda: services.scan_submit(
        token=token,
        company_name=company,
        country="NL",
        region="Zeeland",
        email="r@race.example",
        contact_consent=False,
        language="nl",
        verify_url=lambda c: codes.append(c) or c,
    )


def test_a_scan_submitted_twice_at_once_is_stored_once_with_one_working_link(
    seeded_transactional: None,
) -> None:
    for _round in range(5):
        token = answered_scan()
        first, second = [], []
        outcomes = race([submitter(token, "Race Een", first), submitter(token, "Race Twee", second)])
        assert all(isinstance(o, Scan) for o in outcomes), outcomes
        scan = selectors.scan_by_token(token)
        assert scan.status == Scan.Status.AWAITING_VERIFICATION
        working = [c for c in first + second if scan.verification_hash == selectors.token_hash(c)]
        assert len(working) == 1  # the later submission's link; the other stopped working
        expected = "Race Een" if working[0] in first else "Race Twee"
        assert scan.company_name == expected  # one submission's details, not a mix
        assert services.scan_verify(token=token, code=working[0]).journey.organisation.name == expected


def test_a_submit_racing_the_verification_never_reopens_a_completed_scan(seeded_transactional: None) -> None:
    for _round in range(5):
        token, codes = answered_scan(), []
        submitter(token, "Race Verificatie", codes)()
        outcomes = race(
            [
                lambda t=token, c=codes[0]: services.scan_verify(token=t, code=c),
                submitter(token, "Later", codes),
            ]
        )
        scan = selectors.scan_by_token(token)
        if isinstance(outcomes[0], ScanResult):  # verified first: the submit is refused
            assert isinstance(outcomes[1], services.ScanNotEditable), outcomes
            assert (scan.status, scan.verification_hash) == (Scan.Status.COMPLETED, "")
            assert scan.company_name == "Race Verificatie"
            assert ScanResult.objects.get(scan=scan).journey.organisation.name == "Race Verificatie"
        else:  # submitted first: the old link stopped working, the new one works
            assert isinstance(outcomes[0], services.VerificationInvalid), outcomes
            assert isinstance(outcomes[1], Scan), outcomes
            assert scan.status == Scan.Status.AWAITING_VERIFICATION
            assert services.scan_verify(token=token, code=codes[-1]).journey.organisation.name == "Later"
