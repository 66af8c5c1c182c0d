"""The one place that decides which backend serves: a remote SPARQL 1.1 server when
``remote_query`` is set, else the embedded store."""

from __future__ import annotations

import multiprocessing

from ..config import Settings
from .base import Backend
from .local import LocalBackend
from .remote import RemoteBackend

# What query workers and write processes run, imported once in the process they are forked from
# (so each starts in milliseconds rather than half a second).
PRELOADED = ["ofsted_kg.backends.local", "ofsted_kg.backends.remote"]


def make_backend(settings: Settings) -> Backend:
    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOADED)
    if settings.remote_query is not None:
        return RemoteBackend(settings)
    return LocalBackend(settings)
