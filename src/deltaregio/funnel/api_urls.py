"""API endpoints of the funnel domain (included under /api/v1/ by deltaregio.urls)."""

from django.urls import path

from deltaregio.funnel import api

urlpatterns = [
    path("questionnaires/", api.QuestionnaireListView.as_view(), name="funnel-questionnaire-list"),
    path(
        "questionnaires/<slug:slug>/",
        api.QuestionnaireDetailView.as_view(),
        name="funnel-questionnaire-detail",
    ),
    path("questionnaires/<slug:slug>/score/", api.ScoreView.as_view(), name="funnel-questionnaire-score"),
    path("scans/", api.ScanListView.as_view(), name="funnel-scan-list"),
    path("scans/<str:token>/", api.ScanDetailView.as_view(), name="funnel-scan-detail"),
    path("scans/<str:token>/submit/", api.ScanSubmitView.as_view(), name="funnel-scan-submit"),
    path("scans/<str:token>/verify/", api.ScanVerifyView.as_view(), name="funnel-scan-verify"),
    path("scans/<str:token>/result/", api.ScanResultView.as_view(), name="funnel-scan-result"),
    path("results/", api.ResultListView.as_view(), name="funnel-result-list"),
    path("results/<int:pk>/", api.ResultDetailView.as_view(), name="funnel-result-detail"),
    path("journeys/", api.JourneyListView.as_view(), name="funnel-journey-list"),
    path("intakes/", api.IntakeListView.as_view(), name="funnel-intake-list"),
    path("trajectories/", api.TrajectoryListView.as_view(), name="funnel-trajectory-list"),
    path("implementation-plans/", api.PlanListView.as_view(), name="funnel-plan-list"),
    path(
        "implementation-plans/<int:pk>/finalise/", api.PlanFinaliseView.as_view(), name="funnel-plan-finalise"
    ),
    path("workshops/", api.WorkshopListView.as_view(), name="funnel-workshop-list"),
    path(
        "workshops/<int:pk>/registrations/",
        api.WorkshopRegistrationView.as_view(),
        name="funnel-workshop-register",
    ),
    path("funnel/", api.FunnelFiguresView.as_view(), name="funnel-figures"),
]
