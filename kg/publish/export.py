"""Deterministic dumps in every common RDF format: the same sources give the same bytes.

A dump is made from the validated sources of the parts asked for (ontology, data, shapes),
parsed with Oxigraph. Blank nodes get content-derived labels: RDFC-1.0 (done by Oxigraph)
within each source file, prefixed with a token of the file's path, so an edit relabels
nothing outside its file. Statements are sorted, so dumps diff cleanly in review.
``--canonical`` gives RDFC-1.0's canonical form of the whole dataset instead (one global
labelling, which is slower: Oxigraph's in-memory dataset grows worse than linearly).
Formats that carry named graphs (N-Quads, TriG, JSON-LD) keep each part in a graph of its
own; the others merge the parts into one graph, and say so in their header comment.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import pyoxigraph as ox

from kg import __version__
from kg.query.remote import GRAPH_BASE  # each part's named graph: one layout everywhere
from kg.sources import Project, parse_sources

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
PARTS = ("ontology", "data", "shapes")
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

    def __len__(self) -> int:
        return len(self.lines)

    def quads(self):
        """The statements as quads, parsed lazily from the lines (never all held at once)."""
        return ox.parse(b"".join(self.lines), format=ox.RdfFormat.N_QUADS)


class DumpSources:
    """The sources of some parts, parsed once; their sorted statements made once per shape.

    A release writes a dozen dumps of the same sources: they share this work. Statements are
    kept as N-Triples lines, not as Python objects: the plain ones as parsed, those with blank
    nodes after RDFC-1.0 has labelled them within their file (small datasets: linear overall).
    """

    def __init__(self, project: Project, parts: tuple[str, ...] = PARTS) -> None:
        self.lines: dict[str, list[bytes]] = {}
        self.prefixes: dict[str, str] = {}
        for part in parts:
            lines: list[bytes] = []
            for source in project.sources((part,)):
                token = hashlib.sha256(source.relpath.encode()).hexdigest()[:10].encode()
                parsed = parse_sources([source], keep_quads=False, track_subjects=False,
                                       sink=functools.partial(_split, lines, token))
                self.prefixes = {**parsed.prefixes, **self.prefixes}
            self.lines[part] = lines
        self._statements: dict[tuple[tuple[str, ...], bool, bool], Statements] = {}

    def statements(self, parts: tuple[str, ...], keep_graphs: bool, canonical: bool = False
                   ) -> Statements:
        key = (parts, keep_graphs, canonical)
        if key not in self._statements:
            self._statements[key] = sorted_statements(self, parts, keep_graphs, canonical)
        return self._statements[key]


def _split(lines: list[bytes], token: bytes, quads: list[ox.Quad]) -> None:
    """One file's statements as N-Triples lines, its blank nodes labelled by RDFC-1.0."""
    plain, blank = [], []
    for quad in quads:
        if type(quad.subject) is ox.BlankNode or type(quad.object) is ox.BlankNode:
            blank.append(quad)
        else:
            plain.append(quad)
    lines += (ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES) or b"").splitlines(
        keepends=True)
    if blank:
        dataset = ox.Dataset(blank)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        prefix = b"_:b" + token  # a letter first: RDF/XML node IDs are XML names
        for line in (ox.serialize(dataset, format=ox.RdfFormat.N_TRIPLES) or b""
                     ).splitlines(keepends=True):
            if line.startswith(b"_:"):  # the subject
                line = prefix + line[2:]
            head, _, last = line[:-3].rpartition(b" ")
            if last.startswith(b"_:"):  # the object (a literal never ends like this)
                line = head + b" " + prefix + last[2:] + b" .\n"
            lines.append(line)


def sorted_statements(sources: DumpSources, parts: tuple[str, ...], keep_graphs: bool,
                      canonical: bool) -> Statements:
    """The parts' lines in a stable order (graph, subject, rdf:type first, predicate, object).

    Sorting compares the serialised lines, which orders terms as their N-Triples spelling
    would, without a Python object per term. ``canonical``: relabel all blank nodes with one
    RDFC-1.0 run over the whole dataset, for the canonical form.
    """
    lines_by_graph: dict[bytes, list[bytes]] = {}
    for part in parts:
        suffix = f" <{GRAPH_BASE}{part}> .\n".encode() if keep_graphs else b" .\n"
        lines = lines_by_graph.setdefault(suffix, [])
        lines += (line[:-3] + suffix for line in sources.lines[part]) if keep_graphs else \
            sources.lines[part]
    if canonical:  # RDFC-1.0's canonical form: the lines in code point order, nothing else
        relabelled = _relabel_globally(lines_by_graph)
        return Statements(sorted({line for lines in relabelled.values() for line in lines}))
    ordered: list[bytes] = []
    for suffix in sorted(lines_by_graph):
        group = list(set(lines_by_graph.pop(suffix)))  # parts merged: a statement once
        # rdf:type first in its subject: mark it (a NUL byte cannot occur in N-Triples),
        # sort the bytes, unmark; no sort key object per line
        for i, line in enumerate(group):
            if _TYPE in line:
                group[i] = line.replace(_TYPE, _TYPE_FIRST, 1)
        group.sort()
        ordered += (line.replace(_TYPE_FIRST, _TYPE, 1) if _TYPE_FIRST in line else line
                    for line in group)
    return Statements(ordered)


def _relabel_globally(lines_by_graph: dict[bytes, list[bytes]]) -> dict[bytes, list[bytes]]:
    """RDFC-1.0 over every statement with a blank node, as one dataset."""
    dataset = ox.Dataset()
    out: dict[bytes, list[bytes]] = {}
    graphs = {}
    for suffix, lines in lines_by_graph.items():
        name = suffix[2:-4].decode()  # b" <IRI> .\n" -> IRI; b" .\n" -> ""
        graphs[suffix] = ox.NamedNode(name) if name else ox.DefaultGraph()
        out[suffix] = [line for line in lines if b"_:" not in line]
        blank = b"".join(line for line in lines if b"_:" in line)
        for quad in ox.parse(blank, format=ox.RdfFormat.N_QUADS):
            dataset.add(quad)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    for suffix, graph in graphs.items():
        body = ox.serialize(dataset.quads_for_graph_name(graph), format=ox.RdfFormat.N_QUADS)
        out[suffix] += (body or b"").splitlines(keepends=True)
    return out


_TYPE = f" {RDF_TYPE} ".encode()
_TYPE_FIRST = b" <\x00> "  # sorts before any IRI: a subject's rdf:type comes first


def dump(sources: DumpSources, fmt: Format, parts: tuple[str, ...], prefixes: dict[str, str],
         fingerprint: str, canonical: bool = False) -> tuple[bytes, int]:
    """The dump's bytes and its number of statements."""
    if canonical:
        if fmt.name not in ("ntriples", "nquads"):
            raise ValueError("--canonical is for ntriples and nquads (RDFC-1.0 canonical form)")
        statements = sources.statements(parts, keep_graphs=fmt.datasets, canonical=True)
        return b"".join(statements.lines), len(statements)
    statements = sources.statements(parts, keep_graphs=fmt.datasets)
    top = header(fmt, parts, len(statements), fingerprint)
    if fmt.name in ("ntriples", "nquads"):
        return b"".join([top, *statements.lines]), len(statements)
    quads = statements.quads()
    items = quads if fmt.datasets else (q.triple for q in quads)
    used = used_prefixes(statements, {**sources.prefixes, **prefixes})
    body = ox.serialize(items, format=fmt.rdf,
                        prefixes=used if fmt.name in ("turtle", "trig", "rdfxml") else None
                        ) or b""
    return top + body, len(statements)


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
