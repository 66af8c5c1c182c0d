"""Store directories: opening one, recovering from a crash, and the safe swap of a new store into
place.

A build never writes into the live store directory (a server's writes do, journalled: see
``inplace``). It writes a sibling temporary
directory (``.store.build-<pid>-<random>``) and, only when every step succeeded, swaps it in:

    rename  store            -> .store.previous     (the old copy, set aside)
    rename  .store.build-... -> store
    delete  .store.previous                         (or, with ``retire``, rename it to
                                                     .store.retired-<time>, deleted once no
                                                     query can still be reading it)

Opening a store first recovers from a crash between those steps: if only the aside copy is left, it
is renamed back; if both are there, the aside copy is deleted. A failed build therefore leaves the
previous store exactly as it was.

Serving opens the store read-only, through a descriptor of its directory (``open_pinned``): RocksDB
opens its table files by name as it needs them, and a reader holding the directory itself keeps
reading the store it opened when a swap puts another under the same name. An empty or missing
directory is served as an empty store.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox

from ..errors import StoreError
from .oxigraph import Store

# -- Store directories and the swap -----------------------------------------------------------


def is_store_dir(path: Path) -> bool:
    return (path / "CURRENT").is_file()


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def aside_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.previous")


def _build_prefix(path: Path) -> str:
    return f".{path.name}.build-"


@contextlib.contextmanager
def _swap_lock(path: Path) -> Iterator[None]:
    """Serialises swaps and recoveries of one store directory (between processes too)."""
    lock = path.with_name(f".{path.name}.lock")
    fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _recover_locked(path: Path) -> None:
    aside = aside_path(path)
    if not aside.exists():
        return
    if is_store_dir(path):
        shutil.rmtree(aside)  # crashed after the new store was moved in
    elif not path.exists() or _is_empty_dir(path):
        if path.exists():
            path.rmdir()
        os.rename(aside, path)  # crashed after the old store was set aside
        _fsync_dir(path.parent)
    else:
        raise StoreError(f"cannot recover {path}: it is not a store, and {aside} is left over")


def recover(path: Path) -> None:
    """Undo what a crash in the middle of a swap left behind (a no-op when nothing was left)."""
    if not aside_path(path).exists():
        return
    try:
        with _swap_lock(path):
            _recover_locked(path)
    except OSError as exc:
        raise StoreError(f"cannot recover {path} from an interrupted build: {exc}") from None


def _retired_prefix(path: Path) -> str:
    return f".{path.name}.retired-"


def remove_retired(path: Path, older_than: float = 0.0) -> int:
    """Delete the stores that swaps retired (see ``swap_in``) at least ``older_than`` seconds
    ago; how many were deleted."""
    removed = 0
    now = time.time_ns()
    for candidate in path.parent.glob(_retired_prefix(path) + "*"):
        stamp = candidate.name.removeprefix(_retired_prefix(path))
        if stamp.isdigit() and now - int(stamp) >= older_than * 1e9:
            shutil.rmtree(candidate, ignore_errors=True)
            removed += 1
    return removed


def swap_in(new: Path, path: Path, *, retire: bool = False) -> None:
    """Replace the store at ``path`` with the complete store at ``new`` (a sibling directory).

    The store replaced is deleted; with ``retire`` it is kept beside as
    ``.<name>.retired-<time>`` instead, for readers that still have it open (a query worker
    answering a query begun before the swap), until ``remove_retired`` deletes it."""
    aside = aside_path(path)
    with _swap_lock(path):
        _recover_locked(path)
        replacing = path.exists()
        if replacing and not (is_store_dir(path) or _is_empty_dir(path)):
            raise StoreError(
                f"refusing to replace {path}: "
                "it is neither an Oxigraph store nor an empty directory"
            )
        if replacing:
            os.rename(path, aside)
        try:
            os.rename(new, path)
        except OSError:
            if replacing:
                os.rename(aside, path)
            raise
        _fsync_dir(path.parent)
        if replacing and retire:
            os.rename(aside, path.with_name(f"{_retired_prefix(path)}{time.time_ns()}"))
        elif replacing:
            shutil.rmtree(aside, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_builds(path: Path) -> None:
    """Delete temporary build directories left by builds that died."""
    pattern = re.compile(re.escape(_build_prefix(path)) + r"(\d+)-")
    for candidate in path.parent.glob(_build_prefix(path) + "*"):
        match = pattern.match(candidate.name)
        if match and not _pid_alive(int(match.group(1))):
            shutil.rmtree(candidate, ignore_errors=True)


class StagedStore:
    """A new store being built beside ``target``; ``commit()`` swaps it in, leaving the block
    without committing deletes it and leaves ``target`` untouched."""

    def __init__(self, target: Path) -> None:
        self.target = target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_builds(target)
            # os.mkdir, not tempfile.mkdtemp: the store gets the umask's permissions, not 0700.
            name = f"{_build_prefix(target)}{os.getpid()}-{secrets.token_hex(4)}"
            self.directory = target.parent / name
            self.directory.mkdir()
            self.store = Store(ox.Store(str(self.directory)), self.directory, writable=True)
        except OSError as exc:
            raise StoreError(f"cannot create a new store beside {target}: {exc}") from None
        self.committed = False

    def __enter__(self) -> StagedStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            self.store.close()
            shutil.rmtree(self.directory, ignore_errors=True)

    def commit(self, *, retire: bool = False) -> None:
        """Swap the new store in (``retire``: keep the old one aside, see ``swap_in``)."""
        try:
            self.store.flush()
            self.store.close()
            swap_in(self.directory, self.target, retire=retire)
        except OSError as exc:
            raise StoreError(f"cannot move the new store into {self.target}: {exc}") from None
        self.committed = True


# -- Opening ----------------------------------------------------------------------------------


def open_pinned(path: Path) -> tuple[ox.Store, int]:
    """Open the store at ``path`` read-only through a descriptor of its directory (Linux), so
    that what it reads cannot change under it when a build swaps another store in: RocksDB opens
    its table files by name, as it needs them, and after a swap the names under ``path`` are the
    new store's. Returns the store and the descriptor (close it after the store)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    pinned = Path(f"/proc/self/fd/{descriptor}")
    try:
        store = ox.Store.read_only(str(pinned if pinned.is_dir() else path))
    except BaseException:
        os.close(descriptor)
        raise
    return store, descriptor


def open_store(path: Path, *, writable: bool = False) -> Store:
    """Open the store for serving: read-only unless ``writable``; an empty or missing directory
    is served as an empty store (created on disk only when ``writable``)."""
    try:
        recover(path)
        if writable:
            return Store(ox.Store(str(path)), path, writable=True)
        if is_store_dir(path):
            inner, pin = open_pinned(path)
            return Store(inner, path, writable=False, pin=pin)
        if not path.exists() or _is_empty_dir(path):
            return Store(ox.Store(), path, writable=False)
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from None
    raise StoreError(f"{path} is neither an Oxigraph store nor an empty directory")


def open_existing(path: Path) -> Store:
    """Open a store that must exist (for query, export and validate --store)."""
    recover(path)
    if not is_store_dir(path):
        raise StoreError(f"no store at {path}: run 'ofsted-kg build' first, or pass --store DIR")
    return open_store(path)
