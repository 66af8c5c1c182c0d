"""The Oxigraph-backed store: open, load, query, export, and the safe swap of a new build.

A build never writes into the live store directory. It writes a sibling temporary directory
(``.store.build-<pid>-<random>``) and, only when every step succeeded, swaps it in:

    rename  store            -> .store.previous     (the old copy, set aside)
    rename  .store.build-... -> store
    delete  .store.previous                         (a server's write: rename it to
                                                     .store.retired-<time>, deleted once no
                                                     query can still be reading it)

Opening a store first recovers from a crash between those steps: if only the aside copy is left, it
is renamed back; if both are there, the aside copy is deleted. A failed build therefore leaves the
previous store exactly as it was.

Serving opens the store read-only, through a descriptor of its directory (``open_pinned``): RocksDB
opens its table files by name as it needs them, and a reader holding the directory itself keeps
reading the store it opened when a swap puts another under the same name. An empty or missing
directory is served as an empty store.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

import pyoxigraph as ox
import rdflib
from rdflib.term import Identifier

from ..errors import QuerySyntaxError, StoreError, UpdateFailedError
from ..rdf.sparql_text import split_update

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# Export formats: name -> (Oxigraph format, whether named graphs are kept).
EXPORT_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "turtle": (ox.RdfFormat.TURTLE, False),
    "jsonld": (ox.RdfFormat.JSON_LD, True),
}

# Prefixes written in Turtle and TriG exports (a fixed table, so the output is stable).
EXPORT_PREFIXES: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


# -- Store directories and the swap -----------------------------------------------------------


def is_store_dir(path: Path) -> bool:
    return (path / "CURRENT").is_file()


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def aside_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.previous")


def _build_prefix(path: Path) -> str:
    return f".{path.name}.build-"


@contextlib.contextmanager
def _swap_lock(path: Path) -> Iterator[None]:
    """Serialises swaps and recoveries of one store directory (between processes too)."""
    lock = path.with_name(f".{path.name}.lock")
    fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _recover_locked(path: Path) -> None:
    aside = aside_path(path)
    if not aside.exists():
        return
    if is_store_dir(path):
        shutil.rmtree(aside)  # crashed after the new store was moved in
    elif not path.exists() or _is_empty_dir(path):
        if path.exists():
            path.rmdir()
        os.rename(aside, path)  # crashed after the old store was set aside
        _fsync_dir(path.parent)
    else:
        raise StoreError(f"cannot recover {path}: it is not a store, and {aside} is left over")


def recover(path: Path) -> None:
    """Undo what a crash in the middle of a swap left behind (a no-op when nothing was left)."""
    if not aside_path(path).exists():
        return
    try:
        with _swap_lock(path):
            _recover_locked(path)
    except OSError as exc:
        raise StoreError(f"cannot recover {path} from an interrupted build: {exc}") from None


def _retired_prefix(path: Path) -> str:
    return f".{path.name}.retired-"


def remove_retired(path: Path, older_than: float = 0.0) -> int:
    """Delete the stores that writes retired (see ``swap_in``) at least ``older_than`` seconds
    ago; how many were deleted."""
    removed = 0
    now = time.time_ns()
    for candidate in path.parent.glob(_retired_prefix(path) + "*"):
        stamp = candidate.name.removeprefix(_retired_prefix(path))
        if stamp.isdigit() and now - int(stamp) >= older_than * 1e9:
            shutil.rmtree(candidate, ignore_errors=True)
            removed += 1
    return removed


def open_pinned(path: Path) -> tuple[ox.Store, int]:
    """Open the store at ``path`` read-only through a descriptor of its directory (Linux), so
    that what it reads cannot change under it when a write swaps another store in: RocksDB opens
    its table files by name, as it needs them, and after a swap the names under ``path`` are the
    new store's. Returns the store and the descriptor (close it after the store)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    pinned = Path(f"/proc/self/fd/{descriptor}")
    try:
        store = ox.Store.read_only(str(pinned if pinned.is_dir() else path))
    except BaseException:
        os.close(descriptor)
        raise
    return store, descriptor


def swap_in(new: Path, path: Path, *, retire: bool = False) -> None:
    """Replace the store at ``path`` with the complete store at ``new`` (a sibling directory).

    The store replaced is deleted; with ``retire`` it is kept beside as
    ``.<name>.retired-<time>`` instead, for readers that still have it open (a query worker
    answering a query begun before the swap), until ``remove_retired`` deletes it."""
    aside = aside_path(path)
    with _swap_lock(path):
        _recover_locked(path)
        replacing = path.exists()
        if replacing and not (is_store_dir(path) or _is_empty_dir(path)):
            raise StoreError(
                f"refusing to replace {path}: "
                "it is neither an Oxigraph store nor an empty directory"
            )
        if replacing:
            os.rename(path, aside)
        try:
            os.rename(new, path)
        except OSError:
            if replacing:
                os.rename(aside, path)
            raise
        _fsync_dir(path.parent)
        if replacing and retire:
            os.rename(aside, path.with_name(f"{_retired_prefix(path)}{time.time_ns()}"))
        elif replacing:
            shutil.rmtree(aside, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_builds(path: Path) -> None:
    """Delete temporary build directories left by builds that died."""
    pattern = re.compile(re.escape(_build_prefix(path)) + r"(\d+)-")
    for candidate in path.parent.glob(_build_prefix(path) + "*"):
        match = pattern.match(candidate.name)
        if match and not _pid_alive(int(match.group(1))):
            shutil.rmtree(candidate, ignore_errors=True)


class StagedStore:
    """A new store being built beside ``target``; ``commit()`` swaps it in, leaving the block
    without committing deletes it and leaves ``target`` untouched."""

    def __init__(self, target: Path) -> None:
        self.target = target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_builds(target)
            # os.mkdir, not tempfile.mkdtemp: the store gets the umask's permissions, not 0700.
            name = f"{_build_prefix(target)}{os.getpid()}-{secrets.token_hex(4)}"
            self.directory = target.parent / name
            self.directory.mkdir()
            self.store = Store(ox.Store(str(self.directory)), self.directory, writable=True)
        except OSError as exc:
            raise StoreError(f"cannot create a new store beside {target}: {exc}") from None
        self.committed = False

    def __enter__(self) -> StagedStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            self.store.close()
            shutil.rmtree(self.directory, ignore_errors=True)

    def commit(self, *, retire: bool = False) -> None:
        """Swap the new store in (``retire``: keep the old one aside, see ``swap_in``)."""
        try:
            self.store.flush()
            self.store.close()
            swap_in(self.directory, self.target, retire=retire)
        except OSError as exc:
            raise StoreError(f"cannot move the new store into {self.target}: {exc}") from None
        self.committed = True


# -- Opening ----------------------------------------------------------------------------------


def open_store(path: Path, *, writable: bool = False) -> Store:
    """Open the store for serving: read-only unless ``writable``; an empty or missing directory
    is served as an empty store (created on disk only when ``writable``)."""
    try:
        recover(path)
        if writable:
            return Store(ox.Store(str(path)), path, writable=True)
        if is_store_dir(path):
            inner, pin = open_pinned(path)
            return Store(inner, path, writable=False, pin=pin)
        if not path.exists() or _is_empty_dir(path):
            return Store(ox.Store(), path, writable=False)
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from None
    raise StoreError(f"{path} is neither an Oxigraph store nor an empty directory")


def open_existing(path: Path) -> Store:
    """Open a store that must exist (for query, export and validate --store)."""
    recover(path)
    if not is_store_dir(path):
        raise StoreError(f"no store at {path}: run 'ofsted-kg build' first, or pass --store DIR")
    return open_store(path)


# -- rdflib bridge ----------------------------------------------------------------------------


class _QuietLiteralWarnings(logging.Filter):
    """rdflib logs a traceback for every ill-typed literal; SHACL reports those properly."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal")


@contextlib.contextmanager
def quiet_rdflib() -> Iterator[None]:
    logger = logging.getLogger("rdflib.term")
    quiet = _QuietLiteralWarnings()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(
            term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False
        )
    raise TypeError(f"cannot convert {term!r} to rdflib")


def from_rdflib(term: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to an Oxigraph term")


def rdflib_graph(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """The union of the quads' triples as an in-memory rdflib graph."""
    graph = rdflib.Graph()
    cache: dict[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, Identifier] = {}

    def convert(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Identifier:
        found = cache.get(term)
        if found is None:
            found = cache[term] = to_rdflib(term)
        return found

    with quiet_rdflib():
        for quad in quads:
            graph.add((convert(quad.subject), convert(quad.predicate), convert(quad.object)))
    return graph


# -- The store --------------------------------------------------------------------------------


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block that allocates many objects."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Store:
    """One Oxigraph store; the SPARQL default graph is the union of the named graphs.

    Oxigraph's own union mode (``use_default_graph_as_union``) answers a triple once per named
    graph that holds it, so a label stated by three sources would come back three times. The
    build therefore materialises the union, each triple once, into the store's default graph
    (:meth:`refresh_union`), and queries read that graph as an RDF graph should: a set.
    """

    def __init__(
        self, inner: ox.Store, path: Path | None, *, writable: bool, pin: int | None = None
    ) -> None:
        self._inner: ox.Store | None = inner
        self.path = path
        self.writable = writable
        self._pin = pin  # the descriptor of its directory, when opened pinned (``open_pinned``)
        # True when the named graphs changed since the default graph was made their union: a
        # union-keeping update marks it so, and it is made again only when something reads it.
        self.union_stale = False

    def ensure_union(self) -> None:
        """Make the default graph the union of the named graphs again if a change left it stale."""
        if self.union_stale:
            self.refresh_union()

    @property
    def inner(self) -> ox.Store:
        if self._inner is None:
            raise StoreError("the store is closed")
        return self._inner

    def close(self) -> None:
        """Release the store (and its directory lock, once nothing else refers to it)."""
        self._inner = None
        gc.collect()
        if self._pin is not None:
            os.close(self._pin)
            self._pin = None

    def flush(self) -> None:
        if self.writable:
            self.inner.flush()

    def __len__(self) -> int:
        return len(self.inner)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self.inner.bulk_extend(quads)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.inner.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Quad]:
        """The quads of the given named graphs, or of every named graph.

        The default graph is left out: it is the union of the named graphs, derived from them."""
        if graphs is None:
            for quad in self.inner.quads_for_pattern(None, None, None, None):
                if not isinstance(quad.graph_name, ox.DefaultGraph):
                    yield quad
            return
        for graph in graphs:
            yield from self.inner.quads_for_pattern(None, None, None, ox.NamedNode(graph))

    def refresh_union(self, named: Iterable[ox.Quad] | None = None) -> int:
        """Make the default graph the union of the named graphs, each triple once; its size.

        ``named`` may give the named graphs' quads when the caller holds them already (the
        build does), to save reading them back. The store is a set of quads, so a triple held by
        several named graphs lands in the default graph once."""
        default = ox.DefaultGraph()
        self.union_stale = False
        self.inner.update("DROP SILENT DEFAULT")
        # Bulk loading beats "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }" on disk (2.6 s
        # against 6.5 s for 220k quads); with the collector paused, as allocating that many
        # quads on a large heap otherwise sets off one collection after another.
        with gc_paused():
            union = [
                ox.Quad(q.subject, q.predicate, q.object, default)
                for q in (self.quads() if named is None else named)
                if not isinstance(q.graph_name, ox.DefaultGraph)
            ]
            self.inner.bulk_extend(union)
        return len({(q.subject, q.predicate, q.object) for q in union})

    def query(
        self,
        text: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; raises QuerySyntaxError with the parser's message."""
        self.ensure_union()
        try:
            if default_graphs:
                return self.inner.query(
                    text,
                    default_graph=[ox.NamedNode(g) for g in default_graphs],
                    named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs else None,
                )
            return self.inner.query(
                text,
                named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs else None,
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc.msg or exc)) from None

    def _default_triples(self) -> set[ox.Triple]:
        return {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self.inner.quads_for_pattern(None, None, None, ox.DefaultGraph())
        }

    def update_plain(self, text: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update as it is (the default graph is the store's own)."""
        if not self.writable:
            raise StoreError("the store is open read-only")
        try:
            self.inner.update(text, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc.msg or exc)) from None
        except RuntimeError as exc:  # e.g. DROP GRAPH of a graph that does not exist, no SILENT
            raise UpdateFailedError(str(exc)) from None

    def update(self, text: str, *, default_target: str, base_iri: str | None = None) -> None:
        """Run a SPARQL update, keeping the default graph the union of the named graphs.

        The default graph is a view: triples an update inserts into it are kept in the named graph
        ``default_target``, and triples it deletes from it are deleted from every named graph."""
        if not self.writable:
            raise StoreError("the store is open read-only")
        try:  # a syntax error anywhere: nothing runs
            ox.Store().update(text, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc.msg or exc)) from None
        except (OSError, RuntimeError):
            pass  # evaluation against an empty store (LOAD, SERVICE, DROP GRAPH): syntax is fine
        # One operation at a time, so "DROP ALL ; INSERT DATA {...}" keeps what it inserts.
        for operation in split_update(text):
            self._update_one(operation, default_target=default_target, base_iri=base_iri)

    def _update_one(self, text: str, *, default_target: str, base_iri: str | None) -> None:
        self.ensure_union()
        before = self._default_triples()
        try:
            self.inner.update(text, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc.msg or exc)) from None
        except RuntimeError as exc:  # e.g. DROP GRAPH of a graph that does not exist, no SILENT
            raise UpdateFailedError(str(exc)) from None
        after = self._default_triples()
        for t in before - after:
            for quad in list(self.inner.quads_for_pattern(t.subject, t.predicate, t.object, None)):
                self.inner.remove(quad)
        target = ox.NamedNode(default_target)
        self.inner.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in after - before)
        self.union_stale = True  # made again by the next operation, query or refresh_union

    def export(self, fmt: str, out: IO[bytes]) -> None:
        """Write everything (named graphs and the inferred graph) in a stable order.

        Turtle has no named graphs: it gets the union of the graphs, each triple once."""
        rdf_format, keeps_graphs = EXPORT_FORMATS[fmt]
        prefixes = (
            EXPORT_PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        )
        if keeps_graphs:
            quads = sorted(
                self.quads(),
                key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)),
            )
            ox.serialize(quads, out, rdf_format, prefixes=prefixes)
        else:
            triples = sorted(
                {ox.Triple(q.subject, q.predicate, q.object) for q in self.quads()},
                key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
            )
            ox.serialize(triples, out, rdf_format, prefixes=prefixes)
