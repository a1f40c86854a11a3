"""The whole process through the services: registration, preselection, full application, assessment,
approval with a condition, the project."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from deltaregio.calls import services
from deltaregio.calls.models import Action, Decision, ProposalEvent, Status
from deltaregio.finance.models import BudgetLine, CoFinancingLine
from deltaregio.projects.models import Project

from .conftest import NOW, World

pytestmark = pytest.mark.django_db


def test_two_step_call_to_running_project(world: World) -> None:
    full = world.scored()
    registration = full.registration
    assert registration is not None and registration.status == Status.PRESELECTED
    assert full.step == 2 and full.status == Status.ELIGIBLE
    # the full application starts from the registration
    assert sorted(p.organisation.name for p in full.partners.all()) == ["Holst Centre", "Sirris"]
    assert full.total_cost == Decimal("1000000.00")
    # consolidated: reviewer 1 (4*2+3)/3, reviewer 2 (5*2+4)/3 → mean 25/6 = 4.17
    assert full.consolidated_score == Decimal("4.17")
    decision = services.decide(
        by=world.member,
        proposal=full,
        outcome=Action.APPROVE_WITH_CONDITIONS,
        date=NOW.date(),
        note="Approved.",
        conditions=["Sign the partnership agreement."],
    )
    full.refresh_from_db()
    assert full.status == Status.APPROVED_WITH_CONDITIONS
    assert decision.body == "Test steering committee" and decision.meeting is not None
    project = Project.objects.get(proposal=full)
    assert project.status == "approved"
    assert sorted(p.organisation.name for p in project.partners.all()) == ["Holst Centre", "Sirris"]
    assert [wp.title for wp in project.work_packages.all()] == ["Pilot line"]
    assert sum(line.amount for line in BudgetLine.objects.filter(project=project)) == Decimal("1000000.00")
    assert CoFinancingLine.objects.get(project=project).rate == Decimal("50.00")
    assert [s.status for s in project.status_history.all()] == [
        "registered",
        "preselected",
        "submitted",
        "approved",
    ]
    # the applicants were told (the e-mail goes when the transaction commits)
    with pytest.raises(services.TransitionRefused):
        services.project_start(by=world.officer, proposal=full)
    condition = full.conditions.get()
    services.condition_confirm(by=world.officer, condition=condition, note="Agreement signed.")
    full.refresh_from_db()
    assert full.status == Status.APPROVED
    services.project_start(by=world.officer, proposal=full, date=dt.date(2027, 1, 1))
    project.refresh_from_db()
    assert project.status == "running"
    assert [e.to_status for e in ProposalEvent.objects.filter(proposal=full)] == [
        "submitted",
        "eligible",
        "approved_with_conditions",
        "approved",
        "running",
    ]
    assert Decision.objects.filter(proposal__in=[full, registration]).count() == 2


def test_decision_notifies_the_collaborators(world: World, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    p = world.submitted_registration()
    services.eligibility_check(by=world.officer, proposal=p, passed=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(by=world.member, proposal=p, outcome=Action.PRESELECT, date=NOW.date())
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["dutch@example.org", "flemish@example.org"]
    assert "preselect" in mail.outbox[0].subject


def test_decisions_are_append_only(world: World) -> None:
    p = world.preselected()
    decision = p.decisions.get()
    decision.note = "changed"
    with pytest.raises(Exception, match="append-only"):
        decision.save()
    with pytest.raises(Exception, match="append-only"):
        decision.delete()
    event = p.events.first()
    assert event is not None
    with pytest.raises(Exception, match="append-only"):
        event.delete()


def test_returned_application_is_resubmitted_and_decided_again(world: World) -> None:
    full = world.scored()
    services.decide(
        by=world.member, proposal=full, outcome=Action.RETURN, date=NOW.date(), note="Sharpen WP 1."
    )
    full.refresh_from_db()
    assert full.status == Status.RETURNED and full.is_editable
    services.proposal_update(by=world.flemish, proposal=full, summary="Sharper.")
    services.proposal_submit(by=world.flemish, proposal=full)
    full.refresh_from_db()
    assert full.status == Status.SUBMITTED
    assert [d.outcome for d in full.decisions.all()] == ["return"]


def test_conflict_declared_withdraws_the_assignment(world: World) -> None:
    full = world.full_submitted()
    services.eligibility_check(by=world.officer, proposal=full, passed=True)
    services.reviewer_assign(by=world.officer, proposal=full, reviewer=world.reviewer1)
    services.conflict_declare(by=world.reviewer1, proposal=full, note="Former employer")
    assert not full.assignments.exists()
    with pytest.raises(Exception, match="declared a conflict"):
        services.reviewer_assign(by=world.officer, proposal=full, reviewer=world.reviewer1)


def test_the_lead_withdraws_and_the_proposal_is_closed_to_edits(world: World) -> None:
    p = world.submitted_registration()
    services.proposal_withdraw(by=world.flemish, proposal=p, note="Partner left.")
    p.refresh_from_db()
    assert p.status == Status.WITHDRAWN
    assert p.events.last().note == "Partner left."
    assert not world.flemish.has_perm("calls.change_proposal", p)
    with pytest.raises(services.TransitionRefused):
        services.proposal_withdraw(by=world.flemish, proposal=p)


def test_the_decision_letter_is_a_pdf_naming_the_decision(world: World) -> None:
    from deltaregio.calls.letters import decision_pdf

    p = world.preselected()
    pdf = decision_pdf(p.decisions.get())
    assert pdf.startswith(b"%PDF")
