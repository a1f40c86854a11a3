"""Web pages of the call process: the calls with their rules and statistics, the proposal with its
sections, the pre-submission check and every step (one form per step, working without JavaScript),
the reviewer's score sheet, the ranking and the decision letter. Thin: the input is read here, the
services decide and write, the selectors read; each view says who may use it (allowed_for) and the
services check the object."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deltaregio.calls import letters, selectors, services
from deltaregio.calls.eligibility import RULE_TYPES
from deltaregio.calls.models import (
    DECISIONS_STEP_1,
    DECISIONS_STEP_2,
    SECTIONS,
    Action,
    Assignment,
    CallSetup,
    Collaborator,
    Condition,
    Proposal,
    ProposalPartner,
    Status,
)
from deltaregio.directory.models import Organisation
from deltaregio.funding import selectors as funding_selectors
from deltaregio.funding.models import ApplicationDomain, KeyTechnology
from deltaregio.vouchers.charts import bars
from deltaregio.web.access import allowed_for


def _setup(request: HttpRequest, code: str) -> CallSetup:
    try:
        return selectors.call_detail(user=request.user, code=code)
    except CallSetup.DoesNotExist as exc:
        raise Http404(_("There is no published call with this code.")) from exc


def _proposal(request: HttpRequest, pk: int) -> Proposal:
    try:
        return selectors.proposal_detail(user=request.user, pk=pk)
    except Proposal.DoesNotExist as exc:
        raise Http404(_("There is no proposal here, or you may not see it.")) from exc


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    labels = {key: str(label) for key, label in SECTIONS.items()}
    if hasattr(exc, "error_dict"):
        for field, problems in exc.message_dict.items():
            prefix = "" if field in ("__all__", "non_field_errors") else f"{labels.get(field, field)}: "
            for problem in problems:
                messages.error(request, f"{prefix}{problem}")
    else:
        for problem in exc.messages:
            messages.error(request, problem)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError as exc:
        raise ValidationError(
            {"date": [_("%(value)s is not a date (YYYY-MM-DD).") % {"value": value}]}
        ) from exc


def _int(value: str, name: str) -> int | None:
    if value is None or not str(value).strip():
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ValidationError({name: [_("%(value)s is not a whole number.") % {"value": value}]}) from exc


def _money(value: Any) -> str:
    return (
        ""
        if value is None
        else f"€ {number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)}"
    )


# --- calls ------------------------------------------------------------------------------------------


@require_GET
@allowed_for("calls.view_call")
def call_list(request: HttpRequest) -> HttpResponse:
    """Everyone: the published calls (officers and committee members also their unpublished ones)."""
    setups = selectors.call_list(user=request.user)
    others = funding_selectors.call_list().filter(setup__isnull=True)
    return render(request, "calls/call_list.html", {"setups": setups, "others": others})


def statistics_chart(stats: selectors.Statistics, published: list[Any]) -> Any:
    items = [
        (_("requested (platform)"), stats.requested, _money(stats.requested)),
        (_("granted (platform)"), stats.granted_amount, _money(stats.granted_amount)),
    ]
    if stats.envelope is not None:
        items.insert(0, (_("budget envelope"), stats.envelope, _money(stats.envelope)))
    factors = {"EUR": 1, "kEUR": 1000, "MEUR": 1000000, "BEUR": 1000000000}
    for stat in published:
        scope = "" if stat.scope == "all" else f" – {stat.scope}"
        for label, value in (
            (_("total cost of the proposals (published)"), stat.submitted_cost),
            (_("requested (published)"), stat.requested_amount),
            (_("granted (published)"), stat.granted_amount),
        ):
            if value is not None:
                amount = Decimal(value) * factors.get(stat.unit, 1)
                items.append(
                    (f"{label}{scope}", amount, f"{number_format(value, use_l10n=True)} {stat.unit}")
                )
    return bars([item for item in items if item[1]], label_width=260)


@require_GET
@allowed_for("calls.view_call")
def call_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Everyone: a published call, its rounds, criteria, rules and statistics; officers and applicants
    see what they can do next. A call known only from documents shows its published figures."""
    try:
        setup = selectors.call_detail(user=request.user, code=code)
    except CallSetup.DoesNotExist as exc:
        call = funding_selectors.call_list().filter(code=code, setup__isnull=True).first()
        if call is None:
            raise Http404(_("There is no published call with this code.")) from exc
        published = list(call.statistics.all())
        return render(
            request,
            "calls/call_published.html",
            {
                "call": call,
                "published": published,
                "chart": statistics_chart(selectors.Statistics(), published),
            },
        )
    user = request.user
    stats = selectors.call_statistics(setup=setup)
    published = selectors.published_statistics(setup=setup)
    orgs = (
        Organisation.objects.filter(affiliations__user=user).order_by("name") if user.is_authenticated else []
    )
    return render(
        request,
        "calls/call_detail.html",
        {
            "setup": setup,
            "call": setup.call,
            "rules": [
                (rule, RULE_TYPES[rule.kind].describe(rule.params) if rule.kind in RULE_TYPES else rule.kind)
                for rule in setup.rules.all()
            ],
            "stats": stats,
            "published": published,
            "chart": statistics_chart(stats, published),
            "sections": [
                (step, [SECTIONS[s] for s in setup.sections_for(step)]) for step in range(1, setup.steps + 1)
            ],
            "can_manage": user.has_perm("calls.manage_call", setup),
            "can_propose": user.has_perm("calls.add_proposal", setup) and bool(orgs),
            "can_rank": user.has_perm("calls.view_ranking", setup),
            "organisations": orgs,
            "proposals": selectors.proposal_list(user=user, setup=setup) if user.is_authenticated else [],
        },
    )


@require_POST
@allowed_for("calls.manage_call")
def call_publish(request: HttpRequest, code: str) -> HttpResponse:
    """Programme officers: open the call to applicants."""
    setup = _setup(request, code)
    try:
        services.call_publish(by=request.user, setup=setup)
        messages.success(request, _("The call is open."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("calls:call_detail", code=code)


@require_POST
@allowed_for("calls.list_proposals")
def proposal_create(request: HttpRequest, code: str) -> HttpResponse:
    """Applicants acting for an organisation: register a proposal with that organisation as lead."""
    setup = _setup(request, code)
    org = Organisation.objects.filter(
        pk=_int(request.POST.get("organisation", ""), "organisation") or 0
    ).first()
    try:
        proposal = services.proposal_create(
            by=request.user,
            setup=setup,
            acronym=request.POST.get("acronym", ""),
            title=request.POST.get("title", ""),
            organisation=org,
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("calls:call_detail", code=code)
    messages.success(request, _("The proposal is saved as a draft."))
    return redirect("calls:proposal_detail", pk=proposal.pk)


@require_http_methods(["GET", "POST"])
@allowed_for("calls.list_proposals")
def ranking(request: HttpRequest, code: str) -> HttpResponse:
    """Officers and the call's committee: consolidated scores and the ranking within the envelope."""
    setup = _setup(request, code)
    if not request.user.has_perm("calls.view_ranking", setup):
        raise PermissionDenied
    step = setup.steps
    if request.method == "POST":
        try:
            services.consolidate(by=request.user, setup=setup, step=step)
            messages.success(request, _("The scores are consolidated."))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("calls:ranking", code=code)
    waiting = selectors.proposal_list(user=request.user, setup=setup).filter(
        step=step, status=Status.ELIGIBLE, consolidated_at__isnull=True
    )
    return render(
        request,
        "calls/ranking.html",
        {
            "setup": setup,
            "rows": selectors.ranking(setup=setup, step=step),
            "waiting": waiting,
            "can_consolidate": request.user.has_perm("calls.consolidate", setup),
        },
    )


# --- proposals --------------------------------------------------------------------------------------


@require_GET
@allowed_for("calls.list_proposals")
def my_proposals(request: HttpRequest) -> HttpResponse:
    """Logged-in users: the proposals they work on, review or decide on."""
    proposals = selectors.proposal_list(user=request.user)
    return render(request, "calls/my_proposals.html", {"proposals": proposals})


@require_GET
@allowed_for("calls.list_proposals")
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Collaborators, assigned reviewers, the call's committee and officers: the proposal, its check
    and the steps the user may take."""
    proposal = _proposal(request, pk)
    user = request.user
    setup = proposal.setup
    sections = setup.sections_for(proposal.step)
    findings = services.presubmission_findings(proposal) if proposal.is_editable else []
    programme_ids = [setup.call.instrument_id, setup.call.instrument.parent_id]
    decisions = DECISIONS_STEP_1 if proposal.decision_step == 1 else DECISIONS_STEP_2
    own_assignment = next((a for a in proposal.assignments.all() if a.reviewer_id == user.pk), None)
    return render(
        request,
        "calls/proposal_detail.html",
        {
            "proposal": proposal,
            "setup": setup,
            "sections": sections,
            "section_labels": SECTIONS,
            "findings": findings,
            "can_edit": user.has_perm("calls.change_proposal", proposal),
            "can_manage": user.has_perm("calls.manage_collaborators", proposal),
            "can_submit": user.has_perm("calls.submit_proposal", proposal),
            "can_withdraw": user.has_perm("calls.withdraw_proposal", proposal)
            and proposal.status
            in {Status.DRAFT, Status.SUBMITTED, Status.ELIGIBLE, Status.RETURNED, Status.PRESELECTED}
            and not hasattr(proposal, "full_application"),
            "can_full": user.has_perm("calls.start_full_application", proposal)
            and proposal.status == Status.PRESELECTED
            and setup.steps == 2
            and proposal.step == 1
            and not Proposal.objects.filter(registration=proposal).exists(),
            "full_application": Proposal.objects.filter(registration=proposal).first(),
            "can_check": user.has_perm("calls.check_eligibility", proposal)
            and proposal.status == Status.SUBMITTED,
            "can_assign": user.has_perm("calls.assign_reviewer", proposal)
            and proposal.status == Status.ELIGIBLE
            and proposal.decision_step == 2,
            "can_decide": user.has_perm("calls.decide", proposal) and proposal.status == Status.ELIGIBLE,
            "can_confirm": user.has_perm("calls.confirm_condition", proposal),
            "can_start": user.has_perm("calls.start_project", proposal)
            and proposal.status == Status.APPROVED,
            "can_letter": user.has_perm("calls.view_decision_letter", proposal)
            and bool(proposal.decisions.all()),
            "own_assignment": own_assignment,
            "scores": selectors.scores_visible(user=user, proposal=proposal),
            "decision_choices": [(a, Action(a).label) for a in sorted(decisions)],
            "domains": ApplicationDomain.objects.filter(programme_id__in=programme_ids).order_by("order"),
            "technologies": KeyTechnology.objects.filter(programme_id__in=programme_ids).order_by("order"),
            "organisations": Organisation.objects.order_by("name").only("pk", "name"),
            "partner_roles": ProposalPartner.Role.choices,
            "collaborator_roles": Collaborator.Role.choices,
            "budget_total": sum((line.amount for line in proposal.budget_lines.all()), Decimal("0")),
            "chosen_domains": {d.pk for d in proposal.application_domains.all()},
            "chosen_technologies": {t.pk for t in proposal.key_technologies.all()},
        },
    )


def _edit(request: HttpRequest, proposal: Proposal) -> str:
    post = request.POST
    domains = ApplicationDomain.objects.filter(
        pk__in=[int(v) for v in post.getlist("application_domains") if v.isdigit()]
    )
    techs = KeyTechnology.objects.filter(
        pk__in=[int(v) for v in post.getlist("key_technologies") if v.isdigit()]
    )
    services.proposal_update(
        by=request.user,
        proposal=proposal,
        title=post.get("title"),
        summary=post.get("summary"),
        trl_start=_int(post.get("trl_start", ""), "trl_start"),
        trl_end=_int(post.get("trl_end", ""), "trl_end"),
        total_cost=post.get("total_cost") or None,
        requested_grant=post.get("requested_grant") or None,
        start_date=_date(post.get("start_date", "")),
        end_date=_date(post.get("end_date", "")),
        application_domains=list(domains) if "domains_form" in post else None,
        key_technologies=list(techs) if "domains_form" in post else None,
    )
    return _("The proposal is saved.")


def _partner(request: HttpRequest, proposal: Proposal) -> str:
    org = Organisation.objects.filter(
        pk=_int(request.POST.get("organisation", ""), "organisation") or 0
    ).first()
    services.partner_add(
        by=request.user, proposal=proposal, organisation=org, role=request.POST.get("role", "partner")
    )
    return _("The partner is added.")


def _collaborator(request: HttpRequest, proposal: Proposal) -> str:
    user = services.users_named(request.POST.get("username", "")).first()
    services.collaborator_add(
        by=request.user, proposal=proposal, user=user, role=request.POST.get("role", "editor")
    )
    return _("The collaborator is added.")


def _work_package(request: HttpRequest, proposal: Proposal) -> str:
    services.work_package_add(
        by=request.user,
        proposal=proposal,
        number=_int(request.POST.get("number", ""), "number") or 0,
        title=request.POST.get("title", ""),
    )
    return _("The work package is added.")


def _budget(request: HttpRequest, proposal: Proposal) -> str:
    partner = proposal.partners.filter(pk=_int(request.POST.get("partner", ""), "partner") or 0).first()
    wp = proposal.work_packages.filter(
        pk=_int(request.POST.get("work_package", ""), "work_package") or 0
    ).first()
    if partner is None or wp is None:
        raise ValidationError({"budget": [_("Choose a partner and a work package.")]})
    services.budget_line_save(
        by=request.user,
        proposal=proposal,
        partner=partner,
        work_package=wp,
        amount=request.POST.get("amount", ""),
    )
    return _("The budget line is saved.")


def _co_financing(request: HttpRequest, proposal: Proposal) -> str:
    partner = proposal.partners.filter(pk=_int(request.POST.get("partner", ""), "partner") or 0).first()
    if partner is None:
        raise ValidationError({"co_financing": [_("Choose a partner.")]})
    services.co_financing_save(
        by=request.user,
        proposal=proposal,
        partner=partner,
        source=request.POST.get("source", ""),
        rate=request.POST.get("rate", ""),
    )
    return _("The co-financing line is saved.")


def _attachment(request: HttpRequest, proposal: Proposal) -> str:
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"attachments": [_("Choose a file.")]})
    services.attachment_add(
        by=request.user,
        proposal=proposal,
        kind=request.POST.get("kind", ""),
        file_name=upload.name or "",
        content=upload.read(),
        content_type=upload.content_type or "",
    )
    return _("The document is attached.")


def _submit(request: HttpRequest, proposal: Proposal) -> str:
    services.proposal_submit(by=request.user, proposal=proposal)
    return _("The proposal is submitted.")


def _withdraw(request: HttpRequest, proposal: Proposal) -> str:
    services.proposal_withdraw(by=request.user, proposal=proposal, note=request.POST.get("note", ""))
    return _("The proposal is withdrawn.")


def _eligibility(request: HttpRequest, proposal: Proposal) -> str:
    services.eligibility_check(
        by=request.user,
        proposal=proposal,
        passed=request.POST.get("passed") == "yes",
        note=request.POST.get("note", ""),
    )
    return _("The eligibility check is recorded.")


def _assign(request: HttpRequest, proposal: Proposal) -> str:
    reviewer = services.users_named(request.POST.get("username", "")).first()
    services.reviewer_assign(by=request.user, proposal=proposal, reviewer=reviewer)
    return _("The reviewer is assigned.")


def _conflict(request: HttpRequest, proposal: Proposal) -> str:
    services.conflict_declare(by=request.user, proposal=proposal, note=request.POST.get("note", ""))
    return _("Your conflict of interest is recorded; you no longer assess this proposal.")


def _decide(request: HttpRequest, proposal: Proposal) -> str:
    conditions = [line for line in request.POST.get("conditions", "").splitlines() if line.strip()]
    services.decide(
        by=request.user,
        proposal=proposal,
        outcome=request.POST.get("outcome", ""),
        date=_date(request.POST.get("date", "")),
        body=request.POST.get("body", ""),
        note=request.POST.get("note", ""),
        conditions=conditions,
        granted_amount=request.POST.get("granted_amount") or None,
    )
    return _("The decision is recorded and the applicants are notified.")


def _condition(request: HttpRequest, proposal: Proposal) -> str:
    condition = Condition.objects.filter(
        proposal=proposal, pk=_int(request.POST.get("condition", ""), "condition") or 0
    ).first()
    if condition is None:
        raise ValidationError({"condition": [_("There is no such condition.")]})
    services.condition_confirm(by=request.user, condition=condition, note=request.POST.get("note", ""))
    return _("The condition is recorded as met.")


def _start(request: HttpRequest, proposal: Proposal) -> str:
    services.project_start(by=request.user, proposal=proposal, date=_date(request.POST.get("date", "")))
    return _("The project is running.")


STEPS: dict[str, Callable[[HttpRequest, Proposal], str]] = {
    "edit": _edit,
    "partner": _partner,
    "collaborator": _collaborator,
    "work-package": _work_package,
    "budget": _budget,
    "co-financing": _co_financing,
    "attachment": _attachment,
    "submit": _submit,
    "withdraw": _withdraw,
    "eligibility": _eligibility,
    "assign": _assign,
    "conflict": _conflict,
    "decide": _decide,
    "condition": _condition,
    "start": _start,
}


@require_POST
@allowed_for("calls.list_proposals")
def proposal_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Whoever the service allows: one step on the proposal. A refusal names what is wrong."""
    proposal = _proposal(request, pk)
    handler = STEPS.get(step)
    if handler is None:
        raise Http404(_("There is no such step."))
    try:
        messages.success(request, handler(request, proposal))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(reverse("calls:proposal_detail", args=[proposal.pk]) + "#messages")


@require_POST
@allowed_for("calls.list_proposals")
def full_application(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead partner's manager: start the full application from the preselected registration."""
    proposal = _proposal(request, pk)
    try:
        full = services.full_application_start(by=request.user, registration=proposal)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("calls:proposal_detail", pk=pk)
    messages.success(request, _("The full application starts from the registration."))
    return redirect("calls:proposal_detail", pk=full.pk)


@require_http_methods(["GET", "POST"])
@allowed_for("calls.list_proposals")
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The assigned reviewer: score every criterion with a comment; save, or submit for good."""
    proposal = _proposal(request, pk)
    assignment = Assignment.objects.filter(proposal=proposal, reviewer=request.user).first()  # type: ignore[misc]
    if assignment is None:
        raise PermissionDenied
    criteria = list(proposal.setup.criteria.filter(step=proposal.step))
    if request.method == "POST":
        scores = {
            c.code: (request.POST.get(f"score-{c.code}", ""), request.POST.get(f"comment-{c.code}", ""))
            for c in criteria
        }
        try:
            services.scores_save(
                by=request.user, assignment=assignment, scores=scores, final="final" in request.POST
            )
            messages.success(
                request,
                _("Your scores are submitted.") if "final" in request.POST else _("Your scores are saved."),
            )
            return redirect("calls:proposal_detail", pk=pk)
        except ValidationError as exc:
            _errors(request, exc)
    own = {
        s.criterion_id: s
        for s in selectors.scores_visible(user=request.user, proposal=proposal)
        if s.assignment_id == assignment.pk
    }
    return render(
        request,
        "calls/review.html",
        {
            "proposal": proposal,
            "assignment": assignment,
            "rows": [
                (c, own.get(c.pk), request.POST.get(f"score-{c.code}") if request.method == "POST" else None)
                for c in criteria
            ],
            "can_score": request.user.has_perm("calls.score_proposal", proposal),
        },
    )


@require_GET
@allowed_for("calls.list_proposals")
def decision_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicants, the committee and officers: the latest decision as a PDF letter."""
    proposal = _proposal(request, pk)
    if not request.user.has_perm("calls.view_decision_letter", proposal):
        raise PermissionDenied
    decision = proposal.decisions.order_by("-id").first()
    if decision is None:
        raise Http404(_("There is no decision yet."))
    response = HttpResponse(letters.decision_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="decision-{proposal.pk}-{decision.pk}.pdf"'
    return response


__all__ = ["User"]
