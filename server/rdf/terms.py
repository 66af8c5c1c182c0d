"""Terms between Oxigraph and rdflib (pySHACL and the reasoner's reference, owlrl, speak rdflib)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator

import pyoxigraph as ox
import rdflib
from rdflib.term import Identifier

from .namespaces import XSD_STRING


class _QuietLiteralWarnings(logging.Filter):
    """rdflib logs a traceback for every ill-typed literal; SHACL reports those properly."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal")


@contextlib.contextmanager
def quiet_rdflib() -> Iterator[None]:
    logger = logging.getLogger("rdflib.term")
    quiet = _QuietLiteralWarnings()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(
            term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False
        )
    raise TypeError(f"cannot convert {term!r} to rdflib")


def from_rdflib(term: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to an Oxigraph term")


OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
RdflibTriple = tuple[Identifier, Identifier, Identifier]


def rdflib_triples(
    items: Iterable[ox.Quad | ox.Triple], cache: dict[OxTerm, Identifier] | None = None
) -> Iterator[RdflibTriple]:
    """The triples of quads (or triples) in rdflib terms, each term converted once (``cache``
    may be shared between calls)."""
    cache = {} if cache is None else cache

    def convert(term: OxTerm) -> Identifier:
        found = cache.get(term)
        if found is None:
            found = cache[term] = to_rdflib(term)
        return found

    for item in items:
        yield convert(item.subject), convert(item.predicate), convert(item.object)


def rdflib_graph(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """The union of the quads' triples as an in-memory rdflib graph."""
    graph = rdflib.Graph()
    with quiet_rdflib():
        for triple in rdflib_triples(quads):
            graph.add(triple)
    return graph
