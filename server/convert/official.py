"""The converter: Ofsted's tables and the identifier crosswalks in data/ -> Turtle in graph/.

    convert(root) -> Conversion: {relative path: Turtle text}, and the record read

writes nothing; ``write(root)`` writes the files that changed and ``stale(root)`` lists the ones
that are out of date (the build calls it and refuses to go on if any is). Output is deterministic:
the same tables give byte-identical files (see ``turtle.Graph``).

READERS below is the registry: one entry per generated file, in the order the readers run, each
naming its output (graph/{graph}.ttl, one named graph per source), the source tables (as the
file's header names them), the licence of its content, the reader, and what it shares with the
other readers through the record:

    reads  the earlier entries whose inspections and judgements it reads
    adds   what it adds for later readers: inspections and judgements (record.Record), or the
           counts of the join of Data to Insight's list (record.D2IStats)

The order matters because the readers share one record (record.py), and ``check_registry`` holds the
registry to it: an entry may read only entries before it that add something. The set of councils is
the children's-services authorities of the crosswalk (record.CROSSWALK, keyed by GSS code), read
before any reader; every reader may read it, and each fact about a council is attributed to the
table it comes from, not to the join. The ILACS history is read first: the 2009-2023 table follows
it where the two give an ILACS inspection another type or date, and the latest judgements are
matched to its inspections. Every reader that adds a judgement checks it against the judgements
added before (another grade for the same judgement is an error), so the order also decides which
table such an error names. Data to Insight's report list is joined to the inspections and judgements
of all four of Ofsted's tables, and the seed documents' claims are checked against them, so both
come after those tables. The publications and the identity crosswalks read nothing but the councils.

Converting a new table is adding a module with a reader ``read_x(context, name) -> Graph`` that
builds the graph ``name`` (record.new_graph) from the table under ``context.root``, adds to
``context.record`` what later readers need, and takes its code lists from ``context.codes``; and
one entry in READERS.

The modules of the package:

    reading.py         tables, cells and Turtle files; ConversionError
    terms.py           namespaces, prefixes and the IRIs the converter mints
    codes.py           the code lists of ontology/: grade scales, frameworks, areas, council types
    record.py          the record the readers share, and the helpers that add to it
    inspections.py     Ofsted's tables of inspections and judgements (the official record)
    d2i.py             Data to Insight's list of Ofsted's reports, joined to the record
    publications.py    the publications and files the record is taken from (DCAT, checksums)
    identity.py        the four identifier crosswalks (graph/identity/)

A cell the converter does not expect raises ``ConversionError`` naming ``file:row:column: problem``
(row = the line in the file, the header being line 1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..rdf.turtle import Graph
from .codes import read_codes
from .d2i import T_D2I, read_d2i
from .identity import (
    T_D2I_LOOKUP,
    T_DIGITAL_LAND,
    T_MYSOCIETY,
    T_OPENREGISTER_OS,
    read_d2i_lookup,
    read_digital_land,
    read_mysociety,
    read_openregister,
)
from .inspections import (
    T2009,
    T_HISTORY,
    T_IN_YEAR,
    T_LATEST,
    read_2009,
    read_history,
    read_in_year,
    read_latest,
)
from .publications import read_publications
from .reading import ConversionError
from .record import CROSSWALK, Context, D2IStats, Judgement, Record, read_councils
from .terms import graph_iri

__all__ = [
    "READERS",
    "Conversion",
    "ConversionError",
    "Reader",
    "check_registry",
    "convert",
    "has_tables",
    "iter_judgements",
    "stale",
    "write",
]

# What an entry may add to the record.
RECORD_PARTS = ("inspections", "judgements", "d2i")


@dataclass(frozen=True)
class Reader:
    """One entry of the registry: a generated file and the reader that makes it."""

    graph: str  # the output graph/{graph}.ttl, the named graph terms.graph_iri(graph)
    source: str  # the source tables, as the file's header names them
    licence: str  # of the content, as the file's header gives it
    read: Callable[[Context, str], Graph]  # (context, graph) -> the graph
    reads: tuple[str, ...] = ()  # the earlier entries (by graph) whose additions it reads
    adds: tuple[str, ...] = ()  # of RECORD_PARTS, what it adds for later readers

    @property
    def path(self) -> str:
        return f"graph/{self.graph}.ttl"


HISTORY = "official/ofsted-ilacs-history-2018-2025"
TABLE_2009 = "official/ofsted-la-inspections-2009-2023"
IN_YEAR = "official/ofsted-la-in-year-2024-25"
LATEST = "official/ofsted-la-judgements-2025-03-31"
OFSTED_TABLES = (HISTORY, TABLE_2009, IN_YEAR, LATEST)
RECORD = ("inspections", "judgements")
OGL_V3 = "Open Government Licence v3.0"

READERS: tuple[Reader, ...] = (
    # The 2025 history first: where the tables disagree on an ILACS type, the later one wins.
    Reader(HISTORY, T_HISTORY, OGL_V3, read_history, adds=RECORD),
    Reader(TABLE_2009, T2009, OGL_V3, read_2009, reads=(HISTORY,), adds=RECORD),
    Reader(IN_YEAR, T_IN_YEAR, OGL_V3, read_in_year, adds=RECORD),
    Reader(LATEST, T_LATEST, OGL_V3, read_latest, reads=(HISTORY,), adds=RECORD),
    Reader(
        "official/d2i-ilacs-reports",
        T_D2I,
        "MIT (repository); content from Ofsted's reports, Open Government Licence v3.0",
        read_d2i,
        reads=OFSTED_TABLES,
        adds=("d2i",),
    ),
    Reader("official/publications", "data/raw/*.ods and " + T_D2I, OGL_V3, read_publications),
    Reader(
        "identity/d2i-provider-lookup",
        T_D2I_LOOKUP,
        "MIT (repository); Ofsted's and DfE's codes, OGL v3.0",
        read_d2i_lookup,
    ),
    Reader(
        "identity/digital-land-organisation",
        T_DIGITAL_LAND,
        "OGL v3.0 (Wikidata identifiers CC0)",
        read_digital_land,
    ),
    Reader("identity/openregister-os", T_OPENREGISTER_OS, OGL_V3, read_openregister),
    Reader(
        "identity/mysociety-local-authorities",
        T_MYSOCIETY,
        "CC BY 4.0, attribution: mySociety, uk_local_authority_names_and_codes",
        read_mysociety,
    ),
)

HEADER = """\
# GENERATED by `ofsted-kg convert` from {source}: do not edit by hand.
# Regenerate after changing the table; the build refuses to run on a stale file.
# Licence of the content: {licence}. See data/README.md."""


def check_registry(readers: Sequence[Reader]) -> None:
    """Raises ValueError unless each entry names its own output, adds only RECORD_PARTS, and
    reads only entries before it that add something."""
    before: dict[str, Reader] = {}
    for reader in readers:
        if reader.graph in before:
            raise ValueError(f"{reader.graph}: listed twice")
        for part in reader.adds:
            if part not in RECORD_PARTS:
                raise ValueError(f"{reader.graph}: adds {part!r}, not one of {RECORD_PARTS}")
        for name in reader.reads:
            if name not in before:
                raise ValueError(f"{reader.graph}: reads {name}, which does not come before it")
            if not before[name].adds:
                raise ValueError(f"{reader.graph}: reads {name}, which adds nothing")
        before[reader.graph] = reader


@dataclass
class Conversion:
    files: dict[str, str]  # relative path -> Turtle
    record: Record
    d2i: D2IStats


def convert(root: Path) -> Conversion:
    """The generated files of the tables under ``root``, each reader of READERS in turn."""
    check_registry(READERS)
    record = Record(read_councils(root))
    context = Context(root, read_codes(root), record)
    files: dict[str, str] = {}
    for reader in READERS:
        graph = reader.read(context, reader.graph)
        header = HEADER.format(source=reader.source, licence=reader.licence)
        files[reader.path] = graph.serialise(header, graph_iri(reader.graph))
    return Conversion(files, record, context.d2i)


def has_tables(root: Path) -> bool:
    return (root / CROSSWALK).is_file()


def stale(root: Path) -> list[str]:
    """Generated files that are missing or differ from what the tables give now."""
    if not has_tables(root):
        return []
    out = []
    for relpath, content in convert(root).files.items():
        path = root / relpath
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            out.append(relpath)
    return out


def write(root: Path) -> tuple[Conversion, list[str]]:
    """Convert and write the files whose content changed; returns those paths."""
    conversion = convert(root)
    changed = []
    for relpath, content in conversion.files.items():
        path = root / relpath
        if path.is_file() and path.read_text(encoding="utf-8") == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        changed.append(relpath)
    return conversion, changed


def iter_judgements(record: Record) -> Iterator[Judgement]:
    """Each judgement of the record once (as the first table to give it has it), by IRI."""
    for iri in sorted(record.judgements):
        yield record.judgements[iri][0]
