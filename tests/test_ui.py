"""The query page: YASGUI served from this server, and a gallery of example queries that each answer
their question on the graph as served."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask.testing import FlaskClient
from ofsted_kg.web import vendor
from ofsted_kg.web.query_page import Example, ExampleFormatError, load_examples, parse_example

pytestmark = pytest.mark.usefixtures("clean_environment")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = load_examples(ROOT)

# What the site's header (templates/header.html) links to, as (path under the root, label), and the
# stylesheet every page shares.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("doc/council", "Councils"),
    ("claims", "Claims"),
    ("query", "Query"),
    ("def/", "Ontology"),
    ("dumps/", "Downloads"),
    (".well-known/void", "About the data"),
)
STYLESHEET = "static/pages/pages.css"


@pytest.fixture(scope="module")
def app_config(served_store_dir: Path) -> dict[str, Any]:
    return {"store": served_store_dir}


# -- The gallery ----------------------------------------------------------------------------------


def test_the_gallery_has_at_least_eight_examples() -> None:
    assert len(EXAMPLES) >= 8
    assert len({e.name for e in EXAMPLES}) == len(EXAMPLES)
    assert len({e.title for e in EXAMPLES}) == len(EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_answers_its_question(example: Example, client: FlaskClient) -> None:
    response = client.post(
        "/sparql",
        data={"query": example.query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.data
    results = response.get_json()
    columns = results["head"]["vars"]
    rows = results["results"]["bindings"]
    assert rows, f"{example.name} returns no rows"
    assert len(columns) >= 2, f"{example.name} answers with one column: {columns}"
    unbound = [c for c in columns if not any(c in row for row in rows)]
    assert not unbound, f"{example.name}: columns never bound: {unbound}"
    # Where the question names Kent, every answer is about Kent (no other council leaks in).
    if "Kent" in example.title:
        text = json.dumps(rows)
        other = re.findall(r"/id/council/(E\d{8})", text)
        assert set(other) <= {"E10000016"}, f"{example.name} answers about {set(other)}"


def test_examples_parse_their_header() -> None:
    example = parse_example(
        "x", "# Title: A title\n# Description: First\n# and second.\nSELECT * {}"
    )
    assert example.title == "A title"
    assert example.description == "First and second."
    with pytest.raises(ExampleFormatError, match="Title"):
        parse_example("x", "SELECT * {}")


def test_examples_follow_the_configured_base() -> None:
    rebased = load_examples(ROOT, "https://example.org/kg/")
    assert all("https://w3id.org/ofsted-kg/" not in e.query for e in rebased)
    assert any("https://example.org/kg/id/council/" in e.query for e in rebased)


def test_examples_as_data(client: FlaskClient) -> None:
    listed = client.get("/examples.json").get_json()
    assert [e["name"] for e in listed] == [e.name for e in EXAMPLES]
    first = EXAMPLES[0]
    response = client.get(f"/examples/{first.name}.rq")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == first.query
    missing = client.get("/examples/no-such-example.rq")
    assert missing.status_code == 404
    assert "examples.json" in missing.get_json()["error"]["detail"]


# -- The page -------------------------------------------------------------------------------------


def test_page_lists_the_gallery_and_loads_only_local_files(client: FlaskClient) -> None:
    response = client.get("/query", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for example in EXAMPLES:
        assert f'data-example="{example.name}"' in page
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sources, "the page loads no script or style"
    for source in sources:
        assert not re.match(r"^(https?:)?//", source), f"the page loads {source} from elsewhere"
        served = client.get("/" + source)
        assert served.status_code == 200, f"{source} is not served: run 'make install'"
        served.close()
    embedded = re.search(
        r'<script type="application/json" id="examples">(.*?)</script>', page, re.S
    )
    assert embedded
    assert [e["name"] for e in json.loads(embedded.group(1))] == [e.name for e in EXAMPLES]


def test_page_links_the_people_pages_and_the_data_and_each_link_answers(
    client: FlaskClient,
) -> None:
    page = client.get("/query", headers={"Accept": "text/html"}).get_data(as_text=True)
    nav = re.search(r'<nav aria-label="Data and documentation">(.*?)</nav>', page, re.S)
    assert nav
    links = re.findall(r'href="([^"]+)"', nav.group(1))
    assert "doc/council" in links and "def/" in links and "dumps/" in links
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for link in links:
        answer = client.get("/" + link, headers={"Accept": browser})
        assert answer.status_code == 200, link
        answer.close()


def test_yasgui_is_the_pinned_version(client: FlaskClient) -> None:
    assert vendor.is_installed(vendor.YASGUI), "YASGUI is not installed: run 'make install'"
    package = json.loads((vendor.VENDOR_DIR / "yasgui" / "package.json").read_text())
    assert package["name"] == vendor.YASGUI.name
    assert package["version"] == vendor.YASGUI.version
    script = client.get("/static/vendor/yasgui/yasgui.min.js")
    assert script.status_code == 200
    assert b"Yasgui" in script.data
    script.close()
    moved = client.get("/assets/vendor/yasgui/yasgui.min.js")  # where it was before
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/static/vendor/yasgui/yasgui.min.js")


def test_page_script_turns_off_lookups_on_other_hosts() -> None:
    """YASGUI's class and property completers ask Linked Open Vocabularies, and prefix.cc gives
    prefixes; the page keeps only the local completers. (The browser test checks the network.)"""
    script = (ROOT / "server" / "static" / "ui" / "query.js").read_text()
    completers = re.search(r"autocompleters:\s*\[([^\]]*)\]", script)
    assert completers
    assert "class" not in completers.group(1) and "property" not in completers.group(1)
    assert re.search(r"prefixCcApi:\s*null", script)


# -- Fetching YASGUI: pinned and checked ----------------------------------------------------------


def fake_package(files: dict[str, bytes]) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    data = buffer.getvalue()
    import base64

    return data, "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def test_unpack_keeps_the_built_files(tmp_path: Path) -> None:
    data, integrity = fake_package(
        {
            "package/build/yasgui.min.js": b"var Yasgui;",
            "package/build/yasgui.min.css": b"body{}",
            "package/package.json": b"{}",
            "package/build/yasgui.min.js.map": b"{}",
        }
    )
    package = vendor.Package(
        vendor.YASGUI.name, "0.0.0", integrity, "yasgui", dict(vendor.YASGUI.files)
    )
    vendor.unpack(package, data, tmp_path / "yasgui")
    assert sorted(p.name for p in (tmp_path / "yasgui").iterdir()) == [
        ".installed",
        "package.json",
        "yasgui.min.css",
        "yasgui.min.js",
    ]
    assert vendor.is_installed(package, tmp_path)


def test_a_tampered_download_is_refused_and_nothing_unpacked(tmp_path: Path) -> None:
    data, _ = fake_package({"package/build/yasgui.min.js": b"evil()"})
    with pytest.raises(vendor.VendorError, match="integrity mismatch"):
        vendor.unpack(vendor.YASGUI, data, tmp_path / "yasgui")
    assert not (tmp_path / "yasgui").exists()
    assert not vendor.is_installed(vendor.YASGUI, tmp_path)


def test_the_pin_is_a_sha512_of_a_registry_tarball() -> None:
    assert vendor.YASGUI.integrity.startswith("sha512-")
    assert vendor.YASGUI.tarball_url == (
        f"https://registry.npmjs.org/@zazuko/yasgui/-/yasgui-{vendor.YASGUI.version}.tgz"
    )


def test_page_is_gzipped_for_clients_that_accept_it(client: FlaskClient) -> None:
    response = client.get("/query", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"
    assert b"Example questions" in gzip.decompress(response.data)


# -- The site's header on every page, robots.txt --------------------------------------------------

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/def/",
        "/dumps/",
        "/.well-known/void",
        "/doc/council",
        "/doc/council/E10000016",
        "/claims",
        "/claims/new",
        "/no/such/page",
    ],
)
def test_every_page_has_the_site_header_and_the_shared_stylesheet(
    path: str, client: FlaskClient
) -> None:
    page = client.get(path, headers={"Accept": BROWSER}).get_data(as_text=True)
    header = re.search(r'<header class="site">(.*?)</header>', page, re.S)
    assert header, f"{path} has no site header"
    linked = {
        urljoin("http://localhost" + path, h)
        for h in re.findall(r'href="([^"]+)"', header.group(1))
    }
    wanted = {urljoin("http://localhost/", section) for section, _label in SECTIONS}
    assert wanted <= linked, f"{path} misses {wanted - linked}"
    for target in sorted(linked):
        answer = client.get(urlsplit(target).path, headers={"Accept": BROWSER})
        assert answer.status_code == 200, target
        answer.close()
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    shared = urljoin("http://localhost/", STYLESHEET)
    assert shared in {urljoin("http://localhost" + path, s) for s in styles}, path
    assert 'href="#main"' in page and 'id="main"' in page  # the skip link has a target


def test_the_current_section_is_marked_in_the_header(client: FlaskClient) -> None:
    page = client.get("/def/", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert re.search(r'<a href="\.\./def/" aria-current="page">Ontology</a>', page)
    index = client.get("/doc/council", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'aria-current="page">Councils</a>' in index


def test_robots_keep_crawlers_off_the_endpoints_only(client: FlaskClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = [
        line for line in response.get_data(as_text=True).splitlines() if line and line[0] != "#"
    ]
    assert lines == ["User-agent: *", "Disallow: /sparql", "Disallow: /store"]


def test_no_favicon_is_an_empty_answer_not_a_404(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 204
    assert "max-age" in response.headers["Cache-Control"]
