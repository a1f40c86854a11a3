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
