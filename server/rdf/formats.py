"""The one table of formats: every representation the server reads or writes, by name, media
type, file extension and Oxigraph format.

Each place that offers formats offers a tuple of them, in its order of preference (the first is
what a client that states no preference gets): ``RESULTS`` for SELECT and ASK answers, ``GRAPHS``
for CONSTRUCT and DESCRIBE answers and Graph Store reads, ``PAGES`` for the linked-data pages,
``DESCRIPTIONS`` for the ontology (``/def/``) and the dataset description (``/.well-known/void``),
``DUMP_LIST`` for the list of dumps, ``UPLOADS`` for what a Graph Store write may send, ``EXPORTS``
for ``ofsted-kg export`` and the dumps. Content negotiation itself is ``web.http``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox

OxFormat = ox.RdfFormat | ox.QueryResultsFormat


@dataclass(frozen=True)
class Format:
    name: str  # what ``format=`` and ``ofsted-kg query --format`` take
    label: str  # for people
    media_type: str  # the Content-Type answered
    accepts: tuple[str, ...]  # media types in Accept (or in Content-Type, for uploads)
    extension: str  # what a /doc/ or /def/ path may end with to ask for it
    kind: str  # "results" (SELECT, ASK), "graph" (triples or quads), "html" or "data" (JSON)
    oxigraph: OxFormat | None = None  # None: HTML, or plain JSON
    aliases: tuple[str, ...] = ()  # other names a client may give (SPARQLWrapper's)
    quads: bool = False  # whether it keeps named graphs

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.name in ("json", "jsonld", "ntriples")
        return f"{self.media_type}; charset=utf-8" if text else self.media_type

    @property
    def rdf(self) -> ox.RdfFormat:
        assert isinstance(self.oxigraph, ox.RdfFormat), self.name
        return self.oxigraph

    @property
    def results(self) -> ox.QueryResultsFormat:
        assert isinstance(self.oxigraph, ox.QueryResultsFormat), self.name
        return self.oxigraph

    @cached_property
    def enum_name(self) -> str:
        """The name of its Oxigraph format in its enum (what a query worker is sent)."""
        enum = type(self.oxigraph)
        return next(n for n in dir(enum) if getattr(enum, n) is self.oxigraph)

    def named(self, name: str) -> bool:
        """Whether ``name`` (a row name, an alias or a media type, any case) names it."""
        lowered = name.strip().lower()
        return lowered in (self.name, *self.aliases, *self.accepts)


# -- Results of SELECT and ASK ---------------------------------------------------------------------

JSON = Format(
    "json",
    "SPARQL JSON",
    "application/sparql-results+json",
    ("application/sparql-results+json", "application/json"),
    "srj",
    "results",
    ox.QueryResultsFormat.JSON,
)
XML = Format(
    "xml",
    "SPARQL XML",
    "application/sparql-results+xml",
    ("application/sparql-results+xml", "application/xml", "text/xml"),
    "srx",
    "results",
    ox.QueryResultsFormat.XML,
)
CSV = Format("csv", "CSV", "text/csv", ("text/csv",), "csv", "results", ox.QueryResultsFormat.CSV)
TSV = Format(
    "tsv",
    "TSV",
    "text/tab-separated-values",
    ("text/tab-separated-values",),
    "tsv",
    "results",
    ox.QueryResultsFormat.TSV,
)

# -- Graphs ---------------------------------------------------------------------------------------

TURTLE = Format(
    "turtle",
    "Turtle",
    "text/turtle",
    ("text/turtle", "application/x-turtle"),
    "ttl",
    "graph",
    ox.RdfFormat.TURTLE,
    ("n3",),  # Turtle is N3
)
NTRIPLES = Format(
    "ntriples",
    "N-Triples",
    "application/n-triples",
    ("application/n-triples", "text/plain"),
    "nt",
    "graph",
    ox.RdfFormat.N_TRIPLES,
)
RDFXML = Format(
    "rdfxml",
    "RDF/XML",
    "application/rdf+xml",
    ("application/rdf+xml", "application/xml", "text/xml"),
    "rdf",
    "graph",
    ox.RdfFormat.RDF_XML,
    ("rdf+xml", "rdf", "xml"),  # SPARQLWrapper's default, XML, is RDF/XML for a graph
)
JSONLD = Format(
    "jsonld",
    "JSON-LD",
    "application/ld+json",
    ("application/ld+json", "application/json"),
    "jsonld",
    "graph",
    ox.RdfFormat.JSON_LD,
    ("json-ld",),
    quads=True,
)
TRIG = Format(
    "trig",
    "TriG",
    "application/trig",
    ("application/trig",),
    "trig",
    "graph",
    ox.RdfFormat.TRIG,
    quads=True,
)
NQUADS = Format(
    "nquads",
    "N-Quads",
    "application/n-quads",
    ("application/n-quads",),
    "nq",
    "graph",
    ox.RdfFormat.N_QUADS,
    quads=True,
)
N3 = Format("n3", "N3", "text/n3", ("text/n3",), "n3", "graph", ox.RdfFormat.N3)

# -- Pages ----------------------------------------------------------------------------------------

HTML = Format("html", "HTML", "text/html", ("text/html", "application/xhtml+xml"), "html", "html")
# Plain JSON, not RDF: the machine twin of a page that lists things (the dumps).
DATA_JSON = Format("json", "JSON", "application/json", ("application/json",), "json", "data")
# Plain CSV: the machine twin of a table (the claims and their verdicts).
DATA_CSV = Format("csv", "CSV", "text/csv", ("text/csv",), "csv", "data")

# -- What each place offers, in its order of preference -------------------------------------------

RESULTS: tuple[Format, ...] = (JSON, XML, CSV, TSV)
GRAPHS: tuple[Format, ...] = (TURTLE, NTRIPLES, RDFXML, JSONLD, TRIG, NQUADS)
PAGES: tuple[Format, ...] = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML, TRIG, NQUADS)
# Turtle first: an RDF client that says nothing (or */*) gets data, a browser asks for HTML.
DESCRIPTIONS: tuple[Format, ...] = (TURTLE, HTML, JSONLD, NTRIPLES, RDFXML)
DUMP_LIST: tuple[Format, ...] = (HTML, DATA_JSON)
TABLES: tuple[Format, ...] = (HTML, DATA_JSON, DATA_CSV)
UPLOADS: tuple[Format, ...] = (TURTLE, NTRIPLES, RDFXML, JSONLD, N3)
EXPORTS: tuple[Format, ...] = (NQUADS, TRIG, TURTLE, JSONLD)
ALL: tuple[Format, ...] = (*RESULTS, *GRAPHS, N3, HTML, DATA_JSON)


def by_name(name: str, offered: tuple[Format, ...] = ALL) -> Format | None:
    """The offered format a name, alias or media type names; ``name`` may list alternatives
    separated by commas, and the first that names an offered format wins."""
    for candidate in name.split(","):
        found = next((f for f in offered if f.named(candidate)), None)
        if found is not None:
            return found
    return None


def by_extension(extension: str, offered: tuple[Format, ...] = PAGES) -> Format | None:
    return next((f for f in offered if f.extension == extension), None)


def upload_format(media_type: str) -> Format | None:
    """The format a Graph Store write's Content-Type (parameters removed) names."""
    return next((f for f in UPLOADS if media_type in f.accepts), None)


def for_result(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> tuple[Format, ...]:
    """The formats a query's result can be written in: a graph's, or solutions' and booleans'."""
    return GRAPHS if isinstance(result, ox.QueryTriples) else RESULTS


def serialize(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: Format) -> bytes:
    """The whole result written in ``fmt`` (so a failure surfaces before any byte is sent)."""
    data = result.serialize(format=fmt.oxigraph)  # type: ignore[arg-type]
    assert isinstance(data, bytes)
    return data
