"""Dereferenceable IRIs and the pages about them.

    /id/{type}/{key...}     303 See Other to /doc/{type}/{key...} (or to /doc/{type}/{key...}.ttl
                            and the like when the client asked for RDF); 404 if the graph does not
                            know the IRI
    /graph/{name...}        the same for the named graphs (the sources): 303 to /doc/graph/{name...}
    /doc/{type}/{key...}    the page (HTML) or the description (Turtle, JSON-LD, N-Triples, RDF/XML,
                            TriG, N-Quads), by Accept (Vary: Accept, Content-Location) or by a
                            format extension: .html .ttl .jsonld .nt .rdf .trig .nq
    /doc/council            the index of councils with their current grade

The server answers for the configured base IRI whatever host it runs on: a request for
``http://127.0.0.1:8000/id/council/E10000016`` describes ``{base}id/council/E10000016``, and the
links on the pages point at the host that served them.

Every query goes through ``current_backend().run`` (see ``describe``), so the pages work with any
store the endpoint works with.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, render_template, request
from werkzeug.datastructures import MIMEAccept

from ...backends.local import Version
from ..app import current_backend, current_settings
from .describe import (
    DCAT,
    DCT,
    FOAF,
    LABEL_PREDICATES,
    ORG,
    OWL,
    PROV,
    RDF_TYPE,
    RDFS,
    SKOS,
    SPDX,
    TIME,
    XSD,
    Description,
    Row,
    Term,
    describe,
    iri,
    is_known,
    select,
)

bp = Blueprint("pages", __name__)


# -- Formats: one table, by extension and by media type ----------------------------------------


@dataclass(frozen=True)
class PageFormat:
    extension: str
    media_type: str
    accepts: tuple[str, ...]
    rdf: ox.RdfFormat | None  # None: the HTML page
    name: str

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


FORMATS: tuple[PageFormat, ...] = (
    PageFormat("html", "text/html", ("text/html", "application/xhtml+xml"), None, "HTML"),
    PageFormat(
        "ttl", "text/turtle", ("text/turtle", "application/x-turtle"), ox.RdfFormat.TURTLE, "Turtle"
    ),
    PageFormat(
        "jsonld",
        "application/ld+json",
        ("application/ld+json", "application/json"),
        ox.RdfFormat.JSON_LD,
        "JSON-LD",
    ),
    PageFormat(
        "nt",
        "application/n-triples",
        ("application/n-triples",),
        ox.RdfFormat.N_TRIPLES,
        "N-Triples",
    ),
    PageFormat(
        "rdf",
        "application/rdf+xml",
        ("application/rdf+xml", "application/xml", "text/xml"),
        ox.RdfFormat.RDF_XML,
        "RDF/XML",
    ),
    PageFormat(
        "trig", "application/trig", ("application/trig",), ox.RdfFormat.TRIG, "TriG (with sources)"
    ),
    PageFormat(
        "nq",
        "application/n-quads",
        ("application/n-quads",),
        ox.RdfFormat.N_QUADS,
        "N-Quads (with sources)",
    ),
)
BY_EXTENSION = {f.extension: f for f in FORMATS}
HTML = FORMATS[0]


def negotiated() -> PageFormat | None:
    """The format the Accept header prefers (HTML when it says nothing); None if none fits."""
    accept = request.accept_mimetypes
    if not accept:
        return HTML
    accept = MIMEAccept([(value.split(";")[0].strip(), q) for value, q in accept])
    offered = [media for f in FORMATS for media in f.accepts]
    best = accept.best_match(offered)
    if best is None:
        return None
    return next(f for f in FORMATS if best in f.accepts)


def split_extension(key: str) -> tuple[str, PageFormat | None]:
    stem, dot, extension = key.rpartition(".")
    if dot and "/" not in extension and extension in BY_EXTENSION:
        return stem, BY_EXTENSION[extension]
    return key, None


# -- Where things live: the base IRI and this host ---------------------------------------------


def resource_iri(key: str) -> str:
    """The IRI a /doc/ key describes: ``graph/...`` names a named graph, anything else an /id/."""
    base = current_settings().base
    return base + key if key.startswith("graph/") else f"{base}id/{key}"


def doc_path(key: str, fmt: PageFormat | None = None) -> str:
    suffix = f".{fmt.extension}" if fmt is not None else ""
    return f"{request.script_root}/doc/{key}{suffix}"


def local_href(term: str) -> str | None:
    """The link on this host for an IRI under the base (``None`` for other IRIs)."""
    base = current_settings().base
    if not term.startswith(base):
        return None
    rest = term[len(base) :]
    if rest.startswith("id/"):
        return f"{request.script_root}/doc/{rest[3:]}"
    if rest.startswith("graph/"):
        return f"{request.script_root}/doc/{rest}"
    return f"{request.script_root}/{rest}"


def href(term: str) -> str:
    return local_href(term) or term


def key_of(term: str) -> str | None:
    """The /doc/ key of an IRI under the base, or None."""
    base = current_settings().base
    if term.startswith(base + "id/"):
        return term[len(base) + 3 :]
    if term.startswith(base + "graph/"):
        return term[len(base) :]
    return None


# -- Conditional requests: ETag and Last-Modified from the dataset version ---------------------


def _etag(version: Version, fmt: PageFormat) -> str:
    return f'W/"{version.token}-{fmt.extension}"'


def _not_modified(version: Version, fmt: PageFormat) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains_weak(
            _etag(version, fmt).removeprefix("W/").strip('"')
        )
    since = request.if_modified_since
    if since is not None and version.modified:
        return email.utils.parsedate_to_datetime(version.last_modified) <= since
    return False


def _versioned(response: Response, version: Version, fmt: PageFormat) -> Response:
    response.headers["ETag"] = _etag(version, fmt)
    if version.modified:
        response.headers["Last-Modified"] = version.last_modified
    response.headers["Cache-Control"] = "no-cache"
    return response


# -- Routes -------------------------------------------------------------------------------------


@bp.route("/id/<path:key>", methods=["GET", "HEAD"])
def identifier(key: str) -> Response:
    return _see_other(key)


@bp.route("/graph/<path:name>", methods=["GET", "HEAD"])
def graph(name: str) -> Response:
    return _see_other(f"graph/{name}")


def _see_other(key: str) -> Response:
    stem, extension = split_extension(key)
    fmt = extension or negotiated()
    if fmt is None:
        return _not_acceptable()
    known = is_known(resource_iri(stem)) or (extension is None and is_known(resource_iri(key)))
    if not known and stem != "council":  # /id/council: the list of councils, /doc/council
        return _not_found(resource_iri(stem), fmt)
    target = doc_path(stem, None if fmt is HTML and extension is None else fmt)
    response = Response(status=303, headers={"Location": target})
    response.vary.add("Accept")
    return response


@bp.route("/doc/<path:key>", methods=["GET", "HEAD"])
def document(key: str) -> Response:
    if key.endswith("/") and key.strip("/"):  # /doc/council/ is /doc/council
        return redirect(request.script_root + "/doc/" + key.rstrip("/"), code=301)  # type: ignore[return-value]
    stem, extension = split_extension(key)
    if extension is not None and not is_known(resource_iri(stem)) and is_known(resource_iri(key)):
        stem, extension = key, None  # an IRI that really ends with ".ttl" and the like
    fmt = extension or negotiated()
    if fmt is None:
        return _not_acceptable()
    if stem == "council":
        if fmt.rdf is None:
            return _respond(fmt, extension is None, stem, council_index)
        rdf_format = fmt.rdf
        return _respond(
            fmt,
            extension is None,
            stem,
            lambda: council_index_data().serialize(rdf_format, current_settings().base),
        )
    resource = resource_iri(stem)
    if not is_known(resource):
        return _not_found(resource, fmt)
    if fmt.rdf is not None:
        rdf = fmt.rdf
        base = current_settings().base
        return _respond(
            fmt, extension is None, stem, lambda: describe(resource).serialize(rdf, base)
        )
    return _respond(fmt, extension is None, stem, lambda: render_page(stem, resource))


def _respond(
    fmt: PageFormat, negotiated_: bool, key: str, body: Callable[[], str | bytes]
) -> Response:
    version = current_backend().version()
    if _not_modified(version, fmt):
        response = Response(status=304)
    else:
        response = Response(_cached_body(version, key, fmt, body), content_type=fmt.content_type)
    if negotiated_:
        response.vary.add("Accept")
        response.headers["Content-Location"] = doc_path(key, fmt)
    links = [f'<{doc_path(key, f)}>; rel="alternate"; type="{f.media_type}"' for f in FORMATS]
    if key != "council":
        links.append(f'<{resource_iri(key)}>; rel="describes"')
    response.headers["Link"] = ", ".join(links)
    return _versioned(response, version, fmt)


# -- Rendered bodies, kept per dataset version (a write changes the version: nothing goes stale) --

_BODIES_KEY = "ofsted_kg.pages.bodies"
BODY_CACHE_ENTRIES = 256
BODY_CACHE_LARGEST = 4 * 1024 * 1024
BODY_CACHE_BYTES = 32 * 1024 * 1024  # bodies and keys, all told


@dataclass
class BodyCache:
    lock: threading.Lock = field(default_factory=threading.Lock)
    bodies: OrderedDict[tuple[str, str, str, str], bytes] = field(default_factory=OrderedDict)
    size: int = 0

    def put(self, slot: tuple[str, str, str, str], data: bytes) -> None:
        """Keep a body (the caller holds the lock); the oldest go past the count or the bytes."""
        if slot in self.bodies:
            return
        self.bodies[slot] = data
        self.size += _slot_size(slot, data)
        while len(self.bodies) > BODY_CACHE_ENTRIES or self.size > BODY_CACHE_BYTES:
            old_slot, old = self.bodies.popitem(last=False)
            self.size -= _slot_size(old_slot, old)


def _slot_size(slot: tuple[str, str, str, str], data: bytes) -> int:
    return len(data) + sum(len(part) for part in slot)


def _cached_body(
    version: Version, key: str, fmt: PageFormat, body: Callable[[], str | bytes]
) -> bytes:
    cache = current_app.extensions.setdefault(_BODIES_KEY, BodyCache())
    assert isinstance(cache, BodyCache)
    slot = (version.token, request.script_root, key, fmt.extension)
    with cache.lock:
        found = cache.bodies.get(slot)
        if found is not None:
            cache.bodies.move_to_end(slot)
            return found
    made = body()
    data = made.encode("utf-8") if isinstance(made, str) else made
    if BODY_CACHE_ENTRIES and len(data) <= BODY_CACHE_LARGEST:
        with cache.lock:
            cache.put(slot, data)
    return data


def _not_acceptable() -> Response:
    offered = ", ".join(f.media_type for f in FORMATS)
    response = Response(
        f"406 Not Acceptable: this resource is available as {offered}\n",
        status=406,
        content_type="text/plain; charset=utf-8",
    )
    response.vary.add("Accept")
    return response


def _not_found(resource: str, fmt: PageFormat) -> Response:
    if fmt is HTML:
        body = render_template("pages/not_found.html", resource=resource, page=_chrome(resource))
        response = Response(body, status=404, content_type=HTML.content_type)
    else:
        response = Response(
            f"404 Not Found: <{resource}> is not in this graph\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    response.vary.add("Accept")
    return response


# -- Cached per dataset version: labels of the vocabulary, and the sources ---------------------


@dataclass(frozen=True)
class Source:
    graph: str
    label: str
    documents: tuple[tuple[str, str], ...]  # (IRI, title)

    @property
    def href(self) -> str:
        if len(self.documents) == 1:
            return href(self.documents[0][0])
        return href(self.graph)

    @property
    def text(self) -> str:
        if len(self.documents) == 1:
            return self.documents[0][1]
        return self.label

    @property
    def title(self) -> str:
        return f"named graph {self.graph}: {self.label}"


@dataclass
class Catalogue:
    version: str
    labels: dict[str, str]
    sources: dict[str, Source]


_CACHE_KEY = "ofsted_kg.pages.catalogue"
_cache_lock = threading.Lock()


def catalogue() -> Catalogue:
    version = current_backend().version().token
    cached = current_app.extensions.get(_CACHE_KEY)
    if isinstance(cached, Catalogue) and cached.version == version:
        return cached
    with _cache_lock:
        cached = current_app.extensions.get(_CACHE_KEY)
        if isinstance(cached, Catalogue) and cached.version == version:
            return cached
        fresh = Catalogue(version, _vocabulary_labels(), _sources())
        current_app.extensions[_CACHE_KEY] = fresh
        return fresh


def _vocabulary_labels() -> dict[str, str]:
    settings = current_settings()
    vocab, definitions = settings.graph_iri("vocab/"), settings.graph_iri("def/")
    rows = select(
        f"""SELECT ?x ?l WHERE {{
  GRAPH ?g {{ ?x {iri(RDFS + "label")}|{iri(SKOS + "prefLabel")} ?l }}
  FILTER(isIRI(?x) && (STRSTARTS(STR(?g), "{vocab}") || STRSTARTS(STR(?g), "{definitions}")))
  FILTER(LANG(?l) = "" || LANGMATCHES(LANG(?l), "en"))
}}"""
    )
    labels: dict[str, str] = {}
    for row in rows:
        labels.setdefault(row["x"].value, row["l"].value)
    return labels


def _sources() -> dict[str, Source]:
    settings = current_settings()
    rows = select(
        f"""SELECT ?g ?label ?doc ?title WHERE {{
  {{ SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} }} }}
  OPTIONAL {{ ?g {iri(RDFS + "label")} ?label }}
  OPTIONAL {{ ?g {iri(PROV + "wasDerivedFrom")} ?doc .
             OPTIONAL {{ ?doc {iri(DCT + "title")}|{iri(RDFS + "label")} ?title }} }}
}}"""
    )
    labels: dict[str, str] = {}
    documents: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        graph_iri = row["g"].value
        labels.setdefault(graph_iri, row["label"].value if "label" in row else "")
        if "doc" in row:
            doc = row["doc"].value
            title = row["title"].value if "title" in row else _short(doc, settings.base)
            documents[graph_iri].setdefault(row["doc"].value, title)
    sources: dict[str, Source] = {}
    for graph_iri, label in labels.items():
        if graph_iri == settings.inferred_graph:
            label = label or "inferred by OWL 2 RL reasoning from the other graphs"
        sources[graph_iri] = Source(
            graph_iri,
            label or _short(graph_iri, settings.base),
            tuple(sorted(documents[graph_iri].items())),
        )
    return sources


def source_of(graph_iri: str) -> Source:
    found = catalogue().sources.get(graph_iri)
    if found is not None:
        return found
    return Source(graph_iri, _short(graph_iri, current_settings().base), ())


def sources_of(graphs: Iterable[str]) -> list[Source]:
    """The sources of a fact, one per document (graphs of one document shown once)."""
    seen: dict[str, Source] = {}
    for graph_iri in sorted(set(graphs)):
        source = source_of(graph_iri)
        seen.setdefault(source.href, source)
    return list(seen.values())


# -- Showing terms: labels, dates as vague as they are, links ----------------------------------

MONTHS = tuple(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)


def _short(text: str, base: str) -> str:
    if text.startswith(base):
        return text[len(base) :]
    return text


def show_date(value: str, datatype: str) -> str:
    """A date as precise as it is: a gYear is a year, a gYearMonth a month."""
    try:
        if datatype == XSD + "date":
            day = dt.date.fromisoformat(value[:10])
            return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        if datatype == XSD + "dateTime":
            moment = dt.datetime.fromisoformat(value)
            return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"
        if datatype == XSD + "gYearMonth":
            year, month = value[:7].split("-")
            return f"{MONTHS[int(month) - 1]} {int(year)}"
        if datatype == XSD + "gYear":
            return str(int(value[:4]))
    except (ValueError, IndexError):
        pass
    return value


DATE_TYPES = {XSD + t for t in ("date", "dateTime", "gYearMonth", "gYear")}


@dataclass(frozen=True)
class Shown:
    """A term as a page shows it."""

    text: str
    href: str | None = None
    iri: str | None = None
    external: bool = False
    language: str | None = None
    datatype: str | None = None
    sort_key: str = ""


CORE_LABELS = {
    RDF_TYPE: "type",
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    RDFS + "seeAlso": "see also",
    OWL + "sameAs": "same as",
    XSD + "date": "date",
}
COMMON_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "wikidata": "http://www.wikidata.org/entity/",
    # classes FOAF's own axioms bring in (foaf:Person is a contact:Person and a geo:SpatialThing)
    "contact": "http://www.w3.org/2000/10/swap/pim/contact#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
}


class Labeller:
    """Labels from a description and the vocabulary; shortened IRIs otherwise."""

    def __init__(self, extra: dict[str, str] | None = None) -> None:
        self.settings = current_settings()
        self.labels = dict(catalogue().labels)
        self.labels.update(extra or {})

    def add(self, description: Description) -> None:
        found: dict[str, dict[str, str]] = defaultdict(dict)
        for quad in description.quads:
            if (
                quad.predicate.value in LABEL_PREDICATES
                and isinstance(quad.subject, ox.NamedNode)
                and isinstance(quad.object, ox.Literal)
            ):
                found[quad.subject.value].setdefault(quad.predicate.value, quad.object.value)
        for subject, by_predicate in found.items():
            for predicate in LABEL_PREDICATES:
                if predicate in by_predicate:
                    self.labels.setdefault(subject, by_predicate[predicate])
                    break

    def label(self, term: str) -> str:
        if term in self.labels:
            return self.labels[term]
        if term in CORE_LABELS:
            return CORE_LABELS[term]
        for prefix, namespace in COMMON_PREFIXES.items():
            if term.startswith(namespace) and len(term) > len(namespace):
                return f"{prefix}:{term[len(namespace) :]}"
        return _short(term, self.settings.base)

    def show(self, term: Term) -> Shown:
        if isinstance(term, ox.NamedNode):
            local = local_href(term.value)
            return Shown(
                self.label(term.value),
                local or term.value,
                term.value,
                external=local is None,
                sort_key=self.label(term.value).lower(),
            )
        if isinstance(term, ox.BlankNode):
            return Shown("(a node without a name)", sort_key="~")
        datatype = term.datatype.value if term.datatype is not None else None
        text = show_date(term.value, datatype) if datatype in DATE_TYPES else term.value
        if datatype == XSD + "anyURI":
            return Shown(text, term.value, term.value, external=True)
        return Shown(
            text,
            language=term.language,
            datatype=datatype,
            sort_key=term.value if datatype in DATE_TYPES else text.lower(),
        )


# -- Facts: the statements a page shows, each with its sources ---------------------------------


@dataclass
class Fact:
    predicate: Shown
    value: Shown
    sources: list[Source]
    nested: list[Fact] = field(default_factory=list)


@dataclass
class FactGroup:
    predicate: Shown
    facts: list[Fact]


def facts_about(
    description: Description,
    subject: Term,
    labeller: Labeller,
    *,
    skip: Iterable[str] = (),
    depth: int = 0,
) -> list[FactGroup]:
    """The outgoing statements of ``subject``, grouped by predicate, each value with its sources
    and (for blank nodes and sub-resources) its own statements nested."""
    skipped = set(skip)
    values: dict[tuple[str, Term], set[str]] = defaultdict(set)
    for quad in description.quads:
        if (
            quad.subject == subject
            and quad.predicate.value not in skipped
            and not isinstance(quad.object, ox.Triple)
        ):
            graph_name = quad.graph_name
            graph_iri = graph_name.value if isinstance(graph_name, ox.NamedNode) else ""
            values[(quad.predicate.value, quad.object)].add(graph_iri)
    groups: dict[str, list[Fact]] = defaultdict(list)
    owned_prefix = description.resource + "/"
    for (predicate, value), graphs in values.items():
        nested: list[Fact] = []
        if depth < 3 and (
            isinstance(value, ox.BlankNode)
            or (isinstance(value, ox.NamedNode) and value.value.startswith(owned_prefix))
        ):
            for group in facts_about(description, value, labeller, depth=depth + 1):
                nested.extend(group.facts)
        groups[predicate].append(
            Fact(
                labeller.show(ox.NamedNode(predicate)),
                labeller.show(value),
                sources_of(graphs),
                nested,
            )
        )
    ordered = sorted(groups.items(), key=lambda item: _predicate_order(item[0], labeller))
    return [
        FactGroup(labeller.show(ox.NamedNode(p)), sorted(facts, key=lambda f: f.value.sort_key))
        for p, facts in ordered
    ]


_FIRST = (RDF_TYPE, RDFS + "label", SKOS + "prefLabel", DCT + "title", FOAF + "name")


def _predicate_order(predicate: str, labeller: Labeller) -> tuple[int, str]:
    if predicate in _FIRST:
        return (_FIRST.index(predicate), "")
    return (len(_FIRST), labeller.label(predicate).lower())


@dataclass
class Incoming:
    subject: Shown
    predicate: Shown
    sources: list[Source]


def incoming(description: Description, labeller: Labeller) -> list[Incoming]:
    resource = ox.NamedNode(description.resource)
    found: dict[tuple[Term, str], set[str]] = defaultdict(set)
    for quad in description.quads:
        if (
            quad.object == resource
            and quad.subject != resource
            and not isinstance(quad.subject, ox.Triple)
        ):
            graph_name = quad.graph_name
            graph_iri = graph_name.value if isinstance(graph_name, ox.NamedNode) else ""
            found[(quad.subject, quad.predicate.value)].add(graph_iri)
    rows = [
        Incoming(labeller.show(s), labeller.show(ox.NamedNode(p)), sources_of(g))
        for (s, p), g in found.items()
    ]
    return sorted(rows, key=lambda r: (r.predicate.sort_key, r.subject.sort_key))


# -- The pages -----------------------------------------------------------------------------------


@dataclass
class Chrome:
    """What every page has: the resource, its title, its machine twins."""

    resource: str
    title: str
    key: str | None
    alternates: list[tuple[str, str, str]]  # (href, media type, name)


def _chrome(resource: str, title: str | None = None, key: str | None = None) -> Chrome:
    alternates = (
        [(doc_path(key, f), f.media_type, f.name) for f in FORMATS if f.rdf is not None]
        if key
        else []
    )
    return Chrome(resource, title or resource, key, alternates)


OKG_TYPES = ("council", "inspection", "judgement", "person", "document", "claim")


def render_page(key: str, resource: str) -> str:
    description = describe(resource)
    labeller = Labeller()
    labeller.add(description)
    base = current_settings().base
    unlabelled = {
        term.value
        for q in description.quads
        for term in (q.subject, q.object)
        if isinstance(term, ox.NamedNode)
        and term.value.startswith(base + "id/")
        and term.value not in labeller.labels
    }
    labeller.labels.update(_labels_for(unlabelled))
    node = ox.NamedNode(resource)
    types = sorted(
        {
            q.object.value
            for q in description.quads
            if q.subject == node
            and q.predicate.value == RDF_TYPE
            and isinstance(q.object, ox.NamedNode)
        }
    )
    title = labeller.label(resource) if resource in labeller.labels else key
    if key.startswith("claim/") and resource in labeller.labels:
        title = f"Claim: {labeller.label(resource)}"
    kind = key.split("/", 1)[0]
    context: dict[str, Any] = {
        "page": _chrome(resource, title, key),
        "kind": kind,
        "types": _distinct(labeller.show(ox.NamedNode(t)) for t in types if t != OWL + "Thing"),
        "facts": facts_about(description, node, labeller),
        "incoming": incoming(description, labeller),
    }
    views = {
        "graph": graph_view,
        "council": council_view,
        "inspection": inspection_view,
        "judgement": judgement_view,
        "person": person_view,
        "document": document_view,
        "claim": claim_view,
    }
    view = views.get(kind)
    if view is not None:
        context.update(view(resource, description, labeller))
        if "title" in context:  # a thing without a label, named from its facts
            context["page"] = _chrome(resource, context.pop("title"), key)
    template = f"pages/{kind}.html" if view is not None else "pages/resource.html"
    return render_template(template, **context)


def _distinct(shown: Iterable[Shown]) -> list[Shown]:
    """One of each text (foaf:Agent, prov:Agent and dct:Agent are all "Agent"), ours first."""
    base = current_settings().base
    ordered = sorted(shown, key=lambda s: (not (s.iri or "").startswith(base), s.sort_key))
    seen: dict[str, Shown] = {}
    for item in ordered:
        seen.setdefault(item.text.lower(), item)
    return list(seen.values())


def _okg(local: str) -> str:
    return iri(current_settings().base + "def/" + local)


def _value(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _graphs(row: Row) -> list[str]:
    text = _value(row, "graphs") or ""
    return [g for g in text.split(" ") if g]


# -- Council -------------------------------------------------------------------------------------

IDENTIFIER_PROPERTIES = (
    "gssCode",
    "ofstedUrn",
    "dfeCode",
    "registerCode",
    "ofstedName",
    "ofstedRegion",
    "ofstedAuthorityType",
    "shortName",
)
LINK_PROPERTIES = (
    OWL + "sameAs",
    "governsArea",
    "odcOrganisation",
    "odcArea",
    "osAdminUnit",
    FOAF + "homepage",
    FOAF + "page",
)


def _full(local_or_iri: str) -> str:
    if "://" in local_or_iri:
        return local_or_iri
    return current_settings().base + "def/" + local_or_iri


@dataclass
class JudgementRow:
    iri: str
    shown: Shown
    date: Shown | None
    date_value: str | None  # ISO date, or a year
    precision: str  # "day", "year" or "none"
    inspection: Shown | None
    framework: Shown | None
    framework_iri: str | None
    area: Shown | None
    grade: Shown | None
    rank: int | None
    sources: list[Source]
    official: bool


def judgements_of(council: str, labeller: Labeller) -> list[JudgementRow]:
    settings = current_settings()
    inferred = iri(settings.inferred_graph)
    rows = select(
        f"""SELECT ?j ?i ?date ?year ?fw ?area ?grade ?rank
       (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?graphs) WHERE {{
  GRAPH ?g {{ ?j {_okg("judgementOf")} {iri(council)} }} FILTER(?g != {inferred})
  OPTIONAL {{ ?j {iri(PROV + "wasGeneratedBy")} ?i .
             OPTIONAL {{ ?i {_okg("publicationDate")} ?date }}
             OPTIONAL {{ ?i {_okg("framework")} ?fw }} }}
  OPTIONAL {{ ?j {_okg("judgementYear")} ?year }}
  OPTIONAL {{ ?j {_okg("framework")} ?fw }}
  OPTIONAL {{ ?j {_okg("area")} ?area }}
  OPTIONAL {{ ?j {_okg("grade")} ?grade . OPTIONAL {{ ?grade {_okg("rank")} ?rank }} }}
}} GROUP BY ?j ?i ?date ?year ?fw ?area ?grade ?rank"""
    )
    labels = _labels_for(
        {r[n].value for r in rows for n in ("j", "i") if n in r and isinstance(r[n], ox.NamedNode)}
    )
    labeller.labels.update(labels)
    found: dict[str, JudgementRow] = {}
    official_prefix = settings.graph_iri("official/")
    for row in rows:
        j = row["j"].value
        if j in found:
            found[j].sources = sources_of([s.graph for s in found[j].sources] + _graphs(row))
            continue
        date = row.get("date")
        year = row.get("year")
        if date is not None:
            date_value, precision, shown_date = date.value, "day", labeller.show(date)
        elif year is not None:
            date_value, precision, shown_date = year.value[:4], "year", labeller.show(year)
        else:
            date_value, precision, shown_date = None, "none", None
        rank = row.get("rank")
        graphs = _graphs(row)
        found[j] = JudgementRow(
            iri=j,
            shown=labeller.show(row["j"]),
            date=shown_date,
            date_value=date_value,
            precision=precision,
            inspection=labeller.show(row["i"]) if "i" in row else None,
            framework=labeller.show(row["fw"]) if "fw" in row else None,
            framework_iri=_value(row, "fw"),
            area=labeller.show(row["area"]) if "area" in row else None,
            grade=labeller.show(row["grade"]) if "grade" in row else None,
            rank=int(rank.value) if rank is not None else None,
            sources=sources_of(graphs),
            official=any(g.startswith(official_prefix) for g in graphs),
        )
    return sorted(
        found.values(),
        key=lambda r: (r.date_value or "9999", r.framework.text if r.framework else "", r.iri),
    )


def _labels_for(terms: set[str]) -> dict[str, str]:
    """Labels for IRIs; a thing with no label is named by what it says: a judgement by its area
    and grade ("Safeguarding services: Inadequate"), an interval or instant by its dates, a
    checksum by its value, a finding, quotation or figure by its words (cut short), a term by its
    comment or definition."""
    if not terms:
        return {}
    values = " ".join(iri(t) for t in sorted(terms))
    predicates = "|".join(iri(p) for p in LABEL_PREDICATES)
    fallback = "|".join(
        [_okg(p) for p in ("quotation", "statement", "titleAsStated", "description", "statedAs")]
        + [iri(p) for p in (RDFS + "comment", SKOS + "definition")]
    )
    pref = iri(SKOS + "prefLabel")
    day = iri(TIME + "inXSDDate")
    rows = select(
        f"""SELECT ?x ?l ?w ?area ?grade ?day ?from ?to ?sum WHERE {{ VALUES ?x {{ {values} }}
  OPTIONAL {{ ?x {predicates} ?l }} OPTIONAL {{ ?x {fallback} ?w }}
  OPTIONAL {{ ?x {_okg("area")}/{pref} ?area ; {_okg("grade")}/{pref} ?grade }}
  OPTIONAL {{ ?x {day} ?day }} OPTIONAL {{ ?x {iri(SPDX + "checksumValue")} ?sum }}
  OPTIONAL {{ ?x {iri(TIME + "hasBeginning")}/{day} ?from ; {iri(TIME + "hasEnd")}/{day} ?to }}
}}"""
    )
    labels: dict[str, str] = {}
    words: dict[str, str] = {}
    for row in rows:
        term = row["x"].value
        if "l" in row:
            labels.setdefault(term, row["l"].value)
        elif "area" in row and "grade" in row:
            words.setdefault(term, f"{row['area'].value}: {row['grade'].value}")
        elif "from" in row and "to" in row:
            words.setdefault(term, f"{_day(row['from'])} to {_day(row['to'])}")
        elif "day" in row:
            words.setdefault(term, _day(row["day"]))
        elif "sum" in row:
            words.setdefault(term, f"checksum {row['sum'].value}")
        elif "w" in row:
            words.setdefault(term, _cut(row["w"].value))
    for term, text in words.items():
        labels.setdefault(term, text)
    return labels


def _day(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(term, ox.Literal):
        return show_date(term.value, term.datatype.value)
    return term.value


def _cut(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def council_view(resource: str, description: Description, labeller: Labeller) -> dict[str, Any]:
    node = ox.NamedNode(resource)
    identifiers = set(map(_full, IDENTIFIER_PROPERTIES))
    links = set(map(_full, LINK_PROPERTIES))
    all_groups = facts_about(description, node, labeller)
    judgements = judgements_of(resource, labeller)
    return {
        "identifiers": [g for g in all_groups if g.predicate.iri in identifiers],
        "links": [g for g in all_groups if g.predicate.iri in links],
        "judgements": judgements,
        "chart": timeline(judgements),
        "inspections": inspections_of(resource, labeller),
        "people": people_of(resource, labeller),
        "claims": claims_about(resource, labeller),
        # what points at a council is its inspections, judgements, posts and claims, shown above
        # (and in full in the RDF forms): the list would only repeat them
        "incoming": [],
    }


# -- The timeline chart: server-side SVG -------------------------------------------------------

SHAPES = ("circle", "square", "diamond", "triangle", "circle", "square", "diamond", "triangle")
COLOURS = ("#1b6ca8", "#b3461c", "#2e7d32", "#6a3d9a", "#8a6d00", "#ad1457", "#00695c", "#4e342e")
RANK_NAMES = {
    1: "Outstanding",
    2: "Good",
    3: "Adequate / Requires improvement",
    4: "Inadequate",
}


@dataclass
class Mark:
    x: float
    y: float
    width: float  # 0 for a point; the span of a year for a year-only date
    shape: str
    colour: str
    filled: bool
    href: str
    title: str
    judgement: str


@dataclass
class Chart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    ticks: list[tuple[float, str]]
    rows: list[tuple[float, str]]
    marks: list[Mark]
    legend: list[tuple[str, str, str]]  # (framework, shape, colour)
    first: str
    last: str


def _fraction_of_year(day: dt.date) -> float:
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def timeline(judgements: list[JudgementRow]) -> Chart | None:
    """Grades over time, one mark per dated judgement, shape and colour by framework; filled marks
    are Ofsted's record, hollow ones a judgement as a document reports it."""
    dated = [j for j in judgements if j.precision != "none" and j.rank is not None]
    if not dated:
        return None
    positions: list[float] = []
    for j in dated:
        assert j.date_value is not None
        if j.precision == "day":
            positions.append(_fraction_of_year(dt.date.fromisoformat(j.date_value[:10])))
        else:
            positions.append(float(int(j.date_value[:4])))
    first_year = int(min(positions))
    last_year = int(max(positions)) + 1
    width, height, left, top, right, bottom = 800, 250, 230, 16, 24, 40
    plot_width, plot_height = width - left - right, height - top - bottom
    span = max(1, last_year - first_year)

    def x_of(year: float) -> float:
        return round(left + (year - first_year) / span * plot_width, 1)

    def y_of(rank: int) -> float:
        return round(top + (rank - 0.5) / 4 * plot_height, 1)

    frameworks: list[str] = []
    for j in dated:
        name = j.framework.text if j.framework else "framework not given"
        if name not in frameworks:
            frameworks.append(name)
    style = {name: (SHAPES[i % 8], COLOURS[i % 8]) for i, name in enumerate(frameworks)}
    crowd: dict[tuple[float, int], int] = defaultdict(int)
    marks: list[Mark] = []
    for j, position in zip(dated, positions, strict=True):
        assert j.rank is not None
        name = j.framework.text if j.framework else "framework not given"
        shape, colour = style[name]
        slot = (round(position, 2), j.rank)
        offset = crowd[slot]
        crowd[slot] += 1
        nudge = (offset % 5) * 5 - 10 if offset else 0
        area = j.area.text if j.area else "area not given"
        grade = j.grade.text if j.grade else "grade not given"
        when = j.date.text if j.date else ""
        kind = "Ofsted's record" if j.official else "as a document reports it"
        marks.append(
            Mark(
                x=x_of(position),
                y=y_of(j.rank) + (nudge / 2 if j.precision == "year" else 0),
                width=round(plot_width / span, 1) if j.precision == "year" else 0,
                shape=shape,
                colour=colour,
                filled=j.official,
                href=j.shown.href or "",
                title=f"{when}: {name}, {area}: {grade} ({kind})",
                judgement=j.iri,
            )
        )
        if j.precision == "day" and offset:
            marks[-1].x = round(marks[-1].x + nudge, 1)
    ticks = []
    step = 1 if span <= 10 else 2 if span <= 20 else 5
    for year in range(first_year, last_year + 1):
        if (year - first_year) % step == 0:
            ticks.append((x_of(float(year)), str(year)))
    rows = [(y_of(rank), name) for rank, name in RANK_NAMES.items()]
    return Chart(
        width,
        height,
        left,
        top,
        plot_width,
        plot_height,
        ticks,
        rows,
        marks,
        [(name, *style[name]) for name in frameworks],
        str(first_year),
        str(last_year - 1),
    )


# -- Inspections, people and claims of a council -----------------------------------------------


@dataclass
class InspectionRow:
    inspection: Shown
    date: Shown | None
    framework: Shown | None
    lead: list[Shown]
    reports: list[Shown]
    sources: list[Source]


def inspections_of(council: str, labeller: Labeller) -> list[InspectionRow]:
    inferred = iri(current_settings().inferred_graph)
    rows = select(
        f"""SELECT ?i ?date ?fw ?lead ?leadName ?url
       (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?graphs) WHERE {{
  GRAPH ?g {{ ?i {_okg("inspected")} {iri(council)} }} FILTER(?g != {inferred})
  OPTIONAL {{ ?i {_okg("publicationDate")} ?date }}
  OPTIONAL {{ ?i {_okg("framework")} ?fw }}
  OPTIONAL {{ ?i {_okg("leadInspector")} ?lead .
             OPTIONAL {{ ?lead {iri(RDFS + "label")} ?leadName }} }}
  OPTIONAL {{ ?i {_okg("report")} ?report . ?report {iri(FOAF + "page")} ?url }}
}} GROUP BY ?i ?date ?fw ?lead ?leadName ?url ORDER BY ?date ?i"""
    )
    labeller.labels.update(
        {r["lead"].value: r["leadName"].value for r in rows if "lead" in r and "leadName" in r}
    )
    labeller.labels.update(_labels_for({r["i"].value for r in rows}))
    found: dict[str, InspectionRow] = {}
    for row in rows:
        key = row["i"].value
        entry = found.get(key)
        if entry is None:
            entry = found[key] = InspectionRow(
                labeller.show(row["i"]),
                labeller.show(row["date"]) if "date" in row else None,
                labeller.show(row["fw"]) if "fw" in row else None,
                [],
                [],
                [],
            )
        if "lead" in row and all(s.iri != row["lead"].value for s in entry.lead):
            entry.lead.append(labeller.show(row["lead"]))
        if "url" in row and all(s.iri != row["url"].value for s in entry.reports):
            entry.reports.append(Shown("report", row["url"].value, row["url"].value, True))
        entry.sources = sources_of([s.graph for s in entry.sources] + _graphs(row))
    return list(found.values())


@dataclass
class PersonRow:
    person: Shown
    post: str
    organisation: Shown | None
    role: Shown | None
    when: str
    sources: list[Source]
    membership: Shown


_TIME_VALUE = "|".join(
    iri(TIME + p) for p in ("inXSDDate", "inXSDgYear", "inXSDgYearMonth", "inXSDDateTime")
)


def people_of(organisation: str, labeller: Labeller, *, by_person: bool = False) -> list[PersonRow]:
    """Posts held in the organisation (or its units); with ``by_person``, posts of a person."""
    inferred = iri(current_settings().inferred_graph)
    target = iri(organisation)
    where = (
        f"GRAPH ?g {{ ?m {iri(ORG + 'member')} {target} }} BIND({target} AS ?person) "
        f"OPTIONAL {{ ?m {iri(ORG + 'organization')} ?org }}"
        if by_person
        else f"""{{ GRAPH ?g {{ ?m {iri(ORG + "organization")} {target} }} BIND({target} AS ?org) }}
  UNION {{ GRAPH ?g {{ ?m {iri(ORG + "organization")} ?org }} ?org {iri(ORG + "unitOf")} {target} }}
  ?m {iri(ORG + "member")} ?person ."""
    )
    rows = select(
        f"""SELECT ?m ?person ?org ?role ?title ?at ?from ?to
       (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?graphs) WHERE {{
  {where}
  FILTER(?g != {inferred} && isIRI(?org) && STRSTARTS(STR(?org), "{current_settings().base}"))
  OPTIONAL {{ ?m {iri(ORG + "role")} ?role }}
  OPTIONAL {{ ?m {_okg("titleAsStated")} ?title }}
  OPTIONAL {{ ?m {iri(ORG + "memberDuring")} ?during .
             OPTIONAL {{ ?during {iri(TIME + "inside")}/({_TIME_VALUE}) ?at }}
             OPTIONAL {{ ?during {iri(TIME + "hasBeginning")}/({_TIME_VALUE}) ?from }}
             OPTIONAL {{ ?during {iri(TIME + "hasEnd")}/({_TIME_VALUE}) ?to }} }}
}} GROUP BY ?m ?person ?org ?role ?title ?at ?from ?to ORDER BY ?person ?m"""
    )
    labeller.labels.update(
        _labels_for({r[n].value for r in rows for n in ("m", "person", "org", "role") if n in r})
    )
    found: dict[str, PersonRow] = {}
    for row in rows:
        m = row["m"].value
        if m in found:
            continue
        pieces = []
        if "at" in row:
            at = row["at"]
            on = isinstance(at, ox.Literal) and at.datatype == ox.NamedNode(XSD + "date")
            pieces.append(f"in post {'on' if on else 'in'} {labeller.show(at).text}")
        if "from" in row:
            pieces.append(f"from {labeller.show(row['from']).text}")
        if "to" in row:
            pieces.append(f"until {labeller.show(row['to']).text}")
        role = labeller.show(row["role"]) if "role" in row else None
        found[m] = PersonRow(
            person=labeller.show(row["person"]),
            post=_value(row, "title") or (role.text if role else "member"),
            organisation=labeller.show(row["org"]) if "org" in row else None,
            role=role,
            when=", ".join(pieces) or "dates not given",
            sources=sources_of(_graphs(row)),
            membership=labeller.show(row["m"]),
        )
    return list(found.values())


@dataclass
class Outcome:
    """A reconciliation of a claim with Ofsted's record."""

    outcome: Shown
    reason: str
    check: Shown
    sources: list[Source]


@dataclass
class ClaimRow:
    claim: Shown
    quotations: list[str]  # the words quoted, verbatim
    statement: str | None  # the passage of the source that makes the claim, verbatim
    speaker: list[Shown]
    document: Shown | None
    issued: Shown | None
    publisher: list[Shown]
    quoted_from: Shown | None
    outcomes: list[Outcome]
    sources: list[Source]


def claims_where(pattern: str, labeller: Labeller) -> list[ClaimRow]:
    """Claims matched by ``pattern`` (a group pattern binding ?c), with their evidence chain."""
    settings = current_settings()
    inferred = iri(settings.inferred_graph)
    claim_types = f"{_okg('Claim')}, {_okg('Quotation')}"
    rows = select(
        f"""SELECT ?c ?quotation ?statement ?speaker ?doc ?issued ?publisher ?from
       (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?graphs) WHERE {{
  {pattern}
  GRAPH ?g {{ ?c a ?type }} FILTER(?type IN ({claim_types}) && ?g != {inferred})
  OPTIONAL {{ ?c {_okg("quotation")} ?quotation }}
  OPTIONAL {{ ?c {_okg("statement")} ?statement }}
  OPTIONAL {{ GRAPH ?g1 {{ ?c {iri(PROV + "wasAttributedTo")} ?speaker }}
             FILTER(?g1 != {inferred}) }}
  OPTIONAL {{ GRAPH ?g2 {{ ?c {iri(PROV + "wasDerivedFrom")} ?derived }}
             FILTER(?g2 != {inferred}) }}
  OPTIONAL {{ GRAPH ?g4 {{ ?c {iri(PROV + "wasQuotedFrom")} ?from }} FILTER(?g4 != {inferred}) }}
  BIND(COALESCE(?derived, ?from) AS ?doc)
  OPTIONAL {{ ?doc {iri(DCT + "issued")} ?issued }}
  OPTIONAL {{ GRAPH ?g3 {{ ?doc {iri(DCT + "publisher")} ?publisher }} FILTER(?g3 != {inferred}) }}
}} GROUP BY ?c ?quotation ?statement ?speaker ?doc ?issued ?publisher ?from
ORDER BY ?issued ?c"""
    )
    if not rows:
        return []
    claims = sorted({r["c"].value for r in rows})
    values = " ".join(iri(c) for c in claims)
    checks = select(
        f"""SELECT ?c ?r ?outcome ?reason ?rg WHERE {{
  VALUES ?c {{ {values} }}
  ?c {_okg("asserts")} ?j ; {iri(PROV + "wasDerivedFrom")} ?doc .
  GRAPH ?rg {{ ?r {_okg("checkedJudgement")} ?j ; {_okg("claimSource")} ?doc ;
                 {_okg("reconciliationOutcome")} ?outcome . }}
  FILTER(?rg != {inferred})
  OPTIONAL {{ ?r {_okg("reason")} ?reason }}
}} ORDER BY ?r"""
    )
    names = {
        r[n].value
        for r in rows
        for n in ("c", "speaker", "doc", "publisher", "from")
        if n in r and isinstance(r[n], ox.NamedNode)
    }
    labeller.labels.update(
        _labels_for(names | {r[n].value for r in checks for n in ("outcome", "r")})
    )
    found: dict[str, ClaimRow] = {}
    for row in rows:
        c = row["c"].value
        entry = found.get(c)
        if entry is None:
            entry = found[c] = ClaimRow(
                claim=labeller.show(row["c"]),
                quotations=[],
                statement=_value(row, "statement"),
                speaker=[],
                document=labeller.show(row["doc"]) if "doc" in row else None,
                issued=labeller.show(row["issued"]) if "issued" in row else None,
                publisher=[],
                quoted_from=labeller.show(row["from"]) if "from" in row else None,
                outcomes=[],
                sources=[],
            )
        quotation = _value(row, "quotation")
        if quotation is not None and quotation not in entry.quotations:
            entry.quotations.append(quotation)
        if "speaker" in row and all(s.iri != row["speaker"].value for s in entry.speaker):
            entry.speaker.append(labeller.show(row["speaker"]))
        if "publisher" in row and all(s.iri != row["publisher"].value for s in entry.publisher):
            entry.publisher.append(labeller.show(row["publisher"]))
        entry.sources = sources_of([s.graph for s in entry.sources] + _graphs(row))
    for check in checks:
        entry = found[check["c"].value]
        outcome = labeller.show(check["outcome"])
        reason = _value(check, "reason") or ""
        if all(o.reason != reason or o.outcome.iri != outcome.iri for o in entry.outcomes):
            entry.outcomes.append(
                Outcome(outcome, reason, labeller.show(check["r"]), sources_of([check["rg"].value]))
            )
    return list(found.values())


def claims_about(council: str, labeller: Labeller) -> list[ClaimRow]:
    return claims_where(f"?c {_okg('about')} {iri(council)} .", labeller)


# -- Named graphs, the sources ------------------------------------------------------------------


def graph_view(resource: str, description: Description, labeller: Labeller) -> dict[str, Any]:
    """A named graph: what it holds and where it comes from, and where to download it."""
    rows = select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri(resource)} {{ ?s ?p ?o }} }}")
    source = source_of(resource)
    settings = current_settings()
    # The format is named in the link: a browser's Accept would otherwise pick no RDF format (406).
    download = f"{request.script_root}/store?{urlencode({'graph': resource, 'format': 'turtle'})}"
    return {
        "title": f"Named graph: {source.label}",
        "graph_size": int(rows[0]["n"].value) if rows else 0,
        "graph_source": source,
        "graph_documents": [labeller.show(ox.NamedNode(d)) for d, _ in source.documents],
        "graph_download": download,
        "graph_inferred": resource == settings.inferred_graph,
    }


# -- Inspection, judgement, person, document, claim --------------------------------------------


def inspection_view(resource: str, description: Description, labeller: Labeller) -> dict[str, Any]:
    rows = select(
        f"SELECT DISTINCT ?council WHERE {{ {iri(resource)} {_okg('inspected')} ?council }}"
    )
    judgements: list[JudgementRow] = []
    for row in rows:
        judgements.extend(
            j
            for j in judgements_of(row["council"].value, labeller)
            if j.inspection is not None and j.inspection.iri == resource
        )
    claims = claims_where(
        f"{{ ?c {_okg('asserts')} ?j . ?j {iri(PROV + 'wasGeneratedBy')} {iri(resource)} }}",
        labeller,
    )
    return {"judgements": judgements, "claims": claims}


def judgement_view(resource: str, description: Description, labeller: Labeller) -> dict[str, Any]:
    claims = claims_where(f"?c {_okg('asserts')} {iri(resource)} .", labeller)
    title: dict[str, str] = {}
    for row in select(
        f"SELECT DISTINCT ?council WHERE {{ {iri(resource)} {_okg('judgementOf')} ?council }}"
    ):
        for j in judgements_of(row["council"].value, labeller):
            if j.iri == resource and resource not in labeller.labels:
                council = labeller.label(row["council"].value)
                area = j.area.text if j.area else "judgement"
                grade = j.grade.text if j.grade else "grade not given"
                when = f", {j.date.text}" if j.date else ""
                title["title"] = f"{council}: {area}, {grade}{when}"
    checks = select(
        f"""SELECT ?r ?outcome ?reason ?doc WHERE {{
  {{ ?r {_okg("checkedJudgement")} {iri(resource)} }}
  UNION {{ ?r {_okg("checkedAgainst")} {iri(resource)} }}
  ?r {_okg("reconciliationOutcome")} ?outcome .
  OPTIONAL {{ ?r {_okg("reason")} ?reason }}
  OPTIONAL {{ ?r {_okg("claimSource")} ?doc }}
}} ORDER BY ?r"""
    )
    labeller.labels.update(
        _labels_for({r[n].value for r in checks for n in ("r", "outcome", "doc") if n in r})
    )
    reconciliations = []
    seen = set()
    for row in checks:
        if row["r"].value in seen:
            continue
        seen.add(row["r"].value)
        reconciliations.append(
            {
                "check": labeller.show(row["r"]),
                "outcome": labeller.show(row["outcome"]),
                "reason": _value(row, "reason") or "",
                "document": labeller.show(row["doc"]) if "doc" in row else None,
                "sources": sources_of([current_settings().graph_iri("official/reconciliation")]),
            }
        )
    return {"claims": claims, "reconciliations": reconciliations, **title}


def person_view(resource: str, description: Description, labeller: Labeller) -> dict[str, Any]:
    inferred = iri(current_settings().inferred_graph)
    led = select(
        f"""SELECT ?i ?date (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?graphs) WHERE {{
  GRAPH ?g {{ ?i {_okg("leadInspector")} {iri(resource)} }} FILTER(?g != {inferred})
  OPTIONAL {{ ?i {_okg("publicationDate")} ?date }}
}} GROUP BY ?i ?date ORDER BY ?date"""
    )
    labeller.labels.update(_labels_for({r["i"].value for r in led}))
    return {
        "posts": people_of(resource, labeller, by_person=True),
        "led": [
            {
                "inspection": labeller.show(r["i"]),
                "date": labeller.show(r["date"]) if "date" in r else None,
                "sources": sources_of(_graphs(r)),
            }
            for r in led
        ],
        "claims": claims_where(f"?c {iri(PROV + 'wasAttributedTo')} {iri(resource)} .", labeller),
    }


DOCUMENT_PROPERTIES = (
    DCT + "title",
    DCT + "description",
    DCT + "publisher",
    DCT + "creator",
    DCT + "issued",
    DCT + "modified",
    FOAF + "page",
    DCAT + "landingPage",
    DCAT + "accessURL",
    DCAT + "downloadURL",
    DCAT + "distribution",
    DCT + "license",
    DCT + "rights",
    DCT + "subject",
    SKOS + "editorialNote",
)


def document_view(resource: str, description: Description, labeller: Labeller) -> dict[str, Any]:
    node = ox.NamedNode(resource)
    wanted = set(DOCUMENT_PROPERTIES)
    groups = [g for g in facts_about(description, node, labeller) if g.predicate.iri in wanted]
    groups.sort(key=lambda g: DOCUMENT_PROPERTIES.index(g.predicate.iri or ""))
    claims = claims_where(
        f"{{ ?c {iri(PROV + 'wasDerivedFrom')} {iri(resource)} }} UNION "
        f"{{ ?c {iri(PROV + 'wasQuotedFrom')} {iri(resource)} }}",
        labeller,
    )
    return {"summary": groups, "claims": claims}


def claim_view(resource: str, description: Description, labeller: Labeller) -> dict[str, Any]:
    claims = claims_where(f"VALUES ?c {{ {iri(resource)} }}", labeller)
    claim = claims[0] if claims else None
    asserts = [
        g
        for g in facts_about(description, ox.NamedNode(resource), labeller)
        if g.predicate.iri in (_full("asserts"), _full("about"))
    ]
    return {"claim": claim, "asserts": asserts}


# -- The index of councils ---------------------------------------------------------------------


@dataclass
class CouncilRow:
    council: Shown
    code: str
    inspection: Shown | None
    date: Shown | None
    framework: Shown | None
    grade: Shown | None
    rank: int | None
    sources: list[Source]
    ended: Shown | None = None  # abolished on this date: the inspection is its last, not current


def council_index() -> str:
    settings = current_settings()
    inferred = iri(settings.inferred_graph)
    overall = iri(settings.base + "def/area/overall-effectiveness")
    councils = select(
        f"""SELECT ?c (SAMPLE(?label) AS ?name) (SAMPLE(?code) AS ?gss)
       (GROUP_CONCAT(DISTINCT STR(?cg); separator=" ") AS ?graphs) WHERE {{
  GRAPH ?cg {{ ?c a {_okg("Council")} }} FILTER(?cg != {inferred})
  OPTIONAL {{ GRAPH ?lg {{ ?c {iri(RDFS + "label")} ?label }} FILTER(?lg != {inferred}) }}
  OPTIONAL {{ ?c {_okg("gssCode")} ?code }}
}} GROUP BY ?c"""
    )
    # An inspection ?i's framework and overall grade, with the grade's rank (both queries below).
    framework_and_grade = f"""  OPTIONAL {{ ?i {_okg("framework")} ?fw }}
  OPTIONAL {{ ?j {iri(PROV + "wasGeneratedBy")} ?i ; {_okg("area")} {overall} ;
                 {_okg("grade")} ?grade .
             OPTIONAL {{ ?grade {_okg("rank")} ?rank }} }}"""
    latest = select(
        f"""SELECT ?c ?i ?date ?fw ?grade ?rank ?g WHERE {{
  GRAPH ?g {{ ?c {_okg("latestInspection")} ?i }} FILTER(?g != {inferred})
  OPTIONAL {{ ?i {_okg("publicationDate")} ?date }}
{framework_and_grade}
}}"""
    )
    # Councils abolished before Ofsted's latest table have no latest inspection in it: their last
    # inspection in the record stands in, said to be the last before abolition.
    last = select(
        f"""SELECT ?c ?end ?i ?date ?fw ?grade ?rank ?g WHERE {{
  ?c {_okg("endDate")} ?end .
  FILTER NOT EXISTS {{ ?c {_okg("latestInspection")} ?any }}
  GRAPH ?g {{ ?i {_okg("inspected")} ?c ; {_okg("publicationDate")} ?date }}
  FILTER(?g != {inferred})
{framework_and_grade}
}}"""
    )
    labeller = Labeller()
    labeller.labels.update({r["c"].value: r["name"].value for r in councils if "name" in r})
    by_council: dict[str, list[Row]] = defaultdict(list)
    for row in latest:
        by_council[row["c"].value].append(row)
    ended: dict[str, Row] = {}
    for row in sorted(last, key=lambda r: (r["date"].value, "grade" in r)):
        if row["c"].value not in by_council:
            ended[row["c"].value] = row  # the latest date wins; at a tie, the graded row
    for c, row in ended.items():
        by_council[c] = [row]
    found: list[CouncilRow] = []
    for council in councils:
        c = council["c"].value
        rows = by_council.get(c, [])
        row = rows[0] if rows else {}
        rank = row.get("rank")
        graphs = [r["g"].value for r in rows] or _graphs(council)
        found.append(
            CouncilRow(
                council=labeller.show(council["c"]),
                code=_value(council, "gss") or "",
                inspection=labeller.show(row["i"]) if "i" in row else None,
                date=labeller.show(row["date"]) if "date" in row else None,
                framework=labeller.show(row["fw"]) if "fw" in row else None,
                grade=labeller.show(row["grade"]) if "grade" in row else None,
                rank=int(rank.value) if rank is not None else None,
                sources=sources_of(graphs),
                ended=labeller.show(row["end"]) if "end" in row else None,
            )
        )
    found.sort(key=lambda r: r.council.sort_key)
    page = _chrome(settings.base + "id/council", "Councils and their current grade", "council")
    return render_template("pages/council_index.html", page=page, councils=found)


def council_index_data() -> Description:
    """The index as RDF: each council's type, label, GSS code and latest inspection, that
    inspection's date and framework, and the grade of its overall effectiveness, each statement
    in the named graph it comes from."""
    settings = current_settings()
    inferred = iri(settings.inferred_graph)
    council = _okg("Council")
    latest = _okg("latestInspection")
    generated = iri(PROV + "wasGeneratedBy")
    overall = iri(settings.base + "def/area/overall-effectiveness")
    rows = select(
        f"""SELECT ?s ?p ?o ?g WHERE {{
  {{ GRAPH ?g {{ ?s a {council} }} FILTER(?g != {inferred})
     BIND({iri(RDF_TYPE)} AS ?p) BIND({council} AS ?o) }}
  UNION
  {{ {{ SELECT DISTINCT ?s WHERE {{ GRAPH ?g0 {{ ?s a {council} }} FILTER(?g0 != {inferred}) }} }}
     VALUES ?p {{ {iri(RDFS + "label")} {_okg("gssCode")} {latest} }}
     GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {inferred}) }}
  UNION
  {{ {{ SELECT DISTINCT ?s WHERE {{ ?c {latest} ?s }} }}
     VALUES ?p {{ {iri(RDFS + "label")} {_okg("publicationDate")} {_okg("framework")} }}
     GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {inferred}) }}
  UNION
  {{ {{ SELECT DISTINCT ?s WHERE {{
         ?c {latest} ?i . ?s {generated} ?i ; {_okg("area")} {overall} }} }}
     VALUES ?p {{ {generated} {_okg("area")} {_okg("grade")} }}
     GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {inferred}) }}
}}"""
    )
    quads = frozenset(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)  # type: ignore[arg-type]
    return Description(settings.base + "id/council", quads)
