"""What every endpoint of the API shares: read-only viewsets that state who may use them, strict
query parameters, and the serializer fields for provenance, exact amounts and references."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from deltaregio.api.permissions import RulesPermission
from deltaregio.api.schema import ApiAutoSchema

PAGINATION_PARAMETERS = frozenset({"page", "page_size"})
ALWAYS_ALLOWED_PARAMETERS = frozenset({"format"})


class UnknownParameter(exceptions.ValidationError):
    """A query parameter the endpoint does not know: answered with 400 instead of being ignored."""

    error_code = "unknown_parameter"

    def __init__(self, names: list[str], allowed: list[str]) -> None:
        message = _("Unknown query parameter: %(names)s.") % {"names": ", ".join(names)}
        self.error_message = message
        hint = _("Allowed parameters: %(allowed)s.") % {"allowed": ", ".join(allowed) or "-"}
        super().__init__({name: [_("This query parameter is not known here.") + " " + hint] for name in names})


class StrictQueryParametersMixin:
    """Refuses writes with 405 and unknown query parameters with 400, before any work is done.

    The allowed parameters of a list are its FilterSet's filters, `page`, `page_size` and `format`;
    a detail or a custom action takes `format` only, plus whatever `extra_query_parameters` names.
    """

    extra_query_parameters: ClassVar[frozenset[str]] = frozenset()

    def allowed_query_parameters(self) -> set[str]:
        allowed = set(ALWAYS_ALLOWED_PARAMETERS | self.extra_query_parameters)
        if getattr(self, "detail", False) is False:
            if getattr(self, "pagination_class", None) is not None:
                allowed |= PAGINATION_PARAMETERS
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
        return allowed

    def check_query_parameters(self, request: Request) -> None:
        allowed = self.allowed_query_parameters()
        unknown = sorted(name for name in request.query_params if name not in allowed)
        if unknown:
            raise UnknownParameter(unknown, sorted(allowed))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.method not in SAFE_METHODS:
            raise exceptions.MethodNotAllowed(str(request.method))
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.check_query_parameters(request)


class ReadOnlyApiViewSet(StrictQueryParametersMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Base of every model endpoint: list and retrieve, allowed as `permission_required` says
    (django-rules, checked on the list and again on each object)."""

    permission_classes = [RulesPermission]
    permission_required: ClassVar[str]
    schema = ApiAutoSchema()


class ReadOnlyListViewSet(StrictQueryParametersMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Base of an endpoint that lists computed records (not a model queryset)."""

    permission_classes = [RulesPermission]
    permission_required: ClassVar[str]
    schema = ApiAutoSchema()
    filter_backends: ClassVar[list[Any]] = []


# --- serializer fields -------------------------------------------------------------------------


class SourceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Where a record comes from: the source document and the place in it (lines, table, section)."""

    document = serializers.CharField(source="source_document", help_text=gettext_lazy("File name of the source document."))
    location = serializers.CharField(
        source="source_location", help_text=gettext_lazy("Where in the document, as lines, section or table.")
    )


def source_field() -> SourceSerializer:
    return SourceSerializer(source="*", read_only=True)


class PlainDecimalField(serializers.DecimalField):  # type: ignore[type-arg]
    """An exact decimal as a string without the storage's trailing zeros: 150.0000 → "150"."""

    def to_representation(self, value: Any) -> str | None:
        if value is None:
            return None
        number = Decimal(value)
        text = format(number.normalize(), "f")
        return "0" if text in {"-0", ""} else text


@extend_schema_field(
    {"type": "string", "description": "ISO 3166-1 alpha-2 country code; empty when not published.", "example": "BE"}
)
class CountryCodeField(serializers.CharField):
    """A django-countries value as its two-letter code."""

    def to_representation(self, value: Any) -> str:
        return str(getattr(value, "code", value) or "")


class Ref(serializers.Serializer):  # type: ignore[type-arg]
    """A reference to another record by its stable key, with its name for display."""

    slug = serializers.CharField()
    name = serializers.CharField()


# --- filters -----------------------------------------------------------------------------------


class CountryCodeFormField(forms.CharField):
    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "").strip().upper()
        if text and text not in dict(countries):
            raise forms.ValidationError(
                _("%(value)s is not an ISO 3166-1 alpha-2 country code.") % {"value": value}, code="invalid_choice"
            )
        return text


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z]{2}$", "example": "NL"})
class CountryFilter(filters.CharFilter):
    """A country code, validated: an unknown code is a bad request, not an empty result."""

    field_class = CountryCodeFormField


class IntegerFilter(filters.NumberFilter):
    """A whole number (NumberFilter alone would accept 2019.5)."""

    field_class = forms.IntegerField


def code_filter(field_name: str, to_field_name: str, queryset: Any, help_text: str) -> filters.ModelChoiceFilter:
    """A reference by code or slug; an unknown one is a bad request (400) naming the parameter.

    `queryset` is a function of the request (a selector), so nothing is queried at import."""
    return extend_schema_field(OpenApiTypes.STR)(  # type: ignore[no-any-return]
        filters.ModelChoiceFilter(
            field_name=field_name, to_field_name=to_field_name, queryset=queryset, help_text=help_text
        )
    )
