"""A programme officer configures a call in Chromium, without JavaScript doing any of the work: the
set-up, a round, a criterion refused and then accepted, a rule, and publishing; the page passes the
axe check with the refusal shown."""

from __future__ import annotations

from typing import Any

import pytest

from deltaregio.calls.models import CallSetup

from .conftest import World
from .test_e2e_calls import browse, click, e2e_world, messages, serious_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
__all__ = ["browse", "e2e_world"]


def test_an_officer_configures_a_one_step_call_in_the_browser(e2e_world: World, browse: Any) -> None:
    from deltaregio.funding.models import Call

    call = Call.objects.create(
        code="browser-built",
        instrument=e2e_world.setup.call.instrument,
        name="A call built in the browser",
        kind=Call.Kind.ONE_STEP,
        source_document="screen: test",
    )
    officer = browse(e2e_world.officer)
    officer.goto(f"{officer.base}/en/calls/configure/")
    officer.select_option("#id_call", "browser-built")
    click(officer, "Configure this call")
    assert officer.url.endswith("/en/calls/browser-built/setup/")
    officer.check("#setup-steps_0")
    officer.fill("#setup-envelope", "900000")
    officer.select_option("#setup-committee", label=e2e_world.committee.name)
    click(officer, "Save the set-up")
    assert "The set-up of the call is saved." in messages(officer)

    officer.select_option("#round-step", "1")
    officer.fill("#round-opens_at", "2027-01-15T09:00:00")
    officer.fill("#round-closes_at", "2027-03-31T17:00:30")
    click(officer, "Add the round")
    assert "The round is added." in messages(officer)
    assert "2027-03-31 17:00:30 CEST" in officer.locator("#rounds + .table-wrap").inner_text()

    officer.select_option("#criterion-step", "1")
    officer.fill("#criterion-code", "quality")
    officer.fill("#criterion-name", "Quality")
    officer.fill("#criterion-weight", "0")
    click(officer, "Add the criterion")
    assert "A weight must be larger than zero." in officer.locator("#criterion-weight_error").inner_text()
    assert serious_violations(officer) == []
    officer.fill("#criterion-weight", "2")
    click(officer, "Add the criterion")
    assert "The criterion is added." in messages(officer)

    officer.select_option("#rule-kind", "min_partners")
    officer.fill("#rule-params", '{"count": 2}')
    click(officer, "Add the rule")
    assert "The eligibility rule is added." in messages(officer)
    assert serious_violations(officer) == []

    click(officer, "Open the call")
    assert "The call is open." in messages(officer)
    setup = CallSetup.objects.get(call=call)
    assert setup.is_published and setup.rules.get().params == {"count": 2}
