"""Web pages of monitoring (included at the site root by deltaregio.urls, so /en/… works too).

URL names: monitoring:dashboard, indicator_detail, analytics, report_list, report_download."""

from django.urls import path

from deltaregio.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("monitoring/", views.dashboard, name="dashboard"),
    path("monitoring/indicators/<str:code>/", views.indicator_detail, name="indicator_detail"),
    path("monitoring/analytics/", views.analytics, name="analytics"),
    path("monitoring/reports/", views.report_list, name="report_list"),
    path("monitoring/reports/<int:pk>.<str:kind>", views.report_download, name="report_download"),
]
