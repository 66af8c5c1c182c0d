"""The web app: ``create_app`` builds the whole of it, and reads as its route table.

    app = create_app({"store": "/tmp/scratch", "TESTING": True})

Keys of ``config`` that name a setting (see ``config.SETTINGS``; any case) override the defaults and
the ``OFSTED_KG_*`` environment; any other key goes to Flask's own ``app.config``.

    /sparql                  SPARQL 1.1 Query and Update protocols         sparql.py
    /store, /store/...       SPARQL 1.1 Graph Store protocol                graph_store.py
    /id/..., /doc/...,       dereferenceable IRIs and the pages about them  linked_data/
      /graph/...
    /def/...                 the ontology, for people and machines          ontology.py
    /dumps/...               everything, as files with checksums            dumps.py
    /.well-known/void        the dataset description (VoID, DCAT)           void.py
    /writes, /writes/...     the write log, and reverting a write           writes.py
    /claims, /claims/...     claims checked against Ofsted's record         claims.py
    /search                  search by text                                 search.py
    /, /national.csv         the front page, for people                     front.py
    /query, /examples...,    the query page (YASGUI) and its gallery         query_page.py
      /robots.txt
    /static/...              stylesheets, scripts, YASGUI                   server/static/

Every route's negotiation, validators, CORS and gzip are ``http``; every error leaves through
``errors``; what a handler needs of the app (settings, backend, admission) is ``context``.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from ..backends.factory import make_backend
from ..config import SETTING_NAMES, load_settings
from . import (
    claims,
    dumps,
    front,
    graph_store,
    ontology,
    query_page,
    search,
    sparql,
    void,
    writes,
)
from .admission import Admission
from .context import ADMISSION_KEY, BACKEND_KEY, KEPT_KEY, SETTINGS_KEY, Kept
from .errors import register_errors
from .http import compress, cors
from .linked_data import routes as linked_data

# The package's own folder: its templates/ (every HTML page) and static/ (the one static root).
PACKAGE = Path(__file__).resolve().parent.parent

BLUEPRINTS = (
    sparql.bp,
    graph_store.bp,
    linked_data.bp,
    ontology.bp,
    dumps.bp,
    void.bp,
    query_page.bp,
    writes.bp,
    claims.bp,
    search.bp,
    front.bp,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings_overrides, flask_config = _split(config or {})
    settings = load_settings(overrides=settings_overrides)

    app = Flask(__name__, root_path=str(PACKAGE))
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config.update(flask_config)
    app.extensions[SETTINGS_KEY] = settings
    # The embedded store (read by worker processes; an empty or new directory is served empty),
    # or a remote SPARQL server when remote_query is set.
    backend = make_backend(settings)
    app.extensions[BACKEND_KEY] = backend
    weakref.finalize(app, backend.close)
    app.extensions[ADMISSION_KEY] = Admission(
        settings.client_queries, settings.worker_limit, settings.reserved_workers
    )
    app.extensions[KEPT_KEY] = Kept()

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.after_request(cors)
    app.after_request(compress)
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
