"""Numbers, amounts and dates as the reader sees them, and the roadmap geometry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from deltaregio.projects.models import WorkPackage
from deltaregio.web.roadmap import roadmap
from deltaregio.web.templatetags.deltaregio_web import datetime_attr, money, number, percent, precise_date
from deltaregio.web.views.common import parse_iso_date


@pytest.mark.parametrize(
    ("language", "value", "unit", "expected"),
    [
        ("nl", Decimal("4294998.60"), "EUR", "4.294.998,60 euro"),
        ("en", Decimal("4294998.60"), "EUR", "4,294,998.60 euro"),
        ("nl", Decimal("267"), "kEUR", "267 duizend euro"),
        ("nl", Decimal("2.50"), "MEUR", "2,5 miljoen euro"),
        ("en", Decimal("1273.00"), "MEUR", "1,273 million euro"),
        ("nl", Decimal("0.1"), "EUR", "0,10 euro"),
        ("nl", Decimal("12"), "XYZ", "12 XYZ"),
    ],
)
def test_money_keeps_the_published_unit(language: str, value: Decimal, unit: str, expected: str) -> None:
    with translation.override(language):
        assert money(value, unit) == expected


def test_empty_values_render_as_nothing() -> None:
    assert money(None, "EUR") == "" and number(None) == "" and percent(None) == ""


def test_percent_and_number() -> None:
    with translation.override("nl"):
        assert percent(Decimal("54.54")) == "54,54 %"
        assert number(Decimal("100.0")) == "100"
        assert number(Decimal("1783000"), 0) == "1.783.000"
    with translation.override("en"):
        assert percent(Decimal("54.54")) == "54.54 %"


def test_dates_are_shown_as_precisely_as_known() -> None:
    day = dt.date(2016, 11, 7)
    with translation.override("nl"):
        assert precise_date(day) == "7 november 2016"
        assert precise_date(day, "month") == "november 2016"
        assert precise_date(day, "year") == "2016"
    assert datetime_attr(day) == "2016-11-07"
    assert datetime_attr(day, "month") == "2016-11"
    assert datetime_attr(day, "year") == "2016"
    assert precise_date(None) == "" and datetime_attr(None) == ""


@pytest.mark.parametrize("text", ["2018-01-01", " 2018-01-01 "])
def test_iso_dates_parse(text: str) -> None:
    assert parse_iso_date(text) == dt.date(2018, 1, 1)


@pytest.mark.parametrize(
    "text", ["", "2018-1-1", "20180101", "2018-W01-1", "2018-02-30", "01-01-2018", "٢٠١٨-٠١-٠١"]
)
def test_other_texts_are_not_dates(text: str) -> None:
    assert parse_iso_date(text) is None


def wp(number: int, start: dt.date | None, end: dt.date | None) -> WorkPackage:
    return WorkPackage(number=number, title=f"WP{number}", start_date=start, end_date=end)


def test_roadmap_places_bars_on_a_year_axis() -> None:
    chart = roadmap(
        [wp(1, dt.date(2018, 1, 1), dt.date(2019, 1, 1)), wp(2, dt.date(2019, 1, 1), dt.date(2020, 1, 1))],
        project_start=dt.date(2018, 1, 1),
        project_end=dt.date(2020, 1, 1),
    )
    assert chart is not None
    assert [year.label for year in chart.years] == ["2018", "2019", "2020"]
    first, second = chart.bars
    assert first.x == chart.label_width
    assert abs(first.x + first.width - second.x) <= 0.2, "the second bar starts where the first ends"
    assert second.y > first.y
    assert chart.period_x == first.x
    assert chart.end_x <= chart.width
    assert all(bar.x + bar.width <= chart.end_x + 0.1 for bar in chart.bars)


def test_roadmap_skips_undated_packages_and_is_none_without_dates() -> None:
    assert roadmap([wp(1, None, None)], project_start=None, project_end=None) is None
    chart = roadmap(
        [wp(1, None, dt.date(2020, 1, 1)), wp(2, dt.date(2020, 3, 1), dt.date(2020, 3, 1))],
        project_start=None,
        project_end=None,
    )
    assert chart is not None and [bar.number for bar in chart.bars] == [2]
    assert chart.bars[0].width >= 2.0, "a one-day package is still visible"
    assert chart.period_x is None
