"""The front page at ``/``, for people: what the graph holds, the national picture, search.

    GET /              the page: the counts of what the graph holds (each a link), the share of
                       councils at each overall grade year by year (a chart drawn here, as SVG,
                       with its table), the latest inspections published, the councils whose
                       latest overall grade is Inadequate, and the claims that differ from the
                       record
    GET /national.csv  the chart's numbers as a table (and ``/national.json``)

The query editor is at ``/query``; an old link to the editor (``/?query=...``) is sent there, and
one with the editor's state after ``#`` is sent there by the page's one line of script.
Everything is worked out once per dataset version.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request

from ..claims.record import Record
from ..claims.review import page_of
from ..errors import BadRequestError
from ..rdf.namespaces import okg
from .claims import all_reviews
from .context import current_backend, current_settings, kept
from .http import conditional, versioned
from .linked_data.describe import select

bp = Blueprint("front", __name__)

GRADES = (
    (1, "Outstanding", "#1d6b2f"),
    (2, "Good", "#67a35a"),
    (3, "Requires improvement (Adequate before 2013)", "#e0a526"),
    (4, "Inadequate", "#b3261e"),
)
FIRST_YEAR = 2010


@dataclass
class Picture:
    """Councils by the overall grade in force at the end of each year (councils abolished by then
    left out)."""

    years: list[int] = field(default_factory=list)
    counts: list[dict[int, int]] = field(default_factory=list)  # rank -> councils, per year

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for year, counts in zip(self.years, self.counts, strict=True):
            total = sum(counts.values())
            row: dict[str, Any] = {"year": year, "councils": total}
            for rank, name, _colour in GRADES:
                row[name] = counts.get(rank, 0)
            out.append(row)
        return out


def ended(base: str) -> dict[str, dt.date]:
    """The councils abolished, with the day they ended (okg:endDate)."""
    rows = select(f"SELECT ?c ?end WHERE {{ ?c <{okg(base)}endDate> ?end }}")
    found = {}
    for row in rows:
        try:
            found[str(row["c"].value)] = dt.date.fromisoformat(str(row["end"].value)[:10])
        except (KeyError, ValueError):
            continue
    return found


def national_picture(record: Record, gone: dict[str, dt.date]) -> Picture:
    picture = Picture()
    everyone = record.everyone_for(record.overall)
    last = max(
        (i.published for inspections in everyone.values() for i in inspections),
        default=dt.date.today(),
    )
    for year in range(FIRST_YEAR, last.year + 1):
        end = min(dt.date(year, 12, 31), last)
        counts: dict[int, int] = {}
        for council, inspections in everyone.items():
            if council in gone and gone[council] < end:
                continue  # abolished by then
            graded = [i for i in inspections if i.published <= end and i.judgements]
            if graded:
                rank = record.rank(graded[-1].judgements[0].grade)
                if rank:
                    counts[rank] = counts.get(rank, 0) + 1
        if counts or picture.years:  # from the first year any council had an overall grade
            picture.years.append(year)
            picture.counts.append(counts)
    return picture


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    year: int
    segments: list[tuple[float, float, str, str]]  # y, height, colour, title


def chart(picture: Picture, width: int = 800, height: int = 300) -> dict[str, Any]:
    """The chart's geometry: one stacked bar per year, shares of the councils graded that year."""
    left, bottom, top = 40, 30, 10
    inner = height - bottom - top
    slot = (width - left) / max(1, len(picture.years))
    bars = []
    for n, (year, counts) in enumerate(zip(picture.years, picture.counts, strict=True)):
        total = sum(counts.values())
        y = float(top)
        segments = []
        for rank, name, colour in GRADES:
            share = counts.get(rank, 0) / total if total else 0.0
            h = share * inner
            label = f"{year}: {counts.get(rank, 0)} of {total} councils {name} ({share:.0%})"
            segments.append((y, h, colour, label))
            y += h
        bars.append(Bar(left + n * slot + slot * 0.15, slot * 0.7, year, segments))
    ticks = [(top + inner * (1 - p / 100), f"{p}%") for p in (0, 25, 50, 75, 100)]
    return {"width": width, "height": height, "bars": bars, "ticks": ticks, "left": left,
            "baseline": top + inner}  # fmt: skip


@dataclass(frozen=True)
class Front:
    counts: list[tuple[str, int, str]]  # what, how many, where to see them
    picture: Picture
    latest: list[dict[str, str]]
    inadequate: list[dict[str, str]]
    differs: list[dict[str, str]]


def count(query: str) -> int:
    rows = select(query)
    term = rows[0].get("n") if rows else None
    return int(term.value) if term is not None else 0


def make_front() -> Front:
    base = current_settings().base
    o = okg(base)
    official = base + "graph/official/"
    record = Record(select, base)
    root = request.script_root + "/"

    def official_count(kind: str) -> int:
        return count(f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
            GRAPH ?g {{ ?x a <{o}{kind}> }} FILTER(STRSTARTS(STR(?g), "{official}")) }}""")

    reviews = all_reviews()
    documents = count(f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a <{o}SourceDocument> }}")
    counts = [
        ("councils", len(record.councils), root + "doc/council"),
        ("inspections in Ofsted's record", official_count("Inspection"),
         root + "search?kind=inspection&q=inspection"),
        ("judgements in Ofsted's record", official_count("Judgement"), root + "query"),
        ("claims checked against the record", len(reviews), root + "claims"),
        ("source documents", documents, root + ".well-known/void"),
    ]  # fmt: skip
    everyone = record.everyone_for(record.overall)
    newest = sorted(
        ((i, c) for c, inspections in everyone.items() for i in inspections if i.judgements),
        key=lambda pair: (pair[0].published, pair[0].iri),
        reverse=True,
    )[:10]
    latest = [
        {
            "council": record.council_label(c),
            "council_href": root + page_of(base, c)[len(base) :],
            "href": root + page_of(base, i.iri)[len(base) :],
            "framework": record.frameworks[i.framework].label
            if i.framework in record.frameworks
            else "",
            "published": i.published.isoformat(),
            "grade": record.grade_label(i.judgements[0].grade),
        }
        for i, c in newest
    ]
    gone = ended(base)
    inadequate = []
    for c, inspections in sorted(everyone.items(), key=lambda p: record.council_label(p[0])):
        if c in gone:
            continue
        graded = [i for i in inspections if i.judgements]
        if graded and record.rank(graded[-1].judgements[0].grade) == 4:
            current = graded[-1]
            if not any(
                i.published > current.published for i in record.inspections(c) if i.judgements
            ):
                inadequate.append(
                    {
                        "council": record.council_label(c),
                        "href": root + page_of(base, c)[len(base) :],
                        "published": current.published.isoformat(),
                    }
                )
    differs = [
        {
            "text": r.text,
            "href": root + page_of(base, r.claim)[len(base) :],
            "who": r.speaker_name,
            "council": r.council_name,
        }
        for r in reviews
        if r.outcome == "differs"
    ][:5]
    return Front(counts, national_picture(record, gone), latest, inadequate, differs)


@bp.route("/")
def front() -> Response:
    if "query" in request.args:  # a link to the editor from before it moved to /query
        target = request.script_root + "/query?" + request.query_string.decode("latin-1")
        return redirect(target, code=301)  # type: ignore[return-value]
    version = current_backend().version()
    unchanged = conditional(version, "front")
    if unchanged is not None:
        return unchanged
    data = kept("front-page", make_front)
    page = render_template(
        "front.html",
        root="./",
        section="",
        front=data,
        chart=chart(data.picture),
        grades=GRADES,
        rows=data.picture.rows(),
    )
    return versioned(Response(page, content_type="text/html; charset=utf-8"), version, "front")


@bp.route("/national.<ext>")
def national(ext: str) -> Response:
    if ext not in ("csv", "json"):
        raise BadRequestError(f"the national picture is offered as .csv or .json, not .{ext}")
    rows = kept("front-page", make_front).picture.rows()
    if ext == "json":
        body = json.dumps({"years": rows}, indent=2, ensure_ascii=False) + "\n"
        return Response(body, content_type="application/json")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["year"],
                            lineterminator="\r\n")  # fmt: skip
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8")
