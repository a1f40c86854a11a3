"""Geometry for the server-rendered SVG charts of the funnel: the radar of a scan's dimensions, the
funnel of the stages, and the outline map of Flanders and the Netherlands with the practice labs.
The templates draw the SVG from these numbers and always show the same numbers as a table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# --- radar ---------------------------------------------------------------------------------------

RADAR_SIZE = 440
RADAR_RADIUS = 150


@dataclass(frozen=True)
class RadarAxis:
    code: str
    label: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class RadarSeries:
    label: str
    points: str  # "x,y x,y …" for <polygon points>
    dots: list[tuple[float, float]]
    latest: bool


@dataclass(frozen=True)
class Radar:
    size: int
    center: float
    axes: list[RadarAxis]
    rings: list[tuple[int, str]]  # (score, polygon points)
    series: list[RadarSeries]


def _point(center: float, radius: float, index: int, count: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = radius * value / 100
    return round(center + r * math.cos(angle), 1), round(center + r * math.sin(angle), 1)


def radar(axes: Sequence[tuple[str, str]], series: Sequence[tuple[str, Sequence[Decimal]]]) -> Radar:
    """A radar chart: one axis per dimension (code, label) on 0..100, one polygon per wave."""
    count = len(axes)
    center = RADAR_SIZE / 2
    chart_axes = []
    for i, (code, label) in enumerate(axes):
        x, y = _point(center, RADAR_RADIUS, i, count, 100)
        lx, ly = _point(center, RADAR_RADIUS + 22, i, count, 100)
        anchor = "middle" if abs(lx - center) < 10 else ("start" if lx > center else "end")
        chart_axes.append(RadarAxis(code, label, x, y, lx, ly + 4, anchor))
    rings = []
    for score in (25, 50, 75, 100):
        pts = [_point(center, RADAR_RADIUS, i, count, score) for i in range(count)]
        rings.append((score, " ".join(f"{x},{y}" for x, y in pts)))
    chart_series = []
    for n, (label, values) in enumerate(series):
        pts = [_point(center, RADAR_RADIUS, i, count, float(v)) for i, v in enumerate(values)]
        chart_series.append(
            RadarSeries(label, " ".join(f"{x},{y}" for x, y in pts), pts, latest=n == len(series) - 1)
        )
    return Radar(RADAR_SIZE, center, chart_axes, rings, chart_series)


# --- funnel --------------------------------------------------------------------------------------

FUNNEL_WIDTH = 700
FUNNEL_LABEL = 170
FUNNEL_BAR = 34
FUNNEL_GAP = 14


@dataclass(frozen=True)
class FunnelBar:
    label: str
    count: int
    y: float
    x: float
    width: float
    targets: list[tuple[Decimal, float, float]]  # (target, x, width) of its outline
    text_y: float


@dataclass
class FunnelChart:
    width: int
    height: int
    bars: list[FunnelBar] = field(default_factory=list)
    scale_max: Decimal = Decimal(0)


def funnel_chart(stages: Sequence[tuple[str, int, Sequence[Decimal]]]) -> FunnelChart:
    """Centred horizontal bars, one per stage (label, count, targets), on one scale with the
    targets marked, so the narrowing of the funnel and the distance to the targets both show."""
    top = max([Decimal(1)] + [Decimal(c) for _l, c, _t in stages] + [t for _l, _c, ts in stages for t in ts])
    area = FUNNEL_WIDTH - FUNNEL_LABEL - 70  # room on the right for the count
    middle = FUNNEL_LABEL + area / 2
    chart = FunnelChart(FUNNEL_WIDTH, len(stages) * (FUNNEL_BAR + FUNNEL_GAP) + 10, scale_max=top)
    for i, (label, count, targets) in enumerate(stages):
        width = float(Decimal(count) / top) * area
        y = 5 + i * (FUNNEL_BAR + FUNNEL_GAP)
        markers = []
        for t in targets:
            target_width = float(t / top) * area
            markers.append((t, round(middle - target_width / 2, 1), round(target_width, 1)))
        chart.bars.append(
            FunnelBar(
                label, count, y, round(middle - width / 2, 1), round(max(width, 1.0), 1), markers, y + 22
            )
        )
    return chart


# --- map -----------------------------------------------------------------------------------------
#
# Simplified outlines (longitude, latitude), traced by hand from public maps to about 5 km: enough to
# place the labs, not for measuring. Flanders leaves out the Voeren and the Brussels enclave.

NETHERLANDS = [
    (3.37, 51.37),
    (3.58, 51.45),
    (3.45, 51.55),
    (3.70, 51.72),
    (3.87, 51.83),
    (4.12, 51.98),
    (4.27, 52.11),
    (4.42, 52.25),
    (4.57, 52.46),
    (4.65, 52.77),
    (4.74, 52.96),
    (4.85, 53.18),
    (5.20, 53.40),
    (5.90, 53.46),
    (6.30, 53.50),
    (6.90, 53.45),
    (7.20, 53.25),
    (7.21, 53.18),
    (7.07, 52.87),
    (6.73, 52.66),
    (7.05, 52.38),
    (7.03, 52.22),
    (6.82, 51.97),
    (6.11, 51.86),
    (5.95, 51.74),
    (6.20, 51.37),
    (6.22, 51.20),
    (5.87, 51.03),
    (6.02, 50.75),
    (5.70, 50.76),
    (5.64, 50.85),
    (5.82, 51.15),
    (5.50, 51.28),
    (5.10, 51.43),
    (4.93, 51.44),
    (4.75, 51.50),
    (4.35, 51.47),
    (4.25, 51.37),
    (3.80, 51.25),
    (3.45, 51.25),
]
FLANDERS = [
    (3.37, 51.37),
    (3.45, 51.25),
    (3.80, 51.25),
    (4.25, 51.37),
    (4.35, 51.47),
    (4.75, 51.50),
    (4.93, 51.44),
    (5.10, 51.43),
    (5.50, 51.28),
    (5.82, 51.15),
    (5.64, 50.85),
    (5.68, 50.76),
    (5.47, 50.75),
    (5.08, 50.72),
    (4.80, 50.75),
    (4.45, 50.75),
    (4.20, 50.70),
    (3.90, 50.75),
    (3.60, 50.73),
    (3.25, 50.72),
    (3.05, 50.77),
    (2.85, 50.75),
    (2.54, 51.09),
    (3.00, 51.25),
]
MAP_WEST, MAP_EAST, MAP_SOUTH, MAP_NORTH = 2.4, 7.4, 50.6, 53.6
MAP_WIDTH = 420
_LAT_SCALE = 1 / math.cos(math.radians(52))  # keep shapes in proportion at these latitudes


def map_xy(longitude: float, latitude: float) -> tuple[float, float]:
    scale = MAP_WIDTH / (MAP_EAST - MAP_WEST)
    return (
        round((longitude - MAP_WEST) * scale, 1),
        round((MAP_NORTH - latitude) * scale * _LAT_SCALE, 1),
    )


def map_height() -> int:
    return int(map_xy(MAP_WEST, MAP_SOUTH)[1]) + 1


def outline(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x},{y}" for x, y in (map_xy(lon, lat) for lon, lat in points))
