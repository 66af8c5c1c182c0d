"""A council's standing among councils at a date: "this puts Kent in the top third or better of
authorities in the country", computed from the record as it stood then."""

from __future__ import annotations

from ..model import Check, Claim
from ..record import Inspection, Judgement, Record, family
from . import Rule

KEY = "ranking"
SHARES = {1: "", 2: "half", 3: "third", 4: "quarter", 5: "fifth", 10: "tenth"}


def _latest(record: Record, area: str, day: object) -> dict[str, tuple[Inspection, Judgement]]:
    """Each council's newest judgement of the area published on or before the day."""
    found: dict[str, tuple[Inspection, Judgement]] = {}
    for council, inspections in record.everyone_for(area).items():
        for inspection in inspections:
            if inspection.published > day:  # type: ignore[operator]
                continue
            for judgement in inspection.of_area(area):
                found[council] = (inspection, judgement)
    return found


def check(claim: Claim, record: Record) -> list[Check]:
    found = []
    for ranking in claim.rankings:
        council = ranking.council or claim.council
        name = record.council_label(council)
        area = ranking.area or record.overall
        as_at = ranking.as_at or claim.source.issued
        facts = (ranking.iri,)
        if as_at is None:
            found.append(Check(KEY, "cannot-be-checked", "The claim has no date.", facts))
            continue
        latest = _latest(record, area, as_at.end)
        if council not in latest:
            found.append(
                Check(
                    KEY,
                    "cannot-be-checked",
                    f"Ofsted's record has no graded judgement of {name} on or before "
                    f"{as_at.words()} to rank.",
                    facts,
                )
            )
            continue
        own_inspection, own = latest[council]
        wanted = family(own_inspection.framework)
        peers = {c: ij for c, ij in latest.items() if family(ij[0].framework) == wanted}
        mine = record.rank(own.grade)
        better = sum(1 for _, j in peers.values() if record.rank(j.grade) < mine)
        worse = sum(1 for _, j in peers.values() if record.rank(j.grade) > mine)
        same = len(peers) - better - worse
        total = len(peers)
        ahead = better if ranking.band == "top" else worse
        numerator, denominator = ranking.numerator, ranking.denominator
        if (ahead + same) * denominator <= total * numerator:
            outcome = "agrees"
        elif (ahead + 1) * denominator <= total * numerator:
            outcome = "partly-agrees"
        else:
            outcome = "differs"
        framework = record.frameworks.get(own_inspection.framework)
        share = (
            f"{ranking.band} {SHARES[denominator]}"
            if numerator == 1 and denominator in SHARES
            else f"{ranking.band} {100 * numerator / denominator:g}%"
        )
        cut = total * numerator / denominator
        reason = (
            f"On {as_at.words()}, {total} councils' newest judgement of "
            f"{record.areas[area].label.lower() if area in record.areas else 'the area'} was "
            f"under the {framework.label.lower() if framework else wanted} (as {name}'s was: "
            f"{record.grade_label(own.grade)}, published {own_inspection.published.isoformat()}). "
            f"{better} were graded better, {same} the same ({name} among them) and {worse} worse, "
            f"so {name} stands between {ahead + 1} and {ahead + same} from the {ranking.band} of "
            f"{total}; the {share} is the first {cut:g}."
        )
        reason += {
            "agrees": f" Every council with its grade is within the {share}.",
            "partly-agrees": f" The councils with its grade straddle the edge of the {share}, so "
            "its grade alone does not place it inside.",
            "differs": f" No council with its grade is within the {share}.",
        }[outcome]
        used = sorted({own.iri} | {j.iri for _, j in peers.values()})
        found.append(Check(KEY, outcome, reason, facts, tuple(used)))
    return found


RULE = Rule(
    KEY,
    "a ranking among councils at a date",
    "A reported ranking (okg:Ranking): a council in the top or bottom share of councils "
    "('in the top third or better'), at a date (the source's, unless the claim gives one).",
    "Takes every council's newest judgement of the area (overall effectiveness) published on or "
    "before the date, keeps those under the same framework as the council's own, and counts the "
    "councils graded better (B), the same (S, the council among them) and in all (N). In the top "
    "share: B + S within share x N, agrees; B + 1 within it but not B + S, partly agrees; "
    "otherwise differs. The bottom is the mirror image.",
    check,
)
