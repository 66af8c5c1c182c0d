"""What a claim asserts and what a check found, as plain data the rules read and write."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..rdf.namespaces import XSD

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = Mapping[str, Term]
Select = Callable[[str], Sequence[Row]]  # a SPARQL SELECT in, its solutions out

OUTCOMES = ("agrees", "differs", "partly-agrees", "cannot-be-checked")


@dataclass(frozen=True, order=True)
class Period:
    """A day, a month or a year: what a source's date or a claim's date says, and no more."""

    start: dt.date
    end: dt.date
    precision: str  # "day", "week", "month" or "year"

    @classmethod
    def parse(cls, text: str) -> Period | None:
        """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; None for anything else."""
        text = text.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                day = dt.date.fromisoformat(text)
                return cls(day, day, "day")
            if re.fullmatch(r"\d{4}-\d{2}", text):
                year, month = int(text[:4]), int(text[5:])
                last = calendar.monthrange(year, month)[1]
                return cls(dt.date(year, month, 1), dt.date(year, month, last), "month")
            if re.fullmatch(r"\d{4}", text):
                year = int(text)
                return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")
        except ValueError:
            return None
        return None

    @classmethod
    def of(cls, term: Term | None) -> Period | None:
        if not isinstance(term, ox.Literal):
            return None
        return cls.parse(term.value[:10] if term.datatype.value == XSD + "dateTime" else term.value)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def words(self) -> str:
        if self.precision == "day":
            return self.start.isoformat()
        if self.precision == "month":
            return self.start.strftime("%B %Y")
        if self.precision == "week":
            return f"the week of {self.start.isoformat()}"
        return str(self.start.year)

    def literal(self) -> ox.Literal:
        kind = {"day": "date", "month": "gYearMonth", "year": "gYear"}[self.precision]
        value = {"day": self.start.isoformat(), "month": self.start.isoformat()[:7]}.get(
            self.precision, str(self.start.year)
        )
        return ox.Literal(value, datatype=ox.NamedNode(XSD + kind))


@dataclass(frozen=True)
class Source:
    document: str
    title: str
    issued: Period | None
    publisher: str = ""
    url: str = ""


@dataclass(frozen=True)
class ReportedInspection:
    iri: str
    council: str
    framework: str = ""
    date: Period | None = None  # which inspection is meant
    publication: Period | None = None  # when it was published, as the source dates it
    publication_words: str = ""  # "today", "yesterday"
    position: str = ""  # latest, previous, earlier
    relative_to: str = ""  # another reported inspection


@dataclass(frozen=True)
class ReportedJudgement:
    iri: str
    council: str
    area: str
    grade: str
    year: Period | None = None
    inspection: str = ""


@dataclass(frozen=True)
class AreaCount:
    iri: str
    value: int
    grade: str
    inspection: str
    stated: str = ""


@dataclass(frozen=True)
class Ranking:
    iri: str
    council: str
    band: str  # top or bottom
    numerator: int
    denominator: int
    area: str
    as_at: Period | None = None
    stated: str = ""


@dataclass(frozen=True)
class Change:
    iri: str
    council: str
    area: str
    direction: str = ""  # improved, declined, unchanged
    from_grade: str = ""
    to_grade: str = ""
    from_year: Period | None = None
    to_year: Period | None = None
    stated: str = ""


@dataclass
class Claim:
    """A claim and what it asserts that a rule may check, with the source it comes from."""

    iri: str
    graph: str
    text: str
    source: Source
    council: str = ""
    inspections: dict[str, ReportedInspection] = field(default_factory=dict)
    asserted: set[str] = field(default_factory=set)  # the inspections the claim asserts itself
    judgements: list[ReportedJudgement] = field(default_factory=list)
    counts: list[AreaCount] = field(default_factory=list)
    rankings: list[Ranking] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Check:
    """One rule's finding on one thing a claim says."""

    rule: str  # the rule's key, as in def/check-rule/{key}
    outcome: str
    reason: str
    facts: tuple[str, ...]  # the reported nodes checked
    judgements: tuple[str, ...] = ()  # the official judgements used
    claimed_grade: str = ""


def combine(checks: list[Check]) -> str:
    """The overall outcome of a claim's checks (docs/fact-checking.md, "Outcomes")."""
    decided = [c.outcome for c in checks if c.outcome != "cannot-be-checked"]
    if not decided:
        return "cannot-be-checked"
    if all(o == "agrees" for o in decided):
        return "agrees"
    if all(o == "differs" for o in decided):
        return "differs"
    return "partly-agrees"


def select_from(store: ox.Store, union: bool = True) -> Select:
    """A query function over an Oxigraph store (its default graph the union of the named graphs
    when ``union``)."""

    def select(query: str) -> Sequence[Row]:
        solutions = store.query(query, use_default_graph_as_union=union)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        rows: list[Row] = []
        for solution in solutions:
            row: dict[str, Term] = {}
            for name in names:
                term = solution[name]
                if term is not None and not isinstance(term, ox.Triple):
                    row[name] = term
            rows.append(row)
        return rows

    return select
