"""Which of Ofsted's inspections a reported one means (docs/fact-checking.md, "The rules"): by
framework, then a position (latest, previous, earlier), a date, a year, or else the judgement in
force at the source's date. Shared by every rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .model import Claim, Period, ReportedInspection
from .record import Inspection, Judgement, Record, family

RELATIVE_DAYS = {"today": 0, "yesterday": 1}


@dataclass
class Resolution:
    inspections: list[Inspection] = field(default_factory=list)
    scope: str = ""  # in words: what was looked for
    problem: str = ""  # why nothing can be looked for (the claim cannot be checked)
    existential: bool = False  # "an earlier one": one match is enough


def stated_period(words: str, issued: Period | None) -> Period | None:
    """A publication date in the source's words ("today", "yesterday", "last week", "last
    month"), resolved from the source's date; None when that cannot be done."""
    words = words.strip().lower()
    if issued is None:
        return None
    if words in RELATIVE_DAYS and issued.precision == "day":
        day = issued.start - dt.timedelta(days=RELATIVE_DAYS[words])
        return Period(day, day, "day")
    if words == "last week" and issued.precision == "day":
        start = issued.start - dt.timedelta(days=issued.start.weekday() + 7)
        return Period(start, start + dt.timedelta(days=6), "week")
    if words == "last month" and issued.precision in ("day", "month"):
        end = issued.start.replace(day=1) - dt.timedelta(days=1)
        return Period(end.replace(day=1), end, "month")
    parsed = Period.parse(words)
    return parsed


def publication(claim: Claim, reported: ReportedInspection) -> tuple[Period | None, str]:
    """When the source says the inspection was published, and the problem if that cannot be
    worked out."""
    if reported.publication_words:
        period = stated_period(reported.publication_words, claim.source.issued)
        if period is not None:
            return period, ""
        if reported.publication is None or reported.publication.precision != "day":
            return None, (
                f'The source says "{reported.publication_words}", and its own date '
                f"({claim.source.issued.words() if claim.source.issued else 'none'}) is too "
                "vague to say which day that was."
            )
    return reported.publication, ""


def _framework_filter(record: Record, reported: ReportedInspection | None) -> tuple[str, str]:
    """The framework family asked for (or ""), and the problem if the record has none of it."""
    if reported is None or not reported.framework:
        return "", ""
    wanted = family(reported.framework)
    if not record.covers(wanted):
        name = record.frameworks.get(reported.framework)
        words = name.label if name else reported.framework.rsplit("/", 1)[-1]
        return wanted, (
            f"The claim speaks of Ofsted's {words}, which none of Ofsted's tables in this graph "
            "covers."
        )
    return wanted, ""


def resolve(
    claim: Claim,
    reported: ReportedInspection | None,
    record: Record,
    council: str,
    year: Period | None = None,
    use_publication: bool = True,
    depth: int = 0,
) -> Resolution:
    wanted, problem = _framework_filter(record, reported)
    if problem:
        return Resolution(problem=problem)
    name = record.council_label(council)
    candidates = [
        i for i in record.inspections(council) if not wanted or family(i.framework) == wanted
    ]
    what = f"{name}'s inspections" + (
        f" ({record.frameworks[reported.framework].label})"
        if reported is not None and reported.framework in record.frameworks
        else ""
    )
    issued = claim.source.issued
    if reported is not None and reported.position:
        if reported.relative_to and reported.relative_to in claim.inspections and depth < 4:
            other = resolve(
                claim,
                claim.inspections[reported.relative_to],
                record,
                council,
                None,
                True,
                depth + 1,
            )
            if other.problem or not other.inspections:
                return Resolution(
                    problem="The inspection this one is placed relative to cannot be found: "
                    + (other.problem or f"nothing matches {other.scope}.")
                )
            anchor = min(i.published for i in other.inspections)
            anchor_words = f"the inspection published {anchor.isoformat()} ({other.scope})"
            strictly = True
        elif issued is not None:
            anchor = issued.end if reported.position == "latest" else issued.start
            anchor_words = f"the source's date, {issued.words()}"
            strictly = reported.position != "latest"
        else:
            return Resolution(problem="The source has no date to place the inspection against.")
        before = [
            i
            for i in candidates
            if i.published < anchor or (not strictly and i.published == anchor)
        ]
        if reported.position == "earlier":
            return Resolution(before, f"{what} published before {anchor_words}", existential=True)
        chosen = before[-1:] if before else []
        label = "newest" if reported.position == "latest" else "previous"
        return Resolution(chosen, f"the {label} of {what} before {anchor_words}")
    date = reported.date if reported is not None else None
    if date is None and reported is not None and use_publication:
        date, problem = publication(claim, reported)
        if problem:
            return Resolution(problem=problem)
    if date is not None:
        if date.precision == "day":
            same = [i for i in candidates if i.published == date.start]
            if same:
                return Resolution(same, f"{what} published on {date.words()}")
            in_force = [i for i in candidates if i.published <= date.start][-1:]
            return Resolution(
                in_force,
                f"{what}: none was published on {date.words()}, so the one in force that day",
            )
        return Resolution(
            [i for i in candidates if date.contains(i.published)],
            f"{what} published in {date.words()}",
        )
    if year is not None:
        return Resolution(
            [i for i in candidates if year.contains(i.published)],
            f"{what} published in {year.words()}",
        )
    if issued is None:
        return Resolution(problem="The claim names no inspection or date, and its source has none.")
    return Resolution(
        [i for i in candidates if i.published <= issued.end][-1:],
        f"the newest of {what} at the source's date, {issued.words()}",
    )


def judgements_of_area(record: Record, inspection: Inspection, area: str) -> list[Judgement]:
    """The inspection's judgements of the area; for overall effectiveness under a framework that
    gave none, those of the areas it covers."""
    found = inspection.of_area(area)
    if not found and area == record.overall:
        found = [j for j in inspection.judgements if record.under(j.area, area)]
    return found


def describe(record: Record, inspection: Inspection, judgements: list[Judgement]) -> str:
    framework = record.frameworks.get(inspection.framework)
    name = framework.label if framework else inspection.framework.rsplit("/", 1)[-1]
    graded = ", ".join(
        f"{record.areas[j.area].label if j.area in record.areas else j.area}: "
        f"{record.grade_label(j.grade)}"
        for j in judgements
    )
    return f"{name} published {inspection.published.isoformat()} ({graded})"
