"""Where the endpoint's data lives: the embedded Oxigraph store, or a remote SPARQL 1.1 server.

Both answer the same operations (a query job, an update, the Graph Store reads and writes) and a
dataset version for ``ETag``/``Last-Modified``.

The local store is never written in place. A write (SPARQL update or Graph Store PUT/POST/DELETE,
described by a ``writes.Write``) runs under one lock, in a child process of its own (see
``writes``: client input is parsed there, a write past ``write_timeout`` is stopped, and its memory
goes back to the system when it ends):

    1. read the live store into an in-memory store (the build's way: nothing is changed on disk
       until the end, and an in-memory store is several times faster to change)
    2. apply the write to the copy (the default graph kept the union of the named graphs)
    3. if the store has the inferred graph ({base}graph/inferred, made by ``ofsted-kg build``),
       recompute it from the vocabulary, ontology and fact graphs; a store without it (a scratch
       store) gets none
    4. validate the data graphs against the shapes graphs in the store (none in a scratch store);
       a violation answers 422 with the report, and the copy is deleted: nothing is kept
    5. write the copy to a new store directory beside the live one in one bulk load, swap it in
       (the build's safe swap) and bump the dataset version, so the query workers reopen it

What a write changes (``change_for``) is shared with the remote backend (``remote.RemoteBackend``),
which applies it to an in-memory copy of the remote's data, checks it the same way, and sends the
difference to the remote as one update; ``make_backend`` picks it when ``remote_query`` is set.
"""

from __future__ import annotations

import email.utils
import hashlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import pyoxigraph as ox

from ..config import Settings
from ..errors import NotFoundError, ShapesViolatedError, StoreError
from ..rdf.sparql_text import check_no_load, check_service, check_structure, with_using
from ..store.oxigraph import (
    StagedStore,
    Store,
    gc_paused,
    is_store_dir,
    open_pinned,
    recover,
    remove_retired,
)
from ..store.workers import Answer, Job, StoreLocation, WorkerPool
from .writes import Write, parse_bodies, run_isolated

if TYPE_CHECKING:
    from ..build.validation import ValidationReport

T = TypeVar("T")


# What ``last_modified`` says when no time is known: later than any If-Modified-Since a client
# can send, so a conditional request is answered in full (the header itself is not sent).
UNKNOWN_MODIFIED = "Fri, 31 Dec 9999 23:59:59 GMT"


@dataclass(frozen=True)
class Version:
    token: str  # changes whenever the data may have changed
    modified: float  # seconds since the epoch; 0: not known (no Last-Modified header)

    @property
    def etag(self) -> str:
        return f'W/"{self.token}"'

    @property
    def last_modified(self) -> str:
        if not self.modified:
            return UNKNOWN_MODIFIED
        return email.utils.formatdate(self.modified, usegmt=True)


class Backend(Protocol):
    writable: bool

    def version(self) -> Version: ...

    def run(self, job: Job) -> Answer: ...

    def write(self, write: Write) -> bool:
        """Carry out a write (see ``writes``); True if it made a new named graph."""
        ...

    def close(self) -> None: ...


def change_for(write: Write, settings: Settings) -> Callable[[Store], bool]:
    """The change a write makes to a writable copy of the data: a function of the copy that
    returns whether a new named graph was made. Parsing happens here, in the process that
    carries the write out."""
    union = settings.union

    def target(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
        if graph is None:
            return ox.NamedNode(settings.updates_graph) if union else ox.DefaultGraph()
        return ox.NamedNode(graph)

    graph = write.graph
    if write.kind == "update":
        check_structure(write.text, "update")
        check_no_load(write.text)
        check_service(write.text, settings.service_allow)
        text = with_using(write.text, list(write.using), list(write.using_named))

        def update(store: Store) -> bool:
            if union:
                store.update(text, default_target=settings.updates_graph, base_iri=write.base_iri)
            else:
                store.update_plain(text, base_iri=write.base_iri)
            return False

        return update
    if write.kind == "delete":

        def delete(store: Store) -> bool:
            if graph is not None and not store.inner.contains_named_graph(ox.NamedNode(graph)):
                raise NotFoundError(f"there is no graph <{graph}> in this store")
            _clear(store, graph, union)
            if graph is not None:
                store.inner.remove_graph(ox.NamedNode(graph))
            return False

        return delete
    triples = parse_bodies(write)
    if write.kind == "put":

        def put(store: Store) -> bool:
            created = _clear(store, graph, union)
            _add(store, target(graph), triples)
            return created

        return put

    def post(store: Store) -> bool:
        into = target(graph)
        created = isinstance(into, ox.NamedNode) and not store.inner.contains_named_graph(into)
        _add(store, into, triples)
        return created

    return post


class LocalBackend:
    """The embedded Oxigraph store at ``settings.store``, queried by worker processes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path = settings.store
        self.writable = settings.update_token is not None
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
    from ..build.pipeline import union_quads
    from ..build.validation import start_validation

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
        _raise_on_violations(pending.wait())
        new.commit(retire=True)  # query workers may be reading the old one: deleted later
    return result


# How long past the query deadline a store replaced by a write is kept for readers.
RETIRED_GRACE_SECONDS = 5.0


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def _clear(store: Store, graph: str | None, union: bool) -> bool:
    """Empty a graph; True if it did not exist. In union mode, emptying the default graph deletes
    its triples from every named graph (the default graph is their union)."""
    inner = store.inner
    if graph is None:
        if union:
            store.update("CLEAR DEFAULT", default_target="urn:unused")
        else:
            inner.clear_graph(ox.DefaultGraph())
        return False
    name = ox.NamedNode(graph)
    existed = inner.contains_named_graph(name)
    if existed:
        inner.clear_graph(name)
    return not existed


def _add(
    store: Store, target: ox.NamedNode | ox.DefaultGraph, triples: Iterable[ox.Triple]
) -> None:
    if isinstance(target, ox.NamedNode):
        store.inner.add_graph(target)
    store.inner.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)


def apply_change(copy: Store, change: Callable[[Store], T], settings: Settings) -> T:
    """Apply ``change`` to a writable copy of the data, then recompute its inferred graph (if it
    had one)."""
    had_inferred = settings.inferred_graph in copy.named_graphs()
    result = change(copy)
    if had_inferred:
        _refresh_inferred(copy, settings)
    return result


def apply_checked(copy: Store, change: Callable[[Store], T], settings: Settings) -> T:
    """:func:`apply_change`, then check the copy against its shapes (raising
    ShapesViolatedError) and make its default graph the union again; the caller keeps the copy
    only if this returns."""
    result = apply_change(copy, change, settings)
    _check_shapes(copy, settings)
    if settings.union:
        copy.refresh_union()
    return result


def _refresh_inferred(store: Store, settings: Settings) -> None:
    from ..build.pipeline import infer

    inferred = settings.inferred_graph
    data = [
        g
        for g in store.named_graphs()
        if g != inferred and not g.startswith(settings.shapes_graph_prefix)
    ]
    quads, _skipped = infer(list(store.quads(data)), inferred)
    store.inner.clear_graph(ox.NamedNode(inferred))
    store.inner.extend(quads)


def _check_shapes(store: Store, settings: Settings) -> None:
    from ..build.validation import validate_store

    if not any(g.startswith(settings.shapes_graph_prefix) for g in store.named_graphs()):
        return
    _raise_on_violations(validate_store(store, settings))


def _raise_on_violations(report: ValidationReport) -> None:
    if not report.conforms:
        count = len(report.violations)
        text = "\n".join(r.describe() for r in report.violations)
        raise ShapesViolatedError(
            f"{count} SHACL violation{'s' if count != 1 else ''}; nothing of the write was "
            f"kept.\n{text}"
        )


def make_backend(settings: Settings) -> Backend:
    """A remote SPARQL 1.1 server when ``remote_query`` is set, else the embedded store."""
    # Query workers and write processes are forked from one server process; with what they
    # run already imported there, each starts in milliseconds rather than half a second.
    multiprocessing.get_context("forkserver").set_forkserver_preload(
        ["ofsted_kg.backend", "ofsted_kg.build", "ofsted_kg.validation", "ofsted_kg.remote"]
    )
    if settings.remote_query is not None:
        from .remote import RemoteBackend

        return RemoteBackend(settings)
    return LocalBackend(settings)
