"""Web pages of the funnel domain (included at the site root by deltaregio.urls)."""

from django.urls import path, register_converter

from deltaregio.funnel import views


class TokenConverter:
    """A private link's token: URL-safe base64 characters (the view says whether it is valid)."""

    regex = r"[A-Za-z0-9_-]{1,100}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")

app_name = "funnel"
urlpatterns = [
    path("funnel/", views.funnel_overview, name="overview"),
    path("funnel/labs/", views.lab_catalogue, name="lab_catalogue"),
    path("funnel/scan/", views.scan_start, name="scan_start"),
    path("funnel/scan/<token:token>/", views.scan_fill, name="scan_fill"),
    path("funnel/scan/<token:token>/submit/", views.scan_submit, name="scan_submit"),
    path("funnel/scan/<token:token>/verify/<token:code>/", views.scan_verify, name="scan_verify"),
    path("funnel/scan/<token:token>/result/", views.scan_result, name="scan_result"),
    path("funnel/scan/<token:token>/result.pdf", views.scan_result_pdf, name="scan_result_pdf"),
    path("funnel/scan/<token:token>/result.json", views.scan_result_json, name="scan_result_json"),
    path("funnel/scan/<token:token>/consent/", views.scan_consent, name="scan_consent"),
    path("funnel/results/<int:pk>/", views.result_detail, name="result_detail"),
    path("funnel/results/<int:pk>.pdf", views.result_pdf, name="result_pdf"),
    path("funnel/journeys/", views.journey_list, name="journey_list"),
    path("funnel/journeys/<slug:slug>/", views.journey_detail, name="journey_detail"),
    path("funnel/journeys/<slug:slug>/intake/", views.intake_new, name="intake_new"),
    path("funnel/journeys/<slug:slug>/trajectory/", views.trajectory_new, name="trajectory_new"),
    path("funnel/journeys/<slug:slug>/plan/", views.plan_new, name="plan_new"),
    path("funnel/journeys/<slug:slug>/partner/", views.assign_partner, name="assign_partner"),
    path("funnel/plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("funnel/plans/<int:pk>.pdf", views.plan_pdf, name="plan_pdf"),
    path("funnel/plans/<int:pk>/finalise/", views.plan_finalise, name="plan_finalise"),
    path("funnel/workshops/", views.workshop_list, name="workshop_list"),
    path("funnel/workshops/<int:pk>/", views.workshop_detail, name="workshop_detail"),
]
