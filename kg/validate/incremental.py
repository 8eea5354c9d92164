"""Validation of a chosen set of focus nodes: the building block of re-validating an edit.

After an edit only the focus nodes near the changed triples can have other results; the
others keep theirs. This module checks just the chosen nodes, with every shape, in the same
store and with the same queries as a whole validation (``core_sparql``, ``sparql_constraints``),
so each node gets exactly the results it gets there.

The nodes are named to the queries by marking them in a named graph of their own
(``FOCUS_GRAPH``), as objects: a blank node cannot be written in a query's ``VALUES``, but
it can be inserted as a term the store already holds, and a literal can be an object. The
validating queries read the default graph only, so the marks change no result; they are
removed again afterwards.

Which nodes to pass here after an edit is ``affected``'s answer: the readers of the changed
triples (``kg.validate.reach``) and every node that walks to them. The state kept between
validations is ``kg.store.revalidation``'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.sources import ParsedSources
from kg.terms import Compactor
from kg.validate.rdflib_bridge import to_rdflib
from kg.validate.reach import ANY, Reach
from kg.validate.report import ValidationReport, empty_report, read_results

Term = ox.NamedNode | ox.BlankNode | ox.Literal

FOCUS_GRAPH = ox.NamedNode("urn:kg:validation:focus")
_MARK = ox.NamedNode("urn:kg:validation:mark")
#: the group that binds ``?this`` to the marked nodes
ONLY_MARKED = f"GRAPH {FOCUS_GRAPH} {{ {FOCUS_GRAPH} {_MARK} ?this }}"


class TooMany(Exception):
    """More nodes are affected than re-validating them one by one is worth."""


def readers(triples: Iterable[ox.Triple | ox.Quad], reach: Reach) -> set[Term]:
    """The nodes at which some shape reads one of ``triples``: the subject, and the object
    when the predicate is read backwards."""
    found: set[Term] = set()
    any_backwards = ANY in reach.object_read
    for triple in triples:
        found.add(triple.subject)
        if any_backwards or triple.predicate.value in reach.object_read:
            found.add(triple.object)
    return found


def affected(store: ox.Store, start: set[Term], reach: Reach, limit: int) -> set[Term]:
    """``start`` and every node that walks to one of them along the shapes' steps, in the
    default graph of ``store`` as it is now; TooMany past ``limit`` nodes."""
    forward_any, backward_any = ANY in reach.forward, ANY in reach.backward
    forward, backward = reach.forward, reach.backward
    default = ox.DefaultGraph()
    seen = set(start)
    todo = list(start)
    while todo:
        node = todo.pop()
        found = []
        if forward or forward_any:  # x p node, p walked forwards: x reads what node has
            found += [q.subject for q in store.quads_for_pattern(None, None, node, default)
                      if forward_any or q.predicate.value in forward]
        if (backward or backward_any) and not isinstance(node, ox.Literal):
            found += [q.object for q in store.quads_for_pattern(node, None, None, default)
                      if backward_any or q.predicate.value in backward]
        for other in found:
            if other not in seen:
                seen.add(other)
                todo.append(other)
        if len(seen) > limit:
            raise TooMany(f"more than {limit} nodes")
    return seen


@dataclass
class Checks:
    """The shapes compiled once for any number of evaluations, with their reach."""

    shapes: ParsedSources
    graph: object  # the shapes as an rdflib graph, SPARQL constraints taken out
    sparql: list
    core: list
    reach: Reach | None

    @classmethod
    def prepare(cls, shapes: ParsedSources, reach: Reach | None = None) -> Checks | None:
        """None when some shape is not evaluated in the store (then only pySHACL can).
        ``reach``: the shapes' reach when known (kept from an earlier analysis of the same
        shapes: parsing their SPARQL again takes a second)."""
        from kg.validate import core_sparql, sparql_constraints
        from kg.validate.reach import analyse

        graph = to_rdflib(shapes.quads, store="SimpleMemory")
        taken = sparql_constraints.take_over(graph)
        compiled = core_sparql.compile_shapes(graph)
        if compiled is None:
            return None
        if reach is None:
            reach = analyse(graph, [constraint.query for constraint in taken])
        return cls(shapes, graph, taken, compiled, reach)


def validate_nodes(parsed: ParsedSources, shapes: ParsedSources, store: ox.Store,
                   nodes: Iterable[Term]) -> ValidationReport | None:
    """The results whose focus node is one of ``nodes``, exactly as a whole validation gives
    them; None when some shape is not evaluated in the store (then only a whole validation,
    with pySHACL, can answer)."""
    from kg.validate.core import _report

    checks = Checks.prepare(shapes)
    found = None if checks is None else results_of(checks, parsed, store, nodes)
    if found is None:
        return None
    pairs, results_graph = found
    prefixes = {**shapes.prefixes, **parsed.prefixes}
    return _report(pairs, results_graph, parsed, None, prefixes, 0, 0)


def results_of(checks: Checks, parsed: ParsedSources, store: ox.Store,
               nodes: Iterable[Term] | None) -> tuple[list, object] | None:
    """(result node, result) pairs and the SHACL results graph of ``nodes`` (all focus nodes
    when None); None when a message cannot be written in the store (pySHACL's case)."""
    from kg.validate import core_sparql
    from kg.validate.in_store import evaluate_all

    prefixes = {**checks.shapes.prefixes, **parsed.prefixes}
    only = None
    if nodes is not None:
        # objects, not subjects: a focus node may be a literal (sh:targetObjectsOf)
        store.extend([ox.Quad(FOCUS_GRAPH, _MARK, node, FOCUS_GRAPH) for node in set(nodes)])
        only = ONLY_MARKED
    results_graph = empty_report()
    try:
        evaluate_all(checks.core, checks.sparql, store, checks.graph, results_graph, only)
        pairs = list(read_results(results_graph, checks.graph, parsed, Compactor(prefixes),
                                  store))
    except core_sparql.Unsupported:
        return None
    finally:
        if nodes is not None:
            store.clear_graph(FOCUS_GRAPH)
    return pairs, results_graph
