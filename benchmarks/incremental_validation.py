"""Benchmark: incremental SHACL validation (ofsted_kg.build.focus) against a full validation.

    /work/main/.venv/bin/python benchmarks/incremental_validation.py [--runs 5] [--full-runs 1]

On the real graph (ontology/ and graph/, parsed, reasoned over and cut down to the data graph the
build validates), a handful of small writes: each is applied, the graph reasoned over again in full
and the change to the data graph computed (not timed); then the written graph is validated in full
(``validate_graphs``, one process, median of --full-runs runs) and incrementally (the focus-node
plan, ``focus_plan``, and its validation, ``validate_focus``, median of --runs runs each). The
violations found must be the same (the script stops if not). Prints one line per write and the
medians over the writes.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from ofsted_kg.build.focus import Change, ShapeDependencies, focus_plan, validate_focus
from ofsted_kg.build.pipeline import infer
from ofsted_kg.build.sources import DATA_KINDS, discover, parse_all, quads_of
from ofsted_kg.build.validation import (
    our_quads,
    relevant_quads,
    shape_vocabulary,
    validate_graphs,
)
from ofsted_kg.config import load_settings
from ofsted_kg.rdf.terms import rdflib_graph, to_rdflib
from reasoning import timed

ROOT = Path(__file__).resolve().parent.parent
OKG = "https://w3id.org/ofsted-kg/def/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
NEW = "https://w3id.org/ofsted-kg/id/benchmark/"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="incremental runs per write")
    parser.add_argument("--full-runs", type=int, default=1, help="full validations per write")
    args = parser.parse_args(argv)
    print("$ " + shlex.join([sys.executable, *sys.argv]))

    settings = load_settings(env={}, overrides={"root": ROOT})
    parsed = parse_all(discover(settings.root, settings.base))
    quads = [q for p in parsed for q in p.quads]
    data_kinds = set(quads_of(parsed, DATA_KINDS))
    prefix = settings.shapes_graph_prefix
    shapes = rdflib_graph(
        q
        for q in quads
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(prefix)
    )
    vocabulary = shape_vocabulary(shapes)
    start = time.perf_counter()
    dependencies = ShapeDependencies.of(shapes)
    compile_time = time.perf_counter() - start
    written = ox.NamedNode(settings.graph_iri("benchmark/writes"))

    def data_triples(all_quads: list[ox.Quad]) -> set[tuple[Any, Any, Any]]:
        data = [q for q in all_quads if q in data_kinds or q.graph_name == written]
        inferred, _skipped = infer(data, settings.inferred_graph)
        ours = our_quads([*all_quads, *inferred], settings)
        return {(q.subject, q.predicate, q.object) for q in relevant_quads(ours, vocabulary)}

    base = data_triples(quads)
    graph = rdflib.Graph()
    for s, p, o in base:
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    print(
        f"data graph: {len(graph):,} triples; shapes: {len(shapes):,} triples, "
        f"{len(dependencies.compiled)} targeted shapes compiled in {compile_time * 1000:.0f} ms"
    )

    def subjects_of(predicate: str, obj: str | None = None) -> list[ox.Quad]:
        return sorted(
            (
                q
                for q in data_kinds
                if q.predicate.value == predicate and (obj is None or q.object.value == obj)
            ),
            key=str,
        )

    def clone(subject: ox.NamedNode | ox.BlankNode, name: str) -> list[ox.Quad]:
        return [
            ox.Quad(ox.NamedNode(NEW + name), q.predicate, q.object, written)
            for q in data_kinds
            if q.subject == subject
        ]

    def statements(subject: Any, predicate: str) -> list[ox.Quad]:
        return [q for q in data_kinds if q.subject == subject and q.predicate.value == predicate]

    ours = "https://w3id.org/ofsted-kg/id/"
    judgement = next(
        q.subject for q in subjects_of(OKG + "grade") if q.subject.value.startswith(ours)
    )
    claim = subjects_of(RDF_TYPE.value, OKG + "Claim")[0].subject
    person = next(
        q.subject
        for q in subjects_of(RDF_TYPE.value, FOAF + "Person")
        if q.subject.value.startswith(ours + "person/")
    )
    framework = subjects_of(OKG + "gradeScale")[0].subject
    writes: list[tuple[str, list[ox.Quad], list[ox.Quad]]] = [
        ("add a claim (a copy of one in the graph)", clone(claim, "claim"), []),
        ("add a judgement (a copy of one in the graph)", clone(judgement, "judgement"), []),
        (
            "remove a person's label (invalid)",
            [],
            statements(person, RDFS + "label") + statements(person, FOAF + "name"),
        ),
        ("remove a judgement's area (invalid)", [], statements(judgement, OKG + "area")),
        (
            "remove a framework's grade scale (invalid through a path)",
            [],
            statements(framework, OKG + "gradeScale"),
        ),
    ]
    full_times, plan_times, check_times = [], [], []
    for name, added, removed in writes:
        gone = set(removed)
        after = data_triples([*(q for q in quads if q not in gone), *added])
        change = Change(
            frozenset(tuple(to_rdflib(t) for t in triple) for triple in after - base),
            frozenset(tuple(to_rdflib(t) for t in triple) for triple in base - after),
        )
        for triple in change.removed:
            graph.remove(triple)
        for triple in change.added:
            graph.add(triple)
        try:
            full_time, full = timed(lambda: validate_graphs(graph, shapes), args.full_runs)
            plan_time, plan = timed(
                lambda change=change: focus_plan(graph, dependencies, change), args.runs
            )
            check_time, report = timed(
                lambda plan=plan: validate_focus(graph, dependencies, plan), args.runs
            )
        finally:
            for triple in change.added:
                graph.remove(triple)
            for triple in change.removed:
                graph.add(triple)
        key = lambda r: (r.focus_node, r.source_shape, r.path, r.message, r.value)  # noqa: E731
        if {key(r) for r in full.violations} != {key(r) for r in report.violations}:
            sys.exit(f"{name}: the incremental validation disagrees with the full one")
        full_times.append(full_time)
        plan_times.append(plan_time)
        check_times.append(check_time)
        whole = ", ".join(str(s).rsplit("/", 1)[-1] for s in plan.whole) or "none"
        print(
            f"{name}: {len(change.added)} triples added, {len(change.removed)} removed; "
            f"{len(report.violations)} violations; full {full_time:.2f} s; incremental "
            f"{(plan_time + check_time) * 1000:.0f} ms (plan {plan_time * 1000:.1f} ms: "
            f"{plan.size} focus nodes in {len(plan.focus)} shapes, validated whole: {whole}; "
            f"validation {check_time * 1000:.0f} ms)"
        )
    full_median = statistics.median(full_times)
    incremental_median = statistics.median(
        p + c for p, c in zip(plan_times, check_times, strict=True)
    )
    print(
        f"medians over {len(writes)} writes: full {full_median:.2f} s, incremental "
        f"{incremental_median * 1000:.0f} ms (plan {statistics.median(plan_times) * 1000:.1f} ms, "
        f"validation {statistics.median(check_times) * 1000:.0f} ms): "
        f"{full_median / incremental_median:.0f}x"
    )


if __name__ == "__main__":
    main()
