"""SPARQL text read without parsing it: the checks made before a parser sees a query or update.

Everything here skips strings, IRIs and comments, and works in time linear in the text. It runs
where the text is parsed (in a query worker, or in a write's own process), not in the web process:
a long query costs the process that answers it, under its deadline.

- ``check_structure``: the depth limit. Oxigraph's SPARQL parser and evaluator recurse once per
  level of the structure they build: a query nested a few thousand levels deep (``{{{…}}}``,
  ``((((…))))``), or a chain of thousands of ``UNION``s, ``OPTIONAL``s or triple patterns (which
  the engine joins one after another, into a tree as deep as the chain is long), overflows the
  stack and takes its process down. ``structure_depth`` counts an upper bound of that depth: each
  level of brackets counts one, and so does each link of a chain at one level (the keywords
  ``UNION MINUS OPTIONAL FILTER BIND GRAPH SERVICE EXISTS VALUES``, the operators
  ``|| && = != < > <= >= + - * / | ^ !``, and within braces each triple pattern and nested group).
  A ``VALUES`` table, a data block (``INSERT DATA``) and a template (``CONSTRUCT { … }``) are
  flat lists, and argument lists (``IN (1, 2, …)``) are flat too.
- ``check_service``, ``check_no_load``: what a query may reach (SERVICE only to the allow-list,
  updates never LOAD).
- ``deterministic``: whether an answer may be kept for the next identical query.
- ``with_using``: the protocol's ``using-graph-uri`` written into an update.
- ``split_update``: an update request's operations, one by one.

The limit sits well below where the parser fails (on an 8 MiB stack at 900 to 14,000 levels by
this count, depending on the construct, nested function calls being the costliest; the processes
that parse client input do it on a 32 MiB stack, see ``limits.STACK_BYTES``), and far above what a
hand-written or generated query needs (the deepest of the W3C test suites, the examples and the
competency questions is 26).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import BadRequestError, ForbiddenError, InputLimitError

# Most levels of structure in a SPARQL query or update (see ``structure_depth``).
MAX_SPARQL_DEPTH = 500

# Strings (long and short), IRIs and comments: what a scan skips.
_IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
_STRINGS = (
    r'"""(?:[^"\\]|\\.|"(?!""))*"""',
    r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n]|\\.)*"',
    r"'(?:[^'\\\n]|\\.)*'",
)
_COMMENT = r"#[^\n]*"
_SKIPPED = re.compile("|".join((*_STRINGS, _IRI, _COMMENT)))
_STRINGS_AND_COMMENTS = re.compile("|".join((*_STRINGS, _COMMENT)))


def blank(text: str) -> str:
    """The text with strings, IRIs and comments replaced by spaces (positions kept)."""
    return _SKIPPED.sub(lambda m: " " * len(m.group(0)), text)


def _without_strings(text: str) -> str:
    """The text with strings and comments blanked out (IRIs kept)."""
    return _STRINGS_AND_COMMENTS.sub(lambda m: " " * len(m.group(0)), text)


# -- The depth of the structure ----------------------------------------------------------------

# A keyword: a word not part of a longer name (?union, ex:FILTER, UNIONS are not keywords).
_KEYWORD = r"(?<![\w?$:.\-]){}(?![\w:\-])"
_WORD_CHAR = r"\w\u00B7\u00C0-\uFFFF"
# A brace that opens a template or data block (a flat list of triples), marked \x03 ...
_TEMPLATE_BRACE = re.compile(
    _KEYWORD.format("(?:DATA|CONSTRUCT|INSERT|DELETE)") + r"\s*\{", re.IGNORECASE
)
# ... the brace of a VALUES table, marked \x01 (a link) and \x02 (a flat brace) ...
_VALUES_BRACE = re.compile(
    _KEYWORD.format("VALUES") + rf"\s*(?:[?$][{_WORD_CHAR}]+|\([^)]*\))\s*\{{", re.IGNORECASE
)
# ... and the other keywords that chain what comes before with what follows, marked \x01.
_CHAIN = re.compile(
    _KEYWORD.format("(?:UNION|MINUS|OPTIONAL|FILTER|BIND|GRAPH|SERVICE|EXISTS|VALUES)"),
    re.IGNORECASE,
)
# Names, variables and numbers: removed, so that a hyphen or a dot inside one is not counted.
_NAMES = re.compile(
    "|".join(
        (
            rf"[?$][{_WORD_CHAR}]+",  # variables: no hyphen, so ?a-?b is a subtraction
            # prefixed names (a dot inside the local part, never at its end)
            rf"(?:[A-Za-z\u00C0-\uFFFF][{_WORD_CHAR}\-.]*)?:(?:[{_WORD_CHAR}\-:%\\]|\.(?=[{_WORD_CHAR}\-:%]))*",
            r"\d+(?:\.\d*)?(?:[eE][+\-]?\d+)?|\.\d+(?:[eE][+\-]?\d+)?",  # numbers
            r"[A-Za-z_][\w]*",  # other words (functions, keywords that chain nothing)
        )
    )
)
_SPACES = re.compile(r"\s+")
_STRUCTURE = re.compile(r"\|\||&&|!=|<=|>=|[{}()\[\]\x01\x02\x03.;,=<>+\-*/|^!]")


@dataclass
class _Level:
    bracket: str = "{"
    flat: bool = False  # a VALUES table, a data block or a template: a flat list, not a tree
    links: int = 0  # chained operations, triple patterns and nested groups at this level
    deepest_child: int = 0  # the depth of the deepest level opened inside this one

    def depth(self) -> int:
        return self.deepest_child + 1 + (0 if self.flat else self.links)


def structure_depth(text: str) -> int:
    """The depth of a query's or update's structure (see the module's docstring): an upper
    bound of the depth of the tree the parser builds from it. Past ``MAX_SPARQL_DEPTH`` the
    count stops early, and says only that it is deeper than the limit."""
    marked = _SPACES.sub(" ", _SKIPPED.sub(" ", text))
    marked = _TEMPLATE_BRACE.sub("\x03", marked)
    marked = _VALUES_BRACE.sub("\x01\x02", marked)
    marked = _CHAIN.sub("\x01", marked)
    marked = _NAMES.sub(" ", marked)
    levels = [_Level()]
    for match in _STRUCTURE.finditer(marked):
        token = match.group()
        top = levels[-1]
        if token in "{(\x02\x03[":
            if token in "{\x03" and not top.flat:
                top.links += 1
            flat = top.flat or token in "\x02\x03"
            levels.append(_Level("(" if token == "(" else "{", flat))
        elif token in "})]":
            if len(levels) > 1:
                done = levels.pop()
                levels[-1].deepest_child = max(levels[-1].deepest_child, done.depth())
        elif not top.flat and (token not in ".;," or top.bracket != "("):
            top.links += 1
            if top.links > MAX_SPARQL_DEPTH:  # already too deep: no need to read on
                return top.links
        if len(levels) > MAX_SPARQL_DEPTH:
            return len(levels)
    while len(levels) > 1:
        done = levels.pop()
        levels[-1].deepest_child = max(levels[-1].deepest_child, done.depth())
    return levels[0].depth() - 1


def check_structure(text: str, kind: str = "query") -> None:
    """Raise InputLimitError (400) if the query or update is structured too deeply to parse."""
    depth = structure_depth(text)
    if depth > MAX_SPARQL_DEPTH:
        raise InputLimitError(
            f"the {kind} is {depth:,} levels deep (brackets, and chains such as UNION, OPTIONAL, "
            f"FILTER, BIND, && and ||); this server accepts at most {MAX_SPARQL_DEPTH:,}: write "
            "it flatter (a VALUES table, or IN (...), instead of a chain)"
        )


# -- What a query may reach: SERVICE only to the allow-list, updates never LOAD ------------------

_SERVICE = re.compile(_KEYWORD.format("SERVICE"), re.IGNORECASE)
_SERVICE_TARGET = re.compile(
    _KEYWORD.format("SERVICE") + r"\s+(?:SILENT\s+)?(" + _IRI + r")?", re.IGNORECASE
)
_LOAD = re.compile(_KEYWORD.format("LOAD"), re.IGNORECASE)


def _mentions(text: str, *words: str) -> bool:
    """Whether any of the (lower-case) words occurs anywhere in the text: a quick test before a
    slower scan for the keyword itself."""
    lowered = text.lower()
    return any(word in lowered for word in words)


def uses_service(query: str) -> bool:
    """Whether the query has the SERVICE keyword (outside strings, IRIs and comments)."""
    return _mentions(query, "service") and _SERVICE.search(_SKIPPED.sub(" ", query)) is not None


def service_targets(query: str) -> list[str | None]:
    """The endpoint of each SERVICE clause: its IRI, or None when it is not a plain <IRI>."""
    if not uses_service(query):
        return []
    found: list[str | None] = []
    for match in _SERVICE_TARGET.finditer(_without_strings(query)):
        found.append(match.group(1)[1:-1] if match.group(1) else None)
    return found or [None]


def check_service(text: str, allowed: tuple[str, ...]) -> None:
    for target in service_targets(text):
        if target is None:
            raise ForbiddenError(
                "SERVICE needs its endpoint as a full <IRI> from this server's allow-list"
                if allowed
                else "this endpoint does not run federated queries (SERVICE)"
            )
        if target not in allowed:
            raise ForbiddenError(
                f"SERVICE <{target}> is not on this server's allow-list"
                if allowed
                else "this endpoint does not run federated queries (SERVICE)"
            )


def check_no_load(text: str) -> None:
    if _mentions(text, "load") and _LOAD.search(_SKIPPED.sub(" ", text)):
        raise ForbiddenError("this endpoint does not fetch anything: LOAD is refused")


# -- Answers that may be kept ---------------------------------------------------------------------

_VOLATILE = re.compile(
    r"(?<![?$:\w])(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(|" + _KEYWORD.format("SERVICE"),
    re.IGNORECASE,
)


def deterministic(query: str) -> bool:
    """Whether the same query on the same data always gives the same answer: not if it calls
    RAND(), NOW(), UUID(), STRUUID() or BNODE(), or reaches out with SERVICE."""
    if not _mentions(query, "rand", "now", "uuid", "bnode", "service"):
        return True
    return _VOLATILE.search(_SKIPPED.sub(" ", query)) is None


# -- using-graph-uri: the protocol's dataset for an update ------------------------------------

_USING_OR_WITH = re.compile(_KEYWORD.format("(?:USING|WITH)"), re.IGNORECASE)
_WHERE = re.compile(_KEYWORD.format("WHERE"), re.IGNORECASE)
_ENDS_WITH_DELETE = re.compile(r"(?<![\w?$:.\-])DELETE\Z", re.IGNORECASE)


def with_using(text: str, using: list[str], using_named: list[str]) -> str:
    """The update with ``USING``/``USING NAMED`` clauses added before each WHERE of a
    DELETE/INSERT operation; 400 if it already names its own dataset (USING or WITH)."""
    if not using and not using_named:
        return text
    blanked = blank(text)
    if _USING_OR_WITH.search(blanked):
        raise BadRequestError(
            "the update names its dataset with USING or WITH; do not also give "
            "using-graph-uri or using-named-graph-uri"
        )
    clauses = " ".join(
        [f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named]
    )
    pieces: list[str] = []
    last = 0
    depth = 0
    position = 0
    for match in _WHERE.finditer(blanked):
        depth += blanked.count("{", position, match.start()) - blanked.count(
            "}", position, match.start()
        )
        position = match.start()
        if depth != 0 or _after_delete(blanked, match.start()):
            continue
        pieces.append(text[last : match.start()])
        pieces.append(f"{clauses} ")
        last = match.start()
    pieces.append(text[last:])
    return "".join(pieces)


def _after_delete(blanked: str, index: int) -> bool:
    """Whether the word before ``index`` (spaces skipped) is DELETE: ``DELETE WHERE`` takes no
    USING."""
    end = index
    while end > 0 and blanked[end - 1].isspace():
        end -= 1
    return _ENDS_WITH_DELETE.search(blanked, max(0, end - 7), end) is not None


# -- Splitting an update request into its operations --------------------------------------------

_DECLARATION = re.compile(r"\s*(PREFIX\s+([^\s:]*):|BASE)", re.IGNORECASE)
_IRI_AT = re.compile(r"\s*" + _IRI)
_BRACES_AND_SEMICOLONS = re.compile(r"[{};]")
_PREFIX_USE = re.compile(rf"(?<![\w?$:.\-])([A-Za-z\u00C0-\uFFFF][{_WORD_CHAR}\-.]*)?:")


def split_update(text: str) -> list[str]:
    """The operations of an update request, each with the declarations it needs from before it
    (the BASE in force, and the prefixes it uses), so each can be run on its own."""
    blanked = blank(text)
    pieces: list[tuple[int, int]] = []
    depth = start = 0
    for brace in _BRACES_AND_SEMICOLONS.finditer(blanked):
        char = brace.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0:
            pieces.append((start, brace.start()))
            start = brace.end()
    pieces.append((start, len(text)))
    operations: list[str] = []
    prefixes: dict[str, str] = {}  # name -> its declaration, the latest one
    base = ""
    for begin, end in pieces:
        position = begin
        while (match := _DECLARATION.match(blanked, position, end)) and (
            iri := _IRI_AT.match(text, match.end(), end)
        ):
            declaration = text[match.start(1) : iri.end()]
            if match.group(2) is not None:
                prefixes[match.group(2)] = declaration
            else:
                base = declaration
            position = iri.end()
        if not blanked[position:end].strip():
            continue
        used = {m.group(1) or "" for m in _PREFIX_USE.finditer(blanked, position, end)}
        needed = [prefixes[name] for name in sorted(used) if name in prefixes]
        operations.append("\n".join([base, *needed, text[position:end]]).lstrip("\n"))
    return operations or [text]
