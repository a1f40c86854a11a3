"""Geometry of the report's server-rendered SVG charts (no JavaScript). Every chart is shown with a
table of the same numbers; the chart only draws what the table says."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

TENTH = Decimal("0.1")
#: Colours with at least 3:1 contrast against white, told apart by a pattern too.
SERIES = (("#154273", ""), ("#b35c00", "hatch"), ("#2e6b30", "dots"), ("#6a1b9a", ""))


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int
    width: Decimal
    text_x: Decimal


@dataclass(frozen=True)
class Bars:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]


def bars(items: list[tuple[str, Decimal, str]], *, width: int = 720, label_width: int = 240) -> Bars | None:
    """Horizontal bars for (label, value, text): the value sets the length, the text follows the bar."""
    shown = [(label, value, text) for label, value, text in items if value is not None and value >= 0]
    if not shown:
        return None
    bar_height, gap = 22, 12
    room = Decimal(width - label_width - 190)
    largest = max(value for _label, value, _text in shown) or Decimal(1)
    out = []
    for i, (label, value, text) in enumerate(shown):
        length = (Decimal(value) / Decimal(largest) * room).quantize(TENTH)
        out.append(Bar(label, text, 8 + i * (bar_height + gap), length, label_width + length + 6))
    return Bars(width, 16 + len(shown) * (bar_height + gap), label_width, bar_height, out)


@dataclass(frozen=True)
class Column:
    x: Decimal
    y: Decimal
    height: Decimal
    colour: str
    pattern: str
    value: int
    series: str
    width: Decimal


@dataclass(frozen=True)
class Group:
    label: str
    label_x: Decimal
    columns: list[Column]


@dataclass(frozen=True)
class Legend:
    name: str
    colour: str
    pattern: str
    x: int


@dataclass(frozen=True)
class Columns:
    width: int
    height: int
    base_y: int
    top_y: int
    groups: list[Group]
    legend: list[Legend]
    maximum: int


def columns(labels: list[str], series: list[tuple[str, list[int]]], *, width: int = 720) -> Columns | None:
    """Grouped columns: one group per label (a month), one column per series (requested, issued …)."""
    if not labels or not series:
        return None
    maximum = max((max(values) for _name, values in series if values), default=0)
    if maximum <= 0:
        return None
    top_y, base_y, left = 40, 220, 40
    room = Decimal(base_y - top_y)
    group_width = Decimal(width - left - 10) / Decimal(len(labels))
    column_width = min(Decimal(18), (group_width - 6) / Decimal(len(series)))
    groups = []
    for i, label in enumerate(labels):
        x0 = Decimal(left) + group_width * i + 3
        cols = []
        for j, (name, values) in enumerate(series):
            value = values[i]
            height = (Decimal(value) / Decimal(maximum) * room).quantize(TENTH)
            colour, pattern = SERIES[j % len(SERIES)]
            cols.append(
                Column(
                    (x0 + column_width * j).quantize(TENTH),
                    (Decimal(base_y) - height).quantize(TENTH),
                    height,
                    colour,
                    pattern,
                    value,
                    name,
                    (column_width - 2).quantize(TENTH),
                )
            )
        groups.append(Group(label, (x0 + column_width * len(series) / 2).quantize(TENTH), cols))
    legend = [
        Legend(name, SERIES[j % len(SERIES)][0], SERIES[j % len(SERIES)][1], left + j * 150)
        for j, (name, _values) in enumerate(series)
    ]
    return Columns(width, base_y + 40, base_y, top_y, groups, legend, maximum)
