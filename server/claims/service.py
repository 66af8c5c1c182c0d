"""Taking in one claim: validate it, check it against the record, and write the claim's graph
and its verdict in one write (the shapes are checked like every write's; a violation keeps
nothing). Used by ``POST /claims`` and ``ofsted-kg claim add``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..errors import ConflictError
from ..rdf.namespaces import okg
from .checking import Verdict, check_claims, rule_iri, verdict_quads
from .intake import claim_quads, parse_submission
from .model import Check, Select, select_from
from .record import Record


def checks_graph(base: str) -> str:
    return f"{base}graph/checks"


def insert_data(quads: list[ox.Quad]) -> str:
    """A SPARQL ``INSERT DATA`` of the quads, graph by graph."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    body = "\n".join(
        f"GRAPH {graph} {{\n" + "\n".join(lines) + "\n}" for graph, lines in by_graph.items()
    )
    return f"INSERT DATA {{\n{body}\n}}"


def record_version(select: Select, base: str) -> str:
    """The version of the record the served verdicts were decided against (read, not worked
    out again: that would read every judgement)."""
    rows = select(f"""
        SELECT ?v WHERE {{ GRAPH <{checks_graph(base)}> {{ ?x <{okg(base)}recordVersion> ?v }} }}
        LIMIT 1""")
    term = rows[0].get("v") if rows else None
    return term.value if term is not None else ""


def _check_json(base: str, check: Check) -> dict[str, Any]:
    return {
        "outcome": check.outcome,
        "reason": check.reason,
        "judgements": list(check.judgements),
        "rule": rule_iri(base, check.rule),
    }


def answer(base: str, verdict: Verdict) -> dict[str, Any]:
    """The JSON answer: the claim, its verdict (``check``) and each check (``checks``)."""
    rules = [rule_iri(base, r) for r in verdict.rules]
    check = {
        "outcome": verdict.outcome,
        "reason": verdict.reason,
        "judgements": verdict.judgements,
        "rule": rules[0],
    }
    if len(rules) > 1:
        check["rules"] = rules
    return {
        "claim": verdict.claim,
        "verdict": verdict.iri,
        "check": check,
        "checks": [_check_json(base, c) for _, c in verdict.checks],
    }


@dataclass(frozen=True)
class Taken:
    claim: str
    answer: dict[str, Any]


def take_claim(
    body: Any,
    select: Select,
    write: Callable[[str], None],
    base: str,
    by: str,
    now: dt.datetime | None = None,
) -> Taken:
    """Validate, check and keep one claim sent as JSON. ``select`` reads the store the claim goes
    to; ``write`` carries out a SPARQL update against it (and raises if the shapes refuse)."""
    now = now or dt.datetime.now(dt.UTC)
    record = Record(select, base)
    submission = parse_submission(body, record, now.date())
    stored = claim_quads(submission, record, by, now)
    if select(f"SELECT ?p WHERE {{ GRAPH <{stored.graph}> {{ <{stored.claim}> ?p ?o }} }} LIMIT 1"):
        raise ConflictError(f"this claim, from this source, is already kept: {stored.claim}")
    memory = ox.Store()
    memory.extend(stored.quads)
    claims, verdicts = check_claims(select_from(memory), base, record, [stored.claim])
    version = record_version(select, base) or record.version()
    checks = verdict_quads(base, verdicts, claims, version, checks_graph(base), now.date())
    write(insert_data(stored.quads + checks))
    return Taken(stored.claim, answer(base, verdicts[0]))
