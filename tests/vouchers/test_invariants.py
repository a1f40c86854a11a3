"""The rules that are never broken, each tried: in the services (under row locks) and directly against
the database (its constraints refuse what a bug in the code would let through). The concurrent
attempts are in test_races.py (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from deltaregio.directory.models import Organisation
from deltaregio.vouchers import services
from deltaregio.vouchers.models import Redemption, Status, Voucher, VoucherScheme
from deltaregio.vouchers.services import VoucherRefused

from .conftest import SmeFactory, World, advance, build_world

pytestmark = pytest.mark.django_db


def refused(code: str) -> Any:
    """Expect a refusal with this machine code."""
    return pytest.raises(VoucherRefused, check=lambda e: e.code == code)


# --- redeemed at most once -----------------------------------------------------------------------------


def test_a_voucher_is_redeemed_once(world: World) -> None:
    voucher = advance(world, world.request(by=world.sme_user), Status.REDEEMED)
    assert voucher.code
    for _attempt in range(3):
        with refused("already_redeemed"):
            services.voucher_redeem(
                scheme=world.scheme,
                code=voucher.code,
                provider=world.provider,
                amount="1",
                by=world.provider_user,
            )
    assert Redemption.objects.filter(voucher=voucher).count() == 1
    paid = advance(world, voucher, Status.PAID)
    with refused("already_redeemed"):
        services.voucher_redeem(
            scheme=world.scheme,
            code=paid.code or "",
            provider=world.provider,
            amount="1",
            by=world.provider_user,
        )


def test_the_database_refuses_a_second_redemption(world: World) -> None:
    voucher = advance(world, world.request(by=world.sme_user), Status.REDEEMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Redemption.objects.create(
            voucher=voucher,
            scheme=world.scheme,
            provider=world.provider,
            amount=Decimal("1.00"),
            redeemed_at=timezone.now(),
        )
    assert Redemption.objects.filter(voucher=voucher).count() == 1


# --- no signing or redemption after expiry, none by another provider -----------------------------------


def _past_deadline(voucher: Voucher) -> Voucher:
    Voucher.objects.filter(pk=voucher.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    voucher.refresh_from_db()
    return voucher


def test_no_signing_after_the_deadline_even_before_the_task_expired_it(world: World) -> None:
    voucher = _past_deadline(advance(world, world.request(by=world.sme_user), Status.ISSUED))
    assert voucher.status == Status.ISSUED
    with refused("expired"):
        services.voucher_sign(voucher=voucher, party="sme", by=world.sme_user)
    with refused("expired"):
        services.voucher_sign(voucher=voucher, party="provider", by=world.provider_user)
    voucher.refresh_from_db()
    assert voucher.sme_signed_at is None and voucher.provider_signed_at is None


def test_no_redemption_after_the_deadline(world: World) -> None:
    world.scheme.completion_period_months = 6
    world.scheme.save()
    voucher = advance(world, world.request(by=world.sme_user), Status.INVOICED)
    assert voucher.expires_at is not None, "the time to complete the work runs"
    voucher = _past_deadline(voucher)
    with refused("expired"):
        services.voucher_redeem(
            scheme=world.scheme,
            code=voucher.code or "",
            provider=world.provider,
            amount="10",
            by=world.provider_user,
        )
    assert services.vouchers_expire() == 1
    with refused("expired"):
        services.voucher_redeem(
            scheme=world.scheme,
            code=voucher.code or "",
            provider=world.provider,
            amount="10",
            by=world.provider_user,
        )
    assert not Redemption.objects.filter(voucher=voucher).exists()


def test_only_the_provider_of_the_assignment_signs_and_redeems(world: World) -> None:
    voucher = advance(world, world.request(by=world.sme_user), Status.ISSUED)
    with refused("wrong_provider"):
        services.voucher_sign(voucher=voucher, party="provider", by=world.other_provider_user)
    voucher = advance(world, voucher, Status.INVOICED)
    with refused("wrong_provider"):
        services.voucher_redeem(
            scheme=world.scheme,
            code=voucher.code or "",
            provider=world.other_provider,
            amount="10",
            by=world.other_provider_user,
        )
    with refused("not_for_this_provider"):  # acting for a provider one does not act for
        services.voucher_redeem(
            scheme=world.scheme,
            code=voucher.code or "",
            provider=world.provider,
            amount="10",
            by=world.other_provider_user,
        )
    with refused("wrong_provider"):
        services.voucher_deliver(voucher=voucher, by=world.other_provider_user)
    voucher.refresh_from_db()
    assert voucher.status == Status.INVOICED


# --- the envelope --------------------------------------------------------------------------------------


def test_the_reference_fokus_scheme_cannot_approve_until_an_officer_sets_an_envelope(db: None) -> None:
    world = build_world(envelope=None)
    assert world.scheme.budget_envelope is None
    voucher = world.request(by=world.sme_user)
    with refused("no_envelope"):
        services.voucher_review(voucher=voucher, approve=True, reason="", by=world.committee)
    voucher.refresh_from_db()
    assert voucher.status == Status.REQUESTED
    services.scheme_set_envelope(scheme=world.scheme, amount="20000", by=world.officer, note="Besluit")
    assert (
        services.voucher_review(voucher=voucher, approve=True, reason="", by=world.committee).status
        == "approved"
    )


def test_approvals_never_exceed_the_envelope(db: None) -> None:
    world = build_world(envelope=Decimal("25000.00"))
    requests = [world.request(sme=SmeFactory(), by=None) for _ in range(3)]
    services.voucher_review(voucher=requests[0], approve=True, reason="", by=world.committee)
    services.voucher_review(voucher=requests[1], approve=True, reason="", by=world.committee)
    with refused("envelope_exceeded"):
        services.voucher_review(voucher=requests[2], approve=True, reason="", by=world.committee)
    world.scheme.refresh_from_db()
    assert world.scheme.committed_total == Decimal("20000.00")
    with refused("envelope_below_committed"):
        services.scheme_set_envelope(scheme=world.scheme, amount="19999.99", by=world.officer)
    with refused("envelope_in_use"):
        services.scheme_set_envelope(scheme=world.scheme, amount=None, by=world.officer)


def test_bulk_approval_that_would_exceed_the_envelope_decides_nothing(db: None) -> None:
    world = build_world(envelope=Decimal("30000.00"))
    requests = [world.request(sme=SmeFactory(), by=None) for _ in range(4)]
    with pytest.raises(services.BulkRefused) as bulk:
        services.voucher_review_bulk_audited(
            vouchers=requests, approve=True, reason="Ronde 1", by=world.committee
        )
    assert [p.code for _v, p in bulk.value.problems] == ["envelope_exceeded"]
    assert all(v.status == Status.REQUESTED for v in Voucher.objects.filter(pk__in=[r.pk for r in requests]))
    world.scheme.refresh_from_db()
    assert world.scheme.committed_total == 0
    decided = services.voucher_review_bulk(vouchers=requests[:3], approve=True, reason="", by=world.committee)
    assert len(decided) == 3
    world.scheme.refresh_from_db()
    assert world.scheme.committed_total == world.scheme.budget_envelope


def test_the_database_refuses_a_commitment_beyond_the_envelope_or_without_one(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherScheme.objects.filter(pk=world.scheme.pk).update(committed_total=F("budget_envelope") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherScheme.objects.filter(pk=world.scheme.pk).update(budget_envelope=None, committed_total=1)
    world.scheme.refresh_from_db()
    assert world.scheme.committed_total == 0


def test_expiry_releases_the_envelope(world: World) -> None:
    voucher = _past_deadline(advance(world, world.request(by=world.sme_user), Status.ISSUED))
    world.scheme.refresh_from_db()
    assert world.scheme.committed_total == Decimal("10000.00")
    assert services.vouchers_expire() == 1
    voucher.refresh_from_db()
    world.scheme.refresh_from_db()
    assert voucher.status == Status.EXPIRED and voucher.committed_amount == 0
    assert world.scheme.committed_total == 0


# --- one voucher per company per round -----------------------------------------------------------------


def test_one_voucher_per_company_per_round(world: World) -> None:
    first = world.request(by=world.sme_user)
    with refused("limit_reached"):
        world.request(provider=world.other_provider, by=world.sme_user)
    services.voucher_review(voucher=first, approve=False, reason="Onvolledig", by=world.committee)
    second = world.request(provider=world.other_provider, by=world.sme_user)  # a refusal frees the slot
    assert second.slot == 1
    world.scheme.per_company_per_round = 2
    world.scheme.save()
    third = world.request(by=world.sme_user)
    assert third.slot == 2
    with refused("limit_reached"):
        world.request(by=world.sme_user)
    world.scheme.per_company_total = 2
    world.scheme.save()
    services.round_open(
        scheme=world.scheme,
        code="later",
        name="Later",
        opens_on=timezone.localdate(),
        closes_on=None,
        by=world.officer,
    )
    with refused("scheme_limit_reached"):
        world.request(by=world.sme_user)


def test_the_database_refuses_a_second_counted_voucher_in_the_same_slot(world: World) -> None:
    voucher = world.request(by=world.sme_user)
    clone = Voucher.objects.values().get(pk=voucher.pk)
    clone.pop("id")
    clone["status"] = Status.REQUESTED
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(**clone)


# --- related parties -----------------------------------------------------------------------------------


def test_a_company_cannot_buy_from_itself_or_a_related_party(world: World) -> None:
    with refused("self_provision"):
        world.request(provider=world.sme, by=world.sme_user)
    with refused("provider_not_eligible"):
        world.request(provider=world.other_sme, by=world.sme_user)  # not a partner of Fokus
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=world.request(by=world.sme_user).pk).update(provider=F("sme"))
    services.related_party_declare(
        organisation=world.other_sme, related=world.other_provider, kind="shared_ownership", by=world.officer
    )
    with refused("related_parties"):
        world.request(sme=world.other_sme, provider=world.other_provider, by=world.other_sme_user)


def test_organisations_of_one_group_are_related_without_a_declaration(world: World) -> None:
    ku_leuven = Organisation.objects.get(name="KU Leuven")
    daughter = SmeFactory(name="KU Leuven spin-off BV", parent=ku_leuven)
    brugge = Organisation.objects.get(name="KU Leuven Campus Brugge")
    assert brugge.parent == ku_leuven
    with refused("related_parties"):
        world.request(sme=daughter, provider=brugge, by=None)


def test_a_link_declared_after_the_request_stops_the_approval_and_the_signing(world: World) -> None:
    voucher = world.request(by=world.sme_user)
    services.related_party_declare(
        organisation=world.sme, related=world.provider, kind="group", by=world.officer
    )
    with refused("related_parties"):
        services.voucher_review(voucher=voucher, approve=True, reason="", by=world.committee)


def test_committee_members_do_not_decide_on_requests_linked_to_them(world: World) -> None:
    voucher = world.request(provider=world.other_provider, by=world.sme_user)  # TNO provides
    with refused("conflict_of_interest"):
        services.voucher_review(voucher=voucher, approve=True, reason="", by=world.committee_tno)
    services.related_party_declare(
        organisation=world.sme,
        related=Organisation.objects.get(name="Flanders Make"),
        kind="management",
        by=world.officer,
    )
    with refused("conflict_of_interest"):
        services.voucher_review(voucher=voucher, approve=False, reason="x", by=world.committee)
    with refused("not_committee"):
        services.voucher_review(voucher=voucher, approve=True, reason="", by=world.desk)
    voucher.refresh_from_db()
    assert voucher.status == Status.REQUESTED
    assert voucher.events.filter(kind="refused", code="conflict_of_interest").count() == 2
