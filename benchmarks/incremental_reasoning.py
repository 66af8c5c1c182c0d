"""Benchmark: incremental OWL 2 RL maintenance (ofsted_kg.build.incremental) on the project's graph.

    /work/main/.venv/bin/python benchmarks/incremental_reasoning.py [--runs 5] [--writes 1000]

The graph is what the build reasons over: ontology/vendor/*.nt, ontology/*.ttl and
graph/**/*.ttl (ofsted_kg.build.sources). Timed, as medians:

* full re-reasoning (``entailed_triples`` of the asserted triples; --runs runs), what every write
  costs today, and the initial ``Materialisation`` (the same work, keeping the engine);
* a single-triple insert (a new claim about a council; each undone before the next);
* a single-triple delete of instance data (a judgement's okg:grade; each put back after);
* a schema delete: an rdfs:subClassOf axiom between okg: classes (each put back after);
* a council's owl:sameAs deleted (each put back after);
* --writes small inserts in a row (a new claim of three triples each), as a total and per write.

Each kind runs --runs times over different triples where the graph has enough of them. At the end
the maintained inferred set is compared with a full re-reasoning of the asserted triples.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ofsted_kg.build.incremental import Materialisation
from ofsted_kg.build.reasoning import entailed_triples
from ofsted_kg.build.sources import DATA_KINDS, discover, parse_all, quads_of
from ofsted_kg.config import DEFAULT_BASE
from ofsted_kg.rdf.terms import to_rdflib
from rdflib import Literal, Namespace
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

ROOT = Path(__file__).resolve().parent.parent
OKG = Namespace("https://w3id.org/ofsted-kg/def/")
ID = Namespace("https://w3id.org/ofsted-kg/id/")
Triple = tuple[Node, Node, Node]


def project_triples() -> list[Triple]:
    converted: dict[object, Node] = {}

    def term(value: Any) -> Node:
        found = converted.get(value)
        if found is None:
            found = converted[value] = to_rdflib(value)
        return found

    quads = quads_of(parse_all(discover(ROOT, DEFAULT_BASE)), DATA_KINDS)
    return list(dict.fromkeys((term(q.subject), term(q.predicate), term(q.object)) for q in quads))


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median_ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each kind of write")
    parser.add_argument("--writes", type=int, default=1000, help="small inserts in a row")
    args = parser.parse_args()

    triples = project_triples()
    full = [timed(lambda: entailed_triples(triples)) for _ in range(args.runs)]
    holder: list[Materialisation] = []
    initial = [timed(lambda: holder.append(Materialisation(triples))) for _ in range(args.runs)]
    m = holder[-1]
    del holder[:-1]

    councils = sorted(
        {t[0] for t in triples if t[1] == OWL.sameAs and str(t[0]).startswith(str(ID))}, key=str
    )
    grades = [t for t in triples if t[1] == OKG.grade]
    subclasses = [t for t in triples if t[1] == RDFS.subClassOf and str(t[0]).startswith(str(OKG))]
    same_as = [t for t in triples if t[1] == OWL.sameAs and t[0] in set(councils)]

    def each(sample: list[Triple], insert: bool) -> tuple[list[float], int]:
        """Time inserting (or deleting) each triple of `sample` alone, undoing it after."""
        times: list[float] = []
        changed = 0
        for triple in sample[: args.runs]:
            if insert:
                start = time.perf_counter()
                delta = m.insert([triple])
                times.append(time.perf_counter() - start)
                m.delete([triple])
            else:
                start = time.perf_counter()
                delta = m.delete([triple])
                times.append(time.perf_counter() - start)
                m.insert([triple])
            changed += len(delta.added) + len(delta.removed)
        return times, changed

    new_claims = [
        (ID[f"claim/bench-{i}"], OKG.about, council) for i, council in enumerate(councils)
    ]
    rows: list[tuple[str, str, str]] = []
    fallbacks = m.fallbacks
    for label, sample, insert in (
        ("single-triple insert (okg:about of a new claim)", new_claims, True),
        ("single-triple delete (a judgement's okg:grade)", grades, False),
        ("schema delete (okg: rdfs:subClassOf axiom)", subclasses, False),
        ("delete a council's owl:sameAs", same_as, False),
    ):
        times, changed = each(sample, insert)
        rows.append((label, median_ms(times), f"{changed / len(times):.0f}"))

    per_write: list[float] = []
    start = time.perf_counter()
    for i in range(args.writes):
        claim = ID[f"claim/burst-{i}"]
        write = [
            (claim, RDF.type, OKG.Claim),
            (claim, OKG.about, councils[i % len(councils)]),
            (claim, OKG.statement, Literal(f"Statement {i}.")),
        ]
        per_write.append(timed(lambda write=write: m.insert(write)))
    total = time.perf_counter() - start
    rows.append((f"{args.writes} small inserts, per write (3 triples)", median_ms(per_write), "-"))

    same = m.inferred() == set(entailed_triples(m.asserted_triples()))
    print(
        f"Command: {shlex.join([sys.executable, *sys.argv])}  (cwd {os.getcwd()})\n"
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{len(triples):,} asserted triples, {len(m.inferred()):,} inferred at the end; "
        f"medians of {args.runs} runs\n"
    )
    print(f"full re-reasoning (entailed_triples): {median_ms(full)} ms")
    print(f"initial Materialisation:              {median_ms(initial)} ms")
    print(f"{args.writes} small inserts in a row:        {total:.2f} s in all\n")
    header = ("write", "median ms", "inferred triples changed")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(3)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    full_ms = statistics.median(full) * 1000
    print(
        f"\nfull re-reasoning / single-triple insert: "
        f"{full_ms / (float(rows[0][1]) or 1):.0f}x; / instance delete: "
        f"{full_ms / (float(rows[1][1]) or 1):.0f}x; / schema delete: "
        f"{full_ms / (float(rows[2][1]) or 1):.0f}x"
    )
    print(f"fallbacks to full re-reasoning: {m.fallbacks - fallbacks}")
    print(f"maintained inferred set equals full re-reasoning at the end: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
