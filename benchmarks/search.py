"""Search by text on the full graph (issue 15): ``/search.json`` against a SPARQL scan.

    .venv/bin/python benchmarks/search.py [--store var/store] [--rounds 20]

``ofsted-kg serve`` over a copy of ``--store``; each of the searches below is asked ``--rounds``
times through ``/search.json`` (its answer is worked out each time: the index is kept, answers
are not) (the FTS5 index, made once for the dataset version by the first
search, which is timed apart), and side by side the same words through ``/sparql`` as a
SPARQL ``FILTER(CONTAINS(LCASE(?name), ...))`` over every label, title, statement and quotation:
what one would write without the index (and which finds no misspelt name). p50 and p99 in ms.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from servers import HERE, server

SEARCHES = [
    "Hertfordsire",  # one letter missing
    "Birmingam",
    "Kent",
    "kent council",
    "Tower Hamlets",
    "Roger Gough",
    "there is always more to be done",
    "neglectful circumstances",
    "ILACS",
    "asylum",
]


def get(port: int, path: str, accept: str = "application/json") -> tuple[float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        response.read()
        return time.perf_counter() - started, response.status
    finally:
        conn.close()


def scan(words: str, n: int) -> str:
    """The scan, its text new each time (``# n``) so that no kept answer is reused."""
    needle = words.lower().replace('"', "")
    return f"""# {n}
SELECT DISTINCT ?s ?name WHERE {{
  VALUES ?p {{ <http://www.w3.org/2000/01/rdf-schema#label> <http://purl.org/dc/terms/title>
    <https://w3id.org/ofsted-kg/def/statement> <https://w3id.org/ofsted-kg/def/quotation>
    <https://w3id.org/ofsted-kg/def/description> }}
  ?s ?p ?name . FILTER(CONTAINS(LCASE(STR(?name)), "{needle}"))
}} LIMIT 50"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=HERE / "var" / "store")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print(f"$ {' '.join([Path(sys.executable).name, *sys.argv])}")
    index: list[float] = []
    sparql: list[float] = []
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(args.store, store)
        with server(HERE, store) as (port, _pid):
            first, status = get(port, "/search.json?q=warm")
            failed += status != 200
            for n in range(args.rounds):
                for words in SEARCHES:
                    took, status = get(port, "/search.json?" + urllib.parse.urlencode({"q": words}))
                    failed += status != 200
                    index.append(took)
                    query = urllib.parse.urlencode({"query": scan(words, n)})
                    took, status = get(port, "/sparql?" + query, "application/sparql-results+json")
                    failed += status != 200
                    sparql.append(took)
    print(f"first search (makes the index): {1000 * first:.0f} ms")
    print(f"{'':34} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}")
    for name, values in (("/search.json (FTS5)", index), ("/sparql CONTAINS scan", sparql)):
        print(
            f"{name:34} {len(values):>5} {1000 * statistics.median(values):>8.1f} "
            f"{1000 * percentile(values, 0.99):>8.1f}"
        )
    print(f"p50 ratio, scan over index: {statistics.median(sparql) / statistics.median(index):.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
