"""Compact, human-readable names for RDF terms (used by tables and reports)."""

from __future__ import annotations

import re

import pyoxigraph as ox

#: Namespaces everyone knows, used when the sources do not declare them.
STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
}

# What may follow "prefix:" unescaped in Turtle and SPARQL (a conservative subset of PN_LOCAL).
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$|^$")


class Compactor:
    """Turns IRIs into ``prefix:local`` using the longest matching namespace."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        merged = {**STANDARD_PREFIXES, **prefixes}
        #: Every prefix in use, for serialisers and query parsing.
        self.prefixes = dict(sorted(merged.items()))
        # Longest namespace first, then prefix name, so the choice never depends on dict order.
        self._by_namespace = sorted(
            ((ns, p) for p, ns in merged.items() if ns), key=lambda item: (-len(item[0]), item[1])
        )

    def iri(self, iri: str) -> str:
        for namespace, prefix in self._by_namespace:
            if iri.startswith(namespace):
                local = iri[len(namespace):]
                if _LOCAL_NAME.match(local):
                    return f"{prefix}:{local}"
        return f"<{iri}>"

    def term(self, term: object) -> str:
        """A readable rendering of a pyoxigraph term: compact IRI, or a literal's text."""
        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            return "[]"  # its label changes with every build: not for people to read
        if isinstance(term, ox.Literal):
            return term.value
        return str(term)


def plural(count: int, word: str) -> str:
    """``plural(1, "file")`` is "1 file", ``plural(2, "file")`` is "2 files"."""
    return f"{count} {word}{'' if count == 1 else 's'}"
