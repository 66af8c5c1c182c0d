"""The inferred graph and the SHACL verdict kept up to date, write by write, on the live store.

``Upkeep.load(store, settings)`` reads the store once (the writer process does it when it opens
the store) and keeps in memory what the two incremental steps need:

- the OWL 2 RL closure of the data graphs (every named graph but the inferred graph and the
  shapes graphs), as ``incremental.Materialisation``, if the store has an inferred graph (a
  scratch store without one gets none, as the build's store gets one);
- the graph SHACL validates (``validation.our_quads`` cut down by ``validation.relevant_quads``:
  our asserted triples and the entailments about what we describe, as the build validates), as
  an rdflib graph, with the shapes compiled (``focus.ShapeDependencies``), if the store has
  shapes graphs.

After a write's own changes are applied to the store, :meth:`Upkeep.entailments` gives the
change to the inferred graph (semi-naive inserts, DRed deletes), and :meth:`Upkeep.check`
validates what the write (with its entailments) can affect: the focus nodes of each shape that
read a changed triple (``focus.focus_plan``). The verdict is a full validation's, since the store
conformed before (every write is refused on a violation, and the build refuses a store with
one). :meth:`Upkeep.undo` puts the memory back when the write is refused or fails.

Writes that change the shapes or the standard vocabularies' graphs (rare: they come from the
build) are validated in full over the whole graph, which is read again from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF
from rdflib.term import Identifier, Node

from ..config import Settings
from ..rdf.terms import (
    OxTerm,
    RdflibTriple,
    from_rdflib,
    quiet_rdflib,
    rdflib_triples,
    to_rdflib,
)
from ..store.oxigraph import gc_paused
from .focus import Change as FocusChange
from .focus import ShapeDependencies, validate_change
from .incremental import Materialisation
from .validation import (
    ValidationReport,
    graph_kinds,
    our_quads,
    relevant_quads,
    shape_vocabulary,
    validate_graphs,
)

Triple = tuple[Node, Node, Node]
Key = tuple[Any, Any, Any]  # an Oxigraph triple's terms
_RDF_TYPE = str(RDF.type)


@dataclass
class _Undo:
    """What to put back in memory if the write is refused."""

    reasoned: tuple[list[RdflibTriple], list[RdflibTriple]] | None = (
        None  # (inserted, deleted) asserted
    )
    validated: tuple[set[Triple], set[Triple]] | None = None  # (added, removed) to the graph
    reloaded: bool = False  # the validation state was read again: read it again on undo


@dataclass
class Upkeep:
    settings: Settings
    closure: Materialisation | None
    validated: rdflib.Graph | None  # what SHACL validates
    shapes: ShapeDependencies | None
    theirs: frozenset[OxTerm]  # subjects and objects of the standard vocabularies' graphs
    _undo: _Undo = field(default_factory=_Undo)

    def __post_init__(self) -> None:
        self.kind_of = graph_kinds(self.settings)

    # -- loading ----------------------------------------------------------------------------

    @classmethod
    def load(cls, store: ox.Store, settings: Settings) -> Upkeep:
        """Read the store's data, reason over it and compile its shapes (seconds on the real
        graph; the writer does it once, when it opens the store)."""
        with gc_paused():
            graphs = {
                g: list(store.quads_for_pattern(None, None, None, g))
                for g in store.named_graphs()
                if isinstance(g, ox.NamedNode)
            }
            cache: dict[OxTerm, Identifier] = {}
            kind_of = graph_kinds(settings)
            closure = None
            if ox.NamedNode(settings.inferred_graph) in graphs:
                data = (
                    q
                    for g, quads in graphs.items()
                    if kind_of(g) in ("data", "vocab")
                    for q in quads
                )
                closure = Materialisation(rdflib_triples(data, cache))
            upkeep = cls(settings, closure, None, None, frozenset())
            upkeep._load_validation([q for quads in graphs.values() for q in quads], cache)
        upkeep.warm_up()
        return upkeep

    def warm_up(self) -> None:
        """Validate an empty graph once, so that the first write does not pay for what pySHACL
        and rdflib's SPARQL parser set up on first use (some 400 ms)."""
        if self.shapes is not None:
            validate_graphs(rdflib.Graph(), self.shapes.shapes)

    def _load_validation(
        self, everything: list[ox.Quad], cache: dict[OxTerm, Identifier] | None = None
    ) -> None:
        """Read the shapes and the graph they validate from the named graphs' quads."""
        settings = self.settings
        cache = {} if cache is None else cache
        kind_of = self.kind_of
        shapes_quads = [q for q in everything if kind_of(q.graph_name) == "shapes"]
        if not shapes_quads:
            self.validated, self.shapes, self.theirs = None, None, frozenset()
            return
        with gc_paused(), quiet_rdflib():
            shapes = rdflib.Graph()
            for triple in rdflib_triples(shapes_quads, cache):
                shapes.add(triple)
            vocabulary = shape_vocabulary(shapes)
            validated = rdflib.Graph()
            relevant = relevant_quads(our_quads(everything, settings), vocabulary)
            for triple in rdflib_triples(relevant, cache):
                validated.add(triple)
            theirs: set[OxTerm] = set()
            for q in everything:
                if kind_of(q.graph_name) == "vocab":
                    theirs.update((q.subject, q.object))
        self.validated, self.shapes = validated, ShapeDependencies.of(shapes)
        self.theirs = frozenset(theirs)
        self._vocabulary = vocabulary

    def _reload_validation(self, store: ox.Store) -> None:
        self._load_validation(
            [
                q
                for g in store.named_graphs()
                if isinstance(g, ox.NamedNode)
                for q in store.quads_for_pattern(None, None, None, g)
            ]
        )

    # -- one write --------------------------------------------------------------------------

    def begin(self) -> None:
        self._undo = _Undo()

    def entailments(
        self, inserted: Iterable[ox.Triple], deleted: Iterable[ox.Triple]
    ) -> tuple[list[ox.Triple], list[ox.Triple]]:
        """The change to the inferred graph when the data graphs gain ``inserted`` and lose
        ``deleted`` (triples whose presence in the union of the data graphs changed)."""
        if self.closure is None:
            return [], []
        cache: dict[OxTerm, Identifier] = {}
        ins = list(rdflib_triples(inserted, cache))
        dels = list(rdflib_triples(deleted, cache))
        if not ins and not dels:
            return [], []
        self._undo.reasoned = (ins, dels)
        with quiet_rdflib():
            delta = self.closure.apply(ins, dels)
        return [_back(t) for t in delta.added], [_back(t) for t in delta.removed]

    def entailed(self, triples: Iterable[ox.Triple]) -> list[bool]:
        """Whether each triple belongs in the inferred graph now."""
        if self.closure is None:
            return [False for _ in triples]
        cache: dict[OxTerm, Identifier] = {}
        with quiet_rdflib():
            return [self.closure.is_inferred(t) for t in rdflib_triples(triples, cache)]

    def check(
        self,
        store: ox.Store,
        touched: Iterable[Any],
        changed: Iterable[Key],
        graphs_of: Callable[[Key], set[Any]],
    ) -> ValidationReport | None:
        """Validate, on the store as the write left it, what the changed triples (the write's
        and its entailments') can affect; ``touched`` are the graphs the write changed,
        ``graphs_of`` gives the graphs that hold a triple now. None if the store has no
        shapes."""
        settings = self.settings
        keys = list(changed)
        kinds = {self.kind_of(g) for g in touched}
        if "shapes" in kinds or "vocab" in kinds:
            self._undo.reloaded = True
            self._reload_validation(store)
            if self.validated is None or self.shapes is None:
                return None
            return validate_graphs(
                self.validated, self.shapes.shapes, workers=settings.validation_workers
            )
        if self.validated is None or self.shapes is None:
            return None
        candidates: dict[Key, None] = dict.fromkeys(keys)
        inferred = ox.NamedNode(settings.inferred_graph)
        for subject in {k[0] for k in keys if k[0] in self.theirs}:
            # its entailments are validated only if we describe it
            for q in store.quads_for_pattern(subject, None, None, inferred):
                candidates[(q.subject, q.predicate, q.object)] = None
        added: set[Triple] = set()
        removed: set[Triple] = set()
        graph = self.validated
        with quiet_rdflib():
            for key in candidates:
                wanted = self._validated_now(store, key, graphs_of)
                converted = (to_rdflib(key[0]), to_rdflib(key[1]), to_rdflib(key[2]))
                present = converted in graph
                if wanted and not present:
                    added.add(converted)
                elif present and not wanted:
                    removed.add(converted)
            for t in removed:
                graph.remove(t)
            for t in added:
                graph.add(t)
        self._undo.validated = (added, removed)
        if not added and not removed:
            return ValidationReport([], len(self.shapes.shapes), len(graph))
        report, _plan = validate_change(
            graph, self.shapes, FocusChange(frozenset(added), frozenset(removed))
        )
        return report

    def _validated_now(
        self, store: ox.Store, key: Key, graphs_of: Callable[[Key], set[Any]]
    ) -> bool:
        """Whether the validated graph holds the triple ``key`` with the store as it is now."""
        subject, predicate, obj = key
        vocabulary = self._vocabulary
        if vocabulary is not None and predicate.value not in vocabulary:
            typed = predicate.value == _RDF_TYPE and isinstance(obj, ox.NamedNode)
            if not typed or obj.value not in vocabulary:
                return False
        entailed = False
        for g in graphs_of(key):
            kind = self.kind_of(g)
            if kind == "data":
                return True
            entailed = entailed or kind == "inferred"
        if not entailed:
            return False
        return subject not in self.theirs or self._described(store, subject)

    def _described(self, store: ox.Store, subject: object) -> bool:
        """Whether one of our asserted graphs says something of ``subject``."""
        for q in store.quads_for_pattern(subject, None, None, None):  # type: ignore[arg-type]
            if self.kind_of(q.graph_name) == "data":
                return True
        return False

    def undo(self, store: ox.Store) -> None:
        """Forget the write in memory (after the store itself was put back)."""
        undo, self._undo = self._undo, _Undo()
        if undo.reasoned is not None and self.closure is not None:
            inserted, deleted = undo.reasoned
            with quiet_rdflib():
                self.closure.apply(deleted, inserted)
        if undo.reloaded:
            self._reload_validation(store)
        elif undo.validated is not None and self.validated is not None:
            added, removed = undo.validated
            for t in added:
                self.validated.remove(t)
            for t in removed:
                self.validated.add(t)


def _back(triple: Triple) -> ox.Triple:
    s, p, o = (from_rdflib(t) for t in triple)
    return ox.Triple(s, p, o)  # type: ignore[arg-type]
