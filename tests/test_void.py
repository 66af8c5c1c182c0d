"""/.well-known/void: VoID statistics equal to counts made from the store, a DCAT description of the
dataset, its dumps and its endpoint, licences and attributions read from the graph."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from ofsted_kg.store.directories import open_existing
from ofsted_kg.store.dumps import DUMP_FORMATS

pytestmark = pytest.mark.usefixtures("clean_environment")

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OGL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
MIT = "https://opensource.org/licenses/MIT"


@pytest.fixture(scope="module")
def app_config(served_store_dir: Path) -> dict[str, Any]:
    return {"store": served_store_dir}


@pytest.fixture
def description(client: FlaskClient) -> ox.Store:
    response = client.get("/.well-known/void")
    assert response.status_code == 200
    assert response.content_type.startswith("text/turtle")
    store = ox.Store()
    store.load(response.data, ox.RdfFormat.TURTLE)
    return store


def one(store: ox.Store, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> ox.Term:
    values = [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]
    assert len(values) == 1, f"{subject} {predicate}: {values}"
    return values[0]


def number(store: ox.Store, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> int:
    return int(one(store, subject, VOID + predicate).value)


def dataset(store: ox.Store) -> ox.NamedNode:
    found = [
        q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(DCAT + "Dataset"))
    ]
    main = [s for s in found if isinstance(s, ox.NamedNode) and s.value.endswith("#ofsted-kg")]
    assert len(main) == 1
    return main[0]


def sparql_count(client: FlaskClient, query: str) -> int:
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.data
    row = response.get_json()["results"]["bindings"][0]
    return int(next(iter(row.values()))["value"])


# -- Statistics -----------------------------------------------------------------------------------


def test_totals_equal_counts_of_the_store(description: ox.Store, served_store_dir: Path) -> None:
    """Counted in Python from the store's quads, not by the queries the server runs."""
    store = open_existing(served_store_dir)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()}
    store.close()
    node = dataset(description)
    assert number(description, node, "triples") == len(triples)
    assert number(description, node, "distinctSubjects") == len({t.subject for t in triples})
    assert number(description, node, "distinctObjects") == len({t.object for t in triples})
    assert number(description, node, "properties") == len({t.predicate for t in triples})
    typed = [t for t in triples if t.predicate == RDF_TYPE]
    assert number(description, node, "classes") == len({t.object for t in typed})
    entities = {t.subject for t in typed if isinstance(t.subject, ox.NamedNode)}
    assert number(description, node, "entities") == len(entities)


def test_every_named_graph_is_a_subset_with_its_sparql_counts(
    description: ox.Store, client: FlaskClient, served_store_dir: Path
) -> None:
    store = open_existing(served_store_dir)
    graphs = store.named_graphs()
    store.close()
    node = dataset(description)
    subsets = {
        q.object.value
        for q in description.quads_for_pattern(node, ox.NamedNode(VOID + "subset"), None)
    }
    assert subsets == set(graphs)
    for graph in (g for g in graphs if "/seeds/" in g or g.endswith("/inferred")):
        subset = ox.NamedNode(graph)
        assert number(description, subset, "triples") == sparql_count(
            client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        )
        assert number(description, subset, "distinctSubjects") == sparql_count(
            client, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        )


def test_property_partitions_add_up_to_the_triples(description: ox.Store) -> None:
    node = dataset(description)
    partitions = [
        q.object
        for q in description.quads_for_pattern(node, ox.NamedNode(VOID + "propertyPartition"), None)
    ]
    assert len(partitions) == number(description, node, "properties")
    assert sum(number(description, p, "triples") for p in partitions) == number(
        description, node, "triples"
    )


# -- DCAT: dumps, endpoint, licences --------------------------------------------------------------


def test_each_dump_is_a_distribution_that_matches_the_download(
    description: ox.Store, client: FlaskClient
) -> None:
    node = dataset(description)
    distributions = [
        q.object
        for q in description.quads_for_pattern(node, ox.NamedNode(DCAT + "distribution"), None)
    ]
    assert len(distributions) == len(DUMP_FORMATS)
    dumps = {
        q.object.value
        for q in description.quads_for_pattern(node, ox.NamedNode(VOID + "dataDump"), None)
    }
    for distribution in distributions:
        assert isinstance(distribution, ox.NamedNode | ox.BlankNode)
        url = one(description, distribution, DCAT + "downloadURL").value
        assert url in dumps
        assert one(description, distribution, DCAT + "mediaType").value.startswith(
            "https://www.iana.org/assignments/media-types/"
        )
        response = client.get(url.removeprefix("http://localhost"))
        body = response.data
        response.close()
        assert response.status_code == 200, url
        assert int(one(description, distribution, DCAT + "byteSize").value) == len(body)
        checksum = one(description, distribution, SPDX + "checksum")
        assert isinstance(checksum, ox.BlankNode | ox.NamedNode)
        assert (
            one(description, checksum, SPDX + "checksumValue").value
            == hashlib.sha256(body).hexdigest()
        )
        assert one(description, checksum, SPDX + "algorithm").value.endswith(
            "checksumAlgorithm_sha256"
        )


def test_the_endpoint_is_a_data_service(description: ox.Store) -> None:
    node = dataset(description)
    endpoint = one(description, node, VOID + "sparqlEndpoint")
    assert endpoint.value == "http://localhost/sparql"
    services = [
        q.subject
        for q in description.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(DCAT + "DataService"))
    ]
    assert len(services) == 1
    assert isinstance(services[0], ox.NamedNode)
    assert one(description, services[0], DCAT + "endpointURL") == endpoint
    assert one(description, services[0], DCAT + "servesDataset") == node


def test_licences_and_publishers_come_from_the_graph(
    description: ox.Store, client: FlaskClient
) -> None:
    node = dataset(description)
    licences = {
        q.object.value
        for q in description.quads_for_pattern(node, ox.NamedNode(DCT + "license"), None)
    }
    assert {MIT, OGL} <= licences
    rights = one(description, node, DCT + "rights").value
    assert "Open Government Licence v3.0" in rights
    response = client.post(
        "/sparql",
        data={
            "query": "PREFIX prov: <http://www.w3.org/ns/prov#> "
            "PREFIX dct: <http://purl.org/dc/terms/> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT DISTINCT ?name WHERE { "
            "GRAPH ?g { ?g prov:wasDerivedFrom ?doc } ?doc dct:publisher/rdfs:label ?name "
            'FILTER CONTAINS(STR(?g), "/graph/seeds/") }'
        },
        headers={"Accept": "application/json"},
    )
    publishers = {b["name"]["value"] for b in response.get_json()["results"]["bindings"]}
    assert len(publishers) >= 3
    for publisher in publishers:
        assert publisher in rights


# -- Content negotiation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_rdf_formats_say_the_same(
    accept: str, media: str, fmt: ox.RdfFormat, client: FlaskClient, description: ox.Store
) -> None:
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.content_type.startswith(media)
    parsed = list(ox.parse(response.data, fmt))
    assert len(parsed) == len(description)


def test_browsers_get_html(client: FlaskClient) -> None:
    response = client.get(
        "/.well-known/void", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 200
    assert response.content_type.startswith("text/html")
    page = response.get_data(as_text=True)
    assert "Open Government Licence" in page
    assert "ofsted-kg.nq.gz" in page


def test_the_page_links_each_licence_and_each_named_graph(
    client: FlaskClient, description: ox.Store
) -> None:
    page = client.get("/.well-known/void", headers={"Accept": "text/html"}).get_data(as_text=True)
    rights = page.split("Licences and attributions", 1)[1].split("<h2>", 1)[0]
    node = dataset(description)
    for licence in description.quads_for_pattern(node, ox.NamedNode(DCT + "license"), None):
        if licence.object.value != OGL:  # the OGL is named in its attribution sentence
            assert f'<a href="{licence.object.value}">' in rights, licence.object.value
    graphs = page.split("Named graphs", 1)[1]
    hrefs = re.findall(r'<a href="\.\./(graph/[^"]+)"><code>', graphs)
    assert hrefs, "no named graph is linked"
    for href in hrefs[:5] + hrefs[-5:]:
        answer = client.get("/" + href, headers={"Accept": "text/html"}, follow_redirects=True)
        assert answer.status_code == 200, href
        answer.close()


def test_unknown_format_is_406(client: FlaskClient) -> None:
    response = client.get("/.well-known/void?format=pdf")
    assert response.status_code == 406
    assert "turtle" in response.get_json()["error"]["detail"]
    unacceptable = client.get("/.well-known/void", headers={"Accept": "image/png"})
    assert unacceptable.status_code == 406
    error = unacceptable.get_json()["error"]
    assert error["status"] == 406 and error["title"] == "Not acceptable"
    assert "text/turtle" in error["detail"]


@pytest.mark.parametrize(
    ("accept", "variant"),
    [("text/turtle", "turtle"), ("text/html", "html"), ("application/ld+json", "jsonld")],
)
def test_a_current_copy_is_304_by_the_versions_etag(
    accept: str, variant: str, client: FlaskClient
) -> None:
    first = client.get("/.well-known/void", headers={"Accept": accept})
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert re.fullmatch(rf'W/"[^"]+-{variant}"', etag), etag
    assert "Accept" in first.headers["Vary"]
    again = client.get("/.well-known/void", headers={"Accept": accept, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    other = 'W/"stale-turtle"' if variant != "turtle" else 'W/"stale-html"'
    refreshed = client.get("/.well-known/void", headers={"Accept": accept, "If-None-Match": other})
    assert refreshed.status_code == 200
