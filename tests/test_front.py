"""The front page at / (server/web/front.py): what the graph holds, the national picture (an SVG
drawn on the server, with its numbers as a table and as CSV and JSON), the latest inspections,
the councils whose latest grade is Inadequate, the claims that differ from the record; the query
editor at /query, with the old links to it sent there."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

pytestmark = pytest.mark.usefixtures("clean_environment")

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "front-test-token"


@pytest.fixture(scope="module")
def app_config(served_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store = tmp_path_factory.mktemp("front") / "store"
    shutil.copytree(served_store_dir, store)
    return {"root": ROOT, "store": store, "update_token": TOKEN}


def page(client: FlaskClient) -> str:
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_what_the_graph_holds_each_a_link(client: FlaskClient) -> None:
    html = page(client)
    counts = re.findall(r'<li><a href="([^"]+)"><strong>([\d,]+)</strong> ([^<]+)</a></li>', html)
    kinds = {what for _href, _n, what in counts}
    assert {"councils", "claims checked against the record", "source documents"} <= kinds
    for href, n, _what in counts:
        assert int(n.replace(",", "")) > 0
        if "well-known" not in href:  # (the dataset description is tested on its own: slow)
            assert client.get(href.split("#")[0]).status_code == 200, href
    councils = next(int(n) for _h, n, what in counts if what == "councils")
    assert councils == client.get("/doc/council.json").get_json()["total"]


def test_the_national_picture_is_drawn_and_given_as_data(client: FlaskClient) -> None:
    html = page(client)
    svg = re.search(r"<svg .*?</svg>", html, re.S)
    assert svg and svg.group(0).count("<rect") >= 4 * 10
    assert re.search(
        r"<title>20\d\d: \d+ of \d+ councils Inadequate \(\d+%\)</title>", svg.group(0)
    )
    rows = list(csv.DictReader(io.StringIO(client.get("/national.csv").get_data(as_text=True))))
    years = [int(r["year"]) for r in rows]
    assert years == sorted(years) and years[-1] >= 2024
    for row in rows:
        grades = [int(v) for k, v in row.items() if k not in ("year", "councils")]
        assert sum(grades) == int(row["councils"]) > 0
    assert client.get("/national.json").get_json()["years"][-1]["year"] == years[-1]
    assert client.get("/national.xml").status_code == 400


def test_the_inadequate_list_matches_the_index(client: FlaskClient) -> None:
    html = page(client)
    section = html.split('id="inadequate"', 1)[1].split("</section>", 1)[0]
    listed = set(re.findall(r'href="/doc/council/(E\d{8})"', section))
    index = client.get("/doc/council.csv?grade=Inadequate").get_data(as_text=True)
    current = {r["gss"] for r in csv.DictReader(io.StringIO(index)) if not r["abolished"]}
    assert listed == current and listed


def test_the_latest_inspections_newest_first(client: FlaskClient) -> None:
    section = page(client).split('id="latest"', 1)[1].split("</section>", 1)[0]
    dates = re.findall(r", (\d{4}-\d\d-\d\d), <strong>", section)
    assert len(dates) == 10 and dates == sorted(dates, reverse=True)


def test_a_claim_that_differs_appears_on_the_front_page(client: FlaskClient) -> None:
    claim = {
        "text": "Ofsted rated Leeds children's services inadequate in 2022 (front page test).",
        "speaker": {"name": "Front Tester"},
        "source": {"title": "Front test", "publisher": "Front Gazette", "issued": "2022-12-01"},
        "about": {"council": "Leeds", "grade": "inadequate", "year": 2022},
    }
    answer = client.post("/claims", json=claim, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 201 and answer.get_json()["check"]["outcome"] == "differs"
    section = page(client).split('id="differs"', 1)[1].split("</section>", 1)[0]
    assert "front page test" in section


def test_the_editor_moved_to_query_and_old_links_follow(client: FlaskClient) -> None:
    editor = client.get("/query").get_data(as_text=True)
    assert '<form method="post" action="sparql">' in editor
    moved = client.get("/?query=SELECT+*+WHERE+%7B%7D")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/query?query=SELECT+*+WHERE+%7B%7D")
    assert 'location.replace("query"' in page(client)  # the editor's #query= links
