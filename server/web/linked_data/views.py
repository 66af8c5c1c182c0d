"""What each page shows, as plain data for its template: the facts about a resource with their
sources, and what its kind of page adds (a council's judgements, chart, inspections, posts and
claims; an inspection's judgements; a judgement's checks; a person's posts and inspections led; a
document's summary; a claim's evidence chain; a named graph's size and download; the index of
councils).

Every builder takes a query function (``describe.Select``: SELECT text in, solutions out), a
``labels.Labeller`` (which knows the ``Site``) and its parameters, and returns data: no Flask, so a
page's data can be built and tested over any store. The queries are ``queries/*.rq``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from ...rdf.formats import HTML, NQUADS, PAGES, TRIG, Format
from ...rdf.namespaces import DCAT, DCT, FOAF, OWL, RDF_TYPE, RDFS, SKOS, XSD
from .chart import timeline
from .describe import Description, Row, Select, Term
from .labels import Labeller, Shown, Site, Source, labels_for
from .queries import fill

# -- What every page has -------------------------------------------------------------------------


@dataclass
class Chrome:
    """What every page has: the resource, its title, its machine twins."""

    resource: str
    title: str
    key: str | None
    alternates: list[tuple[str, str, str]]  # (href, media type, name)


def format_name(fmt: Format) -> str:
    """The name a page gives one of its forms (the quad forms keep each statement's source)."""
    return f"{fmt.label} (with sources)" if fmt in (TRIG, NQUADS) else fmt.label


def chrome(site: Site, resource: str, title: str | None = None, key: str | None = None) -> Chrome:
    alternates = (
        [
            (site.doc_path(key, f.extension), f.media_type, format_name(f))
            for f in PAGES
            if f != HTML
        ]
        if key
        else []
    )
    return Chrome(resource, title or resource, key, alternates)


# -- Facts: the statements a page shows, each with its sources ---------------------------------


@dataclass
class Fact:
    predicate: Shown
    value: Shown
    sources: list[Source]
    nested: list[Fact] = field(default_factory=list)


@dataclass
class FactGroup:
    predicate: Shown
    facts: list[Fact]


def facts_about(
    description: Description,
    subject: Term,
    labeller: Labeller,
    *,
    skip: Iterable[str] = (),
    depth: int = 0,
) -> list[FactGroup]:
    """The outgoing statements of ``subject``, grouped by predicate, each value with its sources
    and (for blank nodes and sub-resources) its own statements nested."""
    skipped = set(skip)
    values: dict[tuple[str, Term], set[str]] = defaultdict(set)
    for quad in description.quads:
        if (
            quad.subject == subject
            and quad.predicate.value not in skipped
            and not isinstance(quad.object, ox.Triple)
        ):
            graph_name = quad.graph_name
            graph_iri = graph_name.value if isinstance(graph_name, ox.NamedNode) else ""
            values[(quad.predicate.value, quad.object)].add(graph_iri)
    groups: dict[str, list[Fact]] = defaultdict(list)
    owned_prefix = description.resource + "/"
    for (predicate, value), graphs in values.items():
        nested: list[Fact] = []
        if depth < 3 and (
            isinstance(value, ox.BlankNode)
            or (isinstance(value, ox.NamedNode) and value.value.startswith(owned_prefix))
        ):
            for group in facts_about(description, value, labeller, depth=depth + 1):
                nested.extend(group.facts)
        groups[predicate].append(
            Fact(
                labeller.show(ox.NamedNode(predicate)),
                labeller.show(value),
                labeller.sources(graphs),
                nested,
            )
        )
    ordered = sorted(groups.items(), key=lambda item: predicate_order(item[0], labeller))
    return [
        FactGroup(labeller.show(ox.NamedNode(p)), sorted(facts, key=lambda f: f.value.sort_key))
        for p, facts in ordered
    ]


FIRST_PREDICATES = (RDF_TYPE, RDFS + "label", SKOS + "prefLabel", DCT + "title", FOAF + "name")


def predicate_order(predicate: str, labeller: Labeller) -> tuple[int, str]:
    if predicate in FIRST_PREDICATES:
        return (FIRST_PREDICATES.index(predicate), "")
    return (len(FIRST_PREDICATES), labeller.label(predicate).lower())


@dataclass
class Incoming:
    subject: Shown
    predicate: Shown
    sources: list[Source]


def incoming(description: Description, labeller: Labeller) -> list[Incoming]:
    resource = ox.NamedNode(description.resource)
    found: dict[tuple[Term, str], set[str]] = defaultdict(set)
    for quad in description.quads:
        if (
            quad.object == resource
            and quad.subject != resource
            and not isinstance(quad.subject, ox.Triple)
        ):
            graph_name = quad.graph_name
            graph_iri = graph_name.value if isinstance(graph_name, ox.NamedNode) else ""
            found[(quad.subject, quad.predicate.value)].add(graph_iri)
    rows = [
        Incoming(labeller.show(s), labeller.show(ox.NamedNode(p)), labeller.sources(g))
        for (s, p), g in found.items()
    ]
    return sorted(rows, key=lambda r: (r.predicate.sort_key, r.subject.sort_key))


def distinct(shown: Iterable[Shown], base: str) -> list[Shown]:
    """One of each text (foaf:Agent, prov:Agent and dct:Agent are all "Agent"), ours first."""
    ordered = sorted(shown, key=lambda s: (not (s.iri or "").startswith(base), s.sort_key))
    seen: dict[str, Shown] = {}
    for item in ordered:
        seen.setdefault(item.text.lower(), item)
    return list(seen.values())


def value(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def graphs(row: Row) -> list[str]:
    """The graphs a solution's ``?graphs`` (a GROUP_CONCAT of them) names."""
    text = value(row, "graphs") or ""
    return [g for g in text.split(" ") if g]


def ours(site: Site, local_or_iri: str) -> str:
    """A term of the project's vocabulary by its local name (any other IRI as it is)."""
    if "://" in local_or_iri:
        return local_or_iri
    return site.base + "def/" + local_or_iri


# -- The page of a resource ----------------------------------------------------------------------

View = Callable[[Select, Labeller, str, Description], dict[str, Any]]


def page(
    select: Select, labeller: Labeller, key: str, resource: str, description: Description
) -> tuple[str, dict[str, Any]]:
    """The template and its context for the page about ``resource`` (its /doc/ ``key``)."""
    site = labeller.site
    labeller.add(description)
    unlabelled = {
        term.value
        for q in description.quads
        for term in (q.subject, q.object)
        if isinstance(term, ox.NamedNode)
        and term.value.startswith(site.base + "id/")
        and term.value not in labeller.labels
    }
    labeller.labels.update(labels_for(select, site, unlabelled))
    node = ox.NamedNode(resource)
    types = sorted(
        {
            q.object.value
            for q in description.quads
            if q.subject == node
            and q.predicate.value == RDF_TYPE
            and isinstance(q.object, ox.NamedNode)
        }
    )
    title = labeller.label(resource) if resource in labeller.labels else key
    if key.startswith("claim/") and resource in labeller.labels:
        title = f"Claim: {labeller.label(resource)}"
    kind = key.split("/", 1)[0]
    context: dict[str, Any] = {
        "page": chrome(site, resource, title, key),
        "kind": kind,
        "types": distinct(
            (labeller.show(ox.NamedNode(t)) for t in types if t != OWL + "Thing"), site.base
        ),
        "facts": facts_about(description, node, labeller),
        "incoming": incoming(description, labeller),
    }
    view = VIEWS.get(kind)
    if view is not None:
        context.update(view(select, labeller, resource, description))
        if "title" in context:  # a thing without a label, named from its facts
            context["page"] = chrome(site, resource, context.pop("title"), key)
    template = f"pages/{kind}.html" if view is not None else "pages/resource.html"
    return template, context


# -- Council -------------------------------------------------------------------------------------

IDENTIFIER_PROPERTIES = (
    "gssCode",
    "ofstedUrn",
    "dfeCode",
    "registerCode",
    "ofstedName",
    "ofstedRegion",
    "ofstedAuthorityType",
    "shortName",
)
LINK_PROPERTIES = (
    OWL + "sameAs",
    "governsArea",
    "odcOrganisation",
    "odcArea",
    "osAdminUnit",
    FOAF + "homepage",
    FOAF + "page",
)


def council_view(
    select: Select, labeller: Labeller, resource: str, description: Description
) -> dict[str, Any]:
    site = labeller.site
    node = ox.NamedNode(resource)
    identifiers = {ours(site, p) for p in IDENTIFIER_PROPERTIES}
    links = {ours(site, p) for p in LINK_PROPERTIES}
    all_groups = facts_about(description, node, labeller)
    judgements = judgements_of(select, labeller, resource)
    return {
        "identifiers": [g for g in all_groups if g.predicate.iri in identifiers],
        "links": [g for g in all_groups if g.predicate.iri in links],
        "judgements": judgements,
        "chart": timeline(judgements),
        "inspections": inspections_of(select, labeller, resource),
        "people": people_of(select, labeller, resource),
        "claims": claims_where(select, labeller, "claims-about", council=resource),
        # what points at a council is its inspections, judgements, posts and claims, shown above
        # (and in full in the RDF forms): the list would only repeat them
        "incoming": [],
    }


@dataclass
class JudgementRow:
    iri: str
    shown: Shown
    date: Shown | None
    date_value: str | None  # ISO date, or a year
    precision: str  # "day", "year" or "none"
    inspection: Shown | None
    framework: Shown | None
    framework_iri: str | None
    area: Shown | None
    grade: Shown | None
    rank: int | None
    sources: list[Source]
    official: bool


def judgements_of(select: Select, labeller: Labeller, council: str) -> list[JudgementRow]:
    """The judgements on a council, oldest first (undated ones last)."""
    site = labeller.site
    rows = select(fill("judgements", site.base, council=council))
    labeller.labels.update(
        labels_for(
            select,
            site,
            {
                r[n].value
                for r in rows
                for n in ("j", "i")
                if n in r and isinstance(r[n], ox.NamedNode)
            },
        )
    )
    found: dict[str, JudgementRow] = {}
    official_prefix = site.graph_iri("official/")
    for row in rows:
        j = row["j"].value
        if j in found:
            found[j].sources = labeller.sources([s.graph for s in found[j].sources] + graphs(row))
            continue
        date = row.get("date")
        year = row.get("year")
        if date is not None:
            date_value, precision, shown_date = date.value, "day", labeller.show(date)
        elif year is not None:
            date_value, precision, shown_date = year.value[:4], "year", labeller.show(year)
        else:
            date_value, precision, shown_date = None, "none", None
        rank = row.get("rank")
        in_graphs = graphs(row)
        found[j] = JudgementRow(
            iri=j,
            shown=labeller.show(row["j"]),
            date=shown_date,
            date_value=date_value,
            precision=precision,
            inspection=labeller.show(row["i"]) if "i" in row else None,
            framework=labeller.show(row["fw"]) if "fw" in row else None,
            framework_iri=value(row, "fw"),
            area=labeller.show(row["area"]) if "area" in row else None,
            grade=labeller.show(row["grade"]) if "grade" in row else None,
            rank=int(rank.value) if rank is not None else None,
            sources=labeller.sources(in_graphs),
            official=any(g.startswith(official_prefix) for g in in_graphs),
        )
    return sorted(
        found.values(),
        key=lambda r: (r.date_value or "9999", r.framework.text if r.framework else "", r.iri),
    )


# -- Inspections, people and claims of a council -----------------------------------------------


@dataclass
class InspectionRow:
    inspection: Shown
    date: Shown | None
    framework: Shown | None
    lead: list[Shown]
    reports: list[Shown]
    sources: list[Source]


def inspections_of(select: Select, labeller: Labeller, council: str) -> list[InspectionRow]:
    rows = select(fill("inspections", labeller.site.base, council=council))
    labeller.labels.update(
        {r["lead"].value: r["leadName"].value for r in rows if "lead" in r and "leadName" in r}
    )
    labeller.labels.update(labels_for(select, labeller.site, {r["i"].value for r in rows}))
    found: dict[str, InspectionRow] = {}
    for row in rows:
        key = row["i"].value
        entry = found.get(key)
        if entry is None:
            entry = found[key] = InspectionRow(
                labeller.show(row["i"]),
                labeller.show(row["date"]) if "date" in row else None,
                labeller.show(row["fw"]) if "fw" in row else None,
                [],
                [],
                [],
            )
        if "lead" in row and all(s.iri != row["lead"].value for s in entry.lead):
            entry.lead.append(labeller.show(row["lead"]))
        if "url" in row and all(s.iri != row["url"].value for s in entry.reports):
            entry.reports.append(Shown("report", row["url"].value, row["url"].value, True))
        entry.sources = labeller.sources([s.graph for s in entry.sources] + graphs(row))
    return list(found.values())


@dataclass
class PersonRow:
    person: Shown
    post: str
    organisation: Shown | None
    role: Shown | None
    when: str
    sources: list[Source]
    membership: Shown


def people_of(
    select: Select, labeller: Labeller, organisation: str, *, by_person: bool = False
) -> list[PersonRow]:
    """Posts held in the organisation (or its units); with ``by_person``, posts of a person."""
    base = labeller.site.base
    rows = select(
        fill("posts-of", base, person=organisation)
        if by_person
        else fill("posts-in", base, organisation=organisation)
    )
    labeller.labels.update(
        labels_for(
            select,
            labeller.site,
            {r[n].value for r in rows for n in ("m", "person", "org", "role") if n in r},
        )
    )
    found: dict[str, PersonRow] = {}
    for row in rows:
        m = row["m"].value
        if m in found:
            continue
        pieces = []
        if "at" in row:
            at = row["at"]
            on = isinstance(at, ox.Literal) and at.datatype == ox.NamedNode(XSD + "date")
            pieces.append(f"in post {'on' if on else 'in'} {labeller.show(at).text}")
        if "from" in row:
            pieces.append(f"from {labeller.show(row['from']).text}")
        if "to" in row:
            pieces.append(f"until {labeller.show(row['to']).text}")
        role = labeller.show(row["role"]) if "role" in row else None
        found[m] = PersonRow(
            person=labeller.show(row["person"]),
            post=value(row, "title") or (role.text if role else "member"),
            organisation=labeller.show(row["org"]) if "org" in row else None,
            role=role,
            when=", ".join(pieces) or "dates not given",
            sources=labeller.sources(graphs(row)),
            membership=labeller.show(row["m"]),
        )
    return list(found.values())


@dataclass
class Outcome:
    """A reconciliation of a claim with Ofsted's record."""

    outcome: Shown
    reason: str
    check: Shown
    sources: list[Source]


@dataclass
class ClaimRow:
    claim: Shown
    quotations: list[str]  # the words quoted, verbatim
    statement: str | None  # the passage of the source that makes the claim, verbatim
    speaker: list[Shown]
    document: Shown | None
    issued: Shown | None
    publisher: list[Shown]
    quoted_from: Shown | None
    outcomes: list[Outcome]
    sources: list[Source]


def claims_where(
    select: Select, labeller: Labeller, selection: str, **parameters: str
) -> list[ClaimRow]:
    """The claims a selection query (``queries/claims-*.rq``, binding ?c) finds, as ``claims_of``
    shows them."""
    rows = select(fill(selection, labeller.site.base, **parameters))
    # A claim is named by an IRI (the shapes say so): a blank node could not be asked about again.
    return claims_of(
        select, labeller, [r["c"].value for r in rows if isinstance(r["c"], ox.NamedNode)]
    )


def claims_of(select: Select, labeller: Labeller, claims: Iterable[str]) -> list[ClaimRow]:
    """Claims with their evidence chain: words, speaker, document, publisher, and the checks of
    what they assert against Ofsted's record."""
    wanted = sorted(set(claims))
    if not wanted:
        return []
    base = labeller.site.base
    rows = select(fill("claims", base, c=wanted))
    if not rows:
        return []
    checks = select(fill("claim-checks", base, c=sorted({r["c"].value for r in rows})))
    names = {
        r[n].value
        for r in rows
        for n in ("c", "speaker", "doc", "publisher", "from")
        if n in r and isinstance(r[n], ox.NamedNode)
    }
    labeller.labels.update(
        labels_for(
            select, labeller.site, names | {r[n].value for r in checks for n in ("outcome", "r")}
        )
    )
    found: dict[str, ClaimRow] = {}
    for row in rows:
        c = row["c"].value
        entry = found.get(c)
        if entry is None:
            entry = found[c] = ClaimRow(
                claim=labeller.show(row["c"]),
                quotations=[],
                statement=value(row, "statement"),
                speaker=[],
                document=labeller.show(row["doc"]) if "doc" in row else None,
                issued=labeller.show(row["issued"]) if "issued" in row else None,
                publisher=[],
                quoted_from=labeller.show(row["from"]) if "from" in row else None,
                outcomes=[],
                sources=[],
            )
        quotation = value(row, "quotation")
        if quotation is not None and quotation not in entry.quotations:
            entry.quotations.append(quotation)
        if "speaker" in row and all(s.iri != row["speaker"].value for s in entry.speaker):
            entry.speaker.append(labeller.show(row["speaker"]))
        if "publisher" in row and all(s.iri != row["publisher"].value for s in entry.publisher):
            entry.publisher.append(labeller.show(row["publisher"]))
        entry.sources = labeller.sources([s.graph for s in entry.sources] + graphs(row))
    for check in checks:
        entry = found[check["c"].value]
        outcome = labeller.show(check["outcome"])
        reason = value(check, "reason") or ""
        if all(o.reason != reason or o.outcome.iri != outcome.iri for o in entry.outcomes):
            entry.outcomes.append(
                Outcome(
                    outcome,
                    reason,
                    labeller.show(check["r"]),
                    labeller.sources([check["rg"].value]),
                )
            )
    return list(found.values())


# -- Named graphs, the sources ------------------------------------------------------------------


def graph_view(
    select: Select, labeller: Labeller, resource: str, description: Description
) -> dict[str, Any]:
    """A named graph: what it holds and where it comes from, and where to download it."""
    site = labeller.site
    rows = select(fill("graph-size", site.base, named=resource))
    source = labeller.source(resource)
    # The format is named in the link: a browser's Accept would otherwise pick no RDF format (406).
    download = f"{site.root}/store?{urlencode({'graph': resource, 'format': 'turtle'})}"
    return {
        "title": f"Named graph: {source.label}",
        "graph_size": int(rows[0]["n"].value) if rows else 0,
        "graph_source": source,
        "graph_documents": [labeller.show(ox.NamedNode(d)) for d, _ in source.documents],
        "graph_download": download,
        "graph_inferred": resource == site.inferred_graph,
    }


# -- Inspection, judgement, person, document, claim --------------------------------------------


def inspection_view(
    select: Select, labeller: Labeller, resource: str, description: Description
) -> dict[str, Any]:
    judgements: list[JudgementRow] = []
    for row in select(fill("inspection-council", labeller.site.base, inspection=resource)):
        judgements.extend(
            j
            for j in judgements_of(select, labeller, row["council"].value)
            if j.inspection is not None and j.inspection.iri == resource
        )
    claims = claims_where(select, labeller, "claims-on-inspection", inspection=resource)
    return {"judgements": judgements, "claims": claims}


def judgement_view(
    select: Select, labeller: Labeller, resource: str, description: Description
) -> dict[str, Any]:
    site = labeller.site
    claims = claims_where(select, labeller, "claims-on-judgement", judgement=resource)
    title: dict[str, str] = {}
    for row in select(fill("judgement-council", site.base, judgement=resource)):
        for j in judgements_of(select, labeller, row["council"].value):
            if j.iri == resource and resource not in labeller.labels:
                council = labeller.label(row["council"].value)
                area = j.area.text if j.area else "judgement"
                grade = j.grade.text if j.grade else "grade not given"
                when = f", {j.date.text}" if j.date else ""
                title["title"] = f"{council}: {area}, {grade}{when}"
    checks = select(fill("judgement-checks", site.base, judgement=resource))
    labeller.labels.update(
        labels_for(
            select, site, {r[n].value for r in checks for n in ("r", "outcome", "doc") if n in r}
        )
    )
    reconciliations = []
    seen = set()
    for row in checks:
        if row["r"].value in seen:
            continue
        seen.add(row["r"].value)
        reconciliations.append(
            {
                "check": labeller.show(row["r"]),
                "outcome": labeller.show(row["outcome"]),
                "reason": value(row, "reason") or "",
                "document": labeller.show(row["doc"]) if "doc" in row else None,
                "sources": labeller.sources([site.graph_iri("checks")]),
            }
        )
    return {"claims": claims, "reconciliations": reconciliations, **title}


def person_view(
    select: Select, labeller: Labeller, resource: str, description: Description
) -> dict[str, Any]:
    led = select(fill("inspections-led", labeller.site.base, person=resource))
    labeller.labels.update(labels_for(select, labeller.site, {r["i"].value for r in led}))
    return {
        "posts": people_of(select, labeller, resource, by_person=True),
        "led": [
            {
                "inspection": labeller.show(r["i"]),
                "date": labeller.show(r["date"]) if "date" in r else None,
                "sources": labeller.sources(graphs(r)),
            }
            for r in led
        ],
        "claims": claims_where(select, labeller, "claims-by-person", person=resource),
    }


DOCUMENT_PROPERTIES = (
    DCT + "title",
    DCT + "description",
    DCT + "publisher",
    DCT + "creator",
    DCT + "issued",
    DCT + "modified",
    FOAF + "page",
    DCAT + "landingPage",
    DCAT + "accessURL",
    DCAT + "downloadURL",
    DCAT + "distribution",
    DCT + "license",
    DCT + "rights",
    DCT + "subject",
    SKOS + "editorialNote",
)


def document_view(
    select: Select, labeller: Labeller, resource: str, description: Description
) -> dict[str, Any]:
    node = ox.NamedNode(resource)
    wanted = set(DOCUMENT_PROPERTIES)
    groups = [g for g in facts_about(description, node, labeller) if g.predicate.iri in wanted]
    groups.sort(key=lambda g: DOCUMENT_PROPERTIES.index(g.predicate.iri or ""))
    claims = claims_where(select, labeller, "claims-from-document", document=resource)
    return {"summary": groups, "claims": claims}


def claim_view(
    select: Select, labeller: Labeller, resource: str, description: Description
) -> dict[str, Any]:
    claims = claims_of(select, labeller, [resource])
    claim = claims[0] if claims else None
    shown = (ours(labeller.site, "asserts"), ours(labeller.site, "about"))
    asserts = [
        g
        for g in facts_about(description, ox.NamedNode(resource), labeller)
        if g.predicate.iri in shown
    ]
    return {"claim": claim, "asserts": asserts}


VIEWS: dict[str, View] = {
    "graph": graph_view,
    "council": council_view,
    "inspection": inspection_view,
    "judgement": judgement_view,
    "person": person_view,
    "document": document_view,
    "claim": claim_view,
}


# -- The index of councils ---------------------------------------------------------------------


@dataclass
class CouncilRow:
    council: Shown
    code: str
    inspection: Shown | None
    date: Shown | None
    framework: Shown | None
    grade: Shown | None
    rank: int | None
    sources: list[Source]
    ended: Shown | None = None  # abolished on this date: the inspection is its last, not current
    region: str = ""  # as Ofsted's tables give it
    kind: str = ""  # the authority type, as Ofsted's tables give it

    @property
    def year(self) -> str:
        return self.date.text[-4:] if self.date and self.date.text[-4:].isdigit() else ""

    def facets(self) -> dict[str, str]:
        """What the index filters on, as the filter's values are written."""
        return {
            "grade": self.grade.text if self.grade else "",
            "region": self.region,
            "type": self.kind,
            "framework": self.framework.text if self.framework else "",
            "year": self.year,
        }


FILTERS = ("grade", "region", "type", "framework", "year")
SORTS = {
    "name": lambda r: r.council.sort_key,
    "grade": lambda r: (r.rank or 9, r.council.sort_key),
    "date": lambda r: (r.date.sort_key if r.date else "", r.council.sort_key),
    "region": lambda r: (r.region, r.council.sort_key),
}


def filter_councils(
    rows: list[CouncilRow], wanted: Mapping[str, str], sort: str = "name", descending: bool = False
) -> tuple[list[CouncilRow], dict[str, list[tuple[str, int]]]]:
    """The councils that have every value asked for (a value as the facets write it, any case),
    sorted; and each filter's values with how many councils of the whole index have it."""
    asked = {k: v.strip().lower() for k, v in wanted.items() if k in FILTERS and v.strip()}
    kept = [r for r in rows if all(r.facets()[k].lower() == v for k, v in asked.items())]
    kept.sort(key=SORTS.get(sort, SORTS["name"]), reverse=descending)
    options: dict[str, list[tuple[str, int]]] = {}
    for name in FILTERS:
        counts: dict[str, int] = defaultdict(int)
        shown: dict[str, str] = {}  # one spelling per value, whatever its case in the tables
        for r in rows:
            value = r.facets()[name]
            if value:
                counts[value.lower()] += 1
                shown.setdefault(value.lower(), value)
        ordered = sorted(((shown[k], n) for k, n in counts.items()), reverse=name == "year")
        options[name] = ordered
    return kept, options


def council_index(select: Select, labeller: Labeller) -> dict[str, Any]:
    """Every council with its latest inspection and that inspection's overall grade; a council
    abolished before Ofsted's latest table, with its last inspection instead."""
    site = labeller.site
    councils = select(fill("councils", site.base))
    latest = select(fill("latest-inspections", site.base))
    last = select(fill("last-inspections", site.base))
    labeller.labels.update({r["c"].value: r["name"].value for r in councils if "name" in r})
    by_council: dict[str, list[Row]] = defaultdict(list)
    for row in latest:
        by_council[row["c"].value].append(row)
    ended: dict[str, Row] = {}
    for row in sorted(last, key=lambda r: (r["date"].value, "grade" in r)):
        if row["c"].value not in by_council:
            ended[row["c"].value] = row  # the latest date wins; at a tie, the graded row
    for c, row in ended.items():
        by_council[c] = [row]
    found: list[CouncilRow] = []
    for council in councils:
        c = council["c"].value
        rows = by_council.get(c, [])
        row = rows[0] if rows else {}
        rank = row.get("rank")
        in_graphs = [r["g"].value for r in rows] or graphs(council)
        found.append(
            CouncilRow(
                council=labeller.show(council["c"]),
                code=value(council, "gss") or "",
                inspection=labeller.show(row["i"]) if "i" in row else None,
                date=labeller.show(row["date"]) if "date" in row else None,
                framework=labeller.show(row["fw"]) if "fw" in row else None,
                grade=labeller.show(row["grade"]) if "grade" in row else None,
                rank=int(rank.value) if rank is not None else None,
                sources=labeller.sources(in_graphs),
                ended=labeller.show(row["end"]) if "end" in row else None,
                region=value(council, "region") or "",
                kind=value(council, "type") or "",
            )
        )
    found.sort(key=lambda r: r.council.sort_key)
    page = chrome(site, site.base + "id/council", "Councils and their current grade", "council")
    return {"page": page, "councils": found}
