"""A small deterministic Turtle writer for the files the converter generates.

Subjects are sorted, ``a`` comes first among the predicates, then the others sorted by IRI, and
each predicate's objects are sorted: the same triples always give the same bytes, and a changed
input table gives a diff of the lines that changed. No blank nodes: every node gets an IRI.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True, order=True)
class IRI:
    value: str


@dataclass(frozen=True, order=True)
class Literal:
    value: str
    datatype: str = ""  # full IRI; "" for a plain or language-tagged string
    lang: str = ""


Term = IRI | Literal

_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def date(value: str) -> Literal:
    return Literal(value, XSD + "date")


def text(value: str, lang: str = "") -> Literal:
    return Literal(value, "", lang)


class Graph:
    """Triples to be written as one Turtle file."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = dict(sorted(prefixes.items()))
        self.triples: dict[str, dict[str, set[Term]]] = defaultdict(lambda: defaultdict(set))

    def add(self, subject: str, predicate: str, obj: Term) -> None:
        self.triples[subject][predicate].add(obj)

    def __len__(self) -> int:
        return sum(len(objs) for preds in self.triples.values() for objs in preds.values())

    def _iri(self, iri: str) -> str:
        best = ""
        best_ns = ""
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and len(ns) > len(best_ns) and _LOCAL.match(iri[len(ns) :]):
                best, best_ns = prefix, ns
        if best_ns:
            return f"{best}:{iri[len(best_ns) :]}"
        return f"<{iri}>"

    def _term(self, term: Term) -> str:
        if isinstance(term, IRI):
            return self._iri(term.value)
        body = '"' + "".join(_ESCAPES.get(c, c) for c in term.value) + '"'
        if term.lang:
            return f"{body}@{term.lang}"
        if term.datatype:
            return f"{body}^^{self._iri(term.datatype)}"
        return body

    def serialise(self, header: str, self_iri: str) -> str:
        """The Turtle text: ``header`` (comment lines), the prefixes, then one block per subject,
        the graph's own node (``self_iri``, written ``<>``) first."""
        lines = [header.rstrip("\n"), ""]
        width = max(len(p) for p in self.prefixes) + 1
        for prefix, ns in self.prefixes.items():
            lines.append(f"@prefix {(prefix + ':').ljust(width)} <{ns}> .")
        subjects = sorted(self.triples, key=lambda s: (s != self_iri, s))
        for subject in subjects:
            lines.append("")
            lines.append("<>" if subject == self_iri else self._iri(subject))
            predicates = sorted(self.triples[subject], key=lambda p: (p != RDF_TYPE, p))
            for i, predicate in enumerate(predicates):
                name = "a" if predicate == RDF_TYPE else self._iri(predicate)
                objects = " , ".join(
                    self._term(o)
                    for o in sorted(self.triples[subject][predicate], key=self._sort_key)
                )
                end = " ." if i == len(predicates) - 1 else " ;"
                lines.append(f"    {name} {objects}{end}")
        return "\n".join(lines) + "\n"

    def _sort_key(self, term: Term) -> tuple[int, str, str, str]:
        if isinstance(term, IRI):
            return (0, term.value, "", "")
        return (1, term.value, term.datatype, term.lang)
