"""`deltaregio load-voucher-schemes`: load the voucher schemes of the reference data set
(vouchers/data/schemes.yaml) after `deltaregio load-seed`. All or nothing; `--dry-run` only checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deltaregio.vouchers.services import DATA_FILE, SchemeLoadError, scheme_load


class Command(BaseCommand):
    help = "Load the voucher schemes of the reference data set (run after load-seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DATA_FILE, help="YAML file to load.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = scheme_load(path=options["file"], dry_run=options["dry_run"])
        except SchemeLoadError as exc:
            raise CommandError("\n".join(exc.result.errors)) from exc
        verb = "would load" if options["dry_run"] else "loaded"
        self.stdout.write(
            f"Voucher schemes {verb}: {len(result.created)} new, {len(result.updated)} updated "
            f"({', '.join(result.created + result.updated) or '-'})."
        )
