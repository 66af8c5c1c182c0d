"""The remote backend against a real ``oxigraph serve`` process that these tests start: queries in
every format, dataset parameters, errors (malformed, remote down or failing, the deadline), writes
with the token and the shapes check on a scratch copy, versions, the CLI and a real waitress server.

The remote holds the valid fixture tree's built store (its named graphs, shapes and inferred graph
included); the local backend serves the same store, so answers can be compared side by side.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pyoxigraph as ox
import pytest
import rdflib
from flask.testing import FlaskClient
from ofsted_kg.backends.remote import RemoteBackend, Reply, change_request, convert, with_base
from ofsted_kg.config import load_settings
from ofsted_kg.errors import BadGatewayError, ConfigError
from ofsted_kg.web.app import create_app
from rdflib.compare import isomorphic
from test_endpoint import TOKEN as FUZZ_TOKEN
from test_endpoint import test_fuzzed_requests_never_answer_500 as fuzz
from test_w3c_protocol import GSP, PROTOCOL, ProtocolTest
from test_w3c_protocol import TOKEN as W3C_TOKEN
from test_w3c_protocol import run as run_w3c
from test_w3c_protocol import (
    test_w3c_service_description_conforms_to_schema as sd_schema,
)
from test_w3c_protocol import (
    test_w3c_service_description_has_endpoint_triple as sd_endpoint,
)
from test_w3c_protocol import test_w3c_service_description_returns_rdf as sd_rdf

BASE = "https://w3id.org/ofsted-kg/"
TOKEN = "sesame"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
JUDGEMENT = f"<{BASE}id/judgement/kent-2017-overall>"
ARTICLE = f"{BASE}graph/seeds/article-one"
PROV = "http://www.w3.org/ns/prov#"

pytestmark = [
    pytest.mark.usefixtures("clean_environment"),
    pytest.mark.skipif(not OXIGRAPH.exists(), reason="the oxigraph command is not installed"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Oxigraph:
    """An ``oxigraph serve`` process on a free port, with an empty store in ``location``."""

    def __init__(self, location: Path, *options: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(location), "--bind", self.url[7:], *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.05)

    def settings(self, **extra: Any) -> dict[str, Any]:
        return {
            "remote_query": f"{self.url}/query",
            "remote_update": f"{self.url}/update",
            "remote_store": f"{self.url}/store",
            "TESTING": True,
            **extra,
        }

    def post(self, path: str, data: bytes, content_type: str) -> int:
        request = urllib.request.Request(
            self.url + path, data=data, headers={"Content-Type": content_type}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            status: int = response.status
            return status

    def reset(self, nquads: bytes) -> None:
        self.post("/update", b"DROP ALL", "application/sparql-update")
        if nquads:
            self.post("/store", nquads, "application/n-quads")

    def select(self, query: str) -> list[dict[str, Any]]:
        """Ask the remote directly (not through our app)."""
        request = urllib.request.Request(
            f"{self.url}/query",
            data=query.encode(),
            headers={
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            bindings: list[dict[str, Any]] = json.load(response)["results"]["bindings"]
            return bindings

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        if self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture(scope="module")
def nquads(built_once: Path) -> bytes:
    """Everything in the built fixture store: its named graphs (shapes and inferred graph
    included) and its default graph (their union, as the build materialises it)."""
    store = ox.Store.read_only(str(built_once))
    data = ox.serialize(
        store.quads_for_pattern(None, None, None, None), format=ox.RdfFormat.N_QUADS
    )
    del store
    assert data is not None
    return data


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    """One server for the module (it stops its own queries after 5 s), reset by ``remote``
    before each test."""
    server = Oxigraph(tmp_path_factory.mktemp("oxigraph"), "--timeout-s", "5")
    yield server
    server.stop()


@pytest.fixture
def remote(oxigraph: Oxigraph, nquads: bytes) -> Oxigraph:
    oxigraph.reset(nquads)
    return oxigraph


@pytest.fixture
def app_config(remote: Oxigraph) -> dict[str, Any]:
    return remote.settings(update_token=TOKEN)


@pytest.fixture
def local(store_dir: Path) -> FlaskClient:
    return create_app({"store": store_dir, "workers": 1, "TESTING": True}).test_client()


def ask(client: FlaskClient, query: str) -> bool:
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.get_data(as_text=True)
    return bool(response.get_json()["boolean"])


def graphs_of(oxigraph: Oxigraph) -> set[str]:
    return {b["g"]["value"] for b in oxigraph.select("SELECT DISTINCT ?g { GRAPH ?g {} }")}


# -- Queries ---------------------------------------------------------------------------------------

PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def test_a_select_answers_what_the_local_store_answers(
    client: FlaskClient, local: FlaskClient
) -> None:
    remote_answer = client.get("/sparql", query_string={"query": PER_GRAPH})
    local_answer = local.get("/sparql", query_string={"query": PER_GRAPH})
    assert remote_answer.status_code == 200, remote_answer.get_data(as_text=True)
    assert remote_answer.mimetype == "application/sparql-results+json"
    rows = remote_answer.get_json()["results"]["bindings"]
    assert len(rows) >= 5  # the fixture's fact, shapes, vocabulary and inferred graphs
    assert rows == local_answer.get_json()["results"]["bindings"]


@pytest.mark.parametrize(
    ("fmt", "media", "marker"),
    [
        ("json", "application/sparql-results+json", '"bindings"'),
        ("xml", "application/sparql-results+xml", "<sparql"),
        ("csv", "text/csv", "g,n\r\n"),
        ("tsv", "text/tab-separated-values", "?g\t?n\n"),
    ],
)
def test_select_in_every_results_format(
    client: FlaskClient, fmt: str, media: str, marker: str
) -> None:
    by_name = client.get("/sparql", query_string={"query": PER_GRAPH, "format": fmt})
    by_accept = client.get("/sparql", query_string={"query": PER_GRAPH}, headers={"Accept": media})
    for response in (by_name, by_accept):
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == media
        assert marker in response.get_data(as_text=True)
        assert ARTICLE in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fmt", "media"),
    [("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml")],
)
def test_ask(client: FlaskClient, fmt: str, media: str) -> None:
    yes = client.get(
        "/sparql", query_string={"query": f"ASK {{ {JUDGEMENT} ?p ?o }}", "format": fmt}
    )
    no = client.get(
        "/sparql", query_string={"query": "ASK { <http://e.org/x> ?p ?o }", "format": fmt}
    )
    assert yes.mimetype == no.mimetype == media
    if fmt == "json":
        assert yes.get_json()["boolean"] is True and no.get_json()["boolean"] is False
    else:
        assert b"<boolean>true</boolean>" in yes.get_data()
        assert b"<boolean>false</boolean>" in no.get_data()


GRAPH_FORMATS = [
    ("turtle", "text/turtle"),
    ("ntriples", "application/n-triples"),
    ("rdfxml", "application/rdf+xml"),
    ("jsonld", "application/ld+json"),
    ("trig", "application/trig"),
    ("nquads", "application/n-quads"),
]


@pytest.mark.parametrize(("fmt", "media"), GRAPH_FORMATS)
def test_construct_in_every_graph_format_matches_the_local_store(
    client: FlaskClient, local: FlaskClient, fmt: str, media: str
) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ARTICLE}> {{ ?s ?p ?o }} }}"
    got = client.get("/sparql", query_string={"query": query}, headers={"Accept": media})
    assert got.status_code == 200, got.get_data(as_text=True)
    assert got.mimetype == media
    expected = local.get("/sparql", query_string={"query": query, "format": "ntriples"})
    parsed = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(got.get_data(), ox.RdfFormat.from_media_type(media), base_iri=BASE)
    ]
    assert len(parsed) > 5
    graph = rdflib.Graph().parse(
        data=ox.serialize(parsed, format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    assert isomorphic(graph, rdflib.Graph().parse(data=expected.get_data(), format="nt"))


def test_construct_with_no_accept_is_turtle(client: FlaskClient) -> None:
    # Oxigraph server itself answers N-Quads here; the remote backend always states its Accept.
    response = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s a ?t }"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"


def test_describe(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": f"DESCRIBE {JUDGEMENT}"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (rdflib.URIRef(JUDGEMENT[1:-1]), None, None) in graph


def test_a_results_format_for_a_construct_is_406(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "csv"}
    )
    assert response.status_code == 406
    assert response.get_json()["error"]["status"] == 406


def test_dataset_parameters_reach_the_remote(client: FlaskClient) -> None:
    subjects = "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"
    only = client.get(
        "/sparql",
        query_string={"query": subjects, "default-graph-uri": f"{BASE}graph/official/judgements"},
    )
    found = {b["s"]["value"] for b in only.get_json()["results"]["bindings"]}
    assert f"{BASE}id/judgement/kent-2010-overall" in found
    assert f"{BASE}id/judgement/kent-2017-overall" not in found  # in the article's graph only
    named = client.post(
        "/sparql",
        data={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": ARTICLE,
        },
    )
    assert [b["g"]["value"] for b in named.get_json()["results"]["bindings"]] == [ARTICLE]


def test_relative_iris_resolve_against_the_endpoint(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT (<x> AS ?x) {}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["results"]["bindings"][0]["x"]["value"] == "http://localhost/x"
    assert with_base("SELECT * { ?s ?p <http://a/b> }", "http://h/") == (
        "SELECT * { ?s ?p <http://a/b> }"
    )


def test_the_result_size_is_limited(remote: Oxigraph) -> None:
    client = create_app(remote.settings(max_result_bytes=200)).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT * { GRAPH ?g { ?s ?p ?o } }"})
    assert response.status_code == 422
    assert "LIMIT" in response.get_json()["error"]["detail"]


# -- Errors ----------------------------------------------------------------------------------------


def test_a_malformed_query_is_400_with_the_parser_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELEC ?s WHERE { ?s ?p ?o }"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["title"] == "Malformed query"
    assert "1:10" in error["detail"] and "CONSTRUCT" in error["detail"]


def test_a_remote_that_is_down_is_502_json(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    app = create_app({"remote_query": f"http://127.0.0.1:{port}/query", "TESTING": True})
    response = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 502
    error = response.get_json()["error"]
    assert error == {
        "status": 502,
        "title": "Remote store failed",
        "detail": "the remote SPARQL server could not be reached (connection refused)",
    }


class Stub(http.server.BaseHTTPRequestHandler):
    """A server that answers every request with the status and body its path names."""

    seen: ClassVar[list[dict[str, str]]] = []  # the headers of each request, in order

    def do_POST(self) -> None:
        Stub.seen.append(dict(self.headers))
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status = int(self.path.strip("/").split("/")[0])
        if status == 299:  # a 200 whose body never ends in time
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
            return
        body = b"panic at src/secret.rs:12" if status >= 500 else b"{}"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def stub() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("remote_status", "status", "title"),
    [
        (500, 502, "Remote store failed"),
        (502, 502, "Remote store failed"),
        (503, 503, "Remote store unavailable"),
        (504, 504, "Remote store timed out"),
        (401, 502, "Remote store failed"),
        (200, 502, "Remote store failed"),  # an answer in no format we read
    ],
)
def test_a_failing_remote_is_a_clear_5xx_without_its_internals(
    stub: str, remote_status: int, status: int, title: str
) -> None:
    app = create_app({"remote_query": f"{stub}/{remote_status}/query", "TESTING": True})
    response = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["title"] == title and "remote SPARQL server" in error["detail"]
    assert "secret" not in response.get_data(as_text=True)


def test_the_deadline_covers_the_whole_answer_not_each_read(stub: str) -> None:
    app = create_app({"remote_query": f"{stub}/299/query", "query_timeout": 1, "TESTING": True})
    started = time.monotonic()
    response = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 504
    assert time.monotonic() - started < 2.5  # the stub trickles a byte every 0.1 s for 4 s
    assert response.headers["Retry-After"] == "1"


def test_a_runaway_query_is_abandoned_at_the_deadline_while_light_queries_are_answered(
    remote: Oxigraph,
) -> None:
    app = create_app(remote.settings(query_timeout=1))
    outcome: dict[str, Any] = {}

    def runaway() -> None:
        started = time.monotonic()
        response = app.test_client().get("/sparql", query_string={"query": RUNAWAY})
        outcome["status"] = response.status_code
        outcome["seconds"] = time.monotonic() - started
        outcome["error"] = response.get_json()["error"]

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.2)
    client = app.test_client()
    for _ in range(3):
        started = time.monotonic()
        assert ask(client, "ASK { ?s ?p ?o }")
        assert time.monotonic() - started < 1.0
    thread.join(timeout=20)
    assert outcome["status"] == 504
    assert 0.9 < outcome["seconds"] < 3
    assert "deadline of 1 s" in outcome["error"]["detail"]


# -- Writes ----------------------------------------------------------------------------------------


def test_writes_need_the_token(remote: Oxigraph) -> None:
    insert = "INSERT DATA { GRAPH <http://e.org/g> { <http://e.org/s> <http://e.org/p> 1 } }"
    read_only = create_app(remote.settings()).test_client()
    assert read_only.post("/sparql", data={"update": insert}).status_code == 403
    client = create_app(remote.settings(update_token=TOKEN)).test_client()
    assert client.post("/sparql", data={"update": insert}).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post("/sparql", data={"update": insert}, headers=wrong).status_code == 401
    body = b"<http://e.org/s> <http://e.org/p> <http://e.org/o> ."
    put = client.put("/store?graph=http://e.org/g", data=body, content_type="text/turtle")
    assert put.status_code == 401
    assert client.delete(f"/store?graph={ARTICLE}").status_code == 401
    assert "http://e.org/g" not in graphs_of(remote)
    assert ARTICLE in graphs_of(remote)


def test_an_update_reaches_the_remote(client: FlaskClient, remote: Oxigraph) -> None:
    insert = "INSERT DATA { GRAPH <http://e.org/g> { <http://e.org/s> <http://e.org/p> 1 } }"
    assert client.post("/sparql", data={"update": insert}, headers=AUTH).status_code == 204
    assert remote.select("SELECT ?o { GRAPH <http://e.org/g> { <http://e.org/s> ?p ?o } }") == [
        {
            "o": {
                "type": "literal",
                "value": "1",
                "datatype": "http://www.w3.org/2001/XMLSchema#integer",
            }
        }
    ]
    delete = "DELETE WHERE { GRAPH <http://e.org/g> { ?s ?p ?o } }"
    response = client.post(
        "/sparql", data=delete, content_type="application/sparql-update", headers=AUTH
    )
    assert response.status_code == 204
    assert not ask(client, "ASK { <http://e.org/s> ?p ?o }")


def test_a_write_to_the_default_graph_lands_in_the_updates_graph(
    client: FlaskClient, remote: Oxigraph
) -> None:
    insert = "INSERT DATA { <http://e.org/s> <http://e.org/p> 1 }"
    assert client.post("/sparql", data={"update": insert}, headers=AUTH).status_code == 204
    rows = remote.select(
        f"SELECT ?p {{ GRAPH <{BASE}graph/updates> {{ <http://e.org/s> ?p ?o }} }}"
    )
    assert rows == [{"p": {"type": "uri", "value": "http://e.org/p"}}]


def test_the_union_default_graph_is_kept_on_the_remote(
    client: FlaskClient, remote: Oxigraph
) -> None:
    s, p = "<http://e.org/s>", "<http://e.org/p>"
    twice = (
        f"INSERT DATA {{ GRAPH <http://e.org/g> {{ {s} {p} 1 }} "
        f"GRAPH <http://e.org/h> {{ {s} {p} 1 }} }}"
    )
    assert client.post("/sparql", data={"update": twice}, headers=AUTH).status_code == 204
    # The remote's own default graph holds the triple, once (a SELECT with no GRAPH reads it).
    assert len(remote.select(f"SELECT ?o {{ {s} {p} ?o }}")) == 1
    ours = client.get("/sparql", query_string={"query": f"SELECT ?o {{ {s} {p} ?o }}"})
    assert len(ours.get_json()["results"]["bindings"]) == 1
    drop = "DROP SILENT GRAPH <http://e.org/g> ; DROP SILENT GRAPH <http://e.org/h>"
    assert client.post("/sparql", data={"update": drop}, headers=AUTH).status_code == 204
    assert remote.select(f"SELECT ?o {{ {s} {p} ?o }}") == []


def test_a_remote_with_an_empty_default_graph_gets_the_union_with_the_first_write(
    oxigraph: Oxigraph,
) -> None:
    oxigraph.reset(b"<http://e.org/a> <http://e.org/p> _:b <http://e.org/g> .\n")
    assert oxigraph.select("SELECT * { ?s ?p ?o }") == []
    client = create_app(oxigraph.settings(update_token=TOKEN)).test_client()
    insert = "INSERT DATA { GRAPH <http://e.org/h> { <http://e.org/c> <http://e.org/p> 2 } }"
    assert client.post("/sparql", data={"update": insert}, headers=AUTH).status_code == 204
    rows = oxigraph.select("SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s")
    assert [r["s"]["value"] for r in rows] == ["http://e.org/a", "http://e.org/c"]
    # The blank node in the default graph is the named graph's, not a copy.
    linked = "ASK { ?s ?p ?b . GRAPH <http://e.org/g> { ?s ?p ?b } FILTER isBlank(?b) }"
    request = urllib.request.Request(
        f"{oxigraph.url}/query",
        data=linked.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["boolean"] is True


def test_a_malformed_update_is_400_and_nothing_is_sent(
    client: FlaskClient, remote: Oxigraph
) -> None:
    response = client.post("/sparql", data={"update": "INSERT DATA { <a> }"}, headers=AUTH)
    assert response.status_code == 400
    assert response.get_json()["error"]["title"] == "Malformed query"


def test_a_write_that_breaks_a_shape_is_rejected_with_the_report_and_nothing_is_sent(
    client: FlaskClient, remote: Oxigraph
) -> None:
    everything = "SELECT * { GRAPH ?g { ?s ?p ?o } }"
    before = remote.select(everything)
    update = f"DELETE WHERE {{ GRAPH ?g {{ {JUDGEMENT} <{BASE}def/grade> ?grade }} }}"
    response = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert "violation" in error["detail"].lower() and "kent-2017-overall" in error["detail"]
    after = remote.select(everything)
    assert sorted(map(str, after)) == sorted(map(str, before))


def test_a_good_write_recomputes_the_inferred_graph_on_the_remote(
    client: FlaskClient, remote: Oxigraph
) -> None:
    # The fixture ontology makes every okg:Judgement a prov:Entity (inferred).
    inferred = f"{BASE}graph/inferred"
    entity = "http://www.w3.org/ns/prov#Entity"
    new = f"<{BASE}id/judgement/new>"
    query = f"SELECT ?t {{ GRAPH <{inferred}> {{ {new} a ?t }} }}"
    assert remote.select(query) == []
    update = (
        f"INSERT DATA {{ GRAPH <{ARTICLE}> {{ {new} a <{BASE}def/Judgement> ; "
        f"<{BASE}def/grade> <{BASE}def/grade/good> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "new"@en ; '
        f"<http://www.w3.org/ns/prov#wasGeneratedBy> <{BASE}id/inspection/kent-2017> }} }}"
    )
    response = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert {"t": {"type": "uri", "value": entity}} in remote.select(query)


def test_graph_store_put_post_get_delete(client: FlaskClient, remote: Oxigraph) -> None:
    target = {"graph": "http://e.org/g"}
    one = b"<http://e.org/s> <http://e.org/p> <http://e.org/one> ."
    two = b"<http://e.org/s> <http://e.org/p> <http://e.org/two> ."
    made = client.put(
        "/store", query_string=target, data=one, content_type="text/turtle", headers=AUTH
    )
    assert made.status_code == 201
    again = client.put(
        "/store", query_string=target, data=one, content_type="text/turtle", headers=AUTH
    )
    assert again.status_code == 204
    added = client.post(
        "/store", query_string=target, data=two, content_type="application/n-triples", headers=AUTH
    )
    assert added.status_code == 204
    read = client.get("/store", query_string=target, headers={"Accept": "application/n-triples"})
    assert read.status_code == 200 and read.mimetype == "application/n-triples"
    assert b"http://e.org/one" in read.get_data() and b"http://e.org/two" in read.get_data()
    assert client.head("/store", query_string=target).status_code == 200
    assert client.delete("/store", query_string=target, headers=AUTH).status_code == 204
    assert "http://e.org/g" not in graphs_of(remote)
    gone = client.get("/store", query_string=target)
    assert gone.status_code == 404 and gone.get_json()["error"]["status"] == 404
    assert client.delete("/store", query_string=target, headers=AUTH).status_code == 404


def test_graph_store_post_makes_a_new_graph(client: FlaskClient, remote: Oxigraph) -> None:
    body = b"<http://e.org/s> <http://e.org/p> <http://e.org/o> ."
    made = client.post("/store", data=body, content_type="text/turtle", headers=AUTH)
    assert made.status_code == 201
    assert made.headers["Location"] in graphs_of(remote)


def test_graph_reads_without_a_graph_store_url(remote: Oxigraph) -> None:
    client = create_app(remote.settings(remote_store="")).test_client()
    read = client.get("/store", query_string={"graph": ARTICLE})
    assert read.status_code == 200 and JUDGEMENT[1:-1].encode() in read.get_data()
    assert client.get("/store", query_string={"graph": "http://e.org/none"}).status_code == 404
    default = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert default.status_code == 200 and JUDGEMENT[1:-1].encode() in default.get_data()


def test_blank_nodes_survive_a_write_to_their_graph(client: FlaskClient, remote: Oxigraph) -> None:
    # The article's judgement has a qualified attribution that is a blank node.
    comment = "http://www.w3.org/2000/01/rdf-schema#comment"
    update = f"DELETE WHERE {{ GRAPH <{ARTICLE}> {{ ?b <{comment}> ?c }} }}"
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204
    rows = remote.select(
        f"SELECT ?b {{ GRAPH <{ARTICLE}> {{ {JUDGEMENT} <{PROV}qualifiedAttribution> ?b }} }}"
    )
    assert len(rows) == 1 and rows[0]["b"]["type"] == "bnode"
    assert remote.select(f"SELECT * {{ GRAPH <{ARTICLE}> {{ ?b <{comment}> ?c }} }}") == []


def test_the_remote_applies_one_update_request_as_one_transaction(oxigraph: Oxigraph) -> None:
    """What the write path relies on: a change request is kept whole or not at all."""
    oxigraph.reset(b"")
    text = (
        b"INSERT DATA { GRAPH <http://e.org/g> { <http://e.org/s> <http://e.org/p> 1 } } ; "
        b"LOAD <http://127.0.0.1:9/nothing.ttl>"
    )
    with pytest.raises(urllib.error.HTTPError):
        oxigraph.post("/update", text, "application/sparql-update")
    assert oxigraph.select("SELECT * { GRAPH ?g { ?s ?p ?o } }") == []


# -- The change request ------------------------------------------------------------------------


def q(s: str, o: object, g: str | None = "http://e.org/g") -> ox.Quad:
    subject = ox.BlankNode(s[2:]) if s.startswith("_:") else ox.NamedNode(s)
    obj = o if isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal) else ox.Literal(str(o))
    graph = ox.NamedNode(g) if g else ox.DefaultGraph()
    return ox.Quad(subject, ox.NamedNode("http://e.org/p"), obj, graph)


def test_the_change_request_deletes_and_inserts_only_the_difference() -> None:
    g = {ox.NamedNode("http://e.org/g")}
    before = {q("http://e.org/a", 1), q("http://e.org/b", 2)}
    after = {q("http://e.org/a", 1), q("http://e.org/c", 3)}
    text = change_request(before, after, g, g)
    assert text == (
        'DELETE DATA {\nGRAPH <http://e.org/g> {\n  <http://e.org/b> <http://e.org/p> "2" .\n}\n}'
        " ;\nINSERT DATA {\nGRAPH <http://e.org/g> {\n"
        '  <http://e.org/c> <http://e.org/p> "3" .\n}\n}'
    )
    assert change_request(before, before, g, g) == ""


def test_the_change_request_replaces_a_graph_whose_blank_nodes_changed() -> None:
    g, h = ox.NamedNode("http://e.org/g"), ox.NamedNode("http://e.org/h")
    shared = ox.BlankNode("b1")
    before = {
        q("_:b1", 1),
        q("http://e.org/a", shared),
        q("http://e.org/x", shared, "http://e.org/h"),
        q("http://e.org/y", 5, "http://e.org/i"),
    }
    after = (before - {q("_:b1", 1)}) | {q("_:b1", 2)}
    text = change_request(before, after, {g, h}, {g, h})
    ox.Store().update(text)  # valid SPARQL
    assert "DROP SILENT GRAPH <http://e.org/g>" in text
    assert "DROP SILENT GRAPH <http://e.org/h>" in text  # shares the blank node
    assert "http://e.org/i" not in text and "DELETE DATA" not in text
    store = ox.Store()
    store.extend(before)
    store.update(text)
    assert len(store) == len(after)


def test_the_change_request_drops_and_creates_graphs() -> None:
    g, h = ox.NamedNode("http://e.org/g"), ox.NamedNode("http://e.org/h")
    text = change_request({q("http://e.org/a", 1)}, set(), {g}, {h})
    assert text == "DROP SILENT GRAPH <http://e.org/g> ;\nCREATE SILENT GRAPH <http://e.org/h>"


# -- Versions ----------------------------------------------------------------------------------


def test_without_exclusivity_every_answer_has_a_fresh_etag(client: FlaskClient) -> None:
    query = {"query": "ASK {}"}
    first = client.get("/sparql", query_string=query)
    again = client.get(
        "/sparql", query_string=query, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert "Last-Modified" not in first.headers
    since = client.get(
        "/sparql",
        query_string=query,
        headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"},
    )
    assert since.status_code == 200


def test_with_exclusivity_the_etag_changes_with_our_writes(remote: Oxigraph) -> None:
    client = create_app(remote.settings(update_token=TOKEN, remote_exclusive="true")).test_client()
    query = {"query": "ASK { <http://e.org/s> ?p ?o }"}
    first = client.get("/sparql", query_string=query)
    etag = first.headers["ETag"]
    assert (
        client.get("/sparql", query_string=query, headers={"If-None-Match": etag}).status_code
        == 304
    )
    insert = "INSERT DATA { GRAPH <http://e.org/g> { <http://e.org/s> <http://e.org/p> 1 } }"
    assert client.post("/sparql", data={"update": insert}, headers=AUTH).status_code == 204
    second = client.get("/sparql", query_string=query, headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.get_json()["boolean"] is True
    assert second.headers["ETag"] != etag


# -- Settings, the command line and a real server ------------------------------------------------


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="remote_query"):
        load_settings(env={}, overrides={"remote_query": "ftp://x/query"})
    with pytest.raises(ConfigError, match="not in the URL"):
        load_settings(env={}, overrides={"remote_query": "http://u:p@h/query"})
    with pytest.raises(ConfigError, match="remote_exclusive"):
        load_settings(env={}, overrides={"remote_exclusive": "perhaps"})
    settings = load_settings(
        env={"OFSTED_KG_REMOTE_QUERY": "http://h/q", "OFSTED_KG_REMOTE_EXCLUSIVE": "yes"}
    )
    assert settings.remote_query == "http://h/q" and settings.remote_exclusive is True
    with pytest.raises(ConfigError, match="remote_update"):
        RemoteBackend(
            load_settings(env={}, overrides={"remote_query": "http://h/q", "update_token": "t"})
        )


def test_basic_credentials_are_sent_and_the_clients_token_never_is(stub: str) -> None:
    settings = {"remote_query": f"{stub}/200/q", "update_token": TOKEN, "TESTING": True}
    for extra, expected in (
        ({}, None),
        ({"remote_user": "u", "remote_password": "p"}, "Basic dTpw"),
    ):
        client = create_app({**settings, "remote_update": f"{stub}/200/u", **extra}).test_client()
        client.get("/sparql", query_string={"query": "ASK {}"}, headers=AUTH)
        assert Stub.seen[-1].get("Authorization") == expected


def test_answers_in_another_format_are_converted() -> None:
    json_results = Reply(200, "application/sparql-results+json", b'{"head":{},"boolean":true}')
    xml = convert(json_results, ox.QueryResultsFormat.XML, ox.RdfFormat.TURTLE)
    assert xml.kind == "results" and b"<boolean>true</boolean>" in xml.data
    ntriples = Reply(200, "application/n-triples", b'<http://e.org/s> <http://e.org/p> "1" .\n')
    turtle = convert(ntriples, ox.QueryResultsFormat.JSON, ox.RdfFormat.TURTLE)
    assert turtle.kind == "graph" and b'<http://e.org/s> <http://e.org/p> "1" .' in turtle.data
    same = convert(json_results, ox.QueryResultsFormat.JSON, None)
    assert same.data == json_results.body
    with pytest.raises(BadGatewayError):
        convert(Reply(200, "application/n-triples", b"not n-triples"), None, ox.RdfFormat.TURTLE)


INSERT_W = b"INSERT DATA { GRAPH <http://e.org/w> { <http://e.org/s> <http://e.org/p> 1 } }"


def test_serve_with_remote_flags_through_waitress(remote: Oxigraph, tmp_path: Path) -> None:
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "ofsted-kg"),
        "serve",
        "--port",
        str(port),
        "--remote-query",
        f"{remote.url}/query",
        "--remote-update",
        f"{remote.url}/update",
        "--remote-store",
        f"{remote.url}/store",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFSTED_KG_")}
    env["OFSTED_KG_UPDATE_TOKEN"] = TOKEN
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        deadline = time.monotonic() + 30
        while True:
            try:
                request = urllib.request.Request(
                    url,
                    data=INSERT_W,
                    headers={"Content-Type": "application/sparql-update", **AUTH},
                )
                with urllib.request.urlopen(request, timeout=10) as response:
                    assert response.status == 204
                break
            except urllib.error.URLError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
        query = urllib.parse.urlencode(
            {"query": "SELECT ?g { GRAPH ?g { <http://e.org/s> ?p ?o } }"}
        )
        with urllib.request.urlopen(f"{url}?{query}", timeout=10) as response:
            assert response.headers["Content-Type"].startswith("application/sparql-results+json")
            rows = json.load(response)["results"]["bindings"]
        assert {"g": {"type": "uri", "value": "http://e.org/w"}} in rows
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr is not None:
            banner = server.stderr.read()
            server.stderr.close()
            assert f"{remote.url}/query" in banner


# -- The W3C protocol and graph-store-protocol suites, against the remote backend ---------------


@pytest.fixture
def remote_scratch(oxigraph: Oxigraph) -> FlaskClient:
    """A scratch instance over an emptied remote, for each test."""
    oxigraph.reset(b"")
    return create_app(oxigraph.settings(update_token=W3C_TOKEN)).test_client()


@pytest.fixture
def scratch(remote_scratch: FlaskClient) -> FlaskClient:
    """Overrides test_w3c_protocol's fixture for its Service Description tests collected below."""
    return remote_scratch


test_w3c_service_description_returns_rdf_through_the_remote_backend = sd_rdf
test_w3c_service_description_has_endpoint_triple_through_the_remote_backend = sd_endpoint
test_w3c_service_description_conforms_to_schema_through_the_remote_backend = sd_schema


@pytest.mark.parametrize("test", PROTOCOL + GSP, ids=[t.name for t in PROTOCOL + GSP])
def test_w3c_suites_through_the_remote_backend(
    test: ProtocolTest, remote_scratch: FlaskClient
) -> None:
    run_w3c(remote_scratch, test)


# -- Fuzz: the endpoint's protocol fuzz (tests/test_endpoint.py), run over the remote backend ------


@pytest.fixture(scope="module")
def fuzz_client(oxigraph: Oxigraph) -> FlaskClient:
    """Overrides test_endpoint's fixture of the same name for the fuzz collected below."""
    oxigraph.reset(b"")
    app = create_app(oxigraph.settings(update_token=FUZZ_TOKEN, query_timeout=5))
    return app.test_client()


test_fuzzed_requests_to_the_remote_never_answer_500 = fuzz
