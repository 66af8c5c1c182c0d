"""A real ``ofsted-kg serve`` for tests that need one (waitress, worker processes, its own memory):
started on a free local port, waited for, and stopped.

    with serving(store, "--update-token", "T") as server:
        status, body = server.request("/sparql?query=ASK%7B%7D")
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[str]

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def endpoint(self) -> str:
        return f"{self.url}/sparql"

    def request(
        self,
        path: str,
        data: bytes | None = None,
        method: str = "GET",
        timeout: float = 30,
        **headers: str,
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read()

    def select(self, query: str) -> list[dict[str, Any]]:
        status, body = self.request(
            "/sparql?" + urllib.parse.urlencode({"query": query}),
            Accept="application/sparql-results+json",
        )
        assert status == 200, body
        rows: list[dict[str, Any]] = json.loads(body)["results"]["bindings"]
        return rows

    def alive(self) -> bool:
        return self.process.poll() is None

    def memory_mib(self) -> float:
        """The resident memory of the web process (not its worker processes), in MiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024


@contextlib.contextmanager
def serving(store: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """``ofsted-kg serve --store STORE ARGS…`` until the block ends (its standard error kept in
    the failure message if it does not start).

    A free port can be taken by another test's server between the probe and the bind: the
    server is known to be up only when its own process still runs once the port answers, and it
    is started again on another port if it stopped."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OFSTED_KG_")}
    environment["OFSTED_KG_WORKERS"] = "2"
    environment.update(env or {})
    for attempt in range(5):
        port = free_port()
        command = [
            str(Path(sys.executable).parent / "ofsted-kg"),
            "serve",
            "--store",
            str(store),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *args,
        ]
        process = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True)
        server = Server(f"http://127.0.0.1:{port}", process)
        if _started(server) or attempt == 4:
            break
    try:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds the socket listening on 127.0.0.1:``port`` (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and int(local.split(":")[1], 16) == port and inode in inodes:
            return True
    return False


def _started(server: Server) -> bool:
    """Whether the server answers on its port with its own process running (False: it stopped,
    e.g. because another server took the port first)."""
    process = server.process
    deadline = time.monotonic() + 30
    while process.poll() is None:
        try:
            status, _ = server.request("/sparql?query=ASK%7B%7D")
            if status == 200 and listens(process.pid, server.port):
                return True
        except OSError:
            pass
        assert time.monotonic() < deadline, "ofsted-kg serve did not start"
        time.sleep(0.1)
    return False
