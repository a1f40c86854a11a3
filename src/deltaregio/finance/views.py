"""Web pages for money: a project's budget, a programme's multi-year plan, the findings of the
consistency checks, and the Excel export, template and import. Thin: they read with selectors, write with
services, and say who may use them (allowed_for + object checks)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from deltaregio.finance import charts, excel, selectors, services
from deltaregio.finance.findings import Report, Severity
from deltaregio.finance.models import ContributorType, FundingContribution
from deltaregio.funding import selectors as funding
from deltaregio.funding.models import Instrument
from deltaregio.projects import selectors as projects
from deltaregio.projects.models import Project
from deltaregio.web.access import allowed_for
from deltaregio.web.templatetags.deltaregio_web import money

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FINDINGS_PER_PAGE = 50


def _project(request: HttpRequest, slug: str) -> Project:
    """The project, if the user may see it; 404 otherwise (an unpublished project's existence is not told)."""
    try:
        project = projects.project_detail(user=request.user, slug=slug)
    except Project.DoesNotExist as exc:
        raise Http404(_("There is no project here, or you may not see it.")) from exc
    if not request.user.has_perm("finance.view_project_budget", project):
        raise Http404(_("There is no project here, or you may not see it."))
    return project


def _programme(code: str) -> Instrument:
    try:
        return funding.instrument_detail(code=code)
    except Instrument.DoesNotExist as exc:
        raise Http404(_("There is no funding instrument with this code.")) from exc


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _findings_context(report: Report) -> dict[str, Any]:
    return {
        "findings": report.findings,
        "within_rounding": report.within_rounding,
        "checked": report.checked,
        "exact": report.exact,
    }


# --- a project's budget ------------------------------------------------------------------------------


@allowed_for("finance.view_project_budget")
def project_budget(request: HttpRequest, slug: str) -> HttpResponse:
    """Everyone for a published project (its published budget and, once approved, its totals per work
    package and year); partners see their own budget lines, the lead partner and programme officers all
    lines. Unpublished projects only for officers and partners (others get 404)."""
    project = _project(request, slug)
    user = request.user
    work_packages = list(project.work_packages.all())
    contributions: list[FundingContribution] = list(project.funding.all())
    sees_all = user.has_perm("finance.view_all_budgetlines", project)
    sees_own = user.has_perm("finance.view_budgetline", project)
    sees_totals = user.has_perm("finance.view_budget_totals", project)
    lines = selectors.budget_lines_for(user=user, project=project)
    grid = selectors.budget_grid(project=project, lines=lines, by_partner=True) if sees_own else None
    totals_grid = None
    if sees_totals and not sees_all:
        totals_grid = selectors.budget_grid(
            project=project, lines=selectors.project_lines(project=project), by_partner=False
        )
    co_financing = list(selectors.co_financing_lines_for(user=user, project=project)) if sees_own else []
    budgets = selectors.partner_budgets(project=project) if sees_own else {}
    plan_by_source = selectors.co_financing_by_source(co_financing, budgets)
    contribution_bars = selectors.contribution_bars(contributions)
    context = {
        "project": project,
        "work_packages": work_packages,
        "wp_budget_sum": sum((wp.budget for wp in work_packages if wp.budget is not None), Decimal(0)),
        "wp_share_sum": sum((wp.share for wp in work_packages if wp.share is not None), Decimal(0)),
        "contributions": contributions,
        "contribution_chart": charts.horizontal_bars(
            [(b.label, b.value, money(b.amount, b.unit)) for b in contribution_bars]
        ),
        "grid": grid,
        "totals_grid": totals_grid,
        "sees_all": sees_all,
        "sees_own": sees_own,
        "sees_totals": sees_totals,
        "lines": list(lines) if sees_own else [],
        "co_financing": co_financing,
        "plan_by_source": plan_by_source,
        "plan_chart": charts.horizontal_bars(
            [(p["source"], p["amount"], money(p["amount"], "EUR")) for p in plan_by_source]
        ),
        "can_import": user.has_perm("finance.import_budget", project),
        **_findings_context(selectors.budget_findings(user=user, project=project)),
    }
    return render(request, "finance/project_budget.html", context)


@allowed_for("finance.view_project_budget")
def project_budget_export(request: HttpRequest, slug: str) -> HttpResponse:
    """As the budget page: the workbook holds the published budget and the lines the user may see."""
    project = _project(request, slug)
    user = request.user
    lines = selectors.budget_lines_for(user=user, project=project)
    data = excel.project_workbook(
        project=project,
        lines=lines,
        contributions=list(project.funding.all()),
        co_financing=selectors.co_financing_lines_for(user=user, project=project),
    )
    return _xlsx(data, f"budget-{project.slug}.xlsx")


@allowed_for("finance.view_project_budget")
def project_budget_template(request: HttpRequest, slug: str) -> HttpResponse:
    """Everyone who may see the project: a blank budget template with its partners, work packages and
    years."""
    project = _project(request, slug)
    data = excel.project_workbook(
        project=project, lines=[], contributions=list(project.funding.all()), blank=True
    )
    return _xlsx(data, f"budget-template-{project.slug}.xlsx")


class BudgetImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled budget template (.xlsx)"),
        help_text=gettext_lazy("A workbook downloaded from this page, with the sheet Budget filled in."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check the file and show what would change; save nothing"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > excel.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an Excel workbook (.xlsx)."))
        return upload


@require_http_methods(["GET", "POST"])
@allowed_for("finance.view_project_budget")
def project_budget_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Partners of the project while it allows edits (for their own lines), and programme officers while
    it is not closed. Everyone else is refused (403; 404 when the project is not visible)."""
    project = _project(request, slug)
    if not request.user.has_perm("finance.import_budget", project):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    result = None
    status = 200
    if request.method == "POST":
        form = BudgetImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = services.budget_import(
                by=request.user,
                project=project,
                data=upload.read(),
                file_name=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
            if not result.ok:
                status = 400
        else:
            status = 400
    else:
        form = BudgetImportForm()
    return render(
        request,
        "finance/budget_import.html",
        {"project": project, "form": form, "result": result},
        status=status,
    )


# --- a programme's plan --------------------------------------------------------------------------------


def _plan_series(plan: selectors.ProgrammePlan) -> list[tuple[str, list[Decimal | None]]]:
    """Per scenario the planned amount per year (its published total row, or the sum of its lines), and
    the realised amounts, in the plan's unit."""
    series: list[tuple[str, list[Decimal | None]]] = []
    for scenario in plan.scenarios:
        total = next(
            (line for line in plan.lines if line.scenario == scenario and not line.contributor), None
        )
        values: list[Decimal | None] = []
        for year in plan.years:
            if total is not None:
                cell = total.cells.get(year)
                values.append(cell.value if cell else None)
            else:
                parts = [
                    line.cells[year].value
                    for line in plan.lines
                    if line.scenario == scenario and year in line.cells and line.cells[year].value is not None
                ]
                values.append(sum((p for p in parts if p is not None), Decimal(0)) if parts else None)
        name = _("planned, %(scenario)s") % {"scenario": scenario} if scenario else _("planned")
        series.append((name, values))
    if plan.realised:
        series.append((_("realised"), [plan.realised_by_year.get(year) for year in plan.years]))
    return series


@allowed_for("finance.view_programme_budget")
def programme_budget(request: HttpRequest, code: str) -> HttpResponse:
    """Public. A programme's multi-year plan as published (planned per year and contributor type),
    the amounts realised so far, its published budget tables and their findings."""
    programme = _programme(code)
    plan = selectors.programme_plan(programme=programme)
    tables = [_table_view(t) for t in selectors.budget_table_list().filter(programme=programme)]
    series = _plan_series(plan)
    context = {
        "programme": programme,
        "plan": plan,
        "series": series,
        "chart": charts.grouped_columns(plan.years, series, unit=plan.unit),
        "contributor_lines": [line for line in plan.lines if line.contributor],
        "realised_rows": [
            (str(ContributorType(code).label), [values.get(year) for year in plan.years])
            for code, values in sorted(plan.realised_by_contributor.items())
        ],
        "tables": tables,
        **_findings_context(selectors.budget_findings(user=request.user, programme=programme)),
    }
    return render(request, "finance/programme_budget.html", context)


def _table_view(table: Any) -> dict[str, Any]:
    columns = list(table.columns)
    rows = []
    previous = ""
    for row in selectors.budget_table_grid(table):
        cells: dict[str, Any] = row["cells"]
        group = str(row["group"])
        rows.append(
            {
                "label": row["label"],
                "is_total": row["is_total"],
                "group_heading": group if group and group != previous else "",
                "cells": [cells.get(str(c["key"])) for c in columns],
            }
        )
        previous = group
    return {"table": table, "columns": columns, "rows": rows}


@allowed_for("finance.view_programme_budget")
def programme_budget_export(request: HttpRequest, code: str) -> HttpResponse:
    """Public. The programme's published tables (as printed, with calculated sums beside them) and the
    realised amounts, as a workbook."""
    programme = _programme(code)
    plan = selectors.programme_plan(programme=programme)
    data = excel.programme_workbook(
        plan=plan, tables=selectors.budget_table_list().filter(programme=programme)
    )
    return _xlsx(data, f"programme-budget-{slugify(programme.code)}.xlsx")


# --- findings -----------------------------------------------------------------------------------------


@allowed_for("finance.view_findings")
def findings(request: HttpRequest) -> HttpResponse:
    """Everyone: the findings on published figures and on the projects they may see; findings about
    budget lines only for those who may see those lines."""
    report = selectors.budget_findings(user=request.user)
    severity = request.GET.get("severity", "")
    shown = report.findings
    if severity in Severity.RANK:
        shown = [f for f in shown if f.severity == severity]
    elif severity:
        severity = ""
    page = Paginator(shown, FINDINGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **_findings_context(report),
        "page": page,
        "severity": severity,
        "severities": [(code, Severity.label(code)) for code in Severity.RANK],
        "total": len(report.findings),
    }
    return render(request, "finance/findings.html", context)
