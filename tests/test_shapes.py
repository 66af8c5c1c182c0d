"""The SHACL shapes (shapes/*.ttl): each rule fires on data that breaks it, valid data conforms,
every constraint explains itself, and the project's own graph conforms.

The test cases are data files. ``tests/shapes/invalid/<case>.ttl`` breaks one rule; its first
line names the shape (``# breaks: shape:ClaimAttribution``), and ``# also breaks:`` lines name any
other shape it cannot help breaking. ``tests/shapes/valid/*.ttl`` are small, complete examples that
must give no result at all, warnings included.

Each case is validated as the build validates a fact file: parsed into its own graph, reasoned over
together with the vocabularies and the ontology (``ofsted_kg.build.reasoning.entailments``), and the
union of all that and the entailments validated against the union of ``shapes/*.ttl``
(``ofsted_kg.build.validation.validate_graphs``). Reasoning over the vocabularies is the expensive
part, so it is done once per session: the vocabularies and ontology are closed under reasoning
once, and each case is reasoned over with their axioms only (see ``Vocabularies``). The slow test
``test_cached_vocabularies_give_the_entailments_of_the_build`` checks that this gives exactly the
triples the build's reasoning gives. The project's own graph is validated by the build's pipeline
itself (``test_the_graph_conforms``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from ofsted_kg.build import reasoning
from ofsted_kg.build.pipeline import validate_tree
from ofsted_kg.build.sources import (
    DEF,
    FACTS,
    SHAPES,
    VOCAB,
    ParsedSource,
    SourceFile,
    discover,
    parse_all,
    parse_file,
    quads_of,
)
from ofsted_kg.build.validation import (
    ValidationReport,
    ValidationResult,
    our_quads,
    validate_graphs,
)
from ofsted_kg.config import Settings, load_settings
from ofsted_kg.errors import ValidationError
from ofsted_kg.rdf.terms import from_rdflib, rdflib_graph
from ofsted_kg.store.oxigraph import Store
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).parent / "shapes"
SHAPE = "https://w3id.org/ofsted-kg/def/shapes/"
HEADER = re.compile(r"^# (breaks|also breaks): shape:([A-Za-z]+)\s*$")

Triple = tuple[Node, Node, Node]


# -- The cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    path: Path
    breaks: str  # the IRI of the shape the case is about
    also: frozenset[str]  # IRIs of shapes it breaks as well, by necessity

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def expected(self) -> frozenset[str]:
        return self.also | {self.breaks}


def read_case(path: Path) -> Case:
    """A case file's header: ``# breaks: shape:X`` first, then any ``# also breaks: shape:Y``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    first = HEADER.match(lines[0]) if lines else None
    if first is None or first.group(1) != "breaks":
        raise ValueError(f"{path}: the first line must be '# breaks: shape:<Name>'")
    also = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        found = HEADER.match(line)
        if found is not None and found.group(1) == "also breaks":
            also.append(SHAPE + found.group(2))
    return Case(path, SHAPE + first.group(2), frozenset(also))


INVALID = [read_case(path) for path in sorted((CASES / "invalid").glob("*.ttl"))]
VALID = sorted((CASES / "valid").glob("*.ttl"))


# -- Validating a case as the build does ----------------------------------------------------------

# The predicates of the axioms that OWL 2 RL reasoning reads together with instance data. Typing
# triples are kept when they declare a property characteristic or an OWL class (``rdf:type`` with an
# object in the OWL namespace).
AXIOM_PREDICATES = frozenset(
    {
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.inverseOf,
        OWL.onProperty,
        OWL.someValuesFrom,
        OWL.allValuesFrom,
        OWL.hasValue,
        OWL.maxCardinality,
        OWL.maxQualifiedCardinality,
        OWL.onClass,
        OWL.intersectionOf,
        OWL.unionOf,
        OWL.oneOf,
        OWL.complementOf,
        OWL.propertyChainAxiom,
        OWL.hasKey,
        OWL.disjointWith,
        OWL.propertyDisjointWith,
        RDF.first,
        RDF.rest,
    }
)


def is_axiom(triple: Triple) -> bool:
    _, predicate, obj = triple
    if predicate == RDF.type:
        return isinstance(obj, rdflib.URIRef) and str(obj).startswith(str(OWL))
    return predicate in AXIOM_PREDICATES


@contextmanager
def added(graph: rdflib.Graph, triples: Iterable[Triple]) -> Iterator[None]:
    """``graph`` with ``triples`` in it for the duration; exactly those not already there are
    taken out again afterwards."""
    new = [t for t in triples if t not in graph]
    for triple in new:
        graph.add(triple)
    try:
        yield
    finally:
        for triple in new:
            graph.remove(triple)


class Vocabularies:
    """The vocabularies and the ontology, closed under reasoning once per session.

    ``closed`` is what the build's data graph holds before any fact is added: vocabularies,
    ontology and their entailments. ``axioms`` is the ontology with the axioms of ``closed``; it
    leaves out the vocabularies' labels, comments and examples, which no OWL RL rule reads together
    with a fact. A case is reasoned over ``axioms`` plus its own triples, and validated as
    ``closed`` plus its own triples plus those entailments.
    """

    def __init__(self, sources: list[ParsedSource], settings: Settings) -> None:
        self.settings = settings
        asserted = rdflib_graph(quads_of(sources, frozenset({VOCAB, DEF})))
        entailed = reasoning.entailments(asserted)
        self.axioms = rdflib_graph(quads_of(sources, frozenset({DEF})))
        for triple in asserted + entailed:
            if is_axiom(triple):
                self.axioms.add(triple)
        # As the build validates (validation.our_quads): the ontology and what is inferred, but
        # not the standard vocabularies, nor what is inferred about things only they mention.
        ours = set(rdflib_graph(quads_of(sources, frozenset({DEF}))).subjects())
        vocab = rdflib_graph(quads_of(sources, frozenset({VOCAB})))
        self.theirs = {term for s, _p, o in vocab for term in (s, o)} - ours
        self.closed = rdflib_graph(quads_of(sources, frozenset({DEF})))
        for triple in entailed:
            if triple[0] not in self.theirs:
                self.closed.add(triple)
        self.shapes = rdflib_graph(quads_of(sources, frozenset({SHAPES})))
        # The datatypes the vocabularies and ontology use: OWL RL declares two datatypes disjoint
        # when the input uses both (a one-time rule), so a case that uses xsd:hexBinary gets
        # "xsd:anyURI owl:disjointWith xsd:hexBinary" from the vocabularies' xsd:anyURI in a build,
        # though its reasoning here sees only the axioms.
        self.datatypes = _datatypes_used(asserted)

    def facts(self, path: Path) -> rdflib.Graph:
        """A case file parsed as the build parses a fact file, into its own graph."""
        relpath = path.relative_to(ROOT).as_posix()
        graph = self.settings.graph_iri("tests/" + path.stem)
        source = SourceFile(path, relpath, FACTS, graph, ox.RdfFormat.TURTLE)
        return rdflib_graph(parse_file(source))

    def entailments(self, facts: rdflib.Graph) -> rdflib.Graph:
        """What reasoning adds for ``facts``, less what it says about things only the
        vocabularies mention (the build does not validate those either)."""
        with added(self.axioms, facts):
            entailed = reasoning.entailments(self.axioms)
        subjects = set(facts.subjects())
        for triple in list(entailed):
            if triple[0] in self.theirs and triple[0] not in subjects:
                entailed.remove(triple)
        used = self.datatypes | _datatypes_used(facts)
        for left, predicate, right in reasoning._DATATYPE_DISJOINTNESS:
            if left in used and right in used and left not in self.theirs:
                entailed.add((left, predicate, right))
        return entailed

    def validate(self, path: Path) -> ValidationReport:
        facts = self.facts(path)
        inferred = self.entailments(facts)
        with added(self.closed, [*facts, *inferred]):
            return validate_graphs(self.closed, self.shapes)


def _datatypes_used(graph: rdflib.Graph) -> set[Node]:
    """The datatypes of the literals in object position, and those typed as datatypes, as the
    reasoner's one-time rules count them."""
    used: set[Node] = {o.datatype for o in graph.objects() if isinstance(o, rdflib.Literal)}
    used |= {o for o in graph.objects(None, RDF.type) if o in reasoning._DATATYPE_SET}
    return {d for d in used if d in reasoning._DATATYPE_SET}


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings(env={}, overrides={"root": ROOT})


@pytest.fixture(scope="session")
def sources(settings: Settings) -> list[ParsedSource]:
    return parse_all(discover(settings.root, settings.base))


@pytest.fixture(scope="session")
def vocabularies(sources: list[ParsedSource], settings: Settings) -> Vocabularies:
    return Vocabularies(sources, settings)


@pytest.fixture(scope="session")
def shapes(vocabularies: Vocabularies) -> rdflib.Graph:
    return vocabularies.shapes


def shape_of(result: ValidationResult) -> str:
    """The IRI of the named shape a result comes from (a blank property shape is reported through
    the named shape that holds it)."""
    found = re.match(r"^<([^>]+)>", result.source_shape or "")
    return found.group(1) if found else (result.source_shape or "")


def short(iri: str) -> str:
    return iri.replace(SHAPE, "shape:")


# -- Each rule fires ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", INVALID, ids=[case.name for case in INVALID])
def test_invalid_fixture_breaks_its_rule(case: Case, vocabularies: Vocabularies) -> None:
    report = vocabularies.validate(case.path)
    fired = {shape_of(r) for r in report.results}
    assert case.breaks in fired, (
        f"{case.path.name} should break {short(case.breaks)}, but that shape gave no result.\n"
        + report.describe()
    )
    unnamed = "\n".join(r.describe() for r in report.results if not shape_of(r).startswith(SHAPE))
    assert not unnamed, f"Results from shapes with no name and no message:\n{unnamed}"
    unexpected = ", ".join(
        sorted({short(shape_of(r)) for r in report.violations if shape_of(r) not in case.expected})
    )
    assert not unexpected, (
        f"{case.path.name} also breaks {unexpected}: fix the case, or list the shape in an "
        f"'# also breaks:' line if it cannot be helped.\n{report.describe()}"
    )


@pytest.mark.parametrize("path", VALID, ids=[path.stem for path in VALID])
def test_valid_fixture_conforms(path: Path, vocabularies: Vocabularies) -> None:
    report = vocabularies.validate(path)
    assert not report.results, report.describe()


# -- The shapes themselves ------------------------------------------------------------------------

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

# Parameters of the SHACL core constraint components: a shape with any of them makes a claim that
# can fail, and must say in sh:message how to put it right. (A SPARQL constraint carries its own
# sh:message.)
CONSTRAINT_PARAMETERS = frozenset(
    {
        SH["class"],
        SH.datatype,
        SH.nodeKind,
        SH.minCount,
        SH.maxCount,
        SH.minExclusive,
        SH.minInclusive,
        SH.maxExclusive,
        SH.maxInclusive,
        SH.minLength,
        SH.maxLength,
        SH.pattern,
        SH.languageIn,
        SH.uniqueLang,
        SH.equals,
        SH.disjoint,
        SH.lessThan,
        SH.lessThanOrEquals,
        SH["not"],
        SH["and"],
        SH["or"],
        SH.xone,
        SH.node,
        SH.qualifiedValueShape,
        SH.closed,
        SH.hasValue,
        SH["in"],
    }
)


def targeted_shapes(graph: rdflib.Graph) -> set[Node]:
    return {s for target in TARGETS for s in graph.subjects(target, None)}


def reported_shapes(graph: rdflib.Graph) -> set[Node]:
    """The shapes whose failures appear in a report: targeted shapes and their property shapes
    (shapes inside sh:or, sh:not, sh:node or a qualified value shape only help decide whether the
    shape that holds them conforms)."""
    found: set[Node] = set()
    todo = list(targeted_shapes(graph))
    while todo:
        shape = todo.pop()
        if shape not in found:
            found.add(shape)
            todo.extend(graph.objects(shape, SH.property))
    return found


def test_every_constraint_has_a_message(shapes: rdflib.Graph) -> None:
    missing = []
    for shape in reported_shapes(shapes):
        constrains = any(p in CONSTRAINT_PARAMETERS for p in shapes.predicates(shape, None))
        if constrains and not _has_message(shapes, shape):
            missing.append(f"shape {shape.n3(shapes.namespace_manager)}")
        for constraint in shapes.objects(shape, SH.sparql):
            if not _has_message(shapes, constraint):
                missing.append(f"SPARQL constraint of {shape.n3(shapes.namespace_manager)}")
    assert not missing, "No sh:message (a sentence ending with '.') on: " + "; ".join(missing)


def _has_message(shapes: rdflib.Graph, node: Node) -> bool:
    messages = [str(m).strip() for m in shapes.objects(node, SH.message)]
    return bool(messages) and all(m.endswith(".") for m in messages)


def test_every_shape_has_an_invalid_fixture(shapes: rdflib.Graph) -> None:
    rules = {str(s) for s in targeted_shapes(shapes)}
    covered = {case.breaks for case in INVALID}
    assert not rules - covered, "No tests/shapes/invalid/*.ttl breaks: " + ", ".join(
        sorted(map(short, rules - covered))
    )
    assert not covered - rules, "Fixtures name shapes that do not exist: " + ", ".join(
        sorted(map(short, covered - rules))
    )


def test_shapes_are_named_in_the_shapes_namespace(shapes: rdflib.Graph) -> None:
    named = targeted_shapes(shapes) | set(shapes.subjects(RDF.type, SH.NodeShape))
    named |= set(shapes.subjects(RDF.type, SH.PropertyShape))
    wrong = [s for s in named if isinstance(s, rdflib.URIRef) and not str(s).startswith(SHAPE)]
    anonymous = [s for s in targeted_shapes(shapes) if not isinstance(s, rdflib.URIRef)]
    assert not wrong, f"Shapes outside {SHAPE}: {wrong}"
    assert not anonymous, "Every targeted shape needs an IRI, so that reports and fixtures name it"


def test_warnings_are_kept_apart() -> None:
    """shapes/warnings.ttl holds the sh:Warning shapes, and only there are shapes not violations."""
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        graph = rdflib.Graph().parse(path)
        for shape in targeted_shapes(graph):
            severity = graph.value(shape, SH.severity, default=SH.Violation)
            expected = SH.Warning if path.name == "warnings.ttl" else SH.Violation
            assert severity == expected, f"{path.name}: {shape} has severity {severity}"


# -- The project's graph --------------------------------------------------------------------------


def quiet(_line: str) -> None:
    pass


@pytest.mark.slow
def test_the_graph_conforms(settings: Settings) -> None:
    """ontology/ and graph/ validated by the build's own pipeline (parse, reason, validate)."""
    try:
        result = validate_tree(settings, progress=quiet)
    except ValidationError as failure:
        report = failure.report
        assert isinstance(report, ValidationReport)
        violations = "\n".join(r.describe() for r in report.violations)
        pytest.fail(f"{len(report.violations)} violations in the graph:\n{violations}")
    assert result.report.conforms


@pytest.mark.slow
def test_cached_vocabularies_give_the_data_the_build_validates(
    sources: list[ParsedSource], vocabularies: Vocabularies, settings: Settings
) -> None:
    """What the cases are validated against is what the build would validate for them: the graphs
    a build stores for vocabularies, ontology and facts, with the ``entailments`` of all of them
    together, cut down by ``validation.our_quads`` exactly as the build cuts them. Checked for
    every case at once, each parsed into its own graph as a fact file is, so that their blank
    nodes stay apart."""
    paths = [*(c.path for c in INVALID), *VALID]
    facts = _union(vocabularies.facts(path) for path in paths)
    store = Store(ox.Store(), None, writable=True)
    for source in sources:
        if source.source.kind in (VOCAB, DEF):
            store.add_quads(source.quads)
    for path in paths:
        graph = ox.NamedNode(settings.graph_iri("tests/" + path.stem))
        store.add_quads(
            ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), graph)  # type: ignore[arg-type]
            for s, p, o in vocabularies.facts(path)
        )
    everything = rdflib_graph(store.quads())
    inferred = ox.NamedNode(settings.inferred_graph)
    store.add_quads(
        ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), inferred)  # type: ignore[arg-type]
        for s, p, o in reasoning.entailments(everything)
    )
    built = set(rdflib_graph(our_quads(store.quads(), settings)))
    with added(vocabularies.closed, [*facts, *vocabularies.entailments(facts)]):
        assert set(vocabularies.closed) == built


def _union(graphs: Iterable[rdflib.Graph]) -> rdflib.Graph:
    union = rdflib.Graph()
    for graph in graphs:
        for triple in graph:
            union.add(triple)
    return union
