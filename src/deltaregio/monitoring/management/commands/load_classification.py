from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deltaregio.monitoring.services import MonitoringRefused, scheme_load_csv


class Command(BaseCommand):
    help = (
        "Load a discipline classification scheme from a CSV file (columns code, label; 3.4 is part of 3), "
        "then apply the shipped classification of the reference projects, the crosswalks for imported data "
        "and the saved selections. Twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file, e.g. the OECD Fields of Science 2007 table.")
        parser.add_argument("--scheme", default="oecd-fos-2007", help="The scheme's code.")
        parser.add_argument("--name", default="OECD Fields of Science and Technology (2007)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path.name}", returncode=2)
        try:
            result = scheme_load_csv(code=options["scheme"], name=options["name"], path=path)
        except MonitoringRefused as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(
            f"Scheme {options['scheme']}: {result.created} categories created or changed, {result.unchanged} "
            f"unchanged; {result.assignments} project classifications, {result.rules} crosswalk rules, "
            f"{result.selections} selections added or changed."
        )
