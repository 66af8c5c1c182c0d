"""Time the dumps and the dataset description on a built store.

What ``ofsted-kg build`` adds at its end (all four gzipped dumps, read from the store once), what a
download then costs, and what the first and later requests for ``/.well-known/void`` cost (its
statistics are SPARQL queries, kept per dataset version).

    .venv/bin/python benchmarks/dumps.py [--store var/store] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from ofsted_kg.store.directories import is_store_dir
from ofsted_kg.store.dumps import write_dumps
from ofsted_kg.web.app import create_app


def median_of(runs: int, action: object) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="var/store", type=Path)
    parser.add_argument("--runs", default=3, type=int)
    args = parser.parse_args()
    if not is_store_dir(args.store):
        print(f"no store at {args.store}: run 'make build' first", file=sys.stderr)
        return 2
    print(f"$ .venv/bin/python benchmarks/dumps.py --store {args.store} --runs {args.runs}")

    with tempfile.TemporaryDirectory() as scratch:

        def make() -> None:
            write_dumps(ox.Store.read_only(str(args.store)), Path(scratch) / "d", "bench")

        median, times = median_of(args.runs, make)
        sizes = {p.name: p.stat().st_size for p in (Path(scratch) / "d").glob("*.gz")}
    print(f"write all four dumps: median {median:.1f} s ({', '.join(f'{t:.1f}' for t in times)})")
    print("  sizes: " + ", ".join(f"{n} {s / 1e6:.2f} MB" for n, s in sorted(sizes.items())))

    app = create_app({"store": args.store})
    client = app.test_client()
    client.get("/dumps/").close()  # made if missing

    def download() -> None:
        response = client.get("/dumps/ofsted-kg.nq.gz")
        assert response.status_code == 200, response.data[:500]
        response.close()

    median, _ = median_of(max(args.runs, 5), download)
    print(f"download ofsted-kg.nq.gz (test client): median {median * 1000:.1f} ms")

    start = time.perf_counter()
    assert client.get("/.well-known/void").status_code == 200
    first = time.perf_counter() - start
    median, _ = median_of(max(args.runs, 5), lambda: client.get("/.well-known/void"))
    print(
        f"/.well-known/void: first {first:.2f} s (statistics by SPARQL), then median "
        f"{median * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
