"""SHACL validation with pySHACL, reported so a curator knows which file and line of thought to fix.

Oxigraph parses; rdflib appears only here, because pySHACL needs an rdflib graph. The quads
are handed over term by term (no Turtle round trip), and this module is imported lazily so
commands that only read the store never load rdflib or pySHACL.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from kg.errors import InputError
from kg.parsing import ParsedSources
from kg.progress import progress
from kg.rdflib_bridge import to_rdflib
from kg.terms import Compactor, plural

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, in the words a curator needs."""

    severity: str
    file: str | None
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str | None
    component: str | None


@dataclass
class ValidationReport:
    results: list[ValidationResult]
    files: list[str]
    results_graph: rdflib.Graph = field(repr=False)
    #: validated in parts: how many parts were checked, and how many reused from the cache
    parts_checked: int = 0
    parts_reused: int = 0

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")

    @property
    def conforms(self) -> bool:
        return self.violations == 0


@contextlib.contextmanager
def _pyshacl_fast_paths(advance: Callable[[int], object] = lambda _n: None) -> Iterator[None]:
    """Spare pySHACL work whose cost grows with the graph but whose result kg never reads.

    Each patch was found by profiling ``kg validate`` on the scale benchmarks (bench/README.md)
    and is undone on exit:

    - rdflib parses each SPARQL text once, not once per focus node: pySHACL hands a SPARQL
      constraint to rdflib as text for every focus node. (Constraints Oxigraph takes over,
      see kg.sparql_constraints, no longer reach rdflib; any others still do.)
    - pySHACL looks up every shape parameter in a list of 40 constraint parameters, for every
      focus node a property shape is checked on; a frozenset gives the same answer by hash.
    - pySHACL writes a text description of every result, including the discarded ones of each
      ``sh:or`` branch; kg reads the results graph, never that text.
    - Printing an IRI (in descriptions and generic messages) made rdflib insert its namespace
      into a trie that is scanned on every insert. Every source URL brings a new namespace, so
      the cost grew quadratically with the graph. A namespace without a prefix prints as
      ``<IRI>`` whether or not it is in the trie, so those are printed without the insert.

    - pySHACL checks a node shape's property shapes one focus node at a time, and every call
      re-reads the property shape's parameters from the shapes graph and rebuilds its
      constraint components. A property shape's result for one node does not depend on the
      others, so each is called once with all the focus nodes (falling back to pySHACL's own
      loop when a value node repeats or recursion is possible, where counts could differ).

    ``advance`` is called as each shape is done, for the progress bar.
    """
    import pyshacl.constraints
    import pyshacl.shape
    from pyshacl.constraints.constraint_component import ConstraintComponent
    from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent
    from pyshacl.shape import Shape
    from rdflib.namespace import NamespaceManager, split_uri
    from rdflib.plugins.sparql import processor

    original_query = processor.SPARQLProcessor.query
    original_params = getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None)
    original_description = ConstraintComponent.make_v_result_description
    original_normalize = NamespaceManager.normalizeUri
    original_shape_validate = Shape.validate
    original_property_shape = PropertyConstraintComponent._evaluate_property_shape
    prepared: dict[tuple, object] = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in prepared:
                prepared[key] = processor.translateQuery(processor.parseQuery(strOrQuery),
                                                         base, initNs)
            strOrQuery = prepared[key]
        return original_query(self, strOrQuery, initBindings, initNs, base, DEBUG)

    def normalize(self, iri):
        try:
            namespace, _name = split_uri(iri)
        except ValueError:
            return original_normalize(self, iri)
        if self.store.prefix(rdflib.URIRef(namespace)) is None and not isinstance(
                iri, rdflib.Variable):
            return f"<{iri}>"
        return original_normalize(self, iri)

    def validate_shape(self, executor, target_graph, focus=None, _evaluation_path=None):
        outcome = original_shape_validate(self, executor, target_graph, focus, _evaluation_path)
        if _evaluation_path is None:  # a shape pySHACL's validator runs, not a nested one
            advance(1)
        return outcome

    def evaluate_property_shape(self, executor, property_shape, target_graph, focus_values,
                                recursive, evaluation_path):
        shape = self.shape.get_other_shape(property_shape)
        values = [value for values in focus_values.values() for value in values]
        if (not shape or not shape.is_property_shape or (recursive and shape in recursive)
                or len(set(values)) != len(values)):
            return original_property_shape(self, executor, property_shape, target_graph,
                                           focus_values, recursive, evaluation_path)
        if not values:
            return False, []
        conforms, reports = shape.validate(executor, target_graph, focus=values,
                                           _evaluation_path=evaluation_path[:])
        return not conforms, reports

    processor.SPARQLProcessor.query = query
    NamespaceManager.normalizeUri = normalize
    PropertyConstraintComponent._evaluate_property_shape = evaluate_property_shape
    Shape.validate = validate_shape
    pyshacl.shape.CONSTRAINT_PARAMS = (frozenset(pyshacl.constraints.ALL_CONSTRAINT_PARAMETERS),
                                       pyshacl.constraints.CONSTRAINT_PARAMETERS_MAP)
    ConstraintComponent.make_v_result_description = lambda *_args, **_kwargs: ""
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original_query
        ConstraintComponent.make_v_result_description = original_description
        NamespaceManager.normalizeUri = original_normalize
        Shape.validate = original_shape_validate
        PropertyConstraintComponent._evaluate_property_shape = original_property_shape
        if original_params is None:
            del pyshacl.shape.CONSTRAINT_PARAMS
        else:
            pyshacl.shape.CONSTRAINT_PARAMS = original_params


def validate(parsed: ParsedSources, shapes: ParsedSources,
             only_files: set[str] | None = None, store: ox.Store | None = None,
             cache: Path | None = None) -> ValidationReport:
    """Validate the parsed graph against the shapes; keep results from ``only_files`` if given.

    The whole graph is always validated, because a value class (``sh:class``) or a link may be
    described in another file; ``only_files`` only narrows what is reported. ``store`` holds
    the graph (``parsed`` then need not keep its quads); otherwise one is made from
    ``parsed.quads``. The SPARQL-based constraints run in the store; pySHACL checks the rest,
    on the whole graph at once when it is small and in parts (kg.partitions), in parallel
    processes, when it is large. With ``cache`` (a directory), a part whose files, shapes and
    validating code are unchanged since the last validation is not checked again: its results
    are read back.
    """
    from kg.partitions import plan
    from kg.sparql_constraints import evaluate, take_over

    if store is None:
        store = ox.Store()
        store.bulk_extend(parsed.quads)
    shapes_graph = to_rdflib(shapes.quads, store="SimpleMemory")
    sparql_constraints = take_over(shapes_graph)
    prefixes = {**shapes.prefixes, **parsed.prefixes}
    compactor = Compactor(prefixes)
    # Parts are exact only when no SPARQL constraint (which may look anywhere) is left to
    # pySHACL and no shape follows a property backwards.
    partable = ((None, SH.sparql, None) not in shapes_graph
                and (None, SH.inversePath, None) not in shapes_graph)
    parts = plan(parsed, _pointed(shapes_graph, store)) if partable else []
    checked = reused = 0
    if len(parts) > 1:
        pairs, results_graph, checked, reused = _validate_in_parts(parts, parsed, shapes,
                                                                   prefixes, cache)
        sparql_graph = _empty_report()
        evaluate(sparql_constraints, store, sparql_graph)
        pairs += _read_results(sparql_graph, shapes_graph, parsed, compactor, store)
        _merge_reports(results_graph, sparql_graph)
    else:
        results_graph = _run_pyshacl(to_rdflib(store.quads_for_pattern(None, None, None)),
                                     shapes_graph)
        evaluate(sparql_constraints, store, results_graph)
        pairs = list(_read_results(results_graph, shapes_graph, parsed, compactor, store))
    results = []
    for node, result in pairs:
        if only_files is None or result.file in only_files:
            results.append(result)
        elif node is not None:  # keep the Turtle report as the text and JSON reports
            results_graph.remove((None, SH.result, node))
            results_graph.remove((node, None, None))
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    results.sort(key=lambda r: (order.get(r.severity, 3), r.file or "~", r.focus, r.path or "",
                                r.message, r.value or ""))
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


def _run_pyshacl(data_graph: rdflib.Graph, shapes_graph: rdflib.Graph,
                 show_progress: bool = True) -> rdflib.Graph:
    import pyshacl
    import pyshacl.errors

    total = _count_shapes(shapes_graph) if show_progress else None
    try:
        with (progress("validating", total=total, unit="shape") if show_progress
              else contextlib.nullcontext(lambda _n: None)) as advance, \
                _pyshacl_fast_paths(advance):
            _conforms, results_graph, text = pyshacl.validate(
                data_graph,
                shacl_graph=shapes_graph,
                inference="none",
                allow_warnings=True,
                allow_infos=True,
                abort_on_first=False,
            )
    except pyshacl.errors.ReportableRuntimeError as error:
        raise InputError(f"The SHACL shapes cannot be used: {error.message}") from None
    if not isinstance(results_graph, rdflib.Graph):  # pySHACL's ValidationFailure: a bad shape
        raise InputError(f"The SHACL shapes cannot be used: {text.strip()}")
    return results_graph


def _empty_report() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.add((rdflib.BNode(), rdflib.RDF.type, SH.ValidationReport))
    return graph


def _merge_reports(into: rdflib.Graph, other: rdflib.Graph) -> None:
    """Add ``other``'s results to ``into``'s one ``sh:ValidationReport``."""
    report = next(into.subjects(rdflib.RDF.type, SH.ValidationReport))
    other_report = next(other.subjects(rdflib.RDF.type, SH.ValidationReport))
    for subject, predicate, obj in other:
        if subject != other_report:
            into.add((subject, predicate, obj))
        elif predicate == SH.result:
            into.add((report, SH.result, obj))


def _validate_in_parts(parts, parsed: ParsedSources, shapes: ParsedSources,
                       prefixes: dict[str, str], cache: Path | None
                       ) -> tuple[list, rdflib.Graph, int, int]:
    """Each part in a process of its own (at most one per CPU); results merged, deduplicated.

    Parts re-read their files: Turtle parsing is fast, and a fresh process is the only way to
    hand memory back after an rdflib graph of this size. A part found in ``cache`` (same
    files, shapes, prefixes and code) is not checked again.
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
    with progress("validating", total=len(parts), unit="part") as advance:
        advance(len(outputs))
        if todo:
            workers = min(len(todo), os.cpu_count() or 1)
            with concurrent.futures.ProcessPoolExecutor(
                    workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                jobs = {pool.submit(_validate_part, [by_relpath[f] for f in parts[i].files],
                                    parts[i].owned, shape_files, prefixes): i for i in todo}
                for job in concurrent.futures.as_completed(jobs):
                    outputs[jobs[job]] = job.result()
                    advance(1)
    if cache is not None:
        _keep_in_cache(cache, {keys[i]: outputs[i] for i in todo}, set(keys))
    graph = _empty_report()
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
_VALIDATING_CODE = ("validation.py", "partitions.py", "sparql_constraints.py",
                    "rdflib_bridge.py", "parsing.py", "terms.py")


def _part_keys(parts, by_relpath: dict, shape_files: list, prefixes: dict[str, str]
               ) -> list[str]:
    """A content key per part: its files, the shapes, the prefixes and the validating code."""
    import hashlib
    from importlib.metadata import version

    from kg.project import hash_file

    package = Path(__file__).parent
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
    from kg.parsing import parse_sources
    from kg.project import SourceFile
    from kg.sparql_constraints import take_over

    parsed = parse_sources([SourceFile(Path(p), r, part) for p, r, part in files])
    shapes = parse_sources([SourceFile(Path(p), r, part) for p, r, part in shape_files])
    shapes_graph = to_rdflib(shapes.quads, store="SimpleMemory")
    take_over(shapes_graph)
    data_graph = to_rdflib(parsed.quads)
    store = ox.Store()  # for the reports' names of blank nodes
    store.bulk_extend(parsed.quads)
    parsed.quads.clear()
    results_graph = _run_pyshacl(data_graph, shapes_graph, show_progress=False)
    read = dict(_read_results(results_graph, shapes_graph, parsed, Compactor(prefixes), store))
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


def _count_shapes(shapes: rdflib.Graph) -> int:
    """About as many shapes as pySHACL will run: node shapes and property shapes."""
    return len(set(shapes.subjects(rdflib.RDF.type, SH.NodeShape))
               | set(shapes.subjects(SH.path, None)))


def _read_results(graph: rdflib.Graph, shapes_graph: rdflib.Graph, parsed: ParsedSources,
                  compactor: Compactor, store: ox.Store):
    def shape_name(node, depth: int = 0) -> str | None:
        """A nested shape is a blank node: name it by where it sits in a named shape.

        ``olcs:ModelReleaseShape (property fair4ml:fineTunedFrom) sh:node (property
        olc:artefactDomain)``, not a blank node label that changes from run to run.
        """
        if not isinstance(node, rdflib.BNode) or depth > 8:
            return show(node)
        parent = shapes_graph.value(None, SH.property, node)
        if parent is not None:
            path = shapes_graph.value(node, SH.path)
            where = show(path) if path is not None else None
            name = shape_name(parent, depth + 1)
            return f"{name} (property {where})" if where else name
        for holder, predicate in shapes_graph.subject_predicates(node):
            if predicate == rdflib.RDF.first:  # a member of a list (sh:or, sh:and, sh:xone)
                while (None, rdflib.RDF.rest, holder) in shapes_graph:
                    holder = shapes_graph.value(None, rdflib.RDF.rest, holder)
                holder, predicate = next(iter(shapes_graph.subject_predicates(holder)),
                                         (None, None))
                if holder is None:
                    break
            return f"{shape_name(holder, depth + 1)} {compactor.iri(str(predicate))}"
        return show(node)

    def show(node) -> str | None:
        if node is None:
            return None
        if isinstance(node, rdflib.URIRef):
            return compactor.iri(str(node))
        if isinstance(node, rdflib.BNode):
            return (_describe_path(graph, node, compactor)
                    or _describe_blank(store, ox.BlankNode(str(node)), compactor)
                    or f"_:{node}")
        return node.n3(graph.namespace_manager)  # a literal as Turtle: "x", "x"@en, 5

    def origin(node) -> str | None:
        if isinstance(node, rdflib.URIRef):
            return parsed.file_of(ox.NamedNode(str(node)))
        if isinstance(node, rdflib.BNode):
            return parsed.file_of(ox.BlankNode(str(node)))
        return None

    for result in graph.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = graph.value(result, SH.focusNode)
        messages = sorted(str(m) for m in graph.objects(result, SH.resultMessage))
        yield result, ValidationResult(
            severity=SEVERITIES.get(graph.value(result, SH.resultSeverity), "Violation"),
            file=origin(focus),
            focus=show(focus) or "",
            path=show(graph.value(result, SH.resultPath)),
            value=show(graph.value(result, SH.value)),
            message="; ".join(messages) or "(the shape has no sh:message)",
            shape=shape_name(graph.value(result, SH.sourceShape)),
            component=show(graph.value(result, SH.sourceConstraintComponent)),
        )


def _describe_blank(store: ox.Store, node: ox.BlankNode, compactor: Compactor) -> str | None:
    """A data blank node as a reader can find it: ``olcd:olmo olc:evidence [dct:source <…>]``.

    Its label is made up anew at every parse, so reports name it by the link to it and its
    first statement instead, which stay the same from run to run.
    """
    def term(value) -> str:
        if isinstance(value, ox.NamedNode):
            return compactor.iri(value.value)
        if isinstance(value, ox.BlankNode):
            return "[]"
        return str(value)

    incoming = sorted((term(q.subject), term(q.predicate))
                      for q in store.quads_for_pattern(None, None, node))
    outgoing = sorted((term(q.predicate), term(q.object))
                      for q in store.quads_for_pattern(node, None, None))
    if not incoming and not outgoing:
        return None
    inside = f"{outgoing[0][0]} {outgoing[0][1]}" if outgoing else ""
    return (f"{incoming[0][0]} {incoming[0][1]} [{inside}]" if incoming else f"[{inside}]")


def _describe_path(graph: rdflib.Graph, node, compactor: Compactor) -> str | None:
    """Render a SHACL property path given as a blank node (inverse, sequence, alternatives)."""
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return f"^{compactor.iri(str(inverse))}"
    if (node, rdflib.RDF.first, None) in graph:
        items = list(rdflib.collection.Collection(graph, node))
        return "/".join(compactor.iri(str(item)) for item in items)
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        items = list(rdflib.collection.Collection(graph, alternatives))
        return "|".join(compactor.iri(str(item)) for item in items)
    return None


def format_text(report: ValidationReport) -> str:
    lines = []
    for r in report.results:
        where = r.file or "(not described in any file)"
        lines.append(f"{where}: {r.severity}: {r.focus}" + (f" {r.path}" if r.path else ""))
        lines.append(f"    {r.message}")
        if r.value is not None:
            lines.append(f"    value: {r.value}")
        lines.append(f"    shape: {r.shape}  constraint: {r.component}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: ValidationReport) -> str:
    verdict = "conforms" if report.conforms else "does not conform"
    return (f"{plural(len(report.files), 'file')} checked: {verdict} "
            f"({plural(report.violations, 'violation')}, {plural(report.warnings, 'warning')}, "
            f"{plural(report.count('Info'), 'info')})")


def format_json(report: ValidationReport) -> str:
    payload = {
        "conforms": report.conforms,
        "violations": report.violations,
        "warnings": report.warnings,
        "files": report.files,
        "results": [asdict(r) for r in report.results],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def format_turtle(report: ValidationReport) -> str:
    """The SHACL validation report itself (``sh:ValidationReport``), for other tools."""
    return report.results_graph.serialize(format="turtle")
