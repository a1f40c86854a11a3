from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from deltaregio.finance.models import (
    BudgetCell,
    BudgetLine,
    BudgetTable,
    CoFinancingLine,
    FundingContribution,
    FundingRateLimit,
    ProgrammeAmount,
)


@admin.register(FundingContribution)
class FundingContributionAdmin(SimpleHistoryAdmin):
    list_display = ("project", "source", "amount", "unit", "share", "status")


class BudgetCellInline(admin.TabularInline):
    model = BudgetCell
    extra = 0


@admin.register(BudgetTable)
class BudgetTableAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "unit")
    inlines = [BudgetCellInline]


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = ("project", "partner", "work_package", "year", "category", "amount", "updated_by")
    list_filter = ("category", "year")
    search_fields = ("project__acronym", "partner__organisation__name")
    list_select_related = ("project", "partner__organisation", "work_package", "updated_by")
    raw_id_fields = ("project", "partner", "work_package")


@admin.register(CoFinancingLine)
class CoFinancingLineAdmin(SimpleHistoryAdmin):
    list_display = ("project", "partner", "source_kind", "source", "rate", "amount")
    list_filter = ("source_kind",)
    list_select_related = ("project", "partner__organisation")
    raw_id_fields = ("project", "partner")


@admin.register(FundingRateLimit)
class FundingRateLimitAdmin(SimpleHistoryAdmin):
    list_display = ("instrument", "max_rate", "basis")


@admin.register(ProgrammeAmount)
class ProgrammeAmountAdmin(SimpleHistoryAdmin):
    list_display = ("programme", "kind", "scenario", "year", "contributor", "amount", "unit")
    list_filter = ("kind", "contributor")
