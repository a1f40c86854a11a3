"""API endpoints of the call process, under /api/v1/ (included by deltaregio.urls before the API's own
routes): call-setups, proposals, reviews, decisions."""

from rest_framework.routers import SimpleRouter

from deltaregio.calls import api


class Router(SimpleRouter):
    include_format_suffixes = False


router = Router()
router.register("call-setups", api.CallSetupViewSet, basename="call-setup")
router.register("proposals", api.ProposalViewSet, basename="proposal")
router.register("reviews", api.ReviewViewSet, basename="review")
router.register("decisions", api.DecisionViewSet, basename="decision")

urlpatterns = router.urls
