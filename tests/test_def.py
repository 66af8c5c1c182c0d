"""/def/: the ontology documented for people and served as RDF, every term of ontology/okg.ttl
listed, term IRIs resolving, code lists in their order."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from flask import Flask, render_template
from flask.testing import FlaskClient
from ofsted_kg.web.ontology import Ontology, documented
from rdflib.namespace import OWL, RDF, RDFS, SKOS

pytestmark = pytest.mark.usefixtures("clean_environment")

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
DEF = "https://w3id.org/ofsted-kg/def/"


@pytest.fixture(scope="module")
def app_config(served_store_dir: Path) -> dict[str, Any]:
    return {"store": served_store_dir}


@pytest.fixture
def page(client: FlaskClient) -> str:
    response = client.get("/def/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.content_type.startswith("text/html")
    return response.get_data(as_text=True)


@pytest.fixture(scope="module")
def okg() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / "okg.ttl")


def local(term: rdflib.term.Node) -> str:
    return str(term).removeprefix(DEF)


def section(page: str, anchor: str) -> str:
    match = re.search(
        rf'<section class="term" id="{re.escape(anchor)}">(.*?)</section>', page, re.S
    )
    assert match, f"no section for {anchor}"
    return match.group(1)


def test_every_class_of_okg_ttl_is_documented(page: str, okg: rdflib.Graph) -> None:
    classes = set(okg.subjects(RDF.type, OWL.Class))
    assert len(classes) > 10
    for cls in classes:
        block = html.unescape(section(page, local(cls)))
        assert str(okg.value(cls, RDFS.label)) in block
        assert str(okg.value(cls, RDFS.comment))[:40] in block


def test_every_property_of_okg_ttl_is_documented_with_domain_and_range(
    page: str, okg: rdflib.Graph
) -> None:
    properties = set(okg.subjects(RDF.type, OWL.ObjectProperty)) | set(
        okg.subjects(RDF.type, OWL.DatatypeProperty)
    )
    assert len(properties) > 20
    for prop in properties:
        block = section(page, local(prop))
        for kind in ("domain", "range"):
            value = okg.value(prop, RDFS.domain if kind == "domain" else RDFS.range)
            if value is None:
                continue
            shown = (
                f"okg:{local(value)}" if str(value).startswith(DEF) else str(value).split("#")[-1]
            )
            row = re.search(rf"<th scope=\"row\">{kind}</th><td>(.*?)</td>", block)
            assert row and shown in row.group(1), f"{prop} {kind} {value}"


def test_alignments_link_to_standard_vocabularies_without_documenting_them(page: str) -> None:
    block = section(page, "Judgement")
    assert 'href="http://www.w3.org/ns/prov#Entity"' in block
    assert 'id="Activity"' not in page  # prov:Activity is linked to, not documented


def test_grade_scale_concepts_in_their_order(page: str) -> None:
    grades = rdflib.Graph().parse(ONTOLOGY / "grades.ttl")
    order = rdflib.URIRef(DEF + "grade/2013/order")
    members = [
        str(m) for m in rdflib.collection.Collection(grades, grades.value(order, SKOS.memberList))
    ]
    assert len(members) == 4
    scheme = re.search(r'<section class="scheme" id="grade/2013">(.*?)</section>', page, re.S)
    assert scheme
    shown = re.findall(r'<li id="([^"]+)"', scheme.group(1))
    assert shown == [local(rdflib.URIRef(m)) for m in members]


def test_every_code_list_is_documented(page: str) -> None:
    schemes: set[str] = set()
    for path in ONTOLOGY.glob("*.ttl"):
        graph = rdflib.Graph().parse(path)
        schemes |= {local(s) for s in graph.subjects(RDF.type, SKOS.ConceptScheme)}
    assert schemes
    for scheme in schemes:
        assert f'<section class="scheme" id="{scheme}">' in page


# -- RDF ------------------------------------------------------------------------------------------


def def_triples() -> int:
    count = 0
    for path in ONTOLOGY.glob("*.ttl"):
        count += len(rdflib.Graph().parse(path))
    return count


@pytest.mark.parametrize(
    ("path", "accept", "fmt"),
    [
        ("/def/", "*/*", ox.RdfFormat.TURTLE),
        ("/def/", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("/def/ontology.ttl", "text/html", ox.RdfFormat.TURTLE),
        ("/def/ontology.jsonld", "*/*", ox.RdfFormat.JSON_LD),
        ("/def/ontology.nt", "*/*", ox.RdfFormat.N_TRIPLES),
        ("/def/ontology.rdf", "*/*", ox.RdfFormat.RDF_XML),
    ],
)
def test_the_ontology_as_rdf(
    path: str, accept: str, fmt: ox.RdfFormat, client: FlaskClient
) -> None:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    triples = list(ox.parse(response.data, fmt))
    assert len(triples) == def_triples()


def test_a_class_iri_resolves(client: FlaskClient) -> None:
    browser = client.get("/def/Judgement", headers={"Accept": "text/html"})
    assert browser.status_code == 303
    assert browser.headers["Location"].endswith("#Judgement")
    rdf = client.get("/def/Judgement", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 200
    triples = list(ox.parse(rdf.data, ox.RdfFormat.TURTLE))
    assert ox.NamedNode(DEF + "Judgement") in {t.subject for t in triples}
    assert any(t.predicate.value == str(RDFS.label) for t in triples)


def test_a_grade_iri_and_its_scheme_resolve(client: FlaskClient) -> None:
    good = client.get("/def/grade/2013/good.ttl")
    assert good.status_code == 200
    labels = [
        t.object.value
        for t in ox.parse(good.data, ox.RdfFormat.TURTLE)
        if t.predicate.value == str(SKOS.prefLabel)
    ]
    assert labels == ["Good"]
    browser = client.get("/def/grade/2013/good", headers={"Accept": "text/html"})
    assert browser.status_code == 303
    assert browser.headers["Location"] == "../../#grade/2013/good"
    scheme = client.get("/def/grade/2013", headers={"Accept": "application/n-triples"})
    subjects = {t.subject for t in ox.parse(scheme.data, ox.RdfFormat.N_TRIPLES)}
    assert ox.NamedNode(DEF + "grade/2013/requires-improvement") in subjects


def test_unknown_terms_are_404(client: FlaskClient) -> None:
    for path in ("/def/NoSuchClass", "/def/NoSuchClass.ttl", "/def/grade/1999/good"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "/def/" in response.get_json()["error"]["detail"]


# -- Negotiation and conditional requests (web.http) ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/def/", {"Accept": "image/png"}),
        ("/def/?format=pdf", {}),
        ("/def/Judgement", {"Accept": "image/png"}),
    ],
)
def test_what_is_not_offered_is_406_in_the_one_error_shape(
    path: str, headers: dict[str, str], client: FlaskClient
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == 406
    error = response.get_json()["error"]
    assert error["status"] == 406 and error["title"] == "Not acceptable"
    assert "turtle" in error["detail"]


@pytest.mark.parametrize(
    ("path", "accept", "variant"),
    [
        ("/def/", "text/html", "html"),
        ("/def/", "text/turtle", "turtle"),
        ("/def/ontology.jsonld", "*/*", "jsonld"),
        ("/def/Judgement", "application/n-triples", "ntriples"),
        ("/def/grade/2013/good.ttl", "*/*", "turtle"),
    ],
)
def test_answers_carry_the_versions_etag_and_a_current_copy_is_304(
    path: str, accept: str, variant: str, client: FlaskClient
) -> None:
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert re.fullmatch(rf'W/"[^"]+-{variant}"', etag), etag
    assert "Accept" in first.headers["Vary"]
    again = client.get(path, headers={"Accept": accept, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get(path, headers={"Accept": accept, "If-None-Match": 'W/"stale-html"'})
    assert other.status_code == 200


def test_the_html_and_the_turtle_have_different_etags(client: FlaskClient) -> None:
    page = client.get("/def/", headers={"Accept": "text/html"}).headers["ETag"]
    turtle = client.get("/def/", headers={"Accept": "text/turtle"})
    assert turtle.headers["ETag"] != page
    assert (
        client.get("/def/", headers={"Accept": "text/turtle", "If-None-Match": page}).status_code
        == 200
    )


# -- The page escapes what the data says ----------------------------------------------------------


def test_text_from_the_data_is_escaped_by_the_template(app: Flask) -> None:
    """Labels, comments and IRIs are the data's, not markup: the template escapes them."""
    ns = "https://w3id.org/ofsted-kg/def/"
    node = ox.NamedNode(ns + "Odd")
    triples = [
        ox.Triple(node, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OWL.Class))),
        ox.Triple(node, ox.NamedNode(str(RDFS.label)), ox.Literal("<b>bold</b> & co")),
        ox.Triple(node, ox.NamedNode(str(RDFS.comment)), ox.Literal('Says "<script>"')),
        ox.Triple(node, ox.NamedNode(str(RDFS.subClassOf)), ox.NamedNode("http://e.org/it's&more")),
    ]
    with app.test_request_context("/def/"):
        page = render_template("ontology.html", **documented(Ontology(ns, triples)))
    assert "<b>" not in page and "<script>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert 'href="http://e.org/it&#39;s&amp;more"' in page
