"""`deltaregio scan score|load|list|purge`: the scan engine from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from deltaregio.funnel import engine, selectors, services
from deltaregio.funnel.models import Questionnaire


class Command(BaseCommand):
    help = (
        "Score answers with a scan questionnaire, load questionnaire versions, list them, "
        "purge expired scans."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{score,load,list,purge}")
        score = sub.add_parser(
            "score",
            help="Score an answer file and print the result as JSON.",
            description=(
                "Score a JSON answer file (keyed by question code, options numbered from 1) and print "
                "the result as one line of JSON. Invalid or incomplete answers: exit status 2, with a "
                "message per question on standard error."
            ),
        )
        score.add_argument("--questionnaire", required=True, help="Questionnaire name, e.g. edih-dma-sme.")
        score.add_argument("--answers", required=True, help="JSON answer file, or - for standard input.")
        score.add_argument(
            "--version", dest="questionnaire_version", help="A version (default: the current one)."
        )
        load = sub.add_parser("load", help="Load the questionnaire files that are not loaded yet.")
        load.add_argument(
            "--directory", help="Folder with questionnaire YAML files (default: the shipped ones)."
        )
        sub.add_parser("list", help="List the loaded questionnaire versions.")
        sub.add_parser("purge", help="Delete scans whose resume link expired without a result.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "score":
            self._score(options["questionnaire"], options["answers"], options.get("questionnaire_version"))
        elif action == "load":
            self._load(options.get("directory"))
        elif action == "list":
            for q in Questionnaire.objects.order_by("slug", "version"):
                mark = "current" if q.is_current else ""
                self.stdout.write(f"{q.slug}\t{q.version}\t{mark}\t{q.file_name}\t{q.checksum[:12]}")
        else:
            self.stdout.write(f"Deleted {services.scans_purge_expired()} expired scan(s).")

    def _spec(self, slug: str, version: str | None) -> engine.QuestionnaireSpec:
        """The version in the database (the one the web and the API use); where the database has no
        questionnaires loaded, the shipped file of that name."""
        try:
            return selectors.questionnaire_spec(selectors.questionnaire_version(slug=slug, version=version))
        except (Questionnaire.DoesNotExist, DatabaseError):
            pass
        for path in sorted(services.QUESTIONNAIRE_DIR.glob("*.yaml")):
            spec = services.questionnaire_read(path)
            if spec.slug == slug and (version is None or spec.version == version):
                return spec
        known = sorted(
            {services.questionnaire_read(p).slug for p in services.QUESTIONNAIRE_DIR.glob("*.yaml")}
        )
        wanted = f"{slug} version {version}" if version else slug
        raise CommandError(f"unknown questionnaire {wanted}; known: {', '.join(known)}", returncode=2)

    def _score(self, slug: str, answers_path: str, version: str | None) -> None:
        spec = self._spec(slug, version)
        try:
            raw = sys.stdin.read() if answers_path == "-" else Path(answers_path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read the answer file: {exc.strerror or exc}", returncode=2) from exc
        try:
            answers = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"the answer file is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                returncode=2,
            ) from exc
        try:
            result = engine.score(spec, answers)
        except engine.AnswersInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            questions = ", ".join(dict.fromkeys(p.question for p in exc.problems))
            raise CommandError(f"the answers cannot be scored; see {questions}", returncode=2) from exc
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))

    def _load(self, directory: str | None) -> None:
        try:
            outcomes = services.questionnaires_load(directory=Path(directory) if directory else None)
        except engine.DefinitionError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        for outcome in outcomes:
            state = "loaded" if outcome.created else "already loaded, unchanged"
            self.stdout.write(f"{outcome.slug} {outcome.version} ({outcome.file_name}): {state}")
