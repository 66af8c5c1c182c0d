"""Reading the source files: the CSV and TSV tables of data/, cell by cell, and Turtle files.

A cell the converter does not expect raises ``ConversionError`` naming
``file:row:column: problem: 'value'``, where row is the line in the file (the header is line 1).
A Turtle file that does not parse raises ``SourceSyntaxError`` with the same one line the build
gives (``path:line:column: message``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import OfstedKgError, SourceSyntaxError, SyntaxProblem


class ConversionError(OfstedKgError):
    """A cell of a source table that the converter cannot read."""

    title = "Conversion error"


@dataclass
class Cell:
    """One cell's value, and where it came from, for error messages."""

    path: str
    row: int
    column: str
    value: str

    def fail(self, problem: str) -> ConversionError:
        return ConversionError(f"{self.path}:{self.row}:{self.column}: {problem}: {self.value!r}")


@dataclass
class Row:
    """One row of a table: its line in the file and its cells by column name."""

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
    """The rows of a table under ``root``, read whole (a byte-order mark is ignored)."""
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
    """YYYY-MM-DD, checked."""
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


def sha256(path: Path) -> str:
    """The hex SHA-256 digest of a file; a file that cannot be read is a ``ConversionError``."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ConversionError(f"{path.name}: cannot read: {exc.strerror or exc}") from None


def load_turtle(store: ox.Store, root: Path, relpath: str, base_iri: str | None = None) -> None:
    """Add the triples of the Turtle file ``root/relpath`` to ``store``."""
    try:
        store.load(path=root / relpath, format=ox.RdfFormat.TURTLE, base_iri=base_iri)
    except SyntaxError as exc:
        raise SourceSyntaxError([SyntaxProblem.from_parser(relpath, exc)]) from None
    except OSError as exc:
        raise ConversionError(f"{relpath}: cannot read: {exc.strerror or exc}") from None
