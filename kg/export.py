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


@dataclass
class Statements:
    """A dump's statements as sorted N-Quads (or N-Triples) lines, parsed again on demand."""

    lines: list[bytes]
    keep_graphs: bool

    def __len__(self) -> int:
        return len(self.lines)

    def quads(self) -> list[ox.Quad]:
        return list(ox.parse(b"".join(self.lines), format=ox.RdfFormat.N_QUADS))


class DumpSources:
    """The sources of some parts, parsed once; their canonical statements sorted once per shape.

    A release writes a dozen dumps of the same sources: they share this work.
    """

    def __init__(self, project: Project, parts: tuple[str, ...] = PARTS) -> None:
        self.triples: dict[str, list[ox.Quad]] = {}
        self.prefixes: dict[str, str] = {}
        for part in parts:
            parsed = parse_sources(project.sources((part,)), track_subjects=False)
            self.triples[part] = parsed.quads
            self.prefixes = {**parsed.prefixes, **self.prefixes}
        self._statements: dict[tuple[tuple[str, ...], bool], Statements] = {}

    def statements(self, parts: tuple[str, ...], keep_graphs: bool) -> Statements:
        key = (parts, keep_graphs)
        if key not in self._statements:
            self._statements[key] = canonical_statements(
                {part: self.triples[part] for part in parts}, keep_graphs)
        return self._statements[key]


def canonical_statements(triples: dict[str, list[ox.Quad]], keep_graphs: bool) -> Statements:
    """Canonical blank node labels and a stable order (graph, subject, rdf:type first, …).

    Only statements with a blank node go through RDFC-1.0 (its labels depend on those alone);
    the rest are serialised as they are. Sorting compares the serialised lines, which orders
    terms as their N-Triples spelling would, without a Python object per term.
    """
    lines_by_graph: dict[bytes, list[bytes]] = {}
    blank: list[ox.Quad] = []
    for part, statements in triples.items():
        graph = ox.NamedNode(GRAPH_BASE + part) if keep_graphs else ox.DefaultGraph()
        suffix = f" <{GRAPH_BASE}{part}> .\n".encode() if keep_graphs else b" .\n"
        plain = []
        for quad in statements:
            if type(quad.subject) is ox.BlankNode or type(quad.object) is ox.BlankNode:
                blank.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
            else:
                plain.append(quad)
        body = ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES) or b""
        lines_by_graph.setdefault(suffix, []).extend(
            line[:-3] + suffix for line in body.splitlines(keepends=True))
    if blank:
        dataset = ox.Dataset(blank)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        body = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b""
        for line in body.splitlines(keepends=True):
            suffix = line[line.rindex(b" <"):] if keep_graphs else b" .\n"
            lines_by_graph.setdefault(suffix, []).append(line)
    lines = []
    for suffix in sorted(lines_by_graph):
        lines += sorted(set(lines_by_graph[suffix]),  # parts merged: a statement once
                        key=lambda line: line.replace(_TYPE, _TYPE_FIRST, 1))
    return Statements(lines, keep_graphs)


_TYPE = f" {RDF_TYPE} ".encode()
_TYPE_FIRST = b" <\x00> "  # sorts before any IRI: a subject's rdf:type comes first


def dump(sources: DumpSources, fmt: Format, parts: tuple[str, ...], prefixes: dict[str, str],
         fingerprint: str, canonical: bool = False) -> tuple[bytes, int]:
    """The dump's bytes and its number of statements."""
    statements = sources.statements(parts, keep_graphs=fmt.datasets)
    if canonical:
        if fmt.name not in ("ntriples", "nquads"):
            raise ValueError("--canonical is for ntriples and nquads (RDFC-1.0 canonical form)")
        return canonical_nquads(statements, fmt), len(statements)
    if fmt.name in ("ntriples", "nquads"):
        body = b"".join(statements.lines)
    else:
        quads = statements.quads()
        items = quads if fmt.datasets else [q.triple for q in quads]
        used = used_prefixes(statements, {**sources.prefixes, **prefixes})
        body = ox.serialize(items, format=fmt.rdf,
                            prefixes=used if fmt.name in ("turtle", "trig", "rdfxml") else None
                            ) or b""
    return header(fmt, parts, len(statements), fingerprint) + body, len(statements)


def canonical_nquads(statements: Statements, fmt: Format) -> bytes:
    """RDFC-1.0's canonical form: canonical N-Quads (or N-Triples) lines in code point order."""
    return b"".join(sorted(statements.lines))


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


def used_prefixes(statements: Statements, prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes some IRI in the dump starts with: no unused declarations."""
    body = b"".join(statements.lines)
    return {prefix: namespace for prefix, namespace in sorted(prefixes.items())
            if prefix and f"<{namespace}".encode() in body}
