"""The rounding rule of the findings engine: a difference within the summed rounding uncertainty of the
figures involved is never a finding, a larger one always is; shares, rates, the same quantity in two
places, bounds and dates follow the same rule."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from deltaregio.finance.findings import (
    AtMost,
    DateFigure,
    DateInside,
    Figure,
    RateOf,
    Report,
    SameQuantity,
    Severity,
    ShareOf,
    SourceRef,
    SumOf,
    WithinBounds,
    half_last_digit,
    plain,
)

HERE = SourceRef("test.txt", "line 1")


def fig(value: str, unit: str = "MEUR", u: str = "0.5", label: str = "x") -> Figure:
    return Figure(label, Decimal(value), unit, HERE, text=value, uncertainty=Decimal(u))


def rounded(value: Decimal, unit: Decimal, mode: str) -> Decimal:
    return (value / unit).quantize(Decimal(1), rounding=mode) * unit


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.decimals(min_value=0, max_value=10_000, places=3), min_size=1, max_size=12),
    unit=st.sampled_from([Decimal("0.01"), Decimal(1), Decimal(1000)]),
    mode=st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN]),
)
def test_sums_of_honestly_rounded_figures_are_never_findings(
    parts: list[Decimal], unit: Decimal, mode: str
) -> None:
    """Round true parts and their true total each to the unit, as a document would print them: the
    relation may be off, but never by more than the rule allows."""
    total = sum(parts, Decimal(0))
    u = str(unit / 2)
    relation = SumOf(
        "k",
        "table-row-sum",
        "test",
        fig(str(rounded(total, unit, mode)), u=u),
        tuple(fig(str(rounded(p, unit, mode)), u=u) for p in parts),
    )
    outcome = relation.evaluate()
    assert outcome is None or outcome.within_rounding


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=10),
    error=st.integers(min_value=1, max_value=50),
)
def test_a_difference_beyond_the_rounding_is_always_a_finding(parts: list[int], error: int) -> None:
    n = len(parts) + 1  # the parts and the total, each ±0.5
    wrong_total = sum(parts) + n // 2 + error  # more than n × 0.5 away
    relation = SumOf("k", "table-row-sum", "test", fig(str(wrong_total)), tuple(fig(str(p)) for p in parts))
    outcome = relation.evaluate()
    assert outcome is not None and not outcome.within_rounding
    assert Decimal(outcome.tolerance) == Decimal(n) / 2


def test_sum_reports_expected_actual_difference_and_sources() -> None:
    outcome = SumOf("k", "r", "What", fig("240"), (fig("58"), fig("118"), fig("24"), fig("39"))).evaluate()
    assert outcome is not None
    assert (outcome.expected, outcome.actual, outcome.difference, outcome.tolerance) == (
        "239",
        "240",
        "1",
        "2.5",
    )
    assert outcome.within_rounding
    assert all(f.source == HERE for f in outcome.figures)
    assert SumOf("k", "r", "What", fig("4"), (fig("1"), fig("3"))).evaluate() is None  # exact: nothing to say


def test_exact_figures_have_no_tolerance() -> None:
    outcome = SumOf("k", "r", "w", fig("100.00", "EUR", "0"), (fig("99.99", "EUR", "0"),)).evaluate()
    assert outcome is not None and not outcome.within_rounding and outcome.difference == "0.01"


def test_sum_converts_money_units_exactly() -> None:
    outcome = SumOf(
        "k", "r", "w", fig("1", "MEUR", "0"), (fig("600", "kEUR", "0"), fig("400000", "EUR", "0"))
    ).evaluate()
    assert outcome is None


def test_share_of_an_amount() -> None:
    total = fig("4294998.60", "EUR", "0.005")
    ok = ShareOf(
        "k", "r", "WP 5", fig("54.54", "%", "0.005"), fig("2342473.60", "EUR", "0.005"), total
    ).evaluate()
    assert ok is not None and ok.within_rounding  # 54.5396 %
    wrong = ShareOf(
        "k", "r", "WP 5", fig("55.54", "%", "0.005"), fig("2342473.60", "EUR", "0.005"), total
    ).evaluate()
    assert wrong is not None and not wrong.within_rounding


def test_rate_of_a_basis() -> None:
    hermes = RateOf(
        "k", "r", "Hermes", fig("267", "kEUR"), fig("15", "%", "0"), fig("1783", "kEUR")
    ).evaluate()
    assert hermes is not None and hermes.within_rounding and hermes.expected == "267.45"
    off = RateOf("k", "r", "Hermes", fig("260", "kEUR"), fig("15", "%", "0"), fig("1783", "kEUR")).evaluate()
    assert off is not None and not off.within_rounding


def test_same_quantity_in_different_money_units() -> None:
    outcome = SameQuantity("k", "same-quantity", "HTSM", (fig("75", "BEUR"), fig("75484", "MEUR"))).evaluate()
    assert outcome is not None and outcome.within_rounding and outcome.unit == "MEUR"
    assert (outcome.expected, outcome.actual, outcome.tolerance) == ("75000", "75484", "500.5")


def test_same_quantity_counts_are_exact_and_other_units_are_not_compared() -> None:
    smes = SameQuantity(
        "k",
        "same-quantity",
        "SMEs",
        (fig("150", "kmo's", "0"), fig("200", "kmo's", "0")),
        severity=Severity.NOTICE,
    ).evaluate()
    assert smes is not None and not smes.within_rounding and smes.difference == "50"
    assert (
        SameQuantity("k", "same-quantity", "x", (fig("1", "jaar", "0"), fig("2", "labs", "0"))).evaluate()
        is None
    )


def test_bounds_and_dates() -> None:
    negative = WithinBounds("k", "r", "Energie", fig("-1"), minimum=Decimal(0)).evaluate()
    assert negative is not None and negative.severity == Severity.IMPOSSIBLE and not negative.within_rounding
    share = WithinBounds(
        "k", "r", "share", fig("100.3", "%", "0.5"), minimum=Decimal(0), maximum=Decimal(100)
    ).evaluate()
    assert share is not None and share.within_rounding  # 100.3 printed ±0.5 may be 100
    start, end = DateFigure("start", dt.date(2018, 5, 1), HERE), DateFigure("end", dt.date(2021, 4, 30), HERE)
    inside = DateInside(
        "k", "r", "WP 1", DateFigure("WP 1", dt.date(2019, 5, 1), HERE), start, end
    ).evaluate()
    assert inside is None
    late = DateInside("k", "r", "WP 1", DateFigure("WP 1", dt.date(2021, 6, 30), HERE), start, end).evaluate()
    assert late is not None and late.difference == "61" and late.unit == "days"


def test_at_most() -> None:
    over = AtMost(
        "k", "r", "rates", (fig("60", "%", "0"), fig("50", "%", "0")), fig("100", "%", "0")
    ).evaluate()
    assert over is not None and over.severity == Severity.IMPOSSIBLE and over.difference == "10"
    assert (
        AtMost("k", "r", "rates", (fig("50", "%", "0"), fig("50", "%", "0")), fig("100", "%", "0")).evaluate()
        is None
    )


def test_report_orders_and_counts() -> None:
    report = Report()
    report.add(
        SameQuantity(
            "b", "same-quantity", "n", (fig("1", "x", "0"), fig("2", "x", "0")), severity=Severity.NOTICE
        )
    )
    report.add(SumOf("a", "r", "w", fig("10", u="0"), (fig("1", u="0"),)))
    report.add(WithinBounds("c", "r", "w", fig("-5", u="0"), minimum=Decimal(0)))
    report.add(SumOf("d", "r", "w", fig("2"), (fig("1"), fig("1"))))
    report.sort()
    assert [f.key for f in report.findings] == ["c", "a", "b"]
    assert (report.checked, report.exact) == (4, 1)
    data = report.as_dict()
    assert data["summary"]["findings"] == 3 and data["summary"]["by_severity"]["impossible"] == 1


def test_published_precision_helpers() -> None:
    assert half_last_digit(Decimal("267.00")) == Decimal("0.5")
    assert half_last_digit(Decimal("4.4")) == Decimal("0.05")
    assert plain(Decimal("267.00")) == "267" and plain(Decimal("0.0300")) == "0.03"
