"""Incremental SHACL validation (``ofsted_kg.build.focus``) reaches a full validation's verdict.

The project's graph is parsed, reasoned over and cut down to the data graph the build validates
once per module. Each example is a small write (one to three edits: a triple removed that a shape
needs through a path, a type that reasoning adds, a required property removed, a claim, person or
judgement added, valid or not); the graph is reasoned over again in full, the change to the data
graph (asserted and inferred triples) computed, and the write validated twice: incrementally
(only the focus nodes the change can affect) and in full with pySHACL. The violations must be the
same; every result of the incremental validation, warnings included, must be one of the full
validation's. The graph conforms before each write, as the incremental validation requires.

A full validation of the graph takes some ten seconds, so the examples are few: two fixed writes
that between them make every kind of edit, and a few drawn at random.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from ofsted_kg.build.focus import Change, FocusPlan, ShapeDependencies, covered, validate_change
from ofsted_kg.build.pipeline import infer
from ofsted_kg.build.sources import DATA_KINDS, discover, parse_all, quads_of
from ofsted_kg.build.validation import (
    ValidationReport,
    ValidationResult,
    our_quads,
    relevant_quads,
    shape_vocabulary,
    validate_graphs,
)
from ofsted_kg.config import Settings, load_settings
from ofsted_kg.rdf.terms import from_rdflib, rdflib_graph, to_rdflib
from rdflib.namespace import FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

ROOT = Path(__file__).resolve().parent.parent
OKG = rdflib.Namespace("https://w3id.org/ofsted-kg/def/")
NEW = "https://w3id.org/ofsted-kg/id/test/"

OxTriple = tuple[
    ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal
]


@dataclass(frozen=True)
class Write:
    added: tuple[ox.Quad, ...] = ()
    removed: tuple[ox.Quad, ...] = ()

    def __add__(self, other: Write) -> Write:
        return Write(self.added + other.added, self.removed + other.removed)


class World:
    """The project's graph as the build validates it, and writes applied to it in turn."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        parsed = parse_all(discover(settings.root, settings.base))
        self.quads = [q for p in parsed for q in p.quads]
        self.data_kinds = set(quads_of(parsed, DATA_KINDS))
        prefix = settings.shapes_graph_prefix
        self.shapes = rdflib_graph(
            q
            for q in self.quads
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(prefix)
        )
        self.vocabulary = shape_vocabulary(self.shapes)
        self.dependencies = ShapeDependencies.of(self.shapes)
        self.write_graph = ox.NamedNode(settings.graph_iri("tests/incremental-writes"))
        self.base = self.data_triples(self.quads)
        self.graph = rdflib.Graph()
        for triple in self.base:
            self.graph.add(_rdflib(triple))
        self.schema = rdflib_graph(
            q
            for q in self.data_kinds
            if q.predicate.value in (str(RDFS.subPropertyOf), str(OWL.inverseOf))
        )
        self.by_subject: dict[object, list[ox.Quad]] = {}
        self.by_object: dict[object, list[ox.Quad]] = {}
        for quad in self.data_kinds:
            self.by_subject.setdefault(quad.subject, []).append(quad)
            self.by_object.setdefault(quad.object, []).append(quad)

    def data_triples(self, quads: Sequence[ox.Quad]) -> set[OxTriple]:
        """The data graph the build validates for ``quads``: reasoned over, cut down."""
        data = [q for q in quads if q in self.data_kinds or q.graph_name == self.write_graph]
        inferred, _skipped = infer(data, self.settings.inferred_graph)
        ours = our_quads([*quads, *inferred], self.settings)
        return {(q.subject, q.predicate, q.object) for q in relevant_quads(ours, self.vocabulary)}

    @contextmanager
    def applied(self, write: Write) -> Iterator[Change]:
        """The change ``write`` makes to the data graph, applied to ``graph`` for the duration."""
        removed = set(write.removed)
        after = self.data_triples([*(q for q in self.quads if q not in removed), *write.added])
        change = Change(
            frozenset(_rdflib(t) for t in after - self.base),
            frozenset(_rdflib(t) for t in self.base - after),
        )
        for triple in change.removed:
            self.graph.remove(triple)
        for triple in change.added:
            self.graph.add(triple)
        try:
            yield change
        finally:
            for triple in change.added:
                self.graph.remove(triple)
            for triple in change.removed:
                self.graph.add(triple)

    # -- What the edits pick from ------------------------------------------------------------

    def instances(self, cls: Node, having: Node | None = None) -> list[Node]:
        found = {
            s
            for s in self.graph.subjects(RDF.type, cls)
            if isinstance(s, rdflib.URIRef)
            and str(s).startswith("https://w3id.org/ofsted-kg/id/")
            and (having is None or (s, having, None) in self.graph)
        }
        return sorted(found, key=str)

    def used(self, predicate: Node) -> list[Node]:
        return sorted({o for o in self.graph.objects(None, predicate)}, key=str)

    def asserted(
        self, node: Node, predicates: AbstractSet[Node], *, inverse: AbstractSet[Node] = frozenset()
    ) -> list[ox.Quad]:
        """The asserted quads that give ``node`` a value of one of ``predicates`` (or make it a
        value of one of ``inverse``), directly or through a subproperty or an inverse property,
        so that reasoning does not put the triple back."""
        forwards, backwards = self.derivers(set(predicates))
        backwards_too, forwards_too = self.derivers(set(inverse))
        term = from_rdflib(node)
        wanted = {from_rdflib(p) for p in forwards | forwards_too}
        found = [q for q in self.by_subject.get(term, []) if q.predicate in wanted]
        wanted = {from_rdflib(p) for p in backwards | backwards_too}
        found += [q for q in self.by_object.get(term, []) if q.predicate in wanted]
        return found

    def derivers(self, predicates: set[Node]) -> tuple[set[Node], set[Node]]:
        """The properties whose triples entail ``(x, p, y)`` for a p in ``predicates``: forwards
        ``(x, q, y)`` (p itself, its subproperties) and backwards ``(y, q, x)`` (inverses)."""
        forwards: set[Node] = set(predicates)
        backwards: set[Node] = set()
        while True:
            new_forwards = forwards | self.subproperties(forwards) | self.inverses_of(backwards)
            new_backwards = backwards | self.subproperties(backwards) | self.inverses_of(forwards)
            if (new_forwards, new_backwards) == (forwards, backwards):
                return forwards, backwards
            forwards, backwards = new_forwards, new_backwards

    def subproperties(self, predicates: set[Node]) -> set[Node]:
        return {s for p in predicates for s in self.schema.subjects(RDFS.subPropertyOf, p)}

    def inverses_of(self, predicates: set[Node]) -> set[Node]:
        return {i for p in predicates for i in self.inverses(p)}

    def inverses(self, predicate: Node) -> set[Node]:
        found = set(self.schema.objects(predicate, OWL.inverseOf))
        return found | set(self.schema.subjects(OWL.inverseOf, predicate))

    def clone(self, node: Node, name: str, *, without: AbstractSet[Node] = frozenset()) -> Write:
        """``node``'s asserted triples, less those with a predicate in ``without``, given to a new
        IRI."""
        new = ox.NamedNode(NEW + name)
        leave_out = {from_rdflib(p) for p in self.derivers(set(without))[0]}
        return Write(
            tuple(
                ox.Quad(new, q.predicate, q.object, self.write_graph)
                for q in self.by_subject.get(from_rdflib(node), [])
                if q.predicate not in leave_out
            )
        )

    def add(self, *triples: tuple[Node, Node, Node]) -> Write:
        return Write(
            tuple(
                ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), self.write_graph)
                for s, p, o in triples
            )
        )


def _rdflib(triple: OxTriple) -> tuple[Node, Node, Node]:
    s, p, o = triple
    return to_rdflib(s), to_rdflib(p), to_rdflib(o)


def pick(items: Sequence[Node], index: int) -> Node:
    assert items, "the graph has nothing to pick from"
    return items[index % len(items)]


# -- The edits ------------------------------------------------------------------------------------

SCHEME_LINKS = {SKOS.inScheme, SKOS.topConceptOf}


def grade_loses_scheme(world: World, index: int) -> Write:
    """A grade that judgements use is on no scale: GradeScheme on the grade, and the SPARQL rule
    on judgements' grades (through okg:grade)."""
    grade = pick(world.used(OKG.grade), index)
    return Write(removed=tuple(world.asserted(grade, SCHEME_LINKS, inverse={SKOS.hasTopConcept})))


def role_loses_scheme(world: World, index: int) -> Write:
    """A role that memberships hold leaves the roles scheme: MembershipRole fails on every
    membership holding it, through the path org:role then skos:inScheme."""
    role = pick(world.used(ORG.role), index)
    return Write(removed=tuple(world.asserted(role, SCHEME_LINKS, inverse={SKOS.hasTopConcept})))


def framework_loses_scale(world: World, index: int) -> Write:
    """A framework in use loses its grade scale: JudgementFrameworkIsGraded fails on judgements
    two steps away (prov:wasGeneratedBy, okg:framework)."""
    framework = pick(world.used(OKG.framework), index)
    return Write(removed=tuple(world.asserted(framework, {OKG.gradeScale})))


def grade_off_scale(world: World, index: int) -> Write:
    """A judgement given a grade of another framework's scale instead of its own: the SPARQL
    rule (JudgementGradeFitsFramework) fails on that judgement alone, found through the one
    pattern joining the rule's class to the judgement."""
    judgement = pick(world.instances(OKG.Judgement, OKG.grade), index)
    grade = world.graph.value(judgement, OKG.grade)
    scale = world.graph.value(grade, SKOS.inScheme)
    others = [g for g in world.used(OKG.grade) if (g, SKOS.inScheme, scale) not in world.graph]
    removed = world.asserted(judgement, {OKG.grade})
    return Write(removed=tuple(removed)) + world.add((judgement, OKG.grade, pick(others, index)))


def typed_by_domain(world: World, index: int) -> Write:
    """A person given an okg:judgementYear is a judgement by its domain: the judgement shapes
    apply to them."""
    person = pick(world.instances(FOAF.Person, RDFS.label), index)
    return world.add((person, OKG.judgementYear, rdflib.Literal("2013", datatype=XSD.gYear)))


def typed_by_range(world: World, index: int) -> Write:
    """A judgement given a second grade, a new IRI: the IRI is an okg:Grade by the range, with no
    label, scale or rank; the judgement has two grades."""
    judgement = pick(world.instances(OKG.Judgement, OKG.grade), index)
    return world.add((judgement, OKG.grade, rdflib.URIRef(NEW + f"not-a-grade-{index}")))


def typed_by_subclass(world: World, index: int) -> Write:
    """A person typed a news article is a source document by rdfs:subClassOf: no title, no
    publisher, no date."""
    person = pick(world.instances(FOAF.Person, RDFS.label), index)
    return world.add((person, RDF.type, OKG.NewsArticle))


REQUIRED = {
    OKG.Judgement: [OKG.area, OKG.grade, OKG.judgementOf],
    OKG.Claim: [PROV.wasAttributedTo, PROV.wasDerivedFrom],
    FOAF.Person: [RDFS.label],
}


def required_removed(world: World, index: int) -> Write:
    """A judgement, claim or person loses a property its shapes require."""
    cls = sorted(REQUIRED, key=str)[index % len(REQUIRED)]
    predicate = REQUIRED[cls][index // len(REQUIRED) % len(REQUIRED[cls])]
    node = pick(world.instances(cls, predicate), index // 7)
    return Write(removed=tuple(world.asserted(node, {predicate})))


def added_valid(world: World, index: int) -> Write:
    """A judgement, claim or person like one in the graph, under a new IRI."""
    cls = sorted(REQUIRED, key=str)[index % len(REQUIRED)]
    node = pick(world.instances(cls, REQUIRED[cls][0]), index // 3)
    return world.clone(node, f"valid-{index}")


def added_invalid(world: World, index: int) -> Write:
    """A judgement, claim or person like one in the graph, under a new IRI, less a property its
    shapes require."""
    cls = sorted(REQUIRED, key=str)[index % len(REQUIRED)]
    predicate = REQUIRED[cls][index // len(REQUIRED) % len(REQUIRED[cls])]
    node = pick(world.instances(cls, predicate), index // 7)
    return world.clone(node, f"invalid-{index}", without={predicate})


Edit = Callable[[World, int], Write]
EDITS: dict[str, Edit] = {
    edit.__name__: edit
    for edit in (
        grade_loses_scheme,
        grade_off_scale,
        role_loses_scheme,
        framework_loses_scale,
        typed_by_domain,
        typed_by_range,
        typed_by_subclass,
        required_removed,
        added_valid,
        added_invalid,
    )
}

# -- The test -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world() -> World:
    return World(load_settings(env={}, overrides={"root": ROOT}))


def key(result: ValidationResult) -> tuple[str | None, ...]:
    return (result.focus_node, result.source_shape, result.path, result.message, result.value)


def check(world: World, edits: list[tuple[str, int]]) -> tuple[ValidationReport, FocusPlan]:
    write = Write()
    for name, index in edits:
        write = write + EDITS[name](world, index)
    with world.applied(write) as change:
        assert change.added or change.removed, f"{edits} changes nothing"
        incremental, plan = validate_change(world.graph, world.dependencies, change)
        full = validate_graphs(world.graph, world.shapes)
    got = {key(r) for r in incremental.violations}
    expected = {key(r) for r in full.violations}
    missed, extra = sorted(map(str, expected - got)), sorted(map(str, got - expected))
    assert got == expected, f"{edits}: missed {missed}; extra {extra}"
    spurious = {key(r) for r in incremental.results} - {key(r) for r in full.results}
    assert not spurious, f"{edits}: results a full validation does not give: {spurious}"
    return incremental, plan


edits = st.lists(
    st.tuples(st.sampled_from(sorted(EDITS)), st.integers(min_value=0, max_value=10_000)),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=edits)
@example(
    edits=[
        ("grade_loses_scheme", 0),
        ("role_loses_scheme", 1),
        ("framework_loses_scale", 0),
        ("typed_by_domain", 2),
        ("added_valid", 1),
    ]
)
@example(
    edits=[
        ("typed_by_range", 3),
        ("grade_off_scale", 7),
        ("typed_by_subclass", 4),
        ("required_removed", 5),
        ("added_invalid", 6),
        ("added_valid", 2),
    ]
)
def test_incremental_validation_matches_full(world: World, edits: list[tuple[str, int]]) -> None:
    check(world, edits)


def test_each_edit_makes_a_change(world: World) -> None:
    """Every kind of edit changes the data graph (so that the examples test something), and the
    invalid ones are found invalid by the incremental validation alone (cheap: no full run)."""
    valid = {"added_valid"}
    for name, edit in EDITS.items():
        with world.applied(edit(world, 1)) as change:
            assert change.added or change.removed, name
            report, _plan = validate_change(world.graph, world.dependencies, change)
        assert report.conforms == (name in valid), f"{name}:\n{report.describe()}"


# -- Every kind of path, on small random graphs ---------------------------------------------------

# Shapes that use what the project's shapes do not (yet): sequence, inverse, one-or-more and
# zero-or-more paths, sh:node, sh:equals, closed shapes, targets of every kind, a subclass; and
# SPARQL rules of both forms: one row per node joined to a target node's class (ex:Rows, as
# shape:JudgementGradeFitsFramework), and one evaluated at each focus node (ex:PerNode).
SYNTHETIC_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix ex: <http://example.org/> .

ex:Sequence a sh:PropertyShape ; sh:targetClass ex:A ;
    sh:path ( ex:p ex:q ) ; sh:class ex:C ; sh:message "s." .
ex:Inverse a sh:PropertyShape ; sh:targetClass ex:A ;
    sh:path [ sh:inversePath ex:p ] ; sh:maxCount 1 ; sh:message "i." .
ex:OneOrMore a sh:PropertyShape ; sh:targetSubjectsOf ex:q ;
    sh:path [ sh:oneOrMorePath ex:p ] ; sh:node ex:HasR ; sh:message "o." .
ex:HasR a sh:NodeShape ; sh:property [ sh:path ex:r ; sh:minCount 1 ] .
ex:ZeroOrMore a sh:PropertyShape ; sh:targetObjectsOf ex:r ;
    sh:path [ sh:zeroOrMorePath [ sh:inversePath ex:q ] ] ; sh:maxCount 2 ; sh:message "z." .
ex:Closed a sh:NodeShape ; sh:targetClass ex:B ; sh:closed true ;
    sh:ignoredProperties ( rdf:type ex:q ) ; sh:property [ sh:path ex:p ] ; sh:message "c." .
ex:Equals a sh:PropertyShape ; sh:targetClass ex:B ;
    sh:path ex:p ; sh:equals ex:q ; sh:message "e." .
ex:Either a sh:NodeShape ; sh:targetNode ex:n1 ;
    sh:or ( [ sh:path ex:r ; sh:minCount 1 ] [ sh:path ex:q ; sh:hasValue ex:n2 ] ) ;
    sh:message "or." .
ex:Qualified a sh:PropertyShape ; sh:targetClass ex:A ;
    sh:path [ sh:alternativePath ( ex:q [ sh:inversePath ex:r ] ) ] ;
    sh:qualifiedValueShape [ sh:path ( ex:r ex:p ) ; sh:minCount 1 ] ;
    sh:qualifiedMaxCount 1 ; sh:message "q." .
ex:Optional a sh:PropertyShape ; sh:targetClass ex:C ;
    sh:path ( [ sh:zeroOrOnePath ex:p ] rdf:type ) ; sh:hasValue ex:B ; sh:message "zo." .
ex:Rows a sh:NodeShape ; sh:targetNode ex:A ;
    sh:sparql [ sh:message "rows {?value}." ; sh:select '''
        PREFIX ex: <http://example.org/>
        SELECT $this ?value WHERE {
            ?value a $this ; ex:p ?x . ?x ex:q ?y . FILTER NOT EXISTS { ?y ex:r ?x } }''' ] .
ex:PerNode a sh:NodeShape ; sh:targetClass ex:B ;
    sh:sparql [ sh:message "per {?v}." ; sh:select '''
        PREFIX ex: <http://example.org/>
        SELECT $this ?v WHERE {
            $this ex:q ?v . OPTIONAL { ?v ex:p ?w . ?w a ex:C } FILTER (!BOUND(?w)) }''' ] .
"""
EX = rdflib.Namespace("http://example.org/")
NODES = [EX[f"n{i}"] for i in range(5)]
SMALL_TRIPLES = [
    *((s, p, o) for s in NODES for p in (EX.p, EX.q, EX.r) for o in NODES),
    *((s, RDF.type, c) for s in NODES for c in (EX.A, EX.A2, EX.B, EX.C)),
]
SUBCLASS = (EX.A2, RDFS.subClassOf, EX.A)


class Synthetic(tuple[rdflib.Graph, ShapeDependencies]):
    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return "Synthetic(SYNTHETIC_SHAPES)"


@pytest.fixture(scope="module")
def synthetic() -> Synthetic:
    shapes = rdflib.Graph().parse(data=SYNTHETIC_SHAPES, format="turtle")
    return Synthetic((shapes, ShapeDependencies.of(shapes)))


def results_by_pair(report: ValidationReport) -> dict[tuple[str, str], set[tuple[str | None, ...]]]:
    found: dict[tuple[str, str], set[tuple[str | None, ...]]] = {}
    for result in report.results:
        named = re.match(r"^<([^>]+)>", result.source_shape or "")
        pair = (result.focus_node, named.group(1) if named else "")
        found.setdefault(pair, set()).add(key(result))
    return found


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    before=st.sets(st.sampled_from(SMALL_TRIPLES), max_size=14),
    added=st.sets(st.sampled_from(SMALL_TRIPLES), max_size=3),
    removed=st.sets(st.sampled_from(SMALL_TRIPLES), max_size=3),
)
def test_every_result_that_changes_is_planned(
    synthetic: Synthetic,
    before: set[tuple[Node, Node, Node]],
    added: set[tuple[Node, Node, Node]],
    removed: set[tuple[Node, Node, Node]],
) -> None:
    """Without the precondition: whatever a write changes in a full validation's results is
    covered by the plan (a planned focus node and shape, or a node and shape nested in it that the
    planned validation reaches), and validating the plan gives exactly a full validation's
    results for what it covers."""
    shapes, dependencies = synthetic
    after = (before - removed) | added | {SUBCLASS}
    old, new = rdflib.Graph(), rdflib.Graph()
    for triple in [*before, SUBCLASS]:
        old.add(triple)
    for triple in after:
        new.add(triple)
    change = Change.between(old, new)
    full_before = results_by_pair(validate_graphs(old, shapes))
    full_after = results_by_pair(validate_graphs(new, shapes))
    incremental, plan = validate_change(new, dependencies, change)
    roots = {root.shape: root for root in dependencies.compiled}
    _triples, planned = covered(new, dependencies, plan)
    # Pairs whose results vanish need no cover: a report of the graph after the write has none.
    changed = {pair for pair, keys in full_after.items() if full_before.get(pair) != keys}
    whole = {name for shape in plan.whole for name in roots[shape].names}
    unplanned = {pair for pair in changed if pair not in planned and pair[1] not in whole}
    assert not unplanned, f"results changed outside the plan: {unplanned}"
    expected = {
        k for pair, keys in full_after.items() if pair in planned or pair[1] in whole for k in keys
    }
    assert {key(r) for r in incremental.results} == expected


def test_sparql_rules_are_read_from_this(synthetic: Synthetic, world: World) -> None:
    """SPARQL rules whose patterns all join to $this are compiled into reads (not validated
    whole on every change of a predicate they name); one whose solutions hang from one node
    joined to a target node's class evaluates only the solutions a change reaches."""
    _shapes, dependencies = synthetic
    roots = {root.shape: root for root in dependencies.compiled}
    assert not roots[EX.Rows].has_sparql and roots[EX.Rows].through is not None
    assert not roots[EX.PerNode].has_sparql and roots[EX.PerNode].through is None
    rule = rdflib.URIRef("https://w3id.org/ofsted-kg/def/shapes/JudgementGradeFitsFramework")
    real = {root.shape: root for root in world.dependencies.compiled}
    assert not real[rule].has_sparql and real[rule].through is not None
    with world.applied(grade_off_scale(world, 3)) as change:
        plan = validate_change(world.graph, world.dependencies, change)[1]
    assert rule not in plan.whole and len(plan.through[rule]) == 1
