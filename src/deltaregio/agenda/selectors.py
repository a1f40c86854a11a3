"""Reads for the agenda: the themes with their projects and money, the timeline, the agenda as of a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from deltaregio.agenda.models import (
    AgendaItem,
    DeclarationOfIntent,
    Event,
    StakeholderGroup,
    StakeholderMembership,
    Subdomain,
    Summit,
    SummitDecision,
    Theme,
)


def theme_list(*, as_of: dt.date | None = None) -> QuerySet[Theme]:
    """Themes on the agenda, with their number of projects. With as_of: the agenda as it stood on that
    date (themes added on or before it and not removed by then)."""
    qs = Theme.objects.select_related("added_at").annotate(project_count=Count("projects", distinct=True))
    if as_of is not None:
        qs = qs.filter(added_on__lte=as_of).filter(Q(removed_on__isnull=True) | Q(removed_on__gt=as_of))
    return qs.order_by("order", "code")


def theme_detail(*, code: str) -> Theme:
    return (
        Theme.objects.select_related("added_at")
        .prefetch_related(
            Prefetch("subdomains", queryset=Subdomain.objects.order_by("order", "code")),
            Prefetch("items", queryset=AgendaItem.objects.order_by("kind", "order", "code")),
        )
        .get(code=code)
    )


def summit_list() -> QuerySet[Summit]:
    return Summit.objects.prefetch_related(
        Prefetch("decisions", queryset=SummitDecision.objects.order_by("order")), "themes_added"
    ).order_by("date")


def declaration_list() -> QuerySet[DeclarationOfIntent]:
    return DeclarationOfIntent.objects.select_related("renews").order_by("date")


def event_list() -> QuerySet[Event]:
    return Event.objects.select_related("summit").order_by("date", "code")


def stakeholder_group_list() -> QuerySet[StakeholderGroup]:
    return StakeholderGroup.objects.prefetch_related(
        "themes",
        Prefetch(
            "memberships",
            queryset=StakeholderMembership.objects.select_related("organisation", "person"),
        ),
    ).order_by("name")


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    kind: str  # "summit", "declaration", "event", "theme"
    title: str
    description: str
    source_document: str
    source_location: str
    precision: str = "day"
    object_id: int | None = None


def timeline() -> list[TimelineEntry]:
    """Summits, declarations, events and theme additions in date order."""
    entries: list[TimelineEntry] = []
    for summit in summit_list():
        decisions = "; ".join(d.text for d in summit.decisions.all())
        entries.append(
            TimelineEntry(
                summit.date,
                "summit",
                f"{summit.title} – {summit.place}",
                decisions,
                summit.source_document,
                summit.source_location,
                object_id=summit.pk,
            )
        )
    for declaration in declaration_list():
        entries.append(
            TimelineEntry(
                declaration.date,
                "declaration",
                declaration.title,
                declaration.summary,
                declaration.source_document,
                declaration.source_location,
                object_id=declaration.pk,
            )
        )
    for event in event_list():
        entries.append(
            TimelineEntry(
                event.date,
                "event",
                event.title,
                event.description,
                event.source_document,
                event.source_location,
                precision=event.date_precision,
                object_id=event.pk,
            )
        )
    for group in StakeholderGroup.objects.exclude(founded_on__isnull=True):
        assert group.founded_on is not None
        entries.append(
            TimelineEntry(
                group.founded_on,
                "event",
                group.name,
                group.founded_text,
                group.source_document,
                group.source_location,
                precision=group.founded_precision,
                object_id=group.pk,
            )
        )
    return sorted(entries, key=lambda e: (e.date, e.kind, e.title))


def theme_history(*, code: str) -> QuerySet[Theme]:
    """Every recorded version of a theme (who changed what, when), newest first."""
    theme = Theme.objects.get(code=code)
    return theme.history.select_related("history_user").order_by("-history_date")


def theme_money(theme: Theme) -> dict[str, Decimal]:
    """Total cost of the theme's projects per published unit (amounts are never converted silently)."""
    totals: dict[str, Decimal] = {}
    for project in theme.projects.exclude(total_cost__isnull=True).only("total_cost", "cost_unit"):
        assert project.total_cost is not None
        totals[project.cost_unit] = totals.get(project.cost_unit, Decimal(0)) + project.total_cost
    return totals


@dataclass(frozen=True)
class ThemeFigures:
    """A theme's number of projects and their total cost per published unit."""

    project_count: int
    money: dict[str, Decimal]


def theme_figures(*, projects: QuerySet[Any]) -> dict[int, ThemeFigures]:
    """theme_money and the number of projects for every theme at once (one query), counting only the
    given projects (e.g. those a user may see). Sums are exact: on PostgreSQL the database adds numeric
    values (grouped per theme and unit); elsewhere they are added in Python as Decimal, because SQLite
    would add them as floating point. Units are never converted. Themes without projects are absent."""
    through = Theme.projects.through
    counts: dict[int, int] = {}
    money: dict[int, dict[str, Decimal]] = {}
    if connection.vendor == "postgresql":
        # PostgreSQL adds numeric exactly: group in the database instead of reading every project.
        grouped = (
            through.objects.filter(project__in=projects)
            .values("theme_id", "project__cost_unit")
            .annotate(n=Count("id"), total=Sum("project__total_cost"))
        )
        for row in grouped:
            theme_id, unit, n, total = row["theme_id"], row["project__cost_unit"], row["n"], row["total"]
            counts[theme_id] = counts.get(theme_id, 0) + n
            totals = money.setdefault(theme_id, {})
            if total is not None:
                totals[unit] = totals.get(unit, Decimal(0)) + total
        return {theme_id: ThemeFigures(count, money.get(theme_id, {})) for theme_id, count in counts.items()}
    rows = through.objects.filter(project__in=projects).values_list(
        "theme_id", "project__cost_unit", "project__total_cost"
    )
    for theme_id, unit, total_cost in rows:
        counts[theme_id] = counts.get(theme_id, 0) + 1
        totals = money.setdefault(theme_id, {})
        if total_cost is not None:
            totals[unit] = totals.get(unit, Decimal(0)) + total_cost
    return {theme_id: ThemeFigures(count, money.get(theme_id, {})) for theme_id, count in counts.items()}


def theme_search(q: str) -> QuerySet[Theme]:
    """Themes whose code, name, description or sub-domain name contains q (either language, any case)."""
    condition = Q(code__icontains=q)
    for language in ("nl", "en"):
        for field in ("name", "description", "subdomains__name"):
            condition |= Q(**{f"{field}_{language}__icontains": q})
    return Theme.objects.filter(condition).distinct().order_by("order", "code")
