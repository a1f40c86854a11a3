"""Background work of the operations domain."""

from __future__ import annotations

import os

from celery import shared_task


@shared_task(name="ops.ping")
def ping(token: str) -> dict[str, object]:
    """Answer with the token and the worker's process id: proves a task travelled through the queue to
    a worker and its result came back (the health of the whole queue, used by tests and monitoring)."""
    return {"token": token, "pid": os.getpid()}
