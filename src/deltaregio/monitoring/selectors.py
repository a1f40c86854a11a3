"""Reads of the monitoring domain: indicators against their targets, the dashboard figures per theme,
programme, call, region and period, the portfolio analytics of a selection, and the kept reports.
Queries do not grow with the number of rows: everything is aggregated or prefetched."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from deltaregio.monitoring import regions
from deltaregio.monitoring.models import (
    Category,
    ClassificationScheme,
    Indicator,
    Measurement,
    Method,
    MonitoringReport,
    ProjectCategory,
    Selection,
    Target,
)

TENTH = Decimal("0.1")


# --- indicators ---------------------------------------------------------------------------------------


def indicator_list(*, user: Any) -> QuerySet[Indicator]:
    qs = Indicator.objects.select_related("project", "instrument", "theme").prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("year", "value", "source_location")),
        Prefetch(
            "measurements",
            queryset=Measurement.objects.select_related("project", "entered_by").order_by("date", "id"),
        ),
    )
    if not user.has_perm("monitoring.manage_indicator"):
        qs = qs.filter(is_published=True)
    return qs.order_by("order", "code")


def indicator_detail(*, user: Any, code: str) -> Indicator:
    return indicator_list(user=user).get(code=code)


@dataclass
class TargetProgress:
    target: Target
    percent: Decimal | None


@dataclass
class IndicatorRow:
    indicator: Indicator
    current: Measurement | None
    targets: list[TargetProgress]
    trend: list[Measurement]
    conflicts: list[Measurement]
    targets_disagree: bool

    @property
    def current_value(self) -> Decimal | None:
        return self.current.value if self.current else None


def _current(measurements: list[Measurement]) -> Measurement | None:
    """The latest programme-wide (or the indicator's own scope) value: computed beats entered on the
    same date; otherwise the latest date wins."""
    if not measurements:
        return None
    return max(measurements, key=lambda m: (m.date, m.origin == Method.COMPUTED, m.pk))


def indicator_rows(*, user: Any, period_end: dt.date | None = None) -> list[IndicatorRow]:
    """Every indicator the user may see, with its current value, each target with the share reached,
    the trend (measurements in date order) and the entered values that contradict a computed one."""
    rows = []
    for indicator in indicator_list(user=user):
        measurements = [
            m
            for m in indicator.measurements.all()
            if (period_end is None or m.date <= period_end) and m.project_id == indicator.project_id
        ]
        current = _current(measurements)
        targets = []
        for target in indicator.targets.all():
            percent = None
            if current is not None and target.value:
                percent = (current.value * 100 / target.value).quantize(TENTH)
            targets.append(TargetProgress(target, percent))
        values_by_year: dict[int, set[Decimal]] = defaultdict(set)
        for t in indicator.targets.all():
            values_by_year[t.year].add(t.value)
        rows.append(
            IndicatorRow(
                indicator=indicator,
                current=current,
                targets=targets,
                trend=measurements,
                conflicts=[m for m in indicator.measurements.all() if m.conflict],
                targets_disagree=any(len(v) > 1 for v in values_by_year.values()),
            )
        )
    return rows


def measurement_list(*, user: Any, indicator: Indicator | None = None) -> QuerySet[Measurement]:
    qs = Measurement.objects.select_related("indicator", "project", "entered_by").order_by(
        "indicator__code", "date", "id"
    )
    if indicator is not None:
        qs = qs.filter(indicator=indicator)
    if not user.has_perm("monitoring.manage_indicator"):
        from deltaregio.projects.selectors import visible_projects

        qs = qs.filter(indicator__is_published=True).filter(
            Q(project__isnull=True) | Q(project__in=visible_projects(user))
        )
    return qs


# --- the dashboard --------------------------------------------------------------------------------------


class FilterError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class DashboardFilter:
    theme: str = ""
    programme: str = ""
    call: str = ""
    region: str = ""
    year_from: int | None = None
    year_to: int | None = None

    @property
    def start(self) -> dt.date | None:
        return dt.date(self.year_from, 1, 1) if self.year_from else None

    @property
    def end(self) -> dt.date | None:
        return dt.date(self.year_to, 12, 31) if self.year_to else None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


FILTER_KEYS = ("theme", "programme", "call", "region", "year_from", "year_to")


def dashboard_filter(params: Any) -> DashboardFilter:
    """The filter from query parameters; an unknown code or a year that is not a year is refused."""
    from deltaregio.agenda.selectors import theme_list
    from deltaregio.funding.selectors import call_list, instrument_list

    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key in FILTER_KEYS:
        raw = (params.get(key) or "").strip()
        if not raw:
            continue
        if key.startswith("year"):
            if not (raw.isascii() and raw.isdigit() and 1990 <= int(raw) <= 2100):
                errors[key] = _("A year between 1990 and 2100, such as 2020.")
                continue
            values[key] = int(raw)
        else:
            values[key] = raw
    if values.get("theme") and not theme_list().filter(code=values["theme"]).exists():
        errors["theme"] = _("No theme with this code.")
    if values.get("programme") and not instrument_list().filter(code=values["programme"]).exists():
        errors["programme"] = _("No programme with this code.")
    if values.get("call") and not call_list().filter(code=values["call"]).exists():
        errors["call"] = _("No call with this code.")
    if values.get("region") and values["region"] not in regions.nuts_labels():
        errors["region"] = _("Not a NUTS code (such as BE2, NL41).")
    if values.get("year_from") and values.get("year_to") and values["year_to"] < values["year_from"]:
        errors["year_to"] = _("The period ends before it starts.")
    if errors:
        raise FilterError(errors)
    return DashboardFilter(**values)


@dataclass
class Figure:
    label: str
    value: Decimal
    text: str = ""


@dataclass
class RegionMarker:
    code: str
    label: str
    partners: int
    organisations: int
    labs: int
    names: list[str] = field(default_factory=list)
    x: float | None = None
    y: float | None = None
    radius: float = 6.0


@dataclass
class Dashboard:
    filter: DashboardFilter
    confidential: bool
    project_count: int
    by_status: list[Figure]
    money: list[Figure]
    money_by_status: dict[str, Decimal]
    other_units: list[Figure]
    partners_by_country: list[Figure]
    partners_by_kind: list[Figure]
    cross_border_projects: int
    projects_with_partners: int
    cross_border_share: Decimal | None
    sme_partners: int
    funnel: list[Any]
    vouchers: list[dict[str, Any]]
    regions: list[RegionMarker]
    indicators: list[IndicatorRow]
    projects: list[Any]
    call_statistics: list[Any] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return self.project_count > 0


def _projects(flt: DashboardFilter, user: Any, confidential: bool) -> QuerySet[Any]:
    from deltaregio.projects.models import Project
    from deltaregio.projects.selectors import visible_projects

    qs = Project.objects.all() if confidential else visible_projects(user).filter(is_public=True)
    if flt.theme:
        qs = qs.filter(themes__code=flt.theme)
    if flt.programme:
        qs = qs.filter(
            Q(instrument__code=flt.programme)
            | Q(instrument__parent__code=flt.programme)
            | Q(call__instrument__code=flt.programme)
        )
    if flt.call:
        qs = qs.filter(call__code=flt.call)
    if flt.end:
        qs = qs.filter(Q(start_date__isnull=True) | Q(start_date__lte=flt.end))
    if flt.start:
        qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=flt.start))
    return qs.distinct()


def _euro(amount: Decimal, unit: str) -> Decimal | None:
    from deltaregio.sources.models import UNIT_FACTOR, Unit

    return amount * UNIT_FACTOR[Unit(unit)] if unit in UNIT_FACTOR else None


def dashboard(*, flt: DashboardFilter, user: Any) -> Dashboard:
    from deltaregio.directory.selectors import lab_list
    from deltaregio.finance.selectors import contribution_list
    from deltaregio.funnel.selectors import FunnelFilter, funnel
    from deltaregio.projects.models import Partner, Status
    from deltaregio.vouchers.selectors import report, scheme_list

    confidential = bool(user.has_perm("monitoring.view_confidential"))
    base = _projects(flt, user, confidential)
    partner_rows = list(
        Partner.objects.filter(project__in=base.values("pk")).values_list(
            "project_id",
            "organisation_id",
            "organisation__name",
            "organisation__kind",
            "organisation__country",
            "organisation__region",
            "country",
        )
    )
    nuts = {row[1]: regions.nuts_of(str(row[4] or row[6] or ""), row[5] or "") for row in partner_rows}
    project_ids = {row[0] for row in partner_rows}
    if flt.region:
        project_ids = {row[0] for row in partner_rows if nuts[row[1]].startswith(flt.region)}
        partner_rows = [row for row in partner_rows if row[0] in project_ids]
        projects_qs = base.filter(pk__in=project_ids)
    else:
        projects_qs = base
    projects = list(
        projects_qs.select_related("instrument")
        .order_by("acronym")
        .only("acronym", "slug", "title", "status", "start_date", "end_date", "instrument__name", "is_public")
    )
    ids = [p.pk for p in projects]
    status_labels = dict(Status.choices)
    status_counts = Counter(p.status for p in projects)
    by_status = [Figure(str(status_labels[s]), Decimal(n), str(n)) for s, n in sorted(status_counts.items())]

    money_by_status: dict[str, Decimal] = defaultdict(Decimal)
    other_units: list[Figure] = []
    for row in (
        contribution_list()
        .filter(project_id__in=ids, amount__isnull=False)
        .order_by()
        .values("status", "unit")
        .annotate(total=Sum("amount"))
    ):
        euro = _euro(row["total"], row["unit"])
        if euro is None:
            other_units.append(Figure(f"{row['status']} ({row['unit']})", row["total"]))
        else:
            money_by_status[row["status"]] += euro
    from deltaregio.finance.models import FundingContribution

    money = [
        Figure(str(label), money_by_status.get(value, Decimal(0)))
        for value, label in FundingContribution.Status.choices
    ]

    countries: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    per_project: dict[int, set[str]] = defaultdict(set)
    seen_orgs: set[int] = set()
    from deltaregio.directory.models import Organisation

    kind_labels = dict(Organisation.Kind.choices)
    for project_id, org_id, _name, kind, org_country, _region, country in partner_rows:
        where = str(country or org_country or "")
        if where:
            per_project[project_id].add(where)
        countries[where or "–"] += 1
        if org_id not in seen_orgs:
            seen_orgs.add(org_id)
            kinds[str(kind_labels.get(kind, kind))] += 1
    cross = sum(1 for c in per_project.values() if len(c) >= 2)
    share = (Decimal(cross) * 100 / len(per_project)).quantize(TENTH) if per_project else None
    sme_partners = len({row[1] for row in partner_rows if row[3] == "sme"})

    markers: dict[str, RegionMarker] = {}
    orgs_per_region: dict[str, set[int]] = defaultdict(set)
    for _pid, org_id, name, _kind, _oc, _region, _c in partner_rows:
        code = nuts[org_id]
        key = regions.map_region(code) if code else ""
        marker = markers.setdefault(key, RegionMarker(key, regions.nuts_label(key) if key else "–", 0, 0, 0))
        marker.partners += 1
        if org_id not in orgs_per_region[key]:
            orgs_per_region[key].add(org_id)
            marker.names.append(name)
    for lab in lab_list():
        operator = lab.operator
        code = (
            regions.nuts_of(str(lab.country or ""), getattr(operator, "region", "") or "") if operator else ""
        )
        if flt.region and not code.startswith(flt.region):
            continue
        key = regions.map_region(code) if code else ""
        marker = markers.setdefault(key, RegionMarker(key, regions.nuts_label(key) if key else "–", 0, 0, 0))
        marker.labs += 1
    from deltaregio.funnel import charts as map_charts

    for key, marker in markers.items():
        marker.organisations = len(orgs_per_region[key])
        marker.names.sort()
        centre = regions.centre(key) if key else None
        if centre:
            marker.x, marker.y = map_charts.map_xy(centre[1], centre[0])
            marker.radius = round(5 + min(marker.partners + marker.labs, 40) / 2, 1)
    region_list = sorted(markers.values(), key=lambda m: (m.code == "", m.code))

    stages = funnel(FunnelFilter(start=flt.start, end=flt.end))
    vouchers = []
    for scheme in scheme_list():
        r = report(scheme=scheme, date_from=flt.start, date_to=flt.end)
        vouchers.append(
            {"scheme": scheme, "counts": r.totals.counts, "committed": r.committed, "paid": r.paid}
        )
    from deltaregio.funding.selectors import call_statistic_list

    statistics = call_statistic_list()
    if flt.call:
        statistics = statistics.filter(call__code=flt.call)
    if flt.programme:
        statistics = statistics.filter(
            Q(call__instrument__code=flt.programme) | Q(call__instrument__parent__code=flt.programme)
        )
    if flt.start:
        statistics = statistics.filter(Q(call__year__isnull=True) | Q(call__year__gte=flt.start.year))
    if flt.end:
        statistics = statistics.filter(Q(call__year__isnull=True) | Q(call__year__lte=flt.end.year))
    return Dashboard(
        call_statistics=list(statistics),
        filter=flt,
        confidential=confidential,
        project_count=len(projects),
        by_status=by_status,
        money=money,
        money_by_status=dict(money_by_status),
        other_units=other_units,
        partners_by_country=[Figure(c, Decimal(n), str(n)) for c, n in countries.most_common()],
        partners_by_kind=[Figure(k, Decimal(n), str(n)) for k, n in kinds.most_common()],
        cross_border_projects=cross,
        projects_with_partners=len(per_project),
        cross_border_share=share,
        sme_partners=sme_partners,
        funnel=stages,
        vouchers=vouchers,
        regions=region_list,
        indicators=indicator_rows(user=user, period_end=flt.end),
        projects=projects,
    )


# --- portfolio analytics ---------------------------------------------------------------------------------


def scheme_list() -> QuerySet[ClassificationScheme]:
    return ClassificationScheme.objects.order_by("code")


def selection_list() -> QuerySet[Selection]:
    return Selection.objects.select_related("scheme").order_by("code")


def selection_categories(selection: Selection) -> list[Category]:
    """The categories a selection covers: its codes and, if it says so, their subcategories."""
    categories = list(Category.objects.filter(scheme=selection.scheme).order_by("order"))
    chosen = set(selection.codes)
    out = []
    for category in categories:
        if category.code in chosen or (
            selection.include_subcategories and any(category.code.startswith(f"{c}.") for c in chosen)
        ):
            out.append(category)
    return out


@dataclass
class YearRow:
    year: int | None
    projects: int
    selected: int
    budget: Decimal
    selected_budget: Decimal

    @property
    def project_share(self) -> Decimal | None:
        return (Decimal(self.selected) * 100 / self.projects).quantize(TENTH) if self.projects else None

    @property
    def budget_share(self) -> Decimal | None:
        return (self.selected_budget * 100 / self.budget).quantize(TENTH) if self.budget else None


@dataclass
class CategoryRow:
    category: Category
    projects: int
    budget: Decimal


@dataclass
class Analysis:
    selection: Selection
    categories: list[Category]
    source: str
    years: list[YearRow]
    total: YearRow
    by_category: list[CategoryRow]
    unclassified: int


def analysis_sources() -> list[tuple[str, str]]:
    """Where the analysed projects come from: the reference set, or one import namespace."""
    from deltaregio.imports.models import ImportedRecord

    namespaces = (
        ImportedRecord.objects.filter(kind="project")
        .order_by()
        .values_list("namespace", flat=True)
        .distinct()
    )
    return [("reference", _("reference data set")), *[(n, n) for n in sorted(namespaces)]]


def _source_projects(source: str, user: Any) -> QuerySet[Any]:
    from deltaregio.imports.selectors import imported_records
    from deltaregio.projects.selectors import visible_projects

    projects = visible_projects(user)
    if source == "reference":
        from deltaregio.imports.models import ImportedRecord

        imported = ImportedRecord.objects.filter(kind="project", owned=True).values("object_id")
        return projects.exclude(pk__in=imported)
    return projects.filter(pk__in=imported_records(namespace=source, kind="project").values("object_id"))


def analysis(*, selection: Selection, source: str, user: Any) -> Analysis:
    """The selection's share of the projects and of their budget per start year, and its split by
    category. A project's budget is the sum of its granted funding in euro (or its total cost in euro
    when no funding is recorded)."""
    from deltaregio.finance.selectors import contribution_list

    categories = selection_categories(selection)
    category_ids = {c.pk for c in categories}
    projects = list(
        _source_projects(source, user).order_by().values_list("pk", "start_date", "total_cost", "cost_unit")
    )
    ids = [p[0] for p in projects]
    funding: dict[int, Decimal] = defaultdict(Decimal)
    for project_id, unit, total in (
        contribution_list()
        .filter(project_id__in=ids, status="granted", amount__isnull=False)
        .order_by()
        .values_list("project_id", "unit")
        .annotate(total=Sum("amount"))
    ):
        euro = _euro(total, unit)
        if euro is not None:
            funding[project_id] += euro
    assigned: dict[int, set[int]] = defaultdict(set)
    classified: set[int] = set()
    for project_id, category_id in (
        ProjectCategory.objects.filter(project_id__in=ids, category__scheme=selection.scheme)
        .order_by()
        .values_list("project_id", "category_id")
    ):
        classified.add(project_id)
        if category_id in category_ids:
            assigned[project_id].add(category_id)
    years: dict[int | None, YearRow] = {}
    total = YearRow(None, 0, 0, Decimal(0), Decimal(0))
    per_category: dict[int, CategoryRow] = {c.pk: CategoryRow(c, 0, Decimal(0)) for c in categories}
    for project_id, start, cost, cost_unit in projects:
        budget = funding.get(project_id)
        if budget is None and cost is not None:
            budget = _euro(cost, cost_unit)
        budget = budget or Decimal(0)
        year = start.year if start else None
        row = years.setdefault(year, YearRow(year, 0, 0, Decimal(0), Decimal(0)))
        selected = project_id in assigned
        for r in (row, total):
            r.projects += 1
            r.budget += budget
            if selected:
                r.selected += 1
                r.selected_budget += budget
        for category_id in assigned.get(project_id, ()):
            per_category[category_id].projects += 1
            per_category[category_id].budget += budget
    ordered = sorted(years.values(), key=lambda r: (r.year is None, r.year or 0))
    return Analysis(
        selection=selection,
        categories=categories,
        source=source,
        years=ordered,
        total=total,
        by_category=[r for r in per_category.values() if r.projects],
        unclassified=len(ids) - len(classified),
    )


# --- reports -------------------------------------------------------------------------------------------


def report_list() -> QuerySet[MonitoringReport]:
    return MonitoringReport.objects.select_related("requested_by").defer("pdf", "xlsx", "figures")


def report_detail(*, pk: int) -> MonitoringReport:
    return MonitoringReport.objects.select_related("requested_by").get(pk=pk)


def latest_computation() -> dt.datetime | None:
    return (
        Indicator.objects.filter(method=Method.COMPUTED)
        .exclude(last_computed_at__isnull=True)
        .order_by("-last_computed_at")
        .values_list("last_computed_at", flat=True)
        .first()
    )


def counts_per_status() -> dict[str, int]:
    return dict(
        MonitoringReport.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
