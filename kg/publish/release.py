"""A release folder: every dump, its VoID + DCAT description, checksums and what changed.

The folder is written beside its final place and renamed into it at the end, so a failed or
interrupted release leaves nothing half-written. Files are compressed deterministically
(no name or time in the gzip header), so the same sources give the same bytes, checksums
included; only void.ttl changes with the date of issue.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.errors import KgError
from kg.publish.export import ATTRIBUTION, FORMATS, GRAPH_BASE, PARTS, DumpSources, dump
from kg.sources import Project

DATASET = "https://w3id.org/olckg/"
NAME = "olckg"
GZIP_OVER = 256 * 1024  # bytes: larger dumps are also published gzipped
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
XSD = "http://www.w3.org/2001/XMLSchema#"
FOAF = "http://xmlns.com/foaf/0.1/"
OWL = "http://www.w3.org/2002/07/owl#"
SD = "http://www.w3.org/ns/sparql-service-description#"
PREFIXES = {"void": VOID, "dct": DCT, "dcat": DCAT, "xsd": XSD, "foaf": FOAF, "owl": OWL,
            "rdf": RDF, "sd": SD}
#: What each named graph of the N-Quads and TriG dumps holds, said in void.ttl.
GRAPH_ROLES = {
    "ontology": "The ontology and its SKOS vocabularies. With the data graph, it makes the "
                "default graph the catalog's queries read (load both, or name both with "
                "default-graph-uri).",
    "data": "The curated data with its evidence. With the ontology graph, it makes the default "
            "graph the catalog's queries read.",
    "shapes": "The SHACL shapes that check the data; the catalog's queries do not read them.",
    "osai": "Openness assessments by the European Open Source AI Index (statements by that "
            "catalogue, CC BY 4.0). The catalog's openness queries read them with the ontology "
            "and data graphs.",
    "mot": "Openness assessments by the LF AI & Data Model Openness Tool (statements by that "
           "catalogue, MIT). The catalog's openness queries read them with the ontology and "
           "data graphs.",
}


#: Imported catalogues: (agent, subset title, licence, homepage), by part.
CATALOGUE_SUBSETS = {
    "osai": ("https://w3id.org/olckg/id/osai-index",
             "Openness assessments by the European Open Source AI Index",
             "https://creativecommons.org/licenses/by/4.0/", "https://osai-index.eu/"),
    "mot": ("https://w3id.org/olckg/id/model-openness-tool",
            "Openness assessments by the Model Openness Tool", "http://spdx.org/licenses/MIT",
            "https://mot.isitopen.ai"),
}
ASSESSMENT = "https://w3id.org/olckg/ontology#OpennessAssessment"


@dataclass
class Release:
    folder: Path
    files: dict[str, int] = field(default_factory=dict)  # name -> bytes
    triples: int = 0
    changes: dict | None = None


def make_release(project: Project, output: Path, version: str, fingerprint: str,
                 prefixes: dict[str, str], previous: Path | None = None,
                 sparql_endpoint: str | None = None, base_url: str | None = None,
                 today: date | None = None) -> Release:
    folder = output / f"{NAME}-{version}"
    if folder.exists():
        raise KgError(f"{folder} exists already: give another --version, or remove it")
    if previous is not None and not (previous / f"{NAME}.nt").is_file():
        raise KgError(f"{previous} is not a release folder (it has no {NAME}.nt)")
    output.mkdir(parents=True, exist_ok=True)
    staging = output / f".{folder.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        release = _write(project, staging, version, fingerprint, prefixes, previous,
                         sparql_endpoint, base_url, today or date.today())
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    release.folder = folder
    return release


def _write(project: Project, staging: Path, version: str, fingerprint: str,
           prefixes: dict[str, str], previous: Path | None, sparql_endpoint: str | None,
           base_url: str | None, today: date) -> Release:
    release = Release(staging)
    sources = DumpSources(project)
    dumps: list[tuple[str, str]] = []  # (file name, format name)
    for fmt in FORMATS.values():
        canonical = fmt.name == "ntriples"  # the canonical form: the one to diff and sign
        data, count = dump(sources, fmt, PARTS, prefixes, fingerprint, canonical=canonical)
        if fmt.name == "ntriples":
            release.triples = count
        dumps += _publish(staging, f"{NAME}.{fmt.extension}", data, fmt.name, release)
    for part in PARTS:
        data, _ = dump(sources, FORMATS["turtle"], (part,), prefixes, fingerprint)
        dumps += _publish(staging, f"{NAME}-{part}.ttl", data, "turtle", release)
    from kg.publish.web.context import context_bytes, project_context

    # the @context the JSON-LD dump names (https://w3id.org/olckg/context.jsonld), shipped along
    (staging / "context.jsonld").write_bytes(context_bytes(project_context(project, prefixes)))
    if previous is not None:
        release.changes = changes(previous / f"{NAME}.nt", staging / f"{NAME}.nt")
        (staging / "CHANGES.md").write_text(changes_markdown(release.changes, previous, version),
                                            encoding="utf-8")
        (staging / "changes.json").write_text(json.dumps(release.changes, indent=2) + "\n",
                                              encoding="utf-8")
    graphs = {part: len(set(sources.lines[part])) for part in PARTS}
    void = describe(staging, dumps, version, today, sparql_endpoint, base_url, graphs)
    (staging / "void.ttl").write_bytes(void)
    sums = "".join(f"{_sha256(staging / name)}  {name}\n"
                   for name in sorted(p.name for p in staging.iterdir() if p.is_file()))
    (staging / "SHA256SUMS").write_text(sums, encoding="ascii")
    release.files = {p.name: p.stat().st_size for p in sorted(staging.iterdir())}
    return release


def _publish(staging: Path, name: str, data: bytes, fmt: str, release: Release
             ) -> list[tuple[str, str]]:
    (staging / name).write_bytes(data)
    published = [(name, fmt)]
    if len(data) > GZIP_OVER:
        with open(staging / f"{name}.gz", "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
            packed.write(data)
        published.append((f"{name}.gz", fmt))
    return published


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- VoID and DCAT ------------------------------------------------------------------------------

def describe(staging: Path, dumps: list[tuple[str, str]], version: str, today: date,
             sparql_endpoint: str | None, base_url: str | None,
             graphs: dict[str, int] | None = None) -> bytes:
    """void.ttl: the dataset, this release of it, its statistics, its graphs and its files.

    ``graphs``: the triples of each part, described as a subset named by the graph the
    N-Quads and TriG dumps put it in (``sd:name``), so the layout is stated in the data.
    """
    base = (base_url or f"{DATASET}releases/{version}/").rstrip("/") + "/"
    graph = ox.Store()
    graph.bulk_load(path=staging / f"{NAME}.nt", format=ox.RdfFormat.N_TRIPLES)
    n = lambda iri: ox.NamedNode(iri)  # noqa: E731
    lit = lambda value, datatype=None: ox.Literal(  # noqa: E731
        str(value), datatype=n(datatype) if datatype else None)
    dataset, release = n(DATASET), n(base + "void.ttl#release")
    triples = [
        (release, n(RDF + "type"), n(VOID + "Dataset")),
        (release, n(RDF + "type"), n(DCAT + "Dataset")),
        (release, n(DCT + "isVersionOf"), dataset),
        (release, n(DCAT + "version"), lit(version)),
        (release, n(OWL + "versionInfo"), lit(version)),
        (release, n(DCT + "issued"), lit(today.isoformat(), XSD + "date")),
        (release, n(VOID + "uriSpace"), lit("https://w3id.org/olckg/id/")),
        (release, n(DCT + "conformsTo"), n("https://w3id.org/olckg/ontology")),
        (release, n(DCT + "publisher"), lit(f"kg {__version__}")),
    ]
    for predicate, obj in _dataset_description(graph):
        triples.append((release, predicate, obj))
    stats = _statistics(graph)
    triples += [(release, n(VOID + key), lit(value, XSD + "integer"))
                for key, value in stats["counts"].items()]
    for index, (cls, entities) in enumerate(stats["classes"]):
        node = ox.BlankNode(f"class{index}")
        triples += [(release, n(VOID + "classPartition"), node),
                    (node, n(VOID + "class"), n(cls)),
                    (node, n(VOID + "entities"), lit(entities, XSD + "integer"))]
    for index, (prop, count) in enumerate(stats["properties"]):
        node = ox.BlankNode(f"property{index}")
        triples += [(release, n(VOID + "propertyPartition"), node),
                    (node, n(VOID + "property"), n(prop)),
                    (node, n(VOID + "triples"), lit(count, XSD + "integer"))]
    for name, fmt_name in dumps:
        fmt = FORMATS[fmt_name]
        file = n(base + name)
        media = "application/gzip" if name.endswith(".gz") else fmt.media_type
        triples += [(release, n(VOID + "dataDump"), file),
                    (release, n(DCAT + "distribution"), file),
                    (file, n(RDF + "type"), n(DCAT + "Distribution")),
                    (file, n(DCAT + "downloadURL"), file),
                    (file, n(DCAT + "mediaType"),
                     n(f"https://www.iana.org/assignments/media-types/{media}")),
                    (file, n(DCT + "format"), n(f"http://www.w3.org/ns/formats/{fmt.w3c}")),
                    (file, n(DCAT + "byteSize"),
                     lit((staging / name).stat().st_size, XSD + "nonNegativeInteger"))]
        if name.endswith(".gz"):
            triples.append((file, n(DCAT + "compressFormat"),
                            n("https://www.iana.org/assignments/media-types/application/gzip")))
    for part, count in (graphs or {}).items():
        node = n(base + f"void.ttl#graph-{part}")
        triples += [(release, n(VOID + "subset"), node),
                    (node, n(RDF + "type"), n(VOID + "Dataset")),
                    (node, n(SD + "name"), n(GRAPH_BASE + part)),
                    (node, n(VOID + "triples"), lit(count, XSD + "integer")),
                    (node, n(DCT + "description"), ox.Literal(GRAPH_ROLES[part], language="en"))]
        if part in CATALOGUE_SUBSETS and count:  # an imported catalogue: credit it
            agent, title, licence, homepage = CATALOGUE_SUBSETS[part]
            triples += [(release, n(DCT + "source"), n(agent)),
                        (node, n(DCT + "title"), ox.Literal(title, language="en")),
                        (node, n(DCT + "source"), n(agent)),
                        (node, n(FOAF + "homepage"), n(homepage)),
                        (node, n(DCT + "license"), n(licence)),
                        (node, n(DCT + "bibliographicCitation"), lit(ATTRIBUTION[part])),
                        (node, n(VOID + "dataDump"), n(base + f"{NAME}-{part}.ttl"))]
    if sparql_endpoint:
        triples.append((release, n(VOID + "sparqlEndpoint"), n(sparql_endpoint)))
    ordered = sorted(triples, key=lambda t: (t[0] != release, isinstance(t[0], ox.BlankNode),
                                             *(str(x) for x in t)))
    body = ox.serialize([ox.Triple(*t) for t in ordered], format=ox.RdfFormat.TURTLE,
                        prefixes=PREFIXES) or b""
    if base_url is None:  # the release's own IRIs, relative to where void.ttl is read from
        body = body.replace(f"<{base}".encode(), b"<")
    if base_url is None:
        where = ("# File IRIs are relative to this file's location, so a tool loading it needs a\n"
                 "# base IRI: `oxigraph load --file void.ttl --base URL-OF-THIS-FOLDER/`, or\n"
                 "# pyoxigraph.parse(path='void.ttl', base_iri=...). `kg release --base-url URL`\n"
                 "# writes them absolute instead.\n")
    else:
        where = f"# File IRIs are absolute: the release is published at {base}.\n"
    return (f"# This release of the Open LLM Collaboration Knowledge Graph: VoID and DCAT.\n"
            f"# Written by kg {__version__}.\n{where}\n").encode() + body


def _dataset_description(graph: ox.Store) -> list[tuple]:
    """Title, description, licence, creator, source and citation, from data/dataset.ttl."""
    keep = [DCT + "title", DCT + "description", DCT + "license", DCT + "creator",
            DCT + "source", DCT + "bibliographicCitation", VOID + "vocabulary"]
    return [(q.predicate, q.object) for q in graph.quads_for_pattern(
        ox.NamedNode(DATASET), None, None) if q.predicate.value in keep]


def _statistics(graph: ox.Store) -> dict:
    def one(query: str) -> int:
        return int(next(iter(graph.query(query)))["n"].value)

    counts = {
        "triples": len(graph),
        "distinctSubjects": one("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        "distinctObjects": one("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        "properties": one("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        "classes": one(f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?s <{RDF}type> ?c }}"),
    }
    classes = [(row["c"].value, int(row["n"].value)) for row in graph.query(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF}type> ?c . FILTER isIRI(?c) }}"
        " GROUP BY ?c ORDER BY ?c")]
    properties = [(row["p"].value, int(row["n"].value)) for row in graph.query(
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p")]
    return {"counts": counts, "classes": classes, "properties": properties}


# -- what changed -------------------------------------------------------------------------------

def changes(before: Path, after: Path) -> dict:
    """Statements added and removed, the entities they are about, and instances per class.

    Both files are N-Triples; blank nodes are compared by what they say, not by their labels
    (see ``facts``), so one fact and its evidence node added to one file is reported as just
    those statements, however the dump's blank-node labels shifted around them.
    """
    old_triples = list(ox.parse(path=before, format=ox.RdfFormat.N_TRIPLES))
    new_triples = list(ox.parse(path=after, format=ox.RdfFormat.N_TRIPLES))
    old_content, new_content = ByContent(old_triples), ByContent(new_triples)
    old, new = facts(old_content, old_triples), facts(new_content, new_triples)
    per_class = {}
    old_classes = _instances(old_content, old_triples)
    new_classes = _instances(new_content, new_triples)
    for cls in sorted(set(old_classes) | set(new_classes)):
        was, now = old_classes.get(cls, set()), new_classes.get(cls, set())
        if was != now:
            per_class[cls] = {"before": len(was), "after": len(now),
                              "added": sorted(now - was), "removed": sorted(was - now)}
    entities: dict[str, dict[str, int]] = {}
    for kind, lines in (("added", new.keys() - old.keys()), ("removed", old.keys() - new.keys())):
        for line in lines:
            about = new.get(line) or old[line]
            entities.setdefault(about, {"added": 0, "removed": 0})[kind] += 1
    return {"triples_before": len(old_triples), "triples_after": len(new_triples),
            "added": len(new.keys() - old.keys()), "removed": len(old.keys() - new.keys()),
            "entities": dict(sorted(entities.items())), "classes": per_class,
            "assessments": _assessment_changes(entities, old_classes, new_classes)}


def _assessment_changes(entities: dict[str, dict[str, int]], old_classes: dict[str, set[str]],
                        new_classes: dict[str, set[str]]) -> dict[str, list[str]]:
    """Catalogue records added, removed and changed, one entry per record (not per triple).

    A record's statements are about ``<assessment>`` or ``<assessment#criterion>``, so a
    record changed when a statement about either was added or removed.
    """
    was = {s.strip("<>") for s in old_classes.get(ASSESSMENT, set())}
    now = {s.strip("<>") for s in new_classes.get(ASSESSMENT, set())}
    touched = {about.strip("<>").split("#", 1)[0] for about in entities}
    return {"added": sorted(now - was), "removed": sorted(was - now),
            "changed": sorted(was & now & touched)}


class ByContent:
    """Names for blank nodes from what they say, and the entity each statement is about.

    A blank node's name is a hash of the statements pointing at it and of what it says
    (its nested blank nodes by their own names), so it does not change when unrelated
    blank nodes elsewhere are added or removed, as canonical labels (c14nN) do.
    """

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.outgoing: dict[ox.BlankNode, list[tuple[str, object]]] = {}
        self.incoming: dict[ox.BlankNode, list[tuple[object, str]]] = {}
        for triple in triples:
            if isinstance(triple.subject, ox.BlankNode):
                self.outgoing.setdefault(triple.subject, []).append(
                    (str(triple.predicate), triple.object))
            if isinstance(triple.object, ox.BlankNode):
                self.incoming.setdefault(triple.object, []).append(
                    (triple.subject, str(triple.predicate)))
        self.names: dict[ox.BlankNode, str] = {}

    def name(self, node, depth: int = 0) -> str:
        if not isinstance(node, ox.BlankNode):
            return str(node)
        if node not in self.names:
            if depth > 32:  # a cycle of blank nodes: keep its label
                return str(node)
            said = sorted(f"{p} {self.name(o, depth + 1)}"
                          for p, o in self.outgoing.get(node, []))
            pointed = sorted(f"{'_' if isinstance(s, ox.BlankNode) else s} {p}"
                             for s, p in self.incoming.get(node, []))
            digest = hashlib.sha256("\n".join([*pointed, "", *said]).encode()).hexdigest()
            self.names[node] = f"_:f{digest[:20]}"
        return self.names[node]

    def about(self, node) -> str:
        """The nearest IRI that (through blank nodes) the statement's subject hangs from."""
        for _ in range(32):
            if not isinstance(node, ox.BlankNode) or not self.incoming.get(node):
                break
            node = self.incoming[node][0][0]
        return self.name(node)


def facts(content: ByContent, triples: list[ox.Triple]) -> dict[str, str]:
    """Each statement as a line, blank nodes named by content, mapped to what it is about."""
    return {f"{content.name(t.subject)} {t.predicate} {content.name(t.object)} .":
            content.about(t.subject) for t in triples}


def _instances(content: ByContent, triples: list[ox.Triple]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for triple in triples:
        if triple.predicate.value == RDF + "type" and isinstance(triple.object, ox.NamedNode):
            found.setdefault(triple.object.value, set()).add(content.name(triple.subject))
    return found


def changes_markdown(summary: dict, previous: Path, version: str) -> str:
    out = [f"# Changes in {version}", "",
           f"Compared with the release in `{previous.name}`: {summary['triples_before']} → "
           f"{summary['triples_after']} triples, {summary['added']} added and "
           f"{summary['removed']} removed (statements compared by content, blank nodes "
           "included).", ""]
    if summary.get("entities"):
        out += ["| entity | statements added | removed |", "|---|---|---|"]
        out += [f"| {entity} | {row['added']} | {row['removed']} |"
                for entity, row in summary["entities"].items()]
        out.append("")
    if summary["classes"]:
        out += ["| class | before | after | added | removed |", "|---|---|---|---|---|"]
        for cls, row in summary["classes"].items():
            out.append(f"| <{cls}> | {row['before']} | {row['after']} | {len(row['added'])} | "
                       f"{len(row['removed'])} |")
        for cls, row in summary["classes"].items():
            for kind in ("added", "removed"):
                if row[kind]:
                    out += ["", f"{kind.capitalize()} instances of <{cls}>:", ""]
                    out += [f"- {term}" for term in row[kind]]
    else:
        out.append("No class gained or lost instances.")
    records = summary.get("assessments") or {}
    out += ["", "## Sources and attribution", "",
            "Built from the study (Linåker, Osborne, Ding, Burtenshaw, arXiv:2509.25397, CC BY "
            "4.0), with the openness assessments, in their own named graphs, by:", ""]
    out += [f"- {text.split(': ', 1)[1]}" for text in ATTRIBUTION.values()]
    if any(records.values()):
        out += ["", "## Openness assessments, by catalogue record", "",
                ", ".join(f"{len(records[k])} {k}" for k in ("added", "changed", "removed")) + "."]
        for kind in ("added", "changed", "removed"):
            if records[kind]:
                out += ["", f"{kind.capitalize()} assessments:", ""]
                out += [f"- <{iri}>" for iri in records[kind]]
    return "\n".join(out) + "\n"

