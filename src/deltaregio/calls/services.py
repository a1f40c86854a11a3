"""Writes of the call process. Every function is keyword-only, typed and atomic; it checks who may take
the step (rules.py), the state machine (models.TRANSITIONS) and the input, and raises
`PermissionDenied` or `ValidationError` (a message per field, in the user's language) before anything
is saved. `now` can be given for a moment other than the present (tests, the seed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from deltaregio.accounts.selectors import organisation_ids_for
from deltaregio.calls import eligibility
from deltaregio.calls.eligibility import RULE_TYPES, Finding
from deltaregio.calls.models import (
    DECISIONS_STEP_1,
    DECISIONS_STEP_2,
    SECTIONS,
    TRANSITIONS,
    Action,
    Assignment,
    Attachment,
    BudgetLine,
    CallSetup,
    CoFinancing,
    Collaborator,
    Committee,
    Condition,
    ConflictDeclaration,
    Criterion,
    Decision,
    EligibilityCheck,
    EligibilityRule,
    Meeting,
    Proposal,
    ProposalEvent,
    ProposalPartner,
    ProposalWorkPackage,
    Round,
    Score,
    Status,
)

SCREEN = "calls: screen"
MAX_ATTACHMENT = 10 * 1024 * 1024


class TransitionRefused(ValidationError):
    """The proposal's status does not allow this step."""


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You may not take this step on this proposal (now)."))


def _raise(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _amount(
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
    _require(by, "calls.manage_call")
    errors: dict[str, list[str]] = {}
    if steps not in (1, 2):
        errors["steps"] = [_("A call has one or two steps.")]
    budget = _amount(envelope, "envelope", errors)
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
    _raise(errors)
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
    _require(by, "calls.manage_call", setup)
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
    _raise(errors)
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
    _require(by, "calls.manage_call", setup)
    errors: dict[str, list[str]] = {}
    if step not in range(1, setup.steps + 1):
        errors["step"] = [_("This call has %(steps)s step(s).") % {"steps": setup.steps}]
    weight_value = _amount(weight, "weight", errors, allow_none=False)
    if weight_value is not None and weight_value <= 0:
        errors["weight"] = [_("A weight must be larger than zero.")]
    if scale_max <= scale_min:
        errors["scale_max"] = [_("The highest score must be above the lowest.")]
    if not name.strip():
        errors["name"] = [_("Name the criterion.")]
    if Criterion.objects.filter(setup=setup, step=step, code=code).exists():
        errors["code"] = [_("Step %(step)s has a criterion %(code)s already.") % {"step": step, "code": code}]
    _raise(errors)
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
    _require(by, "calls.manage_call", setup)
    errors: dict[str, list[str]] = {}
    problems = eligibility.validate_rule(kind, params)
    if problems:
        errors["params"] = problems
    if step is not None and step not in range(1, setup.steps + 1):
        errors["step"] = [_("This call has %(steps)s step(s).") % {"steps": setup.steps}]
    _raise(errors)
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
    _require(by, "calls.manage_call", setup)
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
    _raise(errors)
    setup.is_published = True
    setup.published_at = _now(now)
    setup._history_user = by  # type: ignore[attr-defined]
    setup.save(update_fields=["is_published", "published_at"])
    return setup


def open_round(setup: CallSetup, step: int, now: dt.datetime | None = None) -> Round | None:
    """The round of this step that is open at `now`: opens_at ≤ now < closes_at (to the second)."""
    moment = _now(now)
    return (
        setup.rounds.filter(step=step, opens_at__lte=moment, closes_at__gt=moment)
        .order_by("closes_at")
        .first()
    )


# --- the applicant's side -------------------------------------------------------------------------


def _editable(by: Any, proposal: Proposal) -> None:
    if not by.has_perm("calls.view_proposal", proposal):
        raise PermissionDenied(_("You may not see this proposal."))
    if not proposal.is_editable:
        raise TransitionRefused(
            {
                "status": [
                    _("The proposal is %(status)s and can no longer be changed.")
                    % {"status": Status(proposal.status).label}
                ]
            }
        )
    _require(by, "calls.change_proposal", proposal)


@transaction.atomic
def proposal_create(
    *,
    by: Any,
    setup: CallSetup,
    acronym: str,
    title: str,
    organisation: Any,
    summary: str = "",
    now: dt.datetime | None = None,
) -> Proposal:
    """A registration (or a one-step application) by a user acting for the lead organisation; the user
    becomes its manager. Refused once every round of step 1 has closed."""
    _require(by, "calls.add_proposal", setup)
    errors: dict[str, list[str]] = {}
    if organisation is None or organisation.pk not in organisation_ids_for(by):
        errors["organisation"] = [
            _("You act for no such organisation; choose one of your organisations as lead partner.")
        ]
    if not acronym.strip():
        errors["acronym"] = [_("Give the proposal an acronym.")]
    elif Proposal.objects.filter(setup=setup, step=1, acronym=acronym.strip()).exists():
        errors["acronym"] = [
            _("This call has a proposal %(acronym)s already.") % {"acronym": acronym.strip()}
        ]
    if not title.strip():
        errors["title"] = [_("Give the proposal a title.")]
    moment = _now(now)
    if not setup.rounds.filter(step=1, closes_at__gt=moment).exists():
        errors["setup"] = [_("Every round of this call has closed; no new proposals are accepted.")]
    _raise(errors)
    proposal = Proposal(
        setup=setup, step=1, acronym=acronym.strip(), title=title.strip(), summary=summary, created_by=by
    )
    proposal._history_user = by  # type: ignore[attr-defined]
    proposal.save()
    ProposalPartner.objects.create(
        proposal=proposal, organisation=organisation, role=ProposalPartner.Role.LEAD
    )
    Collaborator.objects.create(proposal=proposal, user=by, role=Collaborator.Role.MANAGER)
    return proposal


@transaction.atomic
def proposal_update(
    *,
    by: Any,
    proposal: Proposal,
    title: str | None = None,
    summary: str | None = None,
    trl_start: int | None = None,
    trl_end: int | None = None,
    total_cost: Any = None,
    requested_grant: Any = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    themes: Iterable[Any] | None = None,
    application_domains: Iterable[Any] | None = None,
    key_technologies: Iterable[Any] | None = None,
) -> Proposal:
    """Change the proposal's own fields; given fields only (None leaves a field as it is)."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _editable(by, proposal)
    errors: dict[str, list[str]] = {}
    if title is not None and not title.strip():
        errors["title"] = [_("Give the proposal a title.")]
    for name, value in (("trl_start", trl_start), ("trl_end", trl_end)):
        if value is not None and not 1 <= value <= 9:
            errors[name] = [_("A TRL lies between 1 and 9; %(value)s does not.") % {"value": value}]
    if trl_start is not None and trl_end is not None and trl_end < trl_start:
        errors["trl_end"] = [_("The TRL at the end cannot be lower than at the start.")]
    cost = _amount(total_cost, "total_cost", errors)
    grant = _amount(requested_grant, "requested_grant", errors)
    if cost is not None and grant is not None and grant > cost:
        errors["requested_grant"] = [
            _("The grant requested (%(grant)s) is larger than the total cost (%(cost)s).")
            % {"grant": grant, "cost": cost}
        ]
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = [_("The end lies before the start.")]
    programme_ids = {
        proposal.setup.call.instrument_id,
        proposal.setup.call.instrument.parent_id,
        getattr(proposal.setup.programme_line, "parent_id", None),
    }
    for name, items in (("application_domains", application_domains), ("key_technologies", key_technologies)):
        if items is not None and any(i.programme_id not in programme_ids for i in items):
            errors[name] = [_("Choose only those of this call's programme.")]
    _raise(errors)
    changes: tuple[tuple[str, Any], ...] = (
        ("title", title.strip() if title is not None else None),
        ("summary", summary),
        ("trl_start", trl_start),
        ("trl_end", trl_end),
        ("total_cost", cost),
        ("requested_grant", grant),
        ("start_date", start_date),
        ("end_date", end_date),
    )
    for name, value in changes:
        if value is not None:
            setattr(proposal, name, value)
    proposal._history_user = by  # type: ignore[attr-defined]
    proposal.save()
    if themes is not None:
        proposal.themes.set(list(themes))
    if application_domains is not None:
        proposal.application_domains.set(list(application_domains))
    if key_technologies is not None:
        proposal.key_technologies.set(list(key_technologies))
    return proposal


@transaction.atomic
def partner_add(
    *, by: Any, proposal: Proposal, organisation: Any, role: str = ProposalPartner.Role.PARTNER
) -> ProposalPartner:
    """Add a partner; an organisation takes part once, and there is one lead partner."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _editable(by, proposal)
    errors: dict[str, list[str]] = {}
    if role not in ProposalPartner.Role.values:
        errors["role"] = [_("%(value)s is not a partner role.") % {"value": role}]
    if organisation is None:
        errors["organisation"] = [_("Choose an organisation.")]
    elif proposal.partners.filter(organisation=organisation).exists():
        errors["organisation"] = [
            _("%(org)s is a partner already; an organisation takes part once.") % {"org": organisation}
        ]
    if (
        role == ProposalPartner.Role.LEAD
        and proposal.partners.filter(role=ProposalPartner.Role.LEAD).exists()
    ):
        errors["role"] = [_("The proposal has a lead partner already.")]
    _raise(errors)
    return ProposalPartner.objects.create(proposal=proposal, organisation=organisation, role=role)


@transaction.atomic
def partner_remove(*, by: Any, partner: ProposalPartner) -> None:
    proposal = Proposal.objects.select_for_update().get(pk=partner.proposal_id)
    _editable(by, proposal)
    if partner.role == ProposalPartner.Role.LEAD:
        raise ValidationError(
            {"partner": [_("The lead partner cannot be removed; make another partner lead first.")]}
        )
    partner.delete()


@transaction.atomic
def collaborator_add(
    *, by: Any, proposal: Proposal, user: User | None, role: str = Collaborator.Role.EDITOR
) -> Collaborator:
    """The lead partner's manager lets another user work on the proposal."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _editable(by, proposal)
    _require(by, "calls.manage_collaborators", proposal)
    errors: dict[str, list[str]] = {}
    if user is None:
        errors["user"] = [_("There is no user with this name.")]
    elif proposal.collaborators.filter(user=user).exists():
        errors["user"] = [_("%(user)s works on this proposal already.") % {"user": user}]
    if role not in Collaborator.Role.values:
        errors["role"] = [_("%(value)s is not a collaborator role.") % {"value": role}]
    _raise(errors)
    return Collaborator.objects.create(proposal=proposal, user=user, role=role)  # type: ignore[misc]


@transaction.atomic
def work_package_add(*, by: Any, proposal: Proposal, number: int, title: str) -> ProposalWorkPackage:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _editable(by, proposal)
    errors: dict[str, list[str]] = {}
    if not isinstance(number, int) or number < 1:
        errors["number"] = [_("A work package number is a whole number from 1.")]
    elif proposal.work_packages.filter(number=number).exists():
        errors["number"] = [_("There is a work package %(number)s already.") % {"number": number}]
    if not title.strip():
        errors["title"] = [_("Give the work package a title.")]
    _raise(errors)
    return ProposalWorkPackage.objects.create(proposal=proposal, number=number, title=title.strip())


@transaction.atomic
def budget_line_save(
    *, by: Any, proposal: Proposal, partner: ProposalPartner, work_package: ProposalWorkPackage, amount: Any
) -> BudgetLine:
    """A partner's cost in a work package (a second entry for the same cell replaces it)."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _editable(by, proposal)
    errors: dict[str, list[str]] = {}
    if partner.proposal_id != proposal.pk:
        errors["partner"] = [_("This partner is not part of the proposal.")]
    if work_package.proposal_id != proposal.pk:
        errors["work_package"] = [_("This work package is not part of the proposal.")]
    value = _amount(amount, "amount", errors, allow_none=False)
    _raise(errors)
    line, _created = BudgetLine.objects.update_or_create(  # type: ignore[misc]
        partner=partner, work_package=work_package, defaults={"proposal": proposal, "amount": value}
    )
    return line


def rate_limit(setup: CallSetup, source: str, step: int) -> tuple[Decimal, EligibilityRule] | None:
    """The lowest maximum rate the call's rules allow for this source, with the rule that sets it."""
    rule_type = RULE_TYPES["max_co_financing_rate"]
    best: tuple[Decimal, EligibilityRule] | None = None
    for rule in setup.rules.filter(kind="max_co_financing_rate"):
        if rule.step not in (None, step):
            continue
        limit = rule_type.limit_for(source, rule.params)  # type: ignore[attr-defined]
        if limit is not None and (best is None or limit < best[0]):
            best = (limit, rule)
    return best


@transaction.atomic
def co_financing_save(
    *, by: Any, proposal: Proposal, partner: ProposalPartner, source: str, rate: Any
) -> CoFinancing:
    """A source paying a rate of a partner's cost; above what the call allows for the source is refused."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _editable(by, proposal)
    errors: dict[str, list[str]] = {}
    if partner.proposal_id != proposal.pk:
        errors["partner"] = [_("This partner is not part of the proposal.")]
    if not source.strip():
        errors["source"] = [_("Name who pays.")]
    value = _amount(rate, "rate", errors, allow_none=False)
    if value is not None and value > 100:
        errors["rate"] = [_("%(rate)s %% is not a rate: it lies between 0 and 100 %%.") % {"rate": value}]
    elif value is not None:
        limit = rate_limit(proposal.setup, source, proposal.step)
        if limit is not None and value > limit[0]:
            errors["rate"] = [
                _("%(rate)s %% is above the highest rate the call allows for %(source)s (%(limit)s %%).")
                % {"rate": value, "source": source.strip(), "limit": limit[0]}
            ]
        others = sum((c.rate for c in partner.co_financing.exclude(source=source.strip())), Decimal("0"))
        if "rate" not in errors and others + value > 100:
            errors["rate"] = [
                _("With this line the co-financing of %(partner)s adds up to %(total)s %%, more than 100 %%.")
                % {"partner": partner.organisation, "total": others + value}
            ]
    _raise(errors)
    line, _created = CoFinancing.objects.update_or_create(  # type: ignore[misc]
        partner=partner, source=source.strip(), defaults={"proposal": proposal, "rate": value}
    )
    return line


@transaction.atomic
def attachment_add(
    *, by: Any, proposal: Proposal, kind: str, file_name: str, content: bytes, content_type: str = ""
) -> Attachment:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _editable(by, proposal)
    errors: dict[str, list[str]] = {}
    if not kind.strip():
        errors["kind"] = [_("Say what kind of document this is.")]
    if not content:
        errors["file"] = [_("The file is empty.")]
    elif len(content) > MAX_ATTACHMENT:
        errors["file"] = [_("The file is larger than 10 MB.")]
    _raise(errors)
    return Attachment.objects.create(
        proposal=proposal,
        kind=kind.strip(),
        file_name=file_name[:200] or "document",
        content=content,
        content_type=content_type or "application/octet-stream",
        uploaded_by=by,
    )


def presubmission_findings(proposal: Proposal) -> list[Finding]:
    """Every rule the proposal does not meet yet, with the section where to fix it."""
    sections = proposal.setup.sections_for(proposal.step)
    findings = eligibility.structural_findings(proposal, sections)
    for rule in proposal.setup.rules.all():
        if rule.step not in (None, proposal.step) or rule.kind not in RULE_TYPES:
            continue
        findings.extend(RULE_TYPES[rule.kind].check(proposal, rule.params))
    return findings


@transaction.atomic
def proposal_submit(*, by: Any, proposal: Proposal, now: dt.datetime | None = None) -> Proposal:
    """Submit while a round of the proposal's step is open (to the second) and every rule is met."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _editable(by, proposal)
    _require(by, "calls.submit_proposal", proposal)
    moment = _now(now)
    current = open_round(proposal.setup, proposal.step, moment)
    if current is None and proposal.status != Status.RETURNED:
        last = (
            proposal.setup.rounds.filter(step=proposal.step, closes_at__lte=moment)
            .order_by("-closes_at")
            .first()
        )
        if last is not None:
            when = timezone.localtime(last.closes_at).strftime("%Y-%m-%d %H:%M:%S %Z")
            message = _("The call closed at %(when)s; a proposal can no longer be submitted.") % {
                "when": when
            }
        else:
            message = _("No round of this call is open for step %(step)s now.") % {"step": proposal.step}
        raise ValidationError({"closes_at": [message]})
    findings = presubmission_findings(proposal)
    if findings:
        raise ValidationError(
            {f.section: [f.message] for f in findings}
            | {"non_field_errors": [_("The proposal does not yet meet every rule; see the check.")]}
        )
    transition(proposal=proposal, action=Action.SUBMIT, by=by, date=timezone.localdate(moment))
    proposal.submitted_at = moment
    proposal.save(update_fields=["submitted_at"])
    return proposal


@transaction.atomic
def proposal_withdraw(*, by: Any, proposal: Proposal, note: str = "") -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _require(by, "calls.withdraw_proposal", proposal)
    transition(proposal=proposal, action=Action.WITHDRAW, by=by, note=note)
    return proposal


@transaction.atomic
def full_application_start(*, by: Any, registration: Proposal) -> Proposal:
    """Step 2 of a two-step call starts from the preselected registration: partners, work packages,
    budget, co-financing, domains and collaborators are copied."""
    registration = Proposal.objects.select_for_update().get(pk=registration.pk)
    _require(by, "calls.start_full_application", registration)
    errors: dict[str, list[str]] = {}
    if registration.setup.steps != 2 or registration.step != 1:
        errors["step"] = [_("Only a registration of a two-step call has a full application.")]
    elif registration.status != Status.PRESELECTED:
        errors["status"] = [_("Only a preselected registration can be worked out into a full application.")]
    elif Proposal.objects.filter(registration=registration).exists():
        errors["status"] = [_("The full application of this registration exists already.")]
    _raise(errors)
    fields = [
        "acronym",
        "title",
        "summary",
        "trl_start",
        "trl_end",
        "total_cost",
        "requested_grant",
        "start_date",
        "end_date",
    ]
    full = Proposal(
        setup=registration.setup,
        step=2,
        registration=registration,
        created_by=by,
        **{f: getattr(registration, f) for f in fields},
    )
    full._history_user = by  # type: ignore[attr-defined]
    full.save()
    full.themes.set(registration.themes.all())
    full.application_domains.set(registration.application_domains.all())
    full.key_technologies.set(registration.key_technologies.all())
    partners = {}
    for p in registration.partners.all():
        partners[p.pk] = ProposalPartner.objects.create(
            proposal=full, organisation=p.organisation, role=p.role
        )
    wps = {}
    for wp in registration.work_packages.all():
        wps[wp.pk] = ProposalWorkPackage.objects.create(proposal=full, number=wp.number, title=wp.title)
    for line in registration.budget_lines.all():
        BudgetLine.objects.create(
            proposal=full,
            partner=partners[line.partner_id],
            work_package=wps[line.work_package_id],
            amount=line.amount,
        )
    for co in registration.co_financing.all():
        CoFinancing.objects.create(
            proposal=full, partner=partners[co.partner_id], source=co.source, rate=co.rate
        )
    for c in registration.collaborators.all():
        Collaborator.objects.create(proposal=full, user=c.user, role=c.role)
    return full


# --- assessment -----------------------------------------------------------------------------------


@transaction.atomic
def eligibility_check(*, by: Any, proposal: Proposal, passed: bool, note: str = "") -> EligibilityCheck:
    """Record the eligibility check: the rules not met are listed as reasons; failing needs a reason."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _require(by, "calls.check_eligibility", proposal)
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
    _require(by, "calls.assign_reviewer", proposal)
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
    _raise(errors)
    return Assignment.objects.create(proposal=proposal, reviewer=reviewer, assigned_by=by)  # type: ignore[misc]


@transaction.atomic
def conflict_declare(*, by: Any, proposal: Proposal, note: str = "") -> ConflictDeclaration:
    """A reviewer declares a conflict; an assignment without submitted scores is withdrawn."""
    _require(by, "calls.declare_conflict", proposal)
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
    _require(by, "calls.score_proposal", assignment.proposal)
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
    _raise(errors)
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
    _require(by, "calls.consolidate", setup)
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
    _raise(errors)
    moment = _now(now)
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


# --- decisions ------------------------------------------------------------------------------------


@transaction.atomic
def decide(
    *,
    by: Any,
    proposal: Proposal,
    outcome: str,
    date: dt.date | None,
    body: str = "",
    note: str = "",
    conditions: Iterable[str] = (),
    granted_amount: Any = None,
    date_text: str = "",
    notify: bool = True,
    source_document: str = SCREEN,
    source_location: str = "",
) -> Decision:
    """The committee's decision at a meeting on a date. Step 1: preselect / not preselect; step 2:
    approve / approve with conditions / reject / return. An approval creates the project."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("setup", "setup__committee", "setup__call")
        .get(pk=proposal.pk)
    )
    _require(by, "calls.decide", proposal)
    errors: dict[str, list[str]] = {}
    allowed = DECISIONS_STEP_1 if proposal.decision_step == 1 else DECISIONS_STEP_2
    if outcome not in allowed:
        errors["outcome"] = [
            _("%(outcome)s is not a decision of this step; choose one of: %(allowed)s.")
            % {"outcome": outcome, "allowed": ", ".join(str(Action(a).label) for a in sorted(allowed))}
        ]
    texts = [t.strip() for t in conditions if t and t.strip()]
    if outcome == Action.APPROVE_WITH_CONDITIONS and not texts:
        errors["conditions"] = [_("An approval with conditions needs at least one condition.")]
    if outcome != Action.APPROVE_WITH_CONDITIONS and texts:
        errors["conditions"] = [_("Only an approval with conditions has conditions.")]
    if outcome == Action.RETURN and not note.strip():
        errors["note"] = [_("Say what the applicant should change.")]
    if date is None and not date_text:
        errors["date"] = [_("Give the date of the meeting.")]
    committee = proposal.setup.committee
    body = body.strip() or (committee.name if committee else "")
    if not body:
        errors["body"] = [_("Name the deciding body.")]
    grant = _amount(granted_amount, "granted_amount", errors)
    if outcome in (Action.APPROVE, Action.APPROVE_WITH_CONDITIONS) and grant is None:
        grant = proposal.requested_grant
    _raise(errors)
    meeting = Meeting.objects.get_or_create(committee=committee, date=date)[0] if committee and date else None
    transition(
        proposal=proposal,
        action=outcome,
        by=by,
        date=date,
        date_text=date_text,
        body=body,
        note=note,
        source_document=source_document,
        source_location=source_location,
    )
    decision = Decision.objects.create(
        proposal=proposal,
        meeting=meeting,
        outcome=outcome,
        date=date,
        date_text=date_text,
        body=body,
        note=note,
        granted_amount=grant if outcome in (Action.APPROVE, Action.APPROVE_WITH_CONDITIONS) else None,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
        source_document=source_document,
        source_location=source_location,
    )
    for text in texts:
        Condition.objects.create(decision=decision, proposal=proposal, text=text)
    if outcome in (Action.APPROVE, Action.APPROVE_WITH_CONDITIONS):
        proposal.granted_amount = grant
        proposal.save(update_fields=["granted_amount"])
        if proposal.project_id is None:
            _project_create(by=by, proposal=proposal)
        else:
            _project_status(by=by, proposal=proposal, status="approved", date=date, body=body, note=note)
    if notify:
        _notify(proposal, decision)
    return decision


def _project_history(proposal: Proposal) -> list[Any]:
    from deltaregio.projects.services import NewStatus

    mapping = {
        (1, Status.SUBMITTED): "registered",
        (1, Status.PRESELECTED): "preselected",
        (1, Status.NOT_PRESELECTED): "not_preselected",
        (2, Status.SUBMITTED): "submitted",
        (2, Status.RETURNED): "in_revision",
        (2, Status.APPROVED): "approved",
        (2, Status.APPROVED_WITH_CONDITIONS): "approved",
    }
    entries = []
    chain = [p for p in (proposal.registration, proposal) if p is not None]
    for item in chain:
        step = 1 if (item.step == 1 and item.setup.steps == 2) else 2
        for event in item.events.order_by("id"):
            status = mapping.get((step, event.to_status))  # type: ignore[arg-type]
            if status:
                entries.append(
                    NewStatus(
                        status=status,
                        date=event.date,
                        body=event.body,
                        note=event.note,
                        date_text=event.date_text,
                    )
                )
    return entries


def _project_create(*, by: Any, proposal: Proposal) -> None:
    from deltaregio.finance.services import budget_from_application
    from deltaregio.projects.services import NewPartner, project_create_from_application

    partners = list(proposal.partners.select_related("organisation"))
    wps = list(proposal.work_packages.all())
    lines = list(proposal.budget_lines.all())
    trl = ""
    if proposal.trl_start or proposal.trl_end:
        trl = "–".join(str(v) for v in (proposal.trl_start, proposal.trl_end) if v)
    wp_budget = {
        wp.pk: sum((ln.amount for ln in lines if ln.work_package_id == wp.pk), Decimal("0")) for wp in wps
    }
    project, by_org, by_number = project_create_from_application(
        by=by,
        acronym=proposal.acronym,
        title=proposal.title,
        summary=proposal.summary,
        instrument=proposal.setup.call.instrument,
        call=proposal.setup.call,
        start_date=proposal.start_date,
        end_date=proposal.end_date,
        total_cost=proposal.total_cost,
        trl=trl,
        themes=proposal.themes.all(),
        partners=[NewPartner(p.organisation, p.role if p.role != "lead" else "lead") for p in partners],
        work_packages=[(wp.number, wp.title, wp_budget[wp.pk] if lines else None) for wp in wps],
        history=_project_history(proposal),
        source_document=SCREEN,
        source_location=_("proposal %(id)s") % {"id": proposal.pk},
    )
    if lines and project.start_date:
        partner_by_pk = {p.pk: by_org[p.organisation_id] for p in partners}
        wp_by_pk = {wp.pk: by_number[wp.number] for wp in wps}
        budget_from_application(
            by=by,
            project=project,
            lines=[(partner_by_pk[ln.partner_id], wp_by_pk[ln.work_package_id], ln.amount) for ln in lines],
            co_financing=[
                (partner_by_pk[c.partner_id], c.source, c.rate) for c in proposal.co_financing.all()
            ],
            source_document=SCREEN,
            source_location=_("proposal %(id)s") % {"id": proposal.pk},
        )
    proposal.project = project
    proposal.save(update_fields=["project"])


def _project_status(
    *, by: Any, proposal: Proposal, status: str, date: dt.date | None, body: str = "", note: str = ""
) -> None:
    from deltaregio.projects.services import NewStatus, status_record

    if proposal.project is not None:
        status_record(
            by=by,
            project=proposal.project,
            entry=NewStatus(status=status, date=date, body=body, note=note),
            source_document=SCREEN,
            source_location=_("proposal %(id)s") % {"id": proposal.pk},
        )


def _notify(proposal: Proposal, decision: Decision) -> None:
    recipients = sorted({c.user.email for c in proposal.collaborators.select_related("user") if c.user.email})
    if not recipients:
        return
    subject = _("Decision on %(acronym)s: %(outcome)s") % {
        "acronym": proposal.acronym,
        "outcome": decision.get_outcome_display(),
    }
    lines = [
        _("The %(body)s decided on %(date)s about %(acronym)s (%(call)s): %(outcome)s.")
        % {
            "body": decision.body,
            "date": decision.date or decision.date_text,
            "acronym": proposal.acronym,
            "call": proposal.setup.call,
            "outcome": decision.get_outcome_display(),
        }
    ]
    if decision.note:
        lines.append(decision.note)
    for condition in decision.conditions.all():
        lines.append(_("Condition: %(text)s") % {"text": condition.text})
    lines.append(_("The decision letter is on the proposal's page as PDF."))
    message = "\n\n".join(str(line) for line in lines)
    transaction.on_commit(lambda: send_mail(subject, message, None, recipients, fail_silently=False))


@transaction.atomic
def condition_confirm(*, by: Any, condition: Condition, note: str = "") -> Condition:
    """The officer confirms a condition is met; when all are, the approval is unconditional."""
    condition = (
        Condition.objects.select_for_update(of=("self",)).select_related("proposal").get(pk=condition.pk)
    )
    _require(by, "calls.confirm_condition", condition.proposal)
    if condition.met_at is not None:
        raise ValidationError({"condition": [_("This condition was met already.")]})
    if not note.strip():
        raise ValidationError({"note": [_("Say how the condition was met.")]})
    condition.met_at = timezone.now()
    condition.met_by = by
    condition.met_note = note.strip()
    condition.save()
    proposal = Proposal.objects.select_for_update().get(pk=condition.proposal_id)
    if (
        proposal.status == Status.APPROVED_WITH_CONDITIONS
        and not proposal.conditions.filter(met_at__isnull=True).exists()
    ):
        transition(proposal=proposal, action=Action.CONDITIONS_MET, by=by, note=note)
    return condition


@transaction.atomic
def project_start(*, by: Any, proposal: Proposal, date: dt.date | None = None) -> Proposal:
    """The approved project starts: its status becomes running. Refused while a condition is open."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _require(by, "calls.start_project", proposal)
    if proposal.conditions.filter(met_at__isnull=True).exists():
        raise TransitionRefused({"conditions": [_("A condition of the approval is not met yet.")]})
    start = date or proposal.start_date or timezone.localdate()
    transition(proposal=proposal, action=Action.START, by=by, date=start)
    _project_status(by=by, proposal=proposal, status="running", date=start, note=_("Project started."))
    return proposal


def users_named(name: str) -> QuerySet[User]:
    return User.objects.filter(username=name.strip(), is_active=True)


__all__ = ["IntegrityError", "TransitionRefused"]
