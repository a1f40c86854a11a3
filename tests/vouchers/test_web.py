"""The voucher pages: who may use each one (and that someone who may not is refused), the desk's
queue with filters and bulk decisions, the provider's next steps, the letters, the coordinator's
batches and their exports, and the public report without company names."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern
from openpyxl import load_workbook

from deltaregio.vouchers import exports, services, urls
from deltaregio.vouchers.models import Status, Voucher, VoucherEvent

from .conftest import PDF, SmeFactory, World, advance, text_of

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]


def test_every_voucher_page_declares_who_may_use_it() -> None:
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        assert getattr(pattern.callback, "permissions_required", None), pattern.name
        assert pattern.callback.__doc__, pattern.name


def test_anonymous_users_see_schemes_and_figures_and_are_sent_to_log_in_elsewhere(
    client: Client, world: World
) -> None:
    voucher = world.request(by=world.sme_user)
    for url in ("/vouchers/", "/vouchers/fokus/", "/vouchers/fokus/report/"):
        assert client.get(url).status_code == 200, url
    for url in (
        "/vouchers/mine/",
        f"/vouchers/v/{voucher.pk}/",
        "/vouchers/fokus/request/",
        "/vouchers/fokus/desk/",
        "/vouchers/fokus/coordinator/",
        "/vouchers/fokus/redeem/",
        "/vouchers/fokus/manage/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_an_sme_sees_only_its_own_requests(login: Login, world: World) -> None:
    mine = world.request(by=world.sme_user)
    theirs = world.request(sme=world.other_sme, by=world.other_sme_user)
    sme = login(world.sme_user)
    assert sme.get(f"/en/vouchers/v/{mine.pk}/").status_code == 200
    assert sme.get(f"/en/vouchers/v/{theirs.pk}/").status_code == 404
    page = text_of(sme.get("/en/vouchers/mine/").content)
    assert mine.reference in page and theirs.reference not in page
    assert sme.get("/en/vouchers/fokus/desk/").status_code == 403
    assert sme.get("/en/vouchers/fokus/coordinator/").status_code == 403
    assert sme.post(f"/en/vouchers/v/{theirs.pk}/withdraw/").status_code == 404
    assert sme.post(f"/en/vouchers/v/{mine.pk}/issue/").status_code == 403


def test_a_provider_sees_vouchers_issued_for_it_with_what_to_do_next(login: Login, world: World) -> None:
    requested = world.request(by=world.sme_user)
    issued = advance(world, world.request(sme=world.other_sme, by=world.other_sme_user), Status.ISSUED)
    for_tno = advance(
        world, world.request(sme=SmeFactory(), provider=world.other_provider, by=None), Status.ISSUED
    )
    provider = login(world.provider_user)
    assert provider.get(f"/en/vouchers/v/{requested.pk}/").status_code == 404, "not before it is issued"
    assert provider.get(f"/en/vouchers/v/{for_tno.pk}/").status_code == 404
    page = text_of(provider.get("/en/vouchers/mine/").content)
    assert issued.reference in page and "confirm the signed assignment" in page
    assert for_tno.reference not in page and requested.reference not in page


def test_the_request_form_sends_a_request_and_explains_refusals(login: Login, world: World) -> None:
    sme = login(world.sme_user)
    page = sme.get("/en/vouchers/fokus/request/")
    assert page.status_code == 200 and "Testronde" in text_of(page.content)
    data = {
        "sme": world.sme.pk,
        "provider": world.provider.pk,
        "service_description": "Cobots in de assemblage",
        "scan_reference": "scan-9",
    }
    response = sme.post("/en/vouchers/fokus/request/", data)
    assert response.status_code == 302
    voucher = Voucher.objects.get(sme=world.sme)
    assert voucher.scan_reference == "scan-9" and response["Location"] == f"/en/vouchers/v/{voucher.pk}/"
    again = sme.post("/en/vouchers/fokus/request/", data)
    assert again.status_code == 400
    assert "already has as many vouchers in this round as the scheme allows" in text_of(again.content)
    other = sme.post("/en/vouchers/fokus/request/", {**data, "sme": world.other_sme.pk})
    assert other.status_code == 400 and Voucher.objects.count() == 1, "only for a company one acts for"
    assert login(world.provider_user).get("/en/vouchers/fokus/request/").status_code == 403


def test_the_desk_queue_filters_and_decides_in_bulk(login: Login, world: World) -> None:
    first = world.request(by=world.sme_user)
    second = world.request(sme=world.other_sme, provider=world.other_provider, by=world.other_sme_user)
    desk = login(world.committee)
    page = text_of(desk.get("/en/vouchers/fokus/desk/").content)
    assert first.reference in page and second.reference in page
    assert "scan-123 / intake-45" in page
    filtered = text_of(desk.get("/en/vouchers/fokus/desk/", {"region": "Limburg"}).content)
    assert second.reference in filtered and first.reference not in filtered
    by_provider = text_of(desk.get("/en/vouchers/fokus/desk/", {"provider": world.provider.pk}).content)
    assert first.reference in by_provider and second.reference not in by_provider

    refused = desk.post(
        "/en/vouchers/fokus/desk/",
        {"action": "review", "bulk-vouchers": [first.pk], "bulk-decision": "refuse"},
    )
    assert refused.status_code == 400 and "Give the reason for the refusal" in text_of(refused.content)
    response = desk.post(
        "/en/vouchers/fokus/desk/",
        {
            "action": "review",
            "bulk-vouchers": [first.pk, second.pk],
            "bulk-decision": "approve",
            "bulk-reason": "OK",
        },
    )
    assert response.status_code == 302
    assert set(Voucher.objects.values_list("status", flat=True)) == {Status.APPROVED}

    issuer = login(world.desk)
    assert (
        issuer.post(
            "/en/vouchers/fokus/desk/", {"action": "issue", "issue-vouchers": [first.pk, second.pk]}
        ).status_code
        == 302
    )
    assert set(Voucher.objects.values_list("status", flat=True)) == {Status.ISSUED}
    assert login(world.sme_user).post("/en/vouchers/fokus/desk/", {"action": "issue"}).status_code == 403


def test_a_member_linked_to_the_provider_is_told_why_they_may_not_decide(login: Login, world: World) -> None:
    voucher = world.request(provider=world.other_provider, by=world.sme_user)
    member = login(world.committee_tno)
    page = text_of(member.get(f"/en/vouchers/v/{voucher.pk}/").content)
    assert "You may not decide on this request" in page and "Record the decision" not in page
    response = member.post(f"/en/vouchers/v/{voucher.pk}/review/", {"decision": "approve"})
    assert response.status_code == 403 and "linked to the chosen provider" in text_of(response.content)
    voucher.refresh_from_db()
    assert voucher.status == Status.REQUESTED
    assert VoucherEvent.objects.filter(voucher=voucher, kind="refused", code="conflict_of_interest").exists()


def test_sign_deliver_invoice_through_the_pages(login: Login, world: World) -> None:
    voucher = advance(world, world.request(by=world.sme_user), Status.ISSUED)
    sme, provider = login(world.sme_user), login(world.provider_user)
    assert sme.post(f"/en/vouchers/v/{voucher.pk}/sign/", {"party": "sme"}).status_code == 400, (
        "confirm needed"
    )
    upload = io.BytesIO(PDF)
    upload.name = "opdracht.pdf"
    assert (
        sme.post(
            f"/en/vouchers/v/{voucher.pk}/sign/", {"party": "sme", "confirm": "on", "document": upload}
        ).status_code
        == 302
    )
    not_pdf = io.BytesIO(b"MZ executable")
    not_pdf.name = "opdracht.pdf"
    bad = provider.post(
        f"/en/vouchers/v/{voucher.pk}/sign/", {"party": "provider", "confirm": "on", "document": not_pdf}
    )
    assert bad.status_code == 400 and "as a PDF file" in text_of(bad.content)
    assert (
        provider.post(
            f"/en/vouchers/v/{voucher.pk}/sign/", {"party": "provider", "confirm": "on"}
        ).status_code
        == 302
    )
    voucher.refresh_from_db()
    assert voucher.status == Status.SIGNED
    document = voucher.assignments.get()
    download = sme.get(f"/en/vouchers/v/{voucher.pk}/assignments/{document.pk}/")
    assert download.status_code == 200 and download.content == PDF
    assert provider.post(f"/en/vouchers/v/{voucher.pk}/deliver/").status_code == 302
    negative = provider.post(
        f"/en/vouchers/v/{voucher.pk}/invoice/", {"invoice_number": "F-1", "amount": "-10"}
    )
    assert negative.status_code == 400 and "more than zero" in text_of(negative.content)
    dutch = provider.post(
        f"/en/vouchers/v/{voucher.pk}/invoice/", {"invoice_number": "F-1", "amount": "9.500,00"}
    )
    assert dutch.status_code == 302
    voucher.refresh_from_db()
    assert voucher.invoice_amount == Decimal("9500.00") and voucher.status == Status.INVOICED


def test_the_redeem_page_explains_each_refusal(login: Login, world: World) -> None:
    voucher = advance(world, world.request(by=world.sme_user), Status.INVOICED)
    provider = login(world.provider_user)
    unknown = provider.post(
        "/en/vouchers/fokus/redeem/", {"code": "FOKUS-0000-0000-0000-0000", "amount": "1"}
    )
    assert unknown.status_code == 400 and "There is no voucher with this code" in text_of(unknown.content)
    wrong = login(world.other_provider_user).post(
        "/en/vouchers/fokus/redeem/", {"code": voucher.code, "amount": "10000"}
    )
    assert wrong.status_code == 400 and "only the provider of its assignment" in text_of(wrong.content)
    ok = provider.post("/en/vouchers/fokus/redeem/", {"code": voucher.code, "amount": "10000"})
    assert ok.status_code == 302
    assert VoucherEvent.objects.filter(kind="refused", action="redeem").count() == 2


def test_letters_are_pdfs_for_the_company_and_the_desk_only(login: Login, world: World) -> None:
    voucher = world.request(by=world.sme_user)
    sme = login(world.sme_user)
    assert sme.get(f"/en/vouchers/v/{voucher.pk}/letter.pdf").status_code == 404, (
        "no letter before a decision"
    )
    voucher = advance(world, voucher, Status.ISSUED)
    letter = sme.get(f"/en/vouchers/v/{voucher.pk}/letter.pdf")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF-")
    assert login(world.desk).get(f"/en/vouchers/v/{voucher.pk}/letter.pdf").status_code == 200
    assert login(world.provider_user).get(f"/en/vouchers/v/{voucher.pk}/letter.pdf").status_code == 403
    refused = services.voucher_review(
        voucher=world.request(sme=world.other_sme, by=None),
        approve=False,
        reason="Geen maakbedrijf",
        by=world.committee,
    )
    assert login(world.other_sme_user).get(f"/en/vouchers/v/{refused.pk}/letter.pdf").status_code == 200


def test_the_coordinator_checks_batches_and_exports_safely(login: Login, world: World) -> None:
    voucher = advance(world, world.request(by=world.sme_user), Status.REDEEMED)
    world.sme.name = '=HYPERLINK("http://evil.example")'
    world.sme.save()
    coordinator = login(world.coordinator)
    page = text_of(coordinator.get("/en/vouchers/fokus/coordinator/").content)
    assert voucher.reference in page and "Redemptions to check" in page
    redemption = voucher.redemptions.get()
    assert (
        coordinator.post(
            "/en/vouchers/fokus/coordinator/",
            {"action": "check", "redemption": redemption.pk, "decision": "accept"},
        ).status_code
        == 302
    )
    assert coordinator.post("/en/vouchers/fokus/coordinator/", {"action": "batch"}).status_code == 302
    again = coordinator.post("/en/vouchers/fokus/coordinator/", {"action": "batch"})
    assert again.status_code == 400 and "no accepted redemptions to pay" in text_of(again.content)

    xlsx = coordinator.get("/en/vouchers/fokus/batches/1.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][4] == '\'=HYPERLINK("http://evil.example")', "the formula is text"
    assert rows[1][7] == 10000 and rows[-1][7] == 10000
    data = list(csv.reader(io.StringIO(coordinator.get("/en/vouchers/fokus/batches/1.csv").content.decode())))
    assert data[1][4].startswith("'=") and data[1][7] == "10000.00"
    assert login(world.provider_user).get("/en/vouchers/fokus/batches/1.csv").status_code == 403
    assert login(world.officer).get("/en/vouchers/fokus/batches/1.csv").status_code == 200
    assert coordinator.get("/en/vouchers/fokus/batches/9.csv").status_code == 404

    assert (
        coordinator.post(
            "/en/vouchers/fokus/coordinator/", {"action": "paid", "batch": 1, "paid_on": "2999-01-01"}
        ).status_code
        == 400
    )
    assert (
        coordinator.post(
            "/en/vouchers/fokus/coordinator/", {"action": "paid", "batch": 1, "paid_on": "2025-01-02"}
        ).status_code
        == 302
    )
    voucher.refresh_from_db()
    assert voucher.status == Status.PAID
    assert (
        login(world.officer).post("/en/vouchers/fokus/coordinator/", {"action": "batch"}).status_code == 403
    )


@pytest.mark.parametrize("text", ["=1+1", "+31", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_escaped(text: str) -> None:
    assert exports.safe_text(text) == "'" + text
    assert exports.safe_text("Sirris") == "Sirris" and exports.safe_text(Decimal("-1")) == Decimal("-1")


def test_the_report_counts_and_has_no_company_names(client: Client, world: World) -> None:
    advance(world, world.request(by=world.sme_user), Status.PAID)
    advance(world, world.request(sme=world.other_sme, provider=world.other_provider, by=None), Status.ISSUED)
    world.request(sme=SmeFactory(name="Geheim Bedrijf BV", region="Zeeland"), by=None)
    response = client.get("/en/vouchers/fokus/report/")
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Precisie Metaal Zuid", "Kunststof Noord", "Geheim Bedrijf"):
        assert name not in page
    text = text_of(page)
    assert "Noord-Brabant" in text and "Limburg" in text and "Zeeland" in text
    assert page.count("<svg") == 3 and 'role="img"' in page
    totals = text_of(page.split('id="totals-table"')[1].split("</table>")[0])
    assert "3 2 1 1 0" in totals  # requested issued signed redeemed expired
    money = text_of(page.split('id="money-table"')[1].split("</table>")[0])
    assert "100,000.00 euro" in money and "20,000.00 euro" in money and "10,000.00 euro" in money
    assert (
        client.get(
            "/en/vouchers/fokus/report/", {"date_from": "2030-01-02", "date_to": "2030-01-01"}
        ).status_code
        == 400
    )


def test_the_desk_and_report_make_the_same_number_of_queries_for_more_vouchers(
    login: Login, world: World, django_assert_max_num_queries: Callable[..., object]
) -> None:
    desk = login(world.committee)
    for _ in range(3):
        world.request(sme=SmeFactory(), by=None)
    with django_assert_max_num_queries(30) as few:  # type: ignore[attr-defined]
        assert desk.get("/en/vouchers/fokus/desk/").status_code == 200
    baseline = len(few.captured_queries)  # type: ignore[attr-defined]
    for _ in range(20):
        world.request(sme=SmeFactory(), by=None)
    with django_assert_max_num_queries(baseline) as many:  # type: ignore[attr-defined]
        assert desk.get("/en/vouchers/fokus/desk/").status_code == 200
    with django_assert_max_num_queries(40):
        assert login(world.nobody).get("/en/vouchers/fokus/report/").status_code == 200
    assert len(many.captured_queries) <= baseline  # type: ignore[attr-defined]
