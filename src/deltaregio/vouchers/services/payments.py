"""The coordinator's side: redemption checks and payment batches."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from deltaregio.vouchers import selectors
from deltaregio.vouchers.models import (
    PaymentBatch,
    Redemption,
    SchemeMember,
    Status,
    VoucherEvent,
    VoucherScheme,
)
from deltaregio.vouchers.services._common import (
    ZERO,
    VoucherRefused,
    _commit,
    _event,
    _history,
    _lock,
    _lock_scheme,
    _lock_voucher,
    _now,
    _save,
    audited,
)

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
