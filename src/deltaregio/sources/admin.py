from django.contrib import admin

from deltaregio.sources.models import SourceDocument, Statement


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ("file_name", "title", "kind", "published_text")


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ("key", "subject", "value_text", "unit", "source_document", "source_location")
    list_filter = ("source_document",)
    search_fields = ("key", "subject", "quote")
