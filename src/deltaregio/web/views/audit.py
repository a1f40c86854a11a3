"""The audit log: who changed what and when, and who logged in (programme officers only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from deltaregio.accounts.selectors import audit_log as audit_entries
from deltaregio.web.access import allowed_for
from deltaregio.web.views.common import render_page


@allowed_for("accounts.view_audit_log")
def audit_log(request: HttpRequest) -> HttpResponse:
    """Programme officers and administrators only. The newest changes and logins, newest first."""
    return render_page(request, "audit_log.html", {"entries": audit_entries(limit=200)})
