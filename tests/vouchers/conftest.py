"""Fixtures for the voucher tests: the reference Fokus scheme with an envelope and an open round, a few
SMEs, and a user in every role: an SME, two Fokus partners as providers, committee members, the desk,
the coordinator and a programme officer. `advance(voucher, to)` takes a voucher through the services
to a later step, so tests read like the process (`advance(v, Status.INVOICED)`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import factory
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone, translation

from deltaregio.accounts.models import Affiliation, Role
from deltaregio.accounts.services import roles_ensure
from deltaregio.directory.models import Organisation
from deltaregio.projects.models import Project
from deltaregio.seed.services import seed_load
from deltaregio.vouchers import services
from deltaregio.vouchers.models import SchemeMember, SchemeRound, Status, Voucher, VoucherScheme

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
ENVELOPE = Decimal("100000.00")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The reference data set (loaded by the parent fixture) and the voucher schemes. This fixture is
    made when the first voucher test runs; if that is a live-server test run after other transactional
    tests (pytest-django runs those last), their flush has emptied the database: load it again."""
    with django_db_blocker.unblock():
        if not Project.objects.exists():
            seed_load()
        services.scheme_load()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages of the services in English, as the tests read them (pages use their /en/ addresses)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """Test users are made by the dozen; a fast hasher keeps the tests quick (not for production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class SmeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Maakbedrijf {n} BV")
    slug = factory.Sequence(lambda n: f"maakbedrijf-{n}")
    kind = Organisation.Kind.SME
    country = "NL"
    region = "Noord-Brabant"
    source_document = "screen: test"


class SchemeFactory(factory.django.DjangoModelFactory):
    """A voucher scheme of its own, beside the reference Fokus scheme (no rounds, members or envelope
    unless a test adds them)."""

    class Meta:
        model = VoucherScheme

    code = factory.Sequence(lambda n: f"testregeling-{n}")
    name = factory.Sequence(lambda n: f"Testregeling {n}")
    eligible_services = "Kennisvragen"
    value = Decimal("5000.00")
    covered_share = Decimal("50.00")
    signing_period_months = 3


@dataclass
class World:
    scheme: VoucherScheme
    round: SchemeRound
    sme: Organisation
    other_sme: Organisation
    provider: Organisation  # Sirris
    other_provider: Organisation  # TNO
    sme_user: User
    other_sme_user: User
    provider_user: User
    other_provider_user: User
    committee: User  # represents Flanders Make
    committee_tno: User  # represents TNO
    desk: User
    coordinator: User
    officer: User
    nobody: User

    def request(
        self, *, sme: Organisation | None = None, provider: Organisation | None = None, by: User | None = None
    ) -> Voucher:
        sme = sme or self.sme
        return services.voucher_request(
            scheme=self.scheme,
            sme=sme,
            provider=provider or self.provider,
            service_description="Innovatiescan en transitietraject naar cobots in de assemblage",
            by=by,
            scan_reference="scan-123",
            intake_reference="intake-45",
        )

    def sme_user_for(self, voucher: Voucher) -> User:
        return self.sme_user if voucher.sme_id == self.sme.pk else self.other_sme_user

    def provider_user_for(self, voucher: Voucher) -> User:
        return self.provider_user if voucher.provider_id == self.provider.pk else self.other_provider_user


def _user(
    username: str, role: Role | None, organisation: Organisation | None = None, email: str = ""
) -> User:
    user = User.objects.create_user(username=username, password="correct-horse-battery", email=email)
    if role is not None:
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    if organisation is not None:
        Affiliation.objects.create(user=user, organisation=organisation)
    return user


def build_world(envelope: Decimal | None = ENVELOPE, *, with_round: bool = True) -> World:
    roles_ensure()
    scheme = VoucherScheme.objects.get(code="fokus")
    officer = _user("officer", Role.PROGRAMME_OFFICER)
    if envelope is not None:
        services.scheme_set_envelope(scheme=scheme, amount=envelope, by=officer, note="test envelope")
        scheme.refresh_from_db()
    today = timezone.localdate()
    round_ = (
        services.round_open(
            scheme=scheme,
            code="fokus-test",
            name="Testronde",
            opens_on=today - dt.timedelta(days=30),
            closes_on=today + dt.timedelta(days=365),
            by=officer,
        )
        if with_round
        else scheme.rounds.get(code="fokus-2018-2021")
    )
    sirris = Organisation.objects.get(name="Sirris")
    tno = Organisation.objects.get(name="TNO")
    flanders_make = Organisation.objects.get(name="Flanders Make")
    sme = SmeFactory(name="Precisie Metaal Zuid BV", slug="precisie-metaal-zuid")
    other_sme = SmeFactory(name="Kunststof Noord BV", slug="kunststof-noord", region="Limburg", country="BE")
    committee = _user("committee-fm", Role.COMMITTEE_MEMBER, flanders_make)
    committee_tno = _user("committee-tno", Role.COMMITTEE_MEMBER, tno)
    desk = _user("desk-sirris", Role.COMMITTEE_MEMBER)
    coordinator = _user("coordinator", Role.PROGRAMME_OFFICER)
    for user, role, org in (
        (committee, SchemeMember.Role.COMMITTEE, flanders_make),
        (committee_tno, SchemeMember.Role.COMMITTEE, tno),
        (desk, SchemeMember.Role.DESK, sirris),
        (coordinator, SchemeMember.Role.COORDINATOR, None),
    ):
        services.member_add(scheme=scheme, user=user, role=role, organisation=org, by=officer)
    return World(
        scheme=scheme,
        round=round_,
        sme=sme,
        other_sme=other_sme,
        provider=sirris,
        other_provider=tno,
        sme_user=_user("sme", Role.SME, sme, "info@precisiemetaal.example"),
        other_sme_user=_user("other-sme", Role.SME, other_sme),
        provider_user=_user("provider-sirris", Role.LAB_PARTNER, sirris, "vouchers@sirris.example"),
        other_provider_user=_user("provider-tno", Role.LAB_PARTNER, tno),
        committee=committee,
        committee_tno=committee_tno,
        desk=desk,
        coordinator=coordinator,
        officer=officer,
        nobody=_user("nobody", None),
    )


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


STEPS = [
    Status.REQUESTED,
    Status.APPROVED,
    Status.ISSUED,
    Status.SIGNED,
    Status.DELIVERED,
    Status.INVOICED,
    Status.REDEEMED,
    Status.PAID,
]


def advance(world: World, voucher: Voucher, to: str, *, invoice: str = "10000.00") -> Voucher:
    """Take a voucher through the services up to the step `to`."""
    voucher.refresh_from_db()
    while STEPS.index(Status(voucher.status)) < STEPS.index(Status(to)):
        status = voucher.status
        if status == Status.REQUESTED:
            voucher = services.voucher_review(
                voucher=voucher, approve=True, reason="Past in Fokus", by=world.committee
            )
        elif status == Status.APPROVED:
            voucher = services.voucher_issue(voucher=voucher, by=world.desk)
        elif status == Status.ISSUED:
            services.voucher_sign(voucher=voucher, party="sme", by=world.sme_user_for(voucher))
            voucher = services.voucher_sign(
                voucher=voucher, party="provider", by=world.provider_user_for(voucher)
            )
        elif status == Status.SIGNED:
            voucher = services.voucher_deliver(voucher=voucher, by=world.provider_user_for(voucher))
        elif status == Status.DELIVERED:
            voucher = services.voucher_invoice(
                voucher=voucher,
                amount=invoice,
                invoice_number="F-2025-001",
                by=world.provider_user_for(voucher),
            )
        elif status == Status.INVOICED:
            assert voucher.code and voucher.voucher_amount is not None
            services.voucher_redeem(
                scheme=world.scheme,
                code=voucher.code,
                provider=voucher.provider,
                amount=voucher.voucher_amount,
                by=world.provider_user_for(voucher),
            )
        elif status == Status.REDEEMED:
            redemption = voucher.redemptions.get(state="submitted")
            services.redemption_check(redemption=redemption, accept=True, reason="", by=world.coordinator)
            batch = services.payment_batch_create(scheme=world.scheme, by=world.coordinator)
            services.payment_batch_mark_paid(batch=batch, paid_on=timezone.localdate(), by=world.coordinator)
        voucher.refresh_from_db()
        assert voucher.status != status, f"stuck at {status}"
    return voucher


@pytest.fixture
def login() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return make


def text_of(html: bytes | str) -> str:
    if isinstance(html, bytes):
        html = html.decode()
    import html as html_lib

    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def vouchers_transactional(seeded_transactional: None) -> Iterator[None]:
    """For tests with separate connections (races, browser): the reference data and the schemes."""
    services.scheme_load()
    yield
