"""Web pages of the imports domain: the import form and its reports (programme officers), and the
exports of the lists (.xlsx and CSV with the list's filters), the PDF project sheet and programme
report (Dutch or English) and the 360Giving package (everyone, for what they may see)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from deltaregio.funding.models import Instrument
from deltaregio.funding.selectors import instrument_detail
from deltaregio.imports import opendata, pdf, selectors, services, spreadsheets
from deltaregio.imports.forms import ImportForm
from deltaregio.imports.models import ImportRun
from deltaregio.projects.models import Project
from deltaregio.projects.selectors import project_detail, project_list
from deltaregio.web.access import allowed_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Files larger than this are imported in the background (a Celery task); smaller ones at once.
DEFAULT_BACKGROUND_BYTES = 2 * 1024 * 1024


def background_bytes() -> int:
    return int(getattr(settings, "DELTAREGIO_IMPORT_BACKGROUND_BYTES", DEFAULT_BACKGROUND_BYTES))


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _stamp() -> str:
    return timezone.localdate().isoformat()


# --- imports -----------------------------------------------------------------------------------------


@allowed_for("imports.run_import")
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Programme officers only. Upload a file, choose or upload a profile, check only or import. Large
    files are imported in the background; the report page follows the run."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        profile = form.loaded_profile
        assert profile is not None
        run = services.import_run_create(
            profile=profile,
            file_name=upload.name,
            data=upload.read(),
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
            skip_invalid=form.cleaned_data["skip_invalid"],
        )
        if run.file_size > background_bytes():
            from deltaregio.imports.tasks import run_import

            run_import.delay(run.pk)
        else:
            services.import_run_execute(run_id=run.pk)
        return redirect("imports:run_detail", pk=run.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "imports/import_form.html",
        {"form": form, "runs": selectors.import_run_list()[:10]},
        status=status,
    )


@allowed_for("imports.view_importrun")
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Programme officers only. An import run: its state (the page refreshes itself while the run is
    waiting or running) and its report."""
    try:
        run = selectors.import_run_detail(pk=pk)
    except ImportRun.DoesNotExist as exc:
        raise Http404(_("There is no import with this number.")) from exc
    return render(request, "imports/run_detail.html", {"run": run, "report": run.report or {}})


@allowed_for("imports.view_importrun")
def run_list(request: HttpRequest) -> HttpResponse:
    """Programme officers only. The latest import runs."""
    return render(request, "imports/run_list.html", {"runs": selectors.import_run_list()[:200]})


# --- exports -----------------------------------------------------------------------------------------


def _table_export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    try:
        if kind == "projects":
            objects: Any = selectors.project_export_rows(
                user=request.user, params=request.GET, request=request
            )
            columns = spreadsheets.project_columns()
            title = _("Projects")
        elif kind == "organisations":
            objects = selectors.organisation_export_rows(params=request.GET, request=request)
            columns = spreadsheets.organisation_columns()
            title = _("Organisations")
        else:
            objects = selectors.call_export_rows(params=request.GET, request=request)
            columns = spreadsheets.call_columns()
            title = _("Calls")
    except selectors.FilterError as exc:
        return HttpResponseBadRequest(
            json.dumps({"error": {"code": "invalid_filter", "message": str(exc), "fields": exc.errors}}),
            content_type="application/json",
        )
    name = f"deltaregio-{kind}-{_stamp()}.{fmt}"
    if fmt == "csv":
        return _download(spreadsheets.to_csv(objects, columns), "text/csv; charset=utf-8", name)
    return _download(spreadsheets.to_xlsx(objects, columns, title=title), XLSX, name)


@allowed_for("projects.view_project")
@require_GET
def export_projects(request: HttpRequest, fmt: str) -> HttpResponse:
    """Everyone: the projects they may see (published ones; officers and partners also unpublished ones
    they may see), with the list's filters as query parameters."""
    return _table_export(request, "projects", fmt)


@allowed_for("directory.view_organisation")
@require_GET
def export_organisations(request: HttpRequest, fmt: str) -> HttpResponse:
    """Everyone: the directory's organisations, with the list's filters."""
    return _table_export(request, "organisations", fmt)


@allowed_for("funding.view_call")
@require_GET
def export_calls(request: HttpRequest, fmt: str) -> HttpResponse:
    """Everyone: the calls, with the list's filters."""
    return _table_export(request, "calls", fmt)


def _language(request: HttpRequest) -> str:
    language = request.GET.get("lang") or get_language() or settings.LANGUAGE_CODE
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


@allowed_for("projects.view_project")
@require_GET
def project_sheet(request: HttpRequest, slug: str) -> HttpResponse:
    """As the project page: published projects for everyone, others for officers and partners; 404
    otherwise. ?lang=nl or en."""
    try:
        project = project_detail(user=request.user, slug=slug)
    except Project.DoesNotExist as exc:
        raise Http404(_("There is no project here, or you may not see it.")) from exc
    if not request.user.has_perm("projects.view_project", project):
        raise Http404(_("There is no project here, or you may not see it."))
    language = _language(request)
    data = pdf.project_sheet(project, language=language)
    return _download(data, "application/pdf", f"{project.slug}-{language}.pdf")


@allowed_for("projects.view_project")
@require_GET
def programme_report(request: HttpRequest) -> HttpResponse:
    """Everyone: a report on the projects the user may see, for the whole programme or one instrument
    (?instrument=CODE, with its lines); ?lang=nl or en."""
    language = _language(request)
    projects = project_list(user=request.user).prefetch_related("funding")
    code = request.GET.get("instrument", "").strip()
    if code:
        try:
            instrument = instrument_detail(code=code)
        except Instrument.DoesNotExist as exc:
            raise Http404(_("There is no funding instrument with this code.")) from exc
        projects = projects.filter(
            instrument_id__in=[instrument.pk, *[line.pk for line in instrument.lines.all()]]
        )
    with translation.override(language):
        title = (
            _("Programme report: %(name)s") % {"name": instrument.name}
            if code
            else _("Programme report: all projects")
        )
    data = pdf.programme_report(projects=list(projects), title=title, language=language)
    return _download(data, "application/pdf", f"deltaregio-report-{code or 'programme'}-{language}.pdf")


@allowed_for("projects.view_project")
@require_GET
def giving360(request: HttpRequest) -> HttpResponse:
    """Everyone: the 360Giving data package of the published projects' grants (open data)."""
    package = opendata.giving360_package(user=AnonymousUser())
    response = HttpResponse(
        json.dumps(package, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="deltaregio-360giving-{_stamp()}.json"'
    return response
