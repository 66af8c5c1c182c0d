"""Fixtures shared by the test modules that build a store or read settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ofsted_kg.build.pipeline import build
from ofsted_kg.config import SETTINGS, load_settings
from ofsted_kg.errors import ValidationError

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
