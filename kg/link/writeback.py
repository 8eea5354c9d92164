"""Recording an accepted link in the Turtle sources, as a curator would write it by hand.

The statement goes to the end of the file that already describes the entity, with its
evidence; the source it cites is described in ``data/sources.ttl`` if it is not yet. The
files are replaced atomically and then parsed and validated; if anything is wrong they are put
back as they were, so a failed write loses nothing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, KgError
from kg.sources import Project, parse_sources

OLC = "https://w3id.org/olckg/ontology#"
OLCV = "https://w3id.org/olckg/vocab/"
DCT = "http://purl.org/dc/terms/"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
SOURCES_FILE = "data/sources.ttl"
_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")


@dataclass(frozen=True)
class LinkRecord:
    """One fact and the evidence for it."""

    subject: str
    predicate: str
    value: str | ox.Literal  # an IRI, or a literal (an identifier such as a ROR ID)
    source: str
    source_title: str
    source_kind: str  # an olcv:source-... concept
    status: str  # "stated" or "inferred"
    accessed: date
    quotation: str | None = None
    locator: str | None = None
    reason: str | None = None
    comment: str | None = None


def record(project: Project, links: list[LinkRecord]) -> list[Path]:
    """Append each link to the file describing its subject (validated once, all or nothing)."""
    if project.bundled:
        raise KgError("the bundled project is read-only; run this in a checkout of the "
                      "project (or give --project DIR) to record links in its data files")
    parsed = parse_sources(project.sources(("ontology", "data")))
    described = {q.subject.value for q in parsed.quads
                 if q.predicate == ox.NamedNode(RDF_TYPE) and isinstance(q.subject, ox.NamedNode)}
    sources = project.root / SOURCES_FILE
    edits: dict[Path, str] = {}
    prefixes: dict[Path, dict[str, str]] = {}
    targets = []
    for link in links:
        relpath = parsed.file_of(ox.NamedNode(link.subject))
        if relpath is None:
            raise InputError(f"<{link.subject}> is not described in any file of "
                             f"{project.root}")
        target = project.root / relpath
        targets.append(target)
        text = edits[target] if target in edits else _read(target)
        if target not in prefixes:
            prefixes[target] = _prefixes_of(target)
        edits[target] = _append(text, _statement(link, prefixes[target]))
        if link.source not in described:
            described.add(link.source)
            if sources not in prefixes:
                prefixes[sources] = _prefixes_of(sources)
            text = edits[sources] if sources in edits else _read(sources)
            edits[sources] = _append(text, _source_entry(link, prefixes[sources]))
    _apply_checked(project, edits)
    return targets


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _append(text: str, block: str) -> str:
    return text + ("" if text.endswith("\n") or not text else "\n") + block


def _prefixes_of(path: Path) -> dict[str, str]:
    try:
        parser = ox.parse(path=path, format=ox.RdfFormat.TURTLE)
        for _ in parser:
            pass
        return dict(parser.prefixes)
    except (OSError, SyntaxError):
        return {}


def _term(iri: str, prefixes: dict[str, str]) -> str:
    """A prefixed name when the file declares a prefix that fits, else <iri>."""
    best = max(((p, ns) for p, ns in prefixes.items() if iri.startswith(ns)),
               key=lambda item: len(item[1]), default=None)
    if best is not None and _LOCAL.match(iri[len(best[1]):]):
        return f"{best[0]}:{iri[len(best[1]):]}"
    return str(ox.NamedNode(iri))


def _statement(link: LinkRecord, prefixes: dict[str, str]) -> str:
    t = lambda iri: _term(iri, prefixes)  # noqa: E731
    value = str(link.value) if isinstance(link.value, ox.Literal) else t(link.value)
    lines = [f"{t(OLC + 'supports')} {t(link.predicate)}",
             f"{t(OLC + 'value')} {value}",
             f"{t(DCT + 'source')} {t(link.source)}",
             f"{t(OLC + 'evidenceStatus')} {t(OLCV + link.status)}",
             f"{t(OLC + 'accessed')} \"{link.accessed.isoformat()}\"^^{t(XSD_DATE)}"]
    if link.quotation:
        lines.append(f"{t(OLC + 'quotation')} {ox.Literal(link.quotation)}")
    if link.locator:
        lines.append(f"{t(OLC + 'locator')} {ox.Literal(link.locator)}")
    if link.reason:
        lines.append(f"{t(OLC + 'reason')} {ox.Literal(link.reason, language='en')}")
    evidence = " ;\n        ".join(lines)
    comment = f"# {link.comment}\n" if link.comment else ""
    return (f"\n{comment}{t(link.subject)} {t(link.predicate)} {value} ;\n"
            f"    {t(OLC + 'evidence')} [\n        {evidence}\n    ] .\n")


def _source_entry(link: LinkRecord, prefixes: dict[str, str]) -> str:
    t = lambda iri: _term(iri, prefixes)  # noqa: E731
    return (f"\n{t(link.source)} a {t(FOAF_DOCUMENT)} ;\n"
            f"    {t(DCT + 'type')} {t(link.source_kind)} ;\n"
            f"    {t(DCT + 'title')} {ox.Literal(link.source_title)} .\n")


def _apply_checked(project: Project, edits: dict[Path, str]) -> None:
    """Write every edit, then parse and validate; on any failure restore every file."""
    from kg.store import validate_project

    originals = {path: (path.read_bytes() if path.exists() else None) for path in edits}
    try:
        for path, text in edits.items():
            _replace(path, text.encode("utf-8"))
        report = validate_project(project, files=list(edits))
        problems = [r for r in report.results if r.severity == "Violation"]
        if problems:
            first = problems[0]
            raise KgError(f"the link was not recorded: it would make {first.file} invalid "
                          f"({first.focus}: {first.message})")
    except BaseException:
        for path, content in originals.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                _replace(path, content)
        raise


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
