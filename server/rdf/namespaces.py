"""Every namespace the project writes or reads, and the one prefix map.

The project's own namespace, ``okg:``, is ``<base>def/`` and so follows the configured base: see
``prefixes``.
"""

from __future__ import annotations

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
TIME = "http://www.w3.org/2006/time#"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"
VANN = "http://purl.org/vocab/vann/"
WIKIDATA = "http://www.wikidata.org/entity/"
# Classes FOAF's own axioms bring in (foaf:Person is a contact:Person and a geo:SpatialThing).
CONTACT = "http://www.w3.org/2000/10/swap/pim/contact#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"

# The prefixes written in Turtle, TriG and RDF/XML and used to shorten IRIs for people, in the
# order they are written (a fixed table, so that output is stable).
PREFIXES: dict[str, str] = {
    "contact": CONTACT,
    "dcat": DCAT,
    "dct": DCT,
    "foaf": FOAF,
    "geo": GEO,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "sd": SD,
    "sh": SH,
    "skos": SKOS,
    "spdx": SPDX,
    "time": TIME,
    "vann": VANN,
    "void": VOID,
    "wikidata": WIKIDATA,
    "xsd": XSD,
}


def okg(base: str) -> str:
    """The project's own namespace under a base IRI."""
    return f"{base}def/"


def prefixes(base: str) -> dict[str, str]:
    """The prefix map with ``okg:`` for the base."""
    return {**PREFIXES, "okg": okg(base)}


def shorten(iri: str, known: dict[str, str] = PREFIXES) -> str | None:
    """``prefix:local`` for an IRI in a known namespace, or None."""
    for prefix, namespace in known.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return None
