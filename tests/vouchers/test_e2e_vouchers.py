"""A voucher's whole life in Chromium, each person in their own browser: the officer sets the Fokus
envelope and opens a round, the SME requests, the committee approves on the desk's queue, the desk
issues, both parties confirm the signed assignment, the provider delivers, invoices and redeems, and
the coordinator checks, makes a payment batch, downloads it and marks it paid. The pages have no
serious accessibility violations (axe-core)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from deltaregio.vouchers import services
from deltaregio.vouchers.models import Status, Voucher

from .conftest import PDF, World, build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


@pytest.fixture
def e2e_world(live_server: Any, seeded_transactional: None) -> World:
    services.scheme_load()
    return build_world(envelope=None, with_round=False)


@pytest.fixture
def browse(chromium: Any, live_server: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def as_user(username: str) -> Any:
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/en/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        assert "/login/" not in page.url, f"{username} could not log in"
        page.base = live_server.url
        return page

    yield as_user
    for context in contexts:
        context.close()


def test_from_request_to_payment_batch_in_the_browser(e2e_world: World, browse: Any, tmp_path: Path) -> None:
    world = e2e_world

    # The officer: the reference scheme has no envelope, and says so; the officer sets one, opens a round.
    officer = browse("officer")
    officer.goto(officer.base + "/en/vouchers/fokus/")
    assert officer.locator("#envelope-missing").is_visible()
    assert (
        "004_11778272d9654f26.txt, lines 233-235"
        in officer.locator("#rule-signing_period_months").inner_text()
    )
    assert serious_violations(officer) == []
    officer.get_by_role("link", name="Manage the scheme").click()
    officer.fill("#id_envelope-amount", "100000")
    officer.fill("#id_envelope-note", "Besluit stuurgroep Fokus")
    officer.get_by_role("button", name="Set the envelope").click()
    assert officer.get_by_text("The budget envelope is set.").is_visible()
    today = timezone.localdate()
    officer.fill("#id_round-code", "fokus-now")
    officer.fill("#id_round-name", "Ronde nu")
    officer.fill("#id_round-opens_on", today.isoformat())
    officer.fill("#id_round-closes_on", (today + dt.timedelta(days=90)).isoformat())
    officer.get_by_role("button", name="Open the round").click()
    assert officer.get_by_text("The round is open.").is_visible()

    # The SME requests a voucher for Sirris's innovation scan.
    sme = browse("sme")
    sme.goto(sme.base + "/en/vouchers/fokus/")
    sme.get_by_role("link", name="Request a voucher").click()
    sme.select_option("#id_provider", label="Sirris")
    sme.fill("#id_service_description", "Innovatiescan en transitietraject: cobots in de assemblage")
    sme.fill("#id_scan_reference", "scan-2025-17")
    sme.get_by_role("button", name="Send the request").click()
    assert "is sent to the review committee" in sme.locator("main").inner_text()
    voucher = Voucher.objects.get(sme=world.sme)
    detail = f"/en/vouchers/v/{voucher.pk}/"

    # The committee approves it on the desk's queue.
    committee = browse("committee-fm")
    committee.goto(committee.base + "/en/vouchers/fokus/desk/")
    assert "scan-2025-17" in committee.locator("#queue").inner_text()
    assert serious_violations(committee) == []
    committee.check(f"#select-{voucher.pk}")
    committee.check("#id_bulk-decision_0")
    committee.fill("#id_bulk-reason", "Past in de Fokus-trechter")
    committee.get_by_role("button", name="Decide", exact=True).click()
    assert committee.get_by_text("1 requests decided.").is_visible()

    # The desk issues it; the code appears.
    desk = browse("desk-sirris")
    desk.goto(desk.base + detail)
    desk.get_by_role("button", name="Issue the voucher").click()
    code = desk.locator("#voucher-code").inner_text().strip()
    assert code.startswith("FOKUS-")

    # Both parties confirm the signed assignment; the SME uploads it.
    assignment = tmp_path / "opdracht.pdf"
    assignment.write_bytes(PDF)
    sme.goto(sme.base + detail)
    assert sme.locator("#voucher-code").inner_text().strip() == code
    sme.set_input_files("#id_document", str(assignment))
    sme.check("#id_confirm")
    sme.get_by_role("button", name="Confirm for the company").click()
    assert sme.get_by_text("Your signature of the assignment is recorded.").is_visible()
    provider = browse("provider-sirris")
    provider.goto(provider.base + "/en/vouchers/mine/")
    assert "confirm the signed assignment" in provider.locator("#provider-vouchers").inner_text()
    provider.get_by_role("link", name=voucher.reference).click()
    provider.check("#id_confirm")
    provider.get_by_role("button", name="Confirm for the provider").click()
    provider.get_by_role("button", name="Confirm that the work is delivered").click()
    provider.fill("#id_invoice_number", "F-2025-0042")
    provider.fill("#id_amount", "-5")
    provider.get_by_role("button", name="Record the invoice").click()
    assert "The amount must be more than zero." in provider.locator("main").inner_text()
    provider.fill("#id_amount", "10000.00")
    provider.get_by_role("button", name="Record the invoice").click()
    assert provider.get_by_text("The invoice is recorded.").is_visible()
    assert serious_violations(provider) == []

    # The provider redeems: first a mistyped code, then the right one.
    provider.get_by_role("link", name="Redeem the voucher at the coordinator").click()
    provider.fill("#id_code", code[:-1] + ("7" if code[-1] != "7" else "8"))
    provider.fill("#id_amount", "10000")
    provider.get_by_role("button", name="Redeem", exact=True).click()
    assert "This code is mistyped" in provider.locator("main").inner_text()
    provider.fill("#id_code", code.lower())
    provider.fill("#id_amount", "10000")
    provider.get_by_role("button", name="Redeem", exact=True).click()
    assert "the coordinator will check it" in provider.locator("main").inner_text()

    # The coordinator checks, makes the payment batch, downloads it and marks it paid.
    coordinator = browse("coordinator")
    coordinator.goto(coordinator.base + "/en/vouchers/fokus/coordinator/")
    assert "This code is mistyped" in coordinator.locator("#refused-attempts").inner_text()
    coordinator.get_by_role("button", name="Record the check").click()
    coordinator.get_by_role("button", name="Make a payment batch").click()
    assert coordinator.get_by_text("Payment batch 1 is made.").is_visible()
    with coordinator.expect_download() as download_info:
        coordinator.get_by_role("link", name=".xlsx").click()
    workbook = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    rows = list(workbook.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[1][1] == voucher.reference and rows[1][7] == 10000
    coordinator.fill("#paid-on-1", today.isoformat())
    coordinator.get_by_role("button", name="Mark as paid").click()
    assert coordinator.get_by_text("Payment batch 1 is paid.").is_visible()

    voucher.refresh_from_db()
    assert voucher.status == Status.PAID
    sme.goto(sme.base + detail)
    assert sme.locator('.lifecycle li[aria-current="step"]').inner_text() == "paid"

    # The public figures show the voucher without naming the company.
    visitor = browse("nobody")
    visitor.goto(visitor.base + "/en/vouchers/fokus/report/")
    assert "Precisie Metaal" not in visitor.content()
    assert visitor.locator("#totals-table td").all_inner_texts() == ["1", "1", "1", "1", "0"]
    assert visitor.locator("figure svg[role=img]").count() == 3
    assert serious_violations(visitor) == []
