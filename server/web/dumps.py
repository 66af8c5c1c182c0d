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
import html
import json
import os
import secrets
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request, send_file

from ..config import Settings
from ..errors import NotFoundError
from ..store.oxigraph import (
    EXPORT_FORMATS,
    EXPORT_PREFIXES,
    gc_paused,
    is_store_dir,
    open_pinned,
)
from .chrome import site_header

bp = Blueprint("dumps", __name__)

MANIFEST = "manifest.json"
LOCK_KEY = "ofsted_kg.dumps.lock"


@dataclass(frozen=True)
class DumpFormat:
    export: str  # the name in store.EXPORT_FORMATS (and ``ofsted-kg export --format``)
    file_name: str
    media_type: str  # of the content, before compression
    label: str


DUMP_FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat("nquads", "ofsted-kg.nq.gz", "application/n-quads", "N-Quads"),
    DumpFormat("trig", "ofsted-kg.trig.gz", "application/trig", "TriG"),
    DumpFormat("turtle", "ofsted-kg.ttl.gz", "text/turtle", "Turtle (union of the graphs)"),
    DumpFormat("jsonld", "ofsted-kg.jsonld.gz", "application/ld+json", "JSON-LD"),
)


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
        rdf_format, keeps_graphs = EXPORT_FORMATS[dump.export]
        prefixes = (
            EXPORT_PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        )
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


def make_dumps(settings: Settings, version: str | None = None) -> Manifest:
    """The dumps of the store at ``settings.store`` for its current version, made if missing."""
    root = dumps_root(settings)
    for _attempt in range(3):
        current = version or store_version(settings.store)
        existing = read_manifest(root / current)
        if existing is not None and existing.version == current:
            return existing
        staging = root / f".staging-{os.getpid()}-{secrets.token_hex(4)}"
        pin: int | None = None
        try:
            store: ox.Store | None = None
            if is_store_dir(settings.store):  # pinned: a write may swap another store in
                store, pin = open_pinned(settings.store)
            write_dumps(store, staging, current)
            del store
            if version is None and store_version(settings.store) != current:
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


def current_dumps() -> Manifest:
    """The dumps of the data this server is serving now (made on first need)."""
    from .app import current_backend, current_settings

    lock = current_app.extensions.setdefault(LOCK_KEY, threading.Lock())
    version = current_backend().version().token
    with lock:
        return make_dumps(current_settings(), version)


# -- Serving them ---------------------------------------------------------------------------------


@bp.route("/dumps/")
def index() -> Response:
    manifest = current_dumps()
    rows: list[dict[str, Any]] = [
        {
            "file": f.format.file_name,
            "url": f"{request.host_url}dumps/{f.format.file_name}",
            "format": f.format.label,
            "mediaType": f.format.media_type,
            "compression": "application/gzip",
            "bytes": f.bytes,
            "sha256": f.sha256,
        }
        for f in manifest.files
    ]
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if best == "application/json":
        body = json.dumps(
            {"version": manifest.version, "quads": manifest.quads, "dumps": rows}, indent=2
        )
        return Response(body + "\n", content_type="application/json")
    items = "\n".join(
        f'<tr><td><a href="{html.escape(r["file"])}">{html.escape(str(r["file"]))}</a></td>'
        f"<td>{html.escape(str(r['format']))}</td><td>{r['bytes']:,}</td>"
        f'<td><a href="{html.escape(r["file"])}.sha256"><code>{r["sha256"]}</code></a></td></tr>'
        for r in rows
    )
    page = DUMPS_PAGE.format(
        site_header=site_header("../", "dumps/"), rows=items, quads=manifest.quads
    )
    return Response(page, content_type="text/html; charset=utf-8")


@bp.route("/dumps/<name>")
def download(name: str) -> Response:
    manifest = current_dumps()
    checksum = name.endswith(".sha256")
    dump = manifest.file(name.removesuffix(".sha256"))
    if dump is None:
        names = ", ".join(f.format.file_name for f in manifest.files)
        raise NotFoundError(f"there is no dump named {name!r}; the dumps are {names}")
    if checksum:
        return Response(
            f"{dump.sha256}  {dump.format.file_name}\n", content_type="text/plain; charset=utf-8"
        )
    response = send_file(
        manifest.path(dump),
        mimetype="application/gzip",
        as_attachment=True,
        download_name=dump.format.file_name,
        conditional=True,
        etag=dump.sha256,
        max_age=0,
    )
    response.headers["Digest"] = f"sha-256={_base64(dump.sha256)}"
    return response


def _base64(hex_digest: str) -> str:
    import base64

    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


DUMPS_PAGE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>ofsted-kg: downloads</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="../static/pages/pages.css"></head>
<body>
{site_header}
<main id="main">
<h1>Downloads</h1>
<p>Everything this server serves ({quads:,} quads in named graphs, the inferred graph included), as
gzipped files with their SHA-256 checksums. The dataset description is at
<a href="../.well-known/void">/.well-known/void</a>.</p>
<table>
<thead><tr><th>File</th><th>Format</th><th>Bytes</th><th>SHA-256</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p><a href="../">Query the graph</a></p>
</main>
</body>
</html>
"""
