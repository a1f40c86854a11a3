"""Scheduled work of the vouchers domain (Celery; inline when no broker is configured).

Schedule it with Celery beat (see docs/vouchers.md for the CELERY_BEAT_SCHEDULE entry):

    "vouchers-expire-and-warn": {"task": "deltaregio.vouchers.tasks.vouchers_expire_and_warn",
                                 "schedule": 3600.0}
"""

from __future__ import annotations

from celery import shared_task

from deltaregio.vouchers import services


@shared_task(name="deltaregio.vouchers.tasks.vouchers_expire_and_warn", acks_late=True)
def vouchers_expire_and_warn() -> dict[str, int]:
    """Expire every voucher whose deadline passed (releasing what it held of the envelope), then warn
    the company and the provider of vouchers whose deadline is within the scheme's warning period.
    Safe to run often and twice at once: each voucher is changed under a row lock, and warned once per
    deadline."""
    expired = services.vouchers_expire()
    warned = services.vouchers_warn()
    return {"expired": expired, "warned": warned}
