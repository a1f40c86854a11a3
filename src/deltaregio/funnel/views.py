"""Web pages of the SME funnel. Thin: they read through selectors, write through services, and say
in one line who may use them (`allowed_for`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deltaregio.directory.models import Lab
from deltaregio.funnel import charts, engine, pdf, scanform, services
from deltaregio.funnel import selectors as funnel
from deltaregio.funnel.forms import (
    AssignPartnerForm,
    FunnelFilterForm,
    IntakeForm,
    PlanForm,
    RegistrationForm,
    SubmitForm,
    TrajectoryForm,
    WorkshopForm,
)
from deltaregio.funnel.models import ImplementationPlan, Journey, Scan, ScanResult, Workshop
from deltaregio.web.access import allowed_for

STAGE_LABELS = {
    "scans": gettext_lazy("Scans"),
    "intakes": gettext_lazy("Intakes"),
    "workshops": gettext_lazy("Workshop participants"),
    "trajectories": gettext_lazy("Lab trajectories"),
    "plans": gettext_lazy("Implementation plans"),
}


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return render(request, f"funnel/{template}", context, status=status)


def _language() -> str:
    return (get_language() or "nl")[:2]


def _link_invalid(request: HttpRequest) -> HttpResponse:
    return _page(request, "link_invalid.html", {}, status=404)


# --- the scan ------------------------------------------------------------------------------------


@allowed_for("funnel.take_scan")
def scan_start(request: HttpRequest) -> HttpResponse:
    """Everyone, without an account. The questionnaires to choose from; POST starts a scan and
    sends the SME to its private link."""
    questionnaires = list(funnel.questionnaire_list())
    if request.method == "POST":
        slug = request.POST.get("questionnaire", "")
        chosen = next((q for q in questionnaires if q.slug == slug), None)
        if chosen is None:
            return _page(
                request,
                "scan_start.html",
                {"questionnaires": questionnaires, "error": _("Choose one of the scans below.")},
                status=400,
            )
        _scan, token = services.scan_start(questionnaire=chosen, language=_language())
        messages.info(
            request,
            _(
                "Your scan has started. Keep the address of this page: "
                "it is your private link to resume the scan."
            ),
        )
        return redirect("funnel:scan_fill", token=token)
    return _page(request, "scan_start.html", {"questionnaires": questionnaires})


@allowed_for("funnel.take_scan")
def scan_fill(request: HttpRequest, token: str) -> HttpResponse:
    """Everyone who holds the private link. One page per dimension; answers are saved on every page."""
    try:
        scan = funnel.scan_by_token(token)
    except funnel.ScanLinkInvalid:
        return _link_invalid(request)
    if scan.status == Scan.Status.COMPLETED:
        return redirect("funnel:scan_result", token=token)
    if scan.status == Scan.Status.AWAITING_VERIFICATION:
        return redirect("funnel:scan_submit", token=token)
    spec = funnel.questionnaire_spec(scan.questionnaire)
    all_pages = scanform.pages(spec, scan.answers)
    number = _page_number(request.POST.get("page") or request.GET.get("page"), len(all_pages))
    page = all_pages[number - 1]
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        answers, clear, problems = scanform.read_page(spec, page, request.POST)
        try:
            scan = services.scan_save_answers(token=token, answers=answers, clear=clear)
        except engine.AnswersInvalid as exc:
            problems.update(exc.by_question())
        except funnel.ScanLinkInvalid:
            return _link_invalid(request)
        except services.ScanNotEditable:
            return redirect("funnel:scan_submit", token=token)
        if not problems:
            go = request.POST.get("go", "next")
            if go == "previous" and number > 1:
                return redirect(f"{reverse('funnel:scan_fill', args=[token])}?page={number - 1}")
            if go == "next" and number < len(all_pages):
                return redirect(f"{reverse('funnel:scan_fill', args=[token])}?page={number + 1}")
            if go == "stay":
                messages.success(request, _("Your answers are saved."))
                return redirect(f"{reverse('funnel:scan_fill', args=[token])}?page={number}")
            return redirect("funnel:scan_submit", token=token)
        all_pages = scanform.pages(spec, scan.answers)
    context = {
        "scan": scan,
        "spec": spec,
        "token": token,
        "pages": all_pages,
        "page": all_pages[number - 1],
        "fields": scanform.fields(page, scan.answers, problems, request.POST if problems else None),
        "problems": problems,
        "resume_url": request.build_absolute_uri(reverse("funnel:scan_fill", args=[token])),
    }
    return _page(request, "scan_fill.html", context, status=400 if problems else 200)


def _page_number(raw: str | None, count: int) -> int:
    if raw and raw.isascii() and raw.isdigit():
        return min(max(int(raw), 1), count)
    return 1


@allowed_for("funnel.take_scan")
def scan_submit(request: HttpRequest, token: str) -> HttpResponse:
    """Everyone who holds the private link. Lists the questions still missing; once complete, asks
    for the company and an e-mail address to verify, and the consent to be contacted."""
    try:
        scan = funnel.scan_by_token(token)
    except funnel.ScanLinkInvalid:
        return _link_invalid(request)
    if scan.status == Scan.Status.COMPLETED:
        return redirect("funnel:scan_result", token=token)
    spec = funnel.questionnaire_spec(scan.questionnaire)
    missing = _missing(spec, scan.answers)
    initial = {
        "company_name": scan.company_name,
        "region": f"{scan.company_country}:{scan.company_region}" if scan.company_region else "",
        "email": scan.email,
        "contact_consent": scan.contact_consent,
    }
    form = SubmitForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and not missing and form.is_valid():
        country, region = form.country_region()
        try:
            services.scan_submit(
                token=token,
                company_name=form.cleaned_data["company_name"],
                country=country,
                region=region,
                email=form.cleaned_data["email"],
                contact_consent=form.cleaned_data["contact_consent"],
                language=_language(),
                verify_url=lambda code: request.build_absolute_uri(
                    reverse("funnel:scan_verify", args=[token, code])
                ),
            )
        except services.FunnelError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except engine.AnswersInvalid as exc:
            missing = [(p.question, str(p)) for p in exc.problems]
        else:
            return redirect("funnel:scan_submit", token=token)
    if request.method == "POST":
        status = 400
    scan.refresh_from_db()
    pages = scanform.pages(spec, scan.answers)
    page_of = {q.code: p.number for p in pages for q in p.questions}
    context = {
        "scan": scan,
        "spec": spec,
        "token": token,
        "form": form,
        "missing": [(code, message, page_of.get(code, 1)) for code, message in missing],
        "pages": pages,
        "consent_text": services.consent_text(form["company_name"].value() or _("our company"), _language()),
        "resume_url": request.build_absolute_uri(reverse("funnel:scan_fill", args=[token])),
    }
    return _page(request, "scan_submit.html", context, status=status)


def _missing(spec: engine.QuestionnaireSpec, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    try:
        engine.validate_answers(spec, answers, complete=True)
    except engine.AnswersInvalid as exc:
        return [(p.question, str(p)) for p in exc.problems]
    return []


@allowed_for("funnel.take_scan")
def scan_verify(request: HttpRequest, token: str, code: str) -> HttpResponse:
    """Everyone who holds the link from the verification e-mail. GET asks to confirm (so that a mail
    scanner opening the link stores nothing); POST verifies and stores the result, once."""
    try:
        scan = funnel.scan_by_token(token)
    except funnel.ScanLinkInvalid:
        return _link_invalid(request)
    if request.method == "POST":
        try:
            services.scan_verify(token=token, code=code)
        except services.VerificationInvalid as exc:
            return _page(
                request, "scan_verify.html", {"scan": scan, "token": token, "error": exc.message}, status=400
            )
        except funnel.ScanLinkInvalid:
            return _link_invalid(request)
        return redirect("funnel:scan_result", token=token)
    if scan.status == Scan.Status.COMPLETED:
        return redirect("funnel:scan_result", token=token)
    return _page(request, "scan_verify.html", {"scan": scan, "token": token})


@dataclass
class AdviceItem:
    text: str
    labs: list[tuple[str, Lab | None]] = field(default_factory=list)
    organisations: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class DimensionRow:
    code: str
    name: str
    description: str
    score: Decimal
    band: str
    band_label: str
    advice: list[AdviceItem]
    history: list[Decimal | None]
    change: Decimal | None


def result_context(result: ScanResult, *, private: bool) -> dict[str, Any]:
    """What the result page, its PDF and the API show: scores and bands per dimension, the advice
    with its labs and partners, and the company's earlier scans of the same questionnaire."""
    spec = funnel.questionnaire_spec(result.questionnaire)
    waves = funnel.results_for_comparison(result, same_email_only=private)
    if result not in waves:
        waves.append(result)
    bands = {b.code: b for b in spec.bands}
    names = [n for a in spec.advice for n in (*a.labs, *a.organisations)]
    labs = funnel.labs_by_name(names)
    organisations = funnel.organisations_by_name(names)

    def advice(dimension: str | None, band: str) -> list[AdviceItem]:
        return [
            AdviceItem(
                str(a.text),
                [(n, labs.get(n)) for n in a.labs],
                [(n, organisations.get(n)) for n in a.organisations],
            )
            for a in spec.advice_for(dimension, band)
        ]

    scores = {s.code: s for s in result.scores.all()}
    by_wave = [{s.code: s.score for s in w.scores.all()} for w in waves]
    rows = []
    for dim in spec.dimensions:
        score = scores[dim.code]
        history = [w.get(dim.code) for w in by_wave]
        first = history[0] if len(history) > 1 else None
        rows.append(
            DimensionRow(
                dim.code,
                str(dim.name),
                str(dim.description),
                score.score,
                score.band,
                str(bands[score.band].label),
                advice(dim.code, score.band),
                history,
                score.score - first if first is not None else None,
            )
        )
    radar = charts.radar(
        [(r.code, r.name) for r in rows],
        [(w.wave_label, [s.score for s in w.scores.all()]) for w in waves],
    )
    return {
        "result": result,
        "spec": spec,
        "rows": rows,
        "overall_band": bands[result.band],
        "overall_advice": advice(None, result.band),
        "waves": waves,
        "radar": radar,
        "answers": engine.describe_answers(spec, result.answers),
        "json": funnel.result_json(result),
    }


@allowed_for("funnel.take_scan")
def scan_result(request: HttpRequest, token: str) -> HttpResponse:
    """Everyone who holds the private link of a completed scan: its result, advice, comparison with
    the company's earlier scans (those verified with the same e-mail address) and the consent choice."""
    try:
        scan = funnel.scan_by_token(token)
    except funnel.ScanLinkInvalid:
        return _link_invalid(request)
    result = funnel.result_of_scan(scan)
    if result is None:
        return redirect("funnel:scan_submit", token=token)
    context = result_context(result, private=True)
    consent = funnel.latest_consent(result.journey)
    context.update(
        {
            "token": token,
            "private": True,
            "consent": consent,
            "consent_text": services.consent_text(result.journey.organisation.name, _language()),
            "pdf_url": reverse("funnel:scan_result_pdf", args=[token]),
            "json_url": reverse("funnel:scan_result_json", args=[token]),
        }
    )
    return _page(request, "result.html", context)


@allowed_for("funnel.take_scan")
def scan_result_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """Everyone who holds the private link of a completed scan: the result as PDF."""
    try:
        scan = funnel.scan_by_token(token)
    except funnel.ScanLinkInvalid:
        return _link_invalid(request)
    result = funnel.result_of_scan(scan)
    if result is None:
        raise Http404(_("This scan has no result yet."))
    return _pdf_response(
        pdf.result_pdf(result_context(result, private=True)),
        f"scan-{result.questionnaire_slug}-{result.wave_label}.pdf",
    )


@allowed_for("funnel.take_scan")
def scan_result_json(request: HttpRequest, token: str) -> HttpResponse:
    """Everyone who holds the private link of a completed scan: the result in the published JSON shape."""
    try:
        scan = funnel.scan_by_token(token)
    except funnel.ScanLinkInvalid:
        return JsonResponse(
            {"error": {"code": "not_found", "message": _("This link is not valid or has expired.")}},
            status=404,
        )
    result = funnel.result_of_scan(scan)
    if result is None:
        return JsonResponse(
            {"error": {"code": "not_found", "message": _("This scan has no result yet.")}}, status=404
        )
    return JsonResponse(funnel.result_json(result), json_dumps_params={"ensure_ascii": False})


@require_POST
@allowed_for("funnel.take_scan")
def scan_consent(request: HttpRequest, token: str) -> HttpResponse:
    """Everyone who holds the private link of a completed scan: give or withdraw consent to be contacted."""
    given = request.POST.get("consent") == "yes"
    try:
        services.consent_record(token=token, given=given, language=_language())
    except funnel.ScanLinkInvalid:
        return _link_invalid(request)
    except services.ScanNotEditable:
        return redirect("funnel:scan_submit", token=token)
    messages.success(request, _("Your choice is recorded.") if given else _("Your consent is withdrawn."))
    return redirect("funnel:scan_result", token=token)


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- results and journeys for logged-in users ----------------------------------------------------


@allowed_for("funnel.view_result")
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """SME users (their own company's results), lab partners (their assigned SMEs that consented) and
    officers. A result of a company one may not see does not exist."""
    result = funnel.visible_results(request.user).filter(pk=pk).first()
    if result is None:
        raise Http404(_("There is no such result."))
    context = result_context(result, private=False)
    context.update({"private": False, "pdf_url": reverse("funnel:result_pdf", args=[pk])})
    return _page(request, "result.html", context)


@allowed_for("funnel.view_result")
def result_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """As the result page: the result as PDF."""
    result = funnel.visible_results(request.user).filter(pk=pk).first()
    if result is None:
        raise Http404(_("There is no such result."))
    return _pdf_response(pdf.result_pdf(result_context(result, private=False)), f"scan-{result.pk}.pdf")


@allowed_for("funnel.view_journey")
def journey_list(request: HttpRequest) -> HttpResponse:
    """SME users (their company), lab partners of a Fokus partner (assigned SMEs that consented)
    and officers."""
    return _page(request, "journey_list.html", {"journeys": funnel.journey_list(user=request.user)})


def _journey(request: HttpRequest, slug: str) -> Journey:
    try:
        return funnel.journey_detail(user=request.user, slug=slug)
    except Journey.DoesNotExist as exc:
        raise Http404(_("There is no such journey.")) from exc


@allowed_for("funnel.view_journey")
def journey_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """As the journey list: one SME's journey — results over time with the progress per dimension,
    intakes, workshops, trajectories and plans."""
    journey = _journey(request, slug)
    results = list(journey.results.all())
    progress = []
    for slug_, group in _group_by_questionnaire(results).items():
        spec = funnel.questionnaire_spec(group[-1].questionnaire)
        table = []
        for dim in spec.dimensions:
            values = [next((s.score for s in r.scores.all() if s.code == dim.code), None) for r in group]
            first, last = values[0], values[-1]
            change = last - first if len(values) > 1 and first is not None and last is not None else None
            table.append({"code": dim.code, "name": str(dim.name), "values": values, "change": change})
        progress.append({"slug": slug_, "title": str(spec.title), "results": group, "table": table})
    user = request.user
    context = {
        "journey": journey,
        "progress": progress,
        "consent": funnel.latest_consent(journey),
        "can_record": user.has_perm("funnel.record_step", journey),
        "can_assign": user.has_perm("funnel.assign_partner"),
        "assign_form": AssignPartnerForm(
            initial={"partner": journey.partner}, partners=funnel.fokus_partners()
        ),
    }
    return _page(request, "journey_detail.html", context)


def _group_by_questionnaire(results: list[ScanResult]) -> dict[str, list[ScanResult]]:
    grouped: dict[str, list[ScanResult]] = {}
    for result in results:
        grouped.setdefault(result.questionnaire_slug, []).append(result)
    return grouped


def _workable_journey(request: HttpRequest, slug: str) -> Journey:
    journey = _journey(request, slug)
    if not request.user.has_perm("funnel.record_step", journey):
        raise PermissionDenied
    return journey


def _partners_for(request: HttpRequest) -> Any:
    """The partners a user may record steps for: officers any Fokus partner, a lab partner its own."""
    partners = funnel.fokus_partners()
    if request.user.has_perm("funnel.assign_partner"):
        return partners
    return partners.filter(pk__in=funnel.partner_organisation_ids(request.user))


@allowed_for("funnel.record_step")
def intake_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Officers, and lab partners of the Fokus partner assigned to the SME (which consented to contact):
    record an intake conversation and the questions the SME raised."""
    journey = _workable_journey(request, slug)
    form = IntakeForm(request.POST or None, partners=_partners_for(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_record(
                journey=journey,
                partner=form.cleaned_data["partner"],
                held_on=form.cleaned_data["held_on"],
                notes=form.cleaned_data["notes"],
                topics=form.cleaned_data["topics"],
                technologies=form.cleaned_data["technologies"],
                questions=form.question_lines(),
                recorded_by=request.user,
            )
        except services.FunnelError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The intake is recorded."))
            return redirect("funnel:journey_detail", slug=slug)
    return _page(
        request,
        "step_form.html",
        {"journey": journey, "form": form, "heading": _("Record an intake")},
        status=400 if request.method == "POST" else 200,
    )


@allowed_for("funnel.record_step")
def trajectory_new(request: HttpRequest, slug: str) -> HttpResponse:
    """As recording an intake: record a trajectory of the SME in a practice lab."""
    journey = _workable_journey(request, slug)
    labs = funnel.fokus_lab_queryset()
    form = TrajectoryForm(request.POST or None, labs=labs, partners=_partners_for(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.trajectory_record(journey=journey, **form.cleaned_data)
        except services.FunnelError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The trajectory is recorded."))
            return redirect("funnel:journey_detail", slug=slug)
    return _page(
        request,
        "step_form.html",
        {"journey": journey, "form": form, "heading": _("Record a lab trajectory")},
        status=400 if request.method == "POST" else 200,
    )


@allowed_for("funnel.record_step")
def plan_new(request: HttpRequest, slug: str) -> HttpResponse:
    """As recording an intake: write the SME's implementation plan (a draft)."""
    journey = _workable_journey(request, slug)
    form = PlanForm(
        request.POST or None, partners=_partners_for(request), trajectories=journey.trajectories.all()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                journey=journey,
                partner=data["partner"],
                trajectory=data.get("trajectory"),
                title=data["title"],
                situation=data["situation"],
                goals=data["goals"],
                indicators=data.get("indicators", ""),
                investment=data.get("investment"),
                actions=form.actions(),
            )
        except services.FunnelError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The implementation plan is saved as a draft."))
            return redirect("funnel:plan_detail", pk=plan.pk)
    return _page(
        request,
        "plan_form.html",
        {"journey": journey, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@allowed_for("funnel.assign_partner")
def assign_partner(request: HttpRequest, slug: str) -> HttpResponse:
    """Programme officers: assign the Fokus partner that follows the SME up."""
    journey = _journey(request, slug)
    form = AssignPartnerForm(request.POST, partners=funnel.fokus_partners())
    if form.is_valid():
        services.journey_assign_partner(journey=journey, partner=form.cleaned_data["partner"])
        messages.success(request, _("The partner is assigned."))
    else:
        messages.error(request, _("Choose a Fokus partner."))
    return redirect("funnel:journey_detail", slug=slug)


def _plan(request: HttpRequest, pk: int) -> ImplementationPlan:
    try:
        return funnel.plan_detail(user=request.user, pk=pk)
    except ImplementationPlan.DoesNotExist as exc:
        raise Http404(_("There is no such plan.")) from exc


@allowed_for("funnel.view_journey")
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """As the journey: an implementation plan, with its actions."""
    plan = _plan(request, pk)
    return _page(
        request,
        "plan_detail.html",
        {"plan": plan, "can_record": request.user.has_perm("funnel.record_step", plan)},
    )


@allowed_for("funnel.view_journey")
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """As the journey: the implementation plan as PDF."""
    plan = _plan(request, pk)
    return _pdf_response(pdf.plan_pdf(plan), f"implementation-plan-{plan.pk}.pdf")


@require_POST
@allowed_for("funnel.record_step")
def plan_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    """As recording a step: make a draft plan final."""
    plan = _plan(request, pk)
    if not request.user.has_perm("funnel.record_step", plan):
        raise PermissionDenied
    try:
        services.plan_finalise(plan=plan)
    except services.PlanAlreadyFinal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The plan is final."))
    return redirect("funnel:plan_detail", pk=pk)


@allowed_for("funnel.manage_workshops")
def workshop_list(request: HttpRequest) -> HttpResponse:
    """Officers and lab partners of a Fokus partner: the workshops; POST plans a new one that clusters
    questions of several SMEs."""
    labs = funnel.fokus_lab_queryset()
    form = WorkshopForm(request.POST or None, labs=labs, questions=funnel.open_questions(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.workshop_create(**form.cleaned_data)
        except services.FunnelError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The workshop is planned."))
            return redirect("funnel:workshop_detail", pk=workshop.pk)
    return _page(
        request,
        "workshop_list.html",
        {"workshops": funnel.workshop_list(), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@allowed_for("funnel.manage_workshops")
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Officers and lab partners of a Fokus partner: a workshop, its questions and registrations (only
    the companies the user may see are named); POST registers a company."""
    try:
        workshop = funnel.workshop_detail(pk=pk)
    except Workshop.DoesNotExist as exc:
        raise Http404(_("There is no such workshop.")) from exc
    visible = funnel.visible_journeys(request.user)
    form = RegistrationForm(request.POST or None, journeys=visible.select_related("organisation"))
    if request.method == "POST" and form.is_valid():
        try:
            services.workshop_register(workshop=workshop, journey=form.cleaned_data["journey"])
        except services.FunnelError as exc:
            form.add_error("journey", exc.message)
        else:
            messages.success(request, _("The company is registered."))
            return redirect("funnel:workshop_detail", pk=pk)
    visible_ids = set(visible.values_list("pk", flat=True))
    context = {
        "workshop": workshop,
        "form": form,
        "registrations": [(r, r.journey_id in visible_ids) for r in workshop.registrations.all()],
        "questions": [(q, q.journey_id in visible_ids) for q in workshop.questions.all()],
    }
    return _page(request, "workshop_detail.html", context, status=400 if request.method == "POST" else 200)


# --- public overview pages -----------------------------------------------------------------------


@allowed_for("funnel.view_funnel_figures")
def funnel_overview(request: HttpRequest) -> HttpResponse:
    """Everyone: the funnel per period, region, partner and questionnaire band — companies per stage,
    conversion and the targets of document 004 with their source. No company is named."""
    regions = funnel.funnel_regions()
    form = FunnelFilterForm(
        request.GET or None, regions=regions, partners=funnel.fokus_partners(), bands=funnel.band_choices()
    )
    flt = funnel.FunnelFilter()
    status = 200
    if request.GET:
        if form.is_valid():
            data = form.cleaned_data
            country, _sep, region = (data.get("region") or "").partition(":")
            slug, _sep, band = (data.get("band") or "").partition(":")
            flt = funnel.FunnelFilter(
                start=data.get("start"),
                end=data.get("end"),
                country=country,
                region=region,
                partner=data.get("partner"),
                questionnaire=slug,
                band=band,
            )
        else:
            status = 400
    stages = funnel.funnel(flt)
    chart = charts.funnel_chart(
        [
            (str(STAGE_LABELS[s.key]), s.count, sorted({t.value for t in s.targets if t.value is not None}))
            for s in stages
        ]
    )
    context = {
        "form": form,
        "filtered": flt != funnel.FunnelFilter(),
        "stages": [(s, STAGE_LABELS[s.key], bar) for s, bar in zip(stages, chart.bars, strict=True)],
        "chart": chart,
        "questionnaires": funnel.questionnaire_list(),
    }
    return _page(request, "funnel.html", context, status=status)


@allowed_for("funnel.view_lab_catalogue")
def lab_catalogue(request: HttpRequest) -> HttpResponse:
    """Everyone: the practice labs of the Fokus funnel with their technologies and a map."""
    places = funnel.fokus_labs()
    markers = []
    for n, place in enumerate(places, start=1):
        x, y = charts.map_xy(float(place.longitude), float(place.latitude))
        markers.append({"n": n, "place": place, "x": x, "y": y, "label_x": x + 9, "label_y": y + 4})
    context = {
        "markers": markers,
        "map_width": charts.MAP_WIDTH,
        "map_height": charts.map_height(),
        "netherlands": charts.outline(charts.NETHERLANDS),
        "flanders": charts.outline(charts.FLANDERS),
        "questionnaires": funnel.questionnaire_list(),
    }
    return _page(request, "lab_catalogue.html", context)
