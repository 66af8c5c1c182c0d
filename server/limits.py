"""Limits on what a client may send, checked before any parser sees it.

Oxigraph's SPARQL parser and evaluator, and its JSON-LD parser, recurse once per level of the
input's structure: a query nested a few thousand levels deep (``{{{…}}}``, ``((((…))))``, or a
chain of thousands of ``UNION``s, which parses into a tree as deep as the chain is long) overflows
the stack of the thread that parses it and takes its whole process down. Such input is refused
here, with 400 and the limit it passed, before it reaches a parser:

- SPARQL queries and updates: the depth of their structure, counted as the parser builds it.
  Each level of brackets counts one, and so does each link of a chain at one level (``UNION``,
  ``MINUS``, ``OPTIONAL``, ``FILTER``, ``BIND``, ``GRAPH``, ``SERVICE``, ``EXISTS``, a nested
  group, and the operators ``|| && = != < > <= >= + - * / | ^ !``). Strings, IRIs and comments
  are skipped, and a ``VALUES`` block counts as one (its rows are a flat table).
- JSON-LD: the depth of nested objects and arrays.
- RDF/XML: the depth of nested elements; and a document type that declares entities is refused
  outright (an entity that expands to ten others, six levels deep, is a million copies from a
  few hundred bytes), as external entities already were.
- Turtle, N-Triples, N3, TriG, N-Quads: the depth of nested ``[``, ``(`` and ``{`` (their parsers
  keep an explicit stack, so this is a limit on what the rest of the server is asked to handle,
  not on a crash).

The limits sit well below where the parsers fail (on an 8 MiB stack, at 900 to 14,000 levels by
this count, depending on the construct: nested function calls are the costliest; the processes
that parse client input do it on a 32 MiB stack, see ``STACK_BYTES``), and far above what a
hand-written or generated query needs (the deepest of the W3C test suites, the examples and the
competency questions is 26).
"""

from __future__ import annotations

import re
import threading
import xml.parsers.expat
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import InputLimitError

T = TypeVar("T")

# Most levels of structure in a SPARQL query or update (see the module's docstring).
MAX_SPARQL_DEPTH = 500
# Most levels of nesting in an RDF document (JSON-LD objects and arrays, XML elements, Turtle's
# brackets).
MAX_RDF_DEPTH = 256
# Stack size of the threads that parse client input, in the query workers and the write
# processes (the default, from ``ulimit -s``, may be as small as the system likes). It is only
# reserved address space: a thread uses what it touches.
STACK_BYTES = 32 << 20


def run_with_stack(function: Callable[[], T]) -> T:
    """``function()`` in a thread with a ``STACK_BYTES`` stack; its result, or its exception."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, function()))
        except BaseException as exc:
            outcome.append((False, exc))

    previous = threading.stack_size(STACK_BYTES)
    try:
        thread = threading.Thread(target=run, name="ofsted-kg-parse")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


# -- SPARQL ---------------------------------------------------------------------------------------

# Strings (long and short), IRIs and comments: what a scan of SPARQL text skips. Shared by every
# module that looks at query text without parsing it (SERVICE and LOAD checks, the answer cache,
# splitting an update into its operations).
SPARQL_SKIPPED = re.compile(
    "|".join(
        (
            r'"""(?:[^"\\]|\\.|"(?!""))*"""',
            r"'''(?:[^'\\]|\\.|'(?!''))*'''",
            r'"(?:[^"\\\n]|\\.)*"',
            r"'(?:[^'\\\n]|\\.)*'",
            r'<[^<>"{}|^`\\\x00-\x20]*>',
            r"#[^\n]*",
        )
    )
)


def blank_sparql(text: str) -> str:
    """The text with strings, IRIs and comments replaced by spaces (positions kept)."""
    return SPARQL_SKIPPED.sub(lambda m: " " * len(m.group(0)), text)


_CHAIN_KEYWORDS = frozenset(
    {"UNION", "MINUS", "OPTIONAL", "FILTER", "BIND", "GRAPH", "SERVICE", "EXISTS", "VALUES"}
)
# Words after which a brace opens a template or a data block: a flat list of triples.
_TEMPLATE_WORDS = frozenset({"DATA", "CONSTRUCT", "INSERT", "DELETE"})
_SPARQL_TOKEN = re.compile(
    r"""
      (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<sep>[.;,](?![\d]))
    | (?P<op>\|\||&&|!=|<=|>=|[=<>+\-*/|^!])
    | (?P<word>[A-Za-z_\u00C0-\uFFFF][\w\-.\u00B7\u00C0-\uFFFF]*)
    | (?P<other>[?$:][\w\-.:%\\\u00B7\u00C0-\uFFFF]*|\d[\d.eE]*|\S)
    """,
    re.VERBOSE,
)


@dataclass
class _Level:
    bracket: str = "{"
    flat: bool = False  # a VALUES table, a data block or a template: a flat list, not a tree
    links: int = 0  # chained operations, triple patterns and nested groups at this level
    deepest_child: int = 0  # the depth of the deepest level opened inside this one

    def depth(self) -> int:
        return self.deepest_child + 1 + (0 if self.flat else self.links)


def sparql_depth(text: str) -> int:
    """The depth of a query's or update's structure (see the module's docstring): an upper
    bound of the depth of the tree the parser builds from it.

    Within braces (a group of patterns) each triple pattern, nested group and chained operation
    is a link, since the engine joins them one after another; within parentheses (arguments,
    ``IN`` lists) only operators are, since a list of arguments is flat."""
    levels = [_Level()]
    values_pending = False  # after VALUES, until its table's brace
    previous = ""
    for match in _SPARQL_TOKEN.finditer(blank_sparql(text)):
        kind, token = match.lastgroup, match.group()
        top = levels[-1]
        if kind == "open":
            flat = top.flat or (token == "{" and (values_pending or previous in _TEMPLATE_WORDS))
            if token == "{" and not top.flat:
                top.links += 1
                values_pending = False
            levels.append(_Level(token, flat))
        elif kind == "close":
            if len(levels) > 1:
                done = levels.pop()
                levels[-1].deepest_child = max(levels[-1].deepest_child, done.depth())
        elif top.flat:
            pass
        elif kind == "op" or (kind == "sep" and top.bracket != "("):
            top.links += 1
        elif kind == "word":
            word = token.upper()
            if word in _CHAIN_KEYWORDS:
                top.links += 1
                values_pending = values_pending or word == "VALUES"
        if kind == "word":
            previous = token.upper()
        elif kind != "other" or not token.startswith(("?", "$")):
            previous = token
    while len(levels) > 1:
        done = levels.pop()
        levels[-1].deepest_child = max(levels[-1].deepest_child, done.depth())
    return levels[0].depth() - 1


def check_sparql(text: str, kind: str = "query") -> None:
    """Raise InputLimitError (400) if the query or update is structured too deeply to parse."""
    depth = sparql_depth(text)
    if depth > MAX_SPARQL_DEPTH:
        raise InputLimitError(
            f"the {kind} is {depth:,} levels deep (brackets, and chains such as UNION, OPTIONAL, "
            f"FILTER, BIND, && and ||); this server accepts at most {MAX_SPARQL_DEPTH:,}: write "
            "it flatter (a VALUES table, or IN ( … ), instead of a chain)"
        )


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


def check_rdf(data: bytes, media_type: str) -> None:
    """Raise InputLimitError (400) if an RDF document is nested deeper than the server takes,
    or is RDF/XML that declares entities."""
    if "xml" in media_type:
        _check_xml(data)
        return
    if "json" in media_type:
        depth = _bracket_depth(data, _JSON_SKIPPED)
        if depth > MAX_RDF_DEPTH:
            raise _too_deep("JSON-LD document", depth)
        return
    depth = _bracket_depth(data, _TURTLE_SKIPPED)
    if depth > MAX_RDF_DEPTH:
        raise _too_deep("document", depth)
