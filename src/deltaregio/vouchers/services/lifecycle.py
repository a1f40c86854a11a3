"""A voucher's life from request to redemption: one audited, atomic function per step."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deltaregio.accounts.rules import is_staff_or_officer
from deltaregio.directory.models import Organisation
from deltaregio.vouchers import codes, selectors
from deltaregio.vouchers.models import (
    NOT_COUNTED,
    AssignmentDocument,
    Redemption,
    SchemeMember,
    SchemeRound,
    Status,
    Voucher,
    VoucherScheme,
)
from deltaregio.vouchers.services._common import (
    CENT,
    ZERO,
    BulkRefused,
    Party,
    VoucherRefused,
    _acts_for,
    _audit_refusal,
    _commit,
    _event,
    _history,
    _lock,
    _lock_scheme,
    _lock_voucher,
    _now,
    _refuse_if_expired,
    _require_status,
    _save,
    add_months,
    audited,
    parse_amount,
)

# --- requested ----------------------------------------------------------------------------------------


def _check_parties(
    scheme: VoucherScheme, sme: Organisation, provider: Organisation, voucher: Voucher | None = None
) -> None:
    if sme.pk == provider.pk:
        raise VoucherRefused(
            "self_provision",
            _("A company cannot buy the service from itself."),
            field="provider",
            voucher=voucher,
        )
    if not selectors.is_eligible_provider(scheme=scheme, organisation=provider):
        raise VoucherRefused(
            "provider_not_eligible",
            _("%(provider)s is not a provider of this scheme; choose one of its eligible providers.")
            % {"provider": provider.name},
            field="provider",
            voucher=voucher,
        )
    if selectors.are_related(sme, provider):
        raise VoucherRefused(
            "related_parties",
            _(
                "%(sme)s and %(provider)s are related parties (one group, shared ownership or a declared "
                "link); the voucher cannot pay a related provider."
            )
            % {"sme": sme.name, "provider": provider.name},
            field="provider",
            voucher=voucher,
        )


@audited("request")
def voucher_request(
    *,
    scheme: VoucherScheme,
    sme: Organisation,
    provider: Organisation,
    service_description: str,
    by: Any,
    round: SchemeRound | None = None,
    scan_reference: str = "",
    intake_reference: str = "",
) -> Voucher:
    """An SME requests a voucher for a service of its chosen provider, in the round open today."""
    try:
        return _voucher_request(
            scheme=scheme,
            sme=sme,
            provider=provider,
            service_description=service_description,
            by=by,
            round_=round,
            scan_reference=scan_reference,
            intake_reference=intake_reference,
        )
    except IntegrityError:
        # Another request of the same company took the last slot between our check and our write.
        raise VoucherRefused(
            "limit_reached",
            _("%(sme)s already has as many vouchers in this round as the scheme allows.") % {"sme": sme.name},
            status=409,
        ) from None


@transaction.atomic
def _voucher_request(
    *,
    scheme: VoucherScheme,
    sme: Organisation,
    provider: Organisation,
    service_description: str,
    by: Any,
    round_: SchemeRound | None,
    scan_reference: str,
    intake_reference: str,
) -> Voucher:
    service_description = (service_description or "").strip()
    if not service_description:
        raise VoucherRefused(
            "service_missing", _("Describe the service the voucher is for."), field="service_description"
        )
    if len(service_description) > 4000:
        raise VoucherRefused(
            "service_too_long",
            _("Describe the service in at most 4000 characters."),
            field="service_description",
        )
    if by is not None and not is_staff_or_officer(by) and not _acts_for(by, sme.pk):
        raise VoucherRefused(
            "not_for_this_company", _("You do not act for this company."), field="sme", status=403
        )
    locked = _lock_scheme(scheme)
    if not locked.accepts_requests:
        raise VoucherRefused("scheme_closed", _("This scheme does not take requests now."), status=409)
    if sme.kind != Organisation.Kind.SME:
        raise VoucherRefused(
            "not_an_sme",
            _("Only an SME can request a voucher; %(name)s is not registered as an SME.")
            % {"name": sme.name},
            field="sme",
        )
    today = timezone.localdate()
    if round_ is None:
        round_ = selectors.scheme_open_round(scheme=locked, day=today)
        if round_ is None:
            raise VoucherRefused(
                "no_open_round", _("This scheme has no round open for requests today."), status=409
            )
    elif round_.scheme_id != locked.pk or not round_.is_open_on(today):
        raise VoucherRefused(
            "round_closed", _("This round does not take requests today."), field="round", status=409
        )
    _check_parties(locked, sme, provider)

    counted = Voucher.objects.filter(scheme=locked, sme=sme).exclude(status__in=list(NOT_COUNTED))
    in_round = set(counted.filter(round=round_).values_list("slot", flat=True))
    if len(in_round) >= locked.per_company_per_round:
        raise VoucherRefused(
            "limit_reached",
            _("%(sme)s already has as many vouchers in this round as the scheme allows (%(limit)d).")
            % {"sme": sme.name, "limit": locked.per_company_per_round},
            status=409,
        )
    if locked.per_company_total is not None and counted.count() >= locked.per_company_total:
        raise VoucherRefused(
            "scheme_limit_reached",
            _("%(sme)s already has as many vouchers of this scheme as it allows (%(limit)d).")
            % {"sme": sme.name, "limit": locked.per_company_total},
            status=409,
        )
    slot = min(n for n in range(1, locked.per_company_per_round + 1) if n not in in_round)
    voucher = Voucher(
        scheme=locked,
        round=round_,
        sme=sme,
        provider=provider,
        slot=slot,
        service_description=service_description,
        scan_reference=(scan_reference or "").strip()[:100],
        intake_reference=(intake_reference or "").strip()[:100],
        status=Status.REQUESTED,
        value=locked.value,
        covered_share=locked.covered_share,
        requested_at=_now(),
        requested_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _save(voucher, by, "requested")
    _event(
        voucher=voucher, scheme=locked, action="request", by=by, to_status=Status.REQUESTED, organisation=sme
    )
    return voucher


@audited("withdraw")
@transaction.atomic
def voucher_withdraw(*, voucher: Voucher, by: Any, reason: str = "") -> Voucher:
    """The company withdraws its request or voucher before the assignment is signed; what the voucher
    held of the envelope is released."""
    scheme, locked = _lock(voucher)
    if by is not None and not is_staff_or_officer(by) and not _acts_for(by, locked.sme_id):
        raise VoucherRefused(
            "not_for_this_company",
            _("Only the company can withdraw its voucher."),
            status=403,
            voucher=locked,
        )
    _require_status(locked, Status.REQUESTED, Status.APPROVED, Status.ISSUED)
    before = locked.status
    _commit(scheme, locked, ZERO)
    locked.status = Status.WITHDRAWN
    locked.ended_at = _now()
    locked.ended_by = by if getattr(by, "is_authenticated", False) else None
    locked.end_reason = (reason or "").strip()
    _save(locked, by, "withdrawn")
    _event(
        voucher=locked,
        scheme=scheme,
        action="withdraw",
        by=by,
        from_status=before,
        to_status=locked.status,
        message=locked.end_reason,
    )
    return locked


# --- reviewed -----------------------------------------------------------------------------------------


def _check_reviewer(voucher: Voucher, by: Any) -> None:
    if SchemeMember.Role.COMMITTEE not in selectors.roles_in(by, voucher.scheme_id):
        raise VoucherRefused(
            "not_committee",
            _("Only members of this scheme's review committee decide on its requests."),
            status=403,
            voucher=voucher,
        )
    conflict = selectors.decision_conflict(by, voucher)
    if conflict == "sme":
        raise VoucherRefused(
            "conflict_of_interest",
            _("You may not decide on this request: you act for an organisation linked to the company."),
            status=403,
            voucher=voucher,
        )
    if conflict == "provider":
        raise VoucherRefused(
            "conflict_of_interest",
            _(
                "You may not decide on this request: you act for an organisation linked to the chosen "
                "provider."
            ),
            status=403,
            voucher=voucher,
        )


def review_refusal(*, voucher: Voucher, by: Any) -> VoucherRefused | None:
    """Why this user may not decide on this request (None if they may); the attempt is audited."""
    try:
        _check_reviewer(voucher, by)
    except VoucherRefused as refusal:
        _audit_refusal("review", refusal, {"voucher": voucher, "by": by})
        return refusal
    return None


def _review(voucher: Voucher, *, approve: bool, reason: str, by: Any) -> Voucher:
    scheme, locked = _lock(voucher)
    _check_reviewer(locked, by)
    _require_status(locked, Status.REQUESTED)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise VoucherRefused(
            "reason_missing", _("Give the reason for the refusal."), field="reason", voucher=locked
        )
    if approve:
        # Rules may have changed since the request (a link declared, a partner left the project).
        _check_parties(scheme, locked.sme, locked.provider, locked)
        if scheme.budget_envelope is None:
            raise VoucherRefused(
                "no_envelope",
                _(
                    "This scheme has no budget envelope yet; a programme officer must set one before any "
                    "voucher can be approved."
                ),
                status=409,
                voucher=locked,
            )
        remaining = scheme.budget_envelope - scheme.committed_total
        if locked.value > remaining:
            raise VoucherRefused(
                "envelope_exceeded",
                _(
                    "Approving this voucher (%(value)s EUR) would exceed the budget envelope: "
                    "%(remaining)s EUR "
                    "is left of %(envelope)s EUR."
                )
                % {"value": locked.value, "remaining": remaining, "envelope": scheme.budget_envelope},
                status=409,
                voucher=locked,
            )
        _commit(scheme, locked, locked.value)
    before = locked.status
    locked.status = Status.APPROVED if approve else Status.REFUSED
    locked.reviewed_at = _now()
    locked.reviewed_by = by if getattr(by, "is_authenticated", False) else None
    locked.decision_reason = reason
    if not approve:
        locked.ended_at = locked.reviewed_at
        locked.end_reason = reason
    _save(locked, by, "approved" if approve else "refused")
    _event(
        voucher=locked,
        scheme=scheme,
        action="approve" if approve else "refuse",
        by=by,
        from_status=before,
        to_status=locked.status,
        message=reason,
    )
    return locked


@audited("review")
@transaction.atomic
def voucher_review(*, voucher: Voucher, approve: bool, reason: str, by: Any) -> Voucher:
    """A committee member approves (the voucher's value is committed against the envelope) or refuses
    (with a reason) a request. Members may not decide on requests of organisations linked to them."""
    return _review(voucher, approve=approve, reason=reason, by=by)


@transaction.atomic
def voucher_review_bulk(*, vouchers: Sequence[Voucher], approve: bool, reason: str, by: Any) -> list[Voucher]:
    """Decide on several requests at once: all are decided, or none (BulkRefused lists every problem,
    for example the requests that would exceed the envelope)."""
    if not vouchers:
        raise VoucherRefused("nothing_selected", _("Select at least one request."), field="vouchers")
    decided: list[Voucher] = []
    problems: list[tuple[Voucher, VoucherRefused]] = []
    for voucher in sorted(vouchers, key=lambda v: (v.requested_at, v.pk)):
        try:
            with transaction.atomic():
                decided.append(_review(voucher, approve=approve, reason=reason, by=by))
        except VoucherRefused as refused:
            refused.voucher = voucher
            problems.append((voucher, refused))
    if problems:
        raise BulkRefused(problems)
    return decided


def voucher_review_bulk_audited(
    *, vouchers: Sequence[Voucher], approve: bool, reason: str, by: Any
) -> list[Voucher]:
    """voucher_review_bulk, with every refused decision written to the audit trail."""
    try:
        return voucher_review_bulk(vouchers=vouchers, approve=approve, reason=reason, by=by)
    except BulkRefused as refused:
        for voucher, problem in refused.problems:
            _audit_refusal("review", problem, {"voucher": voucher, "by": by, "approve": approve})
        raise


# --- issued -------------------------------------------------------------------------------------------


@audited("issue")
@transaction.atomic
def voucher_issue(*, voucher: Voucher, by: Any) -> Voucher:
    """The desk issues an approved voucher: a unique, unguessable code, and the deadline to present a
    signed assignment (the scheme's signing period from today)."""
    scheme, locked = _lock(voucher)
    if by is not None and SchemeMember.Role.DESK not in selectors.roles_in(by, scheme.pk):
        raise VoucherRefused(
            "not_desk", _("Only the scheme's desk issues vouchers."), status=403, voucher=locked
        )
    _require_status(locked, Status.APPROVED)
    if scheme.budget_envelope is None:
        raise VoucherRefused(
            "no_envelope",
            _("This scheme has no budget envelope; no voucher can be issued."),
            status=409,
            voucher=locked,
        )
    now = _now()
    for _attempt in range(5):
        code = codes.generate(scheme.code)
        if not Voucher.objects.filter(code=code).exists():
            break
    else:  # pragma: no cover - 75 random bits do not collide five times
        raise VoucherRefused("code_collision", _("No unique code could be made; try again."), status=409)
    locked.code = code
    locked.status = Status.ISSUED
    locked.issued_at = now
    locked.issued_by = by if getattr(by, "is_authenticated", False) else None
    locked.signing_deadline = add_months(now, scheme.signing_period_months)
    locked.expires_at = locked.signing_deadline
    _save(locked, by, "issued")
    _event(
        voucher=locked,
        scheme=scheme,
        action="issue",
        by=by,
        from_status=Status.APPROVED,
        to_status=Status.ISSUED,
        data={"expires_at": locked.expires_at.isoformat()},
    )
    return locked


# --- assignment signed ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    file_name: str
    content_type: str
    content: bytes


def _check_upload(upload: Upload) -> None:
    if len(upload.content) > AssignmentDocument.MAX_BYTES:
        raise VoucherRefused("file_too_large", _("The file is larger than 10 MB."), field="document")
    if not upload.content.startswith(b"%PDF-") or not upload.file_name.lower().endswith(".pdf"):
        raise VoucherRefused(
            "file_not_pdf", _("Upload the signed assignment as a PDF file."), field="document"
        )


@audited("sign")
@transaction.atomic
def voucher_sign(*, voucher: Voucher, party: Party, by: Any, document: Upload | None = None) -> Voucher:
    """The company or the provider confirms the signed assignment (optionally uploading it) before the
    signing deadline. When both have confirmed, the assignment is signed and the time to complete the
    work (if the scheme sets one) starts."""
    scheme, locked = _lock(voucher)
    organisation_id = locked.sme_id if party == "sme" else locked.provider_id
    if party not in ("sme", "provider"):
        raise VoucherRefused("party_unknown", _("Sign as the company or as the provider."), field="party")
    if by is not None and not _acts_for(by, organisation_id):
        if party == "provider":
            raise VoucherRefused(
                "wrong_provider",
                _("This voucher is for %(provider)s; only that provider can sign its assignment.")
                % {"provider": locked.provider.name},
                status=403,
                voucher=locked,
            )
        raise VoucherRefused(
            "not_for_this_company", _("You do not act for this company."), status=403, voucher=locked
        )
    now = _now()
    _refuse_if_expired(locked, now)
    _require_status(locked, Status.ISSUED)
    already = locked.sme_signed_at if party == "sme" else locked.provider_signed_at
    if already is not None:
        raise VoucherRefused(
            "already_signed",
            _("This party already confirmed the signed assignment."),
            status=409,
            voucher=locked,
        )
    if selectors.are_related(locked.sme_id, locked.provider_id):
        raise VoucherRefused(
            "related_parties",
            _(
                "The company and the provider are related parties; the assignment cannot be paid with "
                "the voucher."
            ),
            voucher=locked,
        )
    if document is not None:
        _check_upload(document)
        AssignmentDocument.objects.create(
            voucher=locked,
            file_name=document.file_name[:200],
            content_type="application/pdf",
            size=len(document.content),
            sha256=hashlib.sha256(document.content).hexdigest(),
            content=document.content,
            uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        )
    actor = by if getattr(by, "is_authenticated", False) else None
    if party == "sme":
        locked.sme_signed_at, locked.sme_signed_by = now, actor
    else:
        locked.provider_signed_at, locked.provider_signed_by = now, actor
    before = locked.status
    if locked.sme_signed_at and locked.provider_signed_at:
        locked.status = Status.SIGNED
        locked.signed_at = now
        if scheme.completion_period_months:
            locked.completion_deadline = add_months(now, scheme.completion_period_months)
        locked.expires_at = locked.completion_deadline
    _save(locked, by, f"signed by {party}")
    _event(
        voucher=locked,
        scheme=scheme,
        action=f"sign_{party}",
        by=by,
        from_status=before,
        to_status=locked.status,
        organisation=locked.sme if party == "sme" else locked.provider,
        data={"document": document.file_name} if document else {},
    )
    return locked


# --- work delivered, invoiced --------------------------------------------------------------------------


def _check_provider(voucher: Voucher, by: Any) -> None:
    if by is not None and not _acts_for(by, voucher.provider_id):
        raise VoucherRefused(
            "wrong_provider",
            _("This voucher is for %(provider)s; only that provider can do this.")
            % {"provider": voucher.provider.name},
            status=403,
            voucher=voucher,
        )


@audited("deliver")
@transaction.atomic
def voucher_deliver(*, voucher: Voucher, by: Any) -> Voucher:
    """The provider confirms that the work of the signed assignment is delivered."""
    scheme, locked = _lock(voucher)
    _check_provider(locked, by)
    _refuse_if_expired(locked, _now())
    _require_status(locked, Status.SIGNED)
    locked.status = Status.DELIVERED
    locked.delivered_at = _now()
    locked.delivered_by = by if getattr(by, "is_authenticated", False) else None
    _save(locked, by, "delivered")
    _event(
        voucher=locked,
        scheme=scheme,
        action="deliver",
        by=by,
        from_status=Status.SIGNED,
        to_status=Status.DELIVERED,
        organisation=locked.provider,
    )
    return locked


def payable(*, value: Decimal, covered_share: Decimal, invoice_amount: Decimal) -> Decimal:
    """What the voucher pays of a bill: its share of the bill, rounded down to the cent, and never more
    than its value. The company pays the rest."""
    share = (invoice_amount * covered_share / Decimal(100)).quantize(CENT, rounding=ROUND_DOWN)
    return min(value, share)


@audited("invoice")
@transaction.atomic
def voucher_invoice(*, voucher: Voucher, amount: Any, invoice_number: str, by: Any) -> Voucher:
    """The provider records its invoice for the delivered work. The voucher pays at most its value and
    its share of the bill; the rest is the company's co-payment. What the voucher holds of the envelope
    drops to what it will pay."""
    amount = parse_amount(amount)
    invoice_number = (invoice_number or "").strip()
    if not invoice_number:
        raise VoucherRefused("invoice_number_missing", _("Give the invoice number."), field="invoice_number")
    if len(invoice_number) > 60:
        raise VoucherRefused(
            "invoice_number_too_long",
            _("An invoice number has at most 60 characters."),
            field="invoice_number",
        )
    scheme, locked = _lock(voucher)
    _check_provider(locked, by)
    _refuse_if_expired(locked, _now())
    _require_status(locked, Status.DELIVERED)
    pays = payable(value=locked.value, covered_share=locked.covered_share, invoice_amount=amount)
    locked.invoice_amount = amount
    locked.invoice_number = invoice_number
    locked.voucher_amount = pays
    locked.co_payment = amount - pays
    locked.invoiced_at = _now()
    locked.invoiced_by = by if getattr(by, "is_authenticated", False) else None
    _commit(scheme, locked, pays)
    locked.status = Status.INVOICED
    _save(locked, by, "invoiced")
    _event(
        voucher=locked,
        scheme=scheme,
        action="invoice",
        by=by,
        from_status=Status.DELIVERED,
        to_status=Status.INVOICED,
        organisation=locked.provider,
        data={"invoice_amount": str(amount), "voucher_amount": str(pays), "co_payment": str(amount - pays)},
    )
    return locked


# --- redeemed ------------------------------------------------------------------------------------------


def _find_by_code(scheme: VoucherScheme, raw_code: str) -> Voucher:
    parsed = codes.parse(raw_code)
    if parsed.problem == "malformed":
        raise VoucherRefused(
            "code_malformed",
            _("This is not a voucher code: a code looks like %(example)s.")
            % {"example": codes.format_code(scheme.code, "XXXXXXXXXXXXXXXX")},
            field="code",
        )
    if parsed.problem == "mistyped":
        raise VoucherRefused(
            "code_mistyped",
            _("This code is mistyped: its check character does not match. Check every character."),
            field="code",
        )
    if not codes.prefix_matches(parsed, scheme.code):
        raise VoucherRefused(
            "code_other_scheme",
            _("This code is not a code of %(scheme)s.") % {"scheme": scheme.name},
            field="code",
        )
    voucher = (
        Voucher.objects.select_related("scheme", "provider")
        .filter(code=parsed.canonical(scheme.code))
        .first()
    )
    if voucher is None:
        raise VoucherRefused(
            "code_unknown", _("There is no voucher with this code."), field="code", status=404
        )
    if voucher.scheme_id != scheme.pk:  # pragma: no cover - the prefix is the scheme's code
        raise VoucherRefused(
            "code_other_scheme",
            _("This code is not a code of %(scheme)s.") % {"scheme": scheme.name},
            field="code",
        )
    return voucher


@audited("redeem")
def voucher_redeem(
    *, scheme: VoucherScheme, code: str, provider: Organisation, amount: Any, by: Any
) -> Redemption:
    """The provider redeems a voucher at the coordinator, with its code and the amount the voucher pays
    (at most what the invoice says it pays). A voucher is redeemed at most once: under a row lock, and
    the database refuses a second redemption. Every refused attempt is audited."""
    try:
        return _voucher_redeem(scheme=scheme, code=code, provider=provider, amount=amount, by=by)
    except IntegrityError:
        voucher = Voucher.objects.filter(code=codes.parse(code).canonical(scheme.code)).first()
        raise VoucherRefused(
            "already_redeemed", _("This voucher has already been redeemed."), status=409, voucher=voucher
        ) from None


@transaction.atomic
def _voucher_redeem(
    *, scheme: VoucherScheme, code: str, provider: Organisation, amount: Any, by: Any
) -> Redemption:
    if by is not None and not _acts_for(by, provider.pk):
        raise VoucherRefused(
            "not_for_this_provider", _("You do not act for this provider."), status=403, field="provider"
        )
    amount = parse_amount(amount)
    found = _find_by_code(scheme, code)
    locked_scheme = _lock_scheme(scheme)
    voucher = _lock_voucher(found.pk)
    voucher.scheme = locked_scheme
    if voucher.provider_id != provider.pk:
        raise VoucherRefused(
            "wrong_provider",
            _("This voucher is not for %(provider)s; only the provider of its assignment can redeem it.")
            % {"provider": provider.name},
            status=403,
            voucher=voucher,
        )
    now = _now()
    if voucher.status in (Status.REDEEMED, Status.PAID):
        raise VoucherRefused(
            "already_redeemed", _("This voucher has already been redeemed."), status=409, voucher=voucher
        )
    _refuse_if_expired(voucher, now)
    if voucher.status != Status.INVOICED:
        raise VoucherRefused(
            "not_invoiced",
            _("This voucher is %(status)s; it can be redeemed once the work is delivered and invoiced.")
            % {"status": voucher.get_status_display()},
            status=409,
            voucher=voucher,
        )
    assert voucher.voucher_amount is not None
    if amount > voucher.voucher_amount:
        raise VoucherRefused(
            "above_value",
            _(
                "The voucher pays at most %(max)s EUR of this invoice (its value is %(value)s EUR, its share "
                "%(share)s %%); %(amount)s EUR is too much."
            )
            % {
                "max": voucher.voucher_amount,
                "value": voucher.value,
                "share": voucher.covered_share,
                "amount": amount,
            },
            field="amount",
            voucher=voucher,
        )
    redemption = Redemption(
        voucher=voucher,
        scheme=locked_scheme,
        provider=provider,
        amount=amount,
        redeemed_at=now,
        redeemed_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _history(redemption, by, "redeemed")
    redemption.save()
    voucher.status = Status.REDEEMED
    voucher.redeemed_at = now
    _save(voucher, by, "redeemed")
    _event(
        voucher=voucher,
        scheme=locked_scheme,
        action="redeem",
        by=by,
        from_status=Status.INVOICED,
        to_status=Status.REDEEMED,
        organisation=provider,
        data={"amount": str(amount)},
    )
    return redemption
