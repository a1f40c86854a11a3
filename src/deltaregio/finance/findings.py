"""Consistency findings: figures with their rounding, the relations that must hold between them, and the
finding a relation yields when it does not hold.

A figure published rounded to a unit u is uncertain by u/2; a relation between figures is violated only
when the difference is larger than the sum of the uncertainties of every figure it involves (each part,
and the stated total too). A difference within that sum is reported as "within rounding", not as a
finding. The rules that build relations from the data are in checks.py; docs/finance-checks.md explains
them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from deltaregio.sources.models import UNIT_FACTOR, Unit

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Severity:
    """How serious a finding is; findings are listed most serious first."""

    IMPOSSIBLE = "impossible"  # a value that cannot be: a negative contribution, a share above 100 %
    DISAGREEMENT = "disagreement"  # money figures that must agree and differ by more than rounding
    NOTICE = "notice"  # another quantity (a count, a year) stated differently in two places

    RANK = {IMPOSSIBLE: 0, DISAGREEMENT: 1, NOTICE: 2}

    @classmethod
    def label(cls, severity: str) -> str:
        return {
            cls.IMPOSSIBLE: _("impossible value"),
            cls.DISAGREEMENT: _("figures disagree"),
            cls.NOTICE: _("stated differently"),
        }.get(severity, severity)


class Visibility:
    """Who may see a finding: everyone (published figures), those who see all of a project's budget
    lines (officers, the lead partner), or those who see one partner's lines (and that partner)."""

    PUBLIC = "public"
    PROJECT_LINES = "project_lines"
    PARTNER_LINES = "partner_lines"


@dataclass(frozen=True)
class SourceRef:
    """Where a figure comes from: a document and the place in it, or the screen or file and the row
    where a user entered it."""

    document: str
    location: str

    def as_dict(self) -> dict[str, str]:
        return {"document": self.document, "location": self.location}


@dataclass(frozen=True)
class Figure:
    """A number as one place states it, in its own unit, with the uncertainty its rounding gives."""

    label: str
    value: Decimal
    unit: str
    source: SourceRef
    text: str = ""
    uncertainty: Decimal = ZERO

    def converted(self, unit: str) -> tuple[Decimal, Decimal]:
        """The value and uncertainty in another money unit (exact decimal arithmetic)."""
        if unit == self.unit:
            return self.value, self.uncertainty
        factor = UNIT_FACTOR[self.unit] / UNIT_FACTOR[unit]  # type: ignore[index]
        return self.value * factor, self.uncertainty * factor

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": plain(self.value),
            "text": self.text or plain(self.value),
            "unit": self.unit,
            "uncertainty": plain(self.uncertainty),
            "source": self.source.as_dict(),
        }


@dataclass(frozen=True)
class DateFigure:
    """A date as one place states it."""

    label: str
    value: dt.date
    source: SourceRef
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value.isoformat(),
            "text": self.text or self.value.isoformat(),
            "unit": "date",
            "uncertainty": "0",
            "source": self.source.as_dict(),
        }


@dataclass(frozen=True)
class Context:
    """What a finding is about, and who may see it."""

    project: str = ""  # project slug
    programme: str = ""  # instrument code
    visibility: str = Visibility.PUBLIC
    partner_id: int | None = None


@dataclass(frozen=True)
class Finding:
    """The outcome of a relation that does not hold exactly."""

    key: str
    rule: str
    severity: str
    message: str
    figures: tuple[Figure | DateFigure, ...]
    expected: str
    actual: str
    difference: str
    tolerance: str
    unit: str
    within_rounding: bool
    explanation: str
    context: Context = field(default_factory=Context)
    size: Decimal = ZERO  # the relative size of the difference, to order findings

    @property
    def severity_label(self) -> str:
        return Severity.label(self.severity)

    @property
    def project(self) -> str:
        return self.context.project

    @property
    def programme(self) -> str:
        return self.context.programme

    def sort_key(self) -> tuple[int, Decimal, str]:
        return (Severity.RANK.get(self.severity, 9), -self.size, self.key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rule": self.rule,
            "severity": self.severity,
            "within_rounding": self.within_rounding,
            "message": self.message,
            "project": self.context.project or None,
            "programme": self.context.programme or None,
            "expected": self.expected,
            "actual": self.actual,
            "difference": self.difference,
            "tolerance": self.tolerance,
            "unit": self.unit,
            "explanation": self.explanation,
            "figures": [figure.as_dict() for figure in self.figures],
        }


# --- numbers --------------------------------------------------------------------------------------


def plain(value: Decimal) -> str:
    """An exact decimal as text without trailing zeros (267.00 → "267", 0.030 → "0.03")."""
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def shown(value: Decimal, places: int = 6) -> Decimal:
    """A calculated value rounded for display only (a share of 10.0287437… → 10.028744); verdicts are
    always taken on the unrounded value."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -places:
        return value
    return value.quantize(Decimal(1).scaleb(-places))


def local(value: Decimal) -> str:
    """A number in the active language's notation, for messages."""
    value = shown(value)
    return str(number_format(Decimal(plain(value)), use_l10n=True, force_grouping=True))


def half_last_digit(value: Decimal) -> Decimal:
    """Half the unit of the last non-zero digit after the decimal point; 0.5 for a whole number.

    The database keeps no trailing zeros of the printed text, so this is never smaller than the printed
    precision: "267" → 0.5, "4.4" → 0.05, "2147499.30" → 0.05."""
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Decimal(1).scaleb(-decimals) / 2


def published_uncertainty(value: Decimal, unit: str) -> Decimal:
    """The rounding uncertainty of an amount stored on a record: euro amounts are published to the cent
    (u = 0.01); amounts in thousands, millions or billions to their last printed digit."""
    if unit == Unit.EUR:
        return Decimal("0.005")
    return half_last_digit(value)


def smallest_unit(units: Iterable[str]) -> str:
    present = [u for u in units if u in UNIT_FACTOR]
    return min(present, key=lambda u: UNIT_FACTOR[u]) if present else ""  # type: ignore[index]


def unit_text(unit: str) -> str:
    return "%" if unit == "%" else unit


def _size(difference: Decimal, *values: Decimal) -> Decimal:
    scale = max((abs(v) for v in values), default=ZERO)
    if scale == 0:
        return abs(difference)
    return abs(difference) / scale


def _tolerance_explanation(figures: Sequence[Figure], unit: str, tolerance: Decimal) -> str:
    rounded = [f for f in figures if f.uncertainty]
    if not rounded:
        return _("All figures are exact (entered, or stated without rounding): any difference counts.")
    if len(rounded) == len(figures):
        return _(
            "Every figure is rounded; each carries half its rounding unit, so the difference may be up to "
            "%(tolerance)s %(unit)s without anything being wrong."
        ) % {"tolerance": local(tolerance), "unit": unit_text(unit)}
    return _(
        "%(rounded)d of the %(count)d figures are rounded; each carries half its rounding unit, so the "
        "difference may be up to %(tolerance)s %(unit)s without anything being wrong."
    ) % {
        "rounded": len(rounded),
        "count": len(figures),
        "tolerance": local(tolerance),
        "unit": unit_text(unit),
    }


# --- relations ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SumOf:
    """A stated total must equal the sum of its parts (rows, columns, work packages, partners)."""

    key: str
    rule: str
    what: str  # "Tabel 5, column 2023: Beoogd/Met groeifonds"
    total: Figure
    parts: tuple[Figure, ...]
    context: Context = field(default_factory=Context)
    severity: str = Severity.DISAGREEMENT

    def evaluate(self) -> Finding | None:
        unit = smallest_unit([self.total.unit, *(p.unit for p in self.parts)]) or self.total.unit
        total, total_u = (
            self.total.converted(unit) if unit in UNIT_FACTOR else (self.total.value, self.total.uncertainty)
        )
        expected = ZERO
        tolerance = total_u
        for part in self.parts:
            value, u = part.converted(unit) if unit in UNIT_FACTOR else (part.value, part.uncertainty)
            expected += value
            tolerance += u
        difference = total - expected
        if difference == 0:
            return None
        within = abs(difference) <= tolerance
        message = _(
            "%(what)s: the parts add up to %(expected)s %(unit)s, the stated total is %(actual)s "
            "(difference %(difference)s)."
        ) % {
            "what": self.what,
            "expected": local(expected),
            "actual": local(total),
            "difference": local(difference),
            "unit": unit_text(unit),
        }
        return Finding(
            key=self.key,
            rule=self.rule,
            severity=self.severity,
            message=message,
            figures=(self.total, *self.parts),
            expected=plain(expected),
            actual=plain(total),
            difference=plain(difference),
            tolerance=plain(tolerance),
            unit=unit,
            within_rounding=within,
            explanation=_tolerance_explanation((self.total, *self.parts), unit, tolerance),
            context=self.context,
            size=_size(difference, expected, total),
        )


@dataclass(frozen=True)
class ShareOf:
    """A stated share (in %) must match amount / total × 100."""

    key: str
    rule: str
    what: str
    share: Figure
    amount: Figure
    total: Figure
    context: Context = field(default_factory=Context)
    severity: str = Severity.DISAGREEMENT

    def evaluate(self) -> Finding | None:
        unit = smallest_unit([self.amount.unit, self.total.unit])
        amount, amount_u = self.amount.converted(unit)
        total, total_u = self.total.converted(unit)
        if total == 0:
            return None
        expected = amount / total * HUNDRED
        difference = self.share.value - expected
        if difference == 0:
            return None
        tolerance = (
            self.share.uncertainty
            + HUNDRED * amount_u / abs(total)
            + HUNDRED * abs(amount) * total_u / (total * total)
        )
        within = abs(difference) <= tolerance
        message = _(
            "%(what)s: %(amount)s of %(total)s %(unit)s is %(expected)s %%; "
            "the stated share is %(actual)s %%."
        ) % {
            "what": self.what,
            "amount": local(amount),
            "total": local(total),
            "unit": unit_text(unit),
            "expected": local(shown(expected, 4)),
            "actual": local(self.share.value),
        }
        figures = (self.share, self.amount, self.total)
        return Finding(
            key=self.key,
            rule=self.rule,
            severity=self.severity,
            message=message,
            figures=figures,
            expected=plain(shown(expected)),
            actual=plain(self.share.value),
            difference=plain(shown(difference)),
            tolerance=plain(shown(tolerance)),
            unit="%",
            within_rounding=within,
            explanation=_tolerance_explanation(figures, "%", tolerance),
            context=self.context,
            size=_size(difference, expected, self.share.value),
        )


@dataclass(frozen=True)
class RateOf:
    """A stated amount must match rate × basis / 100 (a co-financing rate of a cost)."""

    key: str
    rule: str
    what: str
    amount: Figure
    rate: Figure
    basis: Figure
    context: Context = field(default_factory=Context)
    severity: str = Severity.DISAGREEMENT

    def evaluate(self) -> Finding | None:
        unit = smallest_unit([self.amount.unit, self.basis.unit])
        amount, amount_u = self.amount.converted(unit)
        basis, basis_u = self.basis.converted(unit)
        expected = basis * self.rate.value / HUNDRED
        difference = amount - expected
        if difference == 0:
            return None
        tolerance = (
            amount_u + basis_u * abs(self.rate.value) / HUNDRED + abs(basis) * self.rate.uncertainty / HUNDRED
        )
        within = abs(difference) <= tolerance
        message = _(
            "%(what)s: %(rate)s %% of %(basis)s %(unit)s is %(expected)s; the stated amount is %(actual)s."
        ) % {
            "what": self.what,
            "rate": local(self.rate.value),
            "basis": local(basis),
            "unit": unit_text(unit),
            "expected": local(expected),
            "actual": local(amount),
        }
        figures = (self.amount, self.rate, self.basis)
        return Finding(
            key=self.key,
            rule=self.rule,
            severity=self.severity,
            message=message,
            figures=figures,
            expected=plain(expected),
            actual=plain(amount),
            difference=plain(difference),
            tolerance=plain(tolerance),
            unit=unit,
            within_rounding=within,
            explanation=_tolerance_explanation(figures, unit, tolerance),
            context=self.context,
            size=_size(difference, expected, amount),
        )


@dataclass(frozen=True)
class SameQuantity:
    """The same quantity stated in several places (two tables, two documents, a target given twice)."""

    key: str
    rule: str
    what: str
    figures: tuple[Figure, ...]
    context: Context = field(default_factory=Context)
    severity: str = Severity.DISAGREEMENT

    def evaluate(self) -> Finding | None:
        units = {f.unit for f in self.figures}
        money = all(u in UNIT_FACTOR for u in units)
        if not money and len(units) > 1:
            return None  # different kinds of unit: not comparable as numbers
        unit = smallest_unit(units) if money else next(iter(units))
        measured = [(f.converted(unit) if money else (f.value, f.uncertainty), f) for f in self.figures]
        low = min(measured, key=lambda m: m[0][0])
        high = max(measured, key=lambda m: m[0][0])
        difference = high[0][0] - low[0][0]
        if difference == 0:
            return None
        tolerance = high[0][1] + low[0][1]
        within = difference <= tolerance
        places = ", ".join(
            _("%(value)s in %(where)s") % {"value": f.text or local(f.value), "where": _where(f.source)}
            for _m, f in measured
        )
        message = _("%(what)s is stated differently: %(places)s.") % {"what": self.what, "places": places}
        return Finding(
            key=self.key,
            rule=self.rule,
            severity=self.severity,
            message=message,
            figures=self.figures,
            expected=plain(low[0][0]),
            actual=plain(high[0][0]),
            difference=plain(difference),
            tolerance=plain(tolerance),
            unit=unit,
            within_rounding=within,
            explanation=_tolerance_explanation([low[1], high[1]], unit, tolerance),
            context=self.context,
            size=_size(difference, low[0][0], high[0][0]),
        )


@dataclass(frozen=True)
class WithinBounds:
    """A value that must lie between bounds: no negative contribution, no share above 100 %, no rate
    above the instrument's limit. A value outside only by its own rounding is "within rounding"."""

    key: str
    rule: str
    what: str
    figure: Figure
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    context: Context = field(default_factory=Context)
    severity: str = Severity.IMPOSSIBLE

    def evaluate(self) -> Finding | None:
        value, u = self.figure.value, self.figure.uncertainty
        if self.minimum is not None and value < self.minimum:
            bound, difference = self.minimum, value - self.minimum
            message = _("%(what)s is %(value)s %(unit)s, below the lowest possible value %(bound)s.")
        elif self.maximum is not None and value > self.maximum:
            bound, difference = self.maximum, value - self.maximum
            message = _("%(what)s is %(value)s %(unit)s, above the highest allowed value %(bound)s.")
        else:
            return None
        within = abs(difference) <= u
        return Finding(
            key=self.key,
            rule=self.rule,
            severity=self.severity,
            message=message
            % {
                "what": self.what,
                "value": local(value),
                "unit": unit_text(self.figure.unit),
                "bound": local(bound),
            },
            figures=(self.figure,),
            expected=plain(bound),
            actual=plain(value),
            difference=plain(difference),
            tolerance=plain(u),
            unit=self.figure.unit,
            within_rounding=within,
            explanation=_tolerance_explanation([self.figure], self.figure.unit, u),
            context=self.context,
            size=_size(difference, bound, value) + 1,  # impossible values before the others of their rank
        )


@dataclass(frozen=True)
class AtMost:
    """Parts that together may not exceed a limit: contributions above the project's cost, co-financing
    rates of one basis above 100 %."""

    key: str
    rule: str
    what: str
    parts: tuple[Figure, ...]
    limit: Figure
    context: Context = field(default_factory=Context)
    severity: str = Severity.IMPOSSIBLE

    def evaluate(self) -> Finding | None:
        units = [self.limit.unit, *(p.unit for p in self.parts)]
        unit = smallest_unit(units) or self.limit.unit
        money = unit in UNIT_FACTOR
        limit, tolerance = self.limit.converted(unit) if money else (self.limit.value, self.limit.uncertainty)
        total = ZERO
        for part in self.parts:
            value, u = part.converted(unit) if money else (part.value, part.uncertainty)
            total += value
            tolerance += u
        difference = total - limit
        if difference <= 0:
            return None
        within = difference <= tolerance
        message = _("%(what)s: together %(total)s %(unit)s, more than %(limit)s.") % {
            "what": self.what,
            "total": local(total),
            "unit": unit_text(unit),
            "limit": local(limit),
        }
        figures = (self.limit, *self.parts)
        return Finding(
            key=self.key,
            rule=self.rule,
            severity=self.severity,
            message=message,
            figures=figures,
            expected=plain(limit),
            actual=plain(total),
            difference=plain(difference),
            tolerance=plain(tolerance),
            unit=unit,
            within_rounding=within,
            explanation=_tolerance_explanation(figures, unit, tolerance),
            context=self.context,
            size=_size(difference, limit, total) + 1,
        )


@dataclass(frozen=True)
class DateInside:
    """A date that must lie within a period (a work package or milestone inside the project)."""

    key: str
    rule: str
    what: str
    date: DateFigure
    start: DateFigure | None
    end: DateFigure | None
    context: Context = field(default_factory=Context)
    severity: str = Severity.IMPOSSIBLE

    def evaluate(self) -> Finding | None:
        if self.start is not None and self.date.value < self.start.value:
            bound = self.start
            message = _("%(what)s (%(date)s) is before %(bound_label)s (%(bound)s).")
        elif self.end is not None and self.date.value > self.end.value:
            bound = self.end
            message = _("%(what)s (%(date)s) is after %(bound_label)s (%(bound)s).")
        else:
            return None
        days = (self.date.value - bound.value).days
        return Finding(
            key=self.key,
            rule=self.rule,
            severity=self.severity,
            message=message
            % {
                "what": self.what,
                "date": self.date.value.isoformat(),
                "bound_label": bound.label,
                "bound": bound.value.isoformat(),
            },
            figures=(self.date, bound),
            expected=bound.value.isoformat(),
            actual=self.date.value.isoformat(),
            difference=str(days),
            tolerance="0",
            unit="days",
            within_rounding=False,
            explanation=_("Dates are compared to the day."),
            context=self.context,
            size=Decimal(abs(days)) / Decimal(365) + 1,
        )


Relation = SumOf | ShareOf | RateOf | SameQuantity | WithinBounds | AtMost | DateInside


def _where(source: SourceRef) -> str:
    return f"{source.document}, {source.location}" if source.location else source.document


@dataclass
class Report:
    """The outcome of checking: the findings, what was within rounding, and how many relations held."""

    findings: list[Finding] = field(default_factory=list)
    within_rounding: list[Finding] = field(default_factory=list)
    checked: int = 0
    exact: int = 0

    def add(self, relation: Relation) -> None:
        self.checked += 1
        outcome = relation.evaluate()
        if outcome is None:
            self.exact += 1
        elif outcome.within_rounding:
            self.within_rounding.append(outcome)
        else:
            self.findings.append(outcome)

    def sort(self) -> Report:
        self.findings.sort(key=Finding.sort_key)
        self.within_rounding.sort(key=lambda f: f.key)
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": "deltaregio-budget-findings",
            "format_version": "1",
            "summary": {
                "relations_checked": self.checked,
                "agree_exactly": self.exact,
                "within_rounding": len(self.within_rounding),
                "findings": len(self.findings),
                "by_severity": {
                    severity: sum(1 for f in self.findings if f.severity == severity)
                    for severity in Severity.RANK
                },
            },
            "findings": [f.as_dict() for f in self.findings],
            "within_rounding": [f.as_dict() for f in self.within_rounding],
        }
