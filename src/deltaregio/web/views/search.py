"""Search across themes, projects, organisations, labs, instruments and calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deltaregio.agenda.selectors import theme_search
from deltaregio.directory.selectors import lab_search, organisation_search
from deltaregio.funding.selectors import call_search, instrument_search
from deltaregio.projects.selectors import project_search
from deltaregio.web.access import allowed_for
from deltaregio.web.views.common import render_page

MIN_LENGTH = 2
MAX_LENGTH = 100
SHOWN_PER_KIND = 50


@dataclass(frozen=True)
class ResultGroup:
    kind: str
    title: str
    results: list[Any]
    more: bool


def query_problem(q: str) -> str:
    """What is wrong with a search text, or "" when it can be searched for."""
    if len(q) < MIN_LENGTH:
        return ngettext(
            "Type at least %(count)d character to search.",
            "Type at least %(count)d characters to search.",
            MIN_LENGTH,
        ) % {"count": MIN_LENGTH}
    if len(q) > MAX_LENGTH:
        return ngettext(
            "Type at most %(count)d character to search.",
            "Type at most %(count)d characters to search.",
            MAX_LENGTH,
        ) % {"count": MAX_LENGTH}
    return ""


@allowed_for(
    "agenda.view_theme",
    "projects.view_project",
    "directory.view_organisation",
    "directory.view_lab",
    "funding.view_instrument",
    "funding.view_call",
)
def search(request: HttpRequest) -> HttpResponse:
    """Public. Results are grouped by kind; projects only as far as the user may see them."""
    if "q" not in request.GET:
        return render_page(request, "search.html", {"q": "", "groups": None})
    q = request.GET["q"].strip()
    problem = query_problem(q)
    if problem:
        return render_page(request, "search.html", {"q": q, "error": problem, "groups": None}, status=400)
    found: list[tuple[str, str, Any]] = [
        ("themes", _("Themes"), theme_search(q)),
        ("projects", _("Projects"), project_search(q, user=request.user)),
        ("organisations", _("Organisations"), organisation_search(q)),
        ("labs", _("Labs"), lab_search(q)),
        ("instruments", _("Funding instruments"), instrument_search(q)),
        ("calls", _("Calls"), call_search(q)),
    ]
    groups = []
    for kind, title, queryset in found:
        results = list(queryset[: SHOWN_PER_KIND + 1])
        groups.append(ResultGroup(kind, title, results[:SHOWN_PER_KIND], len(results) > SHOWN_PER_KIND))
    total = sum(len(group.results) for group in groups)
    return render_page(request, "search.html", {"q": q, "groups": groups, "total": total})
