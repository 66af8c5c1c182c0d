"""The build pipeline: sources -> reasoning in memory -> one write of a fresh store, validated
meanwhile -> swap.

    [1/6] parse every source file (one named graph each)
    [2/6] check every claim against Ofsted's record (build/checks.py): the verdicts go to
          {base}graph/checks; claims sent to the server are carried over from the old store
    [3/6] reason over the vocabulary, ontology and fact graphs, in memory; the entailments go to
          {base}graph/inferred
    [4/6] write everything to a new store directory beside the live one, once: the named graphs,
          the inferred graph and the default graph, the union of the named graphs (each triple
          once). The SHACL validation of step 5 runs meanwhile, in forked worker processes.
    [5/6] wait for the validation of the data graphs (inferred included) against the shapes graphs
    [6/6] swap the new store in

Any failure before step 6 (a violation included) deletes the new directory and leaves the live
store as it was. Progress lines with timings go to ``progress`` (stderr from the command line).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

from ..config import Settings
from ..convert import official
from ..errors import SourceError, ValidationError
from ..rdf.terms import from_rdflib, to_rdflib
from ..store.directories import StagedStore
from ..store.oxigraph import gc_paused
from . import reasoning
from .checks import check_all
from .sources import DATA_KINDS, DEF, FACTS, discover, parse_all, quads_of
from .validation import ValidationReport, start_validation

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

    def begin(self, text: str) -> None:
        """A long step's start, so that the wait is explained (not numbered: ``done`` is)."""
        self.progress(f"      … {text}")

    def done(self, text: str) -> None:
        self.number += 1
        elapsed = time.perf_counter() - self.started
        self.progress(f"[{self.number}/{self.total}] {text} ({elapsed:.1f} s)")
        self.started = time.perf_counter()


Term = ox.NamedNode | ox.BlankNode | ox.Literal


def infer(
    quads: Sequence[ox.Quad] | rdflib.Graph, inferred_graph: str
) -> tuple[list[ox.Quad], int]:
    """The OWL-RL entailments of the union of ``quads`` (or of an rdflib graph) as quads in the
    inferred graph, and how many entailed triples could not be stored (a literal as subject, say).

    The reasoner works on rdflib terms: each Oxigraph term is converted once, and an entailed
    triple's terms are mapped back to the Oxigraph terms they came from (by identity), so that
    only the few terms the rules introduce are converted back."""
    forward: dict[object, rdflib.term.Identifier] = {}
    back: dict[int, Term] = {}
    triples: list[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]] = []
    with gc_paused():
        for quad in quads if not isinstance(quads, rdflib.Graph) else ():
            converted = []
            for term in (quad.subject, quad.predicate, quad.object):
                found = forward.get(term)
                if found is None:
                    found = forward[term] = to_rdflib(term)
                    assert not isinstance(term, ox.Triple)
                    back[id(found)] = term
                converted.append(found)
            triples.append((converted[0], converted[1], converted[2]))
        entailed = reasoning.entailed_triples(quads if isinstance(quads, rdflib.Graph) else triples)
        graph = ox.NamedNode(inferred_graph)
        out: list[ox.Quad] = []
        skipped = 0
        for s, p, o in entailed:
            if isinstance(s, rdflib.Literal) or not isinstance(p, rdflib.URIRef):
                skipped += 1
                continue
            subject, predicate, obj = (_back(back, term) for term in (s, p, o))
            assert not isinstance(subject, ox.Literal) and isinstance(predicate, ox.NamedNode)
            out.append(ox.Quad(subject, predicate, obj, graph))
    return out, skipped


def _back(back: dict[int, Term], term: rdflib.term.Node) -> Term:
    found = back.get(id(term))
    return from_rdflib(term) if found is None else found


def check_generated(root: Path) -> None:
    """Refuse to build from generated files that the tables in data/ no longer give."""
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
    quads: list[ox.Quad]  # everything to store: the named graphs and the inferred graph


def _assemble(settings: Settings, steps: _Steps) -> _Assembled:
    """Parse and reason, in memory."""
    sources = discover(settings.root, settings.base)
    parsed = parse_all(sources)  # every syntax error first, one line each (path:line:column)
    check_generated(settings.root)
    triples = sum(len(p.quads) for p in parsed)
    graphs = len({q.graph_name for p in parsed for q in p.quads[:1]})
    steps.done(f"parsed {len(parsed):,} files, {triples:,} triples in {graphs:,} named graphs")

    checked = check_all(settings, list(quads_of(parsed, frozenset({DEF, FACTS}))))
    counts = ", ".join(f"{n:,} {outcome}" for outcome, n in sorted(checked.outcomes.items()))
    carried = f"; {checked.carried:,} sent to the server kept" if checked.carried else ""
    steps.done(
        f"checked {checked.claims:,} claims against Ofsted's record: {counts or 'none'}{carried}"
    )

    data = list(quads_of(parsed, DATA_KINDS)) + checked.quads
    steps.begin(f"reasoning over {len(data):,} triples (OWL 2 RL)")
    inferred, skipped = infer(data, settings.inferred_graph)
    note = f"; {skipped:,} not storable (literal subject) left out" if skipped else ""
    steps.done(
        f"reasoned: {len(inferred):,} entailed triples into <{settings.inferred_graph}>{note}"
    )
    quads = [q for item in parsed for q in item.quads] + checked.quads + inferred
    return _Assembled(len(parsed), triples, graphs, len(inferred), quads)


def _check(report: ValidationReport, steps: _Steps) -> ValidationReport:
    steps.done(f"validated {report.data_triples:,} triples: {report.summary()}")
    if not report.conforms:
        count = len(report.violations)
        raise ValidationError(
            f"{count:,} SHACL violation{'s' if count != 1 else ''}; the store was not changed",
            report,
        )
    return report


def union_quads(quads: Sequence[ox.Quad]) -> list[ox.Quad]:
    """The default graph's quads: every named graph's triples (the store keeps each once)."""
    default = ox.DefaultGraph()
    return [ox.Quad(q.subject, q.predicate, q.object, default) for q in quads]


def build(settings: Settings, progress: Progress = to_stderr) -> BuildResult:
    """Build the store at ``settings.store``; raises (leaving the old store alone) on any error."""
    steps = _Steps(6, progress)
    with StagedStore(settings.store) as staged:
        built = _assemble(settings, steps)
        with start_validation(built.quads, settings) as validation:
            steps.begin(
                f"storing {len(built.quads):,} quads while {settings.validation_workers} "
                "processes check the shapes"
            )
            # One bulk load of everything while the validation workers run: written once,
            # never read back.
            with gc_paused():
                staged.store.add_quads(built.quads + union_quads(built.quads))
            steps.done(
                f"stored {len(built.quads):,} quads in named graphs and their union in the "
                "default graph"
            )
            report = _check(validation.wait(), steps)
        union = _count_default(staged.store.inner)
        staged.commit()
        steps.done(f"default graph: the union, {union:,} triples; store ready at {settings.store}")
    return BuildResult(
        built.files, built.triples, built.graphs, built.inferred, report, settings.store
    )


def _count_default(store: ox.Store) -> int:
    solutions = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(solutions, ox.QuerySolutions)
    term = next(iter(solutions))["n"]
    assert isinstance(term, ox.Literal)
    return int(term.value)


def validate_tree(settings: Settings, progress: Progress = to_stderr) -> BuildResult:
    """Everything a build does but the writing: parse, reason and validate in memory.

    Raises ValidationError (with the report) on violations, like ``build``."""
    steps = _Steps(4, progress)
    built = _assemble(settings, steps)
    with start_validation(built.quads, settings) as validation:
        report = _check(validation.wait(), steps)
    return BuildResult(built.files, built.triples, built.graphs, built.inferred, report, None)
