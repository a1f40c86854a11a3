"""Every write of the vouchers domain: one function per step of a voucher's life, each atomic, each
recorded in the audit trail (VoucherEvent) and the record history (django-simple-history).

Concurrency. Everything that spends the scheme's envelope or changes a voucher locks rows with
SELECT … FOR NO KEY UPDATE, always in one order: first the scheme, then the voucher. (NO KEY: the
locks must not conflict with the key-share locks that inserting a row referring to the scheme or the
voucher takes, such as an audit event of a refused attempt; otherwise those inserts and the locks
deadlock.) The database keeps the invariants as well (see models.py), so a race that got past a lock
would still fail.

Refusals. A step that may not happen raises VoucherRefused with a machine code and a message in the
user's language; nothing is changed. A refused attempt on a voucher (a redemption with an unknown
code, by the wrong provider, after expiry …) is written to the audit trail after the step's
transaction was rolled back, so the record of the attempt survives the refusal.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

import yaml
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from deltaregio.accounts.rules import is_staff_or_officer
from deltaregio.accounts.selectors import organisation_ids_for
from deltaregio.directory.models import Organisation
from deltaregio.projects.models import Project
from deltaregio.vouchers import codes, selectors
from deltaregio.vouchers.models import (
    LIVE_STATES,
    NOT_COUNTED,
    AssignmentDocument,
    PaymentBatch,
    ProviderRule,
    Redemption,
    RegisteredProvider,
    RelatedPartyLink,
    SchemeMember,
    SchemeRound,
    Status,
    Voucher,
    VoucherEvent,
    VoucherScheme,
)

logger = logging.getLogger("deltaregio.vouchers")

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999.99")
DATA_FILE = Path(__file__).resolve().parent / "data" / "schemes.yaml"
SOURCE_SCREEN = "screen: vouchers"

P = ParamSpec("P")
R = TypeVar("R")
Party = Literal["sme", "provider"]


class VoucherRefused(Exception):
    """A step that may not happen. `code` is the machine code, `message` says why in the user's
    language, `field` names the input at fault; `status` is the HTTP status the API answers with."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str = "non_field_errors",
        status: int = 400,
        voucher: Voucher | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.voucher = voucher
        self.data = data or {}


class BulkRefused(VoucherRefused):
    """Some of the requests of a bulk decision cannot be decided as asked; none was decided."""

    def __init__(self, problems: list[tuple[Voucher, VoucherRefused]]) -> None:
        self.problems = problems
        message = _(
            "%(count)d of the selected requests cannot be decided as asked, so none was: %(problems)s"
        ) % {
            "count": len(problems),
            "problems": "; ".join(f"{v.reference}: {p.message}" for v, p in problems),
        }
        statuses = {problem.status for _voucher, problem in problems}
        status = 409 if 409 in statuses else 403 if 403 in statuses else 400
        super().__init__("bulk_refused", message, field="vouchers", status=status)


# --- helpers -------------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same moment `months` calendar months later (31 January + 1 month → 28/29 February)."""
    local = timezone.localtime(moment)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    for day in range(local.day, 27, -1):
        try:
            return local.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return local.replace(year=year, month=month, day=min(local.day, 28))


def parse_amount(raw: Any, *, field_name: str = "amount") -> Decimal:
    """An amount in euro: a positive decimal with at most two decimals (a Decimal, an int or a string
    like "9500.00"). Anything else is refused with a message that says what is wrong."""
    if isinstance(raw, bool) or raw is None or isinstance(raw, float):
        raise VoucherRefused(
            "amount_invalid",
            _("Enter the amount in euro as a decimal number with at most two decimals, e.g. 9500.00."),
            field=field_name,
        )
    try:
        amount = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise VoucherRefused(
            "amount_invalid",
            _("“%(value)s” is not an amount: enter a decimal number with at most two decimals, e.g. 9500.00.")
            % {"value": str(raw)[:40]},
            field=field_name,
        ) from None
    if not amount.is_finite():
        raise VoucherRefused("amount_invalid", _("The amount must be a finite number."), field=field_name)
    if amount <= 0:
        raise VoucherRefused("amount_not_positive", _("The amount must be more than zero."), field=field_name)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(CENT):
        raise VoucherRefused(
            "amount_too_precise", _("An amount in euro has at most two decimals."), field=field_name
        )
    if amount > MAX_AMOUNT:
        raise VoucherRefused("amount_too_large", _("The amount is too large."), field=field_name)
    return amount.quantize(CENT)


def _event(
    *,
    voucher: Voucher | None,
    scheme: VoucherScheme | None,
    action: str,
    by: Any,
    from_status: str = "",
    to_status: str = "",
    kind: str = VoucherEvent.Kind.TRANSITION,
    organisation: Organisation | None = None,
    message: str = "",
    code: str = "",
    data: dict[str, Any] | None = None,
) -> VoucherEvent:
    return VoucherEvent.objects.create(
        voucher=voucher,
        scheme=scheme or (voucher.scheme if voucher else None),
        kind=kind,
        action=action,
        from_status=from_status,
        to_status=to_status,
        at=_now(),
        actor=by if getattr(by, "is_authenticated", False) else None,
        actor_organisation=organisation,
        message=message,
        code=code,
        data=data or {},
    )


def _history(instance: Any, by: Any, reason: str) -> None:
    """Who made the change and why, for django-simple-history's record of the next save."""
    instance._history_user = by if getattr(by, "is_authenticated", False) else None
    instance._change_reason = reason


def _lock_scheme(scheme: VoucherScheme | int) -> VoucherScheme:
    pk = scheme if isinstance(scheme, int) else scheme.pk
    return VoucherScheme.objects.select_for_update(no_key=True).get(pk=pk)


def _lock_voucher(voucher: Voucher | int) -> Voucher:
    pk = voucher if isinstance(voucher, int) else voucher.pk
    return Voucher.objects.select_for_update(no_key=True, of=("self",)).select_related("scheme").get(pk=pk)


def _lock(voucher: Voucher) -> tuple[VoucherScheme, Voucher]:
    """Lock the voucher's scheme, then the voucher (always in this order, to avoid deadlocks)."""
    scheme = _lock_scheme(voucher.scheme_id)
    locked = _lock_voucher(voucher.pk)
    locked.scheme = scheme
    return scheme, locked


def _commit(scheme: VoucherScheme, voucher: Voucher, new_amount: Decimal) -> None:
    """Set what the voucher holds of the envelope; the scheme's total follows. Both rows are locked."""
    delta = new_amount - voucher.committed_amount
    if delta:
        VoucherScheme.objects.filter(pk=scheme.pk).update(committed_total=F("committed_total") + delta)
        scheme.refresh_from_db(fields=["committed_total"])
    voucher.committed_amount = new_amount


def _save(voucher: Voucher, by: Any, reason: str) -> None:
    _history(voucher, by, reason)
    voucher.save()


def _expired(voucher: Voucher, now: dt.datetime) -> bool:
    return voucher.status == Status.EXPIRED or (
        voucher.status in LIVE_STATES and voucher.expires_at is not None and now > voucher.expires_at
    )


def _refuse_if_expired(voucher: Voucher, now: dt.datetime) -> None:
    if _expired(voucher, now):
        raise VoucherRefused(
            "expired",
            _("This voucher expired on %(date)s; nothing can be done with it any more.")
            % {"date": _when(voucher.expires_at)},
            status=409,
            voucher=voucher,
        )


def _when(moment: dt.datetime | None) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "–"


def _acts_for(by: Any, organisation_id: int | None) -> bool:
    return organisation_id is not None and organisation_id in organisation_ids_for(by)


def _state_refusal(voucher: Voucher, expected: str) -> VoucherRefused:
    return VoucherRefused(
        "wrong_status",
        _("This voucher is %(status)s; it must be %(expected)s for this step.")
        % {"status": voucher.get_status_display(), "expected": Status(expected).label},
        status=409,
        voucher=voucher,
    )


def _require_status(voucher: Voucher, *statuses: str) -> None:
    if voucher.status not in statuses:
        raise _state_refusal(voucher, statuses[0])


def audited(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Write a refused attempt to the audit trail after the step's transaction was rolled back."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except VoucherRefused as refusal:
                _audit_refusal(action, refusal, kwargs)
                raise

        return wrapper

    return decorate


def _audit_refusal(action: str, refusal: VoucherRefused, kwargs: dict[str, Any]) -> None:
    voucher = refusal.voucher or kwargs.get("voucher")
    if voucher is not None and (voucher.pk is None or not Voucher.objects.filter(pk=voucher.pk).exists()):
        voucher = None
    scheme = kwargs.get("scheme") or (voucher.scheme if voucher is not None else None)
    if isinstance(scheme, VoucherScheme) and scheme.pk is None:
        scheme = None
    organisation = kwargs.get("sme") if action == "request" else kwargs.get("provider")
    if not isinstance(organisation, Organisation):
        organisation = None
    data = dict(refusal.data)
    for name in ("code", "amount", "approve", "party", "invoice_number"):
        if name in kwargs and kwargs[name] is not None and name not in data:
            data[name] = str(kwargs[name])[:120]
    with transaction.atomic():
        _event(
            voucher=voucher,
            scheme=scheme,
            action=action,
            by=kwargs.get("by"),
            kind=VoucherEvent.Kind.REFUSED,
            organisation=organisation,
            from_status=voucher.status if voucher is not None else "",
            message=refusal.message,
            code=refusal.code,
            data=data,
        )
    logger.info("voucher %s refused (%s): %s", action, refusal.code, refusal.message)


# --- schemes -------------------------------------------------------------------------------------------


@transaction.atomic
def scheme_set_envelope(
    *, scheme: VoucherScheme, amount: Decimal | None, by: Any, note: str = ""
) -> VoucherScheme:
    """Set (or change) the budget envelope. It can never drop below what is already committed, and it
    can be emptied only while nothing is committed."""
    locked = _lock_scheme(scheme)
    new = None if amount is None else parse_amount(amount, field_name="budget_envelope")
    if new is None and locked.committed_total > 0:
        raise VoucherRefused(
            "envelope_in_use",
            _("Vouchers already hold %(committed)s EUR of this envelope; it cannot be emptied.")
            % {"committed": locked.committed_total},
            field="budget_envelope",
        )
    if new is not None and new < locked.committed_total:
        raise VoucherRefused(
            "envelope_below_committed",
            _("The envelope cannot be lower than what vouchers already hold: %(committed)s EUR.")
            % {"committed": locked.committed_total},
            field="budget_envelope",
        )
    old = locked.budget_envelope
    locked.budget_envelope = new
    _history(locked, by, note or "budget envelope set")
    locked.save(update_fields=["budget_envelope"])
    _event(
        voucher=None,
        scheme=locked,
        action="set_envelope",
        by=by,
        kind=VoucherEvent.Kind.SCHEME,
        message=note,
        data={"from": str(old) if old is not None else None, "to": str(new) if new is not None else None},
    )
    return locked


@transaction.atomic
def round_open(
    *,
    scheme: VoucherScheme,
    code: str,
    name: str,
    opens_on: dt.date,
    closes_on: dt.date | None,
    by: Any,
) -> SchemeRound:
    """Open a round of requests (the limit per company counts per round)."""
    if closes_on is not None and closes_on < opens_on:
        raise VoucherRefused("round_dates", _("A round closes after it opens."), field="closes_on")
    if SchemeRound.objects.filter(scheme=scheme, code=code).exists():
        raise VoucherRefused(
            "round_exists", _("This scheme already has a round with this code."), field="code"
        )
    round_ = SchemeRound(
        scheme=scheme,
        code=code,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        source_document=SOURCE_SCREEN,
        source_location=f"round opened by {getattr(by, 'username', 'system')}",
    )
    _history(round_, by, "round opened")
    round_.save()
    _event(
        voucher=None,
        scheme=scheme,
        action="open_round",
        by=by,
        kind=VoucherEvent.Kind.SCHEME,
        data={"round": code},
    )
    return round_


@transaction.atomic
def member_add(
    *, scheme: VoucherScheme, user: Any, role: str, by: Any, organisation: Organisation | None = None
) -> SchemeMember:
    """Give a user a role in the scheme: committee, desk or coordinator."""
    if role not in SchemeMember.Role.values:
        raise VoucherRefused("role_unknown", _("Unknown role."), field="role")
    member, _created = SchemeMember.objects.get_or_create(
        scheme=scheme, user=user, role=role, defaults={"organisation": organisation}
    )
    _event(
        voucher=None,
        scheme=scheme,
        action="add_member",
        by=by,
        kind=VoucherEvent.Kind.SCHEME,
        data={"user": user.get_username(), "role": role},
    )
    return member


@transaction.atomic
def provider_register(*, scheme: VoucherScheme, organisation: Organisation, by: Any) -> RegisteredProvider:
    """Register a provider for a scheme whose providers are a registered list."""
    if scheme.provider_rule != ProviderRule.REGISTERED_LIST:
        raise VoucherRefused(
            "providers_are_partners",
            _("This scheme's providers are the partners of its project; none can be registered."),
            field="organisation",
        )
    registration, _created = RegisteredProvider.objects.get_or_create(
        scheme=scheme, organisation=organisation
    )
    _event(
        voucher=None,
        scheme=scheme,
        action="register_provider",
        by=by,
        kind=VoucherEvent.Kind.SCHEME,
        data={"organisation": organisation.name},
    )
    return registration


@transaction.atomic
def related_party_declare(
    *, organisation: Organisation, related: Organisation, kind: str, by: Any, note: str = ""
) -> RelatedPartyLink:
    """Declare that two organisations are related parties (stored once per pair)."""
    if organisation.pk == related.pk:
        raise VoucherRefused(
            "same_organisation",
            _("An organisation is always related to itself; choose another one."),
            field="related",
        )
    if kind not in RelatedPartyLink.Kind.values:
        raise VoucherRefused("kind_unknown", _("Unknown kind of link."), field="kind")
    low, high = sorted([organisation, related], key=lambda org: org.pk)
    link, created = RelatedPartyLink.objects.get_or_create(
        organisation=low,
        related=high,
        defaults={"kind": kind, "note": note, "declared_by": by if by else None},
    )
    if not created:
        raise VoucherRefused(
            "link_exists", _("A link between these organisations is already declared."), field="related"
        )
    _event(
        voucher=None,
        scheme=None,
        action="declare_related_party",
        by=by,
        kind=VoucherEvent.Kind.SCHEME,
        data={"organisation": low.name, "related": high.name, "kind": kind},
    )
    return link


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


# --- the coordinator: checks and payment batches -------------------------------------------------------


def _check_coordinator(scheme: VoucherScheme, by: Any) -> None:
    if by is not None and SchemeMember.Role.COORDINATOR not in selectors.roles_in(by, scheme.pk):
        raise VoucherRefused(
            "not_coordinator",
            _("Only the scheme's coordinator checks redemptions and pays them."),
            status=403,
        )


@audited("check_redemption")
@transaction.atomic
def redemption_check(*, redemption: Redemption, accept: bool, reason: str, by: Any) -> Redemption:
    """The coordinator accepts a redemption for payment, or rejects it with a reason (the voucher goes
    back to invoiced, so the provider can redeem it again once it is corrected)."""
    scheme, voucher = _lock(redemption.voucher)
    _check_coordinator(scheme, by)
    locked = Redemption.objects.select_for_update(no_key=True).get(pk=redemption.pk)
    if locked.state != Redemption.State.SUBMITTED:
        raise VoucherRefused(
            "already_checked", _("This redemption has already been checked."), status=409, voucher=voucher
        )
    reason = (reason or "").strip()
    if not accept and not reason:
        raise VoucherRefused(
            "reason_missing", _("Give the reason for the rejection."), field="reason", voucher=voucher
        )
    locked.state = Redemption.State.ACCEPTED if accept else Redemption.State.REJECTED
    locked.checked_at = _now()
    locked.checked_by = by if getattr(by, "is_authenticated", False) else None
    locked.check_reason = reason
    _history(locked, by, "accepted" if accept else "rejected")
    locked.save()
    if not accept:
        voucher.status = Status.INVOICED
        voucher.redeemed_at = None
        _save(voucher, by, "redemption rejected")
    _event(
        voucher=voucher,
        scheme=scheme,
        action="accept_redemption" if accept else "reject_redemption",
        by=by,
        from_status=Status.REDEEMED,
        to_status=voucher.status,
        message=reason,
    )
    return locked


@audited("create_batch")
@transaction.atomic
def payment_batch_create(*, scheme: VoucherScheme, by: Any) -> PaymentBatch:
    """Put every accepted redemption not yet in a batch into a new payment batch."""
    _check_coordinator(scheme, by)
    locked = _lock_scheme(scheme)
    redemptions = list(
        Redemption.objects.select_for_update(no_key=True)
        .filter(scheme=locked, state=Redemption.State.ACCEPTED, batch__isnull=True)
        .order_by("id")
    )
    if not redemptions:
        raise VoucherRefused("nothing_to_pay", _("There are no accepted redemptions to pay."), status=409)
    number = (PaymentBatch.objects.filter(scheme=locked).aggregate(n=Max("number"))["n"] or 0) + 1
    batch = PaymentBatch(
        scheme=locked,
        number=number,
        total=sum((r.amount for r in redemptions), ZERO),
        created_at=_now(),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _history(batch, by, "batch created")
    batch.save()
    Redemption.objects.filter(pk__in=[r.pk for r in redemptions]).update(batch=batch)
    _event(
        voucher=None,
        scheme=locked,
        action="create_batch",
        by=by,
        kind=VoucherEvent.Kind.SCHEME,
        data={"batch": number, "redemptions": len(redemptions), "total": str(batch.total)},
    )
    return batch


@audited("pay_batch")
@transaction.atomic
def payment_batch_mark_paid(*, batch: PaymentBatch, paid_on: dt.date, by: Any) -> PaymentBatch:
    """The coordinator records that a batch was paid: its vouchers are paid, and each holds of the
    envelope exactly what it paid."""
    scheme = _lock_scheme(batch.scheme_id)
    _check_coordinator(scheme, by)
    locked = PaymentBatch.objects.select_for_update(no_key=True).get(pk=batch.pk)
    if locked.state != PaymentBatch.State.OPEN:
        raise VoucherRefused("already_paid", _("This batch is already paid."), status=409)
    if paid_on > timezone.localdate():
        raise VoucherRefused("paid_in_future", _("A payment date cannot be in the future."), field="paid_on")
    now = _now()
    for redemption in locked.redemptions.select_related("voucher").order_by("voucher_id"):
        voucher = _lock_voucher(redemption.voucher_id)
        _commit(scheme, voucher, redemption.amount)
        voucher.status = Status.PAID
        voucher.paid_at = now
        _save(voucher, by, f"paid in batch {locked.number}")
        _event(
            voucher=voucher,
            scheme=scheme,
            action="pay",
            by=by,
            from_status=Status.REDEEMED,
            to_status=Status.PAID,
            data={"batch": locked.number, "amount": str(redemption.amount)},
        )
    locked.state = PaymentBatch.State.PAID
    locked.paid_on = paid_on
    locked.paid_by = by if getattr(by, "is_authenticated", False) else None
    _history(locked, by, "batch paid")
    locked.save()
    return locked


# --- expired, and the warnings before ------------------------------------------------------------------


def vouchers_expire(*, now: dt.datetime | None = None) -> int:
    """Expire every live voucher whose deadline has passed, releasing what it held of the envelope.
    One transaction per scheme; returns how many vouchers expired."""
    now = now or _now()
    expired = 0
    scheme_ids = set(selectors.vouchers_due(now=now).values_list("scheme_id", flat=True))
    for scheme_id in sorted(scheme_ids):
        with transaction.atomic():
            scheme = _lock_scheme(scheme_id)
            due = (
                selectors.vouchers_due(now=now)
                .filter(scheme=scheme)
                .select_for_update(no_key=True)
                .order_by("id")
            )
            for voucher in due:
                before = voucher.status
                _commit(scheme, voucher, ZERO)
                voucher.status = Status.EXPIRED
                voucher.ended_at = now
                voucher.end_reason = _("The deadline of %(date)s passed.") % {
                    "date": _when(voucher.expires_at)
                }
                _save(voucher, None, "expired")
                _event(
                    voucher=voucher,
                    scheme=scheme,
                    action="expire",
                    by=None,
                    from_status=before,
                    to_status=Status.EXPIRED,
                    message=voucher.end_reason,
                )
                expired += 1
    return expired


def vouchers_warn(*, now: dt.datetime | None = None) -> int:
    """Warn the company and the provider of each live voucher whose deadline falls within the scheme's
    warning period, once per deadline. Returns how many vouchers were warned."""
    now = now or _now()
    warned = 0
    candidates = (
        Voucher.objects.filter(status__in=list(LIVE_STATES), expires_at__gt=now)
        .select_related("scheme", "sme", "provider")
        .order_by("expires_at", "id")
    )
    messages: list[EmailMessage] = []
    for voucher in candidates:
        assert voucher.expires_at is not None
        if voucher.expires_at - dt.timedelta(days=voucher.scheme.warning_days) > now:
            continue
        if voucher.warned_for == voucher.expires_at:
            continue
        with transaction.atomic():
            locked = _lock_voucher(voucher.pk)
            if locked.status not in LIVE_STATES or locked.warned_for == locked.expires_at:
                continue
            locked.warned_for = locked.expires_at
            _save(locked, None, "deadline warning sent")
            recipients = sorted(
                {u.email for u in selectors.users_acting_for([locked.sme_id, locked.provider_id]) if u.email}
            )
            _event(
                voucher=locked,
                scheme=voucher.scheme,
                action="warn",
                by=None,
                kind=VoucherEvent.Kind.NOTICE,
                data={
                    "deadline": locked.expires_at.isoformat() if locked.expires_at else None,
                    "recipients": len(recipients),
                },
            )
        if recipients:
            messages.append(_warning_mail(voucher, recipients))
        warned += 1
    if messages:
        get_connection().send_messages(messages)
    return warned


def _warning_mail(voucher: Voucher, recipients: list[str]) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Voucher %(reference)s expires on %(date)s") % {
            "reference": voucher.reference,
            "date": _when(voucher.expires_at),
        }
        step = selectors.next_step(voucher)
        body = _(
            "The voucher %(reference)s of %(scheme)s (company %(sme)s, provider %(provider)s) expires on "
            "%(date)s. Next step: %(step)s. After the deadline the voucher can no longer be signed, "
            "delivered, invoiced or redeemed."
        ) % {
            "reference": voucher.reference,
            "scheme": voucher.scheme.name,
            "sme": voucher.sme.name,
            "provider": voucher.provider.name,
            "date": _when(voucher.expires_at),
            "step": step.action,
        }
    return EmailMessage(subject=subject, body=body, to=recipients)


# --- the reference data: schemes from schemes.yaml -----------------------------------------------------


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class SchemeLoadError(Exception):
    def __init__(self, result: LoadResult) -> None:
        super().__init__("; ".join(result.errors))
        self.result = result


PUBLISHED_FIELDS = (
    "name_nl",
    "name_en",
    "description_nl",
    "description_en",
    "eligible_services_nl",
    "eligible_services_en",
    "committee_text_nl",
    "committee_text_en",
    "value",
    "covered_share",
    "signing_period_months",
    "completion_period_months",
    "provider_rule",
    "per_company_per_round",
    "per_company_total",
    "warning_days",
)


def _organisation(name: Any, where: str, result: LoadResult) -> Organisation | None:
    if name in (None, ""):
        return None
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        result.errors.append(f"{where}: no organisation named {name!r} (run `deltaregio load-seed` first)")
    return org


def scheme_load(*, path: Path = DATA_FILE, dry_run: bool = False) -> LoadResult:
    """Load the voucher schemes of the reference data set (all or nothing). Loading again updates what
    the source states and never what an officer set: the budget envelope, whether the scheme takes
    requests, rounds and members added on the platform."""
    result = LoadResult()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        result.errors.append(f"{path.name}: cannot be read: {exc}")
        raise SchemeLoadError(result) from exc
    document = str(data.get("document") or "")
    if not document:
        result.errors.append(f"{path.name}: `document` (the source file name) is missing")
    try:
        with transaction.atomic():
            for i, record in enumerate(data.get("schemes") or []):
                _load_scheme(record, document, f"{path.name}, schemes[{i}]", result)
            if result.errors or dry_run:
                transaction.set_rollback(True)
    except (IntegrityError, ValueError, InvalidOperation, TypeError) as exc:
        result.errors.append(f"{path.name}: {exc}")
    if result.errors:
        raise SchemeLoadError(result)
    return result


def _load_scheme(record: dict[str, Any], document: str, where: str, result: LoadResult) -> None:
    code = str(record.get("code") or "")
    if not code:
        result.errors.append(f"{where}: `code` is missing")
        return
    where = f"{where} ({code})"
    project = None
    if record.get("project"):
        project = Project.objects.filter(acronym=record["project"]).first()
        if project is None:
            result.errors.append(
                f"{where}: no project {record['project']!r} (run `deltaregio load-seed` first)"
            )
    desk = _organisation(record.get("desk"), where, result)
    coordinator = _organisation(record.get("coordinator"), where, result)
    values: dict[str, Any] = {
        "name_nl": record.get("name") or "",
        "name_en": record.get("name_en") or "",
        "description_nl": record.get("description") or "",
        "description_en": record.get("description_en") or "",
        "eligible_services_nl": record.get("eligible_services") or "",
        "eligible_services_en": record.get("eligible_services_en") or "",
        "committee_text_nl": record.get("committee_text") or "",
        "committee_text_en": record.get("committee_text_en") or "",
        "value": Decimal(str(record["value"])),
        "covered_share": Decimal(str(record["covered_share"])),
        "signing_period_months": int(record["signing_period_months"]),
        "completion_period_months": record.get("completion_period_months"),
        "provider_rule": record.get("provider_rule") or ProviderRule.PROJECT_PARTNERS,
        "per_company_per_round": int(record.get("per_company_per_round") or 1),
        "per_company_total": record.get("per_company_total"),
        "warning_days": int(record.get("warning_days") or 14),
    }
    if values["provider_rule"] not in ProviderRule.values:
        result.errors.append(f"{where}: provider_rule must be one of {', '.join(ProviderRule.values)}")
    if not values["name_nl"] or not values["eligible_services_nl"]:
        result.errors.append(f"{where}: `name` and `eligible_services` are required")
    if result.errors:
        return
    scheme = VoucherScheme.objects.filter(code=code).first()
    if scheme is None:
        scheme = VoucherScheme(code=code)
        envelope = record.get("budget_envelope")
        scheme.budget_envelope = None if envelope in (None, "") else Decimal(str(envelope))
        result.created.append(code)
    else:
        result.updated.append(code)
    for name, value in values.items():
        setattr(scheme, name, value)
    scheme.project = project
    scheme.desk = desk
    scheme.coordinator = coordinator
    scheme.source_document = document
    scheme.source_location = str(record.get("source") or "")
    scheme.provenance = {str(k): str(v) for k, v in (record.get("sources") or {}).items()}
    _history(scheme, None, "loaded from the reference data set")
    scheme.full_clean(exclude=["budget_envelope", "committed_total"], validate_constraints=False)
    scheme.save()
    for j, round_record in enumerate(record.get("rounds") or []):
        round_code = str(round_record.get("code") or "")
        if not round_code:
            result.errors.append(f"{where}, rounds[{j}]: `code` is missing")
            continue
        SchemeRound.objects.update_or_create(
            scheme=scheme,
            code=round_code,
            defaults={
                "name": round_record.get("name") or round_code,
                "opens_on": round_record["opens_on"],
                "closes_on": round_record.get("closes_on"),
                "note": round_record.get("note") or "",
                "source_document": document,
                "source_location": str(round_record.get("source") or ""),
            },
        )
