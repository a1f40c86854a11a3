"""`deltaregio check-budgets [--format text|json]`: run every budget consistency rule on the whole
database and list the findings, most serious first; what agrees within rounding is listed apart."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from deltaregio.finance.checks import RULES
from deltaregio.finance.findings import Finding, Report, Severity
from deltaregio.finance.selectors import budget_findings


class Command(BaseCommand):
    help = (
        "Check every budget: sums, shares, rates, the same figure stated in several places, impossible "
        "values and dates. Lists the findings, most serious first, and what agrees within rounding."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text", help="Output format.")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="en",
            help="Language of the messages (default: en).",
        )
        parser.add_argument(
            "--fail-on-findings",
            action="store_true",
            help="Exit with status 1 when there are findings (for use in CI).",
        )
        parser.add_argument("--list-rules", action="store_true", help="List the rules and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            if options["list_rules"]:
                self._rules(options["format"])
                return
            report = budget_findings()
            if options["format"] == "json":
                self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            else:
                self._text(report)
        if options["fail_on_findings"] and report.findings:
            raise CommandError(f"{len(report.findings)} finding(s)", returncode=1)

    def _rules(self, output: str) -> None:
        rules = [
            {"code": r.code, "severity": r.severity, "title": str(r.title), "checks": str(r.checks)}
            for r in RULES
        ]
        if output == "json":
            self.stdout.write(json.dumps(rules, ensure_ascii=False, indent=2))
            return
        for rule in rules:
            self.stdout.write(f"{rule['code']:32} {rule['severity']:13} {rule['checks']}")

    def _text(self, report: Report) -> None:
        write = self.stdout.write
        write(
            f"{report.checked} relations checked: {report.exact} agree exactly, "
            f"{len(report.within_rounding)} within rounding, {len(report.findings)} findings."
        )
        if report.findings:
            write("")
            write("FINDINGS (most serious first)")
            for i, finding in enumerate(report.findings, start=1):
                self._finding(i, finding)
        if report.within_rounding:
            write("")
            write("WITHIN ROUNDING (not findings: the difference is no larger than the rounding allows)")
            for finding in report.within_rounding:
                write(
                    f"  - {finding.message} [difference {finding.difference} {finding.unit}, "
                    f"allowed {finding.tolerance}]"
                )

    def _finding(self, number: int, finding: Finding) -> None:
        write = self.stdout.write
        about = finding.project or finding.programme
        write("")
        write(f"{number}. [{Severity.label(finding.severity)}] {finding.message}")
        write(f"   rule {finding.rule}{f', about {about}' if about else ''}; key {finding.key}")
        first, second = ("lowest", "highest") if finding.rule == "same-quantity" else ("expected", "stated")
        write(
            f"   {first} {finding.expected}, {second} {finding.actual}, difference {finding.difference} "
            f"{finding.unit}; allowed by rounding {finding.tolerance}"
        )
        for figure in finding.figures:
            source = figure.source
            where = f"{source.document}, {source.location}" if source.location else source.document
            write(f"   - {figure.label}: {figure.text or figure.value}  ({where})")
