"""API endpoints of the finance domain, under /api/v1/finance/ (included under /api/v1/ by
deltaregio.urls, before the API's own routes)."""

from rest_framework.routers import SimpleRouter

from deltaregio.finance import api


class Router(SimpleRouter):
    include_format_suffixes = False


router = Router()
router.register("finance/budget-lines", api.BudgetLineViewSet, basename="finance-budget-line")
router.register(
    "finance/co-financing-lines", api.CoFinancingLineViewSet, basename="finance-co-financing-line"
)
router.register("finance/programme-amounts", api.ProgrammeAmountViewSet, basename="finance-programme-amount")
router.register("finance/findings", api.FindingViewSet, basename="finance-finding")
router.register("finance/project-budgets", api.ProjectBudgetViewSet, basename="finance-project-budget")
router.register("finance/programme-plans", api.ProgrammePlanViewSet, basename="finance-programme-plan")

urlpatterns = router.urls
