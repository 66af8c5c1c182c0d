"""What the server says about one resource: SPARQL run through the backend, read into terms.

Pages and machine-readable descriptions never use rdflib's query engine: every query is a
``Job`` for ``current_backend().run`` (worker processes, deadlines), answered as SPARQL JSON and
read here into pyoxigraph terms (``select``: the query function the pages are built with). The
queries themselves are files in ``queries/``.

The description of a resource (its RDF form, served as Turtle, JSON-LD, N-Triples, RDF/XML, TriG
and N-Quads) is a concise bounded description widened for linked-data clients:

- every asserted triple with the resource as subject, each in the named graph (the source) that
  holds it;
- the blank nodes and the resource's own sub-resources (IRIs below it, such as an inspection's
  ``…/fieldwork``) that it points to, expanded three levels deep;
- the types the reasoner inferred for it (named classes only, in the inferred graph), so a client
  that knows only PROV-O, ORG, FOAF or SKOS recognises it;
- the triples pointing at it (up to 1,000), so a client can find, say, a council's
  inspections and the claims about it;
- the labels (``rdfs:label``, ``skos:prefLabel``, ``dct:title``) of everything those triples name;
- for each named graph it draws on, that graph's type, label and ``prov:wasDerivedFrom`` (the
  source document): the provenance of every triple in it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ...rdf.namespaces import (
    DCAT,
    DCT,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TIME,
    XSD,
    okg,
)
from ...store.workers import Job
from ..context import current_backend, current_settings
from .queries import fill

LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel", DCT + "title", FOAF + "name")

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]
Select = Callable[[str], list[Row]]  # a query function: SELECT text in, solutions out


def prefixes(base: str) -> dict[str, str]:
    """The prefixes used when serialising a description (the vocabularies it draws on)."""
    return {
        "okg": okg(base),
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


def term(binding: Mapping[str, Any]) -> Term:
    """A term of a SPARQL JSON result, as pyoxigraph's."""
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
    """The solutions of a SELECT query, each a mapping from variable name to term (the query
    function the pages are built with)."""
    settings = current_settings()
    job = Job("query", query, "JSON", None, max_bytes=settings.max_result_bytes)
    answer = current_backend().run(job)
    data = json.loads(answer.data)
    return [
        {name: term(value) for name, value in binding.items()}
        for binding in data["results"]["bindings"]
    ]


def ask(query: str) -> bool:
    answer = current_backend().run(Job("query", query, "JSON", None))
    return bool(json.loads(answer.data)["boolean"])


# -- Does the graph know this IRI? -------------------------------------------------------------


def is_known(resource: str) -> bool:
    """Whether any named graph names the resource, as subject or object, or it names a graph.
    A string that is no IRI at all (a space, a quote) is not known."""
    try:
        query = fill("is-known", current_settings().base, resource=resource)
    except ValueError:
        return False
    return ask(query)


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


def quads_of(rows: list[Row]) -> set[ox.Quad]:
    """The quads of a query's ?s ?p ?o ?g solutions."""
    return {ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows}  # type: ignore[arg-type]


def describe(resource: str) -> Description:
    """The description of a resource (see the module's docstring): ``queries/describe.rq``, then
    the provenance of the graphs it draws on (``queries/graph-provenance.rq``)."""
    base = current_settings().base
    quads = quads_of(select(fill("describe", base, resource=resource)))
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
    if graphs:
        quads |= quads_of(select(fill("graph-provenance", base, s=graphs)))
    return Description(resource, frozenset(quads))


def council_index_description() -> Description:
    """The index of councils as RDF: each council's type, label, GSS code and latest inspection,
    that inspection's date and framework, and the grade of its overall effectiveness, each
    statement in the named graph it comes from (``queries/council-index-data.rq``)."""
    base = current_settings().base
    rows = select(fill("council-index-data", base))
    return Description(base + "id/council", frozenset(quads_of(rows)))
