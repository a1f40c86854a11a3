"""API endpoints of monitoring under /api/v1/: monitoring-indicators, monitoring-measurements,
monitoring-dashboard."""

from rest_framework.routers import SimpleRouter

from deltaregio.monitoring import api


class Router(SimpleRouter):
    include_format_suffixes = False


router = Router()
router.register("monitoring-indicators", api.IndicatorViewSet, basename="monitoring-indicator")
router.register("monitoring-measurements", api.MeasurementViewSet, basename="monitoring-measurement")
router.register("monitoring-dashboard", api.DashboardViewSet, basename="monitoring-dashboard")

urlpatterns = router.urls
