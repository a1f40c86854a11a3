"""Budgets in Excel (.xlsx, openpyxl): the export of a project's or a programme's budget, the blank
template, and the reading and validation of a filled template.

A project workbook has the sheets About (template name, version, project), Budget (one row per budget
line: the sheet that is imported), Totals (work package × partner × year and category × year, as
SUMIFS formulas over Budget, so the totals follow when the file is edited), Work packages and
Co-financing (as published, with SUM formulas) and Lists (the choices of the Budget columns).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from deltaregio.finance.models import BudgetLine, CoFinancingLine, CostCategory, FundingContribution
from deltaregio.projects.models import Partner, Project, WorkPackage

TEMPLATE_NAME = "deltaregio-budget"
TEMPLATE_VERSION = "1"
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024

HEADER_FILL = PatternFill("solid", fgColor="154273")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)
TOTAL_FILL = PatternFill("solid", fgColor="E6EFF7")
MONEY = "#,##0.00"
PERCENT = "0.00"


def budget_headers() -> list[str]:
    return [
        _("Partner"),
        _("Work package (number)"),
        _("Year"),
        _("Cost category"),
        _("Amount (EUR)"),
        _("Note"),
    ]


def _all_language_headers() -> list[set[str]]:
    """The Budget sheet's column headings in every language, to accept a template of either."""
    from django.conf import settings

    columns: list[set[str]] = [set() for _ in budget_headers()]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for i, header in enumerate(budget_headers()):
                columns[i].add(header.strip().lower())
    return columns


def _category_names() -> dict[str, str]:
    """Every way a cost category may be written (code, or label in any language) → its code."""
    from django.conf import settings

    names: dict[str, str] = {}
    for code, _label in CostCategory.choices:
        names[code.lower()] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names[str(CostCategory(code).label).strip().lower()] = code
    return names


def _style_header(ws: Worksheet, row: int = 1) -> None:
    for cell in ws[row]:
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(vertical="top", wrap_text=True)


def _widths(ws: Worksheet, widths: Iterable[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def partner_name(partner: Partner) -> str:
    return str(partner.organisation.name)


# --- export and template ------------------------------------------------------------------------------


def project_workbook(
    *,
    project: Project,
    lines: Iterable[BudgetLine],
    contributions: Iterable[FundingContribution] = (),
    co_financing: Iterable[CoFinancingLine] = (),
    blank: bool = False,
) -> bytes:
    """A project's budget as a workbook; with blank=True the template without lines."""
    partners = list(project.partners.select_related("organisation").order_by("organisation__name"))
    work_packages = list(project.work_packages.order_by("number"))
    lines = [] if blank else list(lines)
    years = _years(project, lines)
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = _("About")
    _about_sheet(about, project, blank)
    budget = wb.create_sheet(_("Budget"))
    lists = wb.create_sheet(_("Lists"))
    _lists_sheet(lists, partners, work_packages, years)
    _budget_sheet(budget, lines, lists, partners, work_packages, years)
    totals = wb.create_sheet(_("Totals"))
    _totals_sheet(totals, budget.title, partners, work_packages, years)
    wps = wb.create_sheet(_("Work packages"))
    _work_package_sheet(wps, project, work_packages)
    cofinancing = wb.create_sheet(_("Co-financing"))
    _co_financing_sheet(cofinancing, list(contributions), [] if blank else list(co_financing))
    wb.move_sheet(lists, offset=len(wb.sheetnames))
    return _to_bytes(wb)


def _years(project: Project, lines: list[BudgetLine]) -> list[int]:
    years = {line.year for line in lines}
    if project.start_date and project.end_date:
        years |= set(range(project.start_date.year, project.end_date.year + 1))
    return sorted(years)


def _about_sheet(ws: Worksheet, project: Project, blank: bool) -> None:
    period = (
        f"{project.start_date.isoformat()} – {project.end_date.isoformat()}"
        if project.start_date and project.end_date
        else _("not published")
    )
    rows: list[tuple[str, Any]] = [
        (_("Deltaregio budget"), ""),
        (_("Template"), TEMPLATE_NAME),
        (_("Template version"), TEMPLATE_VERSION),
        (_("Project"), project.slug),
        (_("Project title"), f"{project.acronym}: {project.title}"),
        (_("Project period"), period),
        (_("Made on"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (_("Content"), _("blank template") if blank else _("budget lines you may see")),
        ("", ""),
        (_("How to fill it in"), ""),
        ("1", _("Enter one row per partner, work package, year and cost category on the sheet Budget.")),
        (
            "2",
            _("Amounts are in euro with at most two decimals, entered as numbers (not text); none negative."),
        ),
        (
            "3",
            _(
                "Years must lie within the project period; partners, work packages and categories as on "
                "the sheet Lists."
            ),
        ),
        ("4", _("The sheet Totals adds up the Budget sheet with formulas; it is not imported.")),
        ("5", _("Do not merge or hide cells, rows or sheets, and keep the cells B2 to B4 of this sheet.")),
        (
            "6",
            _(
                "Importing replaces the lines of the partners you may change; rows of others must stay as "
                "they are."
            ),
        ),
    ]
    for row in rows:
        ws.append(list(row))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A10"].font = TOTAL_FONT
    for cell in ("A2", "A3", "A4"):
        ws[cell].font = TOTAL_FONT
    _widths(ws, [24, 100])


def _lists_sheet(ws: Worksheet, partners: list[Partner], wps: list[WorkPackage], years: list[int]) -> None:
    ws.append([_("Partners"), _("Work packages"), _("Work package titles"), _("Years"), _("Cost categories")])
    _style_header(ws)
    categories = [str(label) for _code, label in CostCategory.choices]
    for i in range(max(len(partners), len(wps), len(years), len(categories))):
        ws.append(
            [
                partner_name(partners[i]) if i < len(partners) else None,
                wps[i].number if i < len(wps) else None,
                wps[i].title if i < len(wps) else None,
                years[i] if i < len(years) else None,
                categories[i] if i < len(categories) else None,
            ]
        )
    _widths(ws, [40, 16, 60, 10, 36])


def _list_range(lists: Worksheet, column: str, count: int) -> str:
    return f"'{lists.title}'!${column}$2:${column}${max(count, 1) + 1}"


def _budget_sheet(
    ws: Worksheet,
    lines: list[BudgetLine],
    lists: Worksheet,
    partners: list[Partner],
    wps: list[WorkPackage],
    years: list[int],
) -> None:
    ws.append(budget_headers())
    _style_header(ws)
    labels = dict(CostCategory.choices)
    for line in lines:
        ws.append(
            [
                partner_name(line.partner),
                line.work_package.number,
                line.year,
                str(labels[line.category]),
                line.amount,
                line.note or None,
            ]
        )
    last = max(ws.max_row, 200)
    for row in ws.iter_rows(min_row=2, max_row=last, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = MONEY
    rules = [
        ("A", DataValidation(type="list", formula1=_list_range(lists, "A", len(partners)), allow_blank=True)),
        ("B", DataValidation(type="list", formula1=_list_range(lists, "B", len(wps)), allow_blank=True)),
        ("C", DataValidation(type="list", formula1=_list_range(lists, "D", len(years)), allow_blank=True)),
        (
            "D",
            DataValidation(
                type="list", formula1=_list_range(lists, "E", len(CostCategory.choices)), allow_blank=True
            ),
        ),
        ("E", DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)),
    ]
    for column, validation in rules:
        validation.error = _("Choose or enter a valid value; see the sheet About.")
        validation.showErrorMessage = True
        ws.add_data_validation(validation)
        validation.add(f"{column}2:{column}{last}")
    ws.freeze_panes = "A2"
    _widths(ws, [40, 14, 8, 34, 18, 50])


def _totals_sheet(
    ws: Worksheet, budget: str, partners: list[Partner], wps: list[WorkPackage], years: list[int]
) -> None:
    """Work package × partner × year and category × year, as SUMIFS over the Budget sheet."""
    ref = f"'{budget}'"
    amount, partner_col, wp_col, year_col, category_col = (
        f"{ref}!$E:$E",
        f"{ref}!$A:$A",
        f"{ref}!$B:$B",
        f"{ref}!$C:$C",
        f"{ref}!$D:$D",
    )
    header = [_("Work package"), _("Partner"), *years, _("Total")]
    ws.append([_("Budget by work package, partner and year (EUR), calculated from the sheet Budget")])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(header)
    _style_header(ws, 2)
    last_year_col = get_column_letter(2 + len(years))
    total_col = get_column_letter(3 + len(years))
    wp_rows: list[int] = []
    for wp in wps:
        first = ws.max_row + 1
        for partner in partners:
            r = ws.max_row + 1
            row: list[Any] = [wp.number, partner_name(partner)]
            for i in range(len(years)):
                year_cell = f"{get_column_letter(3 + i)}$2"
                row.append(f"=SUMIFS({amount},{wp_col},$A{r},{partner_col},$B{r},{year_col},{year_cell})")
            row.append(f"=SUM(C{r}:{last_year_col}{r})")
            ws.append(row)
        r = ws.max_row + 1
        subtotal: list[Any] = [wp.number, _("Total of WP %(number)s") % {"number": wp.number}]
        for i in range(len(years) + 1):
            column = get_column_letter(3 + i)
            subtotal.append(f"=SUM({column}{first}:{column}{r - 1})" if partners else 0)
        ws.append(subtotal)
        wp_rows.append(r)
        for cell in ws[r]:
            cell.font = TOTAL_FONT
            cell.fill = TOTAL_FILL
    r = ws.max_row + 1
    grand: list[Any] = [_("Total"), ""]
    for i in range(len(years) + 1):
        column = get_column_letter(3 + i)
        grand.append("=" + "+".join(f"{column}{x}" for x in wp_rows) if wp_rows else 0)
    ws.append(grand)
    for cell in ws[r]:
        cell.font = TOTAL_FONT
        cell.fill = TOTAL_FILL
    ws.append([])
    ws.append([_("Budget by cost category and year (EUR)")])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
    header_row = ws.max_row + 1
    ws.append([_("Cost category"), "", *years, _("Total")])
    _style_header(ws, header_row)
    first = ws.max_row + 1
    for _code, label in CostCategory.choices:
        r = ws.max_row + 1
        row = [str(label), ""]
        for i, _year in enumerate(years):
            year_cell = f"{get_column_letter(3 + i)}${header_row}"
            row.append(f"=SUMIFS({amount},{category_col},$A{r},{year_col},{year_cell})")
        row.append(f"=SUM(C{r}:{last_year_col}{r})")
        ws.append(row)
    r = ws.max_row + 1
    ws.append(
        [
            _("Total"),
            "",
            *[
                f"=SUM({get_column_letter(3 + i)}{first}:{get_column_letter(3 + i)}{r - 1})"
                for i in range(len(years) + 1)
            ],
        ]
    )
    for cell in ws[r]:
        cell.font = TOTAL_FONT
        cell.fill = TOTAL_FILL
    for row_cells in ws.iter_rows(min_row=3, min_col=3, max_col=3 + len(years)):
        for cell in row_cells:
            cell.number_format = MONEY
    ws.freeze_panes = "C3"
    _widths(ws, [14, 40, *[14] * len(years), 16])
    del total_col


def _work_package_sheet(ws: Worksheet, project: Project, wps: list[WorkPackage]) -> None:
    ws.append([_("Work packages as published"), "", "", "", "", "", _("Source")])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(
        [
            _("Work package"),
            _("Title"),
            _("Budget") + f" ({project.cost_unit})",
            _("Share (%)"),
            _("Start"),
            _("End"),
            _("Source"),
        ]
    )
    _style_header(ws, 2)
    for wp in wps:
        ws.append(
            [
                wp.number,
                wp.title,
                wp.budget,
                wp.share,
                wp.start_date,
                wp.end_date,
                f"{wp.source_document}, {wp.source_location}".strip(", "),
            ]
        )
    if wps:
        first, last = 3, ws.max_row
        r = last + 1
        ws.append([_("Sum"), "", f"=SUM(C{first}:C{last})", f"=SUM(D{first}:D{last})"])
        ws.append([_("Published total cost"), "", project.total_cost, 100])
        ws.append([_("Difference (sum − total)"), "", f"=C{r}-C{r + 1}", f"=D{r}-D{r + 1}"])
        for row in ws.iter_rows(min_row=r, max_row=r + 2):
            for cell in row:
                cell.font = TOTAL_FONT
                cell.fill = TOTAL_FILL
    for row in ws.iter_rows(min_row=3, min_col=3, max_col=3):
        for cell in row:
            cell.number_format = MONEY
    for row in ws.iter_rows(min_row=3, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = PERCENT
    for row in ws.iter_rows(min_row=3, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    _widths(ws, [16, 70, 18, 10, 12, 12, 60])


def _co_financing_sheet(
    ws: Worksheet, contributions: list[FundingContribution], lines: list[CoFinancingLine]
) -> None:
    ws.append([_("Funding as published")])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(
        [
            _("Source"),
            _("Kind"),
            _("Amount"),
            _("Unit"),
            _("Rate (%)"),
            _("Rate of"),
            _("Status"),
            _("Source"),
        ]
    )
    _style_header(ws, 2)
    for c in contributions:
        ws.append(
            [
                c.source,
                c.get_source_kind_display(),
                c.amount,
                c.unit,
                c.share,
                c.basis,
                c.get_status_display(),
                f"{c.source_document}, {c.source_location}".strip(", "),
            ]
        )
    ws.append([])
    ws.append([_("Co-financing plan per partner")])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
    header_row = ws.max_row + 1
    ws.append([_("Partner"), _("Kind"), _("Source"), _("Rate (%)"), _("Amount (EUR)"), _("Note")])
    _style_header(ws, header_row)
    first = ws.max_row + 1
    for line in lines:
        ws.append(
            [
                partner_name(line.partner),
                line.get_source_kind_display(),
                line.source,
                line.rate,
                line.amount,
                line.note or None,
            ]
        )
    if lines:
        r = ws.max_row
        ws.append([_("Total"), "", "", "", f"=SUM(E{first}:E{r})"])
        for cell in ws[ws.max_row]:
            cell.font = TOTAL_FONT
            cell.fill = TOTAL_FILL
    for row in ws.iter_rows(min_row=3, min_col=3, max_col=5):
        for cell in row:
            if isinstance(cell.value, Decimal | int | float) or (
                isinstance(cell.value, str) and cell.value.startswith("=")
            ):
                cell.number_format = MONEY
    _widths(ws, [50, 30, 18, 10, 18, 50, 16, 60])


def programme_workbook(*, plan: Any, tables: Iterable[Any]) -> bytes:
    """A programme's budget: each published table exactly as printed, with the sums its structure
    declares calculated next to it by formulas; and the realised amounts with their totals."""
    from deltaregio.finance.selectors import budget_table_grid
    from deltaregio.finance.table_structures import structure_for

    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = _("About")
    about.append([_("Deltaregio programme budget")])
    about["A1"].font = Font(bold=True, size=14)
    about.append([_("Programme"), plan.programme.code])
    about.append([_("Name"), plan.programme.name])
    about.append([_("Made on"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    about.append(
        [
            _("Note"),
            _(
                "Published tables are given exactly as printed (their totals are the printed ones); the "
                "columns and rows headed 'calculated' add up the printed parts with formulas."
            ),
        ]
    )
    _widths(about, [20, 100])
    for table in tables:
        ws = wb.create_sheet(_sheet_title(table.code))
        structure = structure_for(table.code)
        columns = list(table.columns)
        ws.append([table.title])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append(
            [
                _("Unit: %(unit)s, rounded to %(rounded)s; source: %(source)s")
                % {
                    "unit": table.unit,
                    "rounded": f"{table.rounded_to.normalize():f}",
                    "source": f"{table.source_document}, {table.source_location}",
                }
            ]
        )
        header = [_("Row"), _("Group"), *[str(c["label"]) for c in columns]]
        sums = structure.column_sums if structure else ()
        header += [_("%(column)s (calculated)") % {"column": s.total} for s in sums]
        ws.append(header)
        _style_header(ws, 3)
        col_of = {str(c["key"]): get_column_letter(3 + i) for i, c in enumerate(columns)}
        row_of: dict[str, int] = {}
        for row in budget_table_grid(table):
            r = ws.max_row + 1
            row_of[str(row["key"])] = r
            cells: dict[str, Any] = row["cells"]
            values: list[Any] = [row["label"], row["group"]]
            for c in columns:
                cell = cells.get(str(c["key"]))
                values.append(
                    cell.value
                    if cell is not None and cell.value is not None
                    else (cell.value_text if cell else None)
                )
            for s in sums:
                values.append("=" + "+".join(f"N({col_of[p]}{r})" for p in s.parts if p in col_of))
            ws.append(values)
            if row["is_total"]:
                for c in ws[r]:
                    c.font = TOTAL_FONT
        if structure and structure.row_sums:
            ws.append([])
            for row_sum in structure.row_sums:
                if row_sum.total not in row_of:
                    continue
                r = ws.max_row + 1
                ws.append(
                    [_("%(row)s (calculated)") % {"row": row_sum.total}, ""]
                    + [
                        "="
                        + "+".join(
                            f"N({col_of[str(c['key'])]}{row_of[p]})" for p in row_sum.parts if p in row_of
                        )
                        for c in columns
                    ]
                )
                for c in ws[r]:
                    c.font = Font(italic=True)
        ws.freeze_panes = "C4"
        _widths(ws, [34, 20, *[14] * (len(columns) + len(sums))])
    ws = wb.create_sheet(_("Realised"))
    ws.append([_("Year"), _("Contributor"), _("Amount"), _("Unit"), _("Note"), _("Source")])
    _style_header(ws)
    for a in plan.realised:
        ws.append(
            [
                a.year,
                a.get_contributor_display(),
                a.amount,
                a.unit,
                a.note or None,
                f"{a.source_document}, {a.source_location}",
            ]
        )
    if plan.realised:
        last = ws.max_row
        ws.append([_("Total"), "", f"=SUM(C2:C{last})"])
        for cell in ws[ws.max_row]:
            cell.font = TOTAL_FONT
    _widths(ws, [8, 30, 18, 8, 40, 50])
    return _to_bytes(wb)


def _sheet_title(code: str) -> str:
    return code[:31]


# --- import -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an imported file, with its place: sheet, row and column (or cell)."""

    sheet: str
    row: int | None
    column: str
    message: str

    @property
    def cell(self) -> str:
        if self.row is None:
            return ""
        letter = (
            self.column if self.column.isalpha() and self.column.isupper() and len(self.column) <= 3 else ""
        )
        return f"{letter}{self.row}" if letter else _("row %(row)s") % {"row": self.row}

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.sheet and self.cell else (self.sheet or "")
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class ParsedLine:
    row: int
    partner: Partner
    work_package: WorkPackage
    year: int
    category: str
    amount: Decimal
    note: str


@dataclass
class ParsedBudget:
    sheet: str = "Budget"
    rows: list[ParsedLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    partner_column: str = "A"


def _sheet_named(wb: Workbook, names: set[str]) -> Worksheet | None:
    for ws in wb.worksheets:
        if ws.title.strip().lower() in names:
            return ws
    return None


def _names_in_languages(msgid: str) -> set[str]:
    from django.conf import settings

    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(_(msgid).strip().lower())
    return names


def read_budget_workbook(data: bytes, *, project: Project) -> ParsedBudget:
    """Read and validate a filled budget template. Every problem is reported, with its place."""
    result = ParsedBudget()
    problems = result.problems
    if len(data) > MAX_BYTES:
        problems.append(Problem("", None, "", _("The file is larger than 10 MB.")))
        return result
    try:
        wb = load_workbook(io.BytesIO(data), data_only=False)
        values_wb = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        problems.append(
            Problem(
                "",
                None,
                "",
                _("The file is not an Excel workbook (.xlsx) that can be read: %(error)s") % {"error": exc},
            )
        )
        return result
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            problems.append(
                Problem(
                    ws.title,
                    None,
                    "",
                    _("The sheet “%(sheet)s” is hidden; show it or remove it.") % {"sheet": ws.title},
                )
            )
    about = _sheet_named(wb, _names_in_languages("About"))
    if about is None:
        problems.append(
            Problem("", None, "", _("The sheet About is missing: this is not a Deltaregio budget template."))
        )
        return result
    template, version, slug = about["B2"].value, about["B3"].value, about["B4"].value
    if str(template or "").strip() != TEMPLATE_NAME:
        problems.append(
            Problem(
                about.title,
                2,
                "B",
                _("“%(found)s” is not a Deltaregio budget template (expected “%(expected)s”).")
                % {"found": template or "", "expected": TEMPLATE_NAME},
            )
        )
        return result
    if str(version or "").strip() != TEMPLATE_VERSION:
        problems.append(
            Problem(
                about.title,
                3,
                "B",
                _(
                    "The template version is “%(found)s”; this platform reads version %(expected)s. "
                    "Download a new template."
                )
                % {"found": version if version is not None else "", "expected": TEMPLATE_VERSION},
            )
        )
        return result
    if str(slug or "").strip() != project.slug:
        problems.append(
            Problem(
                about.title,
                4,
                "B",
                _("This file is for the project “%(found)s”, not “%(expected)s”.")
                % {"found": slug or "", "expected": project.slug},
            )
        )
        return result
    ws = _sheet_named(wb, _names_in_languages("Budget"))
    if ws is None:
        problems.append(Problem("", None, "", _("The sheet Budget is missing.")))
        return result
    values = values_wb[ws.title]
    result.sheet = ws.title
    for merged in ws.merged_cells.ranges:
        problems.append(
            Problem(
                ws.title,
                merged.min_row,
                get_column_letter(merged.min_col),
                _("The cells %(range)s are merged; unmerge them.") % {"range": merged.coord},
            )
        )
    for key, dim in ws.row_dimensions.items():
        if dim.hidden:
            problems.append(
                Problem(
                    ws.title, int(key), "", _("Row %(row)s is hidden; show it or delete it.") % {"row": key}
                )
            )
    for key, dim in ws.column_dimensions.items():
        if dim.hidden:
            problems.append(
                Problem(
                    ws.title,
                    None,
                    str(key),
                    _("Column %(column)s is hidden; show it or delete it.") % {"column": key},
                )
            )
    expected = _all_language_headers()
    for i, accepted in enumerate(expected, start=1):
        found = ws.cell(1, i).value
        if str(found or "").strip().lower() not in accepted:
            problems.append(
                Problem(
                    ws.title,
                    1,
                    get_column_letter(i),
                    _("The heading should be “%(expected)s”, not “%(found)s”.")
                    % {"expected": budget_headers()[i - 1], "found": found or ""},
                )
            )
    if problems:
        return result
    if ws.max_row > MAX_ROWS + 1:
        problems.append(
            Problem(ws.title, None, "", _("The sheet has more than %(max)s rows.") % {"max": MAX_ROWS})
        )
        return result
    partners = list(project.partners.select_related("organisation"))
    by_name: dict[str, Partner] = {}
    for p in partners:
        for name in (p.organisation.name, p.organisation.short_name):
            if name:
                by_name[name.strip().lower()] = p
    work_packages = {wp.number: wp for wp in project.work_packages.all()}
    categories = _category_names()
    years = (
        (project.start_date.year, project.end_date.year) if project.start_date and project.end_date else None
    )
    headers = budget_headers()
    for r in range(2, ws.max_row + 1):
        raw = [_cell_value(ws.cell(r, c), values.cell(r, c)) for c in range(1, 7)]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
            continue
        row_problems: list[Problem] = []

        def report(column: int, message: str, r: int = r, row_problems: list[Problem] = row_problems) -> None:
            row_problems.append(
                Problem(ws.title, r, get_column_letter(column), f"{headers[column - 1]}: {message}")
            )

        partner = None
        if isinstance(raw[0], _Formula):
            report(1, raw[0].message())
        elif not isinstance(raw[0], str) or not raw[0].strip():
            report(1, _("enter the partner's name."))
        else:
            partner = by_name.get(raw[0].strip().lower())
            if partner is None:
                report(1, _("“%(value)s” is not a partner of this project.") % {"value": raw[0]})
        wp = None
        number = _whole_number(raw[1])
        if isinstance(raw[1], str) and raw[1].strip().lower().startswith("wp"):
            number = _whole_number(raw[1].strip()[2:].strip())
        if isinstance(raw[1], _Formula):
            report(2, raw[1].message())
        elif number is None:
            report(2, _("“%(value)s” is not a work package number.") % {"value": _shown(raw[1])})
        else:
            wp = work_packages.get(number)
            if wp is None:
                report(2, _("the project has no work package %(number)s.") % {"number": number})
        year = _whole_number(raw[2]) if not isinstance(raw[2], str) else None
        if isinstance(raw[2], _Formula):
            report(3, raw[2].message())
        elif year is None:
            report(3, _("“%(value)s” is not a year (a whole number).") % {"value": _shown(raw[2])})
        elif years and not years[0] <= year <= years[1]:
            report(
                3,
                _("%(year)s is outside the project, which runs from %(start)s to %(end)s.")
                % {"year": year, "start": years[0], "end": years[1]},
            )
        elif not years and not 1900 <= year <= 2200:
            report(3, _("%(year)s is not a plausible year.") % {"year": year})
        category = None
        if isinstance(raw[3], _Formula):
            report(4, raw[3].message())
        elif not isinstance(raw[3], str) or raw[3].strip().lower() not in categories:
            report(
                4, _("“%(value)s” is not a cost category (see the sheet Lists).") % {"value": _shown(raw[3])}
            )
        else:
            category = categories[raw[3].strip().lower()]
        amount = None
        if isinstance(raw[4], _Formula):
            report(5, raw[4].message())
        else:
            amount, message = _amount(raw[4])
            if message:
                report(5, message)
        note = raw[5]
        if isinstance(note, _Formula):
            report(6, note.message())
            note = ""
        note_text = "" if note is None else str(note).strip()
        if len(note_text) > 500:
            report(6, _("a note has at most 500 characters."))
        if row_problems:
            problems.extend(row_problems)
            continue
        assert partner and wp and year is not None and category and amount is not None
        result.rows.append(ParsedLine(r, partner, wp, year, category, amount, note_text))
    return result


@dataclass(frozen=True)
class _Formula:
    formula: str

    def message(self) -> str:
        return _(
            "the formula %(formula)s has no calculated value; enter the value, or open and save the file "
            "in Excel."
        ) % {"formula": self.formula}


def _cell_value(cell: Any, value_cell: Any) -> Any:
    """The cell's value; for a formula, the value Excel calculated (or a _Formula when there is none)."""
    value = cell.value
    if isinstance(value, str) and value.startswith("="):
        if value_cell.value is None:
            return _Formula(value)
        return value_cell.value
    if isinstance(value, str):
        return value
    return value


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        return int(value.strip())
    return None


def _amount(value: Any) -> tuple[Decimal | None, str]:
    """An amount cell: a number (not text, not a date), not negative, at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _("enter an amount.")
    if isinstance(value, bool | dt.date | dt.datetime | dt.time):
        return None, _("“%(value)s” is not an amount.") % {"value": value}
    if isinstance(value, str):
        return None, _("“%(value)s” is text, not a number; enter the amount as a number.") % {"value": value}
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None, _("“%(value)s” is not an amount.") % {"value": value}
    if not amount.is_finite():
        return None, _("“%(value)s” is not an amount.") % {"value": value}
    if amount < 0:
        return None, _("%(value)s is negative; an amount may not be negative.") % {"value": _plain(amount)}
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return None, _("%(value)s has more than two decimals; amounts are in euro and cents.") % {
            "value": _plain(amount)
        }
    return amount.quantize(Decimal("0.01")), ""


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
