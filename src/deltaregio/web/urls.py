from django.urls import path

from deltaregio.web.views import agenda, audit, directory, funding, projects, search, sources

app_name = "web"
urlpatterns = [
    path("", agenda.home, name="home"),
    path("themes/<slug:code>/", agenda.theme_detail, name="theme_detail"),
    path("themes/<slug:code>/history/", agenda.theme_history, name="theme_history"),
    path("timeline/", agenda.timeline, name="timeline"),
    path("projects/", projects.project_list, name="project_list"),
    path("projects/<slug:slug>/", projects.project_detail, name="project_detail"),
    path("projects/<slug:slug>/history/", projects.project_history, name="project_history"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("organisations/", directory.organisation_list, name="organisation_list"),
    path("organisations/<slug:slug>/", directory.organisation_detail, name="organisation_detail"),
    path("labs/", directory.lab_list, name="lab_list"),
    path("labs/<slug:slug>/", directory.lab_detail, name="lab_detail"),
    path("instruments/", funding.instrument_list, name="instrument_list"),
    path("instruments/<slug:code>/", funding.instrument_detail, name="instrument_detail"),
    path("budget-tables/", funding.budget_tables, name="budget_tables"),
    path("sources/", sources.source_list, name="sources"),
    path("search/", search.search, name="search"),
]
