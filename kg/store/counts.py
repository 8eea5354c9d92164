"""Counts that tell what the graph holds: triples, classes and properties."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY DESC(?n) STR(?class)
"""
PROPERTY_COUNTS = """
SELECT ?property (COUNT(*) AS ?n) WHERE { ?s ?property ?o }
GROUP BY ?property ORDER BY DESC(?n) STR(?property)
"""


@dataclass
class Stats:
    triples: int
    classes: list[tuple[str, int]]
    properties: list[tuple[str, int]]

    def to_json(self) -> dict:
        return {
            "triples": self.triples,
            "classes": [{"class": c, "instances": n} for c, n in self.classes],
            "properties": [{"property": p, "uses": n} for p, n in self.properties],
        }


def _pairs(store: ox.Store, query: str) -> list[tuple[str, int]]:
    return [(s[0].value, int(s[1].value)) for s in store.query(query)]


def class_counts(store: ox.Store) -> list[tuple[str, int]]:
    return _pairs(store, CLASS_COUNTS)


def collect(store: ox.Store) -> Stats:
    return Stats(len(store), class_counts(store), _pairs(store, PROPERTY_COUNTS))
