"""Deterministic dumps in every common RDF format: the same sources give the same bytes.

A dump is made from the validated sources of the parts asked for (ontology, data, shapes),
parsed with Oxigraph. Blank nodes get canonical labels (RDFC-1.0, done by Oxigraph) and
statements are sorted, so dumps diff cleanly in review. Formats that carry named graphs
(N-Quads, TriG, JSON-LD) keep each part in a graph of its own; the others merge the parts
into one graph, and say so in their header comment.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg import __version__
from kg.parsing import parse_sources
from kg.project import Project

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
PARTS = ("ontology", "data", "shapes")
#: The named graph each part is kept in, in the formats that carry named graphs.
GRAPH_BASE = "https://w3id.org/olckg/graph/"
LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
CITATION = ("Linåker, Osborne, Ding, Burtenshaw: A Cartography of Open Collaboration in Open "
            "Source AI, arXiv:2509.25397 (CC BY 4.0)")


@dataclass(frozen=True)
class Format:
    name: str
    rdf: ox.RdfFormat
    extension: str
    media_type: str
    w3c: str  # the name in http://www.w3.org/ns/formats/
    comment: str | None  # how a comment line starts, when the format has comments

    @property
    def datasets(self) -> bool:
        return self.rdf.supports_datasets


FORMATS = {f.name: f for f in (
    Format("turtle", ox.RdfFormat.TURTLE, "ttl", "text/turtle", "Turtle", "# "),
    Format("ntriples", ox.RdfFormat.N_TRIPLES, "nt", "application/n-triples", "N-Triples",
           "# "),
    Format("nquads", ox.RdfFormat.N_QUADS, "nq", "application/n-quads", "N-Quads", "# "),
    Format("trig", ox.RdfFormat.TRIG, "trig", "application/trig", "TriG", "# "),
    Format("jsonld", ox.RdfFormat.JSON_LD, "jsonld", "application/ld+json", "JSON-LD", None),
    Format("rdfxml", ox.RdfFormat.RDF_XML, "rdf", "application/rdf+xml", "RDF_XML", None),
)}


def part_quads(project: Project, parts: tuple[str, ...]) -> tuple[list[ox.Quad], dict]:
    """The statements of ``parts``, each part in its named graph; and the sources' prefixes."""
    quads: list[ox.Quad] = []
    prefixes: dict[str, str] = {}
    for part in parts:
        parsed = parse_sources(project.sources((part,)))
        graph = ox.NamedNode(GRAPH_BASE + part)
        quads += [ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed.quads]
        prefixes = {**parsed.prefixes, **prefixes}
    return quads, prefixes


def canonical_statements(quads: list[ox.Quad], keep_graphs: bool) -> list[ox.Quad]:
    """Canonical blank node labels and a stable order (graph, subject, rdf:type first, …)."""
    if not keep_graphs:
        quads = list({ox.Quad(q.subject, q.predicate, q.object) for q in quads})
    if any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
           for q in quads):
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        quads = list(dataset)

    def key(quad: ox.Quad) -> tuple[str, str, bool, str, str]:
        predicate = str(quad.predicate)
        return (str(quad.graph_name), str(quad.subject), predicate != RDF_TYPE, predicate,
                str(quad.object))

    return sorted(quads, key=key)


class DumpSources:
    """The sources of some parts, parsed once; their canonical statements sorted once per shape.

    A release writes a dozen dumps of the same sources: they share this work.
    """

    def __init__(self, project: Project, parts: tuple[str, ...] = PARTS) -> None:
        self.quads, self.prefixes = part_quads(project, parts)
        self._statements: dict[tuple[tuple[str, ...], bool], list[ox.Quad]] = {}

    def statements(self, parts: tuple[str, ...], keep_graphs: bool) -> list[ox.Quad]:
        key = (parts, keep_graphs)
        if key not in self._statements:
            graphs = {ox.NamedNode(GRAPH_BASE + part) for part in parts}
            self._statements[key] = canonical_statements(
                [q for q in self.quads if q.graph_name in graphs], keep_graphs)
        return self._statements[key]


def dump(sources: DumpSources, fmt: Format, parts: tuple[str, ...], prefixes: dict[str, str],
         fingerprint: str, canonical: bool = False) -> tuple[bytes, int]:
    """The dump's bytes and its number of statements."""
    statements = sources.statements(parts, keep_graphs=fmt.datasets)
    if canonical:
        if fmt.name not in ("ntriples", "nquads"):
            raise ValueError("--canonical is for ntriples and nquads (RDFC-1.0 canonical form)")
        return canonical_nquads(statements, fmt), len(statements)
    items = statements if fmt.datasets else [q.triple for q in statements]
    used = used_prefixes(statements, {**sources.prefixes, **prefixes})
    body = ox.serialize(items, format=fmt.rdf,
                        prefixes=used if fmt.name in ("turtle", "trig", "rdfxml") else None
                        ) or b""
    return header(fmt, parts, len(statements), fingerprint) + body, len(statements)


def canonical_nquads(statements: list[ox.Quad], fmt: Format) -> bytes:
    """RDFC-1.0's canonical form: canonical N-Quads (or N-Triples) lines in code point order."""
    items = statements if fmt.datasets else [q.triple for q in statements]
    lines = (ox.serialize(items, format=fmt.rdf) or b"").splitlines(keepends=True)
    return b"".join(sorted(lines))


def header(fmt: Format, parts: tuple[str, ...], count: int, fingerprint: str) -> bytes:
    """What a reader of the file needs first: what it is, its licence, where it comes from."""
    noun = "quads" if fmt.datasets else "triples"
    lines = [
        f"The Open LLM Collaboration Knowledge Graph ({', '.join(parts)}): {count} {noun}.",
        f"Licence: {LICENCE}. Built from: {CITATION}.",
        f"Generated by kg {__version__} from sources with fingerprint {fingerprint[:16]}; "
        "a build output: edit the sources, not this file.",
    ]
    if fmt.datasets:
        lines.append(f"Named graphs: each part is in its own graph, <{GRAPH_BASE}PART>.")
    elif len(parts) > 1:
        lines.append(f"Named graphs: {fmt.name} cannot carry them, so the parts are merged into "
                     "one graph here; nquads, trig and jsonld keep them apart.")
    if fmt.comment:
        return "".join(f"{fmt.comment}{line}\n" for line in lines).encode() + b"\n"
    return b""  # JSON-LD and RDF/XML: the dataset description inside says the same


def used_prefixes(statements: list[ox.Quad], prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes some IRI in the dump starts with: no unused declarations."""
    iris = set()
    for quad in statements:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {prefix: namespace for prefix, namespace in sorted(prefixes.items())
            if prefix and any(iri.startswith(namespace) for iri in iris)}
