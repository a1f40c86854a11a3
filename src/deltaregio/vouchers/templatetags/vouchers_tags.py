"""Template helpers of the voucher pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key], or "" when there is none (for counts keyed by step)."""
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return ""
