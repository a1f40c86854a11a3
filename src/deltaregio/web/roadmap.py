"""Geometry of a project's roadmap: work packages as bars over time, for a server-rendered SVG Gantt
chart. Pure calculation on dates; the template draws it and gives the text alternative."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

WIDTH = 760
LABEL_WIDTH = 64
RIGHT_MARGIN = 16
AXIS_HEIGHT = 28
ROW_HEIGHT = 30
BAR_HEIGHT = 18


class Scheduled(Protocol):
    number: int
    title: str
    start_date: dt.date | None
    end_date: dt.date | None


@dataclass(frozen=True)
class Bar:
    number: int
    title: str
    start: dt.date
    end: dt.date
    x: float
    width: float
    y: float
    label_y: float


@dataclass(frozen=True)
class Year:
    """A calendar year on the time axis: its label, where it starts, and the middle for the label."""

    label: str
    x: float
    label_x: float


@dataclass(frozen=True)
class Roadmap:
    width: int
    height: int
    label_width: int
    axis_height: int
    bar_height: int
    bars: list[Bar]
    years: list[Year]
    end_x: float
    period_x: float | None
    period_width: float | None


def roadmap(
    work_packages: Iterable[Scheduled], *, project_start: dt.date | None, project_end: dt.date | None
) -> Roadmap | None:
    """The chart for the work packages that have a start and an end date, or None when none has."""
    dated = [wp for wp in work_packages if wp.start_date is not None and wp.end_date is not None]
    if not dated:
        return None
    starts = [wp.start_date for wp in dated if wp.start_date is not None]
    ends = [wp.end_date for wp in dated if wp.end_date is not None]
    if project_start is not None:
        starts.append(project_start)
    if project_end is not None:
        ends.append(project_end)
    first = dt.date(min(starts).year, 1, 1)
    last = dt.date(max(ends).year + 1, 1, 1)
    span = (last - first).days
    plot_width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN

    def x_of(day: dt.date) -> float:
        return round(LABEL_WIDTH + plot_width * (day - first).days / span, 1)

    bars = []
    for row, wp in enumerate(dated):
        assert wp.start_date is not None and wp.end_date is not None
        top = AXIS_HEIGHT + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        x = x_of(wp.start_date)
        bars.append(
            Bar(
                number=wp.number,
                title=wp.title,
                start=wp.start_date,
                end=wp.end_date,
                x=x,
                width=max(round(x_of(wp.end_date) - x, 1), 2.0),
                y=top,
                label_y=top + BAR_HEIGHT / 2 + 5,
            )
        )
    years = []
    for year in range(first.year, last.year):
        start, end = x_of(dt.date(year, 1, 1)), x_of(dt.date(year + 1, 1, 1))
        years.append(Year(str(year), start, round((start + end) / 2, 1)))
    period_x = period_width = None
    if project_start is not None and project_end is not None:
        period_x = x_of(project_start)
        period_width = round(x_of(project_end) - period_x, 1)
    return Roadmap(
        width=WIDTH,
        height=AXIS_HEIGHT + ROW_HEIGHT * len(bars) + 8,
        label_width=LABEL_WIDTH,
        axis_height=AXIS_HEIGHT,
        bar_height=BAR_HEIGHT,
        bars=bars,
        years=years,
        end_x=x_of(last),
        period_x=period_x,
        period_width=period_width,
    )
