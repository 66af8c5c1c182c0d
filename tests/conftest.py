"""Fixtures shared by the test modules: stores built from the fixture tree or from this repository,
and the one ``app`` and ``client``.

A module that needs an app other than the default (the valid fixture tree, a fresh copy of its
store per test) overrides ``app_config``, at whatever scope suits it: the app is made once for
each value ``app_config`` takes, so a module-scoped ``app_config`` shares one app across the
module, and a function-scoped one gets a fresh app per test. Each app's worker processes are
stopped as soon as the next one is made, and at the end of the session.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from ofsted_kg.build.pipeline import build
from ofsted_kg.config import SETTINGS, load_settings
from ofsted_kg.errors import ValidationError
from ofsted_kg.web.app import create_app
from ofsted_kg.web.context import current_backend_of

ROOT = Path(__file__).resolve().parent.parent
TREES = Path(__file__).parent / "fixtures" / "trees"


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No OFSTED_KG_* setting leaks in from the environment the tests run in."""
    for setting in SETTINGS:
        monkeypatch.delenv(f"OFSTED_KG_{setting.name.upper()}", raising=False)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the valid fixture tree, once per module."""
    store = tmp_path_factory.mktemp("built") / "store"
    build(
        load_settings(env={}, overrides={"root": TREES / "valid", "store": store}), lambda _: None
    )
    return store


@pytest.fixture
def store_dir(built_once: Path, tmp_path: Path) -> Path:
    """This test's own copy of the built store."""
    copy = tmp_path / "store"
    shutil.copytree(built_once, copy)
    return copy


@pytest.fixture(scope="session")
def served_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository built once per test session by the real build (the graph as served)."""
    store_dir = tmp_path_factory.mktemp("served") / "store"
    settings = load_settings(env={}, overrides={"root": ROOT, "store": store_dir})
    refused = None
    try:
        build(settings, progress=lambda _line: None)
    except ValidationError as exc:
        refused = exc.report.describe()
    if refused is not None:
        pytest.fail(f"the build refuses to serve this graph:\n{refused}")
    return store_dir


# -- The app and its client -----------------------------------------------------------------------


@pytest.fixture
def app_config(store_dir: Path) -> dict[str, Any]:
    """What ``app`` is made from (settings by name, Flask's own keys): a module may override it."""
    return {"root": TREES / "valid", "store": store_dir}


class Apps:
    """The app made for the current ``app_config`` value, and the closing of the one before."""

    def __init__(self) -> None:
        self.config: dict[str, Any] | None = None
        self.app: Flask | None = None

    def app_for(self, config: dict[str, Any]) -> Flask:
        if self.app is None or self.config is not config:
            self.close()
            self.app = create_app({**config, "TESTING": True})
            self.config = config  # held, so its identity stays its own while the app lives
        return self.app

    def close(self) -> None:
        if self.app is not None:
            current_backend_of(self.app).close()
        self.app = self.config = None


@pytest.fixture(scope="session")
def apps() -> Iterator[Apps]:
    made = Apps()
    yield made
    made.close()


@pytest.fixture
def app(app_config: dict[str, Any], apps: Apps) -> Flask:
    return apps.app_for(app_config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
