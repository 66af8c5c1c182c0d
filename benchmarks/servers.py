"""Starting ``ofsted-kg serve`` from this checkout or another, for the benchmarks that compare
them side by side (``runaways.py``, ``memory.py``)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def resident_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def get(port: int, query: str, agent: str = "benchmark", timeout: float = 120) -> int:
    """GET a query; the status (an error status too)."""
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"User-Agent": agent})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)


def send(port: int, path: str, body: bytes, content_type: str, method: str = "POST") -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        method=method,
        headers={"Content-Type": content_type, "Authorization": "Bearer benchmark"},
    )
    try:
        with urllib.request.urlopen(request, timeout=900) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)


def python_for(checkout: Path) -> tuple[list[str], dict[str, str]]:
    """A Python that imports the checkout's ofsted_kg: its own .venv's if it has one, else this
    one with the checkout's package put first on the path; and the environment to run it in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFSTED_KG_")}
    own = checkout / ".venv" / "bin" / "python"
    if own.exists():
        return [str(own)], env
    package = Path(tempfile.mkdtemp()) / "ofsted_kg"
    package.symlink_to(checkout / "server")
    env["PYTHONPATH"] = str(package.parent)
    return [sys.executable], env


def command_for(checkout: Path) -> tuple[list[str], dict[str, str]]:
    """How to run a checkout's ``ofsted-kg`` command (see ``python_for``)."""
    python, env = python_for(checkout)
    code = "import sys; from ofsted_kg.cli import main; sys.exit(main(sys.argv[1:]))"
    return [*python, "-c", code], env


@contextlib.contextmanager
def server(checkout: Path, store: Path, *args: str) -> Iterator[tuple[int, int]]:
    """``ofsted-kg serve`` of ``checkout`` over ``store`` (with the update token ``benchmark``)
    until the block ends: its port and the web process's id."""
    port = free_port()
    command, env = command_for(checkout)
    process = subprocess.Popen(
        [*command, "serve", "--store", str(store), "--port", str(port), *args],
        stderr=subprocess.DEVNULL,
        env={**env, "OFSTED_KG_UPDATE_TOKEN": "benchmark"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "ASK {}", "start", timeout=10) == 200:
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the server of {checkout} did not start") from None
                time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)


def checkouts(baseline: Path | None) -> list[tuple[str, Path]]:
    """This checkout, and the baseline if one was given."""
    found = [("this checkout", HERE)]
    if baseline is not None:
        found.append((f"baseline {baseline}", baseline.resolve()))
    return found
