from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from deltaregio.seed.selectors import data_set_export


class Command(BaseCommand):
    help = "Write the whole data set to standard output as one JSON document (see docs/data-model.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json"], required=True, help="Output format (json).")
        parser.add_argument("--indent", type=int, default=2, help="Indentation of the JSON (0 for compact).")

    def handle(self, *args: Any, **options: Any) -> None:
        everything = User(is_superuser=True, is_active=True)
        with translation.override("nl"):
            document = data_set_export(user=everything)
        indent = options["indent"] or None
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=indent))
