"""The web app: ``create_app`` builds the whole of it, reading like a table of contents.

    app = create_app({"store": "/tmp/scratch", "TESTING": True})

Keys of ``config`` that name a setting (see ``config.SETTINGS``; any case) override the defaults and
the ``OFSTED_KG_*`` environment; any other key goes to Flask's own ``app.config``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, current_app
from werkzeug.exceptions import HTTPException

from . import __version__
from .config import SETTING_NAMES, Settings, load_settings
from .errors import HttpError, OfstedKgError, error_body, render
from .store import Store, open_store

SETTINGS_KEY = "ofsted_kg.settings"
STORE_KEY = "ofsted_kg.store"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings_overrides, flask_config = _split(config or {})
    settings = load_settings(overrides=settings_overrides)

    app = Flask(__name__)
    app.config.update(flask_config)
    app.extensions[SETTINGS_KEY] = settings
    # Read-only unless updates are enabled; an empty or new directory is served empty.
    app.extensions[STORE_KEY] = open_store(
        settings.store, writable=settings.update_token is not None
    )

    from . import sparql

    app.register_blueprint(ui)
    app.register_blueprint(sparql.bp)
    register_errors(app)
    return app


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


def current_store() -> Store:
    store = current_app.extensions[STORE_KEY]
    assert isinstance(store, Store)
    return store


# -- Errors: one JSON shape for every failure --------------------------------------------------


def register_errors(app: Flask) -> None:
    app.register_error_handler(OfstedKgError, _project_error)
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(Exception, _unexpected)


def _json_error(body: dict[str, Any], status: int, headers: Mapping[str, str]) -> Response:
    return Response(
        json.dumps(body, indent=2) + "\n",
        status=status,
        headers=dict(headers),
        content_type="application/json",
    )


def _project_error(exc: OfstedKgError) -> Response:
    if exc.status >= 500:
        current_app.logger.error("request failed: %s", exc, exc_info=exc)
    body, status = render(exc)
    return _json_error(body, status, exc.headers() if isinstance(exc, HttpError) else {})


def _http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status >= 500:
        return _unexpected(exc)
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    return _json_error(error_body(status, exc.name, exc.description or exc.name), status, headers)


def _unexpected(exc: Exception) -> Response:
    current_app.logger.error("unexpected failure", exc_info=exc)
    body, status = render(exc)
    return _json_error(body, status, {})


# -- The query page -----------------------------------------------------------------------------

ui = Blueprint("ui", __name__)

EXAMPLE_QUERY = """\
SELECT ?graph (COUNT(*) AS ?triples)
WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph
ORDER BY ?graph"""

PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ofsted-kg: SPARQL query</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
textarea {{ width: 100%; font-family: monospace; font-size: 0.95rem; }}
</style>
</head>
<body>
<h1>Ofsted knowledge graph</h1>
<p>Ofsted's judgements on English councils' children's services, and the claims made about them,
every fact traceable to its source. Ask it in SPARQL 1.1; the default graph is the union of all
named graphs, and inferred triples sit in <code>{inferred}</code>.</p>
<form method="post" action="sparql">
<p><label for="query">Query</label></p>
<textarea id="query" name="query" rows="14">{query}</textarea>
<p><label for="format">Results as</label>
<select id="format" name="format">
<option value="">chosen by the Accept header</option>
<option value="json">SPARQL JSON (SELECT, ASK)</option>
<option value="xml">SPARQL XML (SELECT, ASK)</option>
<option value="csv">CSV (SELECT)</option>
<option value="tsv">TSV (SELECT)</option>
<option value="turtle">Turtle (CONSTRUCT, DESCRIBE)</option>
<option value="ntriples">N-Triples (CONSTRUCT, DESCRIBE)</option>
<option value="jsonld">JSON-LD (CONSTRUCT, DESCRIBE)</option>
</select>
<button type="submit">Run query</button></p>
</form>
<p>Endpoint: <code>/sparql</code> (SPARQL 1.1 Protocol). ofsted-kg {version}.</p>
</body>
</html>
"""


@ui.route("/")
def index() -> Response:
    page = PAGE.format(
        query=html.escape(EXAMPLE_QUERY),
        inferred=html.escape(current_settings().inferred_graph),
        version=html.escape(__version__),
    )
    return Response(page, content_type="text/html; charset=utf-8")
