"""What a person sees: the query page runs an example from the gallery in YASGUI and shows its rows,
and the council page draws its judgement history; nothing is fetched from another host."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# The fixtures (tests/browser/conftest.py): ``live_server`` (.url, .app) and ``browser``
# (.context, a Playwright browser context; .requests, every URL it asked for).
Browser = Any
LiveServer = Any

BASE = "https://w3id.org/ofsted-kg/"
SCREENSHOTS = os.environ.get("OFSTED_KG_SCREENSHOTS")  # a folder to keep screenshots in


def off_site(requests: list[str], server_url: str) -> list[str]:
    """The requests that went anywhere but the test server (data: and blob: URLs stay local)."""
    parts = urlsplit(server_url)
    origin = f"{parts.scheme}://{parts.netloc}/"
    return [
        url
        for url in requests
        if not url.startswith(origin) and not url.startswith(("data:", "blob:", "about:"))
    ]


def screenshot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_query_page_runs_an_example_from_the_gallery(
    browser: Browser, live_server: LiveServer
) -> None:
    page: Any = browser.context.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "query", wait_until="networkidle")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)

    example = page.locator('li.example[data-example="01-kent-judgement-history"]')
    assert "Kent" in example.locator("h3").inner_text()
    with page.expect_response(lambda r: r.url.endswith("/sparql")) as answer:
        example.locator("button.run-example").click()
    assert answer.value.status == 200

    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=15_000)
    assert rows.count() >= 5
    table = page.locator(".yasr table").inner_text()
    for expected in ("published", "framework", "grade", "Inadequate", "Outstanding"):
        assert expected in table
    editor = page.locator(".yasqe .CodeMirror").inner_text()
    assert "Kent's judgement history" in editor
    screenshot(page, "query-page")

    assert not errors, f"the page raised: {errors}"
    assert not off_site(browser.requests, live_server.url), (
        f"requests left the server: {off_site(browser.requests, live_server.url)}"
    )


def test_every_gallery_example_loads_rows_in_the_browser(
    browser: Browser, live_server: LiveServer
) -> None:
    page: Any = browser.context.new_page()  # type: ignore[attr-defined]
    page.goto(live_server.url + "query", wait_until="networkidle")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
    names = page.eval_on_selector_all(
        "button.run-example", "buttons => buttons.map(b => b.dataset.example)"
    )
    assert len(names) >= 8
    for name in names:
        with page.expect_response(lambda r: r.url.endswith("/sparql")) as answer:
            page.locator(f'button.run-example[data-example="{name}"]').click()
        assert answer.value.status == 200, name
        page.locator(".yasr table tbody tr").first.wait_for(timeout=15_000)
        assert page.locator(".yasr table tbody tr").count() >= 1, name
    assert not off_site(browser.requests, live_server.url)


def test_result_iris_link_to_this_servers_pages(browser: Browser, live_server: LiveServer) -> None:
    """The graph's IRIs are minted under the w3id.org base; in the results they lead to this
    server's page for them, not to a host that may not reach it."""
    page: Any = browser.context.new_page()  # type: ignore[attr-defined]
    page.goto(live_server.url + "query", wait_until="networkidle")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
    with page.expect_response(lambda r: r.url.endswith("/sparql")):
        page.locator('button.run-example[data-example="02-councils-currently-inadequate"]').click()
    page.locator(".yasr table tbody tr").first.wait_for(timeout=15_000)
    links = page.eval_on_selector_all(
        ".yasr table tbody a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    councils = [link for link in links if link.startswith(f"{live_server.url}id/council/")]
    assert councils, links
    assert not [link for link in links if link.startswith(BASE)]
    response = page.goto(councils[0], wait_until="networkidle")
    assert response.status == 200 and "/doc/council/" in page.url
    assert "Council" in page.locator("h1").inner_text()


def test_council_page_draws_its_judgement_history(
    browser: Browser, live_server: LiveServer
) -> None:
    page: Any = browser.context.new_page()  # type: ignore[attr-defined]
    response = page.goto(f"{live_server.url}doc/council/E10000016", wait_until="networkidle")
    assert response.status == 200
    assert "Kent" in page.locator("h1").inner_text()
    chart = page.locator("svg").first
    chart.wait_for(timeout=10_000)
    assert chart.bounding_box()["width"] > 100
    assert page.locator("svg *").count() > 10, "the chart has nothing drawn in it"
    links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert any("wikidata.org" in link for link in links)
    assert any("statistics.data.gov.uk" in link for link in links)
    assert any("ofsted.gov.uk" in link for link in links)
    screenshot(page, "council-page")
    assert not off_site(browser.requests, live_server.url)


READABLE_PAGES = [
    "doc/council/E10000016",
    "doc/council",
    "doc/inspection/E10000016/ilacs-standard/2022-07-05",
    "doc/document/ofsted-la-inspection-outcomes-2025-03-31",
    "doc/claim/kentonline-a70012/timely-assessment",
    "doc/claim/roger-gough-blog-2017-06-14/top-third",
    "claims",
    "claims/new",
    ".well-known/void",
    "def/",
    "dumps/",
    "",
    "query",
]


def test_pages_fit_a_desktop_and_a_phone_and_keep_their_columns_readable(
    browser: Browser, live_server: LiveServer
) -> None:
    """No page is wider than the window (a wide table scrolls inside itself on a phone), and every
    column of a statement table keeps a readable width (no column squeezed into broken words)."""
    page: Any = browser.context.new_page()  # type: ignore[attr-defined]
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in READABLE_PAGES:
            response = page.goto(f"{live_server.url}{path}", wait_until="networkidle")
            assert response.status == 200, path
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1], f"{path} is {widths[0]} px wide in a {width} px window"
            narrowest = page.evaluate(
                """() => Math.min(1, ...[...document.querySelectorAll('table.facts')].flatMap(t =>
                     [...t.querySelectorAll('thead th')].map(th =>
                       th.getBoundingClientRect().width / t.getBoundingClientRect().width)))"""
            )
            assert narrowest >= 0.15, f"{path}: a statement column is {narrowest:.0%} of its table"
    assert not off_site(browser.requests, live_server.url)


def test_search_from_a_council_pages_header_lands_on_the_council_meant(
    browser: Browser, live_server: LiveServer
) -> None:
    page: Any = browser.context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}doc/council/E10000016", wait_until="networkidle")
    box = page.locator('header.site form.search input[name="q"]')
    box.fill("Hertfordsire")  # one letter missing
    with page.expect_navigation():
        box.press("Enter")
    assert "/search?q=Hertfordsire" in page.url
    first = page.locator("ol.hits > li a").first
    assert first.inner_text() == "Hertfordshire County Council"
    with page.expect_navigation():
        first.click()
    assert page.url.endswith("/doc/council/E10000015")
    assert "Hertfordshire" in page.locator("h1").inner_text()
    screenshot(page, "search-from-header")
    assert not off_site(browser.requests, live_server.url)


def test_the_front_page_draws_the_national_picture(
    browser: Browser, live_server: LiveServer
) -> None:
    page: Any = browser.context.new_page()  # type: ignore[attr-defined]
    page.goto(live_server.url, wait_until="networkidle")
    chart = page.locator("figure.national svg")
    box = chart.bounding_box()
    assert box and box["width"] > 250 and box["height"] > 80
    assert chart.locator("rect").count() >= 40
    tall = page.evaluate(
        """() => [...document.querySelectorAll('figure.national rect')]
                 .filter(r => r.getBoundingClientRect().height > 1).length"""
    )
    assert tall >= 20, "the bars are not drawn"
    screenshot(page, "front-page")
    assert not off_site(browser.requests, live_server.url)


def test_a_tables_csv_twin_downloads_and_parses(browser: Browser, live_server: LiveServer) -> None:
    page: Any = browser.context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}doc/council?grade=Inadequate", wait_until="networkidle")
    link = page.locator('a[type="text/csv"]').first
    with page.expect_download() as download:
        link.click(modifiers=["Alt"])  # Alt-click: save the link's target
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["grade"] for r in rows} == {"Inadequate"}
    shown = page.locator("table.index tbody tr").count()
    assert len(rows) == shown
