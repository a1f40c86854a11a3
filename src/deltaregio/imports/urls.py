"""Web pages of the imports domain (included at the site root by deltaregio.urls, so /en/… works too).

URL names: imports:start, imports:run_list, imports:run_detail; imports:export_projects,
imports:export_organisations, imports:export_calls (fmt xlsx or csv), imports:project_sheet,
imports:programme_report, imports:giving360."""

from django.urls import path, re_path

from deltaregio.imports import views

app_name = "imports"
urlpatterns = [
    path("imports/", views.import_start, name="start"),
    path("imports/runs/", views.run_list, name="run_list"),
    path("imports/runs/<int:pk>/", views.run_detail, name="run_detail"),
    re_path(r"^exports/projects\.(?P<fmt>xlsx|csv)$", views.export_projects, name="export_projects"),
    re_path(
        r"^exports/organisations\.(?P<fmt>xlsx|csv)$", views.export_organisations, name="export_organisations"
    ),
    re_path(r"^exports/calls\.(?P<fmt>xlsx|csv)$", views.export_calls, name="export_calls"),
    path("exports/projects/<slug:slug>.pdf", views.project_sheet, name="project_sheet"),
    path("exports/programme-report.pdf", views.programme_report, name="programme_report"),
    path("exports/360giving.json", views.giving360, name="giving360"),
]
