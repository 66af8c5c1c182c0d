"""Writes applied in place: one long-lived process holds the live store open for writing.

``StoreWriter`` carries a write out on the store at ``settings.store`` (in the writer process
that ``WriterProcess`` runs for the server, or in the command's own process for ``ofsted-kg
writes revert``):

    1. each step of the write (an update's operations one by one, a Graph Store request's
       clear and add) is computed against the store as it is (``changes.operation_change``:
       the quads it adds and removes), journalled, and applied (``inplace.Transaction``); in
       union mode the default graph, the union of the named graphs, is kept so as it goes
    2. the triples whose presence in the data graphs changed go to the reasoner, which gives
       the change to the inferred graph (``upkeep.Upkeep.entailments``: semi-naive inserts,
       DRed deletes), applied the same way
    3. the shapes are checked on what the write and its entailments can affect
       (``Upkeep.check``); a violation undoes everything (the journal, last change first) and
       answers 422 with the report
    4. the journal gets its commit record, the write log its entry (``writelog``), the dataset
       its new version, and the query workers a snapshot of the store to open (``inplace``:
       hard links, tens of milliseconds)

Readers see the version before the write until step 4, and the one after from then on: they
read snapshots, never the live store. A process killed at any moment leaves a journal that the
next writer reads when it opens the store: an uncommitted write is undone, a committed one kept.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import multiprocessing
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..build.upkeep import Upkeep
from ..build.validation import graph_kinds
from ..config import Settings
from ..errors import (
    InternalError,
    NotFoundError,
    OfstedKgError,
    StoreError,
    WriteMemoryError,
    WriteTimeoutError,
)
from ..rdf.sparql_text import (
    split_update,
)
from ..runtime import cap_memory, run_with_stack
from ..store import inplace
from ..store.changes import operation_change
from ..store.directories import recover as recover_swap
from ..store.dumps import store_modified, store_version
from ..store.inplace import Change, Transaction, take_snapshot
from ..store.oxigraph import check_update_syntax
from ..store.writelog import WriteLog, log_path, nquads, parse_nquads
from .base import Write, checked_update, parse_bodies, raise_on_violations

Step = Callable[[ox.Store], Change]
Key = tuple[Any, Any, Any]

# After how many writes the writer reads its reasoning and validation state afresh, when idle
# for IDLE_SECONDS (see StoreWriter.tidy).
REFRESH_AFTER_WRITES = 2_000
IDLE_SECONDS = 2.0
# How long opening the store waits for the store's lock (held by a writer that is ending).
LOCK_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class Written:
    """A write's outcome: whether it made a new named graph, the version after it, and the
    snapshot the readers of that version open."""

    created: bool
    version: str
    modified: float
    snapshot: Path
    write_id: str | None  # None: the write changed nothing (and was not logged)


def _open_writable(path: Path, lock_wait: float) -> ox.Store:
    """The store at ``path`` opened for writing, waiting up to ``lock_wait`` seconds for its lock
    (an earlier writer, killed, may still be ending)."""
    recover_swap(path)
    path.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_wait
    while True:
        try:
            return ox.Store(str(path))
        except OSError as exc:
            if "lock" not in str(exc).lower():
                raise StoreError(f"cannot open the store at {path} for writing: {exc}") from None
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"the store at {path} is open for writing by another process (a server "
                    "that takes writes?)"
                ) from None
            time.sleep(0.05)


def _next_version(previous: str, write_id: str) -> str:
    return hashlib.sha256(f"{previous}/{write_id}".encode()).hexdigest()[:16]


class StoreWriter:
    """The live store, opened for writing, and what keeps its entailments and verdict current."""

    def __init__(self, settings: Settings, lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        self.settings = settings
        self.path = settings.store
        self.lock_wait = lock_wait
        self.kind_of = graph_kinds(settings)
        # The version of the data as it stands: a token of the directory taken before opening
        # it (opening rewrites its CURRENT file, so no later start can give the same token).
        self.version = store_version(self.path)
        self.modified = store_modified(self.path) or time.time()
        self.store = _open_writable(self.path, self.lock_wait)
        self.identity = self.path.stat().st_ino
        self.log = WriteLog(log_path(self.path))
        committed = inplace.recover(self.store, self.path)
        if committed is not None and committed["changed"] and not self.log.has(committed["id"]):
            self.log.append(committed)  # killed between the commit and the log
        self.snapshot = take_snapshot(self.store, self.path, self.version)
        self._upkeep: Upkeep | None = None
        self.writes_since_load = 0

    def upkeep(self) -> Upkeep:
        if self._upkeep is None:
            self._upkeep = Upkeep.load(self.store, self.settings)
            self.writes_since_load = 0
        return self._upkeep

    def tidy(self) -> None:
        """Read what reasoning and validation need afresh after many writes: their indexes keep
        every term ever written (a term deleted stays interned), so a writer that lives long
        would otherwise grow a little with every write."""
        if self._upkeep is not None and self.writes_since_load >= REFRESH_AFTER_WRITES:
            self._upkeep = None
            self.upkeep()

    def close(self) -> None:
        self.store.flush()
        del self.store

    # -- a write ----------------------------------------------------------------------------

    def write(self, write: Write) -> Written:
        steps, created = self._steps(write)
        return self._carry_out(steps, write, created)

    def revert(self, write_id: str, by: str) -> Written:
        """Undo what the logged write ``write_id`` changed, as a new write."""
        entry = self.log.find(write_id)
        if entry is None:
            raise NotFoundError(f"there is no write {write_id!r} in the write log")
        added = parse_nquads(entry.get("added", []))
        removed = parse_nquads(entry.get("removed", []))
        created = [ox.NamedNode(g) for g in entry.get("created", [])]
        dropped = [ox.NamedNode(g) for g in entry.get("dropped", [])]

        gone = set(added)

        def inverse(store: ox.Store) -> Change:
            return Change(
                added=[q for q in removed if not _has(store, q)],
                removed=[q for q in added if _has(store, q)],
                created=[g for g in dropped if not store.contains_named_graph(g)],
                dropped=[
                    g
                    for g in created
                    if store.contains_named_graph(g)
                    and all(q in gone for q in store.quads_for_pattern(None, None, None, g))
                ],
            )

        request = Write("revert", text=write_id, by=by)
        return self._carry_out([inverse], request, lambda: False)

    def _carry_out(
        self, steps: Iterable[Step], write: Write, created: Callable[[], bool]
    ) -> Written:
        self._follow_build()
        settings = self.settings
        store = self.store
        upkeep = self.upkeep()
        upkeep.begin()
        tx = Transaction(store, self.path)
        holders = Holders(store)
        before: dict[ox.Quad, bool] = {}  # each quad the write touches: was it there before?
        graphs_before: dict[ox.NamedNode, bool] = {}
        data_before: dict[Key, bool] = {}
        try:
            made = False
            for step in steps:
                change = step(store)
                self._expand_drops(change)
                holders.prefetch((*change.added, *change.removed))
                for quad in change.removed:
                    before.setdefault(quad, True)
                for quad in change.added:
                    before.setdefault(quad, False)
                for quad in (*change.added, *change.removed):
                    key = (quad.subject, quad.predicate, quad.object)
                    if key not in data_before:
                        data_before[key] = self._in_data(holders.of(key))
                for graph in (*change.created, *change.dropped):
                    graphs_before.setdefault(graph, store.contains_named_graph(graph))
                tx.apply(self._with_union(change, holders))
            made = created()
            inserted = [
                k for k, was in data_before.items() if not was and self._in_data(holders.of(k))
            ]
            deleted = [
                k for k, was in data_before.items() if was and not self._in_data(holders.of(k))
            ]
            entailed, retracted = upkeep.entailments(_triples(inserted), _triples(deleted))
            inferred = ox.NamedNode(settings.inferred_graph)
            gained = [_in(t, inferred) for t in entailed]
            lost = [_in(t, inferred) for t in retracted]
            holders.prefetch((*gained, *lost))
            change = Change(
                added=[q for q in gained if not holders.has(q)],
                removed=[q for q in lost if holders.has(q)],
            )
            if upkeep.closure is not None:  # the write itself changed the inferred graph
                self._keep_entailed(change, before, holders, upkeep, inferred)
            tx.apply(self._with_union(change, holders))
            quads = [q for c in tx.changes for q in (*c.added, *c.removed)]
            touched = {q.graph_name for q in quads} | {
                g for c in tx.changes for g in (*c.created, *c.dropped)
            }
            report = upkeep.check(store, touched, dict.fromkeys(map(_key, quads)), holders.of)
            if report is not None:
                raise_on_violations(report)
            entry = self._entry(write, before, graphs_before, holders)
            tx.commit(entry)
        except BaseException:
            tx.rollback()
            upkeep.undo(store)
            raise
        self.writes_since_load += 1
        if entry["changed"]:
            self.log.append(entry)  # before the journal goes: a kill here is finished on opening
        tx.end()
        if entry["changed"]:
            self.version = entry["version_after"]
            self.modified = time.time()
            self.snapshot = take_snapshot(store, self.path, self.version)
        return _written(self, made, entry["id"] if entry["changed"] else None)

    def _keep_entailed(
        self,
        change: Change,
        before: dict[ox.Quad, bool],
        holders: Holders,
        upkeep: Upkeep,
        inferred: ox.NamedNode,
    ) -> None:
        """Add to ``change`` what puts back the inferred graph where the write changed it
        itself (through the union default graph, or by naming it): it holds what the data
        entails, whatever a write says."""
        touched = [q for q in before if q.graph_name == inferred]
        if not touched:
            return
        listed = set(change.added) | set(change.removed)
        touched = [q for q in touched if q not in listed]
        wanted = upkeep.entailed(ox.Triple(q.subject, q.predicate, q.object) for q in touched)
        for quad, entailed in zip(touched, wanted, strict=True):
            present = holders.has(quad)
            if entailed and not present:
                change.added.append(quad)
            elif present and not entailed:
                change.removed.append(quad)

    def _follow_build(self) -> None:
        """Reopen the store if a build has put another in its place since it was opened."""
        try:
            identity = self.path.stat().st_ino
        except FileNotFoundError:
            identity = None
        if identity == self.identity:
            return
        del self.store
        self.version = store_version(self.path)
        self.modified = store_modified(self.path) or time.time()
        self.store = _open_writable(self.path, self.lock_wait)
        self.identity = self.path.stat().st_ino
        self._upkeep = None
        self.snapshot = take_snapshot(self.store, self.path, self.version)

    def _entry(
        self,
        write: Write,
        before: dict[ox.Quad, bool],
        graphs_before: dict[ox.NamedNode, bool],
        holders: Holders,
    ) -> dict[str, Any]:
        """The write log's entry for the write: its net change to the asserted graphs."""
        store = self.store
        added = [q for q, was in before.items() if not was and holders.has(q)]
        removed = [q for q, was in before.items() if was and not holders.has(q)]
        created = [
            g for g, was in graphs_before.items() if not was and store.contains_named_graph(g)
        ]
        dropped = [
            g for g, was in graphs_before.items() if was and not store.contains_named_graph(g)
        ]
        write_id = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
        changed = bool(added or removed or created or dropped)
        request: dict[str, Any] = {"kind": write.kind}
        if write.graph is not None:
            request["graph"] = write.graph
        if write.kind == "update":
            request["text"] = write.text
        if write.kind == "revert":
            request["of"] = write.text
        return {
            "id": write_id,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "by": write.by,
            "request": request,
            "version_before": self.version,
            "version_after": _next_version(self.version, write_id) if changed else self.version,
            "changed": changed,
            "added": nquads(added),
            "removed": nquads(removed),
            "created": sorted(g.value for g in created),
            "dropped": sorted(g.value for g in dropped),
        }

    # -- the store's graphs -------------------------------------------------------------------

    def _in_data(self, graphs: set[Graph]) -> bool:
        """Whether one of ``graphs`` is a data graph (what the reasoner reads)."""
        return any(self.kind_of(g) in ("data", "vocab") for g in graphs)

    def _expand_drops(self, change: Change) -> None:
        """A dropped graph's quads are listed as removed (so that undoing puts them back)."""
        if not change.dropped:
            return
        listed = set(change.removed)
        for graph in change.dropped:
            for quad in self.store.quads_for_pattern(None, None, None, graph):
                if quad not in listed:
                    change.removed.append(quad)
                    listed.add(quad)

    def _with_union(self, change: Change, holders: Holders) -> Change:
        """``change`` with what it does to the default graph in union mode (the union of the
        named graphs, each triple once), computed against the store before it; ``holders``
        learn the change."""
        if change.is_empty():
            return change
        holders.prefetch((*change.added, *change.removed))  # as the store is before it
        if not self.settings.union:
            holders.apply(change)
            return change
        default = ox.DefaultGraph()
        gained: dict[Key, set[Graph]] = {}
        lost: dict[Key, set[Graph]] = {}
        for q in change.added:
            if not isinstance(q.graph_name, ox.DefaultGraph):
                gained.setdefault((q.subject, q.predicate, q.object), set()).add(q.graph_name)
        for q in change.removed:
            if not isinstance(q.graph_name, ox.DefaultGraph):
                lost.setdefault((q.subject, q.predicate, q.object), set()).add(q.graph_name)
        extra_added: list[ox.Quad] = []
        extra_removed: list[ox.Quad] = []
        for key in gained:  # held after the change: in the default graph
            if key not in lost and default not in holders.of(key):
                extra_added.append(ox.Quad(*key, default))
        for key, gone in lost.items():
            graphs = holders.of(key)
            in_default = default in graphs
            after = bool(gained.get(key)) or any(g not in gone and g != default for g in graphs)
            if after and not in_default:
                extra_added.append(ox.Quad(*key, default))
            elif not after and in_default:
                extra_removed.append(ox.Quad(*key, default))
        if extra_added or extra_removed:
            change = Change(
                added=[*change.added, *extra_added],
                removed=[*change.removed, *extra_removed],
                created=change.created,
                dropped=change.dropped,
            )
        holders.apply(change)
        return change

    # -- the steps of a write -----------------------------------------------------------------

    def _steps(self, write: Write) -> tuple[list[Step], Callable[[], bool]]:
        """What the write does, step by step, and (asked after it) whether it made a new named
        graph. Client input is parsed here, before the store is touched."""
        settings = self.settings
        union = settings.union
        target = settings.updates_graph if union else None
        graph = write.graph
        if write.kind == "update":
            text = checked_update(write, settings)
            check_update_syntax(text, write.base_iri)  # a syntax error anywhere: nothing runs
            operations = split_update(text)

            def step_for(operation: str) -> Step:
                return lambda store: operation_change(
                    store, operation, base_iri=write.base_iri, union_target=target
                )

            return [step_for(op) for op in operations], lambda: False

        def clear(store: ox.Store) -> Change:
            if graph is None:
                if union:
                    return operation_change(store, "CLEAR DEFAULT", union_target=target)
                return Change(
                    removed=list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
                )
            name = ox.NamedNode(graph)
            return Change(removed=list(store.quads_for_pattern(None, None, None, name)))

        into: ox.NamedNode | ox.DefaultGraph = (
            ox.NamedNode(graph)
            if graph is not None
            else (ox.NamedNode(target) if target else ox.DefaultGraph())
        )
        existed: list[bool] = []

        def note_existence(store: ox.Store) -> Change:
            existed.append(not isinstance(into, ox.NamedNode) or store.contains_named_graph(into))
            return Change()

        if write.kind == "delete":

            def delete(store: ox.Store) -> Change:
                if graph is not None and not store.contains_named_graph(ox.NamedNode(graph)):
                    raise NotFoundError(f"there is no graph <{graph}> in this store")
                change = clear(store)
                if graph is not None:
                    change.dropped.append(ox.NamedNode(graph))
                return change

            return [delete], lambda: False

        triples = parse_bodies(write)

        def add(store: ox.Store) -> Change:
            quads = [ox.Quad(t.subject, t.predicate, t.object, into) for t in triples]
            change = Change(added=[q for q in dict.fromkeys(quads) if not _has(store, q)])
            if isinstance(into, ox.NamedNode) and not store.contains_named_graph(into):
                change.created.append(into)
            return change

        made = lambda: bool(existed) and not existed[0] and graph is not None  # noqa: E731
        if write.kind == "put":
            return [note_existence, clear, add], made
        return [note_existence, add], made


Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


# From how many triples of one subject a write reads all of the subject's quads at once.
PREFETCH_TRIPLES = 3


class Holders:
    """The graphs holding each triple a write touches, looked up once (before the write
    changes it) and then kept up to date with the write's changes."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.graphs: dict[Key, set[Graph]] = {}

    def of(self, key: Key) -> set[Graph]:
        found = self.graphs.get(key)
        if found is None:
            s, p, o = key
            found = self.graphs[key] = {
                q.graph_name for q in self.store.quads_for_pattern(s, p, o, None)
            }
        return found

    def prefetch(self, quads: Iterable[ox.Quad]) -> None:
        """Look up the triples of many quads at once: a subject's quads in one read, for a
        subject with several triples here (a write of new things: one read for each)."""
        by_subject: dict[object, list[Key]] = {}
        for q in quads:
            key = (q.subject, q.predicate, q.object)
            if key not in self.graphs:
                by_subject.setdefault(q.subject, []).append(key)
        for subject, keys in by_subject.items():
            if len(keys) < PREFETCH_TRIPLES:
                continue
            found: dict[Key, set[Graph]] = {key: set() for key in keys}
            for q in self.store.quads_for_pattern(subject, None, None, None):  # type: ignore[arg-type]
                graphs = found.get((q.subject, q.predicate, q.object))
                if graphs is not None:
                    graphs.add(q.graph_name)
            self.graphs.update(found)

    def has(self, quad: ox.Quad) -> bool:
        return quad.graph_name in self.of((quad.subject, quad.predicate, quad.object))

    def apply(self, change: Change) -> None:
        for q in change.removed:
            self.of((q.subject, q.predicate, q.object)).discard(q.graph_name)
        for q in change.added:
            self.of((q.subject, q.predicate, q.object)).add(q.graph_name)


def _key(item: ox.Quad | ox.Triple) -> Key:
    return (item.subject, item.predicate, item.object)


def _triples(keys: Iterable[Key]) -> list[ox.Triple]:
    return [ox.Triple(s, p, o) for s, p, o in keys]


def _has(store: ox.Store, quad: ox.Quad) -> bool:
    return any(
        True
        for _ in store.quads_for_pattern(quad.subject, quad.predicate, quad.object, quad.graph_name)
    )


def _in(triple: ox.Triple, graph: ox.NamedNode) -> ox.Quad:
    return ox.Quad(triple.subject, triple.predicate, triple.object, graph)


# -- The writer process -----------------------------------------------------------------------


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Be killed when the server is (Linux): a write is never left running without it."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def writer_main(conn: Connection, settings: Settings, memory_bytes: int) -> None:
    """The writer process: opens the store, says it is ready, then carries writes out."""
    _die_with_parent()
    cap_memory(memory_bytes)
    run_with_stack(lambda: _serve(conn, settings))


def _serve(conn: Connection, settings: Settings) -> None:
    try:
        writer = StoreWriter(settings)
    except OfstedKgError as exc:
        conn.send(("error", exc))
        return
    except Exception as exc:
        conn.send(("bug", f"{type(exc).__name__}: {exc}"))
        return
    # What reasoning and validation need is read before the writer says it is ready, so that
    # no write waits for it (seconds on the real graph; if it fails, each write tries again
    # and answers why it cannot be checked).
    with contextlib.suppress(Exception):
        writer.upkeep()
    conn.send(("ready", _written(writer, False, None)))
    while True:
        try:
            if not conn.poll(IDLE_SECONDS):
                with contextlib.suppress(Exception):  # if it fails, the next write reads again
                    writer.tidy()  # nothing to do: a moment to tidy up
                continue
            request = conn.recv()
        except (EOFError, OSError):
            break
        try:
            if request[0] == "write":
                reply: tuple[str, Any] = ("ok", writer.write(request[1]))
            elif request[0] == "revert":
                reply = ("ok", writer.revert(request[1], request[2]))
            else:
                reply = ("bug", f"unknown request {request[0]!r}")
        except MemoryError:
            conn.send(("memory", None))
            os._exit(1)  # the next writer undoes what the journal lists
        except OfstedKgError as exc:
            reply = ("error", exc)
        except Exception as exc:  # a bug: the web process logs it and answers 500
            reply = ("bug", f"{type(exc).__name__}: {exc}")
        conn.send(reply)
    with contextlib.suppress(Exception):
        writer.close()


def _written(writer: StoreWriter, created: bool, write_id: str | None) -> Written:
    return Written(created, writer.version, writer.modified, writer.snapshot, write_id)


class WriterProcess:
    """The web process's handle on the writer process: started with the backend, started
    again after it was stopped (a write past its deadline or its memory is killed)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._context = multiprocessing.get_context("forkserver")
        self.process: Any = None
        self.conn: Connection | None = None
        self.state: Written | None = None

    def start(self) -> Written:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=writer_main,
            args=(child, self.settings, self.settings.write_memory << 20),
            name="ofsted-kg-writer",
            daemon=False,  # it may fork validation processes of its own
        )
        process.start()
        child.close()
        self.process, self.conn = process, parent
        status, value = self._wait(LOCK_WAIT_SECONDS + self.settings.write_timeout)
        if status != "ready" or not isinstance(value, Written):
            self.stop()
            self._raise(status, value)
        assert isinstance(value, Written)
        self.state = value
        return value

    def _wait(self, timeout: float) -> tuple[str, Any]:
        assert self.conn is not None
        if not self.conn.poll(timeout):
            self.stop()
            raise WriteTimeoutError(
                f"the write ran past its deadline of {self.settings.write_timeout:g} s and was "
                "stopped; nothing of it was kept"
            )
        try:
            reply: tuple[str, Any] = self.conn.recv()
        except (EOFError, OSError):
            code = self.process.exitcode if self.process is not None else None
            self.stop()
            if self.settings.write_memory and code == -signal.SIGABRT:
                raise self._memory_error() from None
            raise InternalError(f"the writer process ended (exit code {code})") from None
        return reply

    def request(self, message: tuple[Any, ...]) -> Written:
        """Send a write to the writer (started first if it is not running) and wait for it."""
        if self.process is None or not self.process.is_alive():
            self.stop()
            self.start()
        assert self.conn is not None
        self.conn.send(message)
        status, value = self._wait(self.settings.write_timeout)
        if status == "ok":
            assert isinstance(value, Written)
            self.state = value
            return value
        if status == "memory":
            self.stop()
            raise self._memory_error()
        self._raise(status, value)
        raise AssertionError("unreachable")

    def _raise(self, status: str, value: Any) -> None:
        if status == "error" and isinstance(value, OfstedKgError):
            raise value
        raise InternalError(str(value))

    def _memory_error(self) -> WriteMemoryError:
        return WriteMemoryError(
            f"the write needed more than the {self.settings.write_memory:,} MiB a write may use "
            "here and was stopped; nothing of it was kept"
        )

    def stop(self, grace: float = 0.0) -> None:
        """End the writer: at once, or (``grace``) once it has finished the write in hand and
        closed the store, if it does within that many seconds."""
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()  # the writer sees the end of its pipe, and ends
            self.conn = None
        if self.process is not None:
            if grace:
                self.process.join(timeout=grace)
            if self.process.is_alive():
                self.process.kill()
            self.process.join(timeout=10)
            self.process = None

    def close(self) -> None:
        """End the writer once it has finished the write in hand and closed the store."""
        self.stop(grace=10.0)
