"""What a request handler reaches for: the settings, the backend, admission, and values kept for
the current dataset version (as flaskr's blueprints take ``get_db`` from ``db.py``).

``create_app`` (``web.app``) puts the settings, the backend and the admission rules in
``app.extensions``; nothing here is module-level state, so each test builds an app of its own.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request

from ..backends.base import Backend
from ..config import Settings
from ..errors import ForbiddenError, UnauthorizedError
from ..store.workers import Answer, Job
from .admission import Admission, client_key

T = TypeVar("T")

SETTINGS_KEY = "ofsted_kg.settings"
BACKEND_KEY = "ofsted_kg.backend"
ADMISSION_KEY = "ofsted_kg.admission"
KEPT_KEY = "ofsted_kg.kept"


def current_settings() -> Settings:
    settings = current_app.extensions[SETTINGS_KEY]
    assert isinstance(settings, Settings)
    return settings


def current_backend() -> Backend:
    return current_backend_of(current_app)


def current_backend_of(app: Flask) -> Backend:
    """The backend of an app (outside a request: to close it, say)."""
    backend: Backend = app.extensions[BACKEND_KEY]
    return backend


def current_admission() -> Admission:
    admission = current_app.extensions[ADMISSION_KEY]
    assert isinstance(admission, Admission)
    return admission


def check_token(given_token: str | None = None) -> str:
    """Writes need the server's update token (403 without one configured, 401 without it sent);
    the name of who holds it (for the write log). The token is read from the Authorization
    header, or given (a form's field)."""
    settings = current_settings()
    token = settings.update_token
    if token is None or not current_backend().writable:
        raise ForbiddenError("this endpoint is read-only: the server has no update token")
    if given_token is None:
        given = request.headers.get("Authorization", "")
        scheme, _, credentials = given.partition(" ")
        if scheme.lower() != "bearer":
            credentials = ""
    else:
        credentials = given_token
    if not credentials.strip() or not hmac.compare_digest(
        credentials.strip().encode(), token.encode()
    ):
        raise UnauthorizedError(
            "writes need the header 'Authorization: Bearer <token>'"
            if given_token is None
            else "the update token is not right"
        )
    return settings.update_token_name


def run_for_client(job: Job) -> Answer:
    """Run a query the client sent (a SPARQL query, a Graph Store read) under the admission
    rules (see ``admission``): 429 or 503 rather than a worker when the client has too many."""
    client = client_key(request.remote_addr, request.user_agent.string)
    with current_admission().slot(client):
        return current_backend().run(job)


class Kept:
    """Values worked out once per dataset version (the ontology's terms, the VoID statistics, the
    pages' labels and sources): one per name, made again when the version changes, each under a
    lock of its own so that two requests do not make the same value at once."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, Any]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, name: str, version: str, make: Callable[[], T]) -> T:
        found = self._values.get(name)
        if found is not None and found[0] == version:
            return found[1]  # type: ignore[no-any-return]
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            found = self._values.get(name)
            if found is not None and found[0] == version:
                return found[1]  # type: ignore[no-any-return]
            value = make()
            self._values[name] = (version, value)
            return value


def kept(name: str, make: Callable[[], T]) -> T:
    """The value named ``name`` for the dataset version being served, made by ``make`` if it has
    not been yet for this version."""
    store = current_app.extensions[KEPT_KEY]
    assert isinstance(store, Kept)
    return store.get(name, current_backend().version().token, make)
