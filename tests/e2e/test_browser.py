"""A person using Deltaregio in Chromium: the agenda, a theme, the Fokus project, the language
switcher, the keyboard, and the accessibility rules of axe-core."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation.get("impact") in SERIOUS
    ]


def work_package_rows(page: Any) -> list[list[str]]:
    rows = page.locator("#work-packages tbody tr")
    return [
        [cell.strip() for cell in rows.nth(i).locator("th, td").all_inner_texts()]
        for i in range(rows.count())
    ]


def test_a_visitor_reads_the_agenda_a_theme_and_the_fokus_project(
    page: Any, site: str, tmp_path: Path
) -> None:
    page.goto(site + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "De Vlaams-Nederlandse samenwerkingsagenda"
    names = page.locator("li.theme-card h3").all_inner_texts()
    assert len(names) == 8
    assert names[0] == "Energie-innovatie" and "Waterstoftechnologie" in names

    page.get_by_role("link", name="Fotonica", exact=True).click()
    page.wait_for_url("**/themes/photonics/")
    assert page.locator("h1").inner_text() == "Fotonica"
    assert page.get_by_role("heading", name="Deeldomeinen").is_visible()

    page.get_by_role("link", name="Projecten", exact=True).click()
    page.wait_for_url("**/projects/")
    page.get_by_role("link", name="Fokus", exact=True).click()
    page.wait_for_url("**/projects/fokus/")
    rows = work_package_rows(page)
    assert len(rows) == 6
    wp5 = rows[4]
    assert wp5[0] == "WP 5"
    assert wp5[2] == "2.342.473,60 euro"
    assert wp5[3] == "54,54 %"
    totals = page.locator("#work-packages tfoot tr").first.inner_text()
    assert "4.294.998,60 euro" in totals and "100,01 %" in totals
    assert page.locator("figure.roadmap svg[role=img]").is_visible()

    folder = Path(os.environ.get("DELTAREGIO_SCREENSHOTS", tmp_path))  # set it to keep the picture
    folder.mkdir(parents=True, exist_ok=True)
    picture = folder / "project-fokus.png"
    page.screenshot(path=str(picture), full_page=True)
    assert picture.stat().st_size > 50_000

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Direct naar de inhoud"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0, "the skip link is visible when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_switch_language_with_the_switcher(page: Any, site: str) -> None:
    page.goto(site + "/projects/fokus/")
    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Taal wijzigen").click()
    page.wait_for_url("**/en/projects/fokus/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Work packages and budget").is_visible()
    assert work_package_rows(page)[4][3] == "54.54 %"
    page.get_by_role("link", name="Agenda", exact=True).click()
    page.wait_for_url("**/en/")
    assert "Hydrogen technology" in page.locator("li.theme-card h3").all_inner_texts()


def test_the_interface_works_without_javascript(page_without_javascript: Any, site: str) -> None:
    page = page_without_javascript
    page.goto(site + "/")
    page.fill("#as-of", "2018-01-01")
    page.get_by_role("button", name="Tonen", exact=True).click()
    page.wait_for_url("**/?as_of=2018-01-01")
    assert page.locator("li.theme-card").count() == 6
    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Taal wijzigen").click()
    page.wait_for_url("**/en/?as_of=2018-01-01")
    assert "Hydrogen technology" not in page.content()
    page.goto(site + "/en/search/?q=fokus")
    assert page.get_by_role("link", name="Fokus", exact=True).is_visible()


def test_an_officer_logs_in_and_sees_the_theme_history(page: Any, site: str) -> None:
    from django.contrib.auth.models import Group, User

    from deltaregio.accounts.models import Role

    user = User.objects.create_user("officer-e2e", password="correct-horse-battery")
    user.groups.add(Group.objects.get(name=Role.PROGRAMME_OFFICER.value))
    page.goto(site + "/themes/hydrogen/history/")
    page.wait_for_url(re.compile(r"/login/\?next="))
    page.fill("#id_username", "officer-e2e")
    page.fill("#id_password", "correct-horse-battery")
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url("**/themes/hydrogen/history/")
    assert page.locator("h1").inner_text() == "Wijzigingsgeschiedenis: Waterstoftechnologie"
    page.get_by_role("button", name="Afmelden").click()
    page.wait_for_url(site + "/")
    assert page.get_by_role("link", name="Aanmelden").is_visible()


ACCESSIBILITY_PAGES = [
    "/",
    "/themes/factories-of-the-future/",
    "/projects/fokus/",
    "/en/projects/fokus/",
    "/?as_of=not-a-date",
    "/timeline/",
    "/organisations/sirris/",
    "/labs/omc-turnhout/",
    "/instruments/nxtgen-hightech/",
    "/sources/",
    "/search/?q=fokus",
    "/login/",
]


def test_no_serious_accessibility_violations(page: Any, site: str) -> None:
    """axe-core on the main pages (one test, so the reference data is loaded once)."""
    found = {}
    for path in ACCESSIBILITY_PAGES:
        page.goto(site + path)
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    assert found == {}
