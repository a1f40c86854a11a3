"""Project endpoints. Visibility: published projects for everyone; unpublished ones for programme
officers and for users who act for one of the project's partners (projects.view_project). A project
that is not visible does not exist for the asker: 404, never 403."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deltaregio.agenda.selectors import theme_list
from deltaregio.api.base import (
    CountryCodeField,
    ReadOnlyApiViewSet,
    code_filter,
    country_filter,
    slug_ref,
    source_field,
)
from deltaregio.api.funding import calls_for_filter, instruments_for_filter
from deltaregio.directory.models import Organisation
from deltaregio.directory.selectors import organisation_list
from deltaregio.finance.models import FundingContribution
from deltaregio.projects.models import Milestone, Partner, Project, Status, StatusChange, WorkPackage
from deltaregio.projects.selectors import project_detail, project_list


class PartnerSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", help_text=_("Name of the organisation."))
    organisation_slug = serializers.CharField(source="organisation.slug")
    country = CountryCodeField()
    source = source_field()

    class Meta:
        model = Partner
        fields = ["organisation", "organisation_slug", "role", "country", "source"]


class WorkPackageSerializer(serializers.ModelSerializer):
    source = source_field()

    class Meta:
        model = WorkPackage
        fields = ["number", "title", "budget", "share", "start_date", "end_date", "description", "source"]


class MilestoneSerializer(serializers.ModelSerializer):
    work_package = slug_ref("number", _("Number of the work package."), allow_null=True)
    source = source_field()

    class Meta:
        model = Milestone
        fields = ["title", "due_date", "target", "work_package", "source"]


class StatusChangeSerializer(serializers.ModelSerializer):
    source = source_field()

    class Meta:
        model = StatusChange
        fields = ["status", "date", "date_text", "kind", "body", "note", "source"]


@extend_schema_field(OpenApiTypes.STR)
class PartnerNameField(serializers.RelatedField):
    """A partner by the name of its organisation."""

    def to_representation(self, value: Any) -> str:
        return value.organisation.name


class ContributionSerializer(serializers.ModelSerializer):
    """A source's contribution to a project's cost. `funding_source` names who pays; `source` is,
    as on every record, where the figure was published."""

    funding_source = serializers.CharField(source="source", help_text=_("Who contributes, as published."))
    funding_source_kind = serializers.ChoiceField(
        source="source_kind", choices=FundingContribution.SourceKind.choices, read_only=True
    )
    instrument = slug_ref("code", _("Instrument code."), allow_null=True)
    partners = PartnerNameField(
        many=True,
        read_only=True,
        help_text=_("Names of the partners the contribution is for; empty when it is for the whole project."),
    )
    source = source_field()

    class Meta:
        model = FundingContribution
        fields = [
            "funding_source",
            "funding_source_kind",
            "instrument",
            "partners",
            "amount",
            "unit",
            "share",
            "basis",
            "basis_amount",
            "status",
            "note",
            "source",
        ]


class ProjectSerializer(serializers.ModelSerializer):
    themes = slug_ref("code", _("Theme codes."), many=True)
    instrument = slug_ref("code", _("Instrument code."), allow_null=True)
    call = slug_ref("code", _("Call code."), allow_null=True)
    partners = PartnerSerializer(many=True, read_only=True)
    source = source_field()

    class Meta:
        model = Project
        fields = [
            "slug",
            "acronym",
            "title",
            "status",
            "themes",
            "instrument",
            "call",
            "start_date",
            "end_date",
            "total_cost",
            "cost_unit",
            "trl",
            "website",
            "is_public",
            "partners",
            "source",
        ]


class ProjectDetailSerializer(ProjectSerializer):
    work_packages = WorkPackageSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    funding = ContributionSerializer(many=True, read_only=True)
    status_history = StatusChangeSerializer(many=True, read_only=True)

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields[:-1],
            "summary",
            "work_packages",
            "milestones",
            "funding",
            "status_history",
            "source",
        ]


def organisations_for_filter(request: object) -> QuerySet[Organisation]:
    return organisation_list()


class ProjectFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Status.choices)
    theme = code_filter("themes", "code", lambda request: theme_list(), _("Code of a theme."))
    instrument = code_filter("instrument", "code", instruments_for_filter, _("Code of the instrument."))
    call = code_filter("call", "code", calls_for_filter, _("Code of the call."))
    partner = code_filter("partners__organisation", "slug", organisations_for_filter, _("Slug of a partner."))
    country = country_filter(
        _("Country of a partner (ISO 3166-1 alpha-2 code, e.g. BE or NL)."),
        field_name="partners__country",
        distinct=True,
    )
    start_after = filters.DateFilter(
        field_name="start_date", lookup_expr="gte", help_text=_("Starts on or after this date (YYYY-MM-DD).")
    )
    start_before = filters.DateFilter(
        field_name="start_date", lookup_expr="lte", help_text=_("Starts on or before this date (YYYY-MM-DD).")
    )
    q = filters.CharFilter(method="search", help_text=_("Text in the acronym or title."))

    class Meta:
        model = Project
        fields = [
            "status",
            "theme",
            "instrument",
            "call",
            "partner",
            "country",
            "start_after",
            "start_before",
            "q",
        ]

    def search(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset.filter(Q(acronym__icontains=value) | Q(title__icontains=value))


class ProjectViewSet(ReadOnlyApiViewSet):
    """Projects with their partners; the detail adds work packages, milestones, funding and the
    status history."""

    permission_required = "projects.view_project"
    audience = _(
        "Everyone for published projects; unpublished ones only for programme officers and for users who "
        "act for one of the project's partners."
    )
    filterset_class = ProjectFilter
    lookup_field = "slug"
    cache_public = True

    def get_queryset(self) -> QuerySet[Project]:
        return project_list(user=self.request.user)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return ProjectDetailSerializer if self.detail else ProjectSerializer

    def get_object(self) -> Project:
        try:
            project = project_detail(user=self.request.user, slug=self.kwargs["slug"])
        except Project.DoesNotExist:
            raise Http404 from None
        self.check_object_permissions(self.request, project)
        return project
