"""A change over time: "improving", "moved up from Adequate to Good"."""

from __future__ import annotations

from ..model import Check, Claim
from ..record import Inspection, Judgement, Record
from ..resolve import describe, judgements_of_area
from . import Rule

KEY = "change"


def _graded(record: Record, council: str, area: str) -> list[tuple[Inspection, list[Judgement]]]:
    pairs = [(i, judgements_of_area(record, i, area)) for i in record.inspections(council)]
    return [(i, js) for i, js in pairs if js]


def _mean_rank(record: Record, judgements: list[Judgement]) -> float:
    ranks = [record.rank(j.grade) for j in judgements]
    return sum(ranks) / len(ranks)


def check(claim: Claim, record: Record) -> list[Check]:
    found = []
    for change in claim.changes:
        council = change.council or claim.council
        name = record.council_label(council)
        area = change.area or record.overall
        facts = (change.iri,)
        graded = _graded(record, council, area)
        issued = claim.source.issued
        if change.to_year is not None:
            after = [p for p in graded if change.to_year.contains(p[0].published)][-1:]
        elif issued is not None:
            after = [p for p in graded if p[0].published <= issued.end][-1:]
        else:
            after = []
        if not after:
            found.append(
                Check(
                    KEY,
                    "cannot-be-checked",
                    f"Ofsted's record has no graded judgement of {name} for the claim's 'now'.",
                    facts,
                )
            )
            continue
        to_inspection, to_judgements = after[0]
        earlier = [p for p in graded if p[0].published < to_inspection.published]
        if change.from_year is not None:
            earlier = [p for p in earlier if change.from_year.contains(p[0].published)]
        before = earlier[-1:]
        if not before:
            found.append(
                Check(
                    KEY,
                    "cannot-be-checked",
                    f"Ofsted's record has no graded judgement of {name} before "
                    f"{describe(record, to_inspection, to_judgements)} to compare it with"
                    + (f" in {change.from_year.words()}" if change.from_year else "")
                    + ".",
                    facts,
                    tuple(j.iri for j in to_judgements),
                )
            )
            continue
        from_inspection, from_judgements = before[0]
        was, now = _mean_rank(record, from_judgements), _mean_rank(record, to_judgements)
        actual = "improved" if now < was else "declined" if now > was else "unchanged"
        parts: list[tuple[bool, str]] = []
        if change.direction:
            parts.append(
                (
                    change.direction == actual,
                    f"the claim says it {change.direction}, the record says it {actual}",
                )
            )
        if change.from_grade:
            ok = any(record.same_grade(change.from_grade, j.grade) for j in from_judgements)
            parts.append(
                (
                    ok,
                    f"the claim's grade before, {record.grade_label(change.from_grade)}, "
                    f"{'matches' if ok else 'does not match'} the record",
                )
            )
        if change.to_grade:
            ok = any(record.same_grade(change.to_grade, j.grade) for j in to_judgements)
            parts.append(
                (
                    ok,
                    f"the claim's grade after, {record.grade_label(change.to_grade)}, "
                    f"{'matches' if ok else 'does not match'} the record",
                )
            )
        used = tuple(sorted(j.iri for j in from_judgements + to_judgements))
        if not parts:
            found.append(
                Check(
                    KEY,
                    "cannot-be-checked",
                    "The claim says nothing about the direction or the grades to compare.",
                    facts,
                    used,
                )
            )
            continue
        right = sum(ok for ok, _ in parts)
        outcome = "agrees" if right == len(parts) else "differs" if not right else "partly-agrees"
        found.append(
            Check(
                KEY,
                outcome,
                f"From {describe(record, from_inspection, from_judgements)} to "
                f"{describe(record, to_inspection, to_judgements)}: "
                + "; ".join(words for _, words in parts)
                + ".",
                facts,
                used,
            )
        )
    return found


RULE = Rule(
    KEY,
    "a change over time",
    "A reported change (okg:Change) in a council's grade for an area (overall effectiveness if "
    "none is named): a direction ('improving'), a grade before, a grade after, and the years.",
    "Takes the council's newest graded judgement of the area in the year after (or in force at "
    "the source's date) and the one before it (in the year before, if given), and compares the "
    "grades by their rank on their scale (1 is best). Each stated part (direction, grade before, "
    "grade after) is compared: all right, agrees; none, differs; some, partly agrees. Cannot be "
    "checked without a judgement before and one after.",
    check,
)
