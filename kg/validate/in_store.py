"""Every constraint evaluated in Oxigraph, on as many threads as the machine has cores.

Oxigraph evaluates a query without holding Python's GIL, and a validation query returns few
rows (each row is a failure), so almost all of validation's time is spent where threads do
run side by side: at 100x, two threads took a whole validation from 14.7 s to about 8 s on
2 cores (bench/README.md). Each constraint writes its results into a report graph of its own
(rdflib graphs are not safe to write from two threads); the graphs are merged in the order
of the constraints, so the report does not depend on which thread finished first.
``KG_VALIDATION_THREADS`` sets the number of threads (1: one constraint after another).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import rdflib

from kg.errors import KgError
from kg.progress import progress
from kg.validate.report import empty_report, merge_reports


def threads() -> int:
    """``KG_VALIDATION_THREADS``, or the cores this process may run on."""
    given = os.environ.get("KG_VALIDATION_THREADS")
    if given is None:
        return max(1, min(len(os.sched_getaffinity(0)), 8))
    if not given.isdigit() or int(given) < 1:
        raise KgError(f"KG_VALIDATION_THREADS is {given!r}; it must be a whole number of "
                      "threads, 1 or more")
    return int(given)


def evaluate_all(core: list, sparql: list, store: ox.Store, shapes: rdflib.Graph,
                 results: rdflib.Graph, only: str | None = None) -> None:
    """Add the results of the compiled SHACL Core shapes (``core_sparql``) and of the
    SPARQL-based constraints (``sparql_constraints``) to ``results``.

    ``only``: a SPARQL group binding ``?this``; then only those focus nodes are checked.
    Raises ``core_sparql.Unsupported`` as ``core_sparql.evaluate`` does.
    """
    from kg.validate import core_sparql, sparql_constraints

    def run(unit: tuple[bool, object]) -> rdflib.Graph:
        is_core, constraint = unit
        graph = empty_report()
        if is_core:
            core_sparql.evaluate([constraint], store, shapes, graph, only, show_progress=False)
        else:
            sparql_constraints.evaluate([constraint], store, graph, only)
        return graph

    # The SPARQL constraints first: the slowest single checks are among them.
    units = [(False, c) for c in sparql] + [(True, c) for c in core]
    with progress("validating", total=len(units), unit="constraint") as advance:
        pool = ThreadPoolExecutor(max_workers=threads(), thread_name_prefix="kg-validate")
        try:
            for graph in pool.map(run, units):
                merge_reports(results, graph)
                advance(1)
        finally:  # an exception: do not start the constraints still waiting
            pool.shutdown(wait=True, cancel_futures=True)
