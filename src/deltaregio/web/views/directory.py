"""The directory: organisations and labs."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from deltaregio.directory import selectors as directory
from deltaregio.directory.models import Lab, Organisation
from deltaregio.ops.pagecache import public_page_cache
from deltaregio.projects.selectors import visible_projects
from deltaregio.web.access import allowed_for
from deltaregio.web.views.common import paginate, render_page


@allowed_for("directory.view_organisation")
@public_page_cache("organisation-list")
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Public. Every organisation with its kind, country and region, 100 to a page."""
    page = paginate(request, directory.organisation_list())
    return render_page(request, "organisation_list.html", {"organisations": page.object_list, "page": page})


@allowed_for("directory.view_organisation")
@public_page_cache("organisation-detail")
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Public. An organisation, its parent and units, its labs, and its participations in the
    projects the user may see (participations in unpublished projects are left out)."""
    try:
        organisation = directory.organisation_detail(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise Http404(_("There is no organisation with this name.")) from exc
    visible = set(
        visible_projects(request.user)
        .filter(partners__organisation=organisation)
        .values_list("pk", flat=True)
    )
    context = {
        "organisation": organisation,
        "units": list(organisation.units.all()),
        "labs": list(organisation.labs.all()),
        "participations": [p for p in organisation.participations.all() if p.project_id in visible],
    }
    return render_page(request, "organisation_detail.html", context)


@allowed_for("directory.view_lab")
def lab_list(request: HttpRequest) -> HttpResponse:
    """Public. Every practice lab, field lab, pilot line and facility."""
    return render_page(request, "lab_list.html", {"labs": directory.lab_list()})


@allowed_for("directory.view_lab")
def lab_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Public. A lab with its operator, place, area as published and technologies."""
    try:
        lab = directory.lab_detail(slug=slug)
    except Lab.DoesNotExist as exc:
        raise Http404(_("There is no lab with this name.")) from exc
    return render_page(request, "lab_detail.html", {"lab": lab})
