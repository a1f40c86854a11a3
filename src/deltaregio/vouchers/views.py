"""Web pages of the vouchers domain: the schemes with their rules and sources, the SME's request and
vouchers, the provider's vouchers and what to do next, the review committee's desk, the coordinator's
checks and payment batches, the letters, and the public report. Thin: forms check the input, services
write, selectors read; each view says who may use it (allowed_for) and checks the object it acts on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deltaregio.vouchers import charts, exports, forms, letters, selectors, services
from deltaregio.vouchers.models import (
    LIFECYCLE,
    AssignmentDocument,
    PaymentBatch,
    Redemption,
    SchemeMember,
    Status,
    Voucher,
    VoucherScheme,
)
from deltaregio.vouchers.services import VoucherRefused
from deltaregio.web.access import allowed_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUEUE_PAGE = 50

#: The rules of a scheme, in the order the scheme page shows them.
RULES = [
    ("value", "value"),
    ("eligible_services", "eligible_services"),
    ("covered_share", "covered_share"),
    ("signing_period_months", "signing_period_months"),
    ("completion_period_months", "completion_period_months"),
    ("provider_rule", "provider_rule"),
    ("per_company_per_round", "per_company_per_round"),
    ("per_company_total", "per_company_total"),
    ("budget_envelope", "budget_envelope"),
    ("committee", "committee"),
    ("desk", "desk"),
    ("coordinator", "coordinator"),
]


def _scheme(code: str) -> VoucherScheme:
    try:
        return selectors.scheme_detail(code=code)
    except VoucherScheme.DoesNotExist as exc:
        raise Http404(_("There is no voucher scheme with this code.")) from exc


def _voucher(request: HttpRequest, pk: int, perm: str | None = None) -> Voucher:
    """The voucher if the user may see it (404 otherwise); with `perm`, 403 unless they may do that."""
    try:
        voucher = selectors.voucher_detail(user=request.user, pk=pk)
    except Voucher.DoesNotExist as exc:
        raise Http404(_("There is no voucher here, or you may not see it.")) from exc
    if perm and not request.user.has_perm(perm, voucher):
        raise PermissionDenied
    return voucher


def _require(request: HttpRequest, perm: str, obj: Any) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _done(request: HttpRequest, message: str, url: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(url)


def _detail_url(voucher: Voucher) -> str:
    return reverse("vouchers:voucher_detail", args=[voucher.pk])


# --- schemes ---------------------------------------------------------------------------------------


@require_GET
@allowed_for("vouchers.view_scheme")
def scheme_list(request: HttpRequest) -> HttpResponse:
    """Everyone: the voucher schemes."""
    return render(request, "vouchers/scheme_list.html", {"schemes": selectors.scheme_list()})


@require_GET
@allowed_for("vouchers.view_scheme")
def scheme_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Everyone: a scheme with its rules, where each rule comes from, and what the platform adds."""
    scheme = _scheme(code)
    user = request.user
    open_round = selectors.scheme_open_round(scheme=scheme)
    return render(
        request,
        "vouchers/scheme_detail.html",
        {
            "scheme": scheme,
            "rules": [(key, scheme.source_of(source_key)) for key, source_key in RULES],
            "providers": selectors.eligible_providers(scheme=scheme).order_by("name"),
            "rounds": selectors.scheme_rounds(scheme=scheme),
            "open_round": open_round,
            "can_request": user.has_perm("vouchers.request_voucher", scheme) and open_round is not None,
            "can_manage": user.has_perm("vouchers.manage_scheme", scheme),
            "can_desk": user.has_perm("vouchers.view_desk", scheme),
            "can_pay": user.has_perm("vouchers.view_payments", scheme),
            "can_redeem": user.has_perm("vouchers.redeem_voucher", scheme),
        },
    )


@require_http_methods(["GET", "POST"])
@allowed_for("vouchers.manage_scheme")
def scheme_manage(request: HttpRequest, code: str) -> HttpResponse:
    """Programme officers: set the budget envelope, open a round, give users a role in the scheme."""
    scheme = _scheme(code)
    envelope_form = forms.EnvelopeForm(prefix="envelope")
    round_form = forms.RoundForm(prefix="round")
    member_form = forms.MemberForm(prefix="member")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "envelope":
                envelope_form = forms.EnvelopeForm(request.POST, prefix="envelope")
                if envelope_form.is_valid():
                    services.scheme_set_envelope(
                        scheme=scheme,
                        amount=envelope_form.cleaned_data["amount"],
                        by=request.user,
                        note=envelope_form.cleaned_data["note"],
                    )
                    return _done(request, _("The budget envelope is set."), request.path)
            elif action == "round":
                round_form = forms.RoundForm(request.POST, prefix="round")
                if round_form.is_valid():
                    services.round_open(scheme=scheme, by=request.user, **round_form.cleaned_data)
                    return _done(request, _("The round is open."), request.path)
            elif action == "member":
                member_form = forms.MemberForm(request.POST, prefix="member")
                if member_form.is_valid():
                    member = User.objects.filter(username=member_form.cleaned_data["username"]).first()
                    if member is None:
                        member_form.add_error("username", _("There is no user with this name."))
                    else:
                        services.member_add(
                            scheme=scheme,
                            user=member,
                            role=member_form.cleaned_data["role"],
                            organisation=member_form.cleaned_data["organisation"],
                            by=request.user,
                        )
                        return _done(request, _("The role is given."), request.path)
        except VoucherRefused as refusal:
            target = {"envelope": envelope_form, "round": round_form, "member": member_form}.get(
                str(action), envelope_form
            )
            forms.add_refusal(target, refusal)
        status = 400
    scheme.refresh_from_db()
    return render(
        request,
        "vouchers/scheme_manage.html",
        {
            "scheme": scheme,
            "envelope_form": envelope_form,
            "round_form": round_form,
            "member_form": member_form,
            "members": selectors.scheme_members(scheme=scheme),
            "rounds": selectors.scheme_rounds(scheme=scheme),
        },
        status=status,
    )


# --- the SME: request, my vouchers -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@allowed_for("vouchers.request_voucher")
def voucher_request(request: HttpRequest, code: str) -> HttpResponse:
    """Users acting for an SME: request a voucher of the scheme in its open round."""
    scheme = _scheme(code)
    form = forms.RequestForm(request.POST or None, scheme=scheme, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                voucher = services.voucher_request(
                    scheme=scheme,
                    sme=form.cleaned_data["sme"],
                    provider=form.cleaned_data["provider"],
                    service_description=form.cleaned_data["service_description"],
                    scan_reference=form.cleaned_data["scan_reference"],
                    intake_reference=form.cleaned_data["intake_reference"],
                    by=request.user,
                )
                return _done(
                    request,
                    _("Your request %(reference)s is sent to the review committee.")
                    % {"reference": voucher.reference},
                    _detail_url(voucher),
                )
            except VoucherRefused as refusal:
                forms.add_refusal(form, refusal)
        status = 400
    return render(
        request,
        "vouchers/request_form.html",
        {"scheme": scheme, "form": form, "open_round": selectors.scheme_open_round(scheme=scheme)},
        status=status,
    )


@require_GET
@allowed_for("vouchers.list_vouchers")
def my_vouchers(request: HttpRequest) -> HttpResponse:
    """Logged-in users: the requests and vouchers of the company they act for, and the vouchers issued
    for the provider they act for, each with what to do next."""
    return render(
        request,
        "vouchers/my_vouchers.html",
        {
            "as_sme": selectors.sme_vouchers(request.user),
            "as_provider": selectors.provider_vouchers(request.user),
            "schemes": selectors.scheme_list(),
            "desk_schemes": [
                s for s in selectors.scheme_list() if request.user.has_perm("vouchers.view_desk", s)
            ],
        },
    )


# --- one voucher -------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, voucher: Voucher, **forms_: Any) -> dict[str, Any]:
    user = request.user
    is_sme_party = voucher.sme_id in selectors.acting_organisation_ids(user)
    is_provider_party = voucher.provider_id in selectors.acting_organisation_ids(user)
    roles = selectors.roles_in(user, voucher.scheme_id)
    conflict = selectors.decision_conflict(user, voucher) if SchemeMember.Role.COMMITTEE in roles else ""
    may = {
        "review": voucher.status == Status.REQUESTED and user.has_perm("vouchers.review_voucher", voucher),
        "issue": voucher.status == Status.APPROVED and user.has_perm("vouchers.issue_voucher", voucher),
        "sign_sme": voucher.status == Status.ISSUED and is_sme_party and voucher.sme_signed_at is None,
        "sign_provider": voucher.status == Status.ISSUED
        and is_provider_party
        and voucher.provider_signed_at is None,
        "deliver": voucher.status == Status.SIGNED and user.has_perm("vouchers.deliver_voucher", voucher),
        "invoice": voucher.status == Status.DELIVERED and user.has_perm("vouchers.invoice_voucher", voucher),
        "redeem": voucher.status == Status.INVOICED and is_provider_party,
        "withdraw": voucher.status in (Status.REQUESTED, Status.APPROVED, Status.ISSUED)
        and user.has_perm("vouchers.withdraw_voucher", voucher),
        "letter": bool(letters.letter_kind(voucher)) and user.has_perm("vouchers.view_letter", voucher),
    }
    redemption = selectors.voucher_redemption(voucher=voucher)
    return {
        "voucher": voucher,
        "scheme": voucher.scheme,
        "lifecycle": _steps(voucher),
        "step": selectors.next_step(voucher),
        "events": selectors.voucher_events(voucher=voucher),
        "assignments": selectors.voucher_assignments(voucher=voucher),
        "redemption": redemption,
        "may": may,
        "conflict": conflict,
        "shows_code": is_sme_party
        or is_provider_party
        or bool(roles)
        or user.has_perm("vouchers.manage_scheme"),
        "journey": selectors.journey_summary(voucher=voucher),
        "review_form": forms_.get("review_form") or forms.ReviewForm(),
        "sign_form": forms_.get("sign_form") or forms.SignForm(),
        "invoice_form": forms_.get("invoice_form") or forms.InvoiceForm(),
        "withdraw_form": forms_.get("withdraw_form") or forms.WithdrawForm(),
        "action_error": forms_.get("action_error"),
    }


def _steps(voucher: Voucher) -> list[tuple[Status, str]]:
    """The lifecycle with each step marked done, current or still to come."""
    if voucher.status not in LIFECYCLE:  # an end state off the main path: mark what was reached
        reached = {
            Status.REQUESTED: True,
            Status.APPROVED: voucher.reviewed_at is not None and voucher.status != Status.REFUSED,
            Status.ISSUED: voucher.issued_at is not None,
            Status.SIGNED: voucher.signed_at is not None,
            Status.DELIVERED: voucher.delivered_at is not None,
            Status.INVOICED: voucher.invoiced_at is not None,
        }
        return [(step, "done" if reached.get(step) else "") for step in LIFECYCLE]
    current = LIFECYCLE.index(Status(voucher.status))
    return [
        (step, "done" if i < current else "current" if i == current else "")
        for i, step in enumerate(LIFECYCLE)
    ]


@require_GET
@allowed_for("vouchers.list_vouchers")
def voucher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The company, the provider (once issued), the scheme's committee, desk and coordinator, and
    officers: a voucher's steps, its audit trail and the next step each may take."""
    voucher = _voucher(request, pk)
    return render(request, "vouchers/voucher_detail.html", _detail_context(request, voucher))


def _step_failed(
    request: HttpRequest, voucher: Voucher, refusal: VoucherRefused | None = None, **forms_: Any
) -> HttpResponse:
    voucher.refresh_from_db()
    if refusal is not None:
        form = next(iter(forms_.values()), None)
        if form is not None:
            forms.add_refusal(form, refusal)
        else:
            forms_["action_error"] = refusal.message
    return render(
        request, "vouchers/voucher_detail.html", _detail_context(request, voucher, **forms_), status=400
    )


@require_POST
@allowed_for("vouchers.list_vouchers")
def voucher_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Members of the scheme's review committee who are not linked to the company or the provider:
    approve or refuse a request."""
    voucher = _voucher(request, pk)
    if not request.user.has_perm("vouchers.review_voucher", voucher):
        refusal = services.review_refusal(voucher=voucher, by=request.user)
        message = refusal.message if refusal else _("You may not decide on this request.")
        return render(
            request,
            "vouchers/voucher_detail.html",
            _detail_context(request, voucher, action_error=message),
            status=403,
        )
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        return _step_failed(request, voucher, review_form=form)
    try:
        services.voucher_review(
            voucher=voucher,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except VoucherRefused as refusal:
        return _step_failed(request, voucher, refusal, review_form=form)
    return _done(request, _("The decision is recorded."), _detail_url(voucher))


@require_POST
@allowed_for("vouchers.list_vouchers")
def voucher_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """The scheme's desk: issue an approved voucher (its code and signing deadline)."""
    voucher = _voucher(request, pk, "vouchers.issue_voucher")
    try:
        services.voucher_issue(voucher=voucher, by=request.user)
    except VoucherRefused as refusal:
        return _step_failed(request, voucher, refusal)
    return _done(request, _("The voucher is issued."), _detail_url(voucher))


@require_POST
@allowed_for("vouchers.list_vouchers")
def voucher_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The company and the provider (each for itself): confirm the signed assignment, with the PDF."""
    voucher = _voucher(request, pk, "vouchers.sign_voucher")
    form = forms.SignForm(request.POST, request.FILES)
    if not form.is_valid():
        return _step_failed(request, voucher, sign_form=form)
    upload = form.cleaned_data.get("document")
    document = None
    if upload is not None:
        if upload.size > AssignmentDocument.MAX_BYTES:
            form.add_error("document", _("The file is larger than 10 MB."))
            return _step_failed(request, voucher, sign_form=form)
        document = services.Upload(upload.name, upload.content_type or "", upload.read())
    try:
        services.voucher_sign(
            voucher=voucher, party=form.cleaned_data["party"], by=request.user, document=document
        )
    except VoucherRefused as refusal:
        return _step_failed(request, voucher, refusal, sign_form=form)
    return _done(request, _("Your signature of the assignment is recorded."), _detail_url(voucher))


@require_POST
@allowed_for("vouchers.list_vouchers")
def voucher_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider of the voucher: confirm that the work is delivered."""
    voucher = _voucher(request, pk, "vouchers.deliver_voucher")
    try:
        services.voucher_deliver(voucher=voucher, by=request.user)
    except VoucherRefused as refusal:
        return _step_failed(request, voucher, refusal)
    return _done(request, _("The delivery is recorded."), _detail_url(voucher))


@require_POST
@allowed_for("vouchers.list_vouchers")
def voucher_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider of the voucher: record the invoice (the voucher pays at most its value and share)."""
    voucher = _voucher(request, pk, "vouchers.invoice_voucher")
    form = forms.InvoiceForm(request.POST)
    if not form.is_valid():
        return _step_failed(request, voucher, invoice_form=form)
    try:
        services.voucher_invoice(
            voucher=voucher,
            amount=form.cleaned_data["amount"],
            invoice_number=form.cleaned_data["invoice_number"],
            by=request.user,
        )
    except VoucherRefused as refusal:
        return _step_failed(request, voucher, refusal, invoice_form=form)
    return _done(request, _("The invoice is recorded."), _detail_url(voucher))


@require_POST
@allowed_for("vouchers.list_vouchers")
def voucher_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The company: withdraw its request or voucher before the assignment is signed."""
    voucher = _voucher(request, pk, "vouchers.withdraw_voucher")
    form = forms.WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.voucher_withdraw(
            voucher=voucher, by=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except VoucherRefused as refusal:
        return _step_failed(request, voucher, refusal, withdraw_form=form)
    return _done(request, _("The voucher is withdrawn."), _detail_url(voucher))


@require_GET
@allowed_for("vouchers.list_vouchers")
def voucher_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The company, the scheme's committee, desk and coordinator, and officers: the decision letter or
    the voucher as PDF."""
    voucher = _voucher(request, pk, "vouchers.view_letter")
    if not letters.letter_kind(voucher):
        raise Http404(_("There is no letter for this voucher yet."))
    response = HttpResponse(letters.letter_pdf(voucher), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{voucher.reference}-{letters.letter_kind(voucher)}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@allowed_for("vouchers.list_vouchers")
def assignment_download(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    """Who may see the voucher: a signed assignment uploaded for it."""
    voucher = _voucher(request, pk)
    try:
        upload = selectors.assignment_document(voucher=voucher, pk=document)
    except AssignmentDocument.DoesNotExist as exc:
        raise Http404(_("There is no such document.")) from exc
    response = HttpResponse(bytes(upload.content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{voucher.reference}-assignment-{upload.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the desk ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@allowed_for("vouchers.list_vouchers")
def desk(request: HttpRequest, code: str) -> HttpResponse:
    """The scheme's review committee, desk and coordinator, and officers: the queue of requests with
    filters; committee members decide on several requests at once, the desk issues approved ones."""
    scheme = _scheme(code)
    _require(request, "vouchers.view_desk", scheme)
    filter_form = forms.QueueFilterForm(request.GET or None, scheme=scheme)
    bulk_form = forms.BulkReviewForm(scheme=scheme, prefix="bulk")
    issue_form = forms.BulkIssueForm(scheme=scheme, prefix="issue")
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "issue":
            _require(request, "vouchers.issue_voucher", scheme)
            issue_form = forms.BulkIssueForm(request.POST, scheme=scheme, prefix="issue")
            if issue_form.is_valid():
                issued, refusals = [], []
                for voucher in issue_form.cleaned_data["vouchers"]:
                    try:
                        issued.append(services.voucher_issue(voucher=voucher, by=request.user))
                    except VoucherRefused as refusal:
                        refusals.append(f"{voucher.reference}: {refusal.message}")
                for message in refusals:
                    messages.error(request, message)
                if issued:
                    messages.success(request, _("%(count)d vouchers issued.") % {"count": len(issued)})
                return redirect(request.get_full_path())
        else:
            _require(request, "vouchers.review_voucher", scheme)
            bulk_form = forms.BulkReviewForm(request.POST, scheme=scheme, prefix="bulk")
            if bulk_form.is_valid():
                try:
                    decided = services.voucher_review_bulk_audited(
                        vouchers=list(bulk_form.cleaned_data["vouchers"]),
                        approve=bulk_form.cleaned_data["decision"] == "approve",
                        reason=bulk_form.cleaned_data["reason"],
                        by=request.user,
                    )
                    return _done(
                        request,
                        _("%(count)d requests decided.") % {"count": len(decided)},
                        request.get_full_path(),
                    )
                except services.BulkRefused as refused:
                    bulk_form.add_error(None, _("None of the selected requests was decided:"))
                    for voucher, problem in refused.problems:
                        bulk_form.add_error(None, f"{voucher.reference}: {problem.message}")
                except VoucherRefused as refusal:
                    forms.add_refusal(bulk_form, refusal)
        status = 400
    queue = selectors.desk_queue(scheme=scheme, filters=filter_form.filters())
    page = Paginator(queue, QUEUE_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "vouchers/desk.html",
        {
            "scheme": scheme,
            "filter_form": filter_form,
            "bulk_form": bulk_form,
            "issue_form": issue_form,
            "page": page,
            "querystring": _querystring_without_page(request),
            "can_review": request.user.has_perm("vouchers.review_voucher", scheme),
            "can_issue": request.user.has_perm("vouchers.issue_voucher", scheme),
            "refusals": selectors.refused_attempts(scheme=scheme, limit=20)
            if request.user.has_perm("vouchers.view_refusals", scheme)
            else [],
        },
        status=status,
    )


def _euro(amount: Decimal) -> str:
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)} EUR"


def _querystring_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- the provider: redeem ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@allowed_for("vouchers.redeem_voucher")
def redeem(request: HttpRequest, code: str) -> HttpResponse:
    """Users acting for an organisation (providers): redeem a voucher of this scheme with its code.
    Refused attempts (unknown code, another provider's voucher, after expiry, above the value) are
    audited."""
    scheme = _scheme(code)
    form = forms.RedeemForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                redemption = services.voucher_redeem(
                    scheme=scheme,
                    code=form.cleaned_data["code"],
                    provider=form.cleaned_data["provider"],
                    amount=form.cleaned_data["amount"],
                    by=request.user,
                )
                return _done(
                    request,
                    _("Voucher %(reference)s is redeemed for %(amount)s EUR; the coordinator will check it.")
                    % {"reference": redemption.voucher.reference, "amount": redemption.amount},
                    _detail_url(redemption.voucher),
                )
            except VoucherRefused as refusal:
                forms.add_refusal(form, refusal)
        status = 400
    return render(request, "vouchers/redeem.html", {"scheme": scheme, "form": form}, status=status)


# --- the coordinator -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@allowed_for("vouchers.list_vouchers")
def coordinator(request: HttpRequest, code: str) -> HttpResponse:
    """The scheme's coordinator (and, to read, programme officers): redemptions to check, payment
    batches to make, export and mark paid."""
    scheme = _scheme(code)
    _require(request, "vouchers.view_payments", scheme)
    status = 200
    error = ""
    if request.method == "POST":
        _require(request, "vouchers.manage_payments", scheme)
        action = request.POST.get("action")
        try:
            if action == "check":
                check_form = forms.CheckForm(request.POST)
                try:
                    redemption = selectors.redemptions_to_check(scheme=scheme).get(
                        pk=int(request.POST.get("redemption") or 0)
                    )
                except (Redemption.DoesNotExist, ValueError):
                    raise VoucherRefused(
                        "not_found", _("This redemption is not waiting for a check.")
                    ) from None
                if check_form.is_valid():
                    services.redemption_check(
                        redemption=redemption,
                        accept=check_form.cleaned_data["decision"] == "accept",
                        reason=check_form.cleaned_data["reason"],
                        by=request.user,
                    )
                    return _done(request, _("The redemption is checked."), request.path)
                error = "; ".join(str(m) for errors in check_form.errors.values() for m in errors)
            elif action == "batch":
                batch = services.payment_batch_create(scheme=scheme, by=request.user)
                return _done(
                    request, _("Payment batch %(number)d is made.") % {"number": batch.number}, request.path
                )
            elif action == "paid":
                form = forms.PaidForm(request.POST)
                batch = _batch(scheme, request.POST.get("batch"))
                if form.is_valid():
                    services.payment_batch_mark_paid(
                        batch=batch, paid_on=form.cleaned_data["paid_on"], by=request.user
                    )
                    return _done(
                        request,
                        _("Payment batch %(number)d is paid.") % {"number": batch.number},
                        request.path,
                    )
                error = "; ".join(str(m) for errors in form.errors.values() for m in errors)
            else:
                error = _("Unknown action.")
        except VoucherRefused as refusal:
            error = refusal.message
        status = 400
    return render(
        request,
        "vouchers/coordinator.html",
        {
            "scheme": scheme,
            "to_check": selectors.redemptions_to_check(scheme=scheme),
            "to_pay": selectors.redemptions_to_pay(scheme=scheme),
            "batches": selectors.batch_list(scheme=scheme),
            "can_manage": request.user.has_perm("vouchers.manage_payments", scheme),
            "refusals": selectors.refused_attempts(scheme=scheme),
            "error": error,
            "check_form": forms.CheckForm(),
            "paid_form": forms.PaidForm(),
        },
        status=status,
    )


def _batch(scheme: VoucherScheme, number: Any) -> PaymentBatch:
    try:
        return selectors.batch_detail(scheme=scheme, number=int(number))
    except (PaymentBatch.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404(_("There is no payment batch with this number.")) from exc


@require_GET
@allowed_for("vouchers.list_vouchers")
def batch_export(request: HttpRequest, code: str, number: int, fmt: str) -> HttpResponse:
    """The scheme's coordinator and programme officers: a payment batch as .xlsx or CSV."""
    scheme = _scheme(code)
    _require(request, "vouchers.view_payments", scheme)
    batch = _batch(scheme, number)
    name = f"{scheme.code}-payment-batch-{batch.number}"
    if fmt == "xlsx":
        response = HttpResponse(exports.batch_xlsx(batch), content_type=XLSX)
    else:
        response = HttpResponse(exports.batch_csv(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- related parties -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@allowed_for("vouchers.list_vouchers")
def related_parties(request: HttpRequest) -> HttpResponse:
    """Programme officers and members of a scheme declare links between any organisations; a company
    declares its own links (shared ownership, one group …). Everyone logged in sees the links of the
    organisations they act for; officers and scheme members see all."""
    user = request.user
    sees_all = user.has_perm("vouchers.declare_related_party")
    own = selectors.sme_organisations_for(user) | selectors.provider_organisations_for(user)
    if not sees_all and not own.exists():
        raise PermissionDenied
    form = forms.RelatedPartyForm(request.POST or None, own=None if sees_all else own)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            organisation = form.cleaned_data["organisation"]
            _require(request, "vouchers.declare_related_party", organisation)
            try:
                services.related_party_declare(
                    organisation=organisation,
                    related=form.cleaned_data["related"],
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                    by=user,
                )
                return _done(request, _("The link is declared."), request.path)
            except VoucherRefused as refusal:
                forms.add_refusal(form, refusal)
        status = 400
    links = selectors.related_party_links()
    if not sees_all:
        own_ids = list(own.values_list("pk", flat=True))
        links = links.filter(organisation_id__in=own_ids) | links.filter(related_id__in=own_ids)
    return render(request, "vouchers/related_parties.html", {"form": form, "links": links}, status=status)


# --- reports -------------------------------------------------------------------------------------------


@require_GET
@allowed_for("vouchers.view_report")
def report(request: HttpRequest, code: str) -> HttpResponse:
    """Everyone: vouchers requested, issued, signed, redeemed and expired per provider, region and month,
    and the money committed and paid against the envelope. No company names."""
    scheme = _scheme(code)
    form = forms.PeriodForm(request.GET or None)
    date_from = date_to = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            date_from, date_to = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
        else:
            status = 400
    data = selectors.report(scheme=scheme, date_from=date_from, date_to=date_to)
    money_items = []
    if data.envelope is not None:
        money_items.append((_("Budget envelope"), data.envelope, _euro(data.envelope)))
    money_items += [
        (_("Committed"), data.committed, _euro(data.committed)),
        (_("Paid"), data.paid, _euro(data.paid)),
    ]
    stage_labels = {
        "requested": _("requested"),
        "issued": _("issued"),
        "signed": _("signed"),
        "redeemed": _("redeemed"),
        "expired": _("expired"),
    }
    return render(
        request,
        "vouchers/report.html",
        {
            "scheme": scheme,
            "form": form,
            "report": data,
            "stages": list(stage_labels.items()),
            "money_chart": charts.bars(money_items),
            "provider_chart": charts.bars(
                [
                    (row.label, Decimal(row.counts["issued"]), str(row.counts["issued"]))
                    for row in data.by_provider
                ]
            ),
            "period_chart": charts.columns(
                [row.label for row in data.by_period],
                [
                    (str(stage_labels[stage]), [row.counts[stage] for row in data.by_period])
                    for stage in ("requested", "issued", "redeemed")
                ],
            ),
        },
        status=status,
    )
