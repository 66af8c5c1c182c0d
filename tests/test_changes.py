"""ofsted_kg.store.changes against Oxigraph's own update, quad for quad.

For each operation of a hand-written table (every kind of operation and option, SILENT and
failing ones, WITH/USING/USING NAMED, GRAPH ?g templates, unbound variables, blank nodes, literals
of several datatypes) and for randomly generated ones (seeded), on a few small datasets:

- plain mode: ``operation_change`` on store A leaves A as it was; A with the change applied holds
  the same quads and the same named graphs as store B after ``B.update(op)``; an operation that
  fails on B fails with the mapped error, and only then;
- union mode: the same against ``oxigraph.Store.update(op, default_target=TARGET)``, with the
  default graph the materialised union on both sides before the operation; the change lists no
  default-graph quad.

Each change also keeps its own promises (added quads are new, removed ones are there, each listed
once; ``created`` and ``dropped`` are exactly the named graphs that come and go), and requests of
several operations, split with ``split_update`` and changed and applied one by one, end as
Oxigraph's update of the whole request (and ``Store.update``'s) ends.

Blank nodes are compared up to renaming: the quads without blank nodes as sets, the others as a
multiset with every blank node written the same, and both stores canonicalised (RDFC-1.0).
A DATA operation on an on-disk store is checked to look up only its own quads (no scan); the
timings are in ``benchmarks/changes.py``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import astuple
from pathlib import Path
from typing import Any, ClassVar, cast

import pyoxigraph as ox
import pytest
from ofsted_kg.errors import (
    BadRequestError,
    ForbiddenError,
    OfstedKgError,
    QuerySyntaxError,
    UpdateFailedError,
)
from ofsted_kg.rdf.sparql_text import split_update
from ofsted_kg.store.changes import QuadChange, operation_change
from ofsted_kg.store.oxigraph import Store

EX = "http://example.org/"
TARGET = f"{EX}target"
PREFIXES = "PREFIX ex: <http://example.org/>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"

# A default graph of its own (plain mode only), three named graphs sharing some triples (ex:a
# ex:p 1 is in the default graph, g1 and g2), blank nodes, literals of several datatypes and
# language tags, and an empty named graph.
MIXED = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:p 1 ; ex:name "Alice"@en , "Alicia"@es ; ex:knows ex:b .
ex:b ex:p "2"^^xsd:decimal ; ex:flag true ; ex:q "x" .
_:d1 ex:p ex:a .
ex:g1 { ex:a ex:p 1 . ex:a ex:q "x" . ex:b ex:q ex:c . _:n1 ex:p ex:c .
        ex:c ex:date "2024-01-01"^^xsd:date . ex:c ex:name "Cee"@en-GB }
ex:g2 { ex:a ex:p 1 . ex:b ex:q ex:c . ex:c ex:name "Cee"@en-GB . ex:c ex:p 3.5e0 .
        ex:d ex:p "1" }
ex:g3 { ex:a ex:q "x" . ex:d ex:p ex:a . _:n2 ex:q _:n3 . _:n3 ex:p ex:g1 }
"""
# Named graphs only, one of them the union target already.
TARGETED = """
@prefix ex: <http://example.org/> .
ex:g1 { ex:a ex:p 1 . ex:b ex:p 2 . ex:a ex:q ex:b }
ex:target { ex:a ex:p 1 . ex:t ex:p "t"@en }
ex:g2 { _:x ex:p ex:a . ex:b ex:p 2 }
"""
DATASETS: dict[str, tuple[str, list[str]]] = {
    "mixed": (MIXED, [f"{EX}empty"]),
    "targeted": (TARGETED, [f"{EX}empty2"]),
    "empty": ("", []),
}

OPERATIONS: list[str] = [
    # INSERT DATA
    "INSERT DATA { ex:a ex:p 1 . ex:z ex:p 2 }",
    "INSERT DATA { GRAPH ex:g1 { ex:a ex:p 1 . ex:new ex:p 'y'@fr } }",
    "INSERT DATA { GRAPH ex:g9 { ex:n ex:p 'v'^^xsd:string } }",
    "insert data { _:x ex:p _:y . _:x ex:q 'b' . ex:a ex:knows _:x }",
    "INSERT DATA { GRAPH ex:empty { ex:a ex:p 1 } }",
    "BASE <http://example.org/>\nINSERT DATA { <rel> <p> <o> . GRAPH <g2> { <a> <p> 1 } }",
    "INSERT DATA { ex:a ex:p 1 . GRAPH ex:g1 { ex:a ex:p 1 } GRAPH ex:g2 { ex:a ex:p 1 } }",
    "INSERT DATA { ex:t ex:v 1, 1.0, 1e0, '1', '1'@en, '1'^^xsd:int, true, 'x'@EN-gb, "
    "'''long\nstring''', '2024-01-01T00:00:00Z'^^xsd:dateTime }",
    "INSERT DATA { }",
    '# a comment {\nINSERT DATA { ex:a ex:p "# not a comment {" . # a comment }\n }',
    "INSERT DATA { ex:a ex:p <<( ex:b ex:q ex:c )>> . GRAPH ex:g3 { ex:r ex:l ( 1 2 ) } }",
    "INSERT DATA { GRAPH ex:target { ex:a ex:p 1 . ex:b ex:p 2 } }",
    # DELETE DATA
    "DELETE DATA { ex:a ex:p 1 . ex:zz ex:p 1 }",
    "DELETE DATA { GRAPH ex:g1 { ex:a ex:p 1 } }",
    "DELETE DATA { GRAPH ex:g3 { ex:d ex:p ex:a . ex:a ex:q 'x' } }",
    "DELETE DATA { GRAPH ex:missing { ex:a ex:p 1 } }",
    "delete DATA { ex:a ex:name 'Alice'@en . GRAPH ex:g2 { ex:c ex:p 3.5e0 } }",
    "DELETE DATA { ex:b ex:p 2 . GRAPH ex:g1 { ex:b ex:p 2 } }",
    "DELETE DATA { _:b ex:p 1 }",  # a syntax error: no blank nodes in DELETE DATA
    # DELETE WHERE
    "DELETE WHERE { ex:a ?p ?o }",
    "DELETE WHERE { GRAPH ?g { ex:a ex:p ?o } }",
    "DELETE WHERE { GRAPH ex:g1 { ?s ?p ?o } }",
    "DELETE WHERE { ?s ex:q ?o . GRAPH ?g { ?s ex:q ?o } }",
    "DELETE WHERE { GRAPH ?g { ?s ex:q ?o } }",
    "DELETE WHERE { ?s ex:p ?o }",
    "WITH ex:g1 DELETE WHERE { ?s ?p ?o }",  # a syntax error: DELETE WHERE takes no WITH
    # DELETE/INSERT ... WHERE
    "DELETE { ?s ex:p ?o } INSERT { ?s ex:p2 ?o } WHERE { ?s ex:p ?o }",
    "INSERT { GRAPH ?g { ?s ex:seen true } } WHERE { GRAPH ?g { ?s ex:p ?o } }",
    "INSERT { ?s ex:label ?l } WHERE { ?s ex:p ?o OPTIONAL { ?s ex:name ?l } }",
    "INSERT { _:b ex:about ?s ; ex:n ?o . _:c ex:of _:b } WHERE { ?s ex:p ?o }",
    "WITH ex:g1 DELETE { ?s ?p ?o } INSERT { ?s ex:moved ?o } WHERE { ?s ?p ?o "
    "FILTER(isLiteral(?o)) }",
    "WITH ex:g1 INSERT { ?s ex:w ?o } WHERE { GRAPH ?g { ?s ex:q ?o } }",
    "WITH ex:g1 INSERT { ?s ex:w ?o } USING ex:g2 WHERE { ?s ?p ?o }",
    "WITH ex:g1 DELETE { ?s ?p ?o } USING ex:g2 USING NAMED ex:g3 WHERE { GRAPH ?g { ?x ?y ?s } "
    "?s ?p ?o }",
    "INSERT { GRAPH ex:out { ?s ?p ?o } } USING ex:g1 USING ex:g2 WHERE { ?s ?p ?o }",
    "INSERT { GRAPH ex:out { ?s ?p ?o } } USING NAMED ex:g2 WHERE { GRAPH ?g { ?s ?p ?o } }",
    "INSERT { GRAPH ex:out { ?s ?p ?o } } USING NAMED ex:g2 WHERE { ?s ?p ?o }",
    "INSERT { GRAPH ex:out { ?g ex:has ?s } } USING ex:g1 WHERE { GRAPH ?g { ?s ?p ?o } }",
    "INSERT { ?o ex:inv ?s } WHERE { ?s ex:p ?o }",
    "INSERT { ?s ?o ex:x } WHERE { ?s ex:p ?o }",
    "INSERT { GRAPH ?o { ?s ex:x 1 } } WHERE { ?s ex:p ?o }",
    "DELETE { ?s ex:p ?o } INSERT { ?s ex:p ?o } WHERE { ?s ex:p ?o }",
    "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g = ex:g3) }",
    "INSERT { ?s ex:x ?unbound } WHERE { ?s ex:p ?o }",
    "DELETE { ?s ex:name ?n } INSERT { ?s ex:name ?u } WHERE { ?s ex:name ?n "
    "BIND(UCASE(?n) AS ?u) }",
    "INSERT { ?s ex:n ?n } WHERE { ?s ex:p ?o BIND(?o + 1 AS ?n) }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isBlank(?s)) }",
    "INSERT { ?s ex:copy ?o } WHERE { GRAPH ?g { ?s ex:q ?o FILTER(isBlank(?o)) } }",
    "INSERT { GRAPH ex:g1 { ?s ?p ?o } } WHERE { GRAPH ex:g2 { ?s ?p ?o } }",
    "DELETE { ?s ex:p ?o } WHERE { ?s ex:p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ex:p ?o } } }",
    "INSERT { ?s ex:count ?c } WHERE { SELECT ?s (COUNT(*) AS ?c) WHERE { GRAPH ?g { ?s ?p ?o } }"
    " GROUP BY ?s }",
    "INSERT { ?x ex:v ?v } WHERE { VALUES (?x ?v) { (ex:a 'one') (ex:b UNDEF) ('lit' 2) } }",
    "DELETE { ?s ex:q ?o } INSERT { ?s ex:q ?o2 } WHERE { GRAPH ?g { ?s ex:q ?o . ?s ex:q ?o2 "
    "FILTER(?o != ?o2) } }",
    "insert { ?s ex:flag2 ?f } where { ?s ex:flag ?f }",
    "WITH ex:g2 INSERT { ?s ex:a ?o . GRAPH ?g { ?s ex:b ?o } } WHERE { GRAPH ?g { ?s ex:q ?o } }",
    'INSERT { ?s ex:note "}{ ?x" } # }\nWHERE { ?s ex:p ?o # {\n}',
    "DELETE { $s ex:p $o } WHERE { $s ex:p ?o }",
    "INSERT { ?s ex:tt <<( ?s ex:p ?o )>> } WHERE { ?s ex:p ?o }",
    "DELETE { GRAPH ex:g1 { ?s ?p ?o } } INSERT { ?s ?p ?o } WHERE { GRAPH ex:g1 { ?s ?p ?o } }",
    "DELETE { ?s ?p ?o } INSERT { GRAPH ex:kept { ?s ?p ?o } } WHERE { ?s ?p ?o }",
    "INSERT { ?s ex:p 1 } WHERE { GRAPH ex:target { ?s ?p ?o } }",
    "DELETE { GRAPH ?g { ?s ex:p 1 } } WHERE { GRAPH ?g { ?s ex:p 1 } }",
    "INSERT { GRAPH ?g { ?s ex:p 1 } } WHERE { ?s ex:p ?x BIND(BNODE() AS ?g) }",
    "INSERT { ?s ex:r ?o } WHERE { ?s ex:p/ex:q ?o }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ",
    "PREFIX e: <http://example.org/>\nWITH e:g2 DELETE { ?s e:p ?o } WHERE { ?s e:p ?o }",
    "INSERT { ?s ?p ?o } WHERE",  # a syntax error
    # CLEAR, DROP, CREATE
    "CLEAR GRAPH ex:g1",
    "CLEAR SILENT GRAPH ex:missing",
    "CLEAR GRAPH ex:missing",
    "CLEAR DEFAULT",
    "CLEAR NAMED",
    "CLEAR ALL",
    "clear graph ex:empty",
    "DROP GRAPH ex:g2",
    "DROP SILENT GRAPH ex:missing",
    "DROP GRAPH ex:missing",
    "DROP DEFAULT",
    "DROP NAMED",
    "DROP ALL",
    "DROP GRAPH ex:empty",
    "drop silent graph ex:target",
    "BASE <http://example.org/>\nDROP GRAPH <g1>",
    "CLEAR GRAPH ex:g2;",
    "CREATE GRAPH ex:new",
    "CREATE GRAPH ex:g1",
    "CREATE SILENT GRAPH ex:g1",
    "CREATE GRAPH ex:empty",
    "CREATE GRAPH ex:target",
    "CREATE SILENT GRAPH <http://example.org/new2>",
    "CLEAR GRAPH",  # a syntax error
    # ADD, MOVE, COPY
    "ADD ex:g1 TO ex:g2",
    "ADD GRAPH ex:g1 TO GRAPH ex:new",
    "ADD DEFAULT TO ex:g3",
    "ADD ex:g2 TO DEFAULT",
    "ADD ex:missing TO ex:g1",
    "ADD SILENT ex:g1 TO ex:g1",
    "ADD ex:empty TO ex:new",
    "MOVE ex:g1 TO ex:g2",
    "MOVE ex:g1 TO ex:new",
    "MOVE DEFAULT TO ex:g3",
    "MOVE ex:g3 TO DEFAULT",
    "MOVE ex:missing TO ex:g1",
    "MOVE SILENT ex:missing TO ex:g1",
    "MOVE ex:empty TO ex:g2",
    "MOVE ex:g1 TO GRAPH <http://example.org/g1>",
    "MOVE ex:missing TO ex:missing",
    "MOVE DEFAULT TO DEFAULT",
    "COPY ex:g1 TO ex:g2",
    "COPY ex:g1 TO ex:new",
    "COPY DEFAULT TO ex:g1",
    "COPY ex:g2 TO DEFAULT",
    "COPY ex:missing TO ex:g1",
    "COPY SILENT ex:empty TO ex:g3",
    "COPY DEFAULT TO DEFAULT",
    "copy ex:g1 to ex:target",
    "MOVE ex:target TO ex:g1",
    # Nothing to do
    "",
    "# only a comment",
]


# -- Stores and comparisons ---------------------------------------------------------------------


def load(name: str) -> tuple[list[ox.Quad], list[ox.NamedNode]]:
    text, empty = DATASETS[name]
    quads = list(ox.parse(text.encode(), ox.RdfFormat.TRIG)) if text else []
    return quads, [ox.NamedNode(g) for g in empty]


def plain_store(name: str) -> ox.Store:
    quads, empty = load(name)
    store = ox.Store()
    store.extend(quads)
    for graph in empty:
        store.add_graph(graph)
    return store


def union_store(name: str) -> Store:
    """An oxigraph.Store of the dataset's named graphs, the default graph their union."""
    quads, empty = load(name)
    store = Store(ox.Store(), None, writable=True)
    store.add_quads(q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph))
    for graph in empty:
        store.inner.add_graph(graph)
    store.refresh_union()
    return store


def refresh_union(store: ox.Store) -> None:
    """Make the default graph the union of the named graphs again, as Store.refresh_union does."""
    Store(store, None, writable=True).refresh_union()


def apply(store: ox.Store, change: QuadChange) -> None:
    for quad in change.removed:
        store.remove(quad)
    store.extend(change.added)
    for graph in change.created:
        store.add_graph(graph)
    for graph in change.dropped:
        store.remove_graph(graph)


def has_blank(term: Any) -> bool:
    if isinstance(term, ox.BlankNode):
        return True
    if isinstance(term, ox.Triple | ox.Quad):
        return any(has_blank(t) for t in term)
    return False


def masked(term: Any) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:b"
    if isinstance(term, ox.Triple):
        return "<<( " + " ".join(masked(t) for t in term) + " )>>"
    if isinstance(term, ox.Quad):
        return " ".join(masked(t) for t in term)
    return str(term)


def canonical(quads: Iterable[ox.Quad]) -> list[str]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q) for q in dataset)


def assert_same_quads(ours: Iterable[ox.Quad], theirs: Iterable[ox.Quad]) -> None:
    ours, theirs = list(ours), list(theirs)
    assert {q for q in ours if not has_blank(q)} == {q for q in theirs if not has_blank(q)}
    assert Counter(masked(q) for q in ours if has_blank(q)) == Counter(
        masked(q) for q in theirs if has_blank(q)
    )
    assert canonical(ours) == canonical(theirs)


def graph_names(store: ox.Store) -> set[str]:
    """The named graphs, blank-node names written the same."""
    return {masked(g) for g in store.named_graphs()}


def snapshot(store: ox.Store) -> tuple[list[str], list[str]]:
    return sorted(str(q) for q in store), sorted(str(g) for g in store.named_graphs())


def outcome(run: Callable[[], Any]) -> tuple[type[BaseException] | None, str, Any]:
    """What running ``run`` gave: (the error's class or None, its message, the value)."""
    try:
        return None, "", run()
    except OfstedKgError as exc:
        return type(exc), exc.detail, None
    except SyntaxError as exc:
        return QuerySyntaxError, str(exc.msg or exc), None
    except RuntimeError as exc:
        return UpdateFailedError, str(exc), None


def check_change_shape(store: ox.Store, change: QuadChange, *, union: bool) -> None:
    """The change's own promises: added quads are new, removed ones are there, each once."""
    assert len(set(change.added)) == len(change.added)
    assert len(set(change.removed)) == len(change.removed)
    assert not set(change.added) & set(change.removed)
    assert all(q not in store for q in change.added)
    assert all(q in store for q in change.removed)
    assert all(not store.contains_named_graph(g) for g in change.created)
    assert all(store.contains_named_graph(g) for g in change.dropped)
    assert not {q.graph_name for q in change.added} & set(change.dropped)
    if union:
        quads = change.added + change.removed
        assert not [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]


def named_graph_names(store: ox.Store) -> set[ox.NamedNode]:
    return {g for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


def check_graph_lists(
    change: QuadChange, before: set[ox.NamedNode], after: set[ox.NamedNode]
) -> None:
    """``created`` and ``dropped`` are exactly the named graphs that come and go."""
    assert sorted(change.created, key=str) == sorted(after - before, key=str)
    assert sorted(change.dropped, key=str) == sorted(before - after, key=str)


# -- Plain mode and union mode against Oxigraph -------------------------------------------------


def check_plain(dataset: str, operation: str) -> None:
    text = PREFIXES + operation
    ours, theirs = plain_store(dataset), plain_store(dataset)
    before = snapshot(ours)
    error, message, change = outcome(lambda: operation_change(ours, text))
    assert snapshot(ours) == before, "operation_change changed the store"
    their_error, their_message, _ = outcome(lambda: theirs.update(text))
    assert (error, message) == (their_error, their_message)
    if error is not None:
        return
    check_change_shape(ours, change, union=False)
    graphs_before = named_graph_names(ours)
    apply(ours, change)
    check_graph_lists(change, graphs_before, named_graph_names(ours))
    assert_same_quads(ours, theirs)
    assert graph_names(ours) == graph_names(theirs)


def check_union(dataset: str, operation: str) -> None:
    text = PREFIXES + operation
    theirs = union_store(dataset)
    ours = union_store(dataset).inner
    before = snapshot(ours)
    error, message, change = outcome(lambda: operation_change(ours, text, union_target=TARGET))
    assert snapshot(ours) == before, "operation_change changed the store"
    their_error, their_message, _ = outcome(lambda: theirs.update(text, default_target=TARGET))
    assert (error, message) == (their_error, their_message)
    if error is not None:
        return
    check_change_shape(ours, change, union=True)
    graphs_before = named_graph_names(ours)
    apply(ours, change)
    check_graph_lists(change, graphs_before, named_graph_names(ours))
    refresh_union(ours)
    theirs.refresh_union()
    named = [q for q in ours if not isinstance(q.graph_name, ox.DefaultGraph)]
    assert_same_quads(named, theirs.quads())
    assert graph_names(ours) == graph_names(theirs.inner)


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("operation", OPERATIONS)
def test_plain_mode_matches_oxigraph(dataset: str, operation: str) -> None:
    check_plain(dataset, operation)


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("operation", OPERATIONS)
def test_union_mode_matches_store_update(dataset: str, operation: str) -> None:
    check_union(dataset, operation)


REQUESTS = [
    "INSERT DATA { GRAPH ex:g1 { ex:z ex:p 1 } } ; DELETE WHERE { GRAPH ex:g2 { ?s ex:q ?o } } ;\n"
    "COPY ex:g1 TO ex:g5 ; DROP SILENT GRAPH ex:g3 ; CREATE GRAPH ex:g3",
    "DROP ALL ; INSERT DATA { ex:a ex:p 1 . GRAPH ex:g1 { ex:b ex:p 2 } }",
    "CLEAR DEFAULT ; INSERT { ?s ex:q 2 } WHERE { GRAPH ?g { ?s ex:p ?o } }",
    "PREFIX e: <http://example.org/>\nINSERT DATA { e:x e:p 1 } ;\n"
    "WITH e:g1 DELETE { ?s ?p ?o } INSERT { ?s e:was ?o } WHERE { ?s e:q ?o } ;\n"
    "MOVE e:g2 TO e:g7 ; ADD DEFAULT TO e:g7 ;",
]


@pytest.mark.parametrize("dataset", ["mixed", "targeted"])
@pytest.mark.parametrize("request_text", REQUESTS)
def test_a_request_split_into_operations(dataset: str, request_text: str) -> None:
    """The server's use: split_update's operations, each changed and applied in turn, give what
    Oxigraph's update of the whole request gives (union mode: what Store.update gives)."""
    text = PREFIXES + request_text
    operations = split_update(text)
    assert len(operations) > 1
    ours, theirs = plain_store(dataset), plain_store(dataset)
    for operation in operations:
        apply(ours, operation_change(ours, operation))
    theirs.update(text)
    assert_same_quads(ours, theirs)
    assert graph_names(ours) == graph_names(theirs)
    union_ours, union_theirs = union_store(dataset).inner, union_store(dataset)
    for operation in operations:
        apply(union_ours, operation_change(union_ours, operation, union_target=TARGET))
        refresh_union(union_ours)
    union_theirs.update(text, default_target=TARGET)
    union_theirs.refresh_union()
    assert_same_quads(union_ours, union_theirs.inner)
    assert graph_names(union_ours) == graph_names(union_theirs.inner)


def test_a_closing_semicolon_is_allowed() -> None:
    change = operation_change(ox.Store(), "INSERT DATA { <http://a> <http://b> 1 } ;")
    assert len(change.added) == 1
    store = plain_store("mixed")
    change = operation_change(store, PREFIXES + "DROP GRAPH ex:g1;")
    assert change.dropped == [ox.NamedNode(f"{EX}g1")]


# -- Random operations --------------------------------------------------------------------------

SUBJECTS = ["ex:a", "ex:b", "ex:c", "ex:d", "ex:t"]
PREDICATES = ["ex:p", "ex:q", "ex:name"]
OBJECTS = ["ex:a", "ex:b", "ex:c", "1", "2", '"x"', '"Cee"@en-GB', "3.5e0", '"1"', "true"]
GRAPHS = ["ex:g1", "ex:g2", "ex:g3", "ex:target", "ex:empty", "ex:g9"]


def in_graph(graph: str, triple: str) -> str:
    return f"GRAPH {graph} {{ {triple} }}" if graph else triple


def random_data(rng: random.Random, quads: list[ox.Quad], *, deleting: bool) -> str:
    """1 to 4 quads, some of them (most, when deleting) already in the dataset."""
    known = [q for q in quads if not has_blank(q)]
    parts = []
    for _ in range(rng.randint(1, 4)):
        if known and rng.random() < (0.7 if deleting else 0.3):
            quad = rng.choice(known)
            graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
            parts.append(in_graph(graph, f"{quad.subject} {quad.predicate} {quad.object} ."))
            continue
        subject = "_:r" if not deleting and rng.random() < 0.2 else rng.choice(SUBJECTS)
        triple = f"{subject} {rng.choice(PREDICATES)} {rng.choice(OBJECTS)} ."
        parts.append(in_graph(rng.choice(["", "", *GRAPHS]), triple))
    return " ".join(parts)


def random_where(rng: random.Random) -> str:
    """A WHERE clause that matches something more often than not."""
    graphs = ["", "", "?g", "?g", "ex:g1", "ex:g2", "ex:target"]
    predicate = rng.choice(["?p", "?p", "ex:p", "ex:q", "ex:name"])
    parts = [in_graph(rng.choice(graphs), f"?s {predicate} ?o .")]
    extra = rng.random()
    if extra < 0.3:
        parts.append(in_graph(rng.choice(graphs), f"?s {rng.choice(PREDICATES)} ?x ."))
    elif extra < 0.5:
        parts.append("OPTIONAL { ?s ex:name ?x }")
    elif extra < 0.6:
        parts.append("FILTER(isIRI(?o) || isBlank(?s))")
    return " ".join(parts)


def random_template(rng: random.Random, *, inserting: bool) -> str:
    parts = []
    for _ in range(rng.randint(1, 2)):
        subject = rng.choice(["?s", "?s", "?x", "?o", *SUBJECTS[:2]])
        if inserting and rng.random() < 0.15:
            subject = "_:new"
        predicate = rng.choice(["?p", "?p", *PREDICATES])
        obj = rng.choice(["?o", "?o", "?x", "?s", *OBJECTS[:4]])
        graph = rng.choice(["", "", "?g", "?g", "ex:g1", "ex:target", "ex:g9", "?o"])
        parts.append(in_graph(graph, f"{subject} {predicate} {obj} ."))
    return " ".join(parts)


def random_operation(rng: random.Random, quads: list[ox.Quad]) -> str:
    kind = rng.choice(["insert data", "delete data", "delete where", "modify", "modify", "modify"])
    if kind == "insert data":
        return f"INSERT DATA {{ {random_data(rng, quads, deleting=False)} }}"
    if kind == "delete data":
        return f"DELETE DATA {{ {random_data(rng, quads, deleting=True)} }}"
    if kind == "delete where":
        graph = rng.choice(["", "?g", "ex:g1", "ex:g2"])
        pattern = f"?s {rng.choice(['?p', *PREDICATES])} ?o ."
        return f"DELETE WHERE {{ {in_graph(graph, pattern)} }}"
    text = ""
    if rng.random() < 0.25:
        text += f"WITH {rng.choice(GRAPHS)} "
    if rng.random() < 0.7:
        text += f"DELETE {{ {random_template(rng, inserting=False)} }} "
    if "DELETE" not in text or rng.random() < 0.6:
        text += f"INSERT {{ {random_template(rng, inserting=True)} }} "
    if rng.random() < 0.2:
        text += f"USING {rng.choice(GRAPHS)} "
    if rng.random() < 0.15:
        text += f"USING NAMED {rng.choice(GRAPHS)} "
    return text + f"WHERE {{ {random_where(rng)} }}"


def random_operations(dataset: str, count: int = 150) -> list[str]:
    quads = load(dataset)[0]
    return [random_operation(random.Random(seed), quads) for seed in range(count)]


@pytest.mark.parametrize("dataset", ["mixed", "targeted"])
def test_random_operations_plain(dataset: str) -> None:
    for operation in random_operations(dataset):
        check_plain(dataset, operation)


@pytest.mark.parametrize("dataset", ["mixed", "targeted"])
def test_random_operations_union(dataset: str) -> None:
    for operation in random_operations(dataset):
        check_union(dataset, operation)


def test_the_random_operations_change_something() -> None:
    """The generator is not vacuous: most of its operations change the mixed dataset."""
    operations = random_operations("mixed")
    changed = 0
    for operation in operations:
        try:
            change = operation_change(plain_store("mixed"), PREFIXES + operation)
        except OfstedKgError:
            continue
        changed += not change.is_empty()
    assert changed > len(operations) // 2


# -- The rest of the API ------------------------------------------------------------------------


def test_change_fields_and_is_empty() -> None:
    store = plain_store("mixed")
    change = operation_change(store, PREFIXES + "INSERT DATA { GRAPH ex:g9 { ex:a ex:p 1 } }")
    g9 = ox.NamedNode(f"{EX}g9")
    quad = ox.Quad(
        ox.NamedNode(f"{EX}a"),
        ox.NamedNode(f"{EX}p"),
        ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        g9,
    )
    assert change == QuadChange(added=[quad], removed=[], created=[g9], dropped=[])
    assert not change.is_empty()
    assert operation_change(store, PREFIXES + "INSERT DATA { ex:a ex:p 1 }").is_empty()
    assert QuadChange([], [], [], []).is_empty()
    dropped = operation_change(store, PREFIXES + "DROP GRAPH ex:empty")
    assert dropped == QuadChange(dropped=[ox.NamedNode(f"{EX}empty")])


def test_union_target_may_have_angle_brackets() -> None:
    store = union_store("targeted").inner
    text = PREFIXES + "INSERT DATA { ex:new ex:p 1 }"
    bare = operation_change(store, text, union_target=TARGET)
    bracketed = operation_change(store, text, union_target=f"<{TARGET}>")
    assert bare == bracketed
    assert [q.graph_name for q in bare.added] == [ox.NamedNode(TARGET)]


def test_load_is_refused() -> None:
    with pytest.raises(ForbiddenError):
        operation_change(ox.Store(), "LOAD <http://example.org/data.ttl>")
    with pytest.raises(ForbiddenError):
        operation_change(ox.Store(), "load silent <http://example.org/d> INTO GRAPH <http://g>")


def test_one_operation_at_a_time() -> None:
    with pytest.raises(BadRequestError, match="one update operation"):
        operation_change(
            ox.Store(),
            "INSERT DATA { <http://a> <http://b> 1 } ; DELETE DATA { <http://a> <http://b> 1 }",
        )


def test_base_iri_argument() -> None:
    store = ox.Store()
    change = operation_change(store, "INSERT DATA { <a> <b> <c> }", base_iri="http://example.org/")
    assert [str(q) for q in change.added] == [
        "<http://example.org/a> <http://example.org/b> <http://example.org/c>"
    ]
    with pytest.raises(QuerySyntaxError):
        operation_change(store, "INSERT DATA { <a> <b> <c> }")  # relative, no base
    with pytest.raises(BadRequestError):
        operation_change(store, "INSERT DATA { <a> <b> <c> }", base_iri="not an iri")


def test_template_blank_nodes_are_new_for_each_solution() -> None:
    store = plain_store("mixed")
    text = PREFIXES + "INSERT { _:b ex:about ?s } WHERE { ?s ex:p ?o }"
    change = operation_change(store, text)
    subjects = [q.subject for q in change.added]
    result = store.query(PREFIXES + "SELECT * WHERE { ?s ex:p ?o }")
    assert isinstance(result, ox.QuerySolutions)
    solutions = len(list(result))
    assert len(set(subjects)) == len(subjects) == solutions
    assert all(isinstance(s, ox.BlankNode) for s in subjects)


# -- DATA operations look up their own quads, nothing more --------------------------------------


class Recording:
    """A store that records what is asked of it, and refuses anything that reads it whole."""

    BOUNDED: ClassVar[set[str]] = {"contains_named_graph"}

    def __init__(self, inner: ox.Store) -> None:
        self.inner = inner
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __contains__(self, quad: ox.Quad) -> bool:
        self.calls.append(("contains", (quad,)))
        return quad in self.inner

    def __iter__(self) -> Iterator[ox.Quad]:
        raise AssertionError("the whole store was read")

    def __len__(self) -> int:
        raise AssertionError("the store was counted")

    def quads_for_pattern(self, *pattern: Any) -> Iterator[ox.Quad]:
        subject, predicate, obj = pattern[:3]
        assert None not in (subject, predicate, obj), f"a scan: {pattern}"
        self.calls.append(("quads_for_pattern", pattern))
        return self.inner.quads_for_pattern(*pattern)

    def __getattr__(self, name: str) -> Any:
        if name not in self.BOUNDED:
            raise AssertionError(f"{name} reads more than the operation's own quads")
        method = getattr(self.inner, name)

        def call(*args: Any) -> Any:
            self.calls.append((name, args))
            return method(*args)

        return call


@pytest.mark.parametrize("union", [False, True])
def test_data_operations_only_look_up_their_quads(tmp_path: Path, union: bool) -> None:
    disk = ox.Store(str(tmp_path / "store"))
    graphs = [ox.NamedNode(f"{EX}graph{i}") for i in range(10)]
    disk.bulk_extend(
        ox.Quad(
            ox.NamedNode(f"{EX}s{i}"),
            ox.NamedNode(f"{EX}p{i % 7}"),
            ox.Literal(str(i)),
            graphs[i % 10],
        )
        for i in range(20_000)
    )
    refresh_union(disk)
    target = f"{EX}graph0" if union else None
    operations = [
        "INSERT DATA { ex:s1 ex:p1 '1' . ex:new ex:p1 'n' . GRAPH ex:graph3 { ex:s3 ex:p3 '3' } "
        "GRAPH ex:brand-new { ex:n ex:p 1 } }",
        "DELETE DATA { ex:s1 ex:p1 '1' . ex:absent ex:p1 'x' . "
        "GRAPH ex:graph2 { ex:s2 ex:p2 '2' } }",
    ]
    copy = ox.Store()
    copy.extend(disk)
    for operation in operations:
        recording = Recording(disk)
        text = PREFIXES + operation
        change = operation_change(cast(ox.Store, recording), text, union_target=target)
        assert not change.is_empty()
        assert 0 < len(recording.calls) <= 20
        expected = operation_change(copy, text, union_target=target)
        for ours, theirs in zip(astuple(change), astuple(expected), strict=True):
            assert set(ours) == set(theirs)
