"""Per-project coverage: which expected facts are filled, known to be unknown, or missing.

Gaps stay visible instead of hidden: a curator sees at a glance what a project record lacks,
and a reader sees what the sources do not say (``olc:unknown``) apart from what nobody has
looked for yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

PREFIXES = """
PREFIX olc:     <https://w3id.org/olckg/ontology#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct:     <http://purl.org/dc/terms/>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX schema:  <http://schema.org/>
PREFIX fair4ml: <https://w3id.org/fair4ml#>
"""


@dataclass(frozen=True)
class Expectation:
    """One expected fact: filled when ``filled`` matches, unknown when ``unknown`` does."""

    name: str
    filled: str
    unknown: str | None = None


#: What a project record should say. ?p is the project; ?org any developing organisation.
EXPECTED = (
    Expectation("developer", "?p olc:developedBy ?org ."),
    Expectation("organisational model", "?p olc:organisationalModel ?x .",
                "?p olc:unknown olc:organisationalModel ."),
    Expectation("model family", "?p olc:modelFamily ?x .", "?p olc:unknown olc:modelFamily ."),
    Expectation("organisation type", "?p olc:developedBy/olc:organisationType ?x ."),
    Expectation("region", "?p olc:developedBy/olc:region ?x ."),
    Expectation("country", "?p olc:developedBy/olc:country ?x .",
                "?p olc:developedBy/olc:unknown olc:country ."),
    Expectation("releases", "?p olc:modelFamily|olc:produces ?f . ?r dct:isPartOf ?f .",
                "?p olc:unknown olc:modelFamily ."),
    Expectation("release licence", "?p olc:modelFamily|olc:produces ?f . "
                "?r dct:isPartOf ?f ; dct:license ?x .",
                "{ ?p olc:unknown olc:modelFamily } UNION "
                "{ ?p olc:modelFamily|olc:produces ?f . ?r dct:isPartOf ?f ; "
                "olc:unknown dct:license }"),
    Expectation("release date", "?p olc:modelFamily|olc:produces ?f . "
                "?r dct:isPartOf ?f ; schema:datePublished ?x .",
                "{ ?p olc:unknown olc:modelFamily } UNION "
                "{ ?p olc:modelFamily|olc:produces ?f . "
                "?r dct:isPartOf ?f ; olc:unknown schema:datePublished }"),
    Expectation("hub or repository", "{ ?p olc:developedBy|olc:modelFamily ?y } "
                "?y olc:huggingFacePage|olc:githubPage ?x ."),
    Expectation("quotes", "?p olc:developedBy ?org . ?q a olc:Quote ; prov:wasAttributedTo ?org ."),
    Expectation("collaboration links", "{ ?p olc:developedBy ?org . ?l olc:participant ?org } "
                "UNION { ?l olc:project ?p }"),
    Expectation("motivations", "?p olc:motivation ?x ."),
)

FILLED, UNKNOWN, MISSING = "filled", "unknown", "missing"


@dataclass
class ProjectCoverage:
    project: str
    label: str
    states: dict[str, str]

    @property
    def filled(self) -> int:
        return sum(1 for s in self.states.values() if s == FILLED)


def project_coverage(store: ox.Store) -> list[ProjectCoverage]:
    """Coverage of every open LLM project, sampled ones first, then by name."""
    projects = store.query(PREFIXES + """
        SELECT ?p ?label ?sampled WHERE {
          ?p a olc:OpenLLMProject ; rdfs:label ?label .
          BIND (EXISTS { ?s olc:sampledProject ?p } AS ?sampled)
        } ORDER BY DESC(?sampled) ?label""")
    rows = [(s["p"], s["label"].value) for s in projects]
    result = []
    for project, label in rows:
        states = {}
        for expectation in EXPECTED:
            if _holds(store, expectation.filled, project):
                states[expectation.name] = FILLED
            elif expectation.unknown and _holds(store, expectation.unknown, project):
                states[expectation.name] = UNKNOWN
            else:
                states[expectation.name] = MISSING
        result.append(ProjectCoverage(project.value, label, states))
    return result


def _holds(store: ox.Store, pattern: str, project: ox.NamedNode) -> bool:
    answer = store.query(f"{PREFIXES} SELECT ?p WHERE {{ {pattern} }} LIMIT 1",
                         substitutions={ox.Variable("p"): project})
    return any(True for _ in answer)


# --- Coverage per class -----------------------------------------------------------------------


@dataclass(frozen=True)
class Property:
    """An expected property of a class: ``filled`` holds for ?s when the graph gives it, and
    ``olc:unknown`` with one of ``unknown`` records that the sources read do not give it;
    ``unknown_pattern`` says so where the record sits elsewhere (on the release's family)."""

    name: str
    filled: str
    unknown: tuple[str, ...] = ()
    unknown_pattern: str = ""


@dataclass(frozen=True)
class ClassExpectation:
    """A kind of entity; ``scope`` narrows ?s further (a SPARQL group pattern)."""

    name: str
    classes: tuple[str, ...]
    properties: tuple[Property, ...]
    scope: str = ""


def from_catalogue(var: str) -> str:
    """A pattern that holds when ``var`` is an entity `kg import` minted from a catalogue's
    record (its evidence is such a record), not one of the curators' own: the two are read
    from different sources and answer to different expectations."""
    return (f"{var} <https://w3id.org/olckg/ontology#evidence>/<http://purl.org/dc/terms/source>"
            "/<http://purl.org/dc/terms/type> <https://w3id.org/olckg/vocab/source-catalogue-record>")


CURATED = f"FILTER NOT EXISTS {{ {from_catalogue('?s')} }}"
FROM_CATALOGUES = f"FILTER EXISTS {{ {from_catalogue('?s')} }}"


WIKIDATA = Property("Wikidata link", "{ ?s owl:sameAs ?x } UNION { ?s olc:noMatchIn ?x }")

#: What the graph should say about each kind of entity. ?s is the entity.
CLASS_EXPECTED = (
    ClassExpectation("model releases", ("fair4ml:MLModel",), (
        Property("release date", "?s schema:datePublished ?x .", ("schema:datePublished",)),
        Property("parameter count", "?s olc:parameterCount ?x .", ("olc:parameterCount",)),
        Property("licence", "?s dct:license ?x .", ("dct:license",)),
        Property("hub or repository", "?s olc:huggingFacePage|olc:githubPage ?x .",
                 ("olc:huggingFacePage", "olc:githubPage")),
        Property("languages", "?s olc:language|olc:languageCount ?x .",
                 ("olc:language", "olc:languageCount")),
        Property("gated access", "?s olc:gatedAccess ?x .", ("olc:gatedAccess",)),
        Property("base model", "{ ?s fair4ml:fineTunedFrom|prov:wasDerivedFrom ?x } UNION "
                 "{ ?s olc:trainedFromScratch true }", ("fair4ml:fineTunedFrom",)),
        Property("training data", "?s fair4ml:trainedOn ?x .", ("fair4ml:trainedOn",)),
        Property("paper (on it or its family)", "?a a schema:ScholarlyArticle . "
                 "{ ?a schema:about ?s } UNION { ?s dct:isPartOf ?f . ?a schema:about ?f }",
                 ("schema:subjectOf",), "?s dct:isPartOf/olc:unknown schema:subjectOf ."),
    ), CURATED),
    ClassExpectation("datasets", ("schema:Dataset",), (
        Property("publisher", "?s olc:developedBy ?x .", ("olc:developedBy",)),
        Property("licence", "?s dct:license ?x .", ("dct:license",)),
        Property("hub page", "?s olc:huggingFacePage ?x .", ("olc:huggingFacePage",)),
        Property("used to train a release", "?r fair4ml:trainedOn ?s ."),
        WIKIDATA,
    ), CURATED),
    ClassExpectation("organisations", ("org:Organization", "org:OrganizationalUnit",
                                       "org:OrganizationalCollaboration"), (
        Property("country", "?s olc:country ?x .", ("olc:country",)),
        Property("city", "?s olc:city ?x .", ("olc:city",)),
        Property("region", "?s olc:region ?x .", ("olc:region",)),
        Property("organisation type", "?s olc:organisationType ?x .", ("olc:organisationType",)),
        Property("legal type", "?s org:classification ?x .", ("org:classification",)),
        Property("parent organisation", "?s org:unitOf|org:subOrganizationOf ?x .",
                 ("org:unitOf", "org:subOrganizationOf")),
        Property("homepage", "?s foaf:homepage ?x .", ("foaf:homepage",)),
        Property("ROR ID", "?s olc:rorId ?x .", ("olc:rorId",)),
        WIKIDATA,
    ), CURATED),
    ClassExpectation("papers", ("schema:ScholarlyArticle",), (
        Property("title", "?s dct:title ?x .", ("dct:title",)),
        Property("arXiv ID", "?s olc:arxivId ?x .", ("olc:arxivId",)),
        Property("DOI", "?s olc:doi ?x .", ("olc:doi",)),
        Property("date", "?s schema:datePublished ?x .", ("schema:datePublished",)),
        Property("describes a release or family", "?s schema:about ?x ."),
    )),
    ClassExpectation("catalogue models", ("fair4ml:MLModel",), (
        Property("licence", "?s dct:license ?x .", ("dct:license",)),
        Property("hub page", "?s olc:huggingFacePage ?x .", ("olc:huggingFacePage",)),
        Property("developer", "?s olc:developedBy ?x .", ("olc:developedBy",)),
        Property("model family", "?s dct:isPartOf ?x .", ("dct:isPartOf",)),
    ), FROM_CATALOGUES),
)

CLASS_PREFIXES = PREFIXES + """
PREFIX org:     <http://www.w3.org/ns/org#>
PREFIX foaf:    <http://xmlns.com/foaf/0.1/>
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
"""


@dataclass
class PropertyCoverage:
    name: str
    filled: int
    unknown: int
    missing: int


@dataclass
class ClassCoverage:
    name: str
    instances: int
    properties: list[PropertyCoverage]


def class_coverage(store: ox.Store) -> list[ClassCoverage]:
    """For each kind of entity, how many instances have each expected property filled, how
    many record it as unknown (and do not give it), and how many say nothing."""
    result = []
    for expectation in CLASS_EXPECTED:
        entity = f"VALUES ?c {{ {' '.join(expectation.classes)} }} ?s a ?c . {expectation.scope}"
        subjects = _subjects(store, entity)
        rows = []
        for prop in expectation.properties:
            filled = _subjects(store, f"{entity} {prop.filled}")
            unknown: set[str] = set()
            if prop.unknown:
                unknown = _subjects(store, f"{entity} VALUES ?u {{ {' '.join(prop.unknown)} }} "
                                           "?s olc:unknown ?u .") - filled
            if prop.unknown_pattern:
                unknown |= _subjects(store, f"{entity} {prop.unknown_pattern}") - filled
            rows.append(PropertyCoverage(prop.name, len(filled), len(unknown),
                                         len(subjects) - len(filled) - len(unknown)))
        result.append(ClassCoverage(expectation.name, len(subjects), rows))
    return result


def _subjects(store: ox.Store, pattern: str) -> set[str]:
    answer = store.query(f"{CLASS_PREFIXES} SELECT DISTINCT ?s WHERE {{ {pattern} }}")
    return {str(solution["s"]) for solution in answer}
