"""Background work of the imports domain (Celery; inline when no broker is configured)."""

from __future__ import annotations

from celery import shared_task

from deltaregio.imports.services import import_run_execute


@shared_task(name="imports.run_import")
def run_import(run_id: int) -> str:
    """Run a recorded import; its report is stored on the ImportRun."""
    run = import_run_execute(run_id=run_id)
    return str(run.state)
