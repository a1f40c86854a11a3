"""Reads of the operations domain: is each part the platform depends on reachable?"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractYear


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


# --- portfolio analytics ---------------------------------------------------------------------------

Aggregates = dict[str, dict[tuple[str, str], tuple[int, Decimal]]]


def portfolio_aggregates(*, projects: QuerySet[Any]) -> Aggregates:
    """The dashboard's figures for the given projects, computed in the database: per theme, instrument
    and start year the number of projects and their total cost; per country the number of
    participations and the contributions granted to them. Keys are (value, unit): amounts in
    different units are never added together. Four GROUP BY queries, whatever the number of rows."""
    from deltaregio.finance.models import FundingContribution
    from deltaregio.projects.models import Project

    through = Project.themes.through
    ids = projects.values("pk")

    def grouped(rows: Any, key: str, unit: str) -> dict[tuple[str, str], tuple[int, Decimal]]:
        return {
            ("" if row[key] is None else str(row[key]), row[unit]): (
                row["n"],
                row["total"] if row["total"] is not None else Decimal(0),
            )
            for row in rows
        }

    base = Project.objects.filter(pk__in=ids)
    return {
        "theme": grouped(
            through.objects.filter(project__in=ids)
            .values("theme_id", "project__cost_unit")
            .annotate(n=Count("id"), total=Sum("project__total_cost")),
            "theme_id",
            "project__cost_unit",
        ),
        "instrument": grouped(
            base.values("instrument_id", "cost_unit").annotate(n=Count("id"), total=Sum("total_cost")),
            "instrument_id",
            "cost_unit",
        ),
        "year": grouped(
            base.annotate(year=ExtractYear("start_date"))
            .values("year", "cost_unit")
            .annotate(n=Count("id"), total=Sum("total_cost")),
            "year",
            "cost_unit",
        ),
        "country": grouped(
            FundingContribution.partners.through.objects.filter(partner__project__in=ids)
            .values("partner__country", "fundingcontribution__unit")
            .annotate(n=Count("id"), total=Sum("fundingcontribution__amount")),
            "partner__country",
            "fundingcontribution__unit",
        ),
    }
