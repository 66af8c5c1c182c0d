"""Real SPARQL clients against a real server: ``ofsted-kg serve`` (waitress, worker processes) on a
new scratch store and a free local port, driven through HTTP by SPARQLWrapper, rdflib's
SPARQLStore and SPARQLUpdateStore, Apache Jena's command-line tools and its SERVICE, and
Oxigraph's SERVICE (pyoxigraph in this process, and a real ``oxigraph serve``).

The server holds one small graph put in with the Graph Store protocol (``DATA``); every answer
is compared with what rdflib's own SPARQL engine answers on the same Turtle. Each test that writes
uses a graph of its own and writes only about ``ex:visitor``, whom no query reads, so the tests
do not depend on their order. (YASGUI is driven in a real browser by ``tests/browser/``.)

Jena is Debian's ``libapache-jena-java`` (``make install-test`` installs it when missing and the
user is root). Without it these tests fail with a message saying so, unless
``OFSTED_KG_SKIP_JENA=1`` opts out explicitly. Jena's ``rupdate`` cannot send an Authorization
header, so Jena's writes are tested only as refused; its queries, remote and federated, in full.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from xml.dom.minidom import Document

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from rdflib.query import Result
from serving import Server, serving
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized
from test_remote import Oxigraph

pytestmark = pytest.mark.slow

TOKEN = "T"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "http://example.org/"
BASE_GRAPH = f"{EX}graph/councils"
DATA = """\
@prefix ex: <http://example.org/> .

ex:barnet a ex:Council ; ex:name "Barnet" ; ex:grade 2 .
ex:brighton a ex:Council ; ex:name "Brighton & Hove" ; ex:grade 1 .
ex:kent a ex:Council ; ex:name "Kent" ; ex:grade 2 .
ex:ynys-mon a ex:Council ; ex:name "Ynys Môn"@cy ; ex:grade 3 .
"""
PREFIX = f"PREFIX ex: <{EX}>\n"
SELECT = (
    PREFIX
    + "SELECT ?council ?name WHERE { ?council a ex:Council ; ex:name ?name } ORDER BY ?council"
)
ASK_TRUE = PREFIX + 'ASK { ?council ex:name "Kent" }'
ASK_FALSE = PREFIX + 'ASK { ?council ex:name "Atlantis" }'
CONSTRUCT = PREFIX + "CONSTRUCT { ?council ex:name ?name } WHERE { ?council ex:name ?name }"
DESCRIBE = PREFIX + "DESCRIBE ex:kent"
MALFORMED = "SELECT WHERE {"


def reference() -> rdflib.Graph:
    """The data as rdflib reads it: what every answer is compared with."""
    return rdflib.Graph().parse(data=DATA, format="turtle")


def expected_rows() -> list[tuple[rdflib.term.Node, ...]]:
    rows = [tuple(row) for row in reference().query(SELECT)]  # type: ignore[arg-type]
    assert len(rows) == 4
    return rows


def expected_graph(query: str) -> rdflib.Graph:
    result = reference().query(query).graph
    assert result is not None and len(result) in (3, 4)  # DESCRIBE ex:kent, CONSTRUCT
    return result


# -- The server ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``ofsted-kg serve`` on a new store, with ``DATA`` put into ``BASE_GRAPH``."""
    store = tmp_path_factory.mktemp("clients") / "store"
    with serving(store, "--update-token", TOKEN) as server:
        graph = urllib.parse.quote(BASE_GRAPH, safe="")
        status, body = server.request(
            f"/store?graph={graph}",
            DATA.encode(),
            "PUT",
            **{"Content-Type": "text/turtle", **AUTH},
        )
        assert status == 201, body
        yield server


def notes_in(server: Server, graph: str) -> set[str]:
    """The ex:note values in a named graph, asked directly (not through the client tested)."""
    query = f"SELECT ?note WHERE {{ GRAPH <{graph}> {{ ?s <{EX}note> ?note }} }}"
    return {row["note"]["value"] for row in server.select(query)}


# -- SPARQLWrapper ---------------------------------------------------------------------------------

# How SPARQLWrapper sends a query: GET, a POSTed form, the query as the POST body, or GET with
# content negotiation only (setOnlyConneg: no format/output/results parameters, Accept alone).
MODES = {
    "get": (GET, URLENCODED, False),
    "post-form": (POST, URLENCODED, False),
    "post-direct": (POST, POSTDIRECTLY, False),
    "conneg": (GET, URLENCODED, True),
}


def wrapper(server: Server, query: str, fmt: str | None, mode: str = "get") -> SPARQLWrapper:
    client = SPARQLWrapper(server.endpoint)
    method, request_method, only_conneg = MODES[mode]
    client.setMethod(method)
    client.setRequestMethod(request_method)
    client.setOnlyConneg(only_conneg)
    client.setQuery(query)
    if fmt is not None:
        client.setReturnFormat(fmt)
    return client


def parsed_rows(converted: object, fmt: str) -> list[tuple[rdflib.term.Node, ...]]:
    """The rows of what SPARQLWrapper's convert() gave, read back with rdflib's result parsers."""
    if isinstance(converted, dict):
        data = json.dumps(converted).encode()
    elif isinstance(converted, Document):
        data = converted.toxml("utf-8")
    else:
        assert isinstance(converted, bytes)
        data = converted
    result = Result.parse(BytesIO(data), format=fmt)
    return [tuple(row) for row in result]  # type: ignore[arg-type]


RESULT_TYPES = {
    JSON: "application/sparql-results+json",
    XML: "application/sparql-results+xml",
    CSV: "text/csv",
    TSV: "text/tab-separated-values",
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fmt", RESULT_TYPES)
def test_sparqlwrapper_select(server: Server, fmt: str, mode: str) -> None:
    result = wrapper(server, SELECT, fmt, mode).query()
    assert result.info()["content-type"].startswith(RESULT_TYPES[fmt])
    rows = parsed_rows(result.convert(), fmt)
    if fmt == CSV:  # CSV keeps only the lexical forms
        assert [tuple(map(str, row)) for row in rows] == [
            tuple(map(str, row)) for row in expected_rows()
        ]
    else:
        assert rows == expected_rows()  # language tags and all
    assert ("Ynys Môn" in str(rows)) and ("Brighton & Hove" in str(rows))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(server: Server, fmt: str, mode: str) -> None:
    answers = []
    for query in (ASK_TRUE, ASK_FALSE):
        converted = wrapper(server, query, fmt, mode).query().convert()
        if isinstance(converted, Document):
            answers.append(converted.getElementsByTagName("boolean")[0].firstChild.data)  # type: ignore[union-attr]
        else:
            assert isinstance(converted, dict)
            answers.append(converted["boolean"])
    assert answers == (["true", "false"] if fmt == XML else [True, False])


# SPARQLWrapper's formats for a graph; None is its default (XML, which for a graph is RDF/XML).
GRAPH_TYPES = {
    None: "application/rdf+xml",
    XML: "application/rdf+xml",
    RDFXML: "application/rdf+xml",
    TURTLE: "text/turtle",
    N3: "text/turtle",
    JSONLD: "application/ld+json",
}


def check_graph(client: SPARQLWrapper, fmt: str | None, query: str) -> None:
    result = client.query()
    assert result.info()["content-type"].startswith(GRAPH_TYPES[fmt])
    converted = result.convert()  # warns (an error here) if the type is not the one asked for
    if isinstance(converted, bytes):  # Turtle and N3 are returned as they came
        converted = rdflib.Graph().parse(data=converted, format="turtle")
    assert isinstance(converted, rdflib.Graph)
    assert isomorphic(converted, expected_graph(query))


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fmt", GRAPH_TYPES, ids=lambda f: f or "default")
def test_sparqlwrapper_construct(server: Server, fmt: str | None, mode: str) -> None:
    check_graph(wrapper(server, CONSTRUCT, fmt, mode), fmt, CONSTRUCT)


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", GRAPH_TYPES, ids=lambda f: f or "default")
def test_sparqlwrapper_describe(server: Server, fmt: str | None) -> None:
    check_graph(wrapper(server, DESCRIBE, fmt), fmt, DESCRIBE)


def updater(server: Server, update: str, request_method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.endpoint, updateEndpoint=server.endpoint)
    client.setMethod(POST)
    client.setRequestMethod(request_method)
    client.setQuery(update)
    return client


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_update_with_the_token_is_then_queried(
    server: Server, request_method: str
) -> None:
    graph = f"{EX}graph/sparqlwrapper-{request_method}"
    insert = f'INSERT DATA {{ GRAPH <{graph}> {{ ex:visitor ex:note "seen by SPARQLWrapper" }} }}'
    client = updater(server, PREFIX + insert, request_method)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    assert client.query().response.status == 204
    select = wrapper(
        server, PREFIX + f"SELECT ?note {{ GRAPH <{graph}> {{ ?s ex:note ?note }} }}", JSON
    )
    rows = select.query().convert()
    assert isinstance(rows, dict)
    assert [row["note"]["value"] for row in rows["results"]["bindings"]] == [
        "seen by SPARQLWrapper"
    ]


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}"])
def test_sparqlwrapper_update_without_the_token_is_unauthorized(
    server: Server, authorization: str | None
) -> None:
    graph = f"{EX}graph/sparqlwrapper-refused"
    client = updater(
        server, f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}visitor> <{EX}note> "no" }} }}', URLENCODED
    )
    if authorization is not None:
        client.addCustomHttpHeader("Authorization", authorization)
    with pytest.raises(Unauthorized, match="writes need the header"):
        client.query()
    assert notes_in(server, graph) == set()


@pytest.mark.parametrize("mode", MODES)
def test_sparqlwrapper_malformed_query_is_bad_formed_with_the_parsers_message(
    server: Server, mode: str
) -> None:
    with pytest.raises(SyntaxError) as parser:
        ox.Store().query(MALFORMED)
    with pytest.raises(QueryBadFormed) as refused:
        wrapper(server, MALFORMED, JSON, mode).query()
    assert "Malformed query" in str(refused.value)
    assert str(parser.value) in str(refused.value)  # e.g. "error at 1:8: expected ..."


# -- rdflib's SPARQLStore and SPARQLUpdateStore --------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparql_store_answers_select_ask_construct_describe(
    server: Server, method: str
) -> None:
    graph = rdflib.Graph(store=SPARQLStore(server.endpoint, method=method))
    assert [tuple(row) for row in graph.query(SELECT)] == expected_rows()  # type: ignore[arg-type]
    assert graph.query(ASK_TRUE).askAnswer is True
    assert graph.query(ASK_FALSE).askAnswer is False
    for query in (CONSTRUCT, DESCRIBE):
        answer = graph.query(query).graph
        assert answer is not None and isomorphic(answer, expected_graph(query))


def test_rdflib_graph_over_a_sparql_store_iterates_counts_and_lists_graphs(server: Server) -> None:
    """A Graph named after one of our graphs reads just that graph (rdflib sends its name as
    ``default-graph-uri``). (An rdflib Dataset over a read-only SPARQLStore cannot be listed: it
    tries to add its own default graph to the store; the store's ``contexts()`` lists them.)"""
    store = SPARQLStore(server.endpoint)
    graph = rdflib.Graph(store=store, identifier=rdflib.URIRef(BASE_GRAPH))
    assert set(graph.triples((None, None, None))) == set(reference())
    assert len(graph) == len(reference()) == 12
    kent = rdflib.URIRef(f"{EX}kent")
    assert (kent, rdflib.URIRef(f"{EX}name"), rdflib.Literal("Kent")) in graph
    assert graph.value(kent, rdflib.URIRef(f"{EX}grade")) == rdflib.Literal(2)
    assert rdflib.URIRef(BASE_GRAPH) in set(store.contexts())


def test_rdflib_sparql_update_store_adds_and_removes_in_a_named_graph(server: Server) -> None:
    name = rdflib.URIRef(f"{EX}graph/rdflib")
    store = SPARQLUpdateStore(server.endpoint, server.endpoint, headers=dict(AUTH))
    graph = rdflib.Graph(store=store, identifier=name)
    visitor, note = rdflib.URIRef(f"{EX}visitor"), rdflib.URIRef(f"{EX}note")
    welsh = (visitor, note, rdflib.Literal("Croeso", lang="cy"))
    dated = (visitor, note, rdflib.Literal("2017-05-05", datatype=rdflib.XSD.date))
    graph.add(welsh)  # INSERT DATA { GRAPH <name> { ... } }
    graph.add(dated)
    reader = rdflib.Graph(store=SPARQLStore(server.endpoint), identifier=name)
    assert set(reader.triples((None, None, None))) == {welsh, dated}
    assert notes_in(server, str(name)) == {"Croeso", "2017-05-05"}
    graph.remove(welsh)  # DELETE { GRAPH <name> { ... } } WHERE { ... }
    assert set(reader.triples((None, None, None))) == {dated}
    graph.update(f"DELETE DATA {{ {' '.join(term.n3() for term in dated)} }}")  # made GRAPH-scoped
    assert len(reader) == 0


def test_rdflib_update_without_the_token_is_refused(server: Server) -> None:
    name = rdflib.URIRef(f"{EX}graph/rdflib-refused")
    graph = rdflib.Graph(store=SPARQLUpdateStore(server.endpoint, server.endpoint), identifier=name)
    with pytest.raises(urllib.error.HTTPError) as refused:
        graph.add((rdflib.URIRef(f"{EX}visitor"), rdflib.URIRef(f"{EX}note"), rdflib.Literal("no")))
    assert refused.value.code == 401
    refused.value.close()
    assert notes_in(server, str(name)) == set()


# -- Oxigraph's SERVICE ---------------------------------------------------------------------------

# Data held by the other side of a federated query: regions of two of our councils, and of one
# council we do not have (so the join has something to leave out on each side).
REGIONS = """\
@prefix ex: <http://example.org/> .
ex:kent ex:region "South East" .
ex:barnet ex:region "London" .
ex:camden ex:region "London" .
"""


def federated(endpoint: str) -> str:
    return (
        PREFIX + "SELECT ?council ?name ?region WHERE { ?council ex:region ?region . "
        f"SERVICE <{endpoint}> {{ ?council ex:name ?name }} }} ORDER BY ?council"
    )


JOINED = [
    (f"{EX}barnet", "Barnet", "London"),
    (f"{EX}kent", "Kent", "South East"),
]


def test_pyoxigraph_service_reaches_our_endpoint(server: Server) -> None:
    store = ox.Store()
    store.load(REGIONS.encode(), ox.RdfFormat.TURTLE)
    solutions = store.query(federated(server.endpoint))
    assert isinstance(solutions, ox.QuerySolutions)
    rows = [(s["council"].value, s["name"].value, s["region"].value) for s in solutions]
    assert rows == JOINED
    count = store.query(
        PREFIX + f"SELECT (COUNT(*) AS ?n) {{ SERVICE <{server.endpoint}> {{ ?c a ex:Council }} }}"
    )
    assert isinstance(count, ox.QuerySolutions)
    assert [s["n"].value for s in count] == ["4"]


def test_oxigraph_server_joins_its_data_with_ours(server: Server, tmp_path: Path) -> None:
    oxigraph = Oxigraph(tmp_path / "oxigraph")
    try:
        assert oxigraph.post("/store?default", REGIONS.encode(), "text/turtle") in (201, 204)
        rows = oxigraph.select(federated(server.endpoint))
        assert [
            (r["council"]["value"], r["name"]["value"], r["region"]["value"]) for r in rows
        ] == JOINED
        welsh = oxigraph.select(
            PREFIX
            + f"SELECT ?name {{ SERVICE <{server.endpoint}> {{ ex:ynys-mon ex:name ?name }} }}"
        )
        assert welsh == [{"name": {"type": "literal", "value": "Ynys Môn", "xml:lang": "cy"}}]
    finally:
        oxigraph.stop()


# -- Apache Jena -----------------------------------------------------------------------------------

SKIP_JENA = "OFSTED_KG_SKIP_JENA"
JENA_PACKAGE = "libapache-jena-java"
XERCES_BUNDLES = "org/apache/jena/ext/xerces/"
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]  # a short run starts faster


def debian_jars(package: str) -> list[str]:
    """The jars of a Debian package and of the Java libraries it depends on, recursively."""
    seen: set[str] = set()
    todo = [package]
    jars: list[str] = []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        depends = subprocess.run(
            ["dpkg-query", "-W", "-f=${Depends}", name], capture_output=True, text=True
        ).stdout
        for dependency in depends.split(","):
            first = dependency.split("|")[0].split()
            if first and first[0].endswith("-java"):
                todo.append(first[0])
        files = subprocess.run(["dpkg-query", "-L", name], capture_output=True, text=True).stdout
        jars += [
            f for f in files.split() if f.startswith("/usr/share/java/") and f.endswith(".jar")
        ]
    return jars


def with_xerces_bundles(core_jar: str, into: Path) -> Path:
    """Debian's jena-core.jar (4.5.0) has its copy of Xerces as classes under ``xerces/`` but their
    message bundles under ``org/apache/jena/ext/xerces/``; without them at ``xerces/`` Jena's XSD
    datatypes fail to initialise ("internal error" in XSSimpleTypeDecl) and every Jena command
    dies. Copies at ``xerces/`` in a directory on the class path put that right."""
    with zipfile.ZipFile(core_jar) as jar:
        names = set(jar.namelist())
        for name in names:
            target = "xerces/" + name.removeprefix(XERCES_BUNDLES)
            bundle = name.startswith(XERCES_BUNDLES) and name.endswith(".properties")
            if bundle and target not in names:
                path = into / target
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(jar.read(name))
    return into


@pytest.fixture(scope="module")
def jena_classpath(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Java and Debian's Jena, or fail (or skip, when opted out) with what to do."""
    java = shutil.which("java")
    dpkg = shutil.which("dpkg-query")
    jars = debian_jars(JENA_PACKAGE) if dpkg else []
    if java is None or not any(Path(j).name == "jena-cmds.jar" for j in jars):
        message = (
            "Apache Jena is not installed, so the Jena client tests cannot run: run 'make "
            "install-test' as root (it installs Debian's libapache-jena-java package), or "
            f"'apt-get install {JENA_PACKAGE} default-jre-headless'; set {SKIP_JENA}=1 to leave "
            "these tests out on purpose"
        )
        if os.environ.get(SKIP_JENA) == "1":
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    # One logging binding (none at all is a warning on every run; several are an error).
    logging = [j for j in jars if "slf4j" in Path(j).name or "log4j" in Path(j).name]
    chosen = [j for j in logging if Path(j).name in ("slf4j-api.jar", "slf4j-nop.jar")]
    core = next(j for j in jars if Path(j).name == "jena-core.jar")
    bundles = with_xerces_bundles(core, tmp_path_factory.mktemp("jena"))
    return os.pathsep.join([*(j for j in jars if j not in logging), *chosen, str(bundles)])


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def jena(
    server: Server, jena_classpath: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Run]:
    """Every Jena command of these tests, run at once (a JVM takes a second to start)."""
    work = tmp_path_factory.mktemp("jena-runs")
    (work / "regions.ttl").write_text(REGIONS)
    (work / "insert.ru").write_text(
        f'INSERT DATA {{ GRAPH <{EX}graph/jena> {{ <{EX}visitor> <{EX}note> "from Jena" }} }}'
    )
    for name, query in (
        ("select", SELECT),
        ("construct", CONSTRUCT),
        ("describe", DESCRIBE),
        ("ask", ASK_TRUE),
        ("federated", federated(server.endpoint)),
    ):
        (work / f"{name}.rq").write_text(query)
    remote = ["--service", server.endpoint]
    commands = {
        "select": ["arq.rsparql", *remote, "--results=json", "--query", "select.rq"],
        "select-post": ["arq.rsparql", *remote, "--post", "--results=tsv", "--query", "select.rq"],
        "construct": ["arq.rsparql", *remote, "--results=nt", "--query", "construct.rq"],
        "describe": ["arq.rsparql", *remote, "--post", "--results=ttl", "--query", "describe.rq"],
        "ask": ["arq.rsparql", *remote, "--query", "ask.rq"],
        "update": ["arq.rupdate", *remote, "--update", "insert.ru"],
        "federated": [
            "arq.sparql",
            "--data",
            "regions.ttl",
            "--results=json",
            "--query",
            "federated.rq",
        ],
    }
    processes = {
        name: subprocess.Popen(
            ["java", *JAVA_OPTIONS, "-cp", jena_classpath, *command],
            cwd=work,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, command in commands.items()
    }
    runs = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=60)
        runs[name] = Run(process.returncode, stdout, stderr)
    return runs


def succeeded(run: Run) -> str:
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_jena_rsparql_select(jena: dict[str, Run]) -> None:
    rows = parsed_rows(succeeded(jena["select"]).encode(), "json")
    assert rows == expected_rows()
    tsv = parsed_rows(succeeded(jena["select-post"]).encode(), "tsv")
    assert tsv == expected_rows()


def test_jena_rsparql_ask(jena: dict[str, Run]) -> None:
    assert succeeded(jena["ask"]).strip() == "Ask => Yes"


def test_jena_rsparql_construct_and_describe(jena: dict[str, Run]) -> None:
    construct = rdflib.Graph().parse(data=succeeded(jena["construct"]), format="nt")
    assert isomorphic(construct, expected_graph(CONSTRUCT))
    describe = rdflib.Graph().parse(data=succeeded(jena["describe"]), format="turtle")
    assert isomorphic(describe, expected_graph(DESCRIBE))


def test_jena_service_joins_its_data_with_ours(jena: dict[str, Run]) -> None:
    answer = json.loads(succeeded(jena["federated"]))
    rows = [
        (b["council"]["value"], b["name"]["value"], b["region"]["value"])
        for b in answer["results"]["bindings"]
    ]
    assert rows == JOINED


def test_jena_rupdate_without_the_token_is_refused(jena: dict[str, Run], server: Server) -> None:
    """Jena's rupdate (4.5) cannot send an Authorization header, so an update through it is
    always refused here: it exits with an error and nothing is written. (Its handling of our 401
    is Jena's own: 4.5 knows only Basic and Digest challenges and stops on our Bearer one.)"""
    run = jena["update"]
    assert run.returncode != 0
    assert "401" in run.stderr or "AuthLib.handle401" in run.stderr, run.stderr  # our refusal
    assert notes_in(server, f"{EX}graph/jena") == set()
