"""The reader that checks the seed documents' claims about councils' grades (the okg:Judgement
nodes of graph/seeds/*.ttl) against Ofsted's official record, one okg:Reconciliation node each.

Reads the inspections and judgements of Ofsted's tables (inspections.py). A claim is matched to
the same judgement, else to the same inspection's judgement of the area, else to the judgements of
the area published in the claim's year (or, if none, of the areas it covers: skos:broader in
ontology/). It agrees if a grade is the same or matched by skos:closeMatch (ontology/grades.ttl),
differs otherwise, and cannot be checked if nothing can be matched, with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..rdf.turtle import IRI, Graph, text
from .codes import Codes
from .publications import PUBLICATIONS
from .reading import load_turtle
from .record import Context, Judgement, council_label, new_graph
from .terms import (
    OKG,
    PROV,
    RDF_TYPE,
    RDFS,
    expand,
    graph_iri,
    reconciliation_iri,
)


@dataclass(frozen=True)
class SeedJudgement:
    iri: str
    document: str
    council: str
    area: str
    grade: str
    year: str
    inspection: str
    framework: str


SEED_QUERY = """
PREFIX okg: <https://w3id.org/ofsted-kg/def/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?j ?doc ?council ?area ?grade ?year ?insp ?fw WHERE {
  ?j a okg:Judgement ; okg:judgementOf ?council ; okg:area ?area ; okg:grade ?grade ;
     prov:wasDerivedFrom ?doc .
  OPTIONAL { ?j okg:judgementYear ?year }
  OPTIONAL { ?j prov:wasGeneratedBy ?insp OPTIONAL { ?insp okg:framework ?fw } }
}
"""


def read_seed_judgements(root: Path) -> list[SeedJudgement]:
    """The judgements of graph/seeds/*.ttl, each with the document it is derived from."""
    found: list[SeedJudgement] = []
    for path in sorted((root / "graph" / "seeds").glob("*.ttl")):
        store = ox.Store()
        relpath = path.relative_to(root).as_posix()
        load_turtle(store, root, relpath, graph_iri(f"seeds/{path.stem}"))
        for solution in store.query(SEED_QUERY):  # type: ignore[union-attr]

            def value(name: str, solution: ox.QuerySolution = solution) -> str:
                term = solution[name]
                return "" if term is None or isinstance(term, ox.Triple) else str(term.value)

            found.append(
                SeedJudgement(
                    value("j"),
                    value("doc"),
                    value("council"),
                    value("area"),
                    value("grade"),
                    value("year"),
                    value("insp"),
                    value("fw"),
                )
            )
    return sorted(set(found), key=lambda s: (s.document, s.iri))


def _describe(j: Judgement, codes: Codes) -> str:
    name = codes.frameworks[j.framework].phrase
    words = codes.grades[j.grade].label
    if j.printed != codes.grades[j.grade].label:
        words += f', printed "{j.printed}" in Ofsted\'s table'
    return f"the {name} published {j.published} ({words})"


def read_reconciliation(context: Context, name: str) -> Graph:
    """The seed documents' claims, checked. Reads the inspections and judgements of Ofsted's
    tables."""
    root, record, codes = context.root, context.record, context.codes
    seeds = read_seed_judgements(root)
    broader = codes.broader
    documents = sorted({s.document for s in seeds})
    graph, _ = new_graph(
        name,
        documents + [p.iri for p in PUBLICATIONS],
        "the seed documents' claims about councils' grades, checked against Ofsted's official "
        "record",
    )
    by_council: dict[str, list[Judgement]] = defaultdict(list)
    for versions in record.judgements.values():
        by_council[versions[0].council].append(versions[0])
    for seed in seeds:
        gss = seed.council.rsplit("/", 1)[-1]
        stem = seed.document.rsplit("/", 1)[-1]
        local = seed.iri.split("/id/judgement/", 1)[-1].replace("/", "-")
        if local.startswith(stem + "-"):
            local = local[len(stem) + 1 :]
        node = reconciliation_iri(seed.document, local)
        claimed = codes.grade_key(seed.grade)
        claimed_label = (
            codes.grades[claimed].label
            if claimed in codes.grades
            else seed.grade.rsplit("/", 1)[-1]
        )
        official = by_council.get(gss, [])
        candidates: list[Judgement] = []
        reason = ""
        if seed.iri in record.judgements:
            candidates = [record.judgements[seed.iri][0]]
            scope = "the same judgement in Ofsted's record"
        elif seed.inspection in record.inspections:
            candidates = [
                j
                for j in official
                if j.iri.startswith(seed.inspection + "/") and expand("area:" + j.area) == seed.area
            ]
            scope = "the same inspection's judgement of this area in Ofsted's record"
        elif seed.framework and seed.framework.rsplit("/", 1)[-1] not in codes.frameworks:
            reason = (
                f"The source reports a grade from Ofsted's {seed.framework.rsplit('/', 1)[-1]}, "
                "which none of Ofsted's tables in this graph covers."
            )
        elif seed.year:
            same_year = [j for j in official if j.published[:4] == seed.year]
            candidates = [j for j in same_year if expand("area:" + j.area) == seed.area]
            scope = f"Ofsted's judgements of this area published in {seed.year}"
            if not candidates:
                candidates = [
                    j for j in same_year if broader.get(expand("area:" + j.area)) == seed.area
                ]
                scope = (
                    f"Ofsted's judgements published in {seed.year} of the areas this one covers "
                    "(the framework then had no single overall judgement)"
                )
        else:
            reason = (
                "The source names neither the inspection nor its date, so no official judgement "
                "can be matched to it."
            )
        candidates.sort(key=lambda j: j.iri)
        if not reason and not candidates:
            reason = f"Ofsted's record has no judgement to match ({scope})."
        if reason:
            outcome = "cannot-be-checked"
        else:
            agreeing = [
                j for j in candidates if j.grade == claimed or codes.close(claimed, j.grade)
            ]
            outcome = "agrees" if agreeing else "differs"
            listed = "; ".join(_describe(j, codes) for j in candidates)
            verb = "agrees with" if agreeing else "differs from"
            reason = f"The source's grade, {claimed_label}, {verb} {scope}: {listed}."
            if any(j.printed != codes.grades[j.grade].label for j in candidates):
                reason += (
                    " Those frameworks used the 2009-2013 scale, on which the grade awarded was "
                    "Adequate; Ofsted's table prints it in the words of today's scale."
                )
            if agreeing and any(j.grade != claimed for j in agreeing):
                reason += " The grades are on different scales, matched by skos:closeMatch."
        graph.add(node, RDF_TYPE, IRI(OKG + "Reconciliation"))
        graph.add(
            node,
            RDFS + "label",
            text(f"check of {stem}'s {claimed_label} for {council_label(record, gss)}", "en"),
        )
        graph.add(node, OKG + "checkedJudgement", IRI(seed.iri))
        graph.add(node, OKG + "claimSource", IRI(seed.document))
        graph.add(node, OKG + "claimedGrade", IRI(seed.grade))
        graph.add(node, OKG + "reconciliationOutcome", IRI(expand("outcome:" + outcome)))
        graph.add(node, OKG + "reason", text(reason, "en"))
        graph.add(node, PROV + "wasDerivedFrom", IRI(seed.document))
        for j in candidates:
            graph.add(node, OKG + "checkedAgainst", IRI(j.iri))
            graph.add(node, PROV + "wasDerivedFrom", IRI(j.dataset))
    return graph
