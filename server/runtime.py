"""What the server's processes are allowed, and how client work is kept apart from them.

- ``run_with_stack``: client input is parsed on a thread with a stack of a known size
  (``STACK_BYTES``), whatever ``ulimit -s`` says, well above what the input limits let through.
- ``cap_memory``: a query worker or a write's process may allocate so much and no more.
- ``bound_allocator``: the web process's allocator gives large blocks back to the system.
- ``run_isolated``: a write runs in a child process of its own, with a deadline and a memory cap;
  a crash there takes down the child, never the server.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import resource
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from .errors import InternalError, OfstedKgError, WriteMemoryError, WriteTimeoutError

T = TypeVar("T")


# Stack size of the threads that parse client input, in the query workers and the write
# processes (the default, from ``ulimit -s``, may be as small as the system likes). It is only
# reserved address space: a thread uses what it touches.
STACK_BYTES = 32 << 20


# glibc's mallopt parameters (malloc.h).
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
ARENAS = 2
MMAP_THRESHOLD = 1 << 20


def bound_allocator() -> bool:
    """Keep the web process's memory from creeping up with large requests (glibc only; call it
    before threads start). By default glibc gives each busy thread an arena of its own, and
    raises its threshold for returning large blocks to the system each time one is freed, so
    32 request threads that each once read an 8 MB body keep hundreds of MB (measured: 54 MB
    -> 320 MB after 40 such requests; with this, flat). Returns whether it applied."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_ARENA_MAX, ARENAS)) and bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def cap_memory(max_bytes: int) -> None:
    """Cap what this process may allocate (0: no cap), with ``RLIMIT_DATA`` (the heap and private
    mappings, not the store's files). An allocation past it fails: Python raises MemoryError, and
    the engine (Rust) aborts the process, which its parent reports as a limit doing its job."""
    if max_bytes <= 0:
        return
    os.environ["RUST_BACKTRACE"] = "0"  # an abort past the cap is expected: one line, not a trace
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        max_bytes = min(max_bytes, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (max_bytes, hard))


def run_with_stack(function: Callable[[], T]) -> T:
    """``function()`` in a thread with a ``STACK_BYTES`` stack; its result, or its exception."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, function()))
        except BaseException as exc:
            outcome.append((False, exc))

    previous = threading.stack_size(STACK_BYTES)
    try:
        thread = threading.Thread(target=run, name="ofsted-kg-parse")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


# -- The child process --------------------------------------------------------------------------


def _memory_error(memory_mib: int) -> WriteMemoryError:
    return WriteMemoryError(
        f"the write needed more than the {memory_mib:,} MiB a write may use here and was "
        "stopped; nothing of it was kept"
    )


def _round_trips(exc: OfstedKgError) -> bool:
    """Whether the error can be sent to the parent and rebuilt there."""
    try:
        return isinstance(pickle.loads(pickle.dumps(exc)), type(exc))
    except Exception:
        return False


def _child(
    conn: Connection, target: Callable[..., Any], args: tuple[Any, ...], memory_bytes: int
) -> None:
    cap_memory(memory_bytes)
    try:
        reply: tuple[str, Any] = ("ok", run_with_stack(lambda: target(*args)))
    except MemoryError:
        reply = ("memory", None)
    except OfstedKgError as exc:
        reply = ("error", exc) if _round_trips(exc) else ("bug", f"{type(exc).__name__}: {exc}")
    except BaseException as exc:  # a bug: the parent logs it and answers 500
        reply = ("bug", f"{type(exc).__name__}: {exc}")
    try:
        conn.send(reply)
    except Exception:
        conn.send(("bug", f"cannot send the write's outcome back: {reply[1]!r}"))
    conn.close()


def run_isolated(
    target: Callable[..., T],
    args: tuple[Any, ...],
    timeout: float,
    cleanup: Callable[[], None] = lambda: None,
    memory_mib: int = 0,
) -> T:
    """``target(*args)`` in a child process; its OfstedKgError is raised here as it is.

    Past ``timeout`` seconds the child is killed and WriteTimeoutError (503) is raised; past
    ``memory_mib`` (0: no cap) its allocations fail and WriteMemoryError (503) is raised; a child
    that dies otherwise (a crash) is a 500. In each case ``cleanup`` first undoes what it may
    have left half done."""
    context = multiprocessing.get_context("forkserver")
    parent, child = context.Pipe(duplex=False)
    # Not a daemon: the child may fork validation processes of its own.
    process = context.Process(
        target=_child,
        args=(child, target, args, memory_mib << 20),
        name="ofsted-kg-write",
        daemon=False,
    )
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            process.kill()
            process.join()
            cleanup()
            raise WriteTimeoutError(
                f"the write ran past its deadline of {timeout:g} s and was stopped; nothing of "
                "it was kept"
            )
        try:
            status, value = parent.recv()
        except (EOFError, OSError):
            process.join()
            cleanup()
            if memory_mib and process.exitcode == -signal.SIGABRT:  # the engine, at the cap
                raise _memory_error(memory_mib) from None
            raise InternalError(f"the write process ended (exit code {process.exitcode})") from None
    finally:
        with contextlib.suppress(OSError):
            parent.close()
    # The outcome is in: the child's exit (freeing what it held) is awaited in the background,
    # so that the caller can move on to the new store at once.
    threading.Thread(target=process.join, daemon=True).start()
    if status == "memory":
        cleanup()
        raise _memory_error(memory_mib)
    if status == "error":
        assert isinstance(value, OfstedKgError)
        raise value
    if status == "bug":
        raise InternalError(str(value))
    return value  # type: ignore[no-any-return]
