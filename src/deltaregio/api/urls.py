"""/api/v1/: the read-only endpoints, the OpenAPI description and its documentation page."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework import routers
from rest_framework.permissions import AllowAny

from deltaregio.api import agenda, directory, finance, funding, projects, sources
from deltaregio.api.base import in_request_language
from deltaregio.api.docs import api_docs, api_not_found


class ApiRootView(routers.APIRootView):
    """The Deltaregio API, version 1: the list of its endpoints. Who may use this: everyone."""

    permission_classes = [AllowAny]


class Router(routers.DefaultRouter):
    APIRootView = ApiRootView
    include_format_suffixes = False


router = Router()
router.register("organisations", directory.OrganisationViewSet, basename="organisation")
router.register("people", directory.PersonViewSet, basename="person")
router.register("labs", directory.LabViewSet, basename="lab")
router.register("themes", agenda.ThemeViewSet, basename="theme")
router.register("summits", agenda.SummitViewSet, basename="summit")
router.register("declarations", agenda.DeclarationViewSet, basename="declaration")
router.register("events", agenda.EventViewSet, basename="event")
router.register("stakeholder-groups", agenda.StakeholderGroupViewSet, basename="stakeholder-group")
router.register("funders", funding.FunderViewSet, basename="funder")
router.register("instruments", funding.InstrumentViewSet, basename="instrument")
router.register("calls", funding.CallViewSet, basename="call")
router.register("call-statistics", funding.CallStatisticViewSet, basename="call-statistic")
router.register("application-domains", funding.ApplicationDomainViewSet, basename="application-domain")
router.register("key-technologies", funding.KeyTechnologyViewSet, basename="key-technology")
router.register("projects", projects.ProjectViewSet, basename="project")
router.register("funding-contributions", finance.FundingContributionViewSet, basename="funding-contribution")
router.register("budget-tables", finance.BudgetTableViewSet, basename="budget-table")
router.register("documents", sources.DocumentViewSet, basename="document")
router.register("statements", sources.StatementViewSet, basename="statement")
router.register("disagreements", sources.DisagreementViewSet, basename="disagreement")

app_name = "api"
urlpatterns = [
    path("schema/", in_request_language(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", api_docs, name="docs"),
    *router.urls,
    # Anything else under /api/v1/ that ends in a slash: 404 in the API's error format (paths
    # without the slash are left to APPEND_SLASH).
    re_path(r"^.*/$", api_not_found, name="not-found"),
]
