"""Find the project's source files and parse them, one named graph per file.

| kind   | files                  | named graph                                  |
|--------|------------------------|----------------------------------------------|
| vocab  | ontology/vendor/*.nt   | {base}graph/vocab/{stem}                     |
| def    | ontology/*.ttl         | {base}graph/def/{stem}                       |
| facts  | graph/**/*.ttl         | {base}graph/{path under graph/, no .ttl}     |
| shapes | shapes/*.ttl           | {base}graph/shapes/{stem}                    |

Each file is parsed with its graph IRI as base IRI, so ``<>`` in a file names its own graph.
Blank nodes are relabelled per file (deterministically), so ``_:b0`` in two files are two nodes and
two builds of the same tree give the same store.

A file that does not parse raises ``SourceSyntaxError`` naming ``path:line:column: message``; every
bad file is reported, not only the first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from ..errors import SourceError, SourceSyntaxError, SyntaxProblem

VOCAB, DEF, FACTS, SHAPES = "vocab", "def", "facts", "shapes"

# Kinds whose graphs are input to reasoning and part of the data that is validated.
DATA_KINDS = frozenset({VOCAB, DEF, FACTS})


@dataclass(frozen=True)
class SourceKind:
    kind: str
    folder: str
    pattern: str
    format: ox.RdfFormat
    graph_local: Callable[[Path], str]  # file path relative to `folder` -> graph IRI local part


SOURCE_KINDS: tuple[SourceKind, ...] = (
    SourceKind(
        VOCAB, "ontology/vendor", "*.nt", ox.RdfFormat.N_TRIPLES, lambda p: f"vocab/{p.stem}"
    ),
    SourceKind(DEF, "ontology", "*.ttl", ox.RdfFormat.TURTLE, lambda p: f"def/{p.stem}"),
    SourceKind(
        FACTS, "graph", "**/*.ttl", ox.RdfFormat.TURTLE, lambda p: p.with_suffix("").as_posix()
    ),
    SourceKind(SHAPES, "shapes", "*.ttl", ox.RdfFormat.TURTLE, lambda p: f"shapes/{p.stem}"),
)


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    relpath: str  # relative to the project root, forward slashes
    kind: str
    graph: str  # named graph IRI
    format: ox.RdfFormat


@dataclass(frozen=True)
class ParsedSource:
    source: SourceFile
    quads: list[ox.Quad]


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "#")) for part in relative.parts)


def discover(root: Path, base: str) -> list[SourceFile]:
    """All source files under ``root``, sorted by kind (table order) then path."""
    root = root.resolve()
    if not (root / "ontology").is_dir():
        raise SourceError(
            f"{root} has no ontology/ folder: is it the project directory? "
            "(set OFSTED_KG_ROOT or use --root)"
        )
    found: list[SourceFile] = []
    graphs: dict[str, str] = {}
    for kind in SOURCE_KINDS:
        folder = root / kind.folder
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(kind.pattern)):
            relative = path.relative_to(folder)
            if _hidden(relative) or not path.is_file():
                continue
            graph = base + "graph/" + quote(kind.graph_local(relative), safe="/-._~")
            relpath = path.relative_to(root).as_posix()
            if graph in graphs:
                raise SourceError(f"{relpath} and {graphs[graph]} would share the graph <{graph}>")
            graphs[graph] = relpath
            found.append(SourceFile(path, relpath, kind.kind, graph, kind.format))
    return found


def _relabel(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
    labels: dict[str, ox.BlankNode],
    prefix: str,
) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
    if isinstance(term, ox.BlankNode):
        node = labels.get(term.value)
        if node is None:
            node = labels[term.value] = ox.BlankNode(f"{prefix}b{len(labels)}")
        return node
    return term


def parse_file(source: SourceFile) -> list[ox.Quad]:
    """The quads of one file, in its named graph; raises SourceSyntaxError or SourceError."""
    graph = ox.NamedNode(source.graph)
    prefix = "f" + hashlib.sha256(source.relpath.encode()).hexdigest()[:10]
    labels: dict[str, ox.BlankNode] = {}
    quads: list[ox.Quad] = []
    try:
        for quad in ox.parse(
            path=source.path, format=source.format, base_iri=source.graph, without_named_graphs=True
        ):
            subject = _relabel(quad.subject, labels, prefix)
            obj = _relabel(quad.object, labels, prefix)
            quads.append(ox.Quad(subject, quad.predicate, obj, graph))  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise SourceSyntaxError([SyntaxProblem.from_parser(source.relpath, exc)]) from None
    except OSError as exc:
        raise SourceError(f"{source.relpath}: cannot read: {exc.strerror or exc}") from None
    return quads


def parse_all(sources: Iterable[SourceFile]) -> list[ParsedSource]:
    """Parse every file; if any fail, raise one SourceSyntaxError listing all of them."""
    parsed: list[ParsedSource] = []
    problems: list[SyntaxProblem] = []
    for source in sources:
        try:
            parsed.append(ParsedSource(source, parse_file(source)))
        except SourceSyntaxError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SourceSyntaxError(problems)
    return parsed


def quads_of(parsed: Iterable[ParsedSource], kinds: frozenset[str]) -> Iterator[ox.Quad]:
    for item in parsed:
        if item.source.kind in kinds:
            yield from item.quads
