"""What every endpoint of the API shares: read-only viewsets that state who may use them, strict
query parameters, and the serializer fields for provenance, exact amounts and references."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from deltaregio.api.permissions import RulesPermission
from deltaregio.api.schema import ApiAutoSchema
from deltaregio.ops.pagecache import public_page_cache

PAGINATION_PARAMETERS = frozenset({"page", "page_size"})
ALWAYS_ALLOWED_PARAMETERS = frozenset({"format"})


class UnknownParameter(exceptions.ValidationError):
    """A query parameter the endpoint does not know: answered with 400 instead of being ignored."""

    error_code = "unknown_parameter"

    def __init__(self, names: list[str], allowed: list[str]) -> None:
        message = _("Unknown query parameter: %(names)s.") % {"names": ", ".join(names)}
        self.error_message = message
        hint = _("Allowed parameters: %(allowed)s.") % {"allowed": ", ".join(allowed) or "-"}
        super().__init__(
            {name: [_("This query parameter is not known here.") + " " + hint] for name in names}
        )


def request_language(request: HttpRequest | Request) -> str:
    """The client's language: the language cookie, then Accept-Language, then the default. The API's
    paths carry no language prefix, and LocaleMiddleware gives those the default language."""
    raw = getattr(request, "_request", request)
    return translation.get_language_from_request(raw, check_path=False)


def in_request_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run and render a view in the client's language; the language of the thread is restored after."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = request_language(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if callable(render):
                render()
        response.setdefault("Content-Language", language)
        return response

    return wrapped


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

    def get_authenticate_header(self, request: Request) -> str:
        """Answer an anonymous request that needs a login with 401 and the scheme to use (DRF asks
        only the first authenticator, the session, which has no header, and would answer 403)."""
        for authenticator in request.authenticators or []:
            header = getattr(authenticator, "authenticate_header", lambda request: None)(request)
            if header:
                return str(header)
        return ""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        """An unknown `format` is a bad parameter value (400), not a missing page (DRF's 404)."""
        try:
            return super().perform_content_negotiation(request, force)  # type: ignore[misc]
        except Http404:
            names = ", ".join(r.format for r in self.get_renderers())  # type: ignore[attr-defined]
            raise exceptions.ValidationError(
                {"format": [_("must be one of: %(formats)s") % {"formats": names}]}
            ) from None

    @classmethod
    def as_view(cls, *args: Any, **kwargs: Any) -> Any:
        return in_request_language(super().as_view(*args, **kwargs))  # type: ignore[misc]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.method not in SAFE_METHODS:
            raise exceptions.MethodNotAllowed(str(request.method))
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.check_query_parameters(request)


class ReadOnlyApiViewSet(StrictQueryParametersMixin, viewsets.ReadOnlyModelViewSet):
    """Base of every model endpoint: list and retrieve, allowed as `permission_required` says
    (django-rules, checked on the list and again on each object)."""

    permission_classes = [RulesPermission]
    permission_required: ClassVar[str]
    audience: ClassVar[str | Promise | None] = None  # who may use it, in words, for the documentation
    schema = ApiAutoSchema()
    # True: anonymous requests' responses are kept (ops/pagecache.py), after the permission check
    cache_public: ClassVar[bool] = False

    def _answer(
        self, kind: str, handler: Callable[..., Any], request: Request, *args: Any, **kwargs: Any
    ) -> Any:
        if not self.cache_public:
            return handler(request, *args, **kwargs)
        return public_page_cache(f"api-{self.basename}-{kind}")(handler)(request, *args, **kwargs)

    # (a kept response is a plain HttpResponse, which DRF passes on as it is)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        return self._answer("list", super().list, request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        return self._answer("detail", super().retrieve, request, *args, **kwargs)


class ReadOnlyListViewSet(StrictQueryParametersMixin, viewsets.GenericViewSet):
    """Base of an endpoint that lists computed records (not a model queryset)."""

    permission_classes = [RulesPermission]
    permission_required: ClassVar[str]
    schema = ApiAutoSchema()
    filter_backends = []  # computed records: nothing to filter


# --- serializer fields -------------------------------------------------------------------------


class SourceSerializer(serializers.Serializer):
    """Where a record comes from: the source document and the place in it (lines, table, section)."""

    document = serializers.CharField(
        source="source_document", help_text=gettext_lazy("File name of the source document.")
    )
    location = serializers.CharField(
        source="source_location", help_text=gettext_lazy("Where in the document, as lines, section or table.")
    )


def source_field() -> Any:
    """The provenance of the record. (Typed Any: a declared field named `source` shadows
    Field.source for type checkers only; DRF takes declared fields out of the class.)"""
    return SourceSerializer(source="*", read_only=True)


def slug_ref(
    slug_field: str, help_text: str | Promise = "", *, many: bool = False, allow_null: bool = False
) -> Any:
    """A read-only reference to another record by its stable key (slug, code or number)."""
    options: dict[str, Any] = {"slug_field": slug_field, "read_only": True, "help_text": help_text}
    if many:
        options["many"] = True
    else:
        options["allow_null"] = allow_null
    return serializers.SlugRelatedField(**options)


class PlainDecimalField(serializers.DecimalField):
    """An exact decimal as a string without the storage's trailing zeros: 150.0000 → "150"."""

    def to_representation(self, value: Any) -> str:
        number = Decimal(value)
        text = format(number.normalize(), "f")
        return "0" if text in {"-0", ""} else text


@extend_schema_field(
    {
        "type": "string",
        "description": "ISO 3166-1 alpha-2 country code; empty when not published.",
        "example": "BE",
    }
)
class CountryCodeField(serializers.CharField):
    """A django-countries value as its two-letter code."""

    def to_representation(self, value: Any) -> str:
        return str(getattr(value, "code", value) or "")


class Ref(serializers.Serializer):
    """A reference to another record by its stable key, with its name for display."""

    slug = serializers.CharField()
    name = serializers.CharField()


# --- filters -----------------------------------------------------------------------------------


class CountryCodeFormField(forms.CharField):
    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "").strip().upper()
        if text and text not in dict(countries):
            raise forms.ValidationError(  # params, not %: the value may contain "%"
                _("%(value)s is not an ISO 3166-1 alpha-2 country code."),
                code="invalid_choice",
                params={"value": value},
            )
        return text


class CountryFilter(filters.CharFilter):
    """A country code, validated: an unknown code is a bad request, not an empty result."""

    field_class = CountryCodeFormField


def country_filter(description: str | Promise, **kwargs: Any) -> CountryFilter:
    schema = {"type": "string", "pattern": "^[A-Za-z]{2}$", "example": "NL", "description": description}
    return extend_schema_field(schema)(CountryFilter(help_text=description, **kwargs))


class IntegerFilter(filters.NumberFilter):
    """A whole number (NumberFilter alone would accept 2019.5)."""

    field_class = forms.IntegerField


def code_filter(
    field_name: str, to_field_name: str, queryset: Any, help_text: str | Promise
) -> filters.ModelChoiceFilter:
    """A reference by code or slug; an unknown one is a bad request (400) naming the parameter.

    `queryset` is a function of the request (a selector), so nothing is queried at import."""
    return filters.ModelChoiceFilter(
        field_name=field_name, to_field_name=to_field_name, queryset=queryset, help_text=help_text
    )
