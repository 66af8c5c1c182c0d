"""``/def/``: the project's ontology and code lists, for people (HTML) and machines (RDF).

    GET /def/                    the documentation: HTML for browsers; Turtle for RDF clients and
                                 ``*/*``; JSON-LD, N-Triples, RDF/XML by ``Accept`` or ``?format=``
    GET /def/ontology.ttl        the same by extension (.ttl, .jsonld, .nt, .rdf, .html)
    GET /def/Judgement           a term: 303 to its place in the documentation for browsers, its
    GET /def/grade/2013/good     description (and for a scheme its concepts) for RDF clients
    GET /def/Judgement.ttl       a term by extension

The terms are read from the store, from the graphs the build loaded from ``ontology/*.ttl``
(``<base>graph/def/...``), so the documentation is always that of the data served. The vendored
standard vocabularies (``<base>graph/vocab/...``) are not documented here, only linked to.

A term IRI is ``https://w3id.org/ofsted-kg/def/`` followed by its local name: ``Judgement``,
``leadInspector``, ``grade/2013/good``; its documentation anchor is that local name.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect

from ..errors import NotFoundError
from ..store.workers import Job
from .app import current_backend, current_settings
from .chrome import site_header
from .void import FORMATS, _compact_jsonld, choose_format

bp = Blueprint("ontology_docs", __name__)

CACHE_KEY = "ofsted_kg.ontology_docs"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES = {
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "skos": SKOS,
    "dct": DCT,
    "xsd": XSD,
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "dcat": "http://www.w3.org/ns/dcat#",
}

CLASS_TYPES = (OWL + "Class", RDFS + "Class")
PROPERTY_TYPES = (
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
)

EXTENSIONS = {
    ".ttl": "turtle",
    ".jsonld": "jsonld",
    ".nt": "ntriples",
    ".rdf": "rdfxml",
    ".html": "html",
}

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
    version = current_backend().version().token
    cache: dict[str, Ontology] = current_app.extensions.setdefault(CACHE_KEY, {})
    if version not in cache:
        cache.clear()
        cache[version] = load_ontology()
    return cache[version]


# -- Routes ---------------------------------------------------------------------------------------


def _format_named(name: str) -> tuple[str, str, ox.RdfFormat | None]:
    return next((n, m, f) for n, m, f, _ in FORMATS if n == name)


def _rdf(triples: list[ox.Triple], media: str, fmt: ox.RdfFormat) -> Response:
    prefixes = dict(PREFIXES)
    prefixes["okg"] = f"{current_settings().base}def/"
    use = prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    body = ox.serialize(triples, format=fmt, prefixes=use) or b""
    if fmt == ox.RdfFormat.JSON_LD:
        body = _compact_jsonld(body)
    response = Response(body, content_type=media)
    response.vary.add("Accept")
    return response


@bp.route("/def/")
def documentation() -> Response:
    name, media, fmt = choose_format()
    return _documentation(name, media, fmt)


@bp.route("/def")
def documentation_slashless() -> Response:
    return redirect("def/", code=301)  # type: ignore[return-value]


def _documentation(name: str, media: str, fmt: ox.RdfFormat | None) -> Response:
    ontology = current_ontology()
    if fmt is None:
        response = Response(render(ontology), content_type=media)
        response.vary.add("Accept")
        return response
    return _rdf(ontology.triples, media, fmt)


@bp.route("/def/<path:local>")
def term(local: str) -> Response:
    ontology = current_ontology()
    stem, dot, extension = local.rpartition(".")
    if dot and f".{extension}" in EXTENSIONS and "/" not in extension:
        name, media, fmt = _format_named(EXTENSIONS[f".{extension}"])
        if stem == "ontology":
            return _documentation(name, media, fmt)
        iri = ontology.namespace + stem
        if iri not in ontology.about:
            raise NotFoundError(f"the ontology has no term {stem!r}: see /def/")
        if fmt is None:
            return redirect(f"{_up(stem)}#{stem}", code=303)  # type: ignore[return-value]
        return _rdf(ontology.describe(iri), media, fmt)
    iri = ontology.namespace + local
    if iri not in ontology.about:
        raise NotFoundError(f"the ontology has no term {local!r}: see /def/")
    name, media, fmt = choose_format()
    if fmt is None:
        response = redirect(f"{_up(local)}#{local}", code=303)
        response.vary.add("Accept")
        return response  # type: ignore[return-value]
    return _rdf(ontology.describe(iri), media, fmt)


def _up(local: str) -> str:
    """The relative URL of /def/ from /def/<local>."""
    depth = local.count("/")
    return "./" if depth == 0 else "../" * depth


# -- HTML -----------------------------------------------------------------------------------------


def _link(ontology: Ontology, iri: str) -> str:
    if ontology.ours(iri):
        local = ontology.local(iri)
        return f'<a href="#{html.escape(local)}"><code>okg:{html.escape(local)}</code></a>'
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            name = html.escape(iri[len(namespace) :])
            return f'<a href="{html.escape(iri)}"><code>{prefix}:{name}</code></a>'
    return f'<a href="{html.escape(iri)}"><code>{html.escape(iri)}</code></a>'


def _links(ontology: Ontology, iris: list[str]) -> str:
    return ", ".join(_link(ontology, i) for i in iris) or "—"


def _term_block(ontology: Ontology, iri: str, rows: list[tuple[str, str]]) -> str:
    local = ontology.local(iri)
    comment = ontology.text(iri, RDFS + "comment", SKOS + "definition") or ""
    cells = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows if v)
    return (
        f'<section class="term" id="{html.escape(local)}">'
        f"<h3>{html.escape(ontology.label(iri))} "
        f"<small><code>okg:{html.escape(local)}</code></small></h3>"
        f"<p>{html.escape(comment)}</p>"
        f'<table><tr><th scope="row">IRI</th><td><code>{html.escape(iri)}</code></td></tr>'
        f"{cells}</table>"
        "</section>"
    )


def render(ontology: Ontology) -> str:
    ns = ontology.namespace
    title = ontology.text(ns, DCT + "title") or "ofsted-kg ontology"
    description = ontology.text(ns, DCT + "description") or ""
    version = ontology.text(ns, OWL + "versionInfo") or ""
    licence = ontology.iris(ns, DCT + "license")
    properties = ontology.properties
    domains = {p: ontology.iris(p, RDFS + "domain") for p in properties}
    ranges = {p: ontology.iris(p, RDFS + "range") for p in properties}

    class_blocks = []
    for c in ontology.classes:
        class_blocks.append(
            _term_block(
                ontology,
                c,
                [
                    ("subclass of", _links(ontology, ontology.iris(c, RDFS + "subClassOf"))),
                    ("properties", _links(ontology, [p for p in properties if c in domains[p]])),
                    ("value of", _links(ontology, [p for p in properties if c in ranges[p]])),
                ],
            )
        )
    property_blocks = []
    for p in properties:
        kinds = [
            ontology.local(t) if ontology.ours(t) else t.rsplit("#", 1)[-1]
            for t in ontology.types(p)
        ]
        property_blocks.append(
            _term_block(
                ontology,
                p,
                [
                    ("type", html.escape(", ".join(kinds))),
                    ("domain", _links(ontology, domains[p])),
                    ("range", _links(ontology, ranges[p])),
                    ("subproperty of", _links(ontology, ontology.iris(p, RDFS + "subPropertyOf"))),
                    ("inverse of", _links(ontology, ontology.iris(p, OWL + "inverseOf"))),
                ],
            )
        )
    scheme_blocks = []
    for s in ontology.schemes:
        items = []
        for concept in ontology.concepts(s):
            local = ontology.local(concept)
            definition = ontology.text(concept, SKOS + "definition", RDFS + "comment") or ""
            alt = ontology.text(concept, SKOS + "altLabel")
            matches = ontology.iris(concept, SKOS + "closeMatch") + ontology.iris(
                concept, SKOS + "exactMatch"
            )
            items.append(
                f'<li id="{html.escape(local)}">'
                f"<strong>{html.escape(ontology.label(concept))}</strong>"
                + (f" ({html.escape(alt)})" if alt else "")
                + f" <code>okg:{html.escape(local)}</code>"
                + (f"<br>{html.escape(definition)}" if definition else "")
                + (f"<br>close match: {_links(ontology, matches)}" if matches else "")
                + "</li>"
            )
        local = ontology.local(s)
        scheme_blocks.append(
            f'<section class="scheme" id="{html.escape(local)}">'
            f"<h3>{html.escape(ontology.label(s))} "
            f"<small><code>okg:{html.escape(local)}</code></small></h3>"
            f"<p>{html.escape(ontology.text(s, SKOS + 'definition', RDFS + 'comment') or '')}</p>"
            f'<ol class="concepts">{"".join(items)}</ol></section>'
        )

    def toc(iris: list[str]) -> str:
        names = [html.escape(ontology.local(i)) for i in iris]
        return "".join(f'<li><a href="#{n}">{n}</a></li>' for n in names)

    return DEF_PAGE.format(
        site_header=site_header("../", "def/"),
        title=html.escape(title),
        description=html.escape(description),
        iri=html.escape(ns),
        version=html.escape(version),
        licence=_links(ontology, licence),
        class_toc=toc(ontology.classes),
        property_toc=toc(properties),
        scheme_toc=toc(ontology.schemes),
        classes="\n".join(class_blocks),
        properties="\n".join(property_blocks),
        schemes="\n".join(scheme_blocks),
        n_classes=len(ontology.classes),
        n_properties=len(properties),
        n_schemes=len(ontology.schemes),
    )


DEF_PAGE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="../static/pages/pages.css">
<link rel="alternate" type="text/turtle" href="ontology.ttl">
<link rel="alternate" type="application/ld+json" href="ontology.jsonld">
</head>
<body>
{site_header}
<main id="main">
<div class="intro">
<h1>{title}</h1>
<p>{description}</p>
<p>IRI <code>{iri}</code>, version {version}, licence {licence}. Download:
<a href="ontology.ttl">Turtle</a>, <a href="ontology.jsonld">JSON-LD</a>,
<a href="ontology.nt">N-Triples</a>, <a href="ontology.rdf">RDF/XML</a>.
<a href="../">Query the graph</a>.</p>
</div>
<nav aria-label="Contents">
<h2>Contents</h2>
<p><a href="#classes">{n_classes} classes</a>, <a href="#properties">{n_properties} properties</a>,
<a href="#code-lists">{n_schemes} code lists</a>.</p>
<details><summary>Classes</summary><ul>{class_toc}</ul></details>
<details><summary>Properties</summary><ul>{property_toc}</ul></details>
<details><summary>Code lists</summary><ul>{scheme_toc}</ul></details>
</nav>
<h2 id="classes">Classes</h2>
{classes}
<h2 id="properties">Properties</h2>
{properties}
<h2 id="code-lists">Code lists</h2>
{schemes}
</main>
</body>
</html>
"""
