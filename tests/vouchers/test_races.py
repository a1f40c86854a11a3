"""Races on PostgreSQL: many redemptions of one voucher at the same moment (threads, and separate
processes), concurrent approvals that together would exceed the envelope, and concurrent requests of
one company in one round. Each attempt has its own database connection and all start together at a
barrier. Exactly one redemption, the envelope intact, one voucher per company per round.

SQLite takes one writer at a time for the whole file and has no SELECT … FOR UPDATE, so these races
cannot happen there the way they do on PostgreSQL: the tests are skipped on SQLite. Run them with
DATABASE_URL=postgres://USER@HOST:PORT/NAME."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from deltaregio.accounts.models import Affiliation
from deltaregio.directory.models import Organisation
from deltaregio.vouchers import services
from deltaregio.vouchers.models import (
    ProviderRule,
    Redemption,
    SchemeMember,
    SchemeRound,
    Status,
    Voucher,
    VoucherEvent,
    VoucherScheme,
)
from deltaregio.vouchers.services import VoucherRefused

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="race tests need PostgreSQL (row locks, concurrent writers); SQLite serialises all writes. "
        "Run with DATABASE_URL=postgres://…",
    ),
]

ATTEMPTS = 50
VALUE = Decimal("10000.00")
Outcome = tuple[str, str]  # ("ok", "") or ("refused", code) or ("error", repr)


def _outcome(func: Callable[[], Any]) -> Outcome:
    try:
        func()
        return ("ok", "")
    except VoucherRefused as refusal:
        return ("refused", refusal.code)
    except Exception as exc:
        return ("error", repr(exc))


def in_threads(calls: list[Callable[[], Any]]) -> list[Outcome]:
    """Run each call in its own thread with its own connection, all released together."""
    barrier = threading.Barrier(len(calls))
    results: list[Outcome] = [("error", "did not run")] * len(calls)

    def worker(i: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            results[i] = _outcome(calls[i])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def in_processes(calls: list[Callable[[], Any]]) -> list[Outcome]:
    """Run each call in its own forked process with its own connection, all released together."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(calls))
    queue = context.Queue()
    connections.close_all()  # every child opens its own connection

    def child(i: int) -> None:
        outcome: Outcome = ("error", "did not run")
        try:
            # Never use (or close) a connection inherited from the parent: its socket is shared.
            for inherited in connections.all(initialized_only=True):
                inherited.connection = None
            connection.ensure_connection()
            barrier.wait(timeout=60)
            outcome = _outcome(calls[i])
        except Exception as exc:
            outcome = ("error", repr(exc))
        finally:
            queue.put((i, outcome))
            queue.close()
            queue.join_thread()  # the result is in the pipe before the process ends
            connection.close()
            os._exit(0)

    processes = [context.Process(target=child, args=(i,)) for i in range(len(calls))]
    for process in processes:
        process.start()
    results: dict[int, Outcome] = {}
    for _ in processes:
        i, outcome = queue.get(timeout=120)
        results[i] = outcome
    for process in processes:
        process.join(timeout=30)
    assert all(p.pid != os.getpid() for p in processes)
    return [results[i] for i in range(len(calls))]


@dataclass
class RaceWorld:
    scheme: VoucherScheme
    provider: Organisation
    provider_user: User
    committee: User
    desk: User
    coordinator: User


def race_world(envelope: Decimal) -> RaceWorld:
    """A scheme of its own (providers from a registered list), independent of the reference data."""
    provider = Organisation.objects.create(name="Racelab", slug="racelab", kind=Organisation.Kind.KNOWLEDGE)
    scheme = VoucherScheme.objects.create(
        code="race",
        name="Racevoucher",
        eligible_services="Alles",
        value=VALUE,
        covered_share=Decimal("100"),
        signing_period_months=4,
        provider_rule=ProviderRule.REGISTERED_LIST,
        budget_envelope=envelope,
    )
    SchemeRound.objects.create(scheme=scheme, code="r1", name="Ronde 1", opens_on=timezone.localdate())
    services.provider_register(scheme=scheme, organisation=provider, by=None)
    users = {
        name: User.objects.create_user(name) for name in ("provider", "committee", "desk", "coordinator")
    }
    Affiliation.objects.create(user=users["provider"], organisation=provider)
    for role in ("committee", "desk", "coordinator"):
        SchemeMember.objects.create(scheme=scheme, user=users[role], role=role)
    return RaceWorld(
        scheme, provider, users["provider"], users["committee"], users["desk"], users["coordinator"]
    )


def sme(n: int) -> Organisation:
    return Organisation.objects.create(
        name=f"Racebedrijf {n}", slug=f"racebedrijf-{n}", kind=Organisation.Kind.SME
    )


def invoiced_voucher(world: RaceWorld, n: int) -> Voucher:
    voucher = services.voucher_request(
        scheme=world.scheme, sme=sme(n), provider=world.provider, service_description="Scan", by=None
    )
    services.voucher_review(voucher=voucher, approve=True, reason="", by=world.committee)
    services.voucher_issue(voucher=voucher, by=world.desk)
    services.voucher_sign(voucher=voucher, party="sme", by=None)
    services.voucher_sign(voucher=voucher, party="provider", by=world.provider_user)
    services.voucher_deliver(voucher=voucher, by=world.provider_user)
    return services.voucher_invoice(
        voucher=voucher, amount="10000", invoice_number=f"F-{n}", by=world.provider_user
    )


def assert_envelope_intact(scheme: VoucherScheme) -> None:
    scheme.refresh_from_db()
    held = Voucher.objects.filter(scheme=scheme).aggregate(s=Sum("committed_amount"))["s"] or Decimal(0)
    assert scheme.committed_total == held, "the scheme's total is the sum of what its vouchers hold"
    assert scheme.budget_envelope is not None and scheme.committed_total <= scheme.budget_envelope


@pytest.mark.parametrize("runner", [in_threads, in_processes], ids=["threads", "processes"])
def test_fifty_concurrent_redemptions_of_one_voucher_redeem_it_once(
    runner: Callable[[list[Callable[[], Any]]], list[Outcome]],
) -> None:
    world = race_world(envelope=Decimal("50000.00"))
    voucher = invoiced_voucher(world, 1)
    assert voucher.code

    def redeem() -> Any:
        return services.voucher_redeem(
            scheme=world.scheme,
            code=voucher.code or "",
            provider=world.provider,
            amount="10000",
            by=world.provider_user,
        )

    outcomes = runner([redeem] * ATTEMPTS)
    assert [o for o in outcomes if o[0] == "error"] == []
    assert Counter(outcomes) == Counter({("ok", ""): 1, ("refused", "already_redeemed"): ATTEMPTS - 1})
    assert Redemption.objects.filter(voucher=voucher).count() == 1
    voucher.refresh_from_db()
    assert voucher.status == Status.REDEEMED
    assert VoucherEvent.objects.filter(voucher=voucher, action="redeem", kind="transition").count() == 1
    assert (
        VoucherEvent.objects.filter(voucher=voucher, action="redeem", kind="refused").count() == ATTEMPTS - 1
    )
    assert_envelope_intact(world.scheme)


@pytest.mark.parametrize(
    ("runner", "requests", "room"),
    [(in_threads, 30, 10), (in_processes, 20, 7)],
    ids=["threads", "processes"],
)
def test_concurrent_approvals_never_exceed_the_envelope(
    runner: Callable[[list[Callable[[], Any]]], list[Outcome]], requests: int, room: int
) -> None:
    world = race_world(envelope=VALUE * room + Decimal("9999.99"))  # room for `room` vouchers, not one more
    vouchers = [
        services.voucher_request(
            scheme=world.scheme, sme=sme(n), provider=world.provider, service_description="Scan", by=None
        )
        for n in range(requests)
    ]

    def approve(voucher: Voucher) -> Callable[[], Any]:
        return lambda: services.voucher_review(voucher=voucher, approve=True, reason="", by=world.committee)

    outcomes = runner([approve(v) for v in vouchers])
    assert [o for o in outcomes if o[0] == "error"] == []
    assert Counter(outcomes) == Counter({("ok", ""): room, ("refused", "envelope_exceeded"): requests - room})
    assert Voucher.objects.filter(scheme=world.scheme, status=Status.APPROVED).count() == room
    assert_envelope_intact(world.scheme)
    world.scheme.refresh_from_db()
    assert world.scheme.committed_total == VALUE * room


def test_concurrent_bulk_approvals_of_overlapping_selections_decide_each_request_once() -> None:
    world = race_world(envelope=VALUE * 6)
    vouchers = [
        services.voucher_request(
            scheme=world.scheme, sme=sme(n), provider=world.provider, service_description="Scan", by=None
        )
        for n in range(8)
    ]
    selections = [vouchers[0:4], vouchers[2:6], vouchers[4:8], vouchers[1:5]]

    def bulk(selection: list[Voucher]) -> Callable[[], Any]:
        return lambda: services.voucher_review_bulk(
            vouchers=selection, approve=True, reason="", by=world.committee
        )

    outcomes = in_threads([bulk(s) for s in selections] * 3)
    assert [o for o in outcomes if o[0] == "error"] == []
    approved = Voucher.objects.filter(scheme=world.scheme, status=Status.APPROVED).count()
    assert approved <= 6
    assert_envelope_intact(world.scheme)
    assert world.scheme.committed_total == VALUE * approved
    assert VoucherEvent.objects.filter(scheme=world.scheme, action="approve").count() == approved


def test_concurrent_requests_of_one_company_give_one_voucher_per_round() -> None:
    world = race_world(envelope=VALUE * 10)
    company = sme(1)

    def request() -> Any:
        return services.voucher_request(
            scheme=world.scheme, sme=company, provider=world.provider, service_description="Scan", by=None
        )

    outcomes = in_threads([request] * 20)
    assert [o for o in outcomes if o[0] == "error"] == []
    assert Counter(outcomes) == Counter({("ok", ""): 1, ("refused", "limit_reached"): 19})
    assert Voucher.objects.filter(scheme=world.scheme, sme=company).count() == 1
