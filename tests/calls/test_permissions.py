"""Who may do what: each permission is tried by those who may not, and refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from deltaregio.calls import selectors, services
from deltaregio.calls.models import Action, Status

from .conftest import NOW, World

pytestmark = pytest.mark.django_db


def test_applicant_sees_and_edits_only_own_proposals_while_editable(world: World) -> None:
    p = world.registration()
    assert world.flemish.has_perm("calls.change_proposal", p)
    assert world.dutch.has_perm("calls.change_proposal", p)
    assert not world.stranger.has_perm("calls.view_proposal", p)
    assert list(selectors.proposal_list(user=world.stranger)) == []
    with pytest.raises(PermissionDenied):
        services.proposal_update(by=world.stranger, proposal=p, summary="mine now")
    world.complete_budget(p)
    services.proposal_submit(by=world.flemish, proposal=p)
    p.refresh_from_db()
    assert world.flemish.has_perm("calls.view_proposal", p)
    assert not world.flemish.has_perm("calls.change_proposal", p)
    with pytest.raises(services.TransitionRefused, match="can no longer be changed"):
        services.proposal_update(by=world.flemish, proposal=p, summary="late change")


def test_only_the_lead_manager_manages_collaborators(world: World) -> None:
    p = world.registration()
    assert not world.dutch.has_perm("calls.manage_collaborators", p)
    with pytest.raises(PermissionDenied):
        services.collaborator_add(by=world.dutch, proposal=p, user=world.stranger)
    with pytest.raises(PermissionDenied):
        services.proposal_withdraw(by=world.dutch, proposal=p)


def test_reviewer_sees_only_assigned_proposals_and_not_the_others_scores(world: World) -> None:
    full = world.full_submitted()
    services.eligibility_check(by=world.officer, proposal=full, passed=True)
    a1 = services.reviewer_assign(by=world.officer, proposal=full, reviewer=world.reviewer1)
    assert world.reviewer1.has_perm("calls.view_proposal", full)
    assert not world.reviewer2.has_perm("calls.view_proposal", full)
    assert not world.reviewer2.has_perm("calls.score_proposal", full)
    with pytest.raises(PermissionDenied):
        services.scores_save(by=world.reviewer2, assignment=a1, scores={"quality": (1, "")})
    a2 = services.reviewer_assign(by=world.officer, proposal=full, reviewer=world.reviewer2)
    services.scores_save(
        by=world.reviewer1, assignment=a1, scores={"quality": (4, ""), "impact": (3, "")}, final=True
    )
    visible = selectors.scores_visible(user=world.reviewer2, proposal=full)
    assert [s.assignment_id for s in visible] == []
    assert {s.assignment_id for s in selectors.scores_visible(user=world.officer, proposal=full)} == {a1.pk}
    services.scores_save(
        by=world.reviewer2, assignment=a2, scores={"quality": (5, ""), "impact": (4, "")}, final=True
    )
    services.consolidate(by=world.officer, setup=world.setup, step=2)
    full.refresh_from_db()
    assert {s.assignment_id for s in selectors.scores_visible(user=world.reviewer2, proposal=full)} == {
        a1.pk,
        a2.pk,
    }
    # submitted scores are final
    assert not world.reviewer1.has_perm("calls.score_proposal", full)


def test_a_reviewer_from_a_partner_organisation_is_not_assigned(world: World) -> None:
    full = world.full_submitted()
    services.eligibility_check(by=world.officer, proposal=full, passed=True)
    with pytest.raises(services.ValidationError, match="acts for a partner organisation"):
        services.reviewer_assign(by=world.officer, proposal=full, reviewer=world.dutch)
    with pytest.raises(services.ValidationError, match="works on the proposal"):
        services.reviewer_assign(by=world.officer, proposal=full, reviewer=world.flemish)


def test_committee_members_see_and_decide_only_their_committees_calls(world: World) -> None:
    p = world.submitted_registration()
    services.eligibility_check(by=world.officer, proposal=p, passed=True)
    assert world.member.has_perm("calls.view_proposal", p)
    assert not world.other_member.has_perm("calls.view_proposal", p)
    assert not world.other_member.has_perm("calls.decide", p)
    with pytest.raises(PermissionDenied):
        services.decide(by=world.other_member, proposal=p, outcome=Action.PRESELECT, date=NOW.date())
    p.refresh_from_db()
    assert p.status == Status.ELIGIBLE
    draft = world.registration("DRAFTY")
    assert not world.member.has_perm("calls.view_proposal", draft)  # drafts are the applicants' own


def test_the_public_sees_the_call_and_statistics_never_proposals(world: World) -> None:
    anonymous = AnonymousUser()
    p = world.submitted_registration()
    assert anonymous.has_perm("calls.view_call", world.setup)
    assert anonymous.has_perm("calls.view_statistics", world.setup)
    assert not anonymous.has_perm("calls.view_proposal", p)
    assert not anonymous.has_perm("calls.list_proposals")
    world.setup.is_published = False
    world.setup.save()
    assert not anonymous.has_perm("calls.view_call", world.setup)
    assert world.officer.has_perm("calls.view_call", world.setup)
    assert world.member.has_perm("calls.view_call", world.setup)


def test_officer_only_steps(world: World) -> None:
    p = world.submitted_registration()
    for user in (world.flemish, world.member, world.reviewer1):
        with pytest.raises(PermissionDenied):
            services.eligibility_check(by=user, proposal=p, passed=True)
        with pytest.raises(PermissionDenied):
            services.rule_add(by=user, setup=world.setup, kind="min_partners", params={"count": 1})
    assert world.officer.has_perm("calls.view_proposal", p)
