"""The agenda: home page (the themes, also as they stood on a past date), a theme, its history, and
the timeline of the collaboration."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from deltaregio.agenda import selectors as agenda
from deltaregio.agenda.models import AgendaItem, Theme
from deltaregio.projects.selectors import project_list, visible_projects
from deltaregio.web.access import allowed_for
from deltaregio.web.views.common import parse_iso_date, render_page

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


@allowed_for("agenda.view_theme")
def home(request: HttpRequest) -> HttpResponse:
    """Public. The agenda: every theme with its sub-domains, number of projects and money; with
    ?as_of=YYYY-MM-DD the themes as they stood on that date."""
    raw = request.GET.get("as_of", "").strip()
    as_of = parse_iso_date(raw) if raw else None
    error = ""
    if raw and as_of is None:
        error = _("“%(value)s” is not a date. Write the date as YYYY-MM-DD, for example 2018-01-01.") % {
            "value": raw
        }
    themes = list(agenda.theme_list(as_of=as_of).prefetch_related("subdomains"))
    figures = agenda.theme_figures(projects=visible_projects(request.user))
    rows = [{"theme": theme, "figures": figures.get(theme.pk)} for theme in themes]
    context = {"rows": rows, "as_of": as_of, "as_of_raw": raw, "error": error}
    return render_page(request, "home.html", context, status=400 if error else 200)


@allowed_for("agenda.view_theme")
def theme_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Public. A theme with its sub-domains, ambitions and actions, and the projects the user may see."""
    try:
        theme = agenda.theme_detail(code=code)
    except Theme.DoesNotExist as exc:
        raise Http404(_("There is no theme with this code.")) from exc
    items = list(theme.items.all())
    projects = list(project_list(user=request.user).filter(themes=theme))
    figures = agenda.theme_figures(projects=visible_projects(request.user).filter(themes=theme)).get(theme.pk)
    context: dict[str, Any] = {
        "theme": theme,
        "subdomains": list(theme.subdomains.all()),
        "ambitions": [item for item in items if item.kind == AgendaItem.Kind.AMBITION],
        "actions": [item for item in items if item.kind == AgendaItem.Kind.ACTION],
        "projects": projects,
        "figures": figures,
        "can_view_history": request.user.has_perm("agenda.view_history_theme"),
    }
    return render_page(request, "theme_detail.html", context)


@allowed_for("agenda.view_history_theme")
def theme_history(request: HttpRequest, code: str) -> HttpResponse:
    """Programme officers only. Every recorded version of a theme: who changed what, and when."""
    try:
        theme = agenda.theme_detail(code=code)
    except Theme.DoesNotExist as exc:
        raise Http404(_("There is no theme with this code.")) from exc
    records: list[Any] = list(agenda.theme_history(code=code))  # historical records of the theme
    versions = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = record.diff_against(older).changes if older is not None else []
        versions.append(
            {"record": record, "type": HISTORY_TYPES.get(record.history_type, ""), "changes": changes}
        )
    return render_page(request, "theme_history.html", {"theme": theme, "versions": versions})


@allowed_for("agenda.view_summit", "agenda.view_declarationofintent", "agenda.view_event")
def timeline(request: HttpRequest) -> HttpResponse:
    """Public. Summits with their decisions and the themes they added, declarations and events, in
    date order."""
    summits = {summit.pk: summit for summit in agenda.summit_list()}
    entries = []
    for entry in agenda.timeline():
        summit = summits.get(entry.object_id) if entry.kind == "summit" and entry.object_id else None
        entries.append({"entry": entry, "summit": summit})
    return render_page(request, "timeline.html", {"entries": entries})
