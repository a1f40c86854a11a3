"""Projects: the list the user may see, and one project with its partners, work packages (budget
table and roadmap), funding, decisions and milestones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from deltaregio.ops.pagecache import public_page_cache
from deltaregio.ops.pagination import fragment_cache
from deltaregio.projects import selectors as projects
from deltaregio.projects.models import Project, WorkPackage
from deltaregio.web.access import allowed_for
from deltaregio.web.roadmap import roadmap
from deltaregio.web.views.agenda import HISTORY_TYPES
from deltaregio.web.views.common import paginate, parse_iso_date, render_page


@dataclass(frozen=True)
class WorkPackageTotals:
    """The work packages' budgets and shares added up exactly, next to the published total cost."""

    budget_sum: Decimal
    share_sum: Decimal
    published_total: Decimal | None
    difference: Decimal | None
    without_budget: int


def work_package_totals(
    work_packages: list[WorkPackage], published_total: Decimal | None
) -> WorkPackageTotals:
    budget_sum = sum((wp.budget for wp in work_packages if wp.budget is not None), Decimal(0))
    share_sum = sum((wp.share for wp in work_packages if wp.share is not None), Decimal(0))
    return WorkPackageTotals(
        budget_sum=budget_sum,
        share_sum=share_sum,
        published_total=published_total,
        difference=None if published_total is None else budget_sum - published_total,
        without_budget=sum(1 for wp in work_packages if wp.budget is None),
    )


@allowed_for("projects.view_project")
@public_page_cache("project-list")
def project_list(request: HttpRequest) -> HttpResponse:
    """Public for published projects; officers and partners also see the unpublished ones they may.
    100 to a page."""
    page = paginate(request, projects.project_list(user=request.user))
    context = {"projects": page.object_list, "page": page, "fragment_cache": fragment_cache(request)}
    return render_page(request, "project_list.html", context)


@allowed_for("projects.view_project")
@public_page_cache("project-detail")
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Public when the project is published; otherwise only programme officers and people who act for
    one of its partners. Everyone else gets 404, so an unpublished project's existence is not told."""
    try:
        project = projects.project_detail(user=request.user, slug=slug)
    except Project.DoesNotExist as exc:
        raise Http404(_("There is no project here, or you may not see it.")) from exc
    if not request.user.has_perm("projects.view_project", project):
        raise Http404(_("There is no project here, or you may not see it."))
    work_packages = list(project.work_packages.all())
    context: dict[str, Any] = {
        "project": project,
        "partners": list(project.partners.all()),
        "work_packages": work_packages,
        "totals": work_package_totals(work_packages, project.total_cost) if work_packages else None,
        "roadmap": roadmap(work_packages, project_start=project.start_date, project_end=project.end_date),
        "funding": list(project.funding.all()),
        "decisions": list(project.status_history.all()),
        "milestones": list(project.milestones.all()),
        "can_view_history": request.user.has_perm("projects.view_project_history", project),
    }
    return render_page(request, "project_detail.html", context)


@allowed_for("projects.view_project")
def project_history(request: HttpRequest, slug: str) -> HttpResponse:
    """Programme officers and people who act for one of the project's partners. Every recorded version
    of the project, and the project as it stood at a chosen moment (?as_of=YYYY-MM-DD)."""
    try:
        project = projects.project_detail(user=request.user, slug=slug)
    except Project.DoesNotExist as exc:
        raise Http404(_("There is no project here, or you may not see it.")) from exc
    if not request.user.has_perm("projects.view_project_history", project):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    raw = request.GET.get("as_of", "").strip()
    as_of = parse_iso_date(raw) if raw else None
    error = ""
    state = None
    if raw and as_of is None:
        error = _("“%(value)s” is not a date. Write the date as YYYY-MM-DD, for example 2018-01-01.") % {
            "value": raw
        }
    elif as_of is not None:
        moment = timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))
        state = projects.project_as_of(project=project, when=moment)
    records = projects.project_history(project=project)
    versions = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = record.diff_against(older).changes if older is not None else []
        versions.append(
            {"record": record, "type": HISTORY_TYPES.get(record.history_type, ""), "changes": changes}
        )
    context = {
        "project": project,
        "versions": versions,
        "as_of": as_of,
        "as_of_raw": raw,
        "state": state,
        "error": error,
    }
    return render_page(request, "project_history.html", context, status=400 if error else 200)
