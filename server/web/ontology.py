"""``/def/``: the project's ontology and code lists, for people (HTML) and machines (RDF).

    GET /def/                    the documentation: HTML for browsers (``templates/ontology.html``);
                                 Turtle for RDF clients and ``*/*``; JSON-LD, N-Triples, RDF/XML by
                                 ``Accept`` or ``?format=`` (``rdf.formats.DESCRIPTIONS``)
    GET /def/ontology.ttl        the same by extension (.ttl, .jsonld, .nt, .rdf, .html)
    GET /def/Judgement           a term: 303 to its place in the documentation for browsers, its
    GET /def/grade/2013/good     description (and for a scheme its concepts) for RDF clients
    GET /def/Judgement.ttl       a term by extension

The terms are read from the store, from the graphs the build loaded from ``ontology/*.ttl``
(``<base>graph/def/...``), so the documentation is always that of the data served. The vendored
standard vocabularies (``<base>graph/vocab/...``) are not documented here, only linked to.

A term IRI is ``https://w3id.org/ofsted-kg/def/`` followed by its local name: ``Judgement``,
``leadInspector``, ``grade/2013/good``; its documentation anchor is that local name.

The terms are kept per dataset version; every answer is negotiated and versioned as every page is
(``http``: 406 for a format not offered, ``ETag: W/"<version>-<format>"``, 304).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request

from ..errors import NotFoundError
from ..rdf import jsonld
from ..rdf.formats import DESCRIPTIONS, HTML, JSONLD, Format, by_extension
from ..rdf.namespaces import DCT, OWL, RDF, RDFS, SKOS, prefixes, shorten
from ..store.workers import Job
from .context import current_backend, current_settings, kept
from .http import conditional, negotiate, versioned

bp = Blueprint("ontology_docs", __name__)

CLASS_TYPES = (OWL + "Class", RDFS + "Class")
PROPERTY_TYPES = (
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Ontology:
    namespace: str  # <base>def/
    triples: list[ox.Triple]
    about: dict[str, list[tuple[str, Term]]] = field(default_factory=lambda: defaultdict(list))
    blank: dict[str, list[tuple[str, Term]]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for t in self.triples:
            target = self.about if isinstance(t.subject, ox.NamedNode) else self.blank
            assert isinstance(t.subject, ox.NamedNode | ox.BlankNode)
            if not isinstance(t.object, ox.Triple):
                target[t.subject.value].append((t.predicate.value, t.object))

    def values(self, subject: str, predicate: str) -> list[Term]:
        return [o for p, o in self.about.get(subject, []) if p == predicate]

    def iris(self, subject: str, predicate: str) -> list[str]:
        return sorted(
            o.value for o in self.values(subject, predicate) if isinstance(o, ox.NamedNode)
        )

    def text(self, subject: str, *predicates: str) -> str | None:
        for predicate in predicates:
            literals = [o for o in self.values(subject, predicate) if isinstance(o, ox.Literal)]
            english = [o for o in literals if o.language in (None, "en")]
            if english or literals:
                return (english or literals)[0].value
        return None

    def types(self, subject: str) -> list[str]:
        return self.iris(subject, RDF + "type")

    def ours(self, iri: str) -> bool:
        return iri.startswith(self.namespace) and iri != self.namespace

    def of_type(self, *kinds: str) -> list[str]:
        return sorted(s for s in self.about if self.ours(s) and set(self.types(s)) & set(kinds))

    @property
    def classes(self) -> list[str]:
        return self.of_type(*CLASS_TYPES)

    @property
    def properties(self) -> list[str]:
        return self.of_type(*PROPERTY_TYPES)

    @property
    def schemes(self) -> list[str]:
        return self.of_type(SKOS + "ConceptScheme")

    def concepts(self, scheme: str) -> list[str]:
        """A scheme's concepts in order: an ordered collection's, else by rank, notation, label."""
        members = sorted(
            s
            for s in self.about
            if scheme in self.iris(s, SKOS + "inScheme")
            or scheme in self.iris(s, SKOS + "topConceptOf")
        )
        for collection in self.of_type(SKOS + "OrderedCollection"):
            ordered = [m for m in self.list_items(collection) if m in members]
            if ordered:
                return ordered + [m for m in members if m not in ordered]

        def key(concept: str) -> tuple[float, str, str]:
            rank = self.text(concept, self.namespace + "rank")
            try:
                number = float(rank) if rank is not None else float("inf")
            except ValueError:
                number = float("inf")
            return number, self.text(concept, SKOS + "notation") or "", self.label(concept)

        return sorted(members, key=key)

    def list_items(self, collection: str) -> list[str]:
        heads = self.values(collection, SKOS + "memberList")
        items: list[str] = []
        node = heads[0] if heads else None
        seen: set[str] = set()
        while isinstance(node, ox.BlankNode) and node.value not in seen:
            seen.add(node.value)
            cell = dict(self.blank.get(node.value, []))
            first = cell.get(RDF + "first")
            if isinstance(first, ox.NamedNode):
                items.append(first.value)
            node = cell.get(RDF + "rest")
        return items

    def label(self, iri: str) -> str:
        return self.text(iri, RDFS + "label", SKOS + "prefLabel") or self.local(iri)

    def local(self, iri: str) -> str:
        return iri[len(self.namespace) :] if iri.startswith(self.namespace) else iri

    def describe(self, iri: str) -> list[ox.Triple]:
        """A term's triples, with its blank nodes (lists) and, for a scheme, its concepts'."""
        subjects = [iri]
        if iri in self.schemes:
            subjects += self.concepts(iri)
            subjects += [
                c
                for c in self.of_type(SKOS + "OrderedCollection")
                if set(self.list_items(c)) & set(subjects)
            ]
        wanted = {s for s in subjects}
        found = [
            t
            for t in self.triples
            if isinstance(t.subject, ox.NamedNode) and t.subject.value in wanted
        ]
        blanks = {t.object.value for t in found if isinstance(t.object, ox.BlankNode)}
        while blanks:
            more = [
                t
                for t in self.triples
                if isinstance(t.subject, ox.BlankNode) and t.subject.value in blanks
            ]
            found += more
            blanks = {t.object.value for t in more if isinstance(t.object, ox.BlankNode)}
        return found


# -- Reading it from the store --------------------------------------------------------------------


def load_ontology() -> Ontology:
    settings = current_settings()
    query = (
        "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER STRSTARTS(STR(?g), "{settings.base}graph/def/") }}'
    )
    answer = current_backend().run(Job("query", query, "JSON", None))
    solutions = ox.parse_query_results(answer.data, ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    triples = []
    for row in solutions:
        s, p, o = row["s"], row["p"], row["o"]
        assert isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode)
        assert o is not None
        triples.append(ox.Triple(s, p, o))
    triples = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return Ontology(f"{settings.base}def/", triples)


def current_ontology() -> Ontology:
    """The ontology of the data served now, read once per dataset version."""
    return kept("ontology", load_ontology)


# -- Routes ---------------------------------------------------------------------------------------


@bp.route("/def/")
def documentation() -> Response:
    return _documentation(negotiate(DESCRIPTIONS, request.args.get("format")))


@bp.route("/def")
def documentation_slashless() -> Response:
    return redirect("def/", code=301)  # type: ignore[return-value]


def _documentation(fmt: Format) -> Response:
    version = current_backend().version()
    unchanged = conditional(version, fmt.name)
    if unchanged is not None:
        return unchanged
    ontology = current_ontology()
    if fmt is HTML:
        body: str | bytes = render_template("ontology.html", **documented(ontology))
    else:
        body = rdf_body(ontology.triples, fmt)
    return versioned(Response(body, content_type=fmt.content_type), version, fmt.name)


@bp.route("/def/<path:local>")
def term(local: str) -> Response:
    ontology = current_ontology()
    stem, dot, extension = local.rpartition(".")
    by_path = by_extension(extension, DESCRIPTIONS) if dot and "/" not in extension else None
    if by_path is not None:
        if stem == "ontology":
            return _documentation(by_path)
        local = stem
    if ontology.namespace + local not in ontology.about:
        raise NotFoundError(f"the ontology has no term {local!r}: see /def/")
    fmt = by_path or negotiate(DESCRIPTIONS, request.args.get("format"))
    if fmt is HTML:  # its place in the documentation
        response = redirect(f"{_up(local)}#{local}", code=303)
        if by_path is None:
            response.vary.add("Accept")
        return response  # type: ignore[return-value]
    version = current_backend().version()
    unchanged = conditional(version, fmt.name)
    if unchanged is not None:
        return unchanged
    body = rdf_body(ontology.describe(ontology.namespace + local), fmt)
    return versioned(Response(body, content_type=fmt.content_type), version, fmt.name)


def rdf_body(triples: list[ox.Triple], fmt: Format) -> bytes:
    """Triples in an RDF format: Turtle and RDF/XML with the prefixes, JSON-LD indented."""
    use = prefixes(current_settings().base)
    keep = fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)
    body = ox.serialize(triples, format=fmt.rdf, prefixes=use if keep else None) or b""
    return jsonld.compact(body) if fmt is JSONLD else body


def _up(local: str) -> str:
    """The relative URL of /def/ from /def/<local>."""
    depth = local.count("/")
    return "./" if depth == 0 else "../" * depth


# -- HTML (templates/ontology.html) ---------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    href: str
    text: str  # the IRI shortened (okg:Judgement, prov:Entity), or whole


@dataclass(frozen=True)
class Row:
    """A row of a term's table: links ("—" when there are none), or text (left out if empty)."""

    name: str
    links: list[Link] | None = None
    text: str = ""


@dataclass(frozen=True)
class Documented:
    """A class, a property or a code list as the page shows it."""

    local: str  # its anchor, and its name after okg:
    label: str
    iri: str
    comment: str
    rows: list[Row] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)


@dataclass(frozen=True)
class Concept:
    local: str
    label: str
    alt: str | None
    definition: str
    matches: list[Link]


def link(ontology: Ontology, iri: str) -> Link:
    """A link to a term: to its anchor for ours, to the IRI itself for another vocabulary's."""
    if ontology.ours(iri):
        local = ontology.local(iri)
        return Link(f"#{local}", f"okg:{local}")
    return Link(iri, shorten(iri) or iri)


def links(ontology: Ontology, iris: list[str]) -> list[Link]:
    return [link(ontology, i) for i in iris]


def documented(ontology: Ontology) -> dict[str, object]:
    """What templates/ontology.html shows."""
    ns = ontology.namespace
    properties = ontology.properties
    domains = {p: ontology.iris(p, RDFS + "domain") for p in properties}
    ranges = {p: ontology.iris(p, RDFS + "range") for p in properties}

    def entry(iri: str, rows: list[Row]) -> Documented:
        comment = ontology.text(iri, RDFS + "comment", SKOS + "definition") or ""
        return Documented(ontology.local(iri), ontology.label(iri), iri, comment, rows)

    classes = [
        entry(
            c,
            [
                Row("subclass of", links(ontology, ontology.iris(c, RDFS + "subClassOf"))),
                Row("properties", links(ontology, [p for p in properties if c in domains[p]])),
                Row("value of", links(ontology, [p for p in properties if c in ranges[p]])),
            ],
        )
        for c in ontology.classes
    ]
    documented_properties = []
    for p in properties:
        kinds = [
            ontology.local(t) if ontology.ours(t) else t.rsplit("#", 1)[-1]
            for t in ontology.types(p)
        ]
        documented_properties.append(
            entry(
                p,
                [
                    Row("type", text=", ".join(kinds)),
                    Row("domain", links(ontology, domains[p])),
                    Row("range", links(ontology, ranges[p])),
                    Row(
                        "subproperty of", links(ontology, ontology.iris(p, RDFS + "subPropertyOf"))
                    ),
                    Row("inverse of", links(ontology, ontology.iris(p, OWL + "inverseOf"))),
                ],
            )
        )
    schemes = [
        Documented(
            ontology.local(s),
            ontology.label(s),
            s,
            ontology.text(s, SKOS + "definition", RDFS + "comment") or "",
            concepts=[
                Concept(
                    ontology.local(c),
                    ontology.label(c),
                    ontology.text(c, SKOS + "altLabel"),
                    ontology.text(c, SKOS + "definition", RDFS + "comment") or "",
                    links(
                        ontology,
                        ontology.iris(c, SKOS + "closeMatch")
                        + ontology.iris(c, SKOS + "exactMatch"),
                    ),
                )
                for c in ontology.concepts(s)
            ],
        )
        for s in ontology.schemes
    ]
    return {
        "title": ontology.text(ns, DCT + "title") or "ofsted-kg ontology",
        "description": ontology.text(ns, DCT + "description") or "",
        "iri": ns,
        "version": ontology.text(ns, OWL + "versionInfo") or "",
        "licence": links(ontology, ontology.iris(ns, DCT + "license")),
        "classes": classes,
        "properties": documented_properties,
        "schemes": schemes,
    }
