"""What every backend shares: the dataset version, the protocol, and writes as data.

A write (a SPARQL update, or a Graph Store PUT, POST or DELETE) is described by a ``Write``: what
the client sent, not yet parsed, parsed in the process that carries it out. The embedded store
applies it in place (``writer``); the remote backend, which has no incremental state, in a child
process of its own (``runtime.run_isolated``), where ``change_for`` turns it into a change of a
writable copy of the data and ``apply_checked`` recomputes the inferred graph (if the data has
one) and checks the shapes (if the data holds any), so that a write is kept only whole and valid.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import pyoxigraph as ox

from ..build.pipeline import infer
from ..build.validation import ValidationReport, validate_store
from ..config import Settings
from ..errors import BadRequestError, NotFoundError, ShapesViolatedError
from ..rdf.formats import upload_format
from ..rdf.sparql_text import check_no_load, check_service, check_structure, with_using
from ..store.oxigraph import Store
from ..store.workers import Answer, Job
from ..store.writelog import WriteLog

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
    writable: bool  # whether it takes writes (it has an update token, and somewhere to write)
    # Whether its version changes with every change of its data (then answers may be kept).
    versions_follow_changes: bool

    def version(self) -> Version: ...

    def run(self, job: Job) -> Answer: ...

    def write(self, write: Write) -> bool:
        """Carry out a write (see ``writes``); True if it made a new named graph."""
        ...

    def write_log(self) -> WriteLog | None:
        """The log of the writes this backend accepted (None: it keeps none)."""
        ...

    def revert(self, write_id: str, by: str) -> str | None:
        """Undo a logged write as a new write; the new write's id (None if it changed nothing)."""
        ...

    def dump_source(self) -> Path | None:
        """The store directory the dumps of the current version are made from (None: the
        store at ``settings.store``)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Body:
    """A document sent to the Graph Store, as its bytes and media type."""

    data: bytes
    media_type: str


@dataclass(frozen=True)
class Write:
    """One write as the client asked for it (sent to the process that carries it out).

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
    by: str = ""  # the name of the token it came with (for the write log)


def parse_bodies(write: Write) -> list[ox.Triple]:
    """The triples of a write's documents (in the process that carries it out); 400 if one does
    not parse. A document's blank nodes are its own: each becomes a new blank node, never one
    the store already has under the same label."""
    base = write.graph or write.base_iri
    triples: list[ox.Triple] = []
    for body in write.bodies:
        fmt = upload_format(body.media_type)
        if fmt is None:
            raise BadRequestError(f"the graph cannot be read as {body.media_type}")
        fresh: dict[ox.BlankNode, ox.BlankNode] = {}
        try:
            quads = ox.parse(body.data, fmt.rdf, base_iri=base)
            triples.extend(
                ox.Triple(_own(q.subject, fresh), q.predicate, _own(q.object, fresh)) for q in quads
            )
        except (SyntaxError, ValueError, OSError) as exc:
            raise BadRequestError(f"the graph does not parse as {body.media_type}: {exc}") from None
    return triples


def _own(term: T, fresh: dict[ox.BlankNode, ox.BlankNode]) -> T:
    """A document's blank node as a new one (the same for the same label)."""
    if isinstance(term, ox.BlankNode):
        found = fresh.get(term)
        if found is None:
            found = fresh[term] = ox.BlankNode()
        return found  # type: ignore[return-value]
    return term


def checked_update(write: Write, settings: Settings) -> str:
    """An update's text, checked before any parser sees it (depth, ``LOAD``, ``SERVICE``), with
    the protocol's dataset written into it."""
    check_structure(write.text, "update")
    check_no_load(write.text)
    check_service(write.text, settings.service_allow)
    return with_using(write.text, list(write.using), list(write.using_named))


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
        text = checked_update(write, settings)

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
    if not any(g.startswith(settings.shapes_graph_prefix) for g in store.named_graphs()):
        return
    raise_on_violations(validate_store(store, settings))


def raise_on_violations(report: ValidationReport) -> None:
    """ShapesViolatedError (422) with each violation, unless the report conforms."""
    if not report.conforms:
        count = len(report.violations)
        text = "\n".join(r.describe() for r in report.violations)
        raise ShapesViolatedError(
            f"{count} SHACL violation{'s' if count != 1 else ''}; nothing of the write was "
            f"kept.\n{text}"
        )
