"""Provenance endpoints: the source documents, the statements (a figure or fact as one document
states it) and the disagreements between documents. All public."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from deltaregio.api.base import PlainDecimalField, ReadOnlyApiViewSet, ReadOnlyListViewSet, source_field
from deltaregio.sources.models import SourceDocument, Statement
from deltaregio.sources.selectors import Disagreement, disagreements, document_list, statement_list


class DocumentSourceSerializer(serializers.Serializer):
    document = serializers.CharField(source="file_name")
    location = serializers.SerializerMethodField()

    def get_location(self, obj: SourceDocument) -> str:
        return ""


class DocumentSerializer(serializers.ModelSerializer):
    source: Any = DocumentSourceSerializer(
        source="*", read_only=True, help_text=_("A document is its own source: its file name, no location.")
    )

    class Meta:
        model = SourceDocument
        fields = [
            "file_name",
            "title",
            "kind",
            "publisher",
            "published_on",
            "published_text",
            "summary",
            "source",
        ]


class DocumentFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=SourceDocument.Kind.choices)

    class Meta:
        model = SourceDocument
        fields = ["kind"]


class DocumentViewSet(ReadOnlyApiViewSet):
    """The documents the reference data set was taken from."""

    permission_required = "sources.view_sourcedocument"
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    lookup_field = "file_name"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[SourceDocument]:
        return document_list()


class StatementSerializer(serializers.ModelSerializer):
    value = PlainDecimalField(
        max_digits=24,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text=_("The value as an exact decimal; null when the statement is not a number."),
    )
    source = source_field()

    class Meta:
        model = Statement
        fields = ["id", "key", "subject", "value", "value_text", "unit", "quote", "source"]


class StatementFilter(filters.FilterSet):
    key = filters.CharFilter(help_text=_("The quantity stated, e.g. fokus-total-cost."))
    document = filters.CharFilter(
        field_name="source_document", help_text=_("File name of the source document.")
    )

    class Meta:
        model = Statement
        fields = ["key", "document"]


class StatementViewSet(ReadOnlyApiViewSet):
    """Figures and facts as each document states them; several statements with one key are the same
    quantity stated in several places."""

    permission_required = "sources.view_statement"
    serializer_class = StatementSerializer
    filterset_class = StatementFilter

    def get_queryset(self) -> QuerySet[Statement]:
        return statement_list()


class DisagreementSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The quantity the documents disagree on."))
    subject = serializers.CharField()
    within_rounding = serializers.BooleanField(
        help_text=_("True when the values differ only as much as their published rounding allows.")
    )
    statements = StatementSerializer(many=True, help_text=_("Every statement of it, each with its source."))


class DisagreementViewSet(ReadOnlyListViewSet):
    """Quantities that documents state with different values; every statement is kept with its
    source, none is chosen silently."""

    permission_required = "sources.view_statement"
    serializer_class = DisagreementSerializer

    def get_queryset(self) -> list[Disagreement]:  # type: ignore[override]  # computed, not a QuerySet
        return disagreements()

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)
