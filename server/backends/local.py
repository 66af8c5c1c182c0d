"""The embedded Oxigraph store at ``settings.store``: queried by worker processes, written in
place by one writer process.

A server without an update token serves the store as it is: the query workers open its
directory read-only. A server with one starts the writer (``writer.WriterProcess``), which
opens the store for writing, keeps it, and carries every write out in place (``writer``: the
change, its entailments and the shapes' verdict on what it affects, journalled so that a write
is kept whole or not at all). Readers never open the live store then: after each write the
writer takes a snapshot of it (hard links), the dataset version moves on, and a query worker
handed a job of the new version opens the new snapshot. A snapshot replaced is deleted once no
query can still be reading it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..config import Settings
from ..errors import StoreError
from ..store.directories import is_store_dir, recover, remove_retired
from ..store.dumps import store_modified, store_version
from ..store.inplace import remove_snapshots
from ..store.workers import Answer, Job, StoreLocation, WorkerPool
from ..store.writelog import WriteLog, log_path
from .base import Version, Write
from .writer import WriterProcess, Written

# How long past the query deadline a snapshot replaced by a write is kept for readers.
RETIRED_GRACE_SECONDS = 5.0


class LocalBackend:
    """The embedded Oxigraph store at ``settings.store``, queried by worker processes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path = settings.store
        self.writable = settings.update_token is not None
        self.versions_follow_changes = True
        try:
            recover(self.path)
            remove_retired(self.path)  # no query can be reading them: this server just started
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from None
        if self.path.exists() and not (is_store_dir(self.path) or _is_empty_dir(self.path)):
            raise StoreError(f"{self.path} is neither an Oxigraph store nor an empty directory")
        self.pool = WorkerPool(
            settings.worker_count,
            settings.query_timeout,
            settings.worker_limit,
            memory_mib=settings.query_memory,
            warm=settings.reserved_workers,
        )
        self._write_lock = threading.Lock()
        self._version = self._read_version()
        self._location = StoreLocation(
            self.path if is_store_dir(self.path) else None, self._version.token
        )
        self.writer: WriterProcess | None = None
        if self.writable:
            remove_snapshots(self.path, keep=())  # no query can be reading them: just started
            self.writer = WriterProcess(settings)
            self._adopt(self.writer.start())

    # -- reading ------------------------------------------------------------------------------

    def _read_version(self) -> Version:
        return Version(store_version(self.path), store_modified(self.path))

    def version(self) -> Version:
        return self._version

    def location(self) -> StoreLocation:
        return self._location

    def _adopt(self, state: Written) -> None:
        """Serve the version the writer says the store is at, from its snapshot."""
        if state.version == self._location.version and state.snapshot == self._location.path:
            return
        self._version = Version(state.version, state.modified)
        self._location = StoreLocation(state.snapshot, state.version)
        # The snapshots replaced long enough ago that no query can still be reading them (every
        # worker opens the new one for its next job; a query lasts at most its deadline).
        grace = self.settings.query_timeout + RETIRED_GRACE_SECONDS
        remove_snapshots(self.path, (state.snapshot,), grace)

    def run(self, job: Job) -> Answer:
        return self.pool.run(self.location(), job)

    def dump_source(self) -> Path | None:
        return self._location.path

    # -- writing ------------------------------------------------------------------------------

    def write(self, write: Write) -> bool:
        """Hand the write to the writer process, one at a time."""
        return self._request(("write", write)).created

    def revert(self, write_id: str, by: str) -> str | None:
        """Undo a logged write (see ``writelog``) as a new write; the new write's id."""
        return self._request(("revert", write_id, by)).write_id

    def write_log(self) -> WriteLog | None:
        return WriteLog(log_path(self.path)) if self.writable else None

    def _request(self, message: tuple[object, ...]) -> Written:
        writer = self.writer
        if writer is None:
            raise StoreError("this server takes no writes")
        with self._write_lock:
            try:
                return writer.request(message)
            finally:
                if writer.process is None:  # stopped (past its deadline, or its memory)
                    self._restart(writer)
                if writer.state is not None:
                    self._adopt(writer.state)

    def _restart(self, writer: WriterProcess) -> None:
        """Start the writer again at once: it undoes what the stopped one left half done."""
        try:
            writer.start()
        except Exception:  # the next write tries again, and answers why it cannot
            writer.stop()

    def close(self) -> None:
        self.pool.close()
        if self.writer is not None:
            self.writer.close()


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())
