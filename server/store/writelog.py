"""The write log: every accepted write, one JSON line each, in ``<store>-writes.jsonl`` beside the
store, appended to and never rewritten.

An entry says when the write was accepted (``at``, UTC), by whom (``by``, the name of the token
it came with), what was asked (``request``: the kind, the graph, the update's text), the dataset
version before and after, and what it changed in the asserted graphs (``added`` and ``removed``,
N-Quads lines; ``created`` and ``dropped`` named graphs). The entailments it brought are not
listed: they follow from the data. A write is rolled back by a new write that undoes what its
entry lists (``ofsted-kg writes revert ID``, or ``POST /writes/ID/revert``), checked and logged
like any other.

The log outlives builds (a build starts the data again from the sources; the entries before it
keep the versions they were made at).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .inplace import from_nquads, to_nquads


def log_path(store_path: Path) -> Path:
    return store_path.with_name(f"{store_path.name}-writes.jsonl")


def nquads(quads: list[ox.Quad]) -> list[str]:
    """Quads as N-Quads lines, sorted."""
    return sorted(line for line in to_nquads(quads).decode("utf-8").splitlines() if line)


def parse_nquads(lines: list[str]) -> list[ox.Quad]:
    return from_nquads("\n".join(lines))


class WriteLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fdatasync(fd)
        finally:
            os.close(fd)

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry, oldest first (a line torn by a crash is skipped)."""
        try:
            handle = self.path.open(encoding="utf-8")
        except FileNotFoundError:
            return
        with handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict) and "id" in entry:
                    yield entry

    def find(self, write_id: str) -> dict[str, Any] | None:
        return next((e for e in self.entries() if e["id"] == write_id), None)

    def has(self, write_id: str) -> bool:
        return self.find(write_id) is not None
