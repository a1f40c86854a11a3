from django.contrib import admin

from deltaregio.imports.models import ImportedRecord, ImportRun, OrganisationIdentifier


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "profile_name", "file_name", "dry_run", "state", "created_by"]
    list_filter = ["state", "profile_name", "dry_run"]
    readonly_fields = ["report", "created_at", "finished_at"]
    exclude = ["content"]


@admin.register(ImportedRecord)
class ImportedRecordAdmin(admin.ModelAdmin):
    list_display = ["namespace", "kind", "source_key", "content_type", "object_id", "owned"]
    list_filter = ["namespace", "kind", "owned"]
    search_fields = ["source_key"]


@admin.register(OrganisationIdentifier)
class OrganisationIdentifierAdmin(admin.ModelAdmin):
    list_display = ["scheme", "identifier", "organisation"]
    list_filter = ["scheme"]
    search_fields = ["identifier", "organisation__name"]
    raw_id_fields = ["organisation"]
