"""Who may do what in the call process (deny by default; every permission is tested by a refusal).

- Everyone sees a published call's information and its statistics, never a proposal.
- Programme officers see and manage every call and proposal.
- An applicant sees the proposals of which they are a collaborator, and changes them only while the
  proposal is editable (draft, or returned for changes); the lead partner's managers manage who may edit.
- A reviewer sees only the proposals assigned to them, and scores them until they submit the scores.
- A committee member sees the calls of their committee with their submitted proposals, and decides.
"""

from __future__ import annotations

from typing import Any

import rules

from deltaregio.accounts.rules import is_applicant, is_staff_or_officer
from deltaregio.calls.models import EDITABLE, Assignment, CallSetup, Collaborator, Committee, Proposal, Status


def _proposal(obj: Any) -> Proposal | None:
    if isinstance(obj, Proposal):
        return obj
    if isinstance(obj, Assignment):
        return obj.proposal
    return None


def _setup(obj: Any) -> CallSetup | None:
    if isinstance(obj, CallSetup):
        return obj
    proposal = _proposal(obj)
    return proposal.setup if proposal is not None else None


def _role(user: Any, proposal: Proposal) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cache = getattr(proposal, "_collaborator_roles", None)
    if cache is None:
        cache = {c.user_id: c.role for c in proposal.collaborators.all()}
        proposal._collaborator_roles = cache  # type: ignore[attr-defined]
    return cache.get(user.pk)


@rules.predicate
def is_collaborator(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and _role(user, proposal) is not None


@rules.predicate
def is_editor(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and _role(user, proposal) in (
        Collaborator.Role.MANAGER,
        Collaborator.Role.EDITOR,
    )


@rules.predicate
def is_manager(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and _role(user, proposal) == Collaborator.Role.MANAGER


@rules.predicate
def is_editable(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and proposal.status in EDITABLE


@rules.predicate
def is_assigned_reviewer(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    if proposal is None or not getattr(user, "is_authenticated", False):
        return False
    return any(a.reviewer_id == user.pk for a in proposal.assignments.all())


@rules.predicate
def scores_open(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    if proposal is None or proposal.status != Status.ELIGIBLE or proposal.consolidated_at is not None:
        return False
    return any(a.reviewer_id == user.pk and a.submitted_at is None for a in proposal.assignments.all())


@rules.predicate
def is_committee_member(user: Any, obj: Any) -> bool:
    setup = _setup(obj)
    if setup is None or setup.committee_id is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(Committee.objects.filter(pk=setup.committee_id, members=user).exists())


@rules.predicate
def is_submitted(user: Any, obj: Any) -> bool:
    proposal = _proposal(obj)
    return proposal is not None and proposal.status not in (Status.DRAFT, Status.WITHDRAWN)


@rules.predicate
def is_published(user: Any, obj: Any) -> bool:
    setup = _setup(obj)
    return setup is None or setup.is_published


@rules.predicate
def without_object(user: Any, obj: Any) -> bool:
    return obj is None


is_officer = is_staff_or_officer
can_view_proposal = is_officer | is_collaborator | is_assigned_reviewer | (is_committee_member & is_submitted)

rules.add_perm("calls.view_call", is_published | is_officer | is_committee_member)
rules.add_perm("calls.view_statistics", is_published | is_officer | is_committee_member)
rules.add_perm("calls.manage_call", is_officer)
rules.add_perm("calls.add_proposal", is_applicant & is_published)
# Without an object: "may this user list proposals at all?" (the list holds only what they may see).
rules.add_perm("calls.list_proposals", rules.is_authenticated & without_object)
rules.add_perm("calls.view_proposal", can_view_proposal)
rules.add_perm("calls.change_proposal", is_editor & is_editable)
rules.add_perm("calls.manage_collaborators", is_manager & is_editable)
rules.add_perm("calls.submit_proposal", is_editor & is_editable)
rules.add_perm("calls.withdraw_proposal", is_manager)
rules.add_perm("calls.start_full_application", is_manager)
rules.add_perm("calls.check_eligibility", is_officer)
rules.add_perm("calls.assign_reviewer", is_officer)
rules.add_perm("calls.declare_conflict", is_assigned_reviewer | is_officer)
rules.add_perm("calls.score_proposal", is_assigned_reviewer & scores_open)
rules.add_perm("calls.view_all_scores", is_officer | is_committee_member)
rules.add_perm("calls.consolidate", is_officer)
rules.add_perm("calls.view_ranking", is_officer | is_committee_member)
rules.add_perm("calls.decide", is_committee_member | is_officer)
rules.add_perm("calls.confirm_condition", is_officer)
rules.add_perm("calls.start_project", is_officer)
rules.add_perm("calls.view_decision_letter", is_officer | is_collaborator | is_committee_member)
