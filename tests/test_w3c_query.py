"""The W3C SPARQL 1.1 query-evaluation and syntax tests, run through HTTP against the app.

The test data (tests/w3c/<suite>/, W3C test-suite licence in tests/w3c/LICENSE.md) is read from the
suites' manifests: each query-evaluation test is a query, the data for the default graph
(``qt:data``) and for named graphs (``qt:graphData``, each named by its file's IRI), and the
expected result (.srx, .srj, .tsv, .csv, or Turtle: a graph, or a result set in the DAWG
result-set vocabulary). Each negative syntax test must be answered 400.

Every test goes through the HTTP app: the data is loaded with one SPARQL update (``DROP ALL``, then
``INSERT DATA``) POSTed to /sparql with the update token, and the query is POSTed to /sparql asking
for the expected result's format. One scratch store serves the whole module; tests run grouped by
their data, so the data is reloaded only when it changes.

A result matches when the solutions are the same multiset, blank nodes mapped one-to-one (graphs:
isomorphic); when the query has ORDER BY, the order of the sort keys must match too.

Known failures are listed with their reason in tests/w3c/known-failures.toml and run as strict
xfails: a listed test that starts passing fails, so the list stays honest.

The same runner serves benchmarks/conformance.py, which runs these tests against our app served by
waitress and against Oxigraph server side by side.
"""

from __future__ import annotations

import csv
import decimal
import io
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF

W3C = Path(__file__).parent / "w3c"
KNOWN_FAILURES = W3C / "known-failures.toml"
SUITES = (
    "aggregates",
    "bind",
    "bindings",
    "cast",
    "construct",
    "csv-tsv-res",
    "exists",
    "functions",
    "grouping",
    "json-res",
    "negation",
    "project-expression",
    "property-path",
    "subquery",
)
# Where the suites were published: the IRI of each file (its base, and a named graph's name).
PUBLISHED = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
TOKEN = "w3c-token"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"

ACCEPT = {
    ".srx": "application/sparql-results+xml",
    ".srj": "application/sparql-results+json",
    ".tsv": "text/tab-separated-values",
    ".csv": "text/csv",
    ".ttl": "application/n-triples, application/sparql-results+json;q=0.9",
}
RESULTS_FORMATS = {
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


# -- The tests, read from the manifests -------------------------------------------------------


@dataclass(frozen=True)
class QueryTest:
    id: str  # "<suite>/<name in the manifest>"
    kind: str  # "evaluation", "csv" or "negative-syntax"
    query: Path
    data: tuple[Path, ...] = ()
    graph_data: tuple[Path, ...] = ()
    result: Path | None = None

    @property
    def dataset(self) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
        return self.data, self.graph_data


def published_iri(path: Path) -> str:
    """The IRI the suites give a local file (its base, and a named graph's name)."""
    return PUBLISHED + path.relative_to(W3C).as_posix()


def _path(node: Any) -> Path:
    return Path(str(node).removeprefix("file://"))


def load_manifest(suite: str) -> list[QueryTest]:
    path = W3C / suite / "manifest.ttl"
    graph = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    found: list[QueryTest] = []
    for manifest in graph.subjects(RDF.type, MF.Manifest):
        entries = graph.value(manifest, MF.entries)
        if entries is None:
            continue
        for entry in rdflib.collection.Collection(graph, entries):
            name = str(entry).rsplit("#", 1)[-1]
            test_type = graph.value(entry, RDF.type)
            action = graph.value(entry, MF.action)
            result = graph.value(entry, MF.result)
            if test_type in (MF.NegativeSyntaxTest11, MF.NegativeSyntaxTest):
                found.append(QueryTest(f"{suite}/{name}", "negative-syntax", _path(action)))
            elif test_type in (MF.QueryEvaluationTest, MF.CSVResultFormatTest):
                found.append(
                    QueryTest(
                        f"{suite}/{name}",
                        "csv" if test_type == MF.CSVResultFormatTest else "evaluation",
                        _path(graph.value(action, QT.query)),
                        tuple(sorted(_path(d) for d in graph.objects(action, QT.data))),
                        tuple(sorted(_path(d) for d in graph.objects(action, QT.graphData))),
                        _path(result) if result is not None else None,
                    )
                )
            else:
                raise ValueError(f"{suite}/{name}: test type {test_type} is not run here")
    return found


def all_tests() -> list[QueryTest]:
    """Every test, grouped by its data (so a runner reloads the data only when it changes)."""
    tests = [t for suite in SUITES for t in load_manifest(suite)]
    order = {key: n for n, key in enumerate(dict.fromkeys(t.dataset for t in tests))}
    return sorted(tests, key=lambda t: order[t.dataset])


def known_failures() -> dict[str, str]:
    """Test id -> why it fails (tests/w3c/known-failures.toml)."""
    with KNOWN_FAILURES.open("rb") as f:
        table: dict[str, str] = tomllib.load(f)["failures"]
    return table


# -- The endpoint under test ------------------------------------------------------------------


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    media_type: str
    body: bytes


class Endpoint(Protocol):
    """A SPARQL endpoint reached over HTTP (or the Flask test client)."""

    def query(self, text: str, accept: str) -> HttpAnswer: ...

    def update(self, text: str) -> HttpAnswer: ...


def dataset_update(test: QueryTest) -> str:
    """One SPARQL update that replaces everything with the test's data."""
    parts = ["DROP ALL ;"]
    for path in test.data:
        parts.append(f"INSERT DATA {{ {_ntriples(path)} }} ;")
    for path in test.graph_data:
        parts.append(f"INSERT DATA {{ GRAPH <{published_iri(path)}> {{ {_ntriples(path)} }} }} ;")
    return "\n".join(parts).removesuffix(" ;")


def _ntriples(path: Path) -> str:
    fmt = ox.RdfFormat.RDF_XML if path.suffix == ".rdf" else ox.RdfFormat.TURTLE
    triples = ox.parse(path=path, format=fmt, base_iri=published_iri(path))
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert isinstance(text, bytes)
    return text.decode("utf-8")


class Loader:
    """Loads a test's data into an endpoint, unless it holds that data already."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.loaded: tuple[tuple[Path, ...], tuple[Path, ...]] | None = None

    def load(self, test: QueryTest) -> None:
        if self.loaded == test.dataset or test.kind == "negative-syntax":
            return
        self.loaded = None
        answer = self.endpoint.update(dataset_update(test))
        if answer.status not in (200, 204):
            raise AssertionError(f"loading the data failed: {answer.status} {answer.body[:300]!r}")
        self.loaded = test.dataset


def query_text(test: QueryTest) -> str:
    """The query, with its file's published IRI as its base (so ``<data.ttl>`` names a graph)."""
    return f"BASE <{published_iri(test.query)}>\n" + test.query.read_text(encoding="utf-8")


def run_test(endpoint: Endpoint, loader: Loader, test: QueryTest) -> None:
    """Run one test against the endpoint; raises AssertionError with the reason if it fails."""
    text = query_text(test)
    if test.kind == "negative-syntax":
        answer = endpoint.query(text, "application/sparql-results+json")
        assert answer.status == 400, f"a malformed query was answered {answer.status}"
        return
    loader.load(test)
    assert test.result is not None
    answer = endpoint.query(text, ACCEPT[test.result.suffix])
    assert answer.status == 200, f"status {answer.status}: {answer.body[:500]!r}"
    if test.kind == "csv" or test.result.suffix == ".csv":
        compare_csv(answer.body, test.result.read_bytes())
        return
    expected = read_expected(test.result)
    actual = read_answer(answer)
    compare(expected, actual, ordered_keys(test.query.read_text(encoding="utf-8")))


# -- Results as comparable values -------------------------------------------------------------

Term = Any  # a pyoxigraph term, or None for an unbound variable


@dataclass(frozen=True)
class Solutions:
    variables: tuple[str, ...]
    rows: list[tuple[Term, ...]]


@dataclass(frozen=True)
class Graph:
    triples: list[tuple[Term, ...]]


Result = Solutions | Graph | bool


def _solutions(parsed: Any) -> Result:
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    variables = tuple(v.value for v in parsed.variables)
    return Solutions(variables, [tuple(s[v] for v in variables) for s in parsed])


def read_expected(path: Path) -> Result:
    if path.suffix == ".srx":
        return _solutions(ox.parse_query_results(path=path, format=ox.QueryResultsFormat.XML))
    if path.suffix == ".srj":
        return _solutions(ox.parse_query_results(path=path, format=ox.QueryResultsFormat.JSON))
    if path.suffix == ".tsv":
        return _solutions(ox.parse_query_results(path=path, format=ox.QueryResultsFormat.TSV))
    triples = list(ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=published_iri(path)))
    result_set = [t for t in triples if t.object == ox.NamedNode(RS + "ResultSet")]
    if result_set:
        return _result_set(triples, result_set[0].subject)
    return Graph([(t.subject, t.predicate, t.object) for t in triples])


def _result_set(triples: list[ox.Triple], node: Term) -> Solutions:
    """A result set written in the DAWG result-set vocabulary."""

    def objects(subject: Term, local: str) -> list[Term]:
        return [
            t.object
            for t in triples
            if t.subject == subject and t.predicate == ox.NamedNode(RS + local)
        ]

    variables = tuple(v.value for v in objects(node, "resultVariable"))
    rows: list[tuple[int, tuple[Term, ...]]] = []
    for solution in objects(node, "solution"):
        values: dict[str, Term] = {}
        for binding in objects(solution, "binding"):
            values[objects(binding, "variable")[0].value] = objects(binding, "value")[0]
        index = objects(solution, "index")
        rows.append((int(index[0].value) if index else 0, tuple(values.get(v) for v in variables)))
    return Solutions(variables, [row for _, row in sorted(rows, key=lambda r: r[0])])


def read_answer(answer: HttpAnswer) -> Result:
    if answer.media_type in RESULTS_FORMATS:
        return _solutions(
            ox.parse_query_results(answer.body, format=RESULTS_FORMATS[answer.media_type])
        )
    if answer.media_type in GRAPH_FORMATS:
        quads = ox.parse(answer.body, format=GRAPH_FORMATS[answer.media_type])
        return Graph([(q.subject, q.predicate, q.object) for q in quads])
    raise AssertionError(f"answered as {answer.media_type!r}, which this runner cannot read")


# -- Comparing results ------------------------------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"
DECIMALS = {
    XSD + name
    for name in (
        *("decimal", "integer", "long", "int", "short", "byte", "positiveInteger"),
        *("nonPositiveInteger", "negativeInteger", "nonNegativeInteger"),
        *("unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"),
    )
}
FLOATS = {XSD + "float", XSD + "double"}


@dataclass(frozen=True)
class Value:
    """A number or boolean literal by its datatype and value: the store keeps numbers in their
    canonical form, so "1.0"^^xsd:decimal comes back as "1" (the same value, the same datatype).
    A change of datatype (xsd:negativeInteger answered as xsd:integer) still counts."""

    datatype: str
    value: object

    def __str__(self) -> str:
        return f"{self.value!r}^^<{self.datatype}>"


def comparable(term: Term) -> Term:
    if not isinstance(term, ox.Literal):
        return term
    datatype, text = term.datatype.value, term.value.strip()
    try:
        if datatype in DECIMALS:
            return Value(datatype, decimal.Decimal(text))
        if datatype in FLOATS and text != "NaN":
            return Value(datatype, float(text))
    except (ArithmeticError, ValueError):
        return term  # an ill-typed literal: compared as it is written
    if datatype == XSD + "boolean" and text in ("true", "false", "1", "0"):
        return Value(datatype, text in ("true", "1"))
    return term


def _comparable(rows: Iterable[tuple[Term, ...]]) -> list[tuple[Term, ...]]:
    return [tuple(comparable(t) for t in row) for row in rows]


def compare(expected: Result, actual: Result, ordered: list[str] | None) -> None:
    if isinstance(expected, bool) or isinstance(actual, bool):
        assert expected == actual, f"expected {expected!r}, got {actual!r}"
        return
    if isinstance(expected, Graph) or isinstance(actual, Graph):
        assert isinstance(expected, Graph) and isinstance(actual, Graph), (
            f"expected a {type(expected).__name__}, got a {type(actual).__name__}"
        )
        want, got = _comparable(expected.triples), _comparable(actual.triples)
        assert match_rows(want, got) is not None, _difference(want, got)
        return
    assert set(expected.variables) == set(actual.variables), (
        f"variables differ: expected {expected.variables}, got {actual.variables}"
    )
    position = [actual.variables.index(v) for v in expected.variables]
    want = _comparable(expected.rows)
    rows = _comparable(tuple(row[i] for i in position) for row in actual.rows)
    mapping = match_rows(want, rows)
    assert mapping is not None, _difference(want, rows)
    if ordered:
        keys = [expected.variables.index(v) for v in ordered if v in expected.variables]
        if len(keys) < len(ordered):  # a key not projected: compare whole rows in order
            keys = list(range(len(expected.variables)))
        order = [tuple(_mapped(row[k], mapping) for k in keys) for row in want]
        got = [tuple(row[k] for k in keys) for row in rows]
        assert order == got, f"the order differs:\nexpected {order}\ngot      {got}"


def _mapped(term: Term, mapping: dict[Term, Term]) -> Term:
    return mapping.get(term, term) if isinstance(term, ox.BlankNode) else term


def _has_bnode(row: Sequence[Term]) -> bool:
    return any(isinstance(t, ox.BlankNode) for t in row)


def match_rows(
    expected: Sequence[tuple[Term, ...]], actual: Sequence[tuple[Term, ...]]
) -> dict[Term, Term] | None:
    """A one-to-one blank-node mapping under which the two multisets of rows are equal, or None."""
    if len(expected) != len(actual):
        return None
    plain_expected = Counter(r for r in expected if not _has_bnode(r))
    plain_actual = Counter(r for r in actual if not _has_bnode(r))
    if plain_expected != plain_actual:
        return None
    left = sorted((r for r in expected if _has_bnode(r)), key=lambda r: -sum(t is None for t in r))
    right = [r for r in actual if _has_bnode(r)]
    used = [False] * len(right)
    mapping: dict[Term, Term] = {}
    taken: set[Term] = set()

    def fits(row: tuple[Term, ...], other: tuple[Term, ...], added: list[Term]) -> bool:
        for a, b in zip(row, other, strict=True):
            if isinstance(a, ox.BlankNode):
                if not isinstance(b, ox.BlankNode):
                    return False
                if a in mapping:
                    if mapping[a] != b:
                        return False
                elif b in taken:
                    return False
                else:
                    mapping[a] = b
                    taken.add(b)
                    added.append(a)
            elif a != b:
                return False
        return True

    def search(i: int) -> bool:
        if i == len(left):
            return True
        for j, other in enumerate(right):
            if used[j]:
                continue
            added: list[Term] = []
            if fits(left[i], other, added):
                used[j] = True
                if search(i + 1):
                    return True
                used[j] = False
            for a in added:
                taken.discard(mapping.pop(a))
        return False

    return mapping if search(0) else None


def _difference(expected: Sequence[tuple[Term, ...]], actual: Sequence[tuple[Term, ...]]) -> str:
    def show(rows: Iterable[tuple[Term, ...]]) -> str:
        return "\n".join("  " + " ".join(str(t) for t in row) for row in list(rows)[:20])

    missing = Counter(expected) - Counter(actual)
    extra = Counter(actual) - Counter(expected)
    return (
        f"{len(expected)} rows expected, {len(actual)} answered\n"
        f"expected, not answered:\n{show(missing.elements())}\n"
        f"answered, not expected:\n{show(extra.elements())}"
    )


def compare_csv(body: bytes, expected: bytes) -> None:
    """CSV loses datatypes: compare the rows as text, blank nodes (``_:x``) mapped one-to-one."""

    def rows(data: bytes) -> list[tuple[Term, ...]]:
        table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        return [
            tuple(ox.BlankNode(v[2:]) if v.startswith("_:") else v for v in row) for row in table
        ]

    want, got = rows(expected), rows(body)
    header, answered = want[0], got[0]  # SELECT * may give its columns in another order
    assert sorted(header) == sorted(answered), f"columns differ: expected {header}, got {answered}"
    got = [tuple(row[answered.index(name)] for name in header) for row in got[1:]]
    assert match_rows(want[1:], got) is not None, _difference(want[1:], got)


# -- ORDER BY: which variables the order is checked on ----------------------------------------

_STRINGS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|#[^\n]*')
_ORDER_BY = re.compile(r"\bORDER\s+BY\b(.*)", re.IGNORECASE | re.DOTALL)
_KEY = re.compile(r"^\s*(?:(?:ASC|DESC)\s*\(\s*)?[?$](\w+)\s*\)?\s*", re.IGNORECASE)
_END = re.compile(r"^\s*(?:LIMIT|OFFSET|VALUES|\}|$)", re.IGNORECASE)


def ordered_keys(query: str) -> list[str] | None:
    """The variables of the outermost ORDER BY, if it orders by plain variables; ``["*"]`` when it
    orders by expressions (then whole rows are compared in order); None without one (an ORDER BY
    inside a subquery orders nothing the client sees)."""
    text = _STRINGS.sub(" ", query)
    match = None
    for candidate in _ORDER_BY.finditer(text):
        if text.count("{", 0, candidate.start()) == text.count("}", 0, candidate.start()):
            match = candidate
    if match is None:
        return None
    rest = match.group(1)
    keys: list[str] = []
    while not _END.match(rest):
        key = _KEY.match(rest)
        if key is None:
            return ["*"]
        keys.append(key.group(1))
        rest = rest[key.end() :]
    return keys or None


# -- The tests --------------------------------------------------------------------------------

TESTS = all_tests()
FAILURES = known_failures()


def _params() -> Iterator[Any]:
    for test in TESTS:
        reason = FAILURES.get(test.id)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        yield pytest.param(test, id=test.id, marks=marks)


class FlaskEndpoint:
    """The app, reached through Flask's test client."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def query(self, text: str, accept: str) -> HttpAnswer:
        response = self.client.post(
            "/sparql",
            data=text.encode("utf-8"),
            content_type="application/sparql-query",
            headers={"Accept": accept},
        )
        return HttpAnswer(response.status_code, response.mimetype, response.get_data())

    def update(self, text: str) -> HttpAnswer:
        response = self.client.post(
            "/sparql",
            data=text.encode("utf-8"),
            content_type="application/sparql-update",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        return HttpAnswer(response.status_code, response.mimetype, response.get_data())


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Endpoint, Loader]]:
    """One scratch instance for the module; its default graph is the store's own, as the suites
    assume (the union default graph would add the named graphs' triples to it)."""
    from ofsted_kg.web.app import create_app

    app = create_app(
        {
            "store": tmp_path_factory.mktemp("w3c-query") / "store",
            "update_token": TOKEN,
            "default_graph": "default",
            "workers": 1,
            "TESTING": True,
        }
    )
    target = FlaskEndpoint(app.test_client())
    yield target, Loader(target)


@pytest.mark.parametrize("test", list(_params()))
def test_w3c_query(test: QueryTest, endpoint: tuple[Endpoint, Loader]) -> None:
    run_test(endpoint[0], endpoint[1], test)


def test_known_failures_name_real_tests() -> None:
    """Every entry of the known-failures list names a test of the suites, with a reason."""
    ids = {t.id for t in TESTS}
    assert set(FAILURES) <= ids, sorted(set(FAILURES) - ids)
    assert all(reason.strip() for reason in FAILURES.values())


def test_the_suites_are_all_read() -> None:
    """The runner finds every test the vendored manifests list (none dropped silently)."""
    listed = 0
    for suite in SUITES:
        text = (W3C / suite / "manifest.ttl").read_text(encoding="utf-8")
        graph = rdflib.Graph().parse(data=text, format="turtle")
        for manifest in graph.subjects(RDF.type, MF.Manifest):
            entries = graph.value(manifest, MF.entries)
            listed += len(list(rdflib.collection.Collection(graph, entries))) if entries else 0
    assert len(TESTS) == listed >= 240


def test_the_comparison_can_fail() -> None:
    """The result comparison tells different results apart (a runner that passes everything is
    worse than none)."""
    a, b, c = ox.BlankNode("a"), ox.BlankNode("b"), ox.BlankNode("c")
    one, two = ox.Literal("1"), ox.Literal("2")
    compare(
        Solutions(("x", "y"), [(a, one), (b, one)]),
        Solutions(("y", "x"), [(one, c), (one, a)]),
        None,
    )
    with pytest.raises(AssertionError):  # a blank node used twice is not two blank nodes
        compare(
            Solutions(("x", "y"), [(a, one), (b, one)]),
            Solutions(("x", "y"), [(c, one), (c, one)]),
            None,
        )
    with pytest.raises(AssertionError):
        compare(Solutions(("x",), [(one,), (one,)]), Solutions(("x",), [(one,)]), None)
    with pytest.raises(AssertionError):
        compare(Solutions(("x",), [(one,), (two,)]), Solutions(("x",), [(two,), (one,)]), ["x"])
    with pytest.raises(AssertionError):
        compare(Graph([(a, a, one)]), Graph([(a, b, one)]), None)
    with pytest.raises(AssertionError):
        compare(True, False, None)
    decimal_one = ox.Literal("1.0", datatype=ox.NamedNode(XSD + "decimal"))
    compare(
        Solutions(("x",), [(decimal_one,)]),
        Solutions(("x",), [(ox.Literal("1", datatype=ox.NamedNode(XSD + "decimal")),)]),
        None,
    )
    with pytest.raises(AssertionError):  # the same number in another datatype is not the same
        compare(
            Solutions(
                ("x",), [(ox.Literal("-3", datatype=ox.NamedNode(XSD + "negativeInteger")),)]
            ),
            Solutions(("x",), [(ox.Literal("-3", datatype=ox.NamedNode(XSD + "integer")),)]),
            None,
        )
    with pytest.raises(AssertionError):
        compare_csv(b"x\r\n1\r\n", b"x\r\n2\r\n")
    assert ordered_keys("SELECT * { ?s ?p ?o } ORDER BY DESC(?o) ?s LIMIT 2") == ["o", "s"]
    assert ordered_keys("SELECT * { ?s ?p ?o } ORDER BY str(?o)") == ["*"]
    assert ordered_keys("SELECT * { { SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 1 } }") is None


@pytest.mark.slow
def test_we_pass_at_least_as_many_as_oxigraph_server() -> None:
    """The suites (query and protocol) over real HTTP, against our server under waitress and a real
    ``oxigraph serve`` side by side (benchmarks/conformance.py): we pass at least as many."""
    import subprocess
    import sys

    script = Path(__file__).parent.parent / "benchmarks" / "conformance.py"
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "| **all**" in done.stdout
