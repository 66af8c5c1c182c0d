"""The query workers' share of the request path: gzip done in the worker, the worker count, and
format negotiation kept per Accept header."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from ofsted_kg.app import create_app
from ofsted_kg.config import load_settings
from ofsted_kg.workers import GZIP_MINIMUM, Job, StoreLocation, WorkerPool

pytestmark = pytest.mark.usefixtures("clean_environment")

# Enough rows that the JSON answer is well past GZIP_MINIMUM, on an empty store.
MANY = "SELECT ?n WHERE { VALUES ?n { " + " ".join(str(n) for n in range(300)) + " } }"


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(1, 30)
    yield workers
    workers.close()


def test_a_worker_gzips_a_large_answer_when_the_client_takes_gzip(pool: WorkerPool) -> None:
    location = StoreLocation(None, "empty")
    plain = pool.run(location, Job("query", MANY, "JSON", None))
    packed = pool.run(location, Job("query", MANY, "JSON", None, gzip=True))
    assert plain.encoding is None and len(plain.data) > GZIP_MINIMUM
    assert packed.encoding == "gzip"
    assert gzip.decompress(packed.data) == plain.data


def test_a_worker_leaves_a_small_answer_as_it_is(pool: WorkerPool) -> None:
    answer = pool.run(StoreLocation(None, "empty"), Job("query", "ASK {}", "JSON", None, gzip=True))
    assert answer.encoding is None
    assert json.loads(answer.data)["boolean"] is True


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    app = create_app({"store": tmp_path / "store", "workers": 1, "TESTING": True})
    return app.test_client()


def test_the_endpoint_sends_the_workers_gzip_as_it_is(client: FlaskClient) -> None:
    zipped = client.get(
        "/sparql", query_string={"query": MANY}, headers={"Accept-Encoding": "gzip"}
    )
    plain = client.get("/sparql", query_string={"query": MANY})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(zipped.get_data()) == plain.get_data()  # compressed once, not twice


def test_each_accept_header_gets_its_own_format(client: FlaskClient) -> None:
    """The format chosen for an Accept header is remembered; another header is not given it."""
    for accept, media in [
        ("text/csv", "text/csv"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("", "application/sparql-results+json"),
        ("text/tab-separated-values;q=0.9, text/csv;q=0.5", "text/tab-separated-values"),
    ]:
        response = client.get(
            "/sparql",
            query_string={"query": "SELECT * { VALUES ?x { 1 } }"},
            headers={"Accept": accept},
        )
        assert response.mimetype == media, accept
    refused = client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "image/png"}
    )
    assert refused.status_code == 406


def test_by_default_two_workers_per_core() -> None:
    settings = load_settings(env={}, overrides={"workers": 0})
    assert settings.worker_count == 2 * (os.cpu_count() or 1)
    assert load_settings(env={}, overrides={"workers": 3}).worker_count == 3
