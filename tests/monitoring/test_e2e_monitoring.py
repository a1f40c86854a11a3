"""The monitoring pages in Chromium: axe-core finds no serious violation (WCAG 2.1 AA rules) on the
dashboard, an indicator, the analytics and the reports, in Dutch and English; they work without
JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from deltaregio.monitoring import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}
PAGES = [
    "/monitoring/",
    "/en/monitoring/",
    "/en/monitoring/?theme=life-sciences-health&year_from=2017",
    "/en/monitoring/indicators/FOKUS-SME/",
    "/monitoring/analytics/",
]


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation.get("impact") in SERIOUS
    ]


def test_monitoring_pages_are_accessible(page: Any, site: str) -> None:
    services.indicators_load()
    services.indicators_recompute()
    found = {}
    for path in PAGES:
        page.goto(site + path)
        assert page.locator("h1").count() == 1
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    assert found == {}


def test_dashboard_without_javascript(page_without_javascript: Any, site: str) -> None:
    services.indicators_load()
    page = page_without_javascript
    page.goto(site + "/en/monitoring/")
    page.select_option("#f-theme", "life-sciences-health")
    page.click("button:has-text('Show')")
    assert "theme=life-sciences-health" in page.url
    assert page.locator("#project-table").inner_text().count("RegMed XB") >= 1
