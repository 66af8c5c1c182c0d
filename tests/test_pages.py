"""Dereferenceable IRIs and the pages about them (``server/web/linked_data/``).

On the graph as served (the session's real build, ``served_store_dir``): /id/ answers 303 to
/doc/ for every type of thing, by Accept and by extension; every RDF form parses and holds what
the store holds; the council page shows Kent as the graph has it (checked against SPARQL, not
against a list written here), with one chart mark per dated judgement and a source for every fact.
Every page query (``queries/*.rq``) runs as written with ``ofsted-kg query @file``, and as the
server fills it in. On tiny scratch stores: escaping, vague dates, another base IRI, an empty
store; and a page's data built without Flask, from a query function over an in-memory store.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import warnings
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from ofsted_kg.cli import main
from ofsted_kg.rdf.namespaces import PREFIXES
from ofsted_kg.store.directories import open_store
from ofsted_kg.web.app import create_app
from ofsted_kg.web.linked_data.chart import timeline
from ofsted_kg.web.linked_data.describe import Description, Row
from ofsted_kg.web.linked_data.labels import Labeller, Site, make_catalogue
from ofsted_kg.web.linked_data.queries import FOLDER, QUERIES, Query, fill
from ofsted_kg.web.linked_data.views import claims_where, council_index, judgements_of

BASE = "https://w3id.org/ofsted-kg/"
KENT = f"{BASE}id/council/E10000016"
INFERRED = f"{BASE}graph/inferred"
HOST = "http://127.0.0.1:8000"

ACCEPTS = {
    "html": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
}
RDFLIB_FORMATS = {
    "ttl": "turtle",
    "jsonld": "json-ld",
    "nt": "nt",
    "rdf": "xml",
    "trig": "trig",
    "nq": "nquads",
}
TYPES = ("council", "inspection", "judgement", "person", "document", "claim", "reconciliation")

pytestmark = pytest.mark.usefixtures("clean_environment")


# -- Fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_config(served_store_dir: Path) -> dict[str, Any]:
    return {"store": served_store_dir, "workers": 2}


def rows(client: FlaskClient, query: str) -> list[dict[str, str]]:
    """A SELECT query's solutions through the endpoint, as plain strings."""
    response = client.post("/sparql", data={"query": query, "format": "json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [
        {name: value["value"] for name, value in binding.items()}
        for binding in response.get_json()["results"]["bindings"]
    ]


def key(iri: str) -> str:
    assert iri.startswith(BASE + "id/")
    return iri[len(BASE) + 3 :]


@pytest.fixture
def samples(app: Flask) -> dict[str, str]:
    """One IRI of each type of thing, taken from the graph."""
    client = app.test_client()
    found = {}
    for kind in TYPES:
        answer = rows(
            client,
            f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s a ?t }} "
            f'FILTER(STRSTARTS(STR(?s), "{BASE}id/{kind}/")) }} ORDER BY ?s LIMIT 1',
        )
        assert answer, f"the graph has no {kind}"
        found[kind] = answer[0]["s"]
    found["council"] = KENT
    return found


class Page(HTMLParser):
    """What the tests look at in a page: links, facts and their source links, chart marks."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.fetched: list[tuple[str, str]] = []  # (tag, URL) of script, link and img
        self.facts = 0
        self.facts_without_source = 0
        self.marks: list[str] = []
        self.lang: str | None = None
        self._stack: list[tuple[str, bool]] = []  # (tag, is a fact)
        self._has_source: list[bool] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"] or "")
            if "source" in (attributes.get("class") or "").split() and self._has_source:
                self._has_source[-1] = True
            if "mark" in (attributes.get("class") or "").split():
                self.marks.append(attributes.get("data-judgement") or "")
        for name in ("src", "href"):
            if tag in ("script", "link", "img") and attributes.get(name):
                self.fetched.append((tag, attributes[name] or ""))
        if tag in ("meta", "link", "img", "br", "input", "circle", "rect", "path", "line"):
            return
        is_fact = "data-fact" in attributes
        self._stack.append((tag, is_fact))
        if is_fact:
            self.facts += 1
            self._has_source.append(False)

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, is_fact = self._stack.pop()
            if is_fact and not self._has_source.pop():
                self.facts_without_source += 1
            if open_tag == tag:
                break


def get_page(client: FlaskClient, path: str, base_url: str | None = None) -> tuple[str, Page]:
    response = client.get(path, headers={"Accept": ACCEPTS["html"]}, base_url=base_url)
    assert response.status_code == 200, (path, response.status_code)
    assert response.content_type == "text/html; charset=utf-8"
    text = response.get_data(as_text=True)
    return text, Page(text)


# -- Dereferencing: 303, content negotiation, extensions ---------------------------------------


@pytest.mark.parametrize("kind", TYPES)
@pytest.mark.parametrize("fmt", list(ACCEPTS))
def test_an_id_answers_303_to_its_doc_in_the_negotiated_form(
    client: FlaskClient, samples: dict[str, str], kind: str, fmt: str
) -> None:
    path = key(samples[kind])
    response = client.get(f"/id/{path}", headers={"Accept": ACCEPTS[fmt]})
    assert response.status_code == 303
    expected = f"/doc/{path}" if fmt == "html" else f"/doc/{path}.{fmt}"
    assert response.headers["Location"] == expected
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("fmt", [f for f in ACCEPTS if f != "html"])
def test_a_doc_answers_the_negotiated_form_with_its_content_location(
    client: FlaskClient, fmt: str
) -> None:
    response = client.get(f"/doc/{key(KENT)}", headers={"Accept": ACCEPTS[fmt]})
    assert response.status_code == 200
    assert response.mimetype == ACCEPTS[fmt]
    assert response.headers["Content-Location"] == f"/doc/{key(KENT)}.{fmt}"
    assert "Accept" in response.headers["Vary"]
    links = response.headers["Link"]
    for other in ACCEPTS:
        assert f'</doc/{key(KENT)}.{other}>; rel="alternate"' in links
    assert f'<{KENT}>; rel="describes"' in links


def test_a_browser_gets_html_and_curl_without_accept_too(client: FlaskClient) -> None:
    for headers in ({"Accept": ACCEPTS["html"]}, {}, {"Accept": "*/*"}):
        response = client.get(f"/doc/{key(KENT)}", headers=headers)
        assert response.status_code == 200
        assert response.mimetype == "text/html"


def test_an_accept_that_nothing_fits_is_406(client: FlaskClient) -> None:
    response = client.get(f"/id/{key(KENT)}", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


Quad = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node, str]


def parse_rdf(data: bytes, fmt: str) -> set[Quad]:
    """The statements of an RDF form, parsed by rdflib; the graph is "" for a triple format."""
    with warnings.catch_warnings():  # rdflib's own parsers call its deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        if fmt not in ("trig", "nq"):
            graph = rdflib.Graph().parse(data=data, format=RDFLIB_FORMATS[fmt])
            return {(s, p, o, "") for s, p, o in graph}
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format=RDFLIB_FORMATS[fmt])
    return {(s, p, o, str(g)) for s, p, o, g in dataset.quads((None, None, None, None))}


@pytest.mark.parametrize("kind", TYPES)
@pytest.mark.parametrize("fmt", list(RDFLIB_FORMATS))
def test_each_rdf_form_parses_and_holds_the_resources_asserted_triples(
    client: FlaskClient, samples: dict[str, str], kind: str, fmt: str
) -> None:
    resource = samples[kind]
    response = client.get(f"/doc/{key(resource)}.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == ACCEPTS[fmt]
    statements = parse_rdf(response.data, fmt)
    expected = rows(
        client,
        f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{resource}> ?p ?o }} "
        f"FILTER(?g != <{INFERRED}> && !isBlank(?o)) }}",
    )
    assert expected
    subject = rdflib.URIRef(resource)
    values = {(str(p), str(o)) for s, p, o, _ in statements if s == subject}
    for row in expected:
        assert (row["p"], row["o"]) in values, row
    if fmt in ("trig", "nq"):  # the quad forms keep each triple in its source's graph
        quads = {(str(p), str(o), g) for s, p, o, g in statements if s == subject}
        for row in expected:
            assert (row["p"], row["o"], row["g"]) in quads, row


def test_the_description_has_incoming_links_labels_and_the_provenance_of_its_graphs(
    client: FlaskClient,
) -> None:
    statements = parse_rdf(client.get(f"/doc/{key(KENT)}.trig").data, "trig")
    triples = {(s, p, o) for s, p, o, _ in statements}
    inspections = rows(client, f"SELECT ?i WHERE {{ ?i <{BASE}def/inspected> <{KENT}> }}")
    assert inspections
    inspected = rdflib.URIRef(f"{BASE}def/inspected")
    for row in inspections:  # who points at Kent
        assert (rdflib.URIRef(row["i"]), inspected, rdflib.URIRef(KENT)) in triples
    # labels of what Kent points to (its latest inspection)
    label = rdflib.URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    latest = rows(client, f"SELECT ?i WHERE {{ <{KENT}> <{BASE}def/latestInspection> ?i }}")
    assert any(s == rdflib.URIRef(latest[0]["i"]) and p == label for s, p, _ in triples)
    # every graph a statement comes from says which document it was derived from
    derived = rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    sources = {s for s, p, _ in triples if p == derived}
    facts = {r["g"] for r in rows(client, f"SELECT ?g WHERE {{ ?g a <{BASE}def/SourceGraph> }}")}
    graphs = {g for *_, g in statements} & facts
    assert len(graphs) > 5
    for graph in graphs:
        assert rdflib.URIRef(graph) in sources, f"no provenance for {graph}"
    # the inferred types that make Kent an org:FormalOrganization for a PROV/ORG-only client
    formal = rdflib.URIRef("http://www.w3.org/ns/org#FormalOrganization")
    assert (rdflib.URIRef(KENT), rdflib.RDF.type, formal, INFERRED) in statements


def test_an_unknown_iri_is_404_as_a_page_for_browsers_and_the_json_error_for_rdf_clients(
    client: FlaskClient,
) -> None:
    for path in ("/id/council/E99999999", "/doc/council/E99999999", "/id/nothing/at/all"):
        page = client.get(path, headers={"Accept": ACCEPTS["html"]})
        assert page.status_code == 404
        assert page.mimetype == "text/html"
        assert "Not in this graph" in page.get_data(as_text=True)
        plain = client.get(path, headers={"Accept": "text/turtle"})
        assert plain.status_code == 404
        assert plain.mimetype == "application/json"
        assert plain.get_json()["error"]["title"] == "Not in this graph"
    assert client.get("/doc/council/E99999999.ttl").status_code == 404
    assert client.get("/graph/no/such/graph").status_code == 404


def test_named_graphs_dereference_to_their_provenance(client: FlaskClient) -> None:
    graph = rows(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g LIMIT 1")[0]["g"]
    name = graph[len(BASE) :]
    response = client.get(f"/{name}", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/doc/{name}.ttl"
    # the page of a source graph: its size as the store counts it, its document, its download
    seeds = rows(
        client,
        f"SELECT ?g ?doc WHERE {{ ?g a <{BASE}def/SourceGraph> ; "
        f"<http://www.w3.org/ns/prov#wasDerivedFrom> ?doc "
        f'FILTER(STRSTARTS(STR(?g), "{BASE}graph/seeds/")) }} LIMIT 1',
    )[0]
    size = rows(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{seeds['g']}> {{ ?s ?p ?o }} }}")
    text, page = get_page(client, f"/doc/{seeds['g'][len(BASE) :]}")
    assert f"{int(size[0]['n']):,} statements" in text
    assert f"/doc/{key(seeds['doc'])}" in page.hrefs
    download = next(h for h in page.hrefs if h.startswith("/store?graph="))
    followed = client.get(download, headers={"Accept": ACCEPTS["html"]})  # as a browser follows it
    assert followed.status_code == 200 and followed.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=followed.data, format="turtle")
    assert len(graph) == int(size[0]["n"])


def test_the_server_answers_for_its_base_whatever_host_it_runs_on(client: FlaskClient) -> None:
    response = client.get(
        f"/id/{key(KENT)}", base_url=HOST, headers={"Accept": "text/turtle"}, follow_redirects=True
    )
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    assert (rdflib.URIRef(KENT), None, None) in graph
    _, page = get_page(client, f"/doc/{key(KENT)}", base_url=HOST)
    internal = [h for h in page.hrefs if h.startswith(BASE)]
    assert internal == [], "links to the base IRI instead of this host"
    assert f"/doc/{key(KENT)}.ttl" in page.hrefs


def test_etag_and_last_modified_come_from_the_dataset_version(client: FlaskClient) -> None:
    first = client.get(f"/doc/{key(KENT)}.ttl")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get(f"/doc/{key(KENT)}.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304
    html_page = client.get(f"/doc/{key(KENT)}.html")
    assert html_page.headers["ETag"] != etag  # one tag per representation


# -- The council page ---------------------------------------------------------------------------


def test_the_council_page_shows_kents_judgements_identifiers_people_and_claims_from_the_graph(
    client: FlaskClient,
) -> None:
    text, page = get_page(client, f"/doc/{key(KENT)}")
    unescaped = html.unescape(text)
    labels = rows(
        client,
        f"SELECT ?l WHERE {{ GRAPH ?g {{ <{KENT}> <http://www.w3.org/2000/01/rdf-schema#label> "
        f"?l }} FILTER(?g != <{INFERRED}>) }}",
    )
    assert re.search(r"<h1>(.*?)</h1>", unescaped).group(1) in {r["l"] for r in labels}
    # identifiers and links out, as the graph has them
    links = rows(
        client,
        f"""SELECT ?o WHERE {{ <{KENT}> ?p ?o FILTER(?p IN (
            <http://www.w3.org/2002/07/owl#sameAs>, <{BASE}def/governsArea>,
            <{BASE}def/odcOrganisation>, <{BASE}def/odcArea>, <{BASE}def/osAdminUnit>,
            <http://xmlns.com/foaf/0.1/page>) && !STRSTARTS(STR(?o), "{BASE}")) }}""",
    )
    kinds = {
        "wikidata.org",
        "statistics.data.gov.uk",
        "opendatacommunities.org",
        "ordnancesurvey",
        "reports.ofsted.gov.uk",
    }
    assert all(any(k in r["o"] for r in links) for k in kinds)
    for row in links:
        assert row["o"] in page.hrefs
    for code in rows(
        client,
        f"SELECT ?c WHERE {{ <{KENT}> <{BASE}def/gssCode>|<{BASE}def/ofstedUrn>"
        f"|<{BASE}def/dfeCode> ?c }}",
    ):
        assert re.search(rf">\s*{code['c']}\s*<", text), code
    # the official overall grades, in the table
    grades = rows(
        client,
        f"""SELECT ?j ?grade WHERE {{
          ?j <{BASE}def/judgementOf> <{KENT}> ;
             <{BASE}def/area> <{BASE}def/area/overall-effectiveness> ;
             <{BASE}def/grade>/<http://www.w3.org/2004/02/skos/core#prefLabel> ?grade }}""",
    )
    assert grades
    for row in grades:
        assert f"/doc/{key(row['j'])}" in page.hrefs
    # people and their posts
    people = rows(
        client,
        f"SELECT DISTINCT ?p WHERE {{ ?m <http://www.w3.org/ns/org#organization> <{KENT}> ; "
        "<http://www.w3.org/ns/org#member> ?p }",
    )
    assert people
    for row in people:
        assert f"/doc/{key(row['p'])}" in page.hrefs
    # the claims about Kent: every quotation, verbatim, with its speaker linked
    quotations = rows(
        client,
        f"""SELECT ?words ?speaker WHERE {{ ?c <{BASE}def/about> <{KENT}> ;
             <{BASE}def/quotation> ?words ; <http://www.w3.org/ns/prov#wasAttributedTo> ?speaker
             FILTER(STRSTARTS(STR(?speaker), "{BASE}")) }}""",
    )
    assert len(quotations) >= 10
    for row in quotations:
        assert row["words"] in unescaped
        assert f"/doc/{key(row['speaker'])}" in page.hrefs
    # the reconciliation outcome of a checked claim
    assert "Checked against Ofsted's record" in unescaped
    # the header links to the query page and the index
    assert "/" in page.hrefs and "/doc/council" in page.hrefs
    assert page.lang == "en"


def test_the_chart_has_one_mark_per_dated_judgement(client: FlaskClient) -> None:
    _, page = get_page(client, f"/doc/{key(KENT)}")
    dated = rows(
        client,
        f"""SELECT DISTINCT ?j WHERE {{
          ?j <{BASE}def/judgementOf> <{KENT}> ; <{BASE}def/grade>/<{BASE}def/rank> ?rank .
          {{ ?j <http://www.w3.org/ns/prov#wasGeneratedBy>/<{BASE}def/publicationDate> ?d }}
          UNION {{ ?j <{BASE}def/judgementYear> ?y }} }}""",
    )
    assert len(dated) > 10
    assert sorted(page.marks) == sorted(r["j"] for r in dated)


def test_the_chart_is_accessible_svg_with_a_table_alternative(client: FlaskClient) -> None:
    text, _ = get_page(client, f"/doc/{key(KENT)}")
    svg = text[text.index("<svg") : text.index("</svg>")]
    # a group (not role="img", which would hide the marks' links from assistive technology)
    assert 'role="group"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">' in svg and '<desc id="chart-desc">' in svg
    marks = re.findall(r'<a class="mark"[^>]*aria-label="([^"]+)"[^>]*><title>([^<]+)</title>', svg)
    assert marks and len(marks) == svg.count('class="mark"')  # every mark is named
    assert all(label == title for label, title in marks)
    assert '<table class="judgements">' in text


def test_every_fact_on_every_page_links_to_its_source(
    client: FlaskClient, samples: dict[str, str]
) -> None:
    paths = [f"/doc/{key(iri)}" for iri in samples.values()]
    paths += ["/doc/council", f"/doc/person/{key(samples['person']).split('/', 1)[1]}"]
    for path in paths:
        _, page = get_page(client, path)
        assert page.facts > 0, path
        assert page.facts_without_source == 0, path


def test_pages_fetch_nothing_from_other_hosts(client: FlaskClient, samples: dict[str, str]) -> None:
    for path in [f"/doc/{key(iri)}" for iri in samples.values()] + ["/doc/council"]:
        _, page = get_page(client, path)
        assert page.fetched, path  # the stylesheet at least
        for tag, url in page.fetched:
            if tag == "link" and url.startswith("/doc/"):
                continue  # rel=alternate: the machine twins, on this host
            assert not re.match(r"^(https?:)?//", url), (path, tag, url)
        css = client.get(next(u for t, u in page.fetched if u.endswith(".css")))
        assert css.status_code == 200
        assert "http" not in css.get_data(as_text=True)
        css.close()


def test_each_page_links_its_machine_twins(client: FlaskClient, samples: dict[str, str]) -> None:
    for iri in samples.values():
        _, page = get_page(client, f"/doc/{key(iri)}")
        for fmt in RDFLIB_FORMATS:
            assert f"/doc/{key(iri)}.{fmt}" in page.hrefs


def test_the_claim_page_shows_the_evidence_chain(client: FlaskClient) -> None:
    chain = rows(
        client,
        f"""SELECT ?c ?words ?speaker ?doc ?publisher ?outcome WHERE {{
          ?c <{BASE}def/asserts> ?j ; <{BASE}def/quotation> ?words ;
             <http://www.w3.org/ns/prov#wasAttributedTo> ?speaker ;
             <http://www.w3.org/ns/prov#wasQuotedFrom> ?doc .
          ?doc <http://purl.org/dc/terms/publisher> ?publisher .
          ?r <{BASE}def/verdictOn> ?c ; <http://purl.org/dc/terms/hasPart> ?part ;
             <{BASE}def/reconciliationOutcome> ?outcome .
          FILTER(STRSTARTS(STR(?speaker), "{BASE}") && STRSTARTS(STR(?publisher), "{BASE}"))
        }} ORDER BY ?c LIMIT 1""",
    )
    assert chain, "the graph has no checked quotation"
    row = chain[0]
    text, page = get_page(client, f"/doc/{key(row['c'])}")
    assert row["words"] in html.unescape(text)
    for name in ("speaker", "doc", "publisher"):
        assert f"/doc/{key(row[name])}" in page.hrefs
    assert row["outcome"][len(BASE) :] in " ".join(page.hrefs)


def test_a_finding_without_a_label_is_named_by_its_description(client: FlaskClient) -> None:
    found = rows(
        client,
        f"""SELECT ?c ?f ?words WHERE {{
          ?c <{BASE}def/asserts> ?f . ?f <{BASE}def/description> ?words
          FILTER NOT EXISTS {{ ?f <http://www.w3.org/2000/01/rdf-schema#label> ?l }}
        }} ORDER BY STRLEN(?words) LIMIT 1""",
    )
    assert found, "no claim asserts an unlabelled finding"
    row = found[0]
    text = html.unescape(get_page(client, f"/doc/{key(row['c'])}")[0])
    link = re.search(rf'href="[^"]*{re.escape(key(row["f"]))}"[^>]*>([^<]*)<', text)
    assert link, "the finding is not linked"
    shown = link.group(1).rstrip("…")
    assert shown and row["words"].startswith(shown)


def test_unlabelled_judgements_and_fieldwork_are_named_by_what_they_say(
    client: FlaskClient,
) -> None:
    skos = "http://www.w3.org/2004/02/skos/core#prefLabel"
    time_ns = "http://www.w3.org/2006/time#"
    found = rows(
        client,
        f"""SELECT ?i ?j ?area ?grade ?w ?from ?to WHERE {{
          ?j <http://www.w3.org/ns/prov#wasGeneratedBy> ?i ;
             <{BASE}def/area>/<{skos}> ?area ; <{BASE}def/grade>/<{skos}> ?grade .
          FILTER NOT EXISTS {{ ?j <http://www.w3.org/2000/01/rdf-schema#label> ?l }}
          ?i <{BASE}def/fieldwork> ?w . ?w <{time_ns}hasBeginning>/<{time_ns}inXSDDate> ?from ;
             <{time_ns}hasEnd>/<{time_ns}inXSDDate> ?to .
        }} LIMIT 1""",
    )
    assert found, "no inspection with fieldwork dates and an unlabelled judgement"
    row = found[0]
    text = html.unescape(get_page(client, f"/doc/{key(row['i'])}")[0])

    def named(term: str) -> list[str]:
        return re.findall(rf'href="[^"]*/doc/{re.escape(key(term))}"[^>]*>([^<]*)<', text)

    assert f"{row['area']}: {row['grade']}" in named(row["j"])
    start = dt.date.fromisoformat(row["from"])
    assert any(n.startswith(f"{start.day} ") and " to " in n for n in named(row["w"]))


def test_a_checksum_is_named_by_its_value(client: FlaskClient) -> None:
    spdx = "http://spdx.org/rdf/terms#"
    found = rows(
        client,
        f"""SELECT ?doc ?sum ?value WHERE {{
          ?doc <http://www.w3.org/ns/dcat#distribution>/<{spdx}checksum> ?sum .
          ?sum <{spdx}checksumValue> ?value
          FILTER(STRSTARTS(STR(?doc), "{BASE}id/document/"))
        }} LIMIT 1""",
    )
    assert found, "no document with a checksum"
    row = found[0]
    text = html.unescape(get_page(client, f"/doc/{key(row['doc'])}")[0])
    names = re.findall(rf'href="[^"]*/doc/{re.escape(key(row["sum"]))}"[^>]*>([^<]*)<', text)
    assert names and all(name == f"checksum {row['value']}" for name in names)


def test_classes_from_other_vocabularies_are_shown_by_prefix(client: FlaskClient) -> None:
    contact = "http://www.w3.org/2000/10/swap/pim/contact#Person"
    people = rows(
        client,
        f'SELECT ?p WHERE {{ ?p a <{contact}> FILTER(STRSTARTS(STR(?p), "{BASE}id/person/")) }} '
        "ORDER BY ?p LIMIT 1",
    )
    assert people, "no person is typed contact:Person (FOAF's axioms, by reasoning)"
    text, _ = get_page(client, f"/doc/{key(people[0]['p'])}")
    assert re.search(rf'href="{re.escape(contact)}"[^>]*>contact:Person<', text)
    assert f">{contact}<" not in text


def test_the_document_page_prints_a_year_as_a_year(client: FlaskClient) -> None:
    docs = rows(
        client,
        """SELECT ?d ?issued WHERE { ?d <http://purl.org/dc/terms/issued> ?issued ;
             <http://purl.org/dc/terms/title> ?t
           FILTER(DATATYPE(?issued) = <http://www.w3.org/2001/XMLSchema#gYear>) } LIMIT 1""",
    )
    assert docs
    text, _ = get_page(client, f"/doc/{key(docs[0]['d'])}")
    year = docs[0]["issued"]
    assert re.search(rf">\s*{year}\s*<", text)
    assert f"1 January {year}" not in text


def test_the_council_index_has_rdf_twins_with_every_council_and_its_latest_inspection(
    client: FlaskClient,
) -> None:
    _, page = get_page(client, "/doc/council")
    councils = {
        r["c"]
        for r in rows(
            client,
            f"SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ ?c a <{BASE}def/Council> }} "
            f"FILTER(?g != <{INFERRED}>) }}",
        )
    }
    latest = rows(client, f"SELECT ?i WHERE {{ <{KENT}> <{BASE}def/latestInspection> ?i }}")
    for fmt in RDFLIB_FORMATS:
        assert f"/doc/council.{fmt}" in page.hrefs
        statements = parse_rdf(client.get(f"/doc/council.{fmt}").data, fmt)
        typed = {str(s) for s, p, o, _ in statements if o == rdflib.URIRef(f"{BASE}def/Council")}
        assert typed == councils, fmt
        assert (
            rdflib.URIRef(KENT),
            rdflib.URIRef(f"{BASE}def/latestInspection"),
            rdflib.URIRef(latest[0]["i"]),
        ) in {(s, p, o) for s, p, o, _ in statements}


def test_the_council_index_is_reached_from_its_iri_and_with_a_trailing_slash(
    client: FlaskClient,
) -> None:
    seen = client.get("/id/council", headers={"Accept": "text/html"})
    assert seen.status_code == 303
    assert seen.headers["Location"].endswith("/doc/council")
    turtle = client.get("/id/council", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 303
    assert turtle.headers["Location"].endswith("/doc/council.ttl")
    slash = client.get("/doc/council/")
    assert slash.status_code == 301
    assert slash.headers["Location"].endswith("/doc/council")
    assert client.get("/doc/council/", follow_redirects=True).status_code == 200


def test_the_council_index_lists_every_council_with_its_current_grade(client: FlaskClient) -> None:
    text, page = get_page(client, "/doc/council")
    councils = rows(
        client,
        f"SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ ?c a <{BASE}def/Council> }} "
        f"FILTER(?g != <{INFERRED}>) }}",
    )
    assert len(councils) > 100
    for row in councils:
        assert f"/doc/{key(row['c'])}" in page.hrefs
    latest = rows(
        client,
        f"""SELECT ?grade WHERE {{ <{KENT}> <{BASE}def/latestInspection> ?i .
          ?j <http://www.w3.org/ns/prov#wasGeneratedBy> ?i ;
             <{BASE}def/area> <{BASE}def/area/overall-effectiveness> ;
             <{BASE}def/grade>/<http://www.w3.org/2004/02/skos/core#prefLabel> ?grade }}""",
    )
    row_html = text[text.index(f'href="/doc/{key(KENT)}"') :]
    row_html = row_html[: row_html.index("</tr>")]
    assert latest[0]["grade"] in row_html


def test_the_council_index_gives_an_abolished_council_its_last_inspection(
    client: FlaskClient,
) -> None:
    text, _ = get_page(client, "/doc/council")
    last = rows(
        client,
        f"""SELECT ?c (MAX(?date) AS ?when) WHERE {{
          ?c <{BASE}def/endDate> ?end .
          FILTER NOT EXISTS {{ ?c <{BASE}def/latestInspection> ?any }}
          ?i <{BASE}def/inspected> ?c ; <{BASE}def/publicationDate> ?date .
          FILTER(STRSTARTS(STR(?c), "{BASE}")) }} GROUP BY ?c""",
    )
    assert len(last) >= 4  # Bournemouth, Poole, Dorset, Northamptonshire, Cumbria
    for row in last:
        row_html = text[text.index(f'href="/doc/{key(row["c"])}"') :]
        row_html = row_html[: row_html.index("</tr>")]
        assert "abolished" in row_html and "no inspection recorded" not in row_html
        when = dt.date.fromisoformat(row["when"])
        assert f"{when.day} {when:%B %Y}" in row_html, row["c"]


# -- Scratch stores: escaping, vague dates, another base, nothing at all -------------------------

SCRATCH = """
@prefix okg: <{base}def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<{base}graph/seeds/evil> {{
  <{base}graph/seeds/evil> a okg:SourceGraph ; rdfs:label "facts from <b>an evil</b> article" ;
      prov:wasDerivedFrom <{base}id/document/evil> .
  <{base}id/council/X1> a okg:Council ; rdfs:label "<script>alert('council')</script>" ;
      okg:gssCode "X1\\"><img src=x onerror=alert(1)>" ; dct:source <{base}id/document/evil> .
  <{base}id/document/evil> a okg:NewsArticle ; dct:title "Evil & <i>bold</i>" ;
      dct:issued "2011"^^xsd:gYear ; dct:publisher <{base}id/organisation/evil-press> .
  <{base}id/organisation/evil-press> rdfs:label "Evil Press" .
  <{base}id/claim/evil/one> a okg:Quotation ; okg:about <{base}id/council/X1> ;
      okg:quotation "</blockquote><script>alert('quote')</script>" ;
      prov:wasAttributedTo <{base}id/organisation/evil-press> ;
      prov:wasDerivedFrom <{base}id/document/evil> .
}}
"""


def scratch_app(directory: Path, base: str = BASE) -> Flask:
    store = open_store(directory, writable=True)
    store.add_quads(ox.parse(SCRATCH.format(base=base).encode(), ox.RdfFormat.TRIG))
    store.refresh_union()
    store.flush()
    store.close()
    return create_app({"store": directory, "base": base, "workers": 1, "TESTING": True})


def test_everything_from_the_graph_is_escaped(tmp_path: Path) -> None:
    client = scratch_app(tmp_path / "store").test_client()
    for path in ("/doc/council/X1", "/doc/document/evil", "/doc/claim/evil/one", "/doc/council"):
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert "<script>alert" not in text, path
        assert "<img src=x" not in text and "<b>an evil" not in text and "<i>bold" not in text
    text = client.get("/doc/council/X1").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;council&#39;)&lt;/script&gt;" in text
    assert "&lt;/blockquote&gt;&lt;script&gt;alert(&#39;quote&#39;)" in text
    assert re.search(r">\s*2011\s*<", client.get("/doc/document/evil").get_data(as_text=True))


def test_another_base_iri_is_served_on_this_host(tmp_path: Path) -> None:
    base = "http://data.example.org/kg/"
    client = scratch_app(tmp_path / "store", base).test_client()
    response = client.get("/id/council/X1", headers={"Accept": "application/n-triples"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/doc/council/X1.nt"
    data = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"<{base}id/council/X1> <http://www.w3.org/2000/01/rdf-schema#label>" in data
    _, page = get_page(client, "/doc/council/X1")
    assert "/doc/claim/evil/one" in page.hrefs
    assert not [h for h in page.hrefs if h.startswith(base)]
    assert client.get("/id/council/E10000016").status_code == 404  # not under this base


def test_an_empty_store_knows_nothing_and_says_so(tmp_path: Path) -> None:
    client = create_app({"store": tmp_path / "empty", "workers": 1, "TESTING": True}).test_client()
    assert client.get("/id/council/E10000016").status_code == 404
    index = client.get("/doc/council")
    assert index.status_code == 200
    assert "0 councils" in index.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/id/council/a%20b",
        "/id/council/%3Cscript%3E",
        "/doc/council/%22.ttl",
        "/id/council/%00",
        "/doc/%7B%7D",
        "/id/council/E10000016/",
        "/doc/council/E10000016.",
        "/doc/council/E10000016.exe",
        "/graph/%20",
    ],
)
def test_a_key_that_is_no_iri_of_the_graph_is_404_never_500(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "<script>" not in response.get_data(as_text=True)


def test_a_write_changes_the_pages_and_their_etag(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    scratch_app(directory)  # makes the store
    app = create_app({"store": directory, "update_token": "T", "workers": 1, "TESTING": True})
    client = app.test_client()
    before = client.get("/doc/council/X1")
    assert "Renamed council" not in before.get_data(as_text=True)
    update = (
        f"INSERT DATA {{ GRAPH <{BASE}graph/seeds/evil> {{ <{BASE}id/council/X1> "
        '<http://www.w3.org/2000/01/rdf-schema#comment> "Renamed council" } }'
    )
    response = client.post(
        "/sparql", data={"update": update}, headers={"Authorization": "Bearer T"}
    )
    assert response.status_code == 204, response.get_data(as_text=True)
    after = client.get("/doc/council/X1", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "Renamed council" in after.get_data(as_text=True)


# -- The page queries: files a person can run, filled in by the server ---------------------------

QUERY_FILES = sorted(FOLDER.glob("*.rq"))


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_each_page_query_runs_as_written_and_answers_its_example(
    path: Path, served_store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["query", f"@{path}", "--store", str(served_store_dir), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    answer = json.loads(out)
    assert answer.get("boolean") is True or answer["results"]["bindings"], "no answer"


@pytest.mark.parametrize("query", QUERIES.values(), ids=list(QUERIES))
def test_each_page_query_says_what_it_asks_and_uses_the_common_prefixes(query: Query) -> None:
    assert query.question.endswith((".", "?")), "the file's first comment says what it asks"
    for name, namespace in query.prefixes.items():
        if name in PREFIXES:
            assert namespace == PREFIXES[name], name


@pytest.mark.parametrize("query", QUERIES.values(), ids=list(QUERIES))
def test_each_page_query_filled_in_for_another_base_parses_and_names_nothing_of_the_old(
    query: Query,
) -> None:
    other = "http://data.example.org/kg/"
    values: dict[str, str | list[str]] = {name: f"{other}id/thing/{name}" for name in query.single}
    values.update({name: [f"{other}id/a", f"{other}id/b"] for name in query.lists})
    text = query.fill(other, **values)
    assert BASE not in "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    ox.Store().query(text)  # parses (and runs, on nothing)


def test_a_filled_query_runs_through_the_endpoint(client: FlaskClient) -> None:
    text = fill("judgements", BASE, council=KENT)
    assert f"PREFIX council: <{KENT}>" in text
    assert len(rows(client, text)) > 10


@pytest.mark.parametrize(
    "value",
    [
        f"{KENT}> }} DROP ALL #",
        f"{KENT} ",
        f'{KENT}"',
        "no-iri-at-all",
        "",
    ],
)
def test_a_parameter_that_is_no_iri_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        fill("judgements", BASE, council=value)
    with pytest.raises(ValueError):
        fill("claims", BASE, c=[KENT, value])


def test_a_parameter_missing_unknown_or_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(TypeError, match="missing"):
        fill("judgements", BASE)
    with pytest.raises(TypeError, match="unknown"):
        fill("judgements", BASE, council=KENT, person=KENT)
    with pytest.raises(TypeError):
        fill("claims", BASE, c=KENT)  # a list of IRIs, not one
    with pytest.raises(TypeError):
        fill("judgements", BASE, council=[KENT])


# -- A page's data without Flask: a query function over an in-memory store ------------------------

TINY = """
@prefix okg: <{base}def/> .
@prefix area: <{base}def/area/> .
@prefix grade: <{base}def/grade/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<{base}graph/vocab/grades> {{
  grade:good skos:prefLabel "Good"@en ; okg:rank 2 .
  grade:inadequate skos:prefLabel "Inadequate"@en ; okg:rank 4 .
  area:overall-effectiveness skos:prefLabel "Overall effectiveness"@en .
  okg:framework-ilacs skos:prefLabel "ILACS"@en .
}}
<{base}graph/official/table> {{
  <{base}graph/official/table> rdfs:label "Ofsted's table" .
  <{base}id/council/X1> a okg:Council ; rdfs:label "Testshire" ; okg:gssCode "X1" ;
      okg:latestInspection <{base}id/inspection/X1/ilacs/2019-03-04> .
  <{base}id/inspection/X1/ilacs/2019-03-04> okg:inspected <{base}id/council/X1> ;
      okg:publicationDate "2019-03-04"^^xsd:date ; okg:framework okg:framework-ilacs .
  <{base}id/judgement/X1/ilacs/2019-03-04/overall> okg:judgementOf <{base}id/council/X1> ;
      prov:wasGeneratedBy <{base}id/inspection/X1/ilacs/2019-03-04> ;
      okg:area area:overall-effectiveness ; okg:grade grade:good .
}}
<{base}graph/seeds/paper> {{
  <{base}graph/seeds/paper> rdfs:label "facts from a paper" ;
      prov:wasDerivedFrom <{base}id/document/paper> .
  <{base}id/document/paper> dct:title "The Paper, 2011" ; dct:issued "2011"^^xsd:gYear .
  <{base}id/judgement/paper/2011> okg:judgementOf <{base}id/council/X1> ;
      okg:judgementYear "2011"^^xsd:gYear ; okg:area area:overall-effectiveness ;
      okg:grade grade:inadequate .
  <{base}id/claim/paper/one> a okg:Quotation ; okg:about <{base}id/council/X1> ;
      okg:quotation "a long way to go" ; prov:wasDerivedFrom <{base}id/document/paper> .
}}
"""


def query_function(store: ox.Store) -> Callable[[str], list[Row]]:
    """The pages' query function over a pyoxigraph store (the default graph: every graph)."""

    def select(text: str) -> list[Row]:
        solutions = store.query(text, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        variables = [v.value for v in solutions.variables]
        found: list[Row] = []
        for solution in solutions:
            row: Row = {}
            for name in variables:
                term = solution[name]
                if term is not None:
                    assert not isinstance(term, ox.Triple)
                    row[name] = term
            found.append(row)
        return found

    return select


@pytest.mark.parametrize("base", [BASE, "http://data.example.org/kg/"])
def test_a_councils_data_is_built_without_flask_from_a_query_function(base: str) -> None:
    store = ox.Store()
    store.extend(ox.parse(TINY.format(base=base).encode(), ox.RdfFormat.TRIG))
    select = query_function(store)
    site = Site(base, root="/kg")
    labeller = Labeller(site, make_catalogue(select, site))
    council = f"{base}id/council/X1"

    reported, official = judgements_of(select, labeller, council)
    assert (reported.iri, reported.precision, reported.date_value) == (
        f"{base}id/judgement/paper/2011",
        "year",
        "2011",
    )
    assert reported.grade is not None and reported.grade.text == "Inadequate"
    assert reported.rank == 4 and not reported.official
    assert [(s.text, s.href) for s in reported.sources] == [
        ("The Paper, 2011", "/kg/doc/document/paper")
    ]
    assert official.date is not None and official.date.text == "4 March 2019"
    assert official.framework is not None and official.framework.text == "ILACS"
    assert official.grade is not None and official.grade.text == "Good"
    assert official.rank == 2 and official.official
    assert official.shown.href == "/kg/doc/judgement/X1/ilacs/2019-03-04/overall"
    assert [s.text for s in official.sources] == ["Ofsted's table"]

    chart = timeline([reported, official])
    assert chart is not None and (chart.first, chart.last) == ("2011", "2019")
    assert [(m.judgement, m.filled) for m in chart.marks] == [
        (reported.iri, False),
        (official.iri, True),
    ]

    (claim,) = claims_where(select, labeller, "claims-about", council=council)
    assert claim.quotations == ["a long way to go"]
    assert claim.document is not None and claim.document.text == "The Paper, 2011"
    assert claim.issued is not None and claim.issued.text == "2011"

    index = council_index(select, Labeller(site, make_catalogue(select, site)))
    (row,) = index["councils"]
    assert (row.council.text, row.code, row.rank) == ("Testshire", "X1", 2)
    assert row.grade is not None and row.grade.text == "Good"
    assert index["page"].alternates[0] == ("/kg/doc/council.ttl", "text/turtle", "Turtle")


def test_a_description_built_from_the_store_shows_as_facts_with_sources() -> None:
    store = ox.Store()
    store.extend(ox.parse(TINY.format(base=BASE).encode(), ox.RdfFormat.TRIG))
    select = query_function(store)
    site = Site(BASE)
    council = f"{BASE}id/council/X1"
    description = Description(
        council, frozenset(store.quads_for_pattern(ox.NamedNode(council), None, None))
    )
    labeller = Labeller(site, make_catalogue(select, site))
    labeller.add(description)
    assert labeller.label(council) == "Testshire"
    shown = labeller.show(ox.NamedNode(f"{BASE}id/inspection/X1/ilacs/2019-03-04"))
    assert shown.href == "/doc/inspection/X1/ilacs/2019-03-04" and not shown.external
