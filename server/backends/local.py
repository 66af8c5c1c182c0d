"""The embedded Oxigraph store at ``settings.store``: queried by worker processes, written by a
process per write.

The store is never written in place. A write (``base.Write``) runs under one lock, in a child
process of its own (``runtime.run_isolated``: client input is parsed there, a write past
``write_timeout`` or ``write_memory`` is stopped, and its memory goes back to the system when it
ends):

    1. read the live store into an in-memory store (the build's way: nothing is changed on disk
       until the end, and an in-memory store is several times faster to change)
    2. apply the write to the copy (the default graph kept the union of the named graphs)
    3. if the store has the inferred graph ({base}graph/inferred, made by ``ofsted-kg build``),
       recompute it from the vocabulary, ontology and fact graphs; a store without it (a scratch
       store) gets none
    4. validate the data graphs against the shapes graphs in the store (none in a scratch store);
       a violation answers 422 with the report, and the copy is deleted: nothing is kept
    5. write the copy to a new store directory beside the live one in one bulk load, swap it in
       (the build's safe swap; the old store is kept for its readers a while) and bump the
       dataset version, so the query workers reopen it
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pyoxigraph as ox

from ..build.pipeline import union_quads
from ..build.validation import start_validation
from ..config import Settings
from ..errors import StoreError
from ..runtime import run_isolated
from ..store.directories import StagedStore, is_store_dir, open_pinned, recover, remove_retired
from ..store.oxigraph import Store, gc_paused
from ..store.workers import Answer, Job, StoreLocation, WorkerPool
from .base import Version, Write, apply_change, change_for, raise_on_violations

# How long past the query deadline a store replaced by a write is kept for readers.
RETIRED_GRACE_SECONDS = 5.0


class LocalBackend:
    """The embedded Oxigraph store at ``settings.store``, queried by worker processes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path = settings.store
        self.writable = settings.update_token is not None
        self.versions_follow_changes = True
        try:
            recover(self.path)
            remove_retired(self.path)  # no query can be reading them: this server just started
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from None
        if self.path.exists() and not (is_store_dir(self.path) or _is_empty_dir(self.path)):
            raise StoreError(f"{self.path} is neither an Oxigraph store nor an empty directory")
        self.pool = WorkerPool(
            settings.worker_count,
            settings.query_timeout,
            settings.worker_limit,
            memory_mib=settings.query_memory,
            warm=settings.reserved_workers,
        )
        self._write_lock = threading.Lock()
        self._version = self._read_version()

    # -- reading ------------------------------------------------------------------------------

    def _read_version(self) -> Version:
        if not is_store_dir(self.path):
            return Version("empty", 0.0)
        info = (self.path / "CURRENT").stat(), self.path.stat()
        raw = f"{info[1].st_ino}-{info[0].st_mtime_ns}-{info[1].st_mtime_ns}"
        token = hashlib.sha256(raw.encode()).hexdigest()[:16]
        return Version(token, max(info[0].st_mtime, info[1].st_mtime))

    def version(self) -> Version:
        return self._version

    def location(self) -> StoreLocation:
        version = self._version
        return StoreLocation(self.path if version.token != "empty" else None, version.token)

    def run(self, job: Job) -> Answer:
        return self.pool.run(self.location(), job)

    def close(self) -> None:
        self.pool.close()

    # -- writing ------------------------------------------------------------------------------

    def write(self, write: Write) -> bool:
        """Carry the write out in a child process (``writes.run_isolated``), one at a time."""
        with self._write_lock:
            try:
                return run_isolated(
                    write_store,
                    (self.settings, write),
                    self.settings.write_timeout,
                    cleanup=lambda: recover(self.path),
                    memory_mib=self.settings.write_memory,
                )
            finally:
                self._version = self._read_version()
                self._forget_retired_later()

    def _forget_retired_later(self) -> None:
        """Delete the store a write replaced once no query can still be reading it (every
        worker reopens the store for its next job; a query lasts at most its deadline)."""
        grace = self.settings.query_timeout + RETIRED_GRACE_SECONDS
        timer = threading.Timer(grace + 1, remove_retired, (self.path, grace))
        timer.daemon = True
        timer.start()


def write_store(settings: Settings, write: Write) -> bool:
    """Carry out one write on the store at ``settings.store`` (in the write's child process):

    copy the live store into memory, change the copy, reason and validate it, write it to a new
    store beside the live one and swap that in; a violation leaves the live store untouched."""
    change = change_for(write, settings)
    path = settings.store
    copy = Store(ox.Store(), None, writable=True)
    if is_store_dir(path):
        live, pin = open_pinned(path)
        # In union mode the default graph is derived: it is made again from the named graphs
        # only if the change reads it (a SPARQL update), and written from them.
        graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = []
        for name in live.named_graphs():
            copy.inner.add_graph(name)  # an empty named graph is kept too
            graphs.append(name)
        if not settings.union:
            graphs.append(ox.DefaultGraph())
        with gc_paused():
            for graph in graphs:
                copy.inner.bulk_extend(live.quads_for_pattern(None, None, None, graph))
        del live
        os.close(pin)
        copy.union_stale = settings.union
    result = apply_change(copy, change, settings)
    names = list(copy.inner.named_graphs())
    with gc_paused():
        named = list(copy.quads())
        default = (
            union_quads(named)
            if settings.union
            else list(copy.inner.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        )
    copy.close()
    # As the build does: the new store is written while the shapes are checked in forked
    # processes; a violation leaves the block before the commit, deleting the new store.
    shapes = settings.shapes_graph_prefix
    checked = named if any(n.value.startswith(shapes) for n in names) else []
    with start_validation(checked, settings) as pending, StagedStore(path) as new:
        for name in names:
            new.store.inner.add_graph(name)
        with gc_paused():
            new.store.add_quads(named + default)
        raise_on_violations(pending.wait())
        new.commit(retire=True)  # query workers may be reading the old one: deleted later
    return result


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())
