"""The W3C SPARQL 1.1 tests against our endpoint and Oxigraph server, side by side.

    .venv/bin/python benchmarks/conformance.py [--only SUBSTRING] [--no-protocol]

Starts ``ofsted-kg serve`` (waitress; a new scratch store, an update token, the store's own
default graph as the suites assume) and ``oxigraph serve`` (PyPI package ``oxigraph``, in-memory)
on free 127.0.0.1 ports, runs the same tests against both over HTTP, and prints the pass counts and
every test where the two differ. The tests are those of tests/test_w3c_query.py (query evaluation,
CSV/TSV/JSON results, negative syntax: the data loaded with one SPARQL update per change) and of
tests/test_w3c_protocol.py (protocol and Graph Store protocol; the store emptied before each).

Oxigraph server answers queries at /query and updates at /update where the suites use one URL;
requests are routed there by what they carry. Exit status 1 if we pass fewer tests than it does.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.datastructures import Headers

TESTS_DIR = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS_DIR))

import test_w3c_protocol as protocol  # noqa: E402
import test_w3c_query as suite  # noqa: E402

TOKEN = suite.TOKEN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_ready(port: int, path: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not start")


# -- Speaking HTTP to a server ----------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    query_path: str  # where queries go
    update_path: str  # where updates go
    store_path: str  # the Graph Store protocol

    def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()


class HttpEndpoint:
    """``test_w3c_query.Endpoint`` over a socket."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def _post(self, path: str, text: str, content_type: str, accept: str) -> suite.HttpAnswer:
        status, headers, body = self.server.request(
            "POST",
            path,
            text.encode("utf-8"),
            {
                "Content-Type": content_type,
                "Accept": accept,
                "Authorization": f"Bearer {TOKEN}",
            },
        )
        media = headers.get("content-type", "").split(";")[0].strip()
        return suite.HttpAnswer(status, media, body)

    def query(self, text: str, accept: str) -> suite.HttpAnswer:
        return self._post(self.server.query_path, text, "application/sparql-query", accept)

    def update(self, text: str) -> suite.HttpAnswer:
        return self._post(self.server.update_path, text, "application/sparql-update", "*/*")


@dataclass
class ClientResponse:
    """What test_w3c_protocol.run reads of a Flask test response."""

    status_code: int
    headers: Headers
    data: bytes

    @property
    def mimetype(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()

    def get_data(self, as_text: bool = False) -> Any:
        return self.data.decode("utf-8", "replace") if as_text else self.data

    def get_json(self) -> Any:
        return json.loads(self.data)


@dataclass
class HttpClient:
    """Enough of Flask's test client for test_w3c_protocol.run, over a socket."""

    server: Server
    headers_seen: list[str] = field(default_factory=list)

    def _route(self, path: str, body: bytes | None, content_type: str | None) -> str:
        parsed = urllib.parse.urlsplit(path)
        if parsed.path == "/sparql":
            form = content_type == "application/x-www-form-urlencoded" and body is not None
            is_update = content_type == "application/sparql-update" or (
                form and "update" in urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            )
            target = self.server.update_path if is_update else self.server.query_path
            return target + (f"?{parsed.query}" if parsed.query else "")
        if parsed.path.startswith("/store"):
            rest = parsed.path[len("/store") :]
            return self.server.store_path + rest + (f"?{parsed.query}" if parsed.query else "")
        return path

    def open(
        self,
        path: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
        content_type: str | None = None,
        query_string: dict[str, str] | None = None,
    ) -> ClientResponse:
        if path.startswith(("http://", "https://")):  # a Location: this server's own URL
            path = urllib.parse.urlunsplit(("", "", *urllib.parse.urlsplit(path)[2:]))
        if query_string:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(query_string)
        sent = dict(headers or {})
        if content_type is not None:
            sent["Content-Type"] = content_type
        status, got, body = self.server.request(
            method, self._route(path, data, content_type), data, sent
        )
        return ClientResponse(status, Headers(got), body)

    def put(self, path: str, **kwargs: Any) -> ClientResponse:
        return self.open(path, method="PUT", **kwargs)


# -- Running the tests ------------------------------------------------------------------------


@dataclass
class Outcome:
    passed: bool
    reason: str = ""


def _attempt(run: Callable[[], None]) -> Outcome:
    try:
        run()
    except AssertionError as exc:
        return Outcome(False, str(exc).splitlines()[0] if str(exc) else "assertion failed")
    except Exception as exc:
        return Outcome(False, f"{type(exc).__name__}: {str(exc)[:200]}")
    return Outcome(True)


def run_query_tests(server: Server, only: str | None) -> dict[str, Outcome]:
    endpoint = HttpEndpoint(server)
    loader = suite.Loader(endpoint)
    outcomes: dict[str, Outcome] = {}
    for test in suite.TESTS:
        if only and only not in test.id:
            continue
        outcomes[test.id] = _attempt(lambda t=test: suite.run_test(endpoint, loader, t))  # type: ignore[misc]
    return outcomes


ANYTHING = "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


def empty(endpoint: HttpEndpoint) -> None:
    """Drop everything, unless there is nothing (a write is the slow part of our server)."""
    answer = endpoint.query(ANYTHING, "application/sparql-results+json")
    if answer.status != 200 or json.loads(answer.body)["boolean"]:
        endpoint.update("DROP ALL")


def run_protocol_tests(server: Server, only: str | None) -> dict[str, Outcome]:
    client = HttpClient(server)
    outcomes: dict[str, Outcome] = {}
    for group, tests in (("protocol", protocol.PROTOCOL), ("graph-store-protocol", protocol.GSP)):
        for test in tests:
            name = f"{group}/{test.name}"
            if only and only not in name:
                continue
            empty(HttpEndpoint(server))  # each test assumes an empty store

            def run(t: Any = test) -> None:
                protocol.run(client, t)  # type: ignore[arg-type]

            outcomes[name] = _attempt(run)
    return outcomes


@contextlib.contextmanager
def servers(tmp: Path) -> Iterator[tuple[Server, Server]]:
    bin_dir = Path(sys.executable).parent
    ours_port, theirs_port = free_port(), free_port()
    env = {**os.environ, "OFSTED_KG_DEFAULT_GRAPH": "default", "OFSTED_KG_UPDATE_TOKEN": TOKEN}
    ours = subprocess.Popen(
        [
            str(bin_dir / "ofsted-kg"),
            "serve",
            "--store",
            str(tmp / "ours"),
            "--port",
            str(ours_port),
        ],
        stderr=subprocess.DEVNULL,
        env=env,
    )
    theirs = subprocess.Popen(
        [str(bin_dir / "oxigraph"), "serve", "--bind", f"127.0.0.1:{theirs_port}"],
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(ours_port, "/sparql?query=ASK%7B%7D")
        wait_ready(theirs_port, "/query?query=ASK%7B%7D")
        yield (
            Server("ofsted-kg (waitress)", ours_port, "/sparql", "/sparql", "/store"),
            Server("oxigraph server 0.5.13", theirs_port, "/query", "/update", "/store"),
        )
    finally:
        for process in (ours, theirs):
            process.terminate()
            process.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only the tests whose id contains this")
    parser.add_argument("--no-protocol", action="store_true", help="query tests only")
    args = parser.parse_args()
    print("$ " + " ".join([Path(sys.executable).name, *sys.argv]))
    results: dict[str, dict[str, Outcome]] = {}
    with tempfile.TemporaryDirectory() as tmp, servers(Path(tmp)) as pair:
        for server in pair:
            started = time.perf_counter()
            outcomes = run_query_tests(server, args.only)
            if not args.no_protocol:
                outcomes.update(run_protocol_tests(server, args.only))
            results[server.name] = outcomes
            print(f"{server.name}: {len(outcomes)} tests in {time.perf_counter() - started:.1f} s")
    ours, theirs = (results[s] for s in results)
    names = list(results)
    print(f"\n| {'test group':<22} | {names[0]:>22} | {names[1]:>24} |")
    print(f"|{'-' * 24}|{'-' * 23}:|{'-' * 25}:|")
    groups = sorted({t.split("/")[0] for t in ours})
    for group in [*groups, "all"]:
        ids = [t for t in ours if group == "all" or t.split("/")[0] == group]
        a = sum(ours[t].passed for t in ids)
        b = sum(theirs[t].passed for t in ids)
        label = f"**{group}**" if group == "all" else group
        print(f"| {label:<22} | {f'{a}/{len(ids)}':>22} | {f'{b}/{len(ids)}':>24} |")
    differ = [t for t in ours if ours[t].passed != theirs[t].passed]
    print(f"\n{len(differ)} tests where the two differ:")
    for t in differ:
        winner, loser = (names[0], theirs[t]) if ours[t].passed else (names[1], ours[t])
        print(f"  {t}: only {winner} passes; the other: {loser.reason[:150]}")
    both = [t for t in ours if not ours[t].passed and not theirs[t].passed]
    print(f"\n{len(both)} tests both fail:")
    for t in both:
        print(f"  {t}: {ours[t].reason[:150]}")
    return (
        0 if sum(o.passed for o in ours.values()) >= sum(o.passed for o in theirs.values()) else 1
    )


if __name__ == "__main__":
    sys.exit(main())
