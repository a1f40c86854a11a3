from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from deltaregio.accounts.services import demo_users_create


class Command(BaseCommand):
    help = "Create a demo administrator and one demo user per role, and print how to log in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="deltaregio-demo", help="Password for every demo account.")
        parser.add_argument(
            "--allow-production", action="store_true", help="Create demo users even when DEBUG is off."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Demo users are for a local demonstration; DEBUG is off, so none were created."
            )
        accounts = demo_users_create(password=options["password"])
        self.stdout.write("Log in at http://127.0.0.1:8000/login/ with one of these accounts:")
        for account in accounts:
            org = f", for {account.organisation}" if account.organisation else ""
            self.stdout.write(f"  {account.username:28} password {account.password}  ({account.role}{org})")
