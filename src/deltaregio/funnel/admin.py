"""Admin for staff. Questionnaire versions, scans, results and consent records are read-only here:
questionnaires change only by loading a new version, results only through the scan, consent only by
a new record. The steps of the funnel keep their history (django-simple-history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from deltaregio.funnel.models import (
    ContactConsent,
    ImplementationPlan,
    Intake,
    Journey,
    Questionnaire,
    Scan,
    ScanResult,
    SmeQuestion,
    Trajectory,
    Workshop,
    WorkshopRegistration,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ("slug", "version", "is_current", "file_name", "loaded_at")
    list_filter = ("slug", "is_current")


@admin.register(Scan)
class ScanAdmin(ReadOnlyAdmin):
    list_display = ("questionnaire", "status", "company_name", "started_at", "expires_at")
    list_filter = ("status", "questionnaire__slug")
    exclude = ("token_hash", "verification_hash")


@admin.register(ScanResult)
class ScanResultAdmin(ReadOnlyAdmin):
    list_display = ("journey", "questionnaire", "wave", "overall", "band", "verified_at")
    list_filter = ("questionnaire_slug", "band")


@admin.register(ContactConsent)
class ContactConsentAdmin(ReadOnlyAdmin):
    list_display = ("journey", "given", "language", "recorded_at")


@admin.register(Journey)
class JourneyAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "partner", "started_at")
    list_filter = ("partner",)
    raw_id_fields = ("organisation",)


for model in (Intake, SmeQuestion, Workshop, WorkshopRegistration, Trajectory, ImplementationPlan):
    admin.site.register(model, SimpleHistoryAdmin)
