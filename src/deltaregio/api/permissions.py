"""API permissions. Deny by default: an endpoint without a stated permission refuses everyone.

A view states `permission_required = "app.view_model"`; RulesPermission asks django-rules for that
permission on list requests (no object) and again per object on detail requests.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


class DenyAll(BasePermission):
    """The default for every endpoint that does not state who may use it."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return False


class RulesPermission(BasePermission):
    """Read-only access as the view's `permission_required` rule allows."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method not in SAFE_METHODS:
            return False
        perm: str | None = getattr(view, "permission_required", None)
        if not perm:
            return False
        return bool(request.user.has_perm(perm))

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        perm: str | None = getattr(view, "permission_required", None)
        return bool(perm) and bool(request.user.has_perm(perm, obj))  # type: ignore[arg-type]
