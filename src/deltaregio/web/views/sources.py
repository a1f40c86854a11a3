"""Provenance: the source documents, what they state, and where they disagree."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from deltaregio.sources import selectors as sources
from deltaregio.web.access import allowed_for
from deltaregio.web.views.common import render_page


@allowed_for("sources.view_sourcedocument", "sources.view_statement")
def source_list(request: HttpRequest) -> HttpResponse:
    """Public. The documents, the statements taken from them, and the quantities they disagree on."""
    context = {
        "documents": sources.document_list(),
        "disagreements": sources.disagreements(),
        "statements": sources.statement_list(),
    }
    return render_page(request, "sources.html", context)
