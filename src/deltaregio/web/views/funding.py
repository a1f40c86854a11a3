"""Funding instruments with their calls and published statistics, and the budget tables exactly as
the documents publish them."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from deltaregio.finance import selectors as finance
from deltaregio.finance.models import BudgetTable
from deltaregio.funding import selectors as funding
from deltaregio.funding.models import Instrument
from deltaregio.projects.selectors import project_list
from deltaregio.web.access import allowed_for
from deltaregio.web.views.common import render_page


def budget_table_view(table: BudgetTable) -> dict[str, Any]:
    """A budget table laid out for the page: its columns in order, and per row the published cell of
    each column (None where the document leaves the cell empty), with a row-group heading where the
    group changes."""
    columns: list[dict[str, str]] = list(table.columns)
    rows = []
    previous_group = ""
    for row in finance.budget_table_grid(table):
        group = str(row["group"])
        cells: dict[str, Any] = row["cells"]
        rows.append(
            {
                "label": row["label"],
                "is_total": row["is_total"],
                "group_heading": group if group and group != previous_group else "",
                "cells": [cells.get(column["key"]) for column in columns],
            }
        )
        previous_group = group
    return {"table": table, "columns": columns, "rows": rows}


@allowed_for("funding.view_instrument")
def instrument_list(request: HttpRequest) -> HttpResponse:
    """Public. Every funding instrument, programme and programme line."""
    return render_page(request, "instrument_list.html", {"instruments": funding.instrument_list()})


@allowed_for("funding.view_instrument", "funding.view_call", "finance.view_budgettable")
def instrument_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Public. An instrument with its lines, calls and their published statistics, application domains,
    key technologies, budget tables, and the projects the user may see."""
    try:
        instrument = funding.instrument_detail(code=code)
    except Instrument.DoesNotExist as exc:
        raise Http404(_("There is no funding instrument with this code.")) from exc
    tables = [budget_table_view(table) for table in finance.budget_table_list().filter(programme=instrument)]
    context = {
        "instrument": instrument,
        "lines": list(instrument.lines.all()),
        "calls": list(instrument.calls.all()),
        "application_domains": list(instrument.application_domains.all()),
        "key_technologies": list(instrument.key_technologies.all()),
        "budget_tables": tables,
        "projects": list(project_list(user=request.user).filter(instrument=instrument)),
    }
    return render_page(request, "instrument_detail.html", context)


@allowed_for("finance.view_budgettable")
def budget_tables(request: HttpRequest) -> HttpResponse:
    """Public. Every budget table exactly as published, with its source."""
    tables = [budget_table_view(table) for table in finance.budget_table_list()]
    return render_page(request, "budget_tables.html", {"budget_tables": tables})
