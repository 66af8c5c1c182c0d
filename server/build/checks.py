"""The build's checking step: every claim in the graph checked against Ofsted's record.

The claims are those of the source files (graph/seeds/...) and those sent to a running server
(``POST /claims``), which live only in the store: each build carries their named graphs
(``{base}graph/claims/...``) over from the store it replaces, so that a rebuild loses none. The
verdicts go to ``{base}graph/checks``; the verdicts of the replaced store that were decided
against another version of the record go to ``{base}graph/checks-history`` under their version
(docs/fact-checking.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..claims.checking import check_claims, history, kept_dates, verdict_quads
from ..claims.model import Claim, select_from
from ..claims.record import Record
from ..config import Settings
from ..rdf.namespaces import PROV, RDF_TYPE, RDFS, okg
from ..store.oxigraph import gc_paused


def claims_prefix(settings: Settings) -> str:
    return settings.graph_iri("claims/")


def checks_graph(settings: Settings) -> str:
    return settings.graph_iri("checks")


def history_graph(settings: Settings) -> str:
    return settings.graph_iri("checks-history")


@dataclass(frozen=True)
class Checked:
    quads: list[ox.Quad]  # the claims carried over, the checks graph, the history graph
    claims: int
    carried: int
    outcomes: dict[str, int]
    kept: int  # earlier checks kept in the history


def _previous(settings: Settings) -> tuple[list[ox.Quad], list[ox.Quad], list[ox.Quad]]:
    """The claim graphs, the checks and the history of the store a build replaces."""
    path: Path = settings.store
    if not (path / "CURRENT").exists():
        return [], [], []
    try:
        store = ox.Store.read_only(str(path))
    except OSError:
        return [], [], []
    claims: list[ox.Quad] = []
    checks: list[ox.Quad] = []
    kept: list[ox.Quad] = []
    prefix = claims_prefix(settings)
    for graph in store.named_graphs():
        if not isinstance(graph, ox.NamedNode):
            continue
        if graph.value.startswith(prefix):
            claims.extend(store.quads_for_pattern(None, None, None, graph))
        elif graph.value == checks_graph(settings):
            checks.extend(store.quads_for_pattern(None, None, None, graph))
        elif graph.value == history_graph(settings):
            kept.extend(store.quads_for_pattern(None, None, None, graph))
    return claims, checks, kept


def check_all(settings: Settings, quads: Sequence[ox.Quad]) -> Checked:
    """Check every claim of ``quads`` (the parsed sources) and of the replaced store."""
    carried, previous, kept = _previous(settings)
    memory = ox.Store()
    with gc_paused():
        memory.bulk_extend(list(quads) + carried)
    select = select_from(memory)
    record = Record(select, settings.base)
    claims, verdicts = check_claims(select, settings.base, record)
    version = record.version()
    graph = checks_graph(settings)
    dates = kept_dates(settings.base, previous)
    out = carried + verdict_quads(
        settings.base, verdicts, claims, version, graph, dt.date.today(), dates
    )
    out += (
        []
        if not verdicts
        else _describe(
            settings,
            memory,
            claims,
            graph,
            "every claim in the graph checked against Ofsted's record, one verdict per claim",
        )
    )
    earlier = kept + history(settings.base, previous, version, history_graph(settings))
    if earlier:
        out += earlier
        out += _describe(
            settings,
            memory,
            claims,
            history_graph(settings),
            "earlier checks of claims, decided against earlier versions of Ofsted's record",
        )
    outcomes: dict[str, int] = {}
    for verdict in verdicts:
        outcomes[verdict.outcome] = outcomes.get(verdict.outcome, 0) + 1
    carried_claims = len({q.graph_name for q in carried})
    return Checked(out, len(claims), carried_claims, outcomes, len(earlier))


def _describe(
    settings: Settings, memory: ox.Store, claims: list[Claim], graph: str, label: str
) -> list[ox.Quad]:
    """The graph's description as a source graph: derived from the claims' documents and the
    documents Ofsted's record was taken from."""
    o = okg(settings.base)
    g = ox.NamedNode(graph)
    official = settings.graph_iri("official/")
    documents = {c.source.document for c in claims if c.source.document}
    for quad in memory.quads_for_pattern(None, ox.NamedNode(PROV + "wasDerivedFrom"), None):
        name = quad.graph_name
        if (
            isinstance(name, ox.NamedNode)
            and name.value.startswith(official)
            and quad.subject == name
            and isinstance(quad.object, ox.NamedNode)
        ):
            documents.add(quad.object.value)
    out = [
        ox.Quad(g, ox.NamedNode(RDF_TYPE), ox.NamedNode(o + "SourceGraph"), g),
        ox.Quad(g, ox.NamedNode(RDFS + "label"), ox.Literal(label, language="en"), g),
    ]
    out += [
        ox.Quad(g, ox.NamedNode(PROV + "wasDerivedFrom"), ox.NamedNode(d), g)
        for d in sorted(documents)
    ]
    return out
