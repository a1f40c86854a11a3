"""Every status × step that the state machine does not allow is tried and refused, and the proposal
is left as it was; every allowed one is taken."""

from __future__ import annotations

import pytest

from deltaregio.calls import services
from deltaregio.calls.models import TRANSITIONS, Action, Proposal, ProposalEvent, Status

from .conftest import World

pytestmark = pytest.mark.django_db

FORBIDDEN = [(s, a) for s in Status for a in Action if (s, a) not in TRANSITIONS]
ALLOWED = list(TRANSITIONS.items())


def test_the_machine_covers_every_status() -> None:
    reachable = {to for to in TRANSITIONS.values()} | {Status.DRAFT}
    assert reachable == set(Status)
    assert len(FORBIDDEN) + len(ALLOWED) == len(Status) * len(Action)


@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_forbidden_transition_is_refused(world: World, status: str, action: str) -> None:
    p = world.registration()
    Proposal.objects.filter(pk=p.pk).update(status=status)
    p.refresh_from_db()
    with pytest.raises(services.TransitionRefused) as refused:
        services.transition(proposal=p, action=action, by=world.officer)
    assert "cannot be given the step" in str(refused.value)
    p.refresh_from_db()
    assert p.status == status
    assert not ProposalEvent.objects.filter(proposal=p).exists()


@pytest.mark.parametrize(("key", "target"), ALLOWED)
def test_allowed_transition_is_taken(world: World, key: tuple[str, str], target: str) -> None:
    status, action = key
    p = world.registration()
    if action in (Action.APPROVE, Action.APPROVE_WITH_CONDITIONS, Action.REJECT, Action.RETURN):
        p.step = 2  # decisions of step 2 apply to a full application
        p.save()
    Proposal.objects.filter(pk=p.pk).update(status=status)
    p.refresh_from_db()
    services.transition(proposal=p, action=action, by=world.officer)
    p.refresh_from_db()
    assert p.status == target


@pytest.mark.parametrize(
    "outcome", [Action.APPROVE, Action.APPROVE_WITH_CONDITIONS, Action.REJECT, Action.RETURN]
)
def test_a_registration_is_not_approved(world: World, outcome: str) -> None:
    p = world.submitted_registration()
    services.eligibility_check(by=world.officer, proposal=p, passed=True)
    with pytest.raises(services.ValidationError, match="not a decision of this step"):
        services.decide(
            by=world.member,
            proposal=p,
            outcome=outcome,
            date=p.submitted_at.date(),
            note="x",
            conditions=["c"] if outcome == Action.APPROVE_WITH_CONDITIONS else [],
        )
    p.refresh_from_db()
    assert p.status == Status.ELIGIBLE and not p.decisions.exists()


@pytest.mark.parametrize("outcome", [Action.PRESELECT, Action.NOT_PRESELECT])
def test_a_full_application_is_not_preselected(world: World, outcome: str) -> None:
    full = world.scored()
    with pytest.raises(services.ValidationError, match="not a decision of this step"):
        services.decide(by=world.member, proposal=full, outcome=outcome, date=full.submitted_at.date())
    full.refresh_from_db()
    assert full.status == Status.ELIGIBLE and not full.decisions.exists()
