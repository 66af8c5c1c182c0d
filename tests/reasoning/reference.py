"""owlrl, the reference, as the tests and the benchmark run it.

``owlrl_entailments(graph)`` is what ``owlrl.DeductiveClosure(OWLRL_Semantics,
axiomatic_triples=False, datatype_axioms=False, rdfs_closure=False).expand`` adds to a
copy of `graph`, less the differences documented in ofsted_kg.build.reasoning: triples with a
literal subject and owlrl's error messages are dropped, and owl:hasKey compares all n
key properties (``OwlrlWithSpecifiedKeys``; stock owlrl compares n-1) unless
``stock=True``.
"""

from __future__ import annotations

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


class OwlrlWithSpecifiedKeys(owlrl.OWLRL_Semantics):  # type: ignore[misc]
    """owlrl with prp-key checking all n key properties instead of the first n-1.

    A copy of the prp-key branch of owlrl 7.6's ``OWLRL_Semantics._properties`` with
    ``range(0, len(pis) - 1)`` corrected to ``range(len(pis))``; every other rule is
    owlrl's own.
    """

    def _properties(self, triple: Triple, cycle_num: int) -> None:
        if triple[1] != OWL.hasKey:
            super()._properties(triple, cycle_num)
            return
        c, u = triple[0], triple[2]
        pis = self._list(u)
        if not pis:
            return
        graph = self.graph
        for x in graph.subjects(RDF.type, c):
            final_list: list[list[Node]] = [[zi] for zi in graph.objects(x, pis[0])]
            for pi in pis[1:]:
                new_list: list[list[Node]] = []
                for zi in graph.objects(x, pi):
                    new_list = new_list + [[*values, zi] for values in final_list]
                final_list = new_list
            value_list = [values for values in final_list if len(values) == len(pis)]
            for y in graph.subjects(RDF.type, c):
                if y == x or (y, OWL.sameAs, x) in graph or (x, OWL.sameAs, y) in graph:
                    continue
                for values in value_list:
                    if all((y, pis[i], values[i]) in graph for i in range(len(pis))):
                        self.store_triple((x, OWL.sameAs, y))
                        break


def owlrl_raw(graph: Graph, *, stock: bool = False) -> tuple[set[Triple], set[Triple]]:
    """owlrl's additions to a copy of `graph`, and the error-message triples among them."""
    closure = Graph()
    for triple in graph:
        closure.add(triple)
    semantics = owlrl.OWLRL_Semantics if stock else OwlrlWithSpecifiedKeys
    owlrl.DeductiveClosure(
        semantics, axiomatic_triples=False, datatype_axioms=False, rdfs_closure=False
    ).expand(closure)
    added = set(closure) - set(graph)
    messages = set(closure.subjects(RDF.type, ERRNS.ErrorMessage))
    errors = {t for t in added if t[0] in messages}
    return added, errors


def owlrl_entailments(graph: Graph, *, stock: bool = False) -> set[Triple]:
    """owlrl's additions, less the documented differences (literal subjects, errors)."""
    added, errors = owlrl_raw(graph, stock=stock)
    return {t for t in added - errors if not isinstance(t[0], Literal)}
