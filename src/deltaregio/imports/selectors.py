"""Reads of the imports domain: import runs, the records an import made, and the rows of the list
exports (projects, organisations, calls) with the same filters as the lists and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from deltaregio.directory.models import Organisation
from deltaregio.directory.selectors import organisation_list
from deltaregio.funding.models import Call
from deltaregio.funding.selectors import call_list
from deltaregio.imports.models import ImportedRecord, ImportRun, OrganisationIdentifier
from deltaregio.projects.models import Project
from deltaregio.projects.selectors import project_list


class FilterError(ValueError):
    """Filter parameters that cannot be used; `errors` maps each parameter to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _filtered(
    filterset_class: Any, params: QueryDict, queryset: QuerySet[Any], request: Any
) -> QuerySet[Any]:
    filterset = filterset_class(params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise FilterError({k: [str(m) for m in v] for k, v in filterset.errors.items()})
    return filterset.qs


def project_export_rows(*, user: Any, params: QueryDict, request: Any = None) -> QuerySet[Project]:
    """The projects of the project list the user may see, with the list's filters (status, theme,
    instrument, call, partner, country, start_after, start_before, q)."""
    from deltaregio.api.projects import ProjectFilter

    return _filtered(ProjectFilter, params, project_list(user=user), request)


def organisation_export_rows(*, params: QueryDict, request: Any = None) -> QuerySet[Organisation]:
    """The organisations of the directory, with the list's filters (kind, country, q)."""
    from deltaregio.api.directory import OrganisationFilter

    return _filtered(OrganisationFilter, params, organisation_list(), request)


def call_export_rows(*, params: QueryDict, request: Any = None) -> QuerySet[Call]:
    """The calls, with the list's filters (instrument, year, kind)."""
    from deltaregio.api.funding import CallFilter

    return _filtered(CallFilter, params, call_list(), request)


def import_run_list() -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("created_by").defer("content").order_by("-created_at", "-id")


def import_run_detail(*, pk: int) -> ImportRun:
    return ImportRun.objects.select_related("created_by").defer("content").get(pk=pk)


def imported_records(*, namespace: str, kind: str | None = None) -> QuerySet[ImportedRecord]:
    qs = ImportedRecord.objects.filter(namespace=namespace)
    return qs.filter(kind=kind) if kind else qs


def organisation_identifiers(*, organisation: Organisation) -> QuerySet[OrganisationIdentifier]:
    return organisation.identifiers.order_by("scheme", "identifier")
