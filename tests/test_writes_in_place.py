"""Writes carried out in place on the live store (``backends.writer``, ``store.inplace``,
``store.writelog``), checked against what must hold whatever the write and whenever it stops.

1. Random writes against a full rebuild: seeded sequences of 60 writes of every kind (INSERT
   DATA, DELETE DATA, DELETE/INSERT WHERE on named graphs and on the default graph, graph
   management, Graph Store PUT/POST/DELETE of named graphs and POST to the default graph, writes
   to the shapes, to a vocabulary and to the inferred graph itself), valid ones and ones that
   break a shape directly or only through reasoning (a type from rdfs:subClassOf or rdfs:domain,
   a second grade from rdfs:subPropertyOf), carried out by a ``StoreWriter`` on a copy of the
   fixture store. After each: a refused write left every quad and the version as they were; an
   accepted one left the inferred graph equal to a full re-reasoning of the data graphs, the
   default graph equal to the union of the named graphs, and the store passing a full SHACL
   validation. Each write is also carried out the old way (``apply_checked`` on an in-memory
   copy: full reasoning, full validation): refused there exactly when refused in place (with the
   same error), and leaving the same named graphs (quads without blank nodes exactly, quads with
   blank nodes counted).
2. Crashes: a real ``ofsted-kg serve`` taking numbered writes from a client thread is killed
   with SIGKILL at seeded random moments, most of them 0-80 ms after a large write (300 triples,
   200 entailments) was sent; its process alone (the writer finishes or not the write in hand)
   or all its processes at once. Every process of the killed server must end (none left holding
   the store), and the server restarted on the same store must show every acknowledged write
   whole, the write in flight whole or not at all, nothing not sent, each write's entailments
   exactly when the write is there, the write log listing exactly the writes there, and no
   journal left. At the end the stopped store itself is checked as in 1.
3. None lost: 8 clients x 20 writes (valid inserts, invalid ones, PUTs of their own graph,
   DELETE/INSERT WHERE and DELETE WHERE on their own data) against a real server at once: every
   2xx write is there afterwards (with its entailments), every 4xx one is not, no 5xx, no failed
   request.
4. Readers see before or after: writes of two triples into two graphs, while a reader counts
   them on the default graph: always even, never fewer than before; and each acknowledged write
   is seen by the next query.
5. Versions follow writes: the ETag of a query and of VoID, conditional requests answered in
   full with the new content (no kept answer served stale), the dumps of the new version with
   the written triple, and snapshots removed once no query can read them.
6. The write log over HTTP (entries, who, versions, quads; nothing logged for a refused write or
   one that changes nothing; the token; 404; revert, and a revert the shapes refuse) and from
   the command line (list; revert refused with one line while a server holds the store, done
   when none does).
7. Recovery (``store.inplace`` alone on an on-disk store, then ``StoreWriter`` in a process
   killed mid-write): an uncommitted transaction is undone when the store is next opened, a
   committed one kept and its entry returned (and logged), a journal torn mid-record handled.

At the end, writes that reach the inferred graph (through the default graph, or naming it; Graph
Store PUT and DELETE of the default graph) are checked one by one the same way as in 1. The app
tests (4-6) use the app's own writer and worker processes; 2 and 3 start real servers
(``serving``).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from ofsted_kg.backends import writer as writer_module
from ofsted_kg.backends.base import Body, Write, apply_checked, change_for
from ofsted_kg.backends.writer import StoreWriter, Written
from ofsted_kg.build.pipeline import infer
from ofsted_kg.build.validation import validate_quads
from ofsted_kg.cli import main as cli_main
from ofsted_kg.config import Settings, load_settings
from ofsted_kg.errors import OfstedKgError, ShapesViolatedError
from ofsted_kg.store import inplace
from ofsted_kg.store.inplace import Change, Transaction, journal_path
from ofsted_kg.store.oxigraph import Store
from ofsted_kg.store.writelog import WriteLog, log_path
from ofsted_kg.web.app import create_app
from ofsted_kg.web.context import current_backend_of
from serving import Server, serving

pytestmark = pytest.mark.usefixtures("clean_environment")

TREES = Path(__file__).parent / "fixtures" / "trees"
BASE = "https://w3id.org/ofsted-kg/"
INFERRED = f"{BASE}graph/inferred"
TEST_GRAPH = f"{BASE}graph/test/"  # the graphs these tests write
TEST_ID = f"{BASE}id/test/"  # the things they describe
EX = "http://example.org/test#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PROV = "http://www.w3.org/ns/prov#"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
TOKEN = "sesame"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PREFIXES = f"""PREFIX okg: <{BASE}def/>
PREFIX grade: <{BASE}def/grade/>
PREFIX t: <{TEST_ID}>
PREFIX prov: <{PROV}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX ex: <{EX}>
"""
# The fixture's shapes: a judgement has exactly one grade (shape:Judgement), and an entity its
# prov:wasGeneratedBy (shape:Entity), a judgement being one by okg:Judgement rdfs:subClassOf
# prov:Entity. Its graphs hold two judgements, one of them with no label.
ACTIVITY = f"<{BASE}id/inspection/kent-2017>"
FIXTURE_JUDGEMENT = f"<{BASE}id/judgement/kent-2017-overall>"
UNLABELLED_JUDGEMENT = f"<{BASE}id/judgement/kent-2010-overall>"
FIXTURE_GRAPH = f"{BASE}graph/seeds/article-one"


def settings_for(store: Path, **overrides: Any) -> Settings:
    return load_settings(env={}, overrides={"root": TREES / "valid", "store": store, **overrides})


def update(text: str, by: str = "test") -> Write:
    return Write("update", text=PREFIXES + text, by=by)


def turtle(triples: list[str]) -> bytes:
    """A Turtle document of ``triples`` (written with the prefixes above)."""
    prefixes = PREFIXES.replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")
    return (prefixes + "".join(f"{t} .\n" for t in triples)).encode()


def judgement_insert(subject: str, graph: str, label: str) -> str:
    """INSERT DATA of a whole (valid) judgement."""
    return (
        f"INSERT DATA {{ GRAPH <{graph}> {{ {subject} a okg:Judgement ; okg:grade grade:good ; "
        f'prov:wasGeneratedBy {ACTIVITY} ; rdfs:label "{label}" }} }}'
    )


# -- What must hold of a store --------------------------------------------------------------------


def named_quads(store: ox.Store) -> list[ox.Quad]:
    return [q for q in store if isinstance(q.graph_name, ox.NamedNode)]


def graph_of(quad: ox.Quad) -> str:
    graph = quad.graph_name
    return graph.value if isinstance(graph, ox.NamedNode) else ""


def data_quads(quads: list[ox.Quad], settings: Settings) -> list[ox.Quad]:
    """The quads the reasoner reads: every named graph but the inferred and the shapes graphs."""
    return [
        q
        for q in quads
        if graph_of(q) != settings.inferred_graph
        and not graph_of(q).startswith(settings.shapes_graph_prefix)
    ]


def inferred_mismatch(store: ox.Store, settings: Settings) -> str:
    """How the store's inferred graph differs from a full re-reasoning of its data ('' if not)."""
    expected, _skipped = infer(data_quads(named_quads(store), settings), settings.inferred_graph)
    have = set(store.quads_for_pattern(None, None, None, ox.NamedNode(settings.inferred_graph)))
    missing, extra = set(expected) - have, have - set(expected)
    if not missing and not extra:
        return ""
    return (
        f"the inferred graph lacks {len(missing)} entailments ({sorted(map(str, missing))[:3]}) "
        f"and has {len(extra)} that are not ({sorted(map(str, extra))[:3]})"
    )


def union_mismatch(store: ox.Store) -> str:
    """How the default graph differs from the union of the named graphs ('' if not)."""
    union = {ox.Triple(q.subject, q.predicate, q.object) for q in named_quads(store)}
    default = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    if union == default:
        return ""
    return (
        f"the default graph lacks {sorted(map(str, union - default))[:3]} and has "
        f"{sorted(map(str, default - union))[:3]}"
    )


def full_validation(store: ox.Store, settings: Settings) -> str:
    """The violations a full SHACL validation of the store finds ('' if it conforms)."""
    report = validate_quads(named_quads(store), settings)
    return "" if report.conforms else report.describe()


def assert_sound(store: ox.Store, settings: Settings, *, validate: bool = True) -> None:
    """The inferred graph is a full re-reasoning's, the default graph the union, and (if
    ``validate``) the whole store passes the shapes."""
    problems = [inferred_mismatch(store, settings), union_mismatch(store)]
    if validate:
        problems.append(full_validation(store, settings))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def comparable(quads: list[ox.Quad]) -> tuple[frozenset[ox.Quad], Counter[str]]:
    """Quads without blank nodes as a set; the others counted with every blank node alike (a
    write's new blank nodes are named differently on each path)."""
    plain = frozenset(
        q
        for q in quads
        if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object, q.graph_name))
    )
    shaped = Counter(
        " ".join(
            "_:b" if isinstance(t, ox.BlankNode) else str(t)
            for t in (q.subject, q.predicate, q.object, q.graph_name)
        )
        for q in quads
        if q not in plain
    )
    return plain, shaped


def describe_difference(mine: list[ox.Quad], theirs: list[ox.Quad]) -> str:
    a, b = comparable(mine), comparable(theirs)
    return (
        f"only in place: {sorted(map(str, a[0] - b[0]))[:4]} {dict(a[1] - b[1])}; "
        f"only the old way: {sorted(map(str, b[0] - a[0]))[:4]} {dict(b[1] - a[1])}"
    )


def the_old_way(
    store: ox.Store, write: Write, settings: Settings
) -> tuple[Store, Exception | None]:
    """The write carried out as writes were before: on an in-memory copy of the named graphs,
    then full reasoning and full validation (``apply_checked``)."""
    copy = Store(ox.Store(), None, writable=True)
    for graph in store.named_graphs():
        copy.inner.add_graph(graph)
    copy.inner.extend(named_quads(store))
    copy.refresh_union()
    try:
        apply_checked(copy, change_for(write, settings), settings)
    except OfstedKgError as exc:
        return copy, exc
    return copy, None


def carry_out(writer: StoreWriter, write: Write) -> tuple[Written | None, OfstedKgError | None]:
    try:
        return writer.write(write), None
    except OfstedKgError as exc:
        return None, exc


# -- 1. Random writes against a full rebuild ------------------------------------------------------

SUBJECTS = [f"t:r{i}" for i in range(5)]
GRAPHS = [f"{TEST_GRAPH}{name}" for name in "abc"]
GRADES = ["grade:good", "grade:adequate"]
# Schema a write may add: each makes some of the facts below entail a judgement (or a grade).
AXIOMS = [
    "ex:Finding rdfs:subClassOf okg:Judgement",
    "ex:assessed rdfs:domain okg:Judgement",
    "ex:rated rdfs:subPropertyOf okg:grade",
]
# The kinds of write drawn, and how often.
KINDS = {
    "judgement": 6,
    "split judgement": 3,
    "facts": 6,
    "axiom": 2,
    "delete data": 4,
    "delete data from the default graph": 2,
    "delete where": 2,
    "delete where on the default graph": 2,
    "delete everything said of it on the default graph": 1,
    "regrade": 2,
    "move activity on the default graph": 1,
    "graph operation": 2,
    "put": 3,
    "post": 2,
    "post to the default graph": 2,
    "delete graph": 1,
    "fixture": 2,
    "shapes": 1,
    "vocabulary": 1,
    "inferred graph": 1,
}


def facts(subject: str, rng: random.Random) -> list[str]:
    """What may be said of a test subject: enough for a judgement, and what makes one by
    reasoning (each triple on its own may break a shape, or not, depending on the rest)."""
    return [
        f"{subject} a okg:Judgement",
        f"{subject} okg:grade {rng.choice(GRADES)}",
        f"{subject} prov:wasGeneratedBy {ACTIVITY}",
        f'{subject} rdfs:label "{subject} {rng.randrange(3)}"',
        f"{subject} a ex:Finding",
        f'{subject} ex:assessed "yes"',
        f"{subject} ex:rated {rng.choice(GRADES)}",
        f"{subject} a prov:Entity",  # entailed for a judgement: asserted as well
    ]


def judgement(subject: str, rng: random.Random) -> list[str]:
    """A whole judgement (valid unless the subject has another grade already)."""
    return [
        f"{subject} a okg:Judgement",
        f"{subject} okg:grade {rng.choice(GRADES)}",
        f"{subject} prov:wasGeneratedBy {ACTIVITY}",
        f'{subject} rdfs:label "{subject}"',
    ]


def in_graph(graph: str | None, triples: list[str]) -> str:
    body = " . ".join(triples)
    return body if graph is None else f"GRAPH <{graph}> {{ {body} }}"


def draw(rng: random.Random) -> tuple[str, Write]:
    """A random write, and its kind."""
    s = rng.choice(SUBJECTS)
    g = rng.choice(GRAPHS)
    other = rng.choice([x for x in GRAPHS if x != g])
    kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
    text: str
    if kind == "judgement":
        text = f"INSERT DATA {{ {in_graph(rng.choice([g, None]), judgement(s, rng))} }}"
    elif kind == "split judgement":
        triples = judgement(s, rng)
        text = f"INSERT DATA {{ {in_graph(g, triples[::2])} {in_graph(other, triples[1::2])} }}"
    elif kind == "facts":
        chosen = rng.sample(facts(s, rng), rng.randint(1, 3))
        text = f"INSERT DATA {{ {in_graph(rng.choice([g, None]), chosen)} }}"
    elif kind == "axiom":
        text = f"INSERT DATA {{ {in_graph(g, [rng.choice(AXIOMS)])} }}"
    elif kind == "delete data":
        chosen = rng.sample(facts(s, rng) + AXIOMS, rng.randint(1, 2))
        text = f"DELETE DATA {{ {in_graph(g, chosen)} }}"
    elif kind == "delete data from the default graph":  # from every graph, the inferred too
        text = f"DELETE DATA {{ {rng.choice(facts(s, rng) + AXIOMS)} }}"
    elif kind == "delete where":
        predicate = rng.choice(["okg:grade", "a", "ex:rated", "prov:wasGeneratedBy"])
        text = (
            f"DELETE {{ GRAPH ?g {{ {s} {predicate} ?o }} }} "
            f"WHERE {{ GRAPH ?g {{ {s} {predicate} ?o }} FILTER(?g != <{INFERRED}>) }}"
        )
    elif kind == "delete where on the default graph":
        predicate = rng.choice(["rdfs:label", "prov:wasGeneratedBy", "ex:rated", "okg:grade", "a"])
        text = f"DELETE WHERE {{ {s} {predicate} ?o }}"
    elif kind == "delete everything said of it on the default graph":
        text = f"DELETE WHERE {{ {rng.choice([s, ACTIVITY])} ?p ?o }}"  # kent-2017: an object too
    elif kind == "regrade":  # every judgement's grade, or only the test subjects'
        old, new = rng.sample(GRADES, 2)
        scope = rng.choice(["", f'FILTER(STRSTARTS(STR(?s), "{TEST_ID}"))'])
        text = (
            f"DELETE {{ GRAPH ?g {{ ?s okg:grade {old} }} }} "
            f"INSERT {{ GRAPH ?g {{ ?s okg:grade {new} }} }} "
            f"WHERE {{ GRAPH ?g {{ ?s okg:grade {old} }} FILTER(?g != <{INFERRED}>) {scope} }}"
        )
    elif kind == "move activity on the default graph":  # out of every graph, into updates
        text = (
            "DELETE { ?s prov:wasGeneratedBy ?a } "
            f"INSERT {{ ?s prov:wasGeneratedBy <{BASE}id/inspection/kent-2010> }} "
            f'WHERE {{ ?s prov:wasGeneratedBy ?a FILTER(STRSTARTS(STR(?s), "{TEST_ID}")) }}'
        )
    elif kind == "graph operation":
        text = rng.choice(
            [
                f"CLEAR GRAPH <{g}>",
                f"DROP SILENT GRAPH <{g}>",
                f"COPY <{g}> TO <{other}>",
                f"MOVE SILENT <{g}> TO <{other}>",
                f"ADD <{g}> TO <{other}>",
                f"CREATE SILENT GRAPH <{g}>",
            ]
        )
    elif kind in ("put", "post", "post to the default graph"):
        triples = rng.choice([judgement(s, rng), rng.sample(facts(s, rng), rng.randint(1, 3))])
        if rng.random() < 0.4:  # a blank node of the document's own
            triples.append(f'{s} prov:qualifiedAttribution [ rdfs:comment "by {s}" ]')
        body = Body(turtle(triples), "text/turtle")
        graph = g if kind in ("put", "post") else None
        return kind, Write(kind.split()[0], graph, bodies=(body,), by="test")
    elif kind == "delete graph":
        return kind, Write("delete", g, by="test")
    elif kind == "fixture":
        text = rng.choice(
            [
                f"DELETE DATA {{ GRAPH <{FIXTURE_GRAPH}> {{ {FIXTURE_JUDGEMENT} okg:grade "
                "grade:good } }",  # its only grade
                f"INSERT DATA {{ GRAPH <{g}> {{ {FIXTURE_JUDGEMENT} okg:grade grade:adequate }} }}",
                f'INSERT DATA {{ GRAPH <{g}> {{ {UNLABELLED_JUDGEMENT} rdfs:label "x" }} }}',
                f"DELETE {{ GRAPH ?g {{ ?s okg:grade ?x }} }} "
                f"WHERE {{ GRAPH ?g {{ ?s okg:grade ?x }} FILTER(?g != <{INFERRED}>) }}",
            ]
        )
    elif kind == "shapes":  # a shape the unlabelled judgement breaks, or one nothing breaks
        target = rng.choice(["okg:Judgement", "ex:Nothing"])
        text = (
            f"INSERT DATA {{ GRAPH <{BASE}graph/shapes/core> {{ ex:Labelled a sh:NodeShape ; "
            f"sh:targetClass {target} ; sh:property [ sh:path rdfs:label ; sh:minCount 1 ] }} }}"
        )
    elif kind == "inferred graph":  # what it holds is up to the data, whatever a write says
        triple = rng.choice([f"{s} a ex:Entailed", f"{s} a prov:Entity", f"{s} a okg:Judgement"])
        operation = rng.choice(["INSERT", "DELETE"])
        text = f"{operation} DATA {{ GRAPH <{INFERRED}> {{ {triple} }} }}"
    else:
        assert kind == "vocabulary"
        text = (
            f"INSERT DATA {{ GRAPH <{BASE}graph/vocab/prov> "
            '{ prov:Entity rdfs:label "entity" } }'
        )
    return kind, update(text)


@pytest.mark.parametrize("seed", [5, 13, 21])
def test_random_writes_in_place_match_a_full_rebuild(store_dir: Path, seed: int) -> None:
    settings = settings_for(store_dir, validation_workers=1)
    writer = StoreWriter(settings)
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    try:
        assert_sound(writer.store, settings)
        for step in range(1, 61):
            kind, write = draw(rng)
            outcomes[kind] += 1
            what = f"write {step} ({kind}): {write.text.splitlines()[-1] if write.text else write}"
            store = writer.store
            before = set(store)
            graphs_before = set(store.named_graphs())
            version_before = writer.version
            old_copy, old_error = the_old_way(store, write, settings)
            written, error = carry_out(writer, write)
            if error is not None:
                outcomes["refused" if isinstance(error, ShapesViolatedError) else "failed"] += 1
                assert set(store) == before, f"{what}: refused ({error}), but the store changed"
                assert set(store.named_graphs()) == graphs_before, what
                assert writer.version == version_before, what
                assert type(old_error) is type(error), (
                    f"{what}: refused in place with {error!r}, the old way with {old_error!r}"
                )
                continue
            outcomes["accepted"] += 1
            assert written is not None
            assert old_error is None, f"{what}: accepted in place, refused the old way: {old_error}"
            assert_sound(store, settings, validate=step % 2 == 0)
            mine, theirs = named_quads(store), list(old_copy.quads())
            assert comparable(mine) == comparable(theirs), (
                f"{what}: {describe_difference(mine, theirs)}"
            )
            assert set(store.named_graphs()) == {
                ox.NamedNode(g) for g in old_copy.named_graphs()
            }, what
            changed = set(store) != before or set(store.named_graphs()) != graphs_before
            assert (written.write_id is not None) == changed, what
            assert (writer.version != version_before) == changed, what
            assert written.snapshot.is_dir(), what
        assert_sound(writer.store, settings)
    finally:
        writer.close()
    # Most kinds of write, and both outcomes often: the sequence tests what it is meant to.
    assert sum(kind in outcomes for kind in KINDS) >= len(KINDS) - 4, outcomes
    assert outcomes["accepted"] >= 20 and outcomes["refused"] >= 4, outcomes


# -- Real servers ---------------------------------------------------------------------------------


def send_update(server: Server, text: str, timeout: float = 60) -> tuple[int, bytes]:
    return server.request(
        "/sparql",
        (PREFIXES + text).encode(),
        "POST",
        timeout,
        Authorization=f"Bearer {TOKEN}",
        **{"Content-Type": "application/sparql-update"},
    )


def put_graph(server: Server, graph: str, body: bytes) -> tuple[int, bytes]:
    return server.request(
        "/store?" + urllib.parse.urlencode({"graph": graph}),
        body,
        "PUT",
        60,
        Authorization=f"Bearer {TOKEN}",
        **{"Content-Type": "text/turtle"},
    )


def term(binding: dict[str, str]) -> str:
    """A SPARQL JSON result term as N-Triples writes it."""
    if binding["type"] == "uri":
        return f"<{binding['value']}>"
    datatype = binding.get("datatype")
    return f'"{binding["value"]}"' + (f"^^<{datatype}>" if datatype else "")


def descendants(pid: int) -> set[int]:
    """The processes below ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def holders_of(directory: Path) -> list[str]:
    """The processes with a file under ``directory`` open."""
    inside = str(directory.resolve()) + os.sep
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                for fd in (entry / "fd").iterdir():
                    with contextlib.suppress(OSError):
                        if os.readlink(fd).startswith(inside):
                            found.append(f"{entry.name}: {(entry / 'cmdline').read_bytes()[:80]!r}")
                            break
    return found


def kill(server: Server, store: Path, *, everything: bool) -> None:
    """SIGKILL the server's process (``everything``: and every process it started, at once, as
    killing its process group would), then wait for every process it had started to end: none
    may be left holding the store."""
    below = descendants(server.process.pid)
    assert below, "the server runs no child processes (no writer?)"
    for pid in [server.process.pid, *(below if everything else ())]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.process.wait(timeout=30)
    all_ended(below, store)


def all_ended(processes: set[int], store: Path) -> None:
    """Wait for ``processes`` (a stopped server's) to end; then none may hold the store."""
    deadline = time.monotonic() + 20
    while any(running(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [p for p in processes if running(p)]
    assert not left, f"processes of the stopped server still run: {left}"
    assert not holders_of(store), holders_of(store)


# -- 2. Crashes at random moments -----------------------------------------------------------------

CRASH_GRAPH = f"{TEST_GRAPH}crash"
LARGE = 100  # subjects in a large write: 300 triples


def numbered_write(n: int, subjects: int) -> str:
    """Write ``n``: each subject an ex:Kind, so an ex:Super and a prov:Entity by reasoning (the
    latter needing the prov:wasGeneratedBy it has)."""
    triples = " ".join(
        f'<{TEST_ID}w{n}/{i}> a ex:Kind ; rdfs:label "w{n}" ; prov:wasGeneratedBy {ACTIVITY} .'
        for i in range(subjects)
    )
    return f"INSERT DATA {{ GRAPH <{CRASH_GRAPH}> {{ {triples} }} }}"


@dataclass
class Ledger:
    """What the client sent and what it was told, and what became of the writes in flight."""

    sizes: dict[int, int] = field(default_factory=dict)  # each write sent: its subjects
    acknowledged: set[int] = field(default_factory=set)
    refused: dict[int, str] = field(default_factory=dict)  # answered, but not with a 2xx
    kept: set[int] = field(default_factory=set)  # in flight when the server was killed: there
    lost: set[int] = field(default_factory=set)  # and not there
    large_sent: list[float] = field(default_factory=list)  # when each large write was sent
    journals_left: int = 0  # kills that left a write's journal behind (recovery had work)
    journal_left: bool = False  # the last kill did
    next: int = 1

    def in_flight(self) -> set[int]:
        return set(self.sizes) - self.acknowledged - set(self.refused) - self.kept - self.lost


def keep_writing(server: Server, ledger: Ledger, rng: random.Random) -> None:
    """Send numbered writes one after the other until the server stops answering."""
    while True:
        n, ledger.next = ledger.next, ledger.next + 1
        large = rng.random() < 0.5
        ledger.sizes[n] = LARGE if large else rng.randint(1, 3)
        if large:
            ledger.large_sent.append(time.monotonic())
        try:
            status, body = send_update(server, numbered_write(n, ledger.sizes[n]))
        except Exception:  # the server was killed: the write is in flight
            return
        if 200 <= status < 300:
            ledger.acknowledged.add(n)
        else:
            ledger.refused[n] = f"{status} {body[:300]!r}"
            return


def per_write(server: Server, graph: str, pattern: str = "?s ?p ?o") -> dict[int, dict[str, int]]:
    """For each write number: how many triples matching ``pattern`` each of its subjects has in
    ``graph``."""
    rows = server.select(
        f"{PREFIXES} SELECT ?s (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ {pattern} }} "
        f'FILTER(STRSTARTS(STR(?s), "{TEST_ID}w")) }} GROUP BY ?s'
    )
    found: dict[int, dict[str, int]] = {}
    for row in rows:
        subject = row["s"]["value"]
        number = int(subject[len(TEST_ID) + 1 :].split("/")[0])
        found.setdefault(number, {})[subject] = int(row["n"]["value"])
    return found


def check_after_restart(server: Server, store: Path, ledger: Ledger) -> None:
    """Every acknowledged write whole, the one in flight whole or absent, nothing else; each
    write's entailments exactly when it is there; the write log listing the writes there."""
    asserted = per_write(server, CRASH_GRAPH)
    entailed = per_write(server, INFERRED, "?s a ?type FILTER(?type IN (ex:Super, prov:Entity))")
    assert set(asserted) <= set(ledger.sizes), f"writes never sent are there: {set(asserted)}"
    in_flight = ledger.in_flight()
    assert len(in_flight) <= 1, in_flight
    for n, size in ledger.sizes.items():
        there = asserted.get(n, {})
        if n in ledger.acknowledged or n in ledger.kept or (n in in_flight and there):
            what = "acknowledged" if n in ledger.acknowledged else "in flight"
            assert len(there) == size and set(there.values()) == {3}, (
                f"write {n} ({size} subjects, {what}) is there in part: {len(there)} subjects, "
                f"with {sorted(set(there.values()))} triples each"
            )
            assert entailed.get(n, {}) == dict.fromkeys(there, 2), f"write {n}'s entailments"
        else:
            assert not there, f"write {n} ({size} subjects, undone before) is there"
            assert n not in entailed, f"write {n} is absent, its entailments are not"
    for n in in_flight:
        (ledger.kept if n in asserted else ledger.lost).add(n)
    logged = set()
    for entry in WriteLog(log_path(store)).entries():
        found = re.search(r'rdfs:label "w(\d+)"', entry["request"].get("text", ""))
        if found:
            logged.add(int(found.group(1)))
    assert logged <= set(asserted), f"logged {sorted(logged)}, there {sorted(asserted)}"
    # Every write kept is logged, the one in flight too (the journal goes only once the log has
    # its entry; a writer killed before that leaves it to the recovery).
    unlogged = set(asserted) - logged
    assert not unlogged, f"logged {sorted(logged)}, there {sorted(asserted)}"
    assert not journal_path(store).exists()


def test_a_server_killed_at_any_moment_keeps_each_write_whole_or_not_at_all(
    store_dir: Path,
) -> None:
    rng = random.Random(7)
    ledger = Ledger()
    # Whom the kill reaches (the server's process alone: the writer dies with it, having
    # finished the write in hand or not; or all its processes at once), and when.
    kills = [
        (everything, moment)
        for everything in (True, False)
        for moment in ("in flight", "in flight", "in flight", "any time")
    ]
    rng.shuffle(kills)
    below: set[int] = set()  # the processes of the last server, stopped at the end
    for everything, moment in [*kills, (False, "end")]:
        with serving(store_dir, "--update-token", TOKEN) as server:
            if ledger.next == 1:
                status, body = send_update(
                    server,
                    f"INSERT DATA {{ GRAPH <{TEST_GRAPH}schema> {{ ex:Kind rdfs:subClassOf "
                    "ex:Super . ex:Super rdfs:subClassOf prov:Entity } }",
                )
                assert status == 204, body
            check_after_restart(server, store_dir, ledger)
            if moment == "end":
                below = descendants(server.process.pid)
                break
            client = threading.Thread(
                target=keep_writing, args=(server, ledger, random.Random(rng.random()))
            )
            client.start()
            if moment == "in flight":  # 0-80 ms after the 1st, 2nd or 3rd large write was sent
                wanted = len(ledger.large_sent) + rng.randint(1, 3)
                deadline = time.monotonic() + 60
                while len(ledger.large_sent) < wanted and time.monotonic() < deadline:
                    time.sleep(0.001)
                delay = ledger.large_sent[-1] + rng.uniform(0, 0.08) - time.monotonic()
                time.sleep(max(0.0, delay))
            else:
                time.sleep(rng.uniform(0.05, 1.0))
            kill(server, store_dir, everything=everything)
            client.join(timeout=60)
            assert not ledger.refused, ledger.refused
            ledger.journal_left = journal_path(store_dir).exists()
            ledger.journals_left += ledger.journal_left
    assert len(ledger.acknowledged) >= 10, ledger
    # Some kills caught a write between its first change and its end (killing every process at
    # once mid-write mostly does): the restart had a journal to undo or finish.
    assert ledger.journals_left >= 1, ledger
    # Stopped (SIGTERM): the store itself is as a full rebuild of its data would make it.
    all_ended(below, store_dir)
    store = ox.Store(str(store_dir))
    try:
        assert_sound(store, settings_for(store_dir, validation_workers=1))
    finally:
        del store


# -- 3. None lost: concurrent writers -------------------------------------------------------------


@dataclass
class ConcurrentClient:
    """One of the clients writing at once: its writes, and what its graphs must hold after them
    (changed only by the writes answered with a 2xx)."""

    number: int
    server: Server
    labels: dict[int, str] = field(default_factory=dict)  # its judgements there, and their labels
    put: int | None = None  # the number of the write whose PUT its own graph holds
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    @property
    def graph(self) -> str:
        return f"{TEST_GRAPH}c{self.number}"

    @property
    def put_graph(self) -> str:
        return f"{TEST_GRAPH}c{self.number}-put"

    def subject(self, i: int) -> str:
        return f"{TEST_ID}c{self.number}-{i}"

    def run(self, writes: int) -> None:
        rng = random.Random(self.number)
        for i in range(writes):
            kind = rng.choice(["valid", "valid", "invalid", "put", "rename", "delete"])
            if kind in ("rename", "delete") and not self.labels:
                kind = "valid"
            try:
                self.write(i, kind, rng)
            except Exception as exc:
                self.failures.append(f"client {self.number}, write {i} ({kind}): {exc!r}")

    def write(self, i: int, kind: str, rng: random.Random) -> None:
        label = f"c{self.number}-{i}"
        k = rng.choice(sorted(self.labels)) if self.labels else -1
        if kind == "valid":
            status, body = send_update(
                self.server, judgement_insert(f"<{self.subject(i)}>", self.graph, label)
            )
        elif kind == "invalid":  # a judgement without its grade
            status, body = send_update(
                self.server,
                f"INSERT DATA {{ GRAPH <{self.graph}> {{ <{self.subject(i)}> a okg:Judgement ; "
                f'prov:wasGeneratedBy {ACTIVITY} ; rdfs:label "{label}" }} }}',
            )
        elif kind == "put":
            status, body = put_graph(
                self.server, self.put_graph, turtle([f"<{TEST_ID}c{self.number}-put> ex:seq {i}"])
            )
        elif kind == "rename":
            s = f"<{self.subject(k)}>"
            status, body = send_update(
                self.server,
                f"DELETE {{ GRAPH ?g {{ {s} rdfs:label ?l }} }} "
                f'INSERT {{ GRAPH ?g {{ {s} rdfs:label "{label} renamed" }} }} '
                f"WHERE {{ GRAPH ?g {{ {s} rdfs:label ?l }} FILTER(?g != <{INFERRED}>) }}",
            )
        else:
            status, body = send_update(
                self.server,
                f"DELETE WHERE {{ GRAPH <{self.graph}> {{ <{self.subject(k)}> ?p ?o }} }}",
            )
        self.statuses[f"{kind} {status}"] += 1
        if status not in {"invalid": (422,), "put": (201, 204)}.get(kind, (204,)):
            what = f"client {self.number}, write {i} ({kind})"
            self.failures.append(f"{what}: {status} {body[:300]!r}")
        if not 200 <= status < 300:
            return
        if kind == "valid":
            self.labels[i] = label
        elif kind == "put":
            self.put = i
        elif kind == "rename":
            self.labels[k] = f"{label} renamed"
        elif kind == "delete":
            del self.labels[k]

    def expected(self) -> set[str]:
        """The quads its graphs must hold, as 'graph subject predicate object' in N-Triples."""
        quads = set()
        g = f"<{self.graph}>"
        for i, label in self.labels.items():
            s = f"<{self.subject(i)}>"
            quads |= {
                f"{g} {s} <{RDF_TYPE}> <{BASE}def/Judgement>",
                f"{g} {s} <{BASE}def/grade> <{BASE}def/grade/good>",
                f"{g} {s} <{PROV}wasGeneratedBy> {ACTIVITY}",
                f'{g} {s} <{RDFS_LABEL}> "{label}"',
            }
        if self.put is not None:
            quads.add(
                f"<{self.put_graph}> <{TEST_ID}c{self.number}-put> <{EX}seq> "
                f'"{self.put}"^^<{XSD_INTEGER}>'
            )
        return quads


def test_concurrent_writers_lose_nothing(store_dir: Path) -> None:
    with serving(store_dir, "--update-token", TOKEN) as server:
        clients = [ConcurrentClient(c, server) for c in range(8)]
        threads = [threading.Thread(target=client.run, args=(20,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        failures = [f for client in clients for f in client.failures]
        assert not failures, failures[:5]
        rows = server.select(
            f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED}>) "
            f'FILTER(STRSTARTS(STR(?s), "{TEST_ID}c")) }}'
        )
        there = {" ".join(term(row[v]) for v in "gspo") for row in rows}
        wanted = set().union(*(client.expected() for client in clients))
        assert there == wanted, (
            f"missing: {sorted(wanted - there)[:5]}; unexpected: {sorted(there - wanted)[:5]}"
        )
        # The entailments follow: about the subjects there (their own owl:sameAs at least), the
        # judgements' prov:Entity, nothing about the writes refused or deleted.
        rows = server.select(
            f"SELECT ?s ?o WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} "
            f'FILTER(STRSTARTS(STR(?s), "{TEST_ID}c")) }}'
        )
        entities = {row["s"]["value"] for row in rows if row["o"]["value"] == f"{PROV}Entity"}
        judgements = {q.split()[1][1:-1] for q in wanted if f"<{BASE}def/Judgement>" in q}
        assert entities == judgements
        assert {row["s"]["value"] for row in rows} == {q.split()[1][1:-1] for q in wanted}
    statuses = sum((client.statuses for client in clients), Counter())
    assert sum(statuses.values()) == 8 * 20
    assert statuses["invalid 422"] >= 10 and statuses["valid 204"] >= 20, statuses
    assert statuses["rename 204"] and statuses["delete 204"] and statuses["put 204"], statuses


# -- The web app, in this process -----------------------------------------------------------------


@contextlib.contextmanager
def writable_app(store: Path, **config: Any) -> Iterator[Flask]:
    """An app that takes writes on ``store`` (its writer process holds the store until the block
    ends)."""
    app = create_app(
        {
            "root": TREES / "valid",
            "store": store,
            "update_token": TOKEN,
            "workers": 1,
            "TESTING": True,
            **config,
        }
    )
    try:
        yield app
    finally:
        current_backend_of(app).close()


def post_update(client: FlaskClient, text: str) -> tuple[int, str]:
    response = client.post("/sparql", data={"update": PREFIXES + text}, headers=AUTH)
    return response.status_code, response.get_data(as_text=True)


def ask(client: FlaskClient, query: str) -> bool:
    response = client.get("/sparql", query_string={"query": PREFIXES + query})
    assert response.status_code == 200, response.get_data(as_text=True)
    return bool(response.get_json()["boolean"])


def count(client: FlaskClient, where: str) -> int:
    response = client.get(
        "/sparql",
        query_string={"query": f"{PREFIXES} SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


# -- 4. Readers see the store before a write or after it, never part of it ------------------------


def test_readers_see_each_write_whole_and_in_order_and_read_their_writes(store_dir: Path) -> None:
    marked = "?s ?p ?o FILTER(?p IN (ex:left, ex:right))"  # on the default graph: the union
    writes = 25
    seen: list[int] = []
    problems: list[str] = []
    done = threading.Event()
    with writable_app(store_dir, workers=2) as app:

        def read() -> None:
            client = app.test_client()
            while not done.is_set():
                n = count(client, marked)
                if n % 2:
                    problems.append(f"a reader saw {n} marker triples: half a write")
                if seen and n < seen[-1]:
                    problems.append(f"a reader saw {n} marker triples after {seen[-1]}")
                seen.append(n)

        reader = threading.Thread(target=read)
        reader.start()
        try:
            client = app.test_client()
            for n in range(writes):
                status, body = post_update(
                    client,
                    f"INSERT DATA {{ GRAPH <{TEST_GRAPH}left> {{ t:m{n} ex:left {n} }} "
                    f"GRAPH <{TEST_GRAPH}right> {{ t:m{n} ex:right {n} }} }}",
                )
                assert status == 204, body
                after = count(client, marked)
                assert after == 2 * (n + 1), f"write {n} acknowledged, then {after} triples seen"
        finally:
            done.set()
            reader.join(timeout=60)
    assert not problems, problems[:5]
    assert len(set(seen)) >= 4, f"the reader hardly ran alongside the writes: {sorted(set(seen))}"


# -- 5. Versions follow writes --------------------------------------------------------------------


def test_validators_answers_and_dumps_follow_each_write(store_dir: Path) -> None:
    query = {"query": f"{PREFIXES} SELECT ?o WHERE {{ t:versioned ex:value ?o }}"}
    json_results = {"Accept": "application/sparql-results+json"}
    with writable_app(store_dir) as app:
        client = app.test_client()
        first = client.get("/sparql", query_string=query, headers=json_results)
        assert first.status_code == 200 and first.get_json()["results"]["bindings"] == []
        void = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
        assert void.status_code == 200 and void.headers["ETag"]
        listed = client.get("/dumps/", query_string={"format": "json"}).get_json()
        for value in (1, 2):
            status, body = post_update(
                client,
                f"DELETE WHERE {{ GRAPH <{TEST_GRAPH}v> {{ t:versioned ex:value ?o }} }} ; "
                f"INSERT DATA {{ GRAPH <{TEST_GRAPH}v> {{ t:versioned ex:value {value} }} }}",
            )
            assert status == 204, body
            # The client's copy is stale: answered in full, with the new value (not an answer
            # kept for the version before).
            stale = {**json_results, "If-None-Match": first.headers["ETag"]}
            again = client.get("/sparql", query_string=query, headers=stale)
            assert again.status_code == 200
            assert again.headers["ETag"] != first.headers["ETag"]
            values = [row["o"]["value"] for row in again.get_json()["results"]["bindings"]]
            assert values == [str(value)]
            current = {**json_results, "If-None-Match": again.headers["ETag"]}
            assert client.get("/sparql", query_string=query, headers=current).status_code == 304
            first = again
        stale = {"Accept": "text/turtle", "If-None-Match": void.headers["ETag"]}
        void_after = client.get("/.well-known/void", headers=stale)
        assert void_after.status_code == 200 and void_after.headers["ETag"] != void.headers["ETag"]
        dumps = client.get("/dumps/", query_string={"format": "json"}).get_json()
        assert dumps["version"] != listed["version"]
        assert dumps["version"] in first.headers["ETag"]
        name = next(d["file"] for d in dumps["dumps"] if ".nq" in d["file"])
        dump = client.get(f"/dumps/{name}")
        try:
            assert dump.status_code == 200
            lines = gzip.decompress(dump.get_data()).decode().splitlines()
        finally:
            dump.close()  # the file it sent is released
        written = f'<{TEST_ID}versioned> <{EX}value> "2"^^<{XSD_INTEGER}> <{TEST_GRAPH}v> .'
        assert written in lines
        assert not any(f'<{EX}value> "1"' in line for line in lines)


def test_snapshots_replaced_by_writes_are_removed_once_no_query_can_read_them(
    store_dir: Path,
) -> None:
    def snapshots() -> list[Path]:
        return sorted(store_dir.parent.glob(f".{store_dir.name}.snapshot-*"))

    writes = 30
    with writable_app(store_dir, query_timeout=1) as app:
        client = app.test_client()
        for n in range(writes + 1):
            if n == writes:
                assert len(snapshots()) > 3  # kept for the queries that may still read them
                # Past the grace period (the query deadline, 1 s, and 5 s more) no query can
                # read the ones replaced before it: the next write removes them.
                time.sleep(1 + 5 + 0.5)
            insert = f"INSERT DATA {{ GRAPH <{TEST_GRAPH}s> {{ t:s ex:n {n} }} }}"
            status, body = post_update(client, insert)
            assert status == 204, body
            assert count(client, "t:s ex:n ?n") == n + 1  # each version's snapshot is read
        deadline = time.monotonic() + 10  # removed as the write lands, or soon after
        while len(snapshots()) > 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        left = snapshots()
        assert len(left) <= 2, [p.name for p in left]
        assert count(client, "t:s ex:n ?n") == writes + 1  # the current one is there


# -- 6. The write log -----------------------------------------------------------------------------


def writes_listed(client: FlaskClient, **query: str) -> dict[str, Any]:
    response = client.get("/writes", query_string=query, headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    listed: dict[str, Any] = response.get_json()
    return listed


def etag_now(client: FlaskClient) -> str:
    return str(client.get("/sparql", query_string={"query": "ASK {}"}).headers["ETag"])


def test_the_write_log_lists_accepted_writes_and_reverts_them(store_dir: Path) -> None:
    graph = f"{TEST_GRAPH}log"
    with writable_app(store_dir, update_token_name="newsdesk") as app:
        client = app.test_client()
        assert client.get("/writes").status_code == 401
        assert client.get("/writes", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert writes_listed(client) == {"writes": [], "total": 0}
        etag = etag_now(client)

        status, body = post_update(client, judgement_insert("t:logged", graph, "logged"))
        assert status == 204, body
        listed = writes_listed(client)
        assert listed["total"] == 1
        summary = listed["writes"][0]
        assert summary["by"] == "newsdesk" and summary["request"]["kind"] == "update"
        assert summary["added"] == 4 and summary["removed"] == 0
        assert summary["version_before"] in etag
        assert summary["version_after"] != summary["version_before"]
        after = etag_now(client)
        assert summary["version_after"] in after
        first_id = summary["id"]
        entry = client.get(f"/writes/{first_id}", headers=AUTH).get_json()
        subject = f"<{TEST_ID}logged>"
        assert sorted(entry["added"]) == sorted(
            [
                f"{subject} <{RDF_TYPE}> <{BASE}def/Judgement> <{graph}> .",
                f"{subject} <{BASE}def/grade> <{BASE}def/grade/good> <{graph}> .",
                f"{subject} <{PROV}wasGeneratedBy> {ACTIVITY} <{graph}> .",
                f'{subject} <{RDFS_LABEL}> "logged" <{graph}> .',
            ]
        )
        assert entry["removed"] == [] and entry["created"] == [graph] and entry["dropped"] == []
        assert "t:logged" in entry["request"]["text"]
        assert entry["at"].endswith("Z")

        # Refused, and changing nothing: not logged, and the version stays.
        refused = f"INSERT DATA {{ GRAPH <{graph}> {{ t:bad a okg:Judgement }} }}"
        assert post_update(client, refused)[0] == 422
        assert post_update(client, judgement_insert("t:logged", graph, "logged"))[0] == 204
        nothing = f"DELETE DATA {{ GRAPH <{graph}> {{ t:nothing ex:p 1 }} }}"
        assert post_update(client, nothing)[0] == 204
        assert writes_listed(client)["total"] == 1
        assert etag_now(client) == after

        # A Graph Store write is logged as what it was.
        put = client.put(
            "/store",
            query_string={"graph": f"{TEST_GRAPH}put"},
            data=turtle(["t:put ex:p 1"]),
            content_type="text/turtle",
            headers=AUTH,
        )
        assert put.status_code == 201, put.get_data(as_text=True)
        newest = writes_listed(client)["writes"][0]
        assert newest["request"] == {"kind": "put", "graph": f"{TEST_GRAPH}put"}
        assert writes_listed(client, limit="1") == {"writes": [newest], "total": 2}

        missing = client.get("/writes/20990101T000000-00000000", headers=AUTH)
        assert missing.status_code == 404 and missing.is_json
        assert "no write" in missing.get_json()["error"]["detail"]
        assert client.post(f"/writes/{first_id}/revert").status_code == 401

        # Reverted: the triples go, and what they entailed; the revert is a write of its own.
        assert ask(client, f"ASK {{ GRAPH <{INFERRED}> {{ t:logged a prov:Entity }} }}")
        reverted = client.post(f"/writes/{first_id}/revert", headers=AUTH)
        assert reverted.status_code == 200, reverted.get_data(as_text=True)
        answer = reverted.get_json()
        assert answer["reverted"] == first_id and answer["write"]
        assert not ask(client, "ASK { t:logged ?p ?o }")
        assert not ask(client, f"ASK {{ GRAPH <{INFERRED}> {{ t:logged ?p ?o }} }}")
        revert = writes_listed(client)["writes"][0]
        assert revert["id"] == answer["write"] and revert["by"] == "newsdesk"
        assert revert["request"] == {"kind": "revert", "of": first_id}
        shown = client.get(f"/writes/{revert['id']}", headers=AUTH).get_json()
        assert sorted(shown["removed"]) == sorted(entry["added"]) and shown["added"] == []
        assert shown["dropped"] == [graph]  # the graph it made, emptied

        # A revert the shapes refuse: a grade stated first, the judgement it grades after.
        grade = f"INSERT DATA {{ GRAPH <{graph}> {{ t:graded okg:grade grade:good }} }}"
        assert post_update(client, grade)[0] == 204
        grade_id = writes_listed(client)["writes"][0]["id"]
        typed = (
            f"INSERT DATA {{ GRAPH <{graph}> {{ t:graded a okg:Judgement ; "
            f"prov:wasGeneratedBy {ACTIVITY} }} }}"
        )
        assert post_update(client, typed)[0] == 204
        total, etag = writes_listed(client)["total"], etag_now(client)
        refusal = client.post(f"/writes/{grade_id}/revert", headers=AUTH)
        assert refusal.status_code == 422, refusal.get_data(as_text=True)
        assert f"{TEST_ID}graded" in refusal.get_json()["error"]["detail"]
        assert ask(client, "ASK { t:graded okg:grade grade:good }")
        assert writes_listed(client)["total"] == total and etag_now(client) == etag


def test_the_command_line_reverts_a_write_only_when_no_server_holds_the_store(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = f"{TEST_GRAPH}cli"
    with writable_app(store_dir, update_token_name="newsdesk") as app:
        client = app.test_client()
        assert post_update(client, judgement_insert("t:cli", graph, "cli"))[0] == 204
        write_id = writes_listed(client)["writes"][0]["id"]
        capsys.readouterr()
        assert cli_main(["writes", "--store", str(store_dir)]) == 0  # listing reads the log only
        out = capsys.readouterr().out
        assert write_id in out and "newsdesk" in out
        # The app's writer process holds the store for writing.
        assert cli_main(["writes", "revert", write_id, "--store", str(store_dir)]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "open for writing" in err, err
        assert ask(client, "ASK { t:cli a okg:Judgement }")
        assert writes_listed(client)["total"] == 1

    argv = ["writes", "revert", write_id, "--store", str(store_dir), "--by", "editor"]
    assert cli_main(argv) == 0
    assert f"reverted {write_id}" in capsys.readouterr().out
    log = list(WriteLog(log_path(store_dir)).entries())
    assert len(log) == 2
    assert log[-1]["by"] == "editor" and log[-1]["request"] == {"kind": "revert", "of": write_id}
    store = ox.Store(str(store_dir))
    try:
        assert not store.query(f"{PREFIXES} ASK {{ t:cli ?p ?o }}")
        assert not store.query(f"{PREFIXES} ASK {{ GRAPH <{INFERRED}> {{ t:cli ?p ?o }} }}")
        assert_sound(store, settings_for(store_dir, validation_workers=1))
    finally:
        del store


# -- 7. Recovery from a journal left by a process that died mid-write -----------------------------


def quad(s: str, p: str, o: str, g: str) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(EX + s), ox.NamedNode(EX + p), ox.NamedNode(EX + o), ox.NamedNode(EX + g)
    )


def store_with_data(path: Path) -> tuple[ox.Store, set[ox.Quad], set[Any]]:
    store = ox.Store(str(path))
    store.extend([quad("a", "p", "b", "g1"), quad("b", "p", "c", "g2"), quad("c", "p", "d", "g2")])
    store.add_graph(ox.NamedNode(EX + "empty"))
    store.flush()
    return store, set(store), set(store.named_graphs())


def apply_three_changes(tx: Transaction, store: ox.Store) -> None:
    """Quads added and removed, a graph made, graphs dropped (their quads listed as removed, as
    the writer lists them), a quad removed by one change added back by another."""
    g2, g3 = ox.NamedNode(EX + "g2"), ox.NamedNode(EX + "g3")
    tx.apply(
        Change(added=[quad("x", "p", "y", "g3")], removed=[quad("a", "p", "b", "g1")], created=[g3])
    )
    tx.apply(Change(removed=list(store.quads_for_pattern(None, None, None, g2)), dropped=[g2]))
    tx.apply(
        Change(
            added=[quad("a", "p", "b", "g1"), quad("z", "p", "z", "g1")],
            dropped=[ox.NamedNode(EX + "empty")],
        )
    )


def crash(tx: Transaction, store: ox.Store) -> None:
    """Leave things as a process killed now would: nothing more written to the journal."""
    tx.journal._file.close()
    store.flush()


def test_an_uncommitted_write_is_undone_when_the_store_is_next_opened(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store, before, graphs = store_with_data(path)
    tx = Transaction(store, path)
    apply_three_changes(tx, store)
    crash(tx, store)
    del tx, store
    reopened = ox.Store(str(path))
    assert quad("x", "p", "y", "g3") in reopened  # the changes had reached the store
    assert inplace.recover(reopened, path) is None
    assert set(reopened) == before and set(reopened.named_graphs()) == graphs
    assert not journal_path(path).exists()
    assert inplace.recover(reopened, path) is None  # nothing more to do


def test_a_committed_write_is_kept_and_its_entry_returned(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store, before, _graphs = store_with_data(path)
    tx = Transaction(store, path)
    apply_three_changes(tx, store)
    after, graphs_after = set(store), set(store.named_graphs())
    entry = {"id": "w1", "changed": True, "added": [], "removed": []}
    tx.journal.commit(entry)  # killed after the commit record, before the journal went
    crash(tx, store)
    del tx, store
    reopened = ox.Store(str(path))
    assert inplace.recover(reopened, path) == entry
    assert set(reopened) == after != before and set(reopened.named_graphs()) == graphs_after
    assert not journal_path(path).exists()


@pytest.mark.parametrize(
    "cut", ["inside the last change", "inside its length", "inside the commit"]
)
def test_a_journal_torn_by_the_crash_is_read_up_to_the_tear(tmp_path: Path, cut: str) -> None:
    """A record torn by the crash was never applied (the store is changed only after its record
    is written): the changes before it are undone, and a torn commit is no commit."""
    path = tmp_path / "store"
    store, before, graphs = store_with_data(path)
    tx = Transaction(store, path)
    apply_three_changes(tx, store)
    journal = journal_path(path)
    whole = journal.stat().st_size
    if cut == "inside the commit":
        tx.journal.commit({"id": "w1", "changed": True})
        keep = whole + (journal.stat().st_size - whole) // 2
    else:  # the next change's record, being written (so not applied) when the process died
        tx.journal.record(Change(added=[quad("never", "p", "applied", "g1")]))
        keep = whole + (2 if cut == "inside its length" else (journal.stat().st_size - whole) // 2)
    crash(tx, store)
    del tx, store
    os.truncate(journal, keep)
    reopened = ox.Store(str(path))
    assert inplace.recover(reopened, path) is None
    assert set(reopened) == before and set(reopened.named_graphs()) == graphs
    assert not journal_path(path).exists()


# A writer process killed at a given point of a write (``os._exit``: nothing after it runs).
KILLED_WRITER = """
import os, sys
from pathlib import Path
from ofsted_kg.backends.base import Write
from ofsted_kg.backends.writer import StoreWriter
from ofsted_kg.config import load_settings
from ofsted_kg.store.inplace import Journal, Transaction
from ofsted_kg.store.writelog import WriteLog
if sys.argv[3] == "commit":
    Transaction.commit = lambda self, entry: os._exit(3)
elif sys.argv[3] == "journal":
    Journal.close = lambda self: os._exit(3)
else:
    WriteLog.append = lambda self, entry: os._exit(3)
settings = load_settings(env={}, overrides={"root": Path(sys.argv[1]), "store": Path(sys.argv[2])})
StoreWriter(settings).write(Write("update", text=sys.stdin.read(), by="killed"))
"""


@pytest.mark.parametrize(
    ("at", "kept"),
    [
        pytest.param("commit", False, id="before-its-commit"),
        pytest.param("journal", True, id="after-its-commit-record"),
        pytest.param("log", True, id="while-it-logs"),
    ],
)
def test_a_writer_opening_the_store_finishes_what_a_killed_one_left(
    store_dir: Path, at: str, kept: bool
) -> None:
    """Through ``StoreWriter``, in a process killed mid-write: killed before the commit record,
    the write and its entailments are gone when the next writer opens the store; killed after
    it, the write stands and the write log has its entry."""
    settings = settings_for(store_dir, validation_workers=1)
    writer = StoreWriter(settings)
    before = set(writer.store)
    writer.close()
    del writer
    child = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(TREES / "valid"), str(store_dir), at],
        input=PREFIXES + judgement_insert("t:killed", f"{TEST_GRAPH}killed", "killed"),
        text=True,
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == 3, child.stderr
    writer = StoreWriter(settings)
    try:
        assert not journal_path(store_dir).exists()
        store = writer.store
        entries = list(WriteLog(log_path(store_dir)).entries())
        if kept:
            assert store.query(f"{PREFIXES} ASK {{ t:killed a okg:Judgement }}")
            assert store.query(
                f"{PREFIXES} ASK {{ GRAPH <{INFERRED}> {{ t:killed a prov:Entity }} }}"
            )
            assert [(e["by"], len(e["added"])) for e in entries] == [("killed", 4)]
        else:
            assert set(store) == before
            assert entries == []
        assert_sound(store, settings)
        next_write = update(judgement_insert("t:next", f"{TEST_GRAPH}killed", "next"))
        assert writer.write(next_write).write_id  # and writes go on
    finally:
        writer.close()


# -- Writes that reach the inferred graph ----------------------------------------------------------

# In union mode a deletion from the default graph removes the triple from every named graph that
# holds it, the inferred graph included, and a write may name the inferred graph itself. Whatever
# the write says, the inferred graph must end holding what the data entails, as the old way's
# full re-reasoning made it (until 40e337c, these were kept as written: an entailment deleted so
# stayed deleted, and then let a later write past the shapes).
INFERRED_GRAPH_WRITES = {
    # <kent-2017> owl:sameAs <kent-2017> stays entailed as long as a judgement names it.
    "delete-everything-said-of-an-iri-still-used-as-an-object": update(
        f"DELETE WHERE {{ {ACTIVITY} ?p ?o }}"
    ),
    # Still entailed: the judgement is still an okg:Judgement, a subclass of prov:Entity.
    "delete-data-of-an-entailed-type": update(
        f"DELETE DATA {{ {FIXTURE_JUDGEMENT} a prov:Entity }}"
    ),
    # Both clear every graph: what any data entails (owl:Thing a owl:Class, ...) stays.
    "graph-store-put-of-the-default-graph": Write(
        "put", None, bodies=(Body(turtle(["t:only ex:p 1"]), "text/turtle"),), by="test"
    ),
    "graph-store-delete-of-the-default-graph": Write("delete", None, by="test"),
    # Nothing entails it.
    "insert-into-the-inferred-graph": update(
        f"INSERT DATA {{ GRAPH <{INFERRED}> {{ t:made-up a ex:Entailed }} }}"
    ),
}


@pytest.mark.parametrize("name", list(INFERRED_GRAPH_WRITES))
def test_a_write_reaching_the_inferred_graph_leaves_it_entailed_by_the_data(
    store_dir: Path, name: str
) -> None:
    settings = settings_for(store_dir, validation_workers=1)
    writer = StoreWriter(settings)
    try:
        write = INFERRED_GRAPH_WRITES[name]
        old_copy, old_error = the_old_way(writer.store, write, settings)
        _written, error = carry_out(writer, write)
        if error is None:  # refusing such a write would do as well
            assert old_error is None, old_error
            assert_sound(writer.store, settings)
            mine, theirs = named_quads(writer.store), list(old_copy.quads())
            assert comparable(mine) == comparable(theirs), describe_difference(mine, theirs)
    finally:
        writer.close()


def test_deleting_an_entailment_first_does_not_let_a_write_past_the_shapes(
    store_dir: Path,
) -> None:
    """Had the entailed type stayed deleted, shape:Entity would no longer see the judgement, and
    the second write would be accepted though a rebuild (full reasoning, then validation) would
    refuse the data."""
    settings = settings_for(store_dir, validation_workers=1)
    writer = StoreWriter(settings)
    try:
        for text in (
            f"DELETE DATA {{ {FIXTURE_JUDGEMENT} a prov:Entity }}",
            f"DELETE DATA {{ GRAPH <{FIXTURE_GRAPH}> "  # shape:Entity's path
            f"{{ {FIXTURE_JUDGEMENT} prov:wasGeneratedBy {ACTIVITY} }} }}",
        ):
            carry_out(writer, update(text))
        quads = named_quads(writer.store)
        data = data_quads(quads, settings)
        rebuilt, _skipped = infer(data, settings.inferred_graph)
        shapes = [q for q in quads if graph_of(q).startswith(settings.shapes_graph_prefix)]
        report = validate_quads([*data, *rebuilt, *shapes], settings)
        assert report.conforms, report.describe()
    finally:
        writer.close()


def test_a_long_lived_writer_reads_its_state_afresh_after_many_writes(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reasoner and the validated graph keep every term ever written; after
    REFRESH_AFTER_WRITES writes, an idle writer reads them afresh from the store (``tidy``), and
    writes go on being reasoned over and checked as before."""
    monkeypatch.setattr(writer_module, "REFRESH_AFTER_WRITES", 2)
    settings = settings_for(store_dir, validation_workers=1)
    writer = StoreWriter(settings)
    try:
        first = writer.upkeep()
        writer.tidy()
        assert writer.upkeep() is first  # not yet: too few writes
        for n in range(2):
            written, error = carry_out(
                writer, update(judgement_insert(f"t:tidy{n}", f"{TEST_GRAPH}tidy", f"tidy {n}"))
            )
            assert error is None and written is not None and written.write_id is not None
        writer.tidy()
        assert writer.upkeep() is not first and writer.writes_since_load == 0
        _written, error = carry_out(
            writer,
            update(f"INSERT DATA {{ GRAPH <{TEST_GRAPH}tidy> {{ t:bad a okg:Judgement }} }}"),
        )
        assert isinstance(error, ShapesViolatedError), error
        assert_sound(writer.store, settings)
    finally:
        writer.close()
