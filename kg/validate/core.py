"""SHACL validation, reported so a curator knows which file and line of thought to fix.

Oxigraph parses and, when ``core_sparql`` covers every shape, evaluates every constraint;
otherwise pySHACL checks SHACL Core and needs the data as an rdflib graph. The quads
are handed over term by term (no Turtle round trip), and this module is imported lazily so
commands that only read the store never load rdflib or pySHACL. pySHACL itself is run by
``pyshacl_run``, SPARQL-based constraints by ``sparql_constraints`` (in Oxigraph), and large
graphs are validated in parts by ``parts``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from kg.errors import KgError
from kg.sources import ParsedSources
from kg.terms import Compactor
from kg.validate.rdflib_bridge import to_rdflib
from kg.validate.report import (
    ValidationReport,
    empty_report,
    merge_reports,
    read_results,
)


def validate(parsed: ParsedSources, shapes: ParsedSources,
             only_files: set[str] | None = None, store: ox.Store | None = None,
             cache: Path | None = None, engine: str | None = None) -> ValidationReport:
    """Validate the parsed graph against the shapes; keep results from ``only_files`` if given.

    The whole graph is always validated, because a value class (``sh:class``) or a link may be
    described in another file; ``only_files`` only narrows what is reported. ``store`` holds
    the graph (``parsed`` then need not keep its quads); otherwise one is made from
    ``parsed.quads``. The SPARQL-based constraints run in the store; pySHACL checks the rest,
    on the whole graph at once when it is small and in parts (kg.validate.partitions), in parallel
    processes, when it is large. With ``cache`` (a directory), a part whose files, shapes and
    validating code are unchanged since the last validation is not checked again: its results
    are read back.

    ``engine``: ``"sparql"`` (the default) evaluates the SHACL Core constraints in Oxigraph too
    (``core_sparql``) whenever every constraint of the shapes is covered there, and then
    neither pySHACL nor an rdflib copy of the data is needed; ``"pyshacl"`` always uses
    pySHACL for them (the reference). ``KG_VALIDATOR`` sets the default.
    """
    from kg.validate.partitions import plan
    from kg.validate.sparql_constraints import evaluate, take_over

    if store is None:
        store = ox.Store()
        store.bulk_extend(parsed.quads)
    shapes_graph = to_rdflib(shapes.quads, store="SimpleMemory")
    sparql_constraints = take_over(shapes_graph)
    prefixes = {**shapes.prefixes, **parsed.prefixes}
    compactor = Compactor(prefixes)
    engine = engine or os.environ.get("KG_VALIDATOR") or "sparql"
    if engine not in ("sparql", "pyshacl"):
        raise KgError(f"KG_VALIDATOR is {engine!r}; it must be 'sparql' (the default) or "
                      "'pyshacl'")
    in_store = _in_store(shapes_graph, sparql_constraints, parsed, compactor, store
                         ) if engine == "sparql" else None
    if in_store is not None:
        pairs, results_graph = in_store
        return _report(pairs, results_graph, parsed, only_files, prefixes, 0, 0)
    # Parts are exact only when no SPARQL constraint (which may look anywhere) is left to
    # pySHACL and no shape follows a property backwards.
    partable = ((None, SH.sparql, None) not in shapes_graph
                and (None, SH.inversePath, None) not in shapes_graph)
    parts = plan(parsed, _pointed(shapes_graph, store)) if partable else []
    checked = reused = 0
    if len(parts) > 1:
        from kg.validate.parts import validate_in_parts

        sparql_graph = empty_report()
        pairs, results_graph, checked, reused = validate_in_parts(
            parts, parsed, shapes, prefixes, cache,
            meanwhile=lambda: evaluate(sparql_constraints, store, sparql_graph))
        pairs += read_results(sparql_graph, shapes_graph, parsed, compactor, store)
        merge_reports(results_graph, sparql_graph)
    else:
        from kg.validate.pyshacl_run import run_pyshacl

        results_graph = run_pyshacl(to_rdflib(store.quads_for_pattern(None, None, None)),
                                    shapes_graph)
        evaluate(sparql_constraints, store, results_graph)
        pairs = list(read_results(results_graph, shapes_graph, parsed, compactor, store))
    return _report(pairs, results_graph, parsed, only_files, prefixes, checked, reused)


def _in_store(shapes_graph: rdflib.Graph, sparql_constraints: list, parsed: ParsedSources,
              compactor: Compactor, store: ox.Store) -> tuple[list, rdflib.Graph] | None:
    """Every constraint evaluated in Oxigraph; None when some shape needs pySHACL."""
    from kg.validate import core_sparql
    from kg.validate.in_store import evaluate_all

    compiled = core_sparql.compile_shapes(shapes_graph)
    if compiled is None:
        return None
    results_graph = empty_report()
    try:
        evaluate_all(compiled, sparql_constraints, store, shapes_graph, results_graph)
    except core_sparql.Unsupported:  # a generic message this module cannot write
        return None
    return list(read_results(results_graph, shapes_graph, parsed, compactor, store)), results_graph


def _report(pairs: list, results_graph: rdflib.Graph, parsed: ParsedSources,
            only_files: set[str] | None, prefixes: dict[str, str], checked: int, reused: int
            ) -> ValidationReport:
    results = []
    for node, result in pairs:
        if only_files is None or result.file in only_files:
            results.append(result)
        elif node is not None:  # keep the Turtle report as the text and JSON reports
            results_graph.remove((None, SH.result, node))
            results_graph.remove((node, None, None))
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    results.sort(key=lambda r: (order.get(r.severity, 3), r.file or "~", r.focus, r.path or "",
                                r.message, r.value or "", r.shape or "", r.component or ""))
    files = sorted(only_files) if only_files is not None else sorted(parsed.triples_per_file)
    for prefix, namespace in prefixes.items():
        results_graph.bind(prefix, namespace)
    report = ValidationReport(results, files, results_graph, checked, reused)
    for node in results_graph.subjects(rdflib.RDF.type, SH.ValidationReport):
        results_graph.set((node, SH.conforms, rdflib.Literal(report.conforms)))
    return report


def _pointed(shapes: rdflib.Graph, store: ox.Store) -> frozenset[str]:
    """The IRIs that are targets because something points at them (``sh:targetObjectsOf``)."""
    pointed: set[str] = set()
    for predicate in set(shapes.objects(None, SH.targetObjectsOf)):
        solutions = store.query(f"SELECT DISTINCT ?o WHERE {{ ?s <{predicate}> ?o "
                                "FILTER(isIRI(?o)) }")
        pointed.update(solution["o"].value for solution in solutions)
    return frozenset(pointed)
