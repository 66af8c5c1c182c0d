"""The SPARQL Service Description: what ``GET /sparql`` with no query answers.

A browser (which prefers HTML to every RDF format) is sent to the query page (/query) instead;
SPARQL clients, ``*/*`` and an explicit ``format`` get the description, in any graph format.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, request

from ..rdf.formats import GRAPHS, RESULTS
from ..rdf.namespaces import RDF_TYPE, SD
from .context import current_settings
from .http import negotiate, prefers_html

# The W3C's IRIs for the formats the endpoint answers in.
FORMAT_IRIS = {
    "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "turtle": "http://www.w3.org/ns/formats/Turtle",
    "ntriples": "http://www.w3.org/ns/formats/N-Triples",
    "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
    "trig": "http://www.w3.org/ns/formats/TriG",
    "nquads": "http://www.w3.org/ns/formats/N-Quads",
}


def service_description(explicit: str | None) -> Response:
    if explicit is None and prefers_html(m for f in GRAPHS for m in f.accepts):
        # A person opening /sparql in a browser: the query page, not the description's Turtle.
        response = Response(status=303, headers={"Location": request.script_root + "/query"})
        response.vary.add("Accept")
        return response
    fmt = negotiate(GRAPHS, explicit)
    settings = current_settings()
    node = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    rdf_type = ox.NamedNode(RDF_TYPE)
    triples = [
        ox.Triple(node, rdf_type, sd("Service")),
        ox.Triple(node, sd("endpoint"), ox.NamedNode(request.base_url)),
        ox.Triple(node, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(node, sd("feature"), sd("BasicFederatedQuery")),
        ox.Triple(
            node,
            sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(node, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, rdf_type, sd("Graph")),
    ]
    if settings.union:
        triples.append(ox.Triple(node, sd("feature"), sd("UnionDefaultGraph")))
    if settings.update_token is not None:
        triples.append(ox.Triple(node, sd("supportedLanguage"), sd("SPARQL11Update")))
    for f in (*RESULTS, *GRAPHS):
        triples.append(ox.Triple(node, sd("resultFormat"), ox.NamedNode(FORMAT_IRIS[f.name])))
    data = ox.serialize(triples, format=fmt.rdf, prefixes={"sd": SD})
    response = Response(data, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response
