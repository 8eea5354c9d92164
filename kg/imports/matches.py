"""Match candidates for a curator: records whose label, Hugging Face location or organisation
name equals one of the graph's. Nothing is accepted here: a curator reads both records and
writes the match, with its evidence, in data/external/matches.ttl."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.imports.catalogues import CATALOGUES
from kg.imports.records import HF_URL, ID, RDFS, slugify
from kg.imports.run import EXTERNAL, context, read_records
from kg.sources import Project, parse_sources

OLC = "https://w3id.org/olckg/ontology#"
MODEL_TYPES = {"https://w3id.org/fair4ml#MLModel", OLC + "ModelFamily"}
ORG_TYPES = {"http://www.w3.org/ns/org#Organization", "http://www.w3.org/ns/org#OrganizationalUnit"}


@dataclass(frozen=True)
class Candidate:
    key: str  # the IRI the importer mints for the record's model or organisation
    record: str  # the record's file
    entity: str  # the graph's IRI
    label: str
    why: str  # "exact label", "Hugging Face location", "organisation name"
    matched: bool  # already in matches.ttl


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def suggest(project: Project, name: str, directory: Path, commit: str, date: str
            ) -> list[Candidate]:
    catalogue = CATALOGUES[name]
    records = read_records(catalogue, directory, commit, date)
    generated = tuple(f"{EXTERNAL}/{n}/" for n in CATALOGUES)
    quads = parse_sources([s for s in project.sources(("ontology", "data"))
                           if not s.relpath.startswith(generated)]).quads
    types: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    pages: dict[str, str] = {}
    for q in quads:
        s, p, o = q.subject, q.predicate.value, q.object
        if not isinstance(s, ox.NamedNode):
            continue
        if p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            types.setdefault(s.value, set()).add(o.value)
        elif p == RDFS + "label" and isinstance(o, ox.Literal):
            labels[s.value] = o.value
        elif p == OLC + "huggingFacePage":
            pages[o.value.rstrip("/").lower()] = s.value
    models = {iri: label for iri, label in labels.items() if types.get(iri, set()) & MODEL_TYPES}
    orgs = {iri: label for iri, label in labels.items() if types.get(iri, set()) & ORG_TYPES}
    by_label = {_norm(label): iri for iri, label in models.items()}
    org_by_label = {_norm(label): iri for iri, label in orgs.items()}
    matched = context(project).matches
    out: list[Candidate] = []
    for record in records:
        key = ID + f"{name}-model-{record.slug}"
        hits = []
        if record.link and HF_URL.match(record.link):
            entity = pages.get(record.link.rstrip("/").lower())
            if entity and entity in models:
                hits.append((entity, "Hugging Face location"))
        entity = by_label.get(_norm(record.name))
        if entity:
            hits.append((entity, "exact label"))
        for entity, why in dict.fromkeys(hits):
            out.append(Candidate(key, record.file, entity, models[entity], why,
                                 matched.get(key) == entity))
        if record.organisation:
            org_key = ID + f"{name}-org-{slugify(record.organisation)}"
            entity = org_by_label.get(_norm(record.organisation))
            if entity:
                out.append(Candidate(org_key, record.file, entity, orgs[entity],
                                     "organisation name", matched.get(org_key) == entity))
    return sorted(set(out), key=lambda c: (c.record, c.why, c.entity))
