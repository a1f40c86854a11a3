"""Web pages of the finance domain (included at the site root by deltaregio.urls, so /en/… works too).

URL names: finance:project_budget, finance:project_budget_export, finance:project_budget_template,
finance:project_budget_import, finance:programme_budget, finance:programme_budget_export,
finance:findings."""

from django.urls import path

from deltaregio.finance import views

app_name = "finance"
urlpatterns = [
    path("projects/<slug:slug>/budget/", views.project_budget, name="project_budget"),
    path(
        "projects/<slug:slug>/budget/export.xlsx", views.project_budget_export, name="project_budget_export"
    ),
    path(
        "projects/<slug:slug>/budget/template.xlsx",
        views.project_budget_template,
        name="project_budget_template",
    ),
    path("projects/<slug:slug>/budget/import/", views.project_budget_import, name="project_budget_import"),
    path("programmes/<slug:code>/budget/", views.programme_budget, name="programme_budget"),
    path(
        "programmes/<slug:code>/budget/export.xlsx",
        views.programme_budget_export,
        name="programme_budget_export",
    ),
    path("findings/", views.findings, name="findings"),
]
