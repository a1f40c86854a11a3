"""The health endpoint for load balancers and monitoring."""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from deltaregio.ops import selectors
from deltaregio.web.access import allowed_for

log = logging.getLogger("deltaregio.ops")


@require_GET
@never_cache
@allowed_for("ops.view_health")
def health(request: HttpRequest) -> JsonResponse:
    """200 with {"status": "ok", ...} when the database and the queue answer; 503 when one does not."""
    checks = selectors.health_checks()
    healthy = all(check.ok for check in checks)
    for check in checks:
        if not check.ok:
            log.warning("health: %s is down", check.name)
    body = {"status": "ok" if healthy else "down", **{check.name: check.state for check in checks}}
    return JsonResponse(body, status=200 if healthy else 503)
