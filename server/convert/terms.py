"""The names the converter writes: namespaces, the prefixes of the generated Turtle, the IRIs it
mints for councils, inspections, judgements, reports, people, organisations and reconciliations,
and the documents the record cites.

The IRI of each thing the record is about is made here, so that a council or an inspection gets
the same IRI whichever table it is read from. A node that hangs off one of them (a distribution, a
checksum, a fieldwork interval) is named by its reader from its subject's IRI.
"""

from __future__ import annotations

import re

BASE = "https://w3id.org/ofsted-kg/"
DEF = BASE + "def/"
ID = BASE + "id/"
OKG = DEF
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SPDX = "http://spdx.org/rdf/terms#"
TIME = "http://www.w3.org/2006/time#"

OGL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
MIT = "https://opensource.org/licenses/MIT"

# The prefixes of every generated file (the Turtle writer uses the ones it needs).
PREFIXES = {
    "okg": OKG,
    "area": DEF + "area/",
    "fw": DEF + "framework/",
    "g2009": DEF + "grade/2009/",
    "g2013": DEF + "grade/2013/",
    "outcome": DEF + "reconciliation-outcome/",
    "ctype": DEF + "council-type/",
    "council": ID + "council/",
    "inspection": ID + "inspection/",
    "judgement": ID + "judgement/",
    "person": ID + "person/",
    "orgn": ID + "organisation/",
    "doc": ID + "document/",
    "rec": ID + "reconciliation/",
    "dct": DCT,
    "dcat": DCAT,
    "foaf": FOAF,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdfs": RDFS,
    "skos": SKOS,
    "spdx": SPDX,
    "time": TIME,
    "xsd": XSD,
    "wd": "http://www.wikidata.org/entity/",
}

# The two grade scales of ontology/grades.ttl that Ofsted's tables use (skos:ConceptScheme IRIs).
SCALE_2009 = DEF + "grade/2009"
SCALE_2013 = DEF + "grade/2013"

# The documents the official record is taken from, and Ofsted itself.
OFSTED = ID + "organisation/ofsted"
CSC_2023 = ID + "document/ofsted-childrens-social-care-2023"
OUTCOMES_2025 = ID + "document/ofsted-la-inspection-outcomes-2025-03-31"
D2I_HISTORY = ID + "document/d2i-ofsted-csc-ilacs-history"
WORDING_NOTE = ID + "document/ofsted-childrens-social-care-2023/guidance-current-wording"


def expand(curie: str) -> str:
    """``area:adoption`` -> the full IRI, by the prefixes above."""
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


def compact(iri: str) -> str:
    """The full IRI -> ``prefix:local`` by the prefixes above, or the IRI itself if none fits."""
    for prefix, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if local != iri and local and "/" not in local:
            return f"{prefix}:{local}"
    return iri


def graph_iri(name: str) -> str:
    """The named graph of the generated file graph/{name}.ttl."""
    return f"{BASE}graph/{name}"


def slug(value: str) -> str:
    """Lower case, each run of other characters than a-z and 0-9 one hyphen: ``J. Smith`` ->
    ``j-smith``."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def council_iri(gss: str) -> str:
    return ID + "council/" + gss


def inspection_iri(gss: str, framework: str, published: str) -> str:
    return f"{ID}inspection/{gss}/{framework}/{published}"


def judgement_iri(gss: str, framework: str, published: str, area: str) -> str:
    return f"{ID}judgement/{gss}/{framework}/{published}/{area}"


def report_iri(gss: str, framework: str, published: str) -> str:
    return f"{ID}document/ofsted-report-{gss}-{framework}-{published}"


def file_iri(number: str) -> str:
    """A report known only by the number of its file on files.ofsted.gov.uk."""
    return f"{ID}document/ofsted-file-{number}"


def person_iri(name: str) -> str:
    return ID + "person/" + slug(name)


def organisation_iri(name: str) -> str:
    return ID + "organisation/" + name


def reconciliation_iri(document: str, local: str) -> str:
    """The check of a claim of ``document`` (an IRI; its last segment names the folder)."""
    return f"{ID}reconciliation/{document.rsplit('/', 1)[-1]}/{local}"
