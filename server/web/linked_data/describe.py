"""What the server says about one resource: SPARQL run through the backend, read into terms.

Pages and machine-readable descriptions never use rdflib's query engine: every query is a
``Job`` for ``current_backend().run`` (worker processes, deadlines), answered as SPARQL JSON and
read here into pyoxigraph terms.

The description of a resource (its RDF form, served as Turtle, JSON-LD, N-Triples, RDF/XML, TriG
and N-Quads) is a concise bounded description widened for linked-data clients:

- every asserted triple with the resource as subject, each in the named graph (the source) that
  holds it;
- the blank nodes and the resource's own sub-resources (IRIs below it, such as an inspection's
  ``…/fieldwork``) that it points to, expanded three levels deep;
- the types the reasoner inferred for it (named classes only, in the inferred graph), so a client
  that knows only PROV-O, ORG, FOAF or SKOS recognises it;
- the triples pointing at it (up to ``INCOMING_LIMIT``), so a client can find, say, a council's
  inspections and the claims about it;
- the labels (``rdfs:label``, ``skos:prefLabel``, ``dct:title``) of everything those triples name;
- for each named graph it draws on, that graph's type, label and ``prov:wasDerivedFrom`` (the
  source document): the provenance of every triple in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ...store.workers import Job
from ..app import current_backend, current_settings

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
SPDX = "http://spdx.org/rdf/terms#"
DCAT = "http://www.w3.org/ns/dcat#"

RDF_TYPE = RDF + "type"
LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel", DCT + "title", FOAF + "name")
INCOMING_LIMIT = 1000

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]


def prefixes(base: str) -> dict[str, str]:
    """The prefixes used when serialising a description."""
    return {
        "okg": base + "def/",
        "rdf": RDF,
        "rdfs": RDFS,
        "owl": OWL,
        "xsd": XSD,
        "skos": SKOS,
        "prov": PROV,
        "dct": DCT,
        "foaf": FOAF,
        "org": ORG,
        "time": TIME,
        "dcat": DCAT,
    }


# -- Running SELECT queries through the backend ------------------------------------------------


def _term(binding: Mapping[str, Any]) -> Term:
    kind = binding["type"]
    value = binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)


def select(query: str) -> list[Row]:
    """The solutions of a SELECT query, each a mapping from variable name to term."""
    settings = current_settings()
    job = Job("query", query, "JSON", None, max_bytes=settings.max_result_bytes)
    answer = current_backend().run(job)
    data = json.loads(answer.data)
    return [
        {name: _term(value) for name, value in binding.items()}
        for binding in data["results"]["bindings"]
    ]


def ask(query: str) -> bool:
    answer = current_backend().run(Job("query", query, "JSON", None))
    return bool(json.loads(answer.data)["boolean"])


def iri(text: str) -> str:
    """An IRI written for a query (checked, so it cannot break out of its brackets)."""
    return str(ox.NamedNode(text))


def literal(text: str) -> str:
    return str(ox.Literal(text))


# -- Does the graph know this IRI? -------------------------------------------------------------


def is_known(resource: str) -> bool:
    """Whether any named graph names the resource, as subject or object, or it names a graph.
    A string that is no IRI at all (a space, a quote) is not known."""
    try:
        node = iri(resource)
    except ValueError:
        return False
    return ask(
        f"ASK {{ {{ GRAPH ?g {{ {node} ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p {node} }} }} "
        f"UNION {{ GRAPH {node} {{ ?s ?p ?o }} }} }}"
    )


# -- The description ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Description:
    resource: str
    quads: frozenset[ox.Quad]

    def triples(self) -> list[ox.Triple]:
        """Each triple once, whatever graphs hold it (for the triple formats)."""
        seen = {ox.Triple(q.subject, q.predicate, q.object) for q in self.quads}
        return sorted(seen, key=str)

    def sorted_quads(self) -> list[ox.Quad]:
        return sorted(self.quads, key=str)

    def serialize(self, fmt: ox.RdfFormat, base: str) -> bytes:
        quads = fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)  # JSON-LD stays plain
        items: list[ox.Triple] | list[ox.Quad] = self.sorted_quads() if quads else self.triples()
        data = ox.serialize(items, format=fmt, prefixes=prefixes(base))
        assert isinstance(data, bytes)
        return data


def _owned(var: str, resource: str) -> str:
    """A filter: ``var`` is a blank node or one of the resource's own sub-resources."""
    return f"(isBlank({var}) || STRSTARTS(STR({var}), {literal(resource + '/')}))"


def describe(resource: str) -> Description:
    settings = current_settings()
    node = iri(resource)
    inferred = iri(settings.inferred_graph)
    labels = ", ".join(iri(p) for p in LABEL_PREDICATES)
    query = f"""
SELECT ?s ?p ?o ?g WHERE {{
  {{ GRAPH ?g {{ {node} ?p ?o }} FILTER(?g != {inferred}) BIND({node} AS ?s) }}
  UNION
  {{ GRAPH ?g {{ {node} ?p1 ?s . ?s ?p ?o }} FILTER(?g != {inferred} && {_owned("?s", resource)}) }}
  UNION
  {{ GRAPH ?g {{ {node} ?p1 ?x . ?x ?p2 ?s . ?s ?p ?o }}
     FILTER(?g != {inferred} && {_owned("?x", resource)} && {_owned("?s", resource)}) }}
  UNION
  {{ GRAPH ?g {{ {node} ?p1 ?x . ?x ?p2 ?y . ?y ?p3 ?s . ?s ?p ?o }}
     FILTER(?g != {inferred} && {_owned("?x", resource)} && {_owned("?y", resource)}
            && {_owned("?s", resource)}) }}
  UNION
  {{ GRAPH {inferred} {{ {node} a ?o }}
     FILTER(isIRI(?o) && ?o != {iri(OWL + "Thing")})
     BIND({node} AS ?s) BIND({iri(RDF_TYPE)} AS ?p) BIND({inferred} AS ?g) }}
  UNION
  {{ {{ SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {node} }} FILTER(?g != {inferred}) }}
       LIMIT {INCOMING_LIMIT} }}
     BIND({node} AS ?o) }}
  UNION
  {{ {{ SELECT DISTINCT ?s WHERE {{
        {{ GRAPH ?g0 {{ {node} ?p0 ?s }} FILTER(?g0 != {inferred}) }}
        UNION
        {{ GRAPH ?g0 {{ {node} ?p0 ?x0 . ?x0 ?p1 ?s }}
           FILTER(?g0 != {inferred} && {_owned("?x0", resource)}) }}
        UNION
        {{ SELECT ?s WHERE {{ GRAPH ?g0 {{ ?s ?p0 {node} }} FILTER(?g0 != {inferred}) }}
           LIMIT {INCOMING_LIMIT} }}
        FILTER(isIRI(?s))
     }} }}
     GRAPH ?g {{ ?s ?p ?o }} FILTER(?p IN ({labels}) && ?g != {inferred}) }}
}}"""
    rows = select(query)
    quads = {ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows}  # type: ignore[arg-type]
    graphs = {q.graph_name for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    if graphs:
        names = " ".join(iri(g.value) for g in graphs)
        provenance = ", ".join(iri(p) for p in (RDF_TYPE, RDFS + "label", PROV + "wasDerivedFrom"))
        for r in select(
            f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {names} }} "
            f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?p IN ({provenance}) && ?g != {inferred}) }}"
        ):
            quads.add(ox.Quad(r["s"], r["p"], r["o"], r["g"]))  # type: ignore[arg-type]
    return Description(resource, frozenset(quads))


def outgoing(description: Description) -> Iterator[ox.Quad]:
    subject = ox.NamedNode(description.resource)
    return (q for q in description.quads if q.subject == subject)
