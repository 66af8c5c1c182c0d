"""A grade for a council's inspection or area, located by date, year, framework or relative words
("the previous inspection", "an earlier one")."""

from __future__ import annotations

from ..model import Check, Claim, ReportedJudgement
from ..record import Record
from ..resolve import describe, judgements_of_area, resolve
from . import Rule

KEY = "grade"


def check(claim: Claim, record: Record) -> list[Check]:
    found = []
    for reported in claim.judgements:
        inspection = claim.inspections.get(reported.inspection)
        claimed = record.grade_label(reported.grade)
        area = record.areas[reported.area].label.lower() if reported.area in record.areas else "?"

        def cannot(reason: str, reported: ReportedJudgement = reported) -> Check:
            return Check(KEY, "cannot-be-checked", reason, (reported.iri,), (), reported.grade)

        if reported.grade not in record.grades or not record.rank(reported.grade):
            found.append(cannot("The claim's grade is on no scale Ofsted's tables use."))
            continue
        council = reported.council or claim.council
        resolution = resolve(claim, inspection, record, council, reported.year)
        if resolution.problem:
            found.append(cannot(resolution.problem))
            continue
        pairs = [(i, judgements_of_area(record, i, reported.area)) for i in resolution.inspections]
        pairs = [(i, js) for i, js in pairs if js]
        if not pairs:
            found.append(
                cannot(
                    f"Ofsted's record has no judgement of {area} to match: "
                    f"it has none among {resolution.scope}."
                )
            )
            continue
        used = [j for _, js in pairs for j in js]
        agreeing = [j for j in used if record.same_grade(reported.grade, j.grade)]
        if resolution.existential:
            outcome = "agrees" if agreeing else "differs"
        elif len(agreeing) == len(used):
            outcome = "agrees"
        else:
            outcome = "partly-agrees" if agreeing else "differs"
        verb = {"agrees": "agrees with", "differs": "differs from"}.get(
            outcome, "agrees with only part of"
        )
        listed = "; ".join(describe(record, i, js) for i, js in pairs)
        reason = f"The claim's grade for {area}, {claimed}, {verb} {resolution.scope}: {listed}."
        if resolution.existential and agreeing and len(agreeing) < len(used):
            reason += " The claim says one earlier inspection gave the grade, and one did."
        if any(
            record.grades[j.grade].scale != record.grades[reported.grade].scale for j in agreeing
        ):
            reason += (
                " The grades are on different scales, matched by skos:closeMatch (Adequate on "
                "the 2009 scale, Requires improvement to be good on today's)."
            )
        found.append(
            Check(
                KEY,
                outcome,
                reason,
                (reported.iri,),
                tuple(sorted(j.iri for j in used)),
                reported.grade,
            )
        )
    return found


RULE = Rule(
    KEY,
    "a grade for a council's inspection or area",
    "A reported judgement with a grade: of a council, for an area (overall effectiveness if none "
    "is named), located by a position (latest, previous, earlier), a date, a month, a year or a "
    "framework, or else the judgement in force at the source's date.",
    "Finds Ofsted's judgements of the area in the inspections so located (for overall "
    "effectiveness under a framework that gave none, the judgements of the areas it covers). "
    "Agrees if every one has the claimed grade (the same grade, or its counterpart on the other "
    "scale by skos:closeMatch), differs if none does, partly agrees otherwise; for 'an earlier "
    "one', one is enough. Cannot be checked if nothing is found.",
    check,
)
