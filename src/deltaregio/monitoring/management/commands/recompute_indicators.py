from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from deltaregio.monitoring.tasks import recompute_indicators


class Command(BaseCommand):
    help = "Recompute the computed indicators from the platform's records (the scheduled task, by hand)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", help="Only these indicators (default: all computed ones).")

    def handle(self, *args: Any, **options: Any) -> None:
        computed = recompute_indicators.delay(options["codes"] or None).get()
        for code, value in sorted(computed.items()):
            self.stdout.write(f"{code}: {value}")
