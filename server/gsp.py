"""/store: the SPARQL 1.1 Graph Store HTTP Protocol.

    GET|HEAD|PUT|POST|DELETE  /store?default          the default graph
    GET|HEAD|PUT|POST|DELETE  /store?graph=IRI        a named graph (indirect identification)
    GET|HEAD|PUT|POST|DELETE  /store/any/path         the graph named by the request URL (direct)
    POST                      /store                  a new graph; its IRI comes back in Location

Reads are queries (same workers, same deadline, same formats); writes need the update token and go
through the same copy-reason-validate-swap as SPARQL updates.
"""

from __future__ import annotations

import secrets

import pyoxigraph as ox
from flask import Blueprint, Response, request

from .app import current_backend, current_settings
from .errors import BadRequestError, UnsupportedMediaTypeError
from .sparql import GRAPH_FORMATS, _not_modified, _with_version, check_token, negotiate
from .workers import Job

bp = Blueprint("gsp", __name__)

# Media types a graph may be sent in (Content-Type of PUT and POST).
PARSERS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/n3": ox.RdfFormat.N3,
}

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


def _graph(path: str | None) -> tuple[str | None, bool]:
    """(graph IRI or None for the default graph, whether the graph store itself was named)."""
    if path is not None:
        return request.base_url, False
    has_default = "default" in request.args
    graphs = request.args.getlist("graph")
    if has_default and graphs:
        raise BadRequestError("give either 'default' or 'graph', not both")
    if len(graphs) > 1:
        raise BadRequestError("give the 'graph' parameter once")
    if graphs:
        try:
            ox.NamedNode(graphs[0])
        except ValueError as exc:
            raise BadRequestError(f"graph {graphs[0]!r} is not an absolute IRI: {exc}") from None
        return graphs[0], False
    if has_default:
        return None, False
    return None, True


def _triples(graph: str | None) -> list[ox.Triple]:
    if request.mimetype == "multipart/form-data":  # several documents, merged
        found: list[ox.Triple] = []
        for part in request.files.values():
            found += _parse(part.read(), part.mimetype, graph)
        return found
    return _parse(request.get_data(), request.mimetype, graph)


def _parse(data: bytes, mimetype: str, graph: str | None) -> list[ox.Triple]:
    fmt = PARSERS.get(mimetype)
    if fmt is None:
        known = ", ".join(sorted(PARSERS))
        raise UnsupportedMediaTypeError(f"send the graph as one of {known}")
    base = graph or request.base_url
    try:
        quads = ox.parse(data, fmt, base_iri=base)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    except (SyntaxError, ValueError, OSError) as exc:
        raise BadRequestError(f"the graph does not parse as {mimetype}: {exc}") from None


@bp.route("/store", methods=METHODS)
@bp.route("/store/<path:path>", methods=METHODS)
def graph_store(path: str | None = None) -> Response:
    graph, whole_store = _graph(path)
    backend = current_backend()
    if request.method in ("GET", "HEAD"):
        if whole_store:
            raise BadRequestError("name a graph: '?default' or '?graph=IRI'")
        fmt = negotiate(GRAPH_FORMATS, request.args.get("format"))
        version = backend.version()
        if _not_modified(version.etag, version.last_modified):
            return _with_version(Response(status=304), version)
        job = Job(
            "graph",
            graph or "",
            None,
            fmt.enum_name,
            max_bytes=current_settings().max_result_bytes,
            head_only=request.method == "HEAD",
        )
        answer = backend.run(job)
        response = Response(answer.data, content_type=fmt.content_type)
        response.vary.add("Accept")
        return _with_version(response, version)

    check_token()
    if request.method == "DELETE":
        if whole_store:
            raise BadRequestError("name a graph to delete: '?default' or '?graph=IRI'")
        backend.delete_graph(graph)
        return Response(status=204)
    if request.method == "PUT":
        if whole_store:
            raise BadRequestError("name a graph to replace: '?default' or '?graph=IRI'")
        created = backend.put_graph(graph, _triples(graph))
        return Response(status=201 if created else 204)
    # POST
    if whole_store:
        graph = f"{request.base_url.rstrip('/')}/{secrets.token_hex(8)}"
        backend.post_graph(graph, _triples(graph))
        return Response(status=201, headers={"Location": graph})
    created = backend.post_graph(graph, _triples(graph))
    return Response(status=201 if created else 204)
