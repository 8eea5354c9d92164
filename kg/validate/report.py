"""The validation report: SHACL results in the words a curator needs, and their formats.

Shared by whole-graph and in-parts validation (kg.validate.core, kg.validate.parts), so
both read pySHACL's and Oxigraph's result graphs the same way.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from kg.sources import ParsedSources
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
    #: re-validated after an edit (kg.store.revalidation): files changed, focus nodes checked
    #: again (None: every node, the edit reached too far); None when validated whole
    incremental: tuple[int, int | None] | None = None

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


def empty_report() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.add((rdflib.BNode(), rdflib.RDF.type, SH.ValidationReport))
    return graph


def merge_reports(into: rdflib.Graph, other: rdflib.Graph) -> None:
    """Add ``other``'s results to ``into``'s one ``sh:ValidationReport``."""
    report = next(into.subjects(rdflib.RDF.type, SH.ValidationReport))
    other_report = next(other.subjects(rdflib.RDF.type, SH.ValidationReport))
    for subject, predicate, obj in other:
        if subject != other_report:
            into.add((subject, predicate, obj))
        elif predicate == SH.result:
            into.add((report, SH.result, obj))


def read_results(graph: rdflib.Graph, shapes_graph: rdflib.Graph, parsed: ParsedSources,
                  compactor: Compactor, store: ox.Store):
    """Each result of a SHACL report graph, as kg's ValidationResult (with its result node)."""
    reader = _ResultReader(graph, shapes_graph, compactor, store)
    show = reader.show
    for result in graph.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = graph.value(result, SH.focusNode)
        messages = sorted(str(m) for m in graph.objects(result, SH.resultMessage))
        yield result, ValidationResult(
            severity=SEVERITIES.get(graph.value(result, SH.resultSeverity), "Violation"),
            file=_origin(parsed, focus),
            focus=show(focus) or "",
            path=show(graph.value(result, SH.resultPath)),
            value=show(graph.value(result, SH.value)),
            message="; ".join(messages) or "(the shape has no sh:message)",
            shape=reader.shape_name(graph.value(result, SH.sourceShape)),
            component=show(graph.value(result, SH.sourceConstraintComponent)),
        )


class _ResultReader:
    """Names of a report's nodes as readers see them.

    A class, not closures that call each other: those closures formed a reference cycle
    holding ``store``, so the build's in-memory copy of the graph (1.4 GB at 1000x) outlived
    its last use until the cyclic collector ran, and freeing it then cost 4 s in the middle
    of writing the manifest (bench/README.md, 2026-12-05).
    """

    __slots__ = ("compactor", "graph", "shapes_graph", "store")

    def __init__(self, graph: rdflib.Graph, shapes_graph: rdflib.Graph, compactor: Compactor,
                 store: ox.Store) -> None:
        self.graph, self.shapes_graph = graph, shapes_graph
        self.compactor, self.store = compactor, store

    def shape_name(self, node, depth: int = 0) -> str | None:
        """A nested shape is a blank node: name it by where it sits in a named shape.

        ``olcs:ModelReleaseShape (property fair4ml:fineTunedFrom) sh:node (property
        olc:artefactDomain)``, not a blank node label that changes from run to run.
        """
        shapes_graph = self.shapes_graph
        if not isinstance(node, rdflib.BNode) or depth > 8:
            return self.show(node)
        parent = shapes_graph.value(None, SH.property, node)
        if parent is not None:
            path = shapes_graph.value(node, SH.path)
            where = self.show(path) if path is not None else None
            name = self.shape_name(parent, depth + 1)
            return f"{name} (property {where})" if where else name
        for holder, predicate in shapes_graph.subject_predicates(node):
            if predicate == rdflib.RDF.first:  # a member of a list (sh:or, sh:and, sh:xone)
                while (None, rdflib.RDF.rest, holder) in shapes_graph:
                    holder = shapes_graph.value(None, rdflib.RDF.rest, holder)
                holder, predicate = next(iter(shapes_graph.subject_predicates(holder)),
                                         (None, None))
                if holder is None:
                    break
            return f"{self.shape_name(holder, depth + 1)} {self.compactor.iri(str(predicate))}"
        return self.show(node)

    def show(self, node) -> str | None:
        if node is None:
            return None
        if isinstance(node, rdflib.URIRef):
            return self.compactor.iri(str(node))
        if isinstance(node, rdflib.BNode):
            return (_describe_path(self.graph, node, self.compactor)
                    or _describe_blank(self.store, ox.BlankNode(str(node)), self.compactor)
                    or f"_:{node}")
        return node.n3(self.graph.namespace_manager)  # a literal as Turtle: "x", "x"@en, 5


def _origin(parsed: ParsedSources, node) -> str | None:
    if isinstance(node, rdflib.URIRef):
        return parsed.file_of(ox.NamedNode(str(node)))
    if isinstance(node, rdflib.BNode):
        return parsed.file_of(ox.BlankNode(str(node)))
    return None


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
                      for q in store.quads_for_pattern(None, None, node, ox.DefaultGraph()))
    outgoing = sorted((term(q.predicate), term(q.object))
                      for q in store.quads_for_pattern(node, None, None, ox.DefaultGraph()))
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
    if report.incremental is not None and report.incremental[0]:
        changed, nodes = report.incremental
        lines.append(f"{plural(changed, 'file')} changed since the last validation: "
                     + ("every focus node checked again" if nodes is None else
                        f"{plural(nodes, 'focus node')} it can affect checked again, "
                        "the other results kept"))
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
