"""The lifecycle of a voucher through the services: each step with its own status, date and actor,
each transition audited, and every transition the state machine forbids refused with nothing
changed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from deltaregio.vouchers import codes, services
from deltaregio.vouchers.models import Status, Voucher, VoucherEvent
from deltaregio.vouchers.services import VoucherRefused

from .conftest import PDF, World, advance

pytestmark = pytest.mark.django_db


def test_the_whole_lifecycle_with_dates_actors_and_audit(world: World) -> None:
    voucher = world.request(by=world.sme_user)
    assert voucher.status == Status.REQUESTED and voucher.requested_by == world.sme_user
    assert voucher.value == Decimal("10000.00") and voucher.covered_share == Decimal("100.00")
    assert voucher.slot == 1 and voucher.round == world.round

    voucher = services.voucher_review(voucher=voucher, approve=True, reason="Past", by=world.committee)
    assert voucher.status == Status.APPROVED and voucher.reviewed_by == world.committee
    assert voucher.committed_amount == Decimal("10000.00")
    world.scheme.refresh_from_db()
    assert world.scheme.committed_total == Decimal("10000.00")

    voucher = services.voucher_issue(voucher=voucher, by=world.desk)
    assert voucher.status == Status.ISSUED and voucher.issued_by == world.desk
    assert voucher.code and codes.parse(voucher.code).problem == ""
    assert voucher.code.startswith("FOKUS-")
    assert voucher.signing_deadline == services.add_months(voucher.issued_at, 4)
    assert voucher.expires_at == voucher.signing_deadline

    voucher = services.voucher_sign(
        voucher=voucher,
        party="sme",
        by=world.sme_user,
        document=services.Upload("opdracht.pdf", "application/pdf", PDF),
    )
    assert voucher.status == Status.ISSUED and voucher.sme_signed_by == world.sme_user
    voucher = services.voucher_sign(voucher=voucher, party="provider", by=world.provider_user)
    assert voucher.status == Status.SIGNED and voucher.signed_at is not None
    assert voucher.provider_signed_by == world.provider_user
    assert voucher.expires_at is None, "Fokus sets no time to complete the work"
    assert voucher.assignments.get().sha256

    voucher = services.voucher_deliver(voucher=voucher, by=world.provider_user)
    assert voucher.status == Status.DELIVERED and voucher.delivered_by == world.provider_user

    voucher = services.voucher_invoice(
        voucher=voucher, amount="9500.00", invoice_number="F-1", by=world.provider_user
    )
    assert voucher.status == Status.INVOICED
    assert (voucher.invoice_amount, voucher.voucher_amount, voucher.co_payment) == (
        Decimal("9500.00"),
        Decimal("9500.00"),
        Decimal("0.00"),
    )
    world.scheme.refresh_from_db()
    assert world.scheme.committed_total == Decimal("9500.00"), "the envelope holds what the voucher pays"

    redemption = services.voucher_redeem(
        scheme=world.scheme,
        code=voucher.code,
        provider=world.provider,
        amount="9500.00",
        by=world.provider_user,
    )
    voucher.refresh_from_db()
    assert voucher.status == Status.REDEEMED and redemption.redeemed_by == world.provider_user

    services.redemption_check(redemption=redemption, accept=True, reason="", by=world.coordinator)
    batch = services.payment_batch_create(scheme=world.scheme, by=world.coordinator)
    assert batch.number == 1 and batch.total == Decimal("9500.00")
    services.payment_batch_mark_paid(batch=batch, paid_on=timezone.localdate(), by=world.coordinator)
    voucher.refresh_from_db()
    assert voucher.status == Status.PAID and voucher.paid_at is not None

    actions = list(voucher.events.order_by("at", "id").values_list("action", "from_status", "to_status"))
    assert actions == [
        ("request", "", "requested"),
        ("approve", "requested", "approved"),
        ("issue", "approved", "issued"),
        ("sign_sme", "issued", "issued"),
        ("sign_provider", "issued", "signed"),
        ("deliver", "signed", "delivered"),
        ("invoice", "delivered", "invoiced"),
        ("redeem", "invoiced", "redeemed"),
        ("accept_redemption", "redeemed", "redeemed"),
        ("pay", "redeemed", "paid"),
    ]
    assert voucher.history.count() >= 9, "the record history keeps every version"
    assert voucher.history.filter(history_user=world.committee).exists()


def test_a_scheme_with_a_share_below_100_records_the_co_payment(world: World) -> None:
    world.scheme.covered_share = Decimal("75.00")
    world.scheme.save()
    voucher = advance(world, world.request(by=world.sme_user), Status.DELIVERED)
    assert voucher.covered_share == Decimal("75.00")
    voucher = services.voucher_invoice(
        voucher=voucher, amount="12000.01", invoice_number="F-2", by=world.provider_user
    )
    assert voucher.voucher_amount == Decimal("9000.00"), "75 % rounded down to the cent"
    assert voucher.co_payment == Decimal("3000.01")
    big = advance(world, world.request(sme=world.other_sme, by=world.other_sme_user), Status.DELIVERED)
    big = services.voucher_invoice(voucher=big, amount="20000", invoice_number="F-3", by=world.provider_user)
    assert big.voucher_amount == Decimal("10000.00"), "never more than the value"
    assert big.co_payment == Decimal("10000.00")


def test_refusal_and_withdrawal_are_end_states_that_release_the_envelope(world: World) -> None:
    refused = services.voucher_review(
        voucher=world.request(by=world.sme_user), approve=False, reason="Geen maakbedrijf", by=world.committee
    )
    assert refused.status == Status.REFUSED and refused.decision_reason == "Geen maakbedrijf"
    withdrawn = advance(world, world.request(sme=world.other_sme, by=world.other_sme_user), Status.ISSUED)
    world.scheme.refresh_from_db()
    assert world.scheme.committed_total == Decimal("10000.00")
    withdrawn = services.voucher_withdraw(voucher=withdrawn, by=world.other_sme_user, reason="Uitgesteld")
    assert withdrawn.status == Status.WITHDRAWN and withdrawn.committed_amount == 0
    world.scheme.refresh_from_db()
    assert world.scheme.committed_total == Decimal("0.00")
    for voucher in (refused, withdrawn):
        for step in STEP_CALLS.values():
            with pytest.raises(VoucherRefused):
                step(world, voucher)


def test_a_refused_redemption_can_be_redeemed_again_after_the_coordinator_rejects_it(world: World) -> None:
    voucher = advance(world, world.request(by=world.sme_user), Status.REDEEMED)
    redemption = voucher.redemptions.get()
    with pytest.raises(VoucherRefused) as refused:
        services.redemption_check(redemption=redemption, accept=False, reason="", by=world.coordinator)
    assert refused.value.code == "reason_missing"
    services.redemption_check(
        redemption=redemption, accept=False, reason="Factuur onleesbaar", by=world.coordinator
    )
    voucher.refresh_from_db()
    assert voucher.status == Status.INVOICED and voucher.redeemed_at is None
    assert voucher.code
    services.voucher_redeem(
        scheme=world.scheme,
        code=voucher.code,
        provider=world.provider,
        amount="10000",
        by=world.provider_user,
    )
    assert voucher.redemptions.count() == 2 and voucher.redemptions.exclude(state="rejected").count() == 1


# --- every forbidden transition ------------------------------------------------------------------------

STEP_CALLS: dict[str, Callable[[World, Voucher], Any]] = {
    "review": lambda w, v: services.voucher_review(voucher=v, approve=True, reason="", by=w.committee),
    "issue": lambda w, v: services.voucher_issue(voucher=v, by=w.desk),
    "sign_sme": lambda w, v: services.voucher_sign(voucher=v, party="sme", by=w.sme_user_for(v)),
    "sign_provider": lambda w, v: services.voucher_sign(
        voucher=v, party="provider", by=w.provider_user_for(v)
    ),
    "deliver": lambda w, v: services.voucher_deliver(voucher=v, by=w.provider_user_for(v)),
    "invoice": lambda w, v: services.voucher_invoice(
        voucher=v, amount="100", invoice_number="X", by=w.provider_user_for(v)
    ),
    "redeem": lambda w, v: services.voucher_redeem(
        scheme=w.scheme,
        code=v.code or codes.generate("fokus"),
        provider=v.provider,
        amount="1",
        by=w.provider_user_for(v),
    ),
    "withdraw": lambda w, v: services.voucher_withdraw(voucher=v, by=w.sme_user_for(v)),
}
ALLOWED = {
    Status.REQUESTED: {"review", "withdraw"},
    Status.APPROVED: {"issue", "withdraw"},
    Status.ISSUED: {"sign_sme", "sign_provider", "withdraw"},
    Status.SIGNED: {"deliver"},
    Status.DELIVERED: {"invoice"},
    Status.INVOICED: {"redeem"},
    Status.REDEEMED: set(),
    Status.PAID: set(),
}


@pytest.mark.parametrize("status", list(ALLOWED))
def test_every_forbidden_transition_is_refused_and_changes_nothing(world: World, status: Status) -> None:
    voucher = advance(world, world.request(by=world.sme_user), status)
    forbidden = set(STEP_CALLS) - ALLOWED[status]
    assert forbidden, status
    for name in sorted(forbidden):
        before = Voucher.objects.values().get(pk=voucher.pk)
        events_before = VoucherEvent.objects.filter(kind="transition").count()
        with pytest.raises(VoucherRefused) as refused:
            STEP_CALLS[name](world, voucher)
        assert refused.value.message, name
        assert Voucher.objects.values().get(pk=voucher.pk) == before, f"{status}: {name} changed the voucher"
        assert VoucherEvent.objects.filter(kind="transition").count() == events_before
        assert VoucherEvent.objects.filter(voucher=voucher, kind="refused").exists() or name == "redeem"
