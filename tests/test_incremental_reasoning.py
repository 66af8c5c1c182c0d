"""ofsted_kg.build.incremental against full re-reasoning.

After every write, ``Materialisation.inferred()`` must equal ``entailed_triples`` of the asserted
triples, and the returned ``Delta`` must be exactly the change to the inferred set. Checked on
hand-written cases (sameAs chains, a transitive property, a subClassOf cycle that DRed must not
keep alive by itself, a triple both asserted and inferred, the fallbacks), on random write
sequences over a small synthetic vocabulary with every rule family (hypothesis), and on the
project's own graph (scripted writes, and random writes undone again).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ofsted_kg.build.incremental import Delta, Materialisation
from ofsted_kg.build.reasoning import entailed_triples
from ofsted_kg.build.sources import DATA_KINDS, discover, parse_all, quads_of
from ofsted_kg.config import DEFAULT_BASE
from ofsted_kg.rdf.terms import to_rdflib
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, OWL, RDF, RDFS, XSD
from rdflib.term import Node
from test_reasoning import random_graph

ROOT = Path(__file__).resolve().parent.parent
EX = Namespace("http://example.org/")
OKG = Namespace("https://w3id.org/ofsted-kg/def/")
ORG = Namespace("http://www.w3.org/ns/org#")
ID = Namespace("https://w3id.org/ofsted-kg/id/")

Triple = tuple[Node, Node, Node]


def full(triples: Iterable[Triple]) -> set[Triple]:
    return set(entailed_triples(list(triples)))


def assert_same(expected: set[Triple], actual: set[Triple]) -> None:
    missing, extra = expected - actual, actual - expected
    sample = sorted(missing, key=str)[:5] + sorted(extra, key=str)[:5]
    assert not missing and not extra, f"{len(missing)} missing, {len(extra)} extra, e.g. {sample}"


def well_defined(m: Materialisation) -> bool:
    """False when rules give a list cell two rdf:first or rdf:rest values: the reasoner then reads
    whichever comes first (documented in ofsted_kg.build.reasoning), so two runs may differ."""
    closure = m.inferred() | set(m.asserted_triples())
    cells = Counter((s, p) for s, p, _ in closure if p in (RDF.first, RDF.rest))
    return all(n == 1 for n in cells.values())


def write(
    m: Materialisation,
    inserted: Iterable[Triple] = (),
    deleted: Iterable[Triple] = (),
    *,
    compare: bool = True,
    before: set[Triple] | None = None,
) -> tuple[Delta, set[Triple]]:
    """Apply a write; check the delta against the inferred sets before (`before` if known) and
    after, and (with `compare`) the inferred set against full re-reasoning. Returns the delta
    and the inferred set after the write."""
    if before is None:
        before = m.inferred()
    delta = m.apply(inserted, deleted)
    after = m.inferred()
    assert len(delta.added) == len(set(delta.added))
    assert len(delta.removed) == len(set(delta.removed))
    assert_same(after - before, set(delta.added))
    assert_same(before - after, set(delta.removed))
    if compare:
        assert_same(full(m.asserted_triples()), after)
    return delta, after


# ------------------------------------------------------------------ hand-written cases


def test_initial_materialisation_is_entailed_triples() -> None:
    triples = [(EX.a, RDF.type, EX.A), (EX.A, RDFS.subClassOf, EX.B), (EX.a, OWL.sameAs, EX.b)]
    m = Materialisation(triples)
    assert_same(full(triples), m.inferred())


def test_same_as_chain() -> None:
    m = Materialisation(
        [
            (EX.a, OWL.sameAs, EX.b),
            (EX.b, OWL.sameAs, EX.c),
            (EX.c, OWL.sameAs, EX.d),
            (EX.a, EX.p, Literal("x")),
        ]
    )
    assert (EX.d, EX.p, Literal("x")) in m.inferred()
    delta, _ = write(m, deleted=[(EX.b, OWL.sameAs, EX.c)])
    assert (EX.d, EX.p, Literal("x")) in delta.removed
    assert (EX.b, EX.p, Literal("x")) in m.inferred()
    write(m, inserted=[(EX.d, OWL.sameAs, EX.a)])
    assert (EX.c, EX.p, Literal("x")) in m.inferred()
    write(m, deleted=[(EX.a, OWL.sameAs, EX.b), (EX.d, OWL.sameAs, EX.a)])
    assert m.fallbacks == 0


def test_transitive_property() -> None:
    chain = [(EX.a, EX.p, EX.b), (EX.b, EX.p, EX.c), (EX.c, EX.p, EX.d), (EX.d, EX.p, EX.e)]
    m = Materialisation([(EX.p, RDF.type, OWL.TransitiveProperty), *chain])
    assert (EX.a, EX.p, EX.e) in m.inferred()
    delta, _ = write(m, deleted=[(EX.c, EX.p, EX.d)])
    assert (EX.a, EX.p, EX.e) in delta.removed
    assert (EX.a, EX.p, EX.c) in m.inferred()
    write(m, inserted=[(EX.b, EX.p, EX.d)])
    assert (EX.a, EX.p, EX.e) in m.inferred()
    write(m, deleted=[(EX.p, RDF.type, OWL.TransitiveProperty)])
    assert (EX.a, EX.p, EX.c) not in m.inferred()


def test_subclass_cycle_does_not_keep_itself_alive() -> None:
    """A, B, C in a subClassOf cycle: each triple of the cycle's closure is derivable from others
    of it, so DRed must not rederive them once the cycle is cut."""
    m = Materialisation(
        [
            (EX.A, RDFS.subClassOf, EX.B),
            (EX.B, RDFS.subClassOf, EX.C),
            (EX.C, RDFS.subClassOf, EX.A),
            (EX.x, RDF.type, EX.A),
            (EX.A, RDF.type, OWL.Class),
        ]
    )
    assert {(EX.x, RDF.type, EX.C), (EX.C, OWL.equivalentClass, EX.B)} <= m.inferred()
    delta, _ = write(m, deleted=[(EX.A, RDFS.subClassOf, EX.B)])
    assert {(EX.x, RDF.type, EX.B), (EX.x, RDF.type, EX.C)} <= set(delta.removed)
    assert (EX.B, RDFS.subClassOf, EX.A) in m.inferred()  # through C
    assert (EX.C, RDFS.subClassOf, EX.B) not in m.inferred()
    write(m, deleted=[(EX.C, RDFS.subClassOf, EX.A)])
    assert (EX.C, OWL.equivalentClass, EX.B) not in m.inferred()


def test_a_triple_both_asserted_and_inferred_stays_while_either_holds() -> None:
    typed = (EX.x, RDF.type, EX.B)
    axiom = (EX.A, RDFS.subClassOf, EX.B)
    m = Materialisation([(EX.x, RDF.type, EX.A), axiom, typed])
    assert typed not in m.inferred()  # asserted, so not among the inferred
    delta, _ = write(m, deleted=[typed])
    assert delta.added == [typed]  # no longer asserted, still inferred
    write(m, inserted=[typed])
    write(m, deleted=[axiom])
    assert typed not in m.inferred()
    delta, _ = write(m, deleted=[typed])
    assert typed not in delta.added


def test_terms_that_go_lose_their_reflexive_same_as() -> None:
    m = Materialisation([(EX.a, EX.p, EX.b), (EX.b, EX.p, EX.c)])
    delta, _ = write(m, deleted=[(EX.a, EX.p, EX.b)])
    assert (EX.a, OWL.sameAs, EX.a) in delta.removed
    assert (EX.b, OWL.sameAs, EX.b) in m.inferred()


def test_a_deleted_list_cell_falls_back_to_full_reasoning() -> None:
    head, rest = BNode(), BNode()
    cells = [(head, RDF.first, EX.A), (head, RDF.rest, rest), (rest, RDF.first, EX.B)]
    m = Materialisation(
        [
            (EX.C, OWL.intersectionOf, head),
            *cells,
            (rest, RDF.rest, RDF.nil),
            (EX.x, RDF.type, EX.A),
            (EX.x, RDF.type, EX.B),
        ]
    )
    assert (EX.x, RDF.type, EX.C) in m.inferred()
    write(m, deleted=[(rest, RDF.first, EX.B)])
    assert m.fallbacks == 1
    write(m, inserted=[(rest, RDF.first, EX.B)])  # a cell of a list in use: falls back too
    assert m.fallbacks == 2
    assert (EX.x, RDF.type, EX.C) in m.inferred()
    write(m, deleted=[(EX.x, RDF.type, EX.B)])  # instance data under a list axiom: DRed
    assert m.fallbacks == 2


def test_a_member_added_to_a_used_list_falls_back() -> None:
    """A longer intersection matches less: the insert must remove what the shorter one gave."""
    head, rest = BNode(), BNode()
    m = Materialisation(
        [
            (EX.C, OWL.intersectionOf, head),
            (head, RDF.first, EX.A),
            (head, RDF.rest, rest),
            (EX.x, RDF.type, EX.A),
        ]
    )
    assert (EX.x, RDF.type, EX.C) in m.inferred()
    delta, _ = write(m, inserted=[(rest, RDF.first, EX.B), (rest, RDF.rest, RDF.nil)])
    assert (EX.x, RDF.type, EX.C) in delta.removed
    assert m.fallbacks == 1
    other = BNode()
    write(m, inserted=[(EX.D, OWL.unionOf, other), (other, RDF.first, EX.A)])  # a new list
    assert (EX.x, RDF.type, EX.D) in m.inferred()
    assert m.fallbacks == 1


def test_same_as_with_a_plan_falls_back() -> None:
    m = Materialisation([(OWL.sameAs, RDFS.domain, EX.A), (EX.a, OWL.sameAs, EX.b)])
    write(m, deleted=[(EX.a, OWL.sameAs, EX.b)])
    assert m.fallbacks == 1


def test_keys() -> None:
    key = BNode()
    m = Materialisation(
        [
            (EX.C, OWL.hasKey, key),
            (key, RDF.first, EX.id),
            (key, RDF.rest, RDF.nil),
            (EX.a, RDF.type, EX.C),
            (EX.b, RDF.type, EX.C),
            (EX.a, EX.id, Literal("1")),
            (EX.b, EX.id, Literal("1")),
            (EX.b, EX.p, EX.c),
        ]
    )
    assert (EX.a, EX.p, EX.c) in m.inferred()
    write(m, deleted=[(EX.b, EX.id, Literal("1"))])
    write(m, inserted=[(EX.b, EX.id, Literal("1"))])
    write(m, deleted=[(EX.a, RDF.type, EX.C)])
    write(m, deleted=[(EX.C, OWL.hasKey, key)])
    assert m.fallbacks == 0


def test_one_time_rules_follow_the_literals() -> None:
    m = Materialisation([(EX.a, EX.p, Literal("1", datatype=XSD.integer))])
    delta, _ = write(m, deleted=[(EX.a, EX.p, Literal("1", datatype=XSD.integer))])
    assert (XSD.decimal, RDF.type, RDFS.Datatype) not in delta.removed  # all datatypes are
    write(m, inserted=[(EX.b, EX.p, Literal("2", datatype=XSD.byte))])
    write(m, inserted=[(EX.c, OWL.sameAs, Literal("2", datatype=XSD.byte))])
    write(m, inserted=[(EX.d, RDF.type, XSD.integer)])
    write(m, deleted=[(EX.b, EX.p, Literal("2", datatype=XSD.byte))])


# ---------------------------------------------------------------- random write sequences


def _synthetic_pool() -> list[Triple]:
    """Candidate triples over a small vocabulary, touching every rule family."""
    a, b, c, d, e = EX.a, EX.b, EX.c, EX.d, EX.e
    p, q, r, s = EX.p, EX.q, EX.r, EX.s
    A, B, C, D = EX.A, EX.B, EX.C, EX.D  # noqa: N806
    one = Literal("1", datatype=XSD.nonNegativeInteger)
    pool: list[Triple] = [
        (a, p, b),
        (b, p, c),
        (c, p, a),
        (a, q, c),
        (b, q, d),
        (d, r, e),
        (e, s, a),
        (a, p, Literal("x")),
        (b, r, Literal("1", datatype=XSD.integer)),
        (a, RDF.type, A),
        (b, RDF.type, B),
        (c, RDF.type, C),
        (d, RDF.type, D),
        (e, RDF.type, A),
        (A, RDFS.subClassOf, B),
        (B, RDFS.subClassOf, C),
        (C, RDFS.subClassOf, A),
        (C, RDFS.subClassOf, D),
        (A, OWL.equivalentClass, D),
        (p, RDFS.subPropertyOf, q),
        (q, RDFS.subPropertyOf, p),
        (q, OWL.equivalentProperty, r),
        (p, RDFS.domain, A),
        (q, RDFS.range, B),
        (r, RDFS.domain, C),
        (s, RDFS.range, D),
        (p, OWL.inverseOf, s),
        (r, OWL.inverseOf, q),
        (p, RDF.type, OWL.TransitiveProperty),
        (q, RDF.type, OWL.SymmetricProperty),
        (r, RDF.type, OWL.FunctionalProperty),
        (s, RDF.type, OWL.InverseFunctionalProperty),
        (p, RDF.type, OWL.ObjectProperty),
        (A, RDF.type, OWL.Class),
        (B, RDF.type, OWL.Class),
        (a, OWL.sameAs, b),
        (c, OWL.sameAs, e),
        (p, OWL.sameAs, r),
        (e, OWL.sameAs, a),
        (EX.R1, OWL.onProperty, p),
        (EX.R1, OWL.someValuesFrom, B),
        (EX.R2, OWL.onProperty, q),
        (EX.R2, OWL.allValuesFrom, C),
        (EX.R3, OWL.onProperty, r),
        (EX.R3, OWL.hasValue, e),
        (D, RDFS.subClassOf, EX.R3),
        (EX.R4, OWL.onProperty, s),
        (EX.R4, OWL.maxCardinality, one),
        (A, RDFS.subClassOf, EX.R4),
        (EX.R1, RDFS.subClassOf, D),
        (EX.R2, OWL.someValuesFrom, OWL.Thing),
    ]
    lists = {
        (D, OWL.intersectionOf): [A, B],
        (C, OWL.unionOf): [A, D],
        (A, OWL.oneOf): [c, d],
        (s, OWL.propertyChainAxiom): [p, q],
        (B, OWL.hasKey): [r],
    }
    for n, ((owner, axiom), members) in enumerate(lists.items()):
        cells = [EX[f"l{n}_{i}"] for i in range(len(members))]
        pool.append((owner, axiom, cells[0]))
        for i, (cell, member) in enumerate(zip(cells, members, strict=True)):
            pool.append((cell, RDF.first, member))
            pool.append((cell, RDF.rest, cells[i + 1] if i + 1 < len(cells) else RDF.nil))
    return pool


POOL = _synthetic_pool()
pool_triples = st.lists(st.sampled_from(POOL), max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    initial=st.lists(st.sampled_from(POOL), min_size=3, max_size=30),
    steps=st.lists(
        st.tuples(pool_triples, st.lists(st.integers(0, 10_000), max_size=4)),
        min_size=1,
        max_size=6,
    ),
)
def test_random_write_sequences(
    initial: list[Triple], steps: list[tuple[list[Triple], list[int]]]
) -> None:
    m = Materialisation(initial)
    assert_same(full(initial), m.inferred())
    for inserted, picks in steps:
        asserted = m.asserted_triples()
        deleted = [asserted[i % len(asserted)] for i in picks] if asserted else []
        before = m.inferred()
        delta = m.apply(inserted, deleted)
        assume(well_defined(m))
        after = m.inferred()
        assert_same(full(m.asserted_triples()), after)
        assert_same(after - before, set(delta.added))
        assert_same(before - after, set(delta.removed))


@pytest.mark.parametrize("first", range(0, 200, 50))
def test_random_graphs_of_test_reasoning(first: int) -> None:
    """test_reasoning's random graphs (rdf:first/rest as ordinary properties, sameAs between
    any terms, restrictions and lists on blank nodes), each with six random writes drawing on a
    second random graph."""
    for case in range(first, first + 50):
        rnd = random.Random(case)
        m = Materialisation(random_graph(rnd))
        pool = sorted(random_graph(random.Random(case + 10_000)), key=str)
        for _ in range(6):
            asserted = m.asserted_triples()
            deleted = rnd.sample(asserted, min(len(asserted), rnd.randint(0, 2)))
            inserted = rnd.sample(pool, min(len(pool), rnd.randint(0, 2)))
            before = m.inferred()
            delta = m.apply(inserted, deleted)
            if not well_defined(m):
                break
            after = m.inferred()
            assert_same(full(m.asserted_triples()), after)
            assert_same(after - before, set(delta.added))
            assert_same(before - after, set(delta.removed))


# ----------------------------------------------------------------- the project's graph


@pytest.fixture(scope="module")
def project_triples() -> list[Triple]:
    """ontology/vendor/*.nt, ontology/*.ttl and graph/**/*.ttl, as the build reads them."""
    converted: dict[object, Node] = {}

    def term(value: object) -> Node:
        found = converted.get(value)
        if found is None:
            found = converted[value] = to_rdflib(value)  # type: ignore[arg-type]
        return found

    quads = quads_of(parse_all(discover(ROOT, DEFAULT_BASE)), DATA_KINDS)
    triples = dict.fromkeys((term(q.subject), term(q.predicate), term(q.object)) for q in quads)
    return list(triples)


@pytest.fixture(scope="module")
def project(project_triples: list[Triple]) -> Materialisation:
    m = Materialisation(project_triples)
    assert_same(full(project_triples), m.inferred())
    return m


def _with(triples: list[Triple], predicate: Node, subject_prefix: str = "") -> list[Triple]:
    return [t for t in triples if t[1] == predicate and str(t[0]).startswith(subject_prefix)]


def test_project_graph_scripted_writes(project_triples: list[Triple]) -> None:
    """Deletes and inserts of each kind the issue names, a few per write (full reasoning of
    the project's graph takes about a second, so each comparison counts)."""
    m = Materialisation(project_triples)
    grade = _with(project_triples, OKG.grade)[0]
    council = _with(project_triples, OWL.sameAs, str(ID))[0][0]
    same_as = [t for t in project_triples if t[0] == council and t[1] == OWL.sameAs]
    subclass = _with(project_triples, RDFS.subClassOf, str(OKG))[0]
    subproperty = _with(project_triples, RDFS.subPropertyOf, str(OKG))[0]
    domain = _with(project_triples, RDFS.domain, str(OKG))[0]
    range_ = _with(project_triples, RDFS.range, str(OKG))[0]
    inverse = _with(project_triples, OWL.inverseOf)[0]
    person, claim, post = ID["person/test-person"], ID["claim/test-claim"], ID["mem/test"]
    writes: list[tuple[list[Triple], list[Triple]]] = [
        ([], [grade, *same_as, subclass]),
        ([], [subproperty, domain, range_, inverse]),
        (
            [
                (person, RDF.type, FOAF.Person),
                (person, FOAF.name, Literal("T")),
                (claim, RDF.type, OKG.Claim),
                (claim, OKG.about, council),
                (claim, OKG.statement, Literal("Rated good.")),
                (post, RDF.type, ORG.Membership),
                (post, ORG.member, person),
                (post, ORG.organization, council),
                (OKG.TestReport, RDF.type, OWL.Class),
                (OKG.TestReport, RDFS.subClassOf, OKG.SourceDocument),
                (EX.report, RDF.type, OKG.TestReport),
                (council, OWL.sameAs, EX.council),
            ],
            [],
        ),
        ([grade, *same_as, subclass, subproperty, domain, range_, inverse], []),
    ]
    before = m.inferred()
    for inserted, deleted in writes:
        _, before = write(m, inserted, deleted, before=before)
    assert m.fallbacks == 0


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_project_graph_random_writes_and_undo(
    data: st.DataObject, project: Materialisation, project_triples: list[Triple]
) -> None:
    """A random write (some asserted triples of chosen kinds out, some new ones in), compared
    with full reasoning, then undone: the inferred set must be what it was."""
    kinds = [OKG.grade, OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain]
    kinds += [RDFS.range, OWL.inverseOf, RDF.type, ORG.member, OKG.about]
    kind = data.draw(st.sampled_from(kinds))
    deleted = data.draw(st.lists(st.sampled_from(_with(project_triples, kind)), max_size=3))
    subjects = sorted(
        {t[0] for t in project_triples if isinstance(t[0], URIRef) and t[0].startswith(ID)},
        key=str,
    )
    new = EX[f"new{data.draw(st.integers(0, 5))}"]
    inserted = data.draw(
        st.lists(
            st.sampled_from(
                [
                    (new, OWL.sameAs, data.draw(st.sampled_from(subjects))),
                    (new, RDF.type, data.draw(st.sampled_from([OKG.Claim, FOAF.Person]))),
                    (new, OKG.about, data.draw(st.sampled_from(subjects))),
                    (new, RDFS.subClassOf, OKG.Judgement),
                    (data.draw(st.sampled_from(subjects)), RDF.type, new),
                ]
            ),
            max_size=3,
        )
    )
    deleted = [t for t in deleted if t not in inserted]
    before = project.inferred()
    delta, after = write(project, inserted, deleted, before=before)
    undo, after_undo = write(project, deleted, inserted, compare=False, before=after)
    assert_same(before, after_undo)
    assert_same(set(delta.added), set(undo.removed))
    assert_same(set(delta.removed), set(undo.added))
