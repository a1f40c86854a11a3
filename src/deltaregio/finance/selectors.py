from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum

from deltaregio.finance.checks import CheckData, StatementOwners, relations
from deltaregio.finance.findings import Finding, Report, SourceRef, Visibility
from deltaregio.finance.models import (
    BudgetCell,
    BudgetLine,
    BudgetTable,
    CoFinancingLine,
    ContributorType,
    CostCategory,
    FundingContribution,
    FundingRateLimit,
    ProgrammeAmount,
)
from deltaregio.finance.table_structures import structure_for
from deltaregio.sources.models import UNIT_FACTOR, Statement


def contribution_list() -> QuerySet[FundingContribution]:
    return (
        FundingContribution.objects.select_related("project", "instrument")
        .prefetch_related("partners__organisation")
        .order_by("project__acronym", "source")
    )


def budget_table_list() -> QuerySet[BudgetTable]:
    return (
        BudgetTable.objects.select_related("programme")
        .prefetch_related(Prefetch("cells", queryset=BudgetCell.objects.order_by("row_order", "id")))
        .order_by("code")
    )


class GridRow(TypedDict):
    key: str
    label: str
    group: str
    is_total: bool
    order: int
    cells: dict[str, BudgetCell]


def budget_table_grid(table: BudgetTable) -> list[GridRow]:
    """The table's rows in printed order, each with its cells by column key (uses prefetched cells)."""
    rows: dict[str, GridRow] = {}
    for cell in table.cells.all():
        row = rows.setdefault(
            cell.row_key,
            GridRow(
                key=cell.row_key,
                label=cell.row_label,
                group=cell.row_group,
                is_total=cell.is_total,
                order=cell.row_order,
                cells={},
            ),
        )
        row["cells"][cell.column_key] = cell
    return sorted(rows.values(), key=lambda r: r["order"])


# --- Budgets, co-financing plans, programme plans and consistency findings ---------------------------
# (added with the budget checks; the functions above are used by other pages and stay as they are)


def _projects_for_checks() -> QuerySet[Any]:
    from deltaregio.projects.models import Milestone, Project, WorkPackage

    return Project.objects.prefetch_related(
        Prefetch("work_packages", queryset=WorkPackage.objects.order_by("number")),
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "id")),
        Prefetch(
            "funding",
            queryset=FundingContribution.objects.select_related(
                "instrument", "instrument__rate_limit"
            ).order_by("id"),
        ),
    ).order_by("acronym")


def statement_owners() -> StatementOwners:
    """Which project or programme each statement key is about (see checks.StatementOwners)."""
    from deltaregio.funding.models import Instrument
    from deltaregio.projects.models import Project

    instruments = list(Instrument.objects.values_list("code", "kind"))
    return StatementOwners(
        project_slugs=tuple(Project.objects.values_list("slug", flat=True)),
        instrument_codes=tuple(code for code, _kind in instruments),
        programme_codes=tuple(code for code, kind in instruments if kind == Instrument.Kind.PROGRAMME),
    )


def budget_check_data(*, project: Any = None, programme: Any = None) -> CheckData:
    """What the consistency rules read: everything, or what concerns one project or one programme."""
    everything = project is None and programme is None
    owners = statement_owners()
    lines = BudgetLine.objects.all()
    co_financing = CoFinancingLine.objects.select_related(
        "project", "partner__organisation", "instrument", "instrument__rate_limit"
    ).order_by("project_id", "partner_id", "id")
    projects = _projects_for_checks()
    tables = budget_table_list()
    if project is not None:
        projects = projects.filter(pk=project.pk)
        lines = lines.filter(project=project)
        co_financing = co_financing.filter(project=project)
        tables = tables.none()
    elif programme is not None:
        projects = projects.none()
        lines = lines.none()
        co_financing = co_financing.none()
        tables = tables.filter(programme=programme)
    statements = [
        s
        for s in Statement.objects.filter(value__isnull=False).order_by(
            "key", "source_document", "source_location"
        )
    ]
    if not everything:
        wanted = (project.slug, "") if project is not None else ("", programme.code)
        statements = [s for s in statements if owners.owner(s.key) == wanted]
    outside = (
        lines.select_related("partner__organisation", "project")
        .filter(project__start_date__isnull=False, project__end_date__isnull=False)
        .filter(Q(year__lt=F("project__start_date__year")) | Q(year__gt=F("project__end_date__year")))
        .order_by("project_id", "id")
    )
    return CheckData(
        tables=list(tables),
        projects=list(projects.select_related(None)),
        project_lines=_sums(lines, "project_id"),
        work_package_lines=_sums(lines, "work_package_id"),
        partner_lines=_sums(lines, "partner_id"),
        lines_outside_years=list(outside),
        co_financing=list(co_financing),
        statements=statements,
        owners=owners,
    )


def _sums(lines: QuerySet[BudgetLine], key: str) -> dict[int, tuple[Decimal, int]]:
    return {
        row[key]: (row["total"], row["count"])
        for row in lines.order_by().values(key).annotate(total=Sum("amount"), count=Count("id"))
    }


class _FindingAudience:
    """Whether a user may see findings, deciding once per project (not once per finding): public ones
    when the project (if any) is visible; those about budget lines only for whoever sees those lines."""

    def __init__(self, user: Any, projects: dict[str, Any]) -> None:
        self.user = user
        self.projects = projects
        self.all_lines: dict[str, bool] = {}
        self.partners: dict[str, set[int]] = {}

    def sees(self, finding: Finding) -> bool:
        if not finding.project:
            return True
        project = self.projects.get(finding.project)
        if project is None:
            return False
        if finding.context.visibility == Visibility.PUBLIC:
            return True
        slug = finding.project
        if slug not in self.all_lines:
            self.all_lines[slug] = bool(self.user.has_perm("finance.view_all_budgetlines", project))
        if self.all_lines[slug]:
            return True
        if finding.context.visibility == Visibility.PROJECT_LINES:
            return False
        if slug not in self.partners:
            from deltaregio.accounts.selectors import organisation_ids_for

            orgs = organisation_ids_for(self.user)
            self.partners[slug] = {p.pk for p in project.partners.all() if p.organisation_id in orgs}
        return finding.context.partner_id in self.partners[slug]


def budget_findings(*, user: Any = None, project: Any = None, programme: Any = None) -> Report:
    """Run every consistency rule (on everything, or on one project or programme) and return the
    findings, most serious first, and what agreed within rounding. With a user, only what that user may
    see; without one (the command line), everything."""
    report = Report()
    for relation in relations(budget_check_data(project=project, programme=programme)):
        report.add(relation)
    if user is not None:
        from deltaregio.projects.models import Partner
        from deltaregio.projects.selectors import visible_projects

        slugs = {f.project for f in (*report.findings, *report.within_rounding) if f.project}
        visible = {
            p.slug: p
            for p in visible_projects(user)
            .filter(slug__in=slugs)
            .prefetch_related(Prefetch("partners", queryset=Partner.objects.select_related("project")))
        }
        audience = _FindingAudience(user, visible)
        report.findings = [f for f in report.findings if audience.sees(f)]
        report.within_rounding = [f for f in report.within_rounding if audience.sees(f)]
    return report.sort()


# --- a project's budget --------------------------------------------------------------------------------


def budget_lines_for(*, user: Any, project: Any = None) -> QuerySet[BudgetLine]:
    """The budget lines the user may see: officers all; a lead partner all of its projects; a partner
    its own; nobody else any."""
    from deltaregio.accounts.rules import is_staff_or_officer
    from deltaregio.accounts.selectors import organisation_ids_for
    from deltaregio.finance.rules import LEAD_ROLES
    from deltaregio.projects.models import Partner

    qs = BudgetLine.objects.select_related("project", "partner__organisation", "work_package", "updated_by")
    if project is not None:
        qs = qs.filter(project=project)
    if not is_staff_or_officer(user):
        orgs = organisation_ids_for(user)
        if not orgs:
            return qs.none()
        led = Partner.objects.filter(organisation_id__in=orgs, role__in=LEAD_ROLES).values("project_id")
        qs = qs.filter(Q(partner__organisation_id__in=orgs) | Q(project_id__in=led))
    return qs.order_by(
        "project__acronym", "work_package__number", "partner__organisation__name", "year", "category"
    )


def co_financing_lines_for(*, user: Any, project: Any = None) -> QuerySet[CoFinancingLine]:
    """The co-financing lines the user may see (the same people as for budget lines)."""
    from deltaregio.accounts.rules import is_staff_or_officer
    from deltaregio.accounts.selectors import organisation_ids_for
    from deltaregio.finance.rules import LEAD_ROLES
    from deltaregio.projects.models import Partner

    qs = CoFinancingLine.objects.select_related(
        "project", "partner__organisation", "instrument", "updated_by"
    )
    if project is not None:
        qs = qs.filter(project=project)
    if not is_staff_or_officer(user):
        orgs = organisation_ids_for(user)
        if not orgs:
            return qs.none()
        led = Partner.objects.filter(organisation_id__in=orgs, role__in=LEAD_ROLES).values("project_id")
        qs = qs.filter(Q(partner__organisation_id__in=orgs) | Q(project_id__in=led))
    return qs.order_by("project__acronym", "partner__organisation__name", "source_kind", "source")


@dataclass
class BudgetGridRow:
    label: str
    kind: str  # "work_package" (a subtotal), "partner", or "category"
    cells: list[Decimal | None]
    total: Decimal
    work_package: int | None = None


@dataclass
class BudgetGrid:
    """Amounts by work package × partner × year (or by work package × year for totals only)."""

    years: list[int]
    rows: list[BudgetGridRow]
    column_totals: list[Decimal]
    grand_total: Decimal
    by_partner: bool
    categories: list[BudgetGridRow] = field(default_factory=list)


def _years_of(project: Any, present: set[int]) -> list[int]:
    if project.start_date and project.end_date:
        years = set(range(project.start_date.year, project.end_date.year + 1))
    else:
        years = set()
    return sorted(years | present)


def budget_grid(*, project: Any, lines: QuerySet[BudgetLine], by_partner: bool) -> BudgetGrid | None:
    """The lines added up per work package (and partner) and year, with totals; None without lines."""
    group = ["work_package_id", "year"] + (["partner_id"] if by_partner else [])
    rows_data = list(lines.order_by().values(*group).annotate(total=Sum("amount")))
    if not rows_data:
        return None
    categories = list(lines.order_by().values("category", "year").annotate(total=Sum("amount")))
    years = _years_of(project, {r["year"] for r in rows_data})
    index = {year: i for i, year in enumerate(years)}
    work_packages = {wp.pk: wp for wp in project.work_packages.all()}
    partners = {p.pk: p for p in project.partners.all()}
    per_wp: dict[int, list[Decimal | None]] = {}
    per_partner: dict[tuple[int, int], list[Decimal | None]] = {}
    for r in rows_data:
        wp_cells = per_wp.setdefault(r["work_package_id"], [None] * len(years))
        i = index[r["year"]]
        wp_cells[i] = (wp_cells[i] or Decimal(0)) + r["total"]
        if by_partner:
            p_cells = per_partner.setdefault((r["work_package_id"], r["partner_id"]), [None] * len(years))
            p_cells[i] = (p_cells[i] or Decimal(0)) + r["total"]
    rows: list[BudgetGridRow] = []
    for wp_id in sorted(per_wp, key=lambda pk: work_packages[pk].number):
        wp = work_packages[wp_id]
        cells = per_wp[wp_id]
        rows.append(
            BudgetGridRow(f"WP {wp.number} {wp.title}", "work_package", cells, _add(cells), wp.number)
        )
        if by_partner:
            keys = sorted(
                (k for k in per_partner if k[0] == wp_id),
                key=lambda k: partners[k[1]].organisation.name,
            )
            for key in keys:
                p_cells = per_partner[key]
                org = partners[key[1]].organisation
                rows.append(
                    BudgetGridRow(
                        str(org.short_name or org.name), "partner", p_cells, _add(p_cells), wp.number
                    )
                )
    column_totals = [
        sum((r.cells[i] or Decimal(0) for r in rows if r.kind == "work_package"), Decimal(0))
        for i in range(len(years))
    ]
    category_rows: list[BudgetGridRow] = []
    per_category: dict[str, list[Decimal | None]] = defaultdict(lambda: [None] * len(years))
    for c in categories:
        cells = per_category[c["category"]]
        i = index[c["year"]]
        cells[i] = (cells[i] or Decimal(0)) + c["total"]
    for code, label in CostCategory.choices:
        if code in per_category:
            cells = per_category[code]
            category_rows.append(BudgetGridRow(str(label), "category", cells, _add(cells)))
    return BudgetGrid(years, rows, column_totals, sum(column_totals, Decimal(0)), by_partner, category_rows)


def _add(cells: list[Decimal | None]) -> Decimal:
    return sum((c for c in cells if c is not None), Decimal(0))


@dataclass(frozen=True)
class ChartBar:
    label: str
    value: Decimal  # in euro, for the bar's length only
    amount: Decimal  # as published
    unit: str  # the published unit


def contribution_bars(contributions: list[FundingContribution]) -> list[ChartBar]:
    """The published contributions with an amount, in euro for the bars' lengths (converted exactly;
    the text keeps the published unit)."""
    bars = []
    for c in contributions:
        if c.amount is None or c.unit not in UNIT_FACTOR:
            continue
        bars.append(
            ChartBar(
                label=c.source,
                value=c.amount * UNIT_FACTOR[c.unit],  # type: ignore[index]
                amount=c.amount,
                unit=c.unit,
            )
        )
    return bars


def co_financing_by_source(
    lines: list[CoFinancingLine], partner_budgets: dict[int, Decimal]
) -> list[dict[str, Any]]:
    """The co-financing plan added up per source: its amount (stated, or rate × the partner's budget)."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    kinds: dict[tuple[str, str], str] = {}
    for line in lines:
        key = (line.source_kind, line.source)
        kinds[key] = line.get_source_kind_display()
        if line.amount is not None:
            totals[key] += line.amount
        elif line.rate is not None and line.partner_id in partner_budgets:
            totals[key] += partner_budgets[line.partner_id] * line.rate / Decimal(100)
    return [
        {"source": source, "kind": kinds[(kind, source)], "amount": amount.quantize(Decimal("0.01"))}
        for (kind, source), amount in sorted(totals.items(), key=lambda item: -item[1])
    ]


def partner_budgets(*, project: Any) -> dict[int, Decimal]:
    """Each partner's budget: the sum of its budget lines."""
    return {
        pid: total
        for pid, (total, _count) in _sums(BudgetLine.objects.filter(project=project), "partner_id").items()
    }


# --- a programme's multi-year plan ------------------------------------------------------------------


@dataclass(frozen=True)
class PlanCell:
    value: Decimal | None
    text: str
    source: SourceRef


@dataclass
class PlanLine:
    scenario: str
    contributor: str  # ContributorType value, "" for a total
    label: str
    cells: dict[str, PlanCell]  # by year
    total: PlanCell | None = None
    is_total: bool = False


@dataclass
class ProgrammePlan:
    """A programme's plan per year and contributor: read from its published multi-year table where
    there is one (the table stays the source of truth), otherwise from amounts entered as planned;
    and the amounts realised so far."""

    programme: Any
    unit: str
    years: list[str]
    scenarios: list[str]
    lines: list[PlanLine]
    programme_total: PlanLine | None
    table: BudgetTable | None
    entered: list[ProgrammeAmount]
    realised: list[ProgrammeAmount]
    realised_by_year: dict[str, Decimal]  # in the plan's unit, converted exactly
    realised_by_contributor: dict[str, dict[str, Decimal]]


def programme_plan(*, programme: Any) -> ProgrammePlan:
    amounts = list(
        ProgrammeAmount.objects.filter(programme=programme).order_by(
            "kind", "scenario", "year", "contributor"
        )
    )
    entered = [a for a in amounts if a.kind == ProgrammeAmount.Kind.PLANNED]
    realised = [a for a in amounts if a.kind == ProgrammeAmount.Kind.REALISED]
    table = next(
        (
            t
            for t in budget_table_list().filter(programme=programme)
            if (s := structure_for(t.code)) and s.plan_rows
        ),
        None,
    )
    lines: list[PlanLine] = []
    programme_total: PlanLine | None = None
    years: list[str] = []
    scenarios: list[str] = []
    unit = (
        table.unit
        if table is not None
        else (entered[0].unit if entered else (realised[0].unit if realised else "EUR"))
    )
    if table is not None:
        structure = structure_for(table.code)
        assert structure is not None
        years = list(structure.year_columns)
        total_column = next((c["key"] for c in table.columns if c["key"] not in years), None)
        labels = {str(c["key"]): str(c.get("label", c["key"])) for c in table.columns}
        for row in budget_table_grid(table):
            plan_row = structure.plan_rows.get(str(row["key"]))
            is_programme_total = row["key"] == structure.total_row
            if plan_row is None and not is_programme_total:
                continue
            cells: dict[str, BudgetCell] = row["cells"]

            def cell(column: str, row: Any = row, cells: dict[str, BudgetCell] = cells) -> PlanCell:
                c = cells.get(column)
                return PlanCell(
                    c.value if c else None,
                    c.value_text if c else "",
                    SourceRef(
                        table.source_document,
                        f"{table.source_location}; {row['label']} ({row['group']}), "
                        f"{labels.get(column, column)}",
                    ),
                )

            line = PlanLine(
                scenario=plan_row.scenario if plan_row else "",
                contributor=plan_row.contributor if plan_row else "",
                label=str(row["label"]),
                cells={year: cell(year) for year in years},
                total=cell(total_column) if total_column else None,
                is_total=bool(row["is_total"]),
            )
            if is_programme_total:
                programme_total = line
            else:
                lines.append(line)
                if line.scenario not in scenarios:
                    scenarios.append(line.scenario)
    else:
        years = sorted({str(a.year) for a in entered})
        grouped: dict[tuple[str, str], dict[str, PlanCell]] = defaultdict(dict)
        for a in entered:
            grouped[(a.scenario, a.contributor)][str(a.year)] = PlanCell(
                a.amount, f"{a.amount}", SourceRef(a.source_document, a.source_location)
            )
        for (scenario, contributor), cells_by_year in grouped.items():
            lines.append(
                PlanLine(scenario, contributor, str(ContributorType(contributor).label), cells_by_year)
            )
            if scenario not in scenarios:
                scenarios.append(scenario)
    realised_by_year: dict[str, Decimal] = defaultdict(Decimal)
    realised_by_contributor: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for a in realised:
        value = (
            a.amount * UNIT_FACTOR[a.unit] / UNIT_FACTOR[unit]  # type: ignore[index]
            if a.unit in UNIT_FACTOR and unit in UNIT_FACTOR
            else a.amount
        )
        realised_by_year[str(a.year)] += value
        realised_by_contributor[a.contributor][str(a.year)] += value
        if str(a.year) not in years:
            years.append(str(a.year))
    years.sort()
    return ProgrammePlan(
        programme=programme,
        unit=unit,
        years=years,
        scenarios=scenarios,
        lines=lines,
        programme_total=programme_total,
        table=table,
        entered=entered,
        realised=realised,
        realised_by_year=dict(realised_by_year),
        realised_by_contributor={k: dict(v) for k, v in realised_by_contributor.items()},
    )


def programme_amount_list() -> QuerySet[ProgrammeAmount]:
    return ProgrammeAmount.objects.select_related("programme", "recorded_by").order_by(
        "programme__code", "kind", "scenario", "year", "contributor"
    )


def rate_limit_list() -> QuerySet[FundingRateLimit]:
    return FundingRateLimit.objects.select_related("instrument").order_by("instrument__code")


def programmes_with_budgets() -> QuerySet[Any]:
    """Instruments that have a published budget table or programme amounts."""
    from deltaregio.funding.models import Instrument

    return (
        Instrument.objects.filter(Q(budget_tables__isnull=False) | Q(programme_amounts__isnull=False))
        .distinct()
        .order_by("name")
    )


def today() -> _dt.date:
    return _dt.date.today()


def project_lines(*, project: Any) -> QuerySet[BudgetLine]:
    """All budget lines of a project (for totals; who may see them is the caller's question)."""
    return BudgetLine.objects.filter(project=project)


def budget_amounts(*, lines: QuerySet[BudgetLine], by_partner: bool) -> list[dict[str, Any]]:
    """Amounts per work package and year (and partner), added up in the database."""
    group = ["work_package__number", "year"] + (["partner__organisation__slug"] if by_partner else [])
    rows = lines.order_by().values(*group).annotate(total=Sum("amount")).order_by(*group)
    return [
        {
            "work_package": row["work_package__number"],
            "partner": row.get("partner__organisation__slug"),
            "year": row["year"],
            "amount": row["total"],
        }
        for row in rows
    ]
