"""Directory endpoints: organisations and labs (public), people (programme officers only)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deltaregio.api.base import (
    CountryCodeField,
    ReadOnlyApiViewSet,
    Ref,
    country_filter,
    slug_ref,
    source_field,
)
from deltaregio.directory.models import Lab, Organisation, Person
from deltaregio.directory.selectors import lab_list, organisation_list, person_list


class OrganisationRefSerializer(Ref):
    """An organisation by its slug and name."""


def organisation_ref(obj: Organisation | None) -> dict[str, str] | None:
    return None if obj is None else {"slug": obj.slug, "name": obj.name}


class OrganisationSerializer(serializers.ModelSerializer):
    country = CountryCodeField()
    parent = slug_ref("slug", _("Slug of the parent."), allow_null=True)
    source = source_field()

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "short_name",
            "kind",
            "country",
            "region",
            "city",
            "website",
            "description",
            "parent",
            "source",
        ]


class OrganisationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Organisation.Kind.choices)
    country = country_filter(_("ISO 3166-1 alpha-2 code, e.g. BE or NL."))
    q = filters.CharFilter(method="search", help_text=_("Text in the name or short name."))

    class Meta:
        model = Organisation
        fields = ["kind", "country", "q"]

    def search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))


class OrganisationViewSet(ReadOnlyApiViewSet):
    """Organisations: companies, SMEs, knowledge institutions, governments, clusters and networks."""

    permission_required = "directory.view_organisation"
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    lookup_field = "slug"
    cache_public = True

    def get_queryset(self) -> QuerySet[Organisation]:
        return organisation_list()


class PersonSerializer(serializers.ModelSerializer):
    organisation = serializers.SerializerMethodField()
    source = source_field()

    class Meta:
        model = Person
        fields = ["id", "name", "function", "organisation", "email", "source"]

    @extend_schema_field(OrganisationRefSerializer(allow_null=True))
    def get_organisation(self, obj: Person) -> dict[str, str] | None:
        return organisation_ref(obj.organisation)


class PersonFilter(filters.FilterSet):
    organisation = filters.CharFilter(
        field_name="organisation__slug", help_text=_("Slug of the organisation.")
    )
    q = filters.CharFilter(method="search", help_text=_("Text in the name or function."))

    class Meta:
        model = Person
        fields = ["organisation", "q"]

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.filter(Q(name__icontains=value) | Q(function__icontains=value))


class PersonViewSet(ReadOnlyApiViewSet):
    """People in a public role named in the documents. Personal data: programme officers only."""

    permission_required = "directory.view_person"
    audience = _("Programme officers only.")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def get_queryset(self) -> QuerySet[Person]:
        return person_list()


class LabSerializer(serializers.ModelSerializer):
    country = CountryCodeField()
    operator = serializers.SerializerMethodField()
    technologies = serializers.ListField(child=serializers.CharField(), read_only=True)
    source = source_field()

    class Meta:
        model = Lab
        fields = [
            "slug",
            "name",
            "kind",
            "operator",
            "city",
            "country",
            "area_m2",
            "area_text",
            "technologies",
            "description",
            "source",
        ]

    @extend_schema_field(OrganisationRefSerializer(allow_null=True))
    def get_operator(self, obj: Lab) -> dict[str, Any] | None:
        return organisation_ref(obj.operator)


class LabFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Lab.Kind.choices)
    country = country_filter(_("ISO 3166-1 alpha-2 code, e.g. BE or NL."))

    class Meta:
        model = Lab
        fields = ["kind", "country"]


class LabViewSet(ReadOnlyApiViewSet):
    """Practice labs, field labs, pilot lines and research facilities, with area and technologies."""

    permission_required = "directory.view_lab"
    serializer_class = LabSerializer
    filterset_class = LabFilter
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Lab]:
        return lab_list()
