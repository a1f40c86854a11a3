"""The number of queries of the voucher routes the list tests of test_api.py and test_web.py do not
cover does not grow with the rows they show: the schemes, a voucher (API and page) and the
redemptions. Vouchers are taken through the services to every step, for SMEs and providers in turn, so
the records shown differ in their related rows (events, signed documents, redemptions, batches)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from deltaregio.accounts.models import Affiliation
from deltaregio.directory.models import Organisation
from deltaregio.vouchers import services
from deltaregio.vouchers.models import Redemption, Status, Voucher, VoucherScheme
from deltaregio.vouchers.services import VoucherRefused

from .conftest import STEPS, SchemeFactory, SmeFactory, World, advance

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]
API = "/api/v1"


def voucher_at(world: World, step: str, i: int) -> Voucher:
    """A voucher of a new SME (acting through world.other_sme_user) at `step`, with Sirris or TNO as
    provider in turn."""
    sme = SmeFactory.create()
    Affiliation.objects.create(user=world.other_sme_user, organisation=sme)
    provider = world.provider if i % 2 else world.other_provider
    return advance(world, world.request(sme=sme, provider=provider, by=None), step)


def test_the_scheme_list_does_not_grow_with_the_schemes(
    client: Client, world: World, query_counts: Any
) -> None:
    url = f"{API}/voucher-schemes/"
    query_counts.get(client, url)
    response, one = query_counts.get(client, url)
    before = VoucherScheme.objects.count()
    assert response.json()["count"] == before >= 1
    desks = list(Organisation.objects.filter(name__in=["Sirris", "TNO", "Flanders Make"]))
    today = dt.date(2025, 1, 1)
    for i in range(5):  # with and without desk, coordinator and project; none, one or two rounds
        scheme = SchemeFactory.create(
            desk=desks[i % 3] if i % 2 else None,
            coordinator=desks[(i + 1) % 3] if i % 3 else None,
            project=world.scheme.project if i % 2 == 0 else None,
        )
        for r in range(i % 3):
            scheme.rounds.create(code=f"r{r}", name=f"Ronde {r}", opens_on=today + dt.timedelta(days=r))
    response, many = query_counts.get(client, url)
    body = response.json()
    assert body["count"] == before + 5 and len(body["results"]) == before + 5
    assert sum(len(s["rounds"]) for s in body["results"]) >= 5
    assert many <= one + 1, (one, many)


def with_refused_attempts(world: World, voucher: Voucher) -> Voucher:
    """The voucher with more rows in its audit trail: three users who do not act for its provider try
    to confirm the delivery, and each refusal is recorded with who tried."""
    events = voucher.events.count()
    for by in (world.nobody, world.sme_user, world.desk):
        with pytest.raises(VoucherRefused):
            services.voucher_deliver(voucher=voucher, by=by)
    assert voucher.events.count() == events + 3
    return voucher


@pytest.mark.parametrize("who", ["officer", "committee"])
def test_a_voucher_costs_the_same_whichever_is_shown(
    login: Login, world: World, who: str, query_counts: Any
) -> None:
    """The API's voucher, for a voucher at each step of its life, with a short and with a long audit
    trail. The voucher's page asks (once each) whether the user may take the step the voucher is at, so
    its count is compared between vouchers at one step: with few and with more related rows."""
    services.scheme_set_envelope(
        scheme=world.scheme, amount=Decimal("200000.00"), by=world.officer, note="room for sixteen"
    )
    plain = [voucher_at(world, step, i) for i, step in enumerate(STEPS)]
    busy = [with_refused_attempts(world, voucher_at(world, step, i + 1)) for i, step in enumerate(STEPS)]
    assert [v.status for v in busy] == [v.status for v in plain] == STEPS
    client = login(getattr(world, who))
    api = query_counts.same_whichever(client, [f"{API}/vouchers/{v.pk}/" for v in plain + busy])
    assert [r.json()["status"] for r in api] == STEPS + STEPS
    for pair in zip(plain, busy, strict=True):
        pages = query_counts.same_whichever(client, [f"/en/vouchers/v/{v.pk}/" for v in pair])
        assert all(v.reference in r.content.decode() for v, r in zip(pair, pages, strict=True))


def test_the_redemptions_do_not_grow_with_the_redemptions(
    login: Login, world: World, query_counts: Any
) -> None:
    """The API's redemptions (and the coordinator's page, which lists them too) cost the same for one
    redemption as for seven; each redemption the same whichever is shown."""
    coordinator = login(world.coordinator)
    url, page = f"{API}/voucher-redemptions/", f"/en/vouchers/{world.scheme.code}/coordinator/"
    voucher_at(world, Status.REDEEMED, 0)
    query_counts.get(coordinator, url)
    response, one = query_counts.get(coordinator, url)
    assert response.json()["count"] == 1
    query_counts.get(coordinator, page)
    _page, page_one = query_counts.get(coordinator, page)
    for i in range(1, 5):  # submitted, or accepted and paid in a batch; for Sirris and TNO in turn
        voucher_at(world, Status.PAID if i % 2 else Status.REDEEMED, i)
    rejected, accepted = voucher_at(world, Status.REDEEMED, 5), voucher_at(world, Status.REDEEMED, 6)
    for voucher, accept in ((rejected, False), (accepted, True)):
        services.redemption_check(
            redemption=voucher.redemptions.get(), accept=accept, reason="Gecontroleerd", by=world.coordinator
        )
    response, many = query_counts.get(coordinator, url)
    body = response.json()
    assert body["count"] == len(body["results"]) == 7
    assert {r["state"] for r in body["results"]} == {"submitted", "accepted", "rejected"}
    assert sum(r["batch"] is not None for r in body["results"]) == 2
    assert many <= one + 1, (one, many)
    listed, page_many = query_counts.get(coordinator, page)
    to_check = Redemption.objects.filter(state=Redemption.State.SUBMITTED).select_related("voucher__scheme")
    assert all(
        r.voucher.reference in listed.content.decode() for r in [*to_check, accepted.redemptions.get()]
    )
    assert page_many <= page_one + 1, (page_one, page_many)
    redemptions = Redemption.objects.order_by("pk")
    details = query_counts.same_whichever(coordinator, [f"{url}{r.pk}/" for r in redemptions])
    assert [r.json()["id"] for r in details] == [r.pk for r in redemptions]
