"""Requests as an attacker or a careless client would send them, for the fuzz suite
(``test_fuzz.py``, bounded in time) and its longer run (``benchmarks/fuzz.py``).

``requests()`` is a hypothesis strategy of ``Probe``s: a method, a path, headers and a body, drawn
from every kind of input the server reads, each kind mixing well-formed input, input broken in
small ways, and input built to hurt (deep nesting, long chains, entity declarations, huge
headers):

- SPARQL queries and updates, in the query string, a form or the body;
- Graph Store bodies in every format the server accepts (Turtle, N-Triples, N3, RDF/XML,
  JSON-LD, multipart), and in formats it does not;
- paths under every route (``/sparql``, ``/store``, ``/id/``, ``/doc/``, ``/def/``, ``/dumps/``,
  ``/.well-known/void``, the query page) and outside them, percent-encoded or not;
- headers (Accept, Content-Type, Authorization, conditional and encoding headers) and methods.

``acceptable(status, body)`` says whether an answer is one the server may give: anything below
500, or a documented 503/504 (a deadline, a busy server, a query's memory cap).
"""

from __future__ import annotations

import html
import http.client
import json
import re
import string
import urllib.parse
from dataclasses import dataclass, field

from hypothesis import strategies as st

TOKEN = "fuzz-token"
EX = "http://example.org/"

# The 5xx the server documents: limits doing their job, never a failure of its own.
DOCUMENTED_5XX = {
    503: {
        "Query timed out",
        "Service busy",
        "Query stopped: out of memory",
        "Write timed out",
        "Write stopped: out of memory",
    },
    504: {"Remote store timed out"},
}


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def describe(self) -> str:
        shown = self.body[:200]
        return f"{self.method} {self.path[:200]} {self.headers} body[{len(self.body)}]={shown!r}"


_HTML_TITLE = re.compile(rb"<title>\d+ (.*?) \xc2\xb7 ofsted-kg</title>")


def send(host: str, port: int, probe: Probe, timeout: float) -> tuple[int, bytes]:
    """Send a probe as it is (http.client: no client-side checks beyond what HTTP requires);
    raises http.client.InvalidURL or ValueError for what HTTP/1.1 cannot carry."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(probe.method, probe.path, body=probe.body or None, headers=probe.headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def acceptable(status: int, body: bytes) -> bool:
    """Whether an answer is one the server may give: below 500, or a documented 503/504 (as JSON,
    or as the error page a client that prefers HTML gets)."""
    if status < 500:
        return True
    titles = DOCUMENTED_5XX.get(status)
    if titles is None:
        return False
    page = _HTML_TITLE.search(body)
    if page is not None:
        return html.unescape(page.group(1).decode()) in titles
    try:
        title = json.loads(body)["error"]["title"]
    except (ValueError, KeyError, TypeError):
        return False
    return title in titles


# -- SPARQL ---------------------------------------------------------------------------------------

KEYWORDS = (
    "SELECT * WHERE",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "UNION",
    "OPTIONAL",
    "MINUS",
    "FILTER",
    "BIND",
    "AS",
    "VALUES",
    "GRAPH",
    "SERVICE",
    "SILENT",
    "EXISTS",
    "NOT EXISTS",
    "GROUP BY",
    "ORDER BY",
    "HAVING",
    "LIMIT 5",
    "OFFSET 1",
    "DISTINCT",
    "REDUCED",
    "FROM",
    "FROM NAMED",
    "PREFIX ex: <http://example.org/>",
    "BASE <http://example.org/>",
    "COUNT(*)",
    "CONCAT(",
    "STR(",
    "REGEX(",
    "IN (",
    "IF(",
    "COALESCE(",
    "RAND()",
    "NOW()",
    "UUID()",
    "BNODE()",
    "LANG(",
    "DATATYPE(",
    "SUBSTR(",
    "INSERT DATA",
    "DELETE DATA",
    "DELETE WHERE",
    "INSERT",
    "DELETE",
    "WITH",
    "USING",
    "USING NAMED",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "ALL",
    "DEFAULT",
    "NAMED",
    "TO",
    "INTO",
    ";",
    ".",
    ",",
    "a",
)
TERMS = (
    "?s",
    "?p",
    "?o",
    "?x",
    "$y",
    "<http://example.org/s>",
    "<http://example.org/p>",
    "<>",
    "<http://example.org/a b>",
    "<relative>",
    "ex:thing",
    "ex:",
    ":x",
    "_:b0",
    "[]",
    "()",
    '"text"',
    "'x'",
    '"""long\nstring"""',
    '"x"@en',
    '"1"^^<http://www.w3.org/2001/XMLSchema#int>',
    "1",
    "-2.5",
    "1e308",
    "1e999",
    "true",
    "false",
    '"\\u0000"',
    "<<?s ?p ?o>>",
    "<https://w3id.org/ofsted-kg/id/council/E10000016>",
)
SYMBOLS = (*"{}()[]", "||", "&&", "=", "!=", "<", ">", "+", "-", "*", "/", "|", "^", "!")
OPENERS = (("{", "}"), ("(", ")"), ("[", "]"), ("{ SELECT * WHERE {", "} }"), ("FILTER(", ")"))

VALID_QUERIES = (
    "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
    "DESCRIBE <http://example.org/s>",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), 'a', 'i')) } ORDER BY ?s LIMIT 2",
    "SELECT * WHERE { VALUES ?x { 1 2 3 } OPTIONAL { ?x ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT ?label WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 5",
)
VALID_UPDATES = (
    f"INSERT DATA {{ GRAPH <{EX}fuzz> {{ <{EX}s> <{EX}p> 1 }} }}",
    f"DELETE DATA {{ GRAPH <{EX}fuzz> {{ <{EX}s> <{EX}p> 1 }} }}",
    f"DELETE WHERE {{ GRAPH <{EX}fuzz> {{ ?s ?p ?o }} }}",
    f"DELETE {{ ?s <{EX}p> ?o }} INSERT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o }}",
    f"CLEAR SILENT GRAPH <{EX}fuzz>",
    f"DROP SILENT GRAPH <{EX}nothing>",
    f"CREATE GRAPH <{EX}fuzz-{{n}}>",
    f"LOAD <{EX}data.ttl>",
    "DROP ALL ; INSERT DATA { <http://example.org/s> <http://example.org/p> 2 }",
)


@st.composite
def token_soup(draw: st.DrawFn) -> str:
    """SPARQL-looking text: keywords, terms and symbols in any order, sometimes nested."""
    pieces = draw(st.lists(st.sampled_from(KEYWORDS + TERMS + SYMBOLS), min_size=1, max_size=40))
    depth = draw(st.integers(0, 60))
    opener, closer = draw(st.sampled_from(OPENERS))
    return opener * depth + " ".join(pieces) + closer * draw(st.integers(0, depth + 2))


@st.composite
def built_to_hurt(draw: st.DrawFn) -> str:
    """Nesting and chains of a size that once crashed the engine, and the like."""
    n = draw(st.sampled_from([300, 501, 1000, 3000, 10_000, 20_000]))
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return "SELECT * WHERE " + "{" * n + " ?s ?p ?o " + "}" * n
    if shape == 1:
        return "ASK { FILTER(" + "(" * n + "1" + ")" * n + ") }"
    if shape == 2:
        return "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " }"
    if shape == 3:
        return "ASK { FILTER(" + " || ".join(["true"] * n) + ") }"
    if shape == 4:
        return "ASK { ?s " + "/".join(["<http://e/p>"] * n) + " ?o }"
    if shape == 5:
        return "ASK { FILTER(" + "CONCAT(" * n + "'a'" + ")" * n + ") }"
    if shape == 6:
        return "INSERT DATA " + "{" * n + " <http://e/a> <http://e/b> 1 " + "}" * n
    if shape == 7:
        return "ASK { " + "OPTIONAL { ?s ?p ?o } " * n + "}"
    if shape == 8:
        return "ASK { " + " . ".join(f"?s <http://e/p> ?o{i}" for i in range(n // 10)) + " }"
    return "ASK {}" + " " * (n * 100) + "# padding"


MUTATIONS = list("{}()<>\"'\\#;.,?:@^ \x00é\U0001f600")


@st.composite
def mutated(draw: st.DrawFn, texts: tuple[str, ...]) -> str:
    """A valid text with a few characters inserted, deleted or swapped."""
    text = draw(st.sampled_from(texts)).replace("{n}", str(draw(st.integers(0, 9))))
    for _ in range(draw(st.integers(0, 4))):
        if not text:
            break
        at = draw(st.integers(0, len(text) - 1))
        action = draw(st.integers(0, 2))
        if action == 0:
            text = text[:at] + text[at + 1 :]
        elif action == 1:
            text = text[:at] + draw(st.sampled_from(MUTATIONS)) + text[at:]
        else:
            text = text[:at] + text[at:][::-1][:5][::-1] + text[at + 5 :]
    return text


UNICODE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)


def sparql_texts(valid: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(valid), mutated(valid), token_soup(), built_to_hurt(), UNICODE)


# -- RDF documents --------------------------------------------------------------------------------

TURTLE = (
    f"@prefix ex: <{EX}> .\nex:s ex:p 1, 2 ; ex:q [ ex:r ( 1 2 3 ) ] .\n",
    f'<{EX}s> <{EX}p> "x"@en .\n',
    f"<{EX}s> <{EX}p> <{EX}o> .\n"
    f'<{EX}s> <{EX}p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    f"@prefix okg: <https://w3id.org/ofsted-kg/def/> .\n<{EX}j> a okg:Judgement .\n",
)
RDF_XML = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
    '<rdf:Description rdf:about="http://e/s"><e:p>1</e:p></rdf:Description></rdf:RDF>',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
    '<rdf:Description rdf:about="http://e/s"><e:p>&b;</e:p></rdf:Description></rdf:RDF>',
    '<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.org/evil.dtd"><r/>',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
)
JSON_LD = (
    '{"@id": "http://e/s", "http://e/p": "x"}',
    '{"@context": {"ex": "http://e/"}, "@id": "ex:s", "ex:p": [{"@value": 1}]}',
    '{"@context": "http://example.org/remote-context", "@id": "http://e/s"}',
    '[{"@id": "http://e/s", "http://e/p": {"@list": [1, 2]}}]',
)


@st.composite
def nested_document(draw: st.DrawFn) -> tuple[str, str]:
    n = draw(st.sampled_from([10, 200, 257, 1000, 4000, 20_000]))
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return "application/ld+json", '{"@id":"http://e/s","http://e/p":' * n + '"x"' + "}" * n
    if kind == 1:
        return "application/ld+json", "[" * n + "]" * n
    if kind == 2:
        xml = (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:e="http://e/">'
            + "<rdf:Description><e:p>" * n
            + "</e:p></rdf:Description>" * n
            + "</rdf:RDF>"
        )
        return "application/rdf+xml", xml
    return "text/turtle", "<http://e/s> <http://e/p> " + "( [ <http://e/p> " * n + "1 ] )" * n


GRAPH_TYPES = (
    "text/turtle",
    "application/n-triples",
    "text/plain",
    "text/n3",
    "application/rdf+xml",
    "application/ld+json",
    "application/x-turtle",
    "application/trig",
    "application/n-quads",
    "application/octet-stream",
    "multipart/form-data; boundary=B",
    "text/turtle; charset=latin1",
)


@st.composite
def document(draw: st.DrawFn) -> tuple[str, bytes]:
    """A Graph Store body and its Content-Type."""
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(st.sampled_from(GRAPH_TYPES[:4])), draw(mutated(TURTLE)).encode()
    if kind == 1:
        return "application/rdf+xml", draw(mutated(RDF_XML)).encode()
    if kind == 2:
        return "application/ld+json", draw(mutated(JSON_LD)).encode()
    if kind == 3:
        media_type, text = draw(nested_document())
        return media_type, text.encode()
    if kind == 4:
        part = draw(st.sampled_from(TURTLE)).encode()
        body = (
            b'--B\r\nContent-Disposition: form-data; name="f"; filename="a.ttl"\r\n'
            b"Content-Type: "
            + draw(st.sampled_from(GRAPH_TYPES)).encode()
            + b"\r\n\r\n"
            + part
            + b"\r\n--B--\r\n"
        )
        return "multipart/form-data; boundary=B", body
    return draw(st.sampled_from(GRAPH_TYPES)), draw(st.binary(max_size=200))


# -- Paths, headers, methods ----------------------------------------------------------------------

PATH_PIECES = [
    *(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/"),
    *("%7B", "%22", "%3C", "%FF", "%00", "%2F", "%20", "%E2%82%AC", "..", "%"),
]
SEGMENT = st.lists(st.sampled_from(PATH_PIECES), max_size=12).map("".join)
ROUTES = (
    "/sparql",
    "/store",
    "/store/",
    "/id/",
    "/doc/",
    "/graph/",
    "/def/",
    "/def",
    "/dumps/",
    "/.well-known/void",
    "/",
    "/examples/",
    "/examples.json",
    "/robots.txt",
    "/static/",
    "/doc/council",
    "/id/council/E10000016",
    "/doc/council/E10000016",
    "/nowhere/",
)
MEDIA = (
    "*/*",
    "text/html",
    "application/json",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "application/trig",
    "application/n-quads",
    "image/png",
    "text/*",
    "application/*",
    "",
)


@st.composite
def accept_header(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.sampled_from(MEDIA))
    if kind == 1:
        parts = draw(st.lists(st.sampled_from(MEDIA), max_size=5))
        return ", ".join(
            f"{p};q={draw(st.sampled_from(['0', '0.5', '1', '2', 'x', '-1']))}" for p in parts
        )
    if kind == 2:
        return "text/html, " * draw(st.sampled_from([10, 1000, 5000]))
    return draw(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60))


HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@st.composite
def headers(draw: st.DrawFn, content_type: str | None) -> dict[str, str]:
    found: dict[str, str] = {}
    if draw(st.booleans()):
        found["Accept"] = draw(accept_header())
    if content_type is not None:
        found["Content-Type"] = content_type
    auth = draw(
        st.sampled_from(
            ["", f"Bearer {TOKEN}", f"Bearer {TOKEN}", "Bearer nope", "Basic eDp5", "Bearer"]
        )
    )
    if auth:
        found["Authorization"] = auth
    for name in ("If-None-Match", "If-Modified-Since", "Accept-Encoding", "Origin", "Range"):
        if draw(st.integers(0, 5)) == 0:
            found[name] = draw(
                st.one_of(
                    HEADER_TEXT,
                    st.sampled_from(['W/"x"', "*", "Sat, 01 Jan 2000 00:00:00 GMT", "gzip", "br"]),
                )
            )
    return found


METHODS = (
    "GET",
    "GET",
    "GET",
    "POST",
    "POST",
    "PUT",
    "DELETE",
    "HEAD",
    "OPTIONS",
    "PATCH",
    "TRACE",
)


def _query_path(route: str, name: str, text: str) -> str:
    return f"{route}?{urllib.parse.urlencode({name: text})}"


@st.composite
def requests(draw: st.DrawFn) -> Probe:
    """One request of any kind (see the module's docstring)."""
    kind = draw(st.integers(0, 9))
    if kind <= 2:  # a query, by GET, form or body
        text = draw(sparql_texts(VALID_QUERIES))
        how = draw(st.integers(0, 2))
        if how == 0 and len(text) < 6000:
            return Probe("GET", _query_path("/sparql", "query", text), draw(headers(None)))
        if how == 1:
            body = urllib.parse.urlencode({"query": text}).encode()
            return Probe(
                "POST", "/sparql", draw(headers("application/x-www-form-urlencoded")), body
            )
        media = draw(
            st.sampled_from(
                [
                    "application/sparql-query",
                    "application/sparql-query; charset=utf-16",
                    "text/plain",
                ]
            )
        )
        return Probe("POST", "/sparql", draw(headers(media)), text.encode("utf-8", "surrogatepass"))
    if kind == 3:  # an update
        text = draw(sparql_texts(VALID_UPDATES))
        params = ""
        if draw(st.integers(0, 4)) == 0:
            params = "?" + urllib.parse.urlencode(
                {"using-graph-uri": draw(st.sampled_from([EX + "g", "not an iri", ""]))}
            )
        if draw(st.booleans()):
            body = urllib.parse.urlencode({"update": text}).encode()
            return Probe(
                "POST", "/sparql" + params, draw(headers("application/x-www-form-urlencoded")), body
            )
        return Probe(
            "POST", "/sparql" + params, draw(headers("application/sparql-update")), text.encode()
        )
    if kind == 4:  # a Graph Store write
        media_type, body = draw(document())
        target = draw(
            st.sampled_from(
                [
                    "?default",
                    f"?graph={EX}fuzz",
                    "?graph=not%20an%20iri",
                    "",
                    "/fuzz/x",
                    "/a%7Bb",
                    "?graph=" + EX + "g&default",
                ]
            )
        )
        path = "/store" + target
        method = draw(st.sampled_from(["PUT", "POST", "PUT", "DELETE"]))
        return Probe(method, path, draw(headers(media_type)), body)
    if kind == 5:  # a Graph Store read
        target = draw(
            st.one_of(
                st.sampled_from(["?default", f"?graph={EX}fuzz", "?graph=%FF", ""]),
                SEGMENT.map(lambda s: "/" + s),
            )
        )
        return Probe(draw(st.sampled_from(["GET", "HEAD"])), "/store" + target, draw(headers(None)))
    # any route, any method, odd paths and parameters
    route = draw(st.sampled_from(ROUTES))
    path = route + draw(SEGMENT)
    if draw(st.booleans()):
        path += "?" + draw(
            st.sampled_from(
                [
                    "format=",
                    "format=csv",
                    "format=json,xml",
                    "query=",
                    "default",
                    "graph=x",
                    "x=%FF",
                    "q=" + "a" * 3000,
                ]
            )
        )
    method = draw(st.sampled_from(METHODS))
    body = draw(st.binary(max_size=64)) if method in ("POST", "PUT", "PATCH") else b""
    content_type = draw(
        st.one_of(st.none(), st.sampled_from((*GRAPH_TYPES, "application/sparql-query")))
    )
    return Probe(method, path, draw(headers(content_type)), body)
