"""Split a large graph into parts that can be validated apart, in bounded memory and in parallel.

pySHACL needs the graph as an rdflib graph, which takes about 1.5 kB per triple, and checks one
focus node at a time on one core: at a million triples that is gigabytes and minutes. But the
part of the graph that grows, the project files (``data/projects/``), hangs together only
through shared entities: a project file describes its project, organisations and models and
points to concepts, licences and sources described elsewhere.

So each part *owns* a run of project files, up to a budget of triples (the first part owns the
shared files: everything outside ``data/projects/``), and its graph is the ontology, its own
files and every file within two links of them (a link: one file describes an IRI the other
describes or points to), plus the files pointing to what its own files describe (so
``sh:targetObjectsOf`` finds the same targets). A part reports only the results about nodes
its own files describe; their checks see the same neighbourhood as in the whole graph, as
long as shapes look at most two steps from a node. A test compares the two ways on data with
violations.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from kg.sources import ParsedSources

GROWING = "data/projects/"
ALWAYS = "ontology/"  # classes and their hierarchy: every check of a class needs them
DEFAULT_BUDGET = 150_000  # triples of owned files per part: about 250 MB of rdflib graph
#: How far a shape looks from a focus node: to a value (1), and to what that value points to
#: (2: sh:node on a value, then sh:class on the value's own values).
HOPS = 2


@dataclass(frozen=True)
class Part:
    files: tuple[str, ...]  # every file the part's graph is made of, shared ones first
    owned: frozenset[str]   # the files whose nodes' results this part reports


def budget() -> int:
    """Triples per part; ``KG_VALIDATION_PART_TRIPLES`` changes it (tests make it small)."""
    return int(os.environ.get("KG_VALIDATION_PART_TRIPLES", DEFAULT_BUDGET))


def plan(parsed: ParsedSources, pointed: frozenset[str] = frozenset()) -> list[Part]:
    """The parts, or a single part holding everything when the graph is small.

    ``pointed``: the IRIs some shape targets as the object of a property; the files pointing
    to one go into the part that owns it.
    """
    limit = budget()
    files = list(parsed.triples_per_file)
    total = sum(parsed.triples_per_file.values())
    if total <= limit:
        return [Part(tuple(files), frozenset(files))]
    # Several parts per worker, so that the workers finish together.
    limit = min(limit, max(total // (4 * (os.cpu_count() or 1)), 1))
    shared = [f for f in files if not f.startswith(GROWING)]
    owners: dict[str, list[str]] = {}
    pointers: dict[str, list[str]] = {}
    for file in files:
        described, mentioned = parsed.links[file]
        for iri in described:
            owners.setdefault(iri, []).append(file)
        for iri in mentioned & pointed:
            pointers.setdefault(iri, []).append(file)
    chunks: list[list[str]] = [[]]
    size = 0
    for file in files:
        if file.startswith(GROWING):
            if size >= limit:
                chunks.append([])
                size = 0
            chunks[-1].append(file)
            size += parsed.triples_per_file[file]
    ontology = {f for f in shared if f.startswith(ALWAYS)}
    return [_part(owned, ontology, parsed, owners, pointers, files)
            for owned in (shared, *(chunk for chunk in chunks if chunk))]


def _part(owned: list[str], ontology: set[str], parsed: ParsedSources,
          owners: dict[str, list[str]], pointers: dict[str, list[str]], order: list[str]
          ) -> Part:
    """``owned``, the ontology, every file within HOPS links of ``owned``, and the files
    that point to what ``owned`` describes (a target may be "the objects of" some property)."""
    reach = set(owned) | ontology
    reach |= {other for file in owned for iri in parsed.links[file][0]
              for other in pointers.get(iri, ())}
    frontier = set(owned)
    for _ in range(HOPS):
        step = {other for file in frontier for iri in parsed.links[file][0] | parsed.links[file][1]
                for other in owners.get(iri, ())} - reach
        reach |= step
        frontier = step
    return Part(tuple(f for f in order if f in reach), frozenset(owned))
