from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from deltaregio.directory.models import Lab, Organisation, Person


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "short_name", "kind", "country", "region")
    list_filter = ("kind", "country")
    search_fields = ("name", "short_name")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("name", "function", "organisation")
    search_fields = ("name", "function")


@admin.register(Lab)
class LabAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "operator", "city", "country", "area_m2")
    list_filter = ("kind", "country")
    search_fields = ("name", "city")
