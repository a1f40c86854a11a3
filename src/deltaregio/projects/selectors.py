"""Reads for projects. Visibility: published projects for everyone; unpublished ones for officers and
for users who act for one of the project's partners."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from deltaregio.accounts.rules import is_staff_or_officer
from deltaregio.accounts.selectors import organisation_ids_for
from deltaregio.projects.models import Milestone, Partner, Project, StatusChange, WorkPackage


def visible_projects(user: Any) -> QuerySet[Project]:
    qs = Project.objects.all()
    if is_staff_or_officer(user):
        return qs
    orgs = organisation_ids_for(user)
    if orgs:
        return qs.filter(Q(is_public=True) | Q(partners__organisation_id__in=orgs)).distinct()
    return qs.filter(is_public=True)


def project_list(*, user: Any) -> QuerySet[Project]:
    return (
        visible_projects(user)
        .select_related("instrument", "call")
        .prefetch_related("themes", Prefetch("partners", queryset=_partners()))
        .order_by("acronym")
    )


def _partners() -> QuerySet[Partner]:
    return Partner.objects.select_related("organisation").order_by("role", "organisation__name")


def project_detail(*, user: Any, slug: str) -> Project:
    from deltaregio.finance.models import FundingContribution

    return (
        visible_projects(user)
        .select_related("instrument", "instrument__funder", "call")
        .prefetch_related(
            "themes",
            Prefetch("partners", queryset=_partners()),
            Prefetch("work_packages", queryset=WorkPackage.objects.order_by("number")),
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("work_package").order_by("due_date", "id"),
            ),
            Prefetch("status_history", queryset=StatusChange.objects.order_by("id")),
            Prefetch(
                "funding",
                queryset=FundingContribution.objects.select_related("instrument").prefetch_related(
                    "partners__organisation"
                ),
            ),
        )
        .get(slug=slug)
    )


def project_as_of(*, project: Project, when: dt.datetime) -> Any:
    """The project's record as it stood at a moment (django-simple-history), or None before it existed."""
    return project.history.as_of(when) if project.history.filter(history_date__lte=when).exists() else None


def status_history(*, project: Project) -> QuerySet[StatusChange]:
    return project.status_history.order_by("id")


def project_search(q: str, *, user: Any) -> QuerySet[Project]:
    """Projects the user may see whose acronym, title or summary contains q (any case)."""
    return (
        visible_projects(user)
        .filter(Q(acronym__icontains=q) | Q(title__icontains=q) | Q(summary__icontains=q))
        .select_related("instrument")
        .order_by("acronym")
    )


def project_history(*, project: Project) -> list[Any]:
    """Every recorded version of the project's own record, newest first, with who made it."""
    return list(project.history.select_related("history_user").order_by("-history_date"))
