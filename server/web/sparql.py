"""The /sparql endpoint: the SPARQL 1.1 Query and Update protocols, and content negotiation.

Queries (SPARQL 1.1 Protocol, query operation):

    GET  /sparql?query=...  [&default-graph-uri=...]*  [&named-graph-uri=...]*
    POST /sparql  Content-Type: application/x-www-form-urlencoded  query=...
    POST /sparql  Content-Type: application/sparql-query           (the query as the body)

Updates (``update=`` form field, or ``application/sparql-update``), with ``using-graph-uri`` and
``using-named-graph-uri``, answer 403 unless the server has an update token, and then need
``Authorization: Bearer <token>``.

``GET /sparql`` with no query answers the Service Description (``service``). SELECT and ASK answer
in a results format, CONSTRUCT and DESCRIBE in a graph format (``rdf.formats``), chosen by an
explicit ``format`` parameter (a name, an alias or a media type) or else by ``Accept``
(``http.choose``); with no preference, SPARQL JSON and Turtle. SPARQLWrapper names formats in its
own words (``xml`` for a CONSTRUCT means RDF/XML) and gives ``format`` more than once
(``format=tsv&format=text/tab-separated-values``): the values are alternatives, and the first
that fits wins. Queries run in worker processes under the deadline (``store.workers``), admitted
by ``admission``; the answers of deterministic queries are kept (``answers``), per dataset version,
so a repeated query needs no worker.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from ..backends.base import Write
from ..errors import BadRequestError, UnsupportedMediaTypeError
from ..rdf.formats import GRAPHS, RESULTS, Format
from ..store.workers import Answer, Job, NotAcceptableKindError
from .answers import answer_cache, job_digest
from .context import check_token, current_backend, current_settings, run_for_client
from .http import accepts_gzip, choose, conditional, not_acceptable, versioned
from .service import service_description

bp = Blueprint("sparql", __name__)


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


@bp.route("/sparql", methods=["GET", "POST", "HEAD"])
def sparql() -> Response:
    operation = read_operation()
    if operation.kind == "update":
        return run_update(operation)
    if operation.kind == "description":
        return service_description(operation.format)
    settings = current_settings()
    version = current_backend().version()
    # The answer's kind (results or a graph) is known only once the query runs: both are chosen.
    results = choose(RESULTS, operation.format)
    graphs = choose(GRAPHS, operation.format)
    if results is None and graphs is None:
        raise not_acceptable((*RESULTS, *GRAPHS), operation.format)
    variant = f"{results.name if results else '-'}.{graphs.name if graphs else '-'}"
    unchanged = conditional(version, variant)
    if unchanged is not None:
        return unchanged
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
        search_base=settings.base,
    )
    cache = answer_cache()
    key = (version.token, job_digest(job)) if cache is not None else None
    answer = cache.get(key) if cache is not None and key is not None else None
    if answer is None:
        try:
            answer = run_for_client(job)
        except NotAcceptableKindError as exc:
            offered = GRAPHS if exc.args[0] == "graph" else RESULTS
            raise not_acceptable(offered, operation.format) from None
        if cache is not None and key is not None and answer.deterministic:
            cache.put(key, answer)
    fmt = results if answer.kind == "results" else graphs
    assert fmt is not None
    return versioned(answer_response(answer, fmt), version, variant)


def answer_response(answer: Answer, fmt: Format) -> Response:
    """The response for a worker's answer (gzipped by the worker when the client takes it)."""
    response = Response(answer.data, content_type=fmt.content_type)
    if answer.encoding is not None:
        response.headers["Content-Encoding"] = answer.encoding
    return response


# -- Updates ---------------------------------------------------------------------------------------


def run_update(operation: Operation) -> Response:
    by = check_token()
    write = Write(
        "update",
        text=operation.text,
        base_iri=request.base_url,
        using=tuple(operation.default_graphs),
        using_named=tuple(operation.named_graphs),
        by=by,
    )
    current_backend().write(write)
    return Response(status=204)
