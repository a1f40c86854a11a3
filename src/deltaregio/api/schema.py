"""The OpenAPI description: the one error format as a component, attached to every operation's
400/401/403/404 responses, and each operation's statement of who may use it."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    """What went wrong: a machine code, a message in the user's language and, for a bad request,
    what is wrong per query parameter or field."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # "fields" cannot be declared as a class attribute: it would hide Serializer.fields.
        return {
            "code": serializers.CharField(
                help_text=_(
                    "Machine code: invalid, unknown_parameter, not_authenticated, permission_denied, "
                    "not_found, method_not_allowed, not_acceptable, throttled."
                )
            ),
            "message": serializers.CharField(help_text=_("What went wrong, in the request's language.")),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                required=False,
                help_text=_("Bad requests only: the messages per query parameter or field."),
            ),
        }


class ErrorSerializer(serializers.Serializer):
    """The one error format of the API."""

    error = ErrorBodySerializer()


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


def is_public_permission(perm: str | None) -> bool:
    """Whether someone who is not logged in passes the permission (without an object)."""
    return bool(perm) and bool(rules.has_perm(perm, AnonymousUser()))


class ApiAutoSchema(AutoSchema):
    """AutoSchema that documents the error responses and the permission of each operation."""

    def _is_public(self) -> bool:
        return is_public_permission(getattr(self.view, "permission_required", None))

    def get_description(self) -> str:  # type: ignore[override]  # drf-spectacular's signature
        """The view's docstring, then who may use the endpoint: the view's `audience` if it states
        one, else what its permission implies."""
        description = super().get_description() or ""
        perm = getattr(self.view, "permission_required", None)
        if not perm:
            return description
        audience = getattr(self.view, "audience", None)
        if audience:
            who = str(audience)
        elif self._is_public():
            who = str(_("Everyone, without logging in."))
        else:
            who = str(_("Only users whose role grants the permission."))
        return f"{description}\n\n{_('Who may use this:')} {who} (`{perm}`)".strip()

    def get_response_serializers(self) -> Any:
        responses = super().get_response_serializers()
        if self.method not in {"GET", "HEAD"}:
            return responses
        errors: dict[int, OpenApiResponse] = {
            400: error_response(
                str(
                    _("Bad request: an unknown query parameter, a malformed filter value, page or page size.")
                )
            )
        }
        if not self._is_public():
            errors[401] = error_response(str(_("Not authenticated: log in to use this endpoint.")))
            errors[403] = error_response(str(_("Permission denied: your role may not use this endpoint.")))
        if getattr(self.view, "detail", None) or self._is_detail_path():
            errors[404] = error_response(str(_("Not found, or not visible to you.")))
        if isinstance(responses, dict):
            return {**responses, **{code: r for code, r in errors.items() if code not in responses}}
        return {200: responses, **errors}

    def _is_detail_path(self) -> bool:
        return "{" in self.path


# Django gives integer model fields validators from the database backend's integer ranges, so the
# same model would describe itself differently on SQLite and PostgreSQL. The OpenAPI file must not
# depend on the database it was generated with: those limits are dropped (a model's own validators,
# e.g. a share of at most 100, stay).
_BACKEND_LIMITS = {32767, 2147483647, 9223372036854775807, -32768, -2147483648, -9223372036854775808}


def drop_backend_integer_limits(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "integer":
                for key in ("maximum", "minimum"):
                    if node.get(key) in _BACKEND_LIMITS:
                        del node[key]
                if node.get("format") == "int64":
                    del node["format"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
