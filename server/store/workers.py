"""Query worker processes: the deadline that really stops a query.

pyoxigraph has no query timeout, and a thread cannot be stopped, so queries run in separate
processes. Each worker opens the store read-only and answers one job at a time over a pipe:

    main (web thread)                      worker process
    -----------------                      --------------
    take an idle worker (or wait)
    send Job(version, query, formats) -->  reopen the store if the version moved on
                                           run the query, serialise it (capped in size)
    poll(deadline)                    <--  Answer(kind, format, bytes) or Failure(status, text)
    past the deadline: kill the worker, start a fresh one, answer 503

Each worker may take at most ``memory_mib`` of memory (``RLIMIT_DATA``, which counts the heap and
private mappings, not the store's files): a query that needs more makes its worker fail an
allocation and end, and is answered with 503 like one past its deadline, so a few heavy queries
cannot take the machine's memory from everything else.

Readers see a write because a write never changes the directory the workers have open: on a
server that takes writes they open snapshots of the live store, a new one for each version
(``inplace.take_snapshot``, see ``backends.local``), and a worker handed a job of a newer version
opens its snapshot first. A build swaps a new store in beside the old one (``directories``).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from ..errors import (
    BadRequestError,
    ForbiddenError,
    HttpError,
    InputLimitError,
    NotFoundError,
    QueryMemoryError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
    ServiceBusyError,
)
from ..rdf.sparql_text import check_service, check_structure, deterministic
from ..runtime import cap_memory, run_with_stack
from ..search.index import SearchIndex, build_index
from .directories import aside_path, is_store_dir, open_pinned

# -- Jobs and their answers -------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """A query (``kind="query"``) or a read of one graph (``kind="graph"``: ``text`` is the graph
    IRI, or empty for the default graph)."""

    kind: str
    text: str
    results_format: str | None  # QueryResultsFormat name for SELECT/ASK; None: not acceptable
    graph_format: str | None  # RdfFormat name for CONSTRUCT/DESCRIBE and graph reads
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    max_bytes: int = 1 << 30
    head_only: bool = False
    gzip: bool = False  # the client accepts gzip: compress a large answer here, not in the web
    service_allow: tuple[str, ...] = ()  # the endpoints SERVICE may reach
    search_base: str | None = None  # the base of okg:search, the full-text function (search/)


@dataclass(frozen=True)
class Answer:
    kind: str  # "results" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE, graph reads)
    data: bytes
    encoding: str | None = None  # "gzip" when ``data`` is compressed
    deterministic: bool = False  # the same job on the same data gives the same answer


# Answers smaller than this are sent as they are; larger ones are gzipped (when the client takes
# gzip) by the worker, so that compression runs in parallel with the web process's work.
GZIP_MINIMUM = 1024
GZIP_LEVEL = 1  # zlib's fastest level: 6x smaller for SPARQL JSON, 3x faster than level 5


def _packed(kind: str, data: bytes, job: Job) -> Answer:
    same = job.kind == "graph" or deterministic(job.text)
    if job.gzip and len(data) >= GZIP_MINIMUM:
        compressed = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
        return Answer(kind, compressed, "gzip", same)
    return Answer(kind, data, None, same)


@dataclass(frozen=True)
class Failure:
    error: str  # name of an error class in ERRORS
    detail: str


ERRORS: dict[str, type[HttpError]] = {
    "syntax": QuerySyntaxError,
    "limit": InputLimitError,
    "forbidden": ForbiddenError,
    "bad": BadRequestError,
    "not-found": NotFoundError,
    "too-large": ResultTooLargeError,
}


@dataclass(frozen=True)
class StoreLocation:
    path: Path | None  # None: an empty in-memory store
    version: str


# -- The worker process -----------------------------------------------------------------------


class _TooLargeError(Exception):
    pass


class _CappedBuffer(io.RawIOBase):
    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit
        self.exceeded = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.size += len(chunk)
        if self.size > self.limit:
            self.exceeded = True
            raise _TooLargeError
        self.parts.append(chunk)
        return len(chunk)


def _open(location: StoreLocation) -> tuple[Any, int | None]:
    """The store at the location, read-only and pinned to its directory (see ``open_pinned``),
    with the descriptor that pins it (None for an empty in-memory store)."""
    path = location.path
    if path is None:
        return ox.Store(), None
    for _ in range(200):  # a write may be swapping the directory in right now
        if is_store_dir(path):
            with contextlib.suppress(FileNotFoundError):
                return open_pinned(path)
        elif not aside_path(path).exists():
            break
        time.sleep(0.01)
    return ox.Store(), None


_SEARCHES: dict[tuple[int, str], tuple[SearchIndex, dict[str, dict[str, int]]]] = {}


def _search_function(store: Any, base: str) -> Any:
    """``okg:search(?thing, "words")``: the rank (1 is best) of ``?thing`` among the hits of a
    search for the words, or unbound if it is none of them; the index (``search/index.py``) is
    made once per store this worker opens, each search once per query."""
    key = (id(store), base)
    if key not in _SEARCHES:
        _SEARCHES.clear()  # one store at a time: the one this worker has open

        def select(text: str) -> list[dict[str, Any]]:
            solutions = store.query(text)
            names = [v.value for v in solutions.variables]
            return [{n: s[n] for n in names if s[n] is not None} for s in solutions]

        _SEARCHES[key] = (build_index(select, base), {})
    index, ranks = _SEARCHES[key]

    def search(thing: Any, words: Any) -> Any:
        if not isinstance(thing, ox.NamedNode) or not isinstance(words, ox.Literal):
            return None
        found = ranks.get(words.value)
        if found is None:
            if len(ranks) > 256:
                ranks.clear()
            hits = index.search(words.value, limit=MAX_SEARCH_HITS)
            found = ranks[words.value] = {h.iri: n for n, h in enumerate(hits, 1)}
        rank = found.get(thing.value)
        return None if rank is None else ox.Literal(str(rank), datatype=XSD_INTEGER)

    return search


MAX_SEARCH_HITS = 200
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def _run(store: Any, job: Job) -> Answer | Failure:
    buffer = _CappedBuffer(job.max_bytes)
    if job.kind == "graph":
        graph: Any = ox.NamedNode(job.text) if job.text else ox.DefaultGraph()
        if job.text and not store.contains_named_graph(graph):
            return Failure("not-found", f"there is no graph <{job.text}> in this store")
        if job.head_only:
            return Answer("graph", b"")
        triples = (
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, graph)
        )
        fmt = getattr(ox.RdfFormat, job.graph_format or "TURTLE")
        try:
            ox.serialize(triples, cast(IO[bytes], buffer), fmt)
        except Exception:
            if buffer.exceeded:
                return Failure("too-large", "the graph is larger than this server answers")
            raise
        return _packed("graph", b"".join(buffer.parts), job)

    try:  # before the parser: what it cannot survive, and what the query may not reach
        check_structure(job.text)
        check_service(job.text, job.service_allow)
    except InputLimitError as exc:
        return Failure("limit", exc.detail)
    except ForbiddenError as exc:
        return Failure("forbidden", exc.detail)
    functions = None
    if job.search_base and "search" in job.text:
        functions = {
            ox.NamedNode(job.search_base + "def/search"): _search_function(store, job.search_base)
        }
    try:
        result = store.query(
            job.text,
            base_iri=job.base_iri,
            default_graph=[ox.NamedNode(g) for g in job.default_graphs] or None,
            named_graphs=[ox.NamedNode(g) for g in job.named_graphs] or None,
            custom_functions=functions,
        )
    except SyntaxError as exc:
        return Failure("syntax", str(exc.msg or exc))
    except OSError as exc:  # SERVICE failures and the like: the query asked for it
        return Failure("bad", f"the query could not be evaluated: {exc}")
    kind = "graph" if isinstance(result, ox.QueryTriples) else "results"
    name = job.graph_format if kind == "graph" else job.results_format
    if name is None:
        return Failure("not-acceptable", kind)
    fmt = getattr(ox.RdfFormat if kind == "graph" else ox.QueryResultsFormat, name)
    try:
        result.serialize(cast(IO[bytes], buffer), fmt)
    except Exception as exc:
        if buffer.exceeded:
            return Failure(
                "too-large",
                f"the result is larger than {job.max_bytes:,} bytes: narrow the query or add "
                "a LIMIT",
            )
        if isinstance(exc, OSError | ValueError | TypeError):
            return Failure("bad", f"the query could not be evaluated: {exc}")
        raise
    return _packed(kind, b"".join(buffer.parts), job)


def worker_main(conn: Connection, memory_bytes: int = 0) -> None:
    """One worker process: jobs are run on a thread with a large stack (see ``limits``)."""
    cap_memory(memory_bytes)
    run_with_stack(lambda: _serve_jobs(conn))


def _serve_jobs(conn: Connection) -> None:
    """The loop of one worker: (location, job) in, Answer or Failure out."""
    store: Any = None
    opened: StoreLocation | None = None
    pin: int | None = None
    while True:
        try:
            location, job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if opened != location:
                store = None
                if pin is not None:
                    os.close(pin)
                    pin = None
                store, pin = _open(location)
                opened = location
            reply: Answer | Failure = _run(store, job)
        except MemoryError:
            reply = Failure("memory", "")
        except Exception as exc:  # a bug: logged by the parent, never shown to the client
            reply = Failure("internal", f"{type(exc).__name__}: {exc}")
        conn.send(reply)


# -- The pool ---------------------------------------------------------------------------------


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    idle_since: float = field(default=0.0)


# An extra worker (beyond ``size``) left idle this long is stopped.
SPARE_IDLE_SECONDS = 60.0


class WorkerPool:
    """Between ``size`` and ``limit`` worker processes; ``run`` enforces the deadline.

    Workers start on first use. Whenever a job leaves fewer than ``warm`` workers idle, a spare is
    started in the background (up to ``limit``) and opens the store the last job used, so a light
    query arriving while the other workers are held by heavy ones finds a worker ready rather than
    queueing behind them until their deadline. Workers beyond ``size`` that stay idle for
    ``SPARE_IDLE_SECONDS`` are stopped again."""

    def __init__(
        self,
        size: int,
        timeout: float,
        limit: int | None = None,
        memory_mib: int = 0,
        warm: int = 1,
    ) -> None:
        self.size = size
        self.warm = max(1, warm)
        self._last_location: StoreLocation | None = None
        self.memory_mib = memory_mib
        self.limit = max(size, limit if limit is not None else size)
        self.timeout = timeout
        self._context = multiprocessing.get_context("forkserver")
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []  # a stack: the most recently used on top
        self._count = 0  # workers running or being started, idle or busy
        self._spare_starting = False
        self._closed = False
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._reaper: threading.Thread | None = None
        self.killed = 0
        self.started = 0

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=worker_main,
            args=(child, self.memory_mib << 20),
            name="ofsted-kg-query",
            daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._workers.append(worker)
            self.started += 1
        return worker

    def _stop(self, worker: _Worker) -> None:
        with contextlib.suppress(OSError):
            worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)

    def _take(self, deadline: float) -> _Worker | None:
        """An idle worker, or None when the caller may start one; waits until the deadline."""
        with self._cond:
            while True:
                if self._idle:
                    worker: _Worker | None = self._idle.pop()
                    break
                if self._count < self.limit:
                    self._count += 1
                    worker = None
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._cond.wait(remaining):
                    raise ServiceBusyError(
                        "every query worker stayed busy until this query's deadline; try again "
                        "later"
                    )
            if (
                len(self._idle) < self.warm
                and self._count < self.limit
                and not self._spare_starting
            ):
                self._count += 1
                self._spare_starting = True
                threading.Thread(target=self._start_spare, daemon=True).start()
            return worker

    def _give_back(self, worker: _Worker | None) -> None:
        """Return a worker after a job; None: it was stopped (its place is free again)."""
        with self._cond:
            if worker is None or self._closed:
                self._count -= 1
            else:
                worker.idle_since = time.monotonic()
                self._idle.append(worker)
                worker = None
            self._cond.notify()
        if worker is not None:
            self._stop(worker)

    def _start_spare(self) -> None:
        worker: _Worker | None = None
        try:
            worker = self._start()
            location = self._last_location
            if location is not None:  # open the store now, before a query needs it
                worker.conn.send((location, Job("query", "ASK {}", "JSON", None)))
                if not worker.conn.poll(self.timeout):
                    raise TimeoutError("a spare did not open the store in time")
                worker.conn.recv()
        except Exception:  # no spare this time; a request will start one itself
            if worker is not None:
                self._stop(worker)
            worker = None
        with self._cond:
            self._spare_starting = False
        self._give_back(worker)
        self._ensure_reaper()

    def _ensure_reaper(self) -> None:
        with self._lock:
            if self._reaper is None and self.limit > self.size:
                self._reaper = threading.Thread(target=self._reap, daemon=True)
                self._reaper.start()

    def _reap(self) -> None:
        """Stop extra workers that have been idle a while (oldest first: the stack's bottom)."""
        while not self._closed:
            time.sleep(min(5.0, SPARE_IDLE_SECONDS / 4))
            self.reap_idle(SPARE_IDLE_SECONDS)

    def reap_idle(self, idle_seconds: float) -> int:
        """Stop workers beyond ``size`` idle for ``idle_seconds`` or more; returns how many."""
        cutoff = time.monotonic() - idle_seconds
        doomed: list[_Worker] = []
        with self._cond:
            while (
                self._count - len(doomed) > self.size
                and self._idle
                and self._idle[0].idle_since <= cutoff
            ):
                doomed.append(self._idle.pop(0))
            self._count -= len(doomed)
        for worker in doomed:
            self._stop(worker)
        return len(doomed)

    def busy_and_idle(self) -> tuple[int, int]:
        with self._cond:
            return self._count - len(self._idle), len(self._idle)

    def run(self, location: StoreLocation, job: Job, timeout: float | None = None) -> Answer:
        """Run ``job`` in a worker; raises the job's HTTP error, or 503 past the deadline."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        self._last_location = location
        worker = self._take(deadline)
        try:
            if worker is None or not worker.process.is_alive():
                if worker is not None:
                    self._stop(worker)
                    worker = None
                worker = self._start()
            worker.conn.send((location, job))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._stop(worker)
                worker = None
                self.killed += 1
                raise QueryTimeoutError(
                    f"the query ran past its deadline of {self.timeout:g} s and was stopped"
                )
            reply = worker.conn.recv()
        except (EOFError, OSError) as exc:
            ended = worker
            worker = None
            if ended is not None:
                self._stop(ended)
                if self._out_of_memory(ended):
                    raise self._memory_error() from None
            raise RuntimeError(f"query worker ended during a job: {exc!r}") from exc
        finally:
            self._give_back(worker)
        if isinstance(reply, Failure) and reply.error == "memory":
            raise self._memory_error()
        if isinstance(reply, Failure):
            if reply.error == "internal":
                raise RuntimeError(f"query worker failed: {reply.detail}")
            if reply.error == "not-acceptable":
                raise NotAcceptableKindError(reply.detail)
            raise ERRORS[reply.error](reply.detail)
        assert isinstance(reply, Answer)
        return reply

    def _out_of_memory(self, worker: _Worker) -> bool:
        """Whether a worker that ended during a job was stopped by its memory cap (the engine
        aborts when an allocation fails)."""
        return self.memory_mib > 0 and worker.process.exitcode == -signal.SIGABRT

    def _memory_error(self) -> QueryMemoryError:
        return QueryMemoryError(
            f"the query needed more than the {self.memory_mib:,} MiB a query may use here and "
            "was stopped: narrow it (fewer rows before DISTINCT, ORDER BY or GROUP BY) or add a "
            "LIMIT"
        )

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._idle.clear()
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            self._stop(worker)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers if w.process.pid is not None]


class NotAcceptableKindError(Exception):
    """The result's kind (``args[0]``: "results" or "graph") has no acceptable format."""
