"""Value parsers: European and Dutch numbers, float noise, dates, codes, names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deltaregio.imports.codes import nuts_code, parse_country, parse_org_id
from deltaregio.imports.matching import normalise_name
from deltaregio.imports.parsers import (
    ParseError,
    escape_cell,
    looks_like_formula,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_money,
    parse_percent,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("€ 1.234,56", "1234.56"),
        ("€ 1090141.18", "1090141.18"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1.234.567", "1234567"),
        ("1,234,567.5", "1234567.5"),
        ("-12,5", "-12.5"),
        ("EUR 12", "12"),
        ("1234,567", "1234.567"),
        ("0,125", "0.125"),
    ],
)
def test_numbers(text: str, expected: str) -> None:
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "1,234", "1.2.3,4", "12,34,5", "", "--1"])
def test_numbers_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse_decimal(text)


def test_an_ambiguous_number_reads_with_the_profiles_separator() -> None:
    assert parse_decimal("1,234", decimal=",") == Decimal("1.234")
    assert parse_decimal("1,234", decimal=".") == Decimal("1234")


def test_float_noise_is_rounded_to_the_cent_and_large_roundings_are_flagged() -> None:
    noise = parse_money("49999.99999998")
    assert noise.amount == Decimal("50000.00") and not noise.rounding_reported
    real = parse_money("12.345", decimal=".")
    assert real.amount == Decimal("12.35") and real.rounding_reported
    assert parse_money(626199.99999984).amount == Decimal("626200.00")


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_dutch_formatting_round_trips(value: Decimal) -> None:
    sign = "-" if value < 0 else ""
    integer, _dot, fraction = f"{abs(value):.2f}".partition(".")
    groups = f"{int(integer):,}".replace(",", ".")
    assert parse_money(f"€ {sign}{groups},{fraction}").amount == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.05.2024", "2024-05-31"),
        ("31.05.2024 00:00", "2024-05-31"),
        ("17/08/2015", "2015-08-17"),
        ("1-4-2008", "2008-04-01"),
        ("2015-06-01T00:00:00+00:00", "2015-06-01"),
        ("1 april 2008", "2008-04-01"),
        ("3 mei 2019", "2019-05-03"),
    ],
)
def test_dates(text: str, expected: str) -> None:
    assert parse_date(text).isoformat() == expected


@pytest.mark.parametrize("text", ["31.02.2021", "2021-13-01", "yesterday", "13.11.2019 10:30"])
def test_dates_refused(text: str) -> None:
    with pytest.raises(ParseError):
        parse_date(text)


def test_datetime_keeps_the_time() -> None:
    assert parse_datetime("13.11.2019 10:30") == dt.datetime(2019, 11, 13, 10, 30)


def test_percent_of_one() -> None:
    assert parse_percent(0.4, fraction=True) == Decimal("40.00")
    assert parse_percent("40 %") == Decimal("40.00")
    with pytest.raises(ParseError):
        parse_percent("140")


def test_formulas_and_escaping() -> None:
    for payload in ["=1+1", "+cmd|' /C calc'!A0", "-2+3+cmd", "@SUM(A1)", "\t=1"]:
        assert looks_like_formula(payload)
        assert escape_cell(payload).startswith("'")
    assert not looks_like_formula("-12,5") and not looks_like_formula("Sirris")
    assert escape_cell("Sirris") == "Sirris" and escape_cell(12) == 12


@pytest.mark.django_db
def test_countries() -> None:
    assert [
        parse_country(v) for v in ["Sverige", "SE", "SWE", "België", "United Kingdom", "UK", "EL", "Norge"]
    ] == [
        "SE",
        "SE",
        "SE",
        "BE",
        "GB",
        "GB",
        "GR",
        "NO",
    ]
    with pytest.raises(ParseError):
        parse_country("Atlantis")


def test_nuts_names_offline() -> None:
    assert nuts_code("Västerbottens län", country="SE") == "SE331"
    assert nuts_code("Övre Norrland", country="SE") == "SE33"
    assert nuts_code("Provincie Limburg", country="BE") == "BE22"
    assert nuts_code("Limburg", country="NL") == "NL42"
    assert nuts_code("BE223 Arr. Tongeren") == "BE223"
    assert nuts_code("Stad Gent", country="BE") is None


def test_org_ids() -> None:
    assert parse_org_id("GB-COH-IP28755R") == ("GB-COH", "IP28755R")
    assert parse_org_id("360G-wolfson:org-13177") == ("360G-wolfson:org", "13177")
    with pytest.raises(ParseError):
        parse_org_id("GB-COH-n/a")


def test_names_that_match() -> None:
    same = [
        (
            "Vlaamse Instelling voor Technologisch Onderzoek (VITO)",
            "Vlaamse Instelling voor technologisch Onderzoek - VITO",
        ),
        ("VOKA - Kamer van Koophandel Oost-Vlaanderen", "VOKA-Kamer van Koophandel Oost-Vlaanderen"),
        ("Vlaamse Landmaatschappij", "Vlaamse Landmaatschappij VLM"),
        ("Lindholmen Science Park AB", "Lindholmen Science Park"),
    ]
    for a, b in same:
        assert normalise_name(a) == normalise_name(b)
    assert normalise_name("Universiteit Hasselt - Instituut EDM") != normalise_name(
        "Universiteit Hasselt – Instituut CMK"
    )
