"""Reconciling the graph's entities with Wikidata: candidates, checks of existing links, writes.

Which entities are linkable, and how, is decided here (``KINDS``): individuals link with
owl:sameAs, SKOS concepts (countries, regions) with skos:exactMatch. Candidates are found by
exact label or alias, in English or in Wikidata's language-neutral ``mul`` labels, and ranked
by how they matched and whether their type (P31) reads like the kind of entity they should
be. Nothing is written without a curator naming the item (``--write SLUG=QID``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.link.wikidata import WIKIDATA_SITE, WikidataClient, item_iri, qid_of
from kg.query import ENTITY

OLC = "https://w3id.org/olckg/ontology#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "http://schema.org/"
DCT = "http://purl.org/dc/terms/"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
SKOS_EXACT_MATCH = "http://www.w3.org/2004/02/skos/core#exactMatch"


@dataclass(frozen=True)
class Kind:
    """A kind of entity the graph links to Wikidata."""

    name: str
    classes: tuple[str, ...]
    #: Words that an item's type (P31) label contains when it is this kind of thing.
    type_words: tuple[str, ...]
    predicate: str = OWL_SAME_AS


_ORGANISATION_WORDS = ("organization", "organisation", "company", "business", "enterprise",
                       "institute", "institution", "university", "foundation", "laboratory",
                       "research", "nonprofit", "non-profit", "agency", "library",
                       "consortium", "community", "workshop", "project", "centre", "center",
                       "subsidiary", "conglomerate", "startup", "team")

#: The kinds the linking report counts, in its order. The query queries/wikidata-links.rq
#: lists the same classes (tests/test_linking.py checks that they agree).
KINDS: tuple[Kind, ...] = (
    Kind("organisation", (ORG + "Organization", ORG + "OrganizationalCollaboration"),
         _ORGANISATION_WORDS),
    Kind("organisational unit", (ORG + "OrganizationalUnit",), _ORGANISATION_WORDS),
    Kind("model family", (OLC + "ModelFamily",),
         ("language model", "model", "software", "chatbot")),
    Kind("dataset", (SCHEMA + "Dataset",), ("dataset", "data set", "corpus", "database",
                                             "archive")),
    Kind("benchmark", (OLC + "Benchmark",), ("benchmark", "dataset", "leaderboard")),
    Kind("framework", (SCHEMA + "SoftwareSourceCode",), ("software", "library", "framework")),
    Kind("platform", (OLC + "Platform",), ("website", "platform", "service", "hosting")),
    Kind("compute resource", (OLC + "ComputeResource",), ("supercomputer", "computer",
                                                          "cluster")),
    Kind("licence", (DCT + "LicenseDocument",), ("license", "licence")),
    Kind("study", (OLC + "Study",), ("article", "preprint", "publication", "paper")),
    Kind("country", (OLC + "Country",), ("country", "state"), SKOS_EXACT_MATCH),
    Kind("region", (OLC + "Region",), ("continent", "region", "area"), SKOS_EXACT_MATCH),
)
_KIND_OF_CLASS = {cls: kind for kind in KINDS for cls in kind.classes}

#: Types of items that are never the thing itself.
_NOT_THINGS = ("disambiguation", "wikimedia", "family name", "given name", "scholarly article")


@dataclass
class Entity:
    iri: str
    kinds: list[Kind] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # Wikidata entity IRIs
    no_item: bool = False
    #: Words of evidence quotations recorded for each link (what the item was called).
    recorded: dict[str, list[str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else self.iri

    @property
    def predicate(self) -> str:
        return self.kinds[0].predicate if self.kinds else OWL_SAME_AS


@dataclass(frozen=True)
class Candidate:
    qid: str
    label: str
    description: str
    matched: str  # "label" or "alias"
    types: tuple[str, ...]
    score: int


@dataclass(frozen=True)
class Check:
    entity: Entity
    qid: str
    status: str  # "ok", "redirect", "missing", "label changed"
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


_ENTITIES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX olc: <https://w3id.org/olckg/ontology#>
SELECT ?entity ?class ?label ?alt ?link ?quotation ?none WHERE {
  VALUES ?class { %s }
  ?entity a ?class .
  OPTIONAL { ?entity rdfs:label|skos:prefLabel|foaf:name ?label }
  OPTIONAL { ?entity skos:altLabel ?alt }
  OPTIONAL {
    ?entity owl:sameAs|skos:exactMatch ?link .
    FILTER (STRSTARTS(STR(?link), "%s"))
    OPTIONAL { ?entity olc:evidence [ olc:value ?link ; olc:quotation ?quotation ] }
  }
  OPTIONAL { ?entity olc:noMatchIn ?none . FILTER (?none = <%s>) }
}
"""


def entities(store: ox.Store) -> list[Entity]:
    """Every linkable entity, its labels, its Wikidata links and whether it has none."""
    classes = " ".join(f"<{cls}>" for cls in _KIND_OF_CLASS)
    found: dict[str, Entity] = {}
    aliases: dict[str, list[str]] = {}
    for row in store.query(_ENTITIES % (classes, ENTITY, WIKIDATA_SITE)):
        if not isinstance(row["entity"], ox.NamedNode):
            continue
        iri = row["entity"].value
        entity = found.setdefault(iri, Entity(iri))
        kind = _KIND_OF_CLASS[row["class"].value]
        if kind not in entity.kinds:
            entity.kinds.append(kind)
        if row["label"] is not None and row["label"].value not in entity.labels:
            entity.labels.append(row["label"].value)
        if row["alt"] is not None and row["alt"].value not in aliases.setdefault(iri, []):
            aliases[iri].append(row["alt"].value)
        if row["link"] is not None:
            link = row["link"].value
            if link not in entity.links:
                entity.links.append(link)
            if row["quotation"] is not None:
                entity.recorded.setdefault(link, []).append(row["quotation"].value)
        if row["none"] is not None:
            entity.no_item = True
    for iri, entity in found.items():
        entity.kinds.sort(key=KINDS.index)
        entity.labels.sort()
        entity.labels += [a for a in sorted(aliases.get(iri, [])) if a not in entity.labels]
    return sorted(found.values(), key=lambda e: (KINDS.index(e.kinds[0]), e.iri))


@dataclass(frozen=True)
class KindReport:
    kind: str
    entities: int
    linked: int
    no_item: int

    @property
    def unchecked(self) -> int:
        return self.entities - self.linked - self.no_item


def linking_report(found: list[Entity]) -> list[KindReport]:
    """Per kind: entities, linked to Wikidata, recorded as having no item (the rest: unchecked).

    An entity of two kinds (a benchmark that is also a dataset) counts in both, as in
    queries/wikidata-links.rq.
    """
    rows = []
    for kind in KINDS:
        members = [e for e in found if kind in e.kinds]
        if members:
            rows.append(KindReport(kind.name, len(members), sum(bool(e.links) for e in members),
                                   sum(e.no_item and not e.links for e in members)))
    return rows


def name_variants(labels: Iterable[str]) -> list[str]:
    """The names to look up: each label, and its parts outside and inside parentheses.

    "CNRS (Centre national de la recherche scientifique)" is also looked up as "CNRS" and as
    "Centre national de la recherche scientifique".
    """
    variants: list[str] = []
    for label in labels:
        inside = re.findall(r"\(([^()]*)\)", label)
        outside = re.sub(r"\s*\([^()]*\)", "", label).strip(" ,")
        for name in (label, outside, *inside):
            name = " ".join(name.split())
            if name and name not in variants:
                variants.append(name)
    return variants


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


# -- candidates ---------------------------------------------------------------------------------

_CANDIDATES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?key ?item ?matched ?label ?mulLabel ?description ?typeLabel WHERE {
  VALUES (?key ?name) { %s }
  { ?item rdfs:label ?name . BIND ("label" AS ?matched) }
  UNION { ?item skos:altLabel ?name . BIND ("alias" AS ?matched) }
  FILTER (STRSTARTS(STR(?item), "http://www.wikidata.org/entity/Q"))
  OPTIONAL { ?item rdfs:label ?label . FILTER (LANG(?label) = "en") }
  OPTIONAL { ?item rdfs:label ?mulLabel . FILTER (LANG(?mulLabel) = "mul") }
  OPTIONAL { ?item schema:description ?description . FILTER (LANG(?description) = "en") }
  OPTIONAL { ?item wdt:P31 ?type .
             OPTIONAL { ?type rdfs:label ?typeLabel . FILTER (LANG(?typeLabel) = "en") } }
}
"""


def candidates(client: WikidataClient, batch: list[Entity], limit: int = 5
               ) -> dict[str, list[Candidate]]:
    """Ranked candidate items for each entity of ``batch`` (one request for the batch)."""
    rows = []
    for index, entity in enumerate(batch):
        for name in name_variants(entity.labels):
            for language in ("en", "mul"):
                rows.append(f'("{index}" {ox.Literal(name, language=language)})')
    if not rows:
        return {}
    found: dict[tuple[int, str], dict] = {}
    for row in client.select(_CANDIDATES % " ".join(rows)):
        qid = qid_of(row["item"].value)
        if qid is None:
            continue
        key = (int(row["key"].value), qid)
        seen = found.setdefault(key, {"matched": set(), "label": "", "description": "",
                                      "types": set()})
        seen["matched"].add(row["matched"].value)
        if "label" in row:
            seen["label"] = row["label"].value
        elif "mulLabel" in row and not seen["label"]:
            seen["label"] = row["mulLabel"].value
        if "description" in row:
            seen["description"] = row["description"].value
        if "typeLabel" in row:
            seen["types"].add(row["typeLabel"].value)
    ranked: dict[str, list[Candidate]] = {}
    for (index, qid), seen in found.items():
        entity = batch[index]
        candidate = _score(entity, qid, seen)
        if candidate is not None:
            ranked.setdefault(entity.iri, []).append(candidate)
    for iri, items in ranked.items():
        items.sort(key=lambda c: (-c.score, int(c.qid[1:])))
        ranked[iri] = items[:limit]
    return ranked


def _score(entity: Entity, qid: str, seen: dict) -> Candidate | None:
    types = tuple(sorted(seen["types"]))
    described = " ".join((*types, seen["description"])).casefold()
    if any(word in described for word in _NOT_THINGS):
        return None
    score = 3 if "label" in seen["matched"] else 2
    words = {word for kind in entity.kinds for word in kind.type_words}
    if any(word in type_label.casefold() for type_label in types for word in words):
        score += 2
    if normalise(seen["label"]) == normalise(entity.label):
        score += 1
    return Candidate(qid, seen["label"], seen["description"],
                     "label" if "label" in seen["matched"] else "alias", types, score)


# -- checks of existing links -------------------------------------------------------------------

_CHECK = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?item ?target ?label ?exists WHERE {
  VALUES ?item { %s }
  OPTIONAL { ?item owl:sameAs ?target }
  OPTIONAL { ?item rdfs:label ?label . FILTER (LANG(?label) IN ("en", "mul")) }
  BIND (EXISTS { ?item ?p ?o } AS ?exists)
}
"""


def describe_items(client: WikidataClient, qids: list[str]) -> dict[str, dict]:
    """For each QID: whether the item exists, where it redirects, its English labels."""
    seen: dict[str, dict] = {qid: {"exists": False, "target": None, "labels": []}
                             for qid in qids}
    for start in range(0, len(qids), 50):
        chunk = qids[start:start + 50]
        query = _CHECK % " ".join(f"<{item_iri(q)}>" for q in chunk)
        for row in client.select(query):
            qid = qid_of(row["item"].value)
            if qid not in seen:
                continue
            info = seen[qid]
            info["exists"] = info["exists"] or row["exists"].value == "true"
            if "target" in row:
                info["target"] = qid_of(row["target"].value) or row["target"].value
            if "label" in row and row["label"].value not in info["labels"]:
                info["labels"].append(row["label"].value)
    return seen


def check_links(client: WikidataClient, linked: list[Entity]) -> list[Check]:
    """Re-verify every link: the item exists, is not a redirect, and is still called so."""
    pairs = [(entity, qid_of(link)) for entity in linked for link in entity.links]
    info = describe_items(client, sorted({qid for _, qid in pairs if qid}))
    checks = []
    for entity, qid in pairs:
        item = info.get(qid or "", {"exists": False, "target": None, "labels": []})
        if item["target"]:
            checks.append(Check(entity, qid, "redirect",
                                f"{qid} now redirects to {item['target']}; link that instead"))
        elif not item["exists"]:
            checks.append(Check(entity, qid, "missing", f"{qid} no longer exists (deleted?)"))
        elif not _still_named(entity, item_iri(qid), item["labels"]):
            checks.append(Check(entity, qid, "label changed",
                                f"{qid} is now called {' / '.join(item['labels']) or '(no label)'}"
                                f"; the graph calls it {entity.label!r}"))
        else:
            checks.append(Check(entity, qid, "ok", " / ".join(item["labels"])))
    return checks


def _still_named(entity: Entity, link: str, labels: list[str]) -> bool:
    """The item's label is one of ours, or is in what was recorded when it was verified."""
    ours = {normalise(name) for name in name_variants(entity.labels)}
    recorded = " ".join(normalise(text) for text in entity.recorded.get(link, []))
    return any(normalise(label) in ours or (normalise(label) and normalise(label) in recorded)
               for label in labels)
