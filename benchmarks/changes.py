"""How long ``store.changes.operation_change`` takes on a large on-disk store.

    .venv/bin/python benchmarks/changes.py [--quads 300000] [--runs 50]

Generates an on-disk Oxigraph store in a temporary directory: ``--quads`` quads in 100 named
graphs (3,000 subjects per graph, 5 properties with literal and IRI values), and their union
materialised into the default graph as the server keeps it (so the store holds about twice
``--quads``). Then times ``operation_change`` (nothing is written) ``--runs`` times for each
operation below, in plain mode and in union mode, and prints the median and the 90th percentile
in milliseconds:

- ``INSERT DATA`` of 5 new triples (into a named graph in plain mode, into the default graph in
  union mode);
- ``DELETE DATA`` of 5 triples that are in the store;
- a small ``DELETE/INSERT ... WHERE`` (one subject's label changed, ``WITH`` its graph);
- ``DELETE WHERE`` of one subject's triples in every graph (``GRAPH ?g``);
- ``DELETE WHERE`` of one whole named graph (``--quads``/100 quads).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator

import pyoxigraph as ox
from ofsted_kg.store.changes import operation_change
from ofsted_kg.store.oxigraph import Store

EX = "http://example.org/bench/"
PREFIX = f"PREFIX ex: <{EX}>\n"
GRAPHS = 100
PROPERTIES = ("label", "count", "related", "kind", "note")


def generated(count: int) -> Iterator[ox.Quad]:
    per_graph = count // GRAPHS
    for i in range(count):
        graph = ox.NamedNode(f"{EX}graph{i % GRAPHS}")
        subject = ox.NamedNode(f"{EX}s{(i // GRAPHS) // len(PROPERTIES)}-{i % GRAPHS}")
        name = PROPERTIES[(i // GRAPHS) % len(PROPERTIES)]
        obj: ox.NamedNode | ox.Literal
        if name == "related":
            obj = ox.NamedNode(f"{EX}s{(i * 7) % per_graph}-{(i * 3) % GRAPHS}")
        elif name == "count":
            obj = ox.Literal(
                str(i), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            )
        else:
            obj = ox.Literal(f"{name} {i}", language="en")
        yield ox.Quad(subject, ox.NamedNode(f"{EX}{name}"), obj, graph)


def timed(run: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.9))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quads", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        inner = ox.Store(directory)
        start = time.perf_counter()
        inner.bulk_extend(generated(args.quads))
        store = Store(inner, None, writable=True)
        store.refresh_union()
        inner.flush()
        print(
            f"store: {len(inner):,} quads on disk ({args.quads:,} in {GRAPHS} named graphs, "
            f"and their union), made in {time.perf_counter() - start:.1f} s"
        )
        existing = [
            next(inner.quads_for_pattern(None, None, None, ox.NamedNode(f"{EX}graph{g}")))
            for g in (3, 17, 42, 64, 99)
        ]
        removed = " ".join(
            f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in existing
        )
        removed_default = " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in existing)
        new = " ".join(f'ex:new{i} ex:label "new {i}"@en .' for i in range(5))
        subject = existing[1].subject
        operations = {
            "INSERT DATA, 5 triples": (
                f"INSERT DATA {{ GRAPH ex:graph5 {{ {new} }} }}",
                f"INSERT DATA {{ {new} }}",
            ),
            "DELETE DATA, 5 triples": (
                f"DELETE DATA {{ {removed} }}",
                f"DELETE DATA {{ {removed_default} }}",
            ),
            "DELETE/INSERT WHERE, 1 label": (
                f"WITH ex:graph17 DELETE {{ {subject} ex:label ?l }} "
                f'INSERT {{ {subject} ex:label "changed"@en }} WHERE {{ {subject} ex:label ?l }}',
            )
            * 2,
            "DELETE WHERE, 1 subject in every graph": (
                f"DELETE WHERE {{ GRAPH ?g {{ {subject} ?p ?o }} }}",
                f"DELETE WHERE {{ {subject} ?p ?o }}",
            ),
            f"DELETE WHERE, 1 graph ({args.quads // GRAPHS:,} quads)": (
                "DELETE WHERE { GRAPH ex:graph42 { ?s ?p ?o } }",
            )
            * 2,
        }
        print(f"{'operation':<44} {'plain p50':>10} {'p90':>8} {'union p50':>10} {'p90':>8}")
        for name, (plain, union) in operations.items():
            figures = []
            for text, target in ((plain, None), (union, f"{EX}graph0")):
                change = operation_change(inner, PREFIX + text, union_target=target)
                assert not change.is_empty(), name
                figures.extend(
                    timed(
                        lambda t=text, g=target: operation_change(
                            inner, PREFIX + t, union_target=g
                        ),
                        args.runs,
                    )
                )
            print(
                f"{name:<44} {figures[0]:>8.2f}ms {figures[1]:>6.2f}ms "
                f"{figures[2]:>8.2f}ms {figures[3]:>6.2f}ms"
            )


if __name__ == "__main__":
    main()
