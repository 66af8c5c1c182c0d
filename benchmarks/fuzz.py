"""The fuzz suite's longer run: the requests of ``tests/fuzzing.py`` against a real server on the
real graph, for as long as asked, from several clients at once.

    .venv/bin/python benchmarks/fuzz.py [--store var/store] [--seconds 600] [--clients 4]
        [--query-timeout 5] [--write-timeout 120] [--log FILE]

Starts ``ofsted-kg serve`` over a copy of the store with an update token (as the probes that found
the crashes were made: ``--query-timeout 5``), sends drawn requests from ``--clients`` threads until
``--seconds`` have passed, and prints: requests sent, statuses, every answer that is a 5xx other
than the documented 503/504 (with the request), whether the server is alive at the end and answers
a light query, and the web process's resident memory at the start, its peak, and at the end.
Exits 1 if any answer was undocumented or the server died.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import fuzzing
from fuzzing import TOKEN, Probe, acceptable, requests
from hypothesis.errors import NonInteractiveExampleWarning
from servers import free_port, resident_mib


def send(port: int, probe: Probe, timeout: float) -> tuple[int, bytes]:
    return fuzzing.send("127.0.0.1", port, probe, timeout)


def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "ofsted-kg serve ended"
        try:
            if send(port, Probe("GET", "/sparql?query=ASK%7B%7D"), 5)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("ofsted-kg serve did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", default="var/store")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--query-timeout", type=float, default=5)
    parser.add_argument("--write-timeout", type=float, default=120)
    parser.add_argument("--log", type=Path, help="keep the server's log (standard error) here")
    args = parser.parse_args()
    store = Path(args.store)
    if not (store / "CURRENT").is_file():
        raise SystemExit(f"no store at {store}: run 'ofsted-kg build --store {store}' first")
    print("$ " + " ".join([Path(sys.executable).name, *sys.argv]), flush=True)
    warnings.simplefilter("ignore", NonInteractiveExampleWarning)
    strategy = requests()
    statuses: Counter[int] = Counter()
    undocumented: list[str] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    drawing = threading.Lock()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(store, copy)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("OFSTED_KG_")}
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "ofsted-kg"),
                "serve",
                "--store",
                str(copy),
                "--port",
                str(port),
                "--update-token",
                TOKEN,
                "--query-timeout",
                str(args.query_timeout),
                "--write-timeout",
                str(args.write_timeout),
            ],
            stderr=args.log.open("wb") if args.log else subprocess.DEVNULL,
            env=env,
        )
        try:
            wait_ready(port, process)
            start = peak = resident_mib(process.pid)
            until = time.monotonic() + args.seconds

            def client() -> None:
                nonlocal peak
                while time.monotonic() < until and process.poll() is None:
                    with drawing:  # hypothesis draws one example at a time
                        probe = strategy.example()
                    try:
                        status, body = send(port, probe, args.write_timeout + 60)
                    except (http.client.InvalidURL, ValueError, UnicodeEncodeError):
                        continue  # not expressible in HTTP/1.1
                    except OSError as exc:
                        with lock:
                            errors[type(exc).__name__] += 1
                        continue
                    with lock:
                        statuses[status] += 1
                        if not acceptable(status, body):
                            undocumented.append(f"{status} {body[:200]!r} for {probe.describe()}")
                        if process.poll() is None:
                            peak = max(peak, resident_mib(process.pid))

            began = time.monotonic()
            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - began
            alive = process.poll() is None
            light = send(port, Probe("GET", "/sparql?query=ASK%7B%7D"), 30)[0] if alive else None
            end = resident_mib(process.pid) if alive else float("nan")
        finally:
            process.terminate()
            process.wait(timeout=30)
    sent = sum(statuses.values())
    print(
        f"\n{sent:,} requests in {elapsed:.0f} s from {args.clients} clients "
        f"({sent / elapsed:.1f} a second)"
    )
    print("statuses: " + ", ".join(f"{s}: {n:,}" for s, n in sorted(statuses.items())))
    if errors:
        print("client-side errors: " + ", ".join(f"{e}: {n}" for e, n in errors.items()))
    five = sum(n for s, n in statuses.items() if s >= 500)
    print(
        f"5xx: {five:,} ({five - len(undocumented):,} documented 503/504, "
        f"{len(undocumented):,} undocumented)"
    )
    for line in undocumented[:10]:
        print("  " + line)
    print(f"server alive at the end: {alive}; a light query then answered {light}")
    print(
        f"web process memory: {start:.0f} MiB at the start, {peak:.0f} MiB at its peak, "
        f"{end:.0f} MiB at the end"
    )
    return 0 if alive and not undocumented and light == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
