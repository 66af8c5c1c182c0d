"""The /sparql endpoint: the SPARQL 1.1 Query and Update protocols, and content negotiation.

Queries (SPARQL 1.1 Protocol, query operation):

    GET  /sparql?query=...  [&default-graph-uri=...]*  [&named-graph-uri=...]*
    POST /sparql  Content-Type: application/x-www-form-urlencoded  query=...
    POST /sparql  Content-Type: application/sparql-query           (the query as the body)

Updates (``update=`` form field, or ``application/sparql-update``), with ``using-graph-uri`` and
``using-named-graph-uri``, answer 403 unless the server has an update token, and then need
``Authorization: Bearer <token>``.

``GET /sparql`` with no query answers the Service Description. SELECT and ASK answer in a results
format, CONSTRUCT and DESCRIBE in a graph format, chosen by an explicit ``format`` parameter (a row
name, an alias or a media type of the tables below) or else by ``Accept``; with no preference,
SPARQL JSON and Turtle. SPARQLWrapper names formats in its own words (``xml`` for a CONSTRUCT
means RDF/XML) and gives ``format`` more than once
(``format=tsv&format=text/tab-separated-values``): the values are alternatives, and the first
that fits wins. Queries run in worker processes under the deadline (see ``workers``); the answers
of deterministic queries are kept, per dataset version, so a repeated query needs no worker.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property, lru_cache

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MIMEAccept, MultiDict

from ..backends.writes import Write
from ..errors import (
    BadRequestError,
    ForbiddenError,
    NotAcceptableError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from ..store.oxigraph import QueryResult
from ..store.workers import Answer, Job, NotAcceptableKindError
from .app import current_backend, current_settings, prefers_html, run_for_client

bp = Blueprint("sparql", __name__)


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str  # the Content-Type answered
    accepts: tuple[str, ...]  # media types in Accept that select this format
    serialization: ox.QueryResultsFormat | ox.RdfFormat
    aliases: tuple[str, ...] = ()  # other names a client may give in ``format`` (SPARQLWrapper's)

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.name in ("json", "jsonld", "ntriples")
        return f"{self.media_type}; charset=utf-8" if text else self.media_type

    @cached_property
    def enum_name(self) -> str:
        """The name of ``serialization`` in its enum (what a worker process is sent)."""
        enum = type(self.serialization)
        return next(n for n in dir(enum) if getattr(enum, n) is self.serialization)


# -- Content negotiation: one table for results (SELECT, ASK), one for graphs --------------------

RESULTS_FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "application/sparql-results+json",
        ("application/sparql-results+json", "application/json"),
        ox.QueryResultsFormat.JSON,
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        ox.QueryResultsFormat.XML,
    ),
    Format("csv", "text/csv", ("text/csv",), ox.QueryResultsFormat.CSV),
    Format(
        "tsv",
        "text/tab-separated-values",
        ("text/tab-separated-values",),
        ox.QueryResultsFormat.TSV,
    ),
)

GRAPH_FORMATS: tuple[Format, ...] = (
    Format(
        "turtle",
        "text/turtle",
        ("text/turtle", "application/x-turtle"),
        ox.RdfFormat.TURTLE,
        ("n3",),  # Turtle is N3
    ),
    Format(
        "ntriples",
        "application/n-triples",
        ("application/n-triples", "text/plain"),
        ox.RdfFormat.N_TRIPLES,
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        ("application/rdf+xml",),
        ox.RdfFormat.RDF_XML,
        ("rdf+xml", "rdf", "xml"),  # SPARQLWrapper's default, XML, is RDF/XML for a graph
    ),
    Format(
        "jsonld",
        "application/ld+json",
        ("application/ld+json",),
        ox.RdfFormat.JSON_LD,
        ("json-ld",),
    ),
    Format("trig", "application/trig", ("application/trig",), ox.RdfFormat.TRIG),
    Format("nquads", "application/n-quads", ("application/n-quads",), ox.RdfFormat.N_QUADS),
)

ALL_FORMATS = RESULTS_FORMATS + GRAPH_FORMATS


def formats_for(result: QueryResult) -> tuple[Format, ...]:
    return GRAPH_FORMATS if isinstance(result, ox.QueryTriples) else RESULTS_FORMATS


def format_named(formats: tuple[Format, ...], name: str) -> Format | None:
    """A format by its row name, an alias or one of its media types; ``name`` may list
    alternatives separated by commas, and the first that names a format of ``formats`` wins."""
    for candidate in name.split(","):
        lowered = candidate.strip().lower()
        found = next(
            (f for f in formats if lowered in (f.name, *f.aliases, *f.accepts)),
            None,
        )
        if found is not None:
            return found
    return None


def serialize(result: QueryResult, fmt: Format) -> bytes:
    """The whole result serialised (so a failure surfaces before any byte is sent)."""
    data = result.serialize(format=fmt.serialization)  # type: ignore[arg-type]
    assert isinstance(data, bytes)
    return data


def negotiate(formats: tuple[Format, ...], explicit: str | None) -> Format:
    """The format to answer in; raises 406 if none fits."""
    chosen = choose(formats, explicit)
    if chosen is None:
        if explicit:
            names = ", ".join(f.name for f in formats)
            raise NotAcceptableError(
                f"format {explicit!r} does not fit this result; use one of {names}"
            )
        available = ", ".join(f.media_type for f in formats)
        raise NotAcceptableError(f"this result is available as {available}")
    return chosen


def choose(formats: tuple[Format, ...], explicit: str | None) -> Format | None:
    """The format to answer in, or None if none fits the request."""
    if explicit:
        return format_named(formats, explicit)
    return _by_accept(formats, request.headers.get("Accept", ""))


def _by_accept(formats: tuple[Format, ...], header: str) -> Format | None:
    """The format an Accept header picks. Clients send a handful of distinct headers, so the
    answer for a short one is kept rather than parsed again for every request; a long one (no
    client needs one) is parsed each time, so that no one can fill memory with them."""
    if len(header) > ACCEPT_KEPT_CHARS:
        return _best_format(formats, header)
    return _best_format_kept(formats, header)


ACCEPT_KEPT_CHARS = 512


@lru_cache(maxsize=512)
def _best_format_kept(formats: tuple[Format, ...], header: str) -> Format | None:
    return _best_format(formats, header)


def _best_format(formats: tuple[Format, ...], header: str) -> Format | None:
    parsed = _parse_accept(header)
    if not parsed:
        return formats[0]
    offered = [media for f in formats for media in f.accepts]
    # Werkzeug prefers the first offer among equals: our defaults come first in each table.
    best = parsed.best_match(offered)
    if best is None:
        return None
    return next(f for f in formats if best in f.accepts)


def _parse_accept(header: str) -> MIMEAccept:
    from werkzeug.http import parse_accept_header

    accept = parse_accept_header(header, MIMEAccept)
    # Parameters (charset=utf-8, profile=...) do not change what we can answer.
    return MIMEAccept([(value.split(";")[0].strip(), quality) for value, quality in accept])


# -- Reading a request --------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    kind: str  # "query", "update" or "description" (no operation: the Service Description)
    text: str
    default_graphs: list[str]
    named_graphs: list[str]
    format: str | None


def _one(params: MultiDict[str, str], name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadRequestError(f"give the '{name}' parameter once, not {len(values)} times")
    return values[0] if values else None


def _format(params: MultiDict[str, str]) -> str | None:
    """The ``format`` parameter. SPARQLWrapper gives it more than once (its name for the format,
    then the media types it accepts, ``format=json-ld&format=application/ld+json,...``): the
    values are alternatives in order, kept as one comma-separated list (see ``format_named``)."""
    values = [value for value in params.getlist("format") if value.strip()]
    return ",".join(values) if values else None


def _body_text() -> str:
    charset = request.mimetype_params.get("charset", "utf-8")
    if charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise UnsupportedMediaTypeError(f"send the body as UTF-8, not {charset}")
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequestError("the request body is not valid UTF-8") from None


def _form() -> MultiDict[str, str]:
    data = request.get_data()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequestError("the form is not valid UTF-8") from None
    return MultiDict(request.form)


def read_operation() -> Operation:
    """The operation a request asks for, checked against the protocol."""
    params: MultiDict[str, str] = MultiDict(request.args)
    if request.method in ("GET", "HEAD"):
        if "update" in params:
            raise BadRequestError("send updates with POST, not GET")
        text = _one(params, "query")
        kind = "query" if text is not None else "description"
    elif request.mimetype == "application/x-www-form-urlencoded":
        for key, values in _form().lists():
            for value in values:
                params.add(key, value)
        query, update = _one(params, "query"), _one(params, "update")
        if query is not None and update is not None:
            raise BadRequestError("give either 'query' or 'update', not both")
        kind, text = ("update", update) if update is not None else ("query", query)
    elif request.mimetype == "application/sparql-query":
        if "query" in params or "update" in params:
            raise BadRequestError("the query is the body: do not also give a 'query' parameter")
        kind, text = "query", _body_text()
    elif request.mimetype == "application/sparql-update":
        if "query" in params or "update" in params:
            raise BadRequestError("the update is the body: do not also give an 'update' parameter")
        kind, text = "update", _body_text()
    else:
        raise UnsupportedMediaTypeError(
            "POST a query as application/sparql-query or application/x-www-form-urlencoded, "
            "an update as application/sparql-update or application/x-www-form-urlencoded"
        )
    if kind == "description":
        return Operation(kind, "", [], [], _format(params))
    if text is None or not text.strip():
        raise BadRequestError(f"no {kind} given: use the '{kind}' parameter")
    if "\x00" in text:
        raise BadRequestError(f"the {kind} contains a NUL character")
    if kind == "update":
        return Operation(
            kind,
            text,
            _iris(params, "using-graph-uri"),
            _iris(params, "using-named-graph-uri"),
            None,
        )
    return Operation(
        kind,
        text,
        _iris(params, "default-graph-uri"),
        _iris(params, "named-graph-uri"),
        _format(params),
    )


def _iris(params: MultiDict[str, str], name: str) -> list[str]:
    iris = params.getlist(name)
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise BadRequestError(f"{name} {iri!r} is not an absolute IRI: {exc}") from None
    return iris


# -- The endpoint -------------------------------------------------------------------------------


def _not_modified(etag: str, last_modified: str) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag.removeprefix("W/").strip('"'))
    since = request.if_modified_since
    if since is not None:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(last_modified) <= since
    return False


@bp.route("/sparql", methods=["GET", "POST", "HEAD"])
def sparql() -> Response:
    operation = read_operation()
    if operation.kind == "update":
        return run_update(operation)
    if operation.kind == "description":
        return service_description(operation.format)
    settings = current_settings()
    backend = current_backend()
    version = backend.version()
    if _not_modified(version.etag, version.last_modified):
        return _with_version(Response(status=304), version)
    results = choose(RESULTS_FORMATS, operation.format)
    graphs = choose(GRAPH_FORMATS, operation.format)
    if results is None and graphs is None:
        negotiate(RESULTS_FORMATS + GRAPH_FORMATS, operation.format)
    job = Job(
        "query",
        operation.text,
        results.enum_name if results else None,
        graphs.enum_name if graphs else None,
        tuple(operation.default_graphs),
        tuple(operation.named_graphs),
        base_iri=request.base_url,
        max_bytes=settings.max_result_bytes,
        gzip=accepts_gzip(),
        service_allow=settings.service_allow,
    )
    cache = answer_cache(backend)
    key = (version.token, job_digest(job)) if cache is not None else None
    answer = cache.get(key) if cache is not None and key is not None else None
    if answer is None:
        try:
            answer = run_for_client(job)
        except NotAcceptableKindError as exc:
            negotiate(
                GRAPH_FORMATS if exc.args[0] == "graph" else RESULTS_FORMATS, operation.format
            )
            raise
        if cache is not None and key is not None and answer.deterministic:
            cache.put(key, answer)
    fmt = results if answer.kind == "results" else graphs
    assert fmt is not None
    return _with_version(answer_response(answer, fmt), version)


# -- Answers kept for repeated queries ----------------------------------------------------------

# What an entry costs beside its answer's bytes (the key, the Answer, the dictionary's slot):
# counted, so that many tiny answers cannot hold more memory than the cache's size.
ENTRY_OVERHEAD = 256


def job_digest(job: Job) -> bytes:
    """What a job is kept under: a digest of everything that shapes its answer (the query text
    may be megabytes long; the cache keeps 32 bytes for it)."""
    return hashlib.sha256(repr(job).encode("utf-8", "surrogatepass")).digest()


class AnswerCache:
    """The answers of recent deterministic queries, for the dataset version they were computed on.

    A write changes the version, which empties the cache, so an answer is never stale; a repeated
    query (a page's query, a client polling) is answered without a worker. Bounded in bytes:
    answers count their size, and keys (a digest of the job, see ``job_digest``) are small."""

    def __init__(self, max_bytes: int = 32 << 20, max_entry: int = 1 << 20) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self._entries: OrderedDict[tuple[str, bytes], Answer] = OrderedDict()
        self._size = 0
        self._version = ""
        self._lock = threading.Lock()

    def get(self, key: tuple[str, bytes]) -> Answer | None:
        with self._lock:
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
            return answer

    def put(self, key: tuple[str, bytes], answer: Answer) -> None:
        if len(answer.data) > self.max_entry:
            return
        with self._lock:
            if key[0] != self._version:  # the data changed: nothing kept is current
                self._entries.clear()
                self._size = 0
                self._version = key[0]
            if key in self._entries:
                return
            self._entries[key] = answer
            self._size += len(answer.data) + ENTRY_OVERHEAD
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.data) + ENTRY_OVERHEAD

    def __len__(self) -> int:
        return len(self._entries)


CACHE_KEY = "ofsted_kg.answers"


def answer_cache(backend: object) -> AnswerCache | None:
    """The app's answer cache; None for a remote store (written by others: its version does not
    follow every change)."""
    from ..backends.local import LocalBackend

    if not isinstance(backend, LocalBackend):
        return None
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        cache = current_app.extensions.setdefault(CACHE_KEY, AnswerCache())
    assert isinstance(cache, AnswerCache)
    return cache


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0 if "Accept-Encoding" in request.headers else False


def answer_response(answer: Answer, fmt: Format) -> Response:
    """The response for a worker's answer (gzipped by the worker when the client takes it)."""
    response = Response(answer.data, content_type=fmt.content_type)
    response.vary.add("Accept")
    if answer.encoding is not None:
        response.headers["Content-Encoding"] = answer.encoding
        response.vary.add("Accept-Encoding")
    return response


def _with_version(response: Response, version: object) -> Response:
    from ..backends.local import Version

    assert isinstance(version, Version)
    response.headers["ETag"] = version.etag
    if version.modified:
        response.headers["Last-Modified"] = version.last_modified
    response.headers["Cache-Control"] = "no-cache"
    return response


def check_token() -> None:
    token = current_settings().update_token
    if token is None or not current_backend().writable:
        raise ForbiddenError("this endpoint is read-only: the server has no update token")
    given = request.headers.get("Authorization", "")
    scheme, _, credentials = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        credentials.strip().encode(), token.encode()
    ):
        raise UnauthorizedError("writes need the header 'Authorization: Bearer <token>'")


def run_update(operation: Operation) -> Response:
    check_token()
    write = Write(
        "update",
        text=operation.text,
        base_iri=request.base_url,
        using=tuple(operation.default_graphs),
        using_named=tuple(operation.named_graphs),
    )
    current_backend().write(write)
    return Response(status=204)


# -- The Service Description ----------------------------------------------------------------------

SD = "http://www.w3.org/ns/sparql-service-description#"


def service_description(explicit: str | None) -> Response:
    if explicit is None and prefers_html(m for f in GRAPH_FORMATS for m in f.accepts):
        # A person opening /sparql in a browser: the query page, not the description's Turtle.
        response = Response(status=303, headers={"Location": request.script_root + "/"})
        response.vary.add("Accept")
        return response
    fmt = negotiate(GRAPH_FORMATS, explicit)
    endpoint = ox.NamedNode(request.base_url)
    settings = current_settings()
    node = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = [
        ox.Triple(node, rdf_type, sd("Service")),
        ox.Triple(node, sd("endpoint"), endpoint),
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
    for f in RESULTS_FORMATS + GRAPH_FORMATS:
        triples.append(ox.Triple(node, sd("resultFormat"), ox.NamedNode(_FORMAT_IRIS[f.name])))
    data = ox.serialize(triples, format=fmt.serialization, prefixes={"sd": SD})  # type: ignore[arg-type]
    response = Response(data, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


_FORMAT_IRIS = {
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
