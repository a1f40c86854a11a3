"""The scheduled expiry of vouchers whose signing deadline passed, and the warnings before it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from deltaregio.vouchers import selectors
from deltaregio.vouchers.models import (
    LIVE_STATES,
    Status,
    Voucher,
    VoucherEvent,
)
from deltaregio.vouchers.services._common import (
    ZERO,
    _commit,
    _event,
    _lock_scheme,
    _lock_voucher,
    _now,
    _save,
    _when,
)

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
