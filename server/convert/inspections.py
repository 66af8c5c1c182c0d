"""The readers of Ofsted's own tables of inspections and judgements, the official record:

    T_HISTORY  the ILACS inspection history 2018-2025 (every ILACS inspection, with its grades)
    T2009      the local authority inspections 2009-2023 (every framework since 2009)
    T_IN_YEAR  the in-year inspections and visits 2024-25
    T_LATEST   each council's latest judgements as at 31 March 2025

Each adds its inspections and judgements to the record (record.py). The history is read first:
the 2009-2023 table follows it where the two give an ILACS inspection another type or date, and
the latest judgements are matched to its inspections. Empty cells and Ofsted's marks other than
grades are read as Ofsted's notes (quoted below) explain them; any other is an error.
"""

from __future__ import annotations

import re

from ..rdf.turtle import IRI, Graph, date, text
from .codes import TABLE_FRAMEWORKS
from .reading import Cell, Row, iso_date, read_table
from .record import (
    CROSSWALK,
    Context,
    Record,
    add_council_stub,
    add_inspection,
    add_judgement,
    new_graph,
)
from .terms import (
    CSC_2023,
    FOAF,
    OKG,
    OUTCOMES_2025,
    SKOS,
    council_iri,
    expand,
    judgement_iri,
)

# The tables: each one sheet of an Ofsted publication, as CSV (publications.py describes them).
T2009 = "data/ofsted_la_inspections_2009_2023.csv"
T_HISTORY = "data/ofsted_ilacs_inspection_history_2018_2025.csv"
T_IN_YEAR = "data/ofsted_la_in_year_inspections_2024_25.csv"
T_LATEST = "data/ofsted_la_judgements_as_at_31_march_2025.csv"

# Ofsted's names of the kinds of inspection and visit, as its tables print them.
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


# -- Councils by name ---------------------------------------------------------------------------


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
    if kind in TABLE_FRAMEWORKS:
        return kind
    cell = row.cell(kind)
    if not cell.value:
        return None
    if INSPECTION_TYPES.get(cell.value) not in ("ilacs-standard", "ilacs-short"):
        raise cell.fail("not an ILACS inspection type")
    return INSPECTION_TYPES[cell.value]


def read_2009(context: Context, name: str) -> Graph:
    """Ofsted's 2009-2023 table. Reads the ILACS inspections of the history (read_history)."""
    root, record = context.root, context.record
    graph, _ = new_graph(
        name,
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
            row[d] for k, d, _ in BLOCKS_2009 if k not in TABLE_FRAMEWORKS and row[d]
        }  # the ILACS publication dates this row gives
        for kind_column, date_column, areas in BLOCKS_2009:
            framework = _framework_of(row, kind_column)
            published = row.cell(date_column)
            grades = [(area, row.cell(column)) for area, column in areas]
            if not published.value:
                filled = [c for _, c in grades if c.value]
                if filled:
                    raise filled[0].fail(f"a grade without a date in {date_column!r}")
                if framework is not None and kind_column not in TABLE_FRAMEWORKS:
                    raise row.cell(kind_column).fail("an inspection type without a date")
                continue
            day = iso_date(published)
            if framework is None:
                raise published.fail(f"a date without an inspection type in {kind_column!r}")
            inspection = _inspection_2009(graph, context, row, gss, framework, day, ilacs_days)
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
                    add_judgement(graph, context, inspection, area, cell, CSC_2023)
                elif not (combined and area == "care-leavers"):
                    raise cell.fail(
                        "an empty grade cell for an inspection that has a date (expected a "
                        f"grade, or {NOT_JUDGED!r} where the table gives none)"
                    )
    return graph


def _inspection_2009(
    graph: Graph,
    context: Context,
    row: Row,
    gss: str,
    framework: str,
    day: str,
    ilacs_days: set[str],
) -> str:
    """The inspection a block of the 2009-2023 table describes. Where Ofsted's 2025 ILACS history
    (read first; it lists every ILACS inspection since 2018) gives the same inspection another
    type or another date, the graph follows the later publication and says so."""
    record = context.record
    ilacs = ("ilacs-standard", "ilacs-short")
    if framework not in ilacs:
        return add_inspection(graph, context, gss, framework, day, CSC_2023)
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
            f'"{context.codes.frameworks[found.framework].phrase}". The graph follows the later '
            "publication."
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
        return add_inspection(graph, context, gss, framework, day, CSC_2023)
    inspection = add_inspection(graph, context, gss, found.framework, found.published, CSC_2023)
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
    graph: Graph, context: Context, row: Row, inspection: str, visited: str, dataset: str
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
        add_judgement(graph, context, inspection, area, cell, dataset)


def _add_inspection_date(graph: Graph, inspection: str, row: Row, column: str) -> str:
    visited = iso_date(row.cell(column))
    graph.add(inspection, OKG + "inspectionDate", date(visited))
    return visited


def read_history(context: Context, name: str) -> Graph:
    """Ofsted's ILACS inspection history 2018-2025."""
    root, record = context.root, context.record
    graph, _ = new_graph(
        name,
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
        inspection = add_inspection(graph, context, gss, framework, published, OUTCOMES_2025)
        visited = _add_inspection_date(graph, inspection, row, "Inspection date")
        _ilacs_judgements(graph, context, row, inspection, visited, OUTCOMES_2025)
        council = council_iri(gss)
        graph.add(council, OKG + "ofstedName", text(row["Local authority name"]))
        graph.add(council, OKG + "ofstedRegion", text(row["Ofsted region"]))
        graph.add(council, FOAF + "page", IRI(row["web_link_url"]))
    return graph


def read_in_year(context: Context, name: str) -> Graph:
    """Ofsted's in-year inspections and visits 2024-25."""
    root, record = context.root, context.record
    graph, _ = new_graph(
        name,
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
        inspection = add_inspection(graph, context, gss, framework, published, OUTCOMES_2025)
        visited = _add_inspection_date(graph, inspection, row, "Inspection/Visit date")
        theme = row.cell("Visit Theme")
        if context.codes.frameworks[framework].scale is None:
            graded = [c for _, c in ILACS_2025_COLUMNS if row[c]]
            if graded:
                raise row.cell(graded[0]).fail("a grade for a visit, which is not graded")
            if not theme.value:
                raise theme.fail("a visit without a theme")
            graph.add(inspection, OKG + "visitTheme", text(theme.value, "en"))
        else:
            if theme.value:
                raise theme.fail("a theme for an inspection")
            _ilacs_judgements(graph, context, row, inspection, visited, OUTCOMES_2025)
    return graph


def read_latest(context: Context, name: str) -> Graph:
    """Ofsted's latest judgements as at 31 March 2025. Reads the ILACS inspections of the history
    (read_history), to which each row is matched."""
    root, record = context.root, context.record
    graph, _ = new_graph(
        name,
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
        inspection = add_inspection(graph, context, gss, matches[0], published, OUTCOMES_2025)
        visited = _add_inspection_date(graph, inspection, row, "Inspection date")
        _ilacs_judgements(graph, context, row, inspection, visited, OUTCOMES_2025)
        graph.add(council_iri(gss), OKG + "latestInspection", IRI(inspection))
    return graph
