"""Benchmark: ofsted_kg.build.reasoning.entailments against owlrl on synthetic data.

    /work/main/.venv/bin/python benchmarks/reasoning.py [--runs 5] [--owlrl-runs 1]

The graphs are the vendor ontologies (ontology/vendor/*.nt), the synthetic ontology
(tests/reasoning/synthetic_tbox.ttl) and seeded synthetic instance data shaped like the
Ofsted record (tests/reasoning/synthetic.py), scaled by the number of councils to about
10k, 20k, 42k and 100k triples (156 councils, ~2,500 inspections, ~9,000 judgements at
100k). For each size: the median of --runs runs of ``entailments`` (which returns an
rdflib Graph) and of ``entailed_triples`` (the same triples as a list), and, up to 42k
triples, the median of --owlrl-runs runs of owlrl and a check that both give the same
triples. owlrl runs with prp-key corrected (tests/reasoning/reference.py): the synthetic
councils have an org:identifier, for which stock owlrl's off-by-one makes every council
owl:sameAs every other one. owlrl sizes that would not fit in the time budget
(--budget seconds for owlrl, estimated from the previous size) are skipped, so the
script ends within about five minutes.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

from ofsted_kg.build.reasoning import entailed_triples, entailments
from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent
HELPERS = ROOT / "tests" / "reasoning"
SIZES = (10_000, 20_000, 42_000, 100_000)
OWLRL_SIZES = (10_000, 20_000, 42_000)  # targets owlrl is also run on


def load_helper(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"reasoning_{name}", HELPERS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def timed(function: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall-clock seconds of `runs` calls, and the last call's result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of ours per size")
    parser.add_argument("--owlrl-runs", type=int, default=1, help="runs of owlrl per size")
    parser.add_argument("--budget", type=float, default=180.0, help="seconds for owlrl")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    synthetic, reference = load_helper("synthetic"), load_helper("reference")

    tbox = synthetic.vendor_tbox() + synthetic.synthetic_tbox()
    base = len(tbox + synthetic.synthetic_abox(0, args.seed))
    per_council = (len(synthetic.synthetic_abox(20, args.seed)) - (base - len(tbox))) / 20

    rows: list[tuple[str, ...]] = []
    owlrl_spent, last_owlrl = 0.0, None
    for target in SIZES:
        councils = max(1, round((target - base) / per_council))
        graph = Graph()
        graph += tbox
        graph += synthetic.synthetic_abox(councils, args.seed)
        size = len(graph)
        ours_graph, result = timed(partial(entailments, graph), args.runs)
        ours_list, _ = timed(partial(entailed_triples, graph), args.runs)
        owlrl_time, agree = "-", "-"
        if target in OWLRL_SIZES:
            estimate = 0.0
            if last_owlrl is not None:
                estimate = last_owlrl[1] * (size / last_owlrl[0]) ** 1.3 * args.owlrl_runs
            if owlrl_spent + estimate > args.budget:
                owlrl_time = f"skipped (~{estimate:.0f} s estimated)"
            else:
                start = time.perf_counter()
                seconds, expected = timed(
                    partial(reference.owlrl_entailments, graph), args.owlrl_runs
                )
                owlrl_spent += time.perf_counter() - start
                last_owlrl = (size, seconds)
                owlrl_time = f"{seconds:.2f}"
                agree = "yes" if expected == set(result) else "NO"
        speedup = f"{float(owlrl_time) / ours_graph:.0f}x" if agree != "-" else "-"
        rows.append(
            (
                f"{size:,}",
                str(councils),
                f"{len(result):,}",
                f"{ours_graph:.2f}",
                f"{ours_list:.2f}",
                owlrl_time,
                speedup,
                agree,
            )
        )
        print(f"done: {size:,} triples", file=sys.stderr, flush=True)

    header = (
        "input triples",
        "councils",
        "entailed",
        "entailments() s",
        "entailed_triples() s",
        "owlrl s",
        "speed-up",
        "same triples",
    )
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    print(
        f"Command: {shlex.join([sys.executable, *sys.argv])}  (cwd {os.getcwd()})\n"
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; medians of {args.runs} runs (ours) and "
        f"{args.owlrl_runs} run(s) (owlrl, prp-key corrected), seed {args.seed}\n"
    )
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
