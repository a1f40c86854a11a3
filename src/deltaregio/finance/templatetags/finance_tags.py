"""Presentation helpers for the finance pages: figures of findings (numbers, dates, days) and cells of
budget grids, in the reader's language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import gettext as _

from deltaregio.web.templatetags.deltaregio_web import number

register = template.Library()


@register.filter
def figure(value: Any, unit: str = "") -> str:
    """A value of a finding in the reader's notation: a number with its unit, a date as it is."""
    if value is None or value == "":
        return "–"
    if unit == "date":
        return str(value)
    try:
        shown = number(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)
    if unit == "days":
        return _("%(days)s days") % {"days": shown}
    if unit == "%":
        return f"{shown} %"
    return f"{shown} {unit}".strip()


@register.filter
def amount(value: Any) -> str:
    """A euro amount with two decimals, or a dash for an empty cell."""
    if value is None or value == "":
        return "–"
    return number(value, 2)


@register.filter
def item(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
