"""Claims checked as they arrive (issue 14): ``POST /claims`` on the full graph, end to end.

    .venv/bin/python benchmarks/claims.py [--store var/store] [--rounds 3]

``ofsted-kg serve`` of this checkout runs over a copy of ``--store`` (the store ``ofsted-kg build``
makes from the real tree; never written). Each round posts every claim of
``tests/claims/table.json`` (47 claims about real councils, every rule; each round's words carry
the round's number, so that each is a new claim) and times each answer. Side by side, in the same
run and on the same server, the write alone: a SPARQL ``INSERT DATA`` of a claim's graph of the
same size (a person, a document, a quotation, a reported judgement; about 40 triples) through
``/sparql``, which is reasoned over and validated like the claim's but not checked against the
record. The table gives p50 and p99 in ms per rule and for the write alone; the difference is
what validating the JSON, reading the record and running the rules costs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from servers import HERE, server

TABLE = json.loads((HERE / "tests" / "claims" / "table.json").read_text("utf-8"))


def post(port: int, path: str, body: bytes, content_type: str) -> tuple[float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": content_type, "Authorization": "Bearer benchmark"},
        )
        response = conn.getresponse()
        response.read()
        return time.perf_counter() - started, response.status
    finally:
        conn.close()


def insert_data(n: int) -> bytes:
    """A claim's worth of triples (about 40) in a named graph of its own."""
    b = "https://w3id.org/ofsted-kg/"
    g = f"<{b}graph/bench/claim-{n}>"
    doc, person, claim = (f"<{b}id/{kind}/bench-{n}>" for kind in ("document", "person", "claim"))
    insp, judg = f"<{b}id/inspection/bench-{n}/reported>", f"<{b}id/judgement/bench-{n}/reported>"
    okg, prov, dct, rdfs = (
        f"{b}def/",
        "http://www.w3.org/ns/prov#",
        "http://purl.org/dc/terms/",
        ("http://www.w3.org/2000/01/rdf-schema#"),
    )
    org = f"<{b}id/organisation/bench-gazette>"
    lines = [
        f"{g} a <{okg}SourceGraph> ; <{prov}wasDerivedFrom> {doc} .",
        f'{doc} a <{okg}SourceDocument> ; <{dct}title> "Bench {n}" ; <{dct}publisher> {org} ;',
        f'  <{dct}issued> "2023-05-01"^^<http://www.w3.org/2001/XMLSchema#date> .',
        f'{org} a <{okg}Publisher> ; <{rdfs}label> "Bench Gazette" ; <{dct}source> {doc} .',
        f'{person} a <http://xmlns.com/foaf/0.1/Person> ; <{rdfs}label> "Bench {n}" ;',
        f"  <{dct}source> {doc} .",
        f'{claim} a <{okg}Quotation> ; <{okg}quotation> "words {n}" ;',
        f'  <{okg}statement> "words {n}" ;',
        f"  <{prov}wasAttributedTo> {person} ; <{prov}wasQuotedFrom> {doc} ;",
        f"  <{prov}wasDerivedFrom> {doc} ; <{okg}about> <{b}id/council/E08000025> ;",
        f"  <{okg}asserts> {judg} .",
        f"{insp} a <{okg}Inspection> ; <{okg}inspected> <{b}id/council/E08000025> ;",
        f'  <{okg}date> "2023"^^<http://www.w3.org/2001/XMLSchema#gYear> ;',
        '  <http://www.w3.org/2004/02/skos/core#scopeNote> "no framework"@en ;',
        f"  <{dct}source> {doc} .",
        f"{judg} a <{okg}Judgement> ; <{okg}judgementOf> <{b}id/council/E08000025> ;",
        f"  <{okg}area> <{okg}area/overall-effectiveness> ; <{okg}grade> <{okg}grade/2013/good> ;",
        f"  <{prov}wasGeneratedBy> {insp} ; <{prov}wasDerivedFrom> {doc} .",
    ]
    return f"INSERT DATA {{ GRAPH {g} {{ {' '.join(lines)} }} }}".encode()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=HERE / "var" / "store")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"$ {' '.join([Path(sys.executable).name, *sys.argv])}")
    times: dict[str, list[float]] = {}
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(args.store, store)
        with server(HERE, store) as (port, _pid):
            post(port, "/claims", json.dumps(TABLE[0]["body"]).encode(), "application/json")
            n = 0
            for round_ in range(args.rounds):
                for case in TABLE:
                    body = json.loads(json.dumps(case["body"]))
                    body["text"] += f" (round {round_})"
                    took, status = post(
                        port, "/claims", json.dumps(body).encode(), "application/json"
                    )
                    failed += status != 201
                    times.setdefault(case["rule"], []).append(took)
                    times.setdefault("every claim", []).append(took)
                    n += 1
                    took, status = post(
                        port, "/sparql", insert_data(n), "application/sparql-update"
                    )
                    failed += status != 204
                    times.setdefault("the write alone (INSERT DATA)", []).append(took)
    print(f"{'':32} {'n':>4} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in times.items():
        print(
            f"{name:32} {len(values):>4} {1000 * statistics.median(values):>8.1f} "
            f"{1000 * percentile(values, 0.99):>8.1f} {1000 * max(values):>8.1f}"
        )
    claims = statistics.median(times["every claim"])
    alone = statistics.median(times["the write alone (INSERT DATA)"])
    print(f"p50 ratio, POST /claims over the write alone: {claims / alone:.2f}")
    if failed:
        print(f"{failed} requests were not answered 201/204")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
