"""The reference Fokus scheme as document 004 states it (lines 228-238), its loader, and the scheduled
task that expires vouchers and warns the company and the provider before their deadline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from deltaregio.vouchers import selectors, services
from deltaregio.vouchers.models import Status, Voucher, VoucherEvent, VoucherScheme
from deltaregio.vouchers.tasks import vouchers_expire_and_warn

from .conftest import World, advance, text_of

pytestmark = pytest.mark.django_db
DOCUMENT = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "004_11778272d9654f26.txt"


def test_the_fokus_scheme_is_loaded_as_document_004_states_it() -> None:
    scheme = VoucherScheme.objects.get(code="fokus")
    assert scheme.name_nl == "Fokus-toegangsbiljet" and scheme.name_en == "Fokus access voucher"
    assert scheme.value == Decimal("10000.00")
    assert scheme.covered_share == Decimal("100.00")
    assert scheme.signing_period_months == 4
    assert scheme.completion_period_months is None
    assert scheme.budget_envelope is None, "the envelope is not published, so it is not invented"
    assert scheme.project is not None and scheme.project.acronym == "Fokus"
    assert scheme.desk is not None and scheme.desk.name == "Sirris"
    assert scheme.coordinator is None, "the project coordinator is not named"
    assert scheme.source_document == "004_11778272d9654f26.txt"
    assert scheme.source_location == "Antwoord 2, lines 228-238"
    assert scheme.source_of("value").startswith("line 236")
    assert scheme.source_of("signing_period_months") == "lines 233-235"
    assert scheme.source_of("per_company_per_round") == "", "a platform rule has no place in the source"
    providers = {org.name for org in selectors.eligible_providers(scheme=scheme)}
    assert providers == {
        "Agoria",
        "FME",
        "HighTech NL",
        "Brainport Industries",
        "Sirris",
        "Flanders Make",
        "KU Leuven Campus Brugge",
        "Open Manufacturing Campus",
        "TNO",
    }


@pytest.mark.skipif(not DOCUMENT.exists(), reason="the source documents are not next to the repository")
def test_the_line_numbers_point_at_the_text_they_cite() -> None:
    lines = DOCUMENT.read_text(encoding="utf-8").splitlines()
    assert "toetsingscommissie" in lines[228 - 1]
    assert "Sirris" in lines[231 - 1]
    assert "100% van de rekening" in lines[233 - 1]
    assert "4" in lines[233 - 1] and "maanden na ontvangst" in lines[234 - 1]
    assert "verzilvert" in lines[235 - 1] and "projectcoördinator" in lines[236 - 1]
    assert "€ 10.000" in lines[236 - 1]


def test_loading_again_keeps_what_an_officer_set(world: World) -> None:
    assert world.scheme.budget_envelope == Decimal("100000.00")
    result = services.scheme_load()
    assert result.updated == ["fokus"] and result.created == []
    world.scheme.refresh_from_db()
    assert world.scheme.budget_envelope == Decimal("100000.00")
    assert world.scheme.rounds.filter(code="fokus-test").exists()


def test_a_bad_file_loads_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "schemes.yaml"
    bad.write_text(
        "document: x.txt\nschemes:\n  - {code: good, name: Goed, eligible_services: X, value: '1', "
        "covered_share: '50', signing_period_months: 2}\n  - {code: bad, name: Slecht, eligible_services: X, "
        "value: '1', covered_share: '50', signing_period_months: 2, desk: Bestaat Niet}\n",
        encoding="utf-8",
    )
    with pytest.raises(services.SchemeLoadError) as failed:
        services.scheme_load(path=bad)
    assert "no organisation named 'Bestaat Niet'" in str(failed.value)
    assert not VoucherScheme.objects.filter(code__in=["good", "bad"]).exists()


def test_the_command_loads_and_checks(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_voucher_schemes", "--dry-run")
    assert "would load: 0 new, 1 updated (fokus)" in capsys.readouterr().out


def test_the_scheme_page_shows_the_rules_their_sources_and_the_missing_envelope(client: Client) -> None:
    response = client.get("/en/vouchers/fokus/")
    assert response.status_code == 200
    page = text_of(response.content)
    assert "Fokus access voucher" in page
    assert "10,000.00 euro" in page and "100.00 %" in page
    assert "4 months after the voucher is issued" in page
    assert "004_11778272d9654f26.txt, lines 233-235" in page
    assert "No budget envelope." in page and "not published – to be set by a programme officer" in page
    assert "platform rule" in page
    assert "Sirris" in page and "KU Leuven Campus Brugge" in page
    assert "Looptijd Fokus 2018–2021" in page
    assert "Request a voucher" not in page, "anonymous visitors cannot request"


# --- the scheduled task --------------------------------------------------------------------------------


def test_the_task_expires_overdue_vouchers_and_warns_once_before_the_deadline(world: World) -> None:
    mail.outbox.clear()
    soon = advance(world, world.request(by=world.sme_user), Status.ISSUED)
    late = advance(world, world.request(sme=world.other_sme, by=world.other_sme_user), Status.ISSUED)
    far = Voucher.objects.filter(pk=soon.pk)
    far.update(expires_at=timezone.now() + dt.timedelta(days=10))
    Voucher.objects.filter(pk=late.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))

    result = vouchers_expire_and_warn.delay().get()  # eager without a broker: runs here
    assert result == {"expired": 1, "warned": 1}
    late.refresh_from_db()
    assert late.status == Status.EXPIRED and late.events.filter(action="expire").exists()
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {"info@precisiemetaal.example", "vouchers@sirris.example"}
    assert soon.reference in mail.outbox[0].subject

    assert vouchers_expire_and_warn() == {"expired": 0, "warned": 0}, "once per deadline"
    assert len(mail.outbox) == 1


def test_the_warning_period_is_the_schemes(world: World) -> None:
    voucher = advance(world, world.request(by=world.sme_user), Status.ISSUED)
    Voucher.objects.filter(pk=voucher.pk).update(expires_at=timezone.now() + dt.timedelta(days=20))
    assert services.vouchers_warn() == 0
    world.scheme.warning_days = 30
    world.scheme.save()
    assert services.vouchers_warn() == 1
    assert VoucherEvent.objects.filter(voucher=voucher, action="warn").count() == 1
