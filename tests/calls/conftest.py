"""Fixtures for the call tests: a two-step cross-border call (Flanders and the Netherlands) with rounds,
criteria and rules, its committee, a Flemish and a Dutch applicant, two reviewers and an officer.
`World.ready_registration()` and friends take a proposal through the services, so tests read like the
process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation

from deltaregio.accounts.models import Role
from deltaregio.calls import services
from deltaregio.calls.models import Action, CallSetup, Committee, Proposal
from deltaregio.directory.models import Organisation
from deltaregio.funding.models import Call, Instrument

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    setup: CallSetup
    committee: Committee
    officer: User
    flemish: User  # acts for Sirris (BE, Vlaanderen)
    dutch: User  # acts for Holst Centre (NL)
    member: User
    other_member: User  # member of another committee
    reviewer1: User
    reviewer2: User
    stranger: User  # an applicant on no proposal
    sirris: Organisation
    holst: Organisation

    def registration(self, acronym: str = "CROSS") -> Proposal:
        """A complete step-1 registration by the Flemish applicant with the Dutch partner."""
        p = services.proposal_create(
            by=self.flemish,
            setup=self.setup,
            acronym=acronym,
            title="Cross-border pilot lines",
            organisation=self.sirris,
        )
        services.collaborator_add(by=self.flemish, proposal=p, user=self.dutch, role="editor")
        services.partner_add(by=self.dutch, proposal=p, organisation=self.holst, role="partner")
        services.proposal_update(
            by=self.flemish, proposal=p, summary="Two pilot lines, one programme.", trl_start=4, trl_end=6
        )
        return Proposal.objects.get(pk=p.pk)

    def complete_budget(self, p: Proposal) -> Proposal:
        wp = services.work_package_add(by=self.flemish, proposal=p, number=1, title="Pilot line")
        lead, partner = list(p.partners.order_by("role"))
        services.budget_line_save(
            by=self.flemish, proposal=p, partner=lead, work_package=wp, amount="600000.00"
        )
        services.budget_line_save(
            by=self.dutch, proposal=p, partner=partner, work_package=wp, amount="400000.00"
        )
        services.co_financing_save(by=self.flemish, proposal=p, partner=lead, source="ERDF", rate="50")
        services.proposal_update(
            by=self.flemish,
            proposal=p,
            total_cost="1000000.00",
            requested_grant="500000.00",
            start_date=dt.date(2027, 1, 1),
            end_date=dt.date(2029, 12, 31),
        )
        return Proposal.objects.get(pk=p.pk)

    def submitted_registration(self) -> Proposal:
        p = self.complete_budget(self.registration())
        return services.proposal_submit(by=self.flemish, proposal=p, now=NOW)

    def preselected(self) -> Proposal:
        p = self.submitted_registration()
        services.eligibility_check(by=self.officer, proposal=p, passed=True)
        services.decide(by=self.member, proposal=p, outcome=Action.PRESELECT, date=NOW.date())
        return Proposal.objects.get(pk=p.pk)

    def full_submitted(self) -> Proposal:
        full = services.full_application_start(by=self.flemish, registration=self.preselected())
        services.attachment_add(
            by=self.flemish,
            proposal=full,
            kind="partnership-agreement",
            file_name="pa.pdf",
            content=b"%PDF-1.4",
        )
        return services.proposal_submit(by=self.flemish, proposal=full, now=NOW_STEP2)

    def scored(self) -> Proposal:
        full = self.full_submitted()
        services.eligibility_check(by=self.officer, proposal=full, passed=True)
        for reviewer, (q, i) in ((self.reviewer1, (4, 3)), (self.reviewer2, (5, 4))):
            a = services.reviewer_assign(by=self.officer, proposal=full, reviewer=reviewer)
            services.scores_save(
                by=reviewer, assignment=a, scores={"quality": (q, "good"), "impact": (i, "fine")}, final=True
            )
        services.consolidate(by=self.officer, setup=self.setup, step=2)
        return Proposal.objects.get(pk=full.pk)


#: Moments of the fixture's call, around the present: step 1 is open now and closes in ten days at
#: 17:00:00 Brussels time; step 2 opens in twenty days.
NOW = timezone.now().astimezone(BRUSSELS).replace(microsecond=0)
STEP1_OPENS = (NOW - dt.timedelta(days=10)).replace(hour=9, minute=0, second=0)
STEP1_CLOSES = (NOW + dt.timedelta(days=10)).replace(hour=17, minute=0, second=0)
STEP2_OPENS = (NOW + dt.timedelta(days=20)).replace(hour=9, minute=0, second=0)
STEP2_CLOSES = (NOW + dt.timedelta(days=60)).replace(hour=17, minute=0, second=0)
NOW_STEP2 = NOW + dt.timedelta(days=30)


def build_call(
    officer: User,
    committee: Committee,
    *,
    code: str = "test-cross-border",
    publish: bool = True,
    step2_opens: dt.datetime | None = None,
) -> CallSetup:
    instrument = Instrument.objects.get(code="interreg-vl-nl")
    call = Call.objects.create(
        code=code,
        instrument=instrument,
        name="Cross-border pilot lines",
        kind=Call.Kind.TWO_STEP,
        source_document="screen: test",
    )
    setup = services.setup_save(
        by=officer,
        call=call,
        steps=2,
        envelope="1200000.00",
        committee=committee,
        sections={
            "1": ["summary", "partners", "work_packages", "budget", "co_financing", "trl"],
            "2": ["summary", "partners", "work_packages", "budget", "co_financing", "trl", "attachments"],
        },
    )
    services.round_add(
        by=officer, setup=setup, step=1, number=1, opens_at=STEP1_OPENS, closes_at=STEP1_CLOSES
    )
    services.round_add(
        by=officer, setup=setup, step=2, number=1, opens_at=step2_opens or STEP2_OPENS, closes_at=STEP2_CLOSES
    )
    services.criterion_add(
        by=officer, setup=setup, step=2, code="quality", name="Quality", weight="2", scale_min=0, scale_max=5
    )
    services.criterion_add(
        by=officer, setup=setup, step=2, code="impact", name="Impact", weight="1", scale_min=0, scale_max=5
    )
    services.rule_add(by=officer, setup=setup, kind="min_partners", params={"count": 2})
    services.rule_add(
        by=officer, setup=setup, kind="cross_border", params={"regions": ["BE:Vlaanderen", "NL"]}
    )
    services.rule_add(by=officer, setup=setup, kind="trl_range", params={"min": 3, "max": 7})
    services.rule_add(
        by=officer, setup=setup, kind="max_co_financing_rate", params={"source": "ERDF", "max_rate": "50"}
    )
    services.rule_add(by=officer, setup=setup, kind="max_grant", params={"amount": "800000"})
    services.rule_add(
        by=officer,
        setup=setup,
        kind="required_documents",
        params={"kinds": ["partnership-agreement"]},
        step=2,
    )
    return services.call_publish(by=officer, setup=setup, now=NOW) if publish else setup


@pytest.fixture
def world(make_user: Callable[..., User]) -> World:
    return make_world(make_user)


def make_world(make_user: Callable[..., User], **call_options: Any) -> World:
    officer = make_user(Role.PROGRAMME_OFFICER)
    member, other_member = make_user(Role.COMMITTEE_MEMBER), make_user(Role.COMMITTEE_MEMBER)
    committee = Committee.objects.create(name="Test steering committee", slug="test-committee")
    committee.members.add(member)
    other = Committee.objects.create(name="Another committee", slug="another-committee")
    other.members.add(other_member)
    flemish = make_user(Role.APPLICANT, organisation="Sirris")
    flemish.email = "flemish@example.org"
    flemish.save()
    dutch = make_user(Role.APPLICANT, organisation="Holst Centre")
    dutch.email = "dutch@example.org"
    dutch.save()
    return World(
        setup=build_call(officer, committee, **call_options),
        committee=committee,
        officer=officer,
        flemish=flemish,
        dutch=dutch,
        member=member,
        other_member=other_member,
        reviewer1=make_user(Role.COMMITTEE_MEMBER),
        reviewer2=make_user(Role.COMMITTEE_MEMBER),
        stranger=make_user(Role.APPLICANT, organisation="TNO"),
        sirris=Organisation.objects.get(name="Sirris"),
        holst=Organisation.objects.get(name="Holst Centre"),
    )


__all__ = ["Decimal", "timezone"]
