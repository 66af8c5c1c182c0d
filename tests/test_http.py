"""One negotiation: each HTTP behaviour of ``web/http.py`` tested once, on every route that has it.

The same rules hold on ``/sparql``, ``/store``, ``/id/``, ``/doc/``, ``/def/``,
``/.well-known/void`` and ``/dumps/``: nothing acceptable is 406 in the one error shape, naming
what is offered; a representation carries a weak ETag of the dataset version and its variant, with
``Vary: Accept``, and the same ETag in ``If-None-Match`` is 304 with nothing else; any origin may
read; a body of a kilobyte or more is gzipped for a client that takes it.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

# One representation of each route (GET), with a header that asks for something it does not offer.
ROUTES = {
    "sparql": "/sparql?query=" + "SELECT%20*%20WHERE%20%7B%20?s%20?p%20?o%20%7D%20LIMIT%20200",
    "store": "/store?graph=https%3A%2F%2Fw3id.org%2Fofsted-kg%2Fgraph%2Fdef%2Fokg",
    "id": "/id/council/E10000016",
    "doc": "/doc/council/E10000016",
    "def": "/def/",
    "void": "/.well-known/void",
    "dumps": "/dumps/",
}
# /id/ answers 303 See Other to its page: it has no representation of its own to negotiate.
REPRESENTED = {name: path for name, path in ROUTES.items() if name != "id"}
WEAK_ETAG = re.compile(r'^W/"[^"]+-[^"]+"$')


@pytest.fixture(scope="module")
def app_config(served_store_dir: Path) -> dict[str, Any]:
    return {"store": served_store_dir}


@pytest.mark.parametrize("path", list(REPRESENTED.values()), ids=list(REPRESENTED))
def test_nothing_acceptable_is_406_in_the_one_error_shape(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "image/png"})
    assert response.status_code == 406, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert response.mimetype == "application/json"
    assert body["error"]["status"] == 406
    assert body["error"]["title"] == "Not acceptable"
    assert "available as" in body["error"]["detail"]  # names what is offered


@pytest.mark.parametrize("path", list(REPRESENTED.values()), ids=list(REPRESENTED))
def test_a_representation_has_a_weak_versioned_etag_and_a_current_copy_is_304(
    client: FlaskClient, path: str
) -> None:
    first = client.get(path)
    assert first.status_code == 200, first.get_data(as_text=True)[:300]
    etag = first.headers["ETag"]
    assert WEAK_ETAG.match(etag), etag
    assert "Accept" in first.headers.get("Vary", "")
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.get_data() == b""
    other = client.get(path, headers={"If-None-Match": 'W/"0-stale"'})
    assert other.status_code == 200


@pytest.mark.parametrize("path", list(REPRESENTED.values()), ids=list(REPRESENTED))
def test_each_format_is_its_own_variant(client: FlaskClient, path: str) -> None:
    """Two formats of one resource never share an ETag (a cache would hand one for the other)."""
    answers = {
        client.get(path, headers={"Accept": accept})
        for accept in ("text/turtle", "application/json", "text/html", "application/ld+json")
    }
    tagged = {(a.headers.get("ETag"), a.mimetype) for a in answers if a.status_code == 200}
    by_etag: dict[str, set[str]] = {}
    for tag, mimetype in tagged:
        by_etag.setdefault(str(tag), set()).add(mimetype)
    assert all(len(types) == 1 for types in by_etag.values()), by_etag


@pytest.mark.parametrize("path", list(ROUTES.values()), ids=list(ROUTES))
def test_any_origin_may_read(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://example.org"})
    assert response.status_code in (200, 303)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        path,
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("path", list(REPRESENTED.values()), ids=list(REPRESENTED))
def test_a_body_of_a_kilobyte_or_more_is_gzipped_for_a_client_that_takes_it(
    client: FlaskClient, path: str
) -> None:
    plain = client.get(path)
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert len(plain.get_data()) >= 1024, "pick a larger representation for this route"
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
