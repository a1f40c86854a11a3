"""`deltaregio expire-vouchers`: run the scheduled voucher task once, now (expire vouchers whose
deadline passed; warn the company and provider of vouchers about to expire)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from deltaregio.vouchers.tasks import vouchers_expire_and_warn


class Command(BaseCommand):
    help = "Expire vouchers whose deadline passed and warn about those close to it (the scheduled task)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = vouchers_expire_and_warn()
        self.stdout.write(f"Vouchers expired: {result['expired']}; warned: {result['warned']}.")
