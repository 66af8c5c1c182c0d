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
    the failure message if it does not start)."""
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
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OFSTED_KG_")}
    environment["OFSTED_KG_WORKERS"] = "2"
    environment.update(env or {})
    process = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True)
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _ = server.request("/sparql?query=ASK%7B%7D")
                if status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "ofsted-kg serve did not start"
            time.sleep(0.1)
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
