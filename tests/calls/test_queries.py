"""The number of queries of the list and detail pages and API endpoints does not grow with the rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deltaregio.calls import services

from .conftest import World, build_call

pytestmark = pytest.mark.django_db


def count(fetch: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    return len(ctx.captured_queries)


def more_proposals(world: World, n: int) -> None:
    for i in range(n):
        p = services.proposal_create(
            by=world.flemish, setup=world.setup, acronym=f"P{i}", title="T", organisation=world.sirris
        )
        services.partner_add(by=world.flemish, proposal=p, organisation=world.holst)


@pytest.mark.parametrize(
    "url",
    ["/en/proposals/", "/en/calls/test-cross-border/", "/api/v1/proposals/"],
)
def test_proposal_lists_do_not_grow(world: World, client: Client, url: str) -> None:
    client.force_login(world.flemish)
    more_proposals(world, 1)
    client.get(url)  # warm caches (content types, sessions)
    few = count(lambda: client.get(url))
    more_proposals_from = world.setup.proposals.count()
    for i in range(3):
        p = services.proposal_create(
            by=world.flemish,
            setup=world.setup,
            acronym=f"Q{more_proposals_from + i}",
            title="T",
            organisation=world.sirris,
        )
        services.partner_add(by=world.flemish, proposal=p, organisation=world.holst)
    assert count(lambda: client.get(url)) == few


@pytest.mark.parametrize("url", ["/en/calls/", "/api/v1/call-setups/"])
def test_call_lists_do_not_grow(world: World, client: Client, url: str) -> None:
    client.get(url)
    few = count(lambda: client.get(url))
    for i in range(3):
        build_call(world.officer, world.committee, code=f"more-{i}")
    assert count(lambda: client.get(url)) == few


def test_proposal_page_does_not_grow_with_partners_and_lines(world: World, client: Client) -> None:
    p = world.complete_budget(world.registration())
    client.force_login(world.flemish)
    url = f"/en/proposals/{p.pk}/"
    client.get(url)
    few = count(lambda: client.get(url))
    from deltaregio.directory.models import Organisation

    wp = services.work_package_add(by=world.flemish, proposal=p, number=2, title="More")
    for org in Organisation.objects.filter(name__in=["TNO", "imec", "Flanders Make"]):
        partner = services.partner_add(by=world.flemish, proposal=p, organisation=org)
        services.budget_line_save(
            by=world.flemish, proposal=p, partner=partner, work_package=wp, amount="1000"
        )
        services.co_financing_save(by=world.flemish, proposal=p, partner=partner, source="ERDF", rate="40")
    assert count(lambda: client.get(url)) == few


def decided_registrations(world: World, n: int) -> list[int]:
    """n submitted registrations, each checked, assigned to reviewer 1 and preselected."""
    from deltaregio.calls.models import Action

    from .conftest import NOW

    pks = []
    for i in range(n):
        p = world.complete_budget(world.registration(f"R{world.setup.proposals.count()}-{i}"))
        p = services.proposal_submit(by=world.flemish, proposal=p, now=NOW)
        services.eligibility_check(by=world.officer, proposal=p, passed=True)
        services.reviewer_assign(by=world.officer, proposal=p, reviewer=world.reviewer1)
        services.decide(by=world.member, proposal=p, outcome=Action.PRESELECT, date=NOW.date())
        pks.append(p.pk)
    return pks


def test_review_and_decision_lists_do_not_grow(world: World, client: Client) -> None:
    from deltaregio.calls.models import Assignment, Decision

    decided_registrations(world, 1)
    few = {}
    for user, url in ((world.reviewer1, "/api/v1/reviews/"), (world.officer, "/api/v1/decisions/")):
        client.force_login(user)
        client.get(url)
        few[url] = count(lambda url=url: client.get(url))
        assert client.get(url).json()["count"] == 1
    decided_registrations(world, 3)
    assert Assignment.objects.filter(reviewer=world.reviewer1).count() == 4
    assert Decision.objects.count() == 4
    for user, url in ((world.reviewer1, "/api/v1/reviews/"), (world.officer, "/api/v1/decisions/")):
        client.force_login(user)
        assert client.get(url).json()["count"] == 4
        assert count(lambda url=url: client.get(url)) <= few[url]


def test_api_details_cost_the_same_whichever_record_is_shown(world: World, client: Client) -> None:
    from deltaregio.calls.models import Assignment, Decision, Proposal

    pks = decided_registrations(world, 3)
    for i in range(2):
        build_call(world.officer, world.committee, code=f"detail-{i}")
    client.force_login(world.officer)
    groups = {
        "proposal-detail": [f"/api/v1/proposals/{pk}/" for pk in pks],
        "decision-detail": [f"/api/v1/decisions/{d.pk}/" for d in Decision.objects.filter(proposal__in=pks)],
        "call-setup-detail": [
            f"/api/v1/call-setups/{code}/" for code in ("test-cross-border", "detail-0", "detail-1")
        ],
    }
    assert Proposal.objects.filter(pk__in=pks).count() == 3
    for name, urls in groups.items():
        client.get(urls[0])
        counts = [count(lambda url=url: client.get(url)) for url in urls]
        assert all(client.get(url).status_code == 200 for url in urls), name
        assert max(counts) - min(counts) <= 1, (name, dict(zip(urls, counts, strict=True)))
    client.force_login(world.reviewer1)
    urls = [f"/api/v1/reviews/{a.pk}/" for a in Assignment.objects.filter(reviewer=world.reviewer1)]
    client.get(urls[0])
    counts = [count(lambda url=url: client.get(url)) for url in urls]
    assert len(urls) == 3 and max(counts) - min(counts) <= 1, counts
