"""In Chromium: the Fokus budget and the Nxtgen plan as published, their findings, without JavaScript,
and the accessibility rules of axe-core; a partner imports a filled template in the browser."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


def serious_violations(tab: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at " + "; ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def test_fokus_budget_as_published(page: Any, site: str) -> None:
    page.goto(site + "/projects/fokus/budget/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "Fokus" in page.locator("h1").inner_text()
    rows = page.locator("#work-packages tbody tr")
    assert rows.count() == 6
    wp5 = [c.strip() for c in rows.nth(4).locator("th, td").all_inner_texts()]
    assert wp5[0] == "WP 5" and wp5[2] == "2.342.473,60 euro" and wp5[3] == "54,54 %"
    assert "4.294.998,60 euro" in page.locator("#work-packages tfoot").inner_text()
    assert page.locator("svg[role=img][aria-labelledby^=contribution-chart]").is_visible()
    assert "2.147.499,30 euro" in page.locator("#contributions").inner_text()
    page.locator("details:has(tr[data-key='wp-share-sum:fokus']) > summary").click()  # open the details
    assert page.locator("tr[data-key='wp-share-sum:fokus']").is_visible()
    assert serious_violations(page) == []


def test_nxtgen_plan_and_findings_in_english(page: Any, site: str) -> None:
    page.goto(site + "/en/programmes/nxtgen-hightech/budget/")
    assert page.locator("h1").inner_text().startswith("Multi-year budget of")
    assert page.locator("svg[role=img][aria-labelledby^=plan-chart]").is_visible()
    assert "1.584" in page.locator("#nxtgen-table-5").inner_text()
    first = page.locator("ol[aria-label=Findings] > li").first
    assert first.get_attribute("data-key") == "table-not-negative:nxtgen-table-6:energie:met-overheid"
    assert serious_violations(page) == []


def test_findings_page_works_without_javascript(page_without_javascript: Any, site: str) -> None:
    tab = page_without_javascript
    tab.goto(site + "/en/findings/")
    tab.select_option("#severity", "impossible")
    tab.get_by_role("button", name="Filter").click()
    tab.wait_for_url("**/en/findings/?severity=impossible")
    assert tab.locator("ol[aria-label=Findings] > li").count() == 1


def test_a_partner_imports_a_budget_in_the_browser(page: Any, site: str, tmp_path: Any) -> None:
    from django.contrib.auth.models import User

    from deltaregio.accounts.models import Affiliation
    from deltaregio.directory.models import Organisation
    from deltaregio.finance.models import BudgetLine
    from deltaregio.projects.models import Project

    Project.objects.filter(slug="fokus").update(status="in_revision")
    user = User.objects.create_user("sirris-budget", password="correct-horse-battery")
    Affiliation.objects.create(user=user, organisation=Organisation.objects.get(name="Sirris"))
    page.goto(site + "/en/login/?next=/en/projects/fokus/budget/import/")
    page.fill("input[name=username]", "sirris-budget")
    page.fill("input[name=password]", "correct-horse-battery")
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    page.wait_for_url("**/en/projects/fokus/budget/import/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download a blank budget template (.xlsx)").click()
    wb = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    for column, value in zip("ABCDE", ["Sirris", 5, 2019, "equipment", 12500.5], strict=True):
        wb["Budget"][f"{column}2"] = value
    wb["Budget"]["E3"] = "veel"
    wb["Budget"]["A3"] = "Sirris"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="Check and import").click()
    problems = page.locator("#import-problems").inner_text()
    assert "Budget" in problems and "E3" in problems and "text, not a number" in problems
    assert not BudgetLine.objects.exists()
    for column in "ABCDE":
        wb["Budget"][f"{column}3"] = None
    good = tmp_path / "good.xlsx"
    buffer = io.BytesIO()
    wb.save(buffer)
    good.write_bytes(buffer.getvalue())
    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="Check and import").click()
    assert "The budget was imported." in page.locator("#import-result").inner_text()
    assert str(BudgetLine.objects.get().amount) == "12500.50"
    assert serious_violations(page) == []
