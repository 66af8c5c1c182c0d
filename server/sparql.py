"""The /sparql endpoint: SPARQL 1.1 queries over HTTP, and the two content-negotiation tables.

Requests (SPARQL 1.1 Protocol, query operation):

    GET  /sparql?query=...  [&default-graph-uri=...][&named-graph-uri=...]
    POST /sparql  Content-Type: application/x-www-form-urlencoded  query=...
    POST /sparql  Content-Type: application/sparql-query           (the query as the body)

SELECT and ASK answer in a results format, CONSTRUCT and DESCRIBE in a graph format, chosen by the
Accept header (or an explicit ``format`` parameter naming a row of the tables below). The default
graph is the union of all named graphs unless ``default-graph-uri`` says otherwise.

Updates (``update=`` or ``application/sparql-update``) answer 403 unless the server has an update
token, and then need ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from .app import current_settings, current_store
from .errors import (
    BadRequestError,
    ForbiddenError,
    NotAcceptableError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from .store import QueryResult

bp = Blueprint("sparql", __name__)


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str  # the Content-Type answered
    accepts: tuple[str, ...]  # media types in Accept that select this format
    serialization: ox.QueryResultsFormat | ox.RdfFormat

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.name in ("json", "jsonld", "ntriples")
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


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
    Format("turtle", "text/turtle", ("text/turtle", "application/x-turtle"), ox.RdfFormat.TURTLE),
    Format(
        "ntriples",
        "application/n-triples",
        ("application/n-triples", "text/plain"),
        ox.RdfFormat.N_TRIPLES,
    ),
    Format("rdfxml", "application/rdf+xml", ("application/rdf+xml",), ox.RdfFormat.RDF_XML),
    Format("jsonld", "application/ld+json", ("application/ld+json",), ox.RdfFormat.JSON_LD),
    Format("trig", "application/trig", ("application/trig",), ox.RdfFormat.TRIG),
    Format("nquads", "application/n-quads", ("application/n-quads",), ox.RdfFormat.N_QUADS),
)


def formats_for(result: QueryResult) -> tuple[Format, ...]:
    return GRAPH_FORMATS if isinstance(result, ox.QueryTriples) else RESULTS_FORMATS


def format_named(formats: tuple[Format, ...], name: str) -> Format | None:
    return next((f for f in formats if f.name == name), None)


def serialize(result: QueryResult, fmt: Format) -> bytes:
    """The whole result serialised (so a failure surfaces before any byte is sent)."""
    data = result.serialize(format=fmt.serialization)  # type: ignore[arg-type]
    assert isinstance(data, bytes)
    return data


def negotiate(formats: tuple[Format, ...], explicit: str | None) -> Format:
    if explicit:
        chosen = format_named(formats, explicit)
        if chosen is None:
            names = ", ".join(f.name for f in formats)
            raise NotAcceptableError(
                f"format {explicit!r} does not fit this result; use one of {names}"
            )
        return chosen
    accept = request.accept_mimetypes
    if not accept:
        return formats[0]
    offered = [media for f in formats for media in f.accepts]
    best = accept.best_match(offered)
    if best is None:
        available = ", ".join(f.media_type for f in formats)
        raise NotAcceptableError(f"this result is available as {available}")
    return next(f for f in formats if best in f.accepts)


# -- Reading a request --------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    kind: str  # "query" or "update"
    text: str
    default_graphs: list[str]
    named_graphs: list[str]
    format: str | None


def _one(params: MultiDict[str, str], name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadRequestError(f"give the '{name}' parameter once, not {len(values)} times")
    return values[0] if values else None


def _body_text() -> str:
    try:
        return request.get_data().decode(request.mimetype_params.get("charset", "utf-8"))
    except (UnicodeDecodeError, LookupError):
        raise BadRequestError("the request body is not valid UTF-8") from None


def read_operation() -> Operation:
    """The operation a request asks for, checked against the protocol."""
    params: MultiDict[str, str] = MultiDict(request.args)
    if request.method == "GET":
        if "update" in params:
            raise BadRequestError("send updates with POST, not GET")
        text = _one(params, "query")
        kind = "query"
    elif request.mimetype == "application/x-www-form-urlencoded":
        params.update(request.form)
        query, update = _one(params, "query"), _one(params, "update")
        if query is not None and update is not None:
            raise BadRequestError("give either 'query' or 'update', not both")
        kind, text = ("update", update) if update is not None else ("query", query)
    elif request.mimetype == "application/sparql-query":
        kind, text = "query", _body_text()
    elif request.mimetype == "application/sparql-update":
        kind, text = "update", _body_text()
    else:
        raise UnsupportedMediaTypeError(
            "POST a query as application/sparql-query or application/x-www-form-urlencoded"
        )
    if text is None or not text.strip():
        raise BadRequestError(f"no {kind} given: use the '{kind}' parameter")
    return Operation(
        kind,
        text,
        _iris(params, "default-graph-uri"),
        _iris(params, "named-graph-uri"),
        _one(params, "format"),
    )


def _iris(params: MultiDict[str, str], name: str) -> list[str]:
    iris = params.getlist(name)
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise BadRequestError(f"{name} {iri!r} is not an absolute IRI: {exc}") from None
    return iris


# -- Federation is refused: SERVICE would make this server fetch any URL a client names ----------

_SKIPPED = re.compile(
    "|".join(
        (
            r'"""(?:[^"\\]|\\.|"(?!""))*"""',  # long strings
            r"'''(?:[^'\\]|\\.|'(?!''))*'''",
            r'"(?:[^"\\\n]|\\.)*"',  # short strings
            r"'(?:[^'\\\n]|\\.)*'",
            r'<[^<>"{}|^`\\\x00-\x20]*>',  # IRIs
            r"#[^\n]*",  # comments
        )
    )
)
_SERVICE = re.compile(r"(?<![?$:\w])SERVICE(?![\w:-])", re.IGNORECASE)


def uses_service(query: str) -> bool:
    """Whether the query has the SERVICE keyword (outside strings, IRIs and comments)."""
    return _SERVICE.search(_SKIPPED.sub(" ", query)) is not None


# -- The endpoint -------------------------------------------------------------------------------


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    operation = read_operation()
    if operation.kind == "update":
        return run_update(operation)
    if uses_service(operation.text):
        raise ForbiddenError("this endpoint does not run federated queries (SERVICE)")
    result = current_store().query(
        operation.text,
        default_graphs=operation.default_graphs or None,
        named_graphs=operation.named_graphs or None,
    )
    fmt = negotiate(formats_for(result), operation.format)
    response = Response(serialize(result, fmt), content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def run_update(operation: Operation) -> Response:
    token = current_settings().update_token
    if token is None:
        raise ForbiddenError("this endpoint is read-only: the server has no update token")
    given = request.headers.get("Authorization", "")
    scheme, _, credentials = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        credentials.strip().encode(), token.encode()
    ):
        raise UnauthorizedError("updates need the header 'Authorization: Bearer <token>'")
    current_store().update(operation.text, default_target=current_settings().graph_iri("updates"))
    return Response(status=204)
