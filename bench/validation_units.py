"""Every validation unit of a project timed alone: where a validated build's time goes.

Parses the project into an in-memory store (as a build does), then runs each SPARQL
constraint Oxigraph takes over and each compiled SHACL Core constraint on its own, on one
thread, and prints the parse time, the total, and the 25 slowest units.

Usage: python bench/validation_units.py PROJECT   (e.g. one written by bench/synth.py)
"""

from __future__ import annotations

import os
import sys
import time

os.environ["KG_PROGRESS"] = "0"


def main(project_dir: str) -> None:
    import pyoxigraph as ox

    from kg.sources import find_project, parse_sources
    from kg.store.pipeline import GRAPH_PARTS, parse_into
    from kg.validate import core_sparql, sparql_constraints
    from kg.validate.rdflib_bridge import to_rdflib
    from kg.validate.report import empty_report

    project = find_project(project_dir)
    started = time.perf_counter()
    store = ox.Store()
    parse_into(store, project.sources(GRAPH_PARTS))
    print(f"parse {time.perf_counter() - started:.1f} s, {len(store)} quads", flush=True)
    shapes = to_rdflib(parse_sources(project.sources(("shapes",))).quads, store="SimpleMemory")
    sparql = sparql_constraints.take_over(shapes)
    core = core_sparql.compile_shapes(shapes)
    rows = []
    for constraint in sparql:
        started = time.perf_counter()
        sparql_constraints.evaluate([constraint], store, empty_report())
        rows.append((time.perf_counter() - started, "sparql", str(constraint.shape)))
    for constraint in core:
        started = time.perf_counter()
        core_sparql.evaluate([constraint], store, shapes, empty_report(), show_progress=False)
        rows.append((time.perf_counter() - started, "core", str(constraint.shape.node)))
    rows.sort(reverse=True)
    print(f"all {len(rows)} units {sum(r[0] for r in rows):.1f} s")
    for seconds, kind, shape in rows[:25]:
        print(f"{seconds:8.2f} s  {kind:6s} {shape}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
