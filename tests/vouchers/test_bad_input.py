"""Bad input: an unknown or mistyped code, a code of another scheme, a redemption by the wrong
provider, after expiry or above the value, an invoice with a negative or non-decimal amount. Each is
refused with a clear message, nothing changes, and every refused redemption attempt is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from deltaregio.vouchers import codes, services
from deltaregio.vouchers.models import Redemption, Status, Voucher, VoucherEvent, VoucherScheme
from deltaregio.vouchers.services import VoucherRefused

from .conftest import World, advance

pytestmark = pytest.mark.django_db


def _mistype(code: str) -> str:
    """The code with one character replaced by another of the alphabet."""
    last = code[-1]
    replacement = "7" if last != "7" else "8"
    return code[:-1] + replacement


@pytest.fixture
def invoiced(world: World) -> Voucher:
    return advance(world, world.request(by=world.sme_user), Status.INVOICED)


def _other_scheme_code(world: World) -> str:
    other = VoucherScheme.objects.create(
        code="mit",
        name="MIT-kennisvoucher",
        eligible_services="Kennisvragen",
        value=Decimal("3750.00"),
        covered_share=Decimal("50.00"),
        signing_period_months=3,
        budget_envelope=Decimal("100000.00"),
    )
    return codes.generate(other.code)


CASES: list[tuple[str, Callable[[World, Voucher], dict[str, Any]], str, str]] = [
    (
        "unknown",
        lambda w, v: {"code": codes.generate("fokus")},
        "code_unknown",
        "There is no voucher with this code",
    ),
    ("mistyped", lambda w, v: {"code": _mistype(v.code or "")}, "code_mistyped", "mistyped"),
    ("malformed", lambda w, v: {"code": "FOKUS-12"}, "code_malformed", "This is not a voucher code"),
    ("other scheme", lambda w, v: {"code": _other_scheme_code(w)}, "code_other_scheme", "is not a code of"),
    (
        "wrong provider",
        lambda w, v: {"provider": w.other_provider, "by": w.other_provider_user},
        "wrong_provider",
        "only the provider of its assignment",
    ),
    ("above the value", lambda w, v: {"amount": "10000.01"}, "above_value", "at most 10000.00 EUR"),
    ("negative", lambda w, v: {"amount": "-5"}, "amount_not_positive", "more than zero"),
    ("not a number", lambda w, v: {"amount": "tienduizend"}, "amount_invalid", "is not an amount"),
    ("three decimals", lambda w, v: {"amount": "99.999"}, "amount_too_precise", "at most two decimals"),
]


@pytest.mark.parametrize(("name", "change", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_redemption_is_refused_audited_and_changes_nothing(
    world: World,
    invoiced: Voucher,
    name: str,
    change: Callable[[World, Voucher], dict[str, Any]],
    code: str,
    message: str,
) -> None:
    attempt: dict[str, Any] = {
        "scheme": world.scheme,
        "code": invoiced.code,
        "provider": world.provider,
        "amount": "10000.00",
        "by": world.provider_user,
    }
    attempt.update(change(world, invoiced))
    before = Voucher.objects.values().get(pk=invoiced.pk)
    with pytest.raises(VoucherRefused) as refused:
        services.voucher_redeem(**attempt)
    assert refused.value.code == code
    assert message in refused.value.message
    assert Voucher.objects.values().get(pk=invoiced.pk) == before
    assert not Redemption.objects.exists()
    audit = VoucherEvent.objects.filter(kind="refused", action="redeem").get()
    assert audit.code == code and audit.actor == attempt["by"] and audit.message == refused.value.message
    assert audit.data["code"] == str(attempt["code"])
    if code in {"wrong_provider", "above_value"}:
        assert audit.voucher == invoiced


def test_a_redemption_after_expiry_is_refused_and_audited(world: World, invoiced: Voucher) -> None:
    Voucher.objects.filter(pk=invoiced.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(VoucherRefused) as refused:
        services.voucher_redeem(
            scheme=world.scheme,
            code=invoiced.code or "",
            provider=world.provider,
            amount="1",
            by=world.provider_user,
        )
    assert refused.value.code == "expired" and "expired on" in refused.value.message
    assert VoucherEvent.objects.filter(kind="refused", code="expired", voucher=invoiced).count() == 1


def test_a_code_is_read_forgivingly(world: World, invoiced: Voucher) -> None:
    assert invoiced.code
    sloppy = invoiced.code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    redemption = services.voucher_redeem(
        scheme=world.scheme, code=sloppy, provider=world.provider, amount="10000", by=world.provider_user
    )
    assert redemption.voucher == invoiced


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-100", "amount_not_positive"),
        ("0", "amount_not_positive"),
        ("abc", "amount_invalid"),
        ("1,5", "amount_invalid"),
        ("NaN", "amount_invalid"),
        ("Infinity", "amount_invalid"),
        ("12.345", "amount_too_precise"),
        ("", "amount_invalid"),
        (1.5, "amount_invalid"),
        ("99999999999", "amount_too_large"),
    ],
)
def test_an_invoice_with_a_bad_amount_is_refused(world: World, amount: Any, code: str) -> None:
    voucher = advance(world, world.request(by=world.sme_user), Status.DELIVERED)
    before = Voucher.objects.values().get(pk=voucher.pk)
    with pytest.raises(VoucherRefused) as refused:
        services.voucher_invoice(voucher=voucher, amount=amount, invoice_number="F-9", by=world.provider_user)
    assert refused.value.code == code and refused.value.field == "amount"
    assert Voucher.objects.values().get(pk=voucher.pk) == before


def test_parse_amount_accepts_what_it_should() -> None:
    assert services.parse_amount("9500") == Decimal("9500.00")
    assert services.parse_amount(" 9500.5 ") == Decimal("9500.50")
    assert services.parse_amount(Decimal("12.30")) == Decimal("12.30")
    assert services.parse_amount(7) == Decimal("7.00")
    assert services.parse_amount("1.000") == Decimal("1.00"), "trailing zeros are not extra precision"


# --- codes ---------------------------------------------------------------------------------------------


def test_codes_are_unique_unguessable_and_check_themselves() -> None:
    made = {codes.generate("fokus") for _ in range(2000)}
    assert len(made) == 2000
    for code in list(made)[:50]:
        parsed = codes.parse(code)
        assert parsed.problem == "" and codes.prefix_matches(parsed, "fokus")
        assert parsed.canonical("fokus") == code
    assert codes.RANDOM_LENGTH * 5 >= 75, "at least 75 random bits"


@settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0, max_value=15), replacement=st.sampled_from(codes.ALPHABET))
def test_every_single_mistyped_character_is_caught(position: int, replacement: str) -> None:
    code = codes.format_code("fokus", "7K3MQ9TX2HBDR4W" + codes.check_character("7K3MQ9TX2HBDR4W"))
    body = list(codes.parse(code).body)
    if body[position] == replacement:
        return
    body[position] = replacement
    assert codes.parse("FOKUS" + "".join(body)).problem == "mistyped"
