"""The consistency rules, declared: each rule reads one kind of budget structure and states the relations
that must hold in it (sums, shares, rates, the same quantity in two places, bounds, dates). Evaluating a
relation with the rounding of its figures is findings.py's job; loading the data is selectors.py's.

RULES lists every rule with its code, severity and what it checks; docs/finance-checks.md explains
them, with the tolerance, on the reference data set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deltaregio.finance.findings import (
    HUNDRED,
    ZERO,
    AtMost,
    Context,
    DateFigure,
    DateInside,
    Figure,
    RateOf,
    Relation,
    SameQuantity,
    Severity,
    ShareOf,
    SourceRef,
    SumOf,
    Visibility,
    WithinBounds,
    half_last_digit,
    plain,
    published_uncertainty,
)
from deltaregio.finance.models import (
    BudgetCell,
    BudgetLine,
    BudgetTable,
    CoFinancingLine,
    FundingContribution,
)
from deltaregio.finance.table_structures import TableStructure, structure_for
from deltaregio.sources.models import UNIT_FACTOR, Statement, Unit


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str | Promise
    checks: str | Promise


RULES: tuple[Rule, ...] = (
    Rule(
        "table-row-sum",
        Severity.DISAGREEMENT,
        gettext_lazy("Total rows of a published table"),
        gettext_lazy("A total row equals the sum of its part rows, in every column (declared per table)."),
    ),
    Rule(
        "table-column-sum",
        Severity.DISAGREEMENT,
        gettext_lazy("Total columns of a published table"),
        gettext_lazy("A total column equals the sum of its part columns, in every row (declared per table)."),
    ),
    Rule(
        "table-same-columns",
        Severity.DISAGREEMENT,
        gettext_lazy("Columns that state the same quantity"),
        gettext_lazy("Two columns declared to state the same quantity (costs and total contribution) agree."),
    ),
    Rule(
        "table-not-negative",
        Severity.IMPOSSIBLE,
        gettext_lazy("No negative contributions in a table"),
        gettext_lazy("No cell of a table of costs and contributions is negative."),
    ),
    Rule(
        "wp-budget-sum",
        Severity.DISAGREEMENT,
        gettext_lazy("Work packages add up to the project's total cost"),
        gettext_lazy("The published budgets of all work packages add up to the project's total cost."),
    ),
    Rule(
        "wp-share-sum",
        Severity.DISAGREEMENT,
        gettext_lazy("Work package shares add up to 100 %"),
        gettext_lazy("The published shares of all work packages add up to 100 %."),
    ),
    Rule(
        "wp-share-amount",
        Severity.DISAGREEMENT,
        gettext_lazy("Work package share matches its amount"),
        gettext_lazy("A work package's share equals its budget divided by the project's total cost."),
    ),
    Rule(
        "wp-dates",
        Severity.IMPOSSIBLE,
        gettext_lazy("Work packages and milestones inside the project"),
        gettext_lazy("Work packages start and end, and milestones fall, within the project's period."),
    ),
    Rule(
        "contribution-rate",
        Severity.DISAGREEMENT,
        gettext_lazy("Contribution amount matches its rate"),
        gettext_lazy("A contribution's amount equals its rate times the amount the rate is taken of."),
    ),
    Rule(
        "contribution-not-negative",
        Severity.IMPOSSIBLE,
        gettext_lazy("No negative contributions, no rate above 100 %"),
        gettext_lazy("Contributions and their bases are not negative; rates are between 0 and 100 %."),
    ),
    Rule(
        "contribution-rate-limit",
        Severity.IMPOSSIBLE,
        gettext_lazy("Rate within the instrument's limit"),
        gettext_lazy("A co-financing rate is not above the highest rate its instrument allows."),
    ),
    Rule(
        "contribution-rates-over-100",
        Severity.IMPOSSIBLE,
        gettext_lazy("Rates of one basis at most 100 %"),
        gettext_lazy("The rates of the contributions taken of the same amount add up to at most 100 %."),
    ),
    Rule(
        "contribution-over-cost",
        Severity.IMPOSSIBLE,
        gettext_lazy("Contributions at most the project's cost"),
        gettext_lazy("The contributions to a project together are not more than its total cost."),
    ),
    Rule(
        "lines-project-total",
        Severity.DISAGREEMENT,
        gettext_lazy("Budget lines add up to the project's total cost"),
        gettext_lazy("The budget lines of all partners add up to the project's total cost."),
    ),
    Rule(
        "lines-wp-budget",
        Severity.DISAGREEMENT,
        gettext_lazy("Budget lines add up to the work package budget"),
        gettext_lazy("The budget lines of a work package add up to its published budget."),
    ),
    Rule(
        "lines-year",
        Severity.IMPOSSIBLE,
        gettext_lazy("Budget lines in the project's years"),
        gettext_lazy("A budget line's year lies within the project's period."),
    ),
    Rule(
        "co-financing-rate",
        Severity.DISAGREEMENT,
        gettext_lazy("Co-financing amount matches its rate"),
        gettext_lazy("A partner's co-financing amount equals its rate times the partner's budget."),
    ),
    Rule(
        "co-financing-covers-budget",
        Severity.DISAGREEMENT,
        gettext_lazy("Co-financing plan covers the partner's budget"),
        gettext_lazy("The sources of a partner's co-financing plan add up to the partner's budget."),
    ),
    Rule(
        "co-financing-rates-over-100",
        Severity.IMPOSSIBLE,
        gettext_lazy("A partner's rates at most 100 %"),
        gettext_lazy("The co-financing rates of one partner add up to at most 100 %."),
    ),
    Rule(
        "co-financing-rate-limit",
        Severity.IMPOSSIBLE,
        gettext_lazy("Partner's rate within the instrument's limit"),
        gettext_lazy("A partner's co-financing rate is not above the highest rate its instrument allows."),
    ),
    Rule(
        "same-quantity",
        Severity.DISAGREEMENT,
        gettext_lazy("The same quantity stated in several places"),
        gettext_lazy(
            "Statements with the same key (two tables, two documents, a target given twice) agree; money "
            "is compared in one unit, other quantities only when their unit is the same."
        ),
    ),
)
RULE_CODES = frozenset(rule.code for rule in RULES)


@dataclass
class CheckData:
    """Everything the rules read, loaded by selectors.budget_check_data()."""

    tables: list[BudgetTable] = field(default_factory=list)
    projects: list[Any] = field(default_factory=list)  # Project with work_packages, milestones, funding
    project_lines: dict[int, tuple[Decimal, int]] = field(default_factory=dict)  # project id → sum, count
    work_package_lines: dict[int, tuple[Decimal, int]] = field(default_factory=dict)
    partner_lines: dict[int, tuple[Decimal, int]] = field(default_factory=dict)
    lines_outside_years: list[BudgetLine] = field(default_factory=list)
    co_financing: list[CoFinancingLine] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    owners: StatementOwners | None = None


def relations(data: CheckData) -> Iterator[Relation]:
    """Every relation the rules declare over the data."""
    yield from table_relations(data.tables)
    yield from project_relations(data)
    yield from co_financing_relations(data)
    yield from statement_relations(data.statements, data.owners)


# --- published tables -------------------------------------------------------------------------------


def _short_title(table: BudgetTable) -> str:
    return table.title.split(":", 1)[0].strip() if ":" in table.title else table.code


class _PublishedTable:
    """A published table's cells as figures, with their rounding and their place in the document."""

    def __init__(self, table: BudgetTable) -> None:
        self.table = table
        self.cells: dict[tuple[str, str], BudgetCell] = {}
        self.first_cell: dict[str, BudgetCell] = {}
        for cell in table.cells.all():
            self.cells[(cell.row_key, cell.column_key)] = cell
            self.first_cell.setdefault(cell.row_key, cell)
        self.labels = {str(c["key"]): str(c.get("label", c["key"])) for c in table.columns}
        self.columns = list(self.labels)
        self.rows = list(self.first_cell)
        self.title = _short_title(table)
        self.uncertainty = (table.rounded_to or ZERO) / 2

    def column_name(self, column: str) -> str:
        return self.labels.get(column, column)

    def row_name(self, row_key: str) -> str:
        first = self.first_cell.get(row_key)
        if first is None:
            return row_key
        return f"{first.row_label} ({first.row_group})" if first.row_group else first.row_label

    def figure(self, row_key: str, column: str) -> Figure | None:
        cell = self.cells.get((row_key, column))
        if cell is None or cell.value is None:
            return None
        where = _("%(location)s; row “%(row)s”, column “%(column)s”") % {
            "location": self.table.source_location,
            "row": self.row_name(row_key),
            "column": self.column_name(column),
        }
        return Figure(
            label=f"{self.title}: {self.row_name(row_key)}, {self.column_name(column)}",
            value=cell.value,
            unit=self.table.unit,
            text=cell.value_text,
            uncertainty=self.uncertainty,
            source=SourceRef(self.table.source_document, where),
        )


def table_relations(tables: list[BudgetTable]) -> Iterator[Relation]:
    for table in tables:
        structure = structure_for(table.code)
        if structure is not None:
            yield from _table_relations(_PublishedTable(table), structure)


def _table_relations(t: _PublishedTable, structure: TableStructure) -> Iterator[Relation]:
    code = t.table.code
    context = Context(programme=t.table.programme.code if t.table.programme else "")
    for row_sum in structure.row_sums:
        for column in t.columns:
            total = t.figure(row_sum.total, column)
            if total is None:
                continue
            yield SumOf(
                key=f"table-row-sum:{code}:{row_sum.total}:{column}",
                rule="table-row-sum",
                what=_("%(table)s, column “%(column)s”: “%(total)s” against the rows it adds up")
                % {"table": t.title, "column": t.column_name(column), "total": t.row_name(row_sum.total)},
                total=total,
                parts=tuple(f for f in (t.figure(p, column) for p in row_sum.parts) if f is not None),
                context=context,
            )
    for column_sum in structure.column_sums:
        for row_key in t.rows:
            total = t.figure(row_key, column_sum.total)
            if total is None:
                continue
            yield SumOf(
                key=f"table-column-sum:{code}:{row_key}:{column_sum.total}",
                rule="table-column-sum",
                what=_("%(table)s, row “%(row)s”: “%(total)s” against the columns it adds up")
                % {"table": t.title, "row": t.row_name(row_key), "total": t.column_name(column_sum.total)},
                total=total,
                parts=tuple(f for f in (t.figure(row_key, p) for p in column_sum.parts) if f is not None),
                context=context,
            )
    for same in structure.same_columns:
        for row_key in t.rows:
            first, second = t.figure(row_key, same.first), t.figure(row_key, same.second)
            if first is None or second is None:
                continue
            yield SumOf(
                key=f"table-same-columns:{code}:{row_key}:{same.first}:{same.second}",
                rule="table-same-columns",
                what=_("%(table)s, row “%(row)s”: “%(first)s” and “%(second)s”")
                % {
                    "table": t.title,
                    "row": t.row_name(row_key),
                    "first": t.column_name(same.first),
                    "second": t.column_name(same.second),
                },
                total=second,
                parts=(first,),
                context=context,
            )
    if structure.non_negative:
        for row_key, column in sorted(t.cells):
            figure = t.figure(row_key, column)
            if figure is None:
                continue
            yield WithinBounds(
                key=f"table-not-negative:{code}:{row_key}:{column}",
                rule="table-not-negative",
                what=_("%(table)s, “%(row)s”, column “%(column)s”")
                % {"table": t.title, "row": t.row_name(row_key), "column": t.column_name(column)},
                figure=figure,
                minimum=ZERO,
                context=context,
            )


# --- projects: work packages, dates, contributions, budget lines ---------------------------------


def _money_text(value: Decimal, unit: str) -> str:
    return f"{value:.2f}" if unit == Unit.EUR else plain(value)


def _record_source(record: Any) -> SourceRef:
    return SourceRef(record.source_document, record.source_location)


def project_relations(data: CheckData) -> Iterator[Relation]:
    for project in data.projects:
        yield from _project_relations(project, data)


def _project_relations(project: Any, data: CheckData) -> Iterator[Relation]:
    context = Context(project=project.slug)
    name = project.acronym
    total: Figure | None = None
    if project.total_cost is not None:
        total = Figure(
            label=_("Total cost of %(project)s") % {"project": name},
            value=project.total_cost,
            unit=project.cost_unit,
            text=_money_text(project.total_cost, project.cost_unit),
            uncertainty=published_uncertainty(project.total_cost, project.cost_unit),
            source=_record_source(project),
        )
    work_packages = list(project.work_packages.all())

    def wp_budget(wp: Any) -> Figure:
        return Figure(
            label=_("Budget of WP %(number)s") % {"number": wp.number},
            value=wp.budget,
            unit=project.cost_unit,
            text=_money_text(wp.budget, project.cost_unit),
            uncertainty=published_uncertainty(wp.budget, project.cost_unit),
            source=_record_source(wp),
        )

    def wp_share(wp: Any) -> Figure:
        return Figure(
            label=_("Share of WP %(number)s") % {"number": wp.number},
            value=wp.share,
            unit="%",
            text=plain(wp.share),
            uncertainty=half_last_digit(wp.share),
            source=_record_source(wp),
        )

    if total is not None and work_packages and all(wp.budget is not None for wp in work_packages):
        yield SumOf(
            key=f"wp-budget-sum:{project.slug}",
            rule="wp-budget-sum",
            what=_("%(project)s: the work packages' budgets against the total cost") % {"project": name},
            total=total,
            parts=tuple(wp_budget(wp) for wp in work_packages),
            context=context,
        )
    if work_packages and all(wp.share is not None for wp in work_packages):
        whole = Figure(
            label=_("100 % (the whole project)"),
            value=HUNDRED,
            unit="%",
            text="100",
            source=SourceRef(project.source_document, _("the shares of all work packages make the whole")),
        )
        yield SumOf(
            key=f"wp-share-sum:{project.slug}",
            rule="wp-share-sum",
            what=_("%(project)s: the work packages' shares against 100 %%") % {"project": name},
            total=whole,
            parts=tuple(wp_share(wp) for wp in work_packages),
            context=context,
        )
    for wp in work_packages:
        if total is not None and wp.budget is not None and wp.share is not None:
            yield ShareOf(
                key=f"wp-share-amount:{project.slug}:{wp.number}",
                rule="wp-share-amount",
                what=_("%(project)s, WP %(number)s") % {"project": name, "number": wp.number},
                share=wp_share(wp),
                amount=wp_budget(wp),
                total=total,
                context=context,
            )
    yield from _date_relations(project, work_packages, context)
    yield from _contribution_relations(project, total, context)
    yield from _line_relations(project, total, work_packages, data)


def _date_relations(project: Any, work_packages: list[Any], context: Context) -> Iterator[Relation]:
    source = _record_source(project)
    start = (
        DateFigure(_("the start of %(project)s") % {"project": project.acronym}, project.start_date, source)
        if project.start_date
        else None
    )
    end = (
        DateFigure(_("the end of %(project)s") % {"project": project.acronym}, project.end_date, source)
        if project.end_date
        else None
    )
    for wp in work_packages:
        wp_source = _record_source(wp)
        for which, date in (("start", wp.start_date), ("end", wp.end_date)):
            if date is None or (start is None and end is None):
                continue
            label = (
                _("The start of WP %(number)s") if which == "start" else _("The end of WP %(number)s")
            ) % {"number": wp.number}
            yield DateInside(
                key=f"wp-dates:{project.slug}:wp{wp.number}:{which}",
                rule="wp-dates",
                what=f"{project.acronym}: {label}",
                date=DateFigure(label, date, wp_source),
                start=start,
                end=end,
                context=context,
            )
        if wp.start_date and wp.end_date:
            wp_start = DateFigure(
                _("the start of WP %(number)s") % {"number": wp.number}, wp.start_date, wp_source
            )
            yield DateInside(
                key=f"wp-dates:{project.slug}:wp{wp.number}:order",
                rule="wp-dates",
                what=_("%(project)s: the end of WP %(number)s")
                % {"project": project.acronym, "number": wp.number},
                date=DateFigure(
                    _("the end of WP %(number)s") % {"number": wp.number}, wp.end_date, wp_source
                ),
                start=wp_start,
                end=None,
                context=context,
            )
    for milestone in project.milestones.all():
        if milestone.due_date is None or (start is None and end is None):
            continue
        label = _("Milestone “%(title)s”") % {"title": milestone.title}
        yield DateInside(
            key=f"wp-dates:{project.slug}:milestone{milestone.pk}",
            rule="wp-dates",
            what=f"{project.acronym}: {label}",
            date=DateFigure(label, milestone.due_date, _record_source(milestone)),
            start=start,
            end=end,
            context=context,
        )


def _contribution_relations(project: Any, total: Figure | None, context: Context) -> Iterator[Relation]:
    contributions: list[FundingContribution] = list(project.funding.all())
    by_basis: dict[Decimal, list[Figure]] = defaultdict(list)
    amounts: list[Figure] = []
    for c in contributions:
        what = f"{project.acronym}, {c.source}"
        source = _record_source(c)
        amount = (
            Figure(
                label=_("Contribution of %(source)s") % {"source": c.source},
                value=c.amount,
                unit=c.unit,
                text=_money_text(c.amount, c.unit),
                uncertainty=published_uncertainty(c.amount, c.unit),
                source=source,
            )
            if c.amount is not None
            else None
        )
        rate = (
            Figure(
                label=_("Rate of %(source)s") % {"source": c.source},
                value=c.share,
                unit="%",
                text=plain(c.share),
                source=source,  # a co-financing rate is a rate the instrument sets: exact
            )
            if c.share is not None
            else None
        )
        basis = (
            Figure(
                label=_("Amount the rate of %(source)s is taken of") % {"source": c.source},
                value=c.basis_amount,
                unit=c.unit,
                text=_money_text(c.basis_amount, c.unit),
                uncertainty=published_uncertainty(c.basis_amount, c.unit),
                source=source,
            )
            if c.basis_amount is not None
            else None
        )
        for name, fig in (("amount", amount), ("basis", basis)):
            if fig is not None:
                yield WithinBounds(
                    key=f"contribution-not-negative:{project.slug}:{c.pk}:{name}",
                    rule="contribution-not-negative",
                    what=fig.label,
                    figure=fig,
                    minimum=ZERO,
                    context=context,
                )
        if rate is not None:
            yield WithinBounds(
                key=f"contribution-not-negative:{project.slug}:{c.pk}:rate",
                rule="contribution-not-negative",
                what=rate.label,
                figure=rate,
                minimum=ZERO,
                maximum=HUNDRED,
                context=context,
            )
            limit = getattr(c.instrument, "rate_limit", None) if c.instrument_id else None
            if limit is not None:
                yield WithinBounds(
                    key=f"contribution-rate-limit:{project.slug}:{c.pk}",
                    rule="contribution-rate-limit",
                    what=_("%(what)s (highest rate of %(instrument)s: %(limit)s %%, %(where)s)")
                    % {
                        "what": rate.label,
                        "instrument": c.instrument,
                        "limit": plain(limit.max_rate),
                        "where": limit.source_location or limit.source_document,
                    },
                    figure=rate,
                    maximum=limit.max_rate,
                    context=context,
                )
        if amount is not None and rate is not None and basis is not None:
            yield RateOf(
                key=f"contribution-rate:{project.slug}:{c.pk}",
                rule="contribution-rate",
                what=what,
                amount=amount,
                rate=rate,
                basis=basis,
                context=context,
            )
        if rate is not None and basis is not None and c.unit in UNIT_FACTOR:
            by_basis[basis.value * UNIT_FACTOR[c.unit]].append(rate)  # type: ignore[index]
        if amount is not None:
            amounts.append(amount)
    for basis_eur, rates in sorted(by_basis.items()):
        if len(rates) < 2:
            continue
        yield AtMost(
            key=f"contribution-rates-over-100:{project.slug}:{plain(basis_eur)}",
            rule="contribution-rates-over-100",
            what=_("%(project)s: the rates of the contributions taken of %(basis)s euro")
            % {"project": project.acronym, "basis": plain(basis_eur)},
            parts=tuple(rates),
            limit=Figure(_("100 %"), HUNDRED, "%", SourceRef("", ""), text="100"),
            context=context,
        )
    if total is not None and amounts and total.unit in UNIT_FACTOR:
        yield AtMost(
            key=f"contribution-over-cost:{project.slug}",
            rule="contribution-over-cost",
            what=_("%(project)s: the contributions against the total cost") % {"project": project.acronym},
            parts=tuple(a for a in amounts if a.unit in UNIT_FACTOR),
            limit=total,
            context=context,
        )


def _lines_figure(label: str, value: Decimal, count: int, where: str) -> Figure:
    return Figure(
        label=label,
        value=value,
        unit=Unit.EUR,
        text=f"{value:.2f}",
        source=SourceRef(
            _("budget lines"), _("%(count)d lines: %(where)s") % {"count": count, "where": where}
        ),
    )


def _line_relations(
    project: Any, total: Figure | None, work_packages: list[Any], data: CheckData
) -> Iterator[Relation]:
    lines_context = Context(project=project.slug, visibility=Visibility.PROJECT_LINES)
    line_total = data.project_lines.get(project.pk)
    if line_total is not None and total is not None and total.unit in UNIT_FACTOR:
        value, count = line_total
        yield SumOf(
            key=f"lines-project-total:{project.slug}",
            rule="lines-project-total",
            what=_("%(project)s: the budget lines of all partners against the total cost")
            % {"project": project.acronym},
            total=total,
            parts=(_lines_figure(_("Sum of the budget lines"), value, count, project.acronym),),
            context=lines_context,
        )
    for wp in work_packages:
        wp_total = data.work_package_lines.get(wp.pk)
        if wp_total is None or wp.budget is None or project.cost_unit not in UNIT_FACTOR:
            continue
        value, count = wp_total
        yield SumOf(
            key=f"lines-wp-budget:{project.slug}:{wp.number}",
            rule="lines-wp-budget",
            what=_("%(project)s, WP %(number)s: the budget lines against the work package's budget")
            % {"project": project.acronym, "number": wp.number},
            total=Figure(
                label=_("Budget of WP %(number)s") % {"number": wp.number},
                value=wp.budget,
                unit=project.cost_unit,
                text=_money_text(wp.budget, project.cost_unit),
                uncertainty=published_uncertainty(wp.budget, project.cost_unit),
                source=_record_source(wp),
            ),
            parts=(
                _lines_figure(
                    _("Sum of the budget lines of WP %(number)s") % {"number": wp.number},
                    value,
                    count,
                    f"{project.acronym} WP {wp.number}",
                ),
            ),
            context=lines_context,
        )
    for line in data.lines_outside_years:
        if line.project_id != project.pk:
            continue
        yield WithinBounds(
            key=f"lines-year:{project.slug}:{line.pk}",
            rule="lines-year",
            what=_("%(project)s: the year of a budget line of %(partner)s")
            % {"project": project.acronym, "partner": _partner_name(line.partner)},
            figure=Figure(
                label=_("Year of a budget line"),
                value=Decimal(line.year),
                unit=_("year"),
                text=str(line.year),
                source=_record_source(line),
            ),
            minimum=Decimal(project.start_date.year) if project.start_date else None,
            maximum=Decimal(project.end_date.year) if project.end_date else None,
            context=Context(
                project=project.slug, visibility=Visibility.PARTNER_LINES, partner_id=line.partner_id
            ),
        )


def _partner_name(partner: Any) -> str:
    organisation = partner.organisation
    return str(organisation.short_name or organisation.name)


# --- co-financing plans per partner ------------------------------------------------------------------


def co_financing_relations(data: CheckData) -> Iterator[Relation]:
    by_partner: dict[int, list[CoFinancingLine]] = defaultdict(list)
    for line in data.co_financing:
        by_partner[line.partner_id].append(line)
    for partner_id, lines in by_partner.items():
        partner = lines[0].partner
        project = lines[0].project
        context = Context(project=project.slug, visibility=Visibility.PARTNER_LINES, partner_id=partner_id)
        name = _partner_name(partner)
        budget_sum = data.partner_lines.get(partner_id)
        budget = (
            _lines_figure(
                _("Budget of %(partner)s (sum of its budget lines)") % {"partner": name},
                budget_sum[0],
                budget_sum[1],
                f"{project.acronym}, {name}",
            )
            if budget_sum is not None
            else None
        )
        covered: list[Figure] = []
        rates: list[Figure] = []
        for line in lines:
            source = _record_source(line)
            rate = (
                Figure(
                    _("Rate of %(source)s for %(partner)s") % {"source": line.source, "partner": name},
                    line.rate,
                    "%",
                    source,
                    text=plain(line.rate),
                )
                if line.rate is not None
                else None
            )
            amount = (
                Figure(
                    _("Amount of %(source)s for %(partner)s") % {"source": line.source, "partner": name},
                    line.amount,
                    Unit.EUR,
                    source,
                    text=f"{line.amount:.2f}",
                )
                if line.amount is not None
                else None
            )
            if rate is not None:
                rates.append(rate)
                limit = getattr(line.instrument, "rate_limit", None) if line.instrument_id else None
                if limit is not None:
                    yield WithinBounds(
                        key=f"co-financing-rate-limit:{project.slug}:{line.pk}",
                        rule="co-financing-rate-limit",
                        what=_("%(what)s (highest rate of %(instrument)s: %(limit)s %%)")
                        % {"what": rate.label, "instrument": line.instrument, "limit": plain(limit.max_rate)},
                        figure=rate,
                        maximum=limit.max_rate,
                        context=context,
                    )
            if amount is not None and rate is not None and budget is not None:
                yield RateOf(
                    key=f"co-financing-rate:{project.slug}:{line.pk}",
                    rule="co-financing-rate",
                    what=f"{project.acronym}, {name}, {line.source}",
                    amount=amount,
                    rate=rate,
                    basis=budget,
                    context=context,
                )
            if amount is not None:
                covered.append(amount)
            elif rate is not None and budget is not None:
                covered.append(
                    Figure(
                        _("%(rate)s %% of the budget of %(partner)s (%(source)s)")
                        % {"rate": plain(rate.value), "partner": name, "source": line.source},
                        budget.value * rate.value / HUNDRED,
                        Unit.EUR,
                        source,
                    )
                )
        if len(rates) > 1:
            yield AtMost(
                key=f"co-financing-rates-over-100:{project.slug}:{partner_id}",
                rule="co-financing-rates-over-100",
                what=_("%(project)s, %(partner)s: the co-financing rates")
                % {"project": project.acronym, "partner": name},
                parts=tuple(rates),
                limit=Figure(_("100 %"), HUNDRED, "%", SourceRef("", ""), text="100"),
                context=context,
            )
        if budget is not None and len(covered) == len(lines):
            yield SumOf(
                key=f"co-financing-covers-budget:{project.slug}:{partner_id}",
                rule="co-financing-covers-budget",
                what=_("%(project)s, %(partner)s: the co-financing plan against the partner's budget")
                % {"project": project.acronym, "partner": name},
                total=budget,
                parts=tuple(covered),
                context=context,
            )


# --- the same quantity stated in several places -------------------------------------------------------


@dataclass(frozen=True)
class StatementOwners:
    """Which project or programme a statement key is about: a key that starts with a project's slug is
    that project's; one that starts with an instrument's code is that instrument's; otherwise the one
    programme whose code starts with the key's first word, if there is exactly one."""

    project_slugs: tuple[str, ...]
    instrument_codes: tuple[str, ...]
    programme_codes: tuple[str, ...]

    def owner(self, key: str) -> tuple[str, str]:
        for slug in sorted(self.project_slugs, key=len, reverse=True):
            if key == slug or key.startswith(slug + "-"):
                return slug, ""
        for code in sorted(self.instrument_codes, key=len, reverse=True):
            if key == code or key.startswith(code + "-"):
                return "", code
        first = key.split("-", 1)[0]
        matches = [code for code in self.programme_codes if code.split("-", 1)[0] == first]
        return ("", matches[0]) if len(matches) == 1 else ("", "")


def statement_uncertainty(statement: Statement) -> Decimal:
    """Money is taken to be rounded to its last printed digit; counts, years and other units are exact
    (the same rule as sources.selectors.disagreements)."""
    if statement.value is None or statement.unit not in UNIT_FACTOR:
        return ZERO
    return half_last_digit(statement.value)


def statement_relations(statements: list[Statement], owners: StatementOwners | None) -> Iterator[Relation]:
    groups: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        if statement.value is not None:
            groups[statement.key].append(statement)
    for key, group in sorted(groups.items()):
        if len(group) < 2:
            continue
        money = all(s.unit in UNIT_FACTOR for s in group)
        project, programme = owners.owner(key) if owners else ("", "")
        figures = tuple(
            Figure(
                label=s.subject,
                value=s.value,  # type: ignore[arg-type]
                unit=s.unit,
                text=s.value_text,
                uncertainty=statement_uncertainty(s),
                source=_record_source(s),
            )
            for s in group
        )
        yield SameQuantity(
            key=f"same-quantity:{key}",
            rule="same-quantity",
            what=group[0].subject,
            figures=figures,
            context=Context(project=project, programme=programme),
            severity=Severity.DISAGREEMENT if money else Severity.NOTICE,
        )
