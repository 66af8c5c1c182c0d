"""Every rule over every claim: one check (``okg:Reconciliation``) per thing a rule matched, and
one verdict (``okg:Verdict``) per claim with the overall outcome, as quads of the checks graph.

A check's IRI is ``{base}id/check/{claim key}/{rule}[-n]``, the verdict's ``{base}id/check/{claim
key}``; both carry the version of the record they were decided against (``okg:recordVersion``).
When the record changes, ``history`` keeps the earlier ones under ``.../record/{version}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from ..rdf.namespaces import DCT, PROV, RDF_TYPE, RDFS, XSD, okg
from .model import Check, Claim, Select, combine
from .reading import read_claims
from .record import Record
from .rules import Rule, all_rules

NOTHING = "nothing-to-check"


@dataclass(frozen=True)
class Verdict:
    claim: str
    iri: str
    outcome: str
    reason: str
    checks: tuple[tuple[str, Check], ...]  # (IRI, check)

    @property
    def judgements(self) -> list[str]:
        return sorted({j for _, c in self.checks for j in c.judgements})

    @property
    def rules(self) -> list[str]:
        return sorted({c.rule for _, c in self.checks}) or [NOTHING]


def claim_key(base: str, claim: str) -> str:
    """The part of a claim's IRI after ``/id/claim/`` (or the whole IRI's last segment)."""
    marker = base + "id/claim/"
    return claim[len(marker) :] if claim.startswith(marker) else claim.rsplit("/", 1)[-1]


def verdict_iri(base: str, claim: str) -> str:
    return f"{base}id/check/{claim_key(base, claim)}"


def rule_iri(base: str, key: str) -> str:
    return f"{okg(base)}check-rule/{key}"


def outcome_iri(base: str, outcome: str) -> str:
    return f"{okg(base)}reconciliation-outcome/{outcome}"


def verdict_of(base: str, claim: Claim, record: Record, rules: list[Rule]) -> Verdict:
    checks = [c for rule in rules for c in rule.check(claim, record)]
    iri = verdict_iri(base, claim.iri)
    named: list[tuple[str, Check]] = []
    seen: dict[str, int] = {}
    for c in checks:
        seen[c.rule] = seen.get(c.rule, 0) + 1
        suffix = "" if seen[c.rule] == 1 else f"-{seen[c.rule]}"
        named.append((f"{iri}/{c.rule}{suffix}", c))
    if not checks:
        return Verdict(
            claim.iri,
            iri,
            "cannot-be-checked",
            "No rule checks what this claim says: Ofsted's tables record grades and when they "
            "were published, and the rules check grades, publication dates, counts of areas by "
            "grade, rankings among councils and changes over time; this claim asserts none of "
            "them.",
            (),
        )
    outcome = combine(checks)
    if len(checks) == 1:
        reason = checks[0].reason
    else:
        reason = " ".join(f"({n}) {c.reason}" for n, (_, c) in enumerate(named, 1))
        reason = f"Of {len(checks)} things checked: {reason}"
    return Verdict(claim.iri, iri, outcome, reason, tuple(named))


def check_claims(
    select: Select, base: str, record: Record, claims: Iterable[str] | None = None
) -> tuple[list[Claim], list[Verdict]]:
    """The claims the query function sees (or only ``claims``), each with its verdict against
    the record."""
    rules = all_rules()
    read = read_claims(select, base, claims)
    return read, [verdict_of(base, c, record, rules) for c in read]


def verdict_quads(
    base: str,
    verdicts: list[Verdict],
    claims: list[Claim],
    version: str,
    graph: str,
    issued: dt.date,
    kept_dates: dict[str, str] | None = None,
) -> list[ox.Quad]:
    """The verdicts and their checks as quads of ``graph``. A verdict is dated ``issued``, or
    the date it already had (``kept_dates``) when it was decided the same way before."""
    o = okg(base)
    g = ox.NamedNode(graph)
    sources = {c.iri: c.source.document for c in claims}
    out: list[ox.Quad] = []

    def add(s: str, p: str, obj: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj, g))

    def common(s: str, outcome: str, reason: str, judgements: Iterable[str]) -> None:
        add(s, o + "reconciliationOutcome", ox.NamedNode(outcome_iri(base, outcome)))
        add(s, o + "reason", ox.Literal(reason, language="en"))
        add(s, o + "recordVersion", ox.Literal(version))
        for j in sorted(set(judgements)):
            add(s, o + "checkedAgainst", ox.NamedNode(j))

    for verdict in verdicts:
        key = claim_key(base, verdict.claim)
        document = sources.get(verdict.claim, "")
        add(verdict.iri, RDF_TYPE, ox.NamedNode(o + "Verdict"))
        add(verdict.iri, RDFS + "label", ox.Literal(f"verdict on the claim {key}", language="en"))
        add(verdict.iri, o + "verdictOn", ox.NamedNode(verdict.claim))
        # The verdict names the judgements through its checks (dct:hasPart): a ranking's check
        # names every council's, and saying them twice would double the write.
        common(verdict.iri, verdict.outcome, verdict.reason, ())
        date = (kept_dates or {}).get(f"{verdict.iri} {version} {verdict.outcome}")
        add(
            verdict.iri,
            DCT + "issued",
            ox.Literal(date or issued.isoformat(), datatype=ox.NamedNode(XSD + "date")),
        )
        for rule in verdict.rules:
            add(verdict.iri, o + "decidedBy", ox.NamedNode(rule_iri(base, rule)))
        if document:
            add(verdict.iri, PROV + "wasDerivedFrom", ox.NamedNode(document))
        for iri, c in verdict.checks:
            add(verdict.iri, DCT + "hasPart", ox.NamedNode(iri))
            add(iri, RDF_TYPE, ox.NamedNode(o + "Reconciliation"))
            facts = ", ".join(f.rsplit("/", 1)[-1] for f in c.facts)
            add(
                iri,
                RDFS + "label",
                ox.Literal(
                    f"check of the claim {key} ({facts}) by the {c.rule} rule", language="en"
                ),
            )
            add(iri, o + "checkedClaim", ox.NamedNode(verdict.claim))
            for fact in c.facts:
                add(iri, o + "checkedFact", ox.NamedNode(fact))
                if c.rule == "grade":
                    add(iri, o + "checkedJudgement", ox.NamedNode(fact))
            if c.claimed_grade:
                add(iri, o + "claimedGrade", ox.NamedNode(c.claimed_grade))
            if document:
                add(iri, o + "claimSource", ox.NamedNode(document))
                add(iri, PROV + "wasDerivedFrom", ox.NamedNode(document))
            add(iri, o + "decidedBy", ox.NamedNode(rule_iri(base, c.rule)))
            common(iri, c.outcome, c.reason, c.judgements)
    return out


def history(base: str, previous: Iterable[ox.Quad], version: str, graph: str) -> list[ox.Quad]:
    """The checks and verdicts of a previous build decided against another record version, kept
    under ``{their IRI}/record/{their version}`` with ``dct:isReplacedBy`` the current one."""
    o = okg(base)
    prefix = f"{base}id/check/"
    previous = list(previous)
    versions = {
        q.subject.value: q.object.value
        for q in previous
        if q.predicate.value == o + "recordVersion"
        and isinstance(q.subject, ox.NamedNode)
        and isinstance(q.object, ox.Literal)
    }
    old = {s for s, v in versions.items() if v != version}
    g = ox.NamedNode(graph)

    def renamed(term: ox.NamedNode) -> ox.NamedNode:
        value = term.value
        if value in versions and value.startswith(prefix):
            return ox.NamedNode(f"{value}/record/{versions[value]}")
        return term

    out = []
    for q in previous:
        if not isinstance(q.subject, ox.NamedNode) or q.subject.value not in old:
            continue
        obj = renamed(q.object) if isinstance(q.object, ox.NamedNode) else q.object
        out.append(ox.Quad(renamed(q.subject), q.predicate, obj, g))
    for subject in sorted(old):
        out.append(
            ox.Quad(
                renamed(ox.NamedNode(subject)),
                ox.NamedNode(DCT + "isReplacedBy"),
                ox.NamedNode(subject),
                g,
            )
        )
    return out


def kept_dates(base: str, previous: Iterable[ox.Quad]) -> dict[str, str]:
    """``"{verdict} {version} {outcome}"`` to the date a previous build gave it."""
    o = okg(base)
    by_subject: dict[str, dict[str, str]] = {}
    for q in previous:
        p = q.predicate.value
        if (
            p in (o + "recordVersion", o + "reconciliationOutcome", DCT + "issued")
            and isinstance(q.subject, ox.NamedNode)
            and not isinstance(q.object, ox.Triple)
        ):
            by_subject.setdefault(q.subject.value, {})[p] = q.object.value
    out = {}
    for subject, values in by_subject.items():
        if DCT + "issued" in values:
            outcome = values.get(o + "reconciliationOutcome", "").rsplit("/", 1)[-1]
            out[f"{subject} {values.get(o + 'recordVersion')} {outcome}"] = values[DCT + "issued"]
    return out
