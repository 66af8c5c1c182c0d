"""Ofsted's official record as the rules read it: the code lists, the councils, each council's
graded inspections, and every council's overall judgements (for rankings).

The record is what the graphs under ``{base}graph/official/`` hold; a press or blog graph never
adds to it. Everything is read through a ``Select`` and kept for the life of the object, so one
``Record`` serves one build or one request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from ..rdf.namespaces import PROV, RDFS, SKOS, XSD, okg
from .model import Row, Select

# Frameworks that count as one when a claim names a framework (docs/fact-checking.md).
FAMILIES = {
    "sif-reinspection": "sif",
    "slac-reinspection": "slac",
    "cpri": "cpi",
    "ilacs-short": "ilacs-standard",
}


def family(framework: str) -> str:
    key = framework.rsplit("/", 1)[-1]
    return FAMILIES.get(key, key)


@dataclass(frozen=True)
class Judgement:
    iri: str
    area: str
    grade: str


@dataclass
class Inspection:
    iri: str
    council: str
    framework: str
    published: dt.date
    judgements: list[Judgement] = field(default_factory=list)

    def of_area(self, area: str) -> list[Judgement]:
        return [j for j in self.judgements if j.area == area]


@dataclass(frozen=True)
class Grade:
    iri: str
    label: str
    rank: int
    scale: str
    close: frozenset[str]


@dataclass(frozen=True)
class Framework:
    iri: str
    label: str
    names: tuple[str, ...]  # every label, lower case
    scale: str = ""  # its grade scale


@dataclass(frozen=True)
class Area:
    iri: str
    label: str
    broader: str


@dataclass(frozen=True)
class Council:
    iri: str
    gss: str
    label: str
    names: tuple[str, ...]


def _value(row: Row, name: str) -> str:
    term = row.get(name)
    return "" if term is None else str(term.value)


class Record:
    def __init__(self, select: Select, base: str) -> None:
        self.select = select
        self.base = base
        self.okg = okg(base)
        self.official = base + "graph/official/"
        self._inspections: dict[str, list[Inspection]] = {}
        self._covers: dict[str, bool] = {}
        self._by_area: dict[str, dict[str, list[Inspection]]] = {}

    # -- code lists ---------------------------------------------------------------------------

    @cached_property
    def grades(self) -> dict[str, Grade]:
        rows = self.select(f"""
            PREFIX okg: <{self.okg}> PREFIX skos: <{SKOS}>
            SELECT ?g ?label ?rank ?scale ?close WHERE {{
              ?g a okg:Grade ; skos:prefLabel ?label ; skos:inScheme ?scale .
              OPTIONAL {{ ?g okg:rank ?rank }} OPTIONAL {{ ?g skos:closeMatch ?close }}
            }}""")
        found: dict[str, Grade] = {}
        for row in rows:
            iri = _value(row, "g")
            close = {_value(row, "close")} - {""}
            old = found.get(iri)
            if old is not None:
                close |= old.close
            rank = _value(row, "rank")
            found[iri] = Grade(
                iri,
                _value(row, "label"),
                int(rank) if rank else 0,
                _value(row, "scale"),
                frozenset(close),
            )
        return found

    def same_grade(self, claimed: str, official: str) -> bool:
        if claimed == official:
            return True
        grade = self.grades.get(claimed)
        other = self.grades.get(official)
        return bool(grade and other and (official in grade.close or claimed in other.close))

    def grade_label(self, iri: str) -> str:
        grade = self.grades.get(iri)
        return grade.label if grade else iri.rsplit("/", 1)[-1]

    def rank(self, iri: str) -> int:
        grade = self.grades.get(iri)
        return grade.rank if grade else 0

    @cached_property
    def frameworks(self) -> dict[str, Framework]:
        rows = self.select(f"""
            PREFIX okg: <{self.okg}> PREFIX skos: <{SKOS}>
            SELECT ?f ?label ?name ?scale WHERE {{
              ?f a okg:Framework ; skos:prefLabel ?label .
              OPTIONAL {{ ?f skos:altLabel ?name }} OPTIONAL {{ ?f okg:gradeScale ?scale }}
            }}""")
        names: dict[str, set[str]] = {}
        labels: dict[str, str] = {}
        scales: dict[str, str] = {}
        for row in rows:
            iri = _value(row, "f")
            labels[iri] = _value(row, "label")
            scales[iri] = scales.get(iri) or _value(row, "scale")
            names.setdefault(iri, {labels[iri].lower(), iri.rsplit("/", 1)[-1]})
            if _value(row, "name"):
                names[iri].add(_value(row, "name").lower())
        return {
            iri: Framework(iri, labels[iri], tuple(sorted(names[iri])), scales[iri])
            for iri in sorted(labels)
        }

    @cached_property
    def roles(self) -> dict[str, set[str]]:
        rows = self.select(f"""
            PREFIX skos: <{SKOS}>
            SELECT ?r ?name WHERE {{
              ?r skos:inScheme <{self.okg}scheme/roles> .
              {{ ?r skos:prefLabel ?name }} UNION {{ ?r skos:altLabel ?name }}
            }}""")
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(_value(row, "r"), set()).add(_value(row, "name"))
        return found

    @cached_property
    def areas(self) -> dict[str, Area]:
        rows = self.select(f"""
            PREFIX okg: <{self.okg}> PREFIX skos: <{SKOS}>
            SELECT ?a ?label ?broader WHERE {{
              ?a skos:inScheme <{self.okg}scheme/areas> ; skos:prefLabel ?label .
              OPTIONAL {{ ?a skos:broader ?broader }}
            }}""")
        return {
            _value(r, "a"): Area(_value(r, "a"), _value(r, "label"), _value(r, "broader"))
            for r in rows
        }

    def under(self, area: str, top: str) -> bool:
        """Whether ``area`` is below ``top`` (skos:broader, transitively)."""
        seen = set()
        current = self.areas.get(area)
        while current is not None and current.broader and current.iri not in seen:
            seen.add(current.iri)
            if current.broader == top:
                return True
            current = self.areas.get(current.broader)
        return False

    @property
    def overall(self) -> str:
        return self.okg + "area/overall-effectiveness"

    @cached_property
    def councils(self) -> dict[str, Council]:
        rows = self.select(f"""
            PREFIX okg: <{self.okg}> PREFIX rdfs: <{RDFS}>
            SELECT ?c ?label ?name WHERE {{
              ?c a okg:Council .
              FILTER(STRSTARTS(STR(?c), "{self.base}id/council/"))
              OPTIONAL {{ ?c rdfs:label ?label }} OPTIONAL {{ ?c okg:ofstedName ?name }}
            }}""")
        labels: dict[str, str] = {}
        names: dict[str, set[str]] = {}
        for row in rows:
            iri = _value(row, "c")
            label = _value(row, "label")
            if label and (iri not in labels or len(label) > len(labels[iri])):
                labels[iri] = label
            names.setdefault(iri, set()).update(n for n in (label, _value(row, "name")) if n)
        return {
            iri: Council(
                iri,
                iri.rsplit("/", 1)[-1],
                labels.get(iri, iri.rsplit("/", 1)[-1]),
                tuple(sorted(names[iri])),
            )
            for iri in sorted(names)
        }

    def council_label(self, iri: str) -> str:
        council = self.councils.get(iri)
        return council.label if council else iri.rsplit("/", 1)[-1]

    # -- the record ---------------------------------------------------------------------------

    def _rows(self, council: str | None, area: str | None = None) -> Sequence[Row]:
        """Official judgements with their inspections: a judgement counts when a graph of the
        record (``{base}graph/official/...``) holds it, never when only a source reports it."""
        bound = f"VALUES ?c {{ <{council}> }}" if council else ""
        if area:
            bound += f" VALUES ?area {{ <{area}> }}"
        return self.select(f"""
            PREFIX okg: <{self.okg}> PREFIX prov: <{PROV}>
            SELECT DISTINCT ?c ?i ?fw ?published ?j ?area ?grade WHERE {{
              {bound}
              ?j okg:area ?area ; okg:grade ?grade ; prov:wasGeneratedBy ?i .
              ?i okg:inspected ?c ; okg:framework ?fw ; okg:publicationDate ?published .
              FILTER(STRSTARTS(STR(?c), "{self.base}id/council/"))
              FILTER EXISTS {{
                GRAPH ?h {{ ?j okg:grade ?grade }} FILTER(STRSTARTS(STR(?h), "{self.official}"))
              }}
              FILTER EXISTS {{
                GRAPH ?g {{ ?i okg:publicationDate ?published }}
                FILTER(STRSTARTS(STR(?g), "{self.official}"))
              }}
            }}""")

    def _collect(self, rows: Sequence[Row]) -> dict[str, list[Inspection]]:
        inspections: dict[str, Inspection] = {}
        seen: set[tuple[str, str]] = set()
        for row in rows:
            iri = _value(row, "i")
            try:
                published = dt.date.fromisoformat(_value(row, "published")[:10])
            except ValueError:
                continue
            inspection = inspections.get(iri)
            if inspection is None:
                inspection = inspections[iri] = Inspection(
                    iri, _value(row, "c"), _value(row, "fw"), published
                )
            judgement = _value(row, "j")
            if (iri, judgement) not in seen:
                seen.add((iri, judgement))
                inspection.judgements.append(
                    Judgement(judgement, _value(row, "area"), _value(row, "grade"))
                )
        by_council: dict[str, list[Inspection]] = {}
        for inspection in inspections.values():
            inspection.judgements.sort(key=lambda j: j.iri)
            by_council.setdefault(inspection.council, []).append(inspection)
        for listed in by_council.values():
            listed.sort(key=lambda i: (i.published, i.iri))
        return by_council

    def covers(self, wanted: str) -> bool:
        """Whether the record has any inspection of a framework family."""
        if wanted not in self._covers:
            members = {wanted} | {k for k, v in FAMILIES.items() if v == wanted}
            listed = " ".join(f"<{self.okg}framework/{m}>" for m in sorted(members))
            rows = self.select(f"""
                PREFIX okg: <{self.okg}>
                SELECT ?i WHERE {{
                  VALUES ?fw {{ {listed} }}
                  GRAPH ?g {{ ?i a okg:Inspection ; okg:framework ?fw }}
                  FILTER(STRSTARTS(STR(?g), "{self.official}"))
                }} LIMIT 1""")
            self._covers[wanted] = bool(rows)
        return self._covers[wanted]

    def inspections(self, council: str) -> list[Inspection]:
        """The council's graded inspections in Ofsted's record, oldest first."""
        if council not in self._inspections:
            self._inspections[council] = self._collect(self._rows(council)).get(council, [])
        return self._inspections[council]

    @cached_property
    def everyone(self) -> dict[str, list[Inspection]]:
        """Every council's graded inspections (read once, for rankings and the version)."""
        found = self._collect(self._rows(None))
        self._inspections.update(found)
        return found

    def everyone_for(self, area: str) -> dict[str, list[Inspection]]:
        """Every council's inspections with their judgements of one area only (a ranking reads
        no more)."""
        if area not in self._by_area:
            self._by_area[area] = self._collect(self._rows(None, area))
        return self._by_area[area]

    @cached_property
    def coverage(self) -> tuple[dt.date, dt.date]:
        """The first and the last publication date in the record."""
        rows = self.select(f"""
            PREFIX okg: <{self.okg}>
            SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{
              GRAPH ?g {{ ?i a okg:Inspection ; okg:publicationDate ?d }}
              FILTER(STRSTARTS(STR(?g), "{self.official}") && DATATYPE(?d) = <{XSD}date>)
            }}""")
        first, last = (_value(rows[0], "first"), _value(rows[0], "last")) if rows else ("", "")
        if not first:
            return dt.date.max, dt.date.min
        return dt.date.fromisoformat(first), dt.date.fromisoformat(last)

    def version(self) -> str:
        """A digest of the record's content: what every check was decided against."""
        digest = hashlib.sha256()
        for council in sorted(self.everyone):
            for inspection in self.everyone[council]:
                for j in inspection.judgements:
                    digest.update(f"{j.iri} {j.grade} {inspection.published}\n".encode())
        return digest.hexdigest()[:16]


def literal_date(term: object) -> dt.date | None:
    if isinstance(term, ox.Literal):
        try:
            return dt.date.fromisoformat(term.value[:10])
        except ValueError:
            return None
    return None
