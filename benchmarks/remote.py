"""The endpoint over a remote Oxigraph server (the remote backend) against that server queried
directly, and the time of one write through the remote backend against the embedded store.

    .venv/bin/python benchmarks/remote.py [--store var/store] [--seconds 20] [--clients 8]
        [--writes 3]

Starts ``oxigraph serve`` over a copy of the store (its default graph is the materialised union,
as the build makes it) and ``ofsted-kg serve --remote-query ...`` in front of it, runs the query
mix of ``benchmarks/endpoint.py`` from 8 concurrent clients against each in turn, and prints
queries per second and p50/p99 latency. Then it times ``--writes`` small INSERT DATA updates
through the remote backend (fetch everything, apply, reason, validate, send the change) and
through the embedded store's backend (in place: the change, its entailments and the shapes'
verdict on what it affects), and prints their medians.
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
from pathlib import Path

from endpoint import MIX, free_port, run_clients, summary, wait_ready
from ofsted_kg.backends.base import Backend, Write

TOKEN = "bench"


def time_writes(backend: Backend, count: int) -> list[float]:
    seconds: list[float] = []
    for n in range(count):
        update = (
            "INSERT DATA { GRAPH <http://example.org/bench> { "
            f"<http://example.org/s{n}> <http://www.w3.org/2000/01/rdf-schema#label> 'x{n}' }} }}"
        )
        started = time.perf_counter()
        backend.write(Write("update", text=update))
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="var/store")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--writes", type=int, default=3)
    args = parser.parse_args()
    store = Path(args.store)
    if not (store / "CURRENT").is_file():
        raise SystemExit(f"no store at {store}: run 'ofsted-kg build --store {store}' first")
    print("$ " + " ".join([Path(sys.executable).name, *sys.argv]))
    bin_dir = Path(sys.executable).parent
    rows = []
    writes: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        remote_store, local_store = Path(tmp) / "remote", Path(tmp) / "local"
        shutil.copytree(store, remote_store)
        shutil.copytree(store, local_store)
        port_remote, port_ours = free_port(), free_port()
        remote_url = f"http://127.0.0.1:{port_remote}"
        bind = [f"127.0.0.1:{port_remote}"]
        serve_options = ["--threads", str(args.clients), "--remote-query", f"{remote_url}/query"]
        remote = subprocess.Popen(
            [str(bin_dir / "oxigraph"), "serve", "--location", str(remote_store), "--bind", *bind],
            stderr=subprocess.DEVNULL,
        )
        ours = subprocess.Popen(
            [str(bin_dir / "ofsted-kg"), "serve", "--port", str(port_ours), *serve_options],
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if not k.startswith("OFSTED_KG_")},
        )
        try:
            wait_ready(port_remote, "/query?query=ASK%7B%7D")
            wait_ready(port_ours, "/sparql?query=ASK%7B%7D")
            run_clients(port_ours, "/sparql", args.clients, 2)  # warm-up
            run_clients(port_remote, "/query", args.clients, 2)
            for name, port, path in (
                ("ofsted-kg /sparql (remote)", port_ours, "/sparql"),
                ("oxigraph server directly", port_remote, "/query"),
            ):
                latencies = run_clients(port, path, args.clients, args.seconds)
                rows.append(summary(name, latencies, args.seconds))
        finally:
            ours.terminate()
            ours.wait(timeout=10)
        try:
            if args.writes:
                from ofsted_kg.backends.local import LocalBackend
                from ofsted_kg.backends.remote import RemoteBackend
                from ofsted_kg.config import load_settings

                common = {"update_token": TOKEN, "root": Path.cwd()}
                remote_backend = RemoteBackend(
                    load_settings(
                        env={},
                        overrides={
                            **common,
                            "remote_query": f"{remote_url}/query",
                            "remote_update": f"{remote_url}/update",
                        },
                    )
                )
                writes["remote backend"] = time_writes(remote_backend, args.writes)
                local = LocalBackend(
                    load_settings(env={}, overrides={**common, "store": local_store, "workers": 1})
                )
                writes["embedded store"] = time_writes(local, args.writes)
                local.close()
        finally:
            remote.terminate()
            remote.wait(timeout=10)
    print(f"\n{len(MIX)} queries in the mix, {args.clients} clients, {args.seconds:g} s each\n")
    print(f"| {'server':<30} | {'QPS':>8} | {'p50 ms':>8} | {'p99 ms':>9} |")
    print(f"|{'-' * 32}|{'-' * 10}:|{'-' * 10}:|{'-' * 11}:|")
    for name, qps, p50, p99 in rows:
        print(f"| {name:<30} | {qps:>8.1f} | {p50:>8.1f} | {p99:>9.1f} |")
    print(f"\nremote backend / oxigraph throughput: {rows[0][1] / rows[1][1]:.2f}")
    for name, seconds in writes.items():
        runs = ", ".join(f"{1000 * s:,.0f}" for s in seconds)
        median = 1000 * statistics.median(seconds)
        print(f"one INSERT DATA through the {name}: median {median:,.0f} ms ({runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
