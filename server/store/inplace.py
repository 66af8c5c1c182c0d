"""Changing the live store in place, all or nothing, and the snapshots its readers open.

A write changes the store at ``settings.store`` directly (``backends.writer``): no copy is made.
What makes it all or nothing is an undo journal beside the store (``.<name>.journal``):

    begin       the journal is created, empty
    apply       each change (quads added and removed, named graphs created and dropped, as
                computed against the store before it) is appended to the journal and flushed
                to the file before the store is touched; then the store is changed
    commit      a commit record (the write log's entry) is appended and flushed: the write is
                kept; the write log gets the entry
    rollback    the changes are undone, last first, and the journal deleted
    end         the journal is deleted

On opening the store (:func:`recover`), a journal left by a process that died mid-write is
read: without its commit record, every change it lists is undone (undoing is idempotent: a quad
added is removed if present, a quad removed is added back, a graph created is removed, a graph
dropped is made again), so the store is exactly as before the write; with it, the write stands,
and its entry is given to the write log if the log does not have it yet.
A record torn by the crash was never applied (the store is changed only after its record is
written), and is ignored. A change is computed against the store as it is, so undoing it in
reverse order restores exactly the state before.

Readers never open the live store: RocksDB lets one process write a store, and a read-only
instance in another process while it writes is undefined. After each committed write the writer
takes a snapshot (:func:`take_snapshot`: ``Store.backup``, which hard-links the store's immutable
table files into a new directory beside it, ``.<name>.snapshot-<version>``; tens of
milliseconds, no copy of the data) and the query workers open that, read-only. A snapshot no
longer current is deleted once no query can still be reading it (:func:`remove_snapshots`).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import struct
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import StoreError

_LENGTH = struct.Struct(">I")
# From how many quads a change is loaded in bulk rather than through a transaction.
BULK_QUADS = 5_000


@dataclass
class Change:
    """What one step of a write does to the store, computed against the store before it."""

    added: list[ox.Quad] = field(default_factory=list)  # quads not in the store before
    removed: list[ox.Quad] = field(default_factory=list)  # quads in the store before
    created: list[ox.NamedNode] = field(default_factory=list)  # named graphs made to exist
    dropped: list[ox.NamedNode] = field(default_factory=list)  # named graphs that stop existing

    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.created or self.dropped)


def apply_change(store: ox.Store, change: Change) -> None:
    """Carry a change out on the store (removals before additions)."""
    for quad in change.removed:
        store.remove(quad)
    for graph in change.dropped:
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
    for graph in change.created:
        store.add_graph(graph)
    if len(change.added) >= BULK_QUADS:
        # Written as table files, not through a transaction: the journal, not RocksDB, makes
        # the write all or nothing.
        store.bulk_extend(change.added)
    elif change.added:
        store.extend(change.added)


def undo_change(store: ox.Store, change: Change) -> None:
    """Put the store back as it was before ``change`` (or before part of it was carried out)."""
    for quad in change.added:
        store.remove(quad)
    for graph in change.created:
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
    for graph in change.dropped:
        store.add_graph(graph)
    if change.removed:
        store.extend(change.removed)


def to_nquads(quads: list[ox.Quad]) -> bytes:
    """Quads as N-Quads (blank nodes keep their labels: they are the store's own)."""
    return (ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"") if quads else b""


def from_nquads(data: bytes | str) -> list[ox.Quad]:
    return list(ox.parse(data, ox.RdfFormat.N_QUADS)) if data else []


def journal_path(store_path: Path) -> Path:
    return store_path.with_name(f".{store_path.name}.journal")


class Journal:
    """The undo journal of one write (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.changes: list[Change] = []
        self._file: Any = open(path, "wb")  # noqa: SIM115 (kept open for the write)

    def _append(self, record: tuple[Any, ...]) -> None:
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.write(_LENGTH.pack(len(data)) + data)
        self._file.flush()  # in the kernel's hands: a killed process loses none of it
        os.fdatasync(self._file.fileno())

    def record(self, change: Change) -> None:
        self._append(
            (
                "change",
                to_nquads(change.added),
                to_nquads(change.removed),
                [g.value for g in change.created],
                [g.value for g in change.dropped],
            )
        )
        self.changes.append(change)

    def commit(self, entry: dict[str, Any]) -> None:
        self._append(("commit", entry))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def read_journal(path: Path) -> tuple[list[Change], dict[str, Any] | None]:
    """The changes a journal lists and its commit record (None if it has none)."""
    changes: list[Change] = []
    committed: dict[str, Any] | None = None
    data = path.read_bytes()
    offset = 0
    while offset + _LENGTH.size <= len(data):
        (length,) = _LENGTH.unpack_from(data, offset)
        start = offset + _LENGTH.size
        if start + length > len(data):
            break  # torn by the crash: never applied
        try:
            record = pickle.loads(data[start : start + length])
        except Exception:
            break
        if record[0] == "change":
            added, removed, created, dropped = record[1:]
            changes.append(
                Change(
                    from_nquads(added),
                    from_nquads(removed),
                    [ox.NamedNode(g) for g in created],
                    [ox.NamedNode(g) for g in dropped],
                )
            )
        elif record[0] == "commit":
            committed = record[1]
        offset = start + length
    return changes, committed


class Transaction:
    """One write's changes to the live store, journalled so that they are kept all or none."""

    def __init__(self, store: ox.Store, store_path: Path) -> None:
        self.store = store
        self.journal = Journal(journal_path(store_path))
        self.done = False

    @property
    def changes(self) -> list[Change]:
        return self.journal.changes

    def apply(self, change: Change) -> None:
        if change.is_empty():
            return
        self.journal.record(change)
        apply_change(self.store, change)

    def commit(self, entry: dict[str, Any]) -> None:
        """Keep the write (``entry`` is what the write log will say of it). The journal stays
        until :meth:`end`, so that a process killed before the log has the entry leaves it to
        the next one (``recover``)."""
        self.journal.commit(entry)
        self.done = True

    def end(self) -> None:
        """Delete the journal: the write is kept and logged (or rolled back)."""
        self.journal.close()

    def rollback(self) -> None:
        """Undo every change, last first."""
        if self.done:
            return
        for change in reversed(self.journal.changes):
            undo_change(self.store, change)
        self.done = True
        self.journal.close()


def recover(store: ox.Store, store_path: Path) -> dict[str, Any] | None:
    """Finish what a process that died mid-write left: undo an uncommitted write; returns the
    commit record of a committed one (its write log entry may be missing), else None."""
    path = journal_path(store_path)
    if not path.exists():
        return None
    changes, committed = read_journal(path)
    if committed is None:
        for change in reversed(changes):
            undo_change(store, change)
        store.flush()
    path.unlink()
    return committed


# -- Snapshots for readers --------------------------------------------------------------------


def _snapshot_prefix(store_path: Path) -> str:
    return f".{store_path.name}.snapshot-"


def snapshot_path(store_path: Path, version: str) -> Path:
    return store_path.with_name(f"{_snapshot_prefix(store_path)}{version}")


def take_snapshot(store: ox.Store, store_path: Path, version: str) -> Path:
    """A read-only view of the store as it is now, for the query workers (hard links)."""
    target = snapshot_path(store_path, version)
    if target.exists():
        return target
    staging = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        store.backup(str(staging))
        os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise StoreError(f"cannot take a snapshot of the store for its readers: {exc}") from None
    return target


def snapshots(store_path: Path) -> Iterator[Path]:
    yield from store_path.parent.glob(_snapshot_prefix(store_path) + "*")


def remove_snapshots(store_path: Path, keep: Iterable[Path], older_than: float = 0.0) -> int:
    """Delete the snapshots not in ``keep`` that a newer one replaced at least ``older_than``
    seconds ago (a snapshot is made when it becomes current; ``older_than`` 0 deletes every one
    not kept, the newest too); how many were deleted."""
    kept = {p.name for p in keep}
    now = time.time()
    removed = 0
    candidates = sorted(snapshots(store_path), key=_made)
    for index, candidate in enumerate(candidates):
        if candidate.name in kept:
            continue
        successor = candidates[index + 1] if index + 1 < len(candidates) else None
        if older_than > 0 and (successor is None or now - _made(successor) < older_than):
            continue
        shutil.rmtree(candidate, ignore_errors=True)
        removed += 1
    return removed


def _made(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
