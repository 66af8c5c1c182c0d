"""A real browser on the real server: Debian's headless Chromium, driven by Playwright for Python,
on the app served by waitress on a free local port over the store built from this repository.

Chromium is Debian's package (``make install-test`` installs it when missing and the user is root);
Playwright's own browser downloads are never used. Without Chromium these tests fail with a message
saying so, unless ``OFSTED_KG_SKIP_BROWSER=1`` opts out explicitly.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from ofsted_kg.web.app import create_app

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_VARIABLE = "OFSTED_KG_SKIP_BROWSER"


def chromium_path() -> str:
    """Debian's Chromium, or fail (or skip, when opted out) with what to do."""
    configured = os.environ.get("OFSTED_KG_CHROMIUM")
    found = configured or shutil.which("chromium") or shutil.which("chromium-browser")
    if found and Path(found).exists():
        return found
    message = (
        "Chromium is not installed, so the browser tests cannot run: run 'make install-test' as "
        "root (it installs Debian's chromium package), or 'apt-get install chromium'; set "
        f"{SKIP_VARIABLE}=1 to leave these tests out on purpose"
    )
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:PORT/
    app: Flask
    _server: object = field(repr=False)


@pytest.fixture(scope="session")
def live_server(served_store_dir: Path) -> Iterator[LiveServer]:
    """The app on the built real store, served by waitress on a free port of 127.0.0.1."""
    from waitress.server import create_server

    app = create_app({"store": served_store_dir, "TESTING": True})
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.socket.getsockname()[1]  # type: ignore[union-attr]
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{port}/", app, server)
    finally:
        server.close()
        thread.join(timeout=5)


@dataclass
class Browser:
    context: object
    requests: list[str]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    """A fresh headless Chromium (its own user-data-dir), recording every request it makes."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))
        try:
            yield Browser(context, requests)
        finally:
            context.close()
