"""Time a whole `ofsted-kg build` at the size the official record will bring (~100k triples).

The issue's target: a whole build (parse, load, reason, validate, swap) under 30 s at 100k triples
on this 2-core machine. The official record is not in the graph yet, so this script writes a
synthetic one shaped like it (every council, its inspections and their judgements, lead inspectors
and their posts, each judgement derived from a dataset) beside a copy of the real ontology, shapes
and seed graph, and builds that tree a few times, printing each step's time and the medians.

    .venv/bin/python benchmarks/build.py [--councils 156] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ofsted_kg.build import build
from ofsted_kg.config import load_settings
from ofsted_kg.errors import ValidationError

ROOT = Path(__file__).resolve().parent.parent

PREFIXES = """\
@prefix okg:  <https://w3id.org/ofsted-kg/def/> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""

BASE = "https://w3id.org/ofsted-kg/"
FRAMEWORKS = {  # framework -> (grade scale, judgement areas)
    "slac": ("2009", ["safeguarding", "looked-after-children"]),
    "cpi": ("2009", ["overall-effectiveness"]),
    "tlac": ("2009", ["overall-effectiveness"]),
    "sif": (
        "2013",
        [
            "overall-effectiveness",
            "help-and-protection",
            "looked-after-permanence",
            "adoption",
            "care-leavers",
            "leadership",
            "lscb",
        ],
    ),
    "ilacs-standard": (
        "2013",
        [
            "overall-effectiveness",
            "impact-of-leaders",
            "help-and-protection",
            "children-in-care-and-care-leavers",
        ],
    ),
    "ilacs-short": ("2013", ["overall-effectiveness", "impact-of-leaders"]),
}
GRADES = {
    "2009": ["outstanding", "good", "adequate", "inadequate"],
    "2013": ["outstanding", "good", "requires-improvement", "inadequate"],
}


def synthetic_record(councils: int, seed: int = 2009) -> str:
    """Turtle for a synthetic official record: deterministic for a given seed."""
    rng = random.Random(seed)
    out = [PREFIXES]
    dataset = f"<{BASE}id/document/synthetic-ofsted-statistics>"
    out.append(
        f'<> a okg:SourceGraph ; rdfs:label "synthetic official record"@en ;'
        f" prov:wasDerivedFrom {dataset} .\n"
        f'{dataset} a okg:SourceDocument ; dct:title "Synthetic Ofsted statistics"@en ;'
        f' dct:publisher <{BASE}id/organisation/ofsted> ; dct:issued "2025-09-25"^^xsd:date ;'
        f" foaf:page <https://example.org/synthetic.ods> .\n"
        f'<{BASE}id/organisation/ofsted> a org:FormalOrganization ; rdfs:label "Ofsted" ;'
        f" dct:source {dataset} .\n"
    )
    for c in range(councils):
        gss = f"E9{c:07d}"
        council = f"<{BASE}id/council/{gss}>"
        out.append(
            f'{council} a okg:Council ; rdfs:label "Synthetic Council {c}"@en ;'
            f' okg:gssCode "{gss}" ; okg:ofstedUrn "{90000 + c}" ; okg:dfeCode "{c:03d}" ;'
            f" owl:sameAs <http://www.wikidata.org/entity/Q{9000000 + c}> ;"
            f" okg:governsArea <http://statistics.data.gov.uk/id/statistical-geography/{gss}> ;"
            f" dct:source {dataset} .\n"
        )
        for i in range(16):
            framework = rng.choice(sorted(FRAMEWORKS))
            scale, areas = FRAMEWORKS[framework]
            year = 2009 + i
            date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            inspection = f"<{BASE}id/inspection/{gss}/{framework}/{date}>"
            inspector = f"<{BASE}id/person/inspector-{rng.randrange(400)}>"
            out.append(
                f"{inspection} a okg:Inspection ; okg:inspected {council} ;"
                f" okg:framework <{BASE}def/framework/{framework}> ;"
                f' okg:publicationDate "{date}"^^xsd:date ;'
                f" prov:wasAssociatedWith <{BASE}id/organisation/ofsted> , {inspector} ;"
                f" dct:source {dataset} .\n"
            )
            for area in areas:
                grade = rng.choice(GRADES[scale])
                out.append(
                    f"<{BASE}id/judgement/{gss}/{framework}/{date}/{area}> a okg:Judgement ;"
                    f" okg:judgementOf {council} ; okg:area <{BASE}def/area/{area}> ;"
                    f" okg:grade <{BASE}def/grade/{scale}/{grade}> ;"
                    f" prov:wasGeneratedBy {inspection} ; prov:wasDerivedFrom {dataset} .\n"
                )
    for n in range(400):
        person = f"<{BASE}id/person/inspector-{n}>"
        out.append(
            f'{person} a foaf:Person ; rdfs:label "Inspector {n}" ; dct:source {dataset} .\n'
            f"<{BASE}id/membership/synthetic/inspector-{n}> a org:Membership ;"
            f" org:member {person} ; org:organization <{BASE}id/organisation/ofsted> ;"
            f" org:role <{BASE}def/role/chief-inspector> ;"
            f" org:memberDuring [ a time:Interval ; time:inside [ a time:Instant ;"
            f' time:inXSDgYear "2020"^^xsd:gYear ] ] ; prov:wasDerivedFrom {dataset} .\n'
        )
    return "".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=156)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="okg-bench-") as tmp:
        tree = Path(tmp) / "tree"
        for part in ("ontology", "shapes", "graph"):
            shutil.copytree(ROOT / part, tree / part)
        (tree / "graph" / "official").mkdir(exist_ok=True)
        (tree / "graph" / "official" / "synthetic.ttl").write_text(
            synthetic_record(args.councils), encoding="utf-8"
        )
        settings = load_settings(overrides={"root": str(tree), "store": str(Path(tmp) / "store")})

        totals: list[float] = []
        sizes: list[str] = []
        for run in range(1, args.runs + 1):
            lines: list[str] = []
            started = time.perf_counter()
            try:
                result = build(settings, progress=lines.append)
            except ValidationError as exc:
                print("\n".join(lines), file=sys.stderr)
                for violation in exc.report.violations[:10]:
                    print(violation, file=sys.stderr)
                raise
            totals.append(time.perf_counter() - started)
            sizes.append(f"{result.triples:,} asserted + {result.inferred:,} inferred triples")
            print(f"run {run}: {totals[-1]:.1f} s")
            for line in lines:
                print(f"    {line}")

    print()
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"graph:   {sizes[-1]} ({args.councils} synthetic councils + the real seed graph)")
    print(f"whole build, median of {args.runs}: {statistics.median(totals):.1f} s (target < 30 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
