"""SHACL validation with pySHACL, and a report a person can act on.

The data graph is the union of our graphs (ontology, code lists, facts and the inferred graph, but
not the standard vocabularies, which are taken as published), cut down to the triples some shape can
look at; the shapes graph is the union of the shapes graphs. No inference is run here: the build has
already stored the entailments.

Only ``sh:Violation`` results fail a build; ``sh:Warning`` and ``sh:Info`` results are printed.
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from ..config import Settings
from ..rdf.terms import quiet_rdflib, rdflib_graph
from ..store.oxigraph import Store, gc_paused


@dataclass(frozen=True)
class ValidationResult:
    severity: str  # "Violation", "Warning" or "Info"
    message: str
    focus_node: str
    path: str | None
    source_shape: str | None
    value: str | None

    def describe(self) -> str:
        lines = [f"{self.severity}: {self.message}", f"  focus node: {self.focus_node}"]
        if self.path is not None:
            lines.append(f"  path:       {self.path}")
        if self.value is not None:
            lines.append(f"  value:      {self.value}")
        if self.source_shape is not None:
            lines.append(f"  shape:      {self.source_shape}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ValidationReport:
    results: list[ValidationResult] = field(default_factory=list)
    shapes_triples: int = 0
    data_triples: int = 0

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def summary(self) -> str:
        verdict = "conforms" if self.conforms else "does not conform"
        counts = ", ".join(
            f"{self.count(s)} {s.lower()}{'s' if self.count(s) != 1 else ''}"
            for s in ("Violation", "Warning", "Info")
        )
        if not self.shapes_triples:
            return f"{verdict} (no shapes)"
        return f"{verdict}: {counts}"

    def describe(self) -> str:
        """The whole report as text: one block per result, then the summary line."""
        blocks = [r.describe() for r in self.results]
        return "\n".join([*blocks, f"SHACL: {self.summary()}"])

    def brief(self) -> str:
        """The report on a screen: every violation in full, the warnings and infos counted per
        shape with one example each, then the summary line (``describe`` has every one)."""
        blocks = [r.describe() for r in self.violations]
        groups: dict[tuple[str, str | None, str], list[ValidationResult]] = {}
        for r in self.results:
            if r.severity != "Violation":
                groups.setdefault((r.severity, r.source_shape, r.message), []).append(r)
        for (severity, shape, message), found in groups.items():
            first = found[0]
            more = f" ({len(found):,} like it; the first:)" if len(found) > 1 else ""
            lines = [f"{severity}: {message}{more}", f"  focus node: {first.focus_node}"]
            if shape:
                lines.append(f"  shape:      {shape}")
            blocks.append("\n".join(lines))
        hidden = len(self.results) - len(self.violations) - len(groups)
        tail = (
            f" ({hidden:,} more warnings like those above: `ofsted-kg validate --warnings` "
            "lists every one)"
            if hidden
            else ""
        )
        return "\n".join([*blocks, f"SHACL: {self.summary()}{tail}"])


def _show(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return term.n3()


def _severity(term: Node | None) -> str:
    if term in (SH.Warning, SH.Info):
        return str(term).rsplit("#", 1)[-1]
    return "Violation"


def _shape_name(shapes: rdflib.Graph, shape: Node | None) -> str | None:
    """A blank-node property shape is shown through the named node shape that holds it."""
    if not isinstance(shape, rdflib.BNode):
        return _show(shape)
    for owner in shapes.subjects(SH.property, shape):
        if isinstance(owner, rdflib.URIRef):
            path = shapes.value(shape, SH.path)
            suffix = f" (property {_show(path)})" if isinstance(path, rdflib.URIRef) else ""
            return f"<{owner}>{suffix}"
    return _show(shape)


def _path(results: rdflib.Graph, node: Node) -> str | None:
    path = results.value(node, SH.resultPath)
    if path is None or isinstance(path, rdflib.URIRef):
        return _show(path)
    # A complex path (inverse, sequence ...) is a blank-node structure: show its Turtle form.
    inverse = results.value(path, SH.inversePath)
    if isinstance(inverse, rdflib.URIRef):
        return f"^<{inverse}>"
    return "(complex path)"


def validate_graphs(
    data: rdflib.Graph, shapes: rdflib.Graph, *, workers: int = 1
) -> ValidationReport:
    """Validate ``data`` against ``shapes`` (no inference); results sorted for stable output.

    With ``workers`` > 1 the shapes are shared out between that many forked processes, each
    validating all of ``data`` against its share (a shape's results do not depend on the other
    shapes, so the union of the shares' results is the whole report)."""
    if len(shapes) == 0:
        return ValidationReport([], 0, len(data))
    shares = _share_out(shapes, workers)
    if len(shares) > 1 and "fork" in multiprocessing.get_all_start_methods():
        _FORKED.update(data=data, shares=shares)
        try:
            with multiprocessing.get_context("fork").Pool(len(shares)) as pool:
                parts = pool.map(_validate_share, range(len(shares)))
        finally:
            _FORKED.clear()
        found = [result for part in parts for result in part]
        return ValidationReport(_sorted(found), len(shapes), len(data))
    return ValidationReport(_sorted(_results(data, shapes)), len(shapes), len(data))


# What forked validation processes inherit from their parent: set just before the fork, cleared
# just after, so nothing is pickled and nothing outlives one validate_graphs call.
_FORKED: dict[str, Any] = {}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _validate_share(index: int) -> list[ValidationResult]:
    return _results(_FORKED["data"], _FORKED["shares"][index])


def _share_out(shapes: rdflib.Graph, workers: int) -> list[rdflib.Graph]:
    """``shapes`` as ``workers`` graphs, each with the targets of a share of the targeted shapes
    (a shape without a target is only checked when another shape refers to it)."""
    targeted = sorted({s for p in _TARGETS for s in shapes.subjects(p, None)}, key=str)
    if workers <= 1 or len(targeted) < 2:
        return [shapes]
    shares = []
    for index in range(min(workers, len(targeted))):
        mine = set(targeted[index :: min(workers, len(targeted))])
        share = rdflib.Graph()
        for s, p, o in shapes:
            if p not in _TARGETS or s in mine:
                share.add((s, p, o))
        shares.append(share)
    return shares


def _results(data: rdflib.Graph, shapes: rdflib.Graph) -> list[ValidationResult]:
    with quiet_rdflib():
        _conforms, results_graph, _text = pyshacl_validate(
            data,
            shacl_graph=shapes,
            inference="none",
            abort_on_first=False,
            allow_warnings=True,
            allow_infos=True,
            meta_shacl=False,
            advanced=False,
            inplace=True,
        )
    assert isinstance(results_graph, rdflib.Graph)
    found: list[ValidationResult] = []
    for node in results_graph.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in results_graph.objects(node, SH.resultMessage))
        focus = results_graph.value(node, SH.focusNode)
        found.append(
            ValidationResult(
                severity=_severity(results_graph.value(node, SH.resultSeverity)),
                message="; ".join(messages) or "(the shape gives no sh:message)",
                focus_node=_show(focus) or "(none)",
                path=_path(results_graph, node),
                source_shape=_shape_name(shapes, results_graph.value(node, SH.sourceShape)),
                value=_show(results_graph.value(node, SH.value)),
            )
        )
    return found


def _sorted(results: list[ValidationResult]) -> list[ValidationResult]:
    rank = {"Violation": 0, "Warning": 1, "Info": 2}
    return sorted(
        results,
        key=lambda r: (rank[r.severity], r.focus_node, r.path or "", r.message, r.value or ""),
    )


def shape_vocabulary(shapes: rdflib.Graph) -> frozenset[str] | None:
    """Every IRI the shapes can look at, or None when they may look at anything.

    That is every IRI in the shapes graph, plus those a SPARQL-based constraint names in its query
    text (as <IRI> or as a prefixed name declared with sh:declare). A closed shape looks at every
    predicate of its focus nodes, so with one there is nothing to leave out."""
    if (None, SH.closed, rdflib.Literal(True)) in shapes:
        return None
    iris = {str(t) for triple in shapes for t in triple if isinstance(t, rdflib.URIRef)}
    prefixes = {
        str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
        for d in shapes.objects(None, SH.declare)
    }
    for predicate in (SH.select, SH.ask, SH.construct, SH.update):
        for text in shapes.objects(None, predicate):
            iris.update(_IRI_REF.findall(str(text)))
            for prefix, local in _PREFIXED_NAME.findall(str(text)):
                if prefix in prefixes:
                    iris.add(prefixes[prefix] + local)
    return frozenset(iris)


_IRI_REF = re.compile(r"<([^<>\s{}]+)>")
_PREFIXED_NAME = re.compile(r"(?<![\w<#])([A-Za-z][\w-]*):([A-Za-z_][\w-]*)")
_RDF_TYPE = RDF.type.toPython()


def relevant_quads(
    quads: Iterable[ox.Quad], vocabulary: frozenset[str] | None
) -> Iterator[ox.Quad]:
    """The quads a shape can see: a predicate the shapes name, or a type they name.

    Validating only these gives the same report as validating everything, far faster: most of
    the inferred graph (inverse properties, superproperties, the vocabularies' own axioms) is
    never looked at by any shape."""
    for quad in quads:
        predicate = quad.predicate.value
        if vocabulary is None or predicate in vocabulary:
            yield quad
        elif predicate == _RDF_TYPE:
            obj = quad.object
            if isinstance(obj, ox.NamedNode) and obj.value in vocabulary:
                yield quad


GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def graph_kinds(settings: Settings) -> Callable[[GraphName], str]:
    """What a graph holds, by its name: ``inferred`` (the entailments), ``shapes``, ``vocab`` (a
    standard vocabulary, taken as published), ``data`` (ours) or ``default`` (the default
    graph, or a graph named by a blank node)."""
    inferred = settings.inferred_graph
    shapes = settings.shapes_graph_prefix
    vocab = settings.graph_iri("vocab/")

    def kind(graph: GraphName) -> str:
        if not isinstance(graph, ox.NamedNode):
            return "default"
        name = graph.value
        if name == inferred:
            return "inferred"
        if name.startswith(shapes):
            return "shapes"
        return "vocab" if name.startswith(vocab) else "data"

    return kind


def our_quads(quads: Iterable[ox.Quad], settings: Settings) -> list[ox.Quad]:
    """The quads that are ours to validate: every graph but the shapes and the vocabularies.

    The standard vocabularies are taken as published, so their graphs are left out, and so are
    the entailments about things that they mention and we do not describe (their authors, their
    versions, the ontologies we import)."""
    asserted: list[ox.Quad] = []
    entailed: list[ox.Quad] = []
    theirs: set[object] = set()
    kind_of = graph_kinds(settings)
    for quad in quads:
        kind = kind_of(quad.graph_name)
        if kind == "inferred":
            entailed.append(quad)
        elif kind == "vocab":
            theirs.update((quad.subject, quad.object))
        elif kind != "shapes":
            asserted.append(quad)
    only_theirs = theirs - {q.subject for q in asserted}
    return asserted + [q for q in entailed if q.subject not in only_theirs]


def validate_quads(quads: Iterable[ox.Quad], settings: Settings) -> ValidationReport:
    """Validate a dataset given as quads: our graphs (see :func:`our_quads`) against its shapes
    graphs (those under ``settings.shapes_graph_prefix``)."""
    with start_validation(list(quads), settings) as pending:
        return pending.wait()


class PendingValidation:
    """A validation under way in forked worker processes (or, with one worker, still to run):
    ``wait()`` gives its report. Leaving the ``with`` block stops any worker still running."""

    def __init__(self, data: rdflib.Graph, shapes: rdflib.Graph, workers: int) -> None:
        self.data = data
        self.shapes = shapes
        self.shares = _share_out(shapes, workers) if len(shapes) else [shapes]
        self.pool: Any = None
        self.pending: Any = None
        if len(self.shares) > 1 and "fork" in multiprocessing.get_all_start_methods():
            _FORKED.update(data=data, shares=self.shares)
            try:  # the workers are forked here, and inherit data and shares
                self.pool = multiprocessing.get_context("fork").Pool(len(self.shares))
            finally:
                _FORKED.clear()
            self.pending = self.pool.map_async(_validate_share, range(len(self.shares)))

    def __enter__(self) -> PendingValidation:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def wait(self) -> ValidationReport:
        if len(self.shapes) == 0:
            return ValidationReport([], 0, len(self.data))
        if self.pending is not None:
            parts = self.pending.get()
            found = [result for part in parts for result in part]
        else:
            found = _results(self.data, self.shapes)
        return ValidationReport(_sorted(found), len(self.shapes), len(self.data))


def start_validation(quads: Sequence[ox.Quad], settings: Settings) -> PendingValidation:
    """Start validating a dataset given as quads (see :func:`validate_quads`) and return at once,
    so that the caller can work meanwhile (the build writes its store)."""
    prefix = settings.shapes_graph_prefix
    with gc_paused():  # a large graph of small objects, none of them cyclic
        shapes = rdflib_graph(
            q
            for q in quads
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(prefix)
        )
        data = rdflib_graph(relevant_quads(our_quads(quads, settings), shape_vocabulary(shapes)))
    return PendingValidation(data, shapes, settings.validation_workers)


def validate_store(store: Store, settings: Settings) -> ValidationReport:
    """Validate a store's content (see :func:`validate_quads`)."""
    return validate_quads(list(store.quads()), settings)
