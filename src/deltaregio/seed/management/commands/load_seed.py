from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deltaregio.seed.reader import SeedFileError
from deltaregio.seed.services import SeedLoadError, seed_load


class Command(BaseCommand):
    help = (
        "Load the reference data set taken from the five source documents. Loading twice changes "
        "nothing; on a database whose data conflicts with it, it explains each conflict and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Validate and compare, then roll back.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = seed_load(dry_run=options["dry_run"])
        except SeedFileError as exc:
            raise CommandError(f"the data set cannot be read: {exc}") from exc
        except SeedLoadError as exc:
            for error in exc.report.errors:
                self.stderr.write(f"error: {error}")
            for conflict in exc.report.conflicts:
                self.stderr.write(f"conflict: {conflict}")
            raise CommandError(f"{exc}.") from exc
        from deltaregio.vouchers.services import SchemeLoadError, scheme_load

        try:
            schemes = scheme_load(dry_run=options["dry_run"])
        except SchemeLoadError as exc:
            for problem in exc.result.errors:
                self.stderr.write(f"error: {problem}")
            raise CommandError("the voucher schemes of the reference data could not be loaded") from exc
        from deltaregio.calls.reference import ReferenceCallsError, reference_calls_load

        try:
            calls = reference_calls_load(dry_run=options["dry_run"])
        except ReferenceCallsError as exc:
            raise CommandError(f"the reference calls could not be loaded: {exc}") from exc
        self.stdout.write(f"Call configurations: {len(calls.created)} created.")
        from deltaregio.monitoring.services import LoadError, classification_apply, indicators_load

        try:
            indicators = indicators_load(dry_run=options["dry_run"])
        except LoadError as exc:
            for problem in exc.result.errors:
                self.stderr.write(f"error: {problem}")
            raise CommandError("the indicators of the reference data could not be loaded") from exc
        if not options["dry_run"]:
            from deltaregio.monitoring.tasks import recompute_indicators

            classification_apply()
            recompute_indicators.delay()
        self.stdout.write(
            f"Indicators: {indicators.indicators_created} created, {indicators.indicators_updated} updated, "
            f"{indicators.targets} targets added or changed."
        )
        created_schemes, updated_schemes = len(schemes.created), len(schemes.updated)
        self.stdout.write(f"Voucher schemes: {created_schemes} created, {updated_schemes} updated.")
        created = sum(report.created.values())
        unchanged = sum(report.unchanged.values())
        prefix = "Dry run: would create" if options["dry_run"] else "Created"
        self.stdout.write(f"{prefix} {created} record(s); {unchanged} already present and unchanged.")
        for model, count in sorted(report.created.items()):
            self.stdout.write(f"  {model}: {count} new")
