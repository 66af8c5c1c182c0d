"""The one way errors leave the web app: every failure, whoever raised it, is answered by
``answer`` with its status and the one shape

    {"error": {"status": 400, "title": "Malformed query", "detail": "..."}}

as JSON, or as the same status, title and detail on an HTML page for a client that prefers HTML to
JSON (a browser). A client's mistake is 4xx with a reason; a limit doing its job (a deadline, a
memory cap, a busy server) is its documented 503 or 504, logged in one line; anything else is a bug,
answered 500 with a fixed detail and logged with its traceback, never shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import HttpError, OfstedKgError, PayloadTooLargeError, error_body, render
from .context import current_settings
from .http import prefers_html


def register_errors(app: Flask) -> None:
    app.register_error_handler(OfstedKgError, _project_error)
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(Exception, _unexpected)


def answer(
    body: dict[str, Any], status: int, headers: Mapping[str, str], html: bool | None = None
) -> Response:
    """The error as JSON; as an HTML page when the client asked for HTML (``html``), or, when
    that is not known, prefers HTML to JSON."""
    if html if html is not None else prefers_html(["application/json"]):
        page = _page(body, status, headers)
        if page is not None:
            return page
    response = Response(
        json.dumps(body, indent=2) + "\n",
        status=status,
        headers=dict(headers),
        content_type="application/json",
    )
    response.vary.add("Accept")
    return response


def _page(body: dict[str, Any], status: int, headers: Mapping[str, str]) -> Response | None:
    error = body["error"]
    page = SimpleNamespace(title=f"{status} {error['title']}", alternates=[])
    try:
        html = render_template(
            "pages/error.html",
            page=page,
            status=status,
            title=error["title"],
            detail=error["detail"],
        )
    except Exception:  # the error page itself failed: the plain JSON is still an answer
        current_app.logger.exception("error page failed")
        return None
    response = Response(
        html, status=status, headers=dict(headers), content_type="text/html; charset=utf-8"
    )
    response.vary.add("Accept")
    return response


def _project_error(exc: OfstedKgError) -> Response:
    if exc.status >= 500 and isinstance(exc, HttpError) and exc.public:
        # A limit doing its job (deadline, memory, busy, a remote's failure): one line.
        current_app.logger.warning("%s %s: %s", request.method, request.path, exc.detail)
    elif exc.status >= 500:
        current_app.logger.error("request failed: %s", exc, exc_info=exc)
    body, status = render(exc)
    if isinstance(exc, HttpError):
        return answer(body, status, exc.headers(), exc.wants_html)
    return answer(body, status, {})


def _http_exception(exc: HTTPException) -> Response:
    """Werkzeug's own (404 for no route, 405, 413 past MAX_CONTENT_LENGTH), in the one shape."""
    status = exc.code or 500
    if status >= 500:
        return _unexpected(exc)
    if status == 413:
        limit = current_settings().max_body_bytes
        return _project_error(PayloadTooLargeError(f"send at most {limit:,} bytes"))
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    return answer(error_body(status, exc.name, exc.description or exc.name), status, headers)


def _unexpected(exc: Exception) -> Response:
    current_app.logger.error("unexpected failure", exc_info=exc)
    body, status = render(exc)
    return answer(body, status, {})
