"""In a real browser: an SME takes the DMA scan from start to result (the published example, exactly),
an officer assigns a Fokus partner, and the partner records the intake conversation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail

from deltaregio.accounts.models import Affiliation, Role
from deltaregio.directory.models import Organisation

from .conftest import DMA_EXAMPLE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


def user(name: str, role: Role, organisation: str | None = None) -> User:
    account = User.objects.create_user(username=name, password=PASSWORD)
    account.groups.add(Group.objects.get_or_create(name=role.value)[0])
    if organisation:
        Affiliation.objects.create(user=account, organisation=Organisation.objects.get(name=organisation))
    return account


def log_in(page: Any, site: str, name: str) -> None:
    page.goto(site + "/en/login/")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context={"include": [["main"]]})
    return [
        f"{v['id']}: {v['help']} at " + "; ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def test_an_sme_takes_the_dma_scan_and_a_partner_records_its_intake(page: Any, site: str) -> None:
    # The SME starts without an account.
    page.goto(site + "/en/funnel/scan/")
    page.get_by_role("button", name="Start the scan “Digital maturity (EDIH DMA for SMEs)”").click()
    page.wait_for_url(re.compile(r".*/funnel/scan/[A-Za-z0-9_-]{30,}/$"))
    resume_url = page.url
    token = resume_url.rstrip("/").rsplit("/", 1)[1]
    assert serious_violations(page) == []

    # Part 1, then leave and come back through the private link: the answers are kept.
    for n in DMA_EXAMPLE["Q1"]["invested"]:
        page.check(f"#Q1-invested-{n}")
    for n in DMA_EXAMPLE["Q1"]["planned"]:
        page.check(f"#Q1-planned-{n}")
    for n in DMA_EXAMPLE["Q2"]:
        page.check(f"#Q2-{n}")
    page.get_by_role("button", name="Save and continue").click()
    page.goto("about:blank")
    page.goto(resume_url + "?page=1")
    assert page.is_checked("#Q1-invested-4") and page.is_checked("#Q2-3")
    page.get_by_role("button", name="Save and continue").click()

    def rate(code: str) -> None:
        for row, value in enumerate(DMA_EXAMPLE[code], start=1):
            page.check(f"#{code}-{row}-{value}")

    def tick(code: str) -> None:
        for n in DMA_EXAMPLE[code]:
            page.check(f"#{code}-{n}")

    tick("Q3")
    rate("Q4")
    page.get_by_role("button", name="Save and continue").click()
    tick("Q5")
    tick("Q6")
    page.get_by_role("button", name="Save and continue").click()
    # a contradictory answer is refused and says why
    page.check("#Q7-2")
    page.check("#Q7-3")
    page.get_by_role("button", name="Save and continue").click()
    assert "excludes every other option" in page.locator("#question-Q7").inner_text()
    page.uncheck("#Q7-2")
    page.check("#Q7-1")
    tick("Q8")
    page.get_by_role("button", name="Save and continue").click()
    rate("Q9")
    page.get_by_role("button", name="Save and continue").click()
    tick("Q10")
    rate("Q11")
    page.get_by_role("button", name="Save and submit").click()

    # Company, e-mail and consent; the result waits for the e-mail address to be confirmed.
    page.wait_for_url(f"**/funnel/scan/{token}/submit/")
    page.get_by_label("Company name").fill("Draaierij De Kempen")
    page.get_by_label("Province").select_option("BE:Antwerpen")
    page.get_by_label("E-mail address").fill("info@draaierij.example")
    page.get_by_label("Yes, a Fokus partner may contact us").check()
    page.get_by_role("button", name="Submit and send the confirmation link").click()
    assert "We sent a confirmation link to info@draaierij.example" in page.locator("main").inner_text()
    link = re.search(r"https?://\S+/verify/\S+/", mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm and show my result").click()
    page.wait_for_url(f"**/funnel/scan/{token}/result/")

    # The result: exactly the published figures, a radar chart with its table, bands and advice.
    main = page.locator("main").inner_text()
    assert "28.87" in main and "Average" in main
    rows = page.locator("table").first.locator("tbody tr")
    figures = {
        rows.nth(i).locator("th").inner_text().split(" ")[0]: rows.nth(i).locator("td").first.inner_text()
        for i in range(rows.count())
    }
    assert figures == {
        "D1": "20.00",
        "D2": "25.71",
        "D3": "19.64",
        "D4": "20.83",
        "D5": "52.00",
        "D6": "35.00",
    }
    assert page.locator("figure.radar svg[role=img] polygon").count() >= 5
    assert page.get_by_role("link", name="Download this result as PDF").is_visible()
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this result as PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # An officer assigns a Fokus partner; the partner records the intake.
    user("officer-e2e", Role.PROGRAMME_OFFICER)
    user("sirris-e2e", Role.LAB_PARTNER, "Sirris")
    log_in(page, site, "officer-e2e")
    page.goto(site + "/en/funnel/journeys/draaierij-de-kempen/")
    page.get_by_label("Assigned partner").select_option(label="Sirris")
    page.get_by_role("button", name="Assign").click()
    page.get_by_role("button", name="Log out").click()

    log_in(page, site, "sirris-e2e")
    page.goto(site + "/en/funnel/journeys/")
    page.get_by_role("link", name="Draaierij De Kempen").click()
    page.get_by_role("link", name="Record an intake").click()
    page.get_by_label("Partner").select_option(label="Sirris")
    page.get_by_label("Date of the conversation").fill("2024-03-05")
    page.get_by_label("Notes").fill("Wil het beladen van de draaibanken automatiseren.")
    page.get_by_label("robotisation and cobots").check()
    page.get_by_label("Questions the company raised").fill("Kan een cobot kleine reeksen beladen?")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/funnel/journeys/draaierij-de-kempen/")
    journey = page.locator("main").inner_text()
    assert "The intake is recorded." in journey
    assert "Kan een cobot kleine reeksen beladen?" in journey and "Sirris" in journey

    # The public funnel counts the company at two stages, without naming it.
    page.goto(site + "/en/funnel/")
    table = page.locator("main table").inner_text()
    assert re.search(r"Scans\s+1", table) and re.search(r"Intakes\s+1\s+100.0 %", table)
    assert "Draaierij De Kempen" not in page.locator("main").inner_text()
