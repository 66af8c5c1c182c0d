"""The request path around the query workers: gzip done in the worker, the worker count, spares
for light queries while every worker is busy, format negotiation kept per Accept header, and the
answers kept for repeated queries."""

from __future__ import annotations

import gzip
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from ofsted_kg.config import load_settings
from ofsted_kg.errors import QueryMemoryError, QueryTimeoutError, ServiceBusyError
from ofsted_kg.rdf.sparql_text import deterministic
from ofsted_kg.store.workers import GZIP_MINIMUM, Answer, Job, StoreLocation, WorkerPool
from ofsted_kg.web.answers import ENTRY_OVERHEAD, AnswerCache, job_digest
from ofsted_kg.web.app import create_app
from ofsted_kg.web.context import BACKEND_KEY

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
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {"store": tmp_path / "store", "workers": 1, "update_token": "t"}


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


# A query that runs for minutes on an empty store: four VALUES of 200 rows each, cross-joined.
_ROWS = " ".join(str(n) for n in range(200))
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { "
    + " ".join(f"VALUES ?{v} {{ {_ROWS} }}" for v in "abcd")
    + " }"
)
EMPTY = StoreLocation(None, "empty")


class Held:
    """``count`` slow queries running in ``pool``, each stopped at its deadline (``seconds``)."""

    def __init__(self, pool: WorkerPool, count: int, seconds: float) -> None:
        self.outcomes: list[BaseException | None] = []
        self.threads = [
            threading.Thread(target=self._slow, args=(pool, seconds)) for _ in range(count)
        ]
        for thread in self.threads:
            thread.start()
        deadline = time.monotonic() + 30
        while (pool.busy_and_idle()[0] < count or pool.started < count) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)
        time.sleep(0.2)  # the jobs are sent once their workers have started

    def _slow(self, pool: WorkerPool, seconds: float) -> None:
        try:
            pool.run(EMPTY, Job("query", SLOW, "JSON", None), timeout=seconds)
            self.outcomes.append(None)
        except Exception as exc:
            self.outcomes.append(exc)

    def running(self) -> bool:
        return all(t.is_alive() for t in self.threads)

    def stopped_at_their_deadline(self) -> bool:
        for thread in self.threads:
            thread.join(timeout=60)
        return len(self.outcomes) == len(self.threads) and all(
            isinstance(o, QueryTimeoutError) for o in self.outcomes
        )


def test_a_light_query_is_answered_by_a_spare_while_heavy_ones_hold_every_worker() -> None:
    pool = WorkerPool(1, 60, limit=4)
    try:
        held = Held(pool, 2, seconds=10)
        assert held.running()
        answer = pool.run(EMPTY, Job("query", "ASK {}", "JSON", None), timeout=10)
        assert json.loads(answer.data)["boolean"] is True
        assert held.running()  # answered before the heavy ones' deadline
        assert pool.started >= 3
        assert held.stopped_at_their_deadline()
    finally:
        pool.close()


def test_at_the_limit_a_query_waits_for_a_worker_and_is_refused_at_its_deadline() -> None:
    pool = WorkerPool(1, 60, limit=2)
    try:
        held = Held(pool, 2, seconds=10)
        started = time.monotonic()
        with pytest.raises(ServiceBusyError):
            pool.run(EMPTY, Job("query", "ASK {}", "JSON", None), timeout=1)
        assert 0.9 < time.monotonic() - started < 9
        assert held.running() and pool.started == 2
        assert held.stopped_at_their_deadline()
    finally:
        pool.close()


def test_idle_spares_are_stopped_but_never_the_workers_kept_running() -> None:
    pool = WorkerPool(1, 60, limit=3)
    try:
        held = Held(pool, 2, seconds=2)
        assert held.stopped_at_their_deadline()
        pool.run(EMPTY, Job("query", "ASK {}", "JSON", None))
        deadline = time.monotonic() + 20
        while pool.busy_and_idle()[0] and time.monotonic() < deadline:
            time.sleep(0.05)  # a spare is still starting
        busy, idle = pool.busy_and_idle()
        assert busy == 0 and idle >= 2  # the stopped workers' places were taken by spares
        assert pool.reap_idle(0) == idle - 1
        assert pool.busy_and_idle() == (0, 1) and len(pool.pids()) == 1
        assert pool.reap_idle(0) == 0
        pool.run(EMPTY, Job("query", "ASK {}", "JSON", None))
    finally:
        pool.close()


def test_the_worker_limit_is_never_below_the_workers_kept() -> None:
    settings = load_settings(env={}, overrides={"workers": 6, "max_workers": 2})
    assert settings.worker_limit == 6
    assert load_settings(env={}, overrides={"workers": 2}).worker_limit == 16


# -- The memory a query may take -----------------------------------------------------------------

# Millions of distinct rows kept in memory at once (DISTINCT, then ORDER BY): gigabytes.
HUNGRY = (
    "SELECT DISTINCT ?a ?b ?c WHERE { "
    + " ".join(f"VALUES ?{v} {{ {_ROWS} }}" for v in "abc")
    + " } ORDER BY ?c LIMIT 1"
)


def test_a_query_past_the_memory_cap_is_stopped_and_the_pool_goes_on() -> None:
    pool = WorkerPool(1, 120, memory_mib=256)
    try:
        started = time.monotonic()
        with pytest.raises(QueryMemoryError) as caught:
            pool.run(EMPTY, Job("query", HUNGRY, "JSON", None))
        assert time.monotonic() - started < 100  # the cap stopped it, not the deadline
        assert "256 MiB" in caught.value.detail
        answer = pool.run(EMPTY, Job("query", "ASK {}", "JSON", None), timeout=30)
        assert json.loads(answer.data)["boolean"] is True
    finally:
        pool.close()


def test_the_cap_is_the_workers_own(tmp_path: Path) -> None:
    """A worker's RLIMIT_DATA is the setting; the web process's own stays as it was."""
    import resource

    before = resource.getrlimit(resource.RLIMIT_DATA)
    pool = WorkerPool(1, 30, memory_mib=300)
    try:
        pool.run(EMPTY, Job("query", "ASK {}", "JSON", None))
        [pid] = pool.pids()
        limits = Path(f"/proc/{pid}/limits").read_text()
        line = next(row for row in limits.splitlines() if row.startswith("Max data size"))
        assert line.split()[3] == str(300 << 20)
    finally:
        pool.close()
    assert resource.getrlimit(resource.RLIMIT_DATA) == before


def test_the_endpoint_answers_503_for_a_query_past_the_cap(tmp_path: Path) -> None:
    app = create_app(
        {"store": tmp_path / "store", "workers": 1, "query_memory": 256, "TESTING": True}
    )
    client = app.test_client()
    response = client.post("/sparql", data={"query": HUNGRY})
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["title"] == "Query stopped: out of memory"
    assert "256 MiB" in error["detail"]
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_the_default_cap_is_a_gibibyte_and_zero_means_none() -> None:
    assert load_settings(env={}).query_memory == 1024
    assert load_settings(env={"OFSTED_KG_QUERY_MEMORY": "0"}).query_memory == 0


# -- Answers kept for repeated queries ------------------------------------------------------------


def _counting(app: Flask) -> list[Job]:
    """The jobs the app's backend is asked to run, from now on."""
    backend = app.extensions[BACKEND_KEY]
    jobs: list[Job] = []
    run = backend.run

    def counted(job: Job) -> Answer:
        jobs.append(job)
        return run(job)  # type: ignore[no-any-return]

    backend.run = counted
    return jobs


def test_a_repeated_query_is_answered_without_a_worker(app: Flask) -> None:
    client = app.test_client()
    jobs = _counting(app)
    first = client.get("/sparql", query_string={"query": MANY})
    again = client.get("/sparql", query_string={"query": MANY})
    assert first.get_data() == again.get_data()
    assert len(jobs) == 1
    client.get("/sparql", query_string={"query": MANY}, headers={"Accept": "text/csv"})
    assert len(jobs) == 2  # another format is another answer


def test_a_write_is_seen_at_once_by_a_repeated_query(app: Flask) -> None:
    client = app.test_client()
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

    def n() -> str:
        response = client.get("/sparql", query_string={"query": count})
        return str(response.get_json()["results"]["bindings"][0]["n"]["value"])

    assert n() == "0"
    assert n() == "0"
    done = client.post(
        "/sparql",
        data="INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> "
        "<http://example.org/p> 1 } }",
        content_type="application/sparql-update",
        headers={"Authorization": "Bearer t"},
    )
    assert done.status_code == 204
    assert n() == "1"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (RAND() AS ?r) {}",
        "SELECT (now() AS ?t) {}",
        "SELECT (STRUUID() AS ?u) {}",
        "SELECT (UUID() AS ?u) {}",
        "SELECT (BNODE() AS ?b) {}",
    ],
)
def test_a_query_whose_answer_may_change_is_run_every_time(app: Flask, query: str) -> None:
    client = app.test_client()
    jobs = _counting(app)
    client.get("/sparql", query_string={"query": query})
    client.get("/sparql", query_string={"query": query})
    assert len(jobs) == 2


def test_what_counts_as_deterministic() -> None:
    assert deterministic('SELECT ?x { ?x ?p "RAND()" } # NOW()')
    assert deterministic("SELECT ?now { ?now <http://example.org/RAND(> ?x }")
    assert not deterministic("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert not deterministic("SELECT (rand () AS ?r) {}")


def test_the_cache_is_bounded() -> None:
    entry = 40 + ENTRY_OVERHEAD
    cache = AnswerCache(max_bytes=2 * entry + 20, max_entry=60)
    jobs = [
        job_digest(Job("query", f"ASK {{ <http://example.org/{n}> ?p ?o }}", "JSON", None))
        for n in range(4)
    ]
    for job in jobs:
        cache.put(("v1", job), Answer("results", b"x" * 40))
    assert len(cache) == 2  # 2 entries of 40 bytes fit, 3 do not: the oldest went
    assert cache.get(("v1", jobs[0])) is None and cache.get(("v1", jobs[3])) is not None
    cache.put(("v1", jobs[0]), Answer("results", b"x" * 61))  # larger than one entry may be
    assert cache.get(("v1", jobs[0])) is None
    cache.put(("v2", jobs[0]), Answer("results", b"y"))  # a new version: the old answers go
    assert len(cache) == 1


def test_the_cache_keeps_a_digest_of_the_query_not_its_text() -> None:
    """120 distinct 8 MB queries once took the web process past 1.1 GB: the whole text was the
    key. Two jobs that differ only in their text have digests of the same small size."""
    long_query = "ASK {}" + " " * (8 << 20)
    digest = job_digest(Job("query", long_query, "JSON", None))
    assert len(digest) == 32
    assert digest != job_digest(Job("query", long_query + " ", "JSON", None))
    assert digest == job_digest(Job("query", long_query, "JSON", None))
