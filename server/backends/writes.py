"""Writes as data, and the child process each one is carried out in.

A write (a SPARQL update, or a Graph Store PUT, POST or DELETE) is described by a ``Write``: what
the client sent, not yet parsed. The backend carries it out in a child process of its own
(``run_isolated``), so that:

- client input (the update's text, the documents' bytes) is parsed out of the web process: a
  parser that fails in a way Python cannot catch takes down the child, not the server;
- a write that runs too long (an update whose WHERE clause the engine cannot plan in time) is
  stopped at ``write_timeout`` and answered 503, with nothing of it kept;
- the memory a write takes (on the full graph, a copy of the store and its reasoning) goes back
  to the system when the child ends, instead of staying with the thread that did it.

    web process (request thread)               child process (one per write)
    ----------------------------               -----------------------------
    check the token, the limits                parse the update or the documents
    take the write lock                        copy, change, reason, validate, swap in
    start the child with the Write      -->    ("ok", result) | ("error", OfstedKgError)
    wait until write_timeout            <--
    past it: kill the child, undo a half-done swap, answer 503
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

import pyoxigraph as ox

from ..errors import (
    BadRequestError,
    InternalError,
    OfstedKgError,
    UnsupportedMediaTypeError,
    WriteMemoryError,
    WriteTimeoutError,
)
from ..rdf.limits import cap_memory, check_rdf, run_with_stack

T = TypeVar("T")

# Media types a graph may be sent in (Content-Type of a Graph Store PUT or POST).
PARSERS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/n3": ox.RdfFormat.N3,
}


@dataclass(frozen=True)
class Body:
    """A document sent to the Graph Store, as its bytes and media type."""

    data: bytes
    media_type: str


@dataclass(frozen=True)
class Write:
    """One write as the client asked for it (sent to the child process that carries it out).

    ``kind`` is ``update`` (``text`` is the SPARQL update, ``using`` and ``using_named`` the
    protocol's dataset for it), or ``put``, ``post`` or ``delete`` of ``graph`` (None: the
    default graph) with ``bodies`` to parse for a PUT or POST."""

    kind: str
    graph: str | None = None
    text: str = ""
    base_iri: str | None = None
    bodies: tuple[Body, ...] = ()
    using: tuple[str, ...] = ()  # an update's using-graph-uri
    using_named: tuple[str, ...] = ()  # and using-named-graph-uri


def checked_body(data: bytes, media_type: str) -> Body:
    """A document the server can parse: a known media type, within the limits (raises 415 or
    400 before anything is parsed)."""
    if media_type not in PARSERS:
        known = ", ".join(sorted(PARSERS))
        raise UnsupportedMediaTypeError(f"send the graph as one of {known}")
    check_rdf(data, media_type)
    return Body(data, media_type)


def parse_bodies(write: Write) -> list[ox.Triple]:
    """The triples of a write's documents (in the child process); 400 if one does not parse."""
    base = write.graph or write.base_iri
    triples: list[ox.Triple] = []
    for body in write.bodies:
        try:
            quads = ox.parse(body.data, PARSERS[body.media_type], base_iri=base)
            triples.extend(ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        except (SyntaxError, ValueError, OSError) as exc:
            raise BadRequestError(f"the graph does not parse as {body.media_type}: {exc}") from None
    return triples


# -- The child process --------------------------------------------------------------------------


def _memory_error(memory_mib: int) -> WriteMemoryError:
    return WriteMemoryError(
        f"the write needed more than the {memory_mib:,} MiB a write may use here and was "
        "stopped; nothing of it was kept"
    )


def _round_trips(exc: OfstedKgError) -> bool:
    """Whether the error can be sent to the parent and rebuilt there."""
    try:
        return isinstance(pickle.loads(pickle.dumps(exc)), type(exc))
    except Exception:
        return False


def _child(
    conn: Connection, target: Callable[..., Any], args: tuple[Any, ...], memory_bytes: int
) -> None:
    cap_memory(memory_bytes)
    try:
        reply: tuple[str, Any] = ("ok", run_with_stack(lambda: target(*args)))
    except MemoryError:
        reply = ("memory", None)
    except OfstedKgError as exc:
        reply = ("error", exc) if _round_trips(exc) else ("bug", f"{type(exc).__name__}: {exc}")
    except BaseException as exc:  # a bug: the parent logs it and answers 500
        reply = ("bug", f"{type(exc).__name__}: {exc}")
    try:
        conn.send(reply)
    except Exception:
        conn.send(("bug", f"cannot send the write's outcome back: {reply[1]!r}"))
    conn.close()


def run_isolated(
    target: Callable[..., T],
    args: tuple[Any, ...],
    timeout: float,
    cleanup: Callable[[], None] = lambda: None,
    memory_mib: int = 0,
) -> T:
    """``target(*args)`` in a child process; its OfstedKgError is raised here as it is.

    Past ``timeout`` seconds the child is killed and WriteTimeoutError (503) is raised; past
    ``memory_mib`` (0: no cap) its allocations fail and WriteMemoryError (503) is raised; a child
    that dies otherwise (a crash) is a 500. In each case ``cleanup`` first undoes what it may
    have left half done."""
    context = multiprocessing.get_context("forkserver")
    parent, child = context.Pipe(duplex=False)
    # Not a daemon: the child may fork validation processes of its own.
    process = context.Process(
        target=_child,
        args=(child, target, args, memory_mib << 20),
        name="ofsted-kg-write",
        daemon=False,
    )
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            process.kill()
            process.join()
            cleanup()
            raise WriteTimeoutError(
                f"the write ran past its deadline of {timeout:g} s and was stopped; nothing of "
                "it was kept"
            )
        try:
            status, value = parent.recv()
        except (EOFError, OSError):
            process.join()
            cleanup()
            if memory_mib and process.exitcode == -signal.SIGABRT:  # the engine, at the cap
                raise _memory_error(memory_mib) from None
            raise InternalError(f"the write process ended (exit code {process.exitcode})") from None
    finally:
        with contextlib.suppress(OSError):
            parent.close()
    # The outcome is in: the child's exit (freeing what it held) is awaited in the background,
    # so that the caller can move on to the new store at once.
    threading.Thread(target=process.join, daemon=True).start()
    if status == "memory":
        cleanup()
        raise _memory_error(memory_mib)
    if status == "error":
        assert isinstance(value, OfstedKgError)
        raise value
    if status == "bug":
        raise InternalError(str(value))
    return value  # type: ignore[no-any-return]
