from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from deltaregio.funding.models import (
    ApplicationDomain,
    Call,
    CallStatistic,
    Funder,
    Instrument,
    KeyTechnology,
)


@admin.register(Funder)
class FunderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "level", "country")


@admin.register(Instrument)
class InstrumentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "kind", "funder", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "code")


class CallStatisticInline(admin.TabularInline):
    model = CallStatistic
    extra = 0


@admin.register(Call)
class CallAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "instrument", "year", "kind")
    list_filter = ("kind", "year")
    inlines = [CallStatisticInline]


admin.site.register(ApplicationDomain, SimpleHistoryAdmin)
admin.site.register(KeyTechnology, SimpleHistoryAdmin)
