from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from deltaregio.seed.selectors import data_set_export


class Command(BaseCommand):
    help = "Write the whole data set (json) or the open grants data (360giving) to standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            choices=["json", "360giving"],
            required=True,
            help="json: the whole data set (docs/data-model.md); 360giving: the programme's grants as a "
            "360Giving data package (docs/imports.md).",
        )
        parser.add_argument("--indent", type=int, default=2, help="Indentation of the JSON (0 for compact).")

    def handle(self, *args: Any, **options: Any) -> None:
        indent = options["indent"] or None
        if options["format"] == "360giving":
            from deltaregio.imports.opendata import write_360giving

            write_360giving(self.stdout, indent=indent)  # type: ignore[arg-type]
            return
        everything = User(is_superuser=True, is_active=True)
        with translation.override("nl"):
            document = data_set_export(user=everything)
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=indent))
