"""Latency of the linked-data pages: rendered afresh, and served again from the page cache.

    .venv/bin/python benchmarks/pages.py [--store var/store] [--rounds 20]

1. Rendered afresh: the app in this process (``create_app`` over the store, queries in its worker
   processes as when serving) with the page cache off, each page asked ``--rounds`` times after one
   warm-up request (which starts the workers and reads the vocabulary's labels).
2. Served: ``ofsted-kg serve`` (waitress) on a free 127.0.0.1 port, each page asked ``--rounds``
   times over HTTP; after the first request of a page its body comes from the cache of rendered
   bodies (kept per dataset version).

Prints the median and 90th percentile of each: Kent's council page, the index of councils, an
inspection page, a claim page, Kent's description as Turtle and as N-Quads, and the 303 of /id/.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

PAGES: list[tuple[str, str, str]] = [
    ("council page (Kent)", "/doc/council/E10000016", "text/html"),
    ("index of councils", "/doc/council", "text/html"),
    ("inspection page", "/doc/inspection/E10000016/sif/2017-06-13", "text/html"),
    ("claim page", "/doc/claim/kentonline-a127148/carter-worked-extremely-hard", "text/html"),
    ("Kent as Turtle", "/doc/council/E10000016.ttl", "text/turtle"),
    ("Kent as N-Quads", "/doc/council/E10000016.nq", "application/n-quads"),
    ("303 from /id/", "/id/council/E10000016", "text/html"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(port: int, path: str, accept: str) -> tuple[int, int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Accept": accept})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, len(body), time.perf_counter() - started


def wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server stopped with status {process.returncode}")
        try:
            fetch(port, "/sparql?query=ASK%7B%7D", "application/sparql-results+json")
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("the server did not answer within 60 s")


def summary(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))]


def rendered_afresh(store: Path, rounds: int) -> None:
    from ofsted_kg.web.app import create_app
    from ofsted_kg.web.linked_data import bodies

    bodies.BODY_CACHE_ENTRIES = 0
    app = create_app({"store": store, "TESTING": True})
    client = app.test_client()
    print(f"\nrendered afresh (in-process, page cache off), {rounds} requests per page")
    print(f"{'page':<24} {'status':>6} {'bytes':>9} {'median':>8} {'p90':>8}")
    for name, path, accept in PAGES:
        client.get(path, headers={"Accept": accept})
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get(path, headers={"Accept": accept})
            times.append(time.perf_counter() - started)
        median, p90 = summary(times)
        print(
            f"{name:<24} {response.status_code:>6} {len(response.data):>9,} "
            f"{median * 1000:>6.0f}ms {p90 * 1000:>6.0f}ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", default="var/store", type=Path)
    parser.add_argument("--rounds", default=20, type=int)
    args = parser.parse_args()
    if not (args.store / "CURRENT").exists():
        sys.exit(f"no store at {args.store}: run 'ofsted-kg build --store {args.store}' first")
    print(f"command: {' '.join(sys.argv)}   ({os.cpu_count()} cores)")
    rendered_afresh(args.store, args.rounds)
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("ofsted-kg")),
        "serve",
        "--store",
        str(args.store),
        "--port",
        str(port),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFSTED_KG_")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(port, process)
        print(f"\nserved by: ofsted-kg serve --store {args.store} (HTTP, one request at a time)")
        print(f"{'page':<24} {'status':>6} {'bytes':>9} {'first':>8} {'median':>8} {'p90':>8}")
        for name, path, accept in PAGES:
            status, size, first = fetch(port, path, accept)
            times = []
            for _ in range(args.rounds):
                status, size, seconds = fetch(port, path, accept)
                times.append(seconds)
            median, p90 = summary(times)
            print(
                f"{name:<24} {status:>6} {size:>9,} {first * 1000:>6.0f}ms "
                f"{median * 1000:>6.0f}ms {p90 * 1000:>6.0f}ms"
            )
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
