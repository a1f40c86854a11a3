"""Projects: the list the user may see, and one project with its partners, work packages (budget
table and roadmap), funding, decisions and milestones."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from deltaregio.projects import selectors as projects
from deltaregio.projects.models import Project, WorkPackage
from deltaregio.web.access import allowed_for
from deltaregio.web.roadmap import roadmap
from deltaregio.web.views.common import paginate, render_page


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
def project_list(request: HttpRequest) -> HttpResponse:
    """Public for published projects; officers and partners also see the unpublished ones they may.
    100 to a page."""
    page = paginate(request, projects.project_list(user=request.user))
    return render_page(request, "project_list.html", {"projects": page.object_list, "page": page})


@allowed_for("projects.view_project")
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
    }
    return render_page(request, "project_detail.html", context)
