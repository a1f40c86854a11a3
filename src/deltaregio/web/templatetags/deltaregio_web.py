"""Presentation of published figures: numbers in the reader's language, amounts with their unit (never
converted), dates with the precision the source gives, and the provenance of a record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language_from_path

from deltaregio.sources.models import Unit

register = template.Library()


def _plain(value: Decimal) -> Decimal:
    """The value without trailing zeros after the decimal point (267.00 → 267, 2.50 → 2.5)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


@register.filter
def number(value: Any, places: int | None = None) -> str:
    """A number in the active language's notation, with thousands grouping ("4.294.998,60" in Dutch).
    Without places, trailing zeros are dropped; with places, exactly that many decimals are shown."""
    if value is None or value == "":
        return ""
    decimal = value if isinstance(value, Decimal) else Decimal(str(value))
    if places is None:
        return number_format(_plain(decimal), use_l10n=True, force_grouping=True)
    return number_format(decimal, decimal_pos=int(places), use_l10n=True, force_grouping=True)


@register.filter
def unit_label(unit: str) -> str:
    """The unit's name in the active language ("million euro"); an unknown unit is shown as it is."""
    try:
        return str(Unit(unit).label)
    except ValueError:
        return unit


@register.filter
def money(value: Any, unit: str = Unit.EUR) -> str:
    """An amount with its published unit: euro amounts with two decimals, larger units as published
    (2147499.30 EUR → "2.147.499,30 euro"; 267 kEUR → "267 duizend euro"). Units are never converted."""
    if value is None or value == "":
        return ""
    amount = number(value, 2) if unit == Unit.EUR else number(value)
    return f"{amount} {unit_label(unit)}"


@register.filter
def percent(value: Any) -> str:
    """A share in percent with two decimals, as published ("54,54 %")."""
    if value is None or value == "":
        return ""
    return f"{number(value, 2)} %"


@register.filter
def precise_date(value: dt.date | None, precision: str = "day") -> str:
    """A date shown only as precisely as the source gives it: day, month or year."""
    if value is None:
        return ""
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return date_format(value, "YEAR_MONTH_FORMAT")
    return date_format(value, "DATE_FORMAT")


@register.filter
def datetime_attr(value: dt.date | None, precision: str = "day") -> str:
    """The machine-readable value for <time datetime=…>, as precise as the date is known."""
    if value is None:
        return ""
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


@register.inclusion_tag("web/includes/source.html")
def source(record: Any, compact: bool = False) -> dict[str, Any]:
    """Where a record was taken from: the document and the place in it."""
    return {
        "document": getattr(record, "source_document", ""),
        "location": getattr(record, "source_location", ""),
        "compact": compact,
    }


@register.simple_tag
def path_without_language(request: HttpRequest) -> str:
    """The current address without its language prefix ("/en/themes/x/" → "/themes/x/"), for the
    language switcher: Django's set_language turns that address into the one for the chosen language,
    which it cannot do from an address prefixed with another language."""
    full_path = request.get_full_path()
    language = get_language_from_path(request.path_info)
    prefix = f"/{language}/" if language else ""
    if prefix and full_path.startswith(prefix):
        return full_path[len(prefix) - 1 :]
    return full_path
