"""The voucher API: every step of the lifecycle as an endpoint, who may call each one, refusals in the
one error format with their machine codes, and the public report."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from deltaregio.vouchers.models import Redemption, Status, Voucher, VoucherEvent

from .conftest import PDF, World, advance

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]
API = "/api/v1"


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(API + url, data or {}, content_type="application/json")


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    return dict(body["error"])


def test_the_whole_lifecycle_through_the_api(login: Login, world: World) -> None:
    sme, provider = login(world.sme_user), login(world.provider_user)
    created = post(
        sme,
        "/vouchers/",
        {
            "scheme": "fokus",
            "sme": world.sme.slug,
            "provider": "sirris",
            "service_description": "Scan en traject",
        },
    )
    assert created.status_code == 201, created.content
    voucher = created.json()
    assert voucher["status"] == "requested" and voucher["value"] == "10000.00"
    assert voucher["next_step"] == {"who": "committee", "action": "review", "deadline": None}
    pk = voucher["id"]
    assert (
        post(login(world.committee), f"/vouchers/{pk}/review/", {"decision": "approve"}).json()["status"]
        == "approved"
    )
    issued = post(login(world.desk), f"/vouchers/{pk}/issue/").json()
    assert issued["status"] == "issued" and issued["code"].startswith("FOKUS-")
    signed = sme.post(
        f"{API}/vouchers/{pk}/sign/", {"party": "sme", "document": io.BytesIO(PDF)}, format="multipart"
    )
    assert signed.status_code == 400, "a file without a .pdf name is refused"
    upload = io.BytesIO(PDF)
    upload.name = "opdracht.pdf"
    assert sme.post(f"{API}/vouchers/{pk}/sign/", {"party": "sme", "document": upload}).status_code == 200
    assert post(provider, f"/vouchers/{pk}/sign/", {"party": "provider"}).json()["status"] == "signed"
    assert post(provider, f"/vouchers/{pk}/deliver/").json()["status"] == "delivered"
    invoiced = post(
        provider, f"/vouchers/{pk}/invoice/", {"invoice_number": "F-7", "amount": "12000.00"}
    ).json()
    assert (invoiced["voucher_amount"], invoiced["co_payment"]) == ("10000.00", "2000.00")
    redeemed = post(
        provider, "/voucher-schemes/fokus/redeem/", {"code": issued["code"], "amount": "10000.00"}
    )
    assert redeemed.status_code == 201 and redeemed.json()["state"] == "submitted"
    coordinator = login(world.coordinator)
    rid = redeemed.json()["id"]
    assert (
        post(coordinator, f"/voucher-redemptions/{rid}/check/", {"result": "accept"}).json()["state"]
        == "accepted"
    )
    batch = post(coordinator, "/voucher-schemes/fokus/payment-batches/")
    assert batch.status_code == 201 and batch.json()["total"] == "10000.00"
    paid = post(coordinator, "/voucher-schemes/fokus/payment-batches/1/paid/", {"paid_on": "2025-03-01"})
    assert paid.status_code == 200 and paid.json()["state"] == "paid"
    final = sme.get(f"{API}/vouchers/{pk}/").json()
    assert final["status"] == "paid"
    events = sme.get(f"{API}/vouchers/{pk}/events/").json()
    assert [e["action"] for e in events][:3] == ["request", "approve", "issue"] and events[-1][
        "action"
    ] == "pay"


def test_refusals_use_the_one_error_format_with_a_machine_code(login: Login, world: World) -> None:
    voucher = advance(world, world.request(by=world.sme_user), Status.INVOICED)
    provider = login(world.provider_user)
    unknown = post(
        provider, "/voucher-schemes/fokus/redeem/", {"code": "FOKUS-0000-0000-0000-0000", "amount": "1"}
    )
    assert unknown.status_code == 404 and error(unknown)["code"] == "code_unknown"
    mistyped = post(
        provider, "/voucher-schemes/fokus/redeem/", {"code": (voucher.code or "")[:-1] + "Z", "amount": "1"}
    )
    if (voucher.code or "").endswith("Z"):
        mistyped = post(
            provider,
            "/voucher-schemes/fokus/redeem/",
            {"code": (voucher.code or "")[:-1] + "Y", "amount": "1"},
        )
    assert mistyped.status_code == 400 and error(mistyped)["code"] == "code_mistyped"
    assert "code" in error(mistyped)["fields"]
    above = post(provider, "/voucher-schemes/fokus/redeem/", {"code": voucher.code, "amount": "10000.01"})
    assert above.status_code == 400 and error(above)["code"] == "above_value"
    assert error(above)["fields"] == {"amount": [error(above)["message"]]}
    nonsense = post(provider, "/voucher-schemes/fokus/redeem/", {"code": voucher.code, "amount": "tien"})
    assert nonsense.status_code == 400 and "is not an amount" in error(nonsense)["fields"]["amount"][0]
    wrong = post(
        login(world.other_provider_user),
        "/voucher-schemes/fokus/redeem/",
        {"code": voucher.code, "amount": "1"},
    )
    assert wrong.status_code == 403 and error(wrong)["code"] == "wrong_provider"
    assert VoucherEvent.objects.filter(kind="refused", action="redeem").count() == 4
    assert not Redemption.objects.exists()
    state = post(provider, f"/vouchers/{voucher.pk}/deliver/")
    assert state.status_code == 409 and error(state)["code"] == "wrong_status"
    voucher.refresh_from_db()
    assert voucher.status == Status.INVOICED


def test_the_envelope_is_set_by_officers_and_guards_approvals(login: Login, world: World) -> None:
    officer = login(world.officer)
    assert (
        post(
            login(world.committee), "/voucher-schemes/fokus/envelope/", {"amount": "1", "note": "x"}
        ).status_code
        == 403
    )
    negative = post(officer, "/voucher-schemes/fokus/envelope/", {"amount": "-1", "note": "x"})
    assert negative.status_code == 400 and "amount" in error(negative)["fields"]
    assert (
        post(officer, "/voucher-schemes/fokus/envelope/", {"amount": "10000", "note": "Besluit"}).json()[
            "budget_envelope"
        ]
        == "10000.00"
    )
    a = world.request(by=world.sme_user)
    b = world.request(sme=world.other_sme, by=world.other_sme_user)
    committee = login(world.committee)
    bulk = post(committee, "/vouchers/review/", {"vouchers": [a.pk, b.pk], "decision": "approve"})
    assert bulk.status_code == 409 and error(bulk)["code"] == "bulk_refused"
    assert list(error(bulk)["fields"]) == [b.reference]
    assert set(Voucher.objects.values_list("status", flat=True)) == {Status.REQUESTED}
    ok = post(committee, "/vouchers/review/", {"vouchers": [a.pk], "decision": "approve"})
    assert ok.status_code == 200 and ok.json()[0]["status"] == "approved"
    exceeded = post(committee, f"/vouchers/{b.pk}/review/", {"decision": "approve"})
    assert exceeded.status_code == 409 and error(exceeded)["code"] == "envelope_exceeded"


def test_who_sees_which_vouchers(client: Client, login: Login, world: World) -> None:
    mine = world.request(by=world.sme_user)
    theirs = advance(world, world.request(sme=world.other_sme, by=world.other_sme_user), Status.ISSUED)
    assert client.get(f"{API}/vouchers/").status_code == 401
    assert [v["id"] for v in login(world.sme_user).get(f"{API}/vouchers/").json()["results"]] == [mine.pk]
    assert login(world.sme_user).get(f"{API}/vouchers/{theirs.pk}/").status_code == 404
    assert [v["id"] for v in login(world.provider_user).get(f"{API}/vouchers/").json()["results"]] == [
        theirs.pk
    ]
    assert login(world.other_provider_user).get(f"{API}/vouchers/").json()["count"] == 0
    assert login(world.committee).get(f"{API}/vouchers/", {"status": "requested"}).json()["count"] == 1
    assert login(world.nobody).get(f"{API}/vouchers/").json()["count"] == 0
    unknown = login(world.committee).get(f"{API}/vouchers/", {"colour": "red"})
    assert unknown.status_code == 400 and error(unknown)["code"] == "unknown_parameter"
    assert post(login(world.sme_user), f"/vouchers/{mine.pk}/issue/").status_code == 403
    assert post(login(world.provider_user), "/vouchers/", {"scheme": "fokus"}).status_code == 403
    not_member = post(login(world.desk), f"/vouchers/{mine.pk}/review/", {"decision": "approve"})
    assert not_member.status_code == 403 and error(not_member)["code"] == "not_committee"
    assert login(world.sme_user).get(f"{API}/voucher-schemes/fokus/payment-batches/").status_code == 403


def test_schemes_and_the_report_are_public(client: Client, world: World) -> None:
    advance(world, world.request(by=world.sme_user), Status.SIGNED)
    scheme = client.get(f"{API}/voucher-schemes/fokus/").json()
    assert scheme["value"] == "10000.00" and scheme["signing_period_months"] == 4
    assert scheme["rule_sources"]["signing_period_months"] == "lines 233-235"
    assert scheme["source"] == {
        "document": "004_11778272d9654f26.txt",
        "location": "Antwoord 2, lines 228-238",
    }
    report = client.get(f"{API}/voucher-schemes/fokus/report/").json()
    assert report["totals"]["counts"] == {
        "requested": 1,
        "issued": 1,
        "signed": 1,
        "redeemed": 0,
        "expired": 0,
    }
    assert report["by_provider"][0]["label"] == "Sirris"
    assert "Precisie" not in str(report)
    bad = client.get(f"{API}/voucher-schemes/fokus/report/", {"date_from": "gisteren"})
    assert bad.status_code == 400 and "date_from" in error(bad)["fields"]
    assert client.get(f"{API}/voucher-schemes/nope/").status_code == 404


def test_the_voucher_list_makes_the_same_number_of_queries_for_more_vouchers(
    login: Login, world: World, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    from .conftest import SmeFactory

    committee = login(world.committee)
    for _ in range(2):
        world.request(sme=SmeFactory(), by=None)
    with django_assert_max_num_queries(20) as few:
        assert committee.get(f"{API}/vouchers/").json()["count"] == 2
    for _ in range(8):  # the envelope (100,000) holds ten
        advance(world, world.request(sme=SmeFactory(), by=None), Status.ISSUED)
    for _ in range(10):
        world.request(sme=SmeFactory(), by=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert committee.get(f"{API}/vouchers/").json()["count"] == 20
