"""Search by text (server/search/index.py, /search): what a journalist would type, answered.

A misspelt council, a council without "Council", a phrase from a quotation, a person's name, a
framework; each hit with its kind, a snippet with the match marked and a link to its page; JSON
and CSV twins; the box in every page's header; and the index in step with every write.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from ofsted_kg.search.index import SearchIndex

pytestmark = pytest.mark.usefixtures("clean_environment")

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/ofsted-kg/"
TOKEN = "search-test-token"


@pytest.fixture(scope="module")
def app_config(served_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store = tmp_path_factory.mktemp("search") / "store"
    shutil.copytree(served_store_dir, store)
    return {"root": ROOT, "store": store, "update_token": TOKEN}


def hits(client: FlaskClient, q: str, **args: str) -> list[dict[str, Any]]:
    response = client.get("/search.json", query_string={"q": q, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    found: list[dict[str, Any]] = response.get_json()["hits"]
    return found


@pytest.mark.parametrize(
    ("typed", "kind", "title"),
    [
        ("Hertfordsire", "council", "Hertfordshire County Council"),  # one letter missing
        ("Birmingam", "council", "Birmingham City Council"),
        ("Kent", "council", "Kent County Council"),  # without "County Council"
        ("kent council", "council", "Kent County Council"),
        ("Tower Hamlets", "council", "London Borough of Tower Hamlets"),
        ("Roger Gough", "person", "Roger Gough"),
        ("Roger Gogh", "person", "Roger Gough"),
    ],
)
def test_the_first_hit_is_the_one_meant(
    client: FlaskClient, typed: str, kind: str, title: str
) -> None:
    first = hits(client, typed)[0]
    assert (first["kind"], first["title"]) == (kind, title)
    assert first["page"].startswith("/doc/")
    assert client.get(first["page"]).status_code == 200


def test_a_phrase_from_a_quotation_finds_who_said_it(client: FlaskClient) -> None:
    found = hits(client, "there is always more to be done")
    assert found and {h["kind"] for h in found} <= {"quotation", "claim"}
    assert all("<mark>" in h["snippet_html"] for h in found)
    assert any("/doc/claim/" in h["page"] for h in found)


def test_a_framework_finds_its_inspections(client: FlaskClient) -> None:
    found = hits(client, "ILACS", kind="inspection")
    assert len(found) == 50 and {h["kind"] for h in found} == {"inspection"}


def test_nothing_matches_nothing(client: FlaskClient) -> None:
    assert hits(client, "xyzzyplugh") == []


def test_the_page_and_its_twins(client: FlaskClient) -> None:
    page = client.get("/search?q=Hertfordsire").get_data(as_text=True)
    assert "<mark>" in page and "Hertfordshire County Council" in page
    assert 'href="./search.csv?q=Hertfordsire"' in page
    table = list(
        csv.DictReader(io.StringIO(client.get("/search.csv?q=Kent").get_data(as_text=True)))
    )
    assert table[0]["title"] == "Kent County Council" and table[0]["rank"] == "1"
    assert client.get("/search?q=Kent", headers={"Accept": "text/csv"}).content_type.startswith(
        "text/csv"
    )
    assert client.get("/search.xml?q=Kent").status_code == 400
    assert client.get("/search?q=Kent&limit=0").status_code == 400
    assert client.get("/search?q=Kent&kind=planet").status_code == 400
    assert client.get("/search?q=" + "x" * 201).status_code == 400


def test_every_page_has_the_search_box(client: FlaskClient) -> None:
    for path in ("/", "/doc/council/E10000016", "/claims", "/search?q=Kent"):
        page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        header = re.search(r'<header class="site">(.*?)</header>', page, re.S)
        assert header and 'name="q"' in header.group(1), path
        assert re.search(r'<form class="search" action="[^"]*search"', header.group(1)), path


def test_the_index_follows_every_write(client: FlaskClient) -> None:
    words = "Zanzibarian penguins audited Wokingham's fostering service"
    assert hits(client, "Zanzibarian") == []
    claim = {
        "text": words,
        "speaker": {"name": "Quill Searchwright"},
        "source": {"title": "Search test", "publisher": "Search Gazette", "issued": "2020-01-01"},
        "about": {"council": "Wokingham", "grade": "good", "year": 2019},
    }
    response = client.post("/claims", json=claim, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 201, response.get_json()
    found = hits(client, "Zanzibarian penguins")
    assert [h["kind"] for h in found] == ["quotation"]
    assert found[0]["iri"] == response.get_json()["claim"]
    assert hits(client, "Quill Searchwright")[0]["kind"] == "person"


def test_the_index_ranks_exact_names_before_mentions() -> None:
    def row(s: str, kind: str, title: str) -> dict[str, Any]:
        class T:
            def __init__(self, value: str) -> None:
                self.value = value

        return {"s": T(BASE + "id/" + s), "kind": T(kind), "title": T(title)}

    index = SearchIndex(
        [
            row("claim/a", "claim", "Anytown Council did well, said Anytown's leader"),
            row("council/E1", "council", "Anytown Borough Council"),
            row("inspection/x", "inspection", "Ofsted inspection of Anytown Borough Council"),
        ]
    )
    assert [h.kind for h in index.search("Anytown")] == ["council", "claim", "inspection"]
    assert [h.kind for h in index.search("Anytwn")] == ["council", "claim", "inspection"]
    assert all(h.near_miss for h in index.search("Anytwn"))


def test_search_is_reachable_from_sparql(client: FlaskClient) -> None:
    """okg:search(?thing, "words"): the thing's rank among the hits of the same index, or
    unbound (examples/11-search-by-text.rq)."""
    query = f"""PREFIX okg: <{BASE}def/>
      SELECT ?c ?rank WHERE {{ ?c a okg:Council .
        BIND(okg:search(?c, "Hertfordsire") AS ?rank) FILTER(BOUND(?rank)) }} ORDER BY ?rank"""
    response = client.post("/sparql", data={"query": query, "format": "json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = response.get_json()["results"]["bindings"]
    assert rows[0]["c"]["value"] == BASE + "id/council/E10000015"
    assert rows[0]["rank"]["value"] == "1"
    assert {r["c"]["value"] for r in rows} == {BASE + "id/council/E10000015"}
    none = client.post(
        "/sparql",
        data={
            "query": f"""PREFIX okg: <{BASE}def/> SELECT ?c WHERE {{ ?c a okg:Council .
              BIND(okg:search(?c, "xyzzyplugh") AS ?r) FILTER(BOUND(?r)) }}""",
            "format": "json",
        },
    )
    assert none.get_json()["results"]["bindings"] == []


@pytest.mark.parametrize("typed", ["SIF", "single inspection framework", "TLAC"])
def test_a_framework_by_its_name_or_initials(client: FlaskClient, typed: str) -> None:
    found = hits(client, typed)
    assert found[0]["kind"] == "framework"
    assert found[0]["page"].startswith("/def/framework/")
    assert client.get(found[0]["page"]).status_code in (200, 303)
    names = [h["title"] for h in found[:2]]
    if typed != "TLAC":
        assert "Single inspection of local authority children's services" in names
