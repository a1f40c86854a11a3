"""`deltaregio importdata --profile NAME FILE [--dry-run] [--skip-invalid]` (aliased as `deltaregio
import`): import published programme data with a mapping profile.

Everything is checked first; every problem is listed with its row (or record) and field. Nothing is
written unless every record is valid, or --skip-invalid was given (the invalid ones are listed); the
write is one transaction. A progress bar runs on standard error; the report ends with the rows read and
the records created, updated, skipped and the organisations matched. Exit status: 0 when imported (or,
in a dry run, when the file is valid), 1 when the file was refused, 2 for a wrong profile or file name.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from deltaregio.imports.engine import Report
from deltaregio.imports.profiles import ProfileError, load_profile, profile_from_text, shipped_profile_names
from deltaregio.imports.services import import_file


class ProgressBar:
    """A bar on standard error, redrawn at most ten times a second: 'check [#####.....] 1200/2931'."""

    def __init__(self, stream: Any, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.last = 0.0
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if phase == self.phase and done < total and now - self.last < 0.1:
            return
        if phase != self.phase and self.phase:
            self.stream.write("\n")
        self.phase, self.last = phase, now
        width = 30
        filled = int(width * done / max(total, 1))
        label = {"check": "checking", "write": "writing "}.get(phase, phase)
        self.stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.phase:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import a file of published programme data with a mapping profile: CSV, JSON or XLSX. Checks "
        "everything first and lists every problem with its row and field; writes nothing unless all "
        "records are valid (or --skip-invalid), in one transaction; importing the same file twice changes "
        "nothing the second time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--profile",
            required=True,
            help="A shipped profile ("
            + ", ".join(shipped_profile_names())
            + ") or the path of a profile YAML file.",
        )
        parser.add_argument("file", help="The file to import.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid records and leave out the invalid ones (they are listed).",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text", help="Report format.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on standard error.")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="en",
            help="Language of the report (default: en).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        name = options["profile"]
        try:
            if name.endswith((".yaml", ".yml")) or "/" in name:
                profile = profile_from_text(Path(name).read_text(encoding="utf-8"))
            else:
                profile = load_profile(name)
        except ProfileError as exc:
            raise CommandError(
                "the profile cannot be used:\n  " + "\n  ".join(exc.problems), returncode=2
            ) from exc
        except OSError as exc:
            raise CommandError(f"cannot read the profile {name}: {exc.strerror}", returncode=2) from exc
        path = Path(options["file"])
        try:
            data = path.open("rb")  # read as a stream: a large CSV file is never held whole in memory
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from exc
        bar = ProgressBar(sys.stderr, not options["no_progress"] and options["format"] == "text")
        try:
            report = import_file(
                data=data,
                profile=profile,
                file_name=path.name,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=bar,
            )
        finally:
            bar.close()
            data.close()
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
        else:
            self._text(report)
        if report.state == "refused":
            raise CommandError(
                f"{len(report.errors)} problem(s); nothing was written.",
                returncode=1,
            )

    def _text(self, report: Report) -> None:
        out = self.stdout.write
        data = report.as_dict()
        for problem in report.errors[:1000]:
            out(f"ERROR   {problem.location}: {problem.field}: {problem.message}")
        if len(report.errors) > 1000:
            out(f"… and {len(report.errors) - 1000} more errors (use --format json for all)")
        for problem in report.warnings[:200]:
            out(f"warning {problem.location}: {problem.field}: {problem.message}")
        if len(report.warnings) > 200:
            out(f"… and {len(report.warnings) - 200} more warnings (use --format json for all)")
        if report.matches:
            out("")
            out("Organisations matched (for review):")
            for match in report.matches[:200]:
                names = " / ".join(match["source_names"])
                out(
                    f"  {names} → {match['organisation']} [{match['method']}: {match['detail']}] "
                    f"({match['locations']})"
                )
            if len(report.matches) > 200:
                out(f"  … and {len(report.matches) - 200} more (use --format json for all)")
        if report.conflict_counts:
            out("")
            out("Values that differ between rows of one record (the first was kept):")
            for tag, n in sorted(report.conflict_counts.items()):
                out(f"  {tag}: {n}")
        if report.notes:
            out("")
            out("What was done:")
            for note in report.notes:
                out(f"  - {note}")
        if report.nuts_resolved or report.nuts_unknown:
            out("")
            out(f"NUTS: {len(report.nuts_resolved)} region names found in Eurostat's table")
            if report.nuts_unknown:
                out("  not in the table (kept as text): " + ", ".join(report.nuts_unknown))
        out("")
        out(
            "Personal data stored: "
            + (
                ", ".join(report.personal_fields)
                if report.personal_fields
                else "none (the profile maps no personal field)"
            )
        )
        if report.personal_not_stored:
            out("  columns that look personal and were not stored: " + ", ".join(report.personal_not_stored))
        if report.rounded:
            out(
                f"Amounts rounded to the cent: {report.rounded}"
                f" ({len(report.rounding_reported)} by more than a tenth of a cent, listed above)"
            )
        for label, total in report.amount_totals.items():
            out(f"Total {label}: {total}")
        out("")
        state = {
            "done": "Imported.",
            "checked": "Dry run: the file is valid; nothing was written.",
            "refused": "Refused: nothing was written.",
        }.get(report.state, report.state)
        out(state)
        out(
            f"Rows read: {data['rows']['read']}; valid: {data['rows']['valid']}; "
            f"invalid: {data['rows']['invalid']}; "
            f"duplicates skipped: {data['rows']['duplicate']}"
        )
        verb = "would be " if report.state != "done" else ""
        out(
            f"Records {verb}created: {data['created']}; {verb}updated: {data['updated']}; unchanged: "
            f"{data['unchanged']}; existing records referred to: {data['referenced']}; "
            f"skipped rows: {data['skipped']}; "
            f"organisations matched: {data['organisations_matched']}"
        )
        for kind, counts in sorted(report.counts.items()):
            out(f"  {kind}: " + ", ".join(f"{action} {n}" for action, n in sorted(counts.items())))
        out(f"Time: {report.seconds:.1f} s")
