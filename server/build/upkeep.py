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

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib.term import Node

from ..config import Settings
from ..rdf.terms import from_rdflib, quiet_rdflib, to_rdflib
from ..store.oxigraph import gc_paused
from .focus import Change as FocusChange
from .focus import ShapeDependencies, validate_change
from .incremental import Materialisation
from .validation import (
    ValidationReport,
    our_quads,
    relevant_quads,
    shape_vocabulary,
    validate_graphs,
)

Triple = tuple[Node, Node, Node]
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class _Undo:
    """What to put back in memory if the write is refused."""

    reasoned: tuple[list[Triple], list[Triple]] | None = None  # (inserted, deleted) asserted
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

    # -- graphs -----------------------------------------------------------------------------

    @staticmethod
    def graph_kind(settings: Settings, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
        """``inferred``, ``shapes``, ``vocab`` (a standard vocabulary), ``data`` or
        ``default``."""
        if not isinstance(graph, ox.NamedNode):
            return "default"
        name = graph.value
        if name == settings.inferred_graph:
            return "inferred"
        if name.startswith(settings.shapes_graph_prefix):
            return "shapes"
        if name.startswith(settings.graph_iri("vocab/")):
            return "vocab"
        return "data"

    # -- loading ----------------------------------------------------------------------------

    @classmethod
    def load(cls, store: ox.Store, settings: Settings) -> Upkeep:
        """Read the store's data, reason over it and compile its shapes (seconds on the real
        graph; the writer does it once, when it opens the store)."""
        inferred = ox.NamedNode(settings.inferred_graph)
        with gc_paused():
            graphs = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
            closure = None
            if store.contains_named_graph(inferred):
                cache: dict[OxTerm, Node] = {}
                closure = Materialisation(
                    _converted(
                        (
                            q
                            for g in graphs
                            if cls.graph_kind(settings, g) in ("data", "vocab")
                            for q in store.quads_for_pattern(None, None, None, g)
                        ),
                        cache,
                    )
                )
        upkeep = cls(settings, closure, None, None, frozenset())
        upkeep._load_validation(store)
        return upkeep

    def _load_validation(self, store: ox.Store) -> None:
        settings = self.settings
        shapes_quads = [
            q
            for g in store.named_graphs()
            if self.graph_kind(settings, g) == "shapes"
            for q in store.quads_for_pattern(None, None, None, g)
        ]
        if not shapes_quads:
            self.validated, self.shapes, self.theirs = None, None, frozenset()
            return
        with gc_paused(), quiet_rdflib():
            shapes = rdflib.Graph()
            cache: dict[OxTerm, Node] = {}
            for triple in _converted(shapes_quads, cache):
                shapes.add(triple)
            vocabulary = shape_vocabulary(shapes)
            everything = [
                q
                for q in store.quads_for_pattern(None, None, None, None)
                if not isinstance(q.graph_name, ox.DefaultGraph)
            ]
            validated = rdflib.Graph()
            for triple in _converted(
                relevant_quads(our_quads(everything, settings), vocabulary), cache
            ):
                validated.add(triple)
            theirs: set[OxTerm] = set()
            for q in everything:
                if self.graph_kind(settings, q.graph_name) == "vocab":
                    theirs.update((q.subject, q.object))  # type: ignore[arg-type]
        self.validated, self.shapes, self.theirs = (
            validated,
            ShapeDependencies.of(shapes),
            frozenset(theirs),
        )
        self._vocabulary = vocabulary

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
        cache: dict[OxTerm, Node] = {}
        ins = list(_converted(inserted, cache))
        dels = list(_converted(deleted, cache))
        if not ins and not dels:
            return [], []
        self._undo.reasoned = (ins, dels)
        with quiet_rdflib():
            delta = self.closure.apply(ins, dels)
        return [_back(t) for t in delta.added], [_back(t) for t in delta.removed]

    def check(self, store: ox.Store, quads: Iterable[ox.Quad]) -> ValidationReport | None:
        """Validate, on the store as the write left it, what the changed ``quads`` (the write's
        and its entailments', in every graph) can affect; None if the store has no shapes."""
        settings = self.settings
        changed = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
        kinds = {self.graph_kind(settings, q.graph_name) for q in changed}
        if "shapes" in kinds or "vocab" in kinds or (self.shapes is None and "shapes" in kinds):
            self._undo.reloaded = True
            self._load_validation(store)
            if self.validated is None or self.shapes is None:
                return None
            return validate_graphs(
                self.validated, self.shapes.shapes, workers=settings.validation_workers
            )
        if self.validated is None or self.shapes is None:
            return None
        candidates: dict[ox.Triple, None] = {}
        subjects: set[OxTerm] = set()
        for q in changed:
            candidates[ox.Triple(q.subject, q.predicate, q.object)] = None
            if q.subject in self.theirs:
                subjects.add(q.subject)  # type: ignore[arg-type]
        inferred = ox.NamedNode(settings.inferred_graph)
        for subject in subjects:  # its entailments are validated only if we describe it
            for q in store.quads_for_pattern(subject, None, None, inferred):  # type: ignore[arg-type]
                candidates[ox.Triple(q.subject, q.predicate, q.object)] = None
        added: set[Triple] = set()
        removed: set[Triple] = set()
        graph = self.validated
        with quiet_rdflib():
            for triple in candidates:
                wanted = self._validated_now(store, triple)
                converted = (
                    to_rdflib(triple.subject),
                    to_rdflib(triple.predicate),
                    to_rdflib(triple.object),
                )
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

    def _validated_now(self, store: ox.Store, triple: ox.Triple) -> bool:
        """Whether the validated graph holds ``triple`` with the store as it is now."""
        quad = ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())
        if not any(True for _ in relevant_quads([quad], self._vocabulary)):
            return False
        settings = self.settings
        entailed = False
        for q in store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None):
            kind = self.graph_kind(settings, q.graph_name)
            if kind == "data":
                return True
            entailed = entailed or kind == "inferred"
        if not entailed:
            return False
        return triple.subject not in self.theirs or self._described(store, triple.subject)

    def _described(self, store: ox.Store, subject: object) -> bool:
        """Whether one of our asserted graphs says something of ``subject``."""
        for q in store.quads_for_pattern(subject, None, None, None):  # type: ignore[arg-type]
            if self.graph_kind(self.settings, q.graph_name) == "data":
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
            self._load_validation(store)
        elif undo.validated is not None and self.validated is not None:
            added, removed = undo.validated
            for t in added:
                self.validated.remove(t)
            for t in removed:
                self.validated.add(t)


def _converted(items: Iterable[ox.Quad | ox.Triple], cache: dict[OxTerm, Node]) -> Iterable[Triple]:
    for item in items:
        out = []
        for term in (item.subject, item.predicate, item.object):
            found = cache.get(term)  # type: ignore[arg-type]
            if found is None:
                found = cache[term] = to_rdflib(term)  # type: ignore[index]
            out.append(found)
        yield out[0], out[1], out[2]


def _back(triple: Triple) -> ox.Triple:
    s, p, o = (from_rdflib(t) for t in triple)
    return ox.Triple(s, p, o)  # type: ignore[arg-type]
