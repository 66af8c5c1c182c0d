"""Incremental SHACL validation: after a small write, validate only what the write can affect.

A shape's verdict on a focus node depends only on the triples its evaluation reads: the focus
node's types (or the triples of ``sh:targetSubjectsOf``/``sh:targetObjectsOf``), the triples along
the shape's property paths, the types ``sh:class`` looks up at the value nodes, the triples that
nested shapes (``sh:property``, ``sh:node``, ``sh:qualifiedValueShape``, ``sh:or``, ``sh:and``,
``sh:xone``, ``sh:not``) read at their own focus nodes, the values ``sh:equals`` and its kin
compare with, and for a closed shape every triple of the value node. Each targeted shape is
compiled once into an automaton over those reads (:class:`ShapeDependencies`): states are "a node
this shape's evaluation visits", edges are "read the triples (x, p, ?) or (?, p, x) at a node x in
this state", and path edges lead on to the state of the nodes read.

Given a change (triples added and removed, inferred ones included), :func:`focus_plan` seeds the
automaton with each changed triple (its subject at every state that reads its predicate forwards,
its object at every state that reads it backwards) and walks back through the data graph *after*
the change to the shape's start state: the nodes reached are the ones whose evaluation reads a
changed triple. That is enough, though the graph before the change may have had other paths: on
any path that existed only before, the first changed triple is itself a seed, reached from the
focus node by unchanged triples. Those nodes, kept if the shape targets them after the change,
are the focus nodes to validate again.

Where the analysis cannot bound the effect, a shape is validated whole (every target):

- a SPARQL-based constraint whose query cannot be compiled into reads from ``$this`` (see
  ``_Compiler.sparql``: triple patterns with fixed predicates, all joined to ``$this``, as
  ``shape:JudgementGradeFitsFramework``'s are) can read any triple with the predicates its query
  names: the shape is validated whole when a changed triple has one of them (any, if the query
  has a variable predicate or cannot be parsed), and not at all otherwise;
- a constraint this module does not know (``sh:qualifiedValueShapesDisjoint``, a custom or
  SPARQL-based constraint component, a path of an unknown form) makes its shape always validated
  whole;

and everything is validated when the shapes themselves change, when the shapes graph declares a
constraint component, or when an ``rdfs:subClassOf`` triple changes (targets and ``sh:class`` read
the class hierarchy).

**Precondition.** Validating only the affected focus nodes gives the verdict of a full validation
only when the graph conformed before the change: a violation the change cannot affect is not
looked for. A store the server serves always conforms (the build refuses a graph with violations),
and a write path that uses this module keeps it so by refusing any write whose report has a
violation; a store that may not conform needs a full validation first. The report of
:func:`validate_focus` holds the results, warnings included, of the affected focus nodes (and the
``sh:detail`` results of nested ``sh:node`` shapes at the value nodes they reach: see
:func:`covered`); its violations are exactly a full validation's, under the precondition. Results
that a write makes vanish (a node that is no longer a target, say) are not reported: the report
describes the graph after the write.

The focus nodes are validated by pySHACL over a small data graph: the triples the automaton reads
from them, found by walking it forwards (pySHACL's ``focus_nodes=`` option is not used: with
``use_shapes=`` it validates the nodes given against every shape given, targets or not, and it turns
a blank-node focus node into an IRI). Shapes validated whole run over the whole data graph. See
benchmarks/incremental_validation.py for the figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node, Variable

from .validation import ValidationReport, ValidationResult, validate_graphs

Triple = tuple[Node, Node, Node]

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

# Shape parameters that read nothing from the data graph beyond the value nodes themselves (or
# that say nothing about validation at all).
_NO_READS = frozenset(
    {
        RDF.type,
        RDFS.label,
        RDFS.comment,
        SH.message,
        SH.severity,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.defaultValue,
        SH.deactivated,
        SH.minCount,
        SH.maxCount,
        SH.datatype,
        SH.nodeKind,
        SH.pattern,
        SH.flags,
        SH.languageIn,
        SH.uniqueLang,
        SH["in"],
        SH.hasValue,
        SH.minInclusive,
        SH.maxInclusive,
        SH.minExclusive,
        SH.maxExclusive,
        SH.minLength,
        SH.maxLength,
        SH.qualifiedMinCount,
        SH.qualifiedMaxCount,
        SH.ignoredProperties,
        SH.declare,
        SH.prefixes,
        *TARGETS,
    }
)
# Parameters that compare the value nodes with the focus node's values of another predicate.
_COMPARISONS = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
# Parameters whose objects are shapes evaluated at the value nodes (a list of them for the logical
# ones).
_NESTED = (SH.node, SH.qualifiedValueShape, SH["not"])
_NESTED_LISTS = (SH["or"], SH["and"], SH.xone)
_HANDLED = frozenset(
    {SH.path, SH.property, SH["class"], SH.closed, SH.sparql}
    | set(_COMPARISONS)
    | set(_NESTED)
    | set(_NESTED_LISTS)
)


# How many shapes graphs cut down to some shapes' targets are kept for reuse.
_KEPT_SHARES = 64
# From how many focus nodes a validation is shared out between two processes (forking costs
# some tens of milliseconds, a big write's focus nodes seconds).
PARALLEL_FOCUS_NODES = 500


class UnboundedError(Exception):
    """A shape whose reads this module cannot bound: it is validated whole."""


# -- What each shape reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """At a node in state ``state``, the triples ``(node, predicate, ?)`` (or ``(?, predicate,
    node)`` when ``inverse``); ``predicate`` None is every predicate (a closed shape). ``classes``,
    for an ``rdf:type`` read, are the only objects that matter (with their subclasses); ``to`` is
    the state the nodes read are then in, for a step of a property path."""

    state: int
    inverse: bool
    predicate: Node | None
    classes: frozenset[Node] | None = None
    to: int | None = None


@dataclass
class ShapeReads:
    """One targeted shape compiled: its reads as an automaton from state 0 (its focus node)."""

    shape: Node
    reads: list[Read] = field(default_factory=list)
    epsilon: list[tuple[int, int]] = field(default_factory=list)  # (from, to): same node
    states: int = 1
    # What SPARQL-based constraints can read (see sparql_reads; None: anything).
    sparql: dict[Node, frozenset[Node] | None] | None = field(default_factory=dict)
    has_sparql: bool = False
    # A state every read past the focus node goes through, when the shape's results are rows
    # of a SPARQL query, one per node in that state (see _Compiler.sparql): only the nodes a
    # change reaches in it need evaluating again.
    through: int | None = None
    unbounded: str | None = None  # why the shape is always validated whole
    # Targets.
    target_nodes: frozenset[Node] = frozenset()
    target_classes: frozenset[Node] = frozenset()
    subjects_of: frozenset[Node] = frozenset()
    objects_of: frozenset[Node] = frozenset()
    # The IRIs under which pySHACL reports this shape's results (itself, shapes nested in it).
    names: frozenset[str] = frozenset()
    # For the state a shape (the root, or one nested in it) is evaluated in, the IRIs its
    # results are reported under: a result with a nested shape's name (a sh:node's sh:detail)
    # has the nested shape's focus node, a value node of the root's.
    state_names: dict[int, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.incoming: dict[int, list[Read]] = {}
        self.outgoing: dict[int, list[Read]] = {}
        self.eps_in: dict[int, list[int]] = {}
        self.eps_out: dict[int, list[int]] = {}

    def index(self) -> None:
        for read in self.reads:
            self.outgoing.setdefault(read.state, []).append(read)
            if read.to is not None:
                self.incoming.setdefault(read.to, []).append(read)
        for start, end in self.epsilon:
            self.eps_out.setdefault(start, []).append(end)
            self.eps_in.setdefault(end, []).append(start)

    def new_state(self) -> int:
        self.states += 1
        return self.states - 1

    def is_target(self, graph: rdflib.Graph, node: Node, classes: frozenset[Node]) -> bool:
        if node in self.target_nodes:
            return True
        if any((node, RDF.type, c) in graph for c in classes):
            return True
        if any(True for p in self.subjects_of for _ in graph.objects(node, p)):
            return True
        return any(True for p in self.objects_of for _ in graph.subjects(p, node))


class _Compiler:
    def __init__(self, shapes: rdflib.Graph, root: ShapeReads) -> None:
        self.shapes = shapes
        self.root = root
        self.entries: dict[Node, int] = {}

    def shape(self, shape: Node, entry: int) -> None:
        """The reads of ``shape`` evaluated at a node in state ``entry``."""
        known = self.entries.get(shape)
        if known is not None:
            if known != entry:
                self.root.epsilon.append((entry, known))
            return
        self.entries[shape] = entry
        if (shape, SH.deactivated, rdflib.Literal(True)) in self.shapes:
            return
        for predicate in set(self.shapes.predicates(shape, None)):
            if predicate not in _NO_READS and predicate not in _HANDLED:
                raise UnboundedError(f"{predicate} on {shape}")
        if (shape, SH.qualifiedValueShapesDisjoint, rdflib.Literal(True)) in self.shapes:
            raise UnboundedError(f"sh:qualifiedValueShapesDisjoint on {shape}")
        for prop in self.shapes.objects(shape, SH.property):
            self.nested(prop, entry)
        path = self.shapes.value(shape, SH.path)
        values = entry
        if path is not None:
            values = self.root.new_state()
            self.path(path, entry, values, inverse=False)
        for cls in self.shapes.objects(shape, SH["class"]):
            self.root.reads.append(Read(values, False, RDF.type, frozenset({cls})))
        for predicate in _COMPARISONS:
            for other in self.shapes.objects(shape, predicate):
                self.root.reads.append(Read(entry, False, other))
        if (shape, SH.closed, rdflib.Literal(True)) in self.shapes:
            self.root.reads.append(Read(values, False, None))
        for predicate in _NESTED:
            for nested in self.shapes.objects(shape, predicate):
                self.nested(nested, values)
        for predicate in _NESTED_LISTS:
            for head in self.shapes.objects(shape, predicate):
                for nested in Collection(self.shapes, head):
                    self.nested(nested, values)
        for constraint in self.shapes.objects(shape, SH.sparql):
            if path is None and self.sparql(constraint, entry):
                continue  # its reads are in the automaton
            self.root.has_sparql = True
            only_nodes = not (
                self.root.target_classes or self.root.subjects_of or self.root.objects_of
            )
            this = self.root.target_nodes if only_nodes and shape == self.root.shape else None
            found = sparql_reads(self.shapes, constraint, this)
            if found is None or self.root.sparql is None:
                self.root.sparql = None
            else:
                for read, objects in found.items():
                    so_far = self.root.sparql.get(read, frozenset())
                    both = None if so_far is None or objects is None else so_far | objects
                    self.root.sparql[read] = both

    def sparql(self, constraint: Node, entry: int) -> bool:
        """Compile a node shape's SPARQL-based constraint into reads from ``$this`` at
        ``entry``, if its query is triple patterns with fixed predicates all joined to
        ``$this`` (anywhere: in OPTIONAL, FILTER NOT EXISTS, MINUS...): then every triple
        that can make a solution, or stop one, is on a path of patterns from ``$this``, and
        reading each pattern from an end already reached reads it. False otherwise."""
        patterns = sparql_patterns(self.shapes, constraint)
        if patterns is None:
            return False
        states: dict[Node, int] = {Variable("this"): entry}
        reads: list[Read] = []
        remaining = list(dict.fromkeys(patterns))
        while remaining:
            left = []
            for s, p, o in remaining:
                if s in states:
                    to = self._state_of(o, states)
                    fixed = p == RDF.type and not isinstance(o, Variable)
                    reads.append(Read(states[s], False, p, frozenset({o}) if fixed else None, to))
                elif o in states:
                    reads.append(Read(states[o], True, p, None, self._state_of(s, states)))
                else:
                    left.append((s, p, o))
            if len(left) == len(remaining):
                return False  # a pattern not joined to $this: it may read anything
            remaining = left
        self.root.reads.extend(reads)
        first = [r for r in reads if r.state == entry]
        if (
            entry == 0
            and len(first) == 1
            and first[0].to is not None
            and self._only_sparql(constraint)
            and sparql_rows(self.shapes, constraint)
        ):
            # $this is joined to the rest of the query through one pattern: a solution is a
            # node there and what hangs from it, and a solution that a change makes or
            # unmakes hangs from a node the change reaches.
            self.root.through = first[0].to
        return True

    def _only_sparql(self, constraint: Node) -> bool:
        """Whether the root shape says nothing but one SPARQL constraint, and targets nodes."""
        root = self.root
        if root.target_classes or root.subjects_of or root.objects_of:
            return False
        said = set(self.shapes.predicates(root.shape, None))
        return said <= _ONLY_SPARQL and list(self.shapes.objects(root.shape, SH.sparql)) == [
            constraint
        ]

    def _state_of(self, term: Node, states: dict[Node, int]) -> int | None:
        """The state a pattern's variable is in (a new one when first reached); None for a
        fixed term (nothing is read from it)."""
        if not isinstance(term, Variable):
            return None
        if term not in states:
            states[term] = self.root.new_state()
        return states[term]

    def nested(self, shape: Node, at: int) -> None:
        entry = self.entries.get(shape)
        if entry is None:
            entry = self.root.new_state()
            self.root.epsilon.append((at, entry))
            self.shape(shape, entry)
        else:
            self.root.epsilon.append((at, entry))

    def path(self, path: Node, start: int, end: int, *, inverse: bool) -> None:
        """Reads that take a node in state ``start`` to the nodes ``path`` reaches, in ``end``."""
        g = self.shapes
        if isinstance(path, rdflib.URIRef):
            self.root.reads.append(Read(start, inverse, path, None, end))
        elif (path, RDF.first, None) in g:
            steps = list(Collection(g, path))
            if inverse:
                steps.reverse()
            here = start
            for index, step in enumerate(steps):
                there = end if index == len(steps) - 1 else self.root.new_state()
                self.path(step, here, there, inverse=inverse)
                here = there
        elif (found := g.value(path, SH.inversePath)) is not None:
            self.path(found, start, end, inverse=not inverse)
        elif (found := g.value(path, SH.alternativePath)) is not None:
            for step in Collection(g, found):
                self.path(step, start, end, inverse=inverse)
        elif (found := g.value(path, SH.zeroOrMorePath)) is not None:
            loop = self.root.new_state()
            self.root.epsilon.extend([(start, loop), (loop, end)])
            self.path(found, loop, loop, inverse=inverse)
        elif (found := g.value(path, SH.oneOrMorePath)) is not None:
            loop = self.root.new_state()
            self.path(found, start, loop, inverse=inverse)
            self.path(found, loop, loop, inverse=inverse)
            self.root.epsilon.append((loop, end))
        elif (found := g.value(path, SH.zeroOrOnePath)) is not None:
            self.root.epsilon.append((start, end))
            self.path(found, start, end, inverse=inverse)
        else:
            raise UnboundedError(f"path {path!r}")


def sparql_patterns(shapes: rdflib.Graph, constraint: Node) -> list[Triple] | None:
    """The triple patterns of a SPARQL-based constraint's queries, or None if one has a
    variable predicate, a property path or a variable other than a pattern's, or does not parse
    here, or if the constraint uses ``$PATH``."""
    texts = [str(t) for p in (SH.select, SH.ask) for t in shapes.objects(constraint, p)]
    if not texts or any("$PATH" in text for text in texts):
        return None
    found: list[Triple] = []
    for text in texts:
        try:
            query = prepareQuery(text, initNs=_prefixes(shapes, constraint))
        except Exception:
            return None
        if not _patterns(query.algebra, found):
            return None
    return found


# What a shape may say besides one SPARQL constraint for its results to be that query's rows.
_ONLY_SPARQL = frozenset(
    {RDF.type, RDFS.label, RDFS.comment, SH.targetNode, SH.sparql, SH.message, SH.severity}
    | {SH.name, SH.description, SH.deactivated}
)
# Parts of a query's algebra that make a solution depend on other solutions.
_NOT_ROWS = frozenset({"AggregateJoin", "Group", "Slice", "ToMultiSet", "OrderBy"})


def sparql_rows(shapes: rdflib.Graph, constraint: Node) -> bool:
    """Whether each solution of a SPARQL constraint's query stands alone (no grouping,
    aggregate, LIMIT or subquery)."""
    texts = [str(t) for t in shapes.objects(constraint, SH.select)]
    if len(texts) != 1:
        return False
    try:
        query = prepareQuery(texts[0], initNs=_prefixes(shapes, constraint))
    except Exception:
        return False
    return not _has_part(query.algebra, _NOT_ROWS)


def _has_part(node: Any, names: frozenset[str]) -> bool:
    if isinstance(node, CompValue):
        if node.name in names:
            return True
        return any(_has_part(value, names) for value in node.values())
    if isinstance(node, list | tuple):
        return any(_has_part(item, names) for item in node)
    return False


def _patterns(node: Any, found: list[Triple]) -> bool:
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern" or node.name == "Graph":
            return False
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                for s, p, o in value:
                    if not isinstance(p, rdflib.URIRef):
                        return False
                    found.append((s, p, o))
            elif not _patterns(value, found):
                return False
    elif isinstance(node, list | tuple):
        return all(_patterns(item, found) for item in node)
    return True


def _prefixes(shapes: rdflib.Graph, constraint: Node) -> dict[str, str]:
    prefixes: dict[str, str] = {}
    for holder in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefixes[str(shapes.value(declaration, SH.prefix))] = str(
                shapes.value(declaration, SH.namespace)
            )
    return prefixes


def sparql_reads(
    shapes: rdflib.Graph, constraint: Node, this: frozenset[Node] | None
) -> dict[Node, frozenset[Node] | None] | None:
    """The triples a SPARQL-based constraint's query can read, as predicate -> the objects it can
    read them with (None: any), or None when it may read any triple (a variable predicate, a
    negated property set, a query that does not parse here). ``this`` is what ``$this`` can be
    bound to, when the shape's only targets are ``sh:targetNode``s."""
    prefixes = _prefixes(shapes, constraint)
    texts = [str(t) for p in (SH.select, SH.ask) for t in shapes.objects(constraint, p)]
    if not texts:
        return None
    found: dict[Node, frozenset[Node] | None] = {}
    for text in texts:
        try:
            query = prepareQuery(text, initNs=prefixes)
        except Exception:  # a query rdflib cannot parse: assume it reads everything
            return None
        if not _collect(query.algebra, found, this):
            return None
    return found


def _collect(node: Any, found: dict[Node, frozenset[Node] | None], this: Any) -> bool:
    """Add the reads of the triple patterns under ``node``; False if one may read anything."""
    if isinstance(node, CompValue):
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                for _s, predicate, obj in value:
                    if isinstance(predicate, rdflib.URIRef):
                        objects = _pattern_objects(obj, this)
                        if predicate in found:
                            known = found[predicate]
                            objects = None if known is None or objects is None else known | objects
                        found[predicate] = objects
                    elif not _path_predicates(predicate, found):
                        return False
            elif not _collect(value, found, this):
                return False
    elif isinstance(node, list | tuple):
        return all(_collect(item, found, this) for item in node)
    return True


def _pattern_objects(obj: Any, this: frozenset[Node] | None) -> frozenset[Node] | None:
    if isinstance(obj, rdflib.URIRef | rdflib.Literal):
        return frozenset({obj})
    if isinstance(obj, Variable) and str(obj) == "this" and this is not None:
        return this
    return None


def _path_predicates(path: Any, found: dict[Node, frozenset[Node] | None]) -> bool:
    if isinstance(path, rdflib.URIRef):
        found[path] = None
        return True
    if isinstance(path, InvPath):
        return _path_predicates(path.arg, found)
    if isinstance(path, SequencePath | AlternativePath):
        return all(_path_predicates(arg, found) for arg in path.args)
    if isinstance(path, MulPath):
        return _path_predicates(path.path, found)
    return False  # a variable or a negated property set: any predicate


@dataclass(frozen=True)
class ShapeDependencies:
    """The shapes graph compiled: what each targeted shape reads. Compile once per shapes graph."""

    shapes: rdflib.Graph
    compiled: tuple[ShapeReads, ...] = field(repr=False)
    # Why no shape can be analysed (a constraint component is declared), or None.
    unbounded: str | None
    by_predicate: dict[Node, list[tuple[ShapeReads, Read]]] = field(repr=False)
    any_predicate: list[tuple[ShapeReads, Read]] = field(repr=False)
    shares: dict[frozenset[Node], rdflib.Graph] = field(default_factory=dict, repr=False)

    def only_targets_of(self, keep: frozenset[Node]) -> rdflib.Graph:
        """The shapes graph with the targets of the shapes not in ``keep`` left out (cached)."""
        share = self.shares.get(keep)
        if share is None:
            if len(self.shares) >= _KEPT_SHARES:  # a long-lived writer: memory stays flat
                self.shares.clear()
            share = self.shares[keep] = _only_targets_of(self.shapes, keep)
        return share

    @classmethod
    def of(cls, shapes: rdflib.Graph) -> ShapeDependencies:
        targeted = sorted({s for p in TARGETS for s in shapes.subjects(p, None)}, key=str)
        implicit = {
            s
            for s in shapes.subjects(RDF.type, RDFS.Class)
            if (s, RDF.type, SH.NodeShape) in shapes or (s, RDF.type, SH.PropertyShape) in shapes
        }
        compiled = []
        for shape in sorted(set(targeted) | implicit, key=str):
            root = ShapeReads(
                shape,
                target_nodes=frozenset(shapes.objects(shape, SH.targetNode)),
                target_classes=frozenset(shapes.objects(shape, SH.targetClass))
                | ({shape} if shape in implicit else set()),
                subjects_of=frozenset(shapes.objects(shape, SH.targetSubjectsOf)),
                objects_of=frozenset(shapes.objects(shape, SH.targetObjectsOf)),
            )
            if root.target_classes:
                root.reads.append(Read(0, False, RDF.type, root.target_classes))
            root.reads.extend(Read(0, False, p) for p in root.subjects_of)
            root.reads.extend(Read(0, True, p) for p in root.objects_of)
            compiler = _Compiler(shapes, root)
            try:
                compiler.shape(shape, 0)
            except UnboundedError as why:
                root.unbounded = str(why)
            root.names = _names(shapes, {shape, *compiler.entries})
            for nested, state in {shape: 0, **compiler.entries}.items():
                known = root.state_names.get(state, frozenset())
                root.state_names[state] = known | _names(shapes, {nested})
            root.index()
            compiled.append(root)
        declared = next(iter(shapes.subjects(RDF.type, SH.ConstraintComponent)), None)
        unbounded = None if declared is None else f"constraint component {declared} declared"
        by_predicate: dict[Node, list[tuple[ShapeReads, Read]]] = {}
        anything: list[tuple[ShapeReads, Read]] = []
        for root in compiled:
            for read in root.reads:
                if read.predicate is None:
                    anything.append((root, read))
                else:
                    by_predicate.setdefault(read.predicate, []).append((root, read))
        return cls(shapes, tuple(compiled), unbounded, by_predicate, anything)


def _names(shapes: rdflib.Graph, compiled: set[Node]) -> frozenset[str]:
    """The IRIs under which pySHACL's results for these shapes are reported (see
    validation.ValidationResult.source_shape): a blank property shape's is its named owner's."""
    names = {str(s) for s in compiled if isinstance(s, rdflib.URIRef)}
    for shape in compiled:
        if isinstance(shape, rdflib.BNode):
            names.update(
                str(o) for o in shapes.subjects(SH.property, shape) if isinstance(o, rdflib.URIRef)
            )
    return frozenset(names)


# -- The focus nodes a change can affect ----------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Triples added to and removed from the data graph as it is validated (asserted and
    inferred); ``shapes_changed`` when the shapes graph changed too."""

    added: frozenset[Triple] = frozenset()
    removed: frozenset[Triple] = frozenset()
    shapes_changed: bool = False

    @classmethod
    def between(cls, before: Iterable[Triple], after: Iterable[Triple]) -> Change:
        old, new = set(before), set(after)
        return cls(frozenset(new - old), frozenset(old - new))

    def __iter__(self) -> Iterator[Triple]:
        yield from self.added
        yield from self.removed


@dataclass(frozen=True)
class FocusPlan:
    """What to validate again: per shape, its focus nodes (``focus``) or all its targets
    (``whole``, with the reason); ``everything`` when the change cannot be bounded at all."""

    focus: dict[Node, frozenset[Node]]
    whole: dict[Node, str]
    everything: str | None = None
    # For a shape with a ``through`` state: the nodes the change reaches in it (the solutions
    # to evaluate again), instead of everything its focus nodes read.
    through: dict[Node, frozenset[Node]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(len(nodes) for nodes in self.focus.values())


def focus_plan(data: rdflib.Graph, shapes: ShapeDependencies, change: Change) -> FocusPlan:
    """The focus nodes of each shape that ``change`` can affect; ``data`` is the graph after it."""
    if change.shapes_changed:
        return FocusPlan({}, {}, "the shapes changed")
    if shapes.unbounded is not None:
        return FocusPlan({}, {}, shapes.unbounded)
    if any(p == RDFS.subClassOf for _s, p, _o in change):
        return FocusPlan({}, {}, "the class hierarchy changed")
    whole: dict[Node, str] = {}
    for root in shapes.compiled:
        if root.unbounded is not None:
            whole[root.shape] = root.unbounded
        elif root.has_sparql and _sparql_reads_any(root.sparql, change):
            whole[root.shape] = "a SPARQL constraint can read a changed triple"
    starts: dict[Node, set[tuple[Node, int]]] = {}
    classes: dict[frozenset[Node], frozenset[Node]] = {}
    for s, p, o in change:
        for root, read in [*shapes.by_predicate.get(p, ()), *shapes.any_predicate]:
            if root.shape in whole:
                continue
            if read.classes is not None:
                if read.classes not in classes:
                    classes[read.classes] = _with_subclasses(data, read.classes)
                if o not in classes[read.classes]:
                    continue
            starts.setdefault(root.shape, set()).add((o if read.inverse else s, read.state))
    focus: dict[Node, frozenset[Node]] = {}
    through: dict[Node, frozenset[Node]] = {}
    roots = {root.shape: root for root in shapes.compiled}
    for shape, seeds in starts.items():
        root = roots[shape]
        targeted = _with_subclasses(data, root.target_classes)
        reached, seen = _walk_back(data, root, seeds)
        mine = frozenset(n for n in reached if root.is_target(data, n, targeted))
        if mine:
            focus[shape] = mine
            if root.through is not None:
                through[shape] = frozenset(n for n, state in seen if state == root.through)
    return FocusPlan(focus, whole, through=through)


def _sparql_reads_any(reads: dict[Node, frozenset[Node] | None] | None, change: Change) -> bool:
    if reads is None:
        return True
    for _s, p, o in change:
        if p in reads:
            objects = reads[p]
            if objects is None or o in objects:
                return True
    return False


def _with_subclasses(data: rdflib.Graph, classes: frozenset[Node]) -> frozenset[Node]:
    if not classes:
        return classes
    found = set(classes)
    for cls in classes:
        found.update(c for c in data.transitive_subjects(RDFS.subClassOf, cls) if c is not None)
    return frozenset(found)


def _walk_back(
    data: rdflib.Graph, root: ShapeReads, seeds: set[tuple[Node, int]]
) -> tuple[set[Node], set[tuple[Node, int]]]:
    """The nodes in state 0 from which the automaton reaches one of ``seeds`` in ``data``, and
    every (node, state) pair on the way."""
    seen = set(seeds)
    todo = list(seeds)
    found: set[Node] = set()
    while todo:
        node, state = todo.pop()
        if state == 0:
            found.add(node)
        before: list[tuple[Node, int]] = [(node, s) for s in root.eps_in.get(state, ())]
        for read in root.incoming.get(state, ()):
            assert read.predicate is not None
            if read.inverse:  # (x) <-p- ... read at x gave node: x is an object of node's p
                before.extend((x, read.state) for x in data.objects(node, read.predicate))
            else:
                before.extend((x, read.state) for x in data.subjects(read.predicate, node))
        for item in before:
            if item not in seen:
                seen.add(item)
                todo.append(item)
    return found, seen


# -- Validating the focus nodes -------------------------------------------------------------------


def read_triples(
    data: rdflib.Graph,
    root: ShapeReads,
    focus: Iterable[Node],
    through: frozenset[Node] | None = None,
) -> tuple[set[Triple], set[tuple[Node, int]]]:
    """Every triple of ``data`` the validation of ``focus`` against ``root`` reads, and the
    (node, state) pairs it visits; with ``through``, only what it reads of the solutions
    hanging from those nodes (in ``root.through``)."""
    if through is not None and root.through is not None:
        return _read_through(data, root, focus, through)
    return _read_from(data, root.outgoing, root.eps_out, {(node, 0) for node in focus})


def _read_from(
    data: rdflib.Graph,
    outgoing: dict[int, list[Read]],
    eps_out: dict[int, list[int]],
    starts: set[tuple[Node, int]],
) -> tuple[set[Triple], set[tuple[Node, int]]]:
    """The triples the reads ``outgoing`` read from ``starts`` on, and the pairs visited."""
    seen = set(starts)
    todo = list(seen)
    found: set[Triple] = set()
    while todo:
        node, state = todo.pop()
        after: list[tuple[Node, int]] = [(node, s) for s in eps_out.get(state, ())]
        for read in outgoing.get(state, ()):
            if read.predicate is None:
                found.update(data.triples((node, None, None)))
            elif read.inverse:
                for x in data.subjects(read.predicate, node):
                    found.add((x, read.predicate, node))
                    if read.to is not None:
                        after.append((x, read.to))
            else:
                for x in data.objects(node, read.predicate):
                    found.add((node, read.predicate, x))
                    if read.to is not None:
                        after.append((x, read.to))
        for item in after:
            if item not in seen:
                seen.add(item)
                todo.append(item)
    return found, seen


def _read_through(
    data: rdflib.Graph, root: ShapeReads, focus: Iterable[Node], through: frozenset[Node]
) -> tuple[set[Triple], set[tuple[Node, int]]]:
    """What the solutions hanging from ``through`` read: the one pattern joining each to a
    focus node, and all that is read from it on."""
    first = root.outgoing[0][0]
    assert first.predicate is not None
    found: set[Triple] = set()
    starts: list[Node] = []
    for node in focus:
        for value in through:
            triple = (
                (value, first.predicate, node) if first.inverse else (node, first.predicate, value)
            )
            if triple in data:
                found.add(triple)
                starts.append(value)
    past = {state: reads for state, reads in root.outgoing.items() if state != 0}
    assert root.through is not None
    triples, seen = _read_from(data, past, root.eps_out, {(n, root.through) for n in starts})
    return found | triples, seen | {(node, 0) for node in focus}


def covered(
    data: rdflib.Graph, shapes: ShapeDependencies, plan: FocusPlan
) -> tuple[set[Triple], set[tuple[str, str]]]:
    """The triples validating ``plan.focus`` reads, and the (focus node, shape IRI) pairs of the
    results it can give, both as reports show them (see :func:`validate_focus`)."""
    roots = {root.shape: root for root in shapes.compiled}
    triples: set[Triple] = set()
    pairs: set[tuple[str, str]] = set()
    for shape, nodes in plan.focus.items():
        root = roots[shape]
        found, visited = read_triples(data, root, nodes, plan.through.get(shape))
        triples |= found
        for node, state in visited:
            pairs.update((_show(node), name) for name in root.state_names.get(state, ()))
    return triples, pairs


def validate_focus(
    data: rdflib.Graph, shapes: ShapeDependencies, plan: FocusPlan
) -> ValidationReport:
    """Validate what ``plan`` names: its focus nodes over the triples their validation reads,
    the shapes it validates whole over all of ``data``. See the module docstring for when this
    equals a full validation."""
    if plan.everything is not None:
        return validate_graphs(data, shapes.shapes)
    found: list[ValidationResult] = []
    if plan.focus:
        triples, wanted = covered(data, shapes, plan)
        small = rdflib.Graph()
        for triple in triples:
            small.add(triple)
        for triple in data.triples((None, RDFS.subClassOf, None)):
            small.add(triple)
        # Only the planned shapes keep their targets (the others are there for the shapes that
        # name them); a node of the small graph that a planned shape targets but the plan does
        # not name is validated on incomplete data, and its results are dropped.
        planned = shapes.only_targets_of(frozenset(plan.focus))
        workers = 2 if plan.size >= PARALLEL_FOCUS_NODES else 1
        report = validate_graphs(small, planned, workers=workers)
        for result in report.results:
            name = _named(result.source_shape)
            if (result.focus_node, name) in wanted or (
                name is None and any(f == result.focus_node for f, _n in wanted)
            ):
                found.append(result)
    if plan.whole:
        report = validate_graphs(data, shapes.only_targets_of(frozenset(plan.whole)))
        found.extend(report.results)
    return ValidationReport(_in_order(found), len(shapes.shapes), len(data))


def validate_change(
    data: rdflib.Graph, shapes: ShapeDependencies, change: Change
) -> tuple[ValidationReport, FocusPlan]:
    """Validate ``data`` (the graph after ``change``) as far as ``change`` can affect it."""
    plan = focus_plan(data, shapes, change)
    return validate_focus(data, shapes, plan), plan


def _only_targets_of(shapes: rdflib.Graph, keep: frozenset[Node]) -> rdflib.Graph:
    """The shapes in ``keep`` and all they refer to (nested shapes, lists, paths, prefix
    declarations), with the targets of every other shape left out: what validating ``keep``'s
    targets reads of the shapes graph, and no more for pySHACL to read (it reads the whole
    shapes graph again on every call: the fewer shapes, the faster a small write's check)."""
    share = rdflib.Graph()
    for prefix, namespace in shapes.namespaces():  # pySHACL's default messages use them
        share.bind(prefix, namespace, override=True, replace=True)
    seen: set[Node] = set()
    todo = list(keep)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in shapes.predicate_objects(node):
            if p not in TARGETS or node in keep:
                share.add((node, p, o))
            if o not in seen and (o, None, None) in shapes:
                todo.append(o)
    return share


def _show(term: Node) -> str:
    """A term as a report shows it (see validation.ValidationResult)."""
    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return str(term.n3())


_NAMED = re.compile(r"^<([^>]+)>")


def _named(source_shape: str | None) -> str | None:
    """The IRI of the named shape a result is reported under, if any."""
    found = _NAMED.match(source_shape or "")
    return found.group(1) if found else None


def _in_order(results: list[ValidationResult]) -> list[ValidationResult]:
    rank = {"Violation": 0, "Warning": 1, "Info": 2}
    return sorted(
        results,
        key=lambda r: (rank[r.severity], r.focus_node, r.path or "", r.message, r.value or ""),
    )
