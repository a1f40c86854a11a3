"""A two-step cross-border call in Chromium, each person in their own browser: the officer opens the
call, a Flemish and a Dutch applicant register together, the committee preselects, the full
application is scored by two reviewers, approved with a condition, and appears as a running project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from deltaregio.calls.models import Proposal, Status

from .conftest import NOW, World, make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def e2e_world(live_server: Any, seeded_transactional: None, make_user: Callable[..., User]) -> World:
    return make_world(make_user, publish=False, step2_opens=NOW - dt.timedelta(hours=1))


@pytest.fixture
def browse(chromium: Any, live_server: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def as_user(user: User) -> Any:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/en/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        assert "/login/" not in page.url
        page.base = live_server.url
        return page

    yield as_user
    for context in contexts:
        context.close()


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def messages(page: Any) -> str:
    return page.locator("#messages").inner_text() if page.locator("#messages").count() else ""


def test_two_step_cross_border_call_in_the_browser(e2e_world: World, browse: Any) -> None:
    w = e2e_world
    code = w.setup.call.code
    # the officer opens the call
    officer = browse(w.officer)
    officer.goto(f"{officer.base}/en/calls/{code}/")
    click(officer, "Open the call")
    assert "The call is open." in messages(officer)
    assert serious_violations(officer) == []

    # the Flemish applicant registers with Sirris as lead and lets the Dutch colleague edit
    flemish = browse(w.flemish)
    flemish.goto(f"{flemish.base}/en/calls/{code}/")
    flemish.fill("#new-acronym", "DUOLINE")
    flemish.fill("#new-title", "Two pilot lines across the border")
    click(flemish, "Save as draft")
    assert "saved as a draft" in messages(flemish)
    registration = Proposal.objects.get(acronym="DUOLINE", step=1)
    assert "No partner from NL" in flemish.locator("#findings").inner_text()
    assert serious_violations(flemish) == []
    flemish.fill("#f-collab", w.dutch.get_username())
    click(flemish, "Add collaborator")
    flemish.fill("#f-summary", "Two pilot lines, one programme.")
    click(flemish, "Save")
    flemish.fill("#f-wp-number", "1")
    flemish.fill("#f-wp-title", "Pilot line")
    click(flemish, "Add work package")

    # the Dutch applicant adds Holst Centre and its budget
    dutch = browse(w.dutch)
    dutch.goto(f"{dutch.base}/en/proposals/{registration.pk}/")
    dutch.select_option("#f-partner-org", label="Holst Centre")
    click(dutch, "Add partner")
    assert "The partner is added." in messages(dutch)
    dutch.select_option("#f-b-partner", label="Holst Centre")
    dutch.fill("#f-b-amount", "400000")
    click(dutch, "Save budget line")

    # a second Holst Centre is refused with a message naming it
    dutch.select_option("#f-partner-org", label="Holst Centre")
    click(dutch, "Add partner")
    assert "Holst Centre is a partner already" in messages(dutch)

    flemish.reload()
    flemish.select_option("#f-b-partner", label="Sirris")
    flemish.fill("#f-b-amount", "600000")
    click(flemish, "Save budget line")
    flemish.select_option("#f-c-partner", label="Sirris")
    flemish.fill("#f-c-source", "ERDF")
    flemish.fill("#f-c-rate", "60")
    click(flemish, "Save co-financing")
    assert "above the highest rate the call allows for ERDF (50 %)" in messages(flemish)
    flemish.fill("#f-c-source", "ERDF")
    flemish.fill("#f-c-rate", "50")
    click(flemish, "Save co-financing")
    flemish.fill("#f-total", "1000000")
    flemish.fill("#f-grant", "500000")
    flemish.fill("#f-start", "2027-01-01")
    flemish.fill("#f-end", "2029-12-31")
    click(flemish, "Save totals")
    flemish.fill("#f-trl-start", "4")
    flemish.fill("#f-trl-end", "6")
    click(flemish, "Save TRL")
    assert flemish.locator("#findings-none").count() == 1
    click(flemish, "Submit the proposal")
    assert "The proposal is submitted." in messages(flemish)

    # the officer checks eligibility; the committee preselects
    officer.goto(f"{officer.base}/en/proposals/{registration.pk}/")
    click(officer, "Record the eligibility check")
    member = browse(w.member)
    member.goto(f"{member.base}/en/proposals/{registration.pk}/")
    member.select_option("#f-outcome", value="preselect")
    member.fill("#f-date", NOW.date().isoformat())
    click(member, "Record the decision")
    assert member.locator("#proposal-status").inner_text() == "preselected"

    # the full application starts from the registration
    flemish.goto(f"{flemish.base}/en/proposals/{registration.pk}/")
    click(flemish, "Work out the full application")
    full = Proposal.objects.get(registration=registration)
    assert "Attach the document partnership-agreement" in flemish.locator("#findings").inner_text()
    flemish.fill("#f-a-kind", "partnership-agreement")
    flemish.set_input_files(
        "#f-a-file",
        files=[{"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 agreement"}],
    )
    click(flemish, "Attach")
    click(flemish, "Submit the proposal")
    assert "The proposal is submitted." in messages(flemish)

    # eligibility, two reviewers, blind scores, consolidation
    officer.goto(f"{officer.base}/en/proposals/{full.pk}/")
    click(officer, "Record the eligibility check")
    for reviewer in (w.reviewer1, w.reviewer2):
        officer.fill("#f-reviewer", reviewer.get_username())
        click(officer, "Assign reviewer")
        assert "The reviewer is assigned." in messages(officer)
    officer.fill("#f-reviewer", w.dutch.get_username())
    click(officer, "Assign reviewer")
    assert "acts for a partner organisation" in messages(officer)
    for reviewer, (quality, impact) in ((w.reviewer1, ("4", "3")), (w.reviewer2, ("9", "4"))):
        page = browse(reviewer)
        page.goto(f"{page.base}/en/proposals/{full.pk}/review/")
        if quality == "4":
            assert serious_violations(page) == []
        page.fill("#score-quality", quality)
        page.fill("#score-impact", impact)
        click(page, "Submit the scores")
        if quality == "9":
            assert "9 is outside the scale 0–5" in messages(page)
            page.fill("#score-quality", "5")
            click(page, "Submit the scores")
        assert "Your scores are submitted." in messages(page)
    officer.goto(f"{officer.base}/en/calls/{code}/ranking/")
    click(officer, "Consolidate the scores")
    assert "DUOLINE" in officer.locator("table").inner_text()
    assert serious_violations(officer) == []

    # the committee approves with a condition; the officer confirms it and starts the project
    member.goto(f"{member.base}/en/proposals/{full.pk}/")
    member.select_option("#f-outcome", value="approve_with_conditions")
    member.fill("#f-date", NOW.date().isoformat())
    member.fill("#f-conditions", "Sign the partnership agreement.")
    click(member, "Record the decision")
    assert member.locator("#proposal-status").inner_text() == "approved with conditions"
    officer.goto(f"{officer.base}/en/proposals/{full.pk}/")
    officer.fill("input[name=note][required]", "Signed by all partners.")
    click(officer, "Condition met")
    click(officer, "Start the project")
    assert "The project is running." in messages(officer)
    full.refresh_from_db()
    assert full.status == Status.RUNNING and full.project is not None

    # the running project is public, with its partners
    flemish.goto(f"{flemish.base}/en/projects/{full.project.slug}/")
    text = flemish.locator("main").inner_text()
    assert "DUOLINE" in text and "Holst Centre" in text and "Sirris" in text
    assert "running" in text.lower()
    letter = flemish.request.get(f"{flemish.base}/en/proposals/{full.pk}/letter.pdf")
    assert letter.status == 200 and letter.body().startswith(b"%PDF")
