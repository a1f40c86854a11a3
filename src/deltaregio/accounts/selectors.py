from __future__ import annotations

from typing import Any

from deltaregio.accounts.models import Affiliation


def organisation_ids_for(user: Any) -> set[int]:
    """The organisations a user acts for."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Affiliation.objects.filter(user=user).values_list("organisation_id", flat=True))
