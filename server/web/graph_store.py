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

from ..backends.base import Body, Write
from ..errors import BadRequestError, UnsupportedMediaTypeError
from ..rdf.formats import GRAPHS, UPLOADS, upload_format
from ..rdf.limits import check_rdf
from ..store.workers import Job
from .context import check_token, current_backend, current_settings, run_for_client
from .http import conditional, negotiate, versioned

bp = Blueprint("gsp", __name__)

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


def _graph(path: str | None) -> tuple[str | None, bool]:
    """(graph IRI or None for the default graph, whether the graph store itself was named)."""
    if path is not None:
        try:  # the request URL names the graph: it must be an IRI (no '{', '"', '<', %FF)
            ox.NamedNode(request.base_url)
        except ValueError as exc:
            raise BadRequestError(
                f"the request URL {request.base_url!r} is not an IRI, so it cannot name a "
                f"graph: {exc}"
            ) from None
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


def checked_body(data: bytes, media_type: str) -> Body:
    """A document the server can read: a known media type, within the limits (415 or 400 before
    anything is parsed: the write's own process parses it)."""
    if upload_format(media_type) is None:
        known = ", ".join(sorted({m for f in UPLOADS for m in f.accepts}))
        raise UnsupportedMediaTypeError(f"send the graph as one of {known}")
    check_rdf(data, media_type)
    return Body(data, media_type)


def _bodies() -> tuple[Body, ...]:
    """The documents sent (several, merged, in a multipart POST), checked against the limits;
    they are parsed by the write's own process."""
    if request.mimetype == "multipart/form-data":
        return tuple(checked_body(part.read(), part.mimetype) for part in request.files.values())
    return (checked_body(request.get_data(), request.mimetype),)


@bp.route("/store", methods=METHODS)
@bp.route("/store/<path:path>", methods=METHODS)
def graph_store(path: str | None = None) -> Response:
    graph, whole_store = _graph(path)
    backend = current_backend()
    if request.method in ("GET", "HEAD"):
        if whole_store:
            raise BadRequestError("name a graph: '?default' or '?graph=IRI'")
        fmt = negotiate(GRAPHS, request.args.get("format"))
        version = backend.version()
        unchanged = conditional(version, fmt.name)
        if unchanged is not None:
            return unchanged
        job = Job(
            "graph",
            graph or "",
            None,
            fmt.enum_name,
            max_bytes=current_settings().max_result_bytes,
            head_only=request.method == "HEAD",
        )
        answer = run_for_client(job)
        response = Response(answer.data, content_type=fmt.content_type)
        return versioned(response, version, fmt.name)

    by = check_token()
    base = request.base_url
    if request.method == "DELETE":
        if whole_store:
            raise BadRequestError("name a graph to delete: '?default' or '?graph=IRI'")
        backend.write(Write("delete", graph, base_iri=base, by=by))
        return Response(status=204)
    if request.method == "PUT":
        if whole_store:
            raise BadRequestError("name a graph to replace: '?default' or '?graph=IRI'")
        created = backend.write(Write("put", graph, base_iri=base, bodies=_bodies(), by=by))
        return Response(status=201 if created else 204)
    # POST
    if whole_store:
        graph = f"{base.rstrip('/')}/{secrets.token_hex(8)}"
        backend.write(Write("post", graph, base_iri=base, bodies=_bodies(), by=by))
        return Response(status=201, headers={"Location": graph})
    created = backend.write(Write("post", graph, base_iri=base, bodies=_bodies(), by=by))
    return Response(status=201 if created else 204)
