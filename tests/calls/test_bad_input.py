"""Bad input is refused with a message naming what is wrong, and nothing is half-saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from deltaregio.calls import services
from deltaregio.calls.models import BudgetLine, CoFinancing, Proposal, ProposalPartner, Score, Status

from .conftest import STEP1_CLOSES, World

pytestmark = pytest.mark.django_db


def test_submitting_after_the_close_moment_is_refused_to_the_second(world: World) -> None:
    p = world.complete_budget(world.registration())
    with pytest.raises(ValidationError, match="The call closed at") as refused:
        services.proposal_submit(by=world.flemish, proposal=p, now=STEP1_CLOSES)
    assert STEP1_CLOSES.strftime("%H:%M:%S") in str(refused.value)
    p.refresh_from_db()
    assert p.status == Status.DRAFT and p.submitted_at is None and not p.events.exists()
    services.proposal_submit(by=world.flemish, proposal=p, now=STEP1_CLOSES - dt.timedelta(seconds=1))
    p.refresh_from_db()
    assert p.status == Status.SUBMITTED


def test_a_proposal_without_lead_partner_is_not_submitted(world: World) -> None:
    p = world.complete_budget(world.registration())
    ProposalPartner.objects.filter(proposal=p, role="lead").update(role="partner")
    with pytest.raises(ValidationError, match="no lead partner"):
        services.proposal_submit(by=world.flemish, proposal=p)
    assert Proposal.objects.get(pk=p.pk).status == Status.DRAFT


def test_budgets_that_do_not_add_up_are_not_submitted(world: World) -> None:
    p = world.complete_budget(world.registration())
    services.proposal_update(by=world.flemish, proposal=p, total_cost="1200000.00")
    with pytest.raises(
        ValidationError, match=r"add up to EUR 1,000,000\.00, but the total cost is EUR 1,200,000\.00"
    ):
        services.proposal_submit(by=world.flemish, proposal=p)
    assert Proposal.objects.get(pk=p.pk).status == Status.DRAFT


def test_co_financing_above_the_rate_is_refused(world: World) -> None:
    p = world.registration()
    lead = p.partners.get(role="lead")
    with pytest.raises(
        ValidationError, match=r"60 % is above the highest rate the call allows for ERDF \(50 %\)"
    ):
        services.co_financing_save(by=world.flemish, proposal=p, partner=lead, source="ERDF", rate="60")
    assert not CoFinancing.objects.filter(proposal=p).exists()


def test_a_score_out_of_range_is_refused_and_no_score_is_kept(world: World) -> None:
    full = world.full_submitted()
    services.eligibility_check(by=world.officer, proposal=full, passed=True)
    a = services.reviewer_assign(by=world.officer, proposal=full, reviewer=world.reviewer1)
    with pytest.raises(ValidationError, match="Impact: 7 is outside the scale 0–5"):
        services.scores_save(
            by=world.reviewer1, assignment=a, scores={"quality": (4, ""), "impact": (7, "")}, final=True
        )
    assert not Score.objects.filter(assignment=a).exists()
    a.refresh_from_db()
    assert a.submitted_at is None


def test_the_same_organisation_twice_is_refused(world: World) -> None:
    p = world.registration()
    with pytest.raises(ValidationError, match="Holst Centre is a partner already"):
        services.partner_add(by=world.flemish, proposal=p, organisation=world.holst)
    assert p.partners.count() == 2


def test_a_second_lead_partner_is_refused(world: World) -> None:
    from deltaregio.directory.models import Organisation

    p = world.registration()
    with pytest.raises(ValidationError, match="has a lead partner already"):
        services.partner_add(
            by=world.flemish, proposal=p, organisation=Organisation.objects.get(name="TNO"), role="lead"
        )


def test_negative_and_fractional_cent_amounts_are_refused(world: World) -> None:
    p = world.registration()
    wp = services.work_package_add(by=world.flemish, proposal=p, number=1, title="WP")
    lead = p.partners.get(role="lead")
    for bad, message in (
        ("-5", "may not be negative"),
        ("1.005", "more than two decimals"),
        ("abc", "not a number"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.budget_line_save(by=world.flemish, proposal=p, partner=lead, work_package=wp, amount=bad)
    assert not BudgetLine.objects.filter(proposal=p).exists()


def test_grant_above_cost_and_bad_trl_are_refused_together(world: World) -> None:
    p = world.registration()
    with pytest.raises(ValidationError) as refused:
        services.proposal_update(
            by=world.flemish, proposal=p, total_cost="100", requested_grant="200", trl_start=11
        )
    fields = refused.value.message_dict
    assert "requested_grant" in fields and "trl_start" in fields
    p.refresh_from_db()
    assert p.total_cost is None and p.trl_start == 4


def test_an_invalid_rule_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="not a rule type"):
        services.rule_add(by=world.officer, setup=world.setup, kind="no_such_rule", params={})
    with pytest.raises(ValidationError, match="at least two regions"):
        services.rule_add(
            by=world.officer, setup=world.setup, kind="cross_border", params={"regions": ["NL"]}
        )


def test_a_round_that_closes_before_it_opens_is_refused(world: World) -> None:
    when = STEP1_CLOSES
    with pytest.raises(ValidationError, match="must lie after the open moment"):
        services.round_add(
            by=world.officer, setup=world.setup, step=1, number=2, opens_at=when, closes_at=when
        )


def test_approval_with_conditions_needs_a_condition(world: World) -> None:
    full = world.scored()
    with pytest.raises(ValidationError, match="needs at least one condition"):
        services.decide(
            by=world.member, proposal=full, outcome="approve_with_conditions", date=dt.date(2027, 3, 1)
        )
    full.refresh_from_db()
    assert full.status == Status.ELIGIBLE and full.project is None


def test_the_steps_of_a_published_call_cannot_change(world: World) -> None:
    setup = world.setup
    assert setup.is_published and setup.steps == 2
    with pytest.raises(ValidationError) as refused:
        services.setup_save(by=world.officer, call=setup.call, steps=1, envelope=setup.envelope)
    assert "cannot change" in str(refused.value.message_dict["steps"])
    setup.refresh_from_db()
    assert setup.steps == 2
    # the same number of steps may be saved again (e.g. with another envelope)
    services.setup_save(
        by=world.officer, call=setup.call, steps=2, envelope="1000.00", committee=setup.committee
    )
    setup.refresh_from_db()
    assert setup.envelope == 1000 and setup.steps == 2
