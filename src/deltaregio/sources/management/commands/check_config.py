from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from deltaregio import config


class Command(BaseCommand):
    help = (
        "List every setting Deltaregio reads from the environment, its value, its default and what it does."
    )
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        for row in config.describe():
            self.stdout.write(f"{row['name']}={row['value']}  [{row['source']}]")
            self.stdout.write(f"    {row['help']}")
        from django.db import connection

        self.stdout.write(f"\nDatabase engine in use: {connection.vendor}")
