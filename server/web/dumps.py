"""The dumps, served: the list (HTML for browsers, JSON for ``Accept: application/json`` or
``?format=json``), each file and its checksum. Making them is ``store.dumps``.

    GET /dumps/                         the list (``templates/dumps.html``, or JSON)
    GET /dumps/ofsted-kg.nq.gz          a dump (Content-Type application/gzip)
    GET /dumps/ofsted-kg.nq.gz.sha256   its checksum, in ``sha256sum`` format

The list is negotiated and versioned as every page is (``http``: 406 for what it cannot answer,
``ETag: W/"<version>-html"`` or ``-json``, 304); a dump itself has the strong ETag of its content,
its SHA-256.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from flask import Blueprint, Response, render_template, request, send_file

from ..errors import NotFoundError
from ..rdf.formats import DUMP_LIST, HTML
from ..store.dumps import Manifest, make_dumps
from .context import current_backend, current_settings, kept
from .http import conditional, negotiate, versioned

bp = Blueprint("dumps", __name__)


def current_dumps() -> Manifest:
    """The dumps of the data this server is serving now (made on first need, kept per version)."""
    settings = current_settings()
    backend = current_backend()
    version = backend.version().token
    source = backend.dump_source()
    manifest = kept("dumps", lambda: make_dumps(settings, version, source))
    # The version changed while they were being made, or someone removed them since: again.
    if manifest.version != version or not all(manifest.path(f).exists() for f in manifest.files):
        return make_dumps(settings, version, source)
    return manifest


# -- Serving them ---------------------------------------------------------------------------------


@bp.route("/dumps/")
def index() -> Response:
    fmt = negotiate(DUMP_LIST, request.args.get("format"))
    version = current_backend().version()
    unchanged = conditional(version, fmt.name)
    if unchanged is not None:
        return unchanged
    manifest = current_dumps()
    if fmt is HTML:
        body = render_template("dumps.html", manifest=manifest)
    else:
        body = json.dumps(listing(manifest, request.host_url), indent=2) + "\n"
    return versioned(Response(body, content_type=fmt.content_type), version, fmt.name)


def listing(manifest: Manifest, host: str) -> dict[str, Any]:
    """The list as data: each dump with its URL (on ``host``), format, size and checksum."""
    rows = [
        {
            "file": f.format.file_name,
            "url": f"{host}dumps/{f.format.file_name}",
            "format": f.format.label,
            "mediaType": f.format.media_type,
            "compression": "application/gzip",
            "bytes": f.bytes,
            "sha256": f.sha256,
        }
        for f in manifest.files
    ]
    return {"version": manifest.version, "quads": manifest.quads, "dumps": rows}


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
    """A hex digest as the base64 the ``Digest`` header takes."""
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()
