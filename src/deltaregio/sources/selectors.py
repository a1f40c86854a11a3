"""Reads for provenance: the documents, the statements, and where statements disagree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from deltaregio.sources.models import UNIT_FACTOR, SourceDocument, Statement


def document_list() -> QuerySet[SourceDocument]:
    return SourceDocument.objects.order_by("file_name")


def statement_list() -> QuerySet[Statement]:
    return Statement.objects.order_by("key", "source_document", "source_location")


@dataclass(frozen=True)
class Disagreement:
    key: str
    subject: str
    statements: list[Statement]
    within_rounding: bool = False
    """True when the values differ only as much as their published rounding allows (each figure
    rounded to its last printed digit carries half a unit of uncertainty)."""


def _in_base_unit(statement: Statement) -> tuple[Decimal, Decimal] | None:
    """The statement's value and its rounding uncertainty, in euro for money units; None without a value.
    Counts, years and other units are exact: only money is taken to be rounded to its last digit."""
    if statement.value is None:
        return None
    if statement.unit not in UNIT_FACTOR:
        return statement.value, Decimal(0)
    factor = UNIT_FACTOR[statement.unit]  # type: ignore[index]
    exponent = statement.value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    half_unit = Decimal(1).scaleb(-decimals) / 2
    return statement.value * factor, half_unit * factor


def disagreements() -> list[Disagreement]:
    """Quantities stated in several places with different values (or texts, where there is no value).

    Money is compared in euro whatever unit it was published in; a difference no larger than the
    published rounding allows is still listed, marked within_rounding."""
    groups: dict[str, list[Statement]] = {}
    for statement in statement_list():
        groups.setdefault(statement.key, []).append(statement)
    result = []
    for key, statements in groups.items():
        if len(statements) < 2:
            continue
        measured = [_in_base_unit(s) for s in statements]
        if all(m is not None for m in measured) and len({s.unit in UNIT_FACTOR for s in statements}) == 1:
            values = [m for m in measured if m is not None]
            low = min(values, key=lambda m: m[0])
            high = max(values, key=lambda m: m[0])
            if high[0] == low[0]:
                continue
            within = high[0] - low[0] <= high[1] + low[1]
            result.append(Disagreement(key, statements[0].subject, statements, within_rounding=within))
        elif len({s.value_text.strip().lower() for s in statements}) > 1:
            result.append(Disagreement(key, statements[0].subject, statements))
    return result
