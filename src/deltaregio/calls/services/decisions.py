"""The committee's decisions, the project an approval creates, conditions, the letters and e-mails, and the
project's start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from deltaregio.calls.models import (
    DECISIONS_STEP_1,
    DECISIONS_STEP_2,
    Action,
    Condition,
    Decision,
    Meeting,
    Proposal,
    Status,
)
from deltaregio.calls.services._common import (
    SCREEN,
    TransitionRefused,
    parse_amount,
    raise_errors,
    require_perm,
    transition,
)

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
    require_perm(by, "calls.decide", proposal)
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
    grant = parse_amount(granted_amount, "granted_amount", errors)
    if outcome in (Action.APPROVE, Action.APPROVE_WITH_CONDITIONS) and grant is None:
        grant = proposal.requested_grant
    raise_errors(errors)
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
    require_perm(by, "calls.confirm_condition", condition.proposal)
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
    require_perm(by, "calls.start_project", proposal)
    if proposal.conditions.filter(met_at__isnull=True).exists():
        raise TransitionRefused({"conditions": [_("A condition of the approval is not met yet.")]})
    start = date or proposal.start_date or timezone.localdate()
    transition(proposal=proposal, action=Action.START, by=by, date=start)
    _project_status(by=by, proposal=proposal, status="running", date=start, note=_("Project started."))
    return proposal


def users_named(name: str) -> QuerySet[User]:
    return User.objects.filter(username=name.strip(), is_active=True)


__all__ = ["IntegrityError", "TransitionRefused"]
