"""The web app: ``create_app`` builds the whole of it, reading like a table of contents.

    app = create_app({"store": "/tmp/scratch", "TESTING": True})

Keys of ``config`` that name a setting (see ``config.SETTINGS``; any case) override the defaults and
the ``OFSTED_KG_*`` environment; any other key goes to Flask's own ``app.config``.
"""

from __future__ import annotations

import gzip
import json
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from ..config import SETTING_NAMES, Settings, load_settings
from ..errors import HttpError, OfstedKgError, error_body, render
from .admission import Admission, client_key
from .chrome import site_header

if TYPE_CHECKING:
    from ..backends.local import Backend
    from ..store.workers import Answer, Job

SETTINGS_KEY = "ofsted_kg.settings"
BACKEND_KEY = "ofsted_kg.backend"
ADMISSION_KEY = "ofsted_kg.admission"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings_overrides, flask_config = _split(config or {})
    settings = load_settings(overrides=settings_overrides)

    # Templates and the one static root are the package's (server/templates, server/static).
    app = Flask(__name__, root_path=str(Path(__file__).resolve().parent.parent))
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config.update(flask_config)
    app.extensions[SETTINGS_KEY] = settings
    app.jinja_env.globals["site_header"] = site_header
    # The embedded store (read by worker processes; an empty or new directory is served empty),
    # or a remote SPARQL server when remote_query is set.
    from ..backends.local import make_backend

    backend = make_backend(settings)
    app.extensions[BACKEND_KEY] = backend
    app.extensions[ADMISSION_KEY] = Admission(
        settings.client_queries, settings.worker_limit, settings.reserved_workers
    )
    weakref.finalize(app, backend.close)

    from . import graph_store as gsp
    from . import sparql
    from .linked_data import pages

    register_for_people(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(gsp.bp)
    app.register_blueprint(pages.bp)
    app.after_request(cors)
    app.after_request(compress)
    register_errors(app)
    return app


def register_for_people(app: Flask) -> None:
    """The query page at /, the ontology at /def/, the downloads and the dataset description."""
    from . import dumps, void
    from . import ontology as ontology_docs
    from . import query_page as ui

    for module in (ui, ontology_docs, dumps, void):
        app.register_blueprint(module.bp)


def _split(config: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    settings: dict[str, Any] = {}
    flask_config: dict[str, Any] = {}
    for key, value in config.items():
        if key.lower() in SETTING_NAMES:
            settings[key.lower()] = value
        else:
            flask_config[key] = value
    return settings, flask_config


def current_settings() -> Settings:
    settings = current_app.extensions[SETTINGS_KEY]
    assert isinstance(settings, Settings)
    return settings


def current_backend() -> Backend:
    backend: Backend = current_app.extensions[BACKEND_KEY]
    return backend


def current_admission() -> Admission:
    admission = current_app.extensions[ADMISSION_KEY]
    assert isinstance(admission, Admission)
    return admission


def run_for_client(job: Job) -> Answer:
    """Run a query the client sent (a SPARQL query, a Graph Store read) under the admission
    rules (see ``admission``): 429 or 503 rather than a worker when the client has too many."""
    client = client_key(request.remote_addr, request.user_agent.string)
    with current_admission().slot(client):
        return current_backend().run(job)


# -- CORS for queries, gzip for everything large -------------------------------------------------

CORS_PATHS = ("/sparql", "/store")


def cors(response: Response) -> Response:
    """Any origin may query (GET, POST) and read graphs; writes still need the token."""
    origin = current_settings().cors_origin
    if not origin or not request.path.startswith(CORS_PATHS):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Content-Type"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            "Accept, Content-Type, Authorization, If-None-Match"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    if origin != "*":
        response.vary.add("Origin")
    return response


GZIP_MINIMUM = 1024


def compress(response: Response) -> Response:
    """gzip a large body when the client accepts it."""
    if (
        response.direct_passthrough
        or response.status_code != 200
        or "Content-Encoding" in response.headers
        or request.accept_encodings["gzip"] <= 0
    ):
        return response
    data = response.get_data()
    if len(data) < GZIP_MINIMUM:
        return response
    response.set_data(gzip.compress(data, compresslevel=5))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


# -- Errors: one JSON shape for every failure --------------------------------------------------


def register_errors(app: Flask) -> None:
    app.register_error_handler(OfstedKgError, _project_error)
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(Exception, _unexpected)


def _json_error(body: dict[str, Any], status: int, headers: Mapping[str, str]) -> Response:
    """The error as JSON; as an HTML page when the client prefers HTML to JSON (a browser)."""
    if prefers_html(["application/json"]):
        return _html_error(body, status, headers)
    return _json_response(body, status, headers)


def _json_response(body: dict[str, Any], status: int, headers: Mapping[str, str]) -> Response:
    response = Response(
        json.dumps(body, indent=2) + "\n",
        status=status,
        headers=dict(headers),
        content_type="application/json",
    )
    response.vary.add("Accept")
    return response


def prefers_html(alternatives: Iterable[str]) -> bool:
    """Whether the request's ``Accept`` ranks HTML above each of ``alternatives`` (a browser,
    not a data client: no header, ``*/*`` or a tie leaves the alternatives)."""
    if "Accept" not in request.headers:
        return False
    accept = request.accept_mimetypes
    html = accept["text/html"]
    return html > 0 and all(html > accept[media] for media in alternatives)


def _html_error(body: dict[str, Any], status: int, headers: Mapping[str, str]) -> Response:
    error = body["error"]
    page = SimpleNamespace(title=f"{status} {error['title']}", alternates=[])
    try:
        page_html = render_template(
            "pages/error.html",
            page=page,
            status=status,
            title=error["title"],
            detail=error["detail"],
        )
    except Exception:  # the error page itself failed: the plain JSON is still an answer
        current_app.logger.exception("error page failed")
        return _json_response(body, status, headers)
    response = Response(
        page_html, status=status, headers=dict(headers), content_type="text/html; charset=utf-8"
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
    return _json_error(body, status, exc.headers() if isinstance(exc, HttpError) else {})


def _http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status >= 500:
        return _unexpected(exc)
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    if status == 413:
        limit = current_settings().max_body_bytes
        return _json_error(
            error_body(413, "Request body too large", f"send at most {limit:,} bytes"), 413, {}
        )
    return _json_error(error_body(status, exc.name, exc.description or exc.name), status, headers)


def _unexpected(exc: Exception) -> Response:
    current_app.logger.error("unexpected failure", exc_info=exc)
    body, status = render(exc)
    return _json_error(body, status, {})
