"""The timeline on a council's page, drawn on the server as SVG: grades over time, one mark per
dated judgement, its shape and colour the inspection framework; filled marks are Ofsted's record,
hollow ones a judgement as a document reports it, a bar a judgement dated only by its year.

Geometry only: ``timeline`` turns judgements into positions, ticks and a legend, and the template
``pages/chart.html`` draws them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .labels import Shown

SHAPES = ("circle", "square", "diamond", "triangle", "circle", "square", "diamond", "triangle")
COLOURS = ("#1b6ca8", "#b3461c", "#2e7d32", "#6a3d9a", "#8a6d00", "#ad1457", "#00695c", "#4e342e")
RANK_NAMES = {
    1: "Outstanding",
    2: "Good",
    3: "Adequate / Requires improvement",
    4: "Inadequate",
}


class Judged(Protocol):
    """What the chart reads of a judgement (``views.JudgementRow`` has it)."""

    @property
    def iri(self) -> str: ...
    @property
    def shown(self) -> Shown: ...
    @property
    def date(self) -> Shown | None: ...
    @property
    def date_value(self) -> str | None: ...  # ISO date, or a year
    @property
    def precision(self) -> str: ...  # "day", "year" or "none"
    @property
    def framework(self) -> Shown | None: ...
    @property
    def area(self) -> Shown | None: ...
    @property
    def grade(self) -> Shown | None: ...
    @property
    def rank(self) -> int | None: ...
    @property
    def official(self) -> bool: ...


@dataclass
class Mark:
    x: float
    y: float
    width: float  # 0 for a point; the span of a year for a year-only date
    shape: str
    colour: str
    filled: bool
    href: str
    title: str
    judgement: str


@dataclass
class Chart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    ticks: list[tuple[float, str]]
    rows: list[tuple[float, str]]
    marks: list[Mark]
    legend: list[tuple[str, str, str]]  # (framework, shape, colour)
    first: str
    last: str


def fraction_of_year(day: dt.date) -> float:
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def timeline(judgements: Sequence[Judged]) -> Chart | None:
    """The chart of the dated, ranked judgements (None if there are none)."""
    dated = [j for j in judgements if j.precision != "none" and j.rank is not None]
    if not dated:
        return None
    positions: list[float] = []
    for j in dated:
        assert j.date_value is not None
        if j.precision == "day":
            positions.append(fraction_of_year(dt.date.fromisoformat(j.date_value[:10])))
        else:
            positions.append(float(int(j.date_value[:4])))
    first_year = int(min(positions))
    last_year = int(max(positions)) + 1
    width, height, left, top, right, bottom = 800, 250, 230, 16, 24, 40
    plot_width, plot_height = width - left - right, height - top - bottom
    span = max(1, last_year - first_year)

    def x_of(year: float) -> float:
        return round(left + (year - first_year) / span * plot_width, 1)

    def y_of(rank: int) -> float:
        return round(top + (rank - 0.5) / 4 * plot_height, 1)

    frameworks: list[str] = []
    for j in dated:
        name = j.framework.text if j.framework else "framework not given"
        if name not in frameworks:
            frameworks.append(name)
    style = {name: (SHAPES[i % 8], COLOURS[i % 8]) for i, name in enumerate(frameworks)}
    crowd: dict[tuple[float, int], int] = defaultdict(int)
    marks: list[Mark] = []
    for j, position in zip(dated, positions, strict=True):
        assert j.rank is not None
        name = j.framework.text if j.framework else "framework not given"
        shape, colour = style[name]
        slot = (round(position, 2), j.rank)
        offset = crowd[slot]
        crowd[slot] += 1
        nudge = (offset % 5) * 5 - 10 if offset else 0
        area = j.area.text if j.area else "area not given"
        grade = j.grade.text if j.grade else "grade not given"
        when = j.date.text if j.date else ""
        kind = "Ofsted's record" if j.official else "as a document reports it"
        marks.append(
            Mark(
                x=x_of(position),
                y=y_of(j.rank) + (nudge / 2 if j.precision == "year" else 0),
                width=round(plot_width / span, 1) if j.precision == "year" else 0,
                shape=shape,
                colour=colour,
                filled=j.official,
                href=j.shown.href or "",
                title=f"{when}: {name}, {area}: {grade} ({kind})",
                judgement=j.iri,
            )
        )
        if j.precision == "day" and offset:
            marks[-1].x = round(marks[-1].x + nudge, 1)
    ticks = []
    step = 1 if span <= 10 else 2 if span <= 20 else 5
    for year in range(first_year, last_year + 1):
        if (year - first_year) % step == 0:
            ticks.append((x_of(float(year)), str(year)))
    rows = [(y_of(rank), name) for rank, name in RANK_NAMES.items()]
    return Chart(
        width,
        height,
        left,
        top,
        plot_width,
        plot_height,
        ticks,
        rows,
        marks,
        [(name, *style[name]) for name in frameworks],
        str(first_year),
        str(last_year - 1),
    )
