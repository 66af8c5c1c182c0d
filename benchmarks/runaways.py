"""Light queries while one client runs runaway queries: this checkout side by side with another.

    .venv/bin/python benchmarks/runaways.py [--store var/store] [--seconds 30] [--runaways 16]
        [--baseline CHECKOUT]

Starts ``ofsted-kg serve --query-timeout 5`` over a copy of the store (and, with ``--baseline``,
the server of another checkout, such as the previous main, over another copy, one after the
other). One client (User-Agent ``runaway``) keeps ``--runaways`` heavy queries running (each sent
again as soon as it is answered: a cross product counted, seconds of work on any data); another
(User-Agent ``light``) sends a light lookup every 0.2 s. Prints, per server, the light queries'
latency (median, 99th percentile, worst) and statuses, and the runaway client's statuses.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from servers import checkouts, get, server

RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { "
    + " ".join(f"VALUES ?v{k} {{ {' '.join(str(i) for i in range(100))} }}" for k in range(4))
    + " }"
)
LIGHT = "SELECT ?l WHERE {{ <https://w3id.org/ofsted-kg/id/council/E10000016> ?p ?l }} LIMIT {n}"


def measure(checkout: Path, store: Path, seconds: float, runaways: int) -> dict[str, object]:
    with server(checkout, store, "--query-timeout", "5") as (port, _pid):
        heavy: Counter[int] = Counter()
        light: list[tuple[int, float]] = []
        until = time.monotonic() + seconds

        def runaway() -> None:
            while time.monotonic() < until:
                heavy[get(port, RUNAWAY, "runaway/1")] += 1

        threads = [threading.Thread(target=runaway) for _ in range(runaways)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        n = 0
        while time.monotonic() < until:
            n += 1
            started = time.monotonic()
            status = get(port, LIGHT.format(n=n), "light/1")
            light.append((status, time.monotonic() - started))
            time.sleep(0.2)
        for thread in threads:
            thread.join()
    delays = sorted(d for _, d in light)
    return {
        "light p50": statistics.median(delays),
        "light p99": delays[min(len(delays) - 1, int(len(delays) * 0.99))],
        "light worst": delays[-1],
        "light statuses": dict(Counter(s for s, _ in light)),
        "runaway statuses": dict(heavy),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", default="var/store")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--runaways", type=int, default=16)
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args()
    print("$ " + " ".join([Path(sys.executable).name, *sys.argv]), flush=True)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for number, (name, checkout) in enumerate(checkouts(args.baseline)):
            store = Path(tmp) / f"store-{number}"
            shutil.copytree(args.store, store)
            results[name] = measure(checkout, store, args.seconds, args.runaways)
    print(
        f"\n{args.runaways} runaway queries from one client, light lookups from another, "
        f"{args.seconds:g} s, --query-timeout 5\n"
    )
    for name, figures in results.items():
        print(f"{name}:")
        for key, value in figures.items():
            shown = f"{value * 1000:.0f} ms" if isinstance(value, float) else value
            print(f"  {key}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
