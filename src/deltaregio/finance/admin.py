from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from deltaregio.finance.models import BudgetCell, BudgetTable, FundingContribution


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
