"""Counts of areas by grade: "in four of the areas inspected standards were good but in one ...
the service required improvement"."""

from __future__ import annotations

from collections import defaultdict

from ..model import AreaCount, Check, Claim
from ..record import Record
from ..resolve import describe, resolve
from . import Rule

KEY = "area-counts"


def check(claim: Claim, record: Record) -> list[Check]:
    by_inspection: dict[str, list[AreaCount]] = defaultdict(list)
    for count in claim.counts:
        by_inspection[count.inspection].append(count)
    found = []
    for reported_iri, counts in sorted(by_inspection.items()):
        facts = tuple(c.iri for c in counts)
        reported = claim.inspections.get(reported_iri)
        council = reported.council if reported is not None else claim.council
        resolution = resolve(claim, reported, record, council)
        if resolution.problem or len(resolution.inspections) != 1:
            reason = resolution.problem or (
                f"The counts need one inspection, and {resolution.scope} gives "
                f"{len(resolution.inspections)}."
            )
            found.append(Check(KEY, "cannot-be-checked", reason, facts))
            continue
        inspection = resolution.inspections[0]
        areas = [j for j in inspection.judgements if record.under(j.area, record.overall)]
        if not areas:
            found.append(
                Check(
                    KEY,
                    "cannot-be-checked",
                    f"The inspection found ({resolution.scope}) has no judgements of areas under "
                    "overall effectiveness to count.",
                    facts,
                )
            )
            continue
        right, parts = 0, []
        for count in counts:
            actual = sum(1 for j in areas if record.same_grade(count.grade, j.grade))
            label = record.grade_label(count.grade)
            parts.append(f"{label}: the claim says {count.value}, the record has {actual}")
            right += actual == count.value
        outcome = "agrees" if right == len(counts) else "differs" if right == 0 else "partly-agrees"
        found.append(
            Check(
                KEY,
                outcome,
                f"Counting the {len(areas)} areas graded under overall effectiveness in "
                f"{describe(record, inspection, areas)}, found as {resolution.scope}: "
                + "; ".join(parts)
                + ".",
                facts,
                tuple(sorted(j.iri for j in areas)),
            )
        )
    return found


RULE = Rule(
    KEY,
    "counts of areas by grade",
    "Figures counting judgement areas with a grade (okg:gradeCounted) about one reported "
    "inspection: 'four areas good and one requires improvement'.",
    "Finds the one inspection meant, counts its judgements of the areas under overall "
    "effectiveness (not the overall judgement, nor the LSCB review's) with each grade. Agrees if "
    "every count is right, partly agrees if some are, differs if none is. Cannot be checked if "
    "no single inspection is found.",
    check,
)
