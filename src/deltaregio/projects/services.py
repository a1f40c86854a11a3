"""Writes for projects: a project created from an approved application, and a new status entry.

Callers (the calls domain) check who may take the step; these functions keep the project consistent
(partners once per organisation, work packages numbered once, the status history append-only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from deltaregio.projects.models import Partner, Project, Status, StatusChange, WorkPackage


@dataclass(frozen=True)
class NewPartner:
    organisation: Any
    role: str
    country: str = ""


@dataclass(frozen=True)
class NewStatus:
    status: str
    date: dt.date | None
    body: str = ""
    note: str = ""
    date_text: str = ""


@transaction.atomic
def project_create_from_application(
    *,
    by: Any,
    acronym: str,
    title: str,
    summary: str,
    instrument: Any,
    call: Any,
    start_date: dt.date | None,
    end_date: dt.date | None,
    total_cost: Decimal | None,
    trl: str,
    themes: Iterable[Any],
    partners: Sequence[NewPartner],
    work_packages: Sequence[tuple[int, str, Decimal | None]],
    history: Sequence[NewStatus],
    source_document: str,
    source_location: str = "",
) -> tuple[Project, dict[int, Partner], dict[int, WorkPackage]]:
    """A project with its partners, work packages and status history. Returns the project, its partners
    by organisation id and its work packages by number."""
    if Project.objects.filter(acronym=acronym).exists():
        raise ValidationError(
            {"acronym": [_("A project with the acronym %(acronym)s exists already.") % {"acronym": acronym}]}
        )
    slug = slugify(acronym)[:70] or "project"
    base, n = slug, 2
    while Project.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    project = Project(
        acronym=acronym,
        slug=slug,
        title=title,
        summary=summary,
        instrument=instrument,
        call=call,
        status=history[-1].status if history else Status.APPROVED,
        start_date=start_date,
        end_date=end_date,
        total_cost=total_cost,
        trl=trl,
        is_public=True,
        source_document=source_document,
        source_location=source_location,
    )
    project._history_user = by  # type: ignore[attr-defined]
    project.full_clean(exclude=["themes"])
    project.save()
    project.themes.set(list(themes))
    by_org: dict[int, Partner] = {}
    for item in partners:
        partner = Partner.objects.create(
            project=project,
            organisation=item.organisation,
            role=item.role,
            country=item.country or item.organisation.country,
            source_document=source_document,
            source_location=source_location,
        )
        by_org[item.organisation.pk] = partner
    by_number: dict[int, WorkPackage] = {}
    for number, wp_title, budget in work_packages:
        by_number[number] = WorkPackage.objects.create(
            project=project,
            number=number,
            title=wp_title,
            budget=budget,
            source_document=source_document,
            source_location=source_location,
        )
    for entry in history:
        status_record(
            by=by,
            project=project,
            entry=entry,
            source_document=source_document,
            source_location=source_location,
            set_status=False,
        )
    return project, by_org, by_number


@transaction.atomic
def status_record(
    *,
    by: Any,
    project: Project,
    entry: NewStatus,
    source_document: str,
    source_location: str = "",
    set_status: bool = True,
) -> StatusChange:
    """Append a status to the project's history (and, with set_status, make it the current status)."""
    if entry.status not in Status.values:
        raise ValidationError({"status": [_("%(value)s is not a project status.") % {"value": entry.status}]})
    change = StatusChange.objects.create(
        project=project,
        status=entry.status,
        date=entry.date,
        date_text=entry.date_text,
        body=entry.body,
        note=entry.note,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
        source_document=source_document,
        source_location=source_location,
    )
    if set_status and project.status != entry.status:
        project.status = entry.status
        project._history_user = by  # type: ignore[attr-defined]
        project.save(update_fields=["status"])
    return change
