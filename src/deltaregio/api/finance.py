"""Finance endpoints: funding contributions (visible as their project is) and the budget tables
exactly as published (public)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deltaregio.api.base import PlainDecimalField, ReadOnlyApiViewSet, code_filter, slug_ref, source_field
from deltaregio.api.funding import instruments_for_filter
from deltaregio.api.projects import ContributionSerializer
from deltaregio.finance.models import BudgetCell, BudgetTable, FundingContribution
from deltaregio.finance.selectors import budget_table_grid, budget_table_list, contribution_list
from deltaregio.projects.models import Project
from deltaregio.projects.selectors import visible_projects


class FundingContributionSerializer(ContributionSerializer):
    project = slug_ref("slug", _("Slug of the project."))

    class Meta(ContributionSerializer.Meta):
        fields = ["id", "project", *ContributionSerializer.Meta.fields]


def projects_for_filter(request: Any) -> QuerySet[Project]:
    return visible_projects(getattr(request, "user", None))


class FundingContributionFilter(filters.FilterSet):
    project = code_filter("project", "slug", projects_for_filter, _("Slug of a project visible to you."))
    instrument = code_filter("instrument", "code", instruments_for_filter, _("Code of the instrument."))
    funding_source_kind = filters.ChoiceFilter(
        field_name="source_kind", choices=FundingContribution.SourceKind.choices
    )
    status = filters.ChoiceFilter(choices=FundingContribution.Status.choices)

    class Meta:
        model = FundingContribution
        fields = ["project", "instrument", "funding_source_kind", "status"]


class FundingContributionViewSet(ReadOnlyApiViewSet):
    """Contributions to projects' cost per source (EU fund, government, own means), with their share
    and basis as published. Only contributions to projects visible to the asker are listed."""

    permission_required = "finance.view_fundingcontribution"
    audience = _(
        "Everyone for contributions to published projects; the others only for programme officers and "
        "for users who act for one of the project's partners."
    )
    serializer_class = FundingContributionSerializer
    filterset_class = FundingContributionFilter

    def get_queryset(self) -> QuerySet[FundingContribution]:
        return contribution_list().filter(project__in=visible_projects(self.request.user))


class BudgetColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label: Any = serializers.CharField()  # Any: the name shadows Field.label for type checkers only


class BudgetCellSerializer(serializers.Serializer):
    column = serializers.CharField(source="column_key", help_text=_("Key of the column."))
    value = PlainDecimalField(
        max_digits=20,
        decimal_places=4,
        allow_null=True,
        help_text=_(
            "The figure as an exact decimal, in the table's unit; null when the cell is not a number."
        ),
    )
    value_text = serializers.CharField(help_text=_("The figure exactly as printed."))


class BudgetRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label: Any = serializers.CharField()  # Any: the name shadows Field.label for type checkers only
    group = serializers.CharField()
    is_total = serializers.BooleanField()
    order = serializers.IntegerField()
    cells = BudgetCellSerializer(many=True)


class BudgetTableSerializer(serializers.ModelSerializer):
    programme = slug_ref("code", _("Programme code."), allow_null=True)
    rounded_to = PlainDecimalField(
        max_digits=12,
        decimal_places=4,
        read_only=True,
        help_text=_("The unit the published figures are rounded to, in the table's unit."),
    )
    columns = BudgetColumnSerializer(many=True, read_only=True)
    rows = serializers.SerializerMethodField(help_text=_("The rows in printed order, each with its cells."))
    source = source_field()

    class Meta:
        model = BudgetTable
        fields = ["code", "title", "programme", "unit", "rounded_to", "columns", "note", "rows", "source"]

    @extend_schema_field(BudgetRowSerializer(many=True))
    def get_rows(self, obj: BudgetTable) -> list[dict[str, Any]]:
        order = {column.get("key"): i for i, column in enumerate(obj.columns or [])}
        rows = []
        for row in budget_table_grid(obj):
            cells: dict[str, BudgetCell] = row["cells"]
            in_column_order = sorted(cells.values(), key=lambda cell: order.get(cell.column_key, len(order)))
            rows.append({**row, "cells": in_column_order})
        return BudgetRowSerializer(rows, many=True).data  # type: ignore[return-value]


class BudgetTableViewSet(ReadOnlyApiViewSet):
    """Tables of figures exactly as a document publishes them (e.g. the Nxtgen budget tables)."""

    permission_required = "finance.view_budgettable"
    serializer_class = BudgetTableSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[BudgetTable]:
        return budget_table_list()
