"""Competency questions: each tests/competency/cqNN-*.rq is a question in English (its first
line, ``# Question: ...``) and a SPARQL query, with its expected answer beside it in SPARQL 1.1 CSV
results (``cqNN-*.csv``). The queries run against the graph exactly as it is served: the project's
own build of this repository into a temporary store (inferred triples included, the default graph
being the union of the named graphs), queried through the store the server uses.

Questions marked ``# Standard vocabularies only`` (and named ``cqNN-std-...``) use no term of the
project's ontology: they prove that a user who knows only PROV-O, ORG, FOAF, SKOS, DCTERMS and
OWL-Time finds councils, people, posts, inspections, grades, documents and claims.

Expected answers are what the source documents say, not what the graph happens to hold: a failure
here is either a broken query or a fact the graph has wrong.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from ofsted_kg.store.directories import open_existing
from ofsted_kg.store.oxigraph import Store

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS_DIR = Path(__file__).parent / "competency"
QUESTIONS = sorted(QUESTIONS_DIR.glob("cq*.rq"))

QUESTION_LINE = re.compile(r"^# Question: \S.*\?$")
STANDARD_MARK = "# Standard vocabularies only"
PROJECT_TERM = re.compile(r"\bokg:|https://w3id\.org/ofsted-kg/def/")
ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)

Row = tuple[str, ...]


# -- The graph as served --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def served(served_store_dir: Path) -> Iterator[Store]:
    """This repository built once per test session by the real build (``conftest``), opened as
    the server does."""
    store = open_existing(served_store_dir)
    yield store
    store.close()


# -- Reading questions and answers ----------------------------------------------------------------


def query_body(text: str) -> str:
    """The query without its comment lines (a '#' inside an IRI is not a comment)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def is_standard_only(path: Path) -> bool:
    return "-std-" in path.stem or any(
        line.startswith(STANDARD_MARK) for line in path.read_text(encoding="utf-8").splitlines()
    )


def expected_answer(path: Path) -> tuple[Row, list[Row]]:
    with path.with_suffix(".csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return tuple(header), [tuple(row) for row in rows]


def lexical(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """A term as SPARQL CSV results write it: IRIs plainly, literals as their lexical form."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    raise TypeError(f"unexpected term in a result row: {term!r}")


def actual_answer(store: Store, text: str) -> tuple[Row, list[Row]]:
    results = store.query(text)
    assert isinstance(results, ox.QuerySolutions), "a competency question must be a SELECT query"
    header = tuple(variable.value for variable in results.variables)
    rows = [tuple(lexical(solution[name]) for name in header) for solution in results]
    return header, rows


def describe(rows: list[Row]) -> str:
    return "\n".join("  " + " | ".join(row) for row in rows) or "  (no rows)"


# -- The tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", QUESTIONS, ids=[path.stem for path in QUESTIONS])
def test_question(path: Path, served: Store) -> None:
    text = path.read_text(encoding="utf-8")
    question = text.splitlines()[0].removeprefix("# Question: ")
    header, rows = actual_answer(served, text)
    expected_header, expected_rows = expected_answer(path)

    assert header == expected_header, f"{question}\nvariables differ from {path.stem}.csv"
    blank = [row for row in rows if any(value.startswith("_:") for value in row)]
    assert not blank, f"{question}\nblank nodes in the answer:\n{describe(blank)}"
    if ORDER_BY.search(query_body(text)):
        assert rows == expected_rows, (
            f"{question}\nexpected (in order):\n{describe(expected_rows)}\ngot:\n{describe(rows)}"
        )
    else:
        missing = Counter(expected_rows) - Counter(rows)
        extra = Counter(rows) - Counter(expected_rows)
        assert not missing and not extra, (
            f"{question}\nmissing:\n{describe(list(missing.elements()))}\n"
            f"unexpected:\n{describe(list(extra.elements()))}"
        )


def test_every_question_has_an_answer_file_and_a_question_line() -> None:
    assert QUESTIONS, f"no competency questions in {QUESTIONS_DIR}"
    for path in QUESTIONS:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert QUESTION_LINE.match(first), f"{path.name}: first line must be '# Question: ...?'"
        assert path.with_suffix(".csv").is_file(), f"{path.name} has no expected answer beside it"
        header, rows = expected_answer(path)
        assert header and all(header), f"{path.stem}.csv needs a header of variable names"
        assert rows, f"{path.stem}.csv expects no rows: a question that cannot fail tests nothing"
    answers = {path.stem for path in QUESTIONS_DIR.glob("*.csv")}
    orphans = sorted(answers - {path.stem for path in QUESTIONS})
    assert not orphans, f"answers without a question: {orphans}"


def test_at_least_25_questions() -> None:
    assert len(QUESTIONS) >= 25


def test_at_least_10_standard_vocabulary_questions() -> None:
    marked = [path for path in QUESTIONS if is_standard_only(path)]
    using_project_terms = [
        path.name
        for path in marked
        if PROJECT_TERM.search(query_body(path.read_text(encoding="utf-8")))
    ]
    assert not using_project_terms, (
        f"marked standard-vocabulary-only but use okg: terms: {using_project_terms}"
    )
    assert len(marked) >= 10
