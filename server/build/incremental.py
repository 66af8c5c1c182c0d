"""Incremental OWL 2 RL maintenance: keep ``entailed_triples`` of a changing set of triples.

``Materialisation(triples)`` reasons once, as ``entailed_triples(triples)`` does, and keeps the
engine of ofsted_kg.build.reasoning (interned terms, indexes, plans) alive. ``apply(inserted,
deleted)`` then changes the asserted triples and returns the change to the inferred set as a
``Delta``; after any sequence of writes, ``inferred()`` equals ``entailed_triples`` of the
asserted triples (as a set; tests/test_incremental_reasoning.py checks it on random write
sequences). Asserted triples are never removed by reasoning, and a triple both asserted and
inferred stays in the closure when either goes (the inferred set is the closure less the
asserted triples, so a delta can list a triple whose assertion came or went).

The base facts are the asserted triples and what owlrl's one-time rules make of them (cls-thing,
cls-nothing1, prp-ap, dt-type1/2: ``one_time_rules``); the second part is kept up to date from
the asserted literals, datatype typings and owl:sameAs triples (``_OneTimeRules``), and its
changes are base insertions and deletions like any other.

Insertion (semi-naive)
----------------------
The new base triples are queued and the engine drained, as in a full run: the engine is
semi-naive by construction (every rule instance fires when the last of its premises is
processed, the others being looked up in the indexes, which already hold the whole closure),
so only what follows from the new triples is computed. Its own mechanisms cover the rest: a
schema triple drops the cached plans; a new rdf:first/rdf:rest re-reads every list and
re-evaluates the list rules in full (the engine's list fallback; a cell added to a list that an
axiom already uses makes the whole write fall back, see the end); owl:hasKey is evaluated in
full at the end of every run; a triple that was inferred before and is now asserted is known
already and changes only the bookkeeping.

Deletion (DRed: delete and rederive)
------------------------------------
DRed rather than counting or Backward/Forward: counting needs the number of derivations of
every triple, which the engine does not keep (it fires each rule instance once, when the last
premise comes, and drops duplicates) and which is not sound for recursive rules anyway
(subClassOf cycles, transitive properties, owl:sameAs); B/F needs every rule evaluable
backwards, a second implementation of all the rules. DRed reuses the forward rules as they are:

1. Overdelete: D starts as the deleted base triples; each triple of D is evaluated against the
   old indexes (``Engine.evaluate`` with ``Engine.collecting``: every rule instance with the
   triple as a premise, its conclusion collected instead of queued) and the conclusions not in
   D and not still base join D. owl:hasKey is whole-graph in the engine: its conclusions (in the
   old graph, computed once) involving the subject of a triple of D that touches a key (a type
   of a keyed class, a key property value, or the hasKey axiom itself: then all of them) join D.
2. D is removed from the indexes; plans are dropped if D holds a schema triple, lists re-read
   if it holds a list axiom.
3. Rederive: a triple of D that has a rule instance with all premises remaining is put back.
   Every rule instance concluding ``s p o`` has a premise that the engine evaluates and that
   (a) has subject s, or (b) has object s: ``x q s`` with q = owl:sameAs (eq-rep-s, eq-sym),
   with x = o (prp-symp, prp-inv, scm-eqc1, scm-eqp1) or with q a predicate having a plan
   (prp-rng, prp-fp, prp-inv, cls-avf, cls-maxc2, cls-maxqc3/4), or (c) is ``o owl:oneOf _``
   (cls-oo, when p is rdf:type), ``o owl:unionOf _`` (scm-uni) or ``o rdf:type owl:Class``
   (scm-cls, for ``owl:Nothing rdfs:subClassOf o``) (when p is rdfs:subClassOf).
   Checked against the rule list: eq-trans, eq-rep-p/o,
   prp-dom, prp-ifp, prp-trp, prp-spo1, prp-spo2 (its first link), prp-eqp1/2, cls-int1/2,
   cls-uni, cls-svf1/2, cls-hv1/2, cax-sco/eqc1/eqc2, scm-cls (but the owl:Nothing case),
   scm-sco/eqc2/op/dp/spo/eqp2/dom1/dom2/rng1/rng2/hv/svf1/svf2/avf1/avf2/int: (a); the rules
   listed under (b) and (c) as said; prp-key: evaluated in full over the remaining graph when D
   holds an owl:sameAs and there are keys; cls-thing, cls-nothing1, prp-ap, dt-type1/2: base
   facts, never in D; eq-ref: see below. Plans leave out a conclusion only when another part of
   the same plan gives a triple from which cax-sco gives it (reasoning.py's docstring): that
   triple shares the subject, so it is evaluated too if it remains, and is itself rederived and
   processed (firing cax-sco) if it was in D. So the premises of kinds (a)-(c) of every
   triple of D are evaluated in collect mode, each once (of kind (a), only those from which
   some rule concludes about s other than by eq-ref and eq-rep-s: a plan, a schema rule, an
   owl:sameAs rule or an alias applies, ``Engine.derives_about_subject``; gathered once per
   subject), and the collected triples in D are rederived; they are then queued and drained
   semi-naively, which puts back what follows from them. (Rule instances with all premises
   remaining conclude a triple of the old closure: if it is in D it is found here, and the rest
   follows from the queued triples.)
4. eq-ref (``t owl:sameAs t`` for every term t of every triple) is left out of DRed: every
   triple would otherwise overdelete the reflexive triples of its terms, and through eq-rep-*
   with them everything said about an aliased term. The rule instances with a reflexive
   owl:sameAs premise conclude their other premise or what eq-sym/eq-trans give from it, so
   the non-reflexive part of the closure does not depend on the reflexive triples, provided
   owl:sameAs itself has no plan (no domain, range, superproperty, chain, restriction...),
   no alias and is no key property. Then ``t owl:sameAs t`` is in the closure iff t occurs in
   another triple of it or it is a base fact: after the rederivation, the reflexive triple of
   each term of a removed triple that no longer occurs is removed (``Engine.occurs``).

Falls back to a full re-reasoning of the asserted triples (the answer is the same, computed
from scratch, and the delta is the difference of the two inferred sets) when: D would hold an
rdf:first or rdf:rest triple (the list rules read lists when their axiom is processed);
owl:sameAs has a plan, an alias or is a key property (step 4's premise); D grows beyond a
quarter of the closure and 10,000 triples (a schema change so broad that rederiving would
cost more than starting again). An insertion falls back when it adds an rdf:first or rdf:rest
to a cell of a list that an axiom already uses (adding a member to an intersection or a key
makes it match less, so the insert must remove conclusions) or when rules derive one; an
rdf:List written together with its axiom is inserted incrementally (the cells are processed
before the axiom)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ..store.oxigraph import gc_paused
from .reasoning import (
    CHAIN,
    FIRST,
    HASKEY,
    INTER,
    ONEOF,
    OWLCLASS,
    REST,
    SAME,
    SCO,
    TYPE,
    UNION,
    Engine,
    TripleList,
    is_list_axiom,
    is_schema_triple,
    one_time_rules,
)

__all__ = ["Delta", "Materialisation"]

TermTriple = tuple[Node, Node, Node]
IdTriple = tuple[int, int, int]

_DATATYPES: frozenset[Node] = frozenset(OWL_RL_Datatypes)
_SUPERS: dict[Node, list[URIRef]] = OWL_Datatype_Subsumptions
_DISJOINTNESS: tuple[tuple[URIRef, URIRef, URIRef], ...] = tuple(OWLRL_Datatypes_Disjointness)
# The share of the closure D may reach before a delete falls back to full re-reasoning (small
# closures never fall back for their size: re-reasoning them is cheap either way, and DRed is
# what the tests exercise).
_FALLBACK_SHARE = 0.25
_FALLBACK_MINIMUM = 10_000


@dataclass(frozen=True)
class Delta:
    """The change to the inferred triples (the closure less the asserted triples)."""

    added: list[TermTriple] = field(default_factory=list)
    removed: list[TermTriple] = field(default_factory=list)


class _OneTimeRules:
    """The output of ``one_time_rules`` over the asserted triples, kept up to date.

    A count per triple of the parts that give it: one for the fixed part (owl:Thing,
    owl:Nothing, annotation properties, the datatypes), one per distinct literal object with an
    OWL RL datatype (its typing and its datatype's supertypes), one for the disjointness of the
    datatypes used, and one for the rest (resources typed with a datatype, owlrl's propagation
    over owl:sameAs), recomputed with ``one_time_rules`` itself over the few triples it reads.
    """

    def __init__(self) -> None:
        self.counts: Counter[TermTriple] = Counter()
        self.literals: Counter[Literal] = Counter()  # asserted literal objects
        self.used: Counter[Node] = Counter()  # datatypes of the distinct such literals
        self.special: dict[TermTriple, None] = {}  # datatype typings and owl:sameAs, in order
        self.disjoint: list[TermTriple] = []
        self.rest: list[TermTriple] = []
        self.changed: set[TermTriple] = set()
        fixed = one_time_rules(TripleList([]), [])
        self.count(fixed, 1)

    def count(self, triples: Iterable[TermTriple], by: int) -> None:
        counts, changed = self.counts, self.changed
        for triple in set(triples):
            before = counts[triple]
            counts[triple] = before + by
            if (before > 0) != (before + by > 0):
                changed.add(triple)
            if counts[triple] == 0:
                del counts[triple]

    def literal_part(self, literal: Literal) -> list[TermTriple]:
        datatype = literal.datatype
        assert datatype is not None  # only literals with an OWL RL datatype come here
        out: list[TermTriple] = [(literal, RDF.type, datatype)]
        for super_type in _SUPERS.get(datatype, ()):
            out.append((literal, RDF.type, super_type))
            out.append((super_type, RDF.type, RDFS.Datatype))
        return out

    def update(self, inserted: Iterable[TermTriple], deleted: Iterable[TermTriple]) -> None:
        """Account for asserted triples that came or went (each really changing the set)."""
        special_changed = False
        appeared_or_went: set[Literal] = set()  # literal objects
        for triples, by in ((deleted, -1), (inserted, 1)):
            for triple in triples:
                _, p, o = triple
                if isinstance(o, Literal) and o.datatype in _DATATYPES:
                    before = self.literals[o]
                    self.literals[o] = before + by
                    if before == 0 or before + by == 0:
                        appeared_or_went.add(o)
                        self.count(self.literal_part(o), by)
                        self.used[o.datatype] += by
                    if self.literals[o] == 0:
                        del self.literals[o]
                if (p == RDF.type and o in _DATATYPES) or p == OWL.sameAs:
                    special_changed = True
                    if by > 0:
                        self.special[triple] = None
                    else:
                        del self.special[triple]
        used = {d for d, n in self.used.items() if n > 0}
        used.update(o for _, p, o in self.special if p == RDF.type and o in _DATATYPES)
        disjoint: list[TermTriple] = [t for t in _DISJOINTNESS if t[0] in used and t[2] in used]
        if disjoint != self.disjoint:
            self.count(self.disjoint, -1)
            self.count(disjoint, 1)
            self.disjoint = disjoint
        if appeared_or_went and not special_changed:
            special_changed = any(
                t[0] in appeared_or_went or t[2] in appeared_or_went for t in self.special
            )
        if special_changed:
            special = list(self.special)
            literals = [
                t
                for triple in special
                for t in (triple[0], triple[2])
                if isinstance(t, Literal) and t in self.literals
            ]
            rest = one_time_rules(TripleList(special), literals)
            self.count(self.rest, -1)
            self.count(rest, 1)
            self.rest = rest

    def take_changes(self) -> set[TermTriple]:
        changed, self.changed = self.changed, set()
        return changed


class Materialisation:
    """The OWL 2 RL closure of a set of asserted triples, maintained under inserts and deletes.

    ``inferred()`` is always ``set(entailed_triples(asserted))``; see the module docstring.
    """

    def __init__(
        self, triples: Iterable[TermTriple], *, reproduce_owlrl_haskey_bug: bool = False
    ) -> None:
        self.key_bug = reproduce_owlrl_haskey_bug
        self.fallbacks = 0  # writes that re-reasoned in full (for tests and benchmarks)
        self.known_before: dict[IdTriple, bool] = {}  # this write's touched triples
        self.asserted_terms: dict[TermTriple, None] = dict.fromkeys(triples)
        self.one_time = _OneTimeRules()
        self.one_time.update(self.asserted_terms, ())
        self.one_time.take_changes()
        self._build()

    # ------------------------------------------------------------------ state

    def _build(self) -> None:
        """Reason from scratch over the asserted triples (as ``entailed_triples`` does)."""
        with gc_paused():
            engine = self.engine = Engine(key_bug=self.key_bug)
            engine.load(self.asserted_terms)
            engine.add_derived(self.one_time.counts)
            engine.run()
            engine.derived = []
            intern = engine.intern
            self.asserted: set[IdTriple] = {
                (intern(s), intern(p), intern(o)) for s, p, o in self.asserted_terms
            }
            self.base_one_time: set[IdTriple] = {
                (intern(s), intern(p), intern(o)) for s, p, o in self.one_time.counts
            }

    def _ids(self, triple: TermTriple) -> IdTriple:
        intern = self.engine.intern
        return intern(triple[0]), intern(triple[1]), intern(triple[2])

    def _terms(self, triple: IdTriple) -> TermTriple:
        terms = self.engine.terms
        return terms[triple[0]], terms[triple[1]], terms[triple[2]]

    def _shown(self, triple: IdTriple) -> bool:
        """Whether an inferred triple is output (``Engine.entailed``'s filter)."""
        engine = self.engine
        return not engine.literal[triple[0]] and not engine.bnode[triple[1]]

    def _is_base(self, triple: IdTriple) -> bool:
        return triple in self.asserted or triple in self.base_one_time

    def inferred(self) -> set[TermTriple]:
        """The inferred triples now: what ``entailed_triples`` of the asserted ones gives."""
        return {
            self._terms(t) for t in self.engine.known if t not in self.asserted and self._shown(t)
        }

    def is_inferred(self, triple: TermTriple) -> bool:
        """Whether ``triple`` is in ``inferred()`` now (without interning new terms)."""
        ids = self.engine.ids
        found = tuple(ids.get(term) for term in triple)
        if None in found:
            return False
        key: IdTriple = found  # type: ignore[assignment]
        return key in self.engine.known and key not in self.asserted and self._shown(key)

    def asserted_triples(self) -> list[TermTriple]:
        return list(self.asserted_terms)

    # ----------------------------------------------------------------- writes

    def insert(self, triples: Iterable[TermTriple]) -> Delta:
        return self.apply(triples, ())

    def delete(self, triples: Iterable[TermTriple]) -> Delta:
        return self.apply((), triples)

    def apply(self, inserted: Iterable[TermTriple], deleted: Iterable[TermTriple]) -> Delta:
        """Delete `deleted`, then insert `inserted` (so a triple in both stays asserted);
        return the change to the inferred triples."""
        with gc_paused():
            return self._apply(list(inserted), list(deleted))

    def _apply(self, inserted: list[TermTriple], deleted: list[TermTriple]) -> Delta:
        gone = [t for t in dict.fromkeys(deleted) if t in self.asserted_terms]
        for t in gone:
            del self.asserted_terms[t]
        came = [t for t in dict.fromkeys(inserted) if t not in self.asserted_terms]
        for t in came:
            self.asserted_terms[t] = None
        if not gone and not came:
            return Delta()
        self.one_time.update(came, gone)
        one_time_changed = self.one_time.take_changes()

        # Before-states of everything touched: in the closure? asserted?
        self.known_before = {}
        asserted_before: dict[IdTriple, bool] = {}
        for ids in map(self._ids, gone):
            asserted_before[ids] = True
            self.asserted.discard(ids)
        for ids in map(self._ids, came):
            asserted_before.setdefault(ids, False)
            self.asserted.add(ids)
        base_added: list[IdTriple] = [self._ids(t) for t in came]
        base_removed: list[IdTriple] = [self._ids(t) for t in gone]
        for term_triple in one_time_changed:
            ids = self._ids(term_triple)
            if term_triple in self.one_time.counts:
                self.base_one_time.add(ids)
                base_added.append(ids)
            else:
                self.base_one_time.discard(ids)
                base_removed.append(ids)
        base_removed = [ids for ids in base_removed if not self._is_base(ids)]

        if base_removed and not self._delete(base_removed):
            return self._fall_back(asserted_before)
        if base_added:
            engine = self.engine
            cells = [t for t in base_added if t[1] in (FIRST, REST) and t not in engine.known]
            if cells:
                in_lists = self._list_cells()
                if any(t[0] in in_lists for t in cells):
                    return self._fall_back(asserted_before)
            for s, p, o in base_added:
                engine.add(s, p, o)
            engine.run()
            queued = set(base_added)
            derived_cells = any(t[1] in (FIRST, REST) and t not in queued for t in engine.derived)
            self._record_added()
            if derived_cells:
                return self._fall_back(asserted_before)

        added: list[TermTriple] = []
        removed: list[TermTriple] = []
        known = self.engine.known
        for ids in self.known_before.keys() | asserted_before.keys():
            was_known = self.known_before.get(ids, ids in known)
            was_asserted = asserted_before.get(ids, ids in self.asserted)
            before = was_known and not was_asserted
            after = ids in known and ids not in self.asserted
            if before != after and self._shown(ids):
                (added if after else removed).append(self._terms(ids))
        return Delta(added=added, removed=removed)

    def _fall_back(self, asserted_before: dict[IdTriple, bool]) -> Delta:
        """Re-reason in full; the delta is the difference of the inferred sets, as terms (the
        ids are new)."""
        old_inferred = self._old_inferred(asserted_before)
        self.fallbacks += 1
        self._build()
        new_inferred = self.inferred()
        return Delta(
            added=list(new_inferred - old_inferred), removed=list(old_inferred - new_inferred)
        )

    def _old_inferred(self, asserted_before: dict[IdTriple, bool]) -> set[TermTriple]:
        """The inferred triples before this write, from the engine's state and what this write
        changed so far (`known_before`, `asserted_before`)."""
        known, known_before = self.engine.known, self.known_before
        old_known = [t for t in known if known_before.get(t, True)]
        old_known.extend(t for t, was in known_before.items() if was and t not in known)
        return {
            self._terms(t)
            for t in old_known
            if not asserted_before.get(t, t in self.asserted) and self._shown(t)
        }

    def _list_cells(self) -> set[int]:
        """The cells of the lists of every list axiom (and owl:oneOf, owl:hasKey) now: an
        rdf:first/rdf:rest added to one changes a list the rules have read (a longer
        intersection or key matches less: not monotonic), so the write falls back."""
        engine = self.engine
        cells: set[int] = set()
        for p in (INTER, UNION, CHAIN, ONEOF, HASKEY):
            stack = [head for _, head in engine.pairs(p)]
            while stack:
                node = stack.pop()
                if node not in cells:
                    cells.add(node)
                    stack.extend(engine.objects(node, REST))
        return cells

    def _record_added(self) -> None:
        known_before = self.known_before
        for t in self.engine.derived:
            known_before.setdefault(t, False)
        self.engine.derived = []

    def _record_removed(self, t: IdTriple) -> None:
        self.known_before.setdefault(t, True)

    # ------------------------------------------------------------------ DRed

    def _same_is_plain(self) -> bool:
        """Step 4's premise: owl:sameAs has no plan, no alias, and is no key property."""
        engine = self.engine
        if engine.plan_for(SAME) is not None or SAME in engine.aliased:
            return False
        return not any(SAME in engine.items(head) for _, head in engine.pairs(HASKEY))

    def _delete(self, base_removed: list[IdTriple]) -> bool:
        """DRed (module docstring); False, with nothing changed, if it must fall back."""
        engine = self.engine
        if not self._same_is_plain():
            return False
        known = engine.known
        limit = max(_FALLBACK_SHARE * len(known), _FALLBACK_MINIMUM)
        overdeleted: set[IdTriple] = set()
        work: list[IdTriple] = []
        reflexive_gone: list[IdTriple] = []
        for t in base_removed:
            if t not in known:
                continue
            if t[1] == SAME and t[0] == t[2]:
                reflexive_gone.append(t)
            elif t not in overdeleted:
                overdeleted.add(t)
                work.append(t)
        is_base = self._is_base

        def collect(s: int, p: int, o: int) -> None:
            t = (s, p, o)
            if (
                (p == SAME and s == o)
                or t in overdeleted
                or engine.literal[p]
                or is_base(t)
                or t not in known
            ):
                return
            overdeleted.add(t)
            work.append(t)

        keys = self._key_conclusions()
        key_classes, key_properties = self._key_premises()
        with engine.collecting(collect):
            while work:
                s, p, o = t = work.pop()
                if p in (FIRST, REST) or len(overdeleted) > limit:
                    return False
                engine.evaluate(s, p, o)
                if keys:
                    if p == HASKEY:
                        for triples in keys.values():
                            for k in triples:
                                collect(*k)
                    elif (p == TYPE and o in key_classes) or p in key_properties:
                        for k in keys.get(s, ()):
                            collect(*k)

        # Remove D.
        schema = lists = False
        for t in overdeleted:
            engine.remove(*t)
            self._record_removed(t)
            schema = schema or is_schema_triple(t[1], t[2])
            lists = lists or is_list_axiom(t[1])
        if lists:
            engine.register_all_list_axioms()
        elif schema:
            engine.drop_plans()

        # Rederive: what remaining premises give in one step, then what follows from it.
        rederived: set[IdTriple] = set()

        def keep(s: int, p: int, o: int) -> None:
            t = (s, p, o)
            if t in overdeleted:
                rederived.add(t)

        with engine.collecting(keep):
            for s, p, o in self._premises(overdeleted):
                engine.evaluate(s, p, o)
            if keys and any(t[1] == SAME for t in overdeleted):
                engine.keys()
        for t in rederived:
            engine.add(*t)
        engine.run()
        self._record_added()

        # eq-ref: the reflexive triples of terms that no longer occur.
        terms = {x for t in overdeleted for x in t} | {x for t in reflexive_gone for x in t}
        for x in sorted(terms, key=lambda x: x == SAME):  # owl:sameAs last
            t = (x, SAME, x)
            if t in engine.known and not is_base(t) and not engine.occurs(x):
                engine.remove(*t)
                engine.reflexive.discard(x)
                self._record_removed(t)
        return True

    def _premises(self, candidates: Iterable[IdTriple]) -> Iterator[IdTriple]:
        """The remaining triples whose evaluation gives every rule instance with all
        premises remaining that concludes a candidate (kinds (a)-(c), module docstring).
        What depends on a candidate's subject only, or object only, is gathered once per term."""
        engine = self.engine
        spo, ops = engine.spo, engine.ops
        seen: set[IdTriple] = set()
        subjects_done: set[int] = set()
        objects_done: set[tuple[int, int]] = set()
        plan_for, derives = engine.plan_for, engine.derives_about_subject
        empty: dict[int, set[int]] = {}
        for s, p, o in candidates:
            found: list[IdTriple] = []
            if s not in subjects_done:
                subjects_done.add(s)
                for q, objects in spo.get(s, empty).items():  # (a)
                    found.extend((s, q, y) for y in objects if derives(s, q, y))
                for q, subjects in ops.get(s, empty).items():  # (b), all x
                    if q == SAME or plan_for(q) is not None:
                        found.extend((x, q, s) for x in subjects)
            by_p = spo.get(o, empty)
            for q, objects in by_p.items():  # (b), x = o
                if s in objects:
                    found.append((o, q, s))
            if p in (TYPE, SCO) and (o, p) not in objects_done:  # (c)
                objects_done.add((o, p))
                if p == TYPE:  # cls-oo
                    found.extend((o, ONEOF, y) for y in by_p.get(ONEOF, ()))
                else:  # scm-uni, scm-cls
                    found.extend((o, UNION, y) for y in by_p.get(UNION, ()))
                    if OWLCLASS in by_p.get(TYPE, ()):
                        found.append((o, TYPE, OWLCLASS))
            for t in found:
                if t not in seen:
                    seen.add(t)
                    yield t

    def _key_premises(self) -> tuple[set[int], set[int]]:
        """The keyed classes and the key properties."""
        engine = self.engine
        classes: set[int] = set()
        properties: set[int] = set()
        for c, head in engine.pairs(HASKEY):
            classes.add(c)
            properties.update(engine.items(head))
        return classes, properties

    def _key_conclusions(self) -> dict[int, list[IdTriple]]:
        """prp-key's conclusions in the current graph, by each of their two terms."""
        engine = self.engine
        if not engine.pairs(HASKEY):
            return {}
        found: set[IdTriple] = set()

        def sink(s: int, p: int, o: int) -> None:
            found.add((s, p, o))

        with engine.collecting(sink):
            engine.keys()
        by_term: dict[int, list[IdTriple]] = {}
        for t in found:
            by_term.setdefault(t[0], []).append(t)
            by_term.setdefault(t[2], []).append(t)
        return by_term
