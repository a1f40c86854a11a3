"""Assessment: the eligibility check, reviewers and their conflicts, scores and the consolidated ranking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deltaregio.accounts.selectors import organisation_ids_for
from deltaregio.calls.models import (
    Action,
    Assignment,
    CallSetup,
    ConflictDeclaration,
    EligibilityCheck,
    Proposal,
    Score,
    Status,
)
from deltaregio.calls.services._common import moment_or_now, raise_errors, require_perm, transition
from deltaregio.calls.services.proposals import presubmission_findings

# --- assessment -----------------------------------------------------------------------------------


@transaction.atomic
def eligibility_check(*, by: Any, proposal: Proposal, passed: bool, note: str = "") -> EligibilityCheck:
    """Record the eligibility check: the rules not met are listed as reasons; failing needs a reason."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require_perm(by, "calls.check_eligibility", proposal)
    reasons = [f.message for f in presubmission_findings(proposal)]
    if not passed and not reasons and not note.strip():
        raise ValidationError({"note": [_("Give the reason why the proposal is not eligible.")]})
    transition(
        proposal=proposal,
        action=Action.PASS_ELIGIBILITY if passed else Action.FAIL_ELIGIBILITY,
        by=by,
        note=note,
    )
    return EligibilityCheck.objects.create(
        proposal=proposal, passed=passed, reasons=reasons, note=note, checked_by=by
    )


def conflict_reasons(proposal: Proposal, reviewer: Any) -> list[str]:
    """Why this reviewer may not assess this proposal (empty when they may)."""
    reasons = []
    if proposal.collaborators.filter(user=reviewer).exists():
        reasons.append(_("%(user)s works on the proposal.") % {"user": reviewer})
    partner_orgs = set(proposal.partners.values_list("organisation_id", flat=True))
    shared = partner_orgs & organisation_ids_for(reviewer)
    if shared:
        names = ", ".join(str(p.organisation) for p in proposal.partners.filter(organisation_id__in=shared))
        reasons.append(
            _("%(user)s acts for a partner organisation (%(orgs)s).") % {"user": reviewer, "orgs": names}
        )
    if proposal.conflicts.filter(reviewer=reviewer).exists():
        reasons.append(_("%(user)s declared a conflict of interest.") % {"user": reviewer})
    return reasons


@transaction.atomic
def reviewer_assign(*, by: Any, proposal: Proposal, reviewer: User | None) -> Assignment:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require_perm(by, "calls.assign_reviewer", proposal)
    errors: dict[str, list[str]] = {}
    if reviewer is None:
        errors["reviewer"] = [_("There is no user with this name.")]
    else:
        if proposal.status != Status.ELIGIBLE:
            errors["status"] = [_("Only an eligible proposal is assessed.")]
        reasons = conflict_reasons(proposal, reviewer)
        if reasons:
            errors["reviewer"] = reasons
        elif proposal.assignments.filter(reviewer=reviewer).exists():
            errors["reviewer"] = [_("%(user)s is assigned already.") % {"user": reviewer}]
    raise_errors(errors)
    return Assignment.objects.create(proposal=proposal, reviewer=reviewer, assigned_by=by)  # type: ignore[misc]


@transaction.atomic
def conflict_declare(*, by: Any, proposal: Proposal, note: str = "") -> ConflictDeclaration:
    """A reviewer declares a conflict; an assignment without submitted scores is withdrawn."""
    require_perm(by, "calls.declare_conflict", proposal)
    declaration, _created = ConflictDeclaration.objects.get_or_create(
        proposal=proposal, reviewer=by, defaults={"note": note}
    )
    Assignment.objects.filter(proposal=proposal, reviewer=by, submitted_at__isnull=True).delete()
    return declaration


@transaction.atomic
def scores_save(
    *, by: Any, assignment: Assignment, scores: Mapping[str, tuple[Any, str]], final: bool = False
) -> Assignment:
    """Score every criterion of the proposal's step (code → (score, comment)); with final the scores are
    submitted and can no longer be changed. A score outside the criterion's scale is refused."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",)).select_related("proposal").get(pk=assignment.pk)
    )
    if assignment.reviewer_id != by.pk:
        raise PermissionDenied(_("Only the assigned reviewer scores this proposal."))
    require_perm(by, "calls.score_proposal", assignment.proposal)
    criteria = list(assignment.proposal.setup.criteria.filter(step=assignment.proposal.step))
    errors: dict[str, list[str]] = {}
    known = {c.code for c in criteria}
    for code in scores:
        if code not in known:
            errors.setdefault(code, []).append(
                _("%(code)s is not a criterion of this call.") % {"code": code}
            )
    values: dict[str, Decimal] = {}
    for criterion in criteria:
        raw, _comment = scores.get(criterion.code, (None, ""))
        if raw is None or raw == "":
            if final:
                errors.setdefault(criterion.code, []).append(_("Score %(name)s.") % {"name": criterion.name})
            continue
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            errors.setdefault(criterion.code, []).append(_("%(value)s is not a number.") % {"value": raw})
            continue
        if not value.is_finite() or not criterion.scale_min <= value <= criterion.scale_max:
            errors.setdefault(criterion.code, []).append(
                _("%(name)s: %(value)s is outside the scale %(min)s–%(max)s.")
                % {
                    "name": criterion.name,
                    "value": raw,
                    "min": criterion.scale_min,
                    "max": criterion.scale_max,
                }
            )
            continue
        values[criterion.code] = value
    raise_errors(errors)
    for criterion in criteria:
        if criterion.code in values:
            Score.objects.update_or_create(
                assignment=assignment,
                criterion=criterion,
                defaults={"value": values[criterion.code], "comment": scores[criterion.code][1]},
            )
    if final:
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at"])
    return assignment


def weighted_score(scores: Iterable[Score]) -> Decimal | None:
    items = list(scores)
    total_weight = sum((s.criterion.weight for s in items), Decimal("0"))
    if not total_weight:
        return None
    return sum((s.value * s.criterion.weight for s in items), Decimal("0")) / total_weight


@transaction.atomic
def consolidate(*, by: Any, setup: CallSetup, step: int, now: dt.datetime | None = None) -> list[Proposal]:
    """The consolidated score of every eligible proposal of the step: the mean of its reviewers'
    weighted scores. Refused while an assigned reviewer has not submitted."""
    require_perm(by, "calls.consolidate", setup)
    proposals = list(
        Proposal.objects.select_for_update().filter(
            setup=setup, step=step, status=Status.ELIGIBLE, consolidated_at__isnull=True
        )
    )
    errors: dict[str, list[str]] = {}
    for proposal in proposals:
        open_ones = [
            a.reviewer.get_username()
            for a in proposal.assignments.select_related("reviewer")
            if a.submitted_at is None
        ]
        if open_ones:
            errors.setdefault("assignments", []).append(
                _("%(proposal)s: waiting for the scores of %(users)s.")
                % {"proposal": proposal, "users": ", ".join(open_ones)}
            )
        elif not proposal.assignments.exists():
            errors.setdefault("assignments", []).append(
                _("%(proposal)s has no reviewer.") % {"proposal": proposal}
            )
    if not proposals:
        errors["step"] = [
            _("There is no eligible proposal waiting for consolidation in step %(step)s.") % {"step": step}
        ]
    raise_errors(errors)
    moment = moment_or_now(now)
    for proposal in proposals:
        per_reviewer = [
            weighted_score(Score.objects.filter(assignment=a).select_related("criterion"))
            for a in proposal.assignments.all()
        ]
        numbers = [s for s in per_reviewer if s is not None]
        proposal.consolidated_score = (
            (sum(numbers, Decimal("0")) / len(numbers)).quantize(Decimal("0.01")) if numbers else None
        )
        proposal.consolidated_at = moment
        proposal._history_user = by  # type: ignore[attr-defined]
        proposal.save(update_fields=["consolidated_score", "consolidated_at"])
    return proposals
