"""The converter: Ofsted's tables and the identifier crosswalks in data/ -> Turtle in graph/.

    convert(root) -> {relative path: Turtle text}

writes nothing; ``write(root)`` writes the files that changed and ``stale(root)`` lists the ones
that are out of date (the build calls it and refuses to go on if any is). Output is deterministic:
the same tables give byte-identical files (see ``turtle.Graph``).

One named graph per source table:

    graph/official/publications.ttl                     the Ofsted publications (DCAT, sha256)
    graph/official/ofsted-la-inspections-2009-2023.ttl  data/ofsted_la_inspections_2009_2023.csv
    graph/official/ofsted-ilacs-history-2018-2025.ttl   data/ofsted_ilacs_inspection_history_...
    graph/official/ofsted-la-in-year-2024-25.ttl        data/ofsted_la_in_year_inspections_2024_25
    graph/official/ofsted-la-judgements-2025-03-31.ttl  data/ofsted_la_judgements_as_at_31_march_...
    graph/official/d2i-ilacs-reports.ttl                data/d2i_ofsted_csc_ilacs_history.csv
    graph/official/reconciliation.ttl                   graph/seeds/*.ttl checked against the above
    graph/identity/d2i-provider-lookup.ttl              data/d2i_Provider_data_lookup.csv
    graph/identity/digital-land-organisation.ttl        data/digital_land_organisation.csv
    graph/identity/openregister-os.ttl                  data/openregister_os.tsv
    graph/identity/mysociety-local-authorities.ttl      data/mysociety_uk_local_authorities_future

The set of councils is the children's-services authorities of data/derived_children_services_la_
crosswalk.csv (keyed by GSS code); each fact about them is attributed to the original table it
comes from, not to the join. A cell the converter does not expect raises ``ConversionError`` naming
``file:row:column: problem`` (row = the line in the file, the header being line 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import OfstedKgError, SourceSyntaxError, SyntaxProblem
from ..rdf.turtle import IRI, Graph, Literal, date, text

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

OFSTED = ID + "organisation/ofsted"
CSC_2023 = ID + "document/ofsted-childrens-social-care-2023"
OUTCOMES_2025 = ID + "document/ofsted-la-inspection-outcomes-2025-03-31"
D2I_HISTORY = ID + "document/d2i-ofsted-csc-ilacs-history"
WORDING_NOTE = ID + "document/ofsted-childrens-social-care-2023/guidance-current-wording"

# Ofsted's note, verbatim from the Guidance sheet of the 2023 publication
# (data/raw/Childrens_social_care_in_England_2023_underlying_data.ods; a test checks it is there).
WORDING_NOTE_TEXT = (
    "In the as at 31 March data, we have used the current inspection framework's sub judgement "
    "wording rather than the wording at the time of inspection."
)


class ConversionError(OfstedKgError):
    """A cell of a source table that the converter cannot read."""

    title = "Conversion error"


# -- Reading tables ---------------------------------------------------------------------------


@dataclass
class Cell:
    """Where a value came from, for error messages."""

    path: str
    row: int
    column: str
    value: str

    def fail(self, problem: str) -> ConversionError:
        return ConversionError(f"{self.path}:{self.row}:{self.column}: {problem}: {self.value!r}")


@dataclass
class Row:
    path: str
    line: int
    values: dict[str, str]

    def cell(self, column: str) -> Cell:
        if column not in self.values:
            raise ConversionError(f"{self.path}:1:{column}: column missing from the header")
        return Cell(self.path, self.line, column, self.values[column].strip())

    def __getitem__(self, column: str) -> str:
        return self.cell(column).value


def read_table(root: Path, relpath: str, delimiter: str = ",") -> list[Row]:
    path = root / relpath
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ConversionError(f"{relpath}: cannot read: {exc.strerror or exc}") from None
    with handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        rows = []
        for values in reader:
            if None in values:
                raise ConversionError(f"{relpath}:{reader.line_num}: more cells than columns")
            rows.append(Row(relpath, reader.line_num, values))
    return rows


def iso_date(cell: Cell) -> str:
    try:
        return dt.date.fromisoformat(cell.value).isoformat()
    except ValueError:
        raise cell.fail("not a date (YYYY-MM-DD)") from None


def dmy_date(cell: Cell) -> str:
    """dd/mm/yy or dd/mm/yyyy (Data to Insight's style) -> YYYY-MM-DD."""
    for fmt in ("%d/%m/%y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(cell.value, fmt).date().isoformat()
        except ValueError:
            continue
    raise cell.fail("not a date (dd/mm/yy)")


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- Frameworks, areas and grades ---------------------------------------------------------------

SCALE_2009 = {
    "Outstanding": "g2009:outstanding",
    "Good": "g2009:good",
    "Adequate": "g2009:adequate",
    "Requires improvement to be good": "g2009:adequate",
    "Inadequate": "g2009:inadequate",
}
SCALE_2013 = {
    "Outstanding": "g2013:outstanding",
    "Good": "g2013:good",
    "Requires improvement to be good": "g2013:requires-improvement",
    "Inadequate": "g2013:inadequate",
}
GRADE_LABELS = {
    "g2009:outstanding": "Outstanding",
    "g2009:good": "Good",
    "g2009:adequate": "Adequate",
    "g2009:inadequate": "Inadequate",
    "g2013:outstanding": "Outstanding",
    "g2013:good": "Good",
    "g2013:requires-improvement": "Requires improvement to be good",
    "g2013:inadequate": "Inadequate",
}
# framework slug -> (label used in rdfs:label text, grade scale)
FRAMEWORKS: dict[str, tuple[str, dict[str, str] | None]] = {
    "slac": ("inspection of safeguarding and looked after children services", SCALE_2009),
    "slac-reinspection": (
        "re-inspection of safeguarding or looked after children services",
        SCALE_2009,
    ),
    "cpi": ("child protection inspection", SCALE_2009),
    "cpri": ("child protection re-inspection", SCALE_2009),
    "tlac": ("targeted inspection of looked after children", SCALE_2009),
    "sif": ("single inspection of children's services", SCALE_2013),
    "sif-reinspection": ("single inspection re-inspection of children's services", SCALE_2013),
    "ilacs-standard": ("ILACS standard inspection", SCALE_2013),
    "ilacs-short": ("ILACS short inspection", SCALE_2013),
    "focused-visit": ("ILACS focused visit", None),
    "monitoring-visit": ("monitoring visit", None),
}
INSPECTION_TYPES = {
    "ILACS Standard Inspection": "ilacs-standard",
    "ILACS Short Inspection": "ilacs-short",
    "ILACS Focused Visit": "focused-visit",
    "LA Monitoring visit": "monitoring-visit",
}
# Marks that Ofsted's tables print instead of a grade, and what the converter does with them.
#
# "-": printed in five cells of the 2009-2023 table (City of London's SIF adoption judgement; the
# Isles of Scilly's SLAC looked-after-children judgement and three of its SIF sub-judgements about
# children looked after). The publication does not explain the mark: its sheet says only "Some
# cells in this table are empty because data was not provided to Ofsted." (NOT_PROVIDED_NOTE), and
# its Guidance sheet's "not judged" note is about other providers. The graph records that the
# table gives no grade for the area (okg:notGradedArea on the inspection, with an editorial note
# quoting the cell) and no judgement: it does not guess why.
NOT_JUDGED = "-"
NOT_PROVIDED_NOTE = "Some cells in this table are empty because data was not provided to Ofsted."
# Empty cells where a grade could be are expected in two places only, both explained by Ofsted:
# the care leavers column for inspections before 1 January 2023 (when ILACS judged children in
# care and care leavers together), and every grade column for focused and monitoring visits,
# which are not graded. Any other empty grade cell of an inspection is an error.
CARE_LEAVERS_BLANK_NOTE = (
    "There are blank cells in column K for inspections before 1 January 2023 when the "
    "sub-judgement 'The experiences and progress of care leavers' was introduced."
)
# Note 5 of the 2023 publication: its 2009-2023 sheet prints the combined sub-judgement of the
# inspections before 2023 under "children in care".
COMBINED_NOTE_2023 = (
    "From 1 January 2023, a new sub-judgement was added: 'Experience and progress of care "
    "leavers'; the old sub-judgement 'Experience and progress of children in care and care "
    "leavers' is here referred to as 'Experience and progress of children in care' as that is "
    "what it will be known as going forward."
)


def expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


def council_iri(gss: str) -> str:
    return ID + "council/" + gss


def inspection_iri(gss: str, framework: str, published: str) -> str:
    return f"{ID}inspection/{gss}/{framework}/{published}"


def judgement_iri(gss: str, framework: str, published: str, area: str) -> str:
    return f"{ID}judgement/{gss}/{framework}/{published}/{area}"


def report_iri(gss: str, framework: str, published: str) -> str:
    return f"{ID}document/ofsted-report-{gss}-{framework}-{published}"


# -- The official record, as read --------------------------------------------------------------


@dataclass
class Judgement:
    iri: str
    council: str  # GSS
    framework: str
    published: str
    area: str
    grade: str  # CURIE
    printed: str
    dataset: str


@dataclass
class Inspection:
    iri: str
    council: str
    framework: str
    published: str
    datasets: set[str] = field(default_factory=set)


@dataclass
class Record:
    """Everything read from the tables, for the reconciliation and the tests."""

    councils: dict[str, dict[str, str]]  # GSS -> crosswalk row
    inspections: dict[str, Inspection] = field(default_factory=dict)
    judgements: dict[str, list[Judgement]] = field(default_factory=lambda: defaultdict(list))


def new_graph(name: str, derived_from: list[str], label: str) -> tuple[Graph, str]:
    graph = Graph(PREFIXES)
    iri = f"{BASE}graph/{name}"
    graph.add(iri, RDF_TYPE, IRI(OKG + "SourceGraph"))
    graph.add(iri, RDFS + "label", text(label, "en"))
    for source in derived_from:
        graph.add(iri, PROV + "wasDerivedFrom", IRI(source))
    return graph, iri


def council_label(record: Record, gss: str) -> str:
    return record.councils[gss]["official_name"]


def add_council_stub(graph: Graph, record: Record, gss: str, source: str) -> str:
    iri = council_iri(gss)
    graph.add(iri, RDF_TYPE, IRI(OKG + "Council"))
    graph.add(iri, RDFS + "label", text(council_label(record, gss), "en"))
    graph.add(iri, DCT + "source", IRI(source))
    return iri


def add_inspection(
    graph: Graph,
    record: Record,
    gss: str,
    framework: str,
    published: str,
    dataset: str,
) -> str:
    iri = inspection_iri(gss, framework, published)
    council = add_council_stub(graph, record, gss, dataset)
    name, _ = FRAMEWORKS[framework]
    pretty = dt.date.fromisoformat(published).strftime("%-d %B %Y")
    graph.add(iri, RDF_TYPE, IRI(OKG + "Inspection"))
    graph.add(
        iri,
        RDFS + "label",
        text(f"Ofsted {name} of {council_label(record, gss)}, published {pretty}", "en"),
    )
    graph.add(iri, OKG + "inspected", IRI(council))
    graph.add(iri, OKG + "framework", IRI(expand("fw:" + framework)))
    graph.add(iri, OKG + "publicationDate", date(published))
    graph.add(iri, PROV + "wasAssociatedWith", IRI(OFSTED))
    graph.add(iri, DCT + "source", IRI(dataset))
    report = report_iri(gss, framework, published)
    graph.add(iri, OKG + "report", IRI(report))
    graph.add(report, RDF_TYPE, IRI(OKG + "InspectionReport"))
    graph.add(
        report,
        RDFS + "label",
        text(
            f"Ofsted's report on its {name} of {council_label(record, gss)}, published {pretty}",
            "en",
        ),
    )
    graph.add(
        report,
        DCT + "title",
        text(
            f"Ofsted's report on its {name} of {council_label(record, gss)}, published {pretty}",
            "en",
        ),
    )
    graph.add(
        report,
        SKOS + "editorialNote",
        text("Ofsted's table does not give the report's title: the title here describes it.", "en"),
    )
    graph.add(report, DCT + "publisher", IRI(OFSTED))
    graph.add(report, DCT + "issued", date(published))
    graph.add(report, DCT + "subject", IRI(council))
    graph.add(report, PROV + "wasDerivedFrom", IRI(dataset))
    inspection = record.inspections.setdefault(iri, Inspection(iri, gss, framework, published))
    inspection.datasets.add(dataset)
    return iri


def add_judgement(
    graph: Graph,
    record: Record,
    inspection: str,
    area: str,
    cell: Cell,
    dataset: str,
) -> None:
    found = record.inspections[inspection]
    _, scale = FRAMEWORKS[found.framework]
    assert scale is not None
    if cell.value not in scale:
        expected = ", ".join(repr(g) for g in scale)
        raise cell.fail(f"not a grade of the {found.framework} framework's scale ({expected})")
    grade = scale[cell.value]
    iri = judgement_iri(found.council, found.framework, found.published, area)
    graph.add(iri, RDF_TYPE, IRI(OKG + "Judgement"))
    graph.add(iri, OKG + "judgementOf", IRI(council_iri(found.council)))
    graph.add(iri, OKG + "area", IRI(expand("area:" + area)))
    graph.add(iri, OKG + "grade", IRI(expand(grade)))
    graph.add(iri, PROV + "wasGeneratedBy", IRI(inspection))
    graph.add(iri, PROV + "wasDerivedFrom", IRI(dataset))
    if GRADE_LABELS[grade] != cell.value:
        graph.add(iri, OKG + "gradeAsPrinted", text(cell.value, "en"))
        graph.add(iri, OKG + "wordingNote", IRI(WORDING_NOTE))
    existing = [j for j in record.judgements[iri] if j.grade != grade]
    if existing:
        raise cell.fail(
            f"contradicts {existing[0].dataset.rsplit('/', 1)[-1]}, which gives "
            f"{GRADE_LABELS[existing[0].grade]!r} for {iri}"
        )
    record.judgements[iri].append(
        Judgement(
            iri, found.council, found.framework, found.published, area, grade, cell.value, dataset
        )
    )


# -- The crosswalk -----------------------------------------------------------------------------

CROSSWALK = "data/derived_children_services_la_crosswalk.csv"


def read_councils(root: Path) -> dict[str, dict[str, str]]:
    councils: dict[str, dict[str, str]] = {}
    for row in read_table(root, CROSSWALK):
        gss = row.cell("gss_code")
        if not re.fullmatch(r"E\d{8}", gss.value):
            raise gss.fail("not an English GSS code")
        if gss.value in councils:
            raise gss.fail("GSS code listed twice")
        councils[gss.value] = {k: (v or "").strip() for k, v in row.values.items()}
    return councils


def _name_key(name: str) -> str:
    key = name.lower().replace("&", "and").replace(",", "")
    return re.sub(r"\s+", " ", key).strip()


# Names in Ofsted's 2009-2023 table that are spelled differently in the crosswalk.
NAME_ALIASES = {"bedford borough": "bedford"}


def council_for_2009_row(record: Record, row: Row) -> str:
    name = row.cell("Local authority name")
    key = NAME_ALIASES.get(_name_key(name.value), _name_key(name.value))
    candidates = [g for g, c in record.councils.items() if _name_key(c["ofsted_name"]) == key]
    if len(candidates) > 1:
        former = row["source_table"].startswith("Table 11")
        candidates = [
            g
            for g in candidates
            if (record.councils[g]["ofsted_status"] == "No longer exists") == former
        ]
    if len(candidates) != 1:
        raise name.fail(f"matches {len(candidates)} councils of {CROSSWALK}, not one")
    return candidates[0]


# -- Ofsted's 2009-2023 table ------------------------------------------------------------------

T2009 = "data/ofsted_la_inspections_2009_2023.csv"

SIF_AREAS = (
    ("overall-effectiveness", "{p} Overall Judgement (OE)"),
    ("help-and-protection", "{p} children who need help and protection"),
    ("looked-after-permanence", "{p} children looked after and achieving permanence"),
    ("adoption", "{p} CLA Sub: Adoption Performance"),
    ("care-leavers", "{p} CLA Sub: Experiences and progress of care leavers"),
    ("leadership", "{p} leadership, management and governance"),
)
ILACS_AREAS_FIRST = (
    ("overall-effectiveness", "{p} overall effectiveness"),
    ("impact-of-leaders", "{p} impact of leaders"),
    (
        "help-and-protection",
        "{p} experiences and progress of children who need help and protection",
    ),
    (
        "children-in-care-and-care-leavers",
        "{p} experiences and progress of children in care and care leavers",
    ),
)
ILACS_AREAS_SECOND = (
    ("overall-effectiveness", "{p} overall effectiveness"),
    ("impact-of-leaders", "{p} impact of leaders"),
    (
        "help-and-protection",
        "{p} experiences and progress of children who need help and protection",
    ),
    ("children-in-care", "{p} experiences and progress of children in care"),
    ("care-leavers", "{p} experiences and progress of care leavers"),
)

# (framework or inspection-type column, publication-date column, [(area, grade column)])
BLOCKS_2009: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "slac",
        "Safeguarding & Looked After Children (SLAC) Inspection publication date",
        [
            ("safeguarding", "SLAC Safeguarding Overall effectiveness (OE)"),
            ("looked-after-children", "SLAC Looked After Children Overall Effectiveness (OE)"),
        ],
    ),
    (
        "slac-reinspection",
        "SLAC re-inspection of Safeguarding publication date",
        [("safeguarding", "SLAC re-inspection Safeguarding OE")],
    ),
    (
        "slac-reinspection",
        "SLAC re-inspection of services for Children Looked After publication date",
        [("looked-after-children", "SLAC re-inspection of services Children Looked After OE")],
    ),
    (
        "cpi",
        "Child Protection Inspections (CPI) publication date",
        [("overall-effectiveness", "CPI Overall Effectiveness (OE)")],
    ),
    (
        "cpri",
        "Child Protection Re-Inspection (CPRI) publication date",
        [("overall-effectiveness", "CPRI Overall Effectiveness (OE)")],
    ),
    (
        "tlac",
        "Targeted Looked After Children (TLAC) inspection publication date",
        [("overall-effectiveness", "TLAC Overall Effectiveness (OE)")],
    ),
    (
        "sif",
        "Single Inspection of LA Children's Services (SIF) First SIF publication date",
        [(a, c.format(p="First SIF")) for a, c in SIF_AREAS]
        + [("lscb", "LSCB Overall Effectiveness")],
    ),
    (
        "sif-reinspection",
        "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date",
        [(a, c.format(p="SIF Re-inspection")) for a, c in SIF_AREAS],
    ),
    (
        "First ILACS framework inspection type",
        "First ILACS framework publication date",
        [(a, c.format(p="First ILACS framework")) for a, c in ILACS_AREAS_FIRST],
    ),
    (
        "Second ILACS framework inspection type",
        "Second ILACS framework publication date",
        [(a, c.format(p="Second ILACS framework")) for a, c in ILACS_AREAS_SECOND],
    ),
]


def _framework_of(row: Row, kind: str) -> str | None:
    if kind in FRAMEWORKS:
        return kind
    cell = row.cell(kind)
    if not cell.value:
        return None
    if INSPECTION_TYPES.get(cell.value) not in ("ilacs-standard", "ilacs-short"):
        raise cell.fail("not an ILACS inspection type")
    return INSPECTION_TYPES[cell.value]


def convert_2009(root: Path, record: Record) -> Graph:
    graph, _ = new_graph(
        "official/ofsted-la-inspections-2009-2023",
        [CSC_2023],
        "Ofsted's local authority inspections 2009-2023 (sheet LA_inspections_2009-2023 of "
        "Children's social care data in England 2023)",
    )
    for row in read_table(root, T2009):
        gss = council_for_2009_row(record, row)
        council = add_council_stub(graph, record, gss, CSC_2023)
        graph.add(council, OKG + "ofstedName", text(row["Local authority name"]))
        region, kind = row["LA region"], row["LA Authority Type"]
        if region:
            graph.add(council, OKG + "ofstedRegion", text(region))
        if kind:
            graph.add(council, OKG + "ofstedAuthorityType", text(kind))
        link = row.cell("web_link_url")
        if link.value:
            if not link.value.startswith(("http://reports.ofsted.gov.uk/", "https://reports.")):
                raise link.fail("not an Ofsted reports address")
            graph.add(council, FOAF + "page", IRI(link.value))
            urn = re.fullmatch(r"https://reports\.ofsted\.gov\.uk/provider/44/(\d{5,})", link.value)
            if urn:  # the address of Ofsted's page names the council's URN
                graph.add(council, OKG + "ofstedUrn", text(urn.group(1)))
        ilacs_days = {
            row[d] for k, d, _ in BLOCKS_2009 if k not in FRAMEWORKS and row[d]
        }  # the ILACS publication dates this row gives
        for kind_column, date_column, areas in BLOCKS_2009:
            framework = _framework_of(row, kind_column)
            published = row.cell(date_column)
            grades = [(area, row.cell(column)) for area, column in areas]
            if not published.value:
                filled = [c for _, c in grades if c.value]
                if filled:
                    raise filled[0].fail(f"a grade without a date in {date_column!r}")
                if framework is not None and kind_column not in FRAMEWORKS:
                    raise row.cell(kind_column).fail("an inspection type without a date")
                continue
            day = iso_date(published)
            if framework is None:
                raise published.fail(f"a date without an inspection type in {kind_column!r}")
            inspection = _inspection_2009(graph, record, row, gss, framework, day, ilacs_days)
            framework = record.inspections[inspection].framework
            combined = kind_column == "Second ILACS framework inspection type" and not any(
                c.value for a, c in grades if a == "care-leavers"
            )
            for area, cell in grades:
                if cell.value == NOT_JUDGED:
                    _not_graded(graph, inspection, area, cell)
                elif cell.value:
                    if combined and area == "children-in-care":
                        # Note 5: before 2023 this column holds the combined sub-judgement.
                        area = "children-in-care-and-care-leavers"
                        found = record.inspections[inspection]
                        graph.add(
                            judgement_iri(found.council, found.framework, found.published, area),
                            SKOS + "editorialNote",
                            text(
                                f"Ofsted's 2023 table ({T2009}, line {row.line}) prints this grade "
                                f'in its column "{cell.column}"; its Note 5 says: '
                                f'"{COMBINED_NOTE_2023}" The inspection was before 2023 (the '
                                "table gives it no care leavers grade), so the grade is the "
                                "combined sub-judgement.",
                                "en",
                            ),
                        )
                    add_judgement(graph, record, inspection, area, cell, CSC_2023)
                elif not (combined and area == "care-leavers"):
                    raise cell.fail(
                        "an empty grade cell for an inspection that has a date (expected a "
                        f"grade, or {NOT_JUDGED!r} where the table gives none)"
                    )
    return graph


def _inspection_2009(
    graph: Graph,
    record: Record,
    row: Row,
    gss: str,
    framework: str,
    day: str,
    ilacs_days: set[str],
) -> str:
    """The inspection a block of the 2009-2023 table describes. Where Ofsted's 2025 ILACS history
    (converted first; it lists every ILACS inspection since 2018) gives the same inspection another
    type or another date, the graph follows the later publication and says so."""
    ilacs = ("ilacs-standard", "ilacs-short")
    if framework not in ilacs:
        return add_inspection(graph, record, gss, framework, day, CSC_2023)
    history = [
        i
        for i in record.inspections.values()
        if i.council == gss and i.framework in ilacs and OUTCOMES_2025 in i.datasets
    ]
    same_day = [i for i in history if i.published == day]
    printed = row.cell(
        "First ILACS framework inspection type"
        if row["First ILACS framework publication date"] == day
        else "Second ILACS framework inspection type"
    ).value
    if same_day and same_day[0].framework != framework:
        found = same_day[0]
        note = (
            f"Ofsted's 2023 table ({T2009}, line {row.line}) gives the type as "
            f'"{printed}"; its 2025 table ({T_HISTORY}) gives '
            f'"{FRAMEWORKS[found.framework][0]}". The graph follows the later publication.'
        )
    elif not same_day and history:
        # The history has every ILACS inspection: one of this council's that this row does not
        # date, of the same type, is the same inspection published on another day.
        unmatched = [
            i for i in history if i.published not in ilacs_days and i.framework == framework
        ]
        if len(unmatched) != 1:
            raise row.cell(
                "First ILACS framework publication date"
                if row["First ILACS framework publication date"] == day
                else "Second ILACS framework publication date"
            ).fail(f"an ILACS inspection that {T_HISTORY} does not list")
        found = unmatched[0]
        note = (
            f"Ofsted's 2023 table ({T2009}, line {row.line}) gives the publication date as "
            f"{day}; its 2025 table ({T_HISTORY}), which lists every ILACS inspection, has no "
            f"inspection of this council published that day and gives this one as published "
            f"{found.published}. The graph follows the later publication, and the judgements "
            "of both tables agree."
        )
    else:
        return add_inspection(graph, record, gss, framework, day, CSC_2023)
    inspection = add_inspection(graph, record, gss, found.framework, found.published, CSC_2023)
    graph.add(inspection, SKOS + "editorialNote", text(note, "en"))
    return inspection


def _not_graded(graph: Graph, inspection: str, area: str, cell: Cell) -> None:
    graph.add(inspection, OKG + "notGradedArea", IRI(expand("area:" + area)))
    graph.add(
        inspection,
        SKOS + "editorialNote",
        text(
            f'Ofsted\'s table ({cell.path}, line {cell.row}, column "{cell.column}") prints '
            f'"{NOT_JUDGED}" where this inspection\'s grade for {area} would be, so the graph '
            "records no judgement of that area. The publication does not explain the mark; of "
            f'empty cells its sheet says: "{NOT_PROVIDED_NOTE}"',
            "en",
        ),
    )


# -- Ofsted's 2025 tables ----------------------------------------------------------------------

T_HISTORY = "data/ofsted_ilacs_inspection_history_2018_2025.csv"
T_IN_YEAR = "data/ofsted_la_in_year_inspections_2024_25.csv"
T_LATEST = "data/ofsted_la_judgements_as_at_31_march_2025.csv"
ILACS_2025_COLUMNS = (
    ("overall-effectiveness", "Overall effectiveness"),
    (
        "impact-of-leaders",
        "The impact of leaders on social work practice with children and families",
    ),
    (
        "help-and-protection",
        "The experiences and progress of children who need help and protection",
    ),
    ("children-in-care", "The experiences and progress of children in care"),
    ("care-leavers", "The experiences and progress of care leavers"),
)
# From 1 January 2023 ILACS judged care leavers apart; Ofsted's 2025 tables print the older
# combined sub-judgement under "children in care" (the note quoted in ontology/official.ttl).
CARE_LEAVERS_FROM = "2023-01-01"


def _gss(record: Record, row: Row) -> str:
    cell = row.cell("Local authority area code")
    if cell.value not in record.councils:
        raise cell.fail(f"not a council of {CROSSWALK}")
    return cell.value


def _ilacs_judgements(
    graph: Graph, record: Record, row: Row, inspection: str, visited: str, dataset: str
) -> None:
    later = visited >= CARE_LEAVERS_FROM
    for area, column in ILACS_2025_COLUMNS:
        cell = row.cell(column)
        if not cell.value:
            if area == "care-leavers" and not later:
                continue  # CARE_LEAVERS_BLANK_NOTE: not judged apart before 2023
            raise cell.fail(
                "an empty grade cell for an inspection (only the care leavers column of an "
                "inspection before 2023 is blank)"
            )
        if area == "care-leavers" and not later:
            raise cell.fail("a care leavers judgement for an inspection before 2023")
        if area == "children-in-care" and not later:
            area = "children-in-care-and-care-leavers"
        add_judgement(graph, record, inspection, area, cell, dataset)


def _add_inspection_date(graph: Graph, inspection: str, row: Row, column: str) -> str:
    visited = iso_date(row.cell(column))
    graph.add(inspection, OKG + "inspectionDate", date(visited))
    return visited


def convert_history(root: Path, record: Record) -> Graph:
    graph, _ = new_graph(
        "official/ofsted-ilacs-history-2018-2025",
        [OUTCOMES_2025],
        "Ofsted's ILACS inspection history 2018-2025 (sheet ILACS_inspection_history of Local "
        "authority inspection outcomes as at 31 March 2025)",
    )
    for row in read_table(root, T_HISTORY):
        gss = _gss(record, row)
        kind = row.cell("Inspection type")
        framework = INSPECTION_TYPES.get(kind.value)
        if framework not in ("ilacs-standard", "ilacs-short"):
            raise kind.fail("not an ILACS inspection type")
        published = iso_date(row.cell("Publication date"))
        inspection = add_inspection(graph, record, gss, framework, published, OUTCOMES_2025)
        visited = _add_inspection_date(graph, inspection, row, "Inspection date")
        _ilacs_judgements(graph, record, row, inspection, visited, OUTCOMES_2025)
        council = council_iri(gss)
        graph.add(council, OKG + "ofstedName", text(row["Local authority name"]))
        graph.add(council, OKG + "ofstedRegion", text(row["Ofsted region"]))
        graph.add(council, FOAF + "page", IRI(row["web_link_url"]))
    return graph


def convert_in_year(root: Path, record: Record) -> Graph:
    graph, _ = new_graph(
        "official/ofsted-la-in-year-2024-25",
        [OUTCOMES_2025],
        "Ofsted's local authority in-year inspection activity 2024-25 (sheet In-year_inspections "
        "of Local authority inspection outcomes as at 31 March 2025)",
    )
    for row in read_table(root, T_IN_YEAR):
        gss = _gss(record, row)
        kind = row.cell("Inspection/Visit type")
        if kind.value not in INSPECTION_TYPES:
            raise kind.fail("not an inspection or visit type")
        framework = INSPECTION_TYPES[kind.value]
        published = iso_date(row.cell("Publication date"))
        inspection = add_inspection(graph, record, gss, framework, published, OUTCOMES_2025)
        visited = _add_inspection_date(graph, inspection, row, "Inspection/Visit date")
        theme = row.cell("Visit Theme")
        if FRAMEWORKS[framework][1] is None:
            graded = [c for _, c in ILACS_2025_COLUMNS if row[c]]
            if graded:
                raise row.cell(graded[0]).fail("a grade for a visit, which is not graded")
            if not theme.value:
                raise theme.fail("a visit without a theme")
            graph.add(inspection, OKG + "visitTheme", text(theme.value, "en"))
        else:
            if theme.value:
                raise theme.fail("a theme for an inspection")
            _ilacs_judgements(graph, record, row, inspection, visited, OUTCOMES_2025)
    return graph


def convert_latest(root: Path, record: Record) -> Graph:
    graph, _ = new_graph(
        "official/ofsted-la-judgements-2025-03-31",
        [OUTCOMES_2025],
        "Ofsted's latest judgement for each local authority as at 31 March 2025 (sheet "
        "Inspections_as_at_31_March of Local authority inspection outcomes as at 31 March 2025)",
    )
    for row in read_table(root, T_LATEST):
        gss = _gss(record, row)
        published = iso_date(row.cell("Publication date"))
        matches = sorted(
            i.framework
            for i in record.inspections.values()
            if i.council == gss
            and i.published == published
            and i.framework in ("ilacs-standard", "ilacs-short")
        )
        if len(matches) != 1:
            raise row.cell("Publication date").fail(
                f"matches {len(matches)} ILACS inspections of {gss} in {T_HISTORY}, not one"
            )
        inspection = add_inspection(graph, record, gss, matches[0], published, OUTCOMES_2025)
        visited = _add_inspection_date(graph, inspection, row, "Inspection date")
        _ilacs_judgements(graph, record, row, inspection, visited, OUTCOMES_2025)
        graph.add(council_iri(gss), OKG + "latestInspection", IRI(inspection))
    return graph


# -- Data to Insight: report links and lead inspectors ----------------------------------------

T_D2I = "data/d2i_ofsted_csc_ilacs_history.csv"
D2I_FRAMEWORKS = {"standard": "ilacs-standard", "short": "ilacs-short"}
# Other values of the inspection_framework column, which say nothing of the type: empty (reports
# before ILACS), a note of the scraper's, and dates (dd/mm/yy) that the scraper put in the column.
D2I_UNTYPED = {"", "inspection duration longer than standard framework"}
# Ofsted's 2025 tables cover "Inspections as at 31 March 2025, with a report published by 30 June
# 2025" (the Cover sheet of Local authority inspection outcomes as at 31 March 2025): a report
# published later, or of an inspection that began after 31 March 2025, has no inspection in them.
TABLES_COVER = "Inspections as at 31 March 2025, with a report published by 30 June 2025"
TABLES_END = "2025-06-30"
TABLES_AS_AT = "2025-03-31"
# Before ILACS, Data to Insight's publication date is the one in the report's file name, which can
# be a few days after the publication date in Ofsted's table. A report of a council with no type
# and no same-day inspection is joined to the one inspection of that council that Ofsted's table
# gives as published up to NEAR_DAYS days earlier, if no other report is joined to it.
NEAR_DAYS = 7
D2I_GRADE_COLUMNS = (
    ("overall_effectiveness_grade", "overall-effectiveness"),
    ("impact_of_leaders_grade", "impact-of-leaders"),
    ("help_and_protection_grade", "help-and-protection"),
    ("in_care_grade", "children-in-care"),
    ("care_leavers_grade", "care-leavers"),
)
D2I_GRADES = {
    "outstanding": "g2013:outstanding",
    "good": "g2013:good",
    "requires improvement": "g2013:requires-improvement",
    "inadequate": "g2013:inadequate",
}
# Values of the grade columns that are not grades, and so are not compared with Ofsted's.
D2I_NOT_GRADES = {
    "": "empty",
    "data_unreadable": "the scraper could not read the grade (reports before ILACS)",
    "inspection_pre_dates_judgement": "the care leavers judgement did not exist yet",
    "not_reported_post_reform": "reports after the 2025 reform give no overall effectiveness",
    "to requires improvement": (
        "a fragment of the report's sentence, not a grade; the scraper's slip (two reports)"
    ),
}


@dataclass
class D2IStats:
    rows: int = 0
    joined: int = 0  # same council, same publication day and type
    joined_other_type: int = 0  # same council and day; Data to Insight gives another type
    joined_near: int = 0  # same council, Ofsted's date up to NEAR_DAYS days earlier
    after_tables: int = 0  # published after TABLES_END: linked to the council only
    unmatched: int = 0  # no inspection to join: linked to the council only
    grades_agree: int = 0
    grades_differ: list[str] = field(default_factory=list)  # reconciliation IRIs
    grades_unchecked: list[str] = field(default_factory=list)
    not_compared: Counter[str] = field(default_factory=Counter)  # value -> cells


@dataclass
class _D2IRow:
    row: Row
    councils: list[str]
    published: str
    kind: str


def _d2i_kind(row: Row) -> str:
    cell = row.cell("inspection_framework")
    if cell.value in D2I_FRAMEWORKS or cell.value in D2I_UNTYPED:
        return cell.value
    try:
        dmy_date(cell)
    except ConversionError:
        raise cell.fail("not an inspection framework of Data to Insight's") from None
    return ""  # a date in the framework column says nothing of the type


def convert_d2i(root: Path, record: Record, stats: D2IStats) -> Graph:
    graph, iri = new_graph(
        "official/d2i-ilacs-reports",
        [D2I_HISTORY],
        "Ofsted report links and lead inspectors from Data to Insight's scrape of Ofsted's "
        "children's services inspection reports",
    )
    by_urn: dict[str, list[str]] = defaultdict(list)
    for gss, council in record.councils.items():
        if council["ofsted_urn"]:
            by_urn[council["ofsted_urn"]].append(gss)
    rows: list[_D2IRow] = []
    for row in read_table(root, T_D2I):
        stats.rows += 1
        urn = row.cell("urn")
        if urn.value not in by_urn:
            raise urn.fail(f"not the Ofsted URN of a council of {CROSSWALK}")
        published = dmy_date(row.cell("publication_date"))
        rows.append(_D2IRow(row, by_urn[urn.value], published, _d2i_kind(row)))
    joined: dict[str, str] = {}  # inspection -> the first report link joined to it
    later: list[_D2IRow] = []
    unjoined: list[_D2IRow] = []
    # Pass 1: the same publication day.
    for item in rows:
        same_day = sorted(
            (
                i
                for i in record.inspections.values()
                if i.council in item.councils and i.published == item.published
            ),
            key=lambda i: i.iri,
        )
        typed = [
            i
            for i in same_day
            if item.kind not in D2I_FRAMEWORKS or i.framework == D2I_FRAMEWORKS[item.kind]
        ]
        if len(typed) == 1:
            stats.joined += 1
            _join_d2i(graph, record, item, typed[0], "", joined, stats)
        elif not typed and len(same_day) == 1:
            stats.joined_other_type += 1
            found = same_day[0]
            note = (
                f"Data to Insight ({T_D2I}, line {item.row.line}) gives this report's framework "
                f'as "{item.kind}"; Ofsted\'s table gives the only inspection of this council '
                f"published that day as its {FRAMEWORKS[found.framework][0]}. The graph follows "
                "Ofsted."
            )
            _join_d2i(graph, record, item, found, note, joined, stats)
        else:
            unjoined.append(item)
    # Pass 2: untyped reports published a few days after the one inspection Ofsted dates earlier.
    for item in unjoined:
        day = dt.date.fromisoformat(item.published)
        near = [
            i
            for i in record.inspections.values()
            if i.council in item.councils
            and 0 < (day - dt.date.fromisoformat(i.published)).days <= NEAR_DAYS
        ]
        if item.kind == "" and len(near) == 1 and near[0].iri not in joined:
            stats.joined_near += 1
            found = near[0]
            note = (
                f"Data to Insight ({T_D2I}, line {item.row.line}) gives this report's publication "
                f"date as {item.published}, the date in its file name; Ofsted's table gives "
                f"{found.published}, and has no other inspection of this council published in "
                f"the {NEAR_DAYS} days before {item.published}."
            )
            _join_d2i(graph, record, item, found, note, joined, stats)
        else:
            later.append(item)
    for item in later:
        _unjoined_report(graph, record, item, stats)
    graph.add(
        iri,
        SKOS + "editorialNote",
        text(
            f"Of the {stats.rows} reports Data to Insight lists, {stats.joined} are joined to the "
            f"inspection Ofsted's tables give as published the same day, {stats.joined_other_type} "
            f"to the only inspection published that day though Data to Insight gives another "
            f"type, and {stats.joined_near} to the only inspection published up to {NEAR_DAYS} "
            f"days before the date in the report's file name. {stats.after_tables} were "
            f"published after the period Ofsted's tables cover, and for {stats.unmatched} no "
            "inspection matches: those are linked to their council only. Where both give a "
            f"grade, Data to Insight's agrees with Ofsted's {stats.grades_agree} times; the "
            f"{len(stats.grades_differ)} that differ and the {len(stats.grades_unchecked)} that "
            "cannot be checked are okg:Reconciliation nodes of this graph.",
            "en",
        ),
    )
    return graph


def _join_d2i(
    graph: Graph,
    record: Record,
    item: _D2IRow,
    found: Inspection,
    note: str,
    joined: dict[str, str],
    stats: D2IStats,
) -> None:
    row = item.row
    inspection = found.iri
    report = report_iri(found.council, found.framework, found.published)
    link = row.cell("inspection_link")
    if not re.fullmatch(r"https://files\.ofsted\.gov\.uk/v1/file/\d+", link.value):
        raise link.fail("not an Ofsted file address")
    joined.setdefault(inspection, link.value)
    graph.add(inspection, OKG + "report", IRI(report))
    graph.add(report, RDF_TYPE, IRI(OKG + "InspectionReport"))
    graph.add(report, DCAT + "downloadURL", IRI(link.value))
    graph.add(report, FOAF + "page", IRI(link.value))
    graph.add(report, PROV + "wasDerivedFrom", IRI(D2I_HISTORY))
    if note:
        graph.add(report, SKOS + "editorialNote", text(note, "en"))
    graph.add(inspection, DCT + "source", IRI(D2I_HISTORY))
    name = re.sub(r"\s+", " ", row["inspector_name"])
    if name:
        person = ID + "person/" + slug(name)
        graph.add(person, RDF_TYPE, IRI(FOAF + "Person"))
        graph.add(person, RDFS + "label", text(name))
        graph.add(person, FOAF + "name", text(name))
        graph.add(person, DCT + "source", IRI(D2I_HISTORY))
        graph.add(inspection, OKG + "leadInspector", IRI(person))
    start, end = row.cell("inspection_start_date"), row.cell("inspection_end_date")
    if start.value and end.value:
        interval = inspection + "/fieldwork"
        graph.add(inspection, OKG + "fieldwork", IRI(interval))
        graph.add(interval, RDF_TYPE, IRI(TIME + "Interval"))
        for which, cell in (("Beginning", start), ("End", end)):
            instant = f"{interval}/{which.lower()}"
            graph.add(interval, TIME + "has" + which, IRI(instant))
            graph.add(instant, RDF_TYPE, IRI(TIME + "Instant"))
            graph.add(instant, TIME + "inXSDDate", date(dmy_date(cell)))
    _check_d2i_grades(graph, record, item, found, stats)


def _check_d2i_grades(
    graph: Graph, record: Record, item: _D2IRow, found: Inspection, stats: D2IStats
) -> None:
    """Data to Insight's grades against Ofsted's judgements of the same inspection: the ones
    that differ, or cannot be checked, become okg:Reconciliation nodes."""
    row = item.row
    for column, area in D2I_GRADE_COLUMNS:
        cell = row.cell(column)
        if cell.value in D2I_NOT_GRADES:
            stats.not_compared[cell.value] += 1
            continue
        if cell.value not in D2I_GRADES:
            raise cell.fail(f"not a grade of Data to Insight's ({sorted(D2I_GRADES)})")
        claimed = D2I_GRADES[cell.value]
        areas = [area]
        if area == "children-in-care":
            areas.append("children-in-care-and-care-leavers")
        matching = [
            record.judgements[j][0]
            for a in areas
            if (j := judgement_iri(found.council, found.framework, found.published, a))
            in record.judgements
        ]
        related = matching
        if not matching and area == "care-leavers":
            j = judgement_iri(
                found.council, found.framework, found.published, "children-in-care-and-care-leavers"
            )
            related = record.judgements.get(j, [])[:1]
        if matching and matching[0].grade == claimed:
            stats.grades_agree += 1
            continue
        if not related:
            raise cell.fail(
                "a grade for a judgement that Ofsted's tables do not give for "
                f"{found.iri.removeprefix(ID)}"
            )
        official = related[0]
        where = f"line {row.line} of {T_D2I}, the report {row['inspection_link']}"
        if matching:
            outcome = "differs"
            reason = (
                f"Data to Insight's scrape of Ofsted's report ({where}) gives \"{cell.value}\" "
                f"for this judgement; Ofsted's table gives {GRADE_LABELS[official.grade]} "
                f"({official.dataset.rsplit('/', 1)[-1]}). The graph keeps Ofsted's grade."
            )
            stats_list = stats.grades_differ
        else:
            outcome = "cannot-be-checked"
            reason = (
                f"Data to Insight's scrape of Ofsted's report ({where}) gives \"{cell.value}\" "
                "for a care leavers judgement, but the inspection's fieldwork was before 1 "
                "January 2023 and Ofsted's tables judge care leavers together with children in "
                f"care ({GRADE_LABELS[official.grade]}), so there is no grade to compare."
            )
            stats_list = stats.grades_unchecked
        node = (
            f"{ID}reconciliation/d2i-ofsted-csc-ilacs-history/"
            f"{found.council}-{found.framework}-{found.published}-{area}"
        )
        stats_list.append(node)
        graph.add(node, RDF_TYPE, IRI(OKG + "Reconciliation"))
        graph.add(
            node,
            RDFS + "label",
            text(
                f"check of Data to Insight's {cell.value} for the {area} judgement of "
                f"{council_label(record, found.council)}'s inspection published "
                f"{found.published}",
                "en",
            ),
        )
        graph.add(node, OKG + "claimSource", IRI(D2I_HISTORY))
        graph.add(node, OKG + "claimedGrade", IRI(expand(claimed)))
        graph.add(node, OKG + "checkedAgainst", IRI(official.iri))
        graph.add(node, OKG + "reconciliationOutcome", IRI(expand("outcome:" + outcome)))
        graph.add(node, OKG + "reason", text(reason, "en"))
        graph.add(node, PROV + "wasDerivedFrom", IRI(D2I_HISTORY))
        graph.add(node, PROV + "wasDerivedFrom", IRI(official.dataset))


def _unjoined_report(graph: Graph, record: Record, item: _D2IRow, stats: D2IStats) -> None:
    """A report that no inspection of Ofsted's tables can be joined to: a document about its
    council, with the reason."""
    row = item.row
    link = row.cell("inspection_link")
    found = re.fullmatch(r"https://files\.ofsted\.gov\.uk/v1/file/(\d+)", link.value)
    if not found:
        raise link.fail("not an Ofsted file address")
    if len(item.councils) != 1:
        raise row.cell("urn").fail("the Ofsted URN of more than one council")
    gss = item.councils[0]
    council = council_iri(gss)
    doc = f"{ID}document/ofsted-file-{found.group(1)}"
    pretty = dt.date.fromisoformat(item.published).strftime("%-d %B %Y")
    described = f"published {item.published}"
    if item.kind in D2I_FRAMEWORKS:
        described += f", a {item.kind} ILACS inspection"
    start, end = row["inspection_start_date"], row["inspection_end_date"]
    if start and end:
        described += f", fieldwork {dmy_date(row.cell('inspection_start_date'))} to "
        described += dmy_date(row.cell("inspection_end_date"))
    inspector = re.sub(r"\s+", " ", row["inspector_name"])
    if inspector:
        described += f", lead inspector {inspector}"
    visited = dmy_date(row.cell("inspection_start_date")) if start else ""
    if item.published > TABLES_END or visited > TABLES_AS_AT:
        stats.after_tables += 1
        reason = (
            f'Ofsted\'s tables in this graph cover "{TABLES_COVER}", so none of their '
            "inspections is this report's."
        )
    else:
        stats.unmatched += 1
        reason = (
            "Ofsted's tables have no inspection of this council published that day, nor one "
            f"alone in the {NEAR_DAYS} days before it whose report is not already linked, so "
            "the report is not joined to an inspection."
        )
    graph.add(doc, RDF_TYPE, IRI(OKG + "InspectionReport"))
    graph.add(
        doc,
        RDFS + "label",
        text(
            f"Ofsted's children's services inspection report on "
            f"{council_label(record, gss)}, published {pretty} (as Data to Insight lists it)",
            "en",
        ),
    )
    graph.add(
        doc,
        SKOS + "editorialNote",
        text(
            f"Data to Insight ({T_D2I}, line {row.line}) lists this report: {described}. "
            f"{reason} It is linked to the council only. Its title is not given: the label "
            "describes it.",
            "en",
        ),
    )
    graph.add(doc, DCT + "publisher", IRI(OFSTED))
    graph.add(doc, DCT + "issued", date(item.published))
    graph.add(doc, DCT + "subject", IRI(council))
    graph.add(doc, DCAT + "downloadURL", IRI(link.value))
    graph.add(doc, FOAF + "page", IRI(link.value))
    graph.add(doc, PROV + "wasDerivedFrom", IRI(D2I_HISTORY))
    add_council_stub(graph, record, gss, D2I_HISTORY)


# -- The publications (DCAT) -------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
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


def convert_publications(root: Path) -> Graph:
    graph, _ = new_graph(
        "official/publications",
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
        _checksum(graph, dist, root / pub.ods)
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
            _checksum(graph, node, root / extraction)
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
    graph.add(D2I_HISTORY, DCT + "publisher", IRI(ID + "organisation/data-to-insight"))
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
    _checksum(graph, dist, root / T_D2I)
    org = ID + "organisation/data-to-insight"
    graph.add(org, RDF_TYPE, IRI(ORG + "Organization"))
    graph.add(org, RDFS + "label", text("Data to Insight"))
    graph.add(org, DCT + "source", IRI(D2I_HISTORY))
    return graph


def _checksum(graph: Graph, node: str, path: Path) -> None:
    try:
        digest = sha256(path)
    except OSError as exc:
        raise ConversionError(f"{path.name}: cannot read: {exc.strerror or exc}") from None
    checksum = node + "/sha256"
    graph.add(node, SPDX + "checksum", IRI(checksum))
    graph.add(checksum, RDF_TYPE, IRI(SPDX + "Checksum"))
    graph.add(checksum, SPDX + "algorithm", IRI(SPDX + "checksumAlgorithm_sha256"))
    graph.add(checksum, SPDX + "checksumValue", Literal(digest, XSD + "hexBinary"))


# -- Identity graphs ---------------------------------------------------------------------------

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
        "data/d2i_Provider_data_lookup.csv",
        "import_data/la_lookup/Provider_data_lookup.csv",
        "15af1ad55ef4ecf0c314cf9edef12bd5bc1230a3",
    ),
    DIGITAL_LAND: (
        "data/digital_land_organisation.csv",
        "collection/organisation.csv",
        "0e22143868e63332b3f996f0faad0f8fb585a347",
    ),
    OPENREGISTER_OS: (
        "data/openregister_os.tsv",
        "maps/os.tsv",
        "68f499152ba799feae602e67c6e30ae0914f2230",
    ),
    MYSOCIETY: (
        "data/mysociety_uk_local_authorities_future.csv",
        "data/packages/uk_la_future/uk_local_authorities_future.csv",
        "67ef8b118938678401a452f4f19f669a7221cc73",
    ),
}
MEDIA_TYPES = {
    ".csv": "https://www.iana.org/assignments/media-types/text/csv",
    ".tsv": "https://www.iana.org/assignments/media-types/text/tab-separated-values",
}


def identity_graph(root: Path, name: str, source: str, label: str) -> Graph:
    graph, _ = new_graph(f"identity/{name}", [source], label)
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
    _checksum(graph, dist, root / copy)
    org = ID + "organisation/" + publisher
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


def convert_d2i_lookup(root: Path, record: Record) -> Graph:
    graph = identity_graph(
        root,
        "d2i-provider-lookup",
        D2I_LOOKUP,
        "Ofsted and DfE identifiers taken from Data to Insight's provider lookup",
    )
    seen: set[str] = set()
    for row in read_table(root, "data/d2i_Provider_data_lookup.csv"):
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
        seen.add(gss.value)
    return graph


def convert_digital_land(root: Path, record: Record) -> Graph:
    graph = identity_graph(
        root,
        "digital-land-organisation",
        DIGITAL_LAND,
        "identity links taken from Digital Land's organisation dataset",
    )
    rows = [
        row
        for row in read_table(root, "data/digital_land_organisation.csv")
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


def convert_openregister(root: Path, record: Record) -> Graph:
    graph = identity_graph(
        root,
        "openregister-os",
        OPENREGISTER_OS,
        "Ordnance Survey links taken from OpenRegister's local-authority map",
    )
    by_code = {
        "local-authority-eng:" + c["mysociety_code"]: g
        for g, c in record.councils.items()
        if c["mysociety_code"]
    }
    for row in read_table(root, "data/openregister_os.tsv", delimiter="\t"):
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


COUNCIL_TYPES = {"CTY", "UA", "MD", "LBO", "CC"}


def convert_mysociety(root: Path, record: Record) -> Graph:
    graph = identity_graph(
        root,
        "mysociety-local-authorities",
        MYSOCIETY,
        "official names, types, dates and successors taken from mySociety's local authority list",
    )
    by_code = {c["mysociety_code"]: g for g, c in record.councils.items() if c["mysociety_code"]}
    for row in read_table(root, "data/mysociety_uk_local_authorities_future.csv"):
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
        if kind.value not in COUNCIL_TYPES:
            raise kind.fail(f"not a children's-services authority type ({sorted(COUNCIL_TYPES)})")
        graph.add(council, ORG + "classification", IRI(expand("ctype:" + kind.value.lower())))
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


# -- Reconciliation of the seed claims ---------------------------------------------------------


@dataclass(frozen=True)
class SeedJudgement:
    iri: str
    document: str
    council: str
    area: str
    grade: str
    year: str
    inspection: str
    framework: str


SEED_QUERY = """
PREFIX okg: <https://w3id.org/ofsted-kg/def/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?j ?doc ?council ?area ?grade ?year ?insp ?fw WHERE {
  ?j a okg:Judgement ; okg:judgementOf ?council ; okg:area ?area ; okg:grade ?grade ;
     prov:wasDerivedFrom ?doc .
  OPTIONAL { ?j okg:judgementYear ?year }
  OPTIONAL { ?j prov:wasGeneratedBy ?insp OPTIONAL { ?insp okg:framework ?fw } }
}
"""


def read_seed_judgements(root: Path) -> list[SeedJudgement]:
    found: list[SeedJudgement] = []
    for path in sorted((root / "graph" / "seeds").glob("*.ttl")):
        store = ox.Store()
        try:
            store.load(
                path=path, format=ox.RdfFormat.TURTLE, base_iri=f"{BASE}graph/seeds/{path.stem}"
            )
        except SyntaxError as exc:  # the same one line the build gives: path:line:column
            relpath = path.relative_to(root).as_posix()
            raise SourceSyntaxError([SyntaxProblem.from_parser(relpath, exc)]) from None
        for solution in store.query(SEED_QUERY):  # type: ignore[union-attr]

            def value(name: str, solution: ox.QuerySolution = solution) -> str:
                term = solution[name]
                return "" if term is None or isinstance(term, ox.Triple) else str(term.value)

            found.append(
                SeedJudgement(
                    value("j"),
                    value("doc"),
                    value("council"),
                    value("area"),
                    value("grade"),
                    value("year"),
                    value("insp"),
                    value("fw"),
                )
            )
    return sorted(set(found), key=lambda s: (s.document, s.iri))


def read_broader(root: Path) -> dict[str, str]:
    store = ox.Store()
    store.load(path=root / "ontology" / "areas.ttl", format=ox.RdfFormat.TURTLE)
    broader = ox.NamedNode(SKOS + "broader")
    return {
        q.subject.value: q.object.value
        for q in store.quads_for_pattern(None, broader, None)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
    }


def _curie(iri: str) -> str:
    for prefix in ("g2009", "g2013"):
        if iri.startswith(PREFIXES[prefix]):
            return f"{prefix}:{iri[len(PREFIXES[prefix]) :]}"
    return iri


CLOSE = {  # skos:closeMatch pairs in ontology/grades.ttl
    ("g2009:outstanding", "g2013:outstanding"),
    ("g2009:good", "g2013:good"),
    ("g2009:adequate", "g2013:requires-improvement"),
    ("g2009:inadequate", "g2013:inadequate"),
}


def _describe(j: Judgement, record: Record) -> str:
    name = FRAMEWORKS[j.framework][0]
    words = f"{GRADE_LABELS[j.grade]}"
    if j.printed != GRADE_LABELS[j.grade]:
        words += f', printed "{j.printed}" in Ofsted\'s table'
    return f"the {name} published {j.published} ({words})"


def convert_reconciliation(root: Path, record: Record) -> Graph:
    seeds = read_seed_judgements(root)
    broader = read_broader(root)
    documents = sorted({s.document for s in seeds})
    graph, _ = new_graph(
        "official/reconciliation",
        documents + [p.iri for p in PUBLICATIONS],
        "the seed documents' claims about councils' grades, checked against Ofsted's official "
        "record",
    )
    by_council: dict[str, list[Judgement]] = defaultdict(list)
    for versions in record.judgements.values():
        by_council[versions[0].council].append(versions[0])
    for seed in seeds:
        gss = seed.council.rsplit("/", 1)[-1]
        stem = seed.document.rsplit("/", 1)[-1]
        local = seed.iri.split("/id/judgement/", 1)[-1].replace("/", "-")
        if local.startswith(stem + "-"):
            local = local[len(stem) + 1 :]
        node = f"{ID}reconciliation/{stem}/{local}"
        claimed = _curie(seed.grade)
        claimed_label = GRADE_LABELS.get(claimed, seed.grade.rsplit("/", 1)[-1])
        official = by_council.get(gss, [])
        candidates: list[Judgement] = []
        reason = ""
        if seed.iri in record.judgements:
            candidates = [record.judgements[seed.iri][0]]
            scope = "the same judgement in Ofsted's record"
        elif seed.inspection in record.inspections:
            candidates = [
                j
                for j in official
                if j.iri.startswith(seed.inspection + "/") and expand("area:" + j.area) == seed.area
            ]
            scope = "the same inspection's judgement of this area in Ofsted's record"
        elif seed.framework and seed.framework.rsplit("/", 1)[-1] not in FRAMEWORKS:
            reason = (
                f"The source reports a grade from Ofsted's {seed.framework.rsplit('/', 1)[-1]}, "
                "which none of Ofsted's tables in this graph covers."
            )
        elif seed.year:
            same_year = [j for j in official if j.published[:4] == seed.year]
            candidates = [j for j in same_year if expand("area:" + j.area) == seed.area]
            scope = f"Ofsted's judgements of this area published in {seed.year}"
            if not candidates:
                candidates = [
                    j for j in same_year if broader.get(expand("area:" + j.area)) == seed.area
                ]
                scope = (
                    f"Ofsted's judgements published in {seed.year} of the areas this one covers "
                    "(the framework then had no single overall judgement)"
                )
        else:
            reason = (
                "The source names neither the inspection nor its date, so no official judgement "
                "can be matched to it."
            )
        candidates.sort(key=lambda j: j.iri)
        if not reason and not candidates:
            reason = f"Ofsted's record has no judgement to match ({scope})."
        if reason:
            outcome = "cannot-be-checked"
        else:
            agreeing = [
                j
                for j in candidates
                if j.grade == claimed or (claimed, j.grade) in CLOSE or (j.grade, claimed) in CLOSE
            ]
            outcome = "agrees" if agreeing else "differs"
            listed = "; ".join(_describe(j, record) for j in candidates)
            verb = "agrees with" if agreeing else "differs from"
            reason = f"The source's grade, {claimed_label}, {verb} {scope}: {listed}."
            if any(j.printed != GRADE_LABELS[j.grade] for j in candidates):
                reason += (
                    " Those frameworks used the 2009-2013 scale, on which the grade awarded was "
                    "Adequate; Ofsted's table prints it in the words of today's scale."
                )
            if agreeing and any(j.grade != claimed for j in agreeing):
                reason += " The grades are on different scales, matched by skos:closeMatch."
        graph.add(node, RDF_TYPE, IRI(OKG + "Reconciliation"))
        graph.add(
            node,
            RDFS + "label",
            text(f"check of {stem}'s {claimed_label} for {council_label(record, gss)}", "en"),
        )
        graph.add(node, OKG + "checkedJudgement", IRI(seed.iri))
        graph.add(node, OKG + "claimSource", IRI(seed.document))
        graph.add(node, OKG + "claimedGrade", IRI(seed.grade))
        graph.add(node, OKG + "reconciliationOutcome", IRI(expand("outcome:" + outcome)))
        graph.add(node, OKG + "reason", text(reason, "en"))
        graph.add(node, PROV + "wasDerivedFrom", IRI(seed.document))
        for j in candidates:
            graph.add(node, OKG + "checkedAgainst", IRI(j.iri))
            graph.add(node, PROV + "wasDerivedFrom", IRI(j.dataset))
    return graph


# -- Putting it together -----------------------------------------------------------------------

HEADER = """\
# GENERATED by `ofsted-kg convert` from {source}: do not edit by hand.
# Regenerate after changing the table; the build refuses to run on a stale file.
# Licence of the content: {licence}. See data/README.md."""


@dataclass
class Conversion:
    files: dict[str, str]  # relative path -> Turtle
    record: Record
    d2i: D2IStats


def convert(root: Path) -> Conversion:
    record = Record(read_councils(root))
    d2i = D2IStats()
    ogl = "Open Government Licence v3.0"
    outputs: list[tuple[str, Graph, str, str]] = [
        # The 2025 history first: where the tables disagree on an ILACS type, the later one wins.
        ("official/ofsted-ilacs-history-2018-2025", convert_history(root, record), T_HISTORY, ogl),
        ("official/ofsted-la-inspections-2009-2023", convert_2009(root, record), T2009, ogl),
        ("official/ofsted-la-in-year-2024-25", convert_in_year(root, record), T_IN_YEAR, ogl),
        ("official/ofsted-la-judgements-2025-03-31", convert_latest(root, record), T_LATEST, ogl),
        (
            "official/d2i-ilacs-reports",
            convert_d2i(root, record, d2i),
            T_D2I,
            "MIT (repository); content from Ofsted's reports, Open Government Licence v3.0",
        ),
        ("official/publications", convert_publications(root), "data/raw/*.ods and " + T_D2I, ogl),
        (
            "identity/d2i-provider-lookup",
            convert_d2i_lookup(root, record),
            "data/d2i_Provider_data_lookup.csv",
            "MIT (repository); Ofsted's and DfE's codes, OGL v3.0",
        ),
        (
            "identity/digital-land-organisation",
            convert_digital_land(root, record),
            "data/digital_land_organisation.csv",
            "OGL v3.0 (Wikidata identifiers CC0)",
        ),
        (
            "identity/openregister-os",
            convert_openregister(root, record),
            "data/openregister_os.tsv",
            ogl,
        ),
        (
            "identity/mysociety-local-authorities",
            convert_mysociety(root, record),
            "data/mysociety_uk_local_authorities_future.csv",
            "CC BY 4.0, attribution: mySociety, uk_local_authority_names_and_codes",
        ),
        (
            "official/reconciliation",
            convert_reconciliation(root, record),
            "graph/seeds/*.ttl checked against the official graphs",
            ogl + " and the seeds' sources",
        ),
    ]
    files: dict[str, str] = {}
    for name, graph, source, licence in outputs:
        header = HEADER.format(source=source, licence=licence)
        files[f"graph/{name}.ttl"] = graph.serialise(header, f"{BASE}graph/{name}")
    return Conversion(files, record, d2i)


def has_tables(root: Path) -> bool:
    return (root / CROSSWALK).is_file()


def stale(root: Path) -> list[str]:
    """Generated files that are missing or differ from what the tables give now."""
    if not has_tables(root):
        return []
    out = []
    for relpath, content in convert(root).files.items():
        path = root / relpath
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            out.append(relpath)
    return out


def write(root: Path) -> tuple[Conversion, list[str]]:
    """Convert and write the files whose content changed; returns those paths."""
    conversion = convert(root)
    changed = []
    for relpath, content in conversion.files.items():
        path = root / relpath
        if path.is_file() and path.read_text(encoding="utf-8") == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        changed.append(relpath)
    return conversion, changed


def iter_judgements(record: Record) -> Iterator[Judgement]:
    for iri in sorted(record.judgements):
        yield record.judgements[iri][0]
