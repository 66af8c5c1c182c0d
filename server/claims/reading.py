"""The claims of a graph, read into the model: each claim with its source, the council it is
about, and what it asserts that a rule may check (docs/fact-checking.md, "What a source reports
is its own node")."""

from __future__ import annotations

from collections.abc import Iterable

from ..rdf.namespaces import DCT, FOAF, PROV, RDF, okg
from .model import (
    AreaCount,
    Change,
    Claim,
    Period,
    Ranking,
    ReportedInspection,
    ReportedJudgement,
    Row,
    Select,
    Source,
)


def _v(row: Row, name: str) -> str:
    term = row.get(name)
    return "" if term is None else str(term.value)


def _values(name: str, iris: Iterable[str]) -> str:
    listed = " ".join(f"<{iri}>" for iri in sorted(set(iris)))
    return f"VALUES ?{name} {{ {listed} }}"


def read_claims(select: Select, base: str, claims: Iterable[str] | None = None) -> list[Claim]:
    """Every claim the query function sees (or only ``claims``), with what it asserts."""
    o = okg(base)
    bound = _values("claim", claims) if claims is not None else ""
    prefixes = f"PREFIX okg: <{o}> PREFIX prov: <{PROV}> PREFIX dct: <{DCT}> PREFIX foaf: <{FOAF}>"
    rows = select(f"""{prefixes}
        SELECT ?claim ?g ?statement ?quotation ?derived ?quoted ?council WHERE {{
          {bound}
          GRAPH ?g {{ ?claim a ?type . FILTER(?type IN (okg:Claim, okg:Quotation))
            OPTIONAL {{ ?claim okg:statement ?statement }}
            OPTIONAL {{ ?claim okg:quotation ?quotation }}
            OPTIONAL {{ ?claim prov:wasDerivedFrom ?derived }}
            OPTIONAL {{ ?claim prov:wasQuotedFrom ?quoted }}
            OPTIONAL {{ ?claim okg:about ?council }} }}
          FILTER(!STRSTARTS(STR(?g), "{base}graph/inferred"))
        }}""")
    found: dict[str, Claim] = {}
    documents: dict[str, str] = {}
    for row in rows:
        iri = _v(row, "claim")
        claim = found.get(iri)
        if claim is None:
            text = _v(row, "statement") or _v(row, "quotation")
            claim = found[iri] = Claim(iri, _v(row, "g"), text, Source("", "", None))
        document = _v(row, "derived") or _v(row, "quoted")
        if document and (iri not in documents or _v(row, "derived")):
            documents[iri] = document
        if _v(row, "council") and "/id/council/" in _v(row, "council"):
            claim.council = _v(row, "council")
    sources = _sources(select, prefixes, documents.values())
    for iri, document in documents.items():
        found[iri].source = sources.get(document, Source(document, "", None))
    _assertions(select, base, prefixes, found)
    return [found[iri] for iri in sorted(found)]


def _sources(select: Select, prefixes: str, documents: Iterable[str]) -> dict[str, Source]:
    documents = set(documents)
    if not documents:
        return {}
    rows = select(f"""{prefixes}
        SELECT ?doc ?title ?issued ?publisher ?page WHERE {{
          {_values("doc", documents)}
          OPTIONAL {{ ?doc dct:title ?title }} OPTIONAL {{ ?doc dct:issued ?issued }}
          OPTIONAL {{ ?doc dct:publisher ?publisher }} OPTIONAL {{ ?doc foaf:page ?page }}
        }}""")
    found: dict[str, Source] = {}
    for row in rows:
        doc = _v(row, "doc")
        issued = Period.of(row.get("issued"))
        old = found.get(doc)
        if old is None or (old.issued is None and issued is not None):
            found[doc] = Source(
                doc, _v(row, "title"), issued, _v(row, "publisher"), _v(row, "page")
            )
    return found


def _assertions(select: Select, base: str, prefixes: str, claims: dict[str, Claim]) -> None:
    if not claims:
        return
    o = okg(base)
    rows = select(f"""{prefixes} PREFIX rdf: <{RDF}>
        SELECT ?claim ?x ?type WHERE {{
          {_values("claim", claims)}
          ?claim okg:asserts ?x . ?x rdf:type ?type .
          FILTER(?type IN (okg:Judgement, okg:Inspection, okg:Figure, okg:Ranking, okg:Change))
        }}""")
    asserted: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        kinds = asserted.setdefault(_v(row, "claim"), {})
        kinds.setdefault(_v(row, "type").removeprefix(o), set()).add(_v(row, "x"))
    everything = {x for kinds in asserted.values() for xs in kinds.values() for x in xs}
    judgements = _judgements(select, prefixes, everything)
    counts = _counts(select, prefixes, base, everything)
    rankings = _rankings(select, prefixes, everything)
    changes = _changes(select, prefixes, everything)
    wanted = {x for kinds in asserted.values() for x in kinds.get("Inspection", ())}
    wanted |= {j.inspection for j in judgements.values() if j.inspection}
    wanted |= {c.inspection for c in counts.values() if c.inspection}
    inspections = _inspections(select, prefixes, wanted)
    for iri, claim in claims.items():
        kinds = asserted.get(iri, {})
        claim.judgements = [
            judgements[x] for x in sorted(kinds.get("Judgement", ())) if x in judgements
        ]
        claim.counts = [counts[x] for x in sorted(kinds.get("Figure", ())) if x in counts]
        claim.rankings = [rankings[x] for x in sorted(kinds.get("Ranking", ())) if x in rankings]
        claim.changes = [changes[x] for x in sorted(kinds.get("Change", ())) if x in changes]
        needed = set(kinds.get("Inspection", ()))
        needed |= {j.inspection for j in claim.judgements if j.inspection}
        needed |= {c.inspection for c in claim.counts if c.inspection}
        while True:  # and the inspections those are relative to
            more = {inspections[i].relative_to for i in needed if i in inspections} - {""}
            if more <= needed:
                break
            needed |= more
        claim.inspections = {i: inspections[i] for i in sorted(needed) if i in inspections}
        claim.asserted = set(kinds.get("Inspection", ()))


def _judgements(select: Select, prefixes: str, nodes: set[str]) -> dict[str, ReportedJudgement]:
    if not nodes:
        return {}
    rows = select(f"""{prefixes}
        SELECT ?x ?council ?area ?grade ?year ?insp WHERE {{
          {_values("x", nodes)}
          ?x a okg:Judgement ; okg:judgementOf ?council ; okg:area ?area ; okg:grade ?grade .
          OPTIONAL {{ ?x okg:judgementYear ?year }}
          OPTIONAL {{ ?x prov:wasGeneratedBy ?insp }}
        }}""")
    return {
        _v(r, "x"): ReportedJudgement(
            _v(r, "x"),
            _v(r, "council"),
            _v(r, "area"),
            _v(r, "grade"),
            Period.of(r.get("year")),
            _v(r, "insp"),
        )
        for r in rows
    }


def _counts(select: Select, prefixes: str, base: str, nodes: set[str]) -> dict[str, AreaCount]:
    if not nodes:
        return {}
    rows = select(f"""{prefixes}
        SELECT ?x ?value ?grade ?insp ?stated WHERE {{
          {_values("x", nodes)}
          ?x a okg:Figure ; okg:unit <{okg(base)}unit/judgement-area> ; okg:value ?value ;
             okg:gradeCounted ?grade ; okg:about ?insp .
          OPTIONAL {{ ?x okg:statedAs ?stated }}
        }}""")
    found = {}
    for r in rows:
        try:
            value = int(_v(r, "value"))
        except ValueError:
            continue
        found[_v(r, "x")] = AreaCount(
            _v(r, "x"), value, _v(r, "grade"), _v(r, "insp"), _v(r, "stated")
        )
    return found


def _rankings(select: Select, prefixes: str, nodes: set[str]) -> dict[str, Ranking]:
    if not nodes:
        return {}
    rows = select(f"""{prefixes}
        SELECT ?x ?council ?band ?num ?den ?area ?asat ?stated WHERE {{
          {_values("x", nodes)}
          ?x a okg:Ranking ; okg:rankedCouncil ?council ; okg:rankBand ?band ;
             okg:shareNumerator ?num ; okg:shareDenominator ?den .
          OPTIONAL {{ ?x okg:concernsArea ?area }} OPTIONAL {{ ?x okg:asAt ?asat }}
          OPTIONAL {{ ?x okg:inWords ?stated }}
        }}""")
    found = {}
    for r in rows:
        try:
            numerator, denominator = int(_v(r, "num")), int(_v(r, "den"))
        except ValueError:
            continue
        found[_v(r, "x")] = Ranking(
            _v(r, "x"),
            _v(r, "council"),
            _v(r, "band"),
            numerator,
            denominator,
            _v(r, "area"),
            Period.of(r.get("asat")),
            _v(r, "stated"),
        )
    return found


def _changes(select: Select, prefixes: str, nodes: set[str]) -> dict[str, Change]:
    if not nodes:
        return {}
    rows = select(f"""{prefixes}
        SELECT ?x ?council ?area ?direction ?from ?to ?fromYear ?toYear ?stated WHERE {{
          {_values("x", nodes)}
          ?x a okg:Change ; okg:changeOf ?council .
          OPTIONAL {{ ?x okg:concernsArea ?area }} OPTIONAL {{ ?x okg:direction ?direction }}
          OPTIONAL {{ ?x okg:fromGrade ?from }} OPTIONAL {{ ?x okg:toGrade ?to }}
          OPTIONAL {{ ?x okg:fromYear ?fromYear }} OPTIONAL {{ ?x okg:toYear ?toYear }}
          OPTIONAL {{ ?x okg:inWords ?stated }}
        }}""")
    return {
        _v(r, "x"): Change(
            _v(r, "x"),
            _v(r, "council"),
            _v(r, "area"),
            _v(r, "direction").rsplit("/", 1)[-1],
            _v(r, "from"),
            _v(r, "to"),
            Period.of(r.get("fromYear")),
            Period.of(r.get("toYear")),
            _v(r, "stated"),
        )
        for r in rows
    }


def _inspections(select: Select, prefixes: str, nodes: set[str]) -> dict[str, ReportedInspection]:
    found: dict[str, ReportedInspection] = {}
    while nodes:
        rows = select(f"""{prefixes}
            SELECT ?x ?council ?fw ?date ?pub ?words ?position ?relative WHERE {{
              {_values("x", nodes)}
              ?x a okg:Inspection ; okg:inspected ?council .
              OPTIONAL {{ ?x okg:framework ?fw }} OPTIONAL {{ ?x okg:date ?date }}
              OPTIONAL {{ ?x okg:publicationDate ?pub }}
              OPTIONAL {{ ?x okg:publicationStatedAs ?words }}
              OPTIONAL {{ ?x okg:position ?position }} OPTIONAL {{ ?x okg:relativeTo ?relative }}
            }}""")
        for r in rows:
            found[_v(r, "x")] = ReportedInspection(
                _v(r, "x"),
                _v(r, "council"),
                _v(r, "fw"),
                Period.of(r.get("date")),
                Period.of(r.get("pub")),
                _v(r, "words"),
                _v(r, "position").rsplit("/", 1)[-1],
                _v(r, "relative"),
            )
        nodes = {i.relative_to for i in found.values() if i.relative_to} - set(found)
    return found
