"""Validating a large graph in parts (see ``partitions``), in parallel, remembering each part.

Each part runs in a worker process of its own and reports the results about the nodes its
files describe; a part whose files, shapes and validating code are unchanged since the last
validation is read back from the cache instead of being checked again.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from kg.progress import progress
from kg.sources import ParsedSources
from kg.terms import Compactor
from kg.validate.pyshacl_run import run_pyshacl
from kg.validate.rdflib_bridge import to_rdflib
from kg.validate.report import ValidationResult, empty_report, read_results


def validate_in_parts(parts, parsed: ParsedSources, shapes: ParsedSources,
                       prefixes: dict[str, str], cache: Path | None,
                       meanwhile: Callable[[], object] = lambda: None
                       ) -> tuple[list, rdflib.Graph, int, int]:
    """Each part in a process of its own (at most one per CPU); results merged, deduplicated.

    Parts re-read their files: Turtle parsing is fast, and a fresh process is the only way to
    hand memory back after an rdflib graph of this size. A part found in ``cache`` (same
    files, shapes, prefixes and code) is not checked again. ``meanwhile`` runs in this
    process while the workers work (the SPARQL-based constraints, in Oxigraph).
    """
    import concurrent.futures
    import multiprocessing

    by_relpath = {source.relpath: (str(source.path), source.relpath, source.part)
                  for source in (*parsed.sources, *shapes.sources)}
    shape_files = [by_relpath[f] for f in shapes.triples_per_file]
    keys = _part_keys(parts, by_relpath, shape_files, prefixes) if cache else [None] * len(parts)
    outputs: dict[int, list] = {}
    for index, key in enumerate(keys):
        if key is not None and (cache / key).is_file():
            # a damaged entry is checked again
            with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError):
                outputs[index] = pickle.loads((cache / key).read_bytes())
    todo = [i for i in range(len(parts)) if i not in outputs]
    workers = max(1, min(len(todo), os.cpu_count() or 1))  # started only on a first job
    with (progress("validating", total=len(parts), unit="part") as advance,
          concurrent.futures.ProcessPoolExecutor(
              workers, mp_context=multiprocessing.get_context("spawn")) as pool):
        advance(len(outputs))
        jobs = {pool.submit(_validate_part, [by_relpath[f] for f in parts[i].files],
                            parts[i].owned, shape_files, prefixes): i for i in todo}
        meanwhile()
        for job in concurrent.futures.as_completed(jobs):
            outputs[jobs[job]] = job.result()
            advance(1)
    if cache is not None:
        _keep_in_cache(cache, {keys[i]: outputs[i] for i in todo}, set(keys))
    graph = empty_report()
    report = next(graph.subjects(rdflib.RDF.type, SH.ValidationReport))
    pairs, seen = [], set()
    for index in range(len(parts)):
        for result, details, triples, undescribed in outputs[index]:
            if undescribed is not None and parsed.file_of(ox.NamedNode(undescribed)):
                continue  # the part that owns the node's file reports it
            if result in seen:  # a node no file describes is checked in every part
                continue
            seen.add(result)
            one = rdflib.Graph().parse(data=triples, format="nt")
            nested = set(one.objects(None, SH.detail))
            node = next(n for n in one.subjects(rdflib.RDF.type, SH.ValidationResult)
                        if n not in nested)
            graph += one
            graph.add((report, SH.result, node))
            pairs.append((node, result))
            pairs += [(None, detail) for detail in details]  # in the graph under node
    return pairs, graph, len(todo), len(parts) - len(todo)


#: The code whose behaviour a cached part's results depend on, besides pySHACL and rdflib.
_VALIDATING_CODE = ("validate/core.py", "validate/report.py", "validate/parts.py",
                    "validate/pyshacl_run.py", "validate/partitions.py",
                    "validate/sparql_constraints.py", "validate/rdflib_bridge.py",
                    "sources/parsing.py", "terms.py")


def _part_keys(parts, by_relpath: dict, shape_files: list, prefixes: dict[str, str]
               ) -> list[str]:
    """A content key per part: its files, the shapes, the prefixes and the validating code."""
    import hashlib
    from importlib.metadata import version

    from kg.sources import hash_file

    package = Path(__file__).parent.parent  # kg/
    common = hashlib.sha256()
    for name in _VALIDATING_CODE:
        common.update(hash_file(package / name).encode())
    common.update(f"pyshacl {version('pyshacl')} rdflib {version('rdflib')}".encode())
    common.update(json.dumps(sorted(prefixes.items())).encode())
    for path, relpath, _part in shape_files:
        common.update(f"{relpath}\0{hash_file(Path(path))}".encode())
    hashes: dict[str, str] = {}
    keys = []
    for part in parts:
        digest = common.copy()
        for relpath in part.files:
            if relpath not in hashes:
                hashes[relpath] = hash_file(Path(by_relpath[relpath][0]))
            owned = "owned" if relpath in part.owned else "context"
            digest.update(f"{relpath}\0{owned}\0{hashes[relpath]}".encode())
        keys.append(digest.hexdigest())
    return keys


def _keep_in_cache(cache: Path, new: dict[str, list], live: set[str]) -> None:
    """Write the new parts' results; forget the parts no longer in the graph."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for key, output in new.items():
            temporary = cache / f".{key}.{os.getpid()}.tmp"
            temporary.write_bytes(pickle.dumps(output))
            os.replace(temporary, cache / key)
        for entry in cache.iterdir():
            if entry.name not in live and not entry.name.startswith("."):
                entry.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only store: validation still works, only slower next time


def _validate_part(files: list[tuple[str, str, str]], owned: frozenset[str],
                   shape_files: list[tuple[str, str, str]], prefixes: dict[str, str]
                   ) -> list[tuple[ValidationResult, tuple[ValidationResult, ...], bytes,
                                   str | None]]:
    """One part, in a worker process: its owned nodes' results, each with its report triples.

    A result comes with the results nested under it (``sh:detail``, from ``sh:node`` and the
    like), whatever node those are about.
    """
    from kg.sources import SourceFile, parse_sources
    from kg.validate.sparql_constraints import take_over

    parsed = parse_sources([SourceFile(Path(p), r, part) for p, r, part in files])
    shapes = parse_sources([SourceFile(Path(p), r, part) for p, r, part in shape_files])
    shapes_graph = to_rdflib(shapes.quads, store="SimpleMemory")
    take_over(shapes_graph)
    data_graph = to_rdflib(parsed.quads)
    store = ox.Store()  # for the reports' names of blank nodes
    store.bulk_extend(parsed.quads)
    parsed.quads.clear()
    results_graph = run_pyshacl(data_graph, shapes_graph, show_progress=False)
    read = dict(read_results(results_graph, shapes_graph, parsed, Compactor(prefixes), store))
    kept = []
    for top in results_graph.objects(None, SH.result):
        result = read[top]
        focus = results_graph.value(top, SH.focusNode)
        undescribed = None  # an IRI no file of this part describes: maybe another part does
        if result.file not in owned:  # another part reports it, seeing all its neighbours
            if result.file is not None or not isinstance(focus, rdflib.URIRef):
                continue
            undescribed = str(focus)
        details, todo = [], list(results_graph.objects(top, SH.detail))
        while todo:  # a nested shape's results go with the result that caused them
            node = todo.pop()
            details.append(read[node])
            todo += results_graph.objects(node, SH.detail)
        one = rdflib.Graph()
        for triple in _result_triples(results_graph, top):
            one.add(triple)
        kept.append((result, tuple(details), one.serialize(format="nt", encoding="utf-8"),
                     undescribed))
    return kept


def _result_triples(graph: rdflib.Graph, node):
    """A result and the blank nodes it owns (a property path), not the data nodes it names."""
    todo, done = [node], set()
    while todo:
        subject = todo.pop()
        if subject in done:
            continue
        done.add(subject)
        for predicate, obj in graph.predicate_objects(subject):
            yield subject, predicate, obj
            if isinstance(obj, rdflib.BNode) and predicate not in (SH.focusNode, SH.value):
                todo.append(obj)
