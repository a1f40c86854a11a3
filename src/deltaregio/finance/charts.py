"""Geometry of the server-rendered SVG charts (no JavaScript). Every chart is shown with its numbers in a
table too; the chart only draws what the table says. Amounts in different units are converted exactly
to one unit for the bars' lengths only; labels keep the published figure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

TENTH = Decimal("0.1")

# Colours with at least 3:1 contrast against white (WCAG 2.1 non-text contrast), told apart by pattern
# too (solid, hatched, dotted) for readers who do not see colour.
SERIES_STYLES = (
    ("#154273", ""),
    ("#b35c00", "hatch"),
    ("#2e6b30", "dots"),
    ("#6a1b9a", ""),
)


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int
    width: Decimal
    text_x: Decimal


@dataclass(frozen=True)
class HorizontalBars:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]


def horizontal_bars(items: list[tuple[str, Decimal, str]], *, width: int = 720) -> HorizontalBars | None:
    """Bars for (label, value, text) items: value sets the length, text is written after the bar."""
    shown = [(label, value, text) for label, value, text in items if value is not None and value >= 0]
    if not shown:
        return None
    label_width, bar_height, gap = 260, 22, 12
    room = width - label_width - 180
    largest = max(value for _l, value, _t in shown) or Decimal(1)
    bars = []
    for i, (label, value, text) in enumerate(shown):
        length = (value / largest * room).quantize(Decimal("0.1"))
        bars.append(Bar(label, text, 8 + i * (bar_height + gap), length, label_width + length + 6))
    return HorizontalBars(width, 16 + len(shown) * (bar_height + gap), label_width, bar_height, bars)


@dataclass(frozen=True)
class Column:
    x: Decimal
    y: Decimal
    height: Decimal
    colour: str
    pattern: str
    value: Decimal


@dataclass(frozen=True)
class ColumnGroup:
    label: str
    label_x: Decimal
    columns: list[Column]


@dataclass(frozen=True)
class Tick:
    y: Decimal
    label: str


@dataclass(frozen=True)
class LegendItem:
    name: str
    colour: str
    pattern: str
    x: int


@dataclass(frozen=True)
class GroupedColumns:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    left: int
    right: int
    groups: list[ColumnGroup]
    ticks: list[Tick]
    legend: list[LegendItem]
    unit: str
    column_width: Decimal


def _nice_step(largest: Decimal) -> Decimal:
    if largest <= 0:
        return Decimal(1)
    raw = largest / 5
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal("0.1")
    for factor in (1, 2, 5, 10):
        step = magnitude * factor
        if step >= raw:
            return step
    return magnitude * 10


def grouped_columns(
    categories: list[str], series: list[tuple[str, list[Decimal | None]]], *, unit: str, width: int = 760
) -> GroupedColumns | None:
    """Columns per category (a year) for each series (planned, realised): a missing value draws nothing."""
    values = [v for _name, vs in series for v in vs if v is not None]
    if not categories or not values:
        return None
    left, right, top, bottom, height = 64, 12, 44, 250, 280
    step = _nice_step(max(max(values), Decimal(0)))
    top_value = step * ((max(values) / step).to_integral_value(rounding="ROUND_CEILING") or 1)
    plot_height = Decimal(bottom - top)
    group_width = Decimal(width - left - right) / len(categories)
    column_width = min(Decimal(28), (group_width - 12) / max(len(series), 1))
    groups = []
    for i, category in enumerate(categories):
        start = left + group_width * i + (group_width - column_width * len(series)) / 2
        columns = []
        for s, (_name, vs) in enumerate(series):
            value = vs[i] if i < len(vs) else None
            if value is None or value < 0:
                continue
            h = (value / top_value * plot_height).quantize(Decimal("0.1"))
            colour, pattern = SERIES_STYLES[s % len(SERIES_STYLES)]
            columns.append(
                Column(
                    (start + column_width * s).quantize(TENTH), Decimal(bottom) - h, h, colour, pattern, value
                )
            )
        groups.append(
            ColumnGroup(category, (left + group_width * i + group_width / 2).quantize(TENTH), columns)
        )
    ticks = []
    tick = Decimal(0)
    while tick <= top_value:
        ticks.append(
            Tick(
                Decimal(bottom) - (tick / top_value * plot_height).quantize(Decimal("0.1")),
                f"{tick.normalize():f}",
            )
        )
        tick += step
    legend = [
        LegendItem(name, *SERIES_STYLES[s % len(SERIES_STYLES)], x=left + s * 220)
        for s, (name, _vs) in enumerate(series)
    ]
    return GroupedColumns(
        width,
        height,
        top,
        bottom,
        left,
        width - right,
        groups,
        ticks,
        legend,
        unit,
        column_width.quantize(Decimal("0.1")),
    )
