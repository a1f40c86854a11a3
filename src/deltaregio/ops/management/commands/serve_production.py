"""`deltaregio serve-production`: migrate, collect the static files, then run the application server
(gunicorn, several workers), a Celery worker and Celery beat until one of them stops or Ctrl-C.

It refuses to run unless the settings are production settings (DELTAREGIO_PRODUCTION=true, debug off,
a real secret key — checked when the settings load), the database is PostgreSQL and a broker is
configured. Each part can also be started on its own (docs/scaling.md), e.g. on separate machines.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from deltaregio.config import PROJECT_ROOT


class Command(BaseCommand):
    help = "Run the platform in production mode: gunicorn workers, a Celery worker and Celery beat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-migrate", action="store_true", help="Do not migrate first.")
        parser.add_argument("--no-beat", action="store_true", help="Do not run the scheduler here.")
        parser.add_argument(
            "--worker-concurrency", type=int, default=2, help="Celery worker processes (default 2)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PRODUCTION:
            raise CommandError(
                "serve-production needs DELTAREGIO_PRODUCTION=true (and DELTAREGIO_DEBUG=false)"
            )
        if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
            raise CommandError("serve-production needs PostgreSQL: set DATABASE_URL=postgres://…")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("serve-production needs a task queue: set CELERY_BROKER_URL=redis://…")
        if options["worker_concurrency"] < 1:
            raise CommandError("--worker-concurrency must be at least 1")
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        bin_dir = Path(sys.executable).parent
        commands = [
            [str(bin_dir / "gunicorn"), "-c", "python:deltaregio.gunicorn_config"],
            [
                str(bin_dir / "celery"),
                "-A",
                "deltaregio",
                "worker",
                "-l",
                "info",
                "--concurrency",
                str(options["worker_concurrency"]),
            ],
        ]
        if not options["no_beat"]:
            schedule = (
                PROJECT_ROOT / "data" / "celerybeat-schedule"
            )  # beat's own state, not in the repository
            schedule.parent.mkdir(parents=True, exist_ok=True)
            commands.append(
                [str(bin_dir / "celery"), "-A", "deltaregio", "beat", "-l", "info", "-s", str(schedule)]
            )
        processes = [subprocess.Popen(command) for command in commands]  # noqa: S603 - our own binaries
        self.stdout.write(f"serving on http://{settings.DELTAREGIO_WEB_BIND}/ (health: /health/)")
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        failed = [
            Path(command[0]).name
            for command, process in zip(commands, processes, strict=True)
            if process.returncode not in (0, -signal.SIGTERM)
        ]
        if failed:
            raise CommandError(f"stopped: {failed[0]} exited with an error")
