"""Hygiene checks on the ontology and the graph: SPARQL queries that must find nothing.

Each check is a file ``tests/hygiene/<what-it-catches>-violation.rq`` (the schema.org and Ontology
Development Kit convention). Its first line says what it catches (``# catches: ...``) and its
second which triples it reads:

- ``# reads: asserted triples``: the ontology's and the fact files' own graphs, as written;
- ``# reads: asserted and inferred triples``: those plus the entailments the build stores.

The checks run on the project's graphs assembled as the build assembles them (one named graph per
file, entailments from ``ofsted_kg.build.pipeline.infer``), in an in-memory Oxigraph store. Every
check also has a planted counter-example, ``tests/hygiene/bad/<same name>.ttl``, loaded as a fact
file beside the vocabularies and the ontology, on which it must find something: a check that cannot
fail is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from ofsted_kg.build.pipeline import infer
from ofsted_kg.build.sources import (
    DEF,
    FACTS,
    VOCAB,
    ParsedSource,
    SourceFile,
    discover,
    parse_all,
    parse_file,
    quads_of,
)
from ofsted_kg.config import Settings, load_settings
from ofsted_kg.rdf.terms import rdflib_graph

ROOT = Path(__file__).resolve().parent.parent
CHECKS = Path(__file__).parent / "hygiene"
READS = {
    "# reads: asserted triples": False,
    "# reads: asserted and inferred triples": True,
}


@dataclass(frozen=True)
class Check:
    path: Path
    catches: str
    reads_inferred: bool

    @property
    def name(self) -> str:
        return self.path.name.removesuffix("-violation.rq")

    @property
    def counter_example(self) -> Path:
        return self.path.parent / "bad" / self.path.name.replace(".rq", ".ttl")

    @property
    def query(self) -> str:
        return self.path.read_text(encoding="utf-8")


def read_check(path: Path) -> Check:
    lines = path.read_text(encoding="utf-8").splitlines()
    catches = re.match(r"^# catches: (.+)$", lines[0]) if lines else None
    if catches is None:
        raise ValueError(f"{path}: the first line must be '# catches: <what the check catches>'")
    if len(lines) < 2 or lines[1] not in READS:
        raise ValueError(f"{path}: the second line must be one of {sorted(READS)}")
    return Check(path, catches.group(1), READS[lines[1]])


CHECK_LIST = [read_check(path) for path in sorted(CHECKS.glob("*-violation.rq"))]


class Dataset:
    """Named graphs as the build stores them: the asserted ones, and the inferred graph."""

    def __init__(self, quads: list[ox.Quad], settings: Settings, *, reason: bool) -> None:
        self.store = ox.Store()
        self.store.extend(quads)
        self.asserted = sorted({q.graph_name for q in quads}, key=str)
        self.inferred = ox.NamedNode(settings.inferred_graph)
        self.vocabularies = settings.graph_iri("vocab/")
        if reason:
            inferred, _skipped = infer(rdflib_graph(quads), settings.inferred_graph)
            self.store.extend(inferred)

    def rows(self, check: Check) -> list[tuple[str, ...]]:
        """The check's answers over our own graphs (the vocabularies are read only through what
        reasoning drew from them)."""
        ours = [g for g in self.asserted if not g.value.startswith(self.vocabularies)]
        graphs = [*ours, self.inferred] if check.reads_inferred else ours
        solutions = self.store.query(check.query, default_graph=graphs)
        assert isinstance(solutions, ox.QuerySolutions)
        return [tuple(str(term) for term in solution) for solution in solutions]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings(env={}, overrides={"root": ROOT})


@pytest.fixture(scope="session")
def sources(settings: Settings) -> list[ParsedSource]:
    return parse_all(discover(settings.root, settings.base))


@pytest.fixture(scope="session")
def project(sources: list[ParsedSource], settings: Settings) -> Dataset:
    return Dataset(list(quads_of(sources, frozenset({VOCAB, DEF, FACTS}))), settings, reason=True)


def show(rows: Iterable[tuple[str, ...]]) -> str:
    return "\n".join("  " + " | ".join(row) for row in rows)


@pytest.mark.parametrize("check", CHECK_LIST, ids=[c.name for c in CHECK_LIST])
def test_check_finds_nothing_in_the_graph(check: Check, project: Dataset) -> None:
    rows = project.rows(check)
    assert not rows, f"{check.path.name} ({check.catches}) found:\n{show(rows)}"


@pytest.mark.parametrize("check", CHECK_LIST, ids=[c.name for c in CHECK_LIST])
def test_check_catches_its_counter_example(
    check: Check, sources: list[ParsedSource], settings: Settings
) -> None:
    path = check.counter_example
    assert path.is_file(), f"{check.path.name} needs a counter-example in {path}"
    source = SourceFile(
        path,
        path.relative_to(ROOT).as_posix(),
        FACTS,
        settings.graph_iri("tests/hygiene/" + path.stem),
        ox.RdfFormat.TURTLE,
    )
    quads = [*quads_of(sources, frozenset({VOCAB, DEF})), *parse_file(source)]
    rows = Dataset(quads, settings, reason=check.reads_inferred).rows(check)
    assert rows, f"{check.path.name} finds nothing in {path.name}: it cannot fail"


def test_every_counter_example_has_its_check() -> None:
    checks = {c.counter_example for c in CHECK_LIST}
    orphans = [p.name for p in sorted((CHECKS / "bad").glob("*.ttl")) if p not in checks]
    assert not orphans, f"Counter-examples without a check: {orphans}"
