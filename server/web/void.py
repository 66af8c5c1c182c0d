"""``/.well-known/void``: the dataset described in VoID and DCAT, with statistics from the store.

    GET /.well-known/void            Turtle for RDF clients (and ``*/*``), HTML for browsers,
                                     JSON-LD, N-Triples, RDF/XML by ``Accept`` or ``?format=``

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
objects of ``rdf:type``. The numbers are kept per dataset version.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MIMEAccept

from .. import __version__
from ..errors import NotAcceptableError
from ..store.workers import Job
from .app import current_backend, current_settings
from .chrome import site_header
from .dumps import Manifest, current_dumps

bp = Blueprint("void", __name__)

STATS_KEY = "ofsted_kg.void.stats"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"

PREFIXES = {
    "dcat": DCAT,
    "dct": DCT,
    "foaf": FOAF,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "sd": SD,
    "spdx": SPDX,
    "void": VOID,
    "xsd": XSD,
}

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
    version = current_backend().version().token
    cache: dict[str, Statistics] = current_app.extensions.setdefault(STATS_KEY, {})
    if version not in cache:
        cache.clear()
        cache[version] = compute_statistics()
    return cache[version]


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
    import hashlib

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

# name -> (media type answered, Oxigraph format or None for HTML, media types that select it)
FORMATS: tuple[tuple[str, str, ox.RdfFormat | None, tuple[str, ...]], ...] = (
    (
        "turtle",
        "text/turtle; charset=utf-8",
        ox.RdfFormat.TURTLE,
        ("text/turtle", "application/x-turtle"),
    ),
    ("html", "text/html; charset=utf-8", None, ("text/html", "application/xhtml+xml")),
    (
        "jsonld",
        "application/ld+json",
        ox.RdfFormat.JSON_LD,
        ("application/ld+json", "application/json"),
    ),
    (
        "ntriples",
        "application/n-triples",
        ox.RdfFormat.N_TRIPLES,
        ("application/n-triples", "text/plain"),
    ),
    ("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML, ("application/rdf+xml",)),
)


def choose_format() -> tuple[str, str, ox.RdfFormat | None]:
    explicit = request.args.get("format")
    if explicit:
        for name, media, fmt, accepts in FORMATS:
            if explicit.lower() == name or explicit.lower() in accepts:
                return name, media, fmt
        names = ", ".join(f[0] for f in FORMATS)
        raise NotAcceptableError(f"format {explicit!r} is not offered; use one of {names}")
    accept = MIMEAccept([(v.split(";")[0].strip(), q) for v, q in request.accept_mimetypes])
    if not accept:
        return FORMATS[0][0], FORMATS[0][1], FORMATS[0][2]
    best = accept.best_match([m for f in FORMATS for m in f[3]])
    if best is None:
        offered = ", ".join(f[3][0] for f in FORMATS)
        raise NotAcceptableError(f"the dataset description is available as {offered}")
    return next((n, m, f) for n, m, f, accepts in FORMATS if best in accepts)


@bp.route("/.well-known/void")
def void() -> Response:
    _name, media, fmt = choose_format()
    settings = current_settings()
    stats = current_statistics()
    triples = describe(stats, current_dumps(), settings.base, request.host_url)
    body: str | bytes
    if fmt is None:
        body = render_html(stats, triples)
    else:
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
        body = ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
        if fmt == ox.RdfFormat.JSON_LD:
            body = _compact_jsonld(body)
    response = Response(body, content_type=media)
    response.vary.add("Accept")
    return response


def _compact_jsonld(data: bytes) -> bytes:
    """Oxigraph's JSON-LD, re-indented (it is already valid expanded JSON-LD)."""
    return (json.dumps(json.loads(data), indent=1, ensure_ascii=False) + "\n").encode()


# -- HTML for people ------------------------------------------------------------------------------


def _label(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def render_html(stats: Statistics, triples: Iterable[ox.Triple]) -> str:
    dumps = current_dumps()
    t = stats.total
    rows = "\n".join(
        f'<tr><th scope="row">{html.escape(label)}</th><td>{value:,}</td></tr>'
        for label, value in (
            ("triples (each once, all graphs)", t.triples),
            ("entities (typed IRIs)", t.entities),
            ("classes", t.classes),
            ("properties", t.properties),
            ("distinct subjects", t.subjects),
            ("distinct objects", t.objects),
        )
    )
    base = current_settings().base
    graph_rows = "\n".join(
        f"<tr><td>{_graph_link(g, base)}</td><td>{c.triples:,}</td><td>{c.entities:,}</td>"
        f"<td>{c.classes:,}</td><td>{c.properties:,}</td><td>{c.subjects:,}</td><td>{c.objects:,}</td>"
        f"<td>{_sources_html(stats.sources.get(g, []))}</td></tr>"
        for g, c in sorted(stats.graphs.items())
    )
    dump_rows = "\n".join(
        f'<li><a href="../dumps/{html.escape(f.format.file_name)}">'
        f"{html.escape(f.format.file_name)}</a> "
        f"({html.escape(f.format.label)}, {f.bytes:,} bytes, sha256 <code>{f.sha256}</code>)</li>"
        for f in dumps.files
    )
    return VOID_PAGE.format(
        site_header=site_header("../", ".well-known/void"),
        rows=rows,
        graph_rows=graph_rows,
        dumps=dump_rows,
        rights=_linked(_rights(stats)),
        count=len(list(triples)),
    )


def _graph_link(graph: str, base: str) -> str:
    """A named graph's IRI, linked to its page on this server when it is under the base."""
    text = f"<code>{html.escape(graph)}</code>"
    if not graph.startswith(base):
        return text
    return f'<a href="../{html.escape(graph[len(base) :])}">{text}</a>'


_URL = re.compile(r"https?://[^\s<>\"]+?(?=[.,;)]?(?:\s|$))")


def _linked(text: str) -> str:
    """Plain text as HTML, with its web addresses made links."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        url = html.escape(match.group(0))
        parts += [html.escape(text[last : match.start()]), f'<a href="{url}">{url}</a>']
        last = match.end()
    return "".join([*parts, html.escape(text[last:])])


def _sources_html(sources: list[Source]) -> str:
    parts = []
    for source in sources:
        title = html.escape(source.title or source.document)
        link = source.page or source.document
        who = f" ({html.escape(source.publisher_name)})" if source.publisher_name else ""
        licence = f' <a href="{html.escape(source.license)}">licence</a>' if source.license else ""
        parts.append(f'<a href="{html.escape(link)}">{title}</a>{who}{licence}')
    return "<br>".join(parts)


VOID_PAGE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>ofsted-kg: dataset description</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="../static/pages/pages.css"></head>
<body>
{site_header}
<main id="main">
<h1>The ofsted-kg dataset</h1>
<p>Ofsted's judgements on English councils' children's services 2009-2025, the officials involved,
the documents that report them and the claims made about them in the press, every fact traceable to
its source. This page is the human view of a VoID and DCAT description ({count:,} triples): ask for
<a href="?format=turtle">Turtle</a>, <a href="?format=jsonld">JSON-LD</a> or
<a href="?format=ntriples">N-Triples</a>.</p>
<p>Query it at <a href="../sparql">/sparql</a> (SPARQL 1.1) or with the
<a href="../">query page</a>; the ontology is at <a href="../def/">/def/</a>.</p>
<h2>Licences and attributions</h2>
<p>{rights}</p>
<h2>Statistics</h2>
<table><tbody>
{rows}
</tbody></table>
<h2>Downloads</h2>
<ul>
{dumps}
</ul>
<h2>Named graphs</h2>
<table>
<thead><tr><th>graph</th><th>triples</th><th>entities</th><th>classes</th><th>properties</th>
<th>subjects</th><th>objects</th><th>sources</th></tr></thead>
<tbody>
{graph_rows}
</tbody>
</table>
</main>
</body>
</html>
"""
