"""The SPARQL queries of the linked-data pages, one ``.rq`` file each beside this module, read once,
and the one way their parameters are filled in.

Every file runs as it is, against the graph as served::

    ofsted-kg query @server/web/linked_data/queries/judgements.rq

As written, each asks about an example (Kent, one of its inspections, one of the claims about it)
under the default base IRI. The server changes only two kinds of line, never the body of a query:

- ``PREFIX name: <IRI>  # parameter: ...`` is a parameter naming one thing: the caller gives
  ``name=IRI``, and the query says ``name:`` wherever it means that thing (a prefixed name with
  nothing after the colon is the prefix's IRI itself, so SPARQL does the substitution);
- ``VALUES ?name { <IRI> ... }  # parameter: ...`` is a parameter naming a list of things.

Any other prefix under the default base (``okg:``, ``inferred:``) follows the base the server is
configured with; the standard vocabularies' prefixes are left as they are.

Every IRI given is checked by pyoxigraph and written back in its canonical form, so no value can
break out of its angle brackets: one that is no IRI is a ``ValueError``. A parameter missing or
unknown is a ``TypeError`` (as for a function called with the wrong arguments), never a query about
the example.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import pyoxigraph as ox

from ....config import DEFAULT_BASE

FOLDER = Path(__file__).resolve().parent

# One declaration a line, as the files write them (see the module's docstring).
PREFIX_LINE = re.compile(
    r"^PREFIX[ \t]+(?P<name>[A-Za-z][\w.-]*)?:[ \t]*<(?P<iri>[^<>\s]*)>[ \t]*(?P<comment>#.*)?$",
    re.MULTILINE,
)
VALUES_LINE = re.compile(
    r"^(?P<indent>[ \t]*)VALUES[ \t]+\?(?P<name>\w+)[ \t]*\{[^{}\n]*\}[ \t]*"
    r"(?P<comment>#[ \t]*parameter\b.*)$",
    re.MULTILINE,
)
PARAMETER = re.compile(r"^#[ \t]*parameter\b")


def checked(value: str) -> str:
    """An IRI written for a query: ``<...>`` once pyoxigraph has read it (ValueError if it is
    no IRI)."""
    if not isinstance(value, str):
        raise TypeError(f"an IRI is a str, not {type(value).__name__}")
    return str(ox.NamedNode(value))


@dataclass(frozen=True)
class Query:
    """One ``.rq`` file: its text as written, and the parameters it declares."""

    name: str
    text: str
    prefixes: Mapping[str, str]  # every prefix declared, to its IRI as written
    single: frozenset[str]  # ``PREFIX name: <IRI>  # parameter``: one IRI each
    lists: frozenset[str]  # ``VALUES ?name { ... }  # parameter``: a list of IRIs each

    @property
    def question(self) -> str:
        """What it asks: its first comment, in English."""
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("#"):
                break
            lines.append(line.lstrip("# ").strip())
        return " ".join(lines)

    def fill(self, base: str, /, **values: str | Iterable[str]) -> str:
        """The text to run, for the server's ``base`` and the parameters' ``values``."""
        expected = self.single | self.lists
        missing, unknown = sorted(expected - values.keys()), sorted(values.keys() - expected)
        if missing or unknown:
            raise TypeError(f"{self.name}.rq: parameters missing {missing}, unknown {unknown}")

        def prefix(match: re.Match[str]) -> str:
            name, written = match["name"] or "", match["iri"]
            if name in self.single:
                value = values[name]
                if not isinstance(value, str):
                    raise TypeError(f"{self.name}.rq: {name} is one IRI, not a list")
                iri = checked(value)
            elif written.startswith(DEFAULT_BASE):
                iri = checked(base + written[len(DEFAULT_BASE) :])
            else:
                return match[0]
            comment = f"  {match['comment']}" if match["comment"] else ""
            return f"PREFIX {name}: {iri}{comment}"

        def listed(match: re.Match[str]) -> str:
            given = values[match["name"]]
            if isinstance(given, str):
                raise TypeError(f"{self.name}.rq: {match['name']} is a list of IRIs, not one")
            terms = " ".join(checked(v) for v in given)
            return f"{match['indent']}VALUES ?{match['name']} {{ {terms} }}  {match['comment']}"

        return VALUES_LINE.sub(listed, PREFIX_LINE.sub(prefix, self.text))


def read(path: Path) -> Query:
    """A query file, with the parameters its marked lines declare."""
    text = path.read_text(encoding="utf-8")
    prefixes: dict[str, str] = {}
    single: set[str] = set()
    for match in PREFIX_LINE.finditer(text):
        name = match["name"] or ""
        if name in prefixes:
            raise ValueError(f"{path.name}: the prefix {name}: is declared twice")
        prefixes[name] = match["iri"]
        if match["comment"] and PARAMETER.match(match["comment"]):
            single.add(name)
    lists = [match["name"] for match in VALUES_LINE.finditer(text)]
    if len(set(lists)) != len(lists) or single & set(lists):
        raise ValueError(f"{path.name}: a parameter is declared twice")
    return Query(path.stem, text, MappingProxyType(prefixes), frozenset(single), frozenset(lists))


def read_all(folder: Path = FOLDER) -> Mapping[str, Query]:
    return MappingProxyType({path.stem: read(path) for path in sorted(folder.glob("*.rq"))})


QUERIES = read_all()


def fill(name: str, base: str, /, **values: str | Iterable[str]) -> str:
    """The text of ``queries/<name>.rq`` to run, its parameters filled in (``Query.fill``)."""
    return QUERIES[name].fill(base, **values)
