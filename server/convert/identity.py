"""The readers of the four identifier crosswalks, one graph each in graph/identity/:

    Data to Insight's provider lookup       Ofsted URNs and DfE codes
    Digital Land's organisation dataset     Wikidata items, websites, OpenDataCommunities links
    OpenRegister's Ordnance Survey map      Ordnance Survey admin units
    mySociety's local authority list        official names, types, dates and successors

Each keeps the rows of the councils of the crosswalk (record.py) and reads nothing else from the
record; each graph describes its source file (DCAT, with its checksum) and publisher.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..rdf.turtle import IRI, Graph, date, text
from .publications import add_checksum
from .reading import iso_date, read_table
from .record import CROSSWALK, Context, add_council_stub, new_graph
from .terms import (
    CC_BY,
    DCAT,
    DCT,
    FOAF,
    ID,
    MIT,
    OGL,
    OKG,
    ORG,
    OWL,
    RDF_TYPE,
    RDFS,
    SKOS,
    council_iri,
    organisation_iri,
)

# The project's copies of the crosswalks.
T_D2I_LOOKUP = "data/d2i_Provider_data_lookup.csv"
T_DIGITAL_LAND = "data/digital_land_organisation.csv"
T_OPENREGISTER_OS = "data/openregister_os.tsv"
T_MYSOCIETY = "data/mysociety_uk_local_authorities_future.csv"

# The documents they are copies of.
D2I_LOOKUP = ID + "document/d2i-provider-lookup"
DIGITAL_LAND = ID + "document/digital-land-organisation"
OPENREGISTER_OS = ID + "document/openregister-os"
MYSOCIETY = ID + "document/mysociety-uk-local-authorities"

# document -> (title, publisher slug, publisher label, licence, page, note, issued)
IDENTITY_SOURCES = {
    D2I_LOOKUP: (
        "Data to Insight Ofsted ILACS scrape tool: provider data lookup "
        "(import_data/la_lookup/Provider_data_lookup.csv)",
        "data-to-insight",
        "Data to Insight",
        MIT,
        "https://github.com/data-to-insight/ofsted-ilacs-scrape-tool",
        "Undated: copied at repository commit 15af1ad55ef4ecf0c314cf9edef12bd5bc1230a3 (file last "
        "changed in ce03985e4f4d5d46e9c87027e04d0c42ee8ead3e).",
        "",
    ),
    DIGITAL_LAND: (
        "Digital Land organisation dataset (collection/organisation.csv)",
        "digital-land",
        "Digital Land",
        OGL,
        "https://github.com/digital-land/organisation-dataset",
        "The date of the repository commit copied, 0e22143868e63332b3f996f0faad0f8fb585a347.",
        "2023-11-10",
    ),
    OPENREGISTER_OS: (
        "OpenRegister local-authority data: Ordnance Survey map (maps/os.tsv)",
        "openregister",
        "OpenRegister",
        OGL,
        "https://github.com/openregister/local-authority-data",
        "The date of the repository commit copied, 68f499152ba799feae602e67c6e30ae0914f2230.",
        "2018-02-23",
    ),
    MYSOCIETY: (
        "mySociety UK local authority names and codes: uk_local_authorities_future.csv",
        "mysociety",
        "mySociety",
        CC_BY,
        "https://github.com/mysociety/uk_local_authority_names_and_codes",
        "The date of the repository commit copied, 67ef8b118938678401a452f4f19f669a7221cc73. "
        "Attribution: mySociety, uk_local_authority_names_and_codes (CC BY 4.0).",
        "2025-07-10",
    ),
}


# document -> (the project's copy, the file's path in the repository, the commit copied)
IDENTITY_FILES = {
    D2I_LOOKUP: (
        T_D2I_LOOKUP,
        "import_data/la_lookup/Provider_data_lookup.csv",
        "15af1ad55ef4ecf0c314cf9edef12bd5bc1230a3",
    ),
    DIGITAL_LAND: (
        T_DIGITAL_LAND,
        "collection/organisation.csv",
        "0e22143868e63332b3f996f0faad0f8fb585a347",
    ),
    OPENREGISTER_OS: (
        T_OPENREGISTER_OS,
        "maps/os.tsv",
        "68f499152ba799feae602e67c6e30ae0914f2230",
    ),
    MYSOCIETY: (
        T_MYSOCIETY,
        "data/packages/uk_la_future/uk_local_authorities_future.csv",
        "67ef8b118938678401a452f4f19f669a7221cc73",
    ),
}
MEDIA_TYPES = {
    ".csv": "https://www.iana.org/assignments/media-types/text/csv",
    ".tsv": "https://www.iana.org/assignments/media-types/text/tab-separated-values",
}


def identity_graph(root: Path, name: str, source: str, label: str) -> Graph:
    """The graph ``name`` of a crosswalk, with the description of ``source``, its file and its
    publisher."""
    graph, _ = new_graph(name, [source], label)
    title, publisher, publisher_label, licence, page, note, issued = IDENTITY_SOURCES[source]
    copy, path, commit = IDENTITY_FILES[source]
    dist = source + "/" + Path(copy).suffix.lstrip(".")
    graph.add(source, DCAT + "distribution", IRI(dist))
    graph.add(dist, RDF_TYPE, IRI(DCAT + "Distribution"))
    graph.add(dist, DCT + "source", IRI(source))
    graph.add(dist, DCT + "title", text(Path(path).name, "en"))
    graph.add(dist, DCT + "identifier", text(copy))
    graph.add(dist, DCT + "license", IRI(licence))
    graph.add(dist, DCAT + "mediaType", IRI(MEDIA_TYPES[Path(copy).suffix]))
    graph.add(dist, DCAT + "downloadURL", IRI(f"{page}/raw/{commit}/{path}"))
    add_checksum(graph, dist, root / copy)
    org = organisation_iri(publisher)
    graph.add(source, RDF_TYPE, IRI(DCAT + "Dataset"))
    graph.add(source, RDF_TYPE, IRI(OKG + "SourceDocument"))
    graph.add(source, DCT + "title", text(title, "en"))
    graph.add(source, DCT + "publisher", IRI(org))
    graph.add(source, DCT + "license", IRI(licence))
    graph.add(source, FOAF + "page", IRI(page))
    graph.add(source, SKOS + "editorialNote", text(note, "en"))
    if issued:
        graph.add(source, DCT + "issued", date(issued))
    graph.add(org, RDF_TYPE, IRI(OKG + "Publisher"))
    graph.add(org, RDF_TYPE, IRI(ORG + "Organization"))
    graph.add(org, RDFS + "label", text(publisher_label))
    graph.add(org, DCT + "source", IRI(source))
    return graph


def read_d2i_lookup(context: Context, name: str) -> Graph:
    """Ofsted URNs and DfE codes from Data to Insight's provider lookup."""
    root, record = context.root, context.record
    graph = identity_graph(
        root,
        name,
        D2I_LOOKUP,
        "Ofsted and DfE identifiers taken from Data to Insight's provider lookup",
    )
    for row in read_table(root, T_D2I_LOOKUP):
        gss = row.cell("la_code_new")
        if not gss.value:
            continue  # three former councils listed without a GSS code: nothing to key them by
        if gss.value not in record.councils:
            raise gss.fail(f"not a council of {CROSSWALK}")
        urn, code = row.cell("urn"), row.cell("la_code")
        if not re.fullmatch(r"\d+", urn.value):
            raise urn.fail("not an Ofsted URN")
        if not re.fullmatch(r"\d{3}", code.value):
            raise code.fail("not a three-digit DfE code")
        council = add_council_stub(graph, record, gss.value, D2I_LOOKUP)
        graph.add(council, OKG + "ofstedUrn", text(urn.value))
        graph.add(council, OKG + "dfeCode", text(code.value))
        graph.add(council, OKG + "gssCode", text(gss.value))
    return graph


def read_digital_land(context: Context, name: str) -> Graph:
    """Wikidata items, websites and OpenDataCommunities links from Digital Land."""
    root, record = context.root, context.record
    graph = identity_graph(
        root,
        name,
        DIGITAL_LAND,
        "identity links taken from Digital Land's organisation dataset",
    )
    rows = [
        row
        for row in read_table(root, T_DIGITAL_LAND)
        if row["statistical-geography"] in record.councils
        and row["organisation"].startswith("local-authority")
    ]
    # Digital Land gives a few councils another council's Wikidata item and website (Windsor and
    # Maidenhead has Kensington and Chelsea's): a value given to two councils is left out for both.
    shared = {
        (column, value)
        for column in ("wikidata", "website")
        for value, count in Counter(row[column] for row in rows).items()
        if value and count > 1
    }
    for row in rows:
        gss = row["statistical-geography"]
        council = add_council_stub(graph, record, gss, DIGITAL_LAND)
        for column in ("wikidata", "website"):
            if (column, row[column]) in shared:
                graph.add(
                    council,
                    SKOS + "editorialNote",
                    text(
                        f"Digital Land's {column} value {row[column]!r} (line {row.line}) is also "
                        "given to another council, so it is not used for either.",
                        "en",
                    ),
                )
                row.values[column] = ""
        qid = row.cell("wikidata")
        if qid.value:
            if not re.fullmatch(r"Q\d+", qid.value):
                raise qid.fail("not a Wikidata item id")
            graph.add(council, OWL + "sameAs", IRI("http://www.wikidata.org/entity/" + qid.value))
        graph.add(
            council,
            OKG + "governsArea",
            IRI("http://statistics.data.gov.uk/id/statistical-geography/" + gss),
        )
        graph.add(council, OKG + "gssCode", text(gss))
        for column, prop in (
            ("opendatacommunities", "odcOrganisation"),
            ("opendatacommunities-area", "odcArea"),
        ):
            cell = row.cell(column)
            if cell.value:
                if not cell.value.startswith("http://opendatacommunities.org/id/"):
                    raise cell.fail("not an OpenDataCommunities address")
                graph.add(council, OKG + prop, IRI(cell.value))
        site = row.cell("website")
        if site.value:
            if not site.value.startswith(("http://", "https://")):
                raise site.fail("not a web address")
            graph.add(council, FOAF + "homepage", IRI(site.value))
    return graph


def read_openregister(context: Context, name: str) -> Graph:
    """Ordnance Survey admin units from OpenRegister's map."""
    root, record = context.root, context.record
    graph = identity_graph(
        root,
        name,
        OPENREGISTER_OS,
        "Ordnance Survey links taken from OpenRegister's local-authority map",
    )
    by_code = {
        "local-authority-eng:" + c["mysociety_code"]: g
        for g, c in record.councils.items()
        if c["mysociety_code"]
    }
    for row in read_table(root, T_OPENREGISTER_OS, delimiter="\t"):
        gss = by_code.get(row["local-authority"])
        if gss is None:
            continue
        os_id = row.cell("os")
        if not re.fullmatch(r"7\d{15}", os_id.value):
            raise os_id.fail("not an Ordnance Survey admin unit id")
        council = add_council_stub(graph, record, gss, OPENREGISTER_OS)
        graph.add(
            council,
            OKG + "osAdminUnit",
            IRI("http://data.ordnancesurvey.co.uk/id/" + os_id.value),
        )
    return graph


def read_mysociety(context: Context, name: str) -> Graph:
    """Official names, types, dates and successors from mySociety's list."""
    root, record = context.root, context.record
    graph = identity_graph(
        root,
        name,
        MYSOCIETY,
        "official names, types, dates and successors taken from mySociety's local authority list",
    )
    council_types = context.codes.council_types  # mySociety's codes, ontology/official.ttl
    by_code = {c["mysociety_code"]: g for g, c in record.councils.items() if c["mysociety_code"]}
    for row in read_table(root, T_MYSOCIETY):
        code = row["local-authority-code"]
        gss = by_code.get(code)
        if gss is None:
            continue
        council = council_iri(gss)
        graph.add(council, RDF_TYPE, IRI(OKG + "Council"))
        graph.add(council, RDFS + "label", text(row["official-name"], "en"))
        graph.add(council, SKOS + "prefLabel", text(row["official-name"], "en"))
        graph.add(council, DCT + "source", IRI(MYSOCIETY))
        graph.add(council, OKG + "registerCode", text(code))
        kind = row.cell("local-authority-type")
        if kind.value not in council_types:
            raise kind.fail(f"not a children's-services authority type ({sorted(council_types)})")
        graph.add(council, ORG + "classification", IRI(council_types[kind.value]))
        for column, prop in (("start-date", "startDate"), ("end-date", "endDate")):
            cell = row.cell(column)
            if cell.value:
                graph.add(council, OKG + prop, date(iso_date(cell)))
        successors = row.cell("replaced-by")
        for successor in filter(None, (s.strip() for s in successors.value.split(","))):
            if successor not in by_code:
                raise successors.fail(f"{successor!r} is not a council of {CROSSWALK}")
            later = council_iri(by_code[successor])
            graph.add(council, DCT + "isReplacedBy", IRI(later))
            graph.add(later, DCT + "replaces", IRI(council))
    return graph
