"""The registry of computed indicators: each computation derives a value from the platform's own
records, for the whole programme (project None) or for one project. An indicator names its computation
by code (`Indicator.computation`); a new computed indicator is a new function registered here.

Every computation counts all records (published or not): the result is an aggregate, never a list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from deltaregio.monitoring.models import IndicatorUnit

Compute = Callable[[Any], Decimal]


@dataclass(frozen=True)
class Computation:
    code: str
    unit: str
    description: Any
    compute: Compute


REGISTRY: dict[str, Computation] = {}


def register(code: str, *, unit: str, description: Any) -> Callable[[Compute], Compute]:
    def decorate(function: Compute) -> Compute:
        REGISTRY[code] = Computation(code, unit, description, function)
        return function

    return decorate


def get(code: str) -> Computation | None:
    return REGISTRY.get(code)


def choices() -> list[tuple[str, str]]:
    return [(c.code, f"{c.code}: {c.description}") for c in REGISTRY.values()]


def _projects(project: Any) -> Any:
    from deltaregio.projects.models import Project

    qs = Project.objects.all()
    return qs.filter(pk=project.pk) if project is not None else qs


def _countries_per_project(project: Any) -> dict[int, set[str]]:
    from deltaregio.projects.models import Partner

    partners = Partner.objects.filter(project__in=_projects(project)).values_list(
        "project_id", "organisation_id", "country", "organisation__country"
    )
    countries: dict[int, set[str]] = defaultdict(set)
    for project_id, _org, country, org_country in partners:
        if country or org_country:
            countries[project_id].add(str(country or org_country))
    return countries


@register(
    "cross-border-organisations",
    unit=IndicatorUnit.COUNT,
    description=_("organisations in projects whose partners are in at least two countries"),
)
def cross_border_organisations(project: Any) -> Decimal:
    from deltaregio.projects.models import Partner

    cross = [pid for pid, countries in _countries_per_project(project).items() if len(countries) >= 2]
    orgs = Partner.objects.filter(project_id__in=cross).values("organisation_id").distinct().count()
    return Decimal(orgs)


@register(
    "cross-border-share",
    unit=IndicatorUnit.PERCENT,
    description=_("share of the projects with partners whose partners are in at least two countries"),
)
def cross_border_share(project: Any) -> Decimal:
    countries = _countries_per_project(project)
    if not countries:
        return Decimal(0)
    cross = sum(1 for c in countries.values() if len(c) >= 2)
    return (Decimal(cross) * 100 / len(countries)).quantize(Decimal("0.1"))


def _funnel_stage(key: str) -> Decimal:
    from deltaregio.funnel.selectors import FunnelFilter, funnel

    for stage in funnel(FunnelFilter()):
        if stage.key == key:
            return Decimal(stage.count)
    return Decimal(0)


@register("smes-scanned", unit=IndicatorUnit.COUNT, description=_("companies with a verified readiness scan"))
def smes_scanned(project: Any) -> Decimal:
    return _funnel_stage("scans")


@register("sme-intakes", unit=IndicatorUnit.COUNT, description=_("companies with an intake conversation"))
def sme_intakes(project: Any) -> Decimal:
    return _funnel_stage("intakes")


@register(
    "implementation-plans", unit=IndicatorUnit.COUNT, description=_("final implementation plans of companies")
)
def implementation_plans(project: Any) -> Decimal:
    return _funnel_stage("plans")


@register("sme-partners", unit=IndicatorUnit.COUNT, description=_("SMEs taking part in projects as partners"))
def sme_partners(project: Any) -> Decimal:
    from deltaregio.projects.models import Partner

    qs = Partner.objects.filter(project__in=_projects(project), organisation__kind="sme")
    return Decimal(qs.values("organisation_id").distinct().count())


@register(
    "vouchers-redeemed",
    unit=IndicatorUnit.COUNT,
    description=_("access vouchers redeemed or paid, in every scheme"),
)
def vouchers_redeemed(project: Any) -> Decimal:
    from deltaregio.vouchers.selectors import report, scheme_list

    total = 0
    for scheme in scheme_list():
        if project is not None and getattr(scheme, "project_id", None) not in (None, project.pk):
            continue
        total += report(scheme=scheme).totals.counts.get("redeemed", 0)
    return Decimal(total)


@register(
    "funding-granted",
    unit=IndicatorUnit.MEUR,
    description=_("funding granted to projects, in million euro (euro amounts only)"),
)
def funding_granted(project: Any) -> Decimal:
    from deltaregio.finance.selectors import contribution_list
    from deltaregio.sources.models import UNIT_FACTOR, Unit

    total = Decimal(0)
    rows = (
        contribution_list()
        .filter(project__in=_projects(project), status="granted", amount__isnull=False)
        .order_by()
        .values_list("amount", "unit")
    )
    for amount, unit in rows:
        if amount is not None and unit in UNIT_FACTOR:
            total += amount * UNIT_FACTOR[Unit(unit)]
    return (total / UNIT_FACTOR[Unit.MEUR]).quantize(Decimal("0.01"))


@register("projects-running", unit=IndicatorUnit.COUNT, description=_("projects running now"))
def projects_running(project: Any) -> Decimal:
    return Decimal(_projects(project).filter(status="running").count())


@register(
    "organisations-participating",
    unit=IndicatorUnit.COUNT,
    description=_("organisations taking part in at least one project"),
)
def organisations_participating(project: Any) -> Decimal:
    from deltaregio.projects.models import Partner

    qs = Partner.objects.filter(project__in=_projects(project))
    return Decimal(qs.values("organisation_id").distinct().count())


@register(
    "international-participations",
    unit=IndicatorUnit.COUNT,
    description=_("participations of organisations in projects of EU programmes (imported included)"),
)
def international_participations(project: Any) -> Decimal:
    from deltaregio.projects.models import Partner

    qs = Partner.objects.filter(project__in=_projects(project), project__funding__source_kind="eu_fund")
    return Decimal(qs.values("pk").distinct().count())
