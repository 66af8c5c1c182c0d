"""How the pages show a term: its label, a date as precise as the graph has it, the link to it on
this host, and the sources (named graphs) a fact comes from.

- ``Site``: where things live, the base IRI and the path this host serves the pages under (links
  on the pages point at the host that served them, whatever the base).
- ``Catalogue``: worked out once per dataset version (``routes`` keeps it with ``context.kept``):
  the labels the vocabulary graphs give their terms, and every named graph with its label and the
  documents it was taken from (``queries/vocabulary-labels.rq``, ``queries/sources.rq``).
- ``Labeller``: one per page: those labels, the description's own, and the ones its view looked up
  (``labels_for``: a thing without a label is named by what it says); ``show`` turns a term into a
  ``Shown`` for the templates, ``sources`` a fact's graphs into its ``Source`` links.

Nothing here touches Flask: the query function (``describe.Select``) is given.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from ...rdf.namespaces import OWL, PREFIXES, RDF_TYPE, RDFS, XSD, shorten
from .describe import LABEL_PREDICATES, Description, Select, Term
from .queries import fill

# -- Where things live: the base IRI and this host ---------------------------------------------


@dataclass(frozen=True)
class Site:
    """The base IRI the graph's things are named under, and the path this host serves the site
    under (Flask's ``request.script_root``: "" at the root)."""

    base: str
    root: str = ""

    @property
    def inferred_graph(self) -> str:
        return self.graph_iri("inferred")

    def graph_iri(self, local: str) -> str:
        """The IRI of a named graph (as ``Settings.graph_iri``)."""
        return f"{self.base}graph/{local}"

    def resource_iri(self, key: str) -> str:
        """The IRI a /doc/ key describes: ``graph/...`` names a named graph, anything else an
        /id/."""
        return self.base + key if key.startswith("graph/") else f"{self.base}id/{key}"

    def doc_path(self, key: str, extension: str = "") -> str:
        """The path of the page about a key on this host (with ``.extension``: one form of it)."""
        suffix = f".{extension}" if extension else ""
        return f"{self.root}/doc/{key}{suffix}"

    def local_href(self, term: str) -> str | None:
        """The link on this host for an IRI under the base (``None`` for other IRIs)."""
        if not term.startswith(self.base):
            return None
        rest = term[len(self.base) :]
        if rest.startswith("id/"):
            return f"{self.root}/doc/{rest[3:]}"
        if rest.startswith("graph/"):
            return f"{self.root}/doc/{rest}"
        return f"{self.root}/{rest}"

    def href(self, term: str) -> str:
        return self.local_href(term) or term

    def short(self, text: str) -> str:
        """An IRI under the base without the base; any other text as it is."""
        return text[len(self.base) :] if text.startswith(self.base) else text


# -- The sources, and the vocabulary's labels: the catalogue -----------------------------------


@dataclass(frozen=True)
class SourceGraph:
    """A named graph as the catalogue knows it."""

    graph: str
    label: str
    documents: tuple[tuple[str, str], ...]  # (IRI, title)


@dataclass(frozen=True)
class Source:
    """The source of a fact as a page links to it: its one document, or else the graph."""

    graph: str
    label: str
    documents: tuple[tuple[str, str], ...]  # (IRI, title)
    href: str

    @property
    def text(self) -> str:
        if len(self.documents) == 1:
            return self.documents[0][1]
        return self.label

    @property
    def title(self) -> str:
        return f"named graph {self.graph}: {self.label}"


@dataclass(frozen=True)
class Catalogue:
    labels: dict[str, str]
    sources: dict[str, SourceGraph]


def make_catalogue(select: Select, site: Site) -> Catalogue:
    """The vocabulary's labels and the named graphs (two queries: kept per dataset version)."""
    return Catalogue(vocabulary_labels(select, site), source_graphs(select, site))


def vocabulary_labels(select: Select, site: Site) -> dict[str, str]:
    labels: dict[str, str] = {}
    for row in select(fill("vocabulary-labels", site.base)):
        labels.setdefault(row["x"].value, row["l"].value)
    return labels


def source_graphs(select: Select, site: Site) -> dict[str, SourceGraph]:
    labels: dict[str, str] = {}
    documents: dict[str, dict[str, str]] = defaultdict(dict)
    for row in select(fill("sources", site.base)):
        graph_iri = row["g"].value
        labels.setdefault(graph_iri, row["label"].value if "label" in row else "")
        if "doc" in row:
            doc = row["doc"].value
            title = row["title"].value if "title" in row else site.short(doc)
            documents[graph_iri].setdefault(doc, title)
    sources: dict[str, SourceGraph] = {}
    for graph_iri, label in labels.items():
        if graph_iri == site.inferred_graph:
            label = label or "inferred by OWL 2 RL reasoning from the other graphs"
        sources[graph_iri] = SourceGraph(
            graph_iri, label or site.short(graph_iri), tuple(sorted(documents[graph_iri].items()))
        )
    return sources


# -- Dates, as vague as they are -----------------------------------------------------------------

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DATE_TYPES = {XSD + t for t in ("date", "dateTime", "gYearMonth", "gYear")}


def show_date(value: str, datatype: str) -> str:
    """A date as precise as it is: a gYear is a year, a gYearMonth a month."""
    try:
        if datatype == XSD + "date":
            day = dt.date.fromisoformat(value[:10])
            return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        if datatype == XSD + "dateTime":
            moment = dt.datetime.fromisoformat(value)
            return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"
        if datatype == XSD + "gYearMonth":
            year, month = value[:7].split("-")
            return f"{MONTHS[int(month) - 1]} {int(year)}"
        if datatype == XSD + "gYear":
            return str(int(value[:4]))
    except (ValueError, IndexError):
        pass
    return value


def show_day(term: Term) -> str:
    if isinstance(term, ox.Literal):
        return show_date(term.value, term.datatype.value)
    return term.value


def cut(text: str, limit: int = 90) -> str:
    """Words cut short to name a thing: whitespace made single, and at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


# -- Labels ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A term as a page shows it."""

    text: str
    href: str | None = None
    iri: str | None = None
    external: bool = False
    language: str | None = None
    datatype: str | None = None
    sort_key: str = ""


CORE_LABELS = {
    RDF_TYPE: "type",
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    RDFS + "seeAlso": "see also",
    OWL + "sameAs": "same as",
    XSD + "date": "date",
}
# Terms of these vocabularies are shown by prefix when nothing labels them (the vocabulary graphs
# label those of the others the graph uses).
SHOWN_BY_PREFIX = {
    name: PREFIXES[name] for name in ("rdf", "rdfs", "owl", "xsd", "wikidata", "contact", "geo")
}


class Labeller:
    """Labels from the catalogue, a description and what a view looked up; shortened IRIs
    otherwise. One per page."""

    def __init__(self, site: Site, catalogue: Catalogue, extra: dict[str, str] | None = None):
        self.site = site
        self.catalogue = catalogue
        self.labels = dict(catalogue.labels)
        self.labels.update(extra or {})

    def add(self, description: Description) -> None:
        """The labels a description gives its terms (the first label predicate that has one)."""
        found: dict[str, dict[str, str]] = defaultdict(dict)
        for quad in description.quads:
            if (
                quad.predicate.value in LABEL_PREDICATES
                and isinstance(quad.subject, ox.NamedNode)
                and isinstance(quad.object, ox.Literal)
            ):
                found[quad.subject.value].setdefault(quad.predicate.value, quad.object.value)
        for subject, by_predicate in found.items():
            for predicate in LABEL_PREDICATES:
                if predicate in by_predicate:
                    self.labels.setdefault(subject, by_predicate[predicate])
                    break

    def label(self, term: str) -> str:
        if term in self.labels:
            return self.labels[term]
        if term in CORE_LABELS:
            return CORE_LABELS[term]
        return shorten(term, SHOWN_BY_PREFIX) or self.site.short(term)

    def show(self, term: Term) -> Shown:
        if isinstance(term, ox.NamedNode):
            local = self.site.local_href(term.value)
            return Shown(
                self.label(term.value),
                local or term.value,
                term.value,
                external=local is None,
                sort_key=self.label(term.value).lower(),
            )
        if isinstance(term, ox.BlankNode):
            return Shown("(a node without a name)", sort_key="~")
        datatype = term.datatype.value if term.datatype is not None else None
        text = show_date(term.value, datatype) if datatype in DATE_TYPES else term.value
        if datatype == XSD + "anyURI":
            return Shown(text, term.value, term.value, external=True)
        return Shown(
            text,
            language=term.language,
            datatype=datatype,
            sort_key=term.value if datatype in DATE_TYPES else text.lower(),
        )

    def source(self, graph_iri: str) -> Source:
        found = self.catalogue.sources.get(graph_iri)
        if found is None:
            found = SourceGraph(graph_iri, self.site.short(graph_iri), ())
        link = found.documents[0][0] if len(found.documents) == 1 else found.graph
        return Source(found.graph, found.label, found.documents, self.site.href(link))

    def sources(self, graphs: Iterable[str]) -> list[Source]:
        """The sources of a fact, one per document (graphs of one document shown once)."""
        seen: dict[str, Source] = {}
        for graph_iri in sorted(set(graphs)):
            source = self.source(graph_iri)
            seen.setdefault(source.href, source)
        return list(seen.values())


def labels_for(select: Select, site: Site, terms: set[str]) -> dict[str, str]:
    """Labels for IRIs; a thing with no label is named by what it says: a judgement by its area
    and grade ("Safeguarding services: Inadequate"), an interval or instant by its dates, a
    checksum by its value, a finding, quotation or figure by its words (cut short), a term by its
    comment or definition (``queries/labels.rq``)."""
    if not terms:
        return {}
    labels: dict[str, str] = {}
    words: dict[str, str] = {}
    for row in select(fill("labels", site.base, x=sorted(terms))):
        term = row["x"].value
        if "l" in row:
            labels.setdefault(term, row["l"].value)
        elif "area" in row and "grade" in row:
            words.setdefault(term, f"{row['area'].value}: {row['grade'].value}")
        elif "from" in row and "to" in row:
            words.setdefault(term, f"{show_day(row['from'])} to {show_day(row['to'])}")
        elif "day" in row:
            words.setdefault(term, show_day(row["day"]))
        elif "sum" in row:
            words.setdefault(term, f"checksum {row['sum'].value}")
        elif "w" in row:
            words.setdefault(term, cut(row["w"].value))
    for term, text in words.items():
        labels.setdefault(term, text)
    return labels
