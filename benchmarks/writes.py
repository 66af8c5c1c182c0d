"""Writes to the real store through the endpoint: a SPARQL update and a Graph Store PUT.

    .venv/bin/python benchmarks/writes.py [--store var/store] [--runs 3] [--baseline CHECKOUT]

Each write recomputes the inferred graph and checks the shapes over the whole store before it is
kept (see server/backend.py), so its cost grows with the store, not with the write. The script
starts ``ofsted-kg serve --update-token`` on a copy of the store and times, ``--runs`` times each,
one ``INSERT DATA`` into a named graph and one Graph Store ``PUT`` of a small graph, then prints
each time and the medians, and the web process's resident memory before and after the writes.
With ``--baseline CHECKOUT``, the server code of that checkout (its ``server/`` folder, run with
this checkout's libraries) is measured in turn with this one, on its own copy of the same store,
alternating which goes first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from endpoint import free_port, wait_ready

TOKEN = "benchmark"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def request(url: str, data: bytes, method: str, content_type: str) -> float:
    req = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=900) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{method} {url}: {exc.code} {exc.read()[:300]!r}") from None
    return time.perf_counter() - started


def resident_mib(pid: int) -> float:
    """The resident memory of a process (the web process; writes may run in children)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def measure(name: str, code: Path | None, store: Path, runs: int) -> dict[str, list[float]]:
    """Start a server over a copy of ``store`` (``code``: another checkout's server/) and time
    ``runs`` updates and ``runs`` Graph Store PUTs."""
    with tempfile.TemporaryDirectory(prefix="writes-") as scratch:
        copy = Path(scratch) / "store"
        shutil.copytree(store, copy)
        env = dict(os.environ)
        if code is not None:  # import ofsted_kg from the other checkout's server/
            (Path(scratch) / "path").mkdir()
            (Path(scratch) / "path" / "ofsted_kg").symlink_to(code / "server")
            env["PYTHONPATH"] = str(Path(scratch) / "path")
        port = free_port()
        command = [sys.executable, "-c", "from ofsted_kg.cli import main; raise SystemExit(main())"]
        server = subprocess.Popen(
            [*command, "serve", "--store", str(copy), "--port", str(port), "--update-token", TOKEN],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(port, "/sparql")
            before = resident_mib(server.pid)
            times: dict[str, list[float]] = {"update": [], "put": []}
            for n in range(runs):
                update = (
                    f"INSERT DATA {{ GRAPH <http://example.org/bench/{n}> {{ "
                    f'<http://example.org/bench/thing/{n}> <{LABEL}> "thing {n}" }} }}'
                )
                times["update"].append(
                    request(
                        f"http://127.0.0.1:{port}/sparql",
                        urllib.parse.urlencode({"update": update}).encode(),
                        "POST",
                        "application/x-www-form-urlencoded",
                    )
                )
                graph = urllib.parse.quote(f"http://example.org/bench/put/{n}")
                times["put"].append(
                    request(
                        f"http://127.0.0.1:{port}/store?graph={graph}",
                        f'<http://example.org/bench/put/{n}/x> <{LABEL}> "put {n}" .'.encode(),
                        "PUT",
                        "text/turtle",
                    )
                )
            print(
                f"  {name}: update "
                + ", ".join(f"{t:.1f}" for t in times["update"])
                + " s; put "
                + ", ".join(f"{t:.1f}" for t in times["put"])
                + f" s; web process {before:.0f} -> {resident_mib(server.pid):.0f} MiB resident",
                flush=True,
            )
            return times
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("var/store"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    args = parser.parse_args()
    if not (args.store / "CURRENT").exists():
        raise SystemExit(f"no store at {args.store}: run `make build` first")
    print(f"$ {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    servers: list[tuple[str, Path | None]] = [("this checkout", None)]
    if args.baseline is not None:
        servers.append((f"baseline {args.baseline}", args.baseline.resolve()))
    results: dict[str, dict[str, list[float]]] = {
        name: {"update": [], "put": []} for name, _ in servers
    }
    for turn in range(2 if args.baseline is not None else 1):
        for name, code in servers if turn % 2 == 0 else servers[::-1]:
            got = measure(name, code, args.store, args.runs)
            for kind in got:
                results[name][kind] += got[kind]
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print("\n| server | update: median s | Graph Store PUT: median s |\n|---|---:|---:|")
    for name, _ in servers:
        print(
            f"| {name} | {statistics.median(results[name]['update']):.1f} "
            f"| {statistics.median(results[name]['put']):.1f} |"
        )
    if args.baseline is not None:
        ours, theirs = results[servers[0][0]], results[servers[1][0]]
        for kind in ("update", "put"):
            ratio = statistics.median(theirs[kind]) / statistics.median(ours[kind])
            print(f"{kind}: this checkout is {ratio:.2f}x as fast as the baseline")


if __name__ == "__main__":
    main()
