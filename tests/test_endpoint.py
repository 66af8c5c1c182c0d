"""The endpoint's guardrails and protocol extras: the deadline, writes checked against the shapes,
CORS, ETag, gzip, limits, SERVICE allow-list, and a protocol fuzz (never a 500)."""

from __future__ import annotations

import gzip
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ofsted_kg.web.app import create_app

TREES = Path(__file__).parent / "fixtures" / "trees"
BASE = "https://w3id.org/ofsted-kg/"
TOKEN = "sesame"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


pytestmark = pytest.mark.usefixtures("clean_environment")


@pytest.fixture
def app_config(store_dir: Path) -> dict[str, Any]:
    return {"root": TREES / "valid", "store": store_dir, "update_token": TOKEN}


def ask(client: FlaskClient, query: str) -> bool:
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.get_data(as_text=True)
    return bool(response.get_json()["boolean"])


# -- The deadline ---------------------------------------------------------------------------------


def test_a_runaway_query_is_stopped_at_the_deadline_while_light_queries_are_answered(
    store_dir: Path,
) -> None:
    app = create_app({"store": store_dir, "query_timeout": 2, "workers": 2, "TESTING": True})
    client = app.test_client()
    assert ask(client, "ASK { ?s ?p ?o }")  # workers started
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        response = app.test_client().get("/sparql", query_string={"query": RUNAWAY})
        outcome["status"] = response.status_code
        outcome["seconds"] = time.monotonic() - started
        outcome["body"] = response.get_json()

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    for _ in range(5):
        started = time.monotonic()
        assert ask(client, "ASK { ?s ?p ?o }")
        assert time.monotonic() - started < 1.0
    thread.join(timeout=20)
    assert outcome["status"] == 503
    assert 1.9 < float(str(outcome["seconds"])) < 6
    assert "deadline" in str(outcome["body"])
    assert ask(client, "ASK { ?s ?p ?o }")  # a fresh worker took the killed one's place


# -- Writes ---------------------------------------------------------------------------------------


def test_a_write_that_breaks_a_shape_is_rejected_with_the_report_and_nothing_is_kept(
    client: FlaskClient,
) -> None:
    judgement = f"<{BASE}id/judgement/kent-2017-overall>"
    before = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"}).get_json()
    update = f"DELETE WHERE {{ GRAPH ?g {{ {judgement} <{BASE}def/grade> ?grade }} }}"
    response = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert "violation" in error["detail"].lower() and "kent-2017-overall" in error["detail"]
    after = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"}).get_json()
    assert sorted(map(str, after["results"]["bindings"])) == sorted(
        map(str, before["results"]["bindings"])
    )


def test_a_good_write_is_seen_by_the_next_query_and_changes_the_etag(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": "ASK { <http://e.org/s> ?p ?o }"})
    assert first.get_json()["boolean"] is False
    insert = "INSERT DATA { GRAPH <http://e.org/g> { <http://e.org/s> <http://e.org/p> 1 } }"
    assert client.post("/sparql", data={"update": insert}, headers=AUTH).status_code == 204
    second = client.get("/sparql", query_string={"query": "ASK { <http://e.org/s> ?p ?o }"})
    assert second.get_json()["boolean"] is True
    assert first.headers["ETag"] != second.headers["ETag"]


def test_a_write_to_the_default_graph_lands_in_the_updates_graph(client: FlaskClient) -> None:
    insert = "INSERT DATA { <http://e.org/s> <http://e.org/p> 1 }"
    assert client.post("/sparql", data={"update": insert}, headers=AUTH).status_code == 204
    assert ask(client, f"ASK {{ GRAPH <{BASE}graph/updates> {{ <http://e.org/s> ?p ?o }} }}")


def test_dropping_a_graph_that_exists_works_and_one_that_does_not_is_a_400(
    client: FlaskClient,
) -> None:
    insert = "INSERT DATA { GRAPH <http://e.org/g> { <http://e.org/s> <http://e.org/p> 1 } }"
    assert client.post("/sparql", data={"update": insert}, headers=AUTH).status_code == 204
    drop = "DROP GRAPH <http://e.org/g>"
    assert client.post("/sparql", data={"update": drop}, headers=AUTH).status_code == 204
    assert not ask(client, "ASK { GRAPH <http://e.org/g> { ?s ?p ?o } }")
    again = client.post("/sparql", data={"update": drop}, headers=AUTH)
    assert again.status_code == 400, again.get_data(as_text=True)
    assert "does not exist" in again.get_json()["error"]["detail"]
    silent = "DROP SILENT GRAPH <http://e.org/g>"
    assert client.post("/sparql", data={"update": silent}, headers=AUTH).status_code == 204


def test_a_later_operation_of_an_update_reads_what_an_earlier_one_wrote(
    client: FlaskClient,
) -> None:
    """The default graph is the union of the named graphs between the operations of one update,
    not only once the update is over."""
    update = (
        'INSERT DATA { GRAPH <http://e.org/g> { <http://e.org/s> <http://e.org/p> "one" } } ;\n'
        "INSERT { GRAPH <http://e.org/h> { <http://e.org/s> <http://e.org/q> ?o } }\n"
        "WHERE { <http://e.org/s> <http://e.org/p> ?o }"
    )
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204
    assert ask(client, 'ASK { GRAPH <http://e.org/h> { <http://e.org/s> <http://e.org/q> "one" } }')
    assert ask(client, 'ASK { <http://e.org/s> <http://e.org/q> "one" }')  # and in the union


def test_an_empty_named_graph_outlives_the_next_write(client: FlaskClient) -> None:
    create = "CREATE GRAPH <http://e.org/empty>"
    assert client.post("/sparql", data={"update": create}, headers=AUTH).status_code == 204
    insert = "INSERT DATA { GRAPH <http://e.org/g> { <http://e.org/s> <http://e.org/p> 1 } }"
    assert client.post("/sparql", data={"update": insert}, headers=AUTH).status_code == 204
    response = client.get("/store", query_string={"graph": "http://e.org/empty"})
    assert response.status_code == 200, response.get_data(as_text=True)
    again = client.post("/sparql", data={"update": create}, headers=AUTH)
    assert again.status_code == 400  # it exists: CREATE without SILENT fails


def test_load_is_refused(client: FlaskClient) -> None:
    update = "LOAD <http://127.0.0.1:1/data.ttl>"
    response = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 403


def test_graph_store_writes_need_the_token(client: FlaskClient) -> None:
    body = b"<http://e.org/s> <http://e.org/p> <http://e.org/o> ."
    args = {"query_string": {"graph": "http://e.org/g"}, "data": body}
    assert client.put("/store", content_type="text/turtle", **args).status_code == 401
    made = client.put("/store", content_type="text/turtle", headers=AUTH, **args)
    assert made.status_code == 201
    read = client.get("/store", query_string={"graph": "http://e.org/g"})
    assert read.status_code == 200 and b"http://e.org/o" in read.get_data()


# -- HTTP extras ----------------------------------------------------------------------------------


def test_cors_for_queries(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://x.example"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={"Origin": "https://x.example"})
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_etag_and_last_modified_let_clients_revalidate(client: FlaskClient) -> None:
    query = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}
    first = client.get("/sparql", query_string=query)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get(
        "/sparql", query_string=query, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.get_data() == b""
    since = client.get(
        "/sparql", query_string=query, headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304


def test_large_answers_are_gzipped(client: FlaskClient) -> None:
    query = {"query": "SELECT * WHERE { ?s ?p ?o }"}
    response = client.get("/sparql", query_string=query, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b'"bindings"' in gzip.decompress(response.get_data())


def test_the_request_body_is_limited(store_dir: Path) -> None:
    client = create_app({"store": store_dir, "max_body_bytes": 100}).test_client()
    response = client.post(
        "/sparql", data=b"ASK {}" + b" " * 200, content_type="application/sparql-query"
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["status"] == 413


def test_the_result_size_is_limited(store_dir: Path) -> None:
    client = create_app({"store": store_dir, "max_result_bytes": 200}).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 422
    assert "LIMIT" in response.get_json()["error"]["detail"]


def test_from_never_fetches(client: FlaskClient) -> None:
    query = "SELECT * FROM <http://127.0.0.1:1/remote.ttl> WHERE { ?s ?p ?o }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200
    assert response.get_json()["results"]["bindings"] == []


def test_service_only_to_the_allow_list(store_dir: Path) -> None:
    allowed = "http://127.0.0.1:1/sparql"
    client = create_app({"store": store_dir, "service_allow": allowed}).test_client()
    other = "SELECT * WHERE { SERVICE <http://127.0.0.1:2/sparql> { ?s ?p ?o } }"
    assert client.get("/sparql", query_string={"query": other}).status_code == 403
    listed = f"SELECT * WHERE {{ SERVICE SILENT <{allowed}> {{ ?s ?p ?o }} }}"
    assert client.get("/sparql", query_string={"query": listed}).status_code == 200


def test_construct_with_no_accept_is_turtle(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s a ?t }"})
    assert response.mimetype == "text/turtle"


def test_format_parameter_takes_media_types(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": "ASK {}", "format": "application/sparql-results+xml"}
    )
    assert response.mimetype == "application/sparql-results+xml"


@pytest.mark.parametrize(
    ("query", "formats", "expected"),
    [
        ("CONSTRUCT WHERE { ?s a ?t }", ["xml"], "application/rdf+xml"),  # its default
        ("CONSTRUCT WHERE { ?s a ?t }", ["rdf"], "application/rdf+xml"),
        ("CONSTRUCT WHERE { ?s a ?t }", ["n3"], "text/turtle"),
        ("ASK {}", ["xml"], "application/sparql-results+xml"),
        ("ASK {}", ["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
        ("CONSTRUCT WHERE { ?s a ?t }", ["rdf+xml", "application/rdf+xml"], "application/rdf+xml"),
        (
            "CONSTRUCT WHERE { ?s a ?t }",
            ["json-ld", "application/ld+json,application/x-json+ld"],
            "application/ld+json",
        ),
    ],
)
def test_format_parameter_takes_sparqlwrappers_names_given_more_than_once(
    client: FlaskClient, query: str, formats: list[str], expected: str
) -> None:
    """What SPARQLWrapper sends (tests/test_clients.py drives the real one)."""
    params = [("query", query), *(("format", f) for f in formats), ("output", formats[0])]
    response = client.get("/sparql", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == expected


# -- Fuzz: malformed input of any kind is a 4xx, never a 500 -----------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
HEADER = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    store = tmp_path_factory.mktemp("fuzz") / "store"
    app = create_app({"store": store, "update_token": TOKEN, "workers": 1, "query_timeout": 5})
    return app.test_client()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]),
    path=st.sampled_from(["/sparql", "/store", "/store/x"]),
    params=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "query",
                    "update",
                    "default-graph-uri",
                    "named-graph-uri",
                    "using-graph-uri",
                    "graph",
                    "default",
                    "format",
                ]
            ),
            TEXT,
        ),
        max_size=4,
    ),
    content_type=st.sampled_from(
        [
            "application/sparql-query",
            "application/sparql-update",
            "text/turtle",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "text/plain; charset=latin1",
            "application/sparql-query; charset=utf-16",
            "",
            "x/y",
        ]
    ),
    body=st.binary(max_size=80),
    accept=HEADER,
    authorization=st.sampled_from(["", f"Bearer {TOKEN}", "Bearer nope", "Basic x"]),
)
def test_fuzzed_requests_never_answer_500(
    fuzz_client: FlaskClient,
    method: str,
    path: str,
    params: list[tuple[str, str]],
    content_type: str,
    body: bytes,
    accept: str,
    authorization: str,
) -> None:
    headers = {"Accept": accept}
    if authorization:
        headers["Authorization"] = authorization
    response = fuzz_client.open(
        path,
        method=method,
        query_string=params,
        data=body,
        content_type=content_type or None,
        headers=headers,
    )
    assert response.status_code < 500, response.get_data(as_text=True)


def test_a_scratch_store_checks_its_writes_once_it_holds_shapes(tmp_path: Path) -> None:
    """A new store has no shapes and takes any data; shapes PUT into it (under the shapes prefix)
    check every write from then on, the PUT itself included."""
    app = create_app(
        {"store": tmp_path / "new", "update_token": "T", "workers": 1, "TESTING": True}
    )
    client = app.test_client()
    token = {"Authorization": "Bearer T"}
    insert = (
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> "
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/%s> a dcat:Dataset } }"
    )
    assert client.post("/sparql", data={"update": insert % "a"}, headers=token).status_code == 204
    shapes = (Path(__file__).parent.parent / "shapes" / "datasets.ttl").read_bytes()
    target = "/store?graph=https://w3id.org/ofsted-kg/graph/shapes/datasets"
    headers = {**token, "Content-Type": "text/turtle"}
    refused = client.put(target, data=shapes, headers=headers)
    assert refused.status_code == 422  # <http://example.org/a> has no licence
    assert "http://example.org/a" in refused.get_json()["error"]["detail"]
    drop = client.post(
        "/sparql", data={"update": "DROP GRAPH <http://example.org/g>"}, headers=token
    )
    assert drop.status_code == 204
    assert client.put(target, data=shapes, headers=headers).status_code == 201
    checked = client.post("/sparql", data={"update": insert % "b"}, headers=token)
    assert checked.status_code == 422
    assert "dct:license" in checked.get_json()["error"]["detail"]
    assert not ask(client, "ASK { <http://example.org/b> ?p ?o }")
