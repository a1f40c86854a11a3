"""`deltaregio export-360giving [--output FILE]`: the programme's grants as a 360Giving data package
(JSON). `deltaregio export --format 360giving` is meant to call the same function
(deltaregio.imports.opendata.write_360giving)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from deltaregio.imports.opendata import write_360giving


class Command(BaseCommand):
    help = (
        "Write the programme's grants (granted contributions to published projects that are approved, "
        "running or closed, and issued vouchers) as a 360Giving data package to standard output or a file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Write to this file instead of standard output.")
        parser.add_argument("--indent", type=int, default=2, help="Indentation of the JSON (0 for compact).")

    def handle(self, *args: Any, **options: Any) -> None:
        indent = options["indent"] or None
        with translation.override("en"):
            if options["output"]:
                with Path(options["output"]).open("w", encoding="utf-8") as stream:
                    count = write_360giving(stream, indent=indent)
                sys.stderr.write(f"{count} grants written to {options['output']}\n")
            else:
                write_360giving(self.stdout, indent=indent)  # type: ignore[arg-type]
