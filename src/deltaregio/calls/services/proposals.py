"""The applicant's side: proposals, partners, collaborators, work packages, budgets, co-financing,
attachments, the pre-submission check, submitting and withdrawing, and the full application after
preselection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deltaregio.accounts.selectors import organisation_ids_for
from deltaregio.calls import eligibility
from deltaregio.calls.eligibility import RULE_TYPES, Finding
from deltaregio.calls.models import (
    Action,
    Attachment,
    BudgetLine,
    CallSetup,
    CoFinancing,
    Collaborator,
    EligibilityRule,
    Proposal,
    ProposalPartner,
    ProposalWorkPackage,
    Status,
)
from deltaregio.calls.services._common import (
    MAX_ATTACHMENT,
    TransitionRefused,
    moment_or_now,
    parse_amount,
    raise_errors,
    require_perm,
    transition,
)
from deltaregio.calls.services.setup import open_round

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
    require_perm(by, "calls.change_proposal", proposal)


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
    require_perm(by, "calls.add_proposal", setup)
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
    moment = moment_or_now(now)
    if not setup.rounds.filter(step=1, closes_at__gt=moment).exists():
        errors["setup"] = [_("Every round of this call has closed; no new proposals are accepted.")]
    raise_errors(errors)
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
    cost = parse_amount(total_cost, "total_cost", errors)
    grant = parse_amount(requested_grant, "requested_grant", errors)
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
    raise_errors(errors)
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
    raise_errors(errors)
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
    require_perm(by, "calls.manage_collaborators", proposal)
    errors: dict[str, list[str]] = {}
    if user is None:
        errors["user"] = [_("There is no user with this name.")]
    elif proposal.collaborators.filter(user=user).exists():
        errors["user"] = [_("%(user)s works on this proposal already.") % {"user": user}]
    if role not in Collaborator.Role.values:
        errors["role"] = [_("%(value)s is not a collaborator role.") % {"value": role}]
    raise_errors(errors)
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
    raise_errors(errors)
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
    value = parse_amount(amount, "amount", errors, allow_none=False)
    raise_errors(errors)
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
    value = parse_amount(rate, "rate", errors, allow_none=False)
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
    raise_errors(errors)
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
    raise_errors(errors)
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
    require_perm(by, "calls.submit_proposal", proposal)
    moment = moment_or_now(now)
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
    require_perm(by, "calls.withdraw_proposal", proposal)
    transition(proposal=proposal, action=Action.WITHDRAW, by=by, note=note)
    return proposal


@transaction.atomic
def full_application_start(*, by: Any, registration: Proposal) -> Proposal:
    """Step 2 of a two-step call starts from the preselected registration: partners, work packages,
    budget, co-financing, domains and collaborators are copied."""
    registration = Proposal.objects.select_for_update().get(pk=registration.pk)
    require_perm(by, "calls.start_full_application", registration)
    errors: dict[str, list[str]] = {}
    if registration.setup.steps != 2 or registration.step != 1:
        errors["step"] = [_("Only a registration of a two-step call has a full application.")]
    elif registration.status != Status.PRESELECTED:
        errors["status"] = [_("Only a preselected registration can be worked out into a full application.")]
    elif Proposal.objects.filter(registration=registration).exists():
        errors["status"] = [_("The full application of this registration exists already.")]
    raise_errors(errors)
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
