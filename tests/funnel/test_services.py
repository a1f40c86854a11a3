"""The writes of the funnel: every forbidden transition of a scan is refused, workshops do not take
more companies than places, plans go draft → final once, consent records are append-only, and
steps are for Fokus partners only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from deltaregio.directory.models import Lab, Organisation
from deltaregio.funnel import engine, selectors, services
from deltaregio.funnel.models import ContactConsent, Scan, ScanResult

from .conftest import DMA_EXAMPLE, CompleteScan

pytestmark = pytest.mark.django_db


def started() -> str:
    _scan, token = services.scan_start(
        questionnaire=selectors.questionnaire_current(slug="edih-dma-sme"), language="nl"
    )
    return token


def submit(token: str, **changes: Any) -> str:
    codes: list[str] = []
    values = {
        "company_name": "Fijnmechanica Oost",
        "country": "BE",
        "region": "Limburg",
        "email": "a@fo.example",
        "contact_consent": False,
        "language": "nl",
        **changes,
    }
    services.scan_submit(token=token, verify_url=lambda c: codes.append(c) or c, **values)
    return codes[-1]


def test_the_token_is_not_stored_and_resolves_only_to_its_scan() -> None:
    token = started()
    scan = Scan.objects.get()
    assert token not in scan.token_hash and len(scan.token_hash) == 64
    assert selectors.scan_by_token(token) == scan
    with pytest.raises(selectors.ScanLinkInvalid):
        selectors.scan_by_token(token + "x")


def test_forbidden_transitions_of_a_scan_are_refused() -> None:
    token = started()
    with pytest.raises(services.VerificationInvalid):  # in progress → completed: not without submitting
        services.scan_verify(token=token, code="anything")
    with pytest.raises(engine.AnswersInvalid):  # in progress → awaiting: not while incomplete
        submit(token)
    services.scan_save_answers(token=token, answers=DMA_EXAMPLE)
    first_code = submit(token)
    with pytest.raises(services.ScanNotEditable):  # awaiting: answers can no longer change
        services.scan_save_answers(token=token, answers={"Q2": []})
    code = submit(token)  # submitting again sends a new link; the old one stops working
    with pytest.raises(services.VerificationInvalid):
        services.scan_verify(token=token, code=first_code)
    result = services.scan_verify(token=token, code=code)
    with pytest.raises(services.ScanNotEditable):  # completed: no more submitting or answering
        submit(token)
    with pytest.raises(services.ScanNotEditable):
        services.scan_save_answers(token=token, answers={"Q2": []})
    assert services.scan_verify(token=token, code=code) == result  # idempotent
    assert Scan.objects.get().status == Scan.Status.COMPLETED


def test_a_result_stores_exact_and_reported_scores() -> None:
    token = started()
    services.scan_save_answers(token=token, answers=DMA_EXAMPLE)
    result = services.scan_verify(token=token, code=submit(token))
    assert result.overall_exact == "3637/126"  # = 28.8650…, the exact mean of the unrounded dimension scores
    assert [(s.code, str(s.score), s.band) for s in result.scores.order_by("order")] == [
        ("D1", "20.00", "basic"),
        ("D2", "25.71", "average"),
        ("D3", "19.64", "basic"),
        ("D4", "20.83", "basic"),
        ("D5", "52.00", "moderately_advanced"),
        ("D6", "35.00", "average"),
    ]
    assert result.history.count() == 1  # audited


def test_unverified_expired_scans_are_purged_with_their_address(complete_scan: CompleteScan) -> None:
    complete_scan()
    token = started()
    services.scan_save_answers(token=token, answers=DMA_EXAMPLE)
    submit(token)
    Scan.objects.update(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert services.scans_purge_expired() == 1
    assert Scan.objects.count() == 1 and ScanResult.objects.count() == 1


def test_consent_records_are_append_only(complete_scan: CompleteScan) -> None:
    _result, _token = complete_scan()
    consent = ContactConsent.objects.get()
    consent.given = False
    with pytest.raises(ValidationError):
        consent.save()
    with pytest.raises(ValidationError):
        consent.delete()
    assert ContactConsent.objects.get().given is True


@pytest.fixture
def journey(complete_scan: CompleteScan) -> Any:
    return complete_scan()[0].journey


def test_steps_are_for_fokus_partners_only(journey: Any) -> None:
    holst = Organisation.objects.get(name="Holst Centre")
    lab = Lab.objects.get(name="OMC Turnhout")
    with pytest.raises(services.NotAFokusPartner):
        services.journey_assign_partner(journey=journey, partner=holst)
    with pytest.raises(services.NotAFokusPartner):
        services.intake_record(journey=journey, partner=holst, held_on=dt.date(2024, 1, 1), notes="")
    with pytest.raises(services.NotAFokusPartner):
        services.trajectory_record(journey=journey, lab=lab, partner=holst, start_date=dt.date(2024, 1, 1))
    with pytest.raises(services.NotAFokusPartner):
        services.plan_create(journey=journey, partner=holst, title="t", situation="s", goals="g")


def test_an_intake_keeps_its_questions_and_tags_and_assigns_the_partner(journey: Any) -> None:
    sirris = Organisation.objects.get(name="Sirris")
    with pytest.raises(services.FunnelError, match="Unknown tag"):
        services.intake_record(
            journey=journey, partner=sirris, held_on=dt.date(2024, 1, 1), notes="", topics=["x"]
        )
    with pytest.raises(services.FunnelError, match="future"):
        services.intake_record(
            journey=journey, partner=sirris, held_on=dt.date.today() + dt.timedelta(days=1), notes=""
        )
    intake = services.intake_record(
        journey=journey,
        partner=sirris,
        held_on=dt.date(2024, 1, 1),
        notes="n",
        topics=["human_centred"],
        technologies=["operator_support_ar", "robotisation"],
        questions=["Vraag 1", " ", "Vraag 2"],
    )
    assert [q.text for q in intake.questions.all()] == ["Vraag 1", "Vraag 2"]
    assert intake.questions.first().technologies == ["operator_support_ar", "robotisation"]  # type: ignore[union-attr]
    journey.refresh_from_db()
    assert journey.partner == sirris


def test_a_workshop_takes_no_more_companies_than_it_has_places(
    journey: Any, complete_scan: CompleteScan
) -> None:
    other = complete_scan(company="Tweede Bedrijf")[0].journey
    workshop = services.workshop_create(
        title="AR aan de werkpost",
        held_on=dt.date(2024, 5, 1),
        lab=Lab.objects.get(name="Praktijklab Diepenbeek"),
        places=1,
    )
    services.workshop_register(workshop=workshop, journey=journey)
    with pytest.raises(services.AlreadyRegistered):
        services.workshop_register(workshop=workshop, journey=journey)
    with pytest.raises(services.WorkshopFull):
        services.workshop_register(workshop=workshop, journey=other)
    with pytest.raises(services.FunnelError):
        services.workshop_create(title="x", held_on=dt.date(2024, 5, 1), lab=workshop.lab, places=0)


def test_a_plan_is_draft_then_final_once(journey: Any) -> None:
    sirris = Organisation.objects.get(name="Sirris")
    with pytest.raises(services.FunnelError, match="cost"):
        services.plan_create(
            journey=journey,
            partner=sirris,
            title="t",
            situation="s",
            goals="g",
            actions=[{"action": "a", "cost": "veel"}],
        )
    plan = services.plan_create(
        journey=journey,
        partner=sirris,
        title="t",
        situation="s",
        goals="g",
        actions=[{"action": "Cobot", "cost": "45000", "due": "2024-12-01"}, {"action": ""}],
    )
    assert plan.actions == [{"action": "Cobot", "owner": "", "due": "2024-12-01", "cost": "45000"}]
    services.plan_finalise(plan=plan, on=dt.date(2024, 9, 1))
    with pytest.raises(services.PlanAlreadyFinal):
        services.plan_finalise(plan=plan)
