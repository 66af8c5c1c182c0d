"""The HTTP side of every route, written once: content negotiation, conditional requests, CORS and
gzip. The same rules hold on ``/sparql``, ``/store``, ``/id/``, ``/doc/``, ``/def/``,
``/.well-known/void`` and ``/dumps/``:

- **Negotiation**: each route offers a tuple of formats (``rdf.formats``) in its order of
  preference; an explicit choice (a ``format`` parameter, or a file extension on the path) wins,
  else ``Accept`` (media type parameters ignored), else the first offered. Nothing acceptable is
  406 with the one error shape (``web.errors``), naming what is offered. ``Vary: Accept``.
- **Conditional requests**: one ETag scheme, ``W/"<dataset version>-<variant>"`` (the variant
  names the representation: the format chosen), and ``Last-Modified`` from the version;
  ``If-None-Match`` (or else ``If-Modified-Since``) answers 304. ``Cache-Control: no-cache``:
  caches keep answers, and ask again each time.
- **CORS**: any origin (``cors_origin``) may read; writes still need the token.
- **gzip**: bodies of 1 KiB or more, when the client takes gzip (query workers compress their
  own answers, with the same rule); ``Vary: Accept-Encoding`` on every body that could be.
"""

from __future__ import annotations

import email.utils
import gzip
from collections.abc import Iterable
from functools import lru_cache

from flask import Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..backends.base import Version
from ..errors import NotAcceptableError
from ..rdf.formats import Format, by_name
from .context import current_settings

GZIP_MINIMUM = 1024  # bytes: smaller bodies are sent as they are
GZIP_LEVEL = 5
# Clients send a handful of distinct Accept headers: the choice for a short one is kept.
ACCEPT_KEPT_CHARS = 512
CORS_PATHS = ("/sparql", "/store", "/id/", "/doc/", "/def", "/.well-known/void", "/dumps/")


# -- Negotiation ----------------------------------------------------------------------------------


def choose(offered: tuple[Format, ...], explicit: str | None = None) -> Format | None:
    """The format to answer in (see the module's docstring), or None if none is acceptable."""
    if explicit:
        return by_name(explicit, offered)
    header = request.headers.get("Accept", "")
    if len(header) > ACCEPT_KEPT_CHARS:
        return _by_accept(offered, header)
    return _by_accept_kept(offered, header)


def negotiate(offered: tuple[Format, ...], explicit: str | None = None) -> Format:
    """The format to answer in; 406 (NotAcceptableError) if none is acceptable."""
    chosen = choose(offered, explicit)
    if chosen is None:
        raise not_acceptable(offered, explicit)
    return chosen


def not_acceptable(offered: tuple[Format, ...], explicit: str | None = None) -> NotAcceptableError:
    if explicit:
        names = ", ".join(f.name for f in offered)
        return NotAcceptableError(f"format {explicit!r} is not offered here; use one of {names}")
    available = ", ".join(f.media_type for f in offered)
    return NotAcceptableError(f"this is available as {available}")


@lru_cache(maxsize=512)
def _by_accept_kept(offered: tuple[Format, ...], header: str) -> Format | None:
    return _by_accept(offered, header)


def _by_accept(offered: tuple[Format, ...], header: str) -> Format | None:
    accept = parse_accept_header(header, MIMEAccept)
    # Parameters (charset=utf-8, profile=...) do not change what can be answered.
    parsed = MIMEAccept([(value.split(";")[0].strip(), quality) for value, quality in accept])
    if not parsed:
        return offered[0]
    # Werkzeug prefers the first offer among equals: each tuple's preferred format comes first.
    best = parsed.best_match([media for f in offered for media in f.accepts])
    if best is None:
        return None
    return next(f for f in offered if best in f.accepts)


def prefers_html(alternatives: Iterable[str]) -> bool:
    """Whether the request's ``Accept`` ranks HTML above each of ``alternatives`` (a browser,
    not a data client: no header, ``*/*`` or a tie leaves the alternatives)."""
    if "Accept" not in request.headers:
        return False
    accept = request.accept_mimetypes
    html = accept["text/html"]
    return html > 0 and all(html > accept[media] for media in alternatives)


# -- Conditional requests -------------------------------------------------------------------------


def etag(version: Version, variant: str) -> str:
    return f'W/"{version.token}-{variant}"'


def not_modified(version: Version, variant: str) -> bool:
    """Whether the client's copy (by If-None-Match, or else If-Modified-Since) is current."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag(version, variant)[2:].strip('"'))
    since = request.if_modified_since
    if since is not None and version.modified:
        return email.utils.parsedate_to_datetime(version.last_modified) <= since
    return False


def versioned(response: Response, version: Version, variant: str) -> Response:
    """The response with the version's validators (and ``Vary: Accept``: every variant is
    negotiated)."""
    response.headers["ETag"] = etag(version, variant)
    if version.modified:
        response.headers["Last-Modified"] = version.last_modified
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Accept")
    return response


def conditional(version: Version, variant: str) -> Response | None:
    """304 Not Modified with the validators when the client's copy is current, else None."""
    if not_modified(version, variant):
        return versioned(Response(status=304), version, variant)
    return None


# -- CORS and gzip (after every request) ----------------------------------------------------------


def cors(response: Response) -> Response:
    """Any origin may read the data (GET, HEAD, POST for queries); writes still need the token."""
    origin = current_settings().cors_origin
    if not origin or not request.path.startswith(CORS_PATHS):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Content-Type, Link"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            "Accept, Content-Type, Authorization, If-None-Match"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    if origin != "*":
        response.vary.add("Origin")
    return response


def accepts_gzip() -> bool:
    return "Accept-Encoding" in request.headers and request.accept_encodings["gzip"] > 0


def compress(response: Response) -> Response:
    """gzip a body of ``GZIP_MINIMUM`` bytes or more when the client takes gzip."""
    if (
        response.direct_passthrough
        or response.status_code != 200
        or response.headers.get("Content-Type", "").startswith("application/gzip")
    ):
        return response
    if "Content-Encoding" in response.headers:  # compressed already (by a query worker)
        response.vary.add("Accept-Encoding")
        return response
    data = response.get_data()
    if len(data) < GZIP_MINIMUM:
        return response
    response.vary.add("Accept-Encoding")
    if accepts_gzip():
        response.set_data(gzip.compress(data, compresslevel=GZIP_LEVEL))
        response.headers["Content-Encoding"] = "gzip"
    return response
