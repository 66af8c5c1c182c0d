"""The web process's memory over writes and over large requests: this checkout side by side
with another.

    .venv/bin/python benchmarks/memory.py [--writes 20] [--triples 20000] [--bodies 40]
        [--body-mib 8] [--baseline CHECKOUT]

For each server (this checkout, and ``--baseline``, such as the previous main), on a new store:
puts ``--triples`` triples in one graph, then reads the web process's resident memory before and
after ``--writes`` small updates, and before and after ``--bodies`` distinct queries of
``--body-mib`` MiB each (``ASK {}`` and spaces). The store is a scratch one so that a write takes a
second, not twenty; what a write leaves in the web process grows with the store.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from servers import checkouts, resident_mib, send, server


def measure(checkout: Path, store: Path, args: argparse.Namespace) -> dict[str, str]:
    with server(checkout, store) as (port, pid):
        triples = "\n".join(
            f'<http://e/s{i}> <http://e/p> "value {i}" .' for i in range(args.triples)
        )
        assert send(port, "/store?graph=http://e/big", triples.encode(), "text/turtle", "PUT") in (
            201,
            204,
        )
        before = resident_mib(pid)
        for n in range(args.writes):
            update = f"INSERT DATA {{ GRAPH <http://e/w> {{ <http://e/x{n}> <http://e/p> {n} }} }}"
            assert send(port, "/sparql", update.encode(), "application/sparql-update") == 204
        after_writes = resident_mib(pid)
        for n in range(args.bodies):
            query = f"ASK {{}} # {n}" + " " * (args.body_mib << 20)
            assert send(port, "/sparql", query.encode(), "application/sparql-query") == 200
        after_bodies = resident_mib(pid)
    return {
        f"{args.writes} writes": f"{before:.0f} -> {after_writes:.0f} MiB",
        f"{args.bodies} queries of {args.body_mib} MiB": f"{after_writes:.0f} -> "
        f"{after_bodies:.0f} MiB",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--triples", type=int, default=20_000)
    parser.add_argument("--bodies", type=int, default=40)
    parser.add_argument("--body-mib", type=int, default=8)
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args()
    print("$ " + " ".join([Path(sys.executable).name, *sys.argv]), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for number, (name, checkout) in enumerate(checkouts(args.baseline)):
            figures = measure(checkout, Path(tmp) / f"store-{number}", args)
            print(f"{name}: " + "; ".join(f"{k}: {v}" for k, v in figures.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
