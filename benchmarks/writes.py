"""Writes through the endpoint on the real store, side by side with Oxigraph server (issue 13).

    .venv/bin/python benchmarks/writes.py [--store var/store] [--writes 50] [--bulk 10000]
        [--burst 20] [--burst-seconds 5] [--readers 2] [--idle-seconds 5]
        [--baseline CHECKOUT] [--checkout DIR]
    .venv/bin/python benchmarks/writes.py --concurrency [--writers 8] [--per-writer 20]
    .venv/bin/python benchmarks/writes.py --memory-writes 1000

Each server gets its own copy of ``--store`` (the store ``ofsted-kg build`` makes from the real
tree; the original is never written) and is measured alone, end to end over HTTP on 127.0.0.1:
``ofsted-kg serve`` of this checkout (``--checkout``: another tree's ``server/``), of
``--baseline`` if given, and ``oxigraph serve`` (the PyPI ``oxigraph`` binary beside this Python,
endpoints /query, /update and /store), which applies the same writes to the same data with no
reasoning and no shapes. The writes are realistic for this graph and keep it valid:

- ``INSERT DATA``: a new ``foaf:Person`` (label, name, ``dct:source``) and a new ``okg:Quotation``
  claim attributed to that person, quoted from and derived from an existing article, in that
  article's named graph (11 triples);
- ``DELETE/INSERT WHERE``: the quotation's words changed (``WITH`` the graph; 1 triple out, 1 in);
- ``DELETE DATA``: the person and claim that the two writes before made (11 triples);
- Graph Store ``PUT`` of a new small named graph (``okg:SourceGraph`` with its source, and a
  person: 7 triples);
- an invalid write: an ``okg:Judgement`` without ``okg:grade`` (``shapes/inspections.ttl``,
  ``shape:JudgementGrade``), which ofsted-kg must refuse with 422 and the report; Oxigraph has no
  shapes, so the same write is timed there as accepted;

each ``--writes`` times (every IRI carries a counter), then a bulk ``INSERT DATA`` of ``--bulk``
triples (a new named graph of people) in one request, then light queries (an ``ASK`` and a label
lookup, each text new so that no answer is reused) from ``--readers`` clients, first for
``--idle-seconds`` with no writes and then during a burst of ``--burst`` back-to-back small
inserts (4 triples each; more until ``--burst-seconds`` have passed, so that a fast server's burst
lasts long enough to be measured). The web process's resident memory is sampled throughout
(ofsted-kg's writes run in its writer process, which keeps what reasoning and validation need in
memory: the whole process tree's peak is printed too).
The table gives, per kind, p50 (the median) and p99 in ms for each server and the ratio of the
p50s (ofsted-kg over Oxigraph).

``--memory-writes N`` measures memory over many writes instead: N small writes (an insert, then
the delete of what it inserted, in turn, so that the data ends as it began), the resident memory
of the web process and of its whole process tree (query workers and the writer) printed every
tenth of the way.

``--concurrency`` measures "none lost" instead: ``--writers`` clients at once, ``--per-writer``
writes each (inserts, changes of the writer's own latest insert, Graph Store PUTs and invalid
judgements in turn, each writer starting at another of them), then checks over SPARQL that every
acknowledged (2xx) write is in the store and every refused (4xx) one is not, and counts 5xx answers
and failed requests. It prints, per server, the counts, the wall time, writes per second and the
p50/p99 latency of a write under that contention.

Oxigraph's default graph is the union the build stored, which its writes (all into named graphs)
do not change; every check here names its graph.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from servers import HERE, free_port, resident_mib, server

BASE = "https://w3id.org/ofsted-kg/"
DOC = f"{BASE}id/document/communitycare-2017-06-13"
GRAPH = f"{BASE}graph/seeds/communitycare-2017-06-13"
KENT = f"{BASE}id/council/E10000016"
NAMESPACES = {
    "okg": f"{BASE}def/",
    "area": f"{BASE}def/area/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in NAMESPACES.items())
TURTLE_PREFIXES = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in NAMESPACES.items())
TIMEOUT = 3600.0  # a queued write on today's ofsted-kg may wait for many others
OXIGRAPH = "oxigraph serve"


# -- The writes -----------------------------------------------------------------------------------


def person(key: str) -> str:
    return f"<{BASE}id/person/bench-{key}>"


def claim(key: str) -> str:
    return f"<{BASE}id/claim/communitycare-2017-06-13/bench-{key}>"


def person_triples(key: str) -> str:
    """4 triples: a person the graph describes, with a name to show and a source."""
    return (
        f'{person(key)} a foaf:Person ; rdfs:label "Benchmark Person {key}" ; '
        f'foaf:name "Benchmark Person {key}" ; dct:source <{DOC}> .\n'
    )


def quotation_triples(key: str, quoted: str) -> str:
    """7 triples: a quotation claim attributed to the person ``key``, as the seeds write them
    (the statement keeps the first words; only the quoted ones change)."""
    return (
        f"{claim(key)} a okg:Quotation ; okg:quotation {json.dumps(quoted)} ; "
        f'okg:statement "Benchmark Person {key} said the services were {words(key)}." ; '
        f"prov:wasAttributedTo {person(key)} ; prov:wasQuotedFrom <{DOC}> ; "
        f"prov:wasDerivedFrom <{DOC}> ; okg:about <{KENT}> .\n"
    )


def words(key: str, changed: bool = False) -> str:
    return f"{'much improved' if changed else 'improving'} ({key})"


def insert_data(key: str) -> str:
    body = person_triples(key) + quotation_triples(key, words(key))
    return f"{PREFIXES}INSERT DATA {{ GRAPH <{GRAPH}> {{\n{body}}} }}"


def change_where(key: str) -> str:
    return (
        f"{PREFIXES}WITH <{GRAPH}>\nDELETE {{ {claim(key)} okg:quotation ?words }}\n"
        f"INSERT {{ {claim(key)} okg:quotation {json.dumps(words(key, changed=True))} }}\n"
        f"WHERE {{ {claim(key)} okg:quotation ?words }}"
    )


def delete_data(key: str) -> str:
    body = person_triples(key) + quotation_triples(key, words(key, changed=True))
    return f"{PREFIXES}DELETE DATA {{ GRAPH <{GRAPH}> {{\n{body}}} }}"


def put_graph(key: str) -> str:
    return f"{BASE}graph/seeds/bench-put-{key}"


def put_body(key: str) -> bytes:
    """7 triples of Turtle: the graph describes itself and its source, and one person."""
    return (
        f"{TURTLE_PREFIXES}"
        f'<{put_graph(key)}> a okg:SourceGraph ; rdfs:label "benchmark graph {key}"@en ; '
        f"prov:wasDerivedFrom <{DOC}> .\n" + person_triples(f"put-{key}")
    ).encode()


def judgement(key: str) -> str:
    return f"<{BASE}id/judgement/communitycare-2017-06-13/bench-{key}>"


def invalid_insert(key: str) -> str:
    """A judgement without a grade: shape:JudgementGrade refuses it (6 triples)."""
    return (
        f"{PREFIXES}INSERT DATA {{ GRAPH <{GRAPH}> {{\n{judgement(key)} a okg:Judgement ; "
        f'rdfs:label "a judgement with no grade ({key})"@en ; okg:judgementOf <{KENT}> ; '
        f'okg:area area:safeguarding ; okg:judgementYear "2017"^^xsd:gYear ; '
        f"prov:wasDerivedFrom <{DOC}> .\n}} }}"
    )


def bulk_insert(key: str, triples: int) -> tuple[str, int]:
    """About ``triples`` triples in a new named graph: 4 describing it, then people of 4."""
    graph = f"{BASE}graph/seeds/bench-bulk-{key}"
    people = max(0, math.ceil((triples - 4) / 4))
    lines = [
        f'<{graph}> a okg:SourceGraph ; rdfs:label "benchmark bulk graph {key}"@en ; '
        f'skos:editorialNote "{people} people" ; prov:wasDerivedFrom <{DOC}> .'
    ]
    lines += [person_triples(f"bulk-{key}-{n}") for n in range(people)]
    body = "\n".join(lines)
    return f"{PREFIXES}INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}", 4 + 4 * people


LIGHT = [
    ("ask", f"{PREFIXES}ASK {{ ?j a okg:Judgement }}"),
    ("lookup", f"{PREFIXES}SELECT ?l WHERE {{ <{KENT}> rdfs:label ?l }}"),
]


# -- HTTP -----------------------------------------------------------------------------------------


@dataclass
class Target:
    """A running server: where it answers queries and updates, and its process."""

    name: str
    port: int
    pid: int
    query_path: str
    update_path: str

    def call(self, method: str, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            conn.request(
                method,
                path,
                body=body,
                headers={
                    "Content-Type": content_type,
                    "Authorization": "Bearer benchmark",
                    "Accept": "application/sparql-results+json",
                },
            )
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def update(self, text: str) -> tuple[int, bytes]:
        return self.call("POST", self.update_path, text.encode(), "application/sparql-update")

    def put(self, graph: str, turtle: bytes) -> tuple[int, bytes]:
        path = "/store?" + urllib.parse.urlencode({"graph": graph})
        return self.call("PUT", path, turtle, "text/turtle")

    def query(self, text: str) -> tuple[int, bytes]:
        body = urllib.parse.urlencode({"query": text}).encode()
        return self.call("POST", self.query_path, body, "application/x-www-form-urlencoded")

    def ask(self, pattern: str) -> bool:
        status, body = self.query(f"{PREFIXES}ASK {{ {pattern} }}")
        if status != 200:
            raise SystemExit(f"{self.name}: ASK answered {status}: {body[:300]!r}")
        return bool(json.loads(body)["boolean"])


def timed(action: Callable[..., tuple[int, bytes]], *args: Any) -> tuple[float, int, bytes]:
    """How long ``action(*args)`` took, and its answer (status 0: none)."""
    started = time.perf_counter()
    try:
        status, body = action(*args)
    except OSError as error:  # no answer at all: counted as a failure
        return time.perf_counter() - started, 0, str(error).encode()
    return time.perf_counter() - started, status, body


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [root], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_mib(root: int) -> float:
    total = 0.0
    for pid in descendants(root):
        with contextlib.suppress(OSError, IndexError):  # it may have ended meanwhile
            total += resident_mib(pid)
    return total


class MemorySampler(threading.Thread):
    """The web process's resident memory (and its process tree's) every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.web: list[float] = []
        self.tree: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                self.web.append(resident_mib(self.pid))
                self.tree.append(tree_mib(self.pid))
            except (OSError, IndexError):
                pass
            self.done.wait(self.interval)

    def stop(self) -> None:
        self.done.set()
        self.join()


# -- Servers --------------------------------------------------------------------------------------


@contextmanager
def ofsted_kg(name: str, checkout: Path, store: Path) -> Iterator[Target]:
    with server(checkout, store) as (port, pid):
        yield Target(name, port, pid, "/sparql", "/sparql")


@contextmanager
def oxigraph(store: Path) -> Iterator[Target]:
    port = free_port()
    binary = Path(sys.executable).parent / "oxigraph"
    process = subprocess.Popen(
        [str(binary), "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    target = Target(OXIGRAPH, port, process.pid, "/query", "/update")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if target.query("ASK {}")[0] == 200:
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("oxigraph serve did not start") from None
                time.sleep(0.2)
        yield target
    finally:
        process.terminate()
        process.wait(timeout=60)


# -- Figures --------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low = math.floor(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


@dataclass
class Figures:
    """What one server did: seconds per kind, unexpected answers, memory."""

    times: dict[str, list[float]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    memory: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.times.setdefault(kind, []).append(seconds)


def expect(
    figures: Figures, kind: str, got: tuple[float, int, bytes], ok: Callable[[int], bool]
) -> None:
    seconds, status, body = got
    figures.add(kind, seconds)
    if not ok(status):
        figures.problems.append(f"{kind}: {status} {body[:400]!r}")


def success(status: int) -> bool:
    return 200 <= status < 300


def is_422(status: int) -> bool:
    return status == 422


def light_queries(target: Target, readers: int, until: Callable[[], bool]) -> list[float]:
    """``readers`` clients each sending the light queries in turn, each text new, until
    ``until()``: the latencies of the answered ones (a failed one stops the run)."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def reader(number: int) -> None:
        mine: list[float] = []
        n = 0
        while not until():
            _name, text = LIGHT[n % len(LIGHT)]
            seconds, status, body = timed(target.query, f"{text}\n# reader {number}, query {n}")
            n += 1
            if status != 200:
                failures.append(f"{status} {body[:200]!r}")
                break
            mine.append(seconds)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=reader, args=(r,)) for r in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{target.name}: a light query failed: {failures[0]}")
    return latencies


KINDS = {
    "insert": "INSERT DATA (11 triples)",
    "change": "DELETE/INSERT WHERE (1 triple out, 1 in)",
    "delete": "DELETE DATA (11 triples)",
    "put": "Graph Store PUT, new graph (7 triples)",
    "invalid": "invalid INSERT DATA (judgement without grade)",
    "bulk": "bulk INSERT DATA",
    "idle": "light queries, no writes",
    "burst": "light queries during the burst",
    "burst writes": "burst: small INSERT DATA back to back",
}


def measure(target: Target, args: argparse.Namespace) -> Figures:
    figures = Figures()
    refused = target.name != OXIGRAPH  # ofsted-kg checks the shapes; Oxigraph has none
    for text in (LIGHT[0][1], LIGHT[1][1]):  # the first queries start a worker or two
        target.query(text)
    sampler = MemorySampler(target.pid)
    figures.memory["before"] = resident_mib(target.pid)
    sampler.start()
    stop = time.monotonic() + args.idle_seconds
    figures.times["idle"] = light_queries(target, args.readers, lambda: time.monotonic() > stop)
    for n in range(args.writes):
        key = str(n)
        expect(figures, "insert", timed(target.update, insert_data(key)), success)
        expect(figures, "change", timed(target.update, change_where(key)), success)
        expect(figures, "delete", timed(target.update, delete_data(key)), success)
        expect(figures, "put", timed(target.put, put_graph(key), put_body(key)), success)
        got = timed(target.update, invalid_insert(key))
        expect(figures, "invalid", got, is_422 if refused else success)
        if refused and n == 0 and got[1] == 422:
            figures.notes.append("the 422's report: " + got[2].decode(errors="replace")[:600])
        print(f"  {target.name}: round {n + 1} of {args.writes} done", flush=True)
    # What the rounds left: the PUT graphs, no inserted person, no invalid judgement.
    last = str(args.writes - 1)
    for thing in (person(last), claim(last)):
        if args.writes and target.ask(f"GRAPH ?g {{ {thing} ?p ?o }}"):
            figures.problems.append(f"{thing}, inserted and then deleted, is still there")
    if args.writes and not target.ask(
        f"GRAPH <{put_graph(last)}> {{ {person('put-' + last)} a foaf:Person }}"
    ):
        figures.problems.append("a graph put is not there")
    if refused and args.writes and target.ask(f"GRAPH ?g {{ {judgement(last)} ?p ?o }}"):
        figures.problems.append("a refused judgement is there")
    if args.bulk:
        text, count = bulk_insert("0", args.bulk)
        KINDS["bulk"] = f"bulk INSERT DATA ({count:,} triples, {len(text) / 1e6:.1f} MB)"
        expect(figures, "bulk", timed(target.update, text), success)
        if not target.ask(f"GRAPH ?g {{ {person('bulk-0-0')} a foaf:Person }}"):
            figures.problems.append("the bulk insert is not there")
        print(f"  {target.name}: bulk insert done", flush=True)
    if args.burst:
        finished = threading.Event()

        def burst() -> None:
            """``--burst`` small inserts back to back, and more until ``--burst-seconds``."""
            try:
                stop, n = time.monotonic() + args.burst_seconds, 0
                while n < args.burst or time.monotonic() < stop:
                    triples = person_triples(f"burst-{n}")
                    text = f"{PREFIXES}INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}"
                    expect(figures, "burst writes", timed(target.update, text), success)
                    n += 1
            finally:
                finished.set()

        writer = threading.Thread(target=burst)
        writer.start()
        figures.times["burst"] = light_queries(target, args.readers, finished.is_set)
        writer.join()
        print(f"  {target.name}: burst done", flush=True)
    sampler.stop()
    figures.memory["after"] = resident_mib(target.pid)
    figures.memory["max"] = max([*sampler.web, figures.memory["after"]])
    figures.memory["tree max"] = max(sampler.tree, default=math.nan)
    figures.memory["samples"] = len(sampler.web)
    return figures


# -- Memory over many writes ----------------------------------------------------------------------


def memory_over_writes(target: Target, writes: int) -> list[tuple[int, float, float, float]]:
    """(writes done, web MiB, process tree MiB, median ms of the last stretch's writes) at the
    start and every tenth of the way."""
    rows = [(0, resident_mib(target.pid), tree_mib(target.pid), math.nan)]
    step = max(1, writes // 10)
    times: list[float] = []
    for n in range(writes):
        key = f"m{n // 2}"
        person_only = f"{PREFIXES}%s {{ GRAPH <{GRAPH}> {{ {person_triples(key)} }} }}"
        text = person_only % ("INSERT DATA" if n % 2 == 0 else "DELETE DATA")
        seconds, status, body = timed(target.update, text)
        if not success(status):
            raise SystemExit(f"write {n} answered {status}: {body[:300]!r}")
        times.append(seconds)
        if (n + 1) % step == 0 or n + 1 == writes:
            median = percentile(times, 0.5) * 1000
            rows.append((n + 1, resident_mib(target.pid), tree_mib(target.pid), median))
            times = []
            print(f"  {target.name}: {n + 1} writes done", flush=True)
    return rows


# -- None lost ------------------------------------------------------------------------------------


# Each writer goes round these from its own place (writer w starts at the w-th), so that even two
# writes per writer give every kind.
KINDS_IN_TURN = ("insert", "change", "put", "invalid")


@dataclass
class Outcome:
    kind: str
    status: int
    seconds: float
    pattern: str  # what is in the store if the write was kept


def concurrent_writes(target: Target, args: argparse.Namespace) -> dict[str, object]:
    """``--writers`` clients at once, ``--per-writer`` writes each; then every write checked."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    start = threading.Barrier(args.writers)

    def writer(w: int) -> None:
        mine: list[Outcome] = []
        start.wait()
        inserted: str | None = None  # this writer's latest insert, for a change to change
        for j in range(args.per_writer):
            key = f"c{w}-{j}"
            kind = KINDS_IN_TURN[(w + j) % len(KINDS_IN_TURN)]
            if kind == "change" and inserted is None:
                kind = "insert"  # nothing of this writer's to change yet
            if kind == "insert":  # a new person and quotation
                got = timed(target.update, insert_data(key))
                pattern = f"GRAPH <{GRAPH}> {{ {claim(key)} a okg:Quotation }}"
                inserted = key
            elif kind == "change" and inserted is not None:  # the words of that insert changed
                got = timed(target.update, change_where(inserted))
                changed = json.dumps(words(inserted, changed=True))
                pattern = f"GRAPH <{GRAPH}> {{ {claim(inserted)} okg:quotation {changed} }}"
                inserted = None  # changed once
            elif kind == "put":  # a new graph
                got = timed(target.put, put_graph(key), put_body(key))
                pattern = f"GRAPH <{put_graph(key)}> {{ {person('put-' + key)} a foaf:Person }}"
            else:  # refused by ofsted-kg, kept by Oxigraph
                got = timed(target.update, invalid_insert(key))
                pattern = f"GRAPH ?g {{ {judgement(key)} a okg:Judgement }}"
            mine.append(Outcome(kind, got[1], got[0], pattern))
        with lock:
            outcomes.extend(mine)

    sampler = MemorySampler(target.pid)
    before = resident_mib(target.pid)
    sampler.start()
    started = time.perf_counter()
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(args.writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    sampler.stop()
    acknowledged = [o for o in outcomes if success(o.status)]
    refused = [o for o in outcomes if 400 <= o.status < 500]
    errors = [o for o in outcomes if not (success(o.status) or 400 <= o.status < 500)]
    lost = [o for o in acknowledged if not target.ask(o.pattern)]
    ghosts = [o for o in refused if target.ask(o.pattern)]
    wrong = [
        o
        for o in outcomes
        if (o.kind == "invalid") != (o.status == 422) and target.name != OXIGRAPH
    ]
    return {
        "writes": len(outcomes),
        "of which": ", ".join(f"{sum(o.kind == k for o in outcomes)} {k}" for k in KINDS_IN_TURN),
        "acknowledged": len(acknowledged),
        "refused": len(refused),
        "5xx or no answer": len(errors),
        "lost": len(lost),
        "refused but present": len(ghosts),
        "unexpected status": len(wrong),
        "statuses": sorted({o.status for o in outcomes}),
        "wall s": wall,
        "writes/s": len(outcomes) / wall,
        "p50 ms": 1000 * percentile([o.seconds for o in outcomes], 0.5),
        "p99 ms": 1000 * percentile([o.seconds for o in outcomes], 0.99),
        "web MiB": f"{before:.0f} -> max {max(sampler.web, default=math.nan):.0f} -> "
        f"{resident_mib(target.pid):.0f}",
        "tree max MiB": max(sampler.tree, default=math.nan),
    }


# -- Main -----------------------------------------------------------------------------------------


def number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 1 else f"{value:.2g}"


def ms(seconds: float) -> str:
    return number(1000 * seconds)


def table(results: dict[str, Figures]) -> None:
    names = list(results)
    ours = names[0]
    header = "| what | n | " + " | ".join(f"{n}: p50 ms | {n}: p99 ms" for n in names)
    header += f" | p50 ratio ({ours} / {OXIGRAPH}) |"
    print(header)
    print("|---|---:|" + "---:|---:|" * len(names) + "---:|")
    for kind, label in KINDS.items():
        if not any(results[n].times.get(kind) for n in names):
            continue
        counts = [len(results[n].times.get(kind, [])) for n in names]
        cells = []
        for name in names:
            values = results[name].times.get(kind, [])
            cells.append(f"{ms(percentile(values, 0.5))} | {ms(percentile(values, 0.99))}")
        p50s = [percentile(results[n].times.get(kind, []), 0.5) for n in (ours, OXIGRAPH)]
        ratio = p50s[0] / p50s[1] if p50s[1] else math.nan
        count = " / ".join(f"{c:,}" for c in counts)
        print(f"| {label} | {count} | " + " | ".join(cells) + f" | {ratio:,.0f}x |")
    print("\n| server | web process MiB: before | max (sampled) | after | process tree max MiB |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        m = results[name].memory
        print(
            f"| {name} | {m['before']:.0f} | {m['max']:.0f} | {m['after']:.0f} | "
            f"{m['tree max']:.0f} ({m['samples']:.0f} samples) |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("var/store"))
    parser.add_argument("--writes", type=int, default=50, help="writes of each small kind")
    parser.add_argument("--bulk", type=int, default=10_000, help="triples in the bulk insert")
    parser.add_argument("--burst", type=int, default=20, help="writes in the burst, at least")
    parser.add_argument("--burst-seconds", type=float, default=5, help="the burst's least time")
    parser.add_argument("--readers", type=int, default=2, help="light-query clients")
    parser.add_argument("--idle-seconds", type=float, default=5)
    parser.add_argument("--concurrency", action="store_true", help="the none-lost check instead")
    parser.add_argument(
        "--memory-writes", type=int, default=0, metavar="N", help="memory over N writes instead"
    )
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--per-writer", type=int, default=20)
    parser.add_argument("--checkout", type=Path, default=HERE, help="the tree to serve")
    parser.add_argument("--baseline", type=Path, help="another checkout, served in turn")
    args = parser.parse_args()
    if not (args.store / "CURRENT").exists():
        raise SystemExit(f"no store at {args.store}: run `make build` first")
    print(f"$ {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores")
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    servers: list[tuple[str, Path | None]] = [(f"ofsted-kg {args.checkout}", args.checkout)]
    if args.baseline is not None:
        servers.append((f"baseline {args.baseline}", args.baseline.resolve()))
    servers.append((OXIGRAPH, None))
    results: dict[str, Figures] = {}
    concurrency: dict[str, dict[str, object]] = {}
    memory: dict[str, list[tuple[int, float, float, float]]] = {}
    for index, (name, checkout) in enumerate(servers):
        with tempfile.TemporaryDirectory(prefix="writes-") as scratch:
            copy = Path(scratch) / "store"
            shutil.copytree(args.store, copy)
            (copy / "LOCK").unlink(missing_ok=True)
            started = ofsted_kg(name, checkout.resolve(), copy) if checkout else oxigraph(copy)
            with started as target:
                print(f"{name} (server {index + 1} of {len(servers)}):", flush=True)
                if args.memory_writes:
                    memory[name] = memory_over_writes(target, args.memory_writes)
                elif args.concurrency:
                    concurrency[name] = concurrent_writes(target, args)
                    print(f"  {concurrency[name]}", flush=True)
                else:
                    results[name] = measure(target, args)
                    for problem in results[name].problems:
                        print(f"  UNEXPECTED {problem}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}\n")
    if args.memory_writes:
        print("| server | writes done | web process MiB | process tree MiB | median ms since |")
        print("|---|---:|---:|---:|---:|")
        for name, rows in memory.items():
            for done, web, tree, median in rows:
                print(f"| {name} | {done:,} | {web:.0f} | {tree:.0f} | {number(median)} |")
        return 0
    if args.concurrency:
        keys = list(next(iter(concurrency.values())))
        print("| server | " + " | ".join(keys) + " |")
        print("|---|" + "---:|" * len(keys))
        for name, row in concurrency.items():
            cells = [number(v) if isinstance(v, float) else str(v) for v in row.values()]
            print(f"| {name} | " + " | ".join(cells) + " |")
        return 0
    table(results)
    for name, figures in results.items():
        for note in figures.notes:
            print(f"\n{name}: {note}")
        if figures.problems:
            print(f"\n{name}: {len(figures.problems)} unexpected answers, the first: ")
            print(f"  {figures.problems[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
