"""Limits on the RDF documents a client may send, checked before any parser sees them, and the
stack that client input is parsed on.

Oxigraph's JSON-LD parser recurses once per level of nesting: a document nested ten thousand
objects deep overflows the stack of the thread that parses it and takes its whole process down.
RDF/XML may declare entities that expand into others (ten entities of ten, six levels deep, are a
million copies from a few hundred bytes). So, before a document is parsed (and before it is handed
to the write's process, see ``writes``), with 400 and the limit it passed:

- JSON-LD: the depth of nested objects and arrays;
- RDF/XML: the depth of nested elements; and a document that declares entities is refused
  outright, as external entities already were (read with expat, which stops at the declaration:
  nothing is expanded);
- Turtle, N-Triples, N3: the depth of nested ``[``, ``(`` and ``{`` (their parsers keep an explicit
  stack, so this limits what the rest of the server is asked to handle, not a crash).

SPARQL text has its own limit, on the depth of its structure (``sparql_text``). Both sit well below
where the parsers fail, given the stack they run on here: ``run_with_stack`` gives the threads
that parse client input (in the query workers and the write processes) ``STACK_BYTES``, whatever
``ulimit -s`` says.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from typing import TypeVar

from ..errors import InputLimitError

T = TypeVar("T")

# Most levels of nesting in an RDF document (JSON-LD objects and arrays, XML elements, Turtle's
# brackets).
MAX_RDF_DEPTH = 256
# -- RDF documents --------------------------------------------------------------------------------

_JSON_SKIPPED = re.compile(rb'"(?:[^"\\]|\\.)*"')
_TURTLE_SKIPPED = re.compile(
    "|".join(
        (
            r'"""(?:[^"\\]|\\.|"(?!""))*"""',
            r"'''(?:[^'\\]|\\.|'(?!''))*'''",
            r'"(?:[^"\\\n]|\\.)*"',
            r"'(?:[^'\\\n]|\\.)*'",
            r'<[^<>"{}|^`\\\x00-\x20]*>',
            r"#[^\n]*",
        )
    ).encode()
)
_BRACKETS = re.compile(rb"[\[\]{}()]")


def _bracket_depth(data: bytes, skipped: re.Pattern[bytes]) -> int:
    deepest = depth = 0
    for match in _BRACKETS.finditer(skipped.sub(b" ", data)):
        if match.group() in b"[{(":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def _too_deep(what: str, depth: int) -> InputLimitError:
    return InputLimitError(
        f"the {what} is nested {depth:,} levels deep; this server accepts at most {MAX_RDF_DEPTH:,}"
    )


def _check_xml(data: bytes) -> None:
    """Refuse entity declarations and deep nesting in an XML document, with expat (which keeps
    its own stack and stops at the first declaration: nothing is expanded)."""
    parser = xml.parsers.expat.ParserCreate()
    state = {"depth": 0, "deepest": 0}

    def entity(name: str, *_: object) -> None:
        raise InputLimitError(
            f"the RDF/XML document declares the entity {name!r}: documents that declare "
            "entities are refused (write the IRIs out in full)"
        )

    def start(*_: object) -> None:
        state["depth"] += 1
        if state["depth"] > MAX_RDF_DEPTH:
            raise _too_deep("RDF/XML document", state["depth"])

    def end(*_: object) -> None:
        state["depth"] -= 1

    parser.EntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    # External entities and the external DTD subset are never fetched.
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError:
        return  # not well-formed: the RDF/XML parser says where, in its own words


def check_json(data: bytes, what: str = "JSON document") -> None:
    """Raise InputLimitError (400) if a JSON document is nested deeper than the server takes
    (Python's own parser recurses once per level, and fails past about a thousand)."""
    depth = _bracket_depth(data, _JSON_SKIPPED)
    if depth > MAX_RDF_DEPTH:
        raise _too_deep(what, depth)


def check_rdf(data: bytes, media_type: str) -> None:
    """Raise InputLimitError (400) if an RDF document is nested deeper than the server takes,
    or is RDF/XML that declares entities."""
    if "xml" in media_type:
        _check_xml(data)
        return
    if "json" in media_type:
        check_json(data, "JSON-LD document")
        return
    depth = _bracket_depth(data, _TURTLE_SKIPPED)
    if depth > MAX_RDF_DEPTH:
        raise _too_deep("document", depth)
