"""Re-validating a few focus nodes against validating all of them, in one process.

On a project (for example ``bench/synth.py``'s): parse every source into an in-memory Oxigraph
store, validate the whole graph (``kg.validate.core.validate``, the in-store engine), then
validate only the nodes one project file describes and the nodes its triples point to
(``kg.validate.incremental.validate_nodes``), the set an edit of that file would start from.
Prints the seconds of each (CPU and wall), the number of nodes and results, and the load.
This is the evaluation step alone: parsing and loading are timed apart, and the state an
incremental `kg validate` would keep between runs is not built yet.

Usage: python bench/incremental.py PROJECT [--file data/projects/x.ttl] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from kg.sources.parsing import parse_sources
from kg.sources.project import GRAPH_PARTS, find_project
from kg.store.pipeline import parse_into
from kg.validate.core import validate
from kg.validate.incremental import validate_nodes


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", type=Path)
    parser.add_argument("--file", help="the edited file (default: the last project file)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-whole", action="store_true", help="skip the whole validation")
    args = parser.parse_args()
    os.environ.setdefault("KG_PROGRESS", "0")
    project = find_project(args.project)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    store = ox.Store()
    parsed, wall, cpu = timed(lambda: parse_into(store, project.sources(GRAPH_PARTS)))
    shapes = parse_sources(project.sources(("shapes",)))
    print(f"parse and load: {wall:.2f} s wall, {cpu:.2f} s CPU, {len(store)} quads")
    file = args.file or sorted(f for f in parsed.triples_per_file
                               if f.startswith("data/projects/"))[-1]
    described = [n for n, f in parsed.subject_file.items() if f == file]
    nodes = set(described)
    for node in described:
        nodes.update(q.object for q in store.quads_for_pattern(node, None, None,
                                                               ox.DefaultGraph()))
    sets = {f"the {len(described)} nodes {file} describes": described,
            f"those and what they point to ({len(nodes)} nodes)": nodes}
    if not args.no_whole:
        sets = {"whole graph": None, **sets}
    measured = []
    for name, chosen in sets.items():
        times = []
        for _ in range(args.runs):
            report, wall, cpu = timed(
                lambda c=chosen: validate(parsed, shapes, store=store, engine="sparql")
                if c is None else validate_nodes(parsed, shapes, store, c))
            times.append((wall, cpu))
        measured.append((name, times, report))
    for name, times, report in measured:
        print(f"{name}: median {statistics.median(t[0] for t in times):.2f} s wall, "
              f"{statistics.median(t[1] for t in times):.2f} s CPU over {args.runs} runs; "
              f"{len(report.results)} results")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
