"""The pages where a programme officer configures a call as data: only officers may use them, bad
input is refused with the service's message on the field and nothing saved, and a two-step call is
configured and published entirely through the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from deltaregio.calls.models import CallSetup, Criterion, EligibilityRule, Round
from deltaregio.funding.models import Call, Instrument

from .conftest import BRUSSELS, World

pytestmark = pytest.mark.django_db


def new_call(code: str = "page-built") -> Call:
    return Call.objects.create(
        code=code,
        instrument=Instrument.objects.get(code="interreg-vl-nl"),
        name="A call built on the pages",
        kind=Call.Kind.TWO_STEP,
        source_document="screen: test",
    )


def officer_client(client: Client, world: World) -> Client:
    client.force_login(world.officer)
    return client


def test_only_officers_may_use_the_setup_pages(world: World, client: Client) -> None:
    code = world.setup.call.code
    call = new_call()
    pages: list[tuple[str, str, dict[str, Any]]] = [
        ("get", "/en/calls/configure/", {}),
        ("post", "/en/calls/configure/", {"call": call.code}),
        ("get", f"/en/calls/{code}/setup/", {}),
        ("post", f"/en/calls/{call.code}/setup/", {"steps": "1"}),
        ("post", f"/en/calls/{code}/setup/round/", {"step": "1", "number": "9"}),
        (
            "post",
            f"/en/calls/{code}/setup/criterion/",
            {"step": "2", "code": "x", "name": "X", "weight": "1"},
        ),
        ("post", f"/en/calls/{code}/setup/rule/", {"kind": "min_partners", "params": '{"count": 3}'}),
        ("post", f"/en/calls/{code}/setup/publish/", {}),
    ]
    before = (CallSetup.objects.count(), Round.objects.count(), Criterion.objects.count())
    for method, url, data in pages:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/login" in response["Location"], url
    for user in (world.flemish, world.member, world.reviewer1):
        client.force_login(user)
        for method, url, data in pages:
            assert getattr(client, method)(url, data).status_code == 403, (user, url)
    assert (CallSetup.objects.count(), Round.objects.count(), Criterion.objects.count()) == before
    officer_client(client, world)
    page = client.get(f"/en/calls/{code}/setup/")
    assert page.status_code == 200
    assert "Add a round" in page.content.decode()


def test_officers_find_the_pages_from_the_calls(world: World, client: Client) -> None:
    code = world.setup.call.code
    client.force_login(world.flemish)
    assert "/calls/configure/" not in client.get("/en/calls/").content.decode()
    assert f"/calls/{code}/setup/" not in client.get(f"/en/calls/{code}/").content.decode()
    officer_client(client, world)
    assert "/en/calls/configure/" in client.get("/en/calls/").content.decode()
    assert f"/en/calls/{code}/setup/" in client.get(f"/en/calls/{code}/").content.decode()
    # a call known only from documents can be taken onto the platform
    assert (
        "/en/calls/vlaio-icon-pm-2019/setup/" in client.get("/en/calls/vlaio-icon-pm-2019/").content.decode()
    )
    chosen = client.get("/en/calls/configure/", {"call": code})
    assert chosen.status_code == 302 and chosen["Location"].endswith(f"/calls/{code}/setup/")
    unknown = client.post("/en/calls/configure/", {"call": "no-such-call"})
    assert unknown.status_code == 200 and "Select a valid choice" in unknown.content.decode()


def field_errors(response: Any, form: str, field: str | None = None) -> list[str]:
    bound = response.context[form]
    return list(bound.non_field_errors() if field is None else bound.errors.get(field, []))


def test_a_round_that_closes_before_it_opens_is_refused(world: World, client: Client) -> None:
    code = world.setup.call.code
    officer_client(client, world)
    before = Round.objects.count()
    response = client.post(
        f"/en/calls/{code}/setup/round/",
        {"step": "1", "number": "2", "opens_at": "2027-03-01 09:00:00", "closes_at": "2027-02-01 17:00:00"},
    )
    assert response.status_code == 200
    assert field_errors(response, "round_form", "closes_at") == [
        "The close moment must lie after the open moment."
    ]
    assert "The close moment must lie after the open moment." in response.content.decode()
    assert Round.objects.count() == before
    # a time the clock skips in Brussels (last Sunday of March, 02:30) is refused, not guessed
    skipped = client.post(
        f"/en/calls/{code}/setup/round/",
        {"step": "1", "number": "2", "opens_at": "2027-03-28 02:30:00", "closes_at": "2027-04-01 17:00:00"},
    )
    assert "change of clock" in field_errors(skipped, "round_form", "opens_at")[0]
    taken = client.post(
        f"/en/calls/{code}/setup/round/",
        {"step": "1", "number": "1", "opens_at": "2027-03-01 09:00:00", "closes_at": "2027-04-01 17:00:00"},
    )
    assert field_errors(taken, "round_form", "number") == ["Step 1 has a round 1 already."]
    assert Round.objects.count() == before


def test_a_bad_rule_is_refused_with_the_reason(world: World, client: Client) -> None:
    code = world.setup.call.code
    officer_client(client, world)
    before = EligibilityRule.objects.count()
    unknown = client.post(f"/en/calls/{code}/setup/rule/", {"kind": "lucky_draw", "params": "{}"})
    assert "Select a valid choice" in field_errors(unknown, "rule_form", "kind")[0]
    bad_params = client.post(
        f"/en/calls/{code}/setup/rule/", {"kind": "min_partners", "params": '{"count": -1}'}
    )
    assert field_errors(bad_params, "rule_form", "params") == ["count must be a whole number of at least 1."]
    assert "count must be a whole number of at least 1." in bad_params.content.decode()
    not_json = client.post(f"/en/calls/{code}/setup/rule/", {"kind": "min_partners", "params": "{count: 3"})
    assert "not valid JSON" in field_errors(not_json, "rule_form", "params")[0]
    not_object = client.post(f"/en/calls/{code}/setup/rule/", {"kind": "trl_range", "params": "[3, 7]"})
    assert field_errors(not_object, "rule_form", "params") == [
        'The parameters must be an object, e.g. {"min": 3, "max": 7}.'
    ]
    assert EligibilityRule.objects.count() == before


def test_a_weight_of_zero_or_less_and_a_bad_scale_are_refused(world: World, client: Client) -> None:
    code = world.setup.call.code
    officer_client(client, world)
    before = Criterion.objects.count()
    zero = client.post(
        f"/en/calls/{code}/setup/criterion/",
        {"step": "2", "code": "reach", "name": "Reach", "weight": "0", "scale_min": "0", "scale_max": "5"},
    )
    assert field_errors(zero, "criterion_form", "weight") == ["A weight must be larger than zero."]
    assert "A weight must be larger than zero." in zero.content.decode()
    negative = client.post(
        f"/en/calls/{code}/setup/criterion/",
        {"step": "2", "code": "reach", "name": "Reach", "weight": "-1", "scale_min": "0", "scale_max": "5"},
    )
    assert field_errors(negative, "criterion_form", "weight") == ["-1: an amount may not be negative."]
    scale = client.post(
        f"/en/calls/{code}/setup/criterion/",
        {"step": "2", "code": "reach", "name": "Reach", "weight": "1", "scale_min": "5", "scale_max": "5"},
    )
    assert field_errors(scale, "criterion_form", "scale_max") == [
        "The highest score must be above the lowest."
    ]
    twice = client.post(
        f"/en/calls/{code}/setup/criterion/",
        {
            "step": "2",
            "code": "quality",
            "name": "Quality",
            "weight": "1",
            "scale_min": "0",
            "scale_max": "5",
        },
    )
    assert field_errors(twice, "criterion_form", "code") == ["Step 2 has a criterion quality already."]
    assert Criterion.objects.count() == before


def test_a_bad_setup_is_refused_and_the_old_one_kept(world: World, client: Client) -> None:
    code = world.setup.call.code
    officer_client(client, world)
    response = client.post(f"/en/calls/{code}/setup/", {"steps": "2", "envelope": "-5"})
    assert field_errors(response, "setup_form", "envelope") == ["-5: an amount may not be negative."]
    world.setup.refresh_from_db()
    assert world.setup.envelope == Decimal("1200000.00")
    assert world.setup.committee == world.committee


def test_publishing_an_incomplete_call_lists_what_is_missing(world: World, client: Client) -> None:
    call = new_call()
    officer_client(client, world)
    client.post(f"/en/calls/{call.code}/setup/", {"steps": "2"})
    response = client.post(f"/en/calls/{call.code}/setup/publish/")
    assert response.status_code == 200
    errors = field_errors(response, "publish_form")
    assert "Give a round with open and close moments for step 1." in errors
    assert "Give the assessment criteria of step 2." in errors
    assert "Name the committee that decides." in errors
    assert not CallSetup.objects.get(call=call).is_published
    # the round, criterion and rule forms need a set-up first
    assert client.post(f"/en/calls/{new_call('bare').code}/setup/round/", {}).status_code == 404


def test_an_officer_configures_a_two_step_call_through_the_pages(
    world: World, client: Client, make_user: Any
) -> None:
    call = new_call()
    officer_client(client, world)
    setup_url = f"/en/calls/{call.code}/setup/"
    assert client.get(setup_url).status_code == 200
    saved = client.post(
        setup_url,
        {
            "steps": "2",
            "programme_line": str(call.instrument.pk),
            "envelope": "1500000.00",
            "committee": str(world.committee.pk),
            "sections_1": ["summary", "partners"],
            "sections_2": ["summary", "partners", "budget", "attachments"],
            "note": "Built on the pages.",
        },
    )
    assert saved.status_code == 302 and saved["Location"].endswith(f"{setup_url}#setup")
    for step, number, opens, closes in (
        ("1", "1", "2027-01-15T09:00:00", "2027-03-31T17:00:30"),
        ("2", "1", "2027-06-01 09:00:00", "2027-10-30 23:59:59"),
    ):
        added = client.post(
            f"{setup_url}round/", {"step": step, "number": number, "opens_at": opens, "closes_at": closes}
        )
        assert added.status_code == 302, added.context and added.context["round_form"].errors
    for code, name, weight in (("quality", "Quality", "2"), ("impact", "Impact", "1.5")):
        added = client.post(
            f"{setup_url}criterion/",
            {"step": "2", "code": code, "name": name, "weight": weight, "scale_min": "1", "scale_max": "10"},
        )
        assert added.status_code == 302
    added = client.post(
        f"{setup_url}rule/",
        {
            "kind": "cross_border",
            "params": '{"regions": ["BE:Vlaanderen", "NL"]}',
            "step": "",
            "source_document": "000",
            "source_location": "lines 40-48",
        },
    )
    assert added.status_code == 302
    added = client.post(
        f"{setup_url}rule/",
        {"kind": "required_documents", "params": '{"kinds": ["partnership-agreement"]}', "step": "2"},
    )
    assert added.status_code == 302
    page = client.get(setup_url).content.decode()
    assert "2027-03-31 17:00:30 CEST" in page and "Impact" in page
    published = client.post(f"{setup_url}publish/")
    assert published.status_code == 302 and published["Location"].endswith(f"/calls/{call.code}/")

    setup = CallSetup.objects.get(call=call)
    assert setup.is_published and setup.steps == 2 and setup.envelope == Decimal("1500000.00")
    assert setup.committee == world.committee and setup.programme_line == call.instrument
    assert setup.sections == {
        "1": ["summary", "partners"],
        "2": ["summary", "partners", "budget", "attachments"],
    }
    rounds = list(setup.rounds.order_by("step"))
    assert rounds[0].closes_at == dt.datetime(2027, 3, 31, 17, 0, 30, tzinfo=BRUSSELS)
    assert rounds[0].closes_at == dt.datetime(2027, 3, 31, 15, 0, 30, tzinfo=dt.UTC)  # summer time
    assert rounds[1].closes_at == dt.datetime(2027, 10, 30, 23, 59, 59, tzinfo=BRUSSELS)
    assert [(c.code, c.weight, c.scale_min, c.scale_max) for c in setup.criteria.order_by("order")] == [
        ("quality", Decimal("2.00"), 1, 10),
        ("impact", Decimal("1.50"), 1, 10),
    ]
    assert [(r.kind, r.params, r.step) for r in setup.rules.order_by("order")] == [
        ("cross_border", {"regions": ["BE:Vlaanderen", "NL"]}, None),
        ("required_documents", {"kinds": ["partnership-agreement"]}, 2),
    ]
    assert setup.rules.get(kind="cross_border").source_location == "lines 40-48"
    # the public sees the published call
    client.logout()
    public = client.get(f"/en/calls/{call.code}/")
    assert (
        public.status_code == 200
        and "at least one partner from each of: BE:Vlaanderen, NL" in public.content.decode()
    )
    # and the set-up form shows what was saved
    officer_client(client, world)
    form = client.get(setup_url).context["setup_form"]
    assert form.initial["envelope"] == "1500000.00" and form.initial["steps"] == 2


def test_the_setup_page_is_in_dutch(world: World, client: Client) -> None:
    officer_client(client, world)
    page = client.get(f"/calls/{world.setup.call.code}/setup/").content.decode()
    assert "Een ronde toevoegen" in page
    assert "Opent op (Brusselse tijd)" in page


__all__ = ["User"]


def test_the_setup_page_does_not_grow_with_rounds_criteria_and_rules(world: World, client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deltaregio.calls import services

    officer_client(client, world)
    url = f"/en/calls/{world.setup.call.code}/setup/"
    client.get(url)  # warm caches (content types, sessions)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    setup = world.setup
    for i in range(2, 8):
        services.round_add(
            by=world.officer,
            setup=setup,
            step=1,
            number=i,
            opens_at=dt.datetime(2028, 1, i, 9, tzinfo=BRUSSELS),
            closes_at=dt.datetime(2028, 2, i, 17, tzinfo=BRUSSELS),
        )
        services.criterion_add(by=world.officer, setup=setup, step=2, code=f"c{i}", name=f"C{i}", weight="1")
        services.rule_add(by=world.officer, setup=setup, kind="min_partners", params={"count": i})
    assert queries() == before


def test_a_one_step_call_takes_nothing_for_step_2(world: World, client: Client) -> None:
    call = new_call()
    officer_client(client, world)
    url = f"/en/calls/{call.code}/setup/"
    client.post(url, {"steps": "1", "committee": str(world.committee.pk), "sections_2": ["summary"]})
    setup = CallSetup.objects.get(call=call)
    assert setup.sections == {}  # sections of a step the call does not have are not kept
    round_ = client.post(
        f"{url}round/",
        {"step": "2", "number": "1", "opens_at": "2027-01-15 09:00:00", "closes_at": "2027-03-31 17:00:00"},
    )
    assert field_errors(round_, "round_form", "step") == ["This call has 1 step(s)."]
    criterion = client.post(
        f"{url}criterion/",
        {
            "step": "2",
            "code": "quality",
            "name": "Quality",
            "weight": "1",
            "scale_min": "0",
            "scale_max": "5",
        },
    )
    assert field_errors(criterion, "criterion_form", "step") == ["This call has 1 step(s)."]
    rule = client.post(f"{url}rule/", {"kind": "min_partners", "params": '{"count": 2}', "step": "2"})
    assert field_errors(rule, "rule_form", "step") == ["This call has 1 step(s)."]
    assert (setup.rounds.count(), setup.criteria.count(), setup.rules.count()) == (0, 0, 0)
