"""What one SPARQL 1.1 Update operation would change in a store, as explicit quads, without
changing the store and without copying it.

The server does not let Oxigraph apply a write: it journals the change first, then applies it
itself (adding and removing quads), and reasons and validates incrementally over exactly the
quads that come and go. So it must know those quads before anything is written.
``operation_change(store, operation)`` computes them: a ``QuadChange`` of the quads added (not in
the store now), the quads removed (in the store now), the named graphs created and the named
graphs dropped. To apply it: remove ``removed``, add ``added``, add the graphs in ``created``,
then remove the graphs in ``dropped`` (no quad of ``added`` is in a dropped graph).

Plain mode (``union_target=None``): the change is exactly what ``store.update(operation)``
(Oxigraph's own engine, pyoxigraph 0.5) would do, including what Oxigraph does where the
standard leaves room or where it departs from it:

- a named graph exists once a quad is inserted into it, and stays (empty) when its last quad is
  deleted or it is cleared; only DROP and MOVE remove graphs;
- ``COPY`` and ``MOVE`` first drop the destination, so a destination named graph stops existing
  when the source is empty or missing; ``ADD`` and ``COPY`` of a missing source are no error even
  without SILENT; an operation whose source and destination are the same graph does nothing;
- ``DELETE``/``INSERT``: the WHERE clause is evaluated once, before anything changes, on the
  dataset ``USING``/``USING NAMED`` give (``USING`` alone: no named graphs; ``USING NAMED`` alone:
  an empty default graph), else ``WITH``'s graph as the default graph with every named graph,
  else the store's own; the deletions of all solutions happen before any insertion, so a quad
  both deleted and inserted is present afterwards; a template quad is skipped when one of its
  variables is unbound or its result is not a quad (a literal subject, a predicate that is not an
  IRI, a literal graph name); blank nodes of an INSERT template are new for every solution;
- blank nodes of ``INSERT DATA`` are new nodes (a new label each call, as Oxigraph's are).

Errors: ``QuerySyntaxError`` when the text does not parse, ``UpdateFailedError`` where Oxigraph's
update would fail (``CLEAR``/``DROP`` of a missing graph, ``MOVE`` from one, ``CREATE`` of an
existing graph, all without SILENT), ``ForbiddenError`` for ``LOAD`` (``check_no_load``), and
``BadRequestError`` for text that holds more than one operation (``split_update`` splits a
request) or an invalid ``base_iri``.

Union mode (``union_target`` = the IRI of a named graph, angle brackets optional): the store's
default graph holds the union of the named graphs, each triple once, and is derived from them,
so a change never lists a default-graph quad. The change is what ``Store.update(operation,
default_target=union_target)`` in ``oxigraph.py`` does with one operation: Oxigraph's change,
with its default-graph part carried over to the named graphs. A triple that leaves the default
graph is removed from every named graph that holds it (after the operation: also from a graph the
operation itself inserted it into); a triple that enters the default graph is added to the named
graph ``union_target``; named graphs change as Oxigraph changes them. So ``CLEAR DEFAULT`` or
``MOVE DEFAULT TO GRAPH <g>`` remove every named graph's quads. The default graph is left to the
caller, who makes it the union again after applying the change. The store's default graph must
hold the union when this is called: the operation reads it.

How, and what it costs:

- the whole operation is first run on an empty in-memory store: a syntax error stops there, and
  for ``INSERT DATA`` the quads left in that store are the data;
- ``DELETE DATA`` reads its data the same way (with ``INSERT DATA`` written instead), and both
  DATA operations then look up each of their quads in the store: their cost is the size of the
  data, not of the store;
- ``DELETE``/``INSERT``/``DELETE WHERE`` run their WHERE clause as ``SELECT *`` on the store, and
  fill in their templates in Python; the templates are read by parsing them as ``INSERT DATA``
  with each variable written as a placeholder IRI (``<urn:x-okg-variable-…:name>``);
- graph operations read the graphs they name (``CLEAR NAMED``, ``DROP ALL``, ``CLEAR DEFAULT``
  in union mode and the like read every quad).

Limits:

- the operation's text is split into its parts by a small tokenizer (strings, IRIs and comments
  skipped, braces matched), which reads only text Oxigraph has already accepted;
- ``LOAD`` is refused;
- a graph named by a blank node (only ``INSERT { GRAPH ?g { … } }`` with ``?g`` bound to a blank
  node makes one) is never listed in ``created`` or ``dropped``, though its quads are in ``added``
  and ``removed``: applying ``DROP NAMED`` or ``DROP ALL`` leaves such a graph behind, empty;
- ``RAND()``, ``NOW()``, ``UUID()``, ``STRUUID()`` and ``BNODE()`` draw values of their own here,
  not the ones Oxigraph would have drawn: the change is one Oxigraph could have made, and the
  server applies this one;
- the check on an empty store evaluates the WHERE clause there too: cheap, unless it computes
  much from nothing (a large ``VALUES``) or calls a ``SERVICE``, which is then called twice.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..errors import BadRequestError, QuerySyntaxError, UpdateFailedError
from ..rdf.sparql_text import blank, check_no_load
from .inplace import Change

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


# What an operation changes is what a write journals and applies (``inplace.Change``).
QuadChange = Change


def operation_change(
    store: ox.Store,
    operation: str,
    *,
    base_iri: str | None = None,
    union_target: str | None = None,
) -> QuadChange:
    """What one update operation (one of split_update's parts) would change in `store`."""
    check_no_load(operation)
    checked = _run_on_empty(operation, base_iri)
    parsed = _parse(operation)
    change = _plain_change(store, parsed, checked, base_iri)
    if union_target is None:
        return change
    target = union_target[1:-1] if union_target.startswith("<") else union_target
    return _in_union(store, change, ox.NamedNode(target))


# -- Reading the operation's text ---------------------------------------------------------------

# At the top level of an operation (outside braces) there are keywords, IRIs, prefixed names and
# groups in braces; strings occur only inside braces, where ``blank`` hides them.
_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<group>\{)"
    r"|(?P<word>(?:[^\s{};<#\\]|\\.)+|;)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_BRACE = re.compile(r"[{}]")
# A variable, outside strings, IRIs and comments (a prefixed name's local part may hold an
# escaped ``\?``, never a bare one).
_VARIABLE = re.compile(r"(?<!\\)[?$]([\w\u00B7\u0300-\u036F\u203F\u2040]+)")

_NONCE = uuid.uuid4().hex
_VARIABLE_IRI = f"urn:x-okg-variable-{_NONCE}:"  # a template variable, written as an IRI
_RESOLVED = f"urn:x-okg-resolved-{_NONCE}:"  # the IRIs named at the top level, resolved


@dataclass(frozen=True)
class _Item:
    """One piece of an operation's top level: a word, an <IRI> or a {group}."""

    kind: str  # "word", "iri", "group" or "other"
    start: int
    end: int
    text: str

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def _items(text: str, blanked: str) -> list[_Item]:
    items: list[_Item] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # pragma: no cover - the pattern matches any character
            break
        kind = match.lastgroup or "other"
        end = match.end()
        if kind == "group":
            end = _group_end(blanked, position)
        if kind not in ("space", "comment"):
            items.append(_Item(kind, position, end, text[position:end]))
        position = end
    return items


def _group_end(blanked: str, start: int) -> int:
    """Where the group opened by the brace at ``start`` ends (after its closing brace)."""
    depth = 0
    for brace in _BRACE.finditer(blanked, start):
        if brace.group() == "{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return brace.end()
    raise BadRequestError("unbalanced braces in the update")


class _Reader:
    """The top-level items of one operation, read in order."""

    def __init__(self, items: list[_Item]) -> None:
        self.items = items
        self.at = 0

    def peek(self, ahead: int = 0) -> str:
        index = self.at + ahead
        return self.items[index].keyword if index < len(self.items) else ""

    def accept(self, *words: str) -> str:
        """The next keyword, taken, if it is one of ``words``; else "" (nothing taken)."""
        word = self.peek()
        if word and word in words:
            self.at += 1
            return word
        return ""

    def take(self, kind: str | None = None) -> _Item:
        if self.at >= len(self.items) or (kind and self.items[self.at].kind != kind):
            raise _unexpected(self.items, self.at)
        self.at += 1
        return self.items[self.at - 1]

    def expect(self, word: str) -> None:
        if not self.accept(word):
            raise _unexpected(self.items, self.at)

    def prologue(self) -> None:
        """BASE and PREFIX declarations, skipped."""
        while True:
            if self.accept("BASE"):
                self.take("iri")
            elif self.accept("PREFIX"):
                self.take("word")
                self.take("iri")
            else:
                return

    def iri(self) -> str:
        """An IRI, as written: <...> or a prefixed name."""
        item = self.take()
        if item.kind == "iri" or (item.kind == "word" and ":" in item.text):
            return item.text
        raise _unexpected(self.items, self.at - 1)

    def end(self) -> None:
        """Nothing more, but perhaps a closing ``;``."""
        self.accept(";")
        if self.at < len(self.items):
            raise BadRequestError(
                "operation_change takes one update operation at a time; split the request with "
                "split_update"
            )


def _unexpected(items: list[_Item], at: int) -> BadRequestError:
    found = items[at].text[:40] if at < len(items) else "the end"
    return BadRequestError(f"unexpected {found!r} in the update")


@dataclass
class _Parsed:
    """An operation's parts, as written."""

    text: str
    blanked: str
    prologue: str  # the BASE and PREFIX declarations before the operation
    kind: str  # "", "INSERT DATA", "DELETE DATA", "DELETE WHERE", "MODIFY", "CLEAR", ...
    keyword: _Item | None = None  # the operation's first keyword (DELETE of DELETE DATA, ...)
    silent: bool = False
    # Graph operations: the graphs named, each an IRI as written or DEFAULT, NAMED, ALL.
    graphs: list[str] = field(default_factory=list)
    # DELETE/INSERT: its parts.
    with_graph: str | None = None
    delete: _Item | None = None
    insert: _Item | None = None
    using: list[str] = field(default_factory=list)
    using_named: list[str] = field(default_factory=list)
    where: _Item | None = None


def _parse(text: str) -> _Parsed:
    blanked = blank(text)
    reader = _Reader(_items(text, blanked))
    reader.prologue()
    start = reader.items[reader.at].start if reader.at < len(reader.items) else len(text)
    parsed = _Parsed(text, blanked, text[:start], "")
    if reader.at == len(reader.items):
        return parsed  # an empty operation: nothing to do
    head = reader.peek()
    parsed.keyword = reader.items[reader.at]
    if head in ("INSERT", "DELETE") and reader.peek(1) == "DATA":
        parsed.kind = f"{head} DATA"
        reader.take()
        reader.take()
        reader.take("group")
    elif head == "DELETE" and reader.peek(1) == "WHERE":
        parsed.kind = "DELETE WHERE"
        reader.take()
        reader.take()
        parsed.where = parsed.delete = reader.take("group")
    elif head in ("INSERT", "DELETE", "WITH"):
        parsed.kind = "MODIFY"
        if reader.accept("WITH"):
            parsed.with_graph = reader.iri()
        if reader.accept("DELETE"):
            parsed.delete = reader.take("group")
        if reader.accept("INSERT"):
            parsed.insert = reader.take("group")
        while reader.accept("USING"):
            (parsed.using_named if reader.accept("NAMED") else parsed.using).append(reader.iri())
        reader.expect("WHERE")
        parsed.where = reader.take("group")
    elif head in ("CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"):
        parsed.kind = head
        reader.take()
        parsed.silent = bool(reader.accept("SILENT"))
        if head in ("CLEAR", "DROP"):
            word = reader.accept("DEFAULT", "NAMED", "ALL")
            if not word:
                reader.expect("GRAPH")
            parsed.graphs.append(word or reader.iri())
        elif head == "CREATE":
            reader.expect("GRAPH")
            parsed.graphs.append(reader.iri())
        else:
            for position in ("from", "to"):
                if position == "to":
                    reader.expect("TO")
                word = reader.accept("DEFAULT")
                if not word:
                    reader.accept("GRAPH")
                parsed.graphs.append(word or reader.iri())
    else:
        raise _unexpected(reader.items, reader.at)
    reader.end()
    return parsed


# -- Running text on scratch stores -------------------------------------------------------------


def _run_on_empty(text: str, base_iri: str | None, *, check_only: bool = True) -> ox.Store:
    """An empty in-memory store after the update ran on it: a syntax error raises
    QuerySyntaxError; with ``check_only``, a failure to evaluate (a missing graph) is ignored."""
    scratch = ox.Store()
    try:
        scratch.update(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc.msg or exc)) from None
    except ValueError as exc:  # an invalid base IRI
        raise BadRequestError(str(exc)) from None
    except (OSError, RuntimeError) as exc:
        if not check_only:
            raise UpdateFailedError(str(exc)) from None
    return scratch


def _resolve(parsed: _Parsed, iris: list[str], base_iri: str | None) -> list[ox.NamedNode]:
    """The IRIs, as written at the top level (<relative> or prefix:name), resolved as Oxigraph
    resolves them: by writing them in a data block after the operation's own prologue."""
    if not iris:
        return []
    subject = f"<{_RESOLVED}>"
    lines = "\n".join(f"{subject} <{_RESOLVED}{i}> {iri} ." for i, iri in enumerate(iris))
    scratch = _run_on_empty(
        f"{parsed.prologue}\nINSERT DATA {{\n{lines}\n}}", base_iri, check_only=False
    )
    resolved: dict[int, ox.NamedNode] = {}
    for quad in scratch:
        if isinstance(quad.object, ox.NamedNode):
            resolved[int(quad.predicate.value[len(_RESOLVED) :])] = quad.object
    return [resolved[i] for i in range(len(iris))]


# -- The change in plain mode -------------------------------------------------------------------


def _plain_change(
    store: ox.Store, parsed: _Parsed, checked: ox.Store, base_iri: str | None
) -> QuadChange:
    if parsed.kind == "INSERT DATA":
        return _inserted(store, list(checked))
    if parsed.kind == "DELETE DATA":
        assert parsed.keyword is not None
        keyword = parsed.keyword
        as_insert = f"{parsed.text[: keyword.start]}INSERT{parsed.text[keyword.end :]}"
        data = _run_on_empty(as_insert, base_iri, check_only=False)
        return QuadChange(removed=[q for q in data if q in store])
    if parsed.kind in ("DELETE WHERE", "MODIFY"):
        return _modify(store, parsed, base_iri)
    if parsed.kind in ("CLEAR", "DROP", "CREATE"):
        return _graph_management(store, parsed, base_iri)
    if parsed.kind in ("ADD", "MOVE", "COPY"):
        return _transfer(store, parsed, base_iri)
    return QuadChange()


def _inserted(store: ox.Store, quads: Iterable[ox.Quad]) -> QuadChange:
    """The change of inserting the quads (the ones already in the store change nothing)."""
    added = [q for q in dict.fromkeys(quads) if q not in store]
    return QuadChange(added=added, created=_new_graphs(store, added))


def _new_graphs(store: ox.Store, quads: Iterable[ox.Quad]) -> list[ox.NamedNode]:
    """The named graphs of the quads that do not exist in the store yet."""
    graphs = {q.graph_name for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    return sorted(
        (g for g in graphs if isinstance(g, ox.NamedNode) and not store.contains_named_graph(g)),
        key=lambda g: g.value,
    )


def _quads_of(store: ox.Store, graph: GraphName) -> list[ox.Quad]:
    return list(store.quads_for_pattern(None, None, None, graph))


def _named_quads(store: ox.Store) -> Iterator[ox.Quad]:
    for graph in store.named_graphs():
        yield from store.quads_for_pattern(None, None, None, graph)


def _named_graph_names(store: ox.Store) -> list[ox.NamedNode]:
    return sorted(
        (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value
    )


def _graph_management(store: ox.Store, parsed: _Parsed, base_iri: str | None) -> QuadChange:
    """CLEAR, DROP and CREATE."""
    target = parsed.graphs[0]
    if target == "DEFAULT":  # DROP DEFAULT clears it, as CLEAR does
        return QuadChange(removed=_quads_of(store, ox.DefaultGraph()))
    if target in ("NAMED", "ALL"):  # CLEAR keeps the named graphs, empty; DROP removes them
        quads = (
            _named_quads(store) if target == "NAMED" else store.quads_for_pattern(None, None, None)
        )
        dropped = _named_graph_names(store) if parsed.kind == "DROP" else []
        return QuadChange(removed=list(quads), dropped=dropped)
    (graph,) = _resolve(parsed, [target], base_iri)
    exists = store.contains_named_graph(graph)
    if parsed.kind == "CREATE":
        if exists:
            if parsed.silent:
                return QuadChange()
            raise UpdateFailedError(f"The graph {graph} already exists")
        return QuadChange(created=[graph])
    if not exists:
        if parsed.silent:
            return QuadChange()
        raise UpdateFailedError(f"The graph {graph} does not exist")
    removed = _quads_of(store, graph)
    return QuadChange(removed=removed, dropped=[graph] if parsed.kind == "DROP" else [])


def _transfer(store: ox.Store, parsed: _Parsed, base_iri: str | None) -> QuadChange:
    """ADD, MOVE and COPY, as Oxigraph rewrites them: ``ADD`` inserts the source's triples into
    the destination; ``COPY`` drops the destination first (SILENT); ``MOVE`` then also drops the
    source (SILENT only if the operation is). Source and destination the same: nothing."""
    named = [g for g in parsed.graphs if g != "DEFAULT"]
    resolved = iter(_resolve(parsed, named, base_iri))
    source, destination = (
        ox.DefaultGraph() if g == "DEFAULT" else next(resolved) for g in parsed.graphs
    )
    if source == destination:
        return QuadChange()
    if (
        parsed.kind == "MOVE"
        and isinstance(source, ox.NamedNode)
        and not parsed.silent
        and not store.contains_named_graph(source)
    ):
        raise UpdateFailedError(f"The graph {source} does not exist")
    source_quads = _quads_of(store, source)
    copied = {ox.Quad(q.subject, q.predicate, q.object, destination): None for q in source_quads}
    change = QuadChange(added=[q for q in copied if q not in store])
    existed = isinstance(destination, ox.NamedNode) and store.contains_named_graph(destination)
    if parsed.kind != "ADD":  # the destination is dropped, then filled
        change.removed = [q for q in _quads_of(store, destination) if q not in copied]
        if existed and not copied and isinstance(destination, ox.NamedNode):
            change.dropped.append(destination)
    if not existed and copied and isinstance(destination, ox.NamedNode):
        change.created.append(destination)
    if parsed.kind == "MOVE":
        change.removed.extend(source_quads)
        if isinstance(source, ox.NamedNode) and store.contains_named_graph(source):
            change.dropped.append(source)
    return change


# -- DELETE/INSERT ... WHERE and DELETE WHERE ---------------------------------------------------


# What may fill each place of a quad, as Oxigraph fills templates: the subject an IRI or a blank
# node, the predicate an IRI, the object any term, the graph name an IRI or a blank node (or the
# default graph). A triple term's places are the first three.
_SUBJECTS: frozenset[type] = frozenset({ox.NamedNode, ox.BlankNode})
_PREDICATES: frozenset[type] = frozenset({ox.NamedNode})
_OBJECTS: frozenset[type] = frozenset({ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple})
_GRAPHS: frozenset[type] = frozenset({ox.NamedNode, ox.BlankNode, ox.DefaultGraph})
_PLACES = (_SUBJECTS, _PREDICATES, _OBJECTS, _GRAPHS)


@dataclass(frozen=True)
class _Slot:
    """One place of a template quad: a term, a variable, a template blank node, or a triple
    term with variables or blank nodes inside."""

    term: Term | ox.DefaultGraph | None = None
    variable: str | None = None
    blank_node: str | None = None
    parts: tuple[_Slot, _Slot, _Slot] | None = None

    def fill(self, row: dict[str, Term], bnodes: dict[str, ox.BlankNode]) -> object:
        """The slot's term for one solution; None when it has none (an unbound variable, a triple
        term that would not be one)."""
        if self.term is not None:
            return self.term
        if self.variable is not None:
            return row.get(self.variable)
        if self.blank_node is not None:
            node = bnodes.get(self.blank_node)
            if node is None:
                node = bnodes[self.blank_node] = ox.BlankNode()
            return node
        assert self.parts is not None
        terms: list[Any] = []
        for part, allowed in zip(self.parts, _PLACES, strict=False):
            term = part.fill(row, bnodes)
            if type(term) not in allowed:
                return None
            terms.append(term)
        return ox.Triple(*terms)

    def variables(self) -> set[str]:
        if self.variable is not None:
            return {self.variable}
        found: set[str] = set()
        for part in self.parts or ():
            found |= part.variables()
        return found


def _slot(term: Term | ox.DefaultGraph) -> _Slot:
    if isinstance(term, ox.NamedNode) and term.value.startswith(_VARIABLE_IRI):
        return _Slot(variable=term.value[len(_VARIABLE_IRI) :])
    if isinstance(term, ox.BlankNode):
        return _Slot(blank_node=term.value)
    if isinstance(term, ox.Triple):
        parts = (_slot(term.subject), _slot(term.predicate), _slot(term.object))
        if any(p.term is None for p in parts):
            return _Slot(parts=parts)
    return _Slot(term=term)


@dataclass(frozen=True)
class _Template:
    """One quad of a template."""

    slots: tuple[_Slot, _Slot, _Slot, _Slot]

    def fill(self, row: dict[str, Term], bnodes: dict[str, ox.BlankNode]) -> ox.Quad | None:
        """The quad for one solution, or None (see _PLACES). A fixed term is always in its
        place: the parser put it there."""
        terms: list[Any] = []
        for slot, allowed in zip(self.slots, _PLACES, strict=True):
            term: Any = slot.term
            if term is None:
                term = row.get(slot.variable) if slot.variable else slot.fill(row, bnodes)
                if type(term) not in allowed:
                    return None
            terms.append(term)
        return ox.Quad(*terms)

    def variables(self) -> set[str]:
        found: set[str] = set()
        for slot in self.slots:
            found |= slot.variables()
        return found


def _templates(
    parsed: _Parsed, group: _Item | None, with_graph: ox.NamedNode | None, base_iri: str | None
) -> list[_Template]:
    """A template's quads, read by Oxigraph's parser as INSERT DATA with each variable written as
    an IRI; its default graph is WITH's graph when there is one."""
    if group is None:
        return []
    inner_start, inner_end = group.start + 1, group.end - 1
    pieces: list[str] = []
    last = inner_start
    for match in _VARIABLE.finditer(parsed.blanked, inner_start, inner_end):
        pieces.append(parsed.text[last : match.start()])
        pieces.append(f"<{_VARIABLE_IRI}{match.group(1)}>")
        last = match.end()
    pieces.append(parsed.text[last:inner_end])
    data = "".join(pieces)
    scratch = _run_on_empty(
        f"{parsed.prologue}\nINSERT DATA {{{data}\n}}", base_iri, check_only=False
    )
    templates: list[_Template] = []
    for quad in scratch:
        graph: GraphName = quad.graph_name
        if with_graph is not None and isinstance(graph, ox.DefaultGraph):
            graph = with_graph
        templates.append(
            _Template(
                (_slot(quad.subject), _slot(quad.predicate), _slot(quad.object), _slot(graph))
            )
        )
    return templates


def _modify(store: ox.Store, parsed: _Parsed, base_iri: str | None) -> QuadChange:
    named = [*([parsed.with_graph] if parsed.with_graph else []), *parsed.using]
    named += parsed.using_named
    resolved = _resolve(parsed, named, base_iri)
    with_graph = resolved.pop(0) if parsed.with_graph else None
    using, using_named = resolved[: len(parsed.using)], resolved[len(parsed.using) :]
    deletes = _templates(parsed, parsed.delete, with_graph, base_iri)
    inserts = _templates(parsed, parsed.insert, with_graph, base_iri)
    # The dataset of the WHERE clause (spargebra's rules for USING and WITH).
    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None
    named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None
    if parsed.using or parsed.using_named:
        default_graph, named_graphs = list(using), list(using_named)
    elif with_graph is not None:
        default_graph = [with_graph]
    assert parsed.where is not None
    try:
        result = store.query(
            f"{parsed.prologue}\nSELECT * WHERE {parsed.where.text}",
            base_iri=base_iri,
            default_graph=default_graph,
            named_graphs=named_graphs,
        )
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc.msg or exc)) from None
    except (OSError, RuntimeError) as exc:
        raise UpdateFailedError(str(exc)) from None
    if not isinstance(result, ox.QuerySolutions):  # pragma: no cover - a SELECT gives solutions
        raise UpdateFailedError("the WHERE clause gave no solutions")
    index = {v.value: i for i, v in enumerate(result.variables)}
    # A template quad with a variable the WHERE clause never binds never makes a quad.
    deletes = [t for t in deletes if t.variables() <= index.keys()]
    inserts = [t for t in inserts if t.variables() <= index.keys()]
    wanted = [(name, index[name]) for t in deletes + inserts for name in sorted(t.variables())]
    wanted = list(dict.fromkeys(wanted))
    deleted: dict[ox.Quad, None] = {}
    inserted: dict[ox.Quad, None] = {}
    if deletes or inserts:
        no_bnodes: dict[str, ox.BlankNode] = {}
        for solution in result:
            row: dict[str, Term] = {}
            for name, position in wanted:
                term = solution[position]
                if term is not None:
                    row[name] = term
            for template in deletes:
                quad = template.fill(row, no_bnodes)
                if quad is not None:
                    deleted[quad] = None
            bnodes: dict[str, ox.BlankNode] = {}
            for template in inserts:
                quad = template.fill(row, bnodes)
                if quad is not None:
                    inserted[quad] = None
    change = _inserted(store, inserted)
    change.removed = [q for q in deleted if q not in inserted and q in store]
    return change


# -- Union mode ---------------------------------------------------------------------------------


def _in_union(store: ox.Store, plain: QuadChange, target: ox.NamedNode) -> QuadChange:
    """The plain change with its default-graph part carried over to the named graphs, as
    ``Store.update`` does (see the module's docstring)."""
    left = {q.triple for q in plain.removed if isinstance(q.graph_name, ox.DefaultGraph)}
    entered = {q.triple for q in plain.added if isinstance(q.graph_name, ox.DefaultGraph)}
    removals = {q: None for q in plain.removed if not isinstance(q.graph_name, ox.DefaultGraph)}
    for triple in left:
        for quad in store.quads_for_pattern(triple.subject, triple.predicate, triple.object):
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                removals[quad] = None
    additions = {
        q: None
        for q in plain.added
        if not isinstance(q.graph_name, ox.DefaultGraph) and q.triple not in left
    }
    for triple in entered:
        additions[ox.Quad(triple.subject, triple.predicate, triple.object, target)] = None
    added = [q for q in additions if q not in store]
    filled = {q.graph_name for q in additions}
    created = list(plain.created)
    if entered and target not in created and not store.contains_named_graph(target):
        created.append(target)
    return QuadChange(
        added=added,
        removed=[q for q in removals if q not in additions],
        created=created,
        dropped=[g for g in plain.dropped if g not in filled],
    )
