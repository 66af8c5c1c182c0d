"""``/.well-known/void``: the dataset described in VoID and DCAT, with statistics from the store.

    GET /.well-known/void            Turtle for RDF clients (and ``*/*``), HTML for browsers
                                     (``templates/void.html``), JSON-LD, N-Triples, RDF/XML by
                                     ``Accept`` or ``?format=`` (``rdf.formats.DESCRIPTIONS``)

What it says, and where each part comes from:

- the catalogue, the dataset and its SPARQL endpoint (a ``dcat:DataService``, also
  ``void:sparqlEndpoint``); the endpoint and downloads are this server's own URLs, the identifiers
  are under the configured base;
- statistics computed by SPARQL over the data served (``void:triples``, ``void:entities``,
  ``void:classes``, ``void:properties``, ``void:distinctSubjects``, ``void:distinctObjects``), for
  the whole dataset (the union default graph, each triple once) and for each named graph as a
  ``void:subset`` (with ``sd:name``); a class and a property partition of the whole;
- each named graph's source documents, their publishers, pages and licences, read from the graph
  itself (``?graph prov:wasDerivedFrom ?document``): nothing is typed in here;
- each dump (see ``dumps``) as a ``dcat:Distribution`` and ``void:dataDump``, with its download URL,
  media type, gzip compression, byte size and SPDX checksum.

``void:entities`` counts the IRIs that have a type (``?s a ?class``); ``void:classes`` the distinct
objects of ``rdf:type``. The numbers are kept per dataset version, and the answer is negotiated
and versioned as every page is (``http``: 406, ``ETag: W/"<version>-<format>"``, 304).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from .. import __version__
from ..rdf import jsonld
from ..rdf.formats import DESCRIPTIONS, HTML, JSONLD, Format
from ..rdf.namespaces import DCAT, DCT, FOAF, PREFIXES, PROV, RDF, RDFS, SD, SPDX, VOID, XSD
from ..store.dumps import Manifest
from ..store.workers import Job
from .context import current_backend, current_settings, kept
from .dumps import current_dumps
from .http import conditional, negotiate, versioned

bp = Blueprint("void", __name__)

MIT = "https://opensource.org/licenses/MIT"
OGL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0."
)

# -- Statistics, by SPARQL over what is served ----------------------------------------------------

Q_TOTALS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }"""

Q_TYPES = """
SELECT (COUNT(DISTINCT ?c) AS ?classes) (COUNT(DISTINCT ?e) AS ?entities)
WHERE { ?s a ?c . BIND (IF(isIRI(?s), ?s, ?unbound) AS ?e) }"""

Q_GRAPHS = """
SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH ?g { ?s ?p ?o } }
GROUP BY ?g"""

Q_GRAPH_TYPES = """
SELECT ?g (COUNT(DISTINCT ?c) AS ?classes) (COUNT(DISTINCT ?e) AS ?entities)
WHERE { GRAPH ?g { ?s a ?c . BIND (IF(isIRI(?s), ?s, ?unbound) AS ?e) } }
GROUP BY ?g"""

Q_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities)
WHERE { ?s a ?class FILTER isIRI(?class) }
GROUP BY ?class"""

Q_PROPERTIES = """
SELECT ?property (COUNT(*) AS ?triples)
WHERE { ?s ?property ?o }
GROUP BY ?property"""

Q_SOURCES = """
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?g ?document ?title ?publisher ?publisherName ?license ?page ?issued
WHERE {
  GRAPH ?g { ?g prov:wasDerivedFrom ?document }
  OPTIONAL { ?document dct:title ?title }
  OPTIONAL { ?document dct:publisher ?publisher OPTIONAL { ?publisher rdfs:label ?publisherName } }
  OPTIONAL { ?document dct:license ?license }
  OPTIONAL { ?document foaf:page ?page }
  OPTIONAL { ?document dct:issued ?issued }
}"""


@dataclass
class Counts:
    triples: int = 0
    subjects: int = 0
    properties: int = 0
    objects: int = 0
    classes: int = 0
    entities: int = 0


@dataclass
class Source:
    document: str
    title: str | None = None
    publisher: str | None = None
    publisher_name: str | None = None
    license: str | None = None
    page: str | None = None
    issued: ox.Literal | None = None


@dataclass
class Statistics:
    total: Counts
    graphs: dict[str, Counts]
    classes: dict[str, int]
    properties: dict[str, int]
    sources: dict[str, list[Source]] = field(default_factory=dict)


def select(query: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """The rows of a SELECT query run by the query workers, as Oxigraph terms by variable."""
    answer = current_backend().run(Job("query", query, "JSON", None))
    solutions = ox.parse_query_results(answer.data, ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for name in names:
            value = solution[name]
            if value is not None:
                row[name] = value
        rows.append(row)
    return rows


def _int(row: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal], name: str) -> int:
    term = row.get(name)
    return int(term.value) if term is not None else 0


def _text(row: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal], name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def compute_statistics() -> Statistics:
    totals = select(Q_TOTALS)[0]
    types = select(Q_TYPES)[0]
    total = Counts(
        _int(totals, "triples"),
        _int(totals, "subjects"),
        _int(totals, "properties"),
        _int(totals, "objects"),
        _int(types, "classes"),
        _int(types, "entities"),
    )
    graphs: dict[str, Counts] = {}
    for row in select(Q_GRAPHS):
        graphs[row["g"].value] = Counts(
            _int(row, "triples"),
            _int(row, "subjects"),
            _int(row, "properties"),
            _int(row, "objects"),
        )
    for row in select(Q_GRAPH_TYPES):
        counts = graphs.setdefault(row["g"].value, Counts())
        counts.classes = _int(row, "classes")
        counts.entities = _int(row, "entities")
    classes = {row["class"].value: _int(row, "entities") for row in select(Q_CLASSES)}
    properties = {row["property"].value: _int(row, "triples") for row in select(Q_PROPERTIES)}
    sources: dict[str, dict[str, Source]] = defaultdict(dict)
    for row in select(Q_SOURCES):
        graph, document = row["g"].value, row["document"].value
        source = sources[graph].setdefault(document, Source(document))
        source.title = source.title or _text(row, "title")
        source.publisher = source.publisher or _text(row, "publisher")
        source.publisher_name = source.publisher_name or _text(row, "publisherName")
        source.license = source.license or _text(row, "license")
        source.page = source.page or _text(row, "page")
        issued = row.get("issued")
        if source.issued is None and isinstance(issued, ox.Literal):
            source.issued = issued
    return Statistics(
        total,
        graphs,
        classes,
        properties,
        {g: sorted(s.values(), key=lambda x: x.document) for g, s in sources.items()},
    )


def current_statistics() -> Statistics:
    """The statistics of the data served now, computed once per dataset version."""
    return kept("void.statistics", compute_statistics)


# -- The description as RDF -----------------------------------------------------------------------


class Description:
    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(
        self, s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        self.triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def add_counts(self, node: ox.NamedNode | ox.BlankNode, counts: Counts) -> None:
        for name, value in (
            ("triples", counts.triples),
            ("entities", counts.entities),
            ("classes", counts.classes),
            ("properties", counts.properties),
            ("distinctSubjects", counts.subjects),
            ("distinctObjects", counts.objects),
        ):
            self.add(node, VOID + name, integer(value))


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def text(value: str, lang: str | None = "en") -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def describe(stats: Statistics, dumps: Manifest, base: str, host: str) -> list[ox.Triple]:
    """The VoID and DCAT description: identifiers under ``base``, access URLs under ``host``."""
    here = f"{base}.well-known/void"
    catalog = ox.NamedNode(f"{here}#catalog")
    dataset = ox.NamedNode(f"{here}#ofsted-kg")
    service = ox.NamedNode(f"{here}#sparql")
    publisher = ox.NamedNode(f"{here}#publisher")
    endpoint = ox.NamedNode(f"{host}sparql")
    d = Description()
    a = RDF + "type"

    d.add(ox.NamedNode(here), a, ox.NamedNode(VOID + "DatasetDescription"))
    d.add(ox.NamedNode(here), DCT + "title", text("Description of the ofsted-kg dataset"))
    d.add(ox.NamedNode(here), FOAF + "primaryTopic", dataset)

    d.add(catalog, a, ox.NamedNode(DCAT + "Catalog"))
    d.add(catalog, DCT + "title", text("ofsted-kg catalogue"))
    d.add(
        catalog,
        DCT + "description",
        text("The ofsted-kg knowledge graph and the service that answers queries on it."),
    )
    d.add(catalog, DCT + "publisher", publisher)
    d.add(catalog, DCAT + "dataset", dataset)
    d.add(catalog, DCAT + "service", service)
    d.add(catalog, FOAF + "homepage", ox.NamedNode(host))

    d.add(publisher, a, ox.NamedNode(FOAF + "Agent"))
    d.add(publisher, FOAF + "name", text("The ofsted-kg project", None))
    d.add(publisher, FOAF + "homepage", ox.NamedNode(base))

    d.add(dataset, a, ox.NamedNode(VOID + "Dataset"))
    d.add(dataset, a, ox.NamedNode(DCAT + "Dataset"))
    d.add(dataset, DCT + "title", text("Ofsted knowledge graph (ofsted-kg)"))
    d.add(
        dataset,
        DCT + "description",
        text(
            "Ofsted's judgements on English councils' children's services 2009-2025, the officials "
            "involved, the documents that report them and the claims made about them in the press, "
            "every fact traceable to its source; with identity links to ONS, Wikidata, "
            "OpenDataCommunities and Ordnance Survey."
        ),
    )
    d.add(dataset, DCT + "publisher", publisher)
    d.add(dataset, DCT + "hasVersion", text(__version__, None))
    d.add(dataset, FOAF + "homepage", ox.NamedNode(host))
    d.add(dataset, VOID + "uriSpace", text(f"{base}id/", None))
    d.add(dataset, VOID + "vocabulary", ox.NamedNode(f"{base}def/"))
    d.add(dataset, VOID + "sparqlEndpoint", endpoint)
    d.add(dataset, VOID + "exampleResource", ox.NamedNode(f"{base}id/council/E10000016"))
    d.add(dataset, VOID + "rootResource", ox.NamedNode(f"{base}id/council/E10000016"))
    d.add(dataset, DCAT + "landingPage", ox.NamedNode(host))
    d.add(dataset, DCT + "license", ox.NamedNode(MIT))
    licences = sorted(
        {s.license for sources in stats.sources.values() for s in sources if s.license}
    )
    for licence in licences:
        if licence != MIT:
            d.add(dataset, DCT + "license", ox.NamedNode(licence))
    d.add(dataset, DCT + "rights", text(_rights(stats)))
    d.add_counts(dataset, stats.total)

    d.add(service, a, ox.NamedNode(DCAT + "DataService"))
    d.add(service, a, ox.NamedNode(SD + "Service"))
    d.add(service, DCT + "title", text("ofsted-kg SPARQL 1.1 endpoint"))
    d.add(service, DCAT + "endpointURL", endpoint)
    d.add(service, SD + "endpoint", endpoint)
    d.add(service, DCAT + "endpointDescription", endpoint)
    d.add(service, DCT + "conformsTo", ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"))
    d.add(service, DCAT + "servesDataset", dataset)

    for dump in dumps.files:
        node = ox.NamedNode(f"{here}#dump-{dump.format.export}")
        url = ox.NamedNode(f"{host}dumps/{dump.format.file_name}")
        checksum = ox.BlankNode(f"checksum{dump.format.export}")
        d.add(dataset, DCAT + "distribution", node)
        d.add(dataset, VOID + "dataDump", url)
        d.add(node, a, ox.NamedNode(DCAT + "Distribution"))
        d.add(node, DCT + "title", text(f"{dump.format.label} dump, gzipped"))
        d.add(node, DCAT + "downloadURL", url)
        d.add(node, DCAT + "accessURL", url)
        d.add(node, DCAT + "mediaType", ox.NamedNode(_iana(dump.format.media_type)))
        d.add(node, DCAT + "compressFormat", ox.NamedNode(_iana("application/gzip")))
        d.add(
            node,
            DCAT + "byteSize",
            ox.Literal(str(dump.bytes), datatype=ox.NamedNode(XSD + "nonNegativeInteger")),
        )
        d.add(node, DCT + "license", ox.NamedNode(MIT))
        d.add(node, SPDX + "checksum", checksum)
        d.add(checksum, a, ox.NamedNode(SPDX + "Checksum"))
        d.add(checksum, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256"))
        d.add(
            checksum,
            SPDX + "checksumValue",
            ox.Literal(dump.sha256, datatype=ox.NamedNode(XSD + "hexBinary")),
        )

    for class_iri, entities in sorted(stats.classes.items()):
        partition = ox.BlankNode(f"class{_key(class_iri)}")
        d.add(dataset, VOID + "classPartition", partition)
        d.add(partition, VOID + "class", ox.NamedNode(class_iri))
        d.add(partition, VOID + "entities", integer(entities))
    for property_iri, triples in sorted(stats.properties.items()):
        partition = ox.BlankNode(f"property{_key(property_iri)}")
        d.add(dataset, VOID + "propertyPartition", partition)
        d.add(partition, VOID + "property", ox.NamedNode(property_iri))
        d.add(partition, VOID + "triples", integer(triples))

    for graph, counts in sorted(stats.graphs.items()):
        subset = ox.NamedNode(graph)
        d.add(dataset, VOID + "subset", subset)
        d.add(subset, a, ox.NamedNode(VOID + "Dataset"))
        d.add(subset, SD + "name", subset)
        d.add(subset, VOID + "sparqlEndpoint", endpoint)
        d.add_counts(subset, counts)
        for source in stats.sources.get(graph, []):
            document = ox.NamedNode(source.document)
            d.add(subset, PROV + "wasDerivedFrom", document)
            d.add(subset, DCT + "source", document)
            if source.license:
                d.add(subset, DCT + "license", ox.NamedNode(source.license))
            if source.title:
                d.add(document, DCT + "title", text(source.title))
            if source.page:
                d.add(document, FOAF + "page", ox.NamedNode(source.page))
            if source.license:
                d.add(document, DCT + "license", ox.NamedNode(source.license))
            if source.issued is not None:
                d.add(document, DCT + "issued", source.issued)
            if source.publisher:
                who = ox.NamedNode(source.publisher)
                d.add(document, DCT + "publisher", who)
                if source.publisher_name:
                    d.add(who, RDFS + "label", text(source.publisher_name, None))
    return list(dict.fromkeys(d.triples))  # a document shared by graphs is described once


def _key(iri: str) -> str:
    return hashlib.sha256(iri.encode()).hexdigest()[:12]


def _iana(media_type: str) -> str:
    return f"https://www.iana.org/assignments/media-types/{media_type}"


def _rights(stats: Statistics) -> str:
    """The attribution statement, from the sources the graphs name."""
    by_licence: dict[str, set[str]] = defaultdict(set)
    unlicensed: set[str] = set()
    for sources in stats.sources.values():
        for source in sources:
            name = source.publisher_name or source.publisher or source.document
            if source.license:
                by_licence[source.license].add(name)
            else:
                unlicensed.add(name)
    parts = ["The project's own graph, ontology and code: MIT licence."]
    if OGL in by_licence:
        parts.append(f"{OGL_ATTRIBUTION} (From: {', '.join(sorted(by_licence.pop(OGL)))}.)")
    for licence, names in sorted(by_licence.items()):
        parts.append(f"Data from {', '.join(sorted(names))} under {licence}.")
    if unlicensed:
        parts.append(
            "Facts, figures and short quotations from articles and posts published by "
            f"{', '.join(sorted(unlicensed))}, each attributed to and linked with its source."
        )
    return " ".join(parts)


# -- The route ------------------------------------------------------------------------------------


@bp.route("/.well-known/void")
def void() -> Response:
    fmt = negotiate(DESCRIPTIONS, request.args.get("format"))
    version = current_backend().version()
    unchanged = conditional(version, fmt.name)
    if unchanged is not None:
        return unchanged
    stats = current_statistics()
    manifest = current_dumps()
    triples = describe(stats, manifest, current_settings().base, request.host_url)
    body = render_html(stats, manifest, triples) if fmt is HTML else rdf_body(triples, fmt)
    return versioned(Response(body, content_type=fmt.content_type), version, fmt.name)


def rdf_body(triples: list[ox.Triple], fmt: Format) -> bytes:
    """The description in an RDF format: Turtle and RDF/XML with the prefixes, JSON-LD indented."""
    prefixes = PREFIXES if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    body = ox.serialize(triples, format=fmt.rdf, prefixes=prefixes) or b""
    return jsonld.compact(body) if fmt is JSONLD else body


# -- HTML for people (templates/void.html) --------------------------------------------------------


@dataclass(frozen=True)
class GraphRow:
    iri: str
    href: str | None  # its page on this server, relative to /.well-known/void
    counts: Counts
    sources: list[Source]


def render_html(stats: Statistics, manifest: Manifest, triples: list[ox.Triple]) -> str:
    base = current_settings().base
    graphs = [
        GraphRow(g, graph_href(g, base), c, stats.sources.get(g, []))
        for g, c in sorted(stats.graphs.items())
    ]
    return render_template(
        "void.html",
        stats=stats,
        count=len(triples),
        rights=linked(_rights(stats)),
        graphs=graphs,
        manifest=manifest,
    )


def graph_href(graph: str, base: str) -> str | None:
    """A named graph's page on this server when its IRI is under the base, else None."""
    return f"../{graph[len(base) :]}" if graph.startswith(base) else None


_URL = re.compile(r"https?://[^\s<>\"]+?(?=[.,;)]?(?:\s|$))")


def linked(text: str) -> list[tuple[str, bool]]:
    """Plain text cut into its parts, each with whether it is a web address (to be a link)."""
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in _URL.finditer(text):
        parts += [(text[last : match.start()], False), (match.group(0), True)]
        last = match.end()
    return [*parts, (text[last:], False)]
