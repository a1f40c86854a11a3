"""Web pages of monitoring (included at the site root by deltaregio.urls, so /en/… works too).

URL names: monitoring:dashboard, indicator_new, indicator_detail, target_new, analytics, report_list,
report_download."""

from django.urls import path

from deltaregio.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("monitoring/", views.dashboard, name="dashboard"),
    path("monitoring/indicators/new/", views.indicator_new, name="indicator_new"),
    path("monitoring/indicators/<str:code>/", views.indicator_detail, name="indicator_detail"),
    path("monitoring/indicators/<str:code>/targets/new/", views.target_new, name="target_new"),
    path("monitoring/analytics/", views.analytics, name="analytics"),
    path("monitoring/reports/", views.report_list, name="report_list"),
    path("monitoring/reports/<int:pk>.<str:kind>", views.report_download, name="report_download"),
]
