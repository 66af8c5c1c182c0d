"""The reader that describes the files the official record is taken from: Ofsted's two
official-statistics publications (DCAT datasets, each with its OpenDocument spreadsheet and the
sheets extracted from it as CSV) and Data to Insight's scrape, each file with its SHA-256 checksum;
and Ofsted's note on the wording of old grades, quoted.

Reads nothing from the record. ``add_checksum`` is shared with the identity graphs (identity.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..rdf.turtle import IRI, Graph, Literal, date, text
from .d2i import T_D2I
from .inspections import T2009, T_HISTORY, T_IN_YEAR, T_LATEST
from .reading import sha256
from .record import Context, new_graph
from .terms import (
    CSC_2023,
    D2I_HISTORY,
    DCAT,
    DCT,
    FOAF,
    MIT,
    OFSTED,
    OGL,
    OKG,
    ORG,
    OUTCOMES_2025,
    PROV,
    RDF_TYPE,
    RDFS,
    SKOS,
    SPDX,
    WORDING_NOTE,
    XSD,
    organisation_iri,
)

# Ofsted's note, verbatim from the Guidance sheet of the 2023 publication
# (data/raw/Childrens_social_care_in_England_2023_underlying_data.ods; a test checks it is there).
WORDING_NOTE_TEXT = (
    "In the as at 31 March data, we have used the current inspection framework's sub judgement "
    "wording rather than the wording at the time of inspection."
)


@dataclass(frozen=True)
class Publication:
    """One of Ofsted's publications, the spreadsheet the project keeps and the sheets taken out."""

    iri: str
    title: str
    issued: str
    ods: str  # relative path of the raw file
    commit: str
    extractions: tuple[str, ...]


MIRROR = "https://github.com/dfe-analytical-services/CSC_outcomes_and_enablers"
MIRROR_COMMIT = "2f5d11a431050523dab58810083259d3313029ae"
PUBLICATIONS = (
    Publication(
        CSC_2023,
        "Children's social care data in England 2023",
        "2023-07-06",
        "data/raw/Childrens_social_care_in_England_2023_underlying_data.ods",
        MIRROR_COMMIT,
        (T2009,),
    ),
    Publication(
        OUTCOMES_2025,
        "Local authority inspection outcomes as at 31 March 2025",
        "2025-09-25",
        "data/raw/LA_Inspection_Outcomes_as_at_31_March_2025.ods",
        MIRROR_COMMIT,
        (T_HISTORY, T_IN_YEAR, T_LATEST),
    ),
)


def read_publications(context: Context, name: str) -> Graph:
    """The publications and Data to Insight's scrape, with their files' checksums."""
    root = context.root
    graph, _ = new_graph(
        name,
        [p.iri for p in PUBLICATIONS] + [D2I_HISTORY],
        "Ofsted's official-statistics publications and the other tables the official record is "
        "taken from, with their files and checksums",
    )
    graph.add(OFSTED, RDF_TYPE, IRI(ORG + "FormalOrganization"))
    graph.add(OFSTED, RDFS + "label", text("Ofsted"))
    graph.add(OFSTED, DCT + "source", IRI(CSC_2023))
    for pub in PUBLICATIONS:
        name = Path(pub.ods).name
        graph.add(pub.iri, RDF_TYPE, IRI(DCAT + "Dataset"))
        graph.add(pub.iri, RDF_TYPE, IRI(OKG + "SourceDocument"))
        graph.add(pub.iri, DCT + "title", text(pub.title, "en"))
        graph.add(pub.iri, DCT + "publisher", IRI(OFSTED))
        graph.add(pub.iri, DCT + "issued", date(pub.issued))
        graph.add(pub.iri, DCT + "license", IRI(OGL))
        dist = pub.iri + "/ods"
        graph.add(pub.iri, DCAT + "distribution", IRI(dist))
        graph.add(dist, RDF_TYPE, IRI(DCAT + "Distribution"))
        graph.add(dist, DCT + "source", IRI(pub.iri))
        graph.add(dist, DCT + "title", text(f"{pub.title} (OpenDocument spreadsheet {name})", "en"))
        graph.add(dist, DCT + "license", IRI(OGL))
        graph.add(dist, DCT + "issued", date(pub.issued))
        graph.add(
            dist,
            DCAT + "mediaType",
            IRI(
                "https://www.iana.org/assignments/media-types/application/"
                "vnd.oasis.opendocument.spreadsheet"
            ),
        )
        graph.add(dist, DCAT + "downloadURL", IRI(f"{MIRROR}/raw/{pub.commit}/data-raw/{name}"))
        graph.add(dist, DCAT + "accessURL", IRI(MIRROR))
        graph.add(
            dist,
            SKOS + "editorialNote",
            text(
                "The download address is the copy of Ofsted's file in the Department for "
                f"Education's analytical-services repository at commit {pub.commit}; the project "
                f"keeps it as {pub.ods} (see data/README.md).",
                "en",
            ),
        )
        add_checksum(graph, dist, root / pub.ods)
        for extraction in pub.extractions:
            node = f"{pub.iri}/csv/{Path(extraction).stem}"
            graph.add(pub.iri, DCAT + "distribution", IRI(node))
            graph.add(node, RDF_TYPE, IRI(DCAT + "Distribution"))
            graph.add(node, DCT + "source", IRI(pub.iri))
            graph.add(
                node, DCT + "title", text(f"{pub.title}: one sheet as CSV ({extraction})", "en")
            )
            graph.add(node, DCT + "license", IRI(OGL))
            graph.add(
                node,
                DCAT + "mediaType",
                IRI("https://www.iana.org/assignments/media-types/text/csv"),
            )
            graph.add(node, PROV + "wasDerivedFrom", IRI(dist))
            graph.add(node, DCT + "identifier", text(extraction))
            add_checksum(graph, node, root / extraction)
    # Ofsted's note on wording, quoted from the Guidance sheet of the 2023 publication.
    graph.add(WORDING_NOTE, RDF_TYPE, IRI(OKG + "Quotation"))
    graph.add(WORDING_NOTE, OKG + "quotation", text(WORDING_NOTE_TEXT, "en"))
    graph.add(WORDING_NOTE, PROV + "wasQuotedFrom", IRI(CSC_2023))
    graph.add(WORDING_NOTE, PROV + "wasAttributedTo", IRI(OFSTED))
    graph.add(
        WORDING_NOTE,
        SKOS + "scopeNote",
        text(
            'Printed on the Guidance sheet of the publication, about its "as at 31 March" data '
            "and the names of sub-judgements. No sentence of the publication (its Cover, "
            "Guidance, Notes and Meta-data sheets, and the notes above each table) says that older "
            "grades are printed in today's words; that its LA inspections 2009-2023 sheet does so "
            'is seen in the sheet itself: it prints "Requires improvement to be good", a grade '
            "of the scale used since 2013, for inspections under the 2009-2013 frameworks (SLAC, "
            "CPI, CPRI, TLAC), whose scale had Adequate in its place. The graph keeps the grade "
            "awarded (def/grade/2009/adequate) and the "
            "words printed (okg:gradeAsPrinted).",
            "en",
        ),
    )
    # Data to Insight's scrape: not an Ofsted publication, but taken from Ofsted's reports.
    graph.add(D2I_HISTORY, RDF_TYPE, IRI(DCAT + "Dataset"))
    graph.add(D2I_HISTORY, RDF_TYPE, IRI(OKG + "SourceDocument"))
    graph.add(
        D2I_HISTORY,
        DCT + "title",
        text(
            "Data to Insight Ofsted ILACS scrape tool: children's services inspection history "
            "(ofsted_csc_ilacs_history.csv)",
            "en",
        ),
    )
    graph.add(D2I_HISTORY, DCT + "publisher", IRI(organisation_iri("data-to-insight")))
    graph.add(D2I_HISTORY, DCT + "license", IRI(MIT))
    graph.add(D2I_HISTORY, FOAF + "page", IRI("https://github.com/JT-39/ofsted-ilacs-scrape-tool"))
    graph.add(
        D2I_HISTORY,
        SKOS + "editorialNote",
        text(
            "Undated: copied at repository commit 54af59bf7856a26530b1eeb45c1c1c146f34cb8a. "
            "Its content is taken from Ofsted's reports (Open Government Licence v3.0).",
            "en",
        ),
    )
    dist = D2I_HISTORY + "/csv"
    graph.add(D2I_HISTORY, DCAT + "distribution", IRI(dist))
    graph.add(dist, RDF_TYPE, IRI(DCAT + "Distribution"))
    graph.add(dist, DCT + "source", IRI(D2I_HISTORY))
    graph.add(dist, DCT + "title", text("ofsted_csc_ilacs_history.csv", "en"))
    graph.add(dist, DCT + "identifier", text(T_D2I))
    graph.add(
        dist, DCAT + "mediaType", IRI("https://www.iana.org/assignments/media-types/text/csv")
    )
    graph.add(
        dist,
        DCAT + "downloadURL",
        IRI(
            "https://github.com/JT-39/ofsted-ilacs-scrape-tool/raw/"
            "54af59bf7856a26530b1eeb45c1c1c146f34cb8a/ofsted_csc_ilacs_history.csv"
        ),
    )
    add_checksum(graph, dist, root / T_D2I)
    org = organisation_iri("data-to-insight")
    graph.add(org, RDF_TYPE, IRI(ORG + "Organization"))
    graph.add(org, RDFS + "label", text("Data to Insight"))
    graph.add(org, DCT + "source", IRI(D2I_HISTORY))
    return graph


def add_checksum(graph: Graph, node: str, path: Path) -> None:
    """The SHA-256 checksum of the file at ``path`` (SPDX), as a node of ``node``."""
    digest = sha256(path)
    checksum = node + "/sha256"
    graph.add(node, SPDX + "checksum", IRI(checksum))
    graph.add(checksum, RDF_TYPE, IRI(SPDX + "Checksum"))
    graph.add(checksum, SPDX + "algorithm", IRI(SPDX + "checksumAlgorithm_sha256"))
    graph.add(checksum, SPDX + "checksumValue", Literal(digest, XSD + "hexBinary"))
