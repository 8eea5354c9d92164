"""How far the shapes look from a focus node: which triples' changes can change whose results.

Re-validating an edit (``kg.validate.incremental``) must find every focus node whose results
may differ. A shape reads a focus node's triples and walks along its paths to other nodes
(property paths, ``sh:node`` and ``sh:or`` on the values, ``sh:class`` through ``rdf:type`` and
``rdfs:subClassOf``, the patterns of its SPARQL constraints) and reads theirs. So a changed
triple ``s p o`` matters to the node that reads it, ``s`` (or ``o`` when ``p`` is read
backwards: an inverse path, ``sh:targetObjectsOf``), and to every node that walks to that
reader. ``Reach`` says which predicates are walked, forwards and backwards, and which are read
from the object's side; the affected nodes are then found by walking back from the readers
along those predicates only, so a shared node (a class, a licence) pulls in the nodes that
point at it only when some shape reads past it.

It is a union over all shapes, so it over-approximates (never under-): a predicate walked by
one shape is walked back for all. ``analyse`` returns None when a shape reads something it
cannot place (a SPARQL pattern not connected to ``$this``): then only a whole validation is
exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import rdflib
from rdflib.namespace import RDF, RDFS, SH
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath

#: a step along any predicate (a variable predicate, a negated property set)
ANY = "*"
#: property shape parameters that read the value nodes' own triples, so the path to the
#: values is walked (the others judge the value term itself, or the focus node's values)
_READS_VALUES = {SH["class"], SH.node, SH.property, SH["or"], SH["and"], SH.xone, SH["not"],
                 SH.qualifiedValueShape}
_TYPE_STEPS = {(str(RDF.type), True), (str(RDFS.subClassOf), True)}


@dataclass(frozen=True)
class Reach:
    #: predicates walked forwards (``x p y``: ``x`` reads what ``y`` has); ANY for all
    forward: frozenset[str]
    #: predicates walked backwards (an inverse step: ``y`` reads what ``x`` has)
    backward: frozenset[str]
    #: predicates whose triples are read at their object (a backward read, objects-of targets)
    object_read: frozenset[str]


Step = tuple[str, bool]  # (predicate IRI or ANY, forwards)


def analyse(shapes: rdflib.Graph, sparql_queries: list[str]) -> Reach | None:
    """The union of every shape's reach; ``sparql_queries`` are the SPARQL constraints' queries
    as Oxigraph runs them (their targets joined in)."""
    walked: set[Step] = set()
    read_backwards: set[str] = {str(p) for p in shapes.objects(None, SH.targetObjectsOf)}
    if (None, SH["class"], None) in shapes or (None, SH.targetClass, None) in shapes:
        walked |= _TYPE_STEPS
    for shape, path in shapes.subject_objects(SH.path):
        steps = _shacl_path(shapes, path)
        if steps is None:
            return None
        reads_values = any((shape, p, None) in shapes for p in _READS_VALUES)
        _add_path(steps, reads_values, walked, read_backwards)
    for query in sparql_queries:
        if not _add_query(query, walked, read_backwards):
            return None
    return Reach(frozenset(p for p, forwards in walked if forwards),
                 frozenset(p for p, forwards in walked if not forwards),
                 frozenset(read_backwards))


def _add_path(steps: list[Step], walked_through: bool, walked: set[Step],
              read_backwards: set[str]) -> None:
    """A path from a node already reached: every step but the last is walked, the last too
    when something is read at its end; every backward step reads at its object."""
    for index, (predicate, forwards) in enumerate(steps):
        if not forwards:
            read_backwards.add(predicate)
        if walked_through or index < len(steps) - 1:
            walked.add((predicate, forwards))


def _shacl_path(g: rdflib.Graph, path) -> list[Step] | None:
    """A SHACL path as steps in order (an alternative's steps all count, conservatively)."""
    if isinstance(path, rdflib.URIRef):
        return [(str(path), True)]
    if not isinstance(path, rdflib.BNode):
        return None
    if (path, RDF.first, None) in g:
        steps: list[Step] = []
        for item in g.items(path):
            inner = _shacl_path(g, item)
            if inner is None:
                return None
            steps += inner
        return steps
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        inner = _shacl_path(g, inverse)
        return None if inner is None else [(p, not f) for p, f in reversed(inner)]
    for repeated in (SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath,
                     SH.zeroOrOnePath):
        inner_node = g.value(path, repeated)
        if inner_node is None:
            continue
        items = list(g.items(inner_node)) if repeated == SH.alternativePath else [inner_node]
        steps = []
        for item in items:
            inner = _shacl_path(g, item)
            if inner is None:
                return None
            steps += inner
        # alternatives and repetitions: any of the steps may be followed by another
        return steps + steps if len(steps) else steps
    return None


# --- SPARQL constraints ----------------------------------------------------------------------

def _add_query(query: str, walked: set[Step], read_backwards: set[str]) -> bool:
    """The query's triple patterns, walked from ``?this`` as its evaluation can reach them.

    Patterns are taken in the order that walks least: one whose both ends are reached reads
    at its subject, then forward steps along a named predicate, then the rest. A variable
    reached only so that a later pattern reads at it makes the steps to it walked.
    """
    from rdflib.plugins.sparql import prepareQuery

    patterns = []
    _collect(prepareQuery(query).algebra, patterns)
    this = rdflib.Variable("this")
    reached_by: dict[rdflib.term.Node, tuple[list[Step], rdflib.term.Node | None]] = {
        this: ([], None)}

    def reached(term) -> bool:
        return term in reached_by or not isinstance(term, rdflib.Variable | rdflib.BNode)

    def walk_to(term) -> None:
        """Mark the steps from ``?this`` to ``term`` as walked."""
        while isinstance(term, rdflib.Variable | rdflib.BNode) and term in reached_by:
            steps, parent = reached_by[term]
            walked.update(steps)
            term = parent

    def rank(pattern) -> int | None:
        subject, path, obj = pattern
        if subject in reached_by and reached(obj):
            return 0
        if obj in reached_by and reached(subject) and subject not in reached_by:
            return 1
        named = isinstance(path, rdflib.URIRef)
        if subject in reached_by:
            return 2 if named else 3
        if obj in reached_by:
            return 4 if named else 5
        return None

    remaining = list(patterns)
    while remaining:
        ranked = [(r, i) for i, p in enumerate(remaining) if (r := rank(p)) is not None]
        if not ranked:
            return False  # a pattern not connected to ?this: its reach is not known here
        _, index = min(ranked)
        subject, path, obj = remaining.pop(index)
        steps = _sparql_path(path)
        if steps is None:
            return False
        from_subject = subject in reached_by
        near, far = (subject, obj) if from_subject else (obj, subject)
        if not from_subject:
            steps = [(p, not f) for p, f in reversed(steps)]
        walk_to(near)
        _add_path(steps, False, walked, read_backwards)
        if far not in reached_by and isinstance(far, rdflib.Variable | rdflib.BNode):
            reached_by[far] = (steps, near)
    return True


def _collect(node, patterns: list) -> None:
    """Every triple pattern in an algebra tree, FILTER (NOT) EXISTS groups included."""
    if isinstance(node, dict):
        if getattr(node, "name", None) == "BGP":
            patterns.extend(node.get("triples") or [])
        for key in list(node):  # attribute access: an EXISTS group is translated there
            _collect(getattr(node, key) if isinstance(key, str) else node[key], patterns)
    elif isinstance(node, list | tuple):
        for value in node:
            _collect(value, patterns)


def _sparql_path(path) -> list[Step] | None:
    if isinstance(path, rdflib.URIRef):
        return [(str(path), True)]
    if isinstance(path, rdflib.Variable):
        return [(ANY, True)]
    if not isinstance(path, Path):
        return None
    if isinstance(path, InvPath):
        inner = _sparql_path(path.arg)
        return None if inner is None else [(p, not f) for p, f in reversed(inner)]
    if isinstance(path, SequencePath | AlternativePath):
        steps: list[Step] = []
        for arg in path.args:
            inner = _sparql_path(arg)
            if inner is None:
                return None
            steps += inner
        return steps if isinstance(path, SequencePath) else steps + steps
    if isinstance(path, MulPath):
        inner = _sparql_path(path.path)
        return None if inner is None else inner + inner
    if isinstance(path, NegatedPath):
        return [(ANY, True), (ANY, False)]
    return None
