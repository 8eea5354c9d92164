"""Oxigraph quads to rdflib graphs, for the libraries that need rdflib (pySHACL, pyLODE).

Terms are converted one by one, without a serialise-and-parse round trip, and shaped as
rdflib's own parser would make them (xsd:string literals become plain literals), so shapes and
data compare equal. Imported only by the commands that need rdflib.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.namespace import XSD

_XSD_STRING = str(XSD.string)
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Identifier:
    """One term, shaped as rdflib's parser would make it."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value in (_XSD_STRING, _LANG_STRING):
        return rdflib.Literal(term.value)  # rdflib spells xsd:string as a plain literal
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def to_rdflib(quads: Iterable[ox.Quad], store: str = "default") -> rdflib.Graph:
    """Copy quads (default graph) into an rdflib graph, terms shaped as rdflib's parser would.

    ``store="SimpleMemory"`` gives a graph without rdflib's context bookkeeping, faster to
    read; pySHACL accepts one for the shapes (not for the data, which it wraps in a dataset).
    """
    graph = rdflib.Graph(store=store)
    iris: dict[str, rdflib.URIRef] = {}
    literals: dict[tuple, rdflib.Literal] = {}

    def iri(value: str) -> rdflib.URIRef:
        node = iris.get(value)
        if node is None:
            node = iris[value] = rdflib.URIRef(value)
        return node

    def convert(term):
        if isinstance(term, ox.NamedNode):
            return iri(term.value)
        if isinstance(term, ox.BlankNode):
            return rdflib.BNode(term.value)
        key = (term.value, term.language, term.datatype.value)
        node = literals.get(key)
        if node is None:
            node = literals[key] = rdflib_term(term)
        return node

    add = graph.add
    for quad in quads:
        add((convert(quad.subject), convert(quad.predicate), convert(quad.object)))
    return graph


