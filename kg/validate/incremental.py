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

Not done yet (issue 20, item 1): keeping the last validation's state beside the build and
computing, from an edit's changed triples and the shapes' reach, which nodes to pass here.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.sources import ParsedSources
from kg.terms import Compactor
from kg.validate.rdflib_bridge import to_rdflib
from kg.validate.report import ValidationReport, empty_report, read_results

FOCUS_GRAPH = ox.NamedNode("urn:kg:validation:focus")
_MARK = ox.NamedNode("urn:kg:validation:mark")
#: the group that binds ``?this`` to the marked nodes
ONLY_MARKED = f"GRAPH {FOCUS_GRAPH} {{ {FOCUS_GRAPH} {_MARK} ?this }}"


def validate_nodes(parsed: ParsedSources, shapes: ParsedSources, store: ox.Store,
                   nodes: Iterable[ox.NamedNode | ox.BlankNode | ox.Literal]
                   ) -> ValidationReport | None:
    """The results whose focus node is one of ``nodes``, exactly as a whole validation gives
    them; None when some shape is not evaluated in the store (then only a whole validation,
    with pySHACL, can answer)."""
    from kg.validate import core_sparql, sparql_constraints
    from kg.validate.core import _report

    shapes_graph = to_rdflib(shapes.quads, store="SimpleMemory")
    taken = sparql_constraints.take_over(shapes_graph)
    compiled = core_sparql.compile_shapes(shapes_graph)
    if compiled is None:
        return None
    prefixes = {**shapes.prefixes, **parsed.prefixes}
    # objects, not subjects: a focus node may be a literal (sh:targetObjectsOf)
    marks = [ox.Quad(FOCUS_GRAPH, _MARK, node, FOCUS_GRAPH) for node in set(nodes)]
    results_graph = empty_report()
    store.extend(marks)
    try:
        core_sparql.evaluate(compiled, store, shapes_graph, results_graph, ONLY_MARKED)
        sparql_constraints.evaluate(taken, store, results_graph, ONLY_MARKED)
        pairs = list(read_results(results_graph, shapes_graph, parsed, Compactor(prefixes),
                                  store))
    except core_sparql.Unsupported:
        return None
    finally:
        store.clear_graph(FOCUS_GRAPH)
    return _report(pairs, results_graph, parsed, None, prefixes, 0, 0)
