"""`deltaregio generate --participations N [--seed S]`: a synthetic portfolio for benchmarks."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deltaregio.ops import synthetic
from deltaregio.ops.services import GenerateError, portfolio_generate


def _count(raw: str) -> int:
    text = raw.replace("_", "").replace(",", "")
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number such as 1000000, not {raw!r}")
    return int(text)


class Command(BaseCommand):
    help = (
        "Add a synthetic portfolio (projects, organisations, partners, work packages, budgets, calls, "
        "scans, vouchers) whose distributions follow the real data sets; deterministic for a seed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--participations", type=_count, help="Number of participations (partners in projects)."
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed (default 1); same seed, same portfolio."
        )
        parser.add_argument(
            "--scans", type=int, help="Completed scans to add (default: N ÷ 5000, at most 200)."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--show-distributions", action="store_true", help="Print the distributions read and stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["show_distributions"]:
            self.stdout.write(json.dumps(synthetic.load().summary(), indent=2))
            return
        if options["participations"] is None:
            raise CommandError("--participations N is required (e.g. --participations 10000)", returncode=2)
        if options["scans"] is not None and options["scans"] < 0:
            raise CommandError("--scans must not be negative", returncode=2)
        started = time.monotonic()
        say = (lambda message: print(message, file=sys.stderr)) if options["format"] == "text" else None
        try:
            report = portfolio_generate(
                participations=options["participations"],
                seed=options["seed"],
                scans=options["scans"],
                progress=say,
            )
        except GenerateError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        data = {**report.as_dict(), "seconds": round(time.monotonic() - started, 1)}
        if options["format"] == "json":
            self.stdout.write(json.dumps(data))
            return
        self.stdout.write(
            f"{report.participations:,} participations in {report.projects:,} projects, "
            f"{report.organisations:,} organisations, {report.work_packages:,} work packages, "
            f"{report.contributions:,} contributions, {report.calls:,} calls, {report.scans} scans, "
            f"{report.vouchers} voucher requests (seed {report.seed}, {data['seconds']} s); "
            f"distributions from {', '.join(report.distributions)}"
        )
