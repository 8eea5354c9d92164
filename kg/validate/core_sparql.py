"""SHACL Core evaluated by Oxigraph, for all focus nodes at once, reported as pySHACL reports it.

pySHACL needs the data as an rdflib graph and checks one focus node at a time in Python; at
scale that was most of validation's time. Here every constraint of a shape runs as one SELECT
over the store, with the shape's targets joined in, and each row becomes a result written as
pySHACL writes it: focus node, path (the shapes graph's own path node), value where pySHACL
gives one, severity, source shape and component, the shape's ``sh:message`` (or pySHACL's
generic message, for the components whose text is reproduced here), and, under an ``sh:node``
result, the nested shape's results as ``sh:detail``.

A nested shape (``sh:node``, the members of ``sh:or``) is evaluated the same way, with the
values of its parent as focus nodes (a subquery over the parent's focus nodes), so a value
conforms exactly when the nested shape gives no result for it, as in pySHACL. Checks that
depend only on a value's own term (well-formed datatypes, patterns, ranges) are made in Python
with rdflib's literals and pySHACL's rules, so lexical forms are judged as pySHACL judges them.

``compile_shapes`` returns None when any shape uses something not covered here (another
component, a SPARQL constraint Oxigraph did not take over, implicit class targets, a shape
without ``sh:message`` whose generic text is not reproduced, a recursive shape): validation
then goes the pySHACL way. ``tests/test_core_sparql.py`` compares the two on every shape
fixture, the real data and a broken synthetic project.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SH, XSD

from kg.progress import progress
from kg.validate.rdflib_bridge import rdflib_term
from kg.validate.sparql_constraints import TARGETS as _TARGETS
from kg.validate.sparql_constraints import focus_group, restricted_focus

_PARAMETERS = {SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH["in"],
               SH.pattern, SH.hasValue, SH.minInclusive, SH.maxInclusive, SH.uniqueLang,
               SH.node, SH["or"], SH.property}
#: shape predicates that change nothing in the results (besides the parameters above)
_HARMLESS = {SH.path, SH.flags, SH.severity, SH.message, SH.deactivated, SH.name,
             SH.description, SH.order, SH.group, *_TARGETS}
_NODE_KINDS = {
    SH.IRI: "isIRI(?value)", SH.BlankNode: "isBlank(?value)", SH.Literal: "isLiteral(?value)",
    SH.BlankNodeOrIRI: "!isLiteral(?value)", SH.BlankNodeOrLiteral: "!isIRI(?value)",
    SH.IRIOrLiteral: "!isBlank(?value)",
}
#: property shape components that pySHACL allows only there
_PROPERTY_ONLY = {SH.minCount, SH.maxCount, SH.uniqueLang}


class Unsupported(Exception):
    """A shape uses something this module does not evaluate as pySHACL would."""


@dataclass(eq=False)
class Shape:
    node: rdflib.term.Node
    path: rdflib.term.Node | None  # a property shape's path node (in the shapes graph)
    sparql_path: str | None
    severity: rdflib.term.Node
    messages: tuple[rdflib.Literal, ...]
    deactivated: bool
    components: list[tuple] = field(default_factory=list)


@dataclass(frozen=True)
class CompiledConstraint:
    """A top-level node shape and its targets, each a SPARQL group binding ``?this``."""
    shape: Shape
    targets: tuple[str, ...]

    def restricted(self, only: str | None) -> str:
        """The group binding ``?this`` to the focus nodes, narrowed to those the group
        ``only`` binds when one is given."""
        return focus_group(self.targets) if only is None else restricted_focus(only,
                                                                               self.targets)


@dataclass
class Result:
    component: rdflib.URIRef
    shape: Shape
    focus: rdflib.term.Node
    value: rdflib.term.Node | None
    details: list[Result] = field(default_factory=list)


def compile_shapes(shapes: rdflib.Graph) -> list[CompiledConstraint] | None:
    """The shapes with targets, compiled; None if any shape needs pySHACL."""
    try:
        return _Compiler(shapes).compile_all()
    except Unsupported:
        return None


class _Compiler:
    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph
        self.shapes: dict[rdflib.term.Node, Shape] = {}
        self.stack: list[rdflib.term.Node] = []

    def compile_all(self) -> list[CompiledConstraint]:
        g = self.graph
        if (None, SH.sparql, None) in g or (None, SH.target, None) in g:
            raise Unsupported("SPARQL constraint or target left to pySHACL")
        for cls in (RDFS.Class, rdflib.OWL.Class):
            for node in g.subjects(RDF.type, cls):
                if ((node, RDF.type, SH.NodeShape) in g or (node, RDF.type, SH.PropertyShape) in g
                        or (node, SH.property, None) in g):
                    raise Unsupported("implicit class target")
        roots = {s for p in _TARGETS for s in g.subjects(p, None)}
        compiled = []
        for node in sorted(roots, key=str):
            if (node, SH.path, None) in g:
                raise Unsupported("a property shape with targets")
            shape = self.shape(node, reported=True)
            targets = tuple(_TARGETS[p].format(term=o.n3())
                            for p in _TARGETS for o in sorted(g.objects(node, p), key=str))
            compiled.append(CompiledConstraint(shape, targets))
        # every shape pySHACL would load must use only what is covered here
        for node in g.subjects(RDF.type, SH.NodeShape):
            self.shape(node, reported=False)
        for node in g.subjects(RDF.type, SH.PropertyShape):
            self.shape(node, reported=False)
        return compiled

    def shape(self, node, reported: bool) -> Shape:
        """``reported``: its results may reach the report (so its messages must be known)."""
        key = (node, reported)
        if key in self.shapes:
            return self.shapes[key]
        if node in self.stack:
            raise Unsupported("recursive shapes")
        g = self.graph
        self.stack.append(node)
        for predicate, obj in g.predicate_objects(node):
            if predicate == RDF.type:
                if obj not in (SH.NodeShape, SH.PropertyShape):
                    raise Unsupported(f"a shape typed {obj}")
            elif str(predicate).startswith(str(SH)) and predicate not in (_PARAMETERS | _HARMLESS):
                raise Unsupported(f"{predicate}")
        path = g.value(node, SH.path)
        messages = tuple(m for m in g.objects(node, SH.message) if isinstance(m, rdflib.Literal))
        deactivated = any(isinstance(d, rdflib.Literal) and d.value is True
                          for d in g.objects(node, SH.deactivated))
        shape = Shape(node, path, _sparql_path(g, path) if path is not None else None,
                      g.value(node, SH.severity) or SH.Violation, messages, deactivated)
        self.shapes[key] = shape
        for predicate in _PARAMETERS:
            values = sorted(g.objects(node, predicate), key=str)
            if not values:
                continue
            if predicate in _PROPERTY_ONLY and path is None:
                raise Unsupported("a property-shape component on a node shape")
            if predicate in (SH.minCount, SH.maxCount):
                if len(values) != 1 or not _is_integer(values[0]) or values[0].value < 0:
                    raise Unsupported("a malformed count")
                components = [(predicate, values[0].value)]
            elif predicate == SH.property or predicate == SH.node:
                components = [(predicate, self.shape(v, reported)) for v in values]
            elif predicate == SH["or"]:
                components = [(predicate, [self.shape(m, False) for m in g.items(v)], v)
                              for v in values]
                if any(not c[1] for c in components):
                    raise Unsupported("an empty sh:or")
            elif predicate == SH["in"]:
                components = [(predicate, list(g.items(v))) for v in values]
            elif predicate == SH.pattern:
                flags = g.value(node, SH.flags)
                re_flags = 0
                if flags is not None:
                    text = str(flags.value).lower()
                    re_flags |= (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
                components = []
                for v in values:
                    pattern = str(v.value) if v.value is not None and len(v.value) > 1 else str(v)
                    components.append((predicate, re.compile(pattern, re_flags), v))
            elif predicate == SH.uniqueLang:
                components = [(predicate, True)] if any(
                    isinstance(v, rdflib.Literal) and v.value is True for v in values) else []
                if len(values) > 1:
                    raise Unsupported("several sh:uniqueLang")
            elif predicate in (SH.minInclusive, SH.maxInclusive):
                if any(not isinstance(v, rdflib.Literal) for v in values):
                    raise Unsupported("a range that is not a literal")
                components = [(predicate, v) for v in values]
            elif predicate == SH.datatype:
                if len(values) != 1 or values[0] == RDFS.Datatype:
                    raise Unsupported("sh:datatype")
                components = [(predicate, values[0])]
            elif predicate == SH.nodeKind:
                if len(values) != 1 or values[0] not in _NODE_KINDS:
                    raise Unsupported("sh:nodeKind")
                components = [(predicate, values[0])]
            else:  # sh:class, sh:hasValue
                if predicate == SH.hasValue and any(not isinstance(v, rdflib.URIRef)
                                                    for v in values):
                    # pySHACL compares rdflib's spelling of a literal, the store its own
                    raise Unsupported("sh:hasValue of a literal or blank node")
                components = [(predicate, v) for v in values]
            if reported and not messages and predicate != SH.property:
                _check_generic(predicate, values, path)
            shape.components += components
        self.stack.pop()
        return shape


def _is_integer(term) -> bool:
    return isinstance(term, rdflib.Literal) and term.datatype == XSD.integer and isinstance(
        term.value, int)


def _check_generic(predicate, values, path) -> None:
    """Shapes without sh:message: only the generic texts reproduced below."""
    if predicate in (SH.minCount, SH.maxCount, SH.uniqueLang):
        return
    if predicate in (SH["class"], SH.datatype, SH.node, SH["or"], SH.pattern, SH.nodeKind,
                     SH.minInclusive, SH.maxInclusive) and len(values) == 1:
        return
    raise Unsupported(f"no sh:message for {predicate}")


def _sparql_path(g: rdflib.Graph, path) -> str:
    if isinstance(path, rdflib.URIRef):
        return path.n3()
    if not isinstance(path, rdflib.BNode):
        raise Unsupported("a path that is a literal")
    if (path, RDF.first, None) in g:
        items = list(g.items(path))
        if len(items) < 2:
            raise Unsupported("a sequence path of one")
        return "(" + "/".join(_sparql_path(g, i) for i in items) + ")"
    inverse = g.value(path, SH.inversePath)
    if inverse is not None and len(set(g.predicates(path))) == 1:
        return f"(^{_sparql_path(g, inverse)})"
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None and len(set(g.predicates(path))) == 1:
        items = list(g.items(alternatives))
        if len(items) < 2:
            raise Unsupported("an alternative path of one")
        return "(" + "|".join(_sparql_path(g, i) for i in items) + ")"
    raise Unsupported("a path kind not covered")


# --- evaluation ------------------------------------------------------------------------------

class _Evaluator:
    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.names = itertools.count()

    def rows(self, query: str):
        solutions = self.store.query(query)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            yield {name: rdflib_term(solution[name]) if solution[name] is not None else None
                   for name in names}

    def failing(self, values: str, test: str) -> list[tuple]:
        """The (focus, value) pairs of ``values`` for which the SPARQL expression ``test``
        does not hold."""
        query = f"SELECT DISTINCT ?this ?value WHERE {{ {values} FILTER (!({test})) }}"
        return [(row["this"], row["value"]) for row in self.rows(query)]

    def evaluate(self, shape: Shape, focus: str) -> dict:
        """Results by focus node, for the focus nodes ``focus`` binds to ``?this``."""
        results: dict = {}
        if shape.deactivated:
            return results

        def add(result: Result) -> None:
            results.setdefault(result.focus, []).append(result)

        if shape.path is None:
            values = f"{focus} BIND (?this AS ?value)"
        else:
            values = f"{focus} ?this {shape.sparql_path} ?value ."
        pairs = None  # (focus, value) rows, fetched once for the checks made in Python

        def all_pairs():
            nonlocal pairs
            if pairs is None:
                pairs = [(r["this"], r["value"]) for r in
                         self.rows(f"SELECT DISTINCT ?this ?value WHERE {{ {values} }}")]
            return pairs

        for component in shape.components:
            kind = component[0]
            if kind == SH.property:
                inner = self.values_focus(focus, shape)
                for rows in self.evaluate(component[1], inner).values():
                    for result in rows:
                        add(result)
            elif kind in (SH.minCount, SH.maxCount):
                count = component[1]
                if kind == SH.minCount and count == 0:
                    continue
                query = _count_query(focus, shape.sparql_path, kind == SH.minCount, count)
                component_iri = (SH.MinCountConstraintComponent if kind == SH.minCount
                                 else SH.MaxCountConstraintComponent)
                for row in self.rows(query):
                    add(Result(component_iri, shape, row["this"], None))
            elif kind == SH.hasValue and shape.path is not None:
                query = (f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this "
                         f"{shape.sparql_path} {component[1].n3()} }} }}")
                for row in self.rows(query):
                    add(Result(SH.HasValueConstraintComponent, shape, row["this"], None))
            elif kind == SH.uniqueLang:
                query = (f"SELECT ?this ?lang WHERE {{ {values} FILTER (isLiteral(?value) && "
                         f"LANG(?value) != \"\") }} GROUP BY ?this (LCASE(LANG(?value)) AS ?lang) "
                         f"HAVING (COUNT(DISTINCT ?value) > 1)")
                for row in self.rows(query):
                    add(Result(SH.UniqueLangConstraintComponent, shape, row["this"], None))
            elif kind == SH["class"]:
                test = f"EXISTS {{ ?value <{RDF.type}>/<{RDFS.subClassOf}>* {component[1].n3()} }}"
                for this, value in self.failing(values, test):
                    add(Result(SH.ClassConstraintComponent, shape, this, value))
            elif kind == SH.nodeKind:
                for this, value in self.failing(values, _NODE_KINDS[component[1]]):
                    add(Result(SH.NodeKindConstraintComponent, shape, this, value))
            elif kind == SH["in"]:
                allowed = set(component[1])
                if all(isinstance(m, rdflib.URIRef) for m in allowed):  # term equality: SPARQL
                    test = " || ".join(f"sameTerm(?value, {m.n3()})" for m in component[1])
                    candidates = self.failing(values, test or "false")
                else:
                    candidates = all_pairs()
                for this, value in candidates:
                    if value not in allowed:
                        add(Result(SH.InConstraintComponent, shape, this, value))
            elif kind == SH.hasValue:  # a node shape: the focus node itself
                for this, _value in all_pairs():
                    if this != component[1]:
                        add(Result(SH.HasValueConstraintComponent, shape, this, None))
            elif kind == SH.datatype:
                for this, value in self._datatype_failures(values, component[1], all_pairs):
                    add(Result(SH.DatatypeConstraintComponent, shape, this, value))
            elif kind == SH.pattern:
                matcher = component[1]
                for this, value in all_pairs():
                    if isinstance(value, rdflib.BNode) or not matcher.search(_string(value)):
                        add(Result(SH.PatternConstraintComponent, shape, this, value))
            elif kind in (SH.minInclusive, SH.maxInclusive):
                bound = component[1]
                if bound.datatype in _NUMERIC and isinstance(bound.value, (int, Decimal, float)):
                    # a number Oxigraph finds in range, rdflib does too: the others in Python
                    sign = ">=" if kind == SH.minInclusive else "<="
                    in_range = f"COALESCE(?value {sign} {bound.n3()}, false)"
                    candidates = self.failing(values, in_range)
                else:
                    candidates = all_pairs()
                for this, value in candidates:
                    if not _in_range(value, component[1], kind == SH.minInclusive):
                        component_iri = (SH.MinInclusiveConstraintComponent
                                         if kind == SH.minInclusive
                                         else SH.MaxInclusiveConstraintComponent)
                        add(Result(component_iri, shape, this, value))
            elif kind == SH.node:
                nested = self.evaluate(component[1], self.values_focus(focus, shape))
                for this, value in (all_pairs() if nested else ()):
                    if value in nested:
                        add(Result(SH.NodeConstraintComponent, shape, this, value,
                                   nested[value]))
            elif kind == SH["or"]:
                inner = self.values_focus(focus, shape)
                failing = None
                for member in component[1]:  # each member only on the values still failing
                    if failing is not None and not failing:
                        break
                    nonconforming = set(self.evaluate(member, _restricted(inner, failing)))
                    failing = nonconforming if failing is None else failing & nonconforming
                for this, value in (all_pairs() if failing else ()):
                    if value in failing:
                        add(Result(SH.OrConstraintComponent, shape, this, value))
            else:  # pragma: no cover - compile_shapes admits only the kinds above
                raise Unsupported(str(kind))
        return results

    def values_focus(self, focus: str, shape: Shape) -> str:
        """A group binding ``?this`` to the value nodes of ``shape`` for the focus nodes."""
        if shape.path is None:
            return focus
        outer = f"?kgOuter{next(self.names)}"
        return (f"{{ SELECT DISTINCT ?this WHERE {{ {{ SELECT ({'?this'} AS {outer}) WHERE "
                f"{{ {focus} }} }} {outer} {shape.sparql_path} ?this }} }}")

    def _datatype_failures(self, values: str, datatype, all_pairs):
        if datatype == RDF.langString:
            test = "isLiteral(?value) && LANG(?value) != \"\""
        elif datatype == XSD.string:
            test = f"isLiteral(?value) && LANG(?value) = \"\" && DATATYPE(?value) = <{XSD.string}>"
        elif datatype == RDFS.Literal:
            test = "isLiteral(?value)"
        else:  # whether the lexical form is well formed: rdflib's and pySHACL's judgement,
            # on every value that is not certainly well formed for rdflib too
            surely = _SURELY_WELL_FORMED.get(datatype, "false")
            test = f"isLiteral(?value) && DATATYPE(?value) = {datatype.n3()} && {surely}"
            return [(this, value) for this, value in self.failing(values, test)
                    if not _datatype_matches(value, datatype)]
        return self.failing(values, test)


#: Literals of these datatypes that Oxigraph reads as well formed and rdflib does too (an
#: integer Oxigraph reads is one Python's int() reads; a date also needs a year of four digits,
#: not 0000, which rdflib's parser requires): the others are judged in Python.
_SURELY_WELL_FORMED = {
    XSD.integer: f"COALESCE(sameTerm(DATATYPE(<{XSD.integer}>(?value)), <{XSD.integer}>), false)",
    XSD.date: f"COALESCE(sameTerm(DATATYPE(<{XSD.date}>(?value)), <{XSD.date}>) && REGEX(STR("
              "?value), \"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$\"), false)",
}


_NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float}
_VALUES_AT_MOST = 10_000


def _count_query(focus: str, path: str, minimum: bool, count: int) -> str:
    """The focus nodes with fewer than (``minimum``) or more than ``count`` distinct values.

    The common cases without a GROUP BY over every focus node joined to its values (an
    OPTIONAL for the nodes with none): "at least one" is a NOT EXISTS, and "at most n" groups
    only the nodes that have values, since one without cannot have too many. At 100x, in
    memory: 0.37-0.44 s -> 0.11-0.14 s, and 0.38 -> 0.29-0.32 s (bench/README.md, item 1).
    """
    if minimum and count == 1:
        return f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} ?value }} }}"
    if minimum:
        return (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {count})")
    return (f"SELECT ?this WHERE {{ {focus} ?this {path} ?value }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {count})")


def _restricted(focus: str, nodes: set | None) -> str:
    """``focus`` narrowed to ``nodes`` (when they can be written in a VALUES clause)."""
    if (nodes is None or len(nodes) > _VALUES_AT_MOST
            or any(not isinstance(n, rdflib.URIRef) for n in nodes)):
        return focus  # (rdflib may spell a literal otherwise than the store holds it)
    listed = " ".join(sorted(n.n3() for n in nodes))
    return f"{{ VALUES ?this {{ {listed} }} {focus} }}"


def _string(value) -> str:
    """pySHACL's text of a value for sh:pattern."""
    if (isinstance(value, rdflib.Literal) and value.value is not None
            and value.datatype in (None, RDF.langString, XSD.string)):
        return str(value.value)
    return str(value)


_ACTUAL = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int,
           XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date,
           XSD.time: time, XSD.dateTime: datetime}


def _datatype_matches(value, datatype) -> bool:
    """pySHACL's DatatypeConstraintComponent for one value."""
    if not isinstance(value, rdflib.Literal):
        return False
    if value.datatype == datatype:
        if getattr(value, "ill_typed", None) is True:
            return False
        kind = _ACTUAL.get(datatype)
        return kind is None or isinstance(value.value, kind)
    if datatype == RDFS.Literal:
        return True
    if value.datatype is None and value.language is None and datatype == XSD.string:
        return isinstance(value.value, (str, bytes))
    if datatype == RDF.langString and value.language:
        return isinstance(value.value, (str, bytes))
    return False


def _in_range(value, bound: rdflib.Literal, minimum: bool) -> bool:
    """pySHACL's Min/MaxInclusiveConstraintComponent for one value."""
    if not isinstance(value, rdflib.Literal):
        return False
    bound_is_string = isinstance(bound.value, str)
    value_is_string = isinstance(value.value, str)
    if bound_is_string != value_is_string:
        return False
    try:
        order = _compare(value, bound) if minimum else _compare(bound, value)
    except (TypeError, NotImplementedError):
        return False
    return order >= 0


def _compare(l1: rdflib.Literal, l2: rdflib.Literal) -> int:
    """pySHACL's compare_literal."""
    if l1.eq(l2):
        return 0
    if l1.value.__class__ in (date, time, datetime):
        if l1.value == l2.value:
            return 0
        if l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


# --- messages, as pySHACL writes them ----------------------------------------------------------

class _Text:
    """pySHACL's ``stringify_node`` (with kg's fast path for IRIs without a prefix)."""

    def __init__(self, shapes: rdflib.Graph, store: ox.Store) -> None:
        from rdflib.namespace import split_uri

        self.shapes = shapes
        self.store = store
        self.manager = rdflib.Graph().namespace_manager
        self.split_uri = split_uri

    def iri(self, node: rdflib.URIRef) -> str:
        try:
            namespace, _name = self.split_uri(node)
        except ValueError:
            return node.n3(namespace_manager=self.manager)
        if self.manager.store.prefix(rdflib.URIRef(namespace)) is None:
            return f"<{node}>"
        return node.n3(namespace_manager=self.manager)

    def node(self, node, in_shapes: bool, recursion: int = 0) -> str:
        if isinstance(node, rdflib.Literal):
            return self.literal(node)
        if isinstance(node, rdflib.BNode):
            return self.blank(node, in_shapes, recursion + 1)
        if isinstance(node, rdflib.URIRef):
            return self.iri(node)
        return str(node)

    def literal(self, node: rdflib.Literal) -> str:
        value = None if node.value is None else str(node.value)
        lexical = str(node)
        if value is not None:
            at = value.find(" object at 0x")
            if at > 0:
                value = value[:at]
        text = (f"\"{lexical}\" = {value}" if value is not None and value != lexical
                else f"\"{lexical}\"")
        lang = f", lang={node.language}" if node.language else ""
        datatype = f", datatype={self.node(node.datatype, True)}" if node.datatype else ""
        return f"Literal({text}{lang}{datatype})"

    def statements(self, node, in_shapes: bool):
        if in_shapes:
            return list(self.shapes.predicate_objects(node))
        return [(rdflib_term(q.predicate), rdflib_term(q.object))
                for q in self.store.quads_for_pattern(ox.BlankNode(str(node)), None, None,
                                                     ox.DefaultGraph())]

    def blank(self, node, in_shapes: bool, recursion: int) -> str:
        if recursion >= 12:
            return "<http://recursion.too.deep>"
        statements = self.statements(node, in_shapes)
        if not statements:
            return "[ ]"
        if any(p == RDF.first for p, _o in statements):
            graph = self.shapes if in_shapes else None
            if graph is None:
                raise Unsupported("a list in the data, in a generic message")
            items = [self.node(i, in_shapes, recursion + 1) for i in graph.items(node)]
            return "( {} )".format(" ".join(items))
        by_predicate: dict[str, list[str]] = {}
        for predicate, obj in statements:
            by_predicate.setdefault(predicate.n3(namespace_manager=self.manager), []).append(
                "<self>" if predicate == rdflib.OWL.sameAs and obj == node
                else self.node(obj, in_shapes, recursion + 1))
        texts = {p: ", ".join(sorted(o)) if len(o) > 1 else o[0] for p, o in by_predicate.items()}
        if len(texts) > 1:
            inside = " ; ".join(f"{p} {o}" for p, o in sorted(texts.items()))
        else:
            inside = "{} {}".format(*next(iter(texts.items())))
        return f"[ {inside} ]"


#: pySHACL's default message of a component that names its rule's value: (parameter, text).
_RULE_MESSAGES = {
    SH.ClassConstraintComponent: (SH["class"], "Value does not have class {}"),
    SH.DatatypeConstraintComponent: (SH.datatype, "Value is not Literal with datatype {}"),
    SH.NodeKindConstraintComponent: (SH.nodeKind, "Value is not of Node Kind {}"),
    SH.MinInclusiveConstraintComponent: (SH.minInclusive, "Value is not >= {}"),
    SH.MaxInclusiveConstraintComponent: (SH.maxInclusive, "Value is not <= {}"),
}


def _messages(result: Result, text: _Text, shapes: rdflib.Graph) -> list[rdflib.Literal]:
    shape = result.shape
    if shape.messages:
        return list(shape.messages)
    kind = result.component
    if kind in (SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent):
        count = next(c[1] for c in shape.components
                     if c[0] == (SH.minCount if kind == SH.MinCountConstraintComponent
                                 else SH.maxCount))
        word = "Less" if kind == SH.MinCountConstraintComponent else "More"
        return [rdflib.Literal(f"{word} than {count} values on {text.node(result.focus, False)}"
                               f"->{text.node(shape.path, True)}")]
    if kind == SH.UniqueLangConstraintComponent:
        return [rdflib.Literal("More than one String shares the same Language")]
    if kind in _RULE_MESSAGES:
        parameter, template = _RULE_MESSAGES[kind]
        rule = next(c[1] for c in shape.components if c[0] == parameter)
        return [rdflib.Literal(template.format(text.node(rule, True)))]
    if kind == SH.PatternConstraintComponent:
        rule = next(c[2] for c in shape.components if c[0] == SH.pattern)
        return [rdflib.Literal(f"Value does not match pattern '{rule.value}'")]
    if kind == SH.NodeConstraintComponent:
        nested = next(c[1] for c in shape.components if c[0] == SH.node)
        return [rdflib.Literal(f"Value does not conform to Shape {text.node(nested.node, True)}."
                               " See details for more information.")]
    if kind == SH.OrConstraintComponent:
        members = next(c[2] for c in shape.components if c[0] == SH["or"])
        listed = " , ".join(text.node(m, True) for m in shapes.items(members))
        return [rdflib.Literal(f"Node {text.node(result.value, False)} must conform to one or "
                               f"more shapes in {listed}")]
    raise Unsupported(f"no generic message for {kind}")  # pragma: no cover - compile checks


def evaluate(compiled: list[CompiledConstraint], store: ox.Store, shapes: rdflib.Graph,
             results: rdflib.Graph, only: str | None = None, show_progress: bool = True
             ) -> int:
    """Run every compiled shape; add its results to the report graph; return how many.

    ``only``: a SPARQL group binding ``?this``; then only those focus nodes are checked
    (their results are exactly their results in a whole validation). ``show_progress``:
    False when the caller draws the bar (kg.validate.in_store, on threads).
    """
    report = results.value(None, RDF.type, SH.ValidationReport)
    evaluator = _Evaluator(store)
    text = _Text(shapes, store)
    copied: set = set()
    added = 0
    with (progress("validating", total=len(compiled), unit="shape") if show_progress
          else contextlib.nullcontext(lambda _n=1: None)) as advance:
        for constraint in compiled:
            for rows in evaluator.evaluate(constraint.shape,
                                               constraint.restricted(only)).values():
                for result in rows:
                    node = _write(result, results, shapes, text, copied)
                    results.add((report, SH.result, node))
                    added += 1
            advance(1)
    return added


def _write(result: Result, results: rdflib.Graph, shapes: rdflib.Graph, text: _Text,
           copied: set) -> rdflib.BNode:
    node = rdflib.BNode()
    shape = result.shape
    results.add((node, RDF.type, SH.ValidationResult))
    results.add((node, SH.sourceConstraintComponent, result.component))
    results.add((node, SH.sourceShape, shape.node))
    results.add((node, SH.resultSeverity, shape.severity))
    results.add((node, SH.focusNode, result.focus))
    if result.value is not None:
        results.add((node, SH.value, result.value))
    if shape.path is not None:
        results.add((node, SH.resultPath, shape.path))
        _copy(shapes, shape.path, results, copied)
    for message in _messages(result, text, shapes):
        results.add((node, SH.resultMessage, message))
    for detail in result.details:
        results.add((node, SH.detail, _write(detail, results, shapes, text, copied)))
    return node


def _copy(shapes: rdflib.Graph, node, results: rdflib.Graph, copied: set) -> None:
    """A path given as blank nodes (a sequence, an inverse), into the report as pySHACL does."""
    if not isinstance(node, rdflib.BNode) or node in copied:
        return
    copied.add(node)
    for predicate, obj in shapes.predicate_objects(node):
        results.add((node, predicate, obj))
        _copy(shapes, obj, results, copied)
