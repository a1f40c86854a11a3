"""Lists as spreadsheets: projects, organisations and calls as .xlsx (openpyxl) and CSV.

Every text cell is escaped so that no exported value runs as a formula: a value that starts with =, +,
-, @, a tab or a carriage return gets a leading apostrophe (CSV), and is written as a text cell with
that apostrophe (XLSX; openpyxl would otherwise store it as a formula)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from deltaregio.imports.parsers import escape_cell


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]
    width: int = 18


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def project_columns() -> list[Column]:
    return [
        Column(_("Acronym"), lambda p: p.acronym, 16),
        Column(_("Title"), lambda p: p.title, 50),
        Column(_("Status"), lambda p: p.get_status_display()),
        Column(_("Instrument"), lambda p: p.instrument.name if p.instrument else "", 30),
        Column(_("Call"), lambda p: p.call.code if p.call else "", 24),
        Column(_("Start date"), lambda p: p.start_date, 12),
        Column(_("End date"), lambda p: p.end_date, 12),
        Column(_("Total cost"), lambda p: p.total_cost, 14),
        Column(_("Unit"), lambda p: p.cost_unit, 8),
        Column(_("Partners"), lambda p: "; ".join(x.organisation.name for x in p.partners.all()), 50),
        Column(
            _("Countries"),
            lambda p: ", ".join(sorted({str(x.country) for x in p.partners.all() if x.country})),
            12,
        ),
        Column(_("Source document"), lambda p: p.source_document, 30),
        Column(_("Location in source"), lambda p: p.source_location, 20),
    ]


def organisation_columns() -> list[Column]:
    return [
        Column(_("Name"), lambda o: o.name, 40),
        Column(_("Short name"), lambda o: o.short_name),
        Column(_("Kind"), lambda o: o.get_kind_display()),
        Column(_("Country"), lambda o: str(o.country) if o.country else "", 8),
        Column(_("Region"), lambda o: o.region),
        Column(_("City"), lambda o: o.city),
        Column(_("Website"), lambda o: o.website, 30),
        Column(_("Projects"), lambda o: getattr(o, "project_count", None), 10),
        Column(_("Source document"), lambda o: o.source_document, 30),
        Column(_("Location in source"), lambda o: o.source_location, 20),
    ]


def call_columns() -> list[Column]:
    return [
        Column(_("Code"), lambda c: c.code, 24),
        Column(_("Name"), lambda c: c.name, 40),
        Column(_("Instrument"), lambda c: c.instrument.name if c.instrument_id else "", 30),
        Column(_("Kind"), lambda c: c.get_kind_display()),
        Column(_("Year"), lambda c: c.year, 8),
        Column(_("Opens at"), lambda c: c.opens_at),
        Column(_("Closes at"), lambda c: c.closes_at),
        Column(_("Budget"), lambda c: c.budget, 14),
        Column(_("Budget unit"), lambda c: c.budget_unit, 8),
        Column(_("Source document"), lambda c: c.source_document, 30),
        Column(_("Location in source"), lambda c: c.source_location, 20),
    ]


def rows_of(objects: Iterable[Any], columns: list[Column]) -> Iterable[list[Any]]:
    for obj in objects:
        yield [escape_cell(_text(column.value(obj))) for column in columns]


def to_csv(objects: Iterable[Any], columns: list[Column]) -> bytes:
    """UTF-8 with a byte order mark (so that Excel reads the accents), comma-separated, every value
    escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_cell(column.label) for column in columns])
    for row in rows_of(objects, columns):
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(objects: Iterable[Any], columns: list[Column], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows_of(objects, columns):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a text, never a formula (escape_cell already made it safe)
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
