"""Reads of the operations domain: is each part the platform depends on reachable?"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    state: str  # "ok", "down", or "inline" (no broker configured: background work runs in-process)


def database_check() -> Check:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Check("database", False, "down")
    return Check("database", True, "ok")


def queue_check(*, timeout: float = 2.0) -> Check:
    """The task queue's broker answers. Without a broker (the embedded default) tasks run inline,
    which is healthy by definition."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Check("queue", True, "inline")
    from deltaregio.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
            # A round trip on the broker itself, not only an open socket.
            connection.default_channel.client.ping()
    except Exception:  # any failure of the broker is "down"; the reason stays in the server's log
        return Check("queue", False, "down")
    return Check("queue", True, "ok")


def health_checks() -> list[Check]:
    return [database_check(), queue_check()]
