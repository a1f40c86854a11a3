"""Agenda endpoints: themes (with sub-domains, ambitions and actions), summits with their
decisions, declarations of intent, events and stakeholder groups. All public."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deltaregio.agenda.models import (
    AgendaItem,
    DeclarationOfIntent,
    Event,
    StakeholderGroup,
    StakeholderMembership,
    Subdomain,
    Summit,
    SummitDecision,
    Theme,
)
from deltaregio.agenda.selectors import (
    declaration_list,
    event_list,
    stakeholder_group_list,
    summit_list,
    theme_detail,
    theme_list,
)
from deltaregio.api.base import IntegerFilter, ReadOnlyApiViewSet, code_filter, slug_ref, source_field
from deltaregio.api.directory import OrganisationRefSerializer, organisation_ref


class SubdomainSerializer(serializers.ModelSerializer):
    source = source_field()

    class Meta:
        model = Subdomain
        fields = ["code", "name", "description", "order", "source"]


class AgendaItemSerializer(serializers.ModelSerializer):
    source = source_field()

    class Meta:
        model = AgendaItem
        fields = ["code", "kind", "text", "status", "order", "source"]


class ThemeSerializer(serializers.ModelSerializer):
    added_at = slug_ref("number", _("Number of the summit that added the theme."), allow_null=True)
    subdomains = SubdomainSerializer(many=True, read_only=True)
    items = AgendaItemSerializer(many=True, read_only=True, help_text=_("Ambitions and actions."))
    source = source_field()

    class Meta:
        model = Theme
        fields = [
            "code",
            "name",
            "description",
            "order",
            "added_on",
            "added_at",
            "removed_on",
            "subdomains",
            "items",
            "source",
        ]


class ThemeFilter(filters.FilterSet):
    as_of = filters.DateFilter(
        method="filter_as_of", help_text=_("The agenda as it stood on this date (YYYY-MM-DD).")
    )

    class Meta:
        model = Theme
        fields = ["as_of"]

    def filter_as_of(self, queryset: QuerySet[Theme], name: str, value: dt.date) -> QuerySet[Theme]:
        return queryset.filter(pk__in=theme_list(as_of=value).values("pk"))


class ThemeViewSet(ReadOnlyApiViewSet):
    """Themes of the collaboration agenda with their sub-domains, ambitions and actions."""

    permission_required = "agenda.view_theme"
    serializer_class = ThemeSerializer
    filterset_class = ThemeFilter
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Theme]:
        return theme_list().prefetch_related("subdomains", "items")

    def get_object(self) -> Theme:
        try:
            theme = theme_detail(code=self.kwargs["code"])
        except Theme.DoesNotExist:
            raise Http404 from None
        self.check_object_permissions(self.request, theme)
        return theme


class SummitDecisionSerializer(serializers.ModelSerializer):
    source = source_field()

    class Meta:
        model = SummitDecision
        fields = ["order", "text", "source"]


class SummitSerializer(serializers.ModelSerializer):
    decisions = SummitDecisionSerializer(many=True, read_only=True)
    themes_added = slug_ref("code", _("Codes of the themes this summit added."), many=True)
    source = source_field()

    class Meta:
        model = Summit
        fields = [
            "number",
            "date",
            "place",
            "title",
            "participants",
            "theme_of_summit",
            "final_declaration",
            "decisions",
            "themes_added",
            "source",
        ]


class SummitViewSet(ReadOnlyApiViewSet):
    """The ministerial summits (topontmoetingen) and their decisions."""

    permission_required = "agenda.view_summit"
    serializer_class = SummitSerializer
    lookup_field = "number"

    def get_queryset(self) -> QuerySet[Summit]:
        return summit_list()


class DeclarationSerializer(serializers.ModelSerializer):
    domains = serializers.ListField(child=serializers.CharField(), read_only=True)
    renews: serializers.PrimaryKeyRelatedField[DeclarationOfIntent] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("Id of the declaration it renews.")
    )
    source = source_field()

    class Meta:
        model = DeclarationOfIntent
        fields = ["id", "date", "title", "signatories", "domains", "summary", "renews", "source"]


class DeclarationViewSet(ReadOnlyApiViewSet):
    """Declarations of intent between Flanders and the Netherlands."""

    permission_required = "agenda.view_declarationofintent"
    serializer_class = DeclarationSerializer

    def get_queryset(self) -> QuerySet[DeclarationOfIntent]:
        return declaration_list()


class EventSerializer(serializers.ModelSerializer):
    summit = slug_ref("number", _("Summit number."), allow_null=True)
    source = source_field()

    class Meta:
        model = Event
        fields = ["code", "date", "date_precision", "kind", "title", "description", "summit", "source"]


class EventFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Event.Kind.choices)
    summit = IntegerFilter(field_name="summit__number", help_text=_("Summit number."))
    after = filters.DateFilter(field_name="date", lookup_expr="gte", help_text=_("On or after this date."))
    before = filters.DateFilter(field_name="date", lookup_expr="lte", help_text=_("On or before this date."))

    class Meta:
        model = Event
        fields = ["kind", "summit", "after", "before"]


class EventViewSet(ReadOnlyApiViewSet):
    """Other dated moments: reports, memoranda, government decisions, conferences."""

    permission_required = "agenda.view_event"
    serializer_class = EventSerializer
    filterset_class = EventFilter
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Event]:
        return event_list()


class MemberSerializer(serializers.ModelSerializer):
    organisation = serializers.SerializerMethodField()
    person = serializers.SerializerMethodField()
    source = source_field()

    class Meta:
        model = StakeholderMembership
        fields = ["organisation", "person", "role", "source"]

    @extend_schema_field(OrganisationRefSerializer(allow_null=True))
    def get_organisation(self, obj: StakeholderMembership) -> dict[str, str] | None:
        return organisation_ref(obj.organisation)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_person(self, obj: StakeholderMembership) -> str | None:
        """The person's name, for users who may view people (directory.view_person); null otherwise."""
        if obj.person is None or not self.context.get("may_view_people"):
            return None
        return obj.person.name


class StakeholderGroupSerializer(serializers.ModelSerializer):
    themes = slug_ref("code", many=True)
    members = MemberSerializer(source="memberships", many=True, read_only=True)
    source = source_field()

    class Meta:
        model = StakeholderGroup
        fields = [
            "id",
            "name",
            "founded_on",
            "founded_precision",
            "founded_text",
            "mandate",
            "themes",
            "members",
            "source",
        ]


class StakeholderGroupFilter(filters.FilterSet):
    theme = code_filter("themes", "code", lambda request: theme_list(), _("Code of a theme."))

    class Meta:
        model = StakeholderGroup
        fields = ["theme"]


class StakeholderGroupViewSet(ReadOnlyApiViewSet):
    """Stakeholder groups and their members. A member's person is named only to users who may view
    people; the organisation and role are public."""

    permission_required = "agenda.view_stakeholdergroup"
    serializer_class = StakeholderGroupSerializer
    filterset_class = StakeholderGroupFilter

    def get_queryset(self) -> QuerySet[StakeholderGroup]:
        return stakeholder_group_list()

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["may_view_people"] = self.request.user.has_perm("directory.view_person")
        return context
