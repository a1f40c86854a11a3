"""Configuring a call: its set-up, rounds, criteria, eligibility rules, and publishing it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deltaregio.calls import eligibility
from deltaregio.calls.models import (
    SECTIONS,
    CallSetup,
    Committee,
    Criterion,
    EligibilityRule,
    Round,
)
from deltaregio.calls.services._common import SCREEN, moment_or_now, parse_amount, raise_errors, require_perm

# --- call configuration ---------------------------------------------------------------------------


@transaction.atomic
def setup_save(
    *,
    by: Any,
    call: Any,
    steps: int,
    envelope: Any = None,
    sections: Mapping[str, list[str]] | None = None,
    committee: Committee | None = None,
    programme_line: Any = None,
    note: str = "",
    source_document: str = SCREEN,
    source_location: str = "",
) -> CallSetup:
    """Create or change the configuration of a call."""
    require_perm(by, "calls.manage_call")
    errors: dict[str, list[str]] = {}
    if steps not in (1, 2):
        errors["steps"] = [_("A call has one or two steps.")]
    budget = parse_amount(envelope, "envelope", errors)
    sections = dict(sections or {})
    for step, names in sections.items():
        if step not in ("1", "2"):
            errors.setdefault("sections", []).append(_("%(step)s is not a step.") % {"step": step})
        unknown = [n for n in names if n not in SECTIONS]
        if unknown:
            errors.setdefault("sections", []).append(
                _("Unknown section(s): %(names)s.") % {"names": ", ".join(unknown)}
            )
    setup = CallSetup.objects.filter(call=call).first() or CallSetup(call=call)
    if setup.pk and steps != setup.steps and (setup.is_published or setup.proposals.exists()):
        errors["steps"] = [
            _("The number of steps of a published call, or of a call with proposals, cannot change.")
        ]
    raise_errors(errors)
    setup.steps = steps
    setup.envelope = budget
    setup.sections = sections
    setup.committee = committee
    setup.programme_line = programme_line
    setup.note = note
    setup.source_document = source_document
    setup.source_location = source_location
    setup._history_user = by  # type: ignore[attr-defined]
    setup.save()
    return setup


@transaction.atomic
def round_add(
    *, by: Any, setup: CallSetup, step: int, number: int, opens_at: dt.datetime, closes_at: dt.datetime
) -> Round:
    require_perm(by, "calls.manage_call", setup)
    errors: dict[str, list[str]] = {}
    if step not in (1, setup.steps):
        errors["step"] = [_("This call has %(steps)s step(s).") % {"steps": setup.steps}]
    if opens_at is None or closes_at is None or timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        errors["closes_at"] = [_("Give the open and close moments with their time zone.")]
    elif closes_at <= opens_at:
        errors["closes_at"] = [_("The close moment must lie after the open moment.")]
    if Round.objects.filter(setup=setup, step=step, number=number).exists():
        errors["number"] = [
            _("Step %(step)s has a round %(number)s already.") % {"step": step, "number": number}
        ]
    raise_errors(errors)
    return Round.objects.create(setup=setup, step=step, number=number, opens_at=opens_at, closes_at=closes_at)


@transaction.atomic
def criterion_add(
    *,
    by: Any,
    setup: CallSetup,
    step: int,
    code: str,
    name: str,
    weight: Any = 1,
    scale_min: int = 0,
    scale_max: int = 5,
) -> Criterion:
    require_perm(by, "calls.manage_call", setup)
    errors: dict[str, list[str]] = {}
    if step not in range(1, setup.steps + 1):
        errors["step"] = [_("This call has %(steps)s step(s).") % {"steps": setup.steps}]
    weight_value = parse_amount(weight, "weight", errors, allow_none=False)
    if weight_value is not None and weight_value <= 0:
        errors["weight"] = [_("A weight must be larger than zero.")]
    if scale_max <= scale_min:
        errors["scale_max"] = [_("The highest score must be above the lowest.")]
    if not name.strip():
        errors["name"] = [_("Name the criterion.")]
    if Criterion.objects.filter(setup=setup, step=step, code=code).exists():
        errors["code"] = [_("Step %(step)s has a criterion %(code)s already.") % {"step": step, "code": code}]
    raise_errors(errors)
    order = Criterion.objects.filter(setup=setup, step=step).count() + 1
    return Criterion.objects.create(  # type: ignore[misc]
        setup=setup,
        step=step,
        code=code,
        name=name.strip(),
        weight=weight_value,
        scale_min=scale_min,
        scale_max=scale_max,
        order=order,
    )


@transaction.atomic
def rule_add(
    *,
    by: Any,
    setup: CallSetup,
    kind: str,
    params: Any,
    step: int | None = None,
    source_document: str = SCREEN,
    source_location: str = "",
) -> EligibilityRule:
    """Add an eligibility rule of a type of the library (eligibility.RULE_TYPES) with its parameters."""
    require_perm(by, "calls.manage_call", setup)
    errors: dict[str, list[str]] = {}
    problems = eligibility.validate_rule(kind, params)
    if problems:
        errors["params"] = problems
    if step is not None and step not in range(1, setup.steps + 1):
        errors["step"] = [_("This call has %(steps)s step(s).") % {"steps": setup.steps}]
    raise_errors(errors)
    order = EligibilityRule.objects.filter(setup=setup).count() + 1
    return EligibilityRule.objects.create(
        setup=setup,
        kind=kind,
        params=params,
        step=step,
        order=order,
        source_document=source_document,
        source_location=source_location,
    )


@transaction.atomic
def call_publish(*, by: Any, setup: CallSetup, now: dt.datetime | None = None) -> CallSetup:
    """Open the call to applicants: it needs a round for every step and criteria for the assessed step."""
    require_perm(by, "calls.manage_call", setup)
    errors: dict[str, list[str]] = {}
    if setup.is_published:
        errors["is_published"] = [_("The call is published already.")]
    steps_with_rounds = set(setup.rounds.values_list("step", flat=True))
    for step in range(1, setup.steps + 1):
        if step not in steps_with_rounds:
            errors.setdefault("rounds", []).append(
                _("Give a round with open and close moments for step %(step)s.") % {"step": step}
            )
    if not setup.criteria.filter(step=setup.steps).exists():
        errors.setdefault("criteria", []).append(
            _("Give the assessment criteria of step %(step)s.") % {"step": setup.steps}
        )
    if setup.committee_id is None:
        errors["committee"] = [_("Name the committee that decides.")]
    raise_errors(errors)
    setup.is_published = True
    setup.published_at = moment_or_now(now)
    setup._history_user = by  # type: ignore[attr-defined]
    setup.save(update_fields=["is_published", "published_at"])
    return setup


def open_round(setup: CallSetup, step: int, now: dt.datetime | None = None) -> Round | None:
    """The round of this step that is open at `now`: opens_at ≤ now < closes_at (to the second)."""
    moment = moment_or_now(now)
    return (
        setup.rounds.filter(step=step, opens_at__lte=moment, closes_at__gt=moment)
        .order_by("closes_at")
        .first()
    )
