"""Dumps: everything served, as gzipped N-Quads, TriG, Turtle and JSON-LD, each with its sha256.

    GET /dumps/                         the list (HTML for browsers, JSON for ``Accept: .../json``)
    GET /dumps/ofsted-kg.nq.gz          a dump (Content-Type application/gzip)
    GET /dumps/ofsted-kg.nq.gz.sha256   its checksum, in ``sha256sum`` format

The dumps hold what ``ofsted-kg export`` writes (every named graph, the inferred graph included;
Turtle gets the union of the graphs, each triple once), in a stable order (graph by graph, then the
N-Quads lines sorted), compressed reproducibly (no file name or time in the gzip header). They
are made for one dataset version and kept beside the store, in ``<store>-dumps/<version>/``:

- ``ofsted-kg build`` makes them at the end of a build, so the first download is as fast as any;
- the server makes them on the first request for a version it has none for (after a write through
  the update endpoint, say) and keeps them until the version changes.

Building a version's files happens in a temporary folder renamed into place, so a reader never
sees half a dump, and a request never gets files of another version than the one it was told about.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from ..config import Settings
from ..rdf.formats import EXPORTS, Format
from ..rdf.namespaces import PREFIXES
from .directories import is_store_dir, open_pinned
from .oxigraph import gc_paused

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class DumpFormat:
    format: Format  # one of the export formats (what ``ofsted-kg export --format`` takes)

    @property
    def export(self) -> str:
        return self.format.name

    @property
    def file_name(self) -> str:
        return f"ofsted-kg.{self.format.extension}.gz"

    @property
    def media_type(self) -> str:  # of the content, before compression
        return self.format.media_type

    @property
    def label(self) -> str:
        return (
            self.format.label if self.format.quads else f"{self.format.label} (union of the graphs)"
        )


DUMP_FORMATS: tuple[DumpFormat, ...] = tuple(DumpFormat(f) for f in EXPORTS)


@dataclass(frozen=True)
class DumpFile:
    format: DumpFormat
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    version: str
    quads: int  # quads in the named graphs (the N-Quads dump's lines)
    files: tuple[DumpFile, ...]
    folder: Path

    def path(self, dump: DumpFile) -> Path:
        return self.folder / dump.format.file_name

    def file(self, name: str) -> DumpFile | None:
        return next((f for f in self.files if f.format.file_name == name), None)


# -- Where they live, and which version a store is at ---------------------------------------------


def dumps_root(settings: Settings) -> Path:
    store = settings.store.absolute()  # send_file reads a relative path from the package
    return store.with_name(f"{store.name}-dumps")


def store_version(store_path: Path) -> str:
    """The dataset version of a store directory, as the server computes it (``LocalBackend``)."""
    if not is_store_dir(store_path):
        return "empty"
    info = (store_path / "CURRENT").stat(), store_path.stat()
    raw = f"{info[1].st_ino}-{info[0].st_mtime_ns}-{info[1].st_mtime_ns}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def store_modified(store_path: Path) -> float:
    """When a store directory last changed (seconds since the epoch; 0 for no store)."""
    if not is_store_dir(store_path):
        return 0.0
    return max((store_path / "CURRENT").stat().st_mtime, store_path.stat().st_mtime)


def read_manifest(folder: Path) -> Manifest | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    formats = {f.export: f for f in DUMP_FORMATS}
    try:
        files = tuple(
            DumpFile(formats[entry["format"]], int(entry["bytes"]), str(entry["sha256"]))
            for entry in data["files"]
        )
        return Manifest(str(data["version"]), int(data["quads"]), files, folder)
    except (KeyError, TypeError, ValueError):
        return None


# -- Writing them ---------------------------------------------------------------------------------


class _Counting:
    """A sink that hashes and counts what is written to the file under it."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.digest.update(chunk)
        self.size += len(chunk)
        self.out.write(chunk)
        return len(chunk)

    def flush(self) -> None:
        self.out.flush()

    def writable(self) -> bool:
        return True


def _lines(store: ox.Store) -> tuple[bytes, bytes, int]:
    """Everything in the named graphs as N-Quads, and their union as N-Triples, each triple
    once; both sorted (graph by graph, then line by line), so the same data gives the same bytes.

    Oxigraph writes each graph's N-Triples itself, and the lines are sorted as bytes: much faster
    than making a Python object of every quad and sorting those (the build pays for this)."""
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    quads: list[bytes] = []
    union: set[bytes] = set()
    with gc_paused():
        for graph in graphs:
            triples = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
            lines = (triples or b"").splitlines()
            union.update(lines)
            suffix = f" <{graph}> .".encode()
            quads.extend(sorted(line.removesuffix(b" .") + suffix for line in lines))
        nquads = b"".join(line + b"\n" for line in quads)
        ntriples = b"".join(line + b"\n" for line in sorted(union))
    return nquads, ntriples, len(quads)


def write_dumps(store: ox.Store | None, folder: Path, version: str) -> Manifest:
    """Write every dump of ``store`` (None: an empty store) and the manifest into ``folder``.

    What ``ofsted-kg export`` writes (every named graph, the inferred one included; Turtle the
    union of the graphs), read from the store once."""
    folder.mkdir(parents=True, exist_ok=True)
    nquads, ntriples, count = _lines(store) if store is not None else (b"", b"", 0)
    files: list[DumpFile] = []
    for dump in DUMP_FORMATS:
        rdf_format, keeps_graphs = dump.format.rdf, dump.format.quads
        prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        with (folder / dump.file_name).open("wb") as raw:
            counting = _Counting(raw)
            sink = cast(IO[bytes], counting)
            with gzip.GzipFile("", "wb", 6, sink, mtime=0) as out:
                target = cast(IO[bytes], out)
                if rdf_format == ox.RdfFormat.N_QUADS:
                    target.write(nquads)
                elif keeps_graphs:
                    parsed = ox.parse(nquads, ox.RdfFormat.N_QUADS)
                    ox.serialize(parsed, target, rdf_format, prefixes=prefixes)
                else:
                    parsed = ox.parse(ntriples, ox.RdfFormat.N_TRIPLES)
                    ox.serialize(parsed, target, rdf_format, prefixes=prefixes)
        files.append(DumpFile(dump, counting.size, counting.digest.hexdigest()))
        (folder / f"{dump.file_name}.sha256").write_text(
            f"{counting.digest.hexdigest()}  {dump.file_name}\n", encoding="utf-8"
        )
    manifest = {
        "version": version,
        "quads": count,
        "files": [
            {
                "format": f.format.export,
                "file": f.format.file_name,
                "bytes": f.bytes,
                "sha256": f.sha256,
            }
            for f in files
        ],
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Manifest(version, count, tuple(files), folder)


def make_dumps(
    settings: Settings, version: str | None = None, source: Path | None = None
) -> Manifest:
    """The dumps of the store for its current version (``version``), made if missing.

    ``source`` is the store directory to read (a server that takes writes reads the snapshot of
    that version); by default ``settings.store``, whose version is worked out from it."""
    root = dumps_root(settings)
    path = source or settings.store
    for _attempt in range(3):
        current = version or store_version(path)
        existing = read_manifest(root / current)
        if existing is not None and existing.version == current:
            return existing
        staging = root / f".staging-{os.getpid()}-{secrets.token_hex(4)}"
        pin: int | None = None
        try:
            store: ox.Store | None = None
            if is_store_dir(path):  # pinned: a write may swap another store in
                store, pin = open_pinned(path)
            write_dumps(store, staging, current)
            del store
            if version is None and store_version(path) != current:
                continue  # the store changed while we read it: start again
            target = root / current
            if target.exists():  # made meanwhile by another process
                shutil.rmtree(staging, ignore_errors=True)
            else:
                staging.rename(target)
            _remove_other_versions(root, keep=current)
            manifest = read_manifest(target)
            assert manifest is not None
            return manifest
        finally:
            if pin is not None:
                os.close(pin)
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    raise RuntimeError("the store kept changing while its dumps were written")


def _remove_other_versions(root: Path, keep: str) -> None:
    for child in root.iterdir():
        if child.name != keep and not child.name.startswith("."):
            shutil.rmtree(child, ignore_errors=True)
