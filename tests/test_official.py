"""The converter from Ofsted's tables to graph/official and graph/identity (server/official.py)."""

from __future__ import annotations

import csv
import hashlib
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from ofsted_kg import official
from ofsted_kg.build import check_generated
from ofsted_kg.cli import main
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
    set_cell(tree / official.T2009, 57, column, "not a date")
    with pytest.raises(official.ConversionError) as caught:
        official.convert(tree)
    assert str(caught.value) == (
        f"data/ofsted_la_inspections_2009_2023.csv:57:{column}: not a date (YYYY-MM-DD): "
        "'not a date'"
    )


def test_an_unexpected_grade_names_file_row_and_column(tree: Path) -> None:
    set_cell(tree / official.T_HISTORY, 3, "Overall effectiveness", "Adequate")
    with pytest.raises(
        official.ConversionError,
        match=r"^data/ofsted_ilacs_inspection_history"
        r"_2018_2025\.csv:3:Overall effectiveness: not a grade of the",
    ):
        official.convert(tree)


def test_the_convert_command_reports_a_bad_cell_and_exits_1(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_cell(tree / official.T_IN_YEAR, 2, "Inspection/Visit type", "Spot check")
    assert main(["convert", "--root", str(tree)]) == 1
    assert (
        "ofsted_la_in_year_inspections_2024_25.csv:2:Inspection/Visit type: not an "
        "inspection or visit type: 'Spot check'" in capsys.readouterr().err
    )


def test_the_build_refuses_stale_generated_files_and_convert_fixes_them(tree: Path) -> None:
    assert main(["convert", "--root", str(tree)]) == 0
    check_generated(tree)  # up to date
    set_cell(tree / official.T2009, 64, "TLAC Overall Effectiveness (OE)", "Good")
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
        "ilacs-standard": 752,
        "ilacs-short": 452,
    }
    assert len(record.inspections) == 722


def test_every_cell_of_the_2009_2023_table_is_a_judgement_on_the_scale_of_its_time(
    conversion: official.Conversion,
) -> None:
    """Every graded cell of Ofsted's table, checked against the record (a held-out style sample
    that is in fact the whole table)."""
    record = conversion.record
    councils = {}
    checked = 0
    with (ROOT / official.T2009).open(encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            gss = official.council_for_2009_row(record, official.Row("t", line, row))
            councils[gss] = True
            for kind, date_column, areas in official.BLOCKS_2009:
                for area, column in areas:
                    printed = row[column]
                    if not printed or printed == "-":
                        continue
                    framework = (
                        kind
                        if kind in official.FRAMEWORKS
                        else (official.INSPECTION_TYPES[row[kind]])
                    )
                    if (gss, row[date_column]) == ("E09000024", "2022-05-09"):
                        framework = "ilacs-short"  # the 2025 table's type (see editorialNote)
                    iri = official.judgement_iri(gss, framework, row[date_column], area)
                    judgement = record.judgements[iri][0]
                    assert judgement.printed == printed
                    old = framework in ("slac", "slac-reinspection", "cpi", "cpri", "tlac")
                    assert judgement.grade.startswith("g2009:" if old else "g2013:")
                    checked += 1
    assert len(councils) == 156
    assert checked == 2273


def test_a_sample_of_official_facts(conversion: official.Conversion) -> None:
    grades = {iri: js[0].grade for iri, js in conversion.record.judgements.items()}
    j = official.judgement_iri
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
        graph = official.BASE + relpath.removesuffix(".ttl")
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
    assert official.WORDING_NOTE_TEXT.replace("'", "&apos;") in content or (
        official.WORDING_NOTE_TEXT in content
    )


def test_kent_reconciliation_outcomes(conversion: official.Conversion) -> None:
    text = conversion.files["graph/official/reconciliation.ttl"]
    outcomes = Counter(
        line.split("outcome:")[1].rstrip(" ;.")
        for line in text.splitlines()
        if "okg:reconciliationOutcome" in line
    )
    assert outcomes == {"agrees": 15, "cannot-be-checked": 2}
    assert 'printed \\"Requires improvement to be good\\" in Ofsted\'s table' in text
