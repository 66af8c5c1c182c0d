"""The build pipeline: sources -> a fresh store -> reasoning -> validation -> swap.

    [1/5] parse every source file (one named graph each)
    [2/5] load the quads into a new store directory beside the live one
    [3/5] reason over the vocabulary, ontology and fact graphs; store the entailments in
          {base}graph/inferred
    [4/5] validate the data graphs (inferred included) against the shapes graphs
    [5/5] make the default graph the union of the named graphs (each triple once), swap the new
          store in

Any failure before step 5 deletes the new directory and leaves the live store as it was.
Progress lines with timings go to ``progress`` (stderr from the command line).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

from .config import Settings
from .errors import SourceError, ValidationError
from .sources import DATA_KINDS, discover, parse_all, quads_of
from .store import StagedStore, Store, from_rdflib, rdflib_graph
from .validation import ValidationReport, validate_quads

Progress = Callable[[str], None]


def to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class BuildResult:
    files: int
    triples: int
    graphs: int
    inferred: int
    report: ValidationReport
    store: Path | None


class _Steps:
    def __init__(self, total: int, progress: Progress) -> None:
        self.total = total
        self.progress = progress
        self.number = 0
        self.started = time.perf_counter()

    def done(self, text: str) -> None:
        self.number += 1
        elapsed = time.perf_counter() - self.started
        self.progress(f"[{self.number}/{self.total}] {text} ({elapsed:.1f} s)")
        self.started = time.perf_counter()


def infer(data: rdflib.Graph, inferred_graph: str) -> tuple[list[ox.Quad], int]:
    """The OWL-RL entailments of ``data`` as quads in the inferred graph, and how many entailed
    triples could not be stored (a literal as subject, say)."""
    from . import reasoning  # imported late: tests may replace it

    entailed = reasoning.entailed_triples(data)
    graph = ox.NamedNode(inferred_graph)
    quads: list[ox.Quad] = []
    skipped = 0
    for s, p, o in entailed:
        if isinstance(s, rdflib.Literal) or not isinstance(p, rdflib.URIRef):
            skipped += 1
            continue
        subject = from_rdflib(s)
        assert not isinstance(subject, ox.Literal)
        predicate = from_rdflib(p)
        assert isinstance(predicate, ox.NamedNode)
        quads.append(ox.Quad(subject, predicate, from_rdflib(o), graph))
    return quads, skipped


def check_generated(root: Path) -> None:
    """Refuse to build from generated files that the tables in data/ no longer give."""
    from . import official

    out_of_date = official.stale(root)
    if out_of_date:
        raise SourceError(
            f"{', '.join(out_of_date)} out of date with the tables in data/: "
            "run `ofsted-kg convert`"
        )


@dataclass(frozen=True)
class _Assembled:
    files: int
    triples: int
    graphs: int
    inferred: int
    quads: list[ox.Quad]  # everything stored, for validation without reading the store back


def _assemble(settings: Settings, store: Store, steps: _Steps) -> _Assembled:
    check_generated(settings.root)
    sources = discover(settings.root, settings.base)
    parsed = parse_all(sources)
    triples = sum(len(p.quads) for p in parsed)
    steps.done(f"parsed {len(parsed):,} files, {triples:,} triples")

    for item in parsed:
        store.add_quads(item.quads)
    graphs = len(store.named_graphs())
    steps.done(f"loaded {len(store):,} quads into {graphs:,} named graphs")

    inferred, skipped = infer(rdflib_graph(quads_of(parsed, DATA_KINDS)), settings.inferred_graph)
    store.add_quads(inferred)
    note = f"; {skipped:,} not storable (literal subject) left out" if skipped else ""
    steps.done(
        f"reasoned: {len(inferred):,} entailed triples into <{settings.inferred_graph}>{note}"
    )
    quads = [q for item in parsed for q in item.quads] + inferred
    return _Assembled(len(parsed), triples, graphs, len(inferred), quads)


def _validate(settings: Settings, quads: list[ox.Quad], steps: _Steps) -> ValidationReport:
    report = validate_quads(quads, settings)
    steps.done(f"validated {report.data_triples:,} triples: {report.summary()}")
    if not report.conforms:
        count = len(report.violations)
        raise ValidationError(
            f"{count:,} SHACL violation{'s' if count != 1 else ''}; the store was not changed",
            report,
        )
    return report


def build(settings: Settings, progress: Progress = to_stderr) -> BuildResult:
    """Build the store at ``settings.store``; raises (leaving the old store alone) on any error."""
    steps = _Steps(5, progress)
    with StagedStore(settings.store) as staged:
        built = _assemble(settings, staged.store, steps)
        report = _validate(settings, built.quads, steps)
        union = staged.store.refresh_union(built.quads)
        staged.commit()
        steps.done(f"default graph: the union, {union:,} triples; store ready at {settings.store}")
    return BuildResult(
        built.files, built.triples, built.graphs, built.inferred, report, settings.store
    )


def validate_tree(settings: Settings, progress: Progress = to_stderr) -> BuildResult:
    """Everything a build does but the writing: parse, reason and validate in memory.

    Raises ValidationError (with the report) on violations, like ``build``."""
    steps = _Steps(4, progress)
    built = _assemble(settings, Store(ox.Store(), None, writable=True), steps)
    report = _validate(settings, built.quads, steps)
    return BuildResult(built.files, built.triples, built.graphs, built.inferred, report, None)
