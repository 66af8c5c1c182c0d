"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests, run through HTTP
against a scratch instance (a new store directory, with an update token).

The manifests (tests/w3c/, W3C test-suite licence in tests/w3c/LICENSE.md) encode each test as a
sequence of HTTP requests and the responses expected. The runner replaces the manifests' path
prefixes (/sparql/, /gsp) with ours (/sparql, /store), and sends the update token with every request
(the suites assume an open endpoint).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib
from flask.testing import FlaskClient
from ofsted_kg.web.app import create_app
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

W3C = Path(__file__).parent / "w3c"
TOKEN = "w3c-token"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
FORMATS = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": (
        "text/turtle",
        "application/rdf+xml",
        "application/n-triples",
        "application/ld+json",
        "application/trig",
        "application/n-quads",
    ),
}


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    statuses: list[str]
    boolean: bool | None = None
    fmt: str | None = None
    response_type: str | None = None
    response_body: str | None = None
    location_variable: str | None = None


@dataclass
class ProtocolTest:
    name: str
    requests: list[HttpRequest]
    graph_data: list[tuple[Path, str]] = field(default_factory=list)


def _list(graph: rdflib.Graph, head: Any) -> list[Any]:
    return list(rdflib.collection.Collection(graph, head))


def _headers(graph: rdflib.Graph, node: Any) -> dict[str, str]:
    head = graph.value(node, HT.headers)
    found: dict[str, str] = {}
    if head is not None:
        for header in _list(graph, head):
            found[str(graph.value(header, HT.fieldName)).lower()] = str(
                graph.value(header, HT.fieldValue)
            )
    return found


def _body(graph: rdflib.Graph, node: Any) -> str | None:
    body = graph.value(node, HT.body)
    return None if body is None else str(graph.value(body, CNT.chars))


def load_manifest(path: Path) -> list[ProtocolTest]:
    graph = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    tests: list[ProtocolTest] = []
    for manifest in graph.subjects(RDF.type, MF.Manifest):
        entries = graph.value(manifest, MF.entries)
        if entries is None:
            continue
        for entry in _list(graph, entries):
            action = graph.value(entry, MF.action)
            requests: list[HttpRequest] = []
            if action is not None:
                for node in _list(graph, graph.value(action, HT.requests)):
                    response = graph.value(node, HT.resp)
                    response_headers = _headers(graph, response)
                    statuses = [
                        str(s).rsplit("#", 1)[-1]
                        for s in graph.objects(response, MF.expectedStatus)
                    ]
                    boolean = graph.value(response, MF.expectedBoolean)
                    fmt = graph.value(response, MF.expectedFormat)
                    location = graph.value(response, MF.expectedLocation)
                    requests.append(
                        HttpRequest(
                            method=str(graph.value(node, HT.methodName)),
                            path=str(graph.value(node, HT.absolutePath)),
                            headers=_headers(graph, node),
                            body=_body(graph, node),
                            statuses=statuses,
                            boolean=None if boolean is None else bool(boolean.toPython()),
                            fmt=None if fmt is None else str(fmt),
                            response_type=response_headers.get("content-type"),
                            response_body=_body(graph, response),
                            location_variable=None if location is None else str(location),
                        )
                    )
            data = [
                (
                    Path(str(graph.value(d, UT.graph)).removeprefix("file://")),
                    str(graph.value(d, RDFS.label)),
                )
                for d in graph.objects(entry, UT.graphData)
            ]
            tests.append(ProtocolTest(str(entry).rsplit("#", 1)[-1], requests, data))
    return tests


PROTOCOL = load_manifest(W3C / "protocol" / "manifest.ttl")
GSP = load_manifest(W3C / "graph-store-protocol" / "manifest-indirect.ttl") + load_manifest(
    W3C / "graph-store-protocol" / "manifest-direct.ttl"
)


@pytest.fixture
def scratch(tmp_path: Path) -> FlaskClient:
    """A fresh scratch instance for each test (each test assumes a fresh graph store)."""
    app = create_app(
        {"store": tmp_path / "store", "update_token": TOKEN, "workers": 1, "TESTING": True}
    )
    return app.test_client()


def _path(path: str) -> str:
    if path.startswith("/sparql/"):
        return "/sparql" + path[len("/sparql/") :]
    if path.startswith("/gsp"):
        return "/store" + path[len("/gsp") :]
    return path


def _status_ok(status: int, expected: list[str]) -> bool:
    if not expected:
        return True
    for name in expected:
        if name.startswith("StatusCode") and status // 100 == int(name[len("StatusCode")]):
            return True
        if STATUS.get(name) == status:
            return True
    return False


def run(client: FlaskClient, test: ProtocolTest) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for data, name in test.graph_data:
        turtle = (W3C / "protocol" / data.name).read_bytes()
        response = client.put(
            "/store",
            query_string={"graph": name},
            data=turtle,
            content_type="application/n-triples",
            headers=auth,
        )
        assert response.status_code in (201, 204), response.get_data(as_text=True)
    variables: dict[str, str] = {}
    for step, req in enumerate(test.requests, 1):
        path, body = req.path, req.body
        for variable, value in variables.items():
            path = path.replace(variable, quote(value, safe=""))
            body = body.replace(variable, value) if body is not None else None
        if path.startswith("http://localhost"):
            path = path[len("http://localhost") :]
        headers = {**req.headers, **auth}
        content_type = headers.pop("content-type", None)
        response = client.open(
            _path(path),
            method=req.method,
            headers=headers,
            data=body.encode("utf-8") if body is not None else None,
            content_type=content_type,
        )
        where = f"request {step} ({req.method} {path[:80]})"
        assert _status_ok(response.status_code, req.statuses), (
            f"{where}: status {response.status_code}, expected {req.statuses}: "
            f"{response.get_data(as_text=True)[:300]}"
        )
        if req.fmt is not None:
            assert response.mimetype in FORMATS[req.fmt], f"{where}: {response.mimetype}"
        if req.boolean is not None:
            assert response.get_json()["boolean"] is req.boolean, where
        if req.response_type is not None:
            assert response.mimetype == req.response_type.split(";")[0].strip(), where
        if req.response_body is not None and req.response_type is not None:
            expected = rdflib.Graph().parse(data=req.response_body, format="turtle")
            got = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
            assert isomorphic(expected, got), f"{where}: graphs differ"
        if req.location_variable is not None:
            variables[req.location_variable] = response.headers["Location"]


@pytest.mark.parametrize("test", PROTOCOL, ids=[t.name for t in PROTOCOL])
def test_w3c_protocol(test: ProtocolTest, scratch: FlaskClient) -> None:
    run(scratch, test)


@pytest.mark.parametrize("test", GSP, ids=[t.name for t in GSP])
def test_w3c_graph_store_protocol(test: ProtocolTest, scratch: FlaskClient) -> None:
    run(scratch, test)


# -- Service Description (the three tests of the suite, as the manifest names them) ------------


def _description(client: FlaskClient) -> rdflib.Graph:
    response = client.get("/sparql")
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")


SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


def test_w3c_service_description_returns_rdf(scratch: FlaskClient) -> None:
    response = scratch.get("/sparql", headers={"Accept": "application/rdf+xml"})
    assert response.mimetype == "application/rdf+xml"
    assert len(rdflib.Graph().parse(data=response.get_data(), format="xml")) > 0


def test_w3c_service_description_has_endpoint_triple(scratch: FlaskClient) -> None:
    graph = _description(scratch)
    assert (None, SD.endpoint, rdflib.URIRef("http://localhost/sparql")) in graph


def test_w3c_service_description_conforms_to_schema(scratch: FlaskClient) -> None:
    graph = _description(scratch)
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert service is not None
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    dataset = graph.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in graph
    assert ox.NamedNode(str(SD.Service))  # the vocabulary IRI is well-formed
