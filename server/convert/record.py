"""The official record as the readers build it, and the helpers they share to write it.

The set of councils is the children's-services authorities of the crosswalk (CROSSWALK, keyed by
GSS code), read before any table. Each reader then adds to one ``Record`` the inspections and
judgements of its table, and the next readers read them: a later table's inspection is matched to
an earlier one's, a judgement that contradicts an earlier table's is an error, and the
reconciliations check claims against all of them (see the registry in official.py for who reads
what).

``add_inspection`` and ``add_judgement`` write an inspection or a judgement to a reader's graph and
to the record at once, so that the two agree and every table mints the same IRIs (terms.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..rdf.turtle import IRI, Graph, date, text
from .codes import Codes
from .reading import Cell, read_table
from .terms import (
    DCT,
    OFSTED,
    OKG,
    PREFIXES,
    PROV,
    RDF_TYPE,
    RDFS,
    SKOS,
    WORDING_NOTE,
    council_iri,
    expand,
    graph_iri,
    inspection_iri,
    judgement_iri,
    report_iri,
)

CROSSWALK = "data/derived_children_services_la_crosswalk.csv"


@dataclass
class Judgement:
    iri: str
    council: str  # GSS
    framework: str
    published: str
    area: str
    grade: str  # CURIE
    printed: str
    dataset: str


@dataclass
class Inspection:
    iri: str
    council: str
    framework: str
    published: str
    datasets: set[str] = field(default_factory=set)


@dataclass
class Record:
    """Everything read from the tables, for the reconciliation and the tests."""

    councils: dict[str, dict[str, str]]  # GSS -> crosswalk row
    inspections: dict[str, Inspection] = field(default_factory=dict)
    judgements: dict[str, list[Judgement]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class D2IStats:
    """How Data to Insight's report list was joined to the record (d2i.py), for the tests and the
    note on its graph."""

    rows: int = 0
    joined: int = 0  # same council, same publication day and type
    joined_other_type: int = 0  # same council and day; Data to Insight gives another type
    joined_near: int = 0  # same council, Ofsted's date up to NEAR_DAYS days earlier
    after_tables: int = 0  # published after TABLES_END: linked to the council only
    unmatched: int = 0  # no inspection to join: linked to the council only
    grades_agree: int = 0
    grades_differ: list[str] = field(default_factory=list)  # reconciliation IRIs
    grades_unchecked: list[str] = field(default_factory=list)
    not_compared: Counter[str] = field(default_factory=Counter)  # value -> cells


@dataclass
class Context:
    """What every reader is given: the tree it reads, the code lists of its ontology/, the record
    the earlier readers have added to, and the counts of the join of Data to Insight's list."""

    root: Path
    codes: Codes
    record: Record
    d2i: D2IStats = field(default_factory=D2IStats)


def read_councils(root: Path) -> dict[str, dict[str, str]]:
    """The rows of the crosswalk by GSS code."""
    councils: dict[str, dict[str, str]] = {}
    for row in read_table(root, CROSSWALK):
        gss = row.cell("gss_code")
        if not re.fullmatch(r"E\d{8}", gss.value):
            raise gss.fail("not an English GSS code")
        if gss.value in councils:
            raise gss.fail("GSS code listed twice")
        councils[gss.value] = {k: (v or "").strip() for k, v in row.values.items()}
    return councils


def new_graph(name: str, derived_from: list[str], label: str) -> tuple[Graph, str]:
    """The graph of graph/{name}.ttl, described as an okg:SourceGraph; and its IRI."""
    graph = Graph(PREFIXES)
    iri = graph_iri(name)
    graph.add(iri, RDF_TYPE, IRI(OKG + "SourceGraph"))
    graph.add(iri, RDFS + "label", text(label, "en"))
    for source in derived_from:
        graph.add(iri, PROV + "wasDerivedFrom", IRI(source))
    return graph, iri


def council_label(record: Record, gss: str) -> str:
    return record.councils[gss]["official_name"]


def add_council_stub(graph: Graph, record: Record, gss: str, source: str) -> str:
    """The council's type, label and the source of a fact about it; returns its IRI."""
    iri = council_iri(gss)
    graph.add(iri, RDF_TYPE, IRI(OKG + "Council"))
    graph.add(iri, RDFS + "label", text(council_label(record, gss), "en"))
    graph.add(iri, DCT + "source", IRI(source))
    return iri


def add_inspection(
    graph: Graph,
    context: Context,
    gss: str,
    framework: str,
    published: str,
    dataset: str,
) -> str:
    """An inspection and its report, as ``dataset`` gives them; returns the inspection's IRI."""
    record = context.record
    iri = inspection_iri(gss, framework, published)
    council = add_council_stub(graph, record, gss, dataset)
    name = context.codes.frameworks[framework].phrase
    pretty = dt.date.fromisoformat(published).strftime("%-d %B %Y")
    graph.add(iri, RDF_TYPE, IRI(OKG + "Inspection"))
    graph.add(
        iri,
        RDFS + "label",
        text(f"Ofsted {name} of {council_label(record, gss)}, published {pretty}", "en"),
    )
    graph.add(iri, OKG + "inspected", IRI(council))
    graph.add(iri, OKG + "framework", IRI(expand("fw:" + framework)))
    graph.add(iri, OKG + "publicationDate", date(published))
    graph.add(iri, PROV + "wasAssociatedWith", IRI(OFSTED))
    graph.add(iri, DCT + "source", IRI(dataset))
    report = report_iri(gss, framework, published)
    graph.add(iri, OKG + "report", IRI(report))
    graph.add(report, RDF_TYPE, IRI(OKG + "InspectionReport"))
    graph.add(
        report,
        RDFS + "label",
        text(
            f"Ofsted's report on its {name} of {council_label(record, gss)}, published {pretty}",
            "en",
        ),
    )
    graph.add(
        report,
        DCT + "title",
        text(
            f"Ofsted's report on its {name} of {council_label(record, gss)}, published {pretty}",
            "en",
        ),
    )
    graph.add(
        report,
        SKOS + "editorialNote",
        text("Ofsted's table does not give the report's title: the title here describes it.", "en"),
    )
    graph.add(report, DCT + "publisher", IRI(OFSTED))
    graph.add(report, DCT + "issued", date(published))
    graph.add(report, DCT + "subject", IRI(council))
    graph.add(report, PROV + "wasDerivedFrom", IRI(dataset))
    inspection = record.inspections.setdefault(iri, Inspection(iri, gss, framework, published))
    inspection.datasets.add(dataset)
    return iri


def add_judgement(
    graph: Graph,
    context: Context,
    inspection: str,
    area: str,
    cell: Cell,
    dataset: str,
) -> None:
    """The judgement of ``area`` that ``cell`` prints for an inspection already added. The words
    must be a grade of the framework's scale (codes.py); a judgement that another table gives
    another grade is an error."""
    record, codes = context.record, context.codes
    found = record.inspections[inspection]
    scale = codes.printed_grades(found.framework)
    assert scale is not None
    if cell.value not in scale:
        expected = ", ".join(repr(g) for g in scale)
        raise cell.fail(f"not a grade of the {found.framework} framework's scale ({expected})")
    grade = scale[cell.value]
    iri = judgement_iri(found.council, found.framework, found.published, area)
    graph.add(iri, RDF_TYPE, IRI(OKG + "Judgement"))
    graph.add(iri, OKG + "judgementOf", IRI(council_iri(found.council)))
    graph.add(iri, OKG + "area", IRI(expand("area:" + area)))
    graph.add(iri, OKG + "grade", IRI(codes.grades[grade].iri))
    graph.add(iri, PROV + "wasGeneratedBy", IRI(inspection))
    graph.add(iri, PROV + "wasDerivedFrom", IRI(dataset))
    if codes.grades[grade].label != cell.value:
        graph.add(iri, OKG + "gradeAsPrinted", text(cell.value, "en"))
        graph.add(iri, OKG + "wordingNote", IRI(WORDING_NOTE))
    existing = [j for j in record.judgements[iri] if j.grade != grade]
    if existing:
        raise cell.fail(
            f"contradicts {existing[0].dataset.rsplit('/', 1)[-1]}, which gives "
            f"{codes.grades[existing[0].grade].label!r} for {iri}"
        )
    record.judgements[iri].append(
        Judgement(
            iri, found.council, found.framework, found.published, area, grade, cell.value, dataset
        )
    )
