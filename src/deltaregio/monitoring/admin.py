"""Admin for staff: indicators with their targets, classification schemes and selections can be
corrected here; measurements and reports are read-only (they go through the services: units, periods,
duplicates and contradictions are checked there)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from deltaregio.monitoring.models import (
    Category,
    ClassificationScheme,
    CrosswalkRule,
    Indicator,
    Measurement,
    MonitoringReport,
    Selection,
    Target,
)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_nl", "framework", "kind", "level", "method", "unit", "last_computed_at"]
    list_filter = ["framework", "kind", "level", "method"]
    search_fields = ["code", "name_nl", "name_en"]
    inlines = [TargetInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "project", "date", "value", "unit", "origin", "conflict"]
    list_filter = ["origin", "indicator"]


@admin.register(MonitoringReport)
class MonitoringReportAdmin(ReadOnlyAdmin):
    list_display = ["title", "meeting", "language", "status", "requested_at"]
    exclude = ["pdf", "xlsx"]


@admin.register(ClassificationScheme)
class ClassificationSchemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "source_document"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["scheme", "code", "label", "parent"]
    list_filter = ["scheme"]


@admin.register(CrosswalkRule)
class CrosswalkRuleAdmin(admin.ModelAdmin):
    list_display = ["namespace", "field", "value", "category"]


@admin.register(Selection)
class SelectionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_nl", "scheme", "codes"]
