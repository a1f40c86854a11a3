"""API endpoints of the vouchers domain, under /api/v1/ (included by deltaregio.urls before the API's
own routes): voucher-schemes, vouchers, voucher-redemptions."""

from rest_framework.routers import SimpleRouter

from deltaregio.vouchers import api


class Router(SimpleRouter):
    include_format_suffixes = False


router = Router()
router.register("voucher-schemes", api.SchemeViewSet, basename="voucher-scheme")
router.register("vouchers", api.VoucherViewSet, basename="voucher")
router.register("voucher-redemptions", api.RedemptionViewSet, basename="voucher-redemption")

urlpatterns = router.urls
