"""Every list and detail route — pages and API — has a test proving that its number of queries does
not grow with the rows it shows. REGISTRY below is the one place that says which test that is.

A new app (calls, monitoring, …) adds a line per list/detail route: `Covered(file, test)` for a
query-count test of its own, or `ApiList` / `Detail` to have the generic checks of this module run
it. The guard fails for a list or detail route that is not registered, and for a registration whose
route or test no longer exists.

Generic checks: an API list asked for one row and for every row (page_size=500) makes at most one
query more for all rows, and no query is repeated per row; a detail route asked for each of up to
twelve records makes the same number of queries (±1, a prefetch is skipped when it has nothing to
fetch).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Model, QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

TESTS = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Covered:
    file: str  # relative to tests/
    test: str


@dataclass(frozen=True)
class ApiList:
    path: str
    who: str = "anon"  # anon | officer


@dataclass(frozen=True)
class Detail:
    queryset: Callable[[], QuerySet[Any]]
    url: Callable[[Any], str]
    who: str = "anon"


@dataclass(frozen=True)
class Pending:
    reason: str


def _qs(app_model: str, **filters: Any) -> Callable[[], QuerySet[Any]]:
    def make() -> QuerySet[Any]:
        from django.apps import apps

        model: type[Model] = apps.get_model(app_model)
        return model._default_manager.filter(**filters).order_by("pk")

    return make


WEB = Covered("web/test_query_counts.py", "test_queries_do_not_grow_with_rows")
API_LISTS = Covered("api/test_every_endpoint.py", "test_query_count_does_not_grow_with_the_rows")
FUNNEL_LISTS = Covered("funnel/test_queries.py", "test_lists_do_not_grow_with_the_companies")
FUNNEL_STEPS = Covered("funnel/test_queries.py", "test_the_step_lists_do_not_grow_with_the_steps")
FUNNEL_DETAILS = Covered(
    "funnel/test_queries.py", "test_results_plans_and_workshops_cost_the_same_whichever_is_shown"
)
FINANCE_LISTS = Covered("finance/test_queries.py", "test_the_lists_do_not_grow_with_the_rows")
FINANCE_DETAILS = Covered("finance/test_queries.py", "test_a_detail_costs_the_same_whichever_row_is_shown")
VOUCHER_DETAILS = Covered("vouchers/test_queries.py", "test_a_voucher_costs_the_same_whichever_is_shown")
REDEMPTIONS = Covered("vouchers/test_queries.py", "test_the_redemptions_do_not_grow_with_the_redemptions")

REGISTRY: dict[str, Covered | ApiList | Detail | Pending] = {
    # --- web pages (foundation) ---
    "web:project_list": WEB,
    "web:organisation_list": WEB,
    "web:lab_list": WEB,
    "web:instrument_list": WEB,
    "web:theme_detail": WEB,
    "web:instrument_detail": WEB,
    "web:project_detail": Detail(_qs("projects.Project", is_public=True), lambda p: f"/projects/{p.slug}/"),
    "web:organisation_detail": Detail(_qs("directory.Organisation"), lambda o: f"/organisations/{o.slug}/"),
    "web:lab_detail": Detail(_qs("directory.Lab"), lambda lab: f"/labs/{lab.slug}/"),
    # --- the API's reference-data endpoints ---
    **{
        f"api:{name}-list": API_LISTS
        for name in (
            "organisation",
            "person",
            "lab",
            "theme",
            "summit",
            "declaration",
            "event",
            "stakeholder-group",
            "funder",
            "instrument",
            "call",
            "call-statistic",
            "application-domain",
            "key-technology",
            "project",
            "funding-contribution",
            "budget-table",
            "document",
            "statement",
            "disagreement",
        )
    },
    "api:organisation-detail": Detail(
        _qs("directory.Organisation"), lambda o: f"/api/v1/organisations/{o.slug}/"
    ),
    "api:person-detail": Detail(_qs("directory.Person"), lambda p: f"/api/v1/people/{p.pk}/", "officer"),
    "api:lab-detail": Detail(_qs("directory.Lab"), lambda lab: f"/api/v1/labs/{lab.slug}/"),
    "api:theme-detail": Detail(_qs("agenda.Theme"), lambda t: f"/api/v1/themes/{t.code}/"),
    "api:summit-detail": Detail(_qs("agenda.Summit"), lambda s: f"/api/v1/summits/{s.number}/"),
    "api:declaration-detail": Detail(
        _qs("agenda.DeclarationOfIntent"), lambda d: f"/api/v1/declarations/{d.pk}/"
    ),
    "api:event-detail": Detail(_qs("agenda.Event"), lambda e: f"/api/v1/events/{e.code}/"),
    "api:stakeholder-group-detail": Detail(
        _qs("agenda.StakeholderGroup"), lambda g: f"/api/v1/stakeholder-groups/{g.pk}/"
    ),
    "api:funder-detail": Detail(_qs("funding.Funder"), lambda f: f"/api/v1/funders/{f.slug}/"),
    "api:instrument-detail": Detail(_qs("funding.Instrument"), lambda i: f"/api/v1/instruments/{i.code}/"),
    "api:call-detail": Detail(_qs("funding.Call"), lambda c: f"/api/v1/calls/{c.code}/"),
    "api:call-statistic-detail": Detail(
        _qs("funding.CallStatistic"), lambda s: f"/api/v1/call-statistics/{s.pk}/"
    ),
    "api:application-domain-detail": Detail(
        _qs("funding.ApplicationDomain"), lambda d: f"/api/v1/application-domains/{d.pk}/"
    ),
    "api:key-technology-detail": Detail(
        _qs("funding.KeyTechnology"), lambda k: f"/api/v1/key-technologies/{k.pk}/"
    ),
    "api:project-detail": Detail(
        _qs("projects.Project", is_public=True), lambda p: f"/api/v1/projects/{p.slug}/"
    ),
    "api:funding-contribution-detail": Detail(
        _qs("finance.FundingContribution", project__is_public=True),
        lambda c: f"/api/v1/funding-contributions/{c.pk}/",
    ),
    "api:budget-table-detail": Detail(
        _qs("finance.BudgetTable"), lambda t: f"/api/v1/budget-tables/{t.code}/"
    ),
    "api:document-detail": Detail(
        _qs("sources.SourceDocument"), lambda d: f"/api/v1/documents/{d.file_name}/"
    ),
    "api:statement-detail": Detail(_qs("sources.Statement"), lambda s: f"/api/v1/statements/{s.pk}/"),
    # --- finance ---
    "finance-budget-line-list": FINANCE_LISTS,
    "finance-budget-line-detail": FINANCE_DETAILS,
    "finance-co-financing-line-list": FINANCE_LISTS,
    "finance-co-financing-line-detail": FINANCE_DETAILS,
    "finance-programme-amount-list": FINANCE_LISTS,
    "finance-programme-amount-detail": FINANCE_DETAILS,
    "finance-finding-list": ApiList("/api/v1/finance/findings/", "officer"),
    "finance-project-budget-detail": Covered(
        "finance/test_pages.py", "test_query_count_does_not_grow_with_the_lines"
    ),
    "finance-programme-plan-detail": Detail(
        _qs("funding.Instrument", budget_tables__isnull=False),
        lambda i: f"/api/v1/finance/programme-plans/{i.code}/",
    ),
    # --- funnel ---
    "funnel-questionnaire-list": ApiList("/api/v1/questionnaires/"),
    "funnel-questionnaire-detail": Detail(
        _qs("funnel.Questionnaire", is_current=True), lambda q: f"/api/v1/questionnaires/{q.slug}/"
    ),
    # POST only: GET is refused (405), so there are no rows; the test asserts exactly that.
    "funnel-scan-list": Covered("funnel/test_queries.py", "test_the_scan_list_route_only_starts_scans"),
    "funnel-scan-detail": Covered("funnel/test_queries.py", "test_a_scan_costs_the_same_whichever_is_shown"),
    "funnel-result-list": FUNNEL_LISTS,
    "funnel-result-detail": FUNNEL_DETAILS,
    "funnel-journey-list": FUNNEL_LISTS,
    "funnel-intake-list": FUNNEL_STEPS,
    "funnel-trajectory-list": FUNNEL_STEPS,
    "funnel-plan-list": FUNNEL_STEPS,
    "funnel-workshop-list": FUNNEL_STEPS,
    "funnel:journey_list": FUNNEL_LISTS,
    "funnel:journey_detail": Covered(
        "funnel/test_queries.py", "test_the_journey_page_does_not_grow_with_its_scans"
    ),
    "funnel:result_detail": FUNNEL_DETAILS,
    "funnel:plan_detail": FUNNEL_DETAILS,
    "funnel:workshop_list": FUNNEL_STEPS,
    "funnel:workshop_detail": FUNNEL_DETAILS,
    # --- vouchers ---
    "voucher-scheme-list": Covered(
        "vouchers/test_queries.py", "test_the_scheme_list_does_not_grow_with_the_schemes"
    ),
    "voucher-scheme-detail": Detail(
        _qs("vouchers.VoucherScheme"), lambda s: f"/api/v1/voucher-schemes/{s.code}/"
    ),
    "voucher-list": Covered(
        "vouchers/test_api.py", "test_the_voucher_list_makes_the_same_number_of_queries_for_more_vouchers"
    ),
    "voucher-detail": VOUCHER_DETAILS,
    "voucher-redemption-list": REDEMPTIONS,
    "voucher-redemption-detail": REDEMPTIONS,
    "vouchers:scheme_list": Detail(_qs("vouchers.VoucherScheme"), lambda s: "/vouchers/"),
    "vouchers:scheme_detail": Detail(_qs("vouchers.VoucherScheme"), lambda s: f"/vouchers/{s.code}/"),
    "vouchers:voucher_detail": VOUCHER_DETAILS,
    # --- imports ---
    "imports:run_list": Covered("imports/test_queries.py", "test_the_run_list_does_not_grow_with_the_runs"),
    "imports:run_detail": Covered(
        "imports/test_queries.py", "test_a_run_page_costs_the_same_whichever_run_is_shown"
    ),
    # --- calls ---
    "calls:call_list": Covered("calls/test_queries.py", "test_call_lists_do_not_grow"),
    "call-setup-list": Covered("calls/test_queries.py", "test_call_lists_do_not_grow"),
    "calls:call_detail": Covered("calls/test_queries.py", "test_proposal_lists_do_not_grow"),
    "proposal-list": Covered("calls/test_queries.py", "test_proposal_lists_do_not_grow"),
    "calls:proposal_detail": Covered(
        "calls/test_queries.py", "test_proposal_page_does_not_grow_with_partners_and_lines"
    ),
    "review-list": Covered("calls/test_queries.py", "test_review_and_decision_lists_do_not_grow"),
    "decision-list": Covered("calls/test_queries.py", "test_review_and_decision_lists_do_not_grow"),
    "call-setup-detail": Covered(
        "calls/test_queries.py", "test_api_details_cost_the_same_whichever_record_is_shown"
    ),
    "proposal-detail": Covered(
        "calls/test_queries.py", "test_api_details_cost_the_same_whichever_record_is_shown"
    ),
    "review-detail": Covered(
        "calls/test_queries.py", "test_api_details_cost_the_same_whichever_record_is_shown"
    ),
    "decision-detail": Covered(
        "calls/test_queries.py", "test_api_details_cost_the_same_whichever_record_is_shown"
    ),
    # --- monitoring ---
    "monitoring-dashboard-list": Covered(
        "monitoring/test_dashboard.py", "test_dashboard_queries_do_not_grow_with_rows"
    ),
    "monitoring-indicator-list": Covered(
        "monitoring/test_dashboard.py", "test_indicator_and_measurement_api_queries_do_not_grow"
    ),
    "monitoring-measurement-list": Covered(
        "monitoring/test_dashboard.py", "test_indicator_and_measurement_api_queries_do_not_grow"
    ),
    "monitoring:indicator_detail": Covered(
        "monitoring/test_dashboard.py", "test_indicator_and_measurement_api_queries_do_not_grow"
    ),
    "monitoring-indicator-detail": Covered(
        "monitoring/test_queries.py", "test_an_indicator_and_a_measurement_cost_the_same_whichever_is_shown"
    ),
    "monitoring-measurement-detail": Covered(
        "monitoring/test_queries.py", "test_an_indicator_and_a_measurement_cost_the_same_whichever_is_shown"
    ),
    "monitoring:report_list": Covered(
        "monitoring/test_queries.py", "test_the_report_list_does_not_grow_with_the_reports"
    ),
}

LIST_OR_DETAIL = re.compile(r"(list|detail)$")
IGNORED = {"api:not-found"}


def _routes() -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace and pattern.namespace
                    else (pattern.namespace or namespace)
                )
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if not pattern.callback.__module__.startswith("deltaregio"):
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found[name] = prefix + str(pattern.pattern)

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_list_and_detail_route_is_registered() -> None:
    routes = _routes()
    missing = sorted(
        name
        for name in routes
        if LIST_OR_DETAIL.search(name) and name not in REGISTRY and name not in IGNORED
    )
    assert missing == [], f"add these routes to REGISTRY in {Path(__file__).name}: {missing}"
    gone = sorted(name for name in REGISTRY if name not in routes)
    assert gone == [], f"REGISTRY names routes that no longer exist: {gone}"


def test_registered_tests_exist() -> None:
    for name, entry in REGISTRY.items():
        if isinstance(entry, Covered):
            source = (TESTS / entry.file).read_text(encoding="utf-8")
            assert f"def {entry.test}(" in source, f"{name}: {entry.file}::{entry.test} does not exist"


def _client(who: str, client: Client, make_user: Callable[..., User]) -> Client:
    if who == "officer":
        from deltaregio.accounts.models import Role

        client.force_login(make_user(Role.PROGRAMME_OFFICER))
    return client


def _shape(sql: str) -> str:
    sql = re.sub(r"IN \([^)]*\)", "IN (...)", sql)
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def _get(client: Client, url: str, params: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return response, [q["sql"] for q in context.captured_queries]


def _repeated(queries: list[str]) -> list[str]:
    """Query shapes asked more than once, leaving out the permission checks on the user's roles and the
    session (a fixed number per request, whatever the rows)."""
    shapes = Counter(_shape(q) for q in queries if not re.search(r'FROM "(auth_|django_session)', q))
    return [shape for shape, n in shapes.items() if n > 1]


GENERIC = sorted(name for name, entry in REGISTRY.items() if isinstance(entry, ApiList | Detail))


@pytest.mark.django_db
@pytest.mark.parametrize("name", GENERIC)
def test_generic_query_counts(name: str, client: Client, make_user: Callable[..., User]) -> None:
    entry = REGISTRY[name]
    if isinstance(entry, ApiList):
        client = _client(entry.who, client, make_user)
        _get(client, entry.path)  # warm per-process caches (content types, the session)
        _one, few = _get(client, entry.path, {"page_size": 1})
        every, many = _get(client, entry.path, {"page_size": 500})
        rows = every.json()["results"]
        assert len(rows) > 1, f"{name}: the comparison needs more than one row"
        assert len(many) <= len(few) + 1, many
        assert _repeated(many) == []
        return
    assert isinstance(entry, Detail)
    records = list(entry.queryset()[:12])
    assert records, f"{name}: the reference data has no record to show"
    client = _client(entry.who, client, make_user)
    _get(client, entry.url(records[0]))
    counts = []
    for record in records:  # records with more and fewer related rows: the count stays the same
        _response, queries = _get(client, entry.url(record))
        counts.append(len(queries))
    assert max(counts) - min(counts) <= 1, dict(zip([entry.url(r) for r in records], counts, strict=True))


def test_pending_routes_are_listed_with_their_reason() -> None:
    pending = {name: entry.reason for name, entry in REGISTRY.items() if isinstance(entry, Pending)}
    assert all(reason.strip() for reason in pending.values())
