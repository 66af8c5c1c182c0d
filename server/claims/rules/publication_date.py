"""A publication date: "published today", "yesterday saw the publication", "our previous
inspection in 2013", resolved from the source's date."""

from __future__ import annotations

from dataclasses import replace

from ..model import Check, Claim, ReportedInspection
from ..record import Inspection, Judgement, Record, family
from ..resolve import describe, judgements_of_area, publication, resolve
from . import Rule

KEY = "publication-date"


def _overall(record: Record, inspection: Inspection) -> list[Judgement]:
    return judgements_of_area(record, inspection, record.overall) or inspection.judgements


def check(claim: Claim, record: Record) -> list[Check]:
    found = []
    for reported in claim.inspections.values():
        if reported.iri not in claim.asserted:
            continue
        positioned = bool(reported.position and reported.date)
        if not (reported.publication or reported.publication_words or positioned):
            continue
        council = reported.council or claim.council
        name = record.council_label(council)

        def cannot(reason: str, reported: ReportedInspection = reported) -> Check:
            return Check(KEY, "cannot-be-checked", reason, (reported.iri,))

        if positioned:
            stated, problem = reported.date, ""
            resolution = resolve(claim, replace(reported, date=None), record, council)
        else:
            resolution = resolve(claim, replace(reported, position=""), record, council)
            stated, problem = publication(claim, reported)
        if resolution.problem:
            found.append(cannot(resolution.problem))
            continue
        if problem or stated is None:
            found.append(cannot(problem or "The claim gives no date to check."))
            continue
        said = f"published {'on ' if stated.precision == 'day' else 'in '}{stated.words()}"
        if positioned:
            chosen = resolution.inspections
            if not chosen:
                found.append(
                    cannot(f"Ofsted's record has nothing to match: no {resolution.scope}.")
                )
                continue
            inspection = chosen[0]
            outcome = "agrees" if stated.contains(inspection.published) else "differs"
            verb = "agrees with" if outcome == "agrees" else "differs from"
            found.append(
                Check(
                    KEY,
                    outcome,
                    f"The claim's date, {said}, {verb} {resolution.scope}: "
                    f"{describe(record, inspection, _overall(record, inspection))}.",
                    (reported.iri,),
                    tuple(j.iri for j in _overall(record, inspection)),
                )
            )
            continue
        first, last = record.coverage
        if stated.end < first or stated.start > last:
            found.append(
                cannot(
                    f"The claim's date, {stated.words()}, is outside the years Ofsted's record "
                    f"covers ({first.isoformat()} to {last.isoformat()})."
                )
            )
            continue
        wanted = family(reported.framework) if reported.framework else ""
        candidates = [
            i for i in record.inspections(council) if not wanted or family(i.framework) == wanted
        ]
        matching = [i for i in candidates if stated.contains(i.published)]
        if matching:
            listed = "; ".join(describe(record, i, _overall(record, i)) for i in matching)
            found.append(
                Check(
                    KEY,
                    "agrees",
                    f"Ofsted's record has an inspection of {name} {said}: {listed}.",
                    (reported.iri,),
                    tuple(sorted(j.iri for i in matching for j in _overall(record, i))),
                )
            )
            continue
        if not candidates:
            found.append(cannot(f"Ofsted's record has no graded inspection of {name} at all."))
            continue
        before = [i for i in candidates if i.published < stated.start][-1:]
        after = [i for i in candidates if i.published > stated.end][:1]
        nearest = before + after
        listed = "; ".join(describe(record, i, _overall(record, i)) for i in nearest)
        found.append(
            Check(
                KEY,
                "differs",
                f"Ofsted's record has no inspection of {name} {said}; the nearest: {listed}.",
                (reported.iri,),
                tuple(sorted(j.iri for i in nearest for j in _overall(record, i))),
            )
        )
    return found


RULE = Rule(
    KEY,
    "a publication date",
    "A reported inspection with a publication date, or words for one ('today', 'yesterday', "
    "'last week'), or with a position and a date ('our previous inspection in 2013').",
    "Resolves words from the source's date. Agrees if an inspection of the council (and "
    "framework) in Ofsted's record was published on that day or in that month or year; for a "
    "position, if the inspection it names was published then. Differs otherwise, naming the "
    "nearest publications. Cannot be checked if the date cannot be worked out or lies outside "
    "the years the record covers.",
    check,
)
