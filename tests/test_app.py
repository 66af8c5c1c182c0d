"""The web app: /sparql queries, content negotiation, the one error shape, the query page."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from ofsted_kg.backends.local import LocalBackend
from ofsted_kg.web.app import create_app
from ofsted_kg.web.context import BACKEND_KEY
from werkzeug.test import TestResponse

TREES = Path(__file__).parent / "fixtures" / "trees"
BASE = "https://w3id.org/ofsted-kg/"
JUDGEMENT = f"<{BASE}id/judgement/kent-2017-overall>"
LABEL = "Kent, overall effectiveness, 2017"
SELECT = (
    f"SELECT ?label WHERE {{ {JUDGEMENT} <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
)
CONSTRUCT = f"CONSTRUCT WHERE {{ {JUDGEMENT} a ?type }}"


pytestmark = pytest.mark.usefixtures("clean_environment")


def error_of(response: TestResponse) -> dict[str, Any]:
    """The one JSON error shape, checked."""
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "title", "detail"}
    assert error["status"] == response.status_code
    assert isinstance(error["title"], str) and isinstance(error["detail"], str)
    return dict(error)


# -- SELECT and ASK --------------------------------------------------------------------------


def test_select_answers_json_by_default(client: FlaskClient) -> None:
    for headers in ({}, {"Accept": "*/*"}):
        response = client.get("/sparql", query_string={"query": SELECT}, headers=headers)
        assert response.status_code == 200
        assert response.mimetype == "application/sparql-results+json"
        bindings = response.get_json()["results"]["bindings"]
        assert bindings == [{"label": {"type": "literal", "value": LABEL, "xml:lang": "en"}}]
        assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
    ],
    ids=["sparql-xml", "xml", "csv", "tsv", "json"],
)
def test_select_formats_by_accept(accept: str, mimetype: str, client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    text = response.get_data(as_text=True)
    if mimetype == "text/csv":
        assert list(csv.reader(io.StringIO(text))) == [["label"], [LABEL]]
    elif mimetype == "text/tab-separated-values":
        assert text.splitlines() == ["?label", f'"{LABEL}"@en']
    elif mimetype.endswith("xml"):
        literal = ET.fromstring(text).find(".//{*}literal")
        assert literal is not None and literal.text == LABEL
    else:
        assert json.loads(text)["results"]["bindings"][0]["label"]["value"] == LABEL


def test_ask_answers_a_boolean(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert response.get_json() == {"head": {}, "boolean": True}


def test_post_form_and_post_sparql_query_answer_like_get(client: FlaskClient) -> None:
    by_get = client.get("/sparql", query_string={"query": SELECT}).get_json()
    by_form = client.post("/sparql", data={"query": SELECT})
    by_body = client.post("/sparql", data=SELECT.encode(), content_type="application/sparql-query")
    assert by_form.status_code == by_body.status_code == 200
    assert by_form.get_json() == by_body.get_json() == by_get


def test_the_default_graph_is_the_union_unless_the_request_names_one(client: FlaskClient) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"

    def total(**params: str) -> int:
        response = client.get("/sparql", query_string={"query": count, **params})
        return int(response.get_json()["results"]["bindings"][0]["n"]["value"])

    union = total()
    asserted = total(**{"default-graph-uri": BASE + "graph/seeds/article-one"})
    assert union > asserted == 2


# -- CONSTRUCT and DESCRIBE -----------------------------------------------------------------


GRAPH_FORMATS = [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/trig", ox.RdfFormat.TRIG),
    ("application/n-quads", ox.RdfFormat.N_QUADS),
]


@pytest.mark.parametrize(("accept", "rdf_format"), GRAPH_FORMATS, ids=[a for a, _ in GRAPH_FORMATS])
def test_construct_formats_by_accept(
    accept: str, rdf_format: ox.RdfFormat, client: FlaskClient
) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    types = {q.object.value for q in ox.parse(response.get_data(), rdf_format)}
    assert {BASE + "def/Judgement", "http://www.w3.org/ns/prov#Entity"} <= types


def test_construct_and_describe_answer_turtle_by_default(client: FlaskClient) -> None:
    for query in (CONSTRUCT, f"DESCRIBE {JUDGEMENT}"):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "*/*"})
        assert response.mimetype == "text/turtle"
        assert len(list(ox.parse(response.get_data(), ox.RdfFormat.TURTLE))) >= 2


def test_a_format_parameter_overrides_accept(client: FlaskClient) -> None:
    response = client.post(
        "/sparql", data={"query": SELECT, "format": "csv"}, headers={"Accept": "text/html"}
    )
    assert response.mimetype == "text/csv"


# -- Errors: the client's are 4xx with a reason; ours are 500 without internals --------------


def test_a_malformed_query_is_400_with_the_parser_message(client: FlaskClient) -> None:
    query = "SELECT * WHERE { ?s ?p }"
    with pytest.raises(SyntaxError) as parser:
        ox.Store().query(query)
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    error = error_of(response)
    assert error["title"] == "Malformed query"
    assert error["detail"] == parser.value.msg


def test_an_internal_failure_is_500_without_internals(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> object:
        raise OSError("IO error: /secret/path/000012.sst: checksum mismatch")

    monkeypatch.setattr(app.extensions[BACKEND_KEY], "run", broken)
    response = client.get("/sparql", query_string={"query": SELECT})
    assert response.status_code == 500
    error = error_of(response)
    assert "secret" not in response.get_data(as_text=True)
    assert "checksum" not in error["detail"] and "Traceback" not in error["detail"]


@pytest.mark.parametrize(
    ("request_args", "status"),
    [
        ({"method": "POST", "path": "/sparql", "data": {"format": "json"}}, 400),
        ({"method": "GET", "path": "/sparql?query=ASK{}&query=ASK{}"}, 400),
        ({"method": "GET", "path": "/sparql?update=CLEAR+ALL"}, 400),
        ({"method": "POST", "path": "/sparql", "data": {"update": "CLEAR ALL"}}, 403),
        (
            {
                "method": "POST",
                "path": "/sparql",
                "data": b"CLEAR ALL",
                "content_type": "application/sparql-update",
            },
            403,
        ),
        ({"method": "POST", "path": "/sparql", "data": b"x", "content_type": "text/plain"}, 415),
        ({"method": "GET", "path": "/sparql?query=ASK{}", "headers": {"Accept": "image/png"}}, 406),
        ({"method": "GET", "path": "/sparql?query=ASK{}&default-graph-uri=not%20an%20iri"}, 400),
        ({"method": "DELETE", "path": "/sparql"}, 405),
        ({"method": "GET", "path": "/no/such/page"}, 404),
    ],
    ids=[
        "no-query",
        "two-queries",
        "update-by-get",
        "update-without-token",
        "update-body-without-token",
        "unsupported-media-type",
        "not-acceptable",
        "bad-graph-iri",
        "method-not-allowed",
        "not-found",
    ],
)
def test_every_error_has_the_one_json_shape(
    request_args: dict[str, Any], status: int, client: FlaskClient
) -> None:
    response = client.open(**request_args)
    assert response.status_code == status
    error_of(response)


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/no/such/page", 404, "not found"),
        ("/sparql?query=SELEC", 400, "error at 1:6"),
        ("/examples/%3Cb%3Ebold.rq", 404, "&lt;b&gt;bold"),  # the detail is escaped
    ],
)
def test_a_browser_gets_errors_as_a_page(
    path: str, status: int, detail: str, client: FlaskClient
) -> None:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert "Accept" in response.vary
    page = response.get_data(as_text=True)
    assert '<header class="site">' in page
    assert f"<h1>{status} " in page
    assert detail in page.lower()
    assert "<b>" not in page


def test_a_browser_opening_the_endpoint_is_sent_to_the_query_page(client: FlaskClient) -> None:
    opened = client.get("/sparql", headers={"Accept": BROWSER})
    assert opened.status_code == 303
    assert opened.headers["Location"] == "/query"
    assert "Accept" in opened.vary
    for accept in (None, "*/*", "text/turtle", "application/rdf+xml, text/html;q=0.5"):
        headers = {"Accept": accept} if accept is not None else {}
        described = client.get("/sparql", headers=headers)
        assert described.status_code == 200, accept
        assert "sparql-service-description" in described.get_data(as_text=True), accept
    # an explicit format is a request for the description, whatever the browser accepts
    explicit = client.get("/sparql?format=turtle", headers={"Accept": BROWSER})
    assert explicit.status_code == 200 and explicit.mimetype == "text/turtle"


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "application/json", "application/sparql-results+json,*/*;q=0.9", "text/turtle"],
)
def test_clients_that_do_not_prefer_html_get_errors_as_json(
    accept: str | None, client: FlaskClient
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql?query=SELEC", headers=headers)
    assert response.status_code == 400
    assert error_of(response)["detail"].startswith("error at 1:6")
    assert "Accept" in response.vary


def test_updates_need_the_configured_token(store_dir: Path) -> None:
    app = create_app({"root": TREES / "valid", "store": store_dir, "update_token": "sesame"})
    client = app.test_client()
    insert = "INSERT DATA { GRAPH <http://e.org/g> { <http://e.org/s> a <http://e.org/C> } }"
    ask = "ASK { <http://e.org/s> a <http://e.org/C> }"

    refused = client.post("/sparql", data={"update": insert})
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.post("/sparql", data={"update": insert}, headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    error_of(wrong)
    assert client.get("/sparql", query_string={"query": ask}).get_json()["boolean"] is False

    done = client.post(
        "/sparql", data={"update": insert}, headers={"Authorization": "Bearer sesame"}
    )
    assert done.status_code == 204
    assert client.get("/sparql", query_string={"query": ask}).get_json()["boolean"] is True


# -- The store: opened once per app, read-only, empty when new ---------------------------------


def test_an_empty_or_new_store_is_served_empty(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for store in (tmp_path / "empty", tmp_path / "new"):
        client = create_app({"store": store}).test_client()
        response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        assert response.status_code == 200
        assert response.get_json()["boolean"] is False
    assert not (tmp_path / "new").exists()
    assert list((tmp_path / "empty").iterdir()) == []


def test_each_app_has_its_own_store(app: Flask, tmp_path: Path) -> None:
    other = create_app({"store": tmp_path / "elsewhere"})
    ask = {"query": "ASK { ?s ?p ?o }"}
    assert isinstance(app.extensions[BACKEND_KEY], LocalBackend)
    assert app.test_client().get("/sparql", query_string=ask).get_json()["boolean"] is True
    assert other.test_client().get("/sparql", query_string=ask).get_json()["boolean"] is False


def test_the_store_is_read_only_without_an_update_token(app: Flask) -> None:
    assert app.extensions[BACKEND_KEY].writable is False


def test_settings_in_the_mapping_beat_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OFSTED_KG_QUERY_TIMEOUT", "7")
    monkeypatch.setenv("OFSTED_KG_STORE", str(tmp_path / "from-env"))
    app = create_app({"STORE": tmp_path / "from-mapping", "TESTING": True})
    settings = app.extensions["ofsted_kg.settings"]
    assert settings.store == tmp_path / "from-mapping"
    assert settings.query_timeout == 7.0
    assert app.config["TESTING"] is True


# -- The query page ----------------------------------------------------------------------------


def test_the_query_page_is_a_form_that_posts_a_query_to_sparql(client: FlaskClient) -> None:
    response = client.get("/query")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<form method="post" action="sparql">' in page
    assert '<textarea id="query" name="query"' in page
    assert "SELECT ?graph (COUNT(*) AS ?triples)" in page


# -- Federation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", True),
        ("select * where { service silent <http://10.0.0.1/> { ?s ?p ?o } }", True),
        ("SELECT ?service WHERE { ?service ?p 'SERVICE' } # SERVICE <x>", False),
        ("SELECT * WHERE { ?s <http://e.org/SERVICE> ?o }", False),
    ],
    ids=["service", "service-silent-lower-case", "service-as-a-word", "service-in-an-iri"],
)
def test_federated_queries_are_refused(query: str, refused: bool, client: FlaskClient) -> None:
    """SERVICE would make the server fetch any URL a client names."""
    response = client.get("/sparql", query_string={"query": query})
    if refused:
        assert response.status_code == 403
        assert "SERVICE" in error_of(response)["detail"]
    else:
        assert response.status_code == 200
