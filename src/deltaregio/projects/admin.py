from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from deltaregio.projects.models import Milestone, Partner, Project, StatusChange, WorkPackage


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0


class WorkPackageInline(admin.TabularInline):
    model = WorkPackage
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class StatusChangeInline(admin.TabularInline):
    """Append-only: existing entries are shown read-only and cannot be deleted."""

    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("recorded_at", "recorded_by")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("acronym", "title", "status", "start_date", "end_date", "is_public")
    list_filter = ("status", "themes", "is_public")
    search_fields = ("acronym", "title")
    inlines = [PartnerInline, WorkPackageInline, MilestoneInline, StatusChangeInline]
