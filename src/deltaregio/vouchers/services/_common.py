"""What every step of the vouchers domain shares: refusals, amounts, locks, the audit trail."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from deltaregio.accounts.selectors import organisation_ids_for
from deltaregio.directory.models import Organisation
from deltaregio.vouchers.models import (
    LIVE_STATES,
    Status,
    Voucher,
    VoucherEvent,
    VoucherScheme,
)

logger = logging.getLogger("deltaregio.vouchers")

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999.99")
DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "schemes.yaml"
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
