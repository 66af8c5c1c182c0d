"""The converter from Ofsted's tables to graph/official and graph/identity (server/convert/)."""

from __future__ import annotations

import csv
import hashlib
import shutil
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from ofsted_kg.build.pipeline import check_generated
from ofsted_kg.cli import main
from ofsted_kg.convert import official
from ofsted_kg.convert.codes import TABLE_FRAMEWORKS, read_codes
from ofsted_kg.convert.d2i import T_D2I, TABLES_COVER
from ofsted_kg.convert.inspections import (
    BLOCKS_2009,
    CARE_LEAVERS_BLANK_NOTE,
    COMBINED_NOTE_2023,
    INSPECTION_TYPES,
    NOT_PROVIDED_NOTE,
    T2009,
    T_HISTORY,
    T_IN_YEAR,
    council_for_2009_row,
)
from ofsted_kg.convert.publications import WORDING_NOTE_TEXT
from ofsted_kg.convert.reading import Row
from ofsted_kg.convert.terms import (
    BASE,
    CSC_2023,
    DEF,
    ID,
    OUTCOMES_2025,
    inspection_iri,
    judgement_iri,
)
from ofsted_kg.errors import SourceError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def conversion() -> official.Conversion:
    return official.convert(ROOT)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what the converter reads: data/ (raw files linked), ontology/, graph/seeds/."""
    shutil.copytree(ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("raw"))
    (tmp_path / "data" / "raw").mkdir()
    for raw in (ROOT / "data" / "raw").iterdir():
        (tmp_path / "data" / "raw" / raw.name).symlink_to(raw)
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    shutil.copytree(ROOT / "graph" / "seeds", tmp_path / "graph" / "seeds")
    return tmp_path


def set_cell(path: Path, line: int, column: str, value: str) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_the_generated_files_are_up_to_date_with_the_tables() -> None:
    assert official.stale(ROOT) == []


def test_two_conversions_give_byte_identical_files(conversion: official.Conversion) -> None:
    assert official.convert(ROOT).files == conversion.files


def test_a_malformed_date_names_file_row_and_column(tree: Path) -> None:
    column = "Safeguarding & Looked After Children (SLAC) Inspection publication date"
    set_cell(tree / T2009, 57, column, "not a date")
    with pytest.raises(official.ConversionError) as caught:
        official.convert(tree)
    assert str(caught.value) == (
        f"data/ofsted_la_inspections_2009_2023.csv:57:{column}: not a date (YYYY-MM-DD): "
        "'not a date'"
    )


def test_an_unexpected_grade_names_file_row_and_column(tree: Path) -> None:
    set_cell(tree / T_HISTORY, 3, "Overall effectiveness", "Adequate")
    with pytest.raises(
        official.ConversionError,
        match=r"^data/ofsted_ilacs_inspection_history"
        r"_2018_2025\.csv:3:Overall effectiveness: not a grade of the",
    ):
        official.convert(tree)


def test_the_convert_command_reports_a_bad_cell_and_exits_1(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_cell(tree / T_IN_YEAR, 2, "Inspection/Visit type", "Spot check")
    assert main(["convert", "--root", str(tree)]) == 1
    assert (
        "ofsted_la_in_year_inspections_2024_25.csv:2:Inspection/Visit type: not an "
        "inspection or visit type: 'Spot check'" in capsys.readouterr().err
    )


def test_the_build_refuses_stale_generated_files_and_convert_fixes_them(tree: Path) -> None:
    assert main(["convert", "--root", str(tree)]) == 0
    check_generated(tree)  # up to date
    set_cell(tree / T2009, 64, "TLAC Overall Effectiveness (OE)", "Good")
    with pytest.raises(SourceError, match=r"ofsted-la-inspections-2009-2023\.ttl"):
        check_generated(tree)
    assert main(["convert", "--check", "--root", str(tree)]) == 1
    assert main(["convert", "--root", str(tree)]) == 0
    check_generated(tree)


def test_counts_of_councils_inspections_and_judgements(conversion: official.Conversion) -> None:
    record = conversion.record
    assert len(record.councils) == 158  # 156 in the 2009-2023 table, Cumberland, W. and Furness
    by_framework = Counter(j.framework for j in official.iter_judgements(record))
    assert by_framework == {
        "slac": 303,
        "slac-reinspection": 11,
        "cpi": 50,
        "cpri": 1,
        "tlac": 5,
        "sif": 1060,
        "sif-reinspection": 126,
        "ilacs-standard": 735,
        "ilacs-short": 452,
    }
    assert len(record.inspections) == 721


def test_every_cell_of_the_2009_2023_table_is_a_judgement_on_the_scale_of_its_time(
    conversion: official.Conversion,
) -> None:
    """Every graded cell of Ofsted's table, checked against the record (a held-out style sample
    that is in fact the whole table)."""
    record = conversion.record
    councils = {}
    checked = 0
    with (ROOT / T2009).open(encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            gss = council_for_2009_row(record, Row("t", line, row))
            councils[gss] = True
            for kind, date_column, areas in BLOCKS_2009:
                for area, column in areas:
                    printed = row[column]
                    if not printed or printed == "-":
                        continue
                    if row[date_column] == "2022-11-05" and gss == "E06000018":
                        row[date_column] = "2022-09-05"  # the 2025 table's date (editorialNote)
                    leavers = "Second ILACS framework experiences and progress of care leavers"
                    if column.startswith("Second ILACS") and not row[leavers]:
                        area = area.replace(  # Note 5: the combined judgement before 2023
                            "children-in-care", "children-in-care-and-care-leavers"
                        )
                    framework = kind if kind in TABLE_FRAMEWORKS else INSPECTION_TYPES[row[kind]]
                    if (gss, row[date_column]) == ("E09000024", "2022-05-09"):
                        framework = "ilacs-short"  # the 2025 table's type (see editorialNote)
                    iri = judgement_iri(gss, framework, row[date_column], area)
                    judgement = record.judgements[iri][0]
                    assert judgement.printed == printed
                    old = framework in ("slac", "slac-reinspection", "cpi", "cpri", "tlac")
                    assert judgement.grade.startswith("g2009:" if old else "g2013:")
                    checked += 1
    assert len(councils) == 156
    assert checked == 2273


def test_a_sample_of_official_facts(conversion: official.Conversion) -> None:
    grades = {iri: js[0].grade for iri, js in conversion.record.judgements.items()}
    j = judgement_iri
    assert grades[j("E10000016", "cpi", "2013-01-15", "overall-effectiveness")] == "g2009:adequate"
    assert grades[j("E10000016", "slac", "2010-11-19", "safeguarding")] == "g2009:inadequate"
    assert grades[j("E10000016", "sif", "2017-06-13", "help-and-protection")] == (
        "g2013:requires-improvement"
    )
    assert grades[j("E10000016", "ilacs-standard", "2022-07-05", "overall-effectiveness")] == (
        "g2013:outstanding"
    )
    # From 2023 ILACS judges care leavers apart (Hertfordshire, inspected 23 January 2023).
    assert grades[j("E10000015", "ilacs-short", "2023-03-10", "care-leavers")] == "g2013:good"
    assert grades[j("E10000015", "ilacs-short", "2023-03-10", "children-in-care")] == (
        "g2013:outstanding"
    )


def load(conversion: official.Conversion) -> ox.Store:
    store = ox.Store()
    for relpath, content in conversion.files.items():
        graph = BASE + relpath.removesuffix(".ttl")
        store.load(
            content.encode(),
            format=ox.RdfFormat.TURTLE,
            base_iri=graph,
            to_graph=ox.NamedNode(graph),
        )
    return store


def test_every_official_judgement_comes_from_a_checksummed_dataset(
    conversion: official.Conversion,
) -> None:
    store = load(conversion)
    unsourced = list(
        store.query("""
        PREFIX okg: <https://w3id.org/ofsted-kg/def/>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT DISTINCT ?j WHERE { GRAPH ?g { ?j a okg:Judgement }
          FILTER NOT EXISTS { GRAPH ?h { ?j prov:wasDerivedFrom ?d } GRAPH ?k {
            ?d a dcat:Dataset ; dcat:distribution/spdx:checksum/spdx:checksumValue ?v } } }
    """)
    )  # type: ignore[arg-type]
    assert unsourced == []
    sums = {
        str(s["id"].value): str(s["v"].value)
        for s in store.query("""
            PREFIX dct: <http://purl.org/dc/terms/>
            PREFIX spdx: <http://spdx.org/rdf/terms#>
            SELECT ?id ?v WHERE {
              GRAPH ?g { ?d dct:identifier ?id ; spdx:checksum/spdx:checksumValue ?v }
            }
        """)  # type: ignore[union-attr]
    }
    assert sums  # the CSV extractions
    for relpath, digest in sums.items():
        assert hashlib.sha256((ROOT / relpath).read_bytes()).hexdigest() == digest


def test_ofsteds_note_on_wording_is_quoted_from_the_publication() -> None:
    ods = ROOT / "data/raw/Childrens_social_care_in_England_2023_underlying_data.ods"
    content = zipfile.ZipFile(ods).read("content.xml").decode()
    assert WORDING_NOTE_TEXT.replace("'", "&apos;") in content or (WORDING_NOTE_TEXT in content)


# -- Marks other than grades ("-", empty cells) ------------------------------------------------


def test_dashes_are_areas_not_graded_with_a_note(conversion: official.Conversion) -> None:
    """The five "-" cells of the 2009-2023 table: no judgement, an okg:notGradedArea and a note
    naming the cell, for each."""
    dashes = []
    with (ROOT / T2009).open(encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            dashes += [(line, column) for column, value in row.items() if value.strip() == "-"]
    assert len(dashes) == 5
    store = load(conversion)
    found = {
        (str(s["i"].value), str(s["a"].value))
        for s in store.query("""
            PREFIX okg: <https://w3id.org/ofsted-kg/def/>
            SELECT ?i ?a WHERE { GRAPH ?g { ?i okg:notGradedArea ?a } }
        """)  # type: ignore[union-attr]
    }
    area = DEF + "area/"
    assert found == {
        (inspection_iri("E09000001", "sif", "2016-09-20"), area + "adoption"),
        (
            inspection_iri("E06000053", "slac", "2012-07-03"),
            area + "looked-after-children",
        ),
        (inspection_iri("E06000053", "sif", "2016-06-27"), area + "adoption"),
        (inspection_iri("E06000053", "sif", "2016-06-27"), area + "care-leavers"),
        (
            inspection_iri("E06000053", "sif", "2016-06-27"),
            area + "looked-after-permanence",
        ),
    }
    for iri, area_iri in found:
        assert (
            judgement_iri(*iri.split("/id/inspection/")[1].split("/"), area_iri.rsplit("/", 1)[1])
            not in conversion.record.judgements
        )
    text = conversion.files["graph/official/ofsted-la-inspections-2009-2023.ttl"]
    for line, column in dashes:
        assert f'line {line}, column \\"{column}\\") prints \\"-\\"' in text


def test_an_empty_grade_cell_of_an_inspection_is_an_error(tree: Path) -> None:
    set_cell(tree / T2009, 27, "First SIF CLA Sub: Adoption Performance", "")
    with pytest.raises(official.ConversionError) as caught:
        official.convert(tree)
    assert str(caught.value).startswith(
        "data/ofsted_la_inspections_2009_2023.csv:27:First SIF CLA Sub: Adoption Performance: "
        "an empty grade cell for an inspection that has a date"
    )


def test_a_dash_without_a_date_is_an_error(tree: Path) -> None:
    set_cell(tree / T2009, 2, "TLAC Overall Effectiveness (OE)", "-")  # no TLAC
    with pytest.raises(
        official.ConversionError,
        match=r"csv:2:TLAC Overall Effectiveness \(OE\): a grade without a date",
    ):
        official.convert(tree)


def test_a_blank_care_leavers_grade_after_2023_is_an_error(tree: Path) -> None:
    """The 2025 tables leave the care leavers column blank only before 2023 (their own note)."""
    with (tree / T_HISTORY).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    line = next(
        n
        for n, row in enumerate(rows, start=2)
        if row["Inspection date"] >= "2023-01-01"
        and row["The experiences and progress of care leavers"]
    )
    set_cell(tree / T_HISTORY, line, "The experiences and progress of care leavers", "")
    with pytest.raises(
        official.ConversionError,
        match=rf"_2025\.csv:{line}:The experiences and progress of care leavers: an empty grade",
    ):
        official.convert(tree)


def test_the_2023_tables_children_in_care_before_2023_is_the_combined_judgement(
    conversion: official.Conversion,
) -> None:
    """Note 5 of the 2023 publication: its "children in care" column holds the old combined
    sub-judgement for inspections before 2023, so no inspection has both."""
    areas: dict[str, set[str]] = {}
    for j in official.iter_judgements(conversion.record):
        areas.setdefault(inspection_iri(j.council, j.framework, j.published), set()).add(j.area)
    both = [
        i
        for i, a in areas.items()
        if {"children-in-care", "children-in-care-and-care-leavers"} <= a
    ]
    assert both == []
    j = judgement_iri(
        "E08000035", "ilacs-standard", "2022-05-09", "children-in-care-and-care-leavers"
    )
    assert {v.dataset for v in conversion.record.judgements[j]} == {
        CSC_2023,
        OUTCOMES_2025,
    }
    # Each such grade says where the table prints it and quotes Note 5 (14 second ILACS
    # inspections published before 2023 have no care leavers grade in the 2023 table).
    text = conversion.files["graph/official/ofsted-la-inspections-2009-2023.ttl"]
    assert text.count("its Note 5 says") == 14


def test_nottinghams_second_ilacs_follows_the_2025_tables_date(
    conversion: official.Conversion,
) -> None:
    inspections = conversion.record.inspections
    assert inspection_iri("E06000018", "ilacs-standard", "2022-11-05") not in inspections
    found = inspections[inspection_iri("E06000018", "ilacs-standard", "2022-09-05")]
    assert found.datasets == {CSC_2023, OUTCOMES_2025}
    assert (
        "gives the publication date as 2022-11-05"
        in conversion.files["graph/official/ofsted-la-inspections-2009-2023.ttl"]
    )


def test_notes_quoted_from_ofsteds_publications_are_there_verbatim() -> None:
    def content(name: str) -> str:
        text = zipfile.ZipFile(ROOT / "data/raw" / name).read("content.xml").decode()
        return text.replace("&apos;", "'").replace("&quot;", '"')

    csc = content("Childrens_social_care_in_England_2023_underlying_data.ods")
    outcomes = content("LA_Inspection_Outcomes_as_at_31_March_2025.ods")
    assert NOT_PROVIDED_NOTE in csc
    assert COMBINED_NOTE_2023 in csc
    assert CARE_LEAVERS_BLANK_NOTE in outcomes
    assert TABLES_COVER in outcomes


# -- Data to Insight's report links ------------------------------------------------------------


def test_every_data_to_insight_row_is_joined_or_linked_to_its_council_with_a_reason(
    conversion: official.Conversion,
) -> None:
    d2i = conversion.d2i
    assert d2i.rows == 497
    assert (d2i.joined, d2i.joined_other_type, d2i.joined_near) == (436, 1, 6)
    assert (d2i.after_tables, d2i.unmatched) == (53, 1)
    assert (
        d2i.joined + d2i.joined_other_type + d2i.joined_near + d2i.after_tables + d2i.unmatched
        == d2i.rows
    )
    text = conversion.files["graph/official/d2i-ilacs-reports.ttl"]
    unlinked = [b for b in text.split("\n\n") if b.startswith("doc:ofsted-file-")]
    assert len(unlinked) == 54
    assert all(
        "It is linked to the council only." in b and "dct:subject council:" in b for b in unlinked
    )
    # The one report of Ofsted's period that matches no inspection: Surrey, 3 August 2015 (its
    # SIF report of 3 June 2015 is joined to the inspection).
    surrey = [b for b in unlinked if "Ofsted's tables have no inspection of this council" in b]
    assert len(surrey) == 1 and "doc:ofsted-file-50004302" in surrey[0]


def test_reports_joined_by_a_rule_other_than_the_same_day_say_so(
    conversion: official.Conversion,
) -> None:
    text = conversion.files["graph/official/d2i-ilacs-reports.ttl"]
    near = {
        ("E10000020", "sif", "2015-10-19"),  # Norfolk: file name 20 October 2015
        ("E06000010", "sif", "2015-02-03"),  # Hull: 10 February 2015
        ("E09000012", "sif", "2016-09-20"),  # Hackney: 21 September 2016
        ("E08000003", "sif", "2014-09-01"),  # Manchester: 3 September 2014
        ("E06000039", "sif", "2014-02-11"),  # Slough: 14 February 2014
        ("E06000021", "sif", "2015-08-10"),  # Stoke-on-Trent: 12 August 2015
    }
    for key in near:
        block = next(
            b for b in text.split("\n\n") if b.startswith("doc:ofsted-report-" + "-".join(key))
        )
        assert "the date in its file name" in block
    doncaster = next(
        b
        for b in text.split("\n\n")
        if b.startswith("doc:ofsted-report-E08000017-sif-reinspection-2018-01-19")
    )
    assert 'gives this report\'s framework as \\"standard\\"' in doncaster
    # No inspection gets two reports.
    store = load(conversion)
    doubled = list(
        store.query("""
        PREFIX okg: <https://w3id.org/ofsted-kg/def/>
        SELECT ?i WHERE {
          GRAPH ?g { ?i okg:report ?r } GRAPH ?h { ?i okg:report ?s } FILTER(?r != ?s)
        }
    """)
    )  # type: ignore[arg-type]
    assert doubled == []


def test_data_to_insights_grades_that_differ_from_ofsteds_are_reconciliations(
    conversion: official.Conversion,
) -> None:
    """Where both give a grade, Data to Insight's agrees with Ofsted's but for these, each stated
    in the graph as an okg:Reconciliation with outcome differs (or cannot be checked)."""
    d2i = conversion.d2i
    assert d2i.grades_agree == 1166
    base = ID + "reconciliation/d2i-ofsted-csc-ilacs-history/"
    assert sorted(d2i.grades_differ) == [
        base + "E08000005-ilacs-standard-2018-03-12-children-in-care",  # Rochdale: RI vs Good
        base + "E08000013-ilacs-standard-2023-09-04-care-leavers",  # St Helens: Good vs Outstanding
        base + "E08000013-ilacs-standard-2023-09-04-children-in-care",  # RI vs Good
        base + "E08000013-ilacs-standard-2023-09-04-help-and-protection",  # Good vs RI
        base + "E10000025-ilacs-short-2018-05-22-children-in-care",  # Oxfordshire: RI vs Good
    ]
    assert sorted(d2i.grades_unchecked) == [
        base + "E06000003-ilacs-standard-2022-09-22-care-leavers",  # Redcar and Cleveland
        base + "E06000018-ilacs-standard-2022-09-05-care-leavers",  # Nottingham
    ]
    text = conversion.files["graph/official/d2i-ilacs-reports.ttl"]
    assert text.count("okg:reconciliationOutcome outcome:differs") == 5
    assert text.count("okg:reconciliationOutcome outcome:cannot-be-checked") == 2
    # Check the facts behind one by hand: St Helens, published 4 September 2023.
    with (ROOT / T_D2I).open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["inspection_link"].endswith("/50227184"))
    assert (row["help_and_protection_grade"], row["in_care_grade"], row["care_leavers_grade"]) == (
        "good",
        "requires improvement",
        "good",
    )
    grades = conversion.record.judgements
    j = judgement_iri
    assert (
        grades[j("E08000013", "ilacs-standard", "2023-09-04", "help-and-protection")][0].grade
        == "g2013:requires-improvement"
    )
    assert (
        grades[j("E08000013", "ilacs-standard", "2023-09-04", "care-leavers")][0].grade
        == "g2013:outstanding"
    )


def test_an_unexpected_data_to_insight_grade_is_an_error(tree: Path) -> None:
    with (tree / T_D2I).open(encoding="utf-8-sig") as handle:
        line = next(
            n
            for n, r in enumerate(csv.DictReader(handle), start=2)
            if r["overall_effectiveness_grade"] == "good"
        )
    set_cell(tree / T_D2I, line, "overall_effectiveness_grade", "rather good")
    with pytest.raises(
        official.ConversionError,
        match=rf"d2i_ofsted_csc_ilacs_history\.csv:{line}:overall_effectiveness_grade: not a grade",
    ):
        official.convert(tree)


# -- The code lists of ontology/ and the registry of readers ------------------------------------


def edit(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == 1, old
    path.write_text(content.replace(old, new), encoding="utf-8")


def test_the_code_lists_are_read_from_the_ontology(tmp_path: Path) -> None:
    """Change a grade's label, a council type's code, a framework's scale and an area's broader
    area in a copy of ontology/: the code lists follow (none is a copy in Python)."""
    g2009, g2013 = DEF + "grade/2009", DEF + "grade/2013"
    codes = read_codes(ROOT)
    assert codes.grades["g2013:requires-improvement"].label == "Requires improvement to be good"
    assert codes.printed[g2013]["Requires improvement to be good"] == "g2013:requires-improvement"
    assert codes.printed[g2009]["Requires improvement to be good"] == "g2009:adequate"
    assert codes.council_types["UA"] == DEF + "council-type/ua"
    assert codes.frameworks["sif-reinspection"].scale == g2013
    assert codes.broader[DEF + "area/adoption"] == DEF + "area/looked-after-permanence"
    assert codes.close("g2009:adequate", "g2013:requires-improvement")

    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    ontology = tmp_path / "ontology"
    edit(
        ontology / "grades.ttl",
        'skos:prefLabel "Requires improvement to be good"@en',
        'skos:prefLabel "Requires improvement to be better"@en',
    )
    edit(ontology / "official.ttl", 'skos:notation "UA"', 'skos:notation "UNI"')
    edit(
        ontology / "official.ttl",
        'skos:altLabel "SIF re-inspection"@en ;\n'
        "    skos:definition \"Ofsted's re-inspection of a council's children's services under "
        'the single inspection framework, with an overall judgement and sub-judgements."@en ;\n'
        "    skos:inScheme <https://w3id.org/ofsted-kg/def/scheme/frameworks> ;\n"
        "    okg:gradeScale <https://w3id.org/ofsted-kg/def/grade/2013>",
        'skos:altLabel "SIF re-inspection"@en ;\n'
        "    skos:definition \"Ofsted's re-inspection of a council's children's services under "
        'the single inspection framework, with an overall judgement and sub-judgements."@en ;\n'
        "    skos:inScheme <https://w3id.org/ofsted-kg/def/scheme/frameworks> ;\n"
        "    okg:gradeScale <https://w3id.org/ofsted-kg/def/grade/2009>",
    )
    edit(
        ontology / "areas.ttl",
        "skos:broader area:looked-after-permanence ;\n"
        "    skos:inScheme <https://w3id.org/ofsted-kg/def/scheme/areas> .\n\n"
        "area:care-leavers",
        "skos:broader area:overall-effectiveness ;\n"
        "    skos:inScheme <https://w3id.org/ofsted-kg/def/scheme/areas> .\n\n"
        "area:care-leavers",
    )
    changed = read_codes(tmp_path)
    assert changed.grades["g2013:requires-improvement"].label == "Requires improvement to be better"
    assert changed.printed[g2013] == {
        "Outstanding": "g2013:outstanding",
        "Good": "g2013:good",
        "Requires improvement to be better": "g2013:requires-improvement",
        "Inadequate": "g2013:inadequate",
    }
    # The older scale is printed in the words of its skos:closeMatch on the newer one.
    assert changed.printed[g2009]["Requires improvement to be better"] == "g2009:adequate"
    assert "Requires improvement to be good" not in changed.printed[g2009]
    assert "UA" not in changed.council_types
    assert changed.council_types["UNI"] == DEF + "council-type/ua"
    assert changed.frameworks["sif-reinspection"].scale == g2009
    assert changed.broader[DEF + "area/adoption"] == DEF + "area/overall-effectiveness"


def test_the_converter_reads_the_grade_scales_from_the_ontology(tree: Path) -> None:
    """Without the skos:closeMatch of Adequate and Requires improvement in ontology/grades.ttl,
    the 2009-2023 table's "Requires improvement to be good" for a SLAC grade is no grade."""
    for grade in ("g2009:adequate", "g2013:requires-improvement"):
        content = (tree / "ontology" / "grades.ttl").read_text(encoding="utf-8")
        start = content.index(f"\n{grade}\n")
        block_end = content.index(" .\n", start)
        block = content[start:block_end]
        cut = "\n".join(line for line in block.split("\n") if "skos:closeMatch" not in line)
        (tree / "ontology" / "grades.ttl").write_text(
            content[:start] + cut + content[block_end:], encoding="utf-8"
        )
    assert "closeMatch g2013:requires-improvement" not in (
        tree / "ontology" / "grades.ttl"
    ).read_text(encoding="utf-8")
    with pytest.raises(
        official.ConversionError,
        match=r"^data/ofsted_la_inspections_2009_2023\.csv:\d+:SLAC .*: not a grade of the slac "
        r"framework's scale \('Outstanding', 'Good', 'Adequate', 'Inadequate'\)",
    ):
        official.convert(tree)


def test_each_reader_comes_after_the_readers_it_reads(conversion: official.Conversion) -> None:
    official.check_registry(official.READERS)
    assert [r.path for r in official.READERS] == list(conversion.files)
    history, table_2009 = official.READERS[:2]
    assert table_2009.reads == (history.graph,)
    with pytest.raises(ValueError, match="reads official/ofsted-ilacs-history-2018-2025, which"):
        official.check_registry([table_2009, history, *official.READERS[2:]])
    with pytest.raises(ValueError, match="adds nothing"):
        official.check_registry([replace(history, adds=()), *official.READERS[1:]])
