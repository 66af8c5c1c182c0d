"""Seeded synthetic instance data shaped like the official Ofsted record.

Used by tests/test_reasoning.py and benchmarks/reasoning.py (loaded by file path, as
neither directory is a package). ``synthetic_abox(n_councils)`` yields about 600 triples
per council: for 156 councils, ~2,500 inspections, ~9,000 judgements, people with
memberships, reports, claims; with that and the ontologies, ~100k triples.
"""

from __future__ import annotations

import random
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OKG = Namespace("https://w3id.org/ofsted-kg/def/")
ID = Namespace("https://w3id.org/ofsted-kg/id/")
WD = Namespace("http://www.wikidata.org/entity/")

GRADES = ("outstanding", "good", "requires-improvement", "inadequate")
AREAS = ("overall", "help-and-protection", "children-in-care", "care-leavers", "leadership")


def vendor_tbox() -> Graph:
    """The local copies of the external ontologies (ontology/vendor/*.nt)."""
    graph = Graph()
    for path in sorted((ROOT / "ontology" / "vendor").glob("*.nt")):
        graph.parse(path, format="nt")
    return graph


def synthetic_tbox() -> Graph:
    """Our own few axioms for the synthetic data (tests/reasoning/synthetic_tbox.ttl)."""
    return Graph().parse(HERE / "synthetic_tbox.ttl", format="turtle")


def _schemes(graph: Graph) -> None:
    grades = ID["scheme/grades"]
    legacy = ID["scheme/legacy-grades"]
    graph.add((grades, RDF.type, SKOS.ConceptScheme))
    graph.add((grades, SKOS.prefLabel, Literal("Ofsted grades", lang="en")))
    graph.add((legacy, RDF.type, SKOS.ConceptScheme))
    graph.add((ID["grade/below-good"], RDF.type, SKOS.Concept))
    graph.add((ID["grade/below-good"], SKOS.inScheme, grades))
    for i, name in enumerate(GRADES):
        grade, old = ID[f"grade/{name}"], ID[f"legacy-grade/{name}"]
        graph.add((grade, RDF.type, SKOS.Concept))
        graph.add((grade, SKOS.inScheme, grades))
        graph.add((grade, SKOS.prefLabel, Literal(name.replace("-", " "), lang="en")))
        graph.add((grade, SKOS.notation, Literal(i + 1, datatype=XSD.integer)))
        graph.add((grade, SKOS.closeMatch, old))
        graph.add((old, RDF.type, SKOS.Concept))
        graph.add((old, SKOS.inScheme, legacy))
        if i >= 2:
            graph.add((grade, SKOS.broader, ID["grade/below-good"]))
    for name in AREAS:
        area = ID[f"area/{name}"]
        graph.add((area, RDF.type, SKOS.Concept))
        graph.add((area, SKOS.inScheme, ID["scheme/areas"]))
        graph.add((area, SKOS.prefLabel, Literal(name.replace("-", " "), lang="en")))


def synthetic_abox(n_councils: int, seed: int = 20240601) -> Graph:
    """Instance data for `n_councils` councils (deterministic for a given seed)."""
    rnd = random.Random(seed)
    graph = Graph()
    add = graph.add
    _schemes(graph)
    datasets = [ID[f"dataset/{year}"] for year in range(2018, 2025)]
    for year, dataset in zip(range(2018, 2025), datasets, strict=True):
        add((dataset, RDF.type, DCAT.Dataset))
        add((dataset, DCTERMS.title, Literal(f"Ofsted outcomes {year}", lang="en")))
        add((dataset, DCTERMS.issued, Literal(f"{year}-03", datatype=XSD.gYearMonth)))
    roles = [ID["role/director"], ID["role/inspector"], ID["role/councillor"]]
    for role in roles:
        add((role, RDF.type, ORG.Role))
    person_count = 0
    for c in range(n_councils):
        council = ID[f"council/{c}"]
        add((council, RDF.type, ORG.FormalOrganization))
        add((council, OWL.sameAs, WD[f"Q{1000 + 37 * c}"]))
        add((council, SKOS.prefLabel, Literal(f"Council {c}", lang="en")))
        add((council, RDFS.label, Literal(f"Council {c}")))
        add((council, ORG.identifier, Literal(f"E{10000000 + c}")))
        add((council, FOAF.homepage, URIRef(f"https://council{c}.gov.uk/")))
        people = []
        for _ in range(4):
            person = ID[f"person/{person_count}"]
            person_count += 1
            people.append(person)
            add((person, RDF.type, FOAF.Person))
            add((person, FOAF.name, Literal(f"Person {person_count}")))
            for m in range(2):
                membership = ID[f"membership/{person_count}-{m}"]
                interval, instant = BNode(), BNode()
                add((membership, RDF.type, ORG.Membership))
                add((membership, ORG.member, person))
                add((membership, ORG.organization, council))
                add((membership, ORG.role, rnd.choice(roles)))
                add((membership, ORG.memberDuring, interval))
                add((interval, RDF.type, TIME.Interval))
                add((interval, TIME.hasBeginning, instant))
                add((instant, RDF.type, TIME.Instant))
                date = f"{rnd.randint(2005, 2023)}-{rnd.randint(1, 12):02d}-01"
                add((instant, TIME.inXSDDate, Literal(date, datatype=XSD.date)))
        for i in range(16):
            inspection = ID[f"inspection/{c}-{i}"]
            year = rnd.randint(2018, 2024)
            add((inspection, RDF.type, OKG.Inspection))
            add((inspection, OKG.inspected, council))
            add((inspection, OKG.leadInspector, rnd.choice(people)))
            add((inspection, OKG.inspectionYear, Literal(str(year), datatype=XSD.gYear)))
            report = ID[f"report/{c}-{i}"]
            add((inspection, OKG.report, report))
            add((report, RDF.type, FOAF.Document))
            add((report, DCTERMS.title, Literal(f"Inspection of council {c} ({i})", lang="en")))
            add(
                (
                    report,
                    DCTERMS.issued,
                    Literal(f"{year}-0{rnd.randint(1, 9)}-15", datatype=XSD.date),
                )
            )
            if i % 4 == 0:
                association = BNode()
                add((inspection, PROV.qualifiedAssociation, association))
                add((association, RDF.type, PROV.Association))
                add((association, PROV.agent, rnd.choice(people)))
                add((association, PROV.hadRole, roles[1]))
            for j in range(rnd.choice((3, 4, 4))):
                judgement = ID[f"judgement/{c}-{i}-{j}"]
                add((judgement, RDF.type, OKG.Judgement))
                add((judgement, PROV.wasGeneratedBy, inspection))
                add((judgement, PROV.wasDerivedFrom, datasets[year - 2018]))
                add((judgement, OKG.grade, ID[f"grade/{rnd.choice(GRADES)}"]))
                add((judgement, OKG.area, ID[f"area/{AREAS[j]}"]))
                add((judgement, OKG.about, council))
                if j == 0:
                    score = f"{rnd.randint(10, 40) / 10:.1f}"
                    add((judgement, OKG.score, Literal(score, datatype=XSD.decimal)))
        for k in range(6):
            claim = ID[f"claim/{c}-{k}"]
            add((claim, RDF.type, OKG.Claim))
            add((claim, PROV.wasAttributedTo, rnd.choice(people)))
            add((claim, PROV.wasQuotedFrom, ID[f"report/{c}-{rnd.randrange(16)}"]))
            add((claim, OKG.claimText, Literal(f"Claim {k} about council {c}", lang="en")))
            add((claim, OKG.about, council))
    return graph


def synthetic_graph(n_councils: int, *, vendor: bool = True, seed: int = 20240601) -> Graph:
    """Ontologies (vendor ones optional) plus instance data, merged into one graph."""
    graph = vendor_tbox() if vendor else Graph()
    graph += synthetic_tbox()
    graph += synthetic_abox(n_councils, seed)
    return graph
