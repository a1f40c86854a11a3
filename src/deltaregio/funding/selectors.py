from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from deltaregio.funding.models import (
    ApplicationDomain,
    Call,
    CallStatistic,
    Funder,
    Instrument,
    KeyTechnology,
)


def funder_list() -> QuerySet[Funder]:
    return Funder.objects.select_related("organisation").order_by("name")


def instrument_list() -> QuerySet[Instrument]:
    return (
        Instrument.objects.select_related("funder", "parent")
        .annotate(call_count=Count("calls", distinct=True), project_count=Count("projects", distinct=True))
        .order_by("name")
    )


def instrument_detail(*, code: str) -> Instrument:
    return (
        Instrument.objects.select_related("funder", "parent")
        .prefetch_related(
            "lines",
            Prefetch("calls", queryset=call_list()),
            "application_domains",
            Prefetch(
                "key_technologies", queryset=KeyTechnology.objects.prefetch_related("application_domains")
            ),
        )
        .get(code=code)
    )


def call_list() -> QuerySet[Call]:
    return (
        Call.objects.select_related("instrument")
        .prefetch_related(
            Prefetch("statistics", queryset=CallStatistic.objects.order_by("scope", "source_document"))
        )
        .order_by("instrument__name", "year", "code")
    )


def call_statistic_list() -> QuerySet[CallStatistic]:
    return CallStatistic.objects.select_related("call", "call__instrument").order_by("call__code", "scope")


def application_domain_list() -> QuerySet[ApplicationDomain]:
    return ApplicationDomain.objects.select_related("programme").order_by("programme__code", "order")


def key_technology_list() -> QuerySet[KeyTechnology]:
    return (
        KeyTechnology.objects.select_related("programme")
        .prefetch_related("application_domains")
        .order_by("programme__code", "order")
    )


def instrument_search(q: str) -> QuerySet[Instrument]:
    """Instruments whose code, name, short name or description contains q (any case)."""
    return (
        Instrument.objects.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(short_name__icontains=q)
            | Q(description__icontains=q)
        )
        .select_related("funder")
        .order_by("name")
    )


def call_search(q: str) -> QuerySet[Call]:
    """Calls whose code, name or description contains q (any case)."""
    return (
        Call.objects.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(description__icontains=q))
        .select_related("instrument")
        .order_by("instrument__name", "year", "code")
    )
