"""What every step of the call process shares: the refusals, who may act, the moment, amounts, and the
state machine's transition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from deltaregio.calls.models import (
    DECISIONS_STEP_1,
    DECISIONS_STEP_2,
    TRANSITIONS,
    Action,
    Proposal,
    ProposalEvent,
    Status,
)

SCREEN = "calls: screen"
MAX_ATTACHMENT = 10 * 1024 * 1024


class TransitionRefused(ValidationError):
    """The proposal's status does not allow this step."""


def require_perm(user: Any, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You may not take this step on this proposal (now)."))


def raise_errors(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def moment_or_now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def parse_amount(
    value: Any, name: str, errors: dict[str, list[str]], *, allow_none: bool = True
) -> Decimal | None:
    if value is None or value == "":
        if not allow_none:
            errors.setdefault(name, []).append(_("Enter an amount."))
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(_("%(value)s is not a number.") % {"value": value})
        return None
    if not number.is_finite() or number < 0:
        errors.setdefault(name, []).append(_("%(value)s: an amount may not be negative.") % {"value": value})
        return None
    if number != number.quantize(Decimal("0.01")):
        errors.setdefault(name, []).append(_("%(value)s has more than two decimals.") % {"value": value})
        return None
    return number


def transition(
    *,
    proposal: Proposal,
    action: str,
    by: Any,
    date: dt.date | None = None,
    date_text: str = "",
    body: str = "",
    note: str = "",
    source_document: str = SCREEN,
    source_location: str = "",
) -> ProposalEvent:
    """Move the proposal by the state machine and record the step; any other step is refused."""
    target = TRANSITIONS.get((proposal.status, action))
    if target is None:
        raise TransitionRefused(
            {
                "status": [
                    _("A proposal that is %(status)s cannot be given the step “%(action)s”.")
                    % {
                        "status": Status(proposal.status).label,
                        "action": Action(action).label if action in Action.values else action,
                    }
                ]
            }
        )
    if action in DECISIONS_STEP_1 and proposal.decision_step != 1:
        raise TransitionRefused(
            {"outcome": [_("Preselection applies only to a registration (step 1) of a two-step call.")]}
        )
    if action in DECISIONS_STEP_2 and proposal.decision_step != 2:
        raise TransitionRefused(
            {"outcome": [_("A registration (step 1) is preselected or not; it is not approved or rejected.")]}
        )
    event = ProposalEvent.objects.create(
        proposal=proposal,
        action=action,
        from_status=proposal.status,
        to_status=target,
        date=date or timezone.localdate(),
        date_text=date_text,
        body=body,
        note=note,
        by=by if getattr(by, "is_authenticated", False) else None,
        source_document=source_document,
        source_location=source_location,
    )
    proposal.status = target
    proposal._history_user = by  # type: ignore[attr-defined]
    proposal.save(update_fields=["status"])
    return event
