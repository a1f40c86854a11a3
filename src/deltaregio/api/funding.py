"""Funding endpoints: funders, instruments and programme lines, calls with their published
statistics, application domains and key technologies. All public."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deltaregio.api.base import (
    CountryCodeField,
    IntegerFilter,
    ReadOnlyApiViewSet,
    code_filter,
    country_filter,
    slug_ref,
    source_field,
)
from deltaregio.api.directory import OrganisationRefSerializer, organisation_ref
from deltaregio.funding.models import (
    ApplicationDomain,
    Call,
    CallStatistic,
    Funder,
    Instrument,
    KeyTechnology,
)
from deltaregio.funding.selectors import (
    application_domain_list,
    call_list,
    call_statistic_list,
    funder_list,
    instrument_list,
    key_technology_list,
)


def instruments_for_filter(request: object) -> QuerySet[Instrument]:
    return instrument_list()


def calls_for_filter(request: object) -> QuerySet[Call]:
    return call_list().prefetch_related(None)


def funders_for_filter(request: object) -> QuerySet[Funder]:
    return funder_list()


class FunderSerializer(serializers.ModelSerializer):
    organisation = serializers.SerializerMethodField()
    country = CountryCodeField()
    source = source_field()

    class Meta:
        model = Funder
        fields = ["slug", "name", "organisation", "country", "level", "source"]

    @extend_schema_field(OrganisationRefSerializer(allow_null=True))
    def get_organisation(self, obj: Funder) -> dict[str, str] | None:
        return organisation_ref(obj.organisation)


class FunderFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=Funder._meta.get_field("level").choices)
    country = country_filter(_("ISO 3166-1 alpha-2 code, e.g. BE or NL."))

    class Meta:
        model = Funder
        fields = ["level", "country"]


class FunderViewSet(ReadOnlyApiViewSet):
    """Funders: the EU, national, regional and provincial governments, private funds."""

    permission_required = "funding.view_funder"
    serializer_class = FunderSerializer
    filterset_class = FunderFilter
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Funder]:
        return funder_list()


class InstrumentSerializer(serializers.ModelSerializer):
    funder = slug_ref("slug", _("Slug of the funder."), allow_null=True)
    parent = slug_ref("code", _("Code of the programme this line is part of."), allow_null=True)
    source = source_field()

    class Meta:
        model = Instrument
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "funder",
            "parent",
            "description",
            "period_text",
            "website",
            "source",
        ]


class InstrumentFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Instrument.Kind.choices)
    funder = code_filter("funder", "slug", funders_for_filter, _("Slug of the funder."))
    parent = code_filter("parent", "code", instruments_for_filter, _("Code of the parent programme."))
    q = filters.CharFilter(method="search", help_text=_("Text in the name or short name."))

    class Meta:
        model = Instrument
        fields = ["kind", "funder", "parent", "q"]

    def search(self, queryset: QuerySet[Instrument], name: str, value: str) -> QuerySet[Instrument]:
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))


class InstrumentViewSet(ReadOnlyApiViewSet):
    """Funding instruments, programmes and programme lines."""

    permission_required = "funding.view_instrument"
    serializer_class = InstrumentSerializer
    filterset_class = InstrumentFilter
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Instrument]:
        return instrument_list()


class CallStatisticSerializer(serializers.ModelSerializer):
    call = slug_ref("code", _("Code of the call."))
    source = source_field()

    class Meta:
        model = CallStatistic
        fields = [
            "id",
            "call",
            "scope",
            "submitted_count",
            "submitted_cost",
            "requested_amount",
            "granted_count",
            "granted_amount",
            "unit",
            "approximate",
            "participants",
            "note",
            "source",
        ]


class NestedCallStatisticSerializer(CallStatisticSerializer):
    class Meta(CallStatisticSerializer.Meta):
        fields = [f for f in CallStatisticSerializer.Meta.fields if f != "call"]


class CallSerializer(serializers.ModelSerializer):
    instrument = slug_ref("code", _("Instrument code."))
    statistics = NestedCallStatisticSerializer(many=True, read_only=True)
    source = source_field()

    class Meta:
        model = Call
        fields = [
            "code",
            "name",
            "instrument",
            "kind",
            "year",
            "opens_at",
            "closes_at",
            "budget",
            "budget_unit",
            "budget_approximate",
            "description",
            "statistics",
            "source",
        ]


class CallFilter(filters.FilterSet):
    instrument = code_filter("instrument", "code", instruments_for_filter, _("Code of the instrument."))
    year = IntegerFilter(field_name="year")
    kind = filters.ChoiceFilter(choices=Call.Kind.choices)

    class Meta:
        model = Call
        fields = ["instrument", "year", "kind"]


class CallViewSet(ReadOnlyApiViewSet):
    """Calls for proposals and tender rounds, with their published statistics."""

    permission_required = "funding.view_call"
    serializer_class = CallSerializer
    filterset_class = CallFilter
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Call]:
        return call_list()


class CallStatisticFilter(filters.FilterSet):
    call = code_filter("call", "code", calls_for_filter, _("Code of the call."))

    class Meta:
        model = CallStatistic
        fields = ["call"]


class CallStatisticViewSet(ReadOnlyApiViewSet):
    """Published figures of calls: submitted and granted proposals and amounts."""

    permission_required = "funding.view_callstatistic"
    serializer_class = CallStatisticSerializer
    filterset_class = CallStatisticFilter

    def get_queryset(self) -> QuerySet[CallStatistic]:
        return call_statistic_list()


class ApplicationDomainSerializer(serializers.ModelSerializer):
    programme = slug_ref("code", _("Programme code."))
    source = source_field()

    class Meta:
        model = ApplicationDomain
        fields = ["id", "programme", "code", "name", "description", "order", "source"]


class ProgrammeFilter(filters.FilterSet):
    programme = code_filter("programme", "code", instruments_for_filter, _("Code of the programme."))


class ApplicationDomainFilter(ProgrammeFilter):
    class Meta:
        model = ApplicationDomain
        fields = ["programme"]


class ApplicationDomainViewSet(ReadOnlyApiViewSet):
    """Application domains of a programme (e.g. Nxtgen Hightech's seven)."""

    permission_required = "funding.view_applicationdomain"
    serializer_class = ApplicationDomainSerializer
    filterset_class = ApplicationDomainFilter

    def get_queryset(self) -> QuerySet[ApplicationDomain]:
        return application_domain_list()


class KeyTechnologySerializer(serializers.ModelSerializer):
    programme = slug_ref("code", _("Programme code."))
    application_domains = slug_ref("code", _("Codes of the application domains."), many=True)
    source = source_field()

    class Meta:
        model = KeyTechnology
        fields = ["id", "programme", "code", "name", "description", "order", "application_domains", "source"]


class KeyTechnologyFilter(ProgrammeFilter):
    class Meta:
        model = KeyTechnology
        fields = ["programme"]


class KeyTechnologyViewSet(ReadOnlyApiViewSet):
    """Key technologies of a programme (e.g. Nxtgen Hightech's deepening areas)."""

    permission_required = "funding.view_keytechnology"
    serializer_class = KeyTechnologySerializer
    filterset_class = KeyTechnologyFilter

    def get_queryset(self) -> QuerySet[KeyTechnology]:
        return key_technology_list()
