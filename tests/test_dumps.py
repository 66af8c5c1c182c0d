"""Dumps: everything served, in four formats, gzipped, with checksums that match, made by the build
and remade when the data changes."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from ofsted_kg import cli
from ofsted_kg.config import load_settings
from ofsted_kg.store.directories import open_existing
from ofsted_kg.store.dumps import DUMP_FORMATS, MANIFEST, dumps_root, store_version
from ofsted_kg.web.app import create_app
from ofsted_kg.web.context import BACKEND_KEY

TREES = Path(__file__).parent / "fixtures" / "trees"

pytestmark = pytest.mark.usefixtures("clean_environment")


@pytest.fixture(scope="module")
def app_config(served_store_dir: Path) -> dict[str, Any]:
    return {"store": served_store_dir}


@pytest.fixture(scope="module")
def store_quads(served_store_dir: Path) -> set[ox.Quad]:
    store = open_existing(served_store_dir)
    quads = set(store.quads())
    store.close()
    return quads


def fetch(client: FlaskClient, path: str, **kwargs: object) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET, the response closed (a file it sent is released)."""
    response = client.get(path, **kwargs)  # type: ignore[arg-type]
    try:
        return response.status_code, dict(response.headers), response.data
    finally:
        response.close()


def download(client: FlaskClient, name: str) -> bytes:
    status, headers, body = fetch(client, f"/dumps/{name}")
    assert status == 200, body[:300]
    assert headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in headers  # the file is the gzip, not the transfer
    return body


@pytest.mark.parametrize("export", ["nquads", "trig", "jsonld"])
def test_dump_parses_back_to_the_quads_served(
    export: str, client: FlaskClient, store_quads: set[ox.Quad]
) -> None:
    dump = next(d for d in DUMP_FORMATS if d.export == export)
    data = gzip.decompress(download(client, dump.file_name))
    fmt = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}.get(
        export, ox.RdfFormat.JSON_LD
    )
    parsed = set(ox.parse(data, fmt))
    assert len(parsed) == len(store_quads)
    assert parsed == store_quads


def test_turtle_dump_is_the_union_of_the_graphs(
    client: FlaskClient, store_quads: set[ox.Quad]
) -> None:
    data = gzip.decompress(download(client, "ofsted-kg.ttl.gz"))
    parsed = {
        ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, ox.RdfFormat.TURTLE)
    }
    assert parsed == {ox.Triple(q.subject, q.predicate, q.object) for q in store_quads}


@pytest.mark.parametrize("dump", DUMP_FORMATS, ids=[d.export for d in DUMP_FORMATS])
def test_checksum_file_matches_the_download(dump: object, client: FlaskClient) -> None:
    name = dump.file_name  # type: ignore[attr-defined]
    body = download(client, name)
    checksum = client.get(f"/dumps/{name}.sha256")
    assert checksum.status_code == 200
    digest, file_name = checksum.get_data(as_text=True).split()
    assert file_name == name
    assert digest == hashlib.sha256(body).hexdigest()


def test_dump_listing_as_json_matches_the_files(client: FlaskClient) -> None:
    listing = client.get("/dumps/", headers={"Accept": "application/json"}).get_json()
    assert [d["file"] for d in listing["dumps"]] == [d.file_name for d in DUMP_FORMATS]
    for entry in listing["dumps"]:
        body = download(client, entry["file"])
        assert entry["bytes"] == len(body)
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()
    page = client.get("/dumps/", headers={"Accept": "text/html"})
    assert page.content_type.startswith("text/html")
    assert all(d.file_name in page.get_data(as_text=True) for d in DUMP_FORMATS)


def test_the_list_is_negotiated(client: FlaskClient) -> None:
    assert client.get("/dumps/").content_type.startswith("text/html")
    assert client.get("/dumps/", headers={"Accept": "*/*"}).content_type.startswith("text/html")
    as_data = client.get("/dumps/?format=json", headers={"Accept": "text/html"})
    assert as_data.content_type.startswith("application/json")
    assert [d["file"] for d in as_data.get_json()["dumps"]] == [d.file_name for d in DUMP_FORMATS]
    for path, headers in (("/dumps/", {"Accept": "image/png"}), ("/dumps/?format=pdf", {})):
        refused = client.get(path, headers=headers)
        assert refused.status_code == 406, path
        error = refused.get_json()["error"]
        assert error["status"] == 406 and error["title"] == "Not acceptable"


@pytest.mark.parametrize(
    ("accept", "variant"), [("text/html", "html"), ("application/json", "json")]
)
def test_the_list_has_the_versions_etag_and_a_current_copy_is_304(
    accept: str, variant: str, client: FlaskClient
) -> None:
    first = client.get("/dumps/", headers={"Accept": accept})
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and etag.endswith(f'-{variant}"'), etag
    assert "Accept" in first.headers["Vary"]
    again = client.get("/dumps/", headers={"Accept": accept, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


def test_dumps_are_conditional_by_their_checksum(client: FlaskClient) -> None:
    _, headers, _ = fetch(client, "/dumps/ofsted-kg.nq.gz")
    dump = next(d for d in DUMP_FORMATS if d.file_name == "ofsted-kg.nq.gz")
    listed = client.get("/dumps/", headers={"Accept": "application/json"}).get_json()
    sha256 = next(d["sha256"] for d in listed["dumps"] if d["file"] == dump.file_name)
    assert headers["ETag"] == f'"{sha256}"'  # strong: the content's own checksum
    status, _, _ = fetch(
        client, "/dumps/ofsted-kg.nq.gz", headers={"If-None-Match": headers["ETag"]}
    )
    assert status == 304


def test_unknown_dump_is_404_with_the_names(client: FlaskClient) -> None:
    response = client.get("/dumps/everything.zip")
    assert response.status_code == 404
    assert "ofsted-kg.nq.gz" in response.get_json()["error"]["detail"]


# -- Made by the build, remade after a write -----------------------------------------------------


@pytest.fixture
def small_store(tmp_path: Path) -> Path:
    return tmp_path / "store"


def test_build_makes_the_dumps_the_server_then_serves(small_store: Path) -> None:
    status = cli.main(["build", "--root", str(TREES / "valid"), "--store", str(small_store)])
    assert status == 0
    settings = load_settings(env={}, overrides={"root": TREES / "valid", "store": small_store})
    version = store_version(small_store)
    manifest = dumps_root(settings) / version / MANIFEST
    assert manifest.is_file(), "the build did not write the dumps"
    made = manifest.stat().st_mtime_ns

    app = create_app({"store": small_store, "root": TREES / "valid", "TESTING": True})
    assert app.extensions[BACKEND_KEY].version().token == version
    assert fetch(app.test_client(), "/dumps/ofsted-kg.nq.gz")[0] == 200
    assert manifest.stat().st_mtime_ns == made, "the server remade dumps the build had made"


def test_a_write_gives_new_dumps(built_once: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_once, store)
    app = create_app(
        {"store": store, "root": TREES / "valid", "update_token": "secret", "TESTING": True}
    )
    client = app.test_client()
    before = gzip.decompress(download(client, "ofsted-kg.nq.gz")).decode()
    assert "http://example.org/added" not in before
    response = client.post(
        "/sparql",
        data={"update": 'INSERT DATA { <http://example.org/added> <http://example.org/p> "x" }'},
        headers={"Authorization": "Bearer secret"},
    )
    assert response.status_code == 204, response.data
    after = gzip.decompress(download(client, "ofsted-kg.nq.gz")).decode()
    assert "<http://example.org/added>" in after
    versions = [p.name for p in dumps_root(app.extensions[BACKEND_KEY].settings).iterdir()]
    assert versions == [app.extensions[BACKEND_KEY].version().token], "old dumps were kept"


def test_a_relative_store_path_serves_its_dumps(
    built_once: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As ``make run`` serves ``--store var/store``."""
    shutil.copytree(built_once, tmp_path / "var" / "store")
    monkeypatch.chdir(tmp_path)
    app = create_app({"store": "var/store", "root": TREES / "valid", "TESTING": True})
    assert gzip.decompress(download(app.test_client(), "ofsted-kg.nq.gz"))
    assert (tmp_path / "var" / "store-dumps").is_dir()


def test_an_empty_store_has_empty_dumps(tmp_path: Path) -> None:
    app = create_app({"store": tmp_path / "new", "TESTING": True})
    client = app.test_client()
    assert gzip.decompress(download(client, "ofsted-kg.nq.gz")) == b""
