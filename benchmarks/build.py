"""Time a whole `ofsted-kg build` of the real graph, and of the real graph grown by a synthetic one.

The target (issue 2): a whole build (parse, load, reason, validate, swap) under 30 s at ~100k
triples on this 2-core machine. This script copies the real ontology, shapes, data and graph to a
temporary tree, optionally adds a synthetic record shaped like the official one (councils, their
inspections and judgements, lead inspectors and their posts, each judgement derived from a
dataset) to see how the build scales, and builds the tree a few times, printing each step's time
and the median.

    .venv/bin/python benchmarks/build.py [--councils 0] [--runs 3] [--baseline CHECKOUT]

Each build runs in its own process. With ``--baseline`` another checkout (with its own .venv, say
one of main) builds its own tree in turn with this one, alternating which goes first, so that the
two are compared side by side on the same busy machine.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from servers import python_for

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


def child(tree: Path, store: Path) -> int:
    """One build of ``tree`` by whichever ofsted_kg this interpreter imports; prints JSON."""
    # Imported here, and from where either layout keeps it: the baseline may be a checkout from
    # before the package had layers (ofsted_kg.build was then the pipeline module itself).
    from ofsted_kg.config import load_settings
    from ofsted_kg.errors import ValidationError

    try:
        from ofsted_kg.build.pipeline import build
    except ImportError:
        from ofsted_kg.build import build  # type: ignore[attr-defined,no-redef]

    settings = load_settings(overrides={"root": str(tree), "store": str(store)})
    lines: list[str] = []
    started = time.perf_counter()
    try:
        result = build(settings, progress=lines.append)
    except ValidationError as exc:
        print("\n".join(lines), file=sys.stderr)
        for violation in exc.report.violations[:10]:
            print(violation, file=sys.stderr)
        raise
    total = time.perf_counter() - started
    cpu = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),  # the validation workers
        )
    )
    sizes = f"{result.triples:,} asserted + {result.inferred:,} inferred triples"
    print(json.dumps({"total": total, "cpu": cpu, "lines": lines, "sizes": sizes}))
    return 0


def make_tree(checkout: Path, tree: Path, councils: int) -> None:
    for part in ("ontology", "shapes", "graph", "data"):
        shutil.copytree(checkout / part, tree / part)
    if councils:
        (tree / "graph" / "synthetic").mkdir()
        (tree / "graph" / "synthetic" / "record.ttl").write_text(
            synthetic_record(councils), encoding="utf-8"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--councils", type=int, default=0, help="synthetic councils to add (0: the real graph only)"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of the project (say, of main; its own .venv if it has one, else "
        "this Python with its package): its build of its own tree runs alternately with this "
        "one's, for a side-by-side comparison",
    )
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)

    contenders = [("this checkout", ROOT, [sys.executable], None)]
    if args.baseline:
        base = args.baseline.resolve()
        contenders.insert(0, ("baseline " + str(base), base, *python_for(base)))
    with tempfile.TemporaryDirectory(prefix="okg-bench-") as tmp:
        totals: dict[str, list[float]] = {name: [] for name, *_ in contenders}
        cpus: dict[str, list[float]] = {name: [] for name, *_ in contenders}
        sizes: dict[str, str] = {}
        for index, (_name, checkout, *_) in enumerate(contenders):
            make_tree(checkout, Path(tmp) / f"tree{index}", args.councils)
        for run in range(1, args.runs + 1):
            # Alternate the order, so that neither side always runs first on a busy machine.
            order = list(enumerate(contenders))
            if run % 2 == 0:
                order.reverse()
            for index, (name, _, python, env) in order:
                done = subprocess.run(
                    [
                        *python,
                        str(Path(__file__).resolve()),
                        "--child",
                        str(Path(tmp) / f"tree{index}"),
                        str(Path(tmp) / f"store{index}"),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    env=env,
                )
                out = json.loads(done.stdout.strip().splitlines()[-1])
                totals[name].append(out["total"])
                cpus[name].append(out["cpu"])
                sizes[name] = out["sizes"]
                print(f"run {run}, {name}: {out['total']:.1f} s ({out['cpu']:.1f} s of CPU)")
                for line in out["lines"]:
                    print(f"    {line}")

    print()
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    extra = f" + {args.councils} synthetic councils" if args.councils else ""
    medians = {name: statistics.median(times) for name, times in totals.items()}
    for name, median in medians.items():
        print(f"{name}: {sizes[name]} (the real graph{extra})")
        runs = ", ".join(f"{t:.1f}" for t in totals[name])
        print(
            f"    whole build, median of {args.runs}: {median:.1f} s (runs {runs}; target < 30 s)"
        )
    if args.baseline:
        base_name = contenders[0][0]
        ratio = medians[base_name] / medians["this checkout"]
        print(f"speed-up, median against median: {ratio:.2f}x")
        cpu_ratio = statistics.median(cpus[base_name]) / statistics.median(cpus["this checkout"])
        print(f"CPU time, baseline's median over this one's: {cpu_ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
