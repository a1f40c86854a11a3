"""Writes for money: budget lines, co-financing lines, programme amounts and the spreadsheet import.

Every write is keyword-only, atomic, checked against the rules of rules.py (who may change what, and
when) and audited: django-simple-history keeps every version with the user who made it. Invalid input
raises ValidationError with a message per field; nothing is saved then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from deltaregio.finance.models import (
    BudgetLine,
    CoFinancingLine,
    ContributorType,
    CostCategory,
    FundingContribution,
    FundingRateLimit,
    ProgrammeAmount,
)
from deltaregio.projects.models import Partner, Project, WorkPackage
from deltaregio.sources.models import Unit

MAX_AMOUNT = Decimal("999999999999999999.99")


def decimals_of(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def check_amount(value: Any, *, name: str, errors: dict[str, list[str]], allow_none: bool = False) -> None:
    """An amount in euro: a number, not negative, at most two decimals."""
    if value is None:
        if not allow_none:
            errors.setdefault(name, []).append(_("Enter an amount."))
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        errors.setdefault(name, []).append(_("Enter a number."))
        return
    if value < 0:
        errors.setdefault(name, []).append(
            _("%(value)s is negative; an amount may not be negative.") % {"value": value}
        )
    if decimals_of(value.normalize()) > 2:
        errors.setdefault(name, []).append(
            _("%(value)s has more than two decimals; amounts are in euro and cents.") % {"value": value}
        )
    if abs(value) > MAX_AMOUNT:
        errors.setdefault(name, []).append(_("%(value)s is too large.") % {"value": value})


def check_rate(value: Any, *, name: str, errors: dict[str, list[str]]) -> None:
    """A rate or share in percent: between 0 and 100, at most two decimals."""
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        errors.setdefault(name, []).append(_("Enter a number."))
        return
    if value < 0 or value > 100:
        errors.setdefault(name, []).append(
            _("%(value)s %% is not a share: it must lie between 0 and 100 %%.") % {"value": value}
        )
    if decimals_of(value.normalize()) > 2:
        errors.setdefault(name, []).append(_("%(value)s has more than two decimals.") % {"value": value})


def project_years(project: Project) -> tuple[int, int] | None:
    if project.start_date and project.end_date:
        return project.start_date.year, project.end_date.year
    return None


def check_year(project: Project, year: Any, *, name: str, errors: dict[str, list[str]]) -> None:
    if not isinstance(year, int) or isinstance(year, bool):
        errors.setdefault(name, []).append(_("Enter a year as a whole number."))
        return
    years = project_years(project)
    if years is None:
        if not 1900 <= year <= 2200:
            errors.setdefault(name, []).append(_("%(year)s is not a plausible year.") % {"year": year})
        return
    if not years[0] <= year <= years[1]:
        errors.setdefault(name, []).append(
            _("%(year)s is outside the project, which runs from %(start)s to %(end)s.")
            % {"year": year, "start": years[0], "end": years[1]}
        )


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _require(user: Any, perm: str, obj: Any) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You may not change this budget (now)."))


# --- budget lines -------------------------------------------------------------------------------------


@transaction.atomic
def budget_line_save(
    *,
    by: Any,
    partner: Partner,
    work_package: WorkPackage,
    year: int,
    category: str,
    amount: Decimal,
    note: str = "",
    line: BudgetLine | None = None,
    source_document: str,
    source_location: str = "",
) -> BudgetLine:
    """Create a budget line, or change `line`. The partner and work package must be of one project, the
    year inside the project, the amount not negative with at most two decimals."""
    project = Project.objects.select_for_update().get(pk=partner.project_id)
    _require(by, "finance.change_budgetline" if line else "finance.add_budgetline", partner)
    if line is not None:
        _require(by, "finance.change_budgetline", line.partner)
    errors: dict[str, list[str]] = {}
    if work_package.project_id != project.pk:
        errors.setdefault("work_package", []).append(
            _("This work package is not part of the partner's project.")
        )
    if category not in CostCategory.values:
        errors.setdefault("category", []).append(_("%(value)s is not a cost category.") % {"value": category})
    check_year(project, year, name="year", errors=errors)
    check_amount(amount, name="amount", errors=errors)
    if len(note) > 500:
        errors.setdefault("note", []).append(_("A note has at most 500 characters."))
    clash = BudgetLine.objects.filter(
        partner=partner, work_package=work_package, year=year, category=category
    )
    if line is not None:
        clash = clash.exclude(pk=line.pk)
    if not errors and clash.exists():
        errors.setdefault("non_field_errors", []).append(
            _(
                "%(partner)s already has a line for WP %(wp)s, %(year)s, %(category)s; "
                "change that line instead."
            )
            % {
                "partner": partner.organisation,
                "wp": work_package.number,
                "year": year,
                "category": CostCategory(category).label,
            }
        )
    _raise(errors)
    target = line or BudgetLine(project=project)
    target.project = project
    target.partner = partner
    target.work_package = work_package
    target.year = year
    target.category = category
    target.amount = amount
    target.note = note
    target.updated_by = by
    target.source_document = source_document
    target.source_location = source_location or target.source_location
    target._history_user = by  # type: ignore[attr-defined]
    target.full_clean(validate_unique=False, validate_constraints=False)
    target.save()
    if not source_location:
        target.source_location = _("budget line %(id)s") % {"id": target.pk}
        target.skip_history_when_saving = True  # type: ignore[attr-defined]
        target.save(update_fields=["source_location"])
        del target.skip_history_when_saving  # type: ignore[attr-defined]
    return target


@transaction.atomic
def budget_line_delete(*, by: Any, line: BudgetLine) -> None:
    _require(by, "finance.delete_budgetline", line)
    line._history_user = by  # type: ignore[attr-defined]
    line.delete()


# --- co-financing lines -------------------------------------------------------------------------------


@transaction.atomic
def co_financing_line_save(
    *,
    by: Any,
    partner: Partner,
    source_kind: str,
    source: str,
    instrument: Any = None,
    rate: Decimal | None = None,
    amount: Decimal | None = None,
    note: str = "",
    line: CoFinancingLine | None = None,
    source_document: str,
    source_location: str = "",
) -> CoFinancingLine:
    """Create or change a source of a partner's co-financing: a rate of the partner's budget and/or an
    amount. A rate above what the instrument allows is refused."""
    project = Project.objects.select_for_update().get(pk=partner.project_id)
    _require(by, "finance.change_cofinancingline" if line else "finance.add_cofinancingline", partner)
    if line is not None:
        _require(by, "finance.change_cofinancingline", line.partner)
    errors: dict[str, list[str]] = {}
    if source_kind not in FundingContribution.SourceKind.values:
        errors.setdefault("source_kind", []).append(
            _("%(value)s is not a kind of source.") % {"value": source_kind}
        )
    if not source.strip():
        errors.setdefault("source", []).append(_("Name who pays."))
    check_rate(rate, name="rate", errors=errors)
    check_amount(amount, name="amount", errors=errors, allow_none=True)
    if rate is None and amount is None:
        errors.setdefault("non_field_errors", []).append(_("Give a rate, an amount, or both."))
    if instrument is not None and rate is not None:
        limit = FundingRateLimit.objects.filter(instrument=instrument).first()
        if limit is not None and rate > limit.max_rate:
            errors.setdefault("rate", []).append(
                _("%(rate)s %% is above the highest rate %(instrument)s allows (%(limit)s %%).")
                % {"rate": rate, "instrument": instrument, "limit": limit.max_rate}
            )
    clash = CoFinancingLine.objects.filter(partner=partner, source_kind=source_kind, source=source.strip())
    if line is not None:
        clash = clash.exclude(pk=line.pk)
    if not errors and clash.exists():
        errors.setdefault("source", []).append(_("This partner already has a line for this source."))
    _raise(errors)
    target = line or CoFinancingLine(project=project)
    target.project = project
    target.partner = partner
    target.source_kind = source_kind
    target.source = source.strip()
    target.instrument = instrument
    target.rate = rate
    target.amount = amount
    target.note = note
    target.updated_by = by
    target.source_document = source_document
    target.source_location = source_location or target.source_location
    target._history_user = by  # type: ignore[attr-defined]
    target.save()
    if not source_location:
        target.source_location = _("co-financing line %(id)s") % {"id": target.pk}
        target.skip_history_when_saving = True  # type: ignore[attr-defined]
        target.save(update_fields=["source_location"])
        del target.skip_history_when_saving  # type: ignore[attr-defined]
    return target


@transaction.atomic
def co_financing_line_delete(*, by: Any, line: CoFinancingLine) -> None:
    _require(by, "finance.delete_cofinancingline", line)
    line._history_user = by  # type: ignore[attr-defined]
    line.delete()


# --- programme amounts --------------------------------------------------------------------------------


@transaction.atomic
def programme_amount_save(
    *,
    by: Any,
    programme: Any,
    kind: str,
    year: int,
    contributor: str,
    amount: Decimal,
    unit: str = Unit.EUR,
    scenario: str = "",
    note: str = "",
    record: ProgrammeAmount | None = None,
    source_document: str,
    source_location: str = "",
) -> ProgrammeAmount:
    """Record a realised (or planned) amount of a programme for a year and contributor type."""
    _require(by, "finance.change_programmeamount" if record else "finance.add_programmeamount", record)
    errors: dict[str, list[str]] = {}
    if kind not in ProgrammeAmount.Kind.values:
        errors.setdefault("kind", []).append(_("%(value)s is not planned or realised.") % {"value": kind})
    if contributor not in ContributorType.values:
        errors.setdefault("contributor", []).append(
            _("%(value)s is not a contributor type.") % {"value": contributor}
        )
    if unit not in Unit.values:
        errors.setdefault("unit", []).append(_("%(value)s is not a unit.") % {"value": unit})
    if not isinstance(year, int) or not 1900 <= year <= 2200:
        errors.setdefault("year", []).append(_("Enter a plausible year."))
    check_amount(amount, name="amount", errors=errors)
    clash = ProgrammeAmount.objects.filter(
        programme=programme, kind=kind, scenario=scenario, year=year, contributor=contributor
    )
    if record is not None:
        clash = clash.exclude(pk=record.pk)
    if not errors and clash.exists():
        errors.setdefault("non_field_errors", []).append(
            _("There is already an amount for this programme, year and contributor; change it instead.")
        )
    _raise(errors)
    target = record or ProgrammeAmount()
    target.programme = programme
    target.kind = kind
    target.scenario = scenario
    target.year = year
    target.contributor = contributor
    target.amount = amount
    target.unit = unit
    target.note = note
    target.recorded_by = by
    target.source_document = source_document
    target.source_location = source_location or target.source_location
    target._history_user = by  # type: ignore[attr-defined]
    target.save()
    if not source_location:
        target.source_location = _("programme amount %(id)s") % {"id": target.pk}
        target.skip_history_when_saving = True  # type: ignore[attr-defined]
        target.save(update_fields=["source_location"])
        del target.skip_history_when_saving  # type: ignore[attr-defined]
    return target


@transaction.atomic
def programme_amount_delete(*, by: Any, record: ProgrammeAmount) -> None:
    _require(by, "finance.delete_programmeamount", record)
    record._history_user = by  # type: ignore[attr-defined]
    record.delete()


# --- the spreadsheet import ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did (or, in a dry run or when refused, would do)."""

    problems: list[Any] = field(default_factory=list)  # excel.Problem
    created: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


@transaction.atomic
def budget_import(
    *, by: Any, project: Project, data: bytes, file_name: str, dry_run: bool = False
) -> ImportResult:
    """Import a filled budget template: validate everything first and report every problem with its
    sheet, row and column; write nothing unless all is valid. The file is the complete budget of each
    partner the user may change: lines of those partners that are not in the file are removed. Rows of
    other partners (a lead partner's export holds all lines) must be unchanged."""
    from deltaregio.finance.excel import Problem, read_budget_workbook

    project = Project.objects.select_for_update().get(pk=project.pk)
    if not by.has_perm("finance.import_budget", project):
        raise PermissionDenied(_("You may not change this budget (now)."))
    parsed = read_budget_workbook(data, project=project)
    result = ImportResult(problems=list(parsed.problems), dry_run=dry_run)
    partners = {p.pk: p for p in project.partners.select_related("organisation")}
    editable = {pk for pk, p in partners.items() if by.has_perm("finance.change_budgetline", p)}
    existing = {
        (line.partner_id, line.work_package_id, line.year, line.category): line
        for line in BudgetLine.objects.filter(project=project)
    }
    seen: dict[tuple[int, int, int, str], int] = {}
    for row in parsed.rows:
        key = (row.partner.pk, row.work_package.pk, row.year, row.category)
        if key in seen:
            result.problems.append(
                Problem(
                    parsed.sheet,
                    row.row,
                    "",
                    _(
                        "the same partner, work package, year and category as row %(other)s; "
                        "put them in one row."
                    )
                    % {"other": seen[key]},
                )
            )
            continue
        seen[key] = row.row
        if row.partner.pk not in editable:
            current = existing.get(key)
            if current is None or current.amount != row.amount or current.note != row.note:
                result.problems.append(
                    Problem(
                        parsed.sheet,
                        row.row,
                        parsed.partner_column,
                        _("you may not change the budget of %(partner)s (now).")
                        % {"partner": row.partner.organisation},
                    )
                )
    if result.problems:
        return result
    in_file: dict[tuple[int, int, int, str], Any] = {}
    for row in parsed.rows:
        in_file[(row.partner.pk, row.work_package.pk, row.year, row.category)] = row
    to_remove = [line for key, line in existing.items() if key[0] in editable and key not in in_file]
    writes: list[tuple[BudgetLine | None, Any]] = []
    for key, row in in_file.items():
        if key[0] not in editable:
            result.unchanged += 1  # checked above: the same as the budget holds
            continue
        current = existing.get(key)
        if current is None:
            result.created += 1
            writes.append((None, row))
        elif current.amount != row.amount or current.note != row.note:
            result.changed += 1
            writes.append((current, row))
        else:
            result.unchanged += 1
    result.removed = len(to_remove)
    if dry_run:
        return result
    source_document = _("import: %(file)s") % {"file": file_name}
    for line in to_remove:
        line._history_user = by  # type: ignore[attr-defined]
        line.delete()
    for current, row in writes:
        target = current or BudgetLine(
            project=project,
            partner=row.partner,
            work_package=row.work_package,
            year=row.year,
            category=row.category,
        )
        target.amount = row.amount
        target.note = row.note
        target.updated_by = by
        target.source_document = source_document[:100]
        target.source_location = _("sheet %(sheet)s, row %(row)s") % {"sheet": parsed.sheet, "row": row.row}
        target._history_user = by  # type: ignore[attr-defined]
        target.save()
    return result


# --- the budget of an approved application ------------------------------------------------------------


@transaction.atomic
def budget_from_application(
    *,
    by: Any,
    project: Project,
    lines: list[tuple[Partner, WorkPackage, Decimal]],
    co_financing: list[tuple[Partner, str, Decimal]],
    source_document: str,
    source_location: str = "",
) -> tuple[list[BudgetLine], list[CoFinancingLine]]:
    """The budget of a project created from an approved application (calls.services): one line per
    partner and work package in the project's first year (category "other", the application's totals)
    and the co-financing rates per source. The caller has checked that `by` may record the decision;
    amounts are checked here as everywhere else, and nothing is saved when one is wrong."""
    errors: dict[str, list[str]] = {}
    for _partner, _wp, amount in lines:
        check_amount(amount, name="amount", errors=errors)
    for _partner, _source, rate in co_financing:
        check_rate(rate, name="rate", errors=errors)
    _raise(errors)
    year = project.start_date.year if project.start_date else None
    if year is None:
        raise ValidationError({"start_date": [_("The project needs a start date to carry a budget.")]})
    note = _("Total of the approved application.")
    created = []
    for partner, wp, amount in lines:
        line = BudgetLine(
            project=project,
            partner=partner,
            work_package=wp,
            year=year,
            category=CostCategory.OTHER,
            amount=amount,
            note=note,
            updated_by=by,
            source_document=source_document,
            source_location=source_location,
        )
        line._history_user = by  # type: ignore[attr-defined]
        line.save()
        created.append(line)
    co_lines = []
    for partner, source, rate in co_financing:
        kind = (
            FundingContribution.SourceKind.EU_FUND
            if source.upper() in ("ERDF", "EFRO")
            else FundingContribution.SourceKind.OTHER
        )
        co_line = CoFinancingLine(
            project=project,
            partner=partner,
            source_kind=kind,
            source=source,
            rate=rate,
            updated_by=by,
            source_document=source_document,
            source_location=source_location,
        )
        co_line._history_user = by  # type: ignore[attr-defined]
        co_line.save()
        co_lines.append(co_line)
    return created, co_lines
