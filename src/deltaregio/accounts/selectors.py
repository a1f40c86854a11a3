from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from axes.models import AccessFailureLog, AccessLog
from simple_history.models import registered_models

from deltaregio.accounts.models import Affiliation


def organisation_ids_for(user: Any) -> set[int]:
    """The organisations a user acts for."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Affiliation.objects.filter(user=user).values_list("organisation_id", flat=True))


@dataclass(frozen=True)
class AuditEntry:
    when: dt.datetime
    kind: str  # "created", "changed", "deleted", "login", "logout", "login_failed"
    who: str
    what: str
    object_label: str
    detail: str


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def audit_log(*, limit: int = 200) -> list[AuditEntry]:
    """The newest changes to every model with history (django-simple-history) and the newest logins,
    logouts and failed logins (django-axes), merged and newest first."""
    entries: list[AuditEntry] = []
    for model in registered_models.values():
        manager = getattr(model, "history", None)  # many-to-many through models have none
        if manager is None:
            continue
        history = manager.model
        for record in history.objects.select_related("history_user").order_by("-history_date")[:limit]:
            entries.append(
                AuditEntry(
                    when=record.history_date,
                    kind=HISTORY_TYPES.get(record.history_type, record.history_type),
                    who=record.history_user.get_username() if record.history_user else "",
                    what=str(model._meta.verbose_name),
                    object_label=str(record)[:120],
                    detail=record.history_change_reason or "",
                )
            )
    for log in AccessLog.objects.order_by("-attempt_time")[:limit]:
        entries.append(
            AuditEntry(log.attempt_time, "login", log.username or "", "", "", log.ip_address or "")
        )
        if log.logout_time:
            entries.append(
                AuditEntry(log.logout_time, "logout", log.username or "", "", "", log.ip_address or "")
            )
    for failure in AccessFailureLog.objects.order_by("-attempt_time")[:limit]:
        entries.append(
            AuditEntry(
                failure.attempt_time, "login_failed", failure.username or "", "", "", failure.ip_address or ""
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
