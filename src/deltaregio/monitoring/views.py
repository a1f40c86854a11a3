"""Web pages of monitoring: the dashboard (per theme, programme, call, region and period), the
indicators against their targets with their measurements, the portfolio analytics and the kept
monitoring reports. Thin: selectors read, services write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from deltaregio.funnel import charts as map_charts
from deltaregio.monitoring import selectors, services
from deltaregio.monitoring.forms import IndicatorForm, MeasurementForm, ReportForm, TargetForm
from deltaregio.monitoring.models import Indicator, MonitoringReport
from deltaregio.vouchers.charts import bars
from deltaregio.web.access import allowed_for


def _bars(figures: list[selectors.Figure], fmt: Any = str) -> Any:
    return bars([(f.label, f.value, f.text or fmt(f.value)) for f in figures])


def _money(value: Any) -> str:
    from django.utils.formats import number_format

    return f"{number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)} EUR"


@allowed_for("monitoring.view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Everyone: aggregates of published projects (officers and committee members: all projects, and
    the organisations by name)."""
    from deltaregio.agenda.selectors import theme_list
    from deltaregio.funding.selectors import call_list, instrument_list

    errors: dict[str, str] = {}
    try:
        flt = selectors.dashboard_filter(request.GET)
    except selectors.FilterError as exc:
        errors = exc.errors
        flt = selectors.DashboardFilter()
    data = selectors.dashboard(flt=flt, user=request.user)
    context = {
        "data": data,
        "errors": errors,
        "params": request.GET,
        "themes": theme_list(),
        "programmes": instrument_list().filter(parent__isnull=True),
        "calls": call_list(),
        "status_chart": _bars(data.by_status),
        "money_chart": _bars(data.money, _money),
        "country_chart": _bars(data.partners_by_country),
        "kind_chart": _bars(data.partners_by_kind),
        "markers": [m for m in data.regions if m.x is not None],
        "map_width": map_charts.MAP_WIDTH,
        "map_height": map_charts.map_height(),
        "netherlands": map_charts.outline(map_charts.NETHERLANDS),
        "flanders": map_charts.outline(map_charts.FLANDERS),
        "last_computed": selectors.latest_computation(),
    }
    return render(request, "monitoring/dashboard.html", context, status=400 if errors else 200)


@allowed_for("monitoring.view_dashboard")
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Everyone for a published indicator; officers for all. Officers and the partners of a project
    enter measurements here."""
    from deltaregio.projects.selectors import visible_projects

    try:
        indicator = selectors.indicator_detail(user=request.user, code=code)
    except Indicator.DoesNotExist as exc:
        raise Http404 from exc
    rows = [r for r in selectors.indicator_rows(user=request.user) if r.indicator.pk == indicator.pk]
    officer = request.user.has_perm("monitoring.manage_indicator")
    projects = [
        p
        for p in visible_projects(request.user).order_by("acronym")
        if officer or request.user.has_perm("monitoring.enter_measurement", p)
    ]
    if indicator.project_id and not officer:
        projects = [p for p in projects if p.pk == indicator.project_id]
    may_enter = officer or (bool(projects) and indicator.level == "project")
    form = MeasurementForm(request.POST or None, projects=projects, unit=indicator.unit)
    status = 200
    if request.method == "POST":
        if not may_enter:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            slug = form.cleaned_data["project"]
            project = next((p for p in projects if p.slug == slug), None) if slug else None
            try:
                measurement = services.measurement_enter(
                    user=request.user,
                    indicator=indicator,
                    date=form.cleaned_data["date"],
                    value=form.cleaned_data["value"],
                    unit=form.cleaned_data["unit"],
                    project=project,
                    source=form.cleaned_data["source"],
                    note=form.cleaned_data["note"],
                )
            except services.MonitoringRefused as exc:
                if exc.status == 403:
                    from django.core.exceptions import PermissionDenied

                    raise PermissionDenied(exc.message) from exc
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 400
            else:
                if measurement.conflict:
                    messages.warning(request, measurement.conflict)
                messages.success(request, _("The measurement is recorded."))
                return redirect(request.path)
        else:
            status = 400
    measurements = list(selectors.measurement_list(user=request.user, indicator=indicator))
    context = {
        "indicator": indicator,
        "row": rows[0] if rows else None,
        "form": form,
        "may_enter": may_enter,
        "measurements": measurements,
    }
    return render(request, "monitoring/indicator_detail.html", context, status=status)


@allowed_for("monitoring.view_analytics")
def analytics(request: HttpRequest) -> HttpResponse:
    """Everyone: the share of a saved selection in the projects and budgets per year, and its split by
    category, for the reference set or an imported data set."""
    selections = list(selectors.selection_list())
    sources = selectors.analysis_sources()
    code = request.GET.get("selection") or (selections[0].code if selections else "")
    source = request.GET.get("source") or "reference"
    errors: dict[str, str] = {}
    selection = next((s for s in selections if s.code == code), None)
    if selections and selection is None:
        errors["selection"] = _("No saved selection with this code.")
    if source not in dict(sources):
        errors["source"] = _("No data set with this name.")
    result = None
    if selection is not None and not errors:
        result = selectors.analysis(selection=selection, source=source, user=request.user)
    chart = None
    if result:
        chart = bars(
            [
                (
                    str(r.year or "–"),
                    r.project_share or Decimal(0),
                    f"{r.project_share if r.project_share is not None else '–'} %",
                )
                for r in result.years
            ]
        )
    context = {
        "selections": selections,
        "sources": sources,
        "selection": selection,
        "source": source,
        "result": result,
        "errors": errors,
        "share_chart": chart,
        "schemes": selectors.scheme_list(),
    }
    return render(request, "monitoring/analytics.html", context, status=400 if errors else 200)


@allowed_for("monitoring.view_reports")
def report_list(request: HttpRequest) -> HttpResponse:
    """Officers and committee members see the kept reports; officers generate new ones."""
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("monitoring.request_report"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            try:
                report = services.report_request(user=request.user, **form.cleaned_data)
            except services.MonitoringRefused as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 400
            else:
                messages.success(request, _("The report is being generated; it is kept here."))
                return redirect("monitoring:report_list" if report.pk else request.path)
        else:
            status = 400
    context = {"reports": selectors.report_list(), "form": form}
    return render(request, "monitoring/report_list.html", context, status=status)


@allowed_for("monitoring.view_reports")
def report_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in ("pdf", "xlsx"):
        raise Http404
    try:
        report = selectors.report_detail(pk=pk)
    except MonitoringReport.DoesNotExist as exc:
        raise Http404 from exc
    content = report.pdf if kind == "pdf" else report.xlsx
    if report.status != MonitoringReport.Status.DONE or not content:
        raise Http404
    types = {
        "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(bytes(content), content_type=types[kind])
    response["Content-Disposition"] = (
        f'attachment; filename="monitoring-report-{report.pk}-{report.language}.{kind}"'
    )
    return response


@allowed_for("monitoring.manage_indicator")
def indicator_new(request: HttpRequest) -> HttpResponse:
    """Programme officers define an indicator."""
    form = IndicatorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = dict(form.cleaned_data)
            code = values.pop("code").strip()
            if Indicator.objects.filter(code=code).exists():
                form.add_error("code", _("An indicator with this code exists already."))
                status = 400
            else:
                try:
                    services.indicator_save(code=code, values=values, user=request.user)
                except services.MonitoringRefused as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                    status = 400
                else:
                    messages.success(request, _("The indicator is defined."))
                    return redirect("monitoring:indicator_detail", code=code)
        else:
            status = 400
    return render(request, "monitoring/indicator_form.html", {"form": form}, status=status)


@allowed_for("monitoring.manage_indicator")
def target_new(request: HttpRequest, code: str) -> HttpResponse:
    """Programme officers add a target for a year of the indicator's period, with its source."""
    try:
        indicator = selectors.indicator_detail(user=request.user, code=code)
    except Indicator.DoesNotExist as exc:
        raise Http404 from exc
    form = TargetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.target_add(indicator=indicator, **form.cleaned_data)
            except services.MonitoringRefused as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 400
            else:
                messages.success(request, _("The target is recorded."))
                return redirect("monitoring:indicator_detail", code=code)
        else:
            status = 400
    context = {"form": form, "indicator": indicator}
    return render(request, "monitoring/target_form.html", context, status=status)
