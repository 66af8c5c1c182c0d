"""The reader of Data to Insight's list of Ofsted's children's services inspection reports
(T_D2I, scraped from the reports): report links, lead inspectors and fieldwork dates, joined to the
inspections of Ofsted's tables.

Reads the inspections and judgements that the readers of Ofsted's tables (inspections.py) have
added to the record. Each report is joined to the inspection of its council that Ofsted's tables
give as published the same day (of the same type, where Data to Insight gives one), or else to the
one published up to NEAR_DAYS days before; a report that none fits is linked to its council only,
with the reason. Where Data to Insight's grades differ from Ofsted's, or cannot be compared, the
graph has an okg:Reconciliation node saying so; Ofsted's grade is the one kept. The counts go to
``Context.d2i`` (record.D2IStats).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from ..rdf.turtle import IRI, Graph, date, text
from .codes import CODE_LISTS, Codes
from .reading import ConversionError, Row, dmy_date, read_table
from .record import (
    CROSSWALK,
    Context,
    Inspection,
    add_council_stub,
    council_label,
    new_graph,
)
from .terms import (
    D2I_HISTORY,
    DCAT,
    DCT,
    FOAF,
    ID,
    OFSTED,
    OKG,
    PROV,
    RDF_TYPE,
    RDFS,
    SKOS,
    TIME,
    council_iri,
    expand,
    file_iri,
    judgement_iri,
    person_iri,
    reconciliation_iri,
    report_iri,
)

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
# The words of the grade columns: each, in lower case, the skos:prefLabel or skos:altLabel of a
# grade on the scale of the ILACS frameworks in ontology/grades.ttl (d2i_grades).
D2I_GRADE_WORDS = ("outstanding", "good", "requires improvement", "inadequate")
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
class _D2IRow:
    row: Row
    councils: list[str]
    published: str
    kind: str


def d2i_grades(codes: Codes) -> dict[str, str]:
    """Data to Insight's words for grades -> the grades (CURIEs) they name."""
    scale = codes.frameworks["ilacs-standard"].scale
    grades: dict[str, str] = {}
    for word in D2I_GRADE_WORDS:
        grade = None if scale is None else codes.grade_named(scale, word)
        if grade is None:
            raise ConversionError(
                f"{', '.join(CODE_LISTS)}: no grade of the ILACS frameworks' scale is named "
                f"{word!r} (a grade of Data to Insight's)"
            )
        grades[word] = grade
    return grades


def _d2i_kind(row: Row) -> str:
    cell = row.cell("inspection_framework")
    if cell.value in D2I_FRAMEWORKS or cell.value in D2I_UNTYPED:
        return cell.value
    try:
        dmy_date(cell)
    except ConversionError:
        raise cell.fail("not an inspection framework of Data to Insight's") from None
    return ""  # a date in the framework column says nothing of the type


def read_d2i(context: Context, name: str) -> Graph:
    """Data to Insight's report list. Reads the inspections and judgements of Ofsted's tables;
    adds its counts to ``context.d2i``."""
    root, record, stats = context.root, context.record, context.d2i
    grades = d2i_grades(context.codes)
    graph, iri = new_graph(
        name,
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
            _join_d2i(graph, context, item, typed[0], "", joined, grades)
        elif not typed and len(same_day) == 1:
            stats.joined_other_type += 1
            found = same_day[0]
            phrase = context.codes.frameworks[found.framework].phrase
            note = (
                f"Data to Insight ({T_D2I}, line {item.row.line}) gives this report's framework "
                f'as "{item.kind}"; Ofsted\'s table gives the only inspection of this council '
                f"published that day as its {phrase}. The graph follows Ofsted."
            )
            _join_d2i(graph, context, item, found, note, joined, grades)
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
            _join_d2i(graph, context, item, found, note, joined, grades)
        else:
            later.append(item)
    for item in later:
        _unjoined_report(graph, context, item)
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
    context: Context,
    item: _D2IRow,
    found: Inspection,
    note: str,
    joined: dict[str, str],
    grades: dict[str, str],
) -> None:
    """A report joined to an inspection of Ofsted's tables: its link, lead inspector and
    fieldwork dates, and its grades checked against Ofsted's."""
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
        person = person_iri(name)
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
    _check_d2i_grades(graph, context, item, found, grades)


def _check_d2i_grades(
    graph: Graph, context: Context, item: _D2IRow, found: Inspection, grades: dict[str, str]
) -> None:
    """Data to Insight's grades against Ofsted's judgements of the same inspection: the ones
    that differ, or cannot be checked, become okg:Reconciliation nodes."""
    record, codes, stats = context.record, context.codes, context.d2i
    row = item.row
    for column, area in D2I_GRADE_COLUMNS:
        cell = row.cell(column)
        if cell.value in D2I_NOT_GRADES:
            stats.not_compared[cell.value] += 1
            continue
        if cell.value not in grades:
            raise cell.fail(f"not a grade of Data to Insight's ({sorted(grades)})")
        claimed = grades[cell.value]
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
                f"for this judgement; Ofsted's table gives {codes.grades[official.grade].label} "
                f"({official.dataset.rsplit('/', 1)[-1]}). The graph keeps Ofsted's grade."
            )
            stats_list = stats.grades_differ
        else:
            outcome = "cannot-be-checked"
            reason = (
                f"Data to Insight's scrape of Ofsted's report ({where}) gives \"{cell.value}\" "
                "for a care leavers judgement, but the inspection's fieldwork was before 1 "
                "January 2023 and Ofsted's tables judge care leavers together with children in "
                f"care ({codes.grades[official.grade].label}), so there is no grade to compare."
            )
            stats_list = stats.grades_unchecked
        node = reconciliation_iri(
            D2I_HISTORY, f"{found.council}-{found.framework}-{found.published}-{area}"
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
        graph.add(node, OKG + "claimedGrade", IRI(codes.grades[claimed].iri))
        graph.add(node, OKG + "checkedAgainst", IRI(official.iri))
        graph.add(node, OKG + "reconciliationOutcome", IRI(expand("outcome:" + outcome)))
        graph.add(node, OKG + "reason", text(reason, "en"))
        graph.add(node, PROV + "wasDerivedFrom", IRI(D2I_HISTORY))
        graph.add(node, PROV + "wasDerivedFrom", IRI(official.dataset))


def _unjoined_report(graph: Graph, context: Context, item: _D2IRow) -> None:
    """A report that no inspection of Ofsted's tables can be joined to: a document about its
    council, with the reason."""
    record, stats = context.record, context.d2i
    row = item.row
    link = row.cell("inspection_link")
    found = re.fullmatch(r"https://files\.ofsted\.gov\.uk/v1/file/(\d+)", link.value)
    if not found:
        raise link.fail("not an Ofsted file address")
    if len(item.councils) != 1:
        raise row.cell("urn").fail("the Ofsted URN of more than one council")
    gss = item.councils[0]
    council = council_iri(gss)
    doc = file_iri(found.group(1))
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
