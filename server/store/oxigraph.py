"""One Oxigraph store: its default graph kept the union of the named graphs, queries, updates that
keep it so, and export. Where stores live on disk, and how a new one replaces the old, is
``directories``."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ..errors import QuerySyntaxError, StoreError, UpdateFailedError
from ..rdf.formats import Format
from ..rdf.namespaces import PREFIXES
from ..rdf.sparql_text import split_update

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

# -- The store --------------------------------------------------------------------------------


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block that allocates many objects."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_update_syntax(text: str, base_iri: str | None = None) -> None:
    """QuerySyntaxError with the parser's message unless ``text`` parses as a SPARQL update."""
    try:
        ox.Store().update(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc.msg or exc)) from None
    except (OSError, RuntimeError):
        pass  # evaluation against an empty store (LOAD, SERVICE, DROP GRAPH): syntax is fine


class Store:
    """One Oxigraph store; the SPARQL default graph is the union of the named graphs.

    Oxigraph's own union mode (``use_default_graph_as_union``) answers a triple once per named
    graph that holds it, so a label stated by three sources would come back three times. The
    build therefore materialises the union, each triple once, into the store's default graph
    (:meth:`refresh_union`), and queries read that graph as an RDF graph should: a set.
    """

    def __init__(
        self, inner: ox.Store, path: Path | None, *, writable: bool, pin: int | None = None
    ) -> None:
        self._inner: ox.Store | None = inner
        self.path = path
        self.writable = writable
        self._pin = pin  # the descriptor of its directory, when opened pinned (``open_pinned``)
        # True when the named graphs changed since the default graph was made their union: a
        # union-keeping update marks it so, and it is made again only when something reads it.
        self.union_stale = False

    def ensure_union(self) -> None:
        """Make the default graph the union of the named graphs again if a change left it stale."""
        if self.union_stale:
            self.refresh_union()

    @property
    def inner(self) -> ox.Store:
        if self._inner is None:
            raise StoreError("the store is closed")
        return self._inner

    def close(self) -> None:
        """Release the store (and its directory lock, once nothing else refers to it)."""
        self._inner = None
        gc.collect()
        if self._pin is not None:
            os.close(self._pin)
            self._pin = None

    def flush(self) -> None:
        if self.writable:
            self.inner.flush()

    def __len__(self) -> int:
        return len(self.inner)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self.inner.bulk_extend(quads)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.inner.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Quad]:
        """The quads of the given named graphs, or of every named graph.

        The default graph is left out: it is the union of the named graphs, derived from them."""
        if graphs is None:
            for quad in self.inner.quads_for_pattern(None, None, None, None):
                if not isinstance(quad.graph_name, ox.DefaultGraph):
                    yield quad
            return
        for graph in graphs:
            yield from self.inner.quads_for_pattern(None, None, None, ox.NamedNode(graph))

    def refresh_union(self, named: Iterable[ox.Quad] | None = None) -> int:
        """Make the default graph the union of the named graphs, each triple once; its size.

        ``named`` may give the named graphs' quads when the caller holds them already (the
        build does), to save reading them back. The store is a set of quads, so a triple held by
        several named graphs lands in the default graph once."""
        default = ox.DefaultGraph()
        self.union_stale = False
        self.inner.update("DROP SILENT DEFAULT")
        # Bulk loading beats "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }" on disk (2.6 s
        # against 6.5 s for 220k quads); with the collector paused, as allocating that many
        # quads on a large heap otherwise sets off one collection after another.
        with gc_paused():
            union = [
                ox.Quad(q.subject, q.predicate, q.object, default)
                for q in (self.quads() if named is None else named)
                if not isinstance(q.graph_name, ox.DefaultGraph)
            ]
            self.inner.bulk_extend(union)
        return len({(q.subject, q.predicate, q.object) for q in union})

    def query(
        self,
        text: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; raises QuerySyntaxError with the parser's message."""
        self.ensure_union()
        try:
            if default_graphs:
                return self.inner.query(
                    text,
                    default_graph=[ox.NamedNode(g) for g in default_graphs],
                    named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs else None,
                )
            return self.inner.query(
                text,
                named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs else None,
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc.msg or exc)) from None

    def _default_triples(self) -> set[ox.Triple]:
        return {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self.inner.quads_for_pattern(None, None, None, ox.DefaultGraph())
        }

    def update_plain(self, text: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update as it is (the default graph is the store's own)."""
        if not self.writable:
            raise StoreError("the store is open read-only")
        self._run_update(text, base_iri)

    def _run_update(self, text: str, base_iri: str | None) -> None:
        try:
            self.inner.update(text, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc.msg or exc)) from None
        except RuntimeError as exc:  # e.g. DROP GRAPH of a graph that does not exist, no SILENT
            raise UpdateFailedError(str(exc)) from None

    def update(self, text: str, *, default_target: str, base_iri: str | None = None) -> None:
        """Run a SPARQL update, keeping the default graph the union of the named graphs.

        The default graph is a view: triples an update inserts into it are kept in the named graph
        ``default_target``, and triples it deletes from it are deleted from every named graph."""
        if not self.writable:
            raise StoreError("the store is open read-only")
        check_update_syntax(text, base_iri)  # a syntax error anywhere: nothing runs
        # One operation at a time, so "DROP ALL ; INSERT DATA {...}" keeps what it inserts.
        for operation in split_update(text):
            self._update_one(operation, default_target=default_target, base_iri=base_iri)

    def _update_one(self, text: str, *, default_target: str, base_iri: str | None) -> None:
        self.ensure_union()
        before = self._default_triples()
        self._run_update(text, base_iri)
        after = self._default_triples()
        for t in before - after:
            for quad in list(self.inner.quads_for_pattern(t.subject, t.predicate, t.object, None)):
                self.inner.remove(quad)
        target = ox.NamedNode(default_target)
        self.inner.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in after - before)
        self.union_stale = True  # made again by the next operation, query or refresh_union

    def export(self, fmt: Format, out: IO[bytes]) -> None:
        """Write everything (named graphs and the inferred graph) in a stable order.

        Turtle has no named graphs: it gets the union of the graphs, each triple once."""
        rdf_format, keeps_graphs = fmt.rdf, fmt.quads
        prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        if keeps_graphs:
            quads = sorted(
                self.quads(),
                key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)),
            )
            ox.serialize(quads, out, rdf_format, prefixes=prefixes)
        else:
            triples = sorted(
                {ox.Triple(q.subject, q.predicate, q.object) for q in self.quads()},
                key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
            )
            ox.serialize(triples, out, rdf_format, prefixes=prefixes)
