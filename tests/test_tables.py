"""Tables as data, and the index of councils sorted and filtered in plain HTML (issue 15, part).

/doc/council filters on grade, region, type of authority, the latest inspection's framework and
its year, sorts by name, region, date or grade, and has CSV and JSON twins that keep the filters
and the order (by extension, and CSV by ``Accept``). The RDF forms of the index are unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

pytestmark = pytest.mark.usefixtures("clean_environment")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def app_config(served_store_dir: Path) -> dict[str, Any]:
    return {"root": ROOT, "store": served_store_dir}


def table(client: FlaskClient, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_index_as_csv_and_json(client: FlaskClient) -> None:
    rows = table(client, "/doc/council.csv")
    data = client.get("/doc/council.json").get_json()
    assert len(rows) == data["total"] == len(data["councils"]) > 150
    kent = next(r for r in rows if r["gss"] == "E10000016")
    assert kent["name"] == "Kent County Council"
    assert kent["grade"] and kent["published"] and kent["region"] and kent["type"]
    assert kent["page"] == "/doc/council/E10000016"


def test_filters_keep_only_what_was_asked(client: FlaskClient) -> None:
    inadequate = table(client, "/doc/council.csv?grade=inadequate")
    assert inadequate and {r["grade"] for r in inadequate} == {"Inadequate"}
    london = client.get("/doc/council.json?region=London&type=London+Borough").get_json()
    assert london["councils"] and all(
        c["region"] == "London" and c["type"] == "London Borough" for c in london["councils"]
    )
    year = table(client, "/doc/council.csv?year=2024&framework=ILACS+standard+inspection")
    assert year and all(
        r["published"].startswith("2024") and r["framework"] == "ILACS standard inspection"
        for r in year
    )
    page = client.get("/doc/council?grade=Inadequate").get_data(as_text=True)
    assert page.count("<tr data-fact>") == len(inadequate)
    assert f"{len(inadequate)} of " in page


def test_sorted_by_date_newest_first(client: FlaskClient) -> None:
    rows = table(client, "/doc/council.csv?sort=date&order=desc")
    dates = [r["published"] for r in rows if r["published"]]
    assert dates == sorted(dates, reverse=True)
    by_grade = table(client, "/doc/council.csv?sort=grade")
    order = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate"]
    graded = [order.index(r["grade"]) for r in by_grade if r["grade"] in order]
    assert graded == sorted(graded)


def test_the_page_offers_every_filter_and_its_twins(client: FlaskClient) -> None:
    page = client.get("/doc/council?region=London").get_data(as_text=True)
    for name in ("grade", "region", "type", "framework", "year"):
        assert f'name="{name}"' in page
    assert re.search(r'<option value="London" selected>London \(\d+\)</option>', page)
    assert 'href="/doc/council.csv?region=London"' in page
    assert "sort=grade" in page  # the column headers sort


def test_csv_by_accept_and_the_rdf_forms_unchanged(client: FlaskClient) -> None:
    html = client.get("/doc/council", headers={"Accept": "*/*"})
    assert html.content_type.startswith("text/html")
    csv_answer = client.get("/doc/council", headers={"Accept": "text/csv"})
    assert csv_answer.content_type.startswith("text/csv")
    turtle = client.get("/doc/council.ttl")
    assert turtle.content_type.startswith("text/turtle")


@pytest.mark.parametrize(
    "path", ["/doc/council?colour=red", "/doc/council?sort=size", "/doc/council.csv?order=up"]
)
def test_a_filter_or_order_the_index_has_not_is_400(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert response.get_json()["error"]["detail"]


@pytest.mark.parametrize("name", ["judgements", "inspections", "people", "claims"])
def test_a_councils_tables_as_csv_and_json(client: FlaskClient, name: str) -> None:
    rows = table(client, f"/doc/council/E10000016/{name}.csv")
    data = client.get(f"/doc/council/E10000016/{name}.json").get_json()
    assert len(rows) == data["total"] == len(data["rows"]) > 0
    assert data["council"].endswith("/id/council/E10000016")
    by_accept = client.get(f"/doc/council/E10000016/{name}", headers={"Accept": "text/csv"})
    assert by_accept.content_type.startswith("text/csv")
    page = client.get(f"/doc/council/E10000016/{name}", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["Location"].endswith(f"#{name}")
    html = client.get("/doc/council/E10000016").get_data(as_text=True)
    assert f'href="/doc/council/E10000016/{name}.csv"' in html


def test_a_councils_judgements_name_what_the_page_shows(client: FlaskClient) -> None:
    rows = table(client, "/doc/council/E10000016/judgements.csv")
    sif = [r for r in rows if r["iri"].endswith("/sif/2017-06-13/overall-effectiveness")]
    assert sif and sif[0]["grade"] == "Good" and sif[0]["official"] == "True"
    assert client.get("/doc/council/E99999999/judgements.csv").status_code == 404
