"""Excel: the export is formatted and keeps totals as formulas; the blank template has the project's
choices; a filled template is imported all-or-nothing, and every bad file is refused with its sheet,
row and column. The round trip (export, edit a cell, import) changes exactly that line."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from deltaregio.finance import excel, services
from deltaregio.finance.models import BudgetLine
from deltaregio.projects.models import Project, Status

from .conftest import Consortium

pytestmark = pytest.mark.django_db


def export(c: Consortium, user: Any = None, blank: bool = False) -> bytes:
    from deltaregio.finance.selectors import budget_lines_for

    lines = (
        budget_lines_for(user=user, project=c.project)
        if user
        else BudgetLine.objects.filter(project=c.project)
    )
    return excel.project_workbook(project=c.project, lines=lines, blank=blank)


def edited(data: bytes, change: Callable[[Workbook], None]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def problems(result: services.ImportResult) -> list[str]:
    return [str(p) for p in result.problems]


@pytest.fixture
def filled(consortium: Consortium) -> Consortium:
    c = consortium
    c.line(c.lead, wp=1, year=2024, amount="50000.00")
    c.line(c.alpha, wp=2, year=2025, category="travel", amount="1250.50")
    c.line(c.beta, wp=3, year=2026, category="equipment", amount="30000.00")
    return c


def test_the_export_has_the_lines_formats_and_formulas(filled: Consortium) -> None:
    wb = load_workbook(io.BytesIO(export(filled)))
    assert wb.sheetnames == ["About", "Budget", "Totals", "Work packages", "Co-financing", "Lists"]
    about = wb["About"]
    assert (about["B2"].value, about["B3"].value, about["B4"].value) == (
        "deltaregio-budget",
        "1",
        filled.project.slug,
    )
    budget = wb["Budget"]
    rows = [[cell.value for cell in row] for row in budget.iter_rows(min_row=2, max_row=4)]
    assert ["Alfa Labs BV", 2, 2025, "travel and accommodation", 1250.5, None] in rows
    assert budget["E2"].number_format == "#,##0.00"
    assert budget.freeze_panes == "A2"
    assert budget.data_validations.dataValidation  # drop-down lists for partner, WP, year, category
    totals = wb["Totals"]
    formulas = [
        c.value
        for row in totals.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert any(f.startswith("=SUMIFS('Budget'!$E:$E,'Budget'!$B:$B,$A") for f in formulas)
    assert any(f.startswith("=SUM(") for f in formulas)
    wps = wb["Work packages"]
    assert "=SUM(C3:C5)" in [c.value for row in wps.iter_rows() for c in row]


def test_a_partner_exports_only_its_own_lines(filled: Consortium, user_for: Any) -> None:
    wb = load_workbook(io.BytesIO(export(filled, user_for(filled.alpha))))
    partners = {row[0].value for row in wb["Budget"].iter_rows(min_row=2) if row[0].value}
    assert partners == {"Alfa Labs BV"}


def test_blank_template(consortium: Consortium) -> None:
    wb = load_workbook(io.BytesIO(export(consortium, blank=True)))
    assert wb["Budget"]["A2"].value is None
    lists = wb["Lists"]
    assert {lists.cell(r, 1).value for r in range(2, 5)} == {
        "Leidende Partner NV",
        "Alfa Labs BV",
        "Beta Werkplaats",
    }
    assert [lists.cell(r, 4).value for r in range(2, 5)] == [2024, 2025, 2026]


def test_round_trip_export_edit_a_cell_import(filled: Consortium, officer: Any) -> None:
    data = export(filled)
    wb = load_workbook(io.BytesIO(data))
    row = next(r for r in range(2, 5) if wb["Budget"].cell(r, 1).value == "Alfa Labs BV")

    def change(wb: Workbook) -> None:
        wb["Budget"].cell(row, 5).value = 1300.75

    before = {(line.partner_id, line.amount) for line in BudgetLine.objects.all()}
    dry = services.budget_import(
        by=officer, project=filled.project, data=edited(data, change), file_name="b.xlsx", dry_run=True
    )
    assert dry.ok and (dry.changed, dry.unchanged, dry.created, dry.removed) == (1, 2, 0, 0)
    assert {
        (line.partner_id, line.amount) for line in BudgetLine.objects.all()
    } == before  # dry run: nothing saved
    result = services.budget_import(
        by=officer, project=filled.project, data=edited(data, change), file_name="b.xlsx"
    )
    assert result.ok and result.changed == 1
    line = BudgetLine.objects.get(partner=filled.alpha)
    assert line.amount == Decimal("1300.75")
    assert line.source_document == "import: b.xlsx" and line.source_location == f"sheet Budget, row {row}"
    assert line.history.latest().history_user == officer
    assert BudgetLine.objects.count() == 3


def test_rows_removed_from_the_file_are_removed_and_new_rows_added(filled: Consortium, user_for: Any) -> None:
    user = user_for(filled.alpha)
    data = export(filled, user)  # alpha's own line only

    def change(wb: Workbook) -> None:
        ws = wb["Budget"]
        ws.cell(2, 1).value = "Alfa Labs BV"
        ws.cell(2, 2).value = 1
        ws.cell(2, 3).value = 2024
        ws.cell(2, 4).value = "staff"
        ws.cell(2, 5).value = 999

    result = services.budget_import(
        by=user, project=filled.project, data=edited(data, change), file_name="x.xlsx"
    )
    assert result.ok and (result.created, result.removed) == (1, 1)
    assert list(BudgetLine.objects.filter(partner=filled.alpha).values_list("year", "amount")) == [
        (2024, Decimal("999.00"))
    ]
    assert BudgetLine.objects.count() == 3  # the others' lines are untouched


def test_a_lead_partner_may_reimport_all_lines_but_change_only_its_own(
    filled: Consortium, user_for: Any
) -> None:
    lead = user_for(filled.lead)
    data = export(filled, lead)
    assert (
        services.budget_import(by=lead, project=filled.project, data=data, file_name="x.xlsx").unchanged == 3
    )
    wb = load_workbook(io.BytesIO(data))
    row = next(r for r in range(2, 5) if wb["Budget"].cell(r, 1).value == "Beta Werkplaats")

    def change(wb: Workbook) -> None:
        wb["Budget"].cell(row, 5).value = 1

    result = services.budget_import(
        by=lead, project=filled.project, data=edited(data, change), file_name="x.xlsx"
    )
    assert problems(result) == [f"Budget!A{row}: you may not change the budget of Beta Werkplaats (now)."]
    assert BudgetLine.objects.get(partner=filled.beta).amount == Decimal("30000.00")


BAD_CELLS = [
    ("E", "twaalf", "Amount (EUR): “twaalf” is text, not a number"),
    ("E", "1250,50", "is text, not a number"),
    ("E", -5, "Amount (EUR): -5 is negative"),
    ("E", 12.345, "Amount (EUR): 12.345 has more than two decimals"),
    ("E", None, "Amount (EUR): enter an amount"),
    ("C", 2031, "Year: 2031 is outside the project, which runs from 2024 to 2026"),
    ("C", "2025", "Year: “2025” is not a year"),
    ("A", "Onbekend BV", "Partner: “Onbekend BV” is not a partner of this project"),
    ("B", 9, "Work package (number): the project has no work package 9"),
    ("D", "lunch", "Cost category: “lunch” is not a cost category"),
]


@pytest.mark.parametrize(
    ("column", "value", "message"), BAD_CELLS, ids=[m.split(":")[0] + "-" + str(v) for _c, v, m in BAD_CELLS]
)
def test_a_bad_cell_is_refused_by_name_and_nothing_is_saved(
    filled: Consortium, officer: Any, column: str, value: Any, message: str
) -> None:
    data = export(filled)

    def change(wb: Workbook) -> None:
        wb["Budget"][f"{column}3"].value = value
        wb["Budget"]["E2"].value = 7  # a valid change in another row: it must not be saved either

    before = list(BudgetLine.objects.order_by("id").values_list("amount", flat=True))
    result = services.budget_import(
        by=officer, project=filled.project, data=edited(data, change), file_name="x.xlsx"
    )
    assert not result.ok
    assert [p for p in problems(result) if p.startswith(f"Budget!{column}3: ") and message in p], problems(
        result
    )
    assert list(BudgetLine.objects.order_by("id").values_list("amount", flat=True)) == before


def test_every_problem_is_reported_not_only_the_first(filled: Consortium, officer: Any) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["Budget"]
        ws["E2"].value = "abc"
        ws["C3"].value = 1999
        ws["A4"].value = "Niemand"
        ws.append(
            ["Alfa Labs BV", 2, 2025, "travel and accommodation", 1, None]
        )  # the same cell as another row

    result = services.budget_import(
        by=officer, project=filled.project, data=edited(export(filled), change), file_name="x.xlsx"
    )
    cells = [p.cell for p in result.problems]
    assert cells == ["E2", "C3", "A4"]  # the duplicate is found once the rows themselves are valid
    fixed = edited(
        export(filled),
        lambda wb: wb["Budget"].append(["Alfa Labs BV", 2, 2025, "travel and accommodation", 1, None]),
    )
    duplicate = services.budget_import(by=officer, project=filled.project, data=fixed, file_name="x.xlsx")
    assert len(duplicate.problems) == 1 and "as row" in duplicate.problems[0].message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda wb: wb["About"].__setitem__("B3", "0"), "About!B3: The template version is “0”"),
        (
            lambda wb: wb["About"].__setitem__("B2", "iets anders"),
            "About!B2: “iets anders” is not a Deltaregio budget template",
        ),
        (lambda wb: wb["About"].__setitem__("B4", "fokus"), "About!B4: This file is for the project “fokus”"),
        (lambda wb: wb["Budget"].merge_cells("A2:B2"), "Budget!A2: The cells A2:B2 are merged"),
        (lambda wb: setattr(wb["Budget"].row_dimensions[3], "hidden", True), "Budget!row 3: Row 3 is hidden"),
        (lambda wb: setattr(wb["Budget"].column_dimensions["F"], "hidden", True), "Column F is hidden"),
        (lambda wb: setattr(wb["Lists"], "sheet_state", "hidden"), "The sheet “Lists” is hidden"),
        (
            lambda wb: wb["Budget"].__setitem__("E1", "Bedrag"),
            "Budget!E1: The heading should be “Amount (EUR)”",
        ),
        (lambda wb: wb.remove(wb["About"]), "The sheet About is missing"),
    ],
    ids=[
        "version",
        "template",
        "project",
        "merged",
        "hidden-row",
        "hidden-column",
        "hidden-sheet",
        "heading",
        "no-about",
    ],
)
def test_a_file_that_is_not_a_clean_template_is_refused(
    filled: Consortium, officer: Any, change: Any, message: str
) -> None:
    before = list(BudgetLine.objects.order_by("id").values_list("amount", flat=True))
    result = services.budget_import(
        by=officer, project=filled.project, data=edited(export(filled), change), file_name="x.xlsx"
    )
    assert not result.ok
    assert any(message in p for p in problems(result)), problems(result)
    assert list(BudgetLine.objects.order_by("id").values_list("amount", flat=True)) == before


def test_something_that_is_not_a_workbook_is_refused(consortium: Consortium, officer: Any) -> None:
    result = services.budget_import(
        by=officer, project=consortium.project, data=b"Partner;Bedrag\nAlfa;12\n", file_name="x.xlsx"
    )
    assert not result.ok and "not an Excel workbook" in problems(result)[0]


def test_a_formula_without_a_calculated_value_is_refused(filled: Consortium, officer: Any) -> None:
    result = services.budget_import(
        by=officer,
        project=filled.project,
        data=edited(export(filled), lambda wb: wb["Budget"].__setitem__("E2", "=100*2")),
        file_name="x.xlsx",
    )
    assert any("Budget!E2" in p and "formula" in p for p in problems(result))


def test_import_needs_the_permission(filled: Consortium, user_for: Any, make_user: Any) -> None:
    from deltaregio.accounts.models import Role

    with pytest.raises(PermissionDenied):
        services.budget_import(
            by=make_user(Role.PUBLIC), project=filled.project, data=export(filled), file_name="x.xlsx"
        )
    Project.objects.filter(pk=filled.project.pk).update(status=Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.budget_import(
            by=user_for(filled.alpha), project=filled.project, data=export(filled), file_name="x.xlsx"
        )


def test_a_dutch_template_is_read_too(filled: Consortium, officer: Any) -> None:
    from django.utils import translation

    with translation.override("nl"):
        data = export(filled)
    assert (
        "Begroting" in load_workbook(io.BytesIO(data)).sheetnames
        or "Budget" in load_workbook(io.BytesIO(data)).sheetnames
    )
    result = services.budget_import(by=officer, project=filled.project, data=data, file_name="x.xlsx")
    assert result.ok and result.unchanged == 3


def test_the_programme_export_keeps_the_published_tables_and_adds_calculated_sums() -> None:
    from deltaregio.finance.selectors import budget_table_list, programme_plan
    from deltaregio.funding.models import Instrument

    nxtgen = Instrument.objects.get(code="nxtgen-hightech")
    data = excel.programme_workbook(
        plan=programme_plan(programme=nxtgen), tables=budget_table_list().filter(programme=nxtgen)
    )
    wb = load_workbook(io.BytesIO(data))
    t5 = wb["nxtgen-table-5"]
    rows = {row[0].value: row for row in t5.iter_rows(min_row=4)}
    grand = rows["Grand Total"]
    assert [c.value for c in grand[2:10]] == [270, 310, 306, 258, 211, 138, 91, 1584]  # as printed
    assert str(grand[10].value).startswith(
        "=N(C"
    )  # the 7 years added up by a formula beside the printed total
    assert any(str(v).startswith("=N(") for row in t5.iter_rows() for v in (c.value for c in row) if v)
